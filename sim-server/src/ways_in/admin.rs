//! The admin API under `/__admin/`: clock, population (reset, fixtures), journal, error table.
//! Later features (cards, faults, jobs) add their routes here.

use crate::clock::parse_now;
use crate::simulator::Simulator;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use oqs_domain::fixtures::LoadMode;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

fn bad_request(msg: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": msg}))).into_response()
}

async fn get_clock(State(sim): State<Arc<Simulator>>) -> Json<serde_json::Value> {
    Json(json!({"now": sim.clock.now().to_rfc3339(), "mode": sim.clock.mode_name()}))
}

#[derive(Debug, Deserialize)]
struct SetClock {
    now: String,
    #[serde(default)]
    advance: bool,
}

async fn put_clock(State(sim): State<Arc<Simulator>>, body: axum::body::Bytes) -> Response {
    let req: SetClock = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return bad_request(format!(
                "body must be {{\"now\": \"2021-01-06T10:00:00+09:00\"}}: {e}"
            ))
        }
    };
    match parse_now(&req.now) {
        Ok(t) => {
            sim.clock.set(t, req.advance);
            get_clock(State(sim)).await.into_response()
        }
        Err(e) => bad_request(format!("now: {e}")),
    }
}

async fn delete_clock(State(sim): State<Arc<Simulator>>) -> Json<serde_json::Value> {
    sim.clock.reset();
    get_clock(State(sim)).await
}

fn population_summary(sim: &Simulator) -> serde_json::Value {
    let p = sim.population();
    json!({"persons": p.person_count(), "qualifications": p.qualification_count(), "insurers": p.insurers().count()})
}

async fn get_population(State(sim): State<Arc<Simulator>>) -> Json<serde_json::Value> {
    Json(population_summary(&sim))
}

/// `POST /__admin/reset`: population, accounts, screen sessions and WebAPI tokens as at start.
async fn reset(State(sim): State<Arc<Simulator>>) -> Json<serde_json::Value> {
    sim.reset();
    Json(population_summary(&sim))
}

#[derive(Debug, Deserialize)]
struct FixtureQuery {
    #[serde(default)]
    mode: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

async fn load_fixtures(
    State(sim): State<Arc<Simulator>>,
    Query(q): Query<FixtureQuery>,
    body: axum::body::Bytes,
) -> Response {
    let mode = match q.mode.as_deref() {
        None | Some("extend") => LoadMode::Extend,
        Some("replace") => LoadMode::Replace,
        Some(other) => return bad_request(format!("mode \"{other}\" is not extend or replace")),
    };
    let text = match std::str::from_utf8(&body) {
        Ok(t) => t,
        Err(e) => return bad_request(format!("fixture is not UTF-8: {e}")),
    };
    let name = q.name.unwrap_or_else(|| "request-body.toml".into());
    match sim.load_fixtures(mode, &name, text) {
        Ok(_) => Json(population_summary(&sim)).into_response(),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": e.to_string(), "file": e.file, "line": e.line, "column": e.column, "field": e.field, "message": e.message})),
        )
            .into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct JournalQuery {
    #[serde(default)]
    since: u64,
    #[serde(default)]
    limit: Option<usize>,
}

async fn get_journal(
    State(sim): State<Arc<Simulator>>,
    Query(q): Query<JournalQuery>,
) -> Json<serde_json::Value> {
    let entries = sim
        .journal
        .since(q.since, q.limit.unwrap_or(1000).min(10_000));
    Json(json!({"capacity": sim.journal.capacity(), "entries": entries}))
}

async fn clear_journal(State(sim): State<Arc<Simulator>>) -> StatusCode {
    sim.journal.clear();
    StatusCode::NO_CONTENT
}

async fn error_table(State(sim): State<Arc<Simulator>>) -> Json<serde_json::Value> {
    let rows: Vec<_> = sim
        .error_table()
        .rows()
        .map(|(k, e)| json!({"key": k.key(), "code": e.code, "level": e.level, "message": e.message}))
        .collect();
    Json(json!({"rows": rows}))
}

/// `GET /__admin/accounts`: every account (no hashes): login id, facility, role, kind,
/// initial, password set / expiry, lock.
async fn get_accounts(State(sim): State<Arc<Simulator>>) -> Json<serde_json::Value> {
    Json(json!({"accounts": sim.accounts.list(sim.clock.now())}))
}

#[derive(Debug, Deserialize)]
struct ResetPassword {
    password: String,
}

/// AUTH-17 「パスワード初期化」: `POST /__admin/accounts/{login_id}/reset` with
/// `{"password":"…"}`: a new initial password (AUTH-04..06 apply; AUTH-11 at the next login), the
/// lock lifted, the account's sessions ended.
async fn reset_account(
    State(sim): State<Arc<Simulator>>,
    axum::extract::Path(login_id): axum::extract::Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let req: ResetPassword = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad_request(format!("body must be {{\"password\": \"…\"}}: {e}")),
    };
    let now = sim.clock.now();
    let s = sim.clone();
    let id = login_id.clone();
    let done = tokio::task::spawn_blocking(move || s.accounts.reset(&id, &req.password, now)).await;
    use crate::services::accounts::ChangeError;
    match done {
        Ok(Ok(())) => {
            Json(json!({"account": sim.accounts.account(&login_id, now)})).into_response()
        }
        Ok(Err(ChangeError::UnknownAccount)) => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("no account {login_id}")})),
        )
            .into_response(),
        Ok(Err(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({"error": e.message()})),
        )
            .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(
            "/__admin/clock",
            get(get_clock).put(put_clock).delete(delete_clock),
        )
        .route("/__admin/population", get(get_population))
        .route("/__admin/reset", post(reset))
        .route("/__admin/fixtures", post(load_fixtures))
        .route("/__admin/journal", get(get_journal).delete(clear_journal))
        .route("/__admin/error-table", get(error_table))
        .route("/__admin/accounts", get(get_accounts))
        .route("/__admin/accounts/{login_id}/reset", post(reset_account))
}
