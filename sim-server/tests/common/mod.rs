#![allow(dead_code)]
//! Helpers shared by the integration tests.

pub mod binary;
pub mod launch;
pub mod operator;
pub mod raw;
pub mod terminal;
pub mod tray;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use oqs_protocol::xml::{read_document, ReadLimits};
use oqs_protocol::Element;
use sim_server::{clock, Clock, Settings, Simulator};
use std::sync::Arc;
use tower::ServiceExt;

pub const NOW: &str = "2021-01-06T10:00:00+09:00";

pub fn simulator() -> Arc<Simulator> {
    simulator_with(Settings::default())
}

pub fn simulator_with(settings: Settings) -> Arc<Simulator> {
    let now = clock::parse_now(NOW).expect("valid time");
    Arc::new(Simulator::new(
        Clock::frozen(now),
        oqs_protocol::ErrorTable::builtin(),
        settings,
    ))
}

/// A single-inquiry request as XML text.
pub fn request_xml(encoding: &str, date: Option<&str>, fields: &[(&str, &str)]) -> String {
    let date = date
        .map(|d| format!("  <QualificationConfirmationDate>{d}</QualificationConfirmationDate>\n"))
        .unwrap_or_default();
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("   <{k}>{v}</{k}>\n"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n<XmlMsg>\n <MessageHeader>\n{date}  <MedicalInstitutionCode>1234567890</MedicalInstitutionCode>\n </MessageHeader>\n <MessageBody>\n  <QualificationConfirmSearchInfo>\n{body}  </QualificationConfirmSearchInfo>\n </MessageBody>\n</XmlMsg>\n"
    )
}

/// 新橋 太郎 by his full card.
pub fn taro() -> Vec<(&'static str, &'static str)> {
    vec![
        ("InsurerNumber", "06139000"),
        ("InsuredCardSymbol", "9000"),
        ("InsuredIdentificationNumber", "10001"),
        ("InsuredBranchNumber", "01"),
        ("Birthdate", "19540326"),
        ("LimitApplicationCertificateRelatedConsFlg", "0"),
    ]
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn xml(&self) -> Element {
        read_document(&self.body, ReadLimits::default())
            .expect("result is readable XML")
            .root
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

/// A JSON request (admin, terminal and history routes).
pub async fn send_json(
    sim: &Arc<Simulator>,
    method: &str,
    uri: &str,
    body: serde_json::Value,
) -> Reply {
    send(
        sim,
        method,
        uri,
        &[("content-type", "application/json")],
        serde_json::to_vec(&body).expect("json"),
    )
    .await
}

pub async fn send(
    sim: &Arc<Simulator>,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = sim_server::router(sim.clone())
        .oneshot(req.body(Body::from(body)).expect("request"))
        .await
        .expect("infallible");
    let status = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        content_type,
        body,
    }
}

pub async fn post_xml(sim: &Arc<Simulator>, body: impl Into<Vec<u8>>) -> Reply {
    send(sim, "POST", "/xml/OQSsiquc01req", &[], body.into()).await
}

/// Text of a descendant by path, e.g. `["MessageBody", "QualificationValidity"]`.
pub fn at<'a>(root: &'a Element, path: &[&str]) -> Option<&'a str> {
    let mut el = root;
    for p in path {
        el = el.child(p)?;
    }
    Some(el.text.as_str())
}
