//! The My Number confirmation, end to end ([`confirm`]): read the card, judge the certificate and
//! the qualification, then journal, record in the history and keep the outcome.

use super::certs;
use super::confirmation::{Choices, Confirmation};
use super::dialog::{card_error_dialog, Dialog};
use super::jpki;
use super::jpki::CardError;
use super::readers::{face_visual_dialog, topology_dialog, FaceMode, ReaderKind};
use super::request::{
    parse_confirmation_date, parse_prescription_form, Method, MyNumberRequest, RequestError,
};
use super::settings::{Fault, TerminalSettings};
use super::state::{lock, Terminal, RECENT_CONFIRMATIONS};
use crate::clock::Clock;
use crate::history::{ConfirmationKind, History, Recorded, TERMINAL_LOGIN_ID};
use crate::journal::{Journal, NewEntry, Transport};
use crate::services::references::ReferenceNumbers;
use chrono::{DateTime, FixedOffset, Months, NaiveDate};
use oqs_domain::assistance;
use oqs_domain::inquiry::{self, ResultOptions};
use oqs_domain::Population;
use oqs_protocol::codes::{
    CardAuthErrorCode, CharacterCode, ConsentFlag, InsuredCardClassification,
    ProcessingResultStatus, QualificationValidity, ReferenceClassification, SegmentOfResult,
};
use oqs_protocol::errors::ErrorTable;
use oqs_protocol::message::SingleInquiryResponse;
use oqs_protocol::message::{format_date, QualificationResult, ResultBody, ResultHeader};
use oqs_protocol::texts;
use std::sync::Arc;
use virtual_card::CardChannel;

/// The services a confirmation reads and writes besides the terminal's own state: the
/// population and clock it judges with, the 照会番号 it shows, and the journal and history it
/// records in ([`crate::Simulator::terminal_context`] builds one).
pub struct Context<'a> {
    pub terminal: &'a Terminal,
    pub population: Arc<Population>,
    pub clock: &'a Clock,
    pub errors: &'a ErrorTable,
    pub references: &'a ReferenceNumbers,
    pub journal: &'a Journal,
    pub history: &'a History,
}

/// What the card-reading part found.
struct CardRead {
    certificate: certs::PresentedCertificate,
}

/// The APDU part: read the certificate; on the PIN path VERIFY and have the challenge signed.
fn read_card(
    ch: &mut dyn CardChannel,
    method: Method,
    pin: Option<&str>,
    challenge: &[u8; 32],
    face: bool,
) -> Result<(CardRead, Option<Vec<u8>>), Box<Dialog>> {
    let stop = |e: CardError| Box::new(card_error_dialog(&e, face));
    ch.connect().map_err(|e| stop(e.into()))?;
    let r = (|| {
        jpki::select_applet(ch)?;
        jpki::read_token(ch)?;
        let der = jpki::read_auth_certificate(ch)?;
        let certificate = certs::parse(&der).map_err(CardError::ReadFailure)?;
        let signature = match method {
            Method::Visual | Method::InsuranceCard | Method::FaceRecognition => None,
            Method::Pin => {
                if jpki::pin_tries_left(ch)? == 0 {
                    return Err(CardError::PinLocked);
                }
                let Some(pin) = pin else {
                    return Ok(None);
                };
                jpki::verify_pin(ch, pin)?;
                let di = jpki::sha256_digest_info(&certs::challenge_hash(challenge));
                Some(Some(jpki::sign(ch, &di)?))
            }
        };
        Ok(Some((CardRead { certificate }, signature.flatten())))
    })();
    ch.disconnect();
    match r {
        Ok(Some(read)) => Ok(read),
        // The PIN path without a PIN (SCR-09 left empty).
        Ok(None) => Err(Box::new(Dialog::simulator(
            texts::WRONG_PIN_TITLE,
            texts::PIN_REQUIRED_MESSAGE.to_owned(),
        ))),
        Err(e) => Err(stop(e)),
    }
}

/// The judged part of a confirmation, before it is recorded.
struct Judged {
    person: Option<String>,
    dialog: Option<Dialog>,
    notice: Option<Dialog>,
    result: Option<SingleInquiryResponse>,
}

impl Judged {
    fn dialog(d: Dialog) -> Self {
        Judged {
            person: None,
            dialog: Some(d),
            notice: None,
            result: None,
        }
    }
}

