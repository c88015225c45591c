//! The inquiry: one request, whatever way it came in (XML over HTTP, the file exchange, the
//! WebAPI), read, answered and journalled. Single inquiries are judged by `oqs-domain`, bulk files
//! go to the job engine, 照会番号 registrations to it as well; every answer passes through the
//! facility's 照会番号 and is recorded in the confirmation history.

use crate::journal::{Journal, NewEntry, Transport};
use crate::services::answer::{Answered, Rejection};
use crate::services::simulator::Simulator;
use chrono::{DateTime, FixedOffset};
use oqs_domain::inquiry;
use oqs_protocol::errors::ErrorKind;
use oqs_protocol::message::{SingleInquiryRequest, SingleInquiryResponse};
use oqs_protocol::naming::MessageId;
use oqs_protocol::xml::{self, ReadError, ReadLimits};
use oqs_protocol::{Element, TextEncoding};
use std::borrow::Cow;

impl Simulator {
    /// ENV-15: while in システム障害, every machine request is refused unread (`system-outage`).
    pub fn outage_check(&self) -> Result<(), Rejection> {
        if self.outage.active() {
            Err(self.rejection(
                ErrorKind::SystemOutage,
                oqs_protocol::texts::outage::SITUATION,
            ))
        } else {
            Ok(())
        }
    }

    pub fn read_limits(&self) -> ReadLimits {
        ReadLimits {
            max_bytes: self.settings.max_request_bytes,
            ..ReadLimits::default()
        }
    }

    /// A rejection from a table row and a detail.
    pub fn rejection(&self, kind: ErrorKind, detail: impl Into<String>) -> Rejection {
        let e = self.errors.entry(kind);
        Rejection {
            kind,
            code: e.code.clone(),
            message: e.message.clone(),
            detail: detail.into(),
        }
    }

    fn read_error(&self, e: &ReadError) -> Rejection {
        let kind = match e {
            ReadError::TooLarge { .. } => ErrorKind::BodyTooLarge,
            ReadError::UnsupportedEncoding(_) | ReadError::InvalidBytes(_) => ErrorKind::Encoding,
            _ => ErrorKind::XmlStructure,
        };
        self.rejection(kind, e.to_string())
    }

