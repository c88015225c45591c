//! HTTP routes of the confirmation terminal. Simulator-defined (the real terminal is a browser
//! screen, SCR-08/09/10): documented in README.md「My Number card inquiry」.
//!
//! - `GET  /terminal/mynumber`: SCR-08 as data (guidance, readers, options).
//! - `POST /terminal/mynumber`: one My Number confirmation ([`crate::terminal::MyNumberRequest`] in;
//!   `{"result_xml": …}` or `{"dialog": {"err", "title", "message", "event", …}}` out).
//! - `GET  /terminal/mynumber/{id}`, `GET /terminal/mynumber/{id}/xml` (FLOW-16 download),
//!   `POST /terminal/mynumber/{id}/update` (FLOW-11/13/14 follow-ups).
//! - `POST /terminal/insurance-card`: an insurance-card check (SCR-13) with the 処方箋発行形態
//!   ([`crate::terminal::InsuranceCardRequest`], FLOW-15).
//! - Admin under `/__admin/terminal`: readers and topology, virtual cards by profile, face-reader
//!   mode, facility settings, faults, the certificate registry, saved PIN states, reset.

use crate::services::reference_edit::EditRefused;
use crate::simulator::Simulator;
use crate::terminal::{
    confirm, confirm_insurance_card, topology, update, Confirmation, Dialog, FaceMode, Fault,
    InsuranceCardRequest, Method, MyNumberRequest, Reader, ReaderKind, RequestError,
    TerminalSettings, Update, TOPOLOGIES,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use oqs_protocol::codes::PrescriptionIssueForm;
use oqs_protocol::texts;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::sync::Arc;

type Sim = State<Arc<Simulator>>;

/// Largest JSON body the terminal routes accept (HTTP 413 beyond).
pub const MAX_TERMINAL_BODY: usize = 64 * 1024;

fn error(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({"error": msg.into()}))).into_response()
}

fn unprocessable(e: RequestError) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, e.0)
}

/// Reads a JSON body; an empty body is the type's default. Errors are HTTP 400 answers.
fn body<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, Box<Response>> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        Box::new(error(
            StatusCode::BAD_REQUEST,
            format!("invalid JSON body: {e}"),
        ))
    })
}

fn dialog_json(d: &Dialog) -> Value {
    serde_json::to_value(d).unwrap_or(Value::Null)
}

/// A confirmation as the terminal routes answer it.
pub fn confirmation_json(c: &Confirmation) -> Value {
    let mut v = json!({
        "confirmation": c.id,
        "method": c.method.label(),
        "reader": c.reader,
        "confirmation_date": c.confirmation_date.format("%Y/%m/%d").to_string(),
        "facility": c.facility,
        "person": c.person,
    });
    if let Some(n) = &c.notice {
        v["notice"] = dialog_json(n);
    }
    if let Some(d) = &c.dialog {
        v["dialog"] = dialog_json(d);
        // ERR-19: the SCR-08 guidance that answers a face reader beside a generic one.
        if d.err.as_deref() == Some("ERR-17") {
            v["guidance"] = json!(texts::ERR19_GUIDANCE);
        }
        return v;
    }
    if let Some(validity) = c.validity() {
        v["validity"] = json!(validity.code());
        v["banner"] = json!(texts::banner(validity));
    }
    // AMB-24: no consent block after an insurance-card check (the screenshots show none).
    if c.method != Method::InsuranceCard {
        v["consents"] = json!(c.choices.consents.labels());
    }
    // DLG-27 before a visual check on a face reader, DLG-28 after it succeeded (not after
    // ERR-27, RULE-94).
    if c.reader_kind == Some(ReaderKind::Face) && c.method == Method::Visual {
        let mut dialogs = vec![texts::DLG_27];
        if c.notice.is_none() && c.validity().is_some() {
            dialogs.push(texts::DLG_28);
        }
        v["dialogs"] = json!(dialogs);
    }
    v["show_limit"] = json!(c.choices.show_limit);
    v["show_specific_disease"] = json!(c.choices.show_specific_disease);
    v["prescription_form"] = json!(c
        .choices
        .prescription_form
        .map_or("未選択", PrescriptionIssueForm::label));
    // SCR-11 (ch.6 §1): tabs, masked numbers, ERR-20/21 texts and tickets of a 医療扶助 result.
    if let Some(view) = c
        .result
        .as_ref()
        .and_then(|r| r.body.as_ref())
        .and_then(oqs_domain::assistance::Scr11::of)
    {
        v["assistance"] = json!(view);
    }
    v["result_xml"] = json!(c.result_xml());
    if let Some(f) = &c.face_file {
        v["face_file"] = json!(f);
    }
    v
}

