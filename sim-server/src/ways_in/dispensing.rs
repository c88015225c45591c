//! 保管調剤結果一括取得 (JOB-05, ch.11) as the screens' actions, in JSON (the simulator's own
//! routes: the manual gives only screens; the machine messages are OQSmudsp01/02 over
//! `POST /xml/…` and the exchange):
//!
//! | route | what |
//! |---|---|
//! | `POST /dispensing/acquisitions` `{"facility","start","end","answer"}` | SCR-33 《調剤結果取得》: without `answer`, DLG-31 (nothing requested yet); `"answer":"OK"`: DLG-32 with the ID, or 422 with ERR-30 / ERR-31 (403: RULE-69); `"answer":"キャンセル"`: nothing |
//! | `GET /dispensing/acquisitions?facility=…&page=N` | SCR-34: 9 per page, newest first |
//! | `GET /dispensing/acquisitions/{id}/download?facility=…` | 《ダウンロード》: the zip (409 when RULE-72/74 say no) |

use crate::jobs::dispensing::Refusal;
use crate::jobs::ResultError;
use crate::simulator::Simulator;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use oqs_domain::dispensing::shown_date;
use oqs_protocol::errors::ErrorKind;
use oqs_protocol::texts::dispensing as t;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// The route's path, also the journal's source of a request made through it.
const ACQUISITIONS: &str = "/dispensing/acquisitions";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestBody {
    facility: String,
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
    /// DLG-31's button: absent → DLG-31 is shown; 「OK」 requests; 「キャンセル」 does nothing.
    #[serde(default)]
    answer: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    facility: String,
    page: Option<usize>,
}

#[derive(Debug, Deserialize)]
struct FacilityQuery {
    facility: String,
}

/// `yyyy/mm/dd` as typed on SCR-33 (or already YYYYMMDD) → YYYYMMDD.
fn date_field(s: Option<String>) -> Option<String> {
    s.map(|v| oqs_domain::dispensing::typed_date(&v))
}

fn refused(sim: &Simulator, r: &Refusal) -> Response {
    let e = sim.error_table().entry(r.kind);
    let status = match r.kind {
        ErrorKind::DispensingNotAvailable => StatusCode::FORBIDDEN,
        ErrorKind::SystemError => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let (id, remedy) = match r.kind {
        ErrorKind::DispensingSameConditions => (Some("ERR-30"), Some(t::ERR_30_REMEDY)),
        ErrorKind::DispensingPeriodTooLong => (Some("ERR-31"), None),
        _ => (None, None),
    };
    (
        status,
        Json(json!({
            "error": id,
            "code": e.code,
            "message": e.message,
            "remedy": remedy,
            "detail": r.detail,
        })),
    )
        .into_response()
}

async fn request(State(sim): State<Arc<Simulator>>, body: axum::body::Bytes) -> Response {
    let b: RequestBody =
        match serde_json::from_slice(&body) {
            Ok(b) => b,
            Err(e) => return (
                StatusCode::BAD_REQUEST,
                Json(
                    json!({ "error": format!("expected {{\"facility\",\"start\",\"end\"}}: {e}") }),
                ),
            )
                .into_response(),
        };
    match b.answer.as_deref() {
        None => {
            return Json(json!({ "dialog": t::DLG_31, "requested": false })).into_response();
        }
        Some("キャンセル") => {
            return Json(json!({ "dialog": null, "requested": false })).into_response();
        }
        Some("OK") => {}
        Some(other) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": format!("answer: \"{other}\" is not 「OK」 or 「キャンセル」 (DLG-31)") })),
            )
                .into_response()
        }
    }
    let (start, end) = (date_field(b.start), date_field(b.end));
    // A machine route: journalled under its path, no operator (like the other machine jobs).
    match sim.request_dispensing(
        b.facility.trim(),
        start.as_deref(),
        end.as_deref(),
        crate::journal::Transport::WebApi,
        ACQUISITIONS,
        None,
    ) {
        Ok(job) => {
            let deadline = job
                .dispensing
                .map(|a| a.deadline.format("%Y/%m/%d").to_string());
            Json(json!({
                "dialog": {
                    "id": "DLG-32",
                    "title": t::TITLE,
                    "lines": [t::DLG_32_SUCCESS, format!("{}{}", t::ID_LABEL, job.reception_number)],
                    "buttons": ["OK"],
                },
                "notice": t::NOT_DOWNLOADED_YET,
                "requested": true,
                "acquisitionId": job.reception_number,
                "downloadDeadline": deadline,
            }))
            .into_response()
        }
        Err(r) => refused(&sim, &r),
    }
}

async fn list(State(sim): State<Arc<Simulator>>, Query(q): Query<ListQuery>) -> Response {
    let facility = q.facility.trim();
    if let Err(r) = sim
        .jobs
        .check_dispensing_facility(&sim.population(), facility)
    {
        return refused(&sim, &r);
    }
    let p = sim.jobs.dispensing_page(facility, q.page.unwrap_or(1));
    let pager = t::pager(p.total, p.shown());
    let rows: Vec<_> = p
        .rows
        .iter()
        .map(|r| {
            json!({
                "acquisitionId": r.acquisition_id,
                "status": r.status,
                "start": shown_date(&r.start),
                "end": shown_date(&r.end),
                "count": r.count,
                "download": r.downloadable.then_some("ダウンロード"),
                "downloadDeadline": r.download_deadline.as_deref().map(shown_date),
            })
        })
        .collect();
    Json(json!({
        "title": t::RESULTS_TITLE,
        "banner": t::DEADLINE_BANNER,
        "columns": t::COLUMNS,
        "pager": pager,
        "total": p.total,
        "page": p.page,
        "pages": p.pages,
        "previous": p.page > 1,
        "next": p.page < p.pages,
        "rows": rows,
    }))
    .into_response()
}

async fn download(
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<String>,
    Query(q): Query<FacilityQuery>,
) -> Response {
    let facility = q.facility.trim();
    if let Err(r) = sim
        .jobs
        .check_dispensing_facility(&sim.population(), facility)
    {
        return refused(&sim, &r);
    }
    match sim.jobs.dispensing_download(facility, &id) {
        Ok((name, bytes)) => crate::ways_in::attachment("application/zip", &name, bytes),
        Err(ResultError::NotDownloadable(_)) => (
            StatusCode::CONFLICT,
            Json(json!({
                "error": format!("\"{id}\" cannot be downloaded: only 照会完了 with 件数 > 0 before its ダウンロード期限 (RULE-72/74)"),
                "message": t::DEADLINE_PASSED,
            })),
        )
            .into_response(),
        Err(ResultError::NotFound) => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("no acquisition \"{id}\" of {facility}") })),
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": e.to_string() })),
        )
            .into_response(),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(ACQUISITIONS, get(list).post(request))
        .route("/dispensing/acquisitions/{id}/download", get(download))
}
