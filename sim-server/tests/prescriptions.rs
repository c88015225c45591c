//! Prescription retrieval by 引換番号 (FLOW-17 / FLOW-31): the SCR-24 list (RULE-28), retrieval
//! as an XML file, and every refusal (RULE-25 ENV-04, RULE-26 ENV-05, RULE-27, RULE-28);
//! a snapshot of the prescription XML.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;
use std::sync::Arc;

const PHARMACY: &str = "1341234567";

fn miyazaki(number: &str) -> Vec<u8> {
    json!({
        "facility": PHARMACY, "insurer": "06270001", "symbol": "77", "number": "1234",
        "branch": "01", "birthdate": "1970-11-30", "exchange_number": number
    })
    .to_string()
    .into_bytes()
}

async fn retrieve(sim: &Arc<sim_server::Simulator>, body: Vec<u8>) -> Reply {
    send(
        sim,
        "POST",
        "/pharmacy/prescriptions/retrieve",
        &[("content-type", "application/json")],
        body,
    )
    .await
}

async fn settings(sim: &Arc<sim_server::Simulator>, body: serde_json::Value) {
    let r = send(
        sim,
        "PUT",
        "/__admin/pharmacy/settings",
        &[("content-type", "application/json")],
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

#[tokio::test]
async fn the_online_list_then_one_retrieval_per_prescription() {
    let sim = simulator();
    let list = send(
        &sim,
        "GET",
        &format!("/pharmacy/prescriptions?facility={PHARMACY}&kind=オンライン診療等&insurer=06270001&symbol=77&number=1234&branch=01&birthdate=1970-11-30"),
        &[],
        Vec::new(),
    )
    .await
    .json();
    assert_eq!(list["listShown"], true);
    assert_eq!(list["rows"][0]["exchangeNumber"], "000001");
    assert_eq!(list["rows"][0]["issuedOn"], "2023/09/01");
    assert_eq!(list["rows"][0]["issuer"], "サンプル医院");
    assert_eq!(list["rows"][0]["reservation"], "2024/11/13");
    assert_eq!(list["rows"][1]["reservation"], "2024/12/13");
    let visiting = send(
        &sim,
        "GET",
        &format!("/pharmacy/prescriptions?facility={PHARMACY}&kind=訪問診療等&insurer=06270001&symbol=77&number=1234&branch=01&birthdate=1970-11-30"),
        &[],
        Vec::new(),
    )
    .await
    .json();
    assert_eq!(
        visiting["listShown"], false,
        "RULE-28: オンライン診療等 only"
    );

    let first = retrieve(&sim, miyazaki("000001")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    insta::assert_snapshot!("prescription_000001", first.text());
    let again = retrieve(&sim, miyazaki("000001")).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.json()["error"]
        .as_str()
        .is_some_and(|e| e.contains("再取得するためには取消処理が必要です")));
    let cleared = send(
        &sim,
        "DELETE",
        "/__admin/pharmacy/retrieved",
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(cleared.json()["cleared"], 1);
    assert_eq!(
        retrieve(&sim, miyazaki("000001")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn every_refusal_has_the_manuals_reason() {
    let sim = simulator();
    // RULE-27.
    let r = retrieve(&sim, miyazaki("０００００１")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"], "引換番号は半角数字で入力してください。");
    assert_eq!(
        retrieve(&sim, miyazaki("999999")).await.status,
        StatusCode::NOT_FOUND
    );
    // RULE-26 / ENV-05.
    settings(&sim, json!({"refill": "利用しない"})).await;
    let r = retrieve(&sim, miyazaki("000003")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.json()["error"]
        .as_str()
        .is_some_and(|e| e.starts_with("リフィル処方箋は")));
    settings(&sim, json!({"refill": "利用する"})).await;
    assert_eq!(
        retrieve(&sim, miyazaki("000003")).await.status,
        StatusCode::OK
    );
    // RULE-25 / ENV-04, and a facility that is not a pharmacy.
    settings(&sim, json!({"e_prescription": "利用しない"})).await;
    let r = retrieve(&sim, miyazaki("000002")).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.json()["error"]
        .as_str()
        .is_some_and(|e| e.contains("「利用しない」とした場合には遷移できません")));
    settings(&sim, json!({"e_prescription": "利用する"})).await;
    let mut clinic: serde_json::Value = serde_json::from_slice(&miyazaki("000002")).expect("json");
    clinic["facility"] = json!("1234567890");
    assert_eq!(
        retrieve(&sim, clinic.to_string().into_bytes()).await.status,
        StatusCode::CONFLICT
    );
    // A wrong birth date is not the patient.
    let mut wrong: serde_json::Value = serde_json::from_slice(&miyazaki("000002")).expect("json");
    wrong["birthdate"] = json!("1970-11-29");
    assert_eq!(
        retrieve(&sim, wrong.to_string().into_bytes()).await.status,
        StatusCode::NOT_FOUND
    );
    let bad = send(
        &sim,
        "PUT",
        "/__admin/pharmacy/settings",
        &[("content-type", "application/json")],
        br#"{"refill":"yes"}"#.to_vec(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
