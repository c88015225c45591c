//! 照会番号 (reference number) registration messages (interface.md §3): one qualification
//! (OQSsiimm01req/res) and the bulk registration of JOB-02 (OQSmuimm01req … 02res).
//!
//! A registration names the card (保険者番号, 記号, 番号, 枝番) and the value; an empty value deletes
//! the facility's number for that card (RULE-51).

use crate::codes::{CharacterCode, ProcessingResultStatus, SegmentOfResult};
use crate::dom::Element;
use crate::errors::ErrorKind;
use crate::fields::{
    check_text, trimmed, FieldError, InsurerNumber, StructureError, MAX_IDENTIFIER_CHARS,
    MAX_SYMBOL_CHARS,
};
use crate::header::{header_and_body, RequestHeader, ResultHeaderFields, BODY, ROOT};

pub const REGISTRATION_INFO: &str = "ReferenceNumberRegistrationInfo";
pub const BULK_REGISTRATION_UNIT: &str = "BulkRegistrationUnit";
/// 照会番号 length: interface.md §3 gives ≤ 50; the manual gives no format (AMB-69).
pub const MAX_REFERENCE_NUMBER_CHARS: usize = MAX_IDENTIFIER_CHARS;

const FIELDS: [&str; 5] = [
    "ReferenceNumber",
    "InsurerNumber",
    "InsuredCardSymbol",
    "InsuredIdentificationNumber",
    "InsuredBranchNumber",
];

/// ReferenceNumberRegistrationInfo as received (echoed back verbatim).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrationInfo {
    pub reference_number: Option<String>,
    pub insurer_number: Option<String>,
    pub insured_card_symbol: Option<String>,
    pub insured_identification_number: Option<String>,
    pub insured_branch_number: Option<String>,
}

/// A registration that passed its input rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRegistration {
    /// `None`: delete the registered number.
    pub reference_number: Option<String>,
    pub insurer_number: InsurerNumber,
    pub symbol: Option<String>,
    pub number: String,
    pub branch: Option<String>,
}

impl RegistrationInfo {
    fn values(&self) -> [&Option<String>; 5] {
        [
            &self.reference_number,
            &self.insurer_number,
            &self.insured_card_symbol,
            &self.insured_identification_number,
            &self.insured_branch_number,
        ]
    }

    pub fn from_element(el: &Element) -> Self {
        let get = |n: &str| el.child_text(n).map(str::to_owned);
        RegistrationInfo {
            reference_number: get(FIELDS[0]),
            insurer_number: get(FIELDS[1]),
            insured_card_symbol: get(FIELDS[2]),
            insured_identification_number: get(FIELDS[3]),
            insured_branch_number: get(FIELDS[4]),
        }
    }

    pub fn to_element(&self) -> Element {
        let mut el = Element::new(REGISTRATION_INFO);
        for (name, value) in FIELDS.iter().zip(self.values()) {
            el.push_opt(name, value.clone());
        }
        el
    }

    /// The echo in a result: as sent, but an empty field (an empty 照会番号 = delete) is left
    /// out, as results have no empty elements.
    pub fn to_echo_element(&self) -> Element {
        let mut el = Element::new(REGISTRATION_INFO);
        for (name, value) in FIELDS.iter().zip(self.values()) {
            el.push_opt(name, value.clone().filter(|v| !v.is_empty()));
        }
        el
    }

