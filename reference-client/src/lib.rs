//! # reference-client
//!
//! The reference receipt-computer client (レセコン) of the conformance suite: it does what a person
//! at the counter asks (an adapter-protocol [`Action`]) against the simulator, over the file
//! exchange or XML over HTTP, and answers with what it concluded. It passes every check; its
//! [`Mutant`]s each break exactly one rule and must each be caught.
//!
//! The binary `oqs-reference-client` speaks the adapter protocol (JSON lines on stdin/stdout).

mod bulk;
mod bulk_registration;
pub mod face;
mod transport;
pub use transport::Transport;
mod files;
pub mod mutant;
mod outage;
mod prescription;
pub mod visiting;
pub mod webapi;
pub mod wire;

pub use mutant::Mutant;

use oqs_adapter_protocol::{
    Action, Conclusion, FaceConclusion, InsuranceCard, MyNumberMethod, Outcome,
    RegistrationConclusion, Reply, Request, SimulatorEndpoints,
};
use oqs_protocol::naming::RequestFileName;
use oqs_protocol::texts;
use oqs_protocol::Element;
use std::fs;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use wire::WireStyle;

/// The client's name in the Hello reply.
pub const CLIENT_NAME: &str = "oqs-reference-client";

/// Waiting and polling bounds.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Longest wait for an exchange answer file.
    pub answer_timeout: Duration,
    /// Pause between looks at the exchange folder.
    pub file_poll: Duration,
    /// Pause between two `02req` fetches while SegmentOfResult is 2.
    pub bulk_poll: Duration,
    /// Longest total polling of one bulk job.
    pub bulk_timeout: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            answer_timeout: Duration::from_secs(15),
            file_poll: Duration::from_millis(20),
            bulk_poll: Duration::from_millis(100),
            bulk_timeout: Duration::from_secs(60),
        }
    }
}

/// What came back for one XML request.
enum Answer {
    /// A result document.
    Document(Element),
    /// Refused before reading (HTTP 4xx text or the `.err` file's text).
    Rejected(String),
    /// Nothing came back (only the mutants that do not wait or ignore `.err` files conclude this).
    Missing,
}

/// One request/answer exchange and the files it touched (relative to the exchange folder).
struct Exchanged {
    answer: Answer,
    files: Vec<String>,
}

/// Text the mutant that invents error messages shows instead of the simulator's.
const MADE_UP_ERROR: &str = "通信エラーが発生しました。";
/// What the mutant that does not wait concludes.
pub(crate) const NO_ANSWER: &str = "応答ファイルがありません。";

/// The reference client.
pub struct Client {
    endpoints: SimulatorEndpoints,
    transport: Transport,
    mutant: Option<Mutant>,
    timing: Timing,
    http: Option<reqwest::blocking::Client>,
    /// Distinguishes this process's request files from another client's in the same folder.
    nonce: String,
    seq: u64,
    /// 医療機関コード of the request in hand: its own `facility`, else the `hello` one.
    acting_for: Option<String>,
    /// face/ files already handled.
    face_seen: face::FaceSeen,
    /// The WebAPI idToken.
    webapi: webapi::Session,
    /// The next inquiry asks for a Shift_JIS result.
    shift_jis: bool,
}

impl Client {
    pub fn new(
        endpoints: SimulatorEndpoints,
        transport: Transport,
        mutant: Option<Mutant>,
    ) -> Self {
        Client {
            endpoints,
            transport,
            mutant,
            timing: Timing::default(),
            http: None,
            nonce: format!("rc{}", std::process::id()),
            seq: 0,
            acting_for: None,
            face_seen: face::FaceSeen::default(),
            webapi: webapi::Session::default(),
            shift_jis: false,
        }
    }

    pub fn with_timing(mut self, timing: Timing) -> Self {
        self.timing = timing;
        self
    }

    pub fn mutant(&self) -> Option<Mutant> {
        self.mutant
    }

    fn style(&self) -> WireStyle {
        WireStyle {
            mutant: self.mutant,
        }
    }

    fn is(&self, m: Mutant) -> bool {
        self.mutant == Some(m)
    }

    /// The 医療機関コード this request acts for (MessageHeader, the terminal's `facility`).
    fn facility(&self) -> &str {
        self.acting_for
            .as_deref()
            .unwrap_or(&self.endpoints.facility)
    }

    /// Answers one protocol line (same id).
    pub fn respond(&mut self, request: Request) -> Reply {
        let mut reply = self.handle(request.action);
        reply.id = request.id;
        reply
    }

