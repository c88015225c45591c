//! Visiting/online individual inquiries (OQSsihvq01req / OQSsionq01req, FLOW-32) land in the
//! 資格確認履歴 like the single inquiry: 被保険者証・医療券/調剤券 (the card was typed, DM-17), with
//! 《詳細》, under the 連携アプリケーション's login id over XML/HTTP and the file exchange, under an
//! operator's when a screen asks (`handle_xml_by`, `consented_detail_by`). Refusals (RULE-33
//! EQ0301, no consent EQ0302) and cancellations (OQSsihvd01req) are not confirmations.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::Value;
use sim_server::exchange::Exchange;
use sim_server::journal::Transport;
use sim_server::{clock, Clock, Settings, Simulator};
use std::sync::Arc;
use std::time::Duration;

const DAY: &str = "facility=1234567890&from=2023/08/25%2000:00&to=2023/08/25%2024:00";

fn sim() -> Arc<Simulator> {
    let now = clock::parse_now("2023-08-25T10:00:00+09:00").expect("time");
    Arc::new(Simulator::new(
        Clock::frozen(now),
        oqs_protocol::ErrorTable::builtin(),
        Settings::default(),
    ))
}

fn yamada() -> Vec<(&'static str, &'static str)> {
    vec![
        ("InsurerNumber", "050013"),
        ("InsuredCardSymbol", "hmtmList11"),
        ("InsuredIdentificationNumber", "102"),
        ("InsuredBranchNumber", "00"),
        ("Birthdate", "19820101"),
        ("LimitApplicationCertificateRelatedConsFlg", "1"),
    ]
}

fn miyazaki() -> Vec<(&'static str, &'static str)> {
    vec![
        ("InsurerNumber", "06270001"),
        ("InsuredCardSymbol", "77"),
        ("InsuredIdentificationNumber", "1234"),
        ("InsuredBranchNumber", "01"),
        ("Birthdate", "19701130"),
        ("LimitApplicationCertificateRelatedConsFlg", "0"),
    ]
}

