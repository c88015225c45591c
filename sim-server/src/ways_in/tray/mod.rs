//! The trainer's card tray (`/__tray`, issue 13): the simulator's own page — not part of OQS —
//! beside the operator screens, modelled on the Digital Agency's test-card picker. A trainer
//! puts any virtual card profile on any reader, changes the reader topology, injects and
//! clears faults, sets or freezes the clock and resets, and finds every flow of the manual
//! (FLOW-01..29) and every card dialog (ERR-…) with how to run it ([`exercises`]).
//!
//! Every action calls the services the admin JSON routes call (the card goes through
//! [`crate::ways_in::terminal::insert_card`], as `PUT /__admin/terminal/readers/{i}/card`
//! does); nothing here holds state. The guard ([`crate::ways_in::admin_guard`]) lets a change
//! through only from this page of this simulator, with the admin token's unlock cookie when a
//! token is set; every form carries the tray's CSRF token ([`TrayForm`]).

pub mod exercises;
mod page;
mod presets;
mod samples;

use crate::simulator::Simulator;
use crate::terminal::{topology, FaceMode, Fault, PrescriptionUsage, TerminalSettings};
use crate::ways_in::admin_guard::TrayAccess;
use crate::ways_in::screens::layout::WholePage;
use crate::ways_in::terminal::{insert_card, CardBody};
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::sync::Arc;

type Sim = State<Arc<Simulator>>;

/// Largest tray form (bytes).
const MAX_FORM_BYTES: usize = 16 * 1024;

/// A tray form: refused unless the tray is unlocked and the form carries the tray's CSRF token.
pub struct TrayForm<T>(pub T);

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for TrayForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let access = req.extensions().get::<TrayAccess>().cloned();
        let Some(access) = access.filter(|a| !a.locked) else {
            return Err((StatusCode::UNAUTHORIZED, "tray: locked").into_response());
        };
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if bytes.len() > MAX_FORM_BYTES {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "tray: form too large").into_response());
        }
        let csrf: CsrfField = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| (StatusCode::BAD_REQUEST, format!("tray: form: {e}")).into_response())?;
        if !access.csrf_ok(&csrf.csrf) {
            return Err((
                StatusCode::FORBIDDEN,
                "tray: the form's token is not this tray's (reload the tray)",
            )
                .into_response());
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(TrayForm)
            .map_err(|e| (StatusCode::BAD_REQUEST, format!("tray: form: {e}")).into_response())
    }
}

/// What the page shows above its sections after an action.
#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    /// The done message (a key of [`done_message`]).
    #[serde(default)]
    done: Option<String>,
    /// A confirmation to show (a face reader ran one when a card was put on it).
    #[serde(default)]
    confirmation: Option<u64>,
    /// The exercise just prepared (its next step is shown).
    #[serde(default)]
    exercise: Option<String>,
}

fn done_message(key: &str) -> Option<&'static str> {
    Some(match key {
        "topology" => "カードリーダーの構成を変更しました。",
        "card" => "カードを置きました。",
        "removed" => "カードを取り出しました。",
        "mode" => "顔認証付きカードリーダーのモードを変更しました。",
        "face" => "顔認証付きカードリーダーの日本語名称・セットアップを変更しました。",
        "fault" => "故障の設定を変更しました。",
        "clock" => "時計を変更しました。",
        "reset" => "初期化しました。",
        "pacing" => "一括処理の進み方を変更しました。",
        "settings" => "施設の設定を変更しました。",
        "exercise" => "練習の準備をしました。",
        "unlocked" => "トレイのロックを解除しました。",
        _ => return None,
    })
}

/// After a change: back to the tray (POST → redirect → GET, so a reload changes nothing).
fn done(key: &str, confirmation: Option<u64>) -> Response {
    let mut to = format!("/__tray?done={key}");
    if let Some(id) = confirmation {
        to.push_str(&format!("&confirmation={id}#outcome"));
    }
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// After 《準備》: back to the tray, which shows the exercise's next step and its screen.
fn prepared(exercise: &str, confirmation: Option<u64>) -> Response {
    let mut to = format!("/__tray?done=exercise&exercise={exercise}");
    match confirmation {
        Some(id) => to.push_str(&format!("&confirmation={id}#outcome")),
        None => to.push_str("#prepared"),
    }
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// A change the services refused: the tray again, with the reason (HTTP 422; the whole page,
/// not clipped like a machine route's error).
fn refused(sim: &Simulator, access: &TrayAccess, e: impl std::fmt::Display) -> Response {
    let view = page::View::new(sim, access, &Shown::default(), Some(e.to_string()));
    let mut r = (StatusCode::UNPROCESSABLE_ENTITY, page::tray(&view)).into_response();
    r.extensions_mut().insert(WholePage);
    r
}

async fn show(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    Query(shown): Query<Shown>,
) -> Response {
    if access.locked {
        return page::unlock(&access, None).into_response();
    }
    let view = page::View::new(&sim, &access, &shown, None);
    page::tray(&view).into_response()
}

#[derive(Deserialize)]
struct UnlockForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
}

async fn unlock(
    Extension(access): Extension<TrayAccess>,
    axum::Form(f): axum::Form<UnlockForm>,
) -> Response {
    if !access.csrf_ok(&f.csrf) {
        return (
            StatusCode::FORBIDDEN,
            "tray: the form's token is not this tray's",
        )
            .into_response();
    }
    match access.unlock(&f.token) {
        Some(cookie) => (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, cookie),
                (header::LOCATION, "/__tray?done=unlocked".to_owned()),
            ],
        )
            .into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            page::unlock(&access, Some("管理トークンが違います。")),
        )
            .into_response(),
    }
}

