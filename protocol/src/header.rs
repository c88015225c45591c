//! The message envelope and its header, read and written in one place: `XmlMsg` with
//! `MessageHeader` and `MessageBody`, the request header every request carries (single, bulk,
//! fetch, registration) and the fields every result header writes.

use crate::codes::{CharacterCode, SegmentOfResult};
use crate::dom::Element;
use crate::errors::ErrorKind;
use crate::fields::{
    check_text, parse_date, trimmed, FieldError, StructureError, MAX_IDENTIFIER_CHARS,
};
use crate::plain::Expected;
use crate::sink::{Sink, Tag, TreeSink};
use crate::tag;
use chrono::NaiveDate;

pub const ROOT_TAG: Tag = tag!("XmlMsg");
pub const HEADER_TAG: Tag = tag!("MessageHeader");
pub const BODY_TAG: Tag = tag!("MessageBody");
pub const ROOT: &str = ROOT_TAG.name();
pub const HEADER: &str = HEADER_TAG.name();
pub const BODY: &str = BODY_TAG.name();

/// MessageHeader of a request, as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestHeader {
    pub qualification_confirmation_date: Option<String>,
    pub medical_institution_code: Option<String>,
    pub arbitrary_file_identifier: Option<String>,
    /// Not in the public layout; honoured when present (it picks the result's encoding).
    pub character_code_identifier: Option<String>,
}

/// The fields of a request's MessageHeader, in their element order.
const REQUEST_HEADER_FIELDS: [&str; 4] = [
    "QualificationConfirmationDate",
    "MedicalInstitutionCode",
    "ArbitraryFileIdentifier",
    "CharacterCodeIdentifier",
];