async fn get_screen(State(sim): Sim) -> Json<Value> {
    let settings = sim.terminal.settings();
    Json(json!({
        "title": "資格情報照会(マイナンバーカード)",
        "guidance": texts::MYNUMBER_GUIDANCE,
        // SCR-08 ① 本人確認: the radios as the screen labels them.
        "methods": [texts::SCR08_METHOD_VISUAL, texts::SCR08_METHOD_PIN],
        "visual_done_box": texts::SCR08_VISUAL_DONE_BOX,
        "pin_prompt": texts::SCR08_PIN_PROMPT,
        // Checking a consent box opens its dialog (DLG-05/06; DLG-04 is an image only).
        "consent_dialogs": settings.consent_boxes().iter().filter_map(|b| {
            let d = if *b == texts::CONSENT_DIAGNOSIS_MEDICATION[0] {
                texts::DLG_05
            } else if *b == texts::CONSENT_HEALTH_CHECKUP[0] {
                texts::DLG_06
            } else {
                return None;
            };
            Some(json!({"box": b, "dialog": d}))
        }).collect::<Vec<_>>(),
        "prescription_forms": settings.prescription_options().iter().map(|f| match f {
            PrescriptionIssueForm::Electronic => texts::PRESCRIPTION_ELECTRONIC,
            PrescriptionIssueForm::Paper => texts::PRESCRIPTION_PAPER,
        }).collect::<Vec<_>>(),
        "consent_boxes": settings.consent_boxes(),
        "limit_box": texts::SHOW_LIMIT_BOX,
        "specific_disease_box": settings.consent_usage.then_some(texts::SHOW_SPECIFIC_DISEASE_BOX),
        "readers": sim.terminal.readers(),
    }))
}