    /// The input rules: 照会番号 ≤ 50 characters (empty = delete), and the card fields by the
    /// rules of the inquiry (RULE-29..31).
    pub fn validate(&self) -> Result<ValidRegistration, FieldError> {
        const P: &str = "MessageBody/ReferenceNumberRegistrationInfo/";
        let err = |kind, field: &'static str, detail: String| FieldError {
            kind,
            field,
            detail: format!("{P}{field}: {detail}"),
        };
        let reference_number = match trimmed(&self.reference_number) {
            None => None,
            Some(v) => {
                check_text(v, MAX_REFERENCE_NUMBER_CHARS)
                    .map_err(|e| err(ErrorKind::ReferenceNumber, "ReferenceNumber", e))?;
                Some(v.to_owned())
            }
        };
        let insurer_number = InsurerNumber::parse(self.insurer_number.as_deref().unwrap_or(""))
            .map_err(|e| err(ErrorKind::InsurerNumber, "InsurerNumber", e))?;
        let symbol = trimmed(&self.insured_card_symbol).map(str::to_owned);
        if let Some(s) = &symbol {
            check_text(s, MAX_SYMBOL_CHARS)
                .map_err(|e| err(ErrorKind::InsuredCardSymbol, "InsuredCardSymbol", e))?;
        }
        let number = trimmed(&self.insured_identification_number)
            .ok_or_else(|| {
                err(
                    ErrorKind::InsuredIdentificationNumber,
                    "InsuredIdentificationNumber",
                    "missing".into(),
                )
            })?
            .to_owned();
        check_text(&number, MAX_SYMBOL_CHARS).map_err(|e| {
            err(
                ErrorKind::InsuredIdentificationNumber,
                "InsuredIdentificationNumber",
                e,
            )
        })?;
        let branch = trimmed(&self.insured_branch_number).map(str::to_owned);
        if let Some(b) = &branch {
            if b.len() != 2 || !b.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err(
                    ErrorKind::InsuredBranchNumber,
                    "InsuredBranchNumber",
                    format!("\"{b}\" is not 2 half-width digits"),
                ));
            }
        }
        Ok(ValidRegistration {
            reference_number,
            insurer_number,
            symbol,
            number,
            branch,
        })
    }
}

/// OQSsiimm01req.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SingleRegistrationRequest {
    pub header: RequestHeader,
    pub info: RegistrationInfo,
}

impl SingleRegistrationRequest {
    pub fn from_element(root: &Element) -> Result<Self, StructureError> {
        let (header, body) = header_and_body(root)?;
        let mut infos = body.children_named(REGISTRATION_INFO);
        let info = infos
            .next()
            .ok_or_else(|| StructureError(format!("<{BODY}/{REGISTRATION_INFO}> is missing")))?;
        if infos.next().is_some() {
            return Err(StructureError(format!(
                "<{BODY}> has several <{REGISTRATION_INFO}>; use OQSmuimm01req for bulk registration"
            )));
        }
        Ok(SingleRegistrationRequest {
            header: RequestHeader::from_element(header),
            info: RegistrationInfo::from_element(info),
        })
    }

    pub fn to_element(&self) -> Element {
        self.header
            .document(Element::new(BODY).with(self.info.to_element()))
    }
}

/// OQSmuimm01req: one ReferenceNumberRegistrationInfo per row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkRegistrationRequest {
    pub header: RequestHeader,
    pub rows: Vec<RegistrationInfo>,
}

impl BulkRegistrationRequest {
    pub fn from_element(root: &Element) -> Result<Self, StructureError> {
        let (header, body) = header_and_body(root)?;
        if let Some(other) = body.children.iter().find(|c| c.name != REGISTRATION_INFO) {
            return Err(StructureError(format!(
                "<{BODY}> holds <{}>; a bulk registration holds only <{REGISTRATION_INFO}>",
                other.name
            )));
        }
        let rows: Vec<RegistrationInfo> = body
            .children
            .iter()
            .map(RegistrationInfo::from_element)
            .collect();
        if rows.is_empty() {
            return Err(StructureError(format!(
                "<{BODY}> has no <{REGISTRATION_INFO}>; a bulk registration needs at least one row"
            )));
        }
        Ok(BulkRegistrationRequest {
            header: RequestHeader::from_element(header),
            rows,
        })
    }

    pub fn to_element(&self) -> Element {
        let mut body = Element::new(BODY);
        body.children
            .extend(self.rows.iter().map(RegistrationInfo::to_element));
        self.header.document(body)
    }
}

/// OQSsiimm01res.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationResponse {
    pub process_execution_time: String,
    pub medical_institution_code: Option<String>,
    pub arbitrary_file_identifier: Option<String>,
    pub segment_of_result: SegmentOfResult,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub character_code: CharacterCode,
    /// Absent when SegmentOfResult is 9.
    pub body: Option<RegistrationOutcome>,
}