/// Header fields that passed their rules (texts borrowed from the header as received).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidHeader<'a> {
    pub confirmation_date: Option<NaiveDate>,
    pub medical_institution_code: &'a str,
    pub arbitrary_file_identifier: Option<&'a str>,
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
        if let Some(i) = REQUEST_HEADER_FIELDS.iter().position(|f| *f == name) {
            self.take_field_at(i, text);
        }
    }

    /// [`Self::take_field`] of the field `REQUEST_HEADER_FIELDS[i]`.
    fn take_field_at(&mut self, i: usize, text: &str) {
        let slot = match i {
            0 => &mut self.qualification_confirmation_date,
            1 => &mut self.medical_institution_code,
            2 => &mut self.arbitrary_file_identifier,
            3 => &mut self.character_code_identifier,
            _ => return,
        };
        if slot.is_none() {
            *slot = Some(text.to_owned());
        }
    }

    /// `<MessageHeader>` of the usual request next in `e`, its fields in their order, each at
    /// most once ([`Expected`]); `false`: not so (the caller reads the document again with
    /// [`scan_plain_request`]).
    pub(crate) fn read_expected(&mut self, e: &mut Expected<'_>) -> bool {
        e.fields(HEADER, &REQUEST_HEADER_FIELDS, |i, text| {
            self.take_field_at(i, text)
        })
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
/// [`scan_plain_request`] expects to meet, and tells apart by their index here.
const USUAL_NAMES: [&str; 15] = {
    let (h, f) = (REQUEST_HEADER_FIELDS, crate::search::SEARCH_FIELDS);
    [
        ROOT,
        HEADER,
        h[0],
        h[1],
        h[2],
        h[3],
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

/// Where [`USUAL_NAMES`] has the root, the header, the header's first field, the body, a row
/// and a row's first field.
const AT_ROOT: usize = 0;
const AT_HEADER: usize = 1;
const AT_HEADER_FIELDS: usize = 2;
const AT_BODY: usize = 6;
const AT_ROW: usize = 7;
const AT_ROW_FIELDS: usize = 8;

/// A `SearchInfo` row of a plain request's body, as [`scan_plain_request`] meets it.
pub(crate) enum PlainRow<'a> {
    /// A row starts (answer `false` to decline the document: a row too many).
    Start,
    /// A field of the row that started last: its index in `search::SEARCH_FIELDS` and its
    /// text (children of other names are not told).
    Field(usize, &'a str),
}

/// Scans a plain inquiry request ([`crate::plain`], up to `max_elements` elements; `text`: the
/// document's bytes, checked as UTF-8) without a tree: `XmlMsg` with one `MessageHeader`, its fields taken into `header`, and one
/// `MessageBody` of `SearchInfo` rows, told to `row`. `None` when the document is not plain or
/// not of this shape (a part missing or repeated, another element beside them). The single and
/// the bulk inquiry read through it (`SingleInquiryRequest::read_plain`,
/// `BulkInquiryRequest::read_plain`).
pub(crate) fn scan_plain_request<'a>(
    text: &'a str,
    max_elements: usize,
    header: &mut RequestHeader,
    mut row: impl FnMut(PlainRow<'a>) -> bool,
) -> Option<()> {
    use crate::plain::{scan_text_up_to, Token};
    #[derive(PartialEq)]
    enum In {
        Root,
        Header,
        Body,
        Row,
    }
    const HEADER_FIELDS: std::ops::Range<usize> =
        AT_HEADER_FIELDS..AT_HEADER_FIELDS + REQUEST_HEADER_FIELDS.len();
    const ROW_FIELDS: std::ops::Range<usize> =
        AT_ROW_FIELDS..AT_ROW_FIELDS + crate::search::SEARCH_FIELDS.len();
    let (mut has_header, mut has_body) = (false, false);
    let mut at = In::Root;
    // Names told apart by their index in USUAL_NAMES (`usual`: Some exactly for those names).
    scan_text_up_to(text, max_elements, &USUAL_NAMES, |token| match token {
        Token::Open {
            usual: Some(AT_ROOT),
            depth: 1,
            ..
        } => true,
        Token::Open {
            usual: Some(AT_HEADER),
            depth: 2,
            ..
        } if !has_header => {
            has_header = true;
            at = In::Header;
            true
        }
        Token::Leaf {
            usual: Some(AT_HEADER),
            depth: 2,
            ..
        } if !has_header => {
            has_header = true;
            true
        }
        Token::Open {
            usual: Some(AT_BODY),
            depth: 2,
            ..
        } if !has_body => {
            has_body = true;
            at = In::Body;
            true
        }
        Token::Leaf {
            usual,
            text,
            depth: 3,
            ..
        } if at == In::Header => {
            if let Some(i) = usual.filter(|i| HEADER_FIELDS.contains(i)) {
                header.take_field_at(i - AT_HEADER_FIELDS, text);
            }
            true
        }
        Token::Open {
            usual: Some(AT_ROW),
            depth: 3,
            ..
        } if at == In::Body => {
            at = In::Row;
            row(PlainRow::Start)
        }
        // A row without fields (its text, if any, is not a field).
        Token::Leaf {
            usual: Some(AT_ROW),
            depth: 3,
            ..
        } if at == In::Body => row(PlainRow::Start),
        Token::Leaf {
            usual,
            text,
            depth: 4,
            ..
        } if at == In::Row => match usual.filter(|i| ROW_FIELDS.contains(i)) {
            Some(i) => row(PlainRow::Field(i - AT_ROW_FIELDS, text)),
            None => true,
        },
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
    pub fn validate(&self) -> Result<ValidHeader<'_>, FieldError> {
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
                Some(id)
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
            medical_institution_code: code,
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
        h.element(HEADER_TAG, |h| {
            h.leaf(tag!("ProcessExecutionTime"), self.process_execution_time);
            h.opt(
                tag!("QualificationConfirmationDate"),
                present(self.qualification_confirmation_date),
            );
            h.opt(
                tag!("MedicalInstitutionCode"),
                present(self.medical_institution_code),
            );
            h.opt(
                tag!("ArbitraryFileIdentifier"),
                present(self.arbitrary_file_identifier),
            );
            between(h);
            h.code(tag!("SegmentOfResult"), self.segment_of_result);
            h.opt(tag!("ErrorCode"), present(self.error_code));
            h.opt(tag!("ErrorMessage"), present(self.error_message));
            h.code(tag!("CharacterCodeIdentifier"), self.character_code);
        });
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
