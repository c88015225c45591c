//! JOB-03 訪問診療等・オンライン診療等 資格情報一括照会 requests: `OQSmuhvq01req` (訪問診療等) and
//! `OQSmuonq01req` (オンライン診療等). The shape follows the public client YUKI-ENT/OQSDrug2
//! (`BulkQualificationService.cs`): the header's `MedicalInstitutionCode` and
//! `ArbitraryFileIdentifier`, and one `QualificationConfirmSearchInfo` with `ConsentDateFrom` /
//! `ConsentDateTo` (同意年月日) or, for オンライン診療等, `ExaminationDateFrom` /
//! `ExaminationDateTo` (受診年月日), and `MedicalTreatmentFlag` 2 / 3. The fetch (`02req`) is
//! the JOB-01 fetch (`ReceptionNumber`, [`crate::bulk::FetchRequest`]).

use crate::codes::CodeTable;
use crate::dom::Element;
use crate::errors::ErrorKind;
use crate::fields::{parse_date, FieldError, StructureError};
use crate::header::{header_and_body, RequestHeader};
use crate::message::{BODY, SEARCH_INFO};
use crate::visiting::CareKind;
use chrono::NaiveDate;

/// OQSmuhvq01req / OQSmuonq01req as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentedBulkRequest {
    pub header: RequestHeader,
    pub consent_date_from: Option<String>,
    pub consent_date_to: Option<String>,
    pub examination_date_from: Option<String>,
    pub examination_date_to: Option<String>,
    pub medical_treatment_flag: Option<String>,
}

/// The conditions of a valid request (RULE-65: at least one range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsentedBulkConditions {
    pub kind: CareKind,
    pub consent_from: Option<NaiveDate>,
    pub consent_to: Option<NaiveDate>,
    pub examination_from: Option<NaiveDate>,
    pub examination_to: Option<NaiveDate>,
}

const FIELDS: [&str; 5] = [
    "ConsentDateFrom",
    "ConsentDateTo",
    "ExaminationDateFrom",
    "ExaminationDateTo",
    "MedicalTreatmentFlag",
];

impl ConsentedBulkRequest {
    pub fn from_element(root: &Element) -> Result<Self, StructureError> {
        let (header, body) = header_and_body(root)?;
        let search = body
            .child(SEARCH_INFO)
            .ok_or_else(|| StructureError(format!("<{BODY}/{SEARCH_INFO}> is missing")))?;
        if body.children_named(SEARCH_INFO).count() > 1 {
            return Err(StructureError(format!(
                "<{BODY}> has several <{SEARCH_INFO}>; a consented bulk request takes one"
            )));
        }
        let get = |n: &str| search.child_text(n).map(|s| s.trim().to_owned());
        Ok(ConsentedBulkRequest {
            header: RequestHeader::from_element(header),
            consent_date_from: get(FIELDS[0]),
            consent_date_to: get(FIELDS[1]),
            examination_date_from: get(FIELDS[2]),
            examination_date_to: get(FIELDS[3]),
            medical_treatment_flag: get(FIELDS[4]),
        })
    }

    pub fn to_element(&self) -> Element {
        let mut search = Element::new(SEARCH_INFO);
        for (name, value) in FIELDS.iter().zip([
            &self.consent_date_from,
            &self.consent_date_to,
            &self.examination_date_from,
            &self.examination_date_to,
            &self.medical_treatment_flag,
        ]) {
            search.push_opt(name, value.clone());
        }
        self.header.document(Element::new(BODY).with(search))
    }

