//! Visiting and online care (訪問診療等・オンライン診療等, ch.3): the 診療区分, the seven viewing
//! consents of DM-14 with their verbatim labels, and the simulator's element names for the
//! consent table it adds to a visiting/online result (docs/interface.md §2.7).
//!
//! Public evidence: a public client (YUKI-ENT/OQSDrug2, `BulkQualificationService.cs`) writes the
//! bulk requests `OQSmuhvq01req` / `OQSmuonq01req` with `QualificationConfirmSearchInfo`
//! {`ConsentDateFrom`/`ConsentDateTo` or `ExaminationDateFrom`/`ExaminationDateTo`,
//! `MedicalTreatmentFlag` 2 / 3}; a public terminal script lists `OQSsihvq`, `OQSsionq` and
//! `OQSsihvd` among the terminal's message ids. Everything else here is the simulator's own.

use crate::codes::CodeTable;
use crate::dom::Element;
use crate::message::{SingleInquiryRequest, StructureError, BODY, SEARCH_INFO};

/// 診療区分 of a visiting/online consent (OQSCD028 values 2 and 3; `MedicalTreatmentFlag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CareKind {
    /// 訪問診療等 (code 2).
    Visiting,
    /// オンライン診療等 (code 3).
    Online,
}

impl CodeTable for CareKind {
    const NAME: &'static str = "診療区分";
    const SOURCE: &'static str =
        "OQSCD028 as quoted publicly (2 訪問診療等, 3 オンライン診療等); MedicalTreatmentFlag 2/3 in YUKI-ENT/OQSDrug2";
    fn all() -> &'static [Self] {
        &[CareKind::Visiting, CareKind::Online]
    }
    fn code(self) -> &'static str {
        match self {
            CareKind::Visiting => "2",
            CareKind::Online => "3",
        }
    }
    fn label(self) -> &'static str {
        match self {
            CareKind::Visiting => "訪問診療等",
            CareKind::Online => "オンライン診療等",
        }
    }
}

/// The seven rows of the 閲覧同意情報 table (DM-14), in the manual's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConsentCategory {
    Qualification,
    Operation,
    Diagnosis,
    Medication,
    HealthCheckup,
    LimitCertificate,
    SpecificDisease,
}

impl ConsentCategory {
    pub const ALL: [ConsentCategory; 7] = [
        ConsentCategory::Qualification,
        ConsentCategory::Operation,
        ConsentCategory::Diagnosis,
        ConsentCategory::Medication,
        ConsentCategory::HealthCheckup,
        ConsentCategory::LimitCertificate,
        ConsentCategory::SpecificDisease,
    ];

    /// 同意区分, verbatim from the item tables of SCR-23/SCR-28.
    pub fn label(self) -> &'static str {
        match self {
            ConsentCategory::Qualification => "資格情報提供同意区分",
            ConsentCategory::Operation => "手術情報閲覧同意区分",
            ConsentCategory::Diagnosis => "診療情報閲覧同意区分",
            ConsentCategory::Medication => "薬剤情報閲覧同意区分",
            ConsentCategory::HealthCheckup => "特定健診情報閲覧同意区分",
            ConsentCategory::LimitCertificate => "限度額適用認定証提供同意区分",
            ConsentCategory::SpecificDisease => "特定疾病療養受療証提供同意区分",
        }
    }

    /// By label (also the variant labels of other screenshots, e.g. 「手術情報同意区分」).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        ConsentCategory::ALL
            .into_iter()
            .find(|c| c.label() == s || c.label().replace("閲覧同意", "同意") == s || c.code() == s)
    }

    /// The simulator's code for the row (1..7, the manual's order).
    pub fn code(self) -> &'static str {
        match self {
            ConsentCategory::Qualification => "1",
            ConsentCategory::Operation => "2",
            ConsentCategory::Diagnosis => "3",
            ConsentCategory::Medication => "4",
            ConsentCategory::HealthCheckup => "5",
            ConsentCategory::LimitCertificate => "6",
            ConsentCategory::SpecificDisease => "7",
        }
    }
}

/// 同意有無 「○」 (consented).
pub const CONSENTED_MARK: &str = "○";
/// 同意有無 / empty cells 「-」.
pub const NO_VALUE: &str = "-";
/// 閲覧同意有効期限切れ理由: never consented.
pub const REASON_NOT_CONSENTED: &str = "同意なし";
/// 閲覧同意有効期限切れ理由 after 《同意取消》 (RULE-67).
pub const REASON_CANCELLED: &str = "医療機関による同意取り消し";
/// DLG-18 (title 「同意取消(訪問診療等)」).
pub const CANCEL_CONFIRM: &str =
    "患者の資格確認および医療情報の閲覧ができなくなります。\nよろしいですか？";
/// DLG-19.
pub const CANCEL_DONE: &str = "処理が正常に完了しました。";
/// RULE-56 on SCR-22.
pub const NO_MEDICAL_INFO_INQUIRY: &str =
    "資格情報照会では、医療情報（特定健診情報、薬剤情報等）の参照はできません。";
/// RULE-56 on SCR-26.
pub const NO_MEDICAL_INFO_BULK: &str =
    "資格情報一括照会では、医療情報（特定健診情報、薬剤情報等）の参照はできません。";
/// RULE-33 on SCR-22 (screen text).
pub const BRANCH_REQUIRED_NOTE: &str = "枝番は後期高齢者・医療扶助の場合以外は必須項目となります。";

/// One row of the consent table as the wire and the screens show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRow {
    pub category: ConsentCategory,
    /// 「○」 or 「-」.
    pub consented: &'static str,
    /// `yyyy/mm/dd` or 「-」.
    pub consent_date: String,
    /// `yyyy/mm/dd` or 「-」.
    pub expiry_date: String,
    /// 「-」, 「同意なし」 or 「医療機関による同意取り消し」.
    pub expiry_reason: &'static str,
}

