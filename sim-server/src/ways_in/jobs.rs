//! Job endpoints (JSON; the result screens SCR-16 / SCR-18 come later):
//!
//! | route | what |
//! |---|---|
//! | `GET /jobs?kind=bulk-inquiry&facility=1234567890` | the 3 newest jobs of a kind (RULE-52), newest first; kinds `bulk-inquiry`, `bulk-registration`, `visiting-bulk` / `online-bulk` (JOB-03, SCR-26 per 診療区分) |
//! | `GET /jobs/{受付番号}` | one job |
//! | `GET /jobs/{受付番号}/result` | the result file (RULE-54: only 完了 / 完了（要確認）; else 409) |
//! | `POST /jobs/entrusted` | SCR-29 《取得》 (JOB-04): `{"facility","month":"2023-09","format":"XML"\|"CSV"}` → 受付番号, 受付日時 |
//! | `GET/PUT/DELETE /__admin/faults/jobs` | `{"systemError":true}`: jobs fail with システムエラー |
//! | `GET/PUT /__admin/jobs/pacing` | `{"pacing":"hold"}` (`instant`, `hold`, `50ms/row`, `2s/job`) |
//! | `DELETE /__admin/reference-numbers` | forgets every registered 照会番号 (`{"cleared":N}`) |

use crate::jobs::{JobKind, Pacing, ResultError, LISTED};
use crate::simulator::Simulator;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
struct ListQuery {
    kind: Option<String>,
    facility: Option<String>,
}

fn problem(status: StatusCode, msg: String) -> Response {
    (status, Json(json!({ "error": msg }))).into_response()
}

async fn list(State(sim): State<Arc<Simulator>>, Query(q): Query<ListQuery>) -> Response {
    let kind_key = q.kind.as_deref().unwrap_or("bulk-inquiry");
    let Some(kind) = JobKind::from_key(kind_key) else {
        return problem(
            StatusCode::BAD_REQUEST,
            format!(
                "unknown kind \"{kind_key}\" ({})",
                JobKind::ALL
                    .iter()
                    .map(|k| k.key())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    };
    let jobs: Vec<_> = sim
        .jobs
        .list(kind, q.facility.as_deref(), LISTED)
        .iter()
        .map(|j| j.view())
        .collect();
    Json(json!({ "kind": kind.key(), "jobs": jobs })).into_response()
}

async fn one(State(sim): State<Arc<Simulator>>, Path(number): Path<String>) -> Response {
    match sim.jobs.job(&number) {
        Some(j) => Json(j.view()).into_response(),
        None => problem(StatusCode::NOT_FOUND, format!("no job \"{number}\"")),
    }
}

async fn result(State(sim): State<Arc<Simulator>>, Path(number): Path<String>) -> Response {
    match sim.jobs.download(&number) {
        Ok((name, bytes)) => {
            let charset = sim
                .jobs
                .job(&number)
                .map_or("UTF-8", |j| j.encoding.label());
            // JOB-04's CSV (SCR-29 出力ファイル形式 CSV) is UTF-8 with a BOM.
            let content_type = if name.ends_with(".csv") {
                "text/csv; charset=utf-8".to_owned()
            } else if name.ends_with(".zip") {
                "application/zip".to_owned()
            } else {
                format!("application/xml; charset={charset}")
            };
            crate::ways_in::attachment(content_type, &name, bytes)
        }
        Err(ResultError::NotFound) => {
            problem(StatusCode::NOT_FOUND, format!("no job \"{number}\""))
        }
        Err(ResultError::NotDownloadable(j)) => problem(
            StatusCode::CONFLICT,
            format!(
                "job \"{number}\" is {}: only finished jobs can be downloaded",
                j.state.status(j.kind)
            ),
        ),
        Err(ResultError::Store(e)) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FaultBody {
    system_error: bool,
}

async fn get_fault(State(sim): State<Arc<Simulator>>) -> Response {
    Json(json!({ "systemError": sim.jobs.system_fault() })).into_response()
}

async fn put_fault(State(sim): State<Arc<Simulator>>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<FaultBody>(&body) {
        Ok(b) => {
            sim.jobs.set_system_fault(b.system_error);
            Json(json!({ "systemError": b.system_error })).into_response()
        }
        Err(e) => problem(
            StatusCode::BAD_REQUEST,
            format!("expected {{\"systemError\":true|false}}: {e}"),
        ),
    }
}

async fn delete_fault(State(sim): State<Arc<Simulator>>) -> Response {
    sim.jobs.set_system_fault(false);
    Json(json!({ "systemError": false })).into_response()
}

async fn clear_references(State(sim): State<Arc<Simulator>>) -> Response {
    match sim.jobs.clear_references() {
        Ok(n) => Json(json!({ "cleared": n })).into_response(),
        Err(e) => problem(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

#[derive(Debug, Deserialize)]
struct PacingBody {
    pacing: String,
}

async fn get_pacing(State(sim): State<Arc<Simulator>>) -> Response {
    Json(json!({ "pacing": sim.jobs.settings().pacing.describe() })).into_response()
}

async fn put_pacing(State(sim): State<Arc<Simulator>>, body: axum::body::Bytes) -> Response {
    let parsed = serde_json::from_slice::<PacingBody>(&body)
        .map_err(|e| format!("expected {{\"pacing\":\"…\"}}: {e}"))
        .and_then(|b| Pacing::parse(&b.pacing));
    match parsed {
        Ok(p) => {
            sim.jobs.set_pacing(p);
            Json(json!({ "pacing": p.describe() })).into_response()
        }
        Err(e) => problem(StatusCode::BAD_REQUEST, e),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntrustedBody {
    facility: Option<String>,
    /// 診療年月: `2023-09`, `202309` or 「令和5年9月」.
    month: String,
    /// 出力ファイル形式: `XML` (default) or `CSV`.
    format: Option<String>,
}

/// SCR-29 《取得》 (FLOW-36): the simulator's own route for the screen, which builds the
/// OQSmutic01req the screen stands for and submits it; answers DLG-16's 受付番号 and 受付日時.
async fn entrusted_request(State(sim): State<Arc<Simulator>>, body: axum::body::Bytes) -> Response {
    let b = match serde_json::from_slice::<EntrustedBody>(&body) {
        Ok(b) => b,
        Err(e) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("expected {{\"facility\",\"month\",\"format\"}}: {e}"),
            )
        }
    };
    let facility = b
        .facility
        .unwrap_or_else(|| oqs_domain::fixtures::DEFAULT_FACILITY.to_owned());
    let job = sim.jobs.submit_entrusted(
        &facility,
        &b.month,
        b.format.as_deref(),
        sim.population(),
        None,
    );
    match job {
        Some(j) => Json(json!({
            "receptionNumber": j.reception_number,
            "receptionDateTime": crate::jobs::screen_time(j.accepted_at),
            "message": oqs_protocol::texts::job_status::ENTRUSTED_ACCEPTED,
        }))
        .into_response(),
        None => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "not accepted: too many jobs waiting or the job store failed".into(),
        ),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route("/jobs/entrusted", post(entrusted_request))
        .route("/jobs", get(list))
        .route("/jobs/{number}", get(one))
        .route("/jobs/{number}/result", get(result))
        .route(
            "/__admin/faults/jobs",
            get(get_fault).put(put_fault).delete(delete_fault),
        )
        .route("/__admin/jobs/pacing", get(get_pacing).put(put_pacing))
        .route(
            "/__admin/reference-numbers",
            axum::routing::delete(clear_references),
        )
}