#[derive(Deserialize)]
struct TopologyForm {
    topology: String,
}

/// 《構成を変更》: as `PUT /__admin/terminal/readers {"topology": …}`.
async fn set_topology(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    TrayForm(f): TrayForm<TopologyForm>,
) -> Response {
    match topology(&f.topology) {
        Some(readers) => {
            sim.terminal.set_readers(readers);
            done("topology", None)
        }
        None => refused(
            &sim,
            &access,
            format!("unknown topology \"{}\"", f.topology),
        ),
    }
}

#[derive(Deserialize)]
struct CardForm {
    profile: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    pin: String,
}

/// 《カードを置く》: [`insert_card`], the function `PUT /__admin/terminal/readers/{i}/card` calls
/// (a face reader runs its confirmation at once; the tray then shows it).
async fn put_card(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    Path(index): Path<usize>,
    TrayForm(f): TrayForm<CardForm>,
) -> Response {
    let some = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let body = CardBody {
        profile: None,
        person: some(f.person),
        pin: some(f.pin),
        confirmation_date: None,
    };
    let s = sim.clone();
    let profile = f.profile;
    match tokio::task::spawn_blocking(move || insert_card(&s, index, &profile, body)).await {
        Ok(Ok(v)) => done("card", v["confirmation"]["confirmation"].as_u64()),
        Ok(Err(e)) => refused(&sim, &access, e.0),
        Err(e) => refused(&sim, &access, e),
    }
}

#[derive(Deserialize)]
struct Empty {}

/// 《取り出す》: as `DELETE /__admin/terminal/readers/{i}/card`.
async fn remove_card(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    Path(index): Path<usize>,
    TrayForm(Empty {}): TrayForm<Empty>,
) -> Response {
    match sim.terminal.remove_card(index) {
        Ok(()) => done("removed", None),
        Err(e) => refused(&sim, &access, e.0),
    }
}

#[derive(Deserialize)]
struct ModeForm {
    mode: FaceMode,
}

/// A face reader's mode: as `PUT /__admin/terminal/readers/{i}/mode`.
async fn set_mode(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    Path(index): Path<usize>,
    TrayForm(f): TrayForm<ModeForm>,
) -> Response {
    match sim.terminal.set_face_mode(index, f.mode) {
        Ok(()) => done("mode", None),
        Err(e) => refused(&sim, &access, e.0),
    }
}

#[derive(Deserialize)]
struct FaceForm {
    #[serde(default)]
    label: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    set_up: Option<String>,
}

/// A face reader's 日本語名称 and セットアップ済み: as `PUT /__admin/terminal/readers/{i}/face`.
async fn set_face(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    Path(index): Path<usize>,
    TrayForm(f): TrayForm<FaceForm>,
) -> Response {
    match sim
        .terminal
        .set_face_details(index, Some(f.label), f.set_up.is_some())
    {
        Ok(()) => done("face", None),
        Err(e) => refused(&sim, &access, e.0),
    }
}

#[derive(Deserialize)]
struct TerminalFaultForm {
    /// `""` clears; else a kind of [`Fault`].
    #[serde(default)]
    kind: String,
    #[serde(default)]
    code: String,
}

/// The terminal's fault: as `PUT` / `DELETE /__admin/terminal/fault`.
async fn set_terminal_fault(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    TrayForm(f): TrayForm<TerminalFaultForm>,
) -> Response {
    let code = Some(f.code.trim().to_owned()).filter(|c| !c.is_empty());
    let fault = match f.kind.as_str() {
        "" => None,
        "certificate-internal-error" => Some(Fault::CertificateInternalError),
        "authentication-error" => Some(Fault::AuthenticationError { code }),
        "read-failure" => Some(Fault::ReadFailure),
        other => return refused(&sim, &access, format!("unknown terminal fault \"{other}\"")),
    };
    sim.terminal.set_fault(fault);
    done("fault", None)
}

