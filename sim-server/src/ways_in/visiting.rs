//! 訪問診療等・オンライン診療等 routes (the simulator's own JSON/XML interface; the manual shows
//! only screens, docs/interface.md §2.7):
//!
//! | route | what |
//! |---|---|
//! | `GET /visiting/consents?facility=1234567890&kind=訪問診療等&consent_from=2023/01/01&…` | SCR-21 《検索》: one page (10 rows) of the consented list (RULE-65/66); 422 when a search rule is broken |
//! | `GET /visiting/consents/{id}?facility=…` | SCR-23 of a row: the OQSsihvq01res / OQSsionq01res XML |
//! | `GET /visiting/consents/{id}/download?facility=…` | SCR-23 《ダウンロード》 (RULE-95): the same XML as a file |

use crate::services::visiting_list::ConsentedListQuery;
use crate::simulator::Simulator;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use oqs_domain::fixtures::parse_fixture_date;
use oqs_domain::visiting::ConsentSearch;
use oqs_protocol::codes::{CodeTable, Sex};
use oqs_protocol::visiting::CareKind;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

/// SCR-21's search conditions as text (this route's query, and the screen's form).
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct ListQuery {
    pub(crate) facility: Option<String>,
    pub(crate) kind: Option<String>,
    pub(crate) consent_from: Option<String>,
    pub(crate) consent_to: Option<String>,
    pub(crate) examination_from: Option<String>,
    pub(crate) examination_to: Option<String>,
    pub(crate) reference_number: Option<String>,
    pub(crate) birthdate: Option<String>,
    pub(crate) name_kana: Option<String>,
    pub(crate) sex: Option<String>,
    pub(crate) page: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
struct FacilityQuery {
    facility: Option<String>,
}

fn problem(status: StatusCode, msg: String) -> Response {
    (status, Json(json!({ "error": msg }))).into_response()
}

/// The conditions read (RULE-65's refusals come from the service).
pub(crate) fn query(q: ListQuery) -> Result<ConsentedListQuery, String> {
    let facility = q
        .facility
        .filter(|f| f.len() == 10 && f.bytes().all(|b| b.is_ascii_digit()))
        .ok_or("facility: a 医療機関コード of 10 half-width digits is required")?;
    let kind = q
        .kind
        .as_deref()
        .and_then(CareKind::parse)
        .ok_or("kind (* 診療区分): 訪問診療等 or オンライン診療等 is required")?;
    let date = |name: &str, v: Option<String>| -> Result<_, String> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => parse_fixture_date(s)
                .map(Some)
                .ok_or_else(|| format!("{name}: \"{s}\" is not a date such as 2023/01/08")),
        }
    };
    let sex = match q.sex.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(Sex::parse(s).ok_or_else(|| format!("sex: \"{s}\" is not 男, 女 or 未設定"))?)
        }
    };
    Ok(ConsentedListQuery {
        facility,
        kind,
        search: ConsentSearch {
            consent_from: date("consent_from", q.consent_from)?,
            consent_to: date("consent_to", q.consent_to)?,
            examination_from: date("examination_from", q.examination_from)?,
            examination_to: date("examination_to", q.examination_to)?,
            birthdate: date("birthdate", q.birthdate)?,
            name_kana: q.name_kana.filter(|s| !s.trim().is_empty()),
            sex,
        },
        reference_number: q.reference_number.filter(|s| !s.trim().is_empty()),
        page: q.page.unwrap_or(1),
    })
}

async fn list(State(sim): State<Arc<Simulator>>, Query(q): Query<ListQuery>) -> Response {
    match query(q).and_then(|q| sim.consented_list(&q)) {
        Ok(page) => Json(page).into_response(),
        Err(e) => problem(StatusCode::UNPROCESSABLE_ENTITY, e),
    }
}

async fn detail_of(sim: &Simulator, id: u32, q: FacilityQuery, download: bool) -> Response {
    let facility = q.facility.unwrap_or_default();
    match sim.consented_detail(&facility, id) {
        None => problem(
            StatusCode::NOT_FOUND,
            format!("no consent {id} of facility \"{facility}\""),
        ),
        Some((_, Err(r))) => problem(StatusCode::BAD_REQUEST, format!("{} {}", r.code, r.message)),
        Some((message, Ok(a))) => {
            let content_type = format!("application/xml; charset={}", a.encoding.label());
            let mut headers = vec![(header::CONTENT_TYPE, content_type)];
            if download {
                let name = format!("{}res_consent{id}.xml", message.trim_end_matches("req"));
                headers.push((
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ));
            }
            let mut res = a.into_body().into_response();
            for (k, v) in headers {
                if let Ok(v) = v.parse() {
                    res.headers_mut().insert(k, v);
                }
            }
            res
        }
    }
}

async fn detail(
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u32>,
    Query(q): Query<FacilityQuery>,
) -> Response {
    detail_of(&sim, id, q, false).await
}

async fn download(
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u32>,
    Query(q): Query<FacilityQuery>,
) -> Response {
    detail_of(&sim, id, q, true).await
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route("/visiting/consents", get(list))
        .route("/visiting/consents/{id}", get(detail))
        .route("/visiting/consents/{id}/download", get(download))
}
