//! Typed messages of the single inquiry (OQSsiquc01req / OQSsiquc01res) and their mapping to
//! and from the element tree, plus the input rules of RULE-29..36 (format only: lengths and
//! character classes; what the values mean is the domain's business).

use crate::codes::{
    CharacterCode, ConsentFlag, ProcessingResultStatus, QualificationValidity,
    ReferenceClassification, SegmentOfResult,
};
use crate::dom::Element;
use crate::errors::ErrorKind;
use chrono::NaiveDate;

pub const ROOT: &str = "XmlMsg";
pub const HEADER: &str = "MessageHeader";
pub const BODY: &str = "MessageBody";
pub const SEARCH_INFO: &str = "QualificationConfirmSearchInfo";

/// The longest ArbitraryFileIdentifier / ArbitraryIdentifier accepted (interface.md §2: "up to 50").
pub const MAX_IDENTIFIER_CHARS: usize = 50;
/// RULE-30: 記号 and 番号 are at most 20 characters.
pub const MAX_SYMBOL_CHARS: usize = 20;

/// A request that does not have the message's shape (wrong root, missing parts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StructureError(pub String);

/// One input field that breaks its rule: which row of the error table, which element, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {detail}")]
pub struct FieldError {
    pub kind: ErrorKind,
    /// Element path, e.g. `MessageBody/QualificationConfirmSearchInfo/InsurerNumber`.
    pub field: &'static str,
    pub detail: String,
}

impl FieldError {
    fn new(kind: ErrorKind, field: &'static str, detail: impl Into<String>) -> Self {
        FieldError {
            kind,
            field,
            detail: detail.into(),
        }
    }
}

/// MessageHeader of a request, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestHeader {
    pub qualification_confirmation_date: Option<String>,
    pub medical_institution_code: Option<String>,
    pub arbitrary_file_identifier: Option<String>,
    /// Not in the public layout; honoured when present (it picks the result's encoding).
    pub character_code_identifier: Option<String>,
}

/// QualificationConfirmSearchInfo as received (echoed back verbatim in the result).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchInfo {
    pub insurer_number: Option<String>,
    pub insured_card_symbol: Option<String>,
    pub insured_identification_number: Option<String>,
    pub insured_branch_number: Option<String>,
    pub birthdate: Option<String>,
    pub limit_application_certificate_related_cons_flg: Option<String>,
    pub arbitrary_identifier: Option<String>,
}

const SEARCH_FIELDS: [&str; 7] = [
    "InsurerNumber",
    "InsuredCardSymbol",
    "InsuredIdentificationNumber",
    "InsuredBranchNumber",
    "Birthdate",
    "LimitApplicationCertificateRelatedConsFlg",
    "ArbitraryIdentifier",
];

impl SearchInfo {
    fn fields(&self) -> [&Option<String>; 7] {
        [
            &self.insurer_number,
            &self.insured_card_symbol,
            &self.insured_identification_number,
            &self.insured_branch_number,
            &self.birthdate,
            &self.limit_application_certificate_related_cons_flg,
            &self.arbitrary_identifier,
        ]
    }

    pub fn from_element(el: &Element) -> Self {
        let get = |n: &str| el.child_text(n).map(str::to_owned);
        SearchInfo {
            insurer_number: get(SEARCH_FIELDS[0]),
            insured_card_symbol: get(SEARCH_FIELDS[1]),
            insured_identification_number: get(SEARCH_FIELDS[2]),
            insured_branch_number: get(SEARCH_FIELDS[3]),
            birthdate: get(SEARCH_FIELDS[4]),
            limit_application_certificate_related_cons_flg: get(SEARCH_FIELDS[5]),
            arbitrary_identifier: get(SEARCH_FIELDS[6]),
        }
    }

    pub fn to_element(&self) -> Element {
        let mut el = Element::new(SEARCH_INFO);
        for (name, value) in SEARCH_FIELDS.iter().zip(self.fields()) {
            el.push_opt(name, value.clone());
        }
        el
    }
}

/// OQSsiquc01req.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SingleInquiryRequest {
    pub header: RequestHeader,
    pub search: SearchInfo,
}

