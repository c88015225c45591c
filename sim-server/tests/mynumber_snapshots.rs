//! Snapshots of what the terminal answers: the result of a PIN check with every option ticked,
//! and every dialog of ERR-05..19 as the simulator shows it (reviewed against the catalogue).

mod common;

use common::{send_json, simulator};
use serde_json::{json, Value};
use sim_server::Simulator;
use std::sync::Arc;

async fn call(sim: &Arc<Simulator>, method: &str, uri: &str, body: Value) -> Value {
    let r = send_json(sim, method, uri, body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

#[tokio::test]
async fn result_of_a_pin_check_with_consents_and_certificates() {
    let sim = simulator();
    call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/card",
        json!({ "profile": "valid", "person": "kouki-jiro" }),
    )
    .await;
    let v = call(
        &sim,
        "POST",
        "/terminal/mynumber",
        json!({
            "method": "暗証番号", "pin": "1234",
            "consents": { "operation": true, "diagnosis_medication": true, "health_checkup": true },
            "show_limit": true, "show_specific_disease": true, "prescription_form": "紙"
        }),
    )
    .await;
    insta::assert_snapshot!(
        "mynumber_result_kouki_jiro",
        v["result_xml"].as_str().expect("result")
    );
}

/// (catalogue id, topology, card profile, fault, method).
type Case = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<Value>,
    &'static str,
);

#[tokio::test]
async fn every_dialog_of_err05_to_err19() {
    let cases: [Case; 15] = [
        ("ERR-05", "generic", Some("revoked"), None, "暗証番号"),
        ("ERR-06", "generic", Some("expired"), None, "目視確認"),
        (
            "ERR-07",
            "generic",
            Some("valid"),
            Some(json!({ "kind": "certificate-internal-error" })),
            "目視確認",
        ),
        ("ERR-08", "generic", Some("expiring-soon"), None, "目視確認"),
        ("ERR-09", "none", None, None, "目視確認"),
        ("ERR-10", "generic", Some("unreadable"), None, "目視確認"),
        ("ERR-11", "generic", Some("not-mynumber"), None, "目視確認"),
        ("ERR-12", "generic", Some("unsupported"), None, "目視確認"),
        ("ERR-13", "generic", Some("pin-locked"), None, "暗証番号"),
        (
            "ERR-14",
            "generic",
            Some("valid"),
            Some(json!({ "kind": "authentication-error" })),
            "目視確認",
        ),
        ("ERR-15", "generic", Some("uninsured"), None, "目視確認"),
        ("ERR-16", "generic", Some("unregistered"), None, "目視確認"),
        ("ERR-17", "generic+face", Some("valid"), None, "目視確認"),
        ("ERR-18", "generic*2", Some("valid"), None, "目視確認"),
        ("ERR-19", "generic+face", None, None, "目視確認"),
    ];
    let mut shown = serde_json::Map::new();
    for (label, topology, profile, fault, method) in cases {
        let sim = simulator();
        call(
            &sim,
            "PUT",
            "/__admin/terminal/readers",
            json!({ "topology": topology }),
        )
        .await;
        if let Some(p) = profile {
            call(
                &sim,
                "PUT",
                "/__admin/terminal/readers/0/card",
                json!({ "profile": p }),
            )
            .await;
        }
        if let Some(f) = fault {
            call(&sim, "PUT", "/__admin/terminal/fault", f).await;
        }
        let v = call(
            &sim,
            "POST",
            "/terminal/mynumber",
            json!({ "method": method, "pin": "1234" }),
        )
        .await;
        let entry = match label {
            // ERR-08 is a notice before the result (or before ERR-15 for its holder).
            "ERR-08" => json!({ "notice": v["notice"], "then": v["dialog"]["err"] }),
            "ERR-19" => json!({ "guidance": v["guidance"] }),
            _ => v["dialog"].clone(),
        };
        shown.insert(label.to_owned(), entry);
    }
    let text = serde_json::to_string_pretty(&Value::Object(shown)).expect("JSON");
    insta::assert_snapshot!("mynumber_dialogs", text);
}
