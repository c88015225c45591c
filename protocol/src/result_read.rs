//! Reading a qualification result back from its tree, as a client reads it: the screens that
//! show an answer they asked for over the message interface (SCR-23 shows an OQSsihvq01res /
//! OQSsionq01res) read it here. The inverse of `message::QualificationResult::emit` for every
//! element a visiting/online result carries; 医療券・調剤券 (`PublicExpenseResultList`) are not
//! read (those results come from the 公費 path, never from a visiting inquiry).

use crate::codes::{ProcessingResultStatus, QualificationValidity};
use crate::dom::Element;
use crate::message::{
    ElderlyRecipientInfo, LimitCertificateInfo, QualificationResult, SpecificDiseaseInfo, BODY,
};
use crate::visiting::{ConsentRow, CONSENT_INFO, CONSENT_LIST};

/// A result message as read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadResult {
    /// Header `ErrorCode` / `ErrorMessage`.
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub status: Option<ProcessingResultStatus>,
    pub processing_code: Option<String>,
    pub processing_message: Option<String>,
    pub validity: Option<QualificationValidity>,
    pub prescription_issue_select: Option<String>,
    pub results: Vec<QualificationResult>,
    /// The visiting/online consent table (DM-14), when the result has one.
    pub consent_rows: Vec<ConsentRow>,
}

fn text(e: &Element, name: &str) -> Option<String> {
    e.child_text(name).map(str::to_owned)
}

/// One `ResultOfQualificationConfirmation`.
pub fn qualification_result(e: &Element) -> QualificationResult {
    let t = |n: &str| text(e, n);
    let elderly = e
        .child("ElderlyRecipientCertificateInfo")
        .map(|x| ElderlyRecipientInfo {
            certificate_date: text(x, "ElderlyRecipientCertificateDate"),
            valid_start_date: text(x, "ElderlyRecipientValidStartDate"),
            valid_end_date: text(x, "ElderlyRecipientValidEndDate"),
            contribution_ratio: text(x, "ElderlyRecipientContributionRatio"),
        });
    let limit = e
        .child("LimitApplicationCertificateRelatedInfo")
        .map(|x| LimitCertificateInfo {
            classification: text(x, "LimitApplicationCertificateClassification"),
            classification_flag: text(x, "LimitApplicationCertificateClassificationFlag"),
            certificate_date: text(x, "LimitApplicationCertificateDate"),
            valid_start_date: text(x, "LimitApplicationCertificateValidStartDate"),
            valid_end_date: text(x, "LimitApplicationCertificateValidEndDate"),
            long_term_date: text(x, "LimitApplicationCertificateLongTermDate"),
        });
    let specific_diseases = e
        .child("SpecificDiseasesCertificateList")
        .map(|l| {
            l.children_named("SpecificDiseasesCertificateInfo")
                .map(|x| SpecificDiseaseInfo {
                    disease_category: text(x, "SpecificDiseasesDiseaseCategory"),
                    certificate_date: text(x, "SpecificDiseasesCertificateDate"),
                    valid_start_date: text(x, "SpecificDiseasesValidStartDate"),
                    valid_end_date: text(x, "SpecificDiseasesValidEndDate"),
                    self_pay: text(x, "SpecificDiseasesSelfPay"),
                })
                .collect()
        })
        .unwrap_or_default();
    QualificationResult {
        insured_card_classification: t("InsuredCardClassification"),
        insurer_number: t("InsurerNumber"),
        insured_card_symbol: t("InsuredCardSymbol"),
        insured_identification_number: t("InsuredIdentificationNumber"),
        insured_branch_number: t("InsuredBranchNumber"),
        personal_family_classification: t("PersonalFamilyClassification"),
        insured_name: t("InsuredName"),
        name: t("Name"),
        name_of_other: t("NameOfOther"),
        name_kana: t("NameKana"),
        name_of_other_kana: t("NameOfOtherKana"),
        sex1: t("Sex1"),
        sex2: t("Sex2"),
        birthdate: t("Birthdate"),
        address: t("Address"),
        post_number: t("PostNumber"),
        qualification_date: t("QualificationDate"),
        disqualification_date: t("DisqualificationDate"),
        insured_certificate_issuance_date: t("InsuredCertificateIssuanceDate"),
        insured_card_valid_date: t("InsuredCardValidDate"),
        insured_card_expiration_date: t("InsuredCardExpirationDate"),
        insured_partial_contribution_ratio: t("InsuredPartialContributionRatio"),
        preschool_classification: t("PreschoolClassification"),
        reason_of_loss: t("ReasonOfLoss"),
        insurer_name: t("InsurerName"),
        elderly_recipient: elderly,
        limit_cons_flg: t("LimitApplicationCertificateRelatedConsFlg"),
        limit_cons_time: t("LimitApplicationCertificateRelatedConsTime"),
        limit_info: limit,
        specific_diseases_cons_flg: t("SpecificDiseasesCertificateRelatedConsFlg"),
        specific_diseases_cons_time: t("SpecificDiseasesCertificateRelatedConsTime"),
        specific_diseases,
        medical_tickets: Vec::new(),
        specific_health_checkups_cons_flg: t("SpecificHealthCheckupsInfoConsFlg"),
        specific_health_checkups_cons_time: t("SpecificHealthCheckupsInfoConsTime"),
        specific_health_checkups_available_time: t("SpecificHealthCheckupsInfoAvailableTime"),
        pharmacists_cons_flg: t("PharmacistsInfoConsFlg"),
        pharmacists_cons_time: t("PharmacistsInfoConsTime"),
        pharmacists_available_time: t("PharmacistsInfoAvailableTime"),
        diagnosis_cons_flg: t("DiagnosisInfoConsFlg"),
        diagnosis_cons_time: t("DiagnosisInfoConsTime"),
        diagnosis_available_time: t("DiagnosisInfoAvailableTime"),
        operation_cons_flg: t("OperationInfoConsFlg"),
        operation_cons_time: t("OperationInfoConsTime"),
        operation_available_time: t("OperationInfoAvailableTime"),
        reference_number: t("ReferenceNumber"),
        arbitrary_identifier: t("ArbitraryIdentifier"),
    }
}