impl SingleInquiryRequest {
    /// Reads the message shape from a tree.
    pub fn from_element(root: &Element) -> Result<Self, StructureError> {
        if root.name != ROOT {
            return Err(StructureError(format!(
                "root element is <{}>, expected <{ROOT}>",
                root.name
            )));
        }
        let header = root
            .child(HEADER)
            .ok_or_else(|| StructureError(format!("<{HEADER}> is missing")))?;
        let body = root
            .child(BODY)
            .ok_or_else(|| StructureError(format!("<{BODY}> is missing")))?;
        let search = body
            .child(SEARCH_INFO)
            .ok_or_else(|| StructureError(format!("<{BODY}/{SEARCH_INFO}> is missing")))?;
        if body.children_named(SEARCH_INFO).count() > 1 {
            return Err(StructureError(format!(
                "<{BODY}> has several <{SEARCH_INFO}>; a single inquiry takes one (use OQSmuquc01req for bulk)"
            )));
        }
        let get = |n: &str| header.child_text(n).map(str::to_owned);
        Ok(SingleInquiryRequest {
            header: RequestHeader {
                qualification_confirmation_date: get("QualificationConfirmationDate"),
                medical_institution_code: get("MedicalInstitutionCode"),
                arbitrary_file_identifier: get("ArbitraryFileIdentifier"),
                character_code_identifier: get("CharacterCodeIdentifier"),
            },
            search: SearchInfo::from_element(search),
        })
    }

    pub fn to_element(&self) -> Element {
        let mut header = Element::new(HEADER);
        header.push_opt(
            "QualificationConfirmationDate",
            self.header.qualification_confirmation_date.clone(),
        );
        header.push_opt(
            "MedicalInstitutionCode",
            self.header.medical_institution_code.clone(),
        );
        header.push_opt(
            "ArbitraryFileIdentifier",
            self.header.arbitrary_file_identifier.clone(),
        );
        header.push_opt(
            "CharacterCodeIdentifier",
            self.header.character_code_identifier.clone(),
        );
        Element::new(ROOT)
            .with(header)
            .with(Element::new(BODY).with(self.search.to_element()))
    }
}

/// 保険者番号 as a number: 8-digit numbers and 6-digit 国保 numbers, however padded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InsurerNumber(pub u32);

impl InsurerNumber {
    /// Accepts 8 digits, or 6 digits optionally right-aligned to 8 with spaces or zeros.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let t = raw.trim_matches(|c: char| c == ' ' || c == '\u{3000}');
        if t.is_empty() {
            return Err("missing".into());
        }
        if !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("\"{raw}\" is not half-width digits"));
        }
        if t.len() != 6 && t.len() != 8 {
            return Err(format!(
                "\"{raw}\" has {} digits; expected 8 (or 6 for 国民健康保険, right-aligned to 8)",
                t.len()
            ));
        }
        // 8-digit numbers start with a 法別番号 ≥ 01, so "00" + 6 digits is a padded 国保 number.
        t.parse().map(InsurerNumber).map_err(|e| e.to_string())
    }

    /// A 6-digit (国民健康保険) number.
    pub fn is_six_digit(self) -> bool {
        self.0 < 1_000_000
    }

    /// The number as printed on the card: 6 or 8 digits.
    pub fn display(self) -> String {
        if self.is_six_digit() {
            format!("{:06}", self.0)
        } else {
            format!("{:08}", self.0)
        }
    }

    /// The wire form: 8 characters, 6-digit numbers right-aligned with spaces.
    pub fn wire(self) -> String {
        format!("{:>8}", self.display())
    }

    /// 法別番号 12 (生活保護): a 公費負担者番号 entered in the 保険者番号 field (RULE-36).
    pub fn is_public_assistance(self) -> bool {
        !self.is_six_digit() && self.0 / 1_000_000 == 12
    }

    /// 法別番号 39: 後期高齢者医療.
    pub fn is_late_elderly(self) -> bool {
        !self.is_six_digit() && self.0 / 1_000_000 == 39
    }
}

/// A search that passed every input rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSearch {
    pub insurer_number: InsurerNumber,
    pub symbol: Option<String>,
    pub number: String,
    pub branch: Option<String>,
    pub birthdate: NaiveDate,
    pub limit_consent: ConsentFlag,
    pub arbitrary_identifier: Option<String>,
}

/// Header fields that passed their rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidHeader {
    pub confirmation_date: Option<NaiveDate>,
    pub medical_institution_code: String,
    pub arbitrary_file_identifier: Option<String>,
    pub character_code: Option<CharacterCode>,
}