    /// Does what the person at the counter asked and says what the client concluded. The reply's
    /// id is 0 (see [`Client::respond`]).
    pub fn handle(&mut self, action: Action) -> Reply {
        self.acting_for = match &action {
            Action::CheckInsuranceCard { facility, .. }
            | Action::CheckMyNumberCard { facility, .. }
            | Action::BulkInquiry { facility, .. }
            | Action::RegisterReferenceNumber { facility, .. }
            | Action::BulkRegisterReferenceNumbers { facility, .. }
            | Action::VisitingInquiry { facility, .. }
            | Action::CancelVisitingConsent { facility, .. }
            | Action::VisitingBulkInquiry { facility, .. }
            | Action::RetrievePrescription { facility, .. } => facility.clone(),
            Action::Hello { .. } | Action::FaceResults | Action::Shutdown => None,
        }
        .filter(|f| !f.trim().is_empty() && !self.is(Mutant::HelloFacilityOnly));
        let result = match action {
            Action::Hello { simulator, .. } => {
                self.endpoints = simulator;
                Ok(Outcome::Hello {
                    client: match self.mutant {
                        Some(m) => format!("{CLIENT_NAME} (mutant {m})"),
                        None => CLIENT_NAME.to_owned(),
                    },
                    version: env!("CARGO_PKG_VERSION").to_owned(),
                    transport: self.transport.name().to_owned(),
                })
            }
            Action::CheckInsuranceCard {
                card,
                limit_consent,
                confirmation_date,
                result_encoding,
                ..
            } => {
                // 文字コード識別 1: the answer comes in Shift_JIS.
                self.shift_jis = result_encoding
                    .is_some_and(|e| e.eq_ignore_ascii_case("shift_jis"))
                    && !self.is(Mutant::IgnoreResultEncoding);
                self.check_insurance_card(&card, limit_consent, confirmation_date.as_deref())
                    .map(Outcome::Confirmation)
            }
            Action::CheckMyNumberCard {
                reader,
                method,
                pin,
                limit_consent,
                confirmation_date,
                ..
            } => self
                .check_my_number_card(
                    reader,
                    method,
                    pin.as_deref(),
                    limit_consent,
                    confirmation_date.as_deref(),
                )
                .map(Outcome::Confirmation),
            Action::BulkInquiry {
                rows,
                confirmation_date,
                ..
            } => self
                .bulk_inquiry(&rows, confirmation_date.as_deref())
                .map(Outcome::Bulk),
            Action::RegisterReferenceNumber {
                card,
                reference_number,
                ..
            } => self
                .register_reference_number(&card, &reference_number)
                .map(Outcome::Registration),
            Action::BulkRegisterReferenceNumbers { rows, .. } => {
                self.bulk_register(&rows).map(Outcome::BulkRegistration)
            }
            Action::FaceResults => {
                let dir = PathBuf::from(&self.endpoints.exchange).join("face");
                let style = self.style();
                face::pick_up(&dir, &mut self.face_seen, style)
                    .map(|results| Outcome::Face(FaceConclusion { results }))
            }
            Action::VisitingInquiry {
                card,
                care,
                confirmation_date,
                ..
            } => self
                .visiting_inquiry(&card, &care, confirmation_date.as_deref())
                .map(Outcome::Confirmation),
            Action::CancelVisitingConsent { card, .. } => self
                .cancel_visiting_consent(&card)
                .map(Outcome::Confirmation),
            Action::VisitingBulkInquiry {
                care,
                consent_from,
                consent_to,
                examination_from,
                examination_to,
                confirmation_date,
                ..
            } => {
                let conditions = visiting::BulkConditions {
                    consent_from,
                    consent_to,
                    examination_from,
                    examination_to,
                };
                self.visiting_bulk_inquiry(&care, &conditions, confirmation_date.as_deref())
                    .map(Outcome::Bulk)
            }
            Action::RetrievePrescription {
                card,
                exchange_number,
                ..
            } => self
                .retrieve_prescription(&card, &exchange_number)
                .map(Outcome::Prescription),
            Action::Shutdown => Ok(Outcome::Bye),
        };
        match result {
            Ok(outcome) => Reply {
                id: 0,
                ok: true,
                error: None,
                outcome: Some(outcome),
            },
            Err(e) => Reply {
                id: 0,
                ok: false,
                error: Some(e),
                outcome: None,
            },
        }
    }

