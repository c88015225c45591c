//! Bulk messages (interface.md §3): the 資格情報一括照会 (JOB-01, OQSmuquc01/02) and the parts every
//! bulk job shares: the submit answer (受付番号, 受付日時), the fetch request and the header of a
//! fetched result (SegmentOfResult 2 while processing, 1 done, 9 failed, and the three counts).

use crate::codes::{CharacterCode, ProcessingResultStatus, QualificationValidity, SegmentOfResult};
use crate::dom::Element;
use crate::fields::StructureError;
use crate::header::{
    header_and_body, scan_plain_request, PlainRow, RequestHeader, ResultHeaderFields, BODY, ROOT,
};
use crate::message::QualificationResult;
use crate::plain;
use crate::search::{SearchInfo, SEARCH_INFO};
use crate::sink::{Sink, Tag, TreeSink};
use crate::tag;
use crate::xml::ReadLimits;

/// The unit of a JOB-01 result.
pub const BULK_CONFIRM_UNIT_TAG: Tag = tag!("BulkConfirmUnit");
pub const BULK_CONFIRM_UNIT: &str = BULK_CONFIRM_UNIT_TAG.name();

/// OQSmuquc01req: a header and one QualificationConfirmSearchInfo per row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkInquiryRequest {
    pub header: RequestHeader,
    pub rows: Vec<SearchInfo>,
}

impl BulkInquiryRequest {
    pub fn from_element(root: &Element) -> Result<Self, StructureError> {
        let (header, body) = header_and_body(root)?;
        let rows: Vec<SearchInfo> = body
            .children_named(SEARCH_INFO)
            .map(SearchInfo::from_element)
            .collect();
        if rows.is_empty() {
            return Err(StructureError(format!(
                "<{BODY}> has no <{SEARCH_INFO}>; a bulk inquiry needs at least one row"
            )));
        }
        if let Some(other) = body.children.iter().find(|c| c.name != SEARCH_INFO) {
            return Err(StructureError(format!(
                "<{BODY}> holds <{}>; a bulk inquiry holds only <{SEARCH_INFO}>",
                other.name
            )));
        }
        Ok(BulkInquiryRequest {
            header: RequestHeader::from_element(header),
            rows,
        })
    }

    /// Reads a plain OQSmuquc01req ([`crate::plain`], with up to `limits.max_elements`
    /// elements) without building a tree. `None` when the document is not plain, over a limit
    /// or not of this shape (a part missing or repeated, another element beside them, no row):
    /// then `xml::read_document` and [`Self::from_element`] read it and give the errors.
    /// Whatever this reads, they read alike (the same request, encoding UTF-8).
    pub fn read_plain(bytes: &[u8], limits: ReadLimits) -> Option<Self> {
        if bytes.len() > limits.max_bytes || limits.max_depth < plain::MAX_DEPTH {
            return None;
        }
        let mut req = BulkInquiryRequest::default();
        let rows = &mut req.rows;
        let text = std::str::from_utf8(bytes).ok()?;
        scan_plain_request(text, limits.max_elements, &mut req.header, |event| {
            match event {
                PlainRow::Start => rows.push(SearchInfo::default()),
                PlainRow::Field(i, text) => match rows.last_mut() {
                    Some(row) => row.take_field_at(i, text),
                    None => return false,
                },
            }
            true
        })?;
        (!req.rows.is_empty()).then_some(req)
    }

    pub fn to_element(&self) -> Element {
        let mut body = Element::new(BODY);
        body.children
            .extend(self.rows.iter().map(SearchInfo::to_element));
        self.header.document(body)
    }
}

/// OQSmuquc02req / OQSmuimm02req: which job's result to fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchRequest {
    pub header: RequestHeader,
    /// 受付番号 as written.
    pub reception_number: Option<String>,
}

impl FetchRequest {
    pub fn from_element(root: &Element) -> Result<Self, StructureError> {
        let (header, body) = header_and_body(root)?;
        Ok(FetchRequest {
            header: RequestHeader::from_element(header),
            reception_number: body
                .child_text("ReceptionNumber")
                .map(|s| s.trim().to_owned()),
        })
    }

    pub fn to_element(&self) -> Element {
        let mut body = Element::new(BODY);
        body.push_opt("ReceptionNumber", self.reception_number.clone());
        self.header.document(body)
    }
}

/// OQSmuquc01res / OQSmuimm01res: the job was accepted under a 受付番号.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitResponse {
    /// `YYYYMMDDHHmmss`.
    pub process_execution_time: String,
    pub medical_institution_code: Option<String>,
    pub arbitrary_file_identifier: Option<String>,
    pub segment_of_result: SegmentOfResult,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub character_code: CharacterCode,
    /// 受付番号 (`yyyymmddhhmmssSSS_<suffix>`); absent when not accepted.
    pub reception_number: Option<String>,
    /// 受付日時 `YYYYMMDDHHmmss`.
    pub reception_date_time: Option<String>,
}

impl SubmitResponse {
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
        if let Some(n) = &self.reception_number {
            let mut b = Element::new(BODY);
            b.push_leaf("ReceptionNumber", n);
            b.push_opt("ReceptionDateTime", self.reception_date_time.clone());
            root.children.push(b);
        }
        root
    }
}

