//! Helpers of the terminal tests: cards into readers, topologies, a confirmation, its result XML,
//! and the catalogue's dialog rows.

use super::{at, send_json, Reply};
use oqs_protocol::texts;
use oqs_protocol::xml::{read_document, ReadLimits};
use serde_json::{json, Value};
use sim_server::Simulator;
use std::sync::Arc;

pub async fn call(sim: &Arc<Simulator>, method: &str, uri: &str, body: Value) -> Reply {
    send_json(sim, method, uri, body).await
}

/// Puts a virtual card of `profile` into reader 0 (optionally for another person).
pub async fn insert(sim: &Arc<Simulator>, profile: &str, person: Option<&str>) {
    let mut body = json!({ "profile": profile });
    if let Some(p) = person {
        body["person"] = json!(p);
    }
    let r = call(sim, "PUT", "/__admin/terminal/readers/0/card", body).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

pub async fn topology(sim: &Arc<Simulator>, name: &str) {
    let r = call(
        sim,
        "PUT",
        "/__admin/terminal/readers",
        json!({ "topology": name }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

pub async fn confirm(sim: &Arc<Simulator>, body: Value) -> Value {
    let r = call(sim, "POST", "/terminal/mynumber", body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

pub fn result_xml(v: &Value) -> oqs_protocol::Element {
    let xml = v["result_xml"]
        .as_str()
        .unwrap_or_else(|| panic!("no result: {v}"));
    read_document(xml.as_bytes(), ReadLimits::default())
        .expect("result XML")
        .root
}

pub fn first_result<'a>(root: &'a oqs_protocol::Element, leaf: &str) -> Option<&'a str> {
    at(
        root,
        &[
            "MessageBody",
            "ResultList",
            "ResultOfQualificationConfirmation",
            leaf,
        ],
    )
}

/// Asserts the dialog is the catalogue's row, verbatim.
pub fn assert_dialog(v: &Value, id: &str) {
    let d = &v["dialog"];
    assert_eq!(d["err"], json!(id), "{v}");
    let row = texts::card_dialog(id).expect("catalogue row");
    assert_eq!(d["title"].as_str(), row.shown_title(), "{v}");
    assert_eq!(d["event"], json!(row.event));
    assert_eq!(d["action"], json!(row.action));
    assert_eq!(d["alternative"], json!(row.alternative));
    assert!(v.get("result_xml").is_none(), "a dialog has no result: {v}");
}
