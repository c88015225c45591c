//! 照会番号一括登録 (JOB-02): `OQSmuimm01req` with one ReferenceNumberRegistrationInfo per row,
//! then `OQSmuimm02req` while SegmentOfResult is 2; one conclusion per BulkRegistrationUnit.

use crate::wire;
use crate::{Answer, Client, Mutant};
use oqs_adapter_protocol::{
    BulkRegistrationConclusion, ReferenceNumberRow, RegistrationConclusion,
};
use oqs_protocol::{texts, Element};
use std::time::Instant;

/// The JOB-02 twin of a JOB-01 status (照会… → 登録…).
fn registration_status(inquiry_status: &str) -> String {
    inquiry_status.replacen("照会", "登録", 1)
}

fn text(el: Option<&Element>, name: &str) -> Option<String> {
    el.and_then(|e| e.child_text(name))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

impl Client {
    /// Submits the rows and fetches the job's result.
    pub fn bulk_register(
        &mut self,
        rows: &[ReferenceNumberRow],
    ) -> Result<BulkRegistrationConclusion, String> {
        use texts::job_status as s;
        let style = self.style();
        let file_id = self.next_id();
        let header = style.header(self.facility(), None, &file_id);
        let infos = rows
            .iter()
            .map(|r| {
                style
                    .registration_info(&r.card, &r.reference_number)
                    .to_element()
            })
            .collect();
        let doc = style.document(&wire::message(&header, infos));
        let root = match self.send("OQSmuimm01req", &file_id, doc)?.answer {
            Answer::Document(root) => root,
            Answer::Rejected(_) | Answer::Missing => {
                return Ok(BulkRegistrationConclusion {
                    status: s::REGISTRATION_FAILED_XML.into(),
                    ..BulkRegistrationConclusion::default()
                })
            }
        };
        let h = root.child("MessageHeader");
        if text(h, "SegmentOfResult").as_deref() == Some("9") {
            let code = text(h, "ErrorCode");
            return Ok(BulkRegistrationConclusion {
                status: registration_status(wire::failed_inquiry_status(code.as_deref())),
                ..BulkRegistrationConclusion::default()
            });
        }
        let reception = text(root.child("MessageBody"), "ReceptionNumber")
            .ok_or_else(|| "OQSmuimm01res has no ReceptionNumber".to_owned())?;
        let started = Instant::now();
        loop {
            let fetch_id = self.next_id();
            let header = style.header(self.facility(), None, &fetch_id);
            let doc = style.document(&wire::message(
                &header,
                vec![Element::leaf("ReceptionNumber", reception.clone())],
            ));
            let root = match self.send("OQSmuimm02req", &fetch_id, doc)?.answer {
                Answer::Document(root) => root,
                Answer::Rejected(_) | Answer::Missing => {
                    return Ok(BulkRegistrationConclusion {
                        status: s::REGISTRATION_FAILED_SYSTEM.into(),
                        reception_number: Some(reception),
                        ..BulkRegistrationConclusion::default()
                    })
                }
            };
            let h = root.child("MessageHeader");
            match text(h, "SegmentOfResult").as_deref() {
                Some("2") => {
                    if started.elapsed() > self.timing.bulk_timeout {
                        return Err(format!("job {reception} still processing"));
                    }
                    std::thread::sleep(self.timing.bulk_poll);
                }
                Some("9") => {
                    let code = text(h, "ErrorCode");
                    return Ok(BulkRegistrationConclusion {
                        status: registration_status(wire::failed_inquiry_status(code.as_deref())),
                        reception_number: Some(reception),
                        ..BulkRegistrationConclusion::default()
                    });
                }
                Some("1") => {
                    let units = root
                        .child("MessageBody")
                        .map(|b| b.children_named("BulkRegistrationUnit").collect::<Vec<_>>())
                        .unwrap_or_default();
                    let rows: Vec<RegistrationConclusion> = units
                        .into_iter()
                        .map(|u| self.registration_row(u))
                        .collect();
                    let status = if rows.iter().all(|r| r.registered) {
                        s::REGISTRATION_DONE
                    } else {
                        s::REGISTRATION_DONE_CHECK
                    };
                    return Ok(BulkRegistrationConclusion {
                        status: status.into(),
                        reception_number: Some(reception),
                        rows,
                    });
                }
                other => {
                    return Err(format!(
                        "OQSmuimm02res has SegmentOfResult {other:?} (expected 1, 2 or 9)"
                    ))
                }
            }
        }
    }

    /// One BulkRegistrationUnit as the client shows it.
    fn registration_row(&self, unit: &Element) -> RegistrationConclusion {
        let ok = text(Some(unit), "ProcessingResultStatus").as_deref() == Some("1")
            || self.is(Mutant::BulkRegistrationAllRegistered);
        if ok {
            let number = text(
                unit.child("ReferenceNumberRegistrationInfo"),
                "ReferenceNumber",
            );
            let message = if number.is_some() {
                texts::REFERENCE_NUMBER_REGISTERED
            } else {
                texts::REFERENCE_NUMBER_DELETED
            };
            return RegistrationConclusion {
                registered: true,
                message: Some(message.into()),
                error_code: None,
            };
        }
        RegistrationConclusion {
            registered: false,
            message: text(Some(unit), "ProcessingResultMessage"),
            error_code: text(Some(unit), "ProcessingResultCode"),
        }
    }
}