/// The answer to one registration: status, code and message, and the registration as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationOutcome {
    pub info: RegistrationInfo,
    pub processing_result_status: ProcessingResultStatus,
    pub processing_result_code: Option<String>,
    pub processing_result_message: Option<String>,
}

impl RegistrationOutcome {
    fn push_into(&self, el: &mut Element) {
        el.push_leaf(
            "ProcessingResultStatus",
            self.processing_result_status.code(),
        );
        el.push_opt("ProcessingResultCode", self.processing_result_code.clone());
        el.push_opt(
            "ProcessingResultMessage",
            self.processing_result_message.clone(),
        );
    }

    /// BulkRegistrationUnit of a JOB-02 result.
    pub fn to_unit_element(&self) -> Element {
        let mut u = Element::new(BULK_REGISTRATION_UNIT).with(self.info.to_echo_element());
        self.push_into(&mut u);
        u
    }

    /// A row needs a look (登録完了（要確認）) when it was not registered.
    pub fn needs_check(&self) -> bool {
        self.processing_result_status != ProcessingResultStatus::Normal
    }
}

impl RegistrationResponse {
    pub fn to_element(&self) -> Element {
        let h = ResultHeaderFields {
            process_execution_time: &self.process_execution_time,
            qualification_confirmation_date: None,
            medical_institution_code: self.medical_institution_code.as_deref(),
            arbitrary_file_identifier: self.arbitrary_file_identifier.as_deref(),
            segment_of_result: self.segment_of_result,
            error_code: self.error_code.as_deref(),
            error_message: self.error_message.as_deref(),
            character_code: self.character_code,
        }
        .to_element(|_| {});
        let mut root = Element::new(ROOT).with(h);
        if let Some(o) = &self.body {
            let mut b = Element::new(BODY);
            o.push_into(&mut b);
            b.children.push(o.info.to_echo_element());
            root.children.push(b);
        }
        root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> RegistrationInfo {
        RegistrationInfo {
            reference_number: Some("JIKO3".into()),
            insurer_number: Some("06139000".into()),
            insured_card_symbol: Some("9000".into()),
            insured_identification_number: Some("10001".into()),
            insured_branch_number: Some("01".into()),
        }
    }

    #[test]
    fn valid_registration_and_delete_by_empty_value() {
        let v = info().validate().unwrap();
        assert_eq!(v.reference_number.as_deref(), Some("JIKO3"));
        assert_eq!(v.branch.as_deref(), Some("01"));
        let mut d = info();
        d.reference_number = Some("".into());
        assert_eq!(d.validate().unwrap().reference_number, None);
        d.reference_number = None;
        assert_eq!(d.validate().unwrap().reference_number, None);
    }

    #[test]
    fn each_field_rule_names_its_row() {
        let kind = |i: RegistrationInfo| i.validate().unwrap_err().kind;
        let mut i = info();
        i.reference_number = Some("x".repeat(51));
        assert_eq!(kind(i), ErrorKind::ReferenceNumber);
        let mut i = info();
        i.insurer_number = Some("123".into());
        assert_eq!(kind(i), ErrorKind::InsurerNumber);
        let mut i = info();
        i.insured_identification_number = None;
        assert_eq!(kind(i), ErrorKind::InsuredIdentificationNumber);
        let mut i = info();
        i.insured_branch_number = Some("1".into());
        assert_eq!(kind(i), ErrorKind::InsuredBranchNumber);
    }

    #[test]
    fn request_shapes() {
        let single = SingleRegistrationRequest {
            header: RequestHeader::default(),
            info: info(),
        };
        assert_eq!(
            SingleRegistrationRequest::from_element(&single.to_element()).unwrap(),
            single
        );
        let bulk = BulkRegistrationRequest {
            header: RequestHeader::default(),
            rows: vec![info(), info()],
        };
        assert_eq!(
            BulkRegistrationRequest::from_element(&bulk.to_element()).unwrap(),
            bulk
        );
        assert!(SingleRegistrationRequest::from_element(&bulk.to_element()).is_err());
        let empty = BulkRegistrationRequest {
            rows: vec![],
            ..bulk
        };
        assert!(BulkRegistrationRequest::from_element(&empty.to_element()).is_err());
    }
}