#[derive(Deserialize)]
struct ExchangeFaultForm {
    #[serde(default)]
    reject: String,
    #[serde(default)]
    partial_write_ms: String,
}

/// The exchange's fault: the same reading as `PUT /__admin/faults/exchange`
/// ([`crate::services::faults::ExchangeFault::from_json`], with its bounds).
async fn set_exchange_fault(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    TrayForm(f): TrayForm<ExchangeFaultForm>,
) -> Response {
    let mut body = serde_json::Map::new();
    if !f.reject.trim().is_empty() {
        body.insert("reject".into(), f.reject.trim().into());
    }
    if !f.partial_write_ms.trim().is_empty() {
        match f.partial_write_ms.trim().parse::<u64>() {
            Ok(ms) => {
                body.insert("partial_write_ms".into(), ms.into());
            }
            Err(_) => return refused(&sim, &access, "partial_write_ms: a whole number of ms"),
        }
    }
    let bytes = serde_json::Value::Object(body).to_string();
    match crate::services::faults::ExchangeFault::from_json(bytes.as_bytes()) {
        Ok(fault) => {
            sim.exchange_faults.set(fault);
            done("fault", None)
        }
        Err(e) => refused(&sim, &access, e),
    }
}

#[derive(Deserialize)]
struct JobsFaultForm {
    /// A checkbox: present when ticked.
    #[serde(default)]
    system_error: Option<String>,
}

/// The job engine's fault: as `PUT /__admin/faults/jobs {"systemError": …}`.
async fn set_jobs_fault(State(sim): Sim, TrayForm(f): TrayForm<JobsFaultForm>) -> Response {
    sim.jobs.set_system_fault(f.system_error.is_some());
    done("fault", None)
}

#[derive(Deserialize)]
struct OutageForm {
    /// 《障害を起こす》 `start` / 《復旧》 `recover`.
    action: String,
}

/// システム障害 (ENV-15): as `PUT /__admin/faults/outage` / `DELETE` (the recovery opens the
/// later check, RULE-92).
async fn set_outage(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    TrayForm(f): TrayForm<OutageForm>,
) -> Response {
    let now = sim.clock.now();
    match f.action.as_str() {
        "start" => {
            sim.outage.start(now, None);
        }
        "recover" => {
            sim.outage.recover(now);
        }
        other => return refused(&sim, &access, format!("unknown outage action \"{other}\"")),
    }
    done("fault", None)
}

#[derive(Deserialize)]
struct PacingForm {
    pacing: String,
}

/// Job pacing: as `PUT /__admin/jobs/pacing`.
async fn set_pacing(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    TrayForm(f): TrayForm<PacingForm>,
) -> Response {
    match crate::jobs::Pacing::parse(&f.pacing) {
        Ok(p) => {
            sim.jobs.set_pacing(p);
            done("pacing", None)
        }
        Err(e) => refused(&sim, &access, e),
    }
}

#[derive(Deserialize)]
struct ClockForm {
    /// 《設定》 (`now` as `yyyy-mm-ddThh:mm[:ss]`, JST), 《今の時刻で止める》, 《実時間に戻す》.
    action: String,
    #[serde(default)]
    now: String,
    #[serde(default)]
    advance: Option<String>,
}

/// The clock: as `PUT` / `DELETE /__admin/clock` ([`crate::clock::parse_now`]).
async fn set_clock(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    TrayForm(f): TrayForm<ClockForm>,
) -> Response {
    match f.action.as_str() {
        "set" => {
            // A browser's datetime-local field: no seconds, no offset; the tray means JST.
            let mut text = f.now.trim().to_owned();
            if text.len() == 16 {
                text.push_str(":00");
            }
            if !text.contains('+') && !text.ends_with('Z') {
                text.push_str("+09:00");
            }
            match crate::clock::parse_now(&text) {
                Ok(t) => sim.clock.set(t, f.advance.is_some()),
                Err(e) => return refused(&sim, &access, format!("時刻: {e}")),
            }
        }
        "freeze" => sim.clock.set(sim.clock.now(), false),
        "system" => sim.clock.reset(),
        other => return refused(&sim, &access, format!("unknown clock action \"{other}\"")),
    }
    done("clock", None)
}