async fn post_mynumber(State(sim): Sim, bytes: axum::body::Bytes) -> Response {
    let req: MyNumberRequest = match body(&bytes) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    // APDUs and RSA run off the async workers.
    let s = sim.clone();
    match tokio::task::spawn_blocking(move || confirm(&s.terminal_context(), &req)).await {
        Ok(Ok(c)) => Json(confirmation_json(&c)).into_response(),
        Ok(Err(e)) => unprocessable(e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// FLOW-15: an insurance-card check (SCR-13) with the 処方箋発行形態.
async fn post_insurance_card(State(sim): Sim, bytes: axum::body::Bytes) -> Response {
    let req: InsuranceCardRequest = match body(&bytes) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    match confirm_insurance_card(&sim.terminal_context(), &req) {
        Ok(c) => Json(confirmation_json(&c)).into_response(),
        Err(e) => unprocessable(e),
    }
}

async fn get_confirmation(State(sim): Sim, Path(id): Path<u64>) -> Response {
    match sim.terminal.confirmation(id) {
        Some(c) => Json(confirmation_json(&c)).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            format!("no recent confirmation {id}"),
        ),
    }
}

/// The result XML of confirmation `id` as a download (file name simulator-defined, AMB-70); the
/// WebAPI and SCR-10's 《ダウンロード》 both answer with it.
pub fn result_xml_download(id: u64, xml: String) -> Response {
    crate::ways_in::attachment(
        "application/xml; charset=UTF-8",
        &format!("OQSsiquc01res_mynumber_{id:06}.xml"),
        xml,
    )
}

/// FLOW-16: 《ダウンロード》 of the result XML (file name: simulator-defined, AMB-70).
async fn get_confirmation_xml(State(sim): Sim, Path(id): Path<u64>) -> Response {
    match sim.terminal.confirmation(id).and_then(|c| c.result_xml()) {
        Some(xml) => result_xml_download(id, xml),
        None => error(
            StatusCode::NOT_FOUND,
            format!("no result of confirmation {id}"),
        ),
    }
}

async fn post_update(State(sim): Sim, Path(id): Path<u64>, bytes: axum::body::Bytes) -> Response {
    let u: Update = match body(&bytes) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    match update(&sim.terminal_context(), id, &u) {
        Ok(c) => Json(confirmation_json(&c)).into_response(),
        Err(e) => unprocessable(e),
    }
}

/// SCR-14 on SCR-10: 《登録》 / 《更新》 of the 照会番号 of a recent confirmation's card (an empty
/// value deletes it). Registered as OQSsiimm01 (journalled with transport terminal); the answer
/// carries DLG-10, which the manual shows for all three (AMB-68), and the step text.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ReferenceEdit {
    reference_number: String,
}

async fn post_reference_number(
    State(sim): Sim,
    Path(id): Path<u64>,
    bytes: axum::body::Bytes,
) -> Response {
    let edit: ReferenceEdit = match body(&bytes) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    match sim.edit_reference_number(id, 0, &edit.reference_number, None) {
        Ok(done) => Json(json!({
            "confirmation": id,
            "reference_number": done.reference_number,
            // All three steps show DLG-10's text (AMB-68).
            "dialog": texts::DLG_10,
            "dialog_id": done.dialog,
            "message": done.message,
        }))
        .into_response(),
        Err(EditRefused::NotFound(_)) => error(
            StatusCode::NOT_FOUND,
            format!("no recent confirmation {id}"),
        ),
        Err(EditRefused::Refused(e)) => unprocessable(e),
    }
}

// ----- admin -----

/// The terminal as `GET /__admin/terminal` answers it.
pub fn terminal_json(sim: &Simulator) -> Value {
    let t = &sim.terminal;
    json!({
        "readers": t.readers(),
        "settings": t.settings(),
        "fault": t.fault(),
        "topologies": TOPOLOGIES,
        "profiles": t.issuer().map(|i| i.profiles()).unwrap_or_default(),
        "certificates": t.registered_certificates().len(),
    })
}

async fn get_terminal(State(sim): Sim) -> Json<Value> {
    Json(terminal_json(&sim))
}

async fn delete_terminal(State(sim): Sim) -> Json<Value> {
    sim.terminal.reset();
    Json(terminal_json(&sim))
}

/// One reader of `PUT /__admin/terminal/readers` `{"readers": [...]}`.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ReaderSpec {
    kind: ReaderKind,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    mode: Option<FaceMode>,
    /// A PC/SC reader by name (needs the `pcsc` feature).
    #[serde(default)]
    pcsc: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ReadersBody {
    topology: Option<String>,
    readers: Option<Vec<ReaderSpec>>,
}

fn build_reader(spec: ReaderSpec) -> Result<Reader, String> {
    let mut r = match spec.pcsc {
        Some(name) => pcsc_reader(spec.kind, &name)?,
        None => Reader::virtual_reader(
            spec.kind,
            spec.name.unwrap_or_else(|| match spec.kind {
                ReaderKind::Generic => crate::terminal::GENERIC_READER_NAME.to_owned(),
                ReaderKind::Face => crate::terminal::FACE_READER_NAMES[0].to_owned(),
            }),
        ),
    };
    if let Some(m) = spec.mode {
        r.mode = m;
    }
    Ok(r)
}

#[cfg(feature = "pcsc")]
fn pcsc_reader(kind: ReaderKind, name: &str) -> Result<Reader, String> {
    crate::terminal::pcsc_channel(name).map(|c| Reader::external(kind, c))
}

#[cfg(not(feature = "pcsc"))]
fn pcsc_reader(_kind: ReaderKind, name: &str) -> Result<Reader, String> {
    Err(format!(
        "PC/SC reader \"{name}\": this simulator was built without the `pcsc` feature \
         (cargo build -p sim-server --features pcsc)"
    ))
}

async fn put_readers(State(sim): Sim, bytes: axum::body::Bytes) -> Response {
    let b: ReadersBody = match body(&bytes) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let readers = match (b.topology, b.readers) {
        (Some(t), None) => match topology(&t) {
            Some(r) => r,
            None => {
                return unprocessable(RequestError(format!(
                    "unknown topology \"{t}\" (known: {})",
                    TOPOLOGIES.join(", ")
                )))
            }
        },
        (None, Some(specs)) => {
            let mut out = Vec::new();
            for s in specs {
                match build_reader(s) {
                    Ok(r) => out.push(r),
                    Err(e) => return unprocessable(RequestError(e)),
                }
            }
            out
        }
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "body must be {\"topology\": \"generic\"} or {\"readers\": [{\"kind\": \"generic\"}, …]}",
            )
        }
    };
    sim.terminal.set_readers(readers);
    Json(terminal_json(&sim)).into_response()
}

