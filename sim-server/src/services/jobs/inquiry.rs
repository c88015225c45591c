//! JOB-01 資格情報一括照会: every row of OQSmuquc01req is answered exactly as the single inquiry
//! (`oqs_domain::inquiry::answer_single_inquiry`) would answer it, then wrapped in a
//! BulkConfirmUnit.

use super::{Inner, Outcome};
use crate::services::references::ReferenceNumbers;
use chrono::{DateTime, FixedOffset};
use oqs_domain::inquiry::answer_single_inquiry;
use oqs_domain::Population;
use oqs_protocol::bulk::{BulkConfirmUnit, BulkInquiryRequest};
use oqs_protocol::codes::ProcessingResultStatus;
use oqs_protocol::errors::ErrorTable;
use oqs_protocol::message::{RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::TextEncoding;

/// The one function producing a bulk row's result: the single inquiry of the row (with the
/// file's header), the facility's 照会番号 patched in. The history hook records here.
pub fn answer_row(
    pop: &Population,
    header: &RequestHeader,
    row: &SearchInfo,
    encoding: TextEncoding,
    now: DateTime<FixedOffset>,
    errors: &ErrorTable,
    references: &ReferenceNumbers,
) -> BulkConfirmUnit {
    let req = SingleInquiryRequest {
        header: header.clone(),
        search: row.clone(),
    };
    let answer = answer_single_inquiry(pop, &req, encoding, now, errors);
    let facility = header
        .medical_institution_code
        .as_deref()
        .unwrap_or("")
        .trim();
    match answer.response.body {
        Some(mut body) => {
            let search = body.search_echo.take().unwrap_or_else(|| row.clone());
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
            search: row.clone(),
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
    req: &BulkInquiryRequest,
    pop: &Population,
) -> Option<Outcome> {
    let now = inner.clock.now();
    let answer = |row: &SearchInfo| {
        answer_row(
            pop,
            &req.header,
            row,
            job.encoding,
            now,
            &inner.errors,
            &inner.references,
        )
    };
    let out = judge_rows(inner, job, &req.rows, answer)?;
    inner.record_history(job, now, &out.judged);
    Some(out)
}

/// The bulk rows of `items` (JOB-01 rows, JOB-03 consents), each answered by `answer` and
/// written as its result unit ([`super::render::unit_fragment`]), in order. At `instant`
/// pacing a large job is split over up to 4 threads and reports its progress once; otherwise
/// the rows go one by one, each reported (pacing and faults act per row). `None` when a fault
/// stopped the job.
pub(crate) fn judge_rows<T: Sync>(
    inner: &Inner,
    job: &super::Job,
    items: &[T],
    answer: impl Fn(&T) -> BulkConfirmUnit + Sync,
) -> Option<Outcome> {
    let mut out = Outcome {
        fragments: Vec::with_capacity(items.len()),
        judged: Vec::with_capacity(items.len()),
        normal: 0,
        errors: 0,
        needs_check: false,
    };
    let add = |out: &mut Outcome, unit: BulkConfirmUnit, text: String| {
        if unit.processing_result_status == ProcessingResultStatus::Normal {
            out.normal += 1;
        } else {
            out.errors += 1;
        }
        out.needs_check |= unit.needs_check();
        out.fragments.push(text);
        out.judged.push(unit);
    };
    if inner.pacing() == super::Pacing::Instant && items.len() >= PARALLEL_FROM {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let chunk = items.len().div_ceil(threads);
        let answer = &answer;
        // Each thread judges its rows and writes their units as XML text.
        let parts: Vec<Vec<(BulkConfirmUnit, String)>> = std::thread::scope(|s| {
            let handles: Vec<_> = items
                .chunks(chunk)
                .map(|rows| {
                    s.spawn(move || {
                        rows.iter()
                            .map(|r| {
                                let u = answer(r);
                                let text = super::render::unit_fragment(&u);
                                (u, text)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        for (unit, text) in parts.into_iter().flatten() {
            add(&mut out, unit, text);
        }
        if out.fragments.len() != items.len() || !inner.row_done(job.seq, items.len()) {
            return None;
        }
        return Some(out);
    }
    for (i, item) in items.iter().enumerate() {
        let unit = answer(item);
        let text = super::render::unit_fragment(&unit);
        add(&mut out, unit, text);
        if !inner.row_done(job.seq, i + 1) {
            return None;
        }
    }
    Some(out)
}

/// Rows from which an `instant` job is split over threads.
const PARALLEL_FROM: usize = 256;