/// Parses `YYYYMMDD` as a calendar date.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let t = raw.trim();
    if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("\"{raw}\" is not 8 half-width digits (YYYYMMDD)"));
    }
    // Digits only (checked above), so the slices are on char boundaries. Not chrono's
    // strftime parser: this runs for every row of a bulk file.
    let num = |r: std::ops::Range<usize>| t[r].parse::<u32>().unwrap_or(0);
    i32::try_from(num(0..4))
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, num(4..6), num(6..8)))
        .ok_or_else(|| format!("\"{raw}\" is not a calendar date"))
}

/// `YYYYMMDD`.
pub fn format_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

pub(crate) fn trimmed(raw: &Option<String>) -> Option<&str> {
    raw.as_deref()
        .map(|s| s.trim_matches(|c: char| c == ' ' || c == '\u{3000}'))
        .filter(|s| !s.is_empty())
}

pub(crate) fn check_text(raw: &str, max: usize) -> Result<(), String> {
    let n = raw.chars().count();
    if n > max {
        return Err(format!(
            "\"{raw}\" has {n} characters; at most {max} are allowed"
        ));
    }
    if let Some(c) = raw.chars().find(|c| c.is_control()) {
        return Err(format!("contains the control character U+{:04X}", c as u32));
    }
    Ok(())
}

impl RequestHeader {
    /// Header rules: 医療機関コード 10 digits, 資格確認日 YYYYMMDD when given, identifiers ≤ 50.
    pub fn validate(&self) -> Result<ValidHeader, FieldError> {
        const MIC: &str = "MessageHeader/MedicalInstitutionCode";
        let code = trimmed(&self.medical_institution_code)
            .ok_or_else(|| FieldError::new(ErrorKind::MedicalInstitutionCode, MIC, "missing"))?;
        if code.len() != 10 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                ErrorKind::MedicalInstitutionCode,
                MIC,
                format!("\"{code}\" is not 10 half-width digits"),
            ));
        }
        let confirmation_date = match trimmed(&self.qualification_confirmation_date) {
            None => None,
            Some(d) => Some(parse_date(d).map_err(|e| {
                FieldError::new(
                    ErrorKind::ConfirmationDate,
                    "MessageHeader/QualificationConfirmationDate",
                    e,
                )
            })?),
        };
        let arbitrary_file_identifier = match self.arbitrary_file_identifier.as_deref() {
            None | Some("") => None,
            Some(id) => {
                check_text(id, MAX_IDENTIFIER_CHARS).map_err(|e| {
                    FieldError::new(
                        ErrorKind::ArbitraryFileIdentifier,
                        "MessageHeader/ArbitraryFileIdentifier",
                        e,
                    )
                })?;
                Some(id.to_owned())
            }
        };
        let character_code = match trimmed(&self.character_code_identifier) {
            None => None,
            Some(c) => Some(CharacterCode::from_code(c).ok_or_else(|| {
                FieldError::new(
                    ErrorKind::CharacterCode,
                    "MessageHeader/CharacterCodeIdentifier",
                    format!("\"{c}\" is not 0 (UTF-8) or 1 (Shift_JIS)"),
                )
            })?),
        };
        Ok(ValidHeader {
            confirmation_date,
            medical_institution_code: code.to_owned(),
            arbitrary_file_identifier,
            character_code,
        })
    }
}