#[derive(Deserialize)]
struct SettingsForm {
    facility: String,
    prescription_usage: PrescriptionUsage,
    /// Checkboxes: present when ticked.
    #[serde(default)]
    consent_usage: Option<String>,
    #[serde(default)]
    prescription_at_check: Option<String>,
    #[serde(default)]
    reader_software: Option<String>,
    #[serde(default)]
    prescription_reader_software: Option<String>,
    /// ENV-04 / ENV-05 (the pharmacy's, as `PUT /__admin/pharmacy/settings`).
    #[serde(default)]
    e_prescription: Option<String>,
    #[serde(default)]
    refill: Option<String>,
}

/// The facility and terminal settings (ENV-01..03, 08, 09): as `PUT /__admin/terminal/settings`
/// (validated by [`TerminalSettings::validate`]); the pharmacy's ENV-04/05 as
/// `PUT /__admin/pharmacy/settings`.
async fn set_settings(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    TrayForm(f): TrayForm<SettingsForm>,
) -> Response {
    let settings = TerminalSettings {
        facility: f.facility.trim().to_owned(),
        consent_usage: f.consent_usage.is_some(),
        prescription_usage: f.prescription_usage,
        prescription_at_check: f.prescription_at_check.is_some(),
        reader_software: f.reader_software.is_some(),
        prescription_reader_software: f.prescription_reader_software.is_some(),
        // ENV-06 is not on the tray's form: kept as it is.
        visiting_service: sim.terminal.settings().visiting_service,
    };
    if let Err(e) = settings.validate() {
        return refused(&sim, &access, e);
    }
    sim.terminal.set_settings(settings);
    sim.pharmacy
        .set_settings(oqs_domain::prescription::PharmacySettings {
            e_prescription: f.e_prescription.is_some(),
            refill: f.refill.is_some(),
        });
    done("settings", None)
}

#[derive(Deserialize)]
struct ResetForm {
    /// `population`, `terminal` or `all`.
    what: String,
}

/// Reset: as `POST /__admin/reset` (population, accounts, screen sessions, WebAPI tokens),
/// `DELETE /__admin/terminal`, and for `all` also every fault cleared.
async fn reset(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    TrayForm(f): TrayForm<ResetForm>,
) -> Response {
    match f.what.as_str() {
        "population" => sim.reset(),
        "terminal" => sim.terminal.reset(),
        "all" => {
            sim.reset();
            sim.terminal.reset();
            sim.exchange_faults.clear();
            sim.jobs.set_system_fault(false);
            sim.outage.clear();
        }
        other => return refused(&sim, &access, format!("unknown reset \"{other}\"")),
    }
    done("reset", None)
}

#[derive(Deserialize)]
struct ExerciseForm {
    id: String,
}

/// 《準備》 of an exercise: its [`exercises::Setup`] through the services ([`presets`]).
async fn prepare(
    State(sim): Sim,
    Extension(access): Extension<TrayAccess>,
    TrayForm(f): TrayForm<ExerciseForm>,
) -> Response {
    let Some(e) = exercises::find(&f.id).filter(|e| e.preset.is_some()) else {
        return refused(&sim, &access, format!("no preset for \"{}\"", f.id));
    };
    let s = sim.clone();
    let run = move || {
        e.preset
            .as_ref()
            .map_or(Ok(None), |p| presets::apply(&s, p))
    };
    match tokio::task::spawn_blocking(run).await {
        Ok(Ok(shown)) => prepared(e.id, shown),
        Ok(Err(e)) => refused(&sim, &access, e),
        Err(e) => refused(&sim, &access, e),
    }
}

/// A sample request file (FLOW-21 / FLOW-26), as a download.
async fn sample(Path(name): Path<String>) -> Response {
    match samples::file(&name) {
        Some(bytes) => crate::ways_in::attachment("application/xml", &name, bytes),
        None => (StatusCode::NOT_FOUND, "tray: no such sample file").into_response(),
    }
}

/// The tray's routes (merged into [`crate::router`]); the guard covers every `/__tray…` path.
pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route("/__tray", get(show))
        .route("/__tray/unlock", post(unlock))
        .route("/__tray/topology", post(set_topology))
        .route("/__tray/readers/{index}/card", post(put_card))
        .route("/__tray/readers/{index}/remove", post(remove_card))
        .route("/__tray/readers/{index}/mode", post(set_mode))
        .route("/__tray/readers/{index}/face", post(set_face))
        .route("/__tray/faults/terminal", post(set_terminal_fault))
        .route("/__tray/faults/exchange", post(set_exchange_fault))
        .route("/__tray/faults/jobs", post(set_jobs_fault))
        .route("/__tray/faults/outage", post(set_outage))
        .route("/__tray/pacing", post(set_pacing))
        .route("/__tray/clock", post(set_clock))
        .route("/__tray/reset", post(reset))
        .route("/__tray/settings", post(set_settings))
        .route("/__tray/exercise", post(prepare))
        .route("/__tray/samples/{name}", get(sample))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES))
}
