//! A submitted bulk file turned into work: read, checked for shape and header, or failed with
//! the manual's cause (XML構造エラー, ヘッダー項目エラー, 処理上限エラー).

use super::settings::JobSettings;
use super::status::{Failure, JobKind};
use oqs_protocol::codes::CharacterCode;
use oqs_protocol::errors::ErrorKind;
use oqs_protocol::registration::BulkRegistrationRequest;
use oqs_protocol::xml::{self, ReadError};
use oqs_protocol::{Element, TextEncoding};

/// What a JOB-04 worker does: the 診療年月 (its first day) and the 出力ファイル形式.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntrustedWork {
    pub(crate) month: chrono::NaiveDate,
    pub(crate) format: oqs_protocol::entrusted::OutputFormat,
}

/// What a worker has to do for a job (kept in memory; rebuilt from the stored request on start).
#[derive(Debug)]
pub(crate) enum Work {
    Inquiry(oqs_protocol::bulk::BulkInquiryRequest),
    Registration(BulkRegistrationRequest),
    /// JOB-05: the pharmacy's stored results of a period.
    Dispensing(super::job::Period),
    /// JOB-04: 診療年月 and 出力ファイル形式.
    Entrusted(EntrustedWork),
    /// JOB-03: the consents of the facility in the conditions' ranges.
    Consented(oqs_protocol::visiting_bulk::ConsentedBulkConditions),
    Fail {
        failure: Failure,
        kind: ErrorKind,
        detail: String,
    },
}

/// What was submitted.
pub enum Submitted<'a> {
    /// A readable document (raw bytes when they came over a byte transport).
    Tree {
        root: &'a Element,
        encoding: TextEncoding,
        raw: Option<&'a [u8]>,
    },
    /// Bytes that are not a readable XML document.
    Unreadable { error: ReadError, raw: &'a [u8] },
    /// A JOB-01 file read without a tree (UTF-8; `BulkInquiryRequest::read_plain`), with its
    /// bytes: the same request the tree gives.
    Inquiry {
        request: oqs_protocol::bulk::BulkInquiryRequest,
        raw: &'a [u8],
    },
}

/// The owner facility of a request: its 医療機関コード as written (trimmed, at most 20 chars).
pub(super) fn owner_of(h: &oqs_protocol::message::RequestHeader) -> String {
    h.medical_institution_code
        .as_deref()
        .map(|c| c.trim().chars().take(20).collect())
        .unwrap_or_default()
}

/// The failure a document that cannot be read leads to.
pub(super) fn failure_of_read_error(e: &ReadError) -> (Failure, ErrorKind) {
    match e {
        ReadError::TooLarge { .. } => (Failure::Limit, ErrorKind::BodyTooLarge),
        ReadError::TooManyElements(_) => (Failure::Limit, ErrorKind::BulkRowLimit),
        ReadError::UnsupportedEncoding(_) | ReadError::InvalidBytes(_) => {
            (Failure::XmlStructure, ErrorKind::Encoding)
        }
        _ => (Failure::XmlStructure, ErrorKind::XmlStructure),
    }
}

/// Reads stored request bytes again (after a restart).
pub(super) fn prepare_bytes(
    kind: JobKind,
    bytes: &[u8],
    settings: &JobSettings,
) -> (oqs_protocol::message::RequestHeader, TextEncoding, Work) {
    match xml::read_document(bytes, settings.read_limits()) {
        Ok(doc) => prepare_tree(kind, &doc.root, doc.encoding, settings),
        Err(e) => {
            let (failure, ek) = failure_of_read_error(&e);
            (
                Default::default(),
                TextEncoding::Utf8,
                Work::Fail {
                    failure,
                    kind: ek,
                    detail: e.to_string(),
                },
            )
        }
    }
}