impl SearchInfo {
    /// RULE-29..36, in element order; the first broken rule is reported.
    pub fn validate(&self) -> Result<ValidSearch, FieldError> {
        const P: &str = "MessageBody/QualificationConfirmSearchInfo/";
        let insurer_raw = self.insurer_number.as_deref().unwrap_or("");
        let insurer_number = InsurerNumber::parse(insurer_raw).map_err(|e| {
            FieldError::new(
                ErrorKind::InsurerNumber,
                "MessageBody/QualificationConfirmSearchInfo/InsurerNumber",
                e,
            )
        })?;
        let _ = P;
        let symbol = trimmed(&self.insured_card_symbol).map(str::to_owned);
        if let Some(s) = &symbol {
            check_text(s, MAX_SYMBOL_CHARS).map_err(|e| {
                FieldError::new(
                    ErrorKind::InsuredCardSymbol,
                    "MessageBody/QualificationConfirmSearchInfo/InsuredCardSymbol",
                    e,
                )
            })?;
        }
        const NUM: &str = "MessageBody/QualificationConfirmSearchInfo/InsuredIdentificationNumber";
        let number = trimmed(&self.insured_identification_number)
            .ok_or_else(|| FieldError::new(ErrorKind::InsuredIdentificationNumber, NUM, "missing"))?
            .to_owned();
        check_text(&number, MAX_SYMBOL_CHARS)
            .map_err(|e| FieldError::new(ErrorKind::InsuredIdentificationNumber, NUM, e))?;
        const BR: &str = "MessageBody/QualificationConfirmSearchInfo/InsuredBranchNumber";
        let branch = trimmed(&self.insured_branch_number).map(str::to_owned);
        if let Some(b) = &branch {
            if b.len() != 2 || !b.bytes().all(|c| c.is_ascii_digit()) {
                return Err(FieldError::new(
                    ErrorKind::InsuredBranchNumber,
                    BR,
                    format!("\"{b}\" is not 2 half-width digits"),
                ));
            }
        }
        if insurer_number.is_public_assistance() {
            // RULE-36: 公費負担者番号 + 受給者番号 (7 digits); 記号 and 枝番 are not entered.
            if symbol.is_some() || branch.is_some() {
                return Err(FieldError::new(
                    ErrorKind::MedicalAssistanceSymbolOrBranch,
                    if symbol.is_some() {
                        "MessageBody/QualificationConfirmSearchInfo/InsuredCardSymbol"
                    } else {
                        BR
                    },
                    "a 公費負担者番号 (法別番号 12) takes no 記号 and no 枝番",
                ));
            }
            if number.len() != 7 || !number.bytes().all(|c| c.is_ascii_digit()) {
                return Err(FieldError::new(
                    ErrorKind::BeneficiaryNumber,
                    NUM,
                    format!("受給者番号 \"{number}\" is not 7 half-width digits"),
                ));
            }
        }
        const BD: &str = "MessageBody/QualificationConfirmSearchInfo/Birthdate";
        let birthdate = match trimmed(&self.birthdate) {
            None => return Err(FieldError::new(ErrorKind::Birthdate, BD, "missing")),
            Some(b) => parse_date(b).map_err(|e| FieldError::new(ErrorKind::Birthdate, BD, e))?,
        };
        const CF: &str =
            "MessageBody/QualificationConfirmSearchInfo/LimitApplicationCertificateRelatedConsFlg";
        let limit_consent = match trimmed(&self.limit_application_certificate_related_cons_flg) {
            None => return Err(FieldError::new(ErrorKind::LimitConsentFlag, CF, "missing")),
            Some(f) => ConsentFlag::from_code(f).ok_or_else(|| {
                FieldError::new(
                    ErrorKind::LimitConsentFlag,
                    CF,
                    format!("\"{f}\" is not 0 or 1"),
                )
            })?,
        };
        let arbitrary_identifier = match self.arbitrary_identifier.as_deref() {
            None | Some("") => None,
            Some(id) => {
                check_text(id, MAX_IDENTIFIER_CHARS).map_err(|e| {
                    FieldError::new(
                        ErrorKind::ArbitraryIdentifier,
                        "MessageBody/QualificationConfirmSearchInfo/ArbitraryIdentifier",
                        e,
                    )
                })?;
                Some(id.to_owned())
            }
        };
        Ok(ValidSearch {
            insurer_number,
            symbol,
            number,
            branch,
            birthdate,
            limit_consent,
            arbitrary_identifier,
        })
    }
}

/// MessageHeader of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultHeader {
    /// `YYYYMMDDHHmmss`.
    pub process_execution_time: String,
    pub qualification_confirmation_date: Option<String>,
    pub medical_institution_code: Option<String>,
    pub arbitrary_file_identifier: Option<String>,
    pub reference_classification: ReferenceClassification,
    pub segment_of_result: SegmentOfResult,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub character_code: CharacterCode,
}

impl ResultHeader {
    pub fn to_element(&self) -> Element {
        let mut h = Element::new(HEADER);
        h.push_leaf("ProcessExecutionTime", &self.process_execution_time);
        h.push_opt(
            "QualificationConfirmationDate",
            self.qualification_confirmation_date.clone(),
        );
        h.push_opt(
            "MedicalInstitutionCode",
            self.medical_institution_code.clone(),
        );
        h.push_opt(
            "ArbitraryFileIdentifier",
            self.arbitrary_file_identifier.clone(),
        );
        h.push_leaf(
            "ReferenceClassification",
            self.reference_classification.code(),
        );
        h.push_leaf("SegmentOfResult", self.segment_of_result.code());
        h.push_opt("ErrorCode", self.error_code.clone());
        h.push_opt("ErrorMessage", self.error_message.clone());
        h.push_leaf("CharacterCodeIdentifier", self.character_code.code());
        h
    }
}