/// Builds the OQSsiquc01res result of a person for a date (None: no qualification on the date).
pub fn mynumber_result(
    cx: &Context<'_>,
    person_key: &str,
    facility: &str,
    date: NaiveDate,
    choices: &Choices,
    arbitrary_file_identifier: Option<String>,
) -> Option<SingleInquiryResponse> {
    let pop = cx.population.clone();
    let now = cx.clock.now();
    let person = pop.person_by_key(person_key)?;
    // ERR-15: 「保険者等の都合により表示されません。」 (a DV protection flag, 改定履歴 v1.17).
    if pop.person(person).suppressed {
        return None;
    }
    // RULE-37: 医療扶助 only at a facility that uses it.
    let assistance_shown = assistance::shown_at(&pop, facility);
    let shown = |id: &u32| assistance_shown || !pop.qualification(*id).is_medical_assistance();
    let valid: Vec<_> = pop
        .qualifications_of(person)
        .filter(shown)
        .filter(|&id| pop.qualification(id).is_valid_on(date))
        .collect();
    let (ids, validity) = if valid.is_empty() {
        // A qualification that ended is shown as 無効 (SCR-10's invalid-result image), judged
        // as the card path judges it (RULE-02/03); none begun by the date → ERR-15.
        let latest = pop
            .qualifications_of(person)
            .filter(shown)
            .filter(|&id| pop.qualification(id).valid_from <= date)
            .max_by_key(|&id| pop.qualification(id).valid_from)?;
        (
            vec![latest],
            oqs_domain::judgement::validity_on(&pop, latest, date),
        )
    } else {
        (valid, QualificationValidity::Valid)
    };
    let options = ResultOptions {
        facility,
        date,
        now,
        limit_consent: if choices.show_limit {
            ConsentFlag::Consented
        } else {
            ConsentFlag::NotConsented
        },
        specific_disease_allowed: true,
        specific_disease_consent: choices.show_specific_disease,
    };
    let stamp = inquiry::timestamp(now);
    let c = choices.consents;
    // 「診療・薬剤情報」 is one consent covering both 診療情報 and 薬剤情報.
    let consents = inquiry::ViewingConsents {
        operation: c.operation,
        diagnosis_medication: c.diagnosis_medication,
        health_checkup: c.health_checkup,
    };
    let mut results: Vec<QualificationResult> = ids
        .into_iter()
        .map(|id| {
            let mut r = inquiry::qualification_result(&pop, id, &options);
            inquiry::apply_viewing_consents(&mut r, consents, now);
            r
        })
        .collect();
    // ch.6 §1 (2): a valid 医療扶助 without a ticket, shown alone, is 6 有効（未登録）.
    let validity = match results.as_slice() {
        [r] if r.insured_card_classification.as_deref()
            == Some(InsuredCardClassification::MedicalAssistance.code()) =>
        {
            assistance::validity(validity, !r.medical_tickets.is_empty())
        }
        _ => validity,
    };
    // 照会番号 registered by this facility show on every result, My Number ones included.
    cx.references.patch(facility, &mut results);
    Some(SingleInquiryResponse {
        header: ResultHeader {
            process_execution_time: stamp.clone(),
            qualification_confirmation_date: Some(format_date(date)),
            medical_institution_code: Some(facility.to_owned()),
            arbitrary_file_identifier,
            reference_classification: ReferenceClassification::MyNumberCard,
            segment_of_result: SegmentOfResult::Normal,
            error_code: None,
            error_message: None,
            character_code: CharacterCode::Utf8,
        },
        body: Some(ResultBody {
            processing_result_status: ProcessingResultStatus::Normal,
            processing_result_code: None,
            processing_result_message: None,
            qualification_validity: Some(validity),
            prescription_issue_select: choices.prescription_form.map(|f| f.code().to_owned()),
            search_echo: None,
            results,
        }),
    })
}

