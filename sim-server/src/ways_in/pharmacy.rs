//! Prescription retrieval by 引換番号 (the simulator's own interface: the manual shows only the
//! screens SCR-12 / SCR-24; docs/interface.md §2.7):
//!
//! | route | what |
//! |---|---|
//! | `GET /pharmacy/prescriptions?facility=1341234567&kind=オンライン診療等&insurer=…&symbol=…&number=…&branch=…&birthdate=…` | SCR-24 ②: the list of the patient's selected prescriptions (RULE-28: オンライン診療等 only) |
//! | `POST /pharmacy/prescriptions/retrieve` | SCR-12 / SCR-24 《処方箋取得》: `{"facility","insurer","symbol","number","branch","birthdate","exchange_number"}` → the prescription XML (a file), or 4xx with the manual's reason (RULE-25..28) |
//! | `PUT /__admin/pharmacy/settings` | ENV-04 / ENV-05: `{"e_prescription":"利用する","refill":"利用しない"}` |
//! | `DELETE /__admin/pharmacy/retrieved` | forgets every retrieval (stands in for the 取消処理 the manual does not describe) |

use crate::simulator::Simulator;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use oqs_domain::fixtures::parse_fixture_date;
use oqs_domain::inquiry::timestamp;
use oqs_domain::prescription::{PharmacySettings, Prescription, RetrievalError};
use oqs_domain::visiting::slash;
use oqs_domain::Population;
use oqs_protocol::codes::CodeTable;
use oqs_protocol::message::{format_date, InsurerNumber};
use oqs_protocol::visiting::CareKind;
use oqs_protocol::Element;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

#[derive(Debug, Default, Deserialize)]
struct Patient {
    facility: Option<String>,
    kind: Option<String>,
    insurer: Option<String>,
    symbol: Option<String>,
    number: Option<String>,
    branch: Option<String>,
    birthdate: Option<String>,
    exchange_number: Option<String>,
}

fn problem(status: StatusCode, msg: String) -> Response {
    (status, Json(json!({ "error": msg }))).into_response()
}

/// The patient's card: 保険者番号, 記号, 番号, 枝番 and 生年月日 must match.
fn card_of(pop: &Population, p: &Patient) -> Result<u32, Box<Response>> {
    let bad = |m: &str| Box::new(problem(StatusCode::UNPROCESSABLE_ENTITY, m.to_owned()));
    let insurer = InsurerNumber::parse(p.insurer.as_deref().unwrap_or(""))
        .map_err(|e| bad(&format!("insurer: 保険者番号 {e}")))?;
    let birth = p
        .birthdate
        .as_deref()
        .and_then(parse_fixture_date)
        .ok_or_else(|| bad("birthdate: a date such as 1970-11-30"))?;
    fn opt(s: &Option<String>) -> Option<&str> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    pop.find_qualification(
        insurer,
        opt(&p.symbol),
        opt(&p.number).unwrap_or(""),
        opt(&p.branch),
    )
    .filter(|&q| pop.person(pop.qualification(q).person).birthdate == birth)
    .ok_or_else(|| Box::new(problem(StatusCode::NOT_FOUND, "no such patient".into())))
}

async fn list(State(sim): State<Arc<Simulator>>, Query(p): Query<Patient>) -> Response {
    let pop = sim.population();
    let q = match card_of(&pop, &p) {
        Ok(q) => q,
        Err(r) => return *r,
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

/// The prescription as the simulator writes it (its own layout; the manual says only 「XML
/// ファイルに出力します」).
fn prescription_xml(pop: &Population, facility: &str, now: &str, x: &Prescription) -> Element {
    let q = pop.qualification(x.qualification);
    let person = pop.person(q.person);
    let mut info = Element::new("PrescriptionInfo");
    info.push_leaf("ExchangeNumber", &*x.exchange_number);
    info.push_leaf("IssueDate", format_date(x.issued_on));
    info.push_leaf("IssuerMedicalInstitutionName", &*x.issuer);
    info.push_opt("ReservationDate", x.reservation.map(format_date));
    info.push_leaf("RefillFlag", if x.refill { "1" } else { "0" });
    info.push_leaf("InsurerNumber", q.insurer.wire());
    info.push_opt("InsuredCardSymbol", q.symbol.as_deref());
    info.push_leaf("InsuredIdentificationNumber", &*q.number);
    info.push_opt("InsuredBranchNumber", q.branch.as_deref());
    info.push_leaf("Name", oqs_protocol::names::wire_name(&person.name));
    info.push_leaf("Birthdate", format_date(person.birthdate));
    let mut header = Element::new("MessageHeader");
    header.push_leaf("ProcessExecutionTime", now);
    header.push_leaf("MedicalInstitutionCode", facility);
    Element::new("XmlMsg")
        .with(header)
        .with(Element::new("MessageBody").with(info))
}

async fn retrieve(State(sim): State<Arc<Simulator>>, Json(p): Json<Patient>) -> Response {
    let pop = sim.population();
    let facility = p.facility.clone().unwrap_or_default();
    let Some(kind) = pop.facility(&facility).map(|f| f.kind.to_string()) else {
        return problem(StatusCode::NOT_FOUND, format!("no facility \"{facility}\""));
    };
    let q = match card_of(&pop, &p) {
        Ok(q) => q,
        Err(r) => return *r,
    };
    let number = p.exchange_number.clone().unwrap_or_default();
    let settings = sim.pharmacy.settings();
    let found = pop.retrieve_prescription(&kind, settings, q, &number, &|n| {
        sim.pharmacy.is_retrieved(&facility, n)
    });
    match found {
        Ok(x) => {
            sim.pharmacy.mark_retrieved(&facility, &x.exchange_number);
            let now = timestamp(sim.clock.now());
            let root = prescription_xml(&pop, &facility, &now, x);
            let bytes = oqs_protocol::xml::write_document(&root, oqs_protocol::TextEncoding::Utf8);
            let name = format!("prescription_{}.xml", x.exchange_number);
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/xml; charset=UTF-8".to_owned(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => {
            let status = match e {
                RetrievalError::NotFound => StatusCode::NOT_FOUND,
                RetrievalError::BadExchangeNumber => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::CONFLICT,
            };
            problem(status, e.to_string())
        }
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
