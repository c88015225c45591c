//! The message envelope and its header, read and written in one place: `XmlMsg` with
//! `MessageHeader` and `MessageBody`, the request header every request carries (single, bulk,
//! fetch, registration) and the fields every result header writes.

use crate::codes::{CharacterCode, SegmentOfResult};
use crate::dom::Element;
use crate::errors::ErrorKind;
use crate::fields::{
    check_text, parse_date, trimmed, FieldError, StructureError, MAX_IDENTIFIER_CHARS,
};
use crate::sink::{Sink, TreeSink};
use chrono::NaiveDate;

pub const ROOT: &str = "XmlMsg";
pub const HEADER: &str = "MessageHeader";
pub const BODY: &str = "MessageBody";

/// MessageHeader of a request, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestHeader {
    pub qualification_confirmation_date: Option<String>,
    pub medical_institution_code: Option<String>,
    pub arbitrary_file_identifier: Option<String>,
    /// Not in the public layout; honoured when present (it picks the result's encoding).
    pub character_code_identifier: Option<String>,
}

/// Header fields that passed their rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidHeader {
    pub confirmation_date: Option<NaiveDate>,
    pub medical_institution_code: String,
    pub arbitrary_file_identifier: Option<String>,
    pub character_code: Option<CharacterCode>,
}

impl RequestHeader {
    /// Reads MessageHeader of any request (the same fields for single and bulk requests).
    pub fn from_element(header: &Element) -> RequestHeader {
        let mut h = RequestHeader::default();
        for c in &header.children {
            h.take_field(&c.name, &c.text);
        }
        h
    }

    /// Takes a child's text when `name` is one of the header's fields and not set yet (the
    /// first of a name wins); other names are ignored.
    pub fn take_field(&mut self, name: &str, text: &str) {
        let slot = match name {
            "QualificationConfirmationDate" => &mut self.qualification_confirmation_date,
            "MedicalInstitutionCode" => &mut self.medical_institution_code,
            "ArbitraryFileIdentifier" => &mut self.arbitrary_file_identifier,
            "CharacterCodeIdentifier" => &mut self.character_code_identifier,
            _ => return,
        };
        if slot.is_none() {
            *slot = Some(text.to_owned());
        }
    }

    /// MessageHeader of a request, written back (clients and tests build requests with it).
    pub fn to_element(&self) -> Element {
        let mut header = Element::new(HEADER);
        header.push_opt(
            "QualificationConfirmationDate",
            self.qualification_confirmation_date.clone(),
        );
        header.push_opt(
            "MedicalInstitutionCode",
            self.medical_institution_code.clone(),
        );
        header.push_opt(
            "ArbitraryFileIdentifier",
            self.arbitrary_file_identifier.clone(),
        );
        header.push_opt(
            "CharacterCodeIdentifier",
            self.character_code_identifier.clone(),
        );
        header
    }

    /// A request with this header and `body` (its children).
    pub fn document(&self, body: Element) -> Element {
        Element::new(ROOT).with(self.to_element()).with(body)
    }
}

/// The elements of an inquiry request in their usual order (the header's fields as
/// [`RequestHeader::to_element`] writes them, then a `SearchInfo` row's): what
/// [`scan_plain_request`] expects to meet.
const USUAL_NAMES: [&str; 15] = {
    let f = crate::search::SEARCH_FIELDS;
    [
        ROOT,
        HEADER,
        "QualificationConfirmationDate",
        "MedicalInstitutionCode",
        "ArbitraryFileIdentifier",
        "CharacterCodeIdentifier",
        BODY,
        crate::search::SEARCH_INFO,
        f[0],
        f[1],
        f[2],
        f[3],
        f[4],
        f[5],
        f[6],
    ]
};

/// A `SearchInfo` row of a plain request's body, as [`scan_plain_request`] meets it.
pub(crate) enum PlainRow<'a> {
    /// A row starts (answer `false` to decline the document: a row too many).
    Start,
    /// A field of the row that started last: name and text.
    Field(&'a str, &'a str),
}