async fn post(sim: &Arc<Simulator>, message: &str, fields: &[(&str, &str)]) -> Reply {
    let xml = request_xml("UTF-8", Some("20230825"), fields);
    let r = send(
        sim,
        "POST",
        &format!("/xml/{message}"),
        &[],
        xml.into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r
}

async fn history(sim: &Arc<Simulator>, facility_day: &str) -> Value {
    let r = send(sim, "GET", &format!("/history?{facility_day}"), &[], vec![]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn names(v: &Value) -> Vec<String> {
    v["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn visiting_and_online_inquiries_are_recorded_with_their_detail() {
    let sim = sim();
    assert_eq!(history(&sim, DAY).await["total"], 0);
    post(&sim, "OQSsihvq01req", &yamada()).await;
    post(&sim, "OQSsionq01req", &miyazaki()).await;
    let v = history(&sim, DAY).await;
    assert_eq!(v["total"], 2, "{v}");
    // Newest first.
    assert_eq!(names(&v), ["宮崎　一太", "山田　隆子"]);
    for r in v["records"].as_array().expect("records") {
        assert_eq!(r["kind"], "被保険者証・医療券/調剤券", "{r}");
        assert_eq!(r["result"], "有効");
        assert_eq!(r["detail"], true, "a typed card has 《詳細》 (RULE-59)");
        assert_eq!(r["login_id"], sim_server::history::LINKED_APP_LOGIN_ID);
    }
    // 山田 隆子's record: her card, the 照会番号 of サンプル医療機関, the 被保険者証 filter.
    let yamada = &v["records"][1];
    assert_eq!(yamada["reference_number"], "XYZ010409", "{yamada}");
    assert_eq!(yamada["insurer_number"], "050013");
    assert_eq!(
        history(&sim, &format!("{DAY}&kind=被保険者証")).await["total"],
        2
    );
    let id = yamada["id"].as_u64().expect("id");
    let d = send(
        &sim,
        "GET",
        &format!("/history/{id}?facility=1234567890"),
        &[],
        vec![],
    )
    .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text());
    assert_eq!(d.json()["status"], oqs_protocol::texts::BANNER_VALID);
}

#[tokio::test]
async fn refusals_and_cancellations_are_not_confirmations() {
    let sim = sim();
    // RULE-33: no 枝番 on a card that is not 後期高齢者 / 医療扶助 → EQ0301.
    let mut no_branch = miyazaki();
    no_branch.retain(|(k, _)| *k != "InsuredBranchNumber");
    let r = post(&sim, "OQSsionq01req", &no_branch).await.xml();
    assert_eq!(
        at(&r, &["MessageBody", "ProcessingResultCode"]),
        Some("EQ0301")
    );
    // No 訪問診療等 consent for 宮崎 一太 → EQ0302.
    let r = post(&sim, "OQSsihvq01req", &miyazaki()).await.xml();
    assert_eq!(
        at(&r, &["MessageBody", "ProcessingResultCode"]),
        Some("EQ0302")
    );
    // The cancellation itself is no confirmation; the refused inquiry after it neither.
    post(&sim, "OQSsihvd01req", &yamada()).await;
    let r = post(&sim, "OQSsihvq01req", &yamada()).await.xml();
    assert_eq!(
        at(&r, &["MessageBody", "ProcessingResultCode"]),
        Some("EQ0302")
    );
    assert_eq!(history(&sim, DAY).await["total"], 0);
    // The journal has all four.
    let journal: Vec<String> = sim
        .journal
        .since(0, 100)
        .into_iter()
        .map(|e| e.message)
        .collect();
    assert_eq!(
        journal,
        [
            "OQSsionq01req",
            "OQSsihvq01req",
            "OQSsihvd01req",
            "OQSsihvq01req"
        ]
    );
}

#[tokio::test]
async fn the_file_exchange_records_too_and_a_screen_records_its_operator() {
    let sim = sim();
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = Exchange::open(dir.path(), sim.clone()).expect("exchange");
    let xml = request_xml("UTF-8", Some("20230825"), &miyazaki());
    std::fs::write(ex.req_dir().join("OQSsionq01req_h1.xml"), xml.as_bytes()).expect("write");
    let res = ex.res_dir().join("OQSsionq01res_h1.xml");
    for _ in 0..100 {
        ex.scan_once().expect("scan");
        if res.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(res.exists(), "answered");
    let v = history(&sim, DAY).await;
    assert_eq!(v["total"], 1);
    assert_eq!(
        v["records"][0]["login_id"],
        sim_server::history::LINKED_APP_LOGIN_ID
    );

    // An operator screen (SCR-22) calls the same service with its login id.
    let xml = request_xml("UTF-8", Some("20230825"), &yamada());
    let answered = sim.handle_xml_by(
        "OQSsihvq01req",
        xml.as_bytes(),
        Transport::HttpXml,
        "SCR-22",
        Some("staff01"),
    );
    assert!(answered.is_ok());
    // SCR-21 → SCR-23 of a consent row, by an operator.
    let pop = sim.population();
    let id = pop
        .consents()
        .iter()
        .position(|c| &*c.facility == "1234567890")
        .expect("a consent of サンプル医療機関") as u32;
    drop(pop);
    let (_, detail) = sim
        .consented_detail_by("1234567890", id, Some("staff02"))
        .expect("the facility's consent");
    assert!(detail.is_ok());
    let v = history(&sim, DAY).await;
    assert_eq!(v["total"], 3, "{v}");
    let logins: Vec<&str> = v["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["login_id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        logins,
        [
            "staff02",
            "staff01",
            sim_server::history::LINKED_APP_LOGIN_ID
        ]
    );
}

/// The single inquiry (OQSsiquc01req) asked through `handle_xml_by` records the operator's login
/// id too, by either reader (the plain UTF-8 one and the tree, here for Shift_JIS); without one it
/// stays the 連携アプリケーション's.
#[tokio::test]
async fn a_single_inquiry_asked_by_an_operator_records_the_operator() {
    let sim = sim();
    for (encoding, login) in [
        ("UTF-8", Some("staff03")),
        ("Shift_JIS", Some("staff04")),
        ("UTF-8", None),
    ] {
        let xml = request_xml(encoding, Some("20230825"), &taro());
        let answered = sim.handle_xml_by(
            "OQSsiquc01req",
            xml.as_bytes(),
            Transport::HttpXml,
            "a screen",
            login,
        );
        assert!(answered.is_ok(), "{encoding}");
    }
    let v = history(&sim, DAY).await;
    assert_eq!(v["total"], 3, "{v}");
    let logins: Vec<&str> = v["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["login_id"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        logins,
        [
            sim_server::history::LINKED_APP_LOGIN_ID,
            "staff04",
            "staff03"
        ]
    );
}