/// The server-side judgement after the card was read.
#[allow(clippy::too_many_arguments)]
fn judge(
    cx: &Context<'_>,
    read: &CardRead,
    signature: Option<&[u8]>,
    challenge: &[u8; 32],
    face: bool,
    facility: &str,
    date: NaiveDate,
    choices: &Choices,
    arbitrary_file_identifier: Option<String>,
) -> Judged {
    let term = &cx.terminal;
    match term.fault() {
        Some(Fault::CertificateInternalError) => {
            return Judged::dialog(Dialog::catalogue("ERR-07"))
        }
        Some(Fault::AuthenticationError { code }) => {
            let code = code.unwrap_or_else(|| CardAuthErrorCode::Injected.code().to_owned());
            return Judged::dialog(Dialog::auth_error(&code));
        }
        _ => {}
    }
    let cert = &read.certificate;
    if let Some(sig) = signature {
        if !certs::verify_signature(&cert.public_key, challenge, sig) {
            return Judged::dialog(Dialog::auth_error(
                CardAuthErrorCode::SignatureInvalid.code(),
            ));
        }
    }
    let Some(record) = term.lookup_certificate(cert, cx.clock.now()) else {
        return Judged::dialog(Dialog::auth_error(
            CardAuthErrorCode::UnknownCertificate.code(),
        ));
    };
    let person = Some(record.person_key.clone());
    let with_person = |d: Dialog| Judged {
        person: person.clone(),
        ..Judged::dialog(d)
    };
    if record.revoked {
        return with_person(Dialog::catalogue("ERR-05"));
    }
    let now = cx.clock.now();
    if cert.not_after < now {
        return with_person(Dialog::catalogue("ERR-06"));
    }
    if !record.insurance_registered {
        return with_person(Dialog::catalogue(if face { "ERR-27" } else { "ERR-16" }));
    }
    // ERR-08 (AMB-25): within 3 calendar months, inclusive. A notice: the check goes on after
    // 《OK》 to the qualification (which may still end in ERR-15).
    let notice = now
        .checked_add_months(Months::new(3))
        .filter(|limit| cert.not_after <= *limit)
        .map(|_| Dialog::expiring(cert.not_after.date_naive()));
    match mynumber_result(
        cx,
        &record.person_key,
        facility,
        date,
        choices,
        arbitrary_file_identifier,
    ) {
        Some(result) => Judged {
            person,
            dialog: None,
            notice,
            result: Some(result),
        },
        None => {
            // ERR-22 (RULE-45): a 被保護者 with neither qualification gets the ch.6 notice.
            let pop = &cx.population;
            let assisted = pop.person_by_key(&record.person_key).is_some_and(|p| {
                !pop.person(p).suppressed && assistance::assisted_at(pop, p, facility)
            });
            let id = match (face, assisted) {
                (true, _) => "ERR-28",
                (false, true) => "ERR-22",
                (false, false) => "ERR-15",
            };
            Judged {
                notice,
                ..with_person(Dialog::catalogue(id))
            }
        }
    }
}

/// 医療機関コード: the request's (10 half-width digits) or the terminal's.
pub(super) fn facility_of(
    given: Option<&str>,
    settings: &TerminalSettings,
) -> Result<String, RequestError> {
    match given.map(str::trim) {
        None | Some("") => Ok(settings.facility.clone()),
        Some(f) if f.len() == 10 && f.bytes().all(|b| b.is_ascii_digit()) => Ok(f.to_owned()),
        Some(f) => Err(RequestError(format!(
            "医療機関コード \"{f}\" is not 10 half-width digits"
        ))),
    }
}

/// SCR-09 takes 「利用者電子証明書の暗証番号（4桁の数字）」: anything else is refused before the
/// card is touched (no try is spent).
fn check_pin(pin: Option<&str>) -> Result<(), RequestError> {
    match pin {
        Some(p) if p.len() != 4 || !p.bytes().all(|b| b.is_ascii_digit()) => Err(RequestError(
            "暗証番号 must be 4 half-width digits (SCR-09: 利用者電子証明書の暗証番号（4桁の数字）)".into(),
        )),
        _ => Ok(()),
    }
}

/// Resolves the request's choices against the facility settings.
pub(super) fn choices_of(
    req: &MyNumberRequest,
    settings: &TerminalSettings,
) -> Result<Choices, RequestError> {
    settings.check_boxes(Some(req.consents), req.show_specific_disease)?;
    let options = settings.prescription_options();
    let prescription_form = match (&req.prescription_form, options.first()) {
        (_, None) => None,
        (None, Some(first)) => Some(*first), // RULE-23: one is always selected (AMB-10).
        (Some(s), Some(_)) => {
            let f = parse_prescription_form(s)?;
            if !options.contains(&f) {
                return Err(RequestError(format!(
                    "処方箋発行形態 {} is not offered by this facility's settings",
                    f.label()
                )));
            }
            Some(f)
        }
    };
    Ok(Choices {
        consents: req.consents,
        show_limit: req.show_limit,
        show_specific_disease: req.show_specific_disease,
        prescription_form,
    })
}

