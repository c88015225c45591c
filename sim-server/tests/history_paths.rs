//! Every confirmation path lands in the history: bulk inquiry rows (一括照会, no 《詳細》) and
//! My Number checks (目視確認 / 暗証番号), and `Settings.data_dir` puts it in SQLite.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};
use sim_server::{Settings, Simulator};
use std::sync::Arc;
use std::time::Duration;

const DAY: &str = "facility=1234567890&from=2021/01/06%2000:00&to=2021/01/06%2024:00";

async fn history(sim: &Arc<Simulator>, extra: &str) -> Value {
    let r = send(sim, "GET", &format!("/history?{DAY}{extra}"), &[], vec![]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn row(fields: &[(&str, &str)]) -> String {
    let f: String = fields
        .iter()
        .map(|(k, v)| format!("<{k}>{v}</{k}>"))
        .collect();
    format!("<QualificationConfirmSearchInfo>{f}</QualificationConfirmSearchInfo>")
}

#[tokio::test]
async fn bulk_rows_are_recorded_as_ikkatsu_shoukai_without_detail() {
    let sim = simulator();
    let hanako = [
        ("InsurerNumber", "06139000"),
        ("InsuredCardSymbol", "9000"),
        ("InsuredIdentificationNumber", "10001"),
        ("InsuredBranchNumber", "02"),
        ("Birthdate", "19550118"),
        ("LimitApplicationCertificateRelatedConsFlg", "0"),
    ];
    let mut bad = taro();
    bad[0] = ("InsurerNumber", "123");
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><QualificationConfirmationDate>20210106</QualificationConfirmationDate><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody>{}{}{}</MessageBody></XmlMsg>\n",
        row(&taro()),
        row(&hanako),
        row(&bad)
    );
    let r = send(&sim, "POST", "/xml/OQSmuquc01req", &[], body.into_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let number = at(&r.xml(), &["MessageBody", "ReceptionNumber"])
        .expect("受付番号")
        .to_owned();
    let job = sim
        .jobs
        .wait(&number, Duration::from_secs(10))
        .expect("job");
    assert!(job.state.is_final(), "{:?}", job.state);

    let v = history(&sim, "&kind=一括照会").await;
    // Two judged rows; the row with a bad 保険者番号 was not a confirmation.
    assert_eq!(v["total"], 2, "{v}");
    let names: Vec<&str> = v["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default())
        .collect();
    // Same 資格確認日時: the later row (file order) is newer.
    assert_eq!(names, ["新橋　花子", "新橋　太郎"]);
    assert_eq!(v["records"][0]["result"], "無効");
    assert_eq!(v["records"][1]["result"], "有効");
    for r in v["records"].as_array().expect("records") {
        assert_eq!(r["kind"], "一括照会");
        assert_eq!(r["detail"], false, "RULE-59");
        assert_eq!(r["login_id"], sim_server::history::LINKED_APP_LOGIN_ID);
    }
    assert_eq!(history(&sim, "&kind=被保険者証").await["total"], 0);
}

async fn call(sim: &Arc<Simulator>, method: &str, uri: &str, body: Value) -> Reply {
    send_json(sim, method, uri, body).await
}

#[tokio::test]
async fn my_number_checks_are_recorded_with_their_method() {
    let sim = simulator();
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/card",
        json!({ "profile": "valid" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(
        &sim,
        "POST",
        "/terminal/mynumber",
        json!({ "method": "目視確認" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = call(
        &sim,
        "POST",
        "/terminal/mynumber",
        json!({ "method": "pin", "pin": "1234", "prescription_form": "紙" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());

    let v = history(&sim, "&kind=マイナンバーカード").await;
    assert_eq!(v["total"], 2, "{v}");
    assert_eq!(v["records"][0]["kind"], "マイナンバーカード(暗証番号)");
    assert_eq!(v["records"][1]["kind"], "マイナンバーカード(目視確認)");
    assert_eq!(v["records"][0]["name"], "新橋　太郎");
    assert_eq!(
        v["records"][0]["login_id"],
        sim_server::history::TERMINAL_LOGIN_ID
    );
    assert_eq!(v["records"][0]["detail"], true);
    // Generic-reader checks: none with 顔認証端末のみ, both without face-reader checks.
    let face = history(&sim, "&kind=マイナンバーカード&narrowing=顔認証端末のみ").await;
    assert_eq!(face["total"], 0);
    let no_face = history(
        &sim,
        "&kind=マイナンバーカード&narrowing=顔認証分を含めない",
    )
    .await;
    assert_eq!(no_face["total"], 2);

    let id = v["records"][0]["id"].as_u64().expect("id");
    let d = send(
        &sim,
        "GET",
        &format!("/history/{id}?facility=1234567890"),
        &[],
        vec![],
    )
    .await;
    assert_eq!(d.status, 200, "{}", d.text());
    let d = d.json();
    assert_eq!(d["kind"], "マイナンバーカード(暗証番号)");
    assert_eq!(
        d["prescription_issue_form"]["value"], "紙",
        "RULE-61: as chosen at the check"
    );
    assert_eq!(d["status"], oqs_protocol::texts::BANNER_VALID);
}

#[tokio::test]
async fn settings_data_dir_keeps_the_history_in_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = || Settings {
        data_dir: Some(dir.path().to_path_buf()),
        ..Settings::default()
    };
    {
        let sim = simulator_with(settings());
        assert_eq!(sim.history.backend(), "sqlite");
        assert!(sim.history.open_error().is_none());
        post_xml(&sim, request_xml("UTF-8", Some("20210106"), &taro())).await;
    }
    assert!(dir.path().join(sim_server::history::SQLITE_FILE).exists());
    let sim = simulator_with(settings());
    let v = history(&sim, "").await;
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["records"][0]["name"], "新橋　太郎");

    // A data dir that cannot be used is reported (the binary refuses to start).
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("write");
    let h = sim_server::history::History::new(Some(&file), None);
    assert!(h.open_error().is_some());
    assert_eq!(h.backend(), "memory");
}

/// RULE-24 / RULE-61: a 処方箋発行形態 changed with 《更新》 after the check is what the history
/// detail shows, in both stores.
#[tokio::test]
async fn a_prescription_form_changed_after_the_check_reaches_the_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    for settings in [
        Settings::default(),
        Settings {
            data_dir: Some(dir.path().to_path_buf()),
            ..Settings::default()
        },
    ] {
        let sim = simulator_with(settings);
        let r = call(
            &sim,
            "PUT",
            "/__admin/terminal/readers/0/card",
            json!({ "profile": "valid" }),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let r = call(
            &sim,
            "POST",
            "/terminal/mynumber",
            json!({ "method": "目視確認", "prescription_form": "紙" }),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let confirmation = r.json()["confirmation"].as_u64().expect("confirmation id");
        let detail = |sim: Arc<Simulator>| async move {
            let v = history(&sim, "").await;
            let id = v["records"][0]["id"].as_u64().expect("history id");
            let d = send(
                &sim,
                "GET",
                &format!("/history/{id}?facility=1234567890"),
                &[],
                vec![],
            )
            .await;
            assert_eq!(d.status, 200, "{}", d.text());
            d.json()["prescription_issue_form"]["value"].clone()
        };
        assert_eq!(detail(sim.clone()).await, "紙", "{}", sim.history.backend());
        let u = call(
            &sim,
            "POST",
            &format!("/terminal/mynumber/{confirmation}/update"),
            json!({ "prescription_form": "電子" }),
        )
        .await;
        assert_eq!(u.status, 200, "{}", u.text());
        assert_eq!(
            detail(sim.clone()).await,
            "電子",
            "{}",
            sim.history.backend()
        );
        assert_eq!(history(&sim, "").await["total"], 1, "no second record");
    }
}
