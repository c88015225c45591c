//! JOB-01 資格情報一括照会: every row of OQSmuquc01req is answered exactly as the single inquiry
//! (`oqs_domain::inquiry::answer_single_inquiry`) would answer it, then wrapped in a
//! BulkConfirmUnit.

use super::{Inner, Outcome};
use crate::history::{History, HistoryRecord, Recorded};
use crate::services::references::ReferenceNumbers;
use chrono::{DateTime, FixedOffset};
use oqs_domain::inquiry::answer_single_inquiry;
use oqs_domain::Population;
use oqs_protocol::bulk::{BulkConfirmUnit, BulkInquiryRequest};
use oqs_protocol::codes::ProcessingResultStatus;
use oqs_protocol::errors::ErrorTable;
use oqs_protocol::message::{SearchInfo, SingleInquiryRequest};
use oqs_protocol::sink::XmlOut;
use oqs_protocol::TextEncoding;

/// The one function producing a bulk row's result: the single inquiry of the row (`req`: the
/// file's header and the row, moved into its unit), the facility's 照会番号 patched in.
pub fn answer_row(
    pop: &Population,
    req: SingleInquiryRequest,
    encoding: TextEncoding,
    now: DateTime<FixedOffset>,
    errors: &ErrorTable,
    references: &ReferenceNumbers,
) -> BulkConfirmUnit {
    let answer = answer_single_inquiry(pop, &req, encoding, now, errors);
    let facility = req
        .header
        .medical_institution_code
        .as_deref()
        .unwrap_or("")
        .trim();
    match answer.response.body {
        Some(mut body) => {
            let search = body.search_echo.take().unwrap_or(req.search);
            references.patch(facility, &mut body.results);
            let reference_number = match body.results.as_slice() {
                [one] => one.reference_number.clone(),
                _ => None,
            };
            BulkConfirmUnit {
                search,
                processing_result_status: body.processing_result_status,
                processing_result_code: body.processing_result_code,
                processing_result_message: body.processing_result_message,
                qualification_validity: body.qualification_validity,
                results: body.results,
                reference_number,
            }
        }
        // A header error (the file's header was checked before, so only a row can land here
        // through a header-level row of an overridden error table): the row is in error.
        None => BulkConfirmUnit {
            search: req.search,
            processing_result_status: ProcessingResultStatus::Error,
            processing_result_code: answer.response.header.error_code,
            processing_result_message: answer.response.header.error_message,
            qualification_validity: None,
            results: Vec::new(),
            reference_number: None,
        },
    }
}

/// Answers every row in file order. `None` when a fault stopped the job. At `instant` pacing
/// the rows are split over the machine's cores (the order of the result is kept).
pub(crate) fn process(
    inner: &Inner,
    job: &super::Job,
    req: BulkInquiryRequest,
    pop: &Population,
) -> Option<Outcome> {
    let now = inner.clock.now();
    let BulkInquiryRequest { header, rows } = req;
    let answer = |search: SearchInfo| {
        let req = SingleInquiryRequest {
            header: header.clone(),
            search,
        };
        answer_row(
            pop,
            req,
            job.encoding,
            now,
            &inner.errors,
            &inner.references,
        )
    };
    judge_rows(inner, job, rows, now, answer)
}

/// Rows judged so far: their units written one after another, their history records, counts.
struct Judged {
    text: XmlOut,
    records: Vec<HistoryRecord>,
    rows: usize,
    normal: usize,
    errors: usize,
    needs_check: bool,
}

impl Judged {
    /// Room for `units` written units.
    fn new(units: usize) -> Self {
        Judged {
            text: XmlOut::fragment(2, units.saturating_mul(UNIT_BYTES)),
            records: Vec::new(),
            rows: 0,
            normal: 0,
            errors: 0,
            needs_check: false,
        }
    }