    /// 被保険者証による資格確認 (OQSsiquc01req).
    pub fn check_insurance_card(
        &mut self,
        card: &InsuranceCard,
        limit_consent: bool,
        confirmation_date: Option<&str>,
    ) -> Result<Conclusion, String> {
        let style = self.style();
        let file_id = self.next_id();
        let mut header = style.header(self.facility(), confirmation_date, &file_id);
        if std::mem::take(&mut self.shift_jis) {
            header.character_code_identifier = Some("1".into());
        }
        let search = style.search_info(card, limit_consent, &format!("{file_id}-1"));
        let request = wire::message(&header, vec![search.to_element()]);
        let ex = match self.transport {
            Transport::WebApi => self.send_webapi(&request)?,
            _ => self.send("OQSsiquc01req", &file_id, style.document(&request))?,
        };
        let ex = self.on_outage(ex, &request, &file_id, style)?;
        let mut conclusion = match ex.answer {
            Answer::Document(root) => wire::conclusion_from_single(&root, style),
            Answer::Rejected(text) => {
                let mut c = wire::rejection(&text);
                if self.is(Mutant::ErrCodeOnly) {
                    c.message = c.error_code.clone();
                }
                c
            }
            Answer::Missing => Conclusion {
                message: Some(NO_ANSWER.into()),
                ..Conclusion::default()
            },
        };
        conclusion.files = ex.files;
        if self.is(Mutant::InventErrorMessage) && conclusion.error_code.is_some() {
            conclusion.message = Some(MADE_UP_ERROR.into());
        }
        Ok(conclusion)
    }

    /// マイナンバーカードによる資格確認 over the terminal's HTTP route. A PIN is entered once:
    /// a wrong or locked PIN is reported, never tried again.
    pub fn check_my_number_card(
        &mut self,
        reader: u32,
        method: MyNumberMethod,
        pin: Option<&str>,
        limit_consent: bool,
        confirmation_date: Option<&str>,
    ) -> Result<Conclusion, String> {
        let style = self.style();
        let mut body = serde_json::json!({
            "reader": reader,
            "method": match method { MyNumberMethod::Visual => "visual", MyNumberMethod::Pin => "pin" },
            "show_limit": limit_consent && !self.is(Mutant::DropLimitConsent),
            "facility": self.facility(),
        });
        if let Some(p) = pin {
            body["pin"] = serde_json::json!(p);
        }
        if let Some(d) = style.confirmation_date(confirmation_date) {
            body["confirmation_date"] = serde_json::json!(d);
        }
        let url = format!("{}/terminal/mynumber", self.base_url());
        let mut answer = self.post_json(&url, &body)?;
        if self.is(Mutant::RetryLockedPin) && is_pin_dialog(&answer) {
            answer = self.post_json(&url, &body)?;
        }
        if let Some(d) = answer.get("dialog") {
            let s = |k: &str| d.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let mut c = Conclusion {
                message: s("message"),
                error_code: s("err"),
                ..Conclusion::default()
            };
            if let Some(m) = self.mutant {
                mutant::mutate_dialog(m, &mut c, s("title"));
            }
            return Ok(c);
        }
        match answer.get("result_xml").and_then(|v| v.as_str()) {
            Some(xml) => {
                let root = wire::parse(xml.as_bytes())?;
                Ok(wire::conclusion_from_single(&root, style))
            }
            None => Err(format!(
                "the terminal answered neither a result nor a dialog: {answer}"
            )),
        }
    }

    /// 照会番号登録 (OQSsiimm01req); an empty number deletes.
    pub fn register_reference_number(
        &mut self,
        card: &InsuranceCard,
        reference_number: &str,
    ) -> Result<RegistrationConclusion, String> {
        if self.is(Mutant::DeletionNotSent) && reference_number.trim().is_empty() {
            return Ok(RegistrationConclusion {
                registered: true,
                message: Some(texts::REFERENCE_NUMBER_DELETED.into()),
                error_code: None,
            });
        }
        let mut r = self.send_registration(card, reference_number)?;
        if self.is(Mutant::AlwaysRegistered) {
            r.registered = true;
        }
        Ok(r)
    }

