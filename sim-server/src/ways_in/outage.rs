//! システム障害 (ch.12, ENV-15) and the emergency period (ENV-14) over HTTP:
//!
//! | route | what |
//! |---|---|
//! | `GET/PUT/DELETE /__admin/faults/outage` | `{"outage":true,"later_check_days":30}` puts the simulator in システム障害; `DELETE` (or `{"outage":false}`) is the recovery |
//! | `GET/PUT/DELETE /__admin/emergency-period` | `{"from":"2024-01-01","until":"2024-01-31"}`: the 対象期間 of 緊急時医療情報・資格確認機能 |
//! | `POST /outage/later-check` | RULE-92 after recovery: the noted data (DM-23) → the qualification, recorded as 「システム障害時」; the operator is the caller authenticated by `Authorization: Basic` (its account's facility and login id; a `facility` / `login_id` in the body is refused). The screen is `/later-check` (`screens::later_check`) |
//! | `GET /emergency` | RULE-90: the menu item, only inside its 対象期間 |
//! | `POST /emergency/check` | a card checked through 緊急時医療情報・資格確認機能, recorded as 「災害時」; the caller authenticated like the later check |
//!
//! While in outage, [`refusal`] answers every machine and terminal route with 503 and the manual's
//! fallback (RULE-91), journalled, and every operator screen with a 503 page of the same
//! fallback; `POST /xml/…` and the exchange are refused by the inquiry service itself
//! (`system-outage`). The admin API and the trainer's tray stay open.

use crate::journal::Transport;
use crate::services::accounts::sessions::Stage;
use crate::services::accounts::{AccountView, Kind, Login};
use crate::services::outage::{DayRange, MAX_LATER_CHECK_DAYS};
use crate::services::recovery::{Checked, RecoveryError};
use crate::simulator::Simulator;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use chrono::NaiveDate;
use oqs_domain::fixtures::parse_fixture_date;
use oqs_domain::outage::NotedData;
use oqs_protocol::codes::{QualificationValidity, Sex};
use oqs_protocol::message::SearchInfo;
use oqs_protocol::texts::outage as t;
use oqs_protocol::ErrorKind;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// RULE-91: what staff do while the system cannot be used.
fn fallback() -> Value {
    json!({
        "situation": t::SITUATION,
        "insuranceCard": t::WITH_INSURANCE_CARD,
        "myNumberCard": t::WITH_MY_NUMBER_CARD,
        "note": [t::NOTE_FROM_CARD, t::NOTE_FROM_QUESTIONNAIRE],
        "afterRecovery": t::AFTER_RECOVERY,
    })
}

/// What a request reaches, as the outage sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reached {
    /// A route a client or the terminal uses: refused with 503 and the fallback as JSON.
    Machine(Transport),
    /// An operator screen (they are OQS's own pages): refused with 503 and the fallback as a page.
    Screen,
    /// Not refused here: the admin API and the trainer's tray (the simulator's own), and
    /// `POST /xml/…`, which the inquiry service refuses itself (`system-outage`).
    Open,
}

/// `path` is `prefix` or below it (`/history`, `/history/…`, `/history.csv`; not `/history-search`).
fn under(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '.']))
}

fn reached(path: &str) -> Reached {
    if ["/__admin", "/__tray", "/xml"]
        .iter()
        .any(|p| under(path, p))
    {
        Reached::Open
    } else if under(path, "/oqs-api-pro") {
        Reached::Machine(Transport::WebApi)
    } else if under(path, "/terminal") {
        Reached::Machine(Transport::Terminal)
    } else if [
        "/jobs",
        "/history",
        "/dispensing",
        "/emergency",
        "/outage",
        "/visiting",
        "/pharmacy",
    ]
    .iter()
    .any(|p| under(path, p))
    {
        Reached::Machine(Transport::HttpXml)
    } else {
        Reached::Screen
    }
}

/// The page every operator screen shows during an outage: RULE-91's fallback and DM-23.
fn screen_page(message: &str) -> Response {
    let page = maud::html! {
        (maud::DOCTYPE)
        html lang="ja" {
            head { meta charset="utf-8"; title { "システム障害" } }
            body style="font-family:sans-serif;margin:40px" {
                h1 { (message) }
                p { (t::SITUATION) }
                dl {
                    dt { (t::INSURANCE_CARD_CASE) } dd { (t::WITH_INSURANCE_CARD) }
                    dt { (t::MY_NUMBER_CARD_CASE) } dd { (t::WITH_MY_NUMBER_CARD) }
                }
                ul { li { (t::NOTE_FROM_CARD) } li { (t::NOTE_FROM_QUESTIONNAIRE) } }
                p { (t::AFTER_RECOVERY) }
            }
        }
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        page,
    )
        .into_response()
}