/// ElderlyRecipientCertificateInfo (高齢受給者証).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElderlyRecipientInfo {
    pub certificate_date: Option<String>,
    pub valid_start_date: Option<String>,
    pub valid_end_date: Option<String>,
    pub contribution_ratio: Option<String>,
}

/// LimitApplicationCertificateRelatedInfo (限度額適用認定証).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LimitCertificateInfo {
    pub classification: Option<String>,
    pub classification_flag: Option<String>,
    pub certificate_date: Option<String>,
    pub valid_start_date: Option<String>,
    pub valid_end_date: Option<String>,
    pub long_term_date: Option<String>,
}

/// SpecificDiseasesCertificateInfo (特定疾病療養受療証).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecificDiseaseInfo {
    pub disease_category: Option<String>,
    pub certificate_date: Option<String>,
    pub valid_start_date: Option<String>,
    pub valid_end_date: Option<String>,
    pub self_pay: Option<String>,
}

/// One ResultOfQualificationConfirmation, in the element order of interface.md §3.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QualificationResult {
    pub insured_card_classification: Option<String>,
    pub insurer_number: Option<String>,
    pub insured_card_symbol: Option<String>,
    pub insured_identification_number: Option<String>,
    pub insured_branch_number: Option<String>,
    pub personal_family_classification: Option<String>,
    pub insured_name: Option<String>,
    pub name: Option<String>,
    pub name_of_other: Option<String>,
    pub name_kana: Option<String>,
    pub name_of_other_kana: Option<String>,
    pub sex1: Option<String>,
    pub sex2: Option<String>,
    pub birthdate: Option<String>,
    pub address: Option<String>,
    pub post_number: Option<String>,
    pub qualification_date: Option<String>,
    pub disqualification_date: Option<String>,
    pub insured_certificate_issuance_date: Option<String>,
    pub insured_card_valid_date: Option<String>,
    pub insured_card_expiration_date: Option<String>,
    pub insured_partial_contribution_ratio: Option<String>,
    pub preschool_classification: Option<String>,
    pub reason_of_loss: Option<String>,
    pub insurer_name: Option<String>,
    pub elderly_recipient: Option<ElderlyRecipientInfo>,
    pub limit_cons_flg: Option<String>,
    pub limit_cons_time: Option<String>,
    pub limit_info: Option<LimitCertificateInfo>,
    pub specific_diseases_cons_flg: Option<String>,
    pub specific_diseases_cons_time: Option<String>,
    pub specific_diseases: Vec<SpecificDiseaseInfo>,
    pub specific_health_checkups_cons_flg: Option<String>,
    pub specific_health_checkups_cons_time: Option<String>,
    pub specific_health_checkups_available_time: Option<String>,
    pub pharmacists_cons_flg: Option<String>,
    pub pharmacists_cons_time: Option<String>,
    pub pharmacists_available_time: Option<String>,
    pub diagnosis_cons_flg: Option<String>,
    pub diagnosis_cons_time: Option<String>,
    pub diagnosis_available_time: Option<String>,
    pub operation_cons_flg: Option<String>,
    pub operation_cons_time: Option<String>,
    pub operation_available_time: Option<String>,
    pub reference_number: Option<String>,
    pub arbitrary_identifier: Option<String>,
}