    /// Answers a parsed request tree received at `now`. Errors of shape or content become
    /// result messages.
    fn answer_tree(
        &self,
        message: MessageId,
        root: &Element,
        encoding: TextEncoding,
        transport: Transport,
        login_id: Option<&str>,
        now: DateTime<FixedOffset>,
    ) -> (Answered, JournalNote) {
        match message {
            MessageId::SingleInquiryRequest => match SingleInquiryRequest::from_element(root) {
                Err(e) => {
                    let res = inquiry::structure_error(now, encoding, &self.errors);
                    let note = JournalNote::error(res.header.error_code.clone(), e.to_string());
                    (Answered::new(res.to_element(), encoding), note)
                }
                Ok(req) => {
                    let (res, encoding, note) =
                        self.answer_single(req, encoding, transport, login_id, now);
                    (Answered::new(res.to_element(), encoding), note)
                }
            },
            MessageId::BulkInquirySubmitRequest
            | MessageId::BulkRegistrationSubmitRequest
            | MessageId::EntrustedSubmitRequest
            | MessageId::VisitingBulkSubmitRequest
            | MessageId::OnlineBulkSubmitRequest => {
                let kind = crate::jobs::JobKind::of_submit(message)
                    .unwrap_or(crate::jobs::JobKind::BulkInquiry);
                self.submit_job(
                    kind,
                    crate::jobs::Submitted::Tree {
                        root,
                        encoding,
                        raw: None,
                    },
                    None,
                )
            }
            MessageId::BulkInquiryFetchRequest
            | MessageId::BulkRegistrationFetchRequest
            | MessageId::EntrustedFetchRequest
            | MessageId::VisitingBulkFetchRequest
            | MessageId::OnlineBulkFetchRequest => {
                let kind = crate::jobs::JobKind::of_fetch(message)
                    .unwrap_or(crate::jobs::JobKind::BulkInquiry);
                let (answered, note) = self.jobs.fetch(kind, root, encoding);
                (
                    answered,
                    JournalNote {
                        error_code: note.error_code,
                        error_detail: note.detail,
                        validity: None,
                    },
                )
            }
            MessageId::ReferenceNumberRequest => {
                let (answered, note) =
                    self.jobs
                        .register_single(&self.population(), root, encoding);
                (
                    answered,
                    JournalNote {
                        error_code: note.error_code,
                        error_detail: note.detail,
                        validity: None,
                    },
                )
            }
            MessageId::VisitingInquiryRequest
            | MessageId::OnlineInquiryRequest
            | MessageId::ConsentCancelRequest => {
                self.answer_visiting(message, root, encoding, transport, login_id)
            }
            MessageId::DispensingAcquisitionRequest => {
                let (answered, outcome) = self.jobs.answer_dispensing_request(
                    self.population(),
                    root,
                    encoding,
                    login_id,
                );
                let note = match outcome {
                    Ok(j) => JournalNote {
                        error_code: None,
                        error_detail: Some(format!("accepted as {}", j.reception_number)),
                        validity: None,
                    },
                    Err(r) => {
                        JournalNote::error(Some(self.errors.entry(r.kind).code.clone()), r.detail)
                    }
                };
                (answered, note)
            }
            MessageId::DispensingListRequest => {
                let (answered, outcome) =
                    self.jobs
                        .answer_dispensing_list(&self.population(), root, encoding);
                let note = match outcome {
                    Ok(j) => JournalNote {
                        error_code: None,
                        error_detail: j
                            .map(|j| format!("{} {}", j.reception_number, j.state.status(j.kind))),
                        validity: None,
                    },
                    Err(r) => {
                        JournalNote::error(Some(self.errors.entry(r.kind).code.clone()), r.detail)
                    }
                };
                (answered, note)
            }
            MessageId::DispensingAcquisitionResponse | MessageId::DispensingListResponse => {
                let res = inquiry::structure_error(now, encoding, &self.errors);
                (
                    Answered::new(res.to_element(), encoding),
                    JournalNote::error(None, "a result message was sent as a request".into()),
                )
            }
            MessageId::SingleInquiryResponse
            | MessageId::VisitingInquiryResponse
            | MessageId::OnlineInquiryResponse
            | MessageId::ConsentCancelResponse
            | MessageId::VisitingBulkSubmitResponse
            | MessageId::VisitingBulkFetchResponse
            | MessageId::OnlineBulkSubmitResponse
            | MessageId::OnlineBulkFetchResponse
            | MessageId::BulkInquirySubmitResponse
            | MessageId::BulkInquiryFetchResponse
            | MessageId::ReferenceNumberResponse
            | MessageId::BulkRegistrationSubmitResponse
            | MessageId::BulkRegistrationFetchResponse
            | MessageId::EntrustedSubmitResponse
            | MessageId::EntrustedFetchResponse => {
                let res = inquiry::structure_error(now, encoding, &self.errors);
                (
                    Answered::new(res.to_element(), encoding),
                    JournalNote::error(None, "a result message was sent as a request".into()),
                )
            }
        }
    }

    /// A single inquiry judged, its 照会番号 patched in and recorded in the history under
    /// `login_id` (an operator's screen) or else the transport's (連携アプリケーション / WebAPI user).
    /// `now`: when the request was received (the clock is read once per request).
    fn answer_single(
        &self,
        req: SingleInquiryRequest,
        encoding: TextEncoding,
        transport: Transport,
        login_id: Option<&str>,
        now: DateTime<FixedOffset>,
    ) -> (SingleInquiryResponse, TextEncoding, JournalNote) {
        let pop = self.population();
        let mut a = inquiry::answer_single_inquiry(&pop, req, encoding, now, &self.errors);
        if let (Some(body), Some(facility)) = (
            a.response.body.as_mut(),
            a.response.header.medical_institution_code.as_deref(),
        ) {
            // The facility's registered 照会番号 (RULE-51).
            self.jobs
                .references()
                .patch(facility.trim(), &mut body.results);
        }
        let login_id = login_id
            .unwrap_or_else(|| crate::history::login_id_for(transport, &self.settings.webapi_user));
        self.history
            .record_single_inquiry(&a.response, now, login_id);
        let code = a.response.header.error_code.clone().or_else(|| {
            a.response
                .body
                .as_ref()
                .and_then(|b| b.processing_result_code.clone())
        });
        let note = JournalNote {
            error_code: code,
            error_detail: a.error.as_ref().map(|e| e.to_string()),
            validity: inquiry::validity_of(&a).map(|v| v.code()),
        };
        (a.response, a.encoding, note)
    }

    /// Accepts a bulk file (JOB-01 / JOB-02) and answers with the 受付番号.
    fn submit_job(
        &self,
        kind: crate::jobs::JobKind,
        input: crate::jobs::Submitted<'_>,
        login_id: Option<&str>,
    ) -> (Answered, JournalNote) {
        let (answered, job) = self.jobs.submit(kind, input, self.population(), login_id);
        let note = match job {
            Some(j) => JournalNote {
                error_code: None,
                error_detail: Some(format!("accepted as {}", j.reception_number)),
                validity: None,
            },
            None => JournalNote::error(
                Some(self.errors.entry(ErrorKind::SystemError).code.clone()),
                "not accepted: too many jobs waiting or the job store failed".into(),
            ),
        };
        (answered, note)
    }