    /// The rules of the request for the message's 診療区分 `kind`: `MedicalTreatmentFlag` equal to
    /// its code, dates `YYYYMMDD` with from ≤ to, 受診年月日 only for オンライン診療等, and at least
    /// one range (RULE-65). Every broken rule is a ヘッダー項目エラー of the job.
    pub fn validate(&self, kind: CareKind) -> Result<ConsentedBulkConditions, FieldError> {
        const P: &str = "MessageBody/QualificationConfirmSearchInfo/";
        match self.medical_treatment_flag.as_deref() {
            Some(f) if f == kind.code() => {}
            other => {
                return Err(FieldError::new(
                    ErrorKind::MedicalTreatmentFlag,
                    "MessageBody/QualificationConfirmSearchInfo/MedicalTreatmentFlag",
                    format!(
                        "{:?}: this message takes {} ({})",
                        other,
                        kind.code(),
                        kind.label()
                    ),
                ))
            }
        }
        let date =
            |v: &Option<String>, name: &'static str| -> Result<Option<NaiveDate>, FieldError> {
                match v.as_deref().filter(|s| !s.is_empty()) {
                    None => Ok(None),
                    Some(s) => parse_date(s)
                        .map(Some)
                        .map_err(|e| FieldError::new(ErrorKind::ConsentSearchRange, name, e)),
                }
            };
        let c = ConsentedBulkConditions {
            kind,
            consent_from: date(
                &self.consent_date_from,
                "MessageBody/QualificationConfirmSearchInfo/ConsentDateFrom",
            )?,
            consent_to: date(
                &self.consent_date_to,
                "MessageBody/QualificationConfirmSearchInfo/ConsentDateTo",
            )?,
            examination_from: date(
                &self.examination_date_from,
                "MessageBody/QualificationConfirmSearchInfo/ExaminationDateFrom",
            )?,
            examination_to: date(
                &self.examination_date_to,
                "MessageBody/QualificationConfirmSearchInfo/ExaminationDateTo",
            )?,
        };
        let range_err = |detail: &str| {
            Err(FieldError::new(
                ErrorKind::ConsentSearchRange,
                "MessageBody/QualificationConfirmSearchInfo",
                format!("{P}: {detail}"),
            ))
        };
        if kind == CareKind::Visiting
            && (c.examination_from.is_some() || c.examination_to.is_some())
        {
            return range_err("受診年月日 (ExaminationDateFrom/To) is for オンライン診療等 only");
        }
        let consent = c.consent_from.is_some() || c.consent_to.is_some();
        let exam = c.examination_from.is_some() || c.examination_to.is_some();
        if !consent && !exam {
            return range_err(
                "give 同意年月日 (ConsentDateFrom/To) or 受診年月日 (ExaminationDateFrom/To)",
            );
        }
        for (from, to) in [
            (c.consent_from, c.consent_to),
            (c.examination_from, c.examination_to),
        ] {
            if let (Some(f), Some(t)) = (from, to) {
                if f > t {
                    return range_err("a range ends before it starts");
                }
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(flag: &str, from: &str, to: &str) -> ConsentedBulkRequest {
        ConsentedBulkRequest {
            header: RequestHeader {
                medical_institution_code: Some("1234567890".into()),
                ..Default::default()
            },
            consent_date_from: Some(from.into()),
            consent_date_to: Some(to.into()),
            medical_treatment_flag: Some(flag.into()),
            ..Default::default()
        }
    }

    #[test]
    fn reads_back_and_validates_the_public_clients_shape() {
        let r = req("2", "20230101", "20230131");
        assert_eq!(
            ConsentedBulkRequest::from_element(&r.to_element()),
            Ok(r.clone())
        );
        let c = r.validate(CareKind::Visiting).expect("valid");
        assert_eq!(c.consent_from, NaiveDate::from_ymd_opt(2023, 1, 1));
    }

    #[test]
    fn every_rule_has_its_error() {
        let kind = |r: &ConsentedBulkRequest, k| r.validate(k).map(|_| ()).map_err(|e| e.kind);
        assert_eq!(
            kind(&req("3", "20230101", "20230131"), CareKind::Visiting),
            Err(ErrorKind::MedicalTreatmentFlag)
        );
        assert_eq!(
            kind(&req("2", "20230132", "20230131"), CareKind::Visiting),
            Err(ErrorKind::ConsentSearchRange)
        );
        assert_eq!(
            kind(&req("2", "20230201", "20230131"), CareKind::Visiting),
            Err(ErrorKind::ConsentSearchRange)
        );
        assert_eq!(
            kind(&req("2", "", ""), CareKind::Visiting),
            Err(ErrorKind::ConsentSearchRange)
        );
        let mut online = req("3", "", "");
        online.examination_date_from = Some("20230401".into());
        assert_eq!(kind(&online, CareKind::Online), Ok(()));
        let mut visiting_exam = online.clone();
        visiting_exam.medical_treatment_flag = Some("2".into());
        assert_eq!(
            kind(&visiting_exam, CareKind::Visiting),
            Err(ErrorKind::ConsentSearchRange)
        );
    }
}