/// During an outage, the answer refusing a request for `path` (503 with the `system-outage` row
/// and RULE-91's fallback); `None` lets it through. Called by the one front layer
/// ([`super::front`]) on every request: one atomic load unless the simulator is in outage.
pub fn refusal(sim: &Simulator, path: &str) -> Option<Response> {
    if !sim.outage.active() {
        return None;
    }
    let transport = match reached(path) {
        Reached::Open => return None,
        Reached::Screen => return sim.outage_check().err().map(|r| screen_page(&r.message)),
        Reached::Machine(t) => t,
    };
    let r = sim.outage_check().err()?;
    sim.record_rejection(transport, path, path, &[], &r);
    let body = if transport == Transport::WebApi {
        // The WebAPI's own error shape (docs/interface.md §1.3).
        json!({"status": "1", "msg": r.message, "errorCode": r.code, "detail": r.detail, "result": null})
    } else {
        json!({
            "error": "ENV-15",
            "code": r.code,
            "message": r.message,
            "fallback": fallback(),
        })
    };
    Some((StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response())
}

fn problem(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({ "error": msg.into() }))).into_response()
}

fn outage_view(sim: &Simulator) -> Value {
    let ep = sim.outage.episode();
    json!({
        "outage": sim.outage.active(),
        "startedAt": ep.map(|e| e.started_at.to_rfc3339()),
        "recoveredAt": ep.and_then(|e| e.recovered_at.map(|r| r.to_rfc3339())),
        "laterCheckDays": ep.map(|e| e.later_check_days),
        "laterCheckUntil": ep.and_then(|e| e.later_check_until().map(|u| u.to_rfc3339())),
        "message": sim.error_table().entry(ErrorKind::SystemOutage).message,
        "fallback": fallback(),
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutageBody {
    outage: bool,
    #[serde(default)]
    later_check_days: Option<u32>,
}

async fn get_outage(State(sim): State<Arc<Simulator>>) -> Response {
    Json(outage_view(&sim)).into_response()
}

async fn put_outage(State(sim): State<Arc<Simulator>>, body: axum::body::Bytes) -> Response {
    let b: OutageBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("expected {{\"outage\":true|false,\"later_check_days\":30}}: {e}"),
            )
        }
    };
    if b.later_check_days.is_some_and(|d| d > MAX_LATER_CHECK_DAYS) {
        return problem(
            StatusCode::BAD_REQUEST,
            format!("later_check_days: at most {MAX_LATER_CHECK_DAYS}"),
        );
    }
    let now = sim.clock.now();
    if b.outage {
        sim.outage.start(now, b.later_check_days);
    } else {
        sim.outage.recover(now);
    }
    Json(outage_view(&sim)).into_response()
}

async fn delete_outage(State(sim): State<Arc<Simulator>>) -> Response {
    sim.outage.recover(sim.clock.now());
    Json(outage_view(&sim)).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodBody {
    from: String,
    until: String,
}

fn period_view(sim: &Simulator) -> Value {
    let p = sim.outage.emergency_period();
    json!({
        "from": p.map(|p| p.from.format("%Y-%m-%d").to_string()),
        "until": p.map(|p| p.until.format("%Y-%m-%d").to_string()),
        "open": sim.outage.emergency_open(oqs_domain::inquiry::today(sim.clock.now())),
    })
}

async fn get_period(State(sim): State<Arc<Simulator>>) -> Response {
    Json(period_view(&sim)).into_response()
}

async fn put_period(State(sim): State<Arc<Simulator>>, body: axum::body::Bytes) -> Response {
    let parsed = serde_json::from_slice::<PeriodBody>(&body)
        .map_err(|e| format!("expected {{\"from\":\"2024-01-01\",\"until\":\"2024-01-31\"}}: {e}"))
        .and_then(|b| {
            let d = |s: &str, f: &str| {
                parse_fixture_date(s).ok_or_else(|| format!("{f}: \"{s}\" is not a date"))
            };
            let (from, until) = (d(&b.from, "from")?, d(&b.until, "until")?);
            if until < from {
                return Err(format!("until {until} is before from {from}"));
            }
            Ok(DayRange { from, until })
        });
    match parsed {
        Ok(p) => {
            sim.outage.set_emergency_period(Some(p));
            Json(period_view(&sim)).into_response()
        }
        Err(e) => problem(StatusCode::BAD_REQUEST, e),
    }
}

async fn delete_period(State(sim): State<Arc<Simulator>>) -> Response {
    sim.outage.set_emergency_period(None);
    Json(period_view(&sim)).into_response()
}

/// The noted data (DM-23) as typed, on the later-check screen or in the JSON body.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct TypedNotes {
    /// 氏名（漢字）.
    #[serde(default)]
    pub name: String,
    /// 男 / 女 / 未設定 (or 1/2/3).
    #[serde(default)]
    pub sex: Option<String>,
    /// `yyyy/mm/dd` or `yyyy-mm-dd`.
    #[serde(default)]
    pub birthdate: String,
    #[serde(default)]
    pub address: Option<String>,
    /// 氏名（カナ）.
    #[serde(default)]
    pub kana: Option<String>,
    /// 加入している保険者名（任意）.
    #[serde(default)]
    pub insurer_name: Option<String>,
    /// The day the patient came (default: the outage's first day).
    #[serde(default)]
    pub visited_on: Option<String>,
}