    /// The largest request accepted for a message id: bulk files may be larger.
    pub fn request_limit(&self, message: &str) -> usize {
        match MessageId::parse(message).and_then(crate::jobs::JobKind::of_submit) {
            Some(_) => self
                .settings
                .jobs
                .max_request_bytes
                .max(self.settings.max_request_bytes),
            None => self.settings.max_request_bytes,
        }
    }

    /// Resolves a message id written in a path or file name.
    pub fn request_message(&self, name: &str) -> Result<MessageId, Rejection> {
        match MessageId::parse(name) {
            Some(m) if m.response().is_some() => Ok(m),
            _ => Err(self.rejection(
                ErrorKind::UnknownMessage,
                format!(
                    "\"{name}\" is not a request message id the simulator knows (known: {})",
                    MessageId::request_names()
                ),
            )),
        }
    }

    /// The XML transports (HTTP and file exchange): bytes in, bytes or a rejection out.
    pub fn handle_xml(
        &self,
        message: &str,
        bytes: &[u8],
        transport: Transport,
        source: &str,
    ) -> Result<Answered, Rejection> {
        self.handle_xml_by(message, bytes, transport, source, None)
    }

    /// [`Self::handle_xml`] for a request made on an operator screen (a file uploaded on SCR-15 /
    /// SCR-17: the 受付番号 ends in the operator's login id, AMB-33; a visiting inquiry of SCR-22 /
    /// SCR-23: its 資格確認履歴 record carries the operator's login id).
    pub fn handle_xml_by(
        &self,
        message: &str,
        bytes: &[u8],
        transport: Transport,
        source: &str,
        login_id: Option<&str>,
    ) -> Result<Answered, Rejection> {
        let mut entry = self.entry(transport, message, source, bytes);
        let now = entry.received_at;
        let result = self
            .outage_check()
            .and_then(|()| self.request_message(message))
            .and_then(|m| {
                if let Some(kind) = crate::jobs::JobKind::of_submit(m) {
                    // A bulk file is always accepted; one that cannot be read fails as a job
                    // (照会失敗(XML構造エラー) / (処理上限エラー)), as the manual's statuses say.
                    let limits = self.settings.jobs.read_limits();
                    if kind == crate::jobs::JobKind::BulkInquiry {
                        // The usual JOB-01 file: its rows read without a tree (the same request).
                        if let Some(request) =
                            oqs_protocol::bulk::BulkInquiryRequest::read_plain(bytes, limits)
                        {
                            entry.encoding = Some(TextEncoding::Utf8.label());
                            return Ok(self.submit_job(
                                kind,
                                crate::jobs::Submitted::Inquiry {
                                    request,
                                    raw: bytes,
                                },
                                login_id,
                            ));
                        }
                    }
                    return Ok(match xml::read_document(bytes, limits) {
                        Ok(doc) => {
                            entry.encoding = Some(doc.encoding.label());
                            self.submit_job(
                                kind,
                                crate::jobs::Submitted::Tree {
                                    root: &doc.root,
                                    encoding: doc.encoding,
                                    raw: Some(bytes),
                                },
                                login_id,
                            )
                        }
                        Err(error) => self.submit_job(
                            kind,
                            crate::jobs::Submitted::Unreadable { error, raw: bytes },
                            login_id,
                        ),
                    });
                }
                if m == MessageId::SingleInquiryRequest {
                    // The usual request: read and written without a tree (the same bytes out).
                    let limits = self.read_limits();
                    // UTF-8 already checked when the journal's entry decoded the request.
                    let read = match &entry.text {
                        Cow::Borrowed(text) => SingleInquiryRequest::read_plain_text(text, limits)
                            .map(|req| (req, TextEncoding::Utf8)),
                        Cow::Owned(_) => None,
                    }
                    .or_else(|| SingleInquiryRequest::read_plain_encoded(bytes, limits));
                    if let Some((req, encoding)) = read {
                        entry.encoding = Some(encoding.label());
                        let (res, encoding, note) =
                            self.answer_single(req, encoding, transport, login_id, now);
                        let answered = Answered {
                            root: Element::default(),
                            encoding,
                            raw: Some(res.write_xml(encoding).into()),
                        };
                        return Ok((answered, note));
                    }
                }
                let doc = xml::read_document(bytes, self.read_limits())
                    .map_err(|e| self.read_error(&e))?;
                entry.encoding = Some(doc.encoding.label());
                Ok(self.answer_tree(m, &doc.root, doc.encoding, transport, login_id, now))
            });
        self.finish(entry, result)
    }