/// Checks a bulk document in the order of the failure causes: structure (XML構造エラー),
/// header (ヘッダー項目エラー), row count (処理上限エラー).
pub(super) fn prepare_tree(
    kind: JobKind,
    root: &Element,
    encoding: TextEncoding,
    settings: &JobSettings,
) -> (oqs_protocol::message::RequestHeader, TextEncoding, Work) {
    let header = oqs_protocol::header::header_of(root);
    let parsed = match kind {
        JobKind::BulkInquiry => {
            oqs_protocol::bulk::BulkInquiryRequest::from_element(root).map(Work::Inquiry)
        }
        JobKind::BulkRegistration => {
            BulkRegistrationRequest::from_element(root).map(Work::Registration)
        }
        JobKind::StoredDispensing => dispensing_work(root),
        JobKind::Entrusted => {
            oqs_protocol::entrusted::EntrustedRequest::from_element(root).map(entrusted_work)
        }
        JobKind::VisitingBulk | JobKind::OnlineBulk => {
            match oqs_protocol::visiting_bulk::ConsentedBulkRequest::from_element(root) {
                Err(e) => Err(e),
                Ok(r) => match (kind.care_kind(), header.validate()) {
                    // The header's own rules first, as for JOB-01.
                    (_, Err(e)) => Ok(Work::Fail {
                        failure: Failure::Header,
                        kind: e.kind,
                        detail: e.to_string(),
                    }),
                    (Some(care), Ok(_)) => Ok(match r.validate(care) {
                        Ok(c) => Work::Consented(c),
                        Err(e) => Work::Fail {
                            failure: Failure::Header,
                            kind: e.kind,
                            detail: e.to_string(),
                        },
                    }),
                    (None, Ok(_)) => Err(oqs_protocol::message::StructureError(
                        "not a JOB-03 kind".into(),
                    )),
                },
            }
        }
    };
    checked(header, encoding, parsed, settings)
}

/// A JOB-01 file read without a tree, checked as [`prepare_tree`] checks its tree.
pub(super) fn prepare_inquiry(
    request: oqs_protocol::bulk::BulkInquiryRequest,
    settings: &JobSettings,
) -> (oqs_protocol::message::RequestHeader, TextEncoding, Work) {
    let header = request.header.clone();
    checked(
        header,
        TextEncoding::Utf8,
        Ok(Work::Inquiry(request)),
        settings,
    )
}

/// The checks after the shape: header (ヘッダー項目エラー), then row count (処理上限エラー).
fn checked(
    header: oqs_protocol::message::RequestHeader,
    encoding: TextEncoding,
    parsed: Result<Work, oqs_protocol::fields::StructureError>,
    settings: &JobSettings,
) -> (oqs_protocol::message::RequestHeader, TextEncoding, Work) {
    let work = match parsed {
        Err(e) => {
            return (
                header,
                encoding,
                Work::Fail {
                    failure: Failure::XmlStructure,
                    kind: ErrorKind::MessageStructure,
                    detail: e.to_string(),
                },
            )
        }
        Ok(w) => w,
    };
    let valid = match header.validate() {
        Err(e) => {
            return (
                header,
                encoding,
                Work::Fail {
                    failure: Failure::Header,
                    kind: e.kind,
                    detail: e.to_string(),
                },
            )
        }
        Ok(v) => v,
    };
    let encoding = match valid.character_code {
        Some(CharacterCode::Utf8) => TextEncoding::Utf8,
        Some(CharacterCode::ShiftJis) => TextEncoding::ShiftJis,
        None => encoding,
    };
    let rows = match &work {
        Work::Inquiry(r) => r.rows.len(),
        Work::Registration(r) => r.rows.len(),
        // JOB-03's rows are the consents found when it runs (the limit is checked then).
        Work::Dispensing(_) | Work::Entrusted(_) | Work::Consented(_) | Work::Fail { .. } => 0,
    };
    if rows > settings.row_limit {
        return (
            header,
            encoding,
            Work::Fail {
                failure: Failure::Limit,
                kind: ErrorKind::BulkRowLimit,
                detail: format!(
                    "{rows} rows; at most {} are processed in one file",
                    settings.row_limit
                ),
            },
        );
    }
    (header, encoding, work)
}

/// JOB-05's stored request (OQSmudsp01req) read again after a restart.
fn dispensing_work(root: &Element) -> Result<Work, oqs_protocol::fields::StructureError> {
    let req = oqs_protocol::dispensing::AcquisitionRequest::from_element(root)?;
    let (start, end) =
        oqs_domain::dispensing::check_period(req.start.as_deref(), req.end.as_deref())
            .map_err(|e| oqs_protocol::fields::StructureError(e.to_string()))?;
    Ok(Work::Dispensing(super::job::Period { start, end }))
}

/// JOB-04's work, or 要求情報項目エラー for a 診療年月 / 出力ファイル形式 that breaks its rule.
fn entrusted_work(r: oqs_protocol::entrusted::EntrustedRequest) -> Work {
    let fail = |e: oqs_protocol::message::FieldError| Work::Fail {
        failure: Failure::Header,
        kind: e.kind,
        detail: e.to_string(),
    };
    let (year, month) = match r.valid_month() {
        Ok(ym) => ym,
        Err(e) => return fail(e),
    };
    let format = match r.output_format() {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    match chrono::NaiveDate::from_ymd_opt(year, month, 1) {
        Some(month) => Work::Entrusted(EntrustedWork { month, format }),
        None => Work::Fail {
            failure: Failure::Header,
            kind: ErrorKind::MedicalTreatmentMonth,
            detail: format!("{year}-{month} is not a month"),
        },
    }
}