impl TypedNotes {
    /// The notes and the day the patient came; what is not a date or a 性別 is named.
    pub fn read(self) -> Result<(NotedData, Option<NaiveDate>), String> {
        let date = |s: Option<&str>, f: &str| -> Result<Option<NaiveDate>, String> {
            match s.map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(v) => parse_fixture_date(v).map(Some).ok_or_else(|| {
                    format!(
                        "{f}: \"{}\" is not a date",
                        v.chars().take(20).collect::<String>()
                    )
                }),
            }
        };
        let birthdate = date(Some(&self.birthdate), "birthdate")?;
        let visited_on = date(self.visited_on.as_deref(), "visited_on")?;
        let sex = match self.sex.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                Sex::from_label(s)
                    .or_else(|| Sex::from_code(s))
                    .ok_or("sex: 男, 女 or 未設定")?,
            ),
        };
        let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        Ok((
            NotedData {
                name: self.name,
                sex,
                birthdate,
                address: blank(self.address),
                kana: blank(self.kana),
                insurer_name: blank(self.insurer_name),
            },
            visited_on,
        ))
    }
}

/// The caller of a recovery route: a staff account proven by HTTP Basic
/// (`Authorization: Basic base64(ユーザID:パスワード)`), checked as a login is (AUTH-02/03: five
/// wrong passwords lock it, ERR-01). The login id and the facility are the account's, never
/// the request's; an account that must change its password first (ERR-02/03) is refused.
async fn caller(sim: &Arc<Simulator>, headers: &HeaderMap) -> Result<AccountView, Response> {
    let unauthorized = |why: &str| {
        (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                "Basic realm=\"oqs-sim\", charset=\"UTF-8\"",
            )],
            Json(json!({ "error": why })),
        )
            .into_response()
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    let Some((user, password)) = given
        .as_deref()
        .and_then(|g| g.split_once(':'))
        .map(|(u, p)| (u.to_owned(), p.to_owned()))
    else {
        return Err(unauthorized(
            "the operator is the authenticated caller: Authorization: Basic with the account's ユーザID and パスワード (RULE-92: 管理アカウント or 医療情報閲覧アカウント), or the screen /later-check",
        ));
    };
    let now = sim.clock.now();
    let checker = sim.clone();
    // The password hash takes tens of milliseconds: off the async workers.
    let login = tokio::task::spawn_blocking(move || {
        checker
            .accounts
            .login(&user, &password, now, Some(Kind::Staff))
    })
    .await
    .unwrap_or(Login::Refused);
    match login {
        Login::Granted {
            account,
            stage: Stage::Active,
        } => Ok(account),
        Login::Granted { .. } => Err(problem(
            StatusCode::FORBIDDEN,
            "the account must change its password first (ERR-02/ERR-03): log in on the screens",
        )),
        Login::Refused => Err(unauthorized("wrong ユーザID or パスワード")),
        Login::Locked(until) => Err((
            StatusCode::FORBIDDEN,
            Json(json!({ "error": "ERR-01", "lockedUntil": until.to_rfc3339() })),
        )
            .into_response()),
    }
}