/// Element names of the consent table in a visiting/online result (simulator-defined).
pub const CONSENT_LIST: &str = "ViewingConsentList";
pub const CONSENT_INFO: &str = "ViewingConsentInfo";

impl ConsentRow {
    pub fn to_element(&self) -> Element {
        let mut e = Element::new(CONSENT_INFO);
        e.push_leaf("ConsentClassification", self.category.label());
        e.push_leaf("ConsentExistence", self.consented);
        e.push_leaf("ConsentDate", self.consent_date.clone());
        e.push_leaf("ConsentExpirationDate", self.expiry_date.clone());
        e.push_leaf("ConsentExpirationReason", self.expiry_reason);
        e
    }

    /// Reads a row back (tests, clients).
    pub fn from_element(e: &Element) -> Option<Self> {
        let text = |n: &str| e.child_text(n).map(str::to_owned);
        let statics = |s: &str| -> Option<&'static str> {
            [
                CONSENTED_MARK,
                NO_VALUE,
                REASON_NOT_CONSENTED,
                REASON_CANCELLED,
            ]
            .into_iter()
            .find(|x| *x == s)
        };
        Some(ConsentRow {
            category: ConsentCategory::parse(e.child_text("ConsentClassification")?)?,
            consented: statics(e.child_text("ConsentExistence")?)?,
            consent_date: text("ConsentDate")?,
            expiry_date: text("ConsentExpirationDate")?,
            expiry_reason: statics(e.child_text("ConsentExpirationReason")?)?,
        })
    }
}

/// The consent table element.
pub fn consent_list(rows: &[ConsentRow]) -> Element {
    let mut list = Element::new(CONSENT_LIST);
    list.children
        .extend(rows.iter().map(ConsentRow::to_element));
    list
}

/// The 特定疾病療養受療証 display consent of SCR-22 (「※特定疾病療養受療証情報を表示する場合は、
/// 書面による患者本人の同意が必要です。」), in QualificationConfirmSearchInfo (simulator-defined;
/// named like the result's `SpecificDiseasesCertificateRelatedConsFlg`).
pub const SPECIFIC_DISEASE_CONSENT: &str = "SpecificDiseasesCertificateRelatedConsFlg";

/// OQSsihvq01req / OQSsionq01req / OQSsihvd01req: the single inquiry's envelope and search, plus
/// the 特定疾病 display consent (0 / 1, default 0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VisitingInquiryRequest {
    pub inquiry: SingleInquiryRequest,
    pub specific_disease_consent: bool,
}

impl VisitingInquiryRequest {
    pub fn from_element(root: &Element) -> Result<Self, StructureError> {
        let inquiry = SingleInquiryRequest::from_element(root)?;
        let flag = root
            .child(BODY)
            .and_then(|b| b.child(SEARCH_INFO))
            .and_then(|s| s.child_text(SPECIFIC_DISEASE_CONSENT))
            .map(str::trim);
        let specific_disease_consent = match flag {
            None | Some("") | Some("0") => false,
            Some("1") => true,
            Some(other) => {
                return Err(StructureError(format!(
                    "<{SPECIFIC_DISEASE_CONSENT}> is \"{other}\": 0 or 1"
                )))
            }
        };
        Ok(VisitingInquiryRequest {
            inquiry,
            specific_disease_consent,
        })
    }

    pub fn to_element(&self) -> Element {
        let mut root = self.inquiry.to_element();
        if self.specific_disease_consent {
            if let Some(search) = root
                .children
                .iter_mut()
                .find(|c| c.name == BODY)
                .and_then(|b| b.children.iter_mut().find(|c| c.name == SEARCH_INFO))
            {
                search.push_leaf(SPECIFIC_DISEASE_CONSENT, "1");
            }
        }
        root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn care_kinds_and_categories_parse_by_label_and_code() {
        assert_eq!(CareKind::parse("訪問診療等"), Some(CareKind::Visiting));
        assert_eq!(CareKind::parse("3"), Some(CareKind::Online));
        assert_eq!(CareKind::parse("1"), None);
        assert_eq!(
            ConsentCategory::parse("手術情報同意区分"),
            Some(ConsentCategory::Operation)
        );
        assert_eq!(
            ConsentCategory::parse("特定疾病療養受療証提供同意区分"),
            Some(ConsentCategory::SpecificDisease)
        );
        assert_eq!(ConsentCategory::parse("なにか"), None);
    }

    #[test]
    fn the_specific_disease_consent_reads_back_and_a_bad_flag_is_refused() {
        let mut req = VisitingInquiryRequest::default();
        req.inquiry.search.insurer_number = Some("050013".into());
        req.specific_disease_consent = true;
        let root = req.to_element();
        assert_eq!(VisitingInquiryRequest::from_element(&root), Ok(req.clone()));
        let text = crate::xml::write_document(&root, crate::TextEncoding::Utf8);
        let bad = String::from_utf8(text)
            .expect("utf-8")
            .replace(">1</SpecificDiseases", ">x</SpecificDiseases");
        let doc = crate::xml::read_document(bad.as_bytes(), Default::default()).expect("xml");
        assert!(VisitingInquiryRequest::from_element(&doc.root).is_err());
    }

    #[test]
    fn a_row_reads_back() {
        let row = ConsentRow {
            category: ConsentCategory::Medication,
            consented: CONSENTED_MARK,
            consent_date: "2023/01/08".into(),
            expiry_date: "2025/09/20".into(),
            expiry_reason: NO_VALUE,
        };
        assert_eq!(ConsentRow::from_element(&row.to_element()), Some(row));
    }
}