/// MessageHeader of OQSmuquc02res / OQSmuimm02res.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkResultHeader {
    pub process_execution_time: String,
    pub qualification_confirmation_date: Option<String>,
    pub medical_institution_code: Option<String>,
    pub arbitrary_file_identifier: Option<String>,
    pub reception_number: Option<String>,
    /// 1 done, 2 still processing (poll again), 9 failed.
    pub segment_of_result: SegmentOfResult,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub character_code: CharacterCode,
    pub number_of_processing_result: Option<usize>,
    pub number_of_normal_processing: Option<usize>,
    pub number_of_error: Option<usize>,
}

impl BulkResultHeader {
    pub fn to_element(&self) -> Element {
        let mut h = ResultHeaderFields {
            process_execution_time: &self.process_execution_time,
            qualification_confirmation_date: self.qualification_confirmation_date.as_deref(),
            medical_institution_code: self.medical_institution_code.as_deref(),
            arbitrary_file_identifier: self.arbitrary_file_identifier.as_deref(),
            segment_of_result: self.segment_of_result,
            error_code: self.error_code.as_deref(),
            error_message: self.error_message.as_deref(),
            character_code: self.character_code,
        }
        .to_element(|h| h.push_opt("ReceptionNumber", self.reception_number.clone()));
        h.push_opt(
            "NumberOfProcessingResult",
            self.number_of_processing_result.map(|n| n.to_string()),
        );
        h.push_opt(
            "NumberOfNormalProcessing",
            self.number_of_normal_processing.map(|n| n.to_string()),
        );
        h.push_opt("NumberOfError", self.number_of_error.map(|n| n.to_string()));
        h
    }

    /// The whole result message: this header and, when there are units, a body holding them.
    pub fn to_document(&self, units: Vec<Element>) -> Element {
        let mut root = Element::new(ROOT).with(self.to_element());
        if !units.is_empty() {
            let mut b = Element::new(BODY);
            b.children = units;
            root.children.push(b);
        }
        root
    }
}

/// One row of a JOB-01 result: the row as sent and its answer, judged like a single inquiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkConfirmUnit {
    pub search: SearchInfo,
    pub processing_result_status: ProcessingResultStatus,
    pub processing_result_code: Option<String>,
    pub processing_result_message: Option<String>,
    pub qualification_validity: Option<QualificationValidity>,
    /// One per matched qualification (several for 複数該当).
    pub results: Vec<QualificationResult>,
    /// The facility's 照会番号 of the matched qualification, when exactly one matched.
    pub reference_number: Option<String>,
}

impl BulkConfirmUnit {
    /// Whether the row needs a look (照会完了（要確認）): an input error, or anything but 有効.
    pub fn needs_check(&self) -> bool {
        self.processing_result_status != ProcessingResultStatus::Normal
            || self.qualification_validity != Some(QualificationValidity::Valid)
    }

    pub fn to_element(&self) -> Element {
        let mut t = TreeSink::new();
        self.emit(&mut t);
        t.finish()
    }

    pub fn emit<S: Sink>(&self, u: &mut S) {
        u.element(BULK_CONFIRM_UNIT_TAG, |u| {
            self.search.emit(u);
            crate::message::emit_outcome(
                u,
                self.processing_result_status,
                self.processing_result_code.as_deref(),
                self.processing_result_message.as_deref(),
                self.qualification_validity,
            );
            for r in &self.results {
                r.emit(u);
            }
            u.opt(tag!("ReferenceNumber"), self.reference_number.as_deref());
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: &str) -> SearchInfo {
        SearchInfo {
            insurer_number: Some("06139000".into()),
            insured_identification_number: Some(n.into()),
            birthdate: Some("19540326".into()),
            limit_application_certificate_related_cons_flg: Some("0".into()),
            ..SearchInfo::default()
        }
    }

    #[test]
    fn bulk_request_round_trip_and_structure_errors() {
        let req = BulkInquiryRequest {
            header: RequestHeader {
                medical_institution_code: Some("1234567890".into()),
                ..RequestHeader::default()
            },
            rows: vec![row("1"), row("2")],
        };
        assert_eq!(
            BulkInquiryRequest::from_element(&req.to_element()).unwrap(),
            req
        );
        let empty = BulkInquiryRequest {
            rows: vec![],
            ..req.clone()
        };
        assert!(BulkInquiryRequest::from_element(&empty.to_element())
            .unwrap_err()
            .0
            .contains("at least one row"));
        let mut stray = req.to_element();
        stray.children[1].children.push(Element::leaf("Other", "x"));
        assert!(BulkInquiryRequest::from_element(&stray)
            .unwrap_err()
            .0
            .contains("<Other>"));
        assert!(BulkInquiryRequest::from_element(&Element::new("X")).is_err());
    }

    #[test]
    fn fetch_request_reads_the_reception_number() {
        let f = FetchRequest {
            header: RequestHeader::default(),
            reception_number: Some("20210106193739084_0001".into()),
        };
        assert_eq!(FetchRequest::from_element(&f.to_element()).unwrap(), f);
    }

    #[test]
    fn needs_check_is_anything_but_a_valid_row() {
        let mut u = BulkConfirmUnit {
            search: row("1"),
            processing_result_status: ProcessingResultStatus::Normal,
            processing_result_code: None,
            processing_result_message: None,
            qualification_validity: Some(QualificationValidity::Valid),
            results: vec![],
            reference_number: None,
        };
        assert!(!u.needs_check());
        u.qualification_validity = Some(QualificationValidity::NotFound);
        assert!(u.needs_check());
        u.qualification_validity = None;
        u.processing_result_status = ProcessingResultStatus::Error;
        assert!(u.needs_check());
    }
}