/// `facility` / `login_id` in a body: refused, they come from the authenticated caller.
fn named_caller(facility: &Option<String>, login_id: &Option<String>) -> Option<Response> {
    (facility.is_some() || login_id.is_some()).then(|| {
        problem(
            StatusCode::BAD_REQUEST,
            "facility and login_id are not taken from the request: they are the authenticated caller's (Authorization: Basic)",
        )
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LaterCheckBody {
    /// Refused when given ([`named_caller`]).
    #[serde(default)]
    facility: Option<String>,
    #[serde(default)]
    login_id: Option<String>,
    /// 氏名（漢字）.
    name: String,
    /// 男 / 女 / 未設定 (or 1/2/3).
    #[serde(default)]
    sex: Option<String>,
    birthdate: String,
    #[serde(default)]
    address: Option<String>,
    /// 氏名（カナ）.
    #[serde(default)]
    kana: Option<String>,
    /// 加入している保険者名（任意）.
    #[serde(default)]
    insurer_name: Option<String>,
    /// The day the patient came (default: the outage's first day).
    #[serde(default)]
    visited_on: Option<String>,
}

fn refused(e: &RecoveryError) -> Response {
    let status = match e {
        RecoveryError::Window(_) => StatusCode::CONFLICT,
        RecoveryError::Account(_) => StatusCode::FORBIDDEN,
        RecoveryError::Notes(_) | RecoveryError::Input(_) => StatusCode::UNPROCESSABLE_ENTITY,
        RecoveryError::EmergencyClosed => StatusCode::NOT_FOUND,
        RecoveryError::Outage => StatusCode::SERVICE_UNAVAILABLE,
    };
    problem(status, e.to_string())
}

fn checked(c: &Checked, kind: &str) -> Response {
    let results: Vec<Value> = c
        .results
        .iter()
        .map(|r| oqs_protocol::json::to_json(&r.to_element()))
        .collect();
    Json(json!({
        "kind": kind,
        "validity": c.validity.label(),
        "banner": match c.validity {
            QualificationValidity::Valid => Some(oqs_protocol::texts::BANNER_VALID),
            QualificationValidity::Invalid => Some(oqs_protocol::texts::BANNER_INVALID),
            QualificationValidity::InvalidWithNewer => {
                Some(oqs_protocol::texts::BANNER_INVALID_WITH_NEWER)
            }
            _ => None,
        },
        "date": c.date.format("%Y/%m/%d").to_string(),
        "results": results,
        "historyId": c.history_id,
    }))
    .into_response()
}

async fn later_check(
    State(sim): State<Arc<Simulator>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let b: LaterCheckBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return problem(StatusCode::BAD_REQUEST, format!("the noted data: {e}")),
    };
    if let Some(r) = named_caller(&b.facility, &b.login_id) {
        return r;
    }
    let account = match caller(&sim, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let typed = TypedNotes {
        name: b.name,
        sex: b.sex,
        birthdate: b.birthdate,
        address: b.address,
        kana: b.kana,
        insurer_name: b.insurer_name,
        visited_on: b.visited_on,
    };
    let (notes, visited_on) = match typed.read() {
        Ok(n) => n,
        Err(e) => return problem(StatusCode::UNPROCESSABLE_ENTITY, e),
    };
    match sim.later_check(&account.facility, &account.login_id, &notes, visited_on) {
        Ok(c) => checked(&c, oqs_protocol::texts::HISTORY_KIND_SYSTEM_OUTAGE),
        Err(e) => refused(&e),
    }
}

async fn emergency_menu(State(sim): State<Arc<Simulator>>) -> Response {
    let open = sim
        .outage
        .emergency_open(oqs_domain::inquiry::today(sim.clock.now()));
    Json(json!({
        "shown": open,
        "menu": open.then_some(t::EMERGENCY_MENU),
        "note": t::EMERGENCY_MENU_NOTE,
        "period": period_view(&sim),
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmergencyBody {
    /// Refused when given ([`named_caller`]).
    #[serde(default)]
    facility: Option<String>,
    #[serde(default)]
    login_id: Option<String>,
    insurer_number: String,
    #[serde(default)]
    symbol: Option<String>,
    number: String,
    #[serde(default)]
    branch: Option<String>,
    /// YYYYMMDD.
    birthdate: String,
}

async fn emergency_check(
    State(sim): State<Arc<Simulator>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let b: EmergencyBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return problem(StatusCode::BAD_REQUEST, format!("the card: {e}")),
    };
    if let Some(r) = named_caller(&b.facility, &b.login_id) {
        return r;
    }
    let account = match caller(&sim, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let search = SearchInfo {
        insurer_number: Some(b.insurer_number),
        insured_card_symbol: b.symbol,
        insured_identification_number: Some(b.number),
        insured_branch_number: b.branch,
        birthdate: Some(b.birthdate),
        limit_application_certificate_related_cons_flg: Some("0".into()),
        arbitrary_identifier: None,
    };
    match sim.emergency_check(&account.facility, &account.login_id, search) {
        Ok(c) => checked(&c, oqs_protocol::texts::HISTORY_FILTER_DISASTER),
        Err(e) => refused(&e),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(
            "/__admin/faults/outage",
            get(get_outage).put(put_outage).delete(delete_outage),
        )
        .route(
            "/__admin/emergency-period",
            get(get_period).put(put_period).delete(delete_period),
        )
        .route("/outage/later-check", post(later_check))
        .route("/emergency", get(emergency_menu))
        .route("/emergency/check", post(emergency_check))
}