    /// The WebAPI JSON mirror: JSON in, the result tree out (written as JSON by the caller).
    pub fn handle_json(
        &self,
        message: MessageId,
        body: &[u8],
        source: &str,
    ) -> Result<Answered, Rejection> {
        let mut entry = self.entry(Transport::WebApi, message.as_str(), source, body);
        entry.encoding = Some(TextEncoding::Utf8.label());
        let result = if let Err(r) = self.outage_check() {
            Err(r)
        } else if body.len() > self.settings.max_request_bytes {
            Err(self.rejection(
                ErrorKind::BodyTooLarge,
                format!(
                    "request is {} bytes, more than the limit of {} bytes",
                    body.len(),
                    self.settings.max_request_bytes
                ),
            ))
        } else {
            serde_json::from_slice::<serde_json::Value>(body)
                .map_err(|e| {
                    self.rejection(ErrorKind::XmlStructure, format!("not valid JSON: {e}"))
                })
                .and_then(|v| {
                    oqs_protocol::json::from_json(&v)
                        .map_err(|e| self.rejection(ErrorKind::XmlStructure, e.0))
                })
                .map(|root| {
                    self.answer_tree(
                        message,
                        &root,
                        TextEncoding::Utf8,
                        Transport::WebApi,
                        None,
                        entry.received_at,
                    )
                })
        };
        // A stored bulk result is mirrored whole: read its bytes back into the tree.
        let result = result.map(|(mut a, note)| {
            if let Some(raw) = &a.raw {
                let limits = ReadLimits {
                    max_bytes: usize::MAX,
                    max_depth: 64,
                    max_elements: usize::MAX,
                };
                if let Ok(doc) = xml::read_document(raw, limits) {
                    a.root = doc.root;
                }
            }
            (a, note)
        });
        self.finish(entry, result)
    }

    /// Journals a request rejected before it reached [`Simulator::handle_xml`].
    pub fn record_rejection(
        &self,
        transport: Transport,
        message: &str,
        source: &str,
        request: &[u8],
        r: &Rejection,
    ) {
        let entry = self.entry(transport, message, source, request);
        let _ = self.finish(entry, Err(r.clone()));
    }

    /// A request's journal entry opened: received now, its text kept as it came (decoded
    /// lossily only when it is not UTF-8).
    pub(crate) fn entry<'a>(
        &self,
        transport: Transport,
        message: &'a str,
        source: &'a str,
        bytes: &'a [u8],
    ) -> Pending<'a> {
        Pending {
            received_at: self.clock.now(),
            transport,
            message,
            source,
            request_bytes: bytes.len(),
            text: match std::str::from_utf8(bytes) {
                Ok(text) => Cow::Borrowed(text),
                Err(_) => String::from_utf8_lossy(bytes),
            },
            encoding: None,
        }
    }

    fn finish(
        &self,
        entry: Pending<'_>,
        result: Result<(Answered, JournalNote), Rejection>,
    ) -> Result<Answered, Rejection> {
        match result {
            Ok((answered, note)) => {
                entry.close(
                    &self.journal,
                    "answered",
                    note.error_code.as_deref(),
                    note.error_detail.as_deref(),
                    note.validity,
                );
                Ok(answered)
            }
            Err(r) => {
                entry.close(
                    &self.journal,
                    "rejected",
                    Some(&r.code),
                    Some(&r.detail),
                    None,
                );
                Err(r)
            }
        }
    }
}

/// A journal entry opened when a request arrived, closed with what became of it.
pub(crate) struct Pending<'a> {
    received_at: DateTime<FixedOffset>,
    transport: Transport,
    message: &'a str,
    source: &'a str,
    request_bytes: usize,
    text: Cow<'a, str>,
    /// Declared encoding, once the request was read.
    pub(crate) encoding: Option<&'static str>,
}

impl Pending<'_> {
    /// Journals the request with its outcome.
    pub(crate) fn close(
        self,
        journal: &Journal,
        outcome: &str,
        error_code: Option<&str>,
        error_detail: Option<&str>,
        validity: Option<&str>,
    ) {
        journal.record(NewEntry {
            received_at: self.received_at,
            transport: self.transport,
            message: self.message,
            source: self.source,
            outcome,
            error_code,
            error_detail,
            validity,
            encoding: self.encoding,
            request_bytes: self.request_bytes,
            request: &self.text,
            method: None,
        });
    }
}

/// What the journal keeps of an answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct JournalNote {
    pub(crate) error_code: Option<String>,
    pub(crate) error_detail: Option<String>,
    pub(crate) validity: Option<&'static str>,
}

impl JournalNote {
    pub(crate) fn error(code: Option<String>, detail: String) -> Self {
        JournalNote {
            error_code: code,
            error_detail: Some(detail),
            validity: None,
        }
    }
}