/// A whole result message (`XmlMsg`).
pub fn read_result(root: &Element) -> ReadResult {
    let header = root.child("MessageHeader");
    let h = |n: &str| header.and_then(|x| text(x, n));
    let body = root.child(BODY);
    let b = |n: &str| body.and_then(|x| text(x, n));
    ReadResult {
        error_code: h("ErrorCode"),
        error_message: h("ErrorMessage"),
        status: b("ProcessingResultStatus").and_then(|s| ProcessingResultStatus::from_code(&s)),
        processing_code: b("ProcessingResultCode"),
        processing_message: b("ProcessingResultMessage"),
        validity: b("QualificationValidity").and_then(|s| QualificationValidity::from_code(&s)),
        prescription_issue_select: b("PrescriptionIssueSelect"),
        results: body
            .and_then(|x| x.child("ResultList"))
            .map(|l| {
                l.children_named("ResultOfQualificationConfirmation")
                    .map(qualification_result)
                    .collect()
            })
            .unwrap_or_default(),
        consent_rows: body
            .and_then(|x| x.child(CONSENT_LIST))
            .map(|l| {
                l.children_named(CONSENT_INFO)
                    .filter_map(ConsentRow::from_element)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_reads_back_as_it_was_written() {
        let r = QualificationResult {
            insurer_number: Some("00050013".into()),
            name: Some("山田　隆子".into()),
            sex1: Some("2".into()),
            elderly_recipient: Some(ElderlyRecipientInfo {
                contribution_ratio: Some("020".into()),
                ..Default::default()
            }),
            limit_cons_flg: Some("1".into()),
            limit_info: Some(LimitCertificateInfo {
                classification_flag: Some("A".into()),
                ..Default::default()
            }),
            specific_diseases: vec![SpecificDiseaseInfo {
                disease_category: Some("02".into()),
                self_pay: Some("10000".into()),
                ..Default::default()
            }],
            reference_number: Some("XYZ010409".into()),
            ..Default::default()
        };
        assert_eq!(qualification_result(&r.to_element()), r);
        let mut root = Element::new("XmlMsg");
        let mut body = Element::new(BODY);
        body.push_leaf("ProcessingResultStatus", "1");
        body.push_leaf("QualificationValidity", "1");
        body.children
            .push(Element::new("ResultList").with(r.to_element()));
        body.children
            .push(crate::visiting::consent_list(&[ConsentRow {
                category: crate::visiting::ConsentCategory::Operation,
                consented: crate::visiting::CONSENTED_MARK,
                consent_date: "2023/01/08".into(),
                expiry_date: "2025/09/20".into(),
                expiry_reason: crate::visiting::NO_VALUE,
            }]));
        root.children.push(body);
        let read = read_result(&root);
        assert_eq!(read.status, Some(ProcessingResultStatus::Normal));
        assert_eq!(read.validity, Some(QualificationValidity::Valid));
        assert_eq!(read.results, vec![r]);
        assert_eq!(read.consent_rows.len(), 1);
        assert_eq!(read.consent_rows[0].consent_date, "2023/01/08");
    }
}
