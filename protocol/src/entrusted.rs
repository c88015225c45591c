//! OQSmutic01req: 委託先資格情報一括取得 (JOB-04, ch.6 §2): the facility asks for the 医療券・調剤券
//! entrusted to it for one 診療年月. Layout as a public client writes it: header
//! `MedicalInstitutionCode`, `ArbitraryFileIdentifier`; body
//! `QualificationConfirmSearchInfo/MedicalTreatmentMonth` (`YYYYMM`). The fetch (OQSmutic02req,
//! `ReceptionNumber`) is [`crate::bulk::FetchRequest`].
//!
//! `OutputFileFormat` (`XML` / `CSV`, SCR-29 「出力ファイル形式」) is the simulator's own element:
//! the manual chooses the format on the screen and no public message carries it.

use crate::dom::Element;
use crate::errors::ErrorKind;
use crate::fields::{FieldError, StructureError};
use crate::header::{header_and_body, RequestHeader, BODY};
use crate::search::SEARCH_INFO;

const MONTH: &str = "MedicalTreatmentMonth";
/// The simulator's own element for SCR-29's 「出力ファイル形式」.
pub const OUTPUT_FORMAT: &str = "OutputFileFormat";

/// SCR-29 「出力ファイル形式」.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    Xml,
    Csv,
}

impl OutputFormat {
    pub fn label(self) -> &'static str {
        match self {
            OutputFormat::Xml => "XML",
            OutputFormat::Csv => "CSV",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "XML" | "xml" => Some(OutputFormat::Xml),
            "CSV" | "csv" => Some(OutputFormat::Csv),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntrustedRequest {
    pub header: RequestHeader,
    /// 診療年月 as written.
    pub month: Option<String>,
    /// 出力ファイル形式 as written (the simulator's own element).
    pub format: Option<String>,
}

impl EntrustedRequest {
    pub fn from_element(root: &Element) -> Result<Self, StructureError> {
        let (header, body) = header_and_body(root)?;
        let search = body
            .child(SEARCH_INFO)
            .ok_or_else(|| StructureError(format!("<{BODY}/{SEARCH_INFO}> is missing")))?;
        Ok(EntrustedRequest {
            header: RequestHeader::from_element(header),
            month: search.child_text(MONTH).map(str::to_owned),
            format: search.child_text(OUTPUT_FORMAT).map(str::to_owned),
        })
    }

    pub fn to_element(&self) -> Element {
        let mut search = Element::new(SEARCH_INFO);
        search.push_opt(MONTH, self.month.clone());
        search.push_opt(OUTPUT_FORMAT, self.format.clone());
        self.header.document(Element::new(BODY).with(search))
    }

    /// 診療年月 as (year, month): `YYYYMM`, month 01–12.
    pub fn valid_month(&self) -> Result<(i32, u32), FieldError> {
        const PATH: &str = "MessageBody/QualificationConfirmSearchInfo/MedicalTreatmentMonth";
        let bad = |why: String| FieldError::new(ErrorKind::MedicalTreatmentMonth, PATH, why);
        let m = self
            .month
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .ok_or_else(|| bad("missing".into()))?;
        if m.len() != 6 || !m.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!("\"{m}\" is not YYYYMM")));
        }
        let year: i32 = m[..4].parse().map_err(|_| bad(format!("\"{m}\"")))?;
        let month: u32 = m[4..].parse().map_err(|_| bad(format!("\"{m}\"")))?;
        if !(1..=12).contains(&month) || year < 1 {
            return Err(bad(format!("\"{m}\" has no month {month}")));
        }
        Ok((year, month))
    }

    /// 出力ファイル形式: XML unless `CSV` is asked for.
    pub fn output_format(&self) -> Result<OutputFormat, FieldError> {
        match self.format.as_deref().map(str::trim) {
            None | Some("") => Ok(OutputFormat::Xml),
            Some(f) => OutputFormat::parse(f).ok_or_else(|| {
                FieldError::new(
                    ErrorKind::MedicalTreatmentMonth,
                    "MessageBody/QualificationConfirmSearchInfo/OutputFileFormat",
                    format!("\"{f}\" is not XML or CSV"),
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(month: Option<&str>, format: Option<&str>) -> EntrustedRequest {
        EntrustedRequest {
            header: RequestHeader::default(),
            month: month.map(str::to_owned),
            format: format.map(str::to_owned),
        }
    }

    #[test]
    fn month_and_format_rules() {
        assert_eq!(req(Some("202309"), None).valid_month(), Ok((2023, 9)));
        for bad in [
            None,
            Some(""),
            Some("2023-09"),
            Some("202313"),
            Some("20239"),
        ] {
            let e = req(bad, None).valid_month().expect_err("refused");
            assert_eq!(e.kind, ErrorKind::MedicalTreatmentMonth, "{bad:?}");
        }
        assert_eq!(req(None, None).output_format(), Ok(OutputFormat::Xml));
        assert_eq!(
            req(None, Some("CSV")).output_format(),
            Ok(OutputFormat::Csv)
        );
        assert!(req(None, Some("PDF")).output_format().is_err());
    }

    #[test]
    fn round_trips_through_the_tree() {
        let r = req(Some("202309"), Some("CSV"));
        assert_eq!(EntrustedRequest::from_element(&r.to_element()), Ok(r));
        let no_search = Element::new("XmlMsg")
            .with(Element::new("MessageHeader"))
            .with(Element::new(BODY));
        assert!(EntrustedRequest::from_element(&no_search).is_err());
    }
}
