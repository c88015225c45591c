//! The history over HTTP (JSON + CSV; the web screens come later):
//!
//! - `GET /history?facility=…&from=…&to=…[&kind=…&narrowing=…&login_id=…&reference_number=…&page=1&per_page=100]`
//!   SCR-19 《検索》: the list, newest first. > 10,000 hits → HTTP 422 with ERR-23, no records.
//! - `GET /history.csv?…[&encoding=utf-8|shift_jis]` SCR-19 《ダウンロード》: the whole list as CSV.
//!   > 10,000 hits → HTTP 422 with ERR-24, no file.
//! - `GET /history/{id}?facility=…` SCR-20: the detail of one record (404 for records of other
//!   facilities, older than two years, or without 《詳細》 by RULE-59).
//!
//! Times are `yyyy/mm/dd hh:mm` (or `yyyy-mm-ddThh:mm`) in JST; see `query.rs`.

use crate::history::RawQuery;
use crate::history::{
    display_time, to_csv, CsvEncoding, History, HistoryError, HistoryQuery, HistoryRecord,
    OverLimit, SEARCH_LIMIT,
};
use crate::simulator::Simulator;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use oqs_protocol::texts::{CardDialog, ERR_23, ERR_24};
use serde_json::{json, Value};
use std::sync::Arc;

/// Default and largest page sizes of `GET /history`.
pub const DEFAULT_PER_PAGE: usize = 100;
pub const MAX_PER_PAGE: usize = SEARCH_LIMIT;

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route("/history", get(search))
        .route("/history.csv", get(download))
        .route("/history/{id}", get(detail))
}

/// A parameter refused (HTTP 400).
#[derive(Debug)]
struct BadParam {
    field: String,
    reason: String,
}

impl BadParam {
    fn new(field: &str, reason: impl Into<String>) -> Self {
        BadParam {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    fn response(&self) -> Response {
        bad_request(&self.field, self.reason.clone())
    }
}

/// The search conditions and the other parameters of a query string.
type SplitParams = (RawQuery, Vec<(String, String)>);

fn bad_request(field: &str, reason: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": {"field": field, "reason": reason.into()}})),
    )
        .into_response()
}

fn store_error(e: &HistoryError) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({"error": {"reason": e.to_string()}})),
    )
        .into_response()
}

/// ERR-23 / ERR-24 as JSON: the placeholder dialog (the manual shows it only as an image) with
/// the catalogue's 【事象】 and 【対処】.
pub fn dialog_json(d: &CardDialog) -> Value {
    json!({
        "id": d.id,
        "title": d.shown_title(),
        "message": d.shown_message(),
        "event": d.event,
        "action": d.action,
    })
}

fn over_limit(d: &CardDialog) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({"error": dialog_json(d), "limit": SEARCH_LIMIT, "records": []})),
    )
        .into_response()
}

const SEARCH_PARAMS: [&str; 7] = [
    "facility",
    "from",
    "to",
    "kind",
    "narrowing",
    "login_id",
    "reference_number",
];

/// Splits the query string into the search conditions and the extra parameters allowed.
fn split_params(params: Vec<(String, String)>, extra: &[&str]) -> Result<SplitParams, BadParam> {
    let mut raw = RawQuery::default();
    let mut rest = Vec::new();
    for (k, v) in params {
        let slot = match k.as_str() {
            "facility" => &mut raw.facility,
            "from" => &mut raw.from,
            "to" => &mut raw.to,
            "kind" => &mut raw.kind,
            "narrowing" => &mut raw.narrowing,
            "login_id" => &mut raw.login_id,
            "reference_number" => &mut raw.reference_number,
            other if extra.contains(&other) => {
                rest.push((k, v));
                continue;
            }
            other => {
                return Err(BadParam::new(
                    other,
                    format!(
                        "unknown parameter; known: {}",
                        SEARCH_PARAMS
                            .iter()
                            .chain(extra)
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ))
            }
        };
        *slot = Some(v);
    }
    Ok((raw, rest))
}

fn number(
    rest: &[(String, String)],
    name: &str,
    default: usize,
    max: usize,
) -> Result<usize, BadParam> {
    match rest.iter().rev().find(|(k, _)| k == name) {
        None => Ok(default),
        Some((_, v)) => match v.trim().parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n),
            _ => Err(BadParam::new(
                name,
                format!("\"{v}\" is not a number from 1 to {max}"),
            )),
        },
    }
}

/// A list row as JSON (SCR-19 ③): 通番 `seq` and the two lines' columns.
pub fn list_json(r: &HistoryRecord, seq: usize) -> Value {
    json!({
        "seq": seq,
        "id": r.id,
        "confirmed_at": display_time(r.confirmed_at),
        "login_id": r.login_id,
        "reference_number": r.reference_number,
        "kind": r.kind.display(),
        "result": r.result,
        "detail": r.kind.has_detail(),
        "insurer_number": r.insurer_number,
        "card": r.card,
        "name": r.name,
        "sex": r.sex,
        "birthdate": r.birthdate,
    })
}