impl QualificationResult {
    pub fn to_element(&self) -> Element {
        let mut r = Element::new("ResultOfQualificationConfirmation");
        let leaves: [(&str, &Option<String>); 25] = [
            (
                "InsuredCardClassification",
                &self.insured_card_classification,
            ),
            ("InsurerNumber", &self.insurer_number),
            ("InsuredCardSymbol", &self.insured_card_symbol),
            (
                "InsuredIdentificationNumber",
                &self.insured_identification_number,
            ),
            ("InsuredBranchNumber", &self.insured_branch_number),
            (
                "PersonalFamilyClassification",
                &self.personal_family_classification,
            ),
            ("InsuredName", &self.insured_name),
            ("Name", &self.name),
            ("NameOfOther", &self.name_of_other),
            ("NameKana", &self.name_kana),
            ("NameOfOtherKana", &self.name_of_other_kana),
            ("Sex1", &self.sex1),
            ("Sex2", &self.sex2),
            ("Birthdate", &self.birthdate),
            ("Address", &self.address),
            ("PostNumber", &self.post_number),
            ("QualificationDate", &self.qualification_date),
            ("DisqualificationDate", &self.disqualification_date),
            (
                "InsuredCertificateIssuanceDate",
                &self.insured_certificate_issuance_date,
            ),
            ("InsuredCardValidDate", &self.insured_card_valid_date),
            (
                "InsuredCardExpirationDate",
                &self.insured_card_expiration_date,
            ),
            (
                "InsuredPartialContributionRatio",
                &self.insured_partial_contribution_ratio,
            ),
            ("PreschoolClassification", &self.preschool_classification),
            ("ReasonOfLoss", &self.reason_of_loss),
            ("InsurerName", &self.insurer_name),
        ];
        for (n, v) in leaves {
            r.push_opt(n, v.clone());
        }
        if let Some(e) = &self.elderly_recipient {
            let mut el = Element::new("ElderlyRecipientCertificateInfo");
            el.push_opt(
                "ElderlyRecipientCertificateDate",
                e.certificate_date.clone(),
            );
            el.push_opt("ElderlyRecipientValidStartDate", e.valid_start_date.clone());
            el.push_opt("ElderlyRecipientValidEndDate", e.valid_end_date.clone());
            el.push_opt(
                "ElderlyRecipientContributionRatio",
                e.contribution_ratio.clone(),
            );
            r.children.push(el);
        }
        r.push_opt(
            "LimitApplicationCertificateRelatedConsFlg",
            self.limit_cons_flg.clone(),
        );
        r.push_opt(
            "LimitApplicationCertificateRelatedConsTime",
            self.limit_cons_time.clone(),
        );
        if let Some(l) = &self.limit_info {
            let mut el = Element::new("LimitApplicationCertificateRelatedInfo");
            el.push_opt(
                "LimitApplicationCertificateClassification",
                l.classification.clone(),
            );
            el.push_opt(
                "LimitApplicationCertificateClassificationFlag",
                l.classification_flag.clone(),
            );
            el.push_opt(
                "LimitApplicationCertificateDate",
                l.certificate_date.clone(),
            );
            el.push_opt(
                "LimitApplicationCertificateValidStartDate",
                l.valid_start_date.clone(),
            );
            el.push_opt(
                "LimitApplicationCertificateValidEndDate",
                l.valid_end_date.clone(),
            );
            el.push_opt(
                "LimitApplicationCertificateLongTermDate",
                l.long_term_date.clone(),
            );
            r.children.push(el);
        }
        r.push_opt(
            "SpecificDiseasesCertificateRelatedConsFlg",
            self.specific_diseases_cons_flg.clone(),
        );
        r.push_opt(
            "SpecificDiseasesCertificateRelatedConsTime",
            self.specific_diseases_cons_time.clone(),
        );
        if !self.specific_diseases.is_empty() {
            let mut list = Element::new("SpecificDiseasesCertificateList");
            for s in &self.specific_diseases {
                let mut el = Element::new("SpecificDiseasesCertificateInfo");
                el.push_opt(
                    "SpecificDiseasesDiseaseCategory",
                    s.disease_category.clone(),
                );
                el.push_opt(
                    "SpecificDiseasesCertificateDate",
                    s.certificate_date.clone(),
                );
                el.push_opt("SpecificDiseasesValidStartDate", s.valid_start_date.clone());
                el.push_opt("SpecificDiseasesValidEndDate", s.valid_end_date.clone());
                el.push_opt("SpecificDiseasesSelfPay", s.self_pay.clone());
                list.children.push(el);
            }
            r.children.push(list);
        }
        let tail: [(&str, &Option<String>); 14] = [
            (
                "SpecificHealthCheckupsInfoConsFlg",
                &self.specific_health_checkups_cons_flg,
            ),
            (
                "SpecificHealthCheckupsInfoConsTime",
                &self.specific_health_checkups_cons_time,
            ),
            (
                "SpecificHealthCheckupsInfoAvailableTime",
                &self.specific_health_checkups_available_time,
            ),
            ("PharmacistsInfoConsFlg", &self.pharmacists_cons_flg),
            ("PharmacistsInfoConsTime", &self.pharmacists_cons_time),
            (
                "PharmacistsInfoAvailableTime",
                &self.pharmacists_available_time,
            ),
            ("DiagnosisInfoConsFlg", &self.diagnosis_cons_flg),
            ("DiagnosisInfoConsTime", &self.diagnosis_cons_time),
            ("DiagnosisInfoAvailableTime", &self.diagnosis_available_time),
            ("OperationInfoConsFlg", &self.operation_cons_flg),
            ("OperationInfoConsTime", &self.operation_cons_time),
            ("OperationInfoAvailableTime", &self.operation_available_time),
            ("ReferenceNumber", &self.reference_number),
            ("ArbitraryIdentifier", &self.arbitrary_identifier),
        ];
        for (n, v) in tail {
            r.push_opt(n, v.clone());
        }
        r
    }
}