    /// A judged row: counted, written, its history record made (`meta`: the history is on).
    fn add(&mut self, unit: &BulkConfirmUnit, meta: Option<Recorded<'_>>) {
        self.rows += 1;
        if unit.processing_result_status == ProcessingResultStatus::Normal {
            self.normal += 1;
        } else {
            self.errors += 1;
        }
        self.needs_check |= unit.needs_check();
        unit.emit(&mut self.text);
        if let Some(r) = meta.and_then(|m| History::bulk_row(m, unit)) {
            self.records.push(r);
        }
    }
}

/// The bulk rows of `items` (JOB-01 rows, JOB-03 consents), each moved into `answer` and
/// written as its result unit, in order; once all are judged, their confirmations go into the
/// history (一括照会, at `now`). At `instant` pacing a large job is split over up to 4 threads,
/// each judging, writing and recording its part (and freeing its units), and reports its
/// progress once; otherwise the rows go one by one, each reported (pacing and faults act per
/// row). `None` when a fault stopped the job (nothing recorded).
pub(crate) fn judge_rows<T: Send>(
    inner: &Inner,
    job: &super::Job,
    items: Vec<T>,
    now: DateTime<FixedOffset>,
    answer: impl Fn(T) -> BulkConfirmUnit + Sync,
) -> Option<Outcome> {
    let total = items.len();
    let history = inner.history.get();
    let login_id = job
        .operator
        .as_deref()
        .unwrap_or(crate::history::LINKED_APP_LOGIN_ID);
    let meta = history.map(|_| History::bulk_meta(&job.facility, now, login_id));
    let parts: Vec<Judged> = if inner.pacing() == super::Pacing::Instant && total >= PARALLEL_FROM {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let answer = &answer;
        let parts: Vec<Judged> = std::thread::scope(|s| {
            let handles: Vec<_> = split(items, threads)
                .into_iter()
                .enumerate()
                .map(|(i, rows)| {
                    // The first part's buffer becomes the whole result (render_result).
                    let units = if i == 0 { total } else { rows.len() };
                    s.spawn(move || {
                        let mut part = Judged::new(units);
                        for r in rows {
                            part.add(&answer(r), meta);
                        }
                        part
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Judged::new(0)))
                .collect()
        });
        let judged: usize = parts.iter().map(|p| p.rows).sum();
        if judged != total || !inner.row_done(job.seq, total) {
            return None;
        }
        parts
    } else {
        let mut part = Judged::new(total);
        for (i, item) in items.into_iter().enumerate() {
            part.add(&answer(item), meta);
            if !inner.row_done(job.seq, i + 1) {
                return None;
            }
        }
        vec![part]
    };
    let mut out = Outcome {
        fragments: Vec::with_capacity(parts.len()),
        normal: 0,
        errors: 0,
        needs_check: false,
    };
    let mut records = Vec::new();
    for part in parts {
        out.normal += part.normal;
        out.errors += part.errors;
        out.needs_check |= part.needs_check;
        if part.rows > 0 {
            out.fragments.push(part.text.finish_fragment());
        }
        if records.is_empty() {
            records = part.records;
        } else {
            records.extend(part.records);
        }
    }
    if let (Some(h), false) = (history, records.is_empty()) {
        // A failure is logged by record_many; the job's answer does not depend on it.
        let _ = h.record_many(&mut records);
    }
    Some(out)
}

/// `items` in up to `n` runs of about equal length, in order.
fn split<T>(mut items: Vec<T>, n: usize) -> Vec<Vec<T>> {
    let chunk = items.len().div_ceil(n.max(1)).max(1);
    let mut runs = Vec::with_capacity(n);
    while items.len() > chunk {
        let rest = items.split_off(chunk);
        runs.push(items);
        items = rest;
    }
    runs.push(items);
    runs
}

/// Bytes of a written unit, about (a 10,000-row result is ≈ 14.8 MB).
const UNIT_BYTES: usize = 1536;

/// Rows from which an `instant` job is split over threads.
const PARALLEL_FROM: usize = 256;