    fn send_registration(
        &mut self,
        card: &InsuranceCard,
        reference_number: &str,
    ) -> Result<RegistrationConclusion, String> {
        let style = self.style();
        let file_id = self.next_id();
        let facility = if self.is(Mutant::RegistrationHelloFacility) {
            self.endpoints.facility.clone()
        } else {
            self.facility().to_owned()
        };
        let header = style.header(&facility, None, &file_id);
        let info = style.registration_info(card, reference_number);
        let doc = style.document(&wire::message(&header, vec![info.to_element()]));
        let ex = self.send("OQSsiimm01req", &file_id, doc)?;
        let root = match ex.answer {
            Answer::Document(root) => root,
            Answer::Rejected(text) => {
                let c = wire::rejection(&text);
                return Ok(RegistrationConclusion {
                    registered: false,
                    message: c.message,
                    error_code: c.error_code,
                });
            }
            Answer::Missing => {
                return Ok(RegistrationConclusion {
                    registered: false,
                    message: Some(NO_ANSWER.into()),
                    error_code: None,
                })
            }
        };
        let text = |el: Option<&Element>, n: &str| {
            el.and_then(|e| e.child_text(n))
                .map(|s| s.trim().to_owned())
        };
        let header = root.child("MessageHeader");
        if text(header, "SegmentOfResult").as_deref() == Some("9") {
            return Ok(RegistrationConclusion {
                registered: false,
                message: text(header, "ErrorMessage"),
                error_code: text(header, "ErrorCode"),
            });
        }
        let body = root.child("MessageBody");
        if text(body, "ProcessingResultStatus").as_deref() == Some("1") {
            let message = if reference_number.trim().is_empty() {
                texts::REFERENCE_NUMBER_DELETED
            } else {
                texts::REFERENCE_NUMBER_REGISTERED
            };
            return Ok(RegistrationConclusion {
                registered: true,
                message: Some(message.into()),
                error_code: None,
            });
        }
        let message = if self.is(Mutant::InventErrorMessage) {
            Some(MADE_UP_ERROR.into())
        } else {
            text(body, "ProcessingResultMessage")
        };
        Ok(RegistrationConclusion {
            registered: false,
            message,
            error_code: text(body, "ProcessingResultCode"),
        })
    }

    // ----------------------------------------------------------------------------------------
    // Transports

    fn next_id(&mut self) -> String {
        self.seq += 1;
        format!("{}_{:06}", self.nonce, self.seq)
    }

    fn base_url(&self) -> String {
        self.endpoints.http.trim_end_matches('/').to_owned()
    }

    fn http(&mut self) -> Result<&reqwest::blocking::Client, String> {
        if self.http.is_none() {
            let c = reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .map_err(|e| format!("HTTP client: {e}"))?;
            self.http = Some(c);
        }
        self.http
            .as_ref()
            .ok_or_else(|| "HTTP client missing".into())
    }