/// MessageBody of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultBody {
    pub processing_result_status: ProcessingResultStatus,
    pub processing_result_code: Option<String>,
    pub processing_result_message: Option<String>,
    pub qualification_validity: Option<QualificationValidity>,
    pub prescription_issue_select: Option<String>,
    pub search_echo: Option<SearchInfo>,
    pub results: Vec<QualificationResult>,
}

impl ResultBody {
    pub fn to_element(&self) -> Element {
        let mut b = Element::new(BODY);
        b.push_leaf(
            "ProcessingResultStatus",
            self.processing_result_status.code(),
        );
        b.push_opt("ProcessingResultCode", self.processing_result_code.clone());
        b.push_opt(
            "ProcessingResultMessage",
            self.processing_result_message.clone(),
        );
        b.push_opt(
            "QualificationValidity",
            self.qualification_validity.map(|v| v.code()),
        );
        b.push_opt(
            "PrescriptionIssueSelect",
            self.prescription_issue_select.clone(),
        );
        if let Some(s) = &self.search_echo {
            b.children.push(s.to_element());
        }
        if !self.results.is_empty() {
            let mut list = Element::new("ResultList");
            list.children
                .extend(self.results.iter().map(QualificationResult::to_element));
            b.children.push(list);
        }
        b
    }
}

/// OQSsiquc01res. A result with SegmentOfResult 9 has no body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleInquiryResponse {
    pub header: ResultHeader,
    pub body: Option<ResultBody>,
}