/// Scans a plain inquiry request ([`crate::plain`], up to `max_elements` elements) without a
/// tree: `XmlMsg` with one `MessageHeader`, its fields taken into `header`, and one
/// `MessageBody` of `SearchInfo` rows, told to `row`. `None` when the document is not plain or
/// not of this shape (a part missing or repeated, another element beside them). The single and
/// the bulk inquiry read through it (`SingleInquiryRequest::read_plain`,
/// `BulkInquiryRequest::read_plain`).
pub(crate) fn scan_plain_request<'a>(
    bytes: &'a [u8],
    max_elements: usize,
    header: &mut RequestHeader,
    mut row: impl FnMut(PlainRow<'a>) -> bool,
) -> Option<()> {
    use crate::plain::{scan_up_to, Token};
    use crate::search::SEARCH_INFO;
    #[derive(PartialEq)]
    enum In {
        Root,
        Header,
        Body,
        Row,
    }
    let (mut has_header, mut has_body) = (false, false);
    let mut at = In::Root;
    scan_up_to(bytes, max_elements, &USUAL_NAMES, |token| match token {
        Token::Open { name, depth: 1 } => name == ROOT,
        Token::Open { name, depth: 2 } if name == HEADER && !has_header => {
            has_header = true;
            at = In::Header;
            true
        }
        Token::Leaf { name, depth: 2, .. } if name == HEADER && !has_header => {
            has_header = true;
            true
        }
        Token::Open { name, depth: 2 } if name == BODY && !has_body => {
            has_body = true;
            at = In::Body;
            true
        }
        Token::Leaf {
            name,
            text,
            depth: 3,
        } if at == In::Header => {
            header.take_field(name, text);
            true
        }
        Token::Open { name, depth: 3 } if at == In::Body && name == SEARCH_INFO => {
            at = In::Row;
            row(PlainRow::Start)
        }
        // A row without fields (its text, if any, is not a field).
        Token::Leaf { name, depth: 3, .. } if at == In::Body && name == SEARCH_INFO => {
            row(PlainRow::Start)
        }
        Token::Leaf {
            name,
            text,
            depth: 4,
        } if at == In::Row => row(PlainRow::Field(name, text)),
        Token::Close { depth: 1 } => true,
        Token::Close { depth: 2 } => {
            at = In::Root;
            true
        }
        Token::Close { depth: 3 } if at == In::Row => {
            at = In::Body;
            true
        }
        _ => false,
    })?;
    (has_header && has_body).then_some(())
}

/// `XmlMsg` with `MessageHeader` and `MessageBody`, or why not.
pub fn header_and_body(root: &Element) -> Result<(&Element, &Element), StructureError> {
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
    Ok((header, body))
}

/// The header fields of a request whose header could be found, for echoing in an answer.
pub fn header_of(root: &Element) -> RequestHeader {
    root.child(HEADER)
        .map(RequestHeader::from_element)
        .unwrap_or_default()
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

/// The fields every result header writes (single inquiry, bulk submit and fetch, registration),
/// in the interface's order.
pub(crate) struct ResultHeaderFields<'a> {
    pub process_execution_time: &'a str,
    pub qualification_confirmation_date: Option<&'a str>,
    pub medical_institution_code: Option<&'a str>,
    pub arbitrary_file_identifier: Option<&'a str>,
    pub segment_of_result: SegmentOfResult,
    pub error_code: Option<&'a str>,
    pub error_message: Option<&'a str>,
    pub character_code: CharacterCode,
}

impl ResultHeaderFields<'_> {
    pub(crate) fn to_element(&self, between: impl FnOnce(&mut Element)) -> Element {
        let mut t = TreeSink::new();
        self.emit(&mut t, |t| {
            if let Some(h) = t.current() {
                between(h);
            }
        });
        t.finish()
    }

    /// The header's elements; `between` writes what a message adds before SegmentOfResult.
    pub(crate) fn emit<S: Sink>(&self, h: &mut S, between: impl FnOnce(&mut S)) {
        fn present(v: Option<&str>) -> Option<&str> {
            v.filter(|s| !s.is_empty())
        }
        h.open(HEADER);
        h.leaf("ProcessExecutionTime", self.process_execution_time);
        h.opt(
            "QualificationConfirmationDate",
            present(self.qualification_confirmation_date),
        );
        h.opt(
            "MedicalInstitutionCode",
            present(self.medical_institution_code),
        );
        h.opt(
            "ArbitraryFileIdentifier",
            present(self.arbitrary_file_identifier),
        );
        between(h);
        h.leaf("SegmentOfResult", self.segment_of_result.code());
        h.opt("ErrorCode", present(self.error_code));
        h.opt("ErrorMessage", present(self.error_message));
        h.leaf("CharacterCodeIdentifier", self.character_code.code());
        h.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_usual_names_are_simple_and_each_once() {
        for (i, name) in USUAL_NAMES.iter().enumerate() {
            assert!(crate::plain::is_simple_name(name), "{name}");
            assert!(!USUAL_NAMES[..i].contains(name), "{name}");
        }
        let mut h = RequestHeader::default();
        for name in &USUAL_NAMES[2..6] {
            h.take_field(name, "x");
        }
        assert_eq!(
            h.to_element()
                .children
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>(),
            USUAL_NAMES[2..6]
        );
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
}