/// A card to put on a reader: the body of `PUT /__admin/terminal/readers/{index}/card` (and of
/// the trainer's tray, which calls [`insert_card`] too).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CardBody {
    pub profile: Option<String>,
    /// The card holder (person key of the population); default: the profile's person.
    pub person: Option<String>,
    /// For a face reader: the PIN the patient enters on it (暗証番号認証固定 / 無人運転).
    pub pin: Option<String>,
    /// For a face reader: 資格確認日 of the check it runs.
    #[serde(alias = "資格確認日")]
    pub confirmation_date: Option<String>,
}

/// Inserts a virtual card of `profile`. On a face reader in 無人運転 or 暗証番号認証固定 the reader
/// runs the confirmation at once (the patient authenticates at the reader) and writes the result
/// into `face/`: the answer then carries `"confirmation"`. In 目視確認 the card waits on the
/// reader for SCR-31's check (`POST /terminal/mynumber {"face_reader": true}`). Blocking (APDUs, RSA): call it off the async workers.
pub fn insert_card(
    sim: &Simulator,
    index: usize,
    profile: &str,
    b: CardBody,
) -> Result<Value, RequestError> {
    // The holder must be a person of the population (the key also names a PIN-state file).
    if let Some(person) = &b.person {
        if sim.population().person_by_key(person).is_none() {
            let shown: String = person.chars().take(64).collect();
            return Err(RequestError(format!("person: \"{shown}\" is not a person of the population (a person key such as kouki-jiro)")));
        }
    }
    let state_dir = crate::terminal::card_state_dir(sim.settings.data_dir.as_deref());
    sim.terminal.insert_profile_keeping_pins(
        index,
        profile,
        b.person.as_deref(),
        sim.clock.now(),
        state_dir.as_deref(),
    )?;
    // A face reader checks by itself in 無人運転 / 暗証番号認証固定; in 目視確認 the card waits
    // for the staff's 《OK》 on DLG-27 (SCR-31, ch.9 §3 steps 4–5).
    let checks_by_itself = sim
        .terminal
        .readers()
        .get(index)
        .is_some_and(|r| r.kind == ReaderKind::Face && r.mode != Some(FaceMode::Visual));
    let mut v = terminal_json(sim);
    if checks_by_itself {
        let req = MyNumberRequest {
            reader: Some(index),
            method: Some(if b.pin.is_some() {
                Method::Pin
            } else {
                Method::Visual
            }),
            pin: b.pin,
            confirmation_date: b.confirmation_date,
            ..MyNumberRequest::default()
        };
        let c = confirm(&sim.terminal_context(), &req)?;
        v["confirmation"] = confirmation_json(&c);
    }
    Ok(v)
}

async fn put_card(State(sim): Sim, Path(index): Path<usize>, bytes: axum::body::Bytes) -> Response {
    let mut b: CardBody = match body(&bytes) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let Some(profile) = b.profile.take() else {
        return error(
            StatusCode::BAD_REQUEST,
            "body must name a card: {\"profile\": \"valid\"}",
        );
    };
    let s = sim.clone();
    match tokio::task::spawn_blocking(move || insert_card(&s, index, &profile, b)).await {
        Ok(Ok(v)) => Json(v).into_response(),
        Ok(Err(e)) => unprocessable(e),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

async fn delete_card(State(sim): Sim, Path(index): Path<usize>) -> Response {
    match sim.terminal.remove_card(index) {
        Ok(()) => Json(terminal_json(&sim)).into_response(),
        Err(e) => unprocessable(e),
    }
}

#[derive(Debug, serde::Deserialize)]
struct ModeBody {
    mode: FaceMode,
}

async fn put_mode(State(sim): Sim, Path(index): Path<usize>, bytes: axum::body::Bytes) -> Response {
    let b: ModeBody = match serde_json::from_slice(&bytes) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("body must be {{\"mode\": \"無人運転\" | \"暗証番号認証固定\" | \"目視確認\"}}: {e}"),
            )
        }
    };
    match sim.terminal.set_face_mode(index, b.mode) {
        Ok(()) => Json(terminal_json(&sim)).into_response(),
        Err(e) => unprocessable(e),
    }
}