fn conditions_json(q: &HistoryQuery, sim: &Simulator) -> Value {
    json!({
        "facility": q.facility,
        "from": display_time(q.from),
        "until": display_time(q.until),
        "window_start": display_time(History::window_start(sim.clock.now())),
        "kind": q.kind.label(),
        "narrowing": q.narrowing.label(),
        "login_id": q.login_id,
        "reference_number": q.reference_number,
    })
}

async fn search(
    State(sim): State<Arc<Simulator>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let (raw, rest) = match split_params(params, &["page", "per_page"]) {
        Ok(x) => x,
        Err(e) => return e.response(),
    };
    let q = match HistoryQuery::parse(&raw) {
        Ok(q) => q,
        Err(e) => return bad_request(e.field, e.reason),
    };
    let (page, per_page) = match (
        number(&rest, "page", 1, SEARCH_LIMIT),
        number(&rest, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
    ) {
        (Ok(p), Ok(n)) => (p, n),
        (Err(e), _) | (_, Err(e)) => return e.response(),
    };
    match sim
        .history
        .search(&q, sim.clock.now(), (page - 1) * per_page, per_page)
    {
        Err(e) => store_error(&e),
        Ok(Err(OverLimit)) => over_limit(&ERR_23),
        Ok(Ok(p)) => Json(json!({
            "conditions": conditions_json(&q, &sim),
            "total": p.total,
            "page": page,
            "per_page": per_page,
            "records": p.records.iter().enumerate()
                .map(|(i, r)| list_json(r, p.first_seq + i)).collect::<Vec<_>>(),
        }))
        .into_response(),
    }
}

async fn download(
    State(sim): State<Arc<Simulator>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let (raw, rest) = match split_params(params, &["encoding"]) {
        Ok(x) => x,
        Err(e) => return e.response(),
    };
    let q = match HistoryQuery::parse(&raw) {
        Ok(q) => q,
        Err(e) => return bad_request(e.field, e.reason),
    };
    let encoding = match rest.iter().rev().find(|(k, _)| k == "encoding") {
        None => CsvEncoding::default(),
        Some((_, v)) => match CsvEncoding::parse(v) {
            Some(e) => e,
            None => return bad_request("encoding", format!("\"{v}\" is not utf-8 or shift_jis")),
        },
    };
    let now = sim.clock.now();
    match sim.history.search(&q, now, 0, SEARCH_LIMIT) {
        Err(e) => store_error(&e),
        Ok(Err(OverLimit)) => over_limit(&ERR_24),
        Ok(Ok(p)) => csv_response(&q, now, &p, encoding),
    }
}

/// SCR-19 《ダウンロード》's file: the whole list as CSV (also the screen's download).
pub fn csv_response(
    q: &HistoryQuery,
    now: chrono::DateTime<chrono::FixedOffset>,
    p: &crate::history::SearchPage,
    encoding: CsvEncoding,
) -> Response {
    let file = to_csv(&p.records, p.first_seq, encoding);
    // The manual gives no file name (AMB-70): facility and download time.
    let name = format!(
        "history_{}_{}.csv",
        q.facility,
        oqs_domain::inquiry::timestamp(now)
    );
    (
        [
            (
                header::CONTENT_TYPE,
                format!("text/csv; charset={}", encoding.charset()),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (
                header::HeaderName::from_static("x-oqs-records"),
                p.records.len().to_string(),
            ),
            (
                header::HeaderName::from_static("x-oqs-unencodable-characters"),
                file.unencodable.to_string(),
            ),
        ],
        file.bytes,
    )
        .into_response()
}

async fn detail(
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let Some(facility) = params
        .iter()
        .rev()
        .find(|(k, _)| k == "facility")
        .map(|(_, v)| v.trim())
    else {
        return bad_request("facility", "required: 医療機関コード (10 digits)");
    };
    let Ok(id) = id.trim().parse::<u64>() else {
        return bad_request("id", format!("\"{id}\" is not a record id"));
    };
    let not_found = |reason: &str| {
        (
            StatusCode::NOT_FOUND,
            Json(json!({"error": {"id": id, "reason": reason}})),
        )
            .into_response()
    };
    match sim.history.get(facility, id, sim.clock.now()) {
        Err(e) => store_error(&e),
        Ok(None) => {
            not_found("no such record for this facility within the last two years (RULE-57)")
        }
        Ok(Some(r)) => match &r.detail {
            None => not_found("this record has no 《詳細》 (RULE-59: bulk and 災害時 checks)"),
            Some(d) => Json(json!({
                "id": r.id,
                "facility": r.facility,
                "kind": r.kind.display(),
                "confirmed_at": display_time(r.confirmed_at),
                "status": d.status,
                "consent": d.consent_items(),
                "prescription_issue_form": d.prescription_item(),
                "insured": d.insured_items(),
                "qualification": d.qualification_items(),
                "list": list_json(&r, 0),
            }))
            .into_response(),
        },
    }
}
