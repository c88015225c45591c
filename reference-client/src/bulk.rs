//! Bulk jobs: JOB-01 資格情報一括照会 (`OQSmuquc01/02req`) and, through the same polling,
//! JOB-03 訪問診療等・オンライン診療等 (`visiting.rs`): submit, then fetch while SegmentOfResult
//! is 2, and conclude the 照会状況 and one row per BulkConfirmUnit.

use crate::{wire, Answer, Client, Mutant, NO_ANSWER};
use oqs_adapter_protocol::{BulkConclusion, Conclusion, InsuranceCard};
use oqs_protocol::codes::QualificationValidity;
use oqs_protocol::message::RequestHeader;
use oqs_protocol::texts::job_status;
use oqs_protocol::Element;
use std::time::Instant;

/// JOB-01's submit and fetch messages.
const JOB_01: (&str, &str) = ("OQSmuquc01req", "OQSmuquc02req");

impl Client {
    /// 資格情報一括照会 (JOB-01): submit, then fetch while SegmentOfResult is 2.
    pub fn bulk_inquiry(
        &mut self,
        rows: &[InsuranceCard],
        confirmation_date: Option<&str>,
    ) -> Result<BulkConclusion, String> {
        let style = self.style();
        let file_id = self.next_id();
        let header = style.header(self.facility(), confirmation_date, &file_id);
        let infos = rows
            .iter()
            .enumerate()
            .map(|(i, card)| {
                style
                    .search_info(card, false, &format!("{file_id}-{}", i + 1))
                    .to_element()
            })
            .collect();
        self.bulk_job(JOB_01, &file_id, &header, infos)
    }

    /// A bulk job (JOB-01, JOB-03): `submit` with `infos` in the body, then `fetch` with the
    /// 受付番号 while SegmentOfResult is 2; one conclusion per BulkConfirmUnit.
    pub(crate) fn bulk_job(
        &mut self,
        (submit, fetch): (&str, &str),
        file_id: &str,
        header: &RequestHeader,
        infos: Vec<Element>,
    ) -> Result<BulkConclusion, String> {
        let style = self.style();
        let doc = style.document(&wire::message(header, infos));
        let submitted = self.send(submit, file_id, doc)?;
        let mut files = submitted.files;
        let root = match submitted.answer {
            Answer::Document(root) => root,
            Answer::Rejected(text) => {
                return Ok(BulkConclusion {
                    status: job_status::INQUIRY_FAILED_XML.into(),
                    rows: vec![wire::rejection(&text)],
                    files,
                    ..BulkConclusion::default()
                })
            }
            Answer::Missing => {
                return Ok(BulkConclusion {
                    status: NO_ANSWER.into(),
                    files,
                    ..BulkConclusion::default()
                })
            }
        };
        let h = root.child("MessageHeader").cloned().unwrap_or_default();
        if h.child_text("SegmentOfResult") == Some("9") {
            return Ok(BulkConclusion {
                status: wire::failed_inquiry_status(h.child_text("ErrorCode")).into(),
                files,
                ..BulkConclusion::default()
            });
        }
        let Some(reception) = root
            .child("MessageBody")
            .and_then(|b| b.child_text("ReceptionNumber"))
            .map(str::to_owned)
        else {
            return Err(format!("{submit} answered no ReceptionNumber"));
        };
        let started = Instant::now();
        loop {
            let fetch_id = self.next_id();
            let header = style.header(self.facility(), None, &fetch_id);
            let doc = style.document(&wire::message(
                &header,
                vec![Element::leaf("ReceptionNumber", reception.clone())],
            ));
            let fetched = self.send(fetch, &fetch_id, doc)?;
            files.extend(fetched.files);
            let root = match fetched.answer {
                Answer::Document(root) => root,
                Answer::Rejected(text) => {
                    return Ok(BulkConclusion {
                        status: job_status::INQUIRY_FAILED_SYSTEM.into(),
                        reception_number: Some(reception),
                        rows: vec![wire::rejection(&text)],
                        files,
                    })
                }
                Answer::Missing => {
                    return Ok(BulkConclusion {
                        status: NO_ANSWER.into(),
                        reception_number: Some(reception),
                        files,
                        ..BulkConclusion::default()
                    })
                }
            };
            let h = root.child("MessageHeader").cloned().unwrap_or_default();
            match h.child_text("SegmentOfResult").map(str::trim) {
                Some("2") => {
                    if self.is(Mutant::StopPollingOnProcessing) {
                        return Ok(BulkConclusion {
                            status: job_status::INQUIRY_PROCESSING.into(),
                            reception_number: Some(reception),
                            files,
                            ..BulkConclusion::default()
                        });
                    }
                    if started.elapsed() > self.timing.bulk_timeout {
                        return Err(format!(
                            "job {reception} still processing after {:?}",
                            self.timing.bulk_timeout
                        ));
                    }
                    std::thread::sleep(self.timing.bulk_poll);
                }
                Some("9") => {
                    let status = if self.is(Mutant::FailureReportedAsDone) {
                        job_status::INQUIRY_DONE
                    } else {
                        wire::failed_inquiry_status(h.child_text("ErrorCode"))
                    };
                    return Ok(BulkConclusion {
                        status: status.into(),
                        reception_number: Some(reception),
                        files,
                        ..BulkConclusion::default()
                    });
                }
                Some("1") => {
                    let units: Vec<Conclusion> = root
                        .child("MessageBody")
                        .map(|b| {
                            b.children_named(oqs_protocol::bulk::BULK_CONFIRM_UNIT)
                                .map(|u| wire::conclusion_from_body(u, style))
                                .collect()
                        })
                        .unwrap_or_default();
                    let valid = QualificationValidity::Valid.label();
                    let needs_check = units.iter().any(|u| u.validity.as_deref() != Some(valid));
                    let (status, mut rows) = match (needs_check, self.mutant) {
                        (false, _) | (true, Some(Mutant::NeedsCheckAsDone)) => {
                            (job_status::INQUIRY_DONE, units)
                        }
                        (true, Some(Mutant::NeedsCheckAsFailure)) => {
                            (job_status::INQUIRY_FAILED_SYSTEM, Vec::new())
                        }
                        (true, _) => (job_status::INQUIRY_DONE_CHECK, units),
                    };
                    match self.mutant {
                        Some(Mutant::BulkRowsReversed) => rows.reverse(),
                        Some(Mutant::BulkDropLastRow) => {
                            rows.pop();
                        }
                        Some(Mutant::ExtraPollAfterFinal) => {
                            let again = self.next_id();
                            let header = style.header(self.facility(), None, &again);
                            let doc = style.document(&wire::message(
                                &header,
                                vec![Element::leaf("ReceptionNumber", reception.clone())],
                            ));
                            files.extend(self.send(fetch, &again, doc)?.files);
                        }
                        _ => {}
                    }
                    return Ok(BulkConclusion {
                        status: status.into(),
                        reception_number: Some(reception),
                        rows,
                        files,
                    });
                }
                other => {
                    return Err(format!(
                        "the answer to {fetch} has SegmentOfResult {other:?} (expected 1, 2 or 9)"
                    ))
                }
            }
        }
    }
}