/// `PUT /__admin/terminal/readers/{index}/face`: a face reader's 日本語名称 and セットアップ済み.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FaceDetailsBody {
    #[serde(default)]
    label: Option<String>,
    #[serde(default = "yes")]
    set_up: bool,
}

fn yes() -> bool {
    true
}

async fn put_face_details(
    State(sim): Sim,
    Path(index): Path<usize>,
    bytes: axum::body::Bytes,
) -> Response {
    let b: FaceDetailsBody = match serde_json::from_slice(&bytes) {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("body must be {{\"label\": \"外科受付用\", \"set_up\": true}}: {e}"),
            )
        }
    };
    match sim.terminal.set_face_details(index, b.label, b.set_up) {
        Ok(()) => Json(terminal_json(&sim)).into_response(),
        Err(e) => unprocessable(e),
    }
}

async fn put_fault(State(sim): Sim, bytes: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<Fault>(&bytes) {
        Ok(f) => {
            sim.terminal.set_fault(Some(f));
            Json(terminal_json(&sim)).into_response()
        }
        Err(e) => error(
            StatusCode::BAD_REQUEST,
            format!(
                "body must be {{\"kind\": \"certificate-internal-error\" | \"authentication-error\" (with optional \"code\") | \"read-failure\"}}: {e}"
            ),
        ),
    }
}

/// Like `oqs-vcard reset-pin`: forgets every saved PIN state (`--data-dir` only).
async fn delete_pin_states(State(sim): Sim) -> Response {
    match crate::terminal::reset_pin_states(sim.settings.data_dir.as_deref()) {
        Ok(n) => Json(json!({ "reset": n })).into_response(),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("card states: {e}"),
        ),
    }
}

async fn delete_fault(State(sim): Sim) -> Json<Value> {
    sim.terminal.set_fault(None);
    Json(terminal_json(&sim))
}

async fn put_settings(State(sim): Sim, bytes: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<TerminalSettings>(&bytes) {
        Ok(s) => {
            if let Err(e) = s.validate() {
                return error(StatusCode::BAD_REQUEST, e);
            }
            sim.terminal.set_settings(s);
            Json(terminal_json(&sim)).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, format!("settings: {e}")),
    }
}

async fn get_certificates(State(sim): Sim) -> Json<Value> {
    let rows: Vec<Value> = sim
        .terminal
        .registered_certificates()
        .into_iter()
        .map(|(serial, r)| json!({"serial": serial, "person": r.person_key, "revoked": r.revoked, "insurance_registered": r.insurance_registered}))
        .collect();
    Json(json!({ "certificates": rows }))
}

/// The terminal's routes (merged into [`crate::router`]).
pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route("/terminal/mynumber", get(get_screen).post(post_mynumber))
        .route("/terminal/insurance-card", post(post_insurance_card))
        .route("/terminal/mynumber/{id}", get(get_confirmation))
        .route("/terminal/mynumber/{id}/xml", get(get_confirmation_xml))
        .route("/terminal/mynumber/{id}/update", post(post_update))
        .route(
            "/terminal/mynumber/{id}/reference-number",
            post(post_reference_number),
        )
        .route(
            "/__admin/terminal",
            get(get_terminal).delete(delete_terminal),
        )
        .route("/__admin/terminal/readers", put(put_readers))
        .route(
            "/__admin/terminal/readers/{index}/card",
            put(put_card).delete(delete_card),
        )
        .route("/__admin/terminal/readers/{index}/mode", put(put_mode))
        .route(
            "/__admin/terminal/readers/{index}/face",
            put(put_face_details),
        )
        .route(
            "/__admin/terminal/fault",
            put(put_fault).delete(delete_fault),
        )
        .route("/__admin/terminal/settings", put(put_settings))
        .route(
            "/__admin/terminal/pin-states",
            axum::routing::delete(delete_pin_states),
        )
        .route("/__admin/terminal/certificates", get(get_certificates))
        // The terminal's bodies are small JSON: bounded here (the XML routes have their own limit).
        .layer(axum::extract::DefaultBodyLimit::max(MAX_TERMINAL_BODY))
}