/// One My Number confirmation, end to end: the one function every way in calls. The outcome
/// is journalled (with the method) and kept for the follow-up actions.
pub fn confirm(cx: &Context<'_>, req: &MyNumberRequest) -> Result<Confirmation, RequestError> {
    let term = &cx.terminal;
    let now = cx.clock.now();
    let date = match &req.confirmation_date {
        Some(s) if !s.trim().is_empty() => parse_confirmation_date(s)?,
        _ => inquiry::today(now),
    };
    let method = req.method.unwrap_or(Method::Visual);
    check_pin(req.pin.as_deref())?;
    let settings = term.settings();
    let facility = facility_of(req.facility.as_deref(), &settings)?;
    let choices = choices_of(req, &settings)?;
    let challenge = term.challenge();
    let mut state = lock(&term.state);
    // Which reader: the one named, else the terminal's generic reader (SCR-08).
    let (index, face) = match req.reader {
        Some(i) => {
            let r = state.readers.get(i).ok_or_else(|| {
                RequestError(format!(
                    "no reader {i} (the terminal has {})",
                    state.readers.len()
                ))
            })?;
            (Some(i), r.kind == ReaderKind::Face)
        }
        None if req.face_reader => (
            state
                .readers
                .iter()
                .position(|r| r.kind == ReaderKind::Face),
            true,
        ),
        None => (
            state
                .readers
                .iter()
                .position(|r| r.kind == ReaderKind::Generic),
            false,
        ),
    };
    let fault = state.fault.clone();
    let (judged, reader_name, reader_kind, method) = {
        let topo = match (face, index) {
            (true, Some(i)) => face_visual_dialog(&state.readers, i),
            (true, None) => None,
            (false, _) => topology_dialog(&state.readers),
        };
        match (topo, index) {
            (Some(err), _) => (Judged::dialog(Dialog::catalogue(err)), None, None, method),
            (None, None) => (
                Judged::dialog(Dialog::catalogue(if face { "ERR-25" } else { "ERR-09" })),
                None,
                None,
                method,
            ),
            (None, Some(i)) => {
                let reader = &mut state.readers[i];
                let name = Some(reader.name.clone());
                let kind = Some(reader.kind);
                // A face reader in 暗証番号認証固定 always asks for the PIN; in 無人運転 a PIN
                // given is used, else the face match stands in for it (simulated as a match).
                let used = match (face, reader.mode, method) {
                    (true, FaceMode::PinOnly, _) => Method::Pin,
                    (true, FaceMode::Visual, _) => Method::Visual,
                    (true, FaceMode::Unattended, Method::Pin) => Method::Pin,
                    (true, FaceMode::Unattended, _) => Method::FaceRecognition,
                    _ => method,
                };
                let judged = if fault == Some(Fault::ReadFailure) {
                    Judged::dialog(card_error_dialog(
                        &CardError::ReadFailure("injected".into()),
                        face,
                    ))
                } else {
                    match read_card(
                        reader.link.channel(),
                        used,
                        req.pin.as_deref(),
                        &challenge,
                        face,
                    ) {
                        Err(d) => Judged::dialog(*d),
                        Ok((read, sig)) => {
                            // The server's part runs without the terminal lock held.
                            drop(state);
                            let j = judge(
                                cx,
                                &read,
                                sig.as_deref(),
                                &challenge,
                                face,
                                &facility,
                                date,
                                &choices,
                                req.arbitrary_file_identifier.clone(),
                            );
                            state = lock(&term.state);
                            j
                        }
                    }
                };
                (judged, name, kind, used)
            }
        }
    };
    let id = state.next_id;
    state.next_id += 1;
    let mut confirmation = Confirmation {
        id,
        at: now.to_rfc3339(),
        method,
        reader: reader_name,
        reader_kind,
        facility,
        confirmation_date: date,
        person: judged.person,
        dialog: judged.dialog,
        notice: judged.notice,
        choices,
        result: judged.result,
        face_file: None,
        history_id: None,
    };
    drop(state);
    if face {
        confirmation.face_file = write_face_result(term, &confirmation, now);
    }
    Ok(keep(cx, confirmation, req, now))
}