    fn post_json(
        &mut self,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<serde_json::Value, String> {
        let res = self
            .http()?
            .post(url)
            .json(body)
            .send()
            .map_err(|e| format!("POST {url}: {e}"))?;
        let status = res.status();
        let text = res.text().map_err(|e| format!("POST {url}: {e}"))?;
        if !status.is_success() {
            return Err(format!("POST {url}: HTTP {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("POST {url}: not JSON ({e}): {text}"))
    }

    fn send(&mut self, message: &str, file_id: &str, doc: Vec<u8>) -> Result<Exchanged, String> {
        match self.transport {
            Transport::Http | Transport::WebApi => self.send_http(message, doc),
            Transport::Exchange => self.send_file(message, file_id, doc),
        }
    }

    fn send_webapi(&mut self, request: &Element) -> Result<Exchanged, String> {
        let account = self
            .endpoints
            .webapi
            .clone()
            .ok_or_else(|| "hello named no WebAPI account (simulator.webapi)".to_owned())?;
        let base = self.base_url();
        let mutant = self.mutant;
        let mut session = std::mem::take(&mut self.webapi);
        let searched = webapi::search(self.http()?, &base, &account, &mut session, request, mutant);
        self.webapi = session;
        let answer = match searched? {
            webapi::Searched::Document(root) => Answer::Document(root),
            webapi::Searched::Rejected(text) => Answer::Rejected(text),
        };
        Ok(Exchanged {
            answer,
            files: Vec::new(),
        })
    }

    fn send_http(&mut self, message: &str, doc: Vec<u8>) -> Result<Exchanged, String> {
        let url = format!("{}/xml/{message}", self.base_url());
        let res = self
            .http()?
            .post(&url)
            .header("content-type", "application/xml")
            .body(doc)
            .send()
            .map_err(|e| format!("POST {url}: {e}"))?;
        let status = res.status();
        let bytes = res.bytes().map_err(|e| format!("POST {url}: {e}"))?;
        let answer = if status.is_success() && self.is(Mutant::DecodeResultAsUtf8) {
            // Bytes taken for UTF-8 whatever the prolog says.
            let text = String::from_utf8_lossy(&bytes).replacen("Shift_JIS", "UTF-8", 1);
            Answer::Document(wire::parse(text.as_bytes()).map_err(|e| format!("POST {url}: {e}"))?)
        } else if status.is_success() {
            Answer::Document(wire::parse(&bytes).map_err(|e| format!("POST {url}: {e}"))?)
        } else if status.is_client_error() || status == reqwest::StatusCode::SERVICE_UNAVAILABLE {
            // 4xx: unreadable; 503: システム障害 (ch.12): the error-table text, shown, not retried.
            Answer::Rejected(String::from_utf8_lossy(&bytes).into_owned())
        } else {
            return Err(format!(
                "POST {url}: HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
            ));
        };
        Ok(Exchanged {
            answer,
            files: Vec::new(),
        })
    }

    /// Writes `req/<message>_<id>.xml` atomically (temp name, then rename) and waits for
    /// `res/<…res>_<id>.xml` (read once complete) or `<base>.err`.
    fn send_file(
        &mut self,
        message: &str,
        file_id: &str,
        doc: Vec<u8>,
    ) -> Result<Exchanged, String> {
        let root = PathBuf::from(&self.endpoints.exchange);
        let req_name = format!("{message}_{file_id}.xml");
        let parsed = RequestFileName::parse(&req_name).map_err(|e| e.to_string())?;
        let res_name = parsed.response_name();
        let err_name = RequestFileName::error_name(&req_name);
        let req_dir = root.join("req");
        let res_dir = root.join("res");
        // The exchange takes only `*.xml` names: the temp name is invisible to it.
        let temp = req_dir.join(format!(".{req_name}.part"));
        fs::write(&temp, &doc).map_err(|e| format!("write {}: {e}", temp.display()))?;
        fs::rename(&temp, req_dir.join(&req_name))
            .map_err(|e| format!("rename into req/{req_name}: {e}"))?;
        let mut files = vec![format!("req/{req_name}")];

        let res_path = res_dir.join(&res_name);
        let err_paths = [res_dir.join(&err_name), req_dir.join(&err_name)];
        let timeout = self.timing.answer_timeout;
        let started = Instant::now();
        // Size of the result file at the previous look, to tell "still being written" apart.
        let mut last_size: Option<u64> = None;
        let mut stable_since = Instant::now();
        loop {
            if let Some(bytes) = files::read_if_present(&res_path)? {
                match wire::parse(&bytes) {
                    Ok(doc) => {
                        files.push(format!("res/{res_name}"));
                        return Ok(Exchanged {
                            answer: Answer::Document(doc),
                            files,
                        });
                    }
                    Err(reason) if self.is(Mutant::ReadsPartialResult) => {
                        return Err(format!("res/{res_name} is not a readable result: {reason}"));
                    }
                    Err(reason) => {
                        let size = bytes.len() as u64;
                        if last_size != Some(size) {
                            last_size = Some(size);
                            stable_since = Instant::now();
                        } else if stable_since.elapsed() > Duration::from_secs(2) {
                            return Err(format!("res/{res_name} stays unreadable: {reason}"));
                        }
                    }
                }
            } else if !self.is(Mutant::IgnoreErrFiles) {
                for (i, p) in err_paths.iter().enumerate() {
                    if let Some(text) = files::read_complete_text(p, self.timing.file_poll)? {
                        let dir = if i == 0 { "res" } else { "req" };
                        files.push(format!("{dir}/{err_name}"));
                        return Ok(Exchanged {
                            answer: Answer::Rejected(text),
                            files,
                        });
                    }
                }
            }
            if self.is(Mutant::NoWaitForAnswer) {
                return Ok(Exchanged {
                    answer: Answer::Missing,
                    files,
                });
            }
            if started.elapsed() > timeout {
                if self.is(Mutant::IgnoreErrFiles) {
                    return Ok(Exchanged {
                        answer: Answer::Missing,
                        files,
                    });
                }
                return Err(format!(
                    "no res/{res_name} nor {err_name} within {timeout:?} (is the simulator watching {}?)",
                    root.display()
                ));
            }
            std::thread::sleep(self.timing.file_poll);
        }
    }
}

/// A dialog about the PIN: wrong (the simulator's own, title 暗証番号入力) or locked (ERR-13).
fn is_pin_dialog(answer: &serde_json::Value) -> bool {
    let Some(d) = answer.get("dialog") else {
        return false;
    };
    d.get("err").and_then(|v| v.as_str()) == Some("ERR-13")
        || d.get("title").and_then(|v| v.as_str()) == Some(texts::WRONG_PIN_TITLE)
}