impl SingleInquiryResponse {
    pub fn to_element(&self) -> Element {
        let mut root = Element::new(ROOT).with(self.header.to_element());
        if let Some(b) = &self.body {
            root.children.push(b.to_element());
        }
        root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search() -> SearchInfo {
        SearchInfo {
            insurer_number: Some("06139000".into()),
            insured_card_symbol: Some("9000".into()),
            insured_identification_number: Some("10001".into()),
            insured_branch_number: Some("01".into()),
            birthdate: Some("19540326".into()),
            limit_application_certificate_related_cons_flg: Some("0".into()),
            arbitrary_identifier: None,
        }
    }

    fn kind(s: SearchInfo) -> ErrorKind {
        s.validate().expect_err("should be rejected").kind
    }

    #[test]
    fn insurer_number_padding_variants_are_equal() {
        let a = InsurerNumber::parse("139931").unwrap();
        assert_eq!(InsurerNumber::parse("  139931").unwrap(), a);
        assert_eq!(InsurerNumber::parse("00139931").unwrap(), a);
        assert_eq!(a.wire(), "  139931");
        assert_eq!(a.display(), "139931");
        assert_eq!(InsurerNumber::parse("06139000").unwrap().wire(), "06139000");
        assert!(InsurerNumber::parse("1234567").is_err());
        assert!(InsurerNumber::parse("０６１３９０００").is_err());
        assert!(InsurerNumber::parse("").is_err());
        assert!(InsurerNumber::parse("12374013")
            .unwrap()
            .is_public_assistance());
        assert!(InsurerNumber::parse("39110400").unwrap().is_late_elderly());
    }

    #[test]
    fn valid_search_passes_and_optional_fields_may_be_absent() {
        let v = search().validate().expect("valid");
        assert_eq!(v.branch.as_deref(), Some("01"));
        let mut s = search();
        s.insured_card_symbol = None;
        s.insured_branch_number = Some("".into());
        let v = s.validate().expect("valid without 記号/枝番");
        assert_eq!((v.symbol, v.branch), (None, None));
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut s = search();
        s.insurer_number = Some("6139000".into());
        assert_eq!(kind(s), ErrorKind::InsurerNumber);
        let mut s = search();
        s.insured_card_symbol = Some("あ".repeat(21));
        assert_eq!(kind(s), ErrorKind::InsuredCardSymbol);
        let mut s = search();
        s.insured_identification_number = None;
        assert_eq!(kind(s), ErrorKind::InsuredIdentificationNumber);
        let mut s = search();
        s.insured_branch_number = Some("1".into());
        assert_eq!(kind(s), ErrorKind::InsuredBranchNumber);
        let mut s = search();
        s.insured_branch_number = Some("０１".into());
        assert_eq!(kind(s), ErrorKind::InsuredBranchNumber);
        let mut s = search();
        s.birthdate = Some("19540230".into());
        assert_eq!(kind(s), ErrorKind::Birthdate);
        let mut s = search();
        s.limit_application_certificate_related_cons_flg = Some("2".into());
        assert_eq!(kind(s), ErrorKind::LimitConsentFlag);
        let mut s = search();
        s.arbitrary_identifier = Some("x".repeat(51));
        assert_eq!(kind(s), ErrorKind::ArbitraryIdentifier);
    }

    #[test]
    fn medical_assistance_input_rule() {
        let mut s = search();
        s.insurer_number = Some("12374013".into());
        assert_eq!(kind(s.clone()), ErrorKind::MedicalAssistanceSymbolOrBranch);
        s.insured_card_symbol = None;
        s.insured_branch_number = None;
        s.insured_identification_number = Some("99000281".into());
        assert_eq!(kind(s.clone()), ErrorKind::BeneficiaryNumber);
        s.insured_identification_number = Some("9900028".into());
        assert!(s.validate().is_ok());
    }

    #[test]
    fn header_rules() {
        let h = RequestHeader {
            medical_institution_code: Some("1234567890".into()),
            ..Default::default()
        };
        assert_eq!(h.validate().unwrap().confirmation_date, None);
        let h = RequestHeader {
            medical_institution_code: Some("123456789".into()),
            ..Default::default()
        };
        assert_eq!(
            h.validate().unwrap_err().kind,
            ErrorKind::MedicalInstitutionCode
        );
        let h = RequestHeader {
            medical_institution_code: Some("1234567890".into()),
            qualification_confirmation_date: Some("2021/01/06".into()),
            ..Default::default()
        };
        assert_eq!(h.validate().unwrap_err().kind, ErrorKind::ConfirmationDate);
        let h = RequestHeader {
            medical_institution_code: Some("1234567890".into()),
            character_code_identifier: Some("2".into()),
            ..Default::default()
        };
        assert_eq!(h.validate().unwrap_err().kind, ErrorKind::CharacterCode);
    }

    #[test]
    fn request_structure() {
        let req = SingleInquiryRequest {
            header: RequestHeader::default(),
            search: search(),
        };
        assert_eq!(
            SingleInquiryRequest::from_element(&req.to_element()).unwrap(),
            req
        );
        let wrong = Element::new("Other");
        assert!(SingleInquiryRequest::from_element(&wrong)
            .unwrap_err()
            .0
            .contains("<Other>"));
        let no_body = Element::new(ROOT).with(Element::new(HEADER));
        assert!(SingleInquiryRequest::from_element(&no_body)
            .unwrap_err()
            .0
            .contains("MessageBody"));
    }
}

#[cfg(test)]
mod date_tests {
    use super::{format_date, parse_date};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    proptest! {
        /// The hand-written `YYYYMMDD` reader and writer agree with chrono's strftime on any
        /// 8 digits (valid or not) and any date.
        #[test]
        fn yyyymmdd_matches_chrono(digits in "[0-9]{8}", days in 0i32..3_000_000) {
            let ours = parse_date(&digits).ok();
            let chrono = NaiveDate::parse_from_str(&digits, "%Y%m%d").ok();
            prop_assert_eq!(ours, chrono);
            let d = NaiveDate::from_num_days_from_ce_opt(days).expect("a date");
            prop_assert_eq!(format_date(d), d.format("%Y%m%d").to_string());
        }
    }

    #[test]
    fn calendar_edges() {
        assert!(parse_date("20210229").is_err());
        assert!(parse_date("20240229").is_ok());
        assert!(parse_date("20211301").is_err());
        assert!(parse_date("2021010").is_err());
        assert!(parse_date("２０２１０１０６").is_err());
        assert_eq!(
            parse_date(" 20210106 ").map(format_date).as_deref(),
            Ok("20210106")
        );
    }
}