/// Journals a finished confirmation, records it in the confirmation history (資格確認履歴,
/// DM-17) and keeps it among the recent ones for SCR-10's follow-ups.
pub(super) fn keep(
    cx: &Context<'_>,
    mut confirmation: Confirmation,
    req: &MyNumberRequest,
    now: DateTime<FixedOffset>,
) -> Confirmation {
    record(cx, &confirmation, req, now);
    let login_id = req.login_id.as_deref().unwrap_or(TERMINAL_LOGIN_ID);
    confirmation.history_id = record_in_history(cx.history, &confirmation, now, login_id);
    let mut state = lock(&cx.terminal.state);
    state.recent.push_back(confirmation.clone());
    while state.recent.len() > RECENT_CONFIRMATIONS {
        state.recent.pop_front();
    }
    confirmation
}

/// The My Number card's history record (FLOW-08/09, face readers): a check that reached a result
/// is recorded with the method and reader it used (DM-17 display texts).
fn record_in_history(
    history: &History,
    c: &Confirmation,
    at: DateTime<FixedOffset>,
    login_id: &str,
) -> Option<u64> {
    let kind = match (c.reader_kind, c.method) {
        (Some(ReaderKind::Face), Method::Visual) => ConfirmationKind::FaceVisual,
        (Some(ReaderKind::Face), Method::Pin) => ConfirmationKind::FacePin,
        (_, Method::Visual) => ConfirmationKind::MyNumberVisual,
        (_, Method::Pin) => ConfirmationKind::MyNumberPin,
        (_, Method::InsuranceCard) => ConfirmationKind::InsuranceCard,
        (_, Method::FaceRecognition) => ConfirmationKind::FaceRecognition,
    };
    let body = c.result.as_ref()?.body.as_ref()?;
    let meta = Recorded {
        facility: c.facility.trim(),
        at,
        login_id,
        kind,
    };
    history.record_body(meta, body)
}

/// A face reader's result into `face/` (name: `naming::face_result_file_name`), atomically.
fn write_face_result(
    term: &Terminal,
    c: &Confirmation,
    now: DateTime<FixedOffset>,
) -> Option<String> {
    let dir = lock(&term.face_dir).clone()?;
    let xml = c.result_xml()?;
    let name = oqs_protocol::naming::face_result_file_name(c.id, &inquiry::timestamp(now));
    match crate::services::files::write_atomically(&dir, &name, xml.as_bytes()) {
        Ok(()) => Some(name),
        Err(e) => {
            tracing::warn!("face result {name}: {e}");
            None
        }
    }
}

/// Journals a confirmation with its method.
pub(super) fn record(
    cx: &Context<'_>,
    c: &Confirmation,
    req: &MyNumberRequest,
    now: DateTime<FixedOffset>,
) {
    let shown = serde_json::json!({
        "method": c.method.label(),
        "reader": c.reader,
        "confirmation_date": c.confirmation_date.format("%Y/%m/%d").to_string(),
        // Never journal a PIN.
        "pin": req.pin.as_ref().map(|_| "****"),
    })
    .to_string();
    let source = match c.reader_kind {
        Some(ReaderKind::Face) => {
            format!("face-reader:{}", c.reader.as_deref().unwrap_or_default())
        }
        // A check made on the operator screens names the account.
        _ => match &req.login_id {
            Some(id) => format!("screen:{id}"),
            None => "/terminal/mynumber".into(),
        },
    };
    cx.journal.record(NewEntry {
        // The instant of `c.at`.
        received_at: now,
        transport: Transport::Terminal,
        message: "mynumber",
        source: &source,
        outcome: if c.dialog.is_some() {
            "dialog"
        } else {
            "answered"
        },
        error_code: c.dialog.as_ref().map(|d| d.err.as_deref().unwrap_or("SIM")),
        error_detail: c.dialog.as_ref().map(|d| d.message.as_str()),
        validity: c.validity().map(|v| v.code()),
        encoding: None,
        request_bytes: shown.len(),
        request: &shown,
        method: Some(c.method.label()),
    });
}
