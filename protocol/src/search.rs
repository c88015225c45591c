//! QualificationConfirmSearchInfo: the card searched (保険者番号, 記号, 番号, 枝番, 生年月日, the
//! 限度額 consent), as received and echoed, and its input rules RULE-29..36. A single inquiry
//! holds one, a bulk inquiry one per row.

use crate::codes::ConsentFlag;
use crate::dom::Element;
use crate::errors::ErrorKind;
use crate::fields::{
    check_text, parse_date, trimmed, FieldError, InsurerNumber, MAX_IDENTIFIER_CHARS,
    MAX_SYMBOL_CHARS,
};
use crate::plain::Expected;
use crate::sink::{Sink, Tag, TreeSink};
use crate::tag;
use chrono::NaiveDate;

pub const SEARCH_INFO_TAG: Tag = tag!("QualificationConfirmSearchInfo");
pub const SEARCH_INFO: &str = SEARCH_INFO_TAG.name();

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

/// The fields in their element order.
pub(crate) const SEARCH_FIELDS: [&str; 7] = [
    "InsurerNumber",
    "InsuredCardSymbol",
    "InsuredIdentificationNumber",
    "InsuredBranchNumber",
    "Birthdate",
    "LimitApplicationCertificateRelatedConsFlg",
    "ArbitraryIdentifier",
];

impl SearchInfo {
    pub fn from_element(el: &Element) -> Self {
        let mut search = SearchInfo::default();
        for c in &el.children {
            search.take_field(&c.name, &c.text);
        }
        search
    }

    /// Takes a child's text when `name` is one of the search's fields and not set yet (the
    /// first of a name wins); other names are ignored.
    pub fn take_field(&mut self, name: &str, text: &str) {
        if let Some(i) = SEARCH_FIELDS.iter().position(|f| *f == name) {
            self.take_field_at(i, text);
        }
    }

    /// [`Self::take_field`] of the field `SEARCH_FIELDS[i]`.
    pub(crate) fn take_field_at(&mut self, i: usize, text: &str) {
        let slot = match i {
            0 => &mut self.insurer_number,
            1 => &mut self.insured_card_symbol,
            2 => &mut self.insured_identification_number,
            3 => &mut self.insured_branch_number,
            4 => &mut self.birthdate,
            5 => &mut self.limit_application_certificate_related_cons_flg,
            6 => &mut self.arbitrary_identifier,
            _ => return,
        };
        if slot.is_none() {
            *slot = Some(text.to_owned());
        }
    }

    /// A `<QualificationConfirmSearchInfo>` row of the usual request next in `e`, its fields in
    /// their order, each at most once ([`Expected`]); `false`: not so (the caller reads the
    /// document again with the plain scanner).
    pub(crate) fn read_expected(&mut self, e: &mut Expected<'_>) -> bool {
        e.fields(SEARCH_INFO, &SEARCH_FIELDS, |i, text| {
            self.take_field_at(i, text)
        })
    }

    /// The echo in a result: an empty input field is left out, as results have no empty
    /// elements.
    pub fn to_element(&self) -> Element {
        let mut t = TreeSink::new();
        self.emit(&mut t);
        t.finish()
    }

    /// The echo of the search; an empty field is left out.
    pub fn emit<S: Sink>(&self, s: &mut S) {
        fn present(v: &Option<String>) -> Option<&str> {
            v.as_deref().filter(|v| !v.is_empty())
        }
        // SEARCH_FIELDS's names, in its order (tested).
        s.element(SEARCH_INFO_TAG, |s| {
            s.opt(tag!("InsurerNumber"), present(&self.insurer_number));
            s.opt(
                tag!("InsuredCardSymbol"),
                present(&self.insured_card_symbol),
            );
            s.opt(
                tag!("InsuredIdentificationNumber"),
                present(&self.insured_identification_number),
            );
            s.opt(
                tag!("InsuredBranchNumber"),
                present(&self.insured_branch_number),
            );
            s.opt(tag!("Birthdate"), present(&self.birthdate));
            s.opt(
                tag!("LimitApplicationCertificateRelatedConsFlg"),
                present(&self.limit_application_certificate_related_cons_flg),
            );
            s.opt(
                tag!("ArbitraryIdentifier"),
                present(&self.arbitrary_identifier),
            );
        });
    }
}

/// A search that passed every input rule (its texts borrowed from the search as received).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidSearch<'a> {
    pub insurer_number: InsurerNumber,
    pub symbol: Option<&'a str>,
    pub number: &'a str,
    pub branch: Option<&'a str>,
    pub birthdate: NaiveDate,
    pub limit_consent: ConsentFlag,
    pub arbitrary_identifier: Option<&'a str>,
}

impl SearchInfo {
    /// RULE-29..36, in element order; the first broken rule is reported.
    pub fn validate(&self) -> Result<ValidSearch<'_>, FieldError> {
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
        let symbol = trimmed(&self.insured_card_symbol);
        if let Some(s) = symbol {
            check_text(s, MAX_SYMBOL_CHARS).map_err(|e| {
                FieldError::new(
                    ErrorKind::InsuredCardSymbol,
                    "MessageBody/QualificationConfirmSearchInfo/InsuredCardSymbol",
                    e,
                )
            })?;
        }
        const NUM: &str = "MessageBody/QualificationConfirmSearchInfo/InsuredIdentificationNumber";
        let number = trimmed(&self.insured_identification_number).ok_or_else(|| {
            FieldError::new(ErrorKind::InsuredIdentificationNumber, NUM, "missing")
        })?;
        check_text(number, MAX_SYMBOL_CHARS)
            .map_err(|e| FieldError::new(ErrorKind::InsuredIdentificationNumber, NUM, e))?;
        const BR: &str = "MessageBody/QualificationConfirmSearchInfo/InsuredBranchNumber";
        let branch = trimmed(&self.insured_branch_number);
        if let Some(b) = branch {
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
                Some(id)
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// 新橋 太郎's card, every field valid (shared with message's tests).
    pub(crate) fn search() -> SearchInfo {
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

    /// The echo writes the fields the reader takes, by the same names and in SEARCH_FIELDS's
    /// order; an empty field is left out.
    #[test]
    fn the_echo_writes_search_fields_in_order() {
        let mut s = SearchInfo::default();
        for (i, name) in SEARCH_FIELDS.iter().enumerate() {
            s.take_field(name, &format!("v{i}"));
        }
        let echo = s.to_element();
        assert_eq!(echo.name, SEARCH_INFO);
        let got: Vec<(&str, &str)> = echo
            .children
            .iter()
            .map(|c| (c.name.as_str(), c.text.as_str()))
            .collect();
        let texts: Vec<String> = (0..SEARCH_FIELDS.len()).map(|i| format!("v{i}")).collect();
        let want: Vec<(&str, &str)> = SEARCH_FIELDS
            .iter()
            .copied()
            .zip(texts.iter().map(String::as_str))
            .collect();
        assert_eq!(got, want);
        let mut s = search();
        s.insured_card_symbol = Some(String::new());
        assert!(s.to_element().child("InsuredCardSymbol").is_none());
    }

    fn kind(s: SearchInfo) -> ErrorKind {
        s.validate().expect_err("should be rejected").kind
    }

    #[test]
    fn valid_search_passes_and_optional_fields_may_be_absent() {
        let s = search();
        let v = s.validate().expect("valid");
        assert_eq!(v.branch, Some("01"));
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
}
