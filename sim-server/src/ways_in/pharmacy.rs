//! Prescription retrieval by 引換番号 (the simulator's own interface: the manual shows only the
//! screens SCR-12 / SCR-24; docs/interface.md §2.7):
//!
//! | route | what |
//! |---|---|
//! | `GET /pharmacy/prescriptions?facility=1341234567&kind=オンライン診療等&insurer=…&symbol=…&number=…&branch=…&birthdate=…` | SCR-24 ②: the list of the patient's selected prescriptions (RULE-28: オンライン診療等 only) |
//! | `POST /pharmacy/prescriptions/retrieve` | SCR-12 / SCR-24 《処方箋取得》: `{"facility","insurer","symbol","number","branch","birthdate","exchange_number"}` → the prescription XML (a file), or 4xx with the manual's reason (RULE-25..28) |
//! | `PUT /__admin/pharmacy/settings` | ENV-04 / ENV-05: `{"e_prescription":"利用する","refill":"利用しない"}` |
//! | `DELETE /__admin/pharmacy/retrieved` | forgets every retrieval (stands in for the 取消処理 the manual does not describe) |

use crate::services::prescription_retrieval::{patient, PatientCard, RetrievalFailure};
use crate::simulator::Simulator;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use oqs_domain::prescription::{PharmacySettings, RetrievalError};
use oqs_domain::visiting::slash;
use oqs_protocol::codes::CodeTable;
use oqs_protocol::visiting::CareKind;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

#[derive(Debug, Default, Deserialize)]
struct Patient {
    facility: Option<String>,
    kind: Option<String>,
    #[serde(flatten)]
    card: PatientCard,
    exchange_number: Option<String>,
}

fn problem(status: StatusCode, msg: String) -> Response {
    (status, Json(json!({ "error": msg }))).into_response()
}

/// A failed retrieval or patient lookup as the route answers it.
fn failure(f: RetrievalFailure) -> Response {
    let status = match &f {
        RetrievalFailure::BadCard(_) => StatusCode::UNPROCESSABLE_ENTITY,
        RetrievalFailure::NoFacility(_) | RetrievalFailure::NoPatient => StatusCode::NOT_FOUND,
        RetrievalFailure::Refused(RetrievalError::NotFound) => StatusCode::NOT_FOUND,
        RetrievalFailure::Refused(RetrievalError::BadExchangeNumber) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        RetrievalFailure::Refused(_) => StatusCode::CONFLICT,
    };
    problem(status, f.to_string())
}

async fn list(State(sim): State<Arc<Simulator>>, Query(p): Query<Patient>) -> Response {
    let pop = sim.population();
    let q = match patient(&pop, &p.card) {
        Ok(q) => q,
        Err(f) => return failure(f),
    };
    let online = p.kind.as_deref().and_then(CareKind::parse) == Some(CareKind::Online);
    let rows: Vec<_> = pop
        .selected_prescriptions(q, online)
        .into_iter()
        .map(|x| {
            json!({
                "exchangeNumber": x.exchange_number,
                "issuedOn": slash(x.issued_on),
                "issuer": x.issuer,
                "reservation": x.reservation.map(slash),
            })
        })
        .collect();
    Json(json!({ "listShown": !rows.is_empty(), "rows": rows })).into_response()
}

async fn retrieve(State(sim): State<Arc<Simulator>>, Json(p): Json<Patient>) -> Response {
    let facility = p.facility.clone().unwrap_or_default();
    let number = p.exchange_number.clone().unwrap_or_default();
    match sim.retrieve_prescription(&facility, &p.card, &number) {
        Ok(file) => {
            crate::ways_in::attachment("application/xml; charset=UTF-8", &file.name, file.xml)
        }
        Err(f) => failure(f),
    }
}

#[derive(Debug, Deserialize)]
struct SettingsBody {
    e_prescription: Option<String>,
    refill: Option<String>,
}

async fn put_settings(State(sim): State<Arc<Simulator>>, body: axum::body::Bytes) -> Response {
    let b: SettingsBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return problem(StatusCode::BAD_REQUEST, format!("settings: {e}")),
    };
    let value = |v: Option<&str>, default: bool| match v {
        None => Ok(default),
        Some("利用する") => Ok(true),
        Some("利用しない") => Ok(false),
        Some(other) => Err(format!("\"{other}\": 利用する or 利用しない")),
    };
    let now = sim.pharmacy.settings();
    match (
        value(b.e_prescription.as_deref(), now.e_prescription),
        value(b.refill.as_deref(), now.refill),
    ) {
        (Ok(e_prescription), Ok(refill)) => {
            sim.pharmacy.set_settings(PharmacySettings {
                e_prescription,
                refill,
            });
            Json(json!({ "e_prescription": e_prescription, "refill": refill })).into_response()
        }
        (Err(e), _) | (_, Err(e)) => problem(StatusCode::BAD_REQUEST, e),
    }
}

async fn clear_retrieved(State(sim): State<Arc<Simulator>>) -> Response {
    Json(json!({ "cleared": sim.pharmacy.clear() })).into_response()
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route("/pharmacy/prescriptions", get(list))
        .route("/pharmacy/prescriptions/retrieve", post(retrieve))
        .route("/__admin/pharmacy/settings", put(put_settings))
        .route("/__admin/pharmacy/retrieved", delete(clear_retrieved))
}
