//! システム障害 (ch.12, ENV-15, RULE-91/92, FLOW-45) and 緊急時医療情報・資格確認機能 (RULE-90,
//! ENV-14): what every transport answers during an outage, recovery, the later check recorded
//! as 「システム障害時」 (filter 障害時), and the emergency check recorded as 「災害時」 (no 《詳細》).

mod common;

use axum::http::StatusCode;
use common::*;
use sim_server::exchange::Exchange;
use sim_server::journal::Transport;
use sim_server::Simulator;
use std::fs;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn put(sim: &Arc<Simulator>, uri: &str, body: serde_json::Value) -> Reply {
    send_json(sim, "PUT", uri, body).await
}

async fn post(sim: &Arc<Simulator>, uri: &str, body: serde_json::Value) -> Reply {
    send_json(sim, "POST", uri, body).await
}

async fn get(sim: &Arc<Simulator>, uri: &str) -> Reply {
    send(sim, "GET", uri, &[], Vec::new()).await
}

/// A recovery route called by an authenticated operator (HTTP Basic with the account's
/// ユーザID and パスワード).
async fn post_as(
    sim: &Arc<Simulator>,
    uri: &str,
    (user, password): (&str, &str),
    body: serde_json::Value,
) -> Reply {
    use base64::Engine as _;
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    );
    send(
        sim,
        "POST",
        uri,
        &[
            ("content-type", "application/json"),
            ("authorization", auth.as_str()),
        ],
        body.to_string().into_bytes(),
    )
    .await
}

const ADMIN: (&str, &str) = ("admin01", "Admin#Pass01");
const VIEWER: (&str, &str) = ("viewer01", "Viewer#Pass01");
const STAFF: (&str, &str) = ("staff01", "Staff#Pass01");

fn taro_notes() -> serde_json::Value {
    serde_json::json!({
        "name": "新橋　太郎",
        "sex": "男",
        "birthdate": "1954/03/26",
        "address": "東京都港区〇〇5丁目500-1",
        "kana": "シンバシ タロウ",
        "insurer_name": "東京新橋サンプル保険者",
    })
}

#[tokio::test]
async fn during_an_outage_every_way_in_refuses_with_the_outage_row_and_the_fallback() {
    let sim = simulator();
    let r = put(
        &sim,
        "/__admin/faults/outage",
        serde_json::json!({"outage": true}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["outage"], true);
    // XML over HTTP: 503 with the error-table text.
    let x = post_xml(&sim, request_xml("UTF-8", None, &taro())).await;
    assert_eq!(x.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        x.text().starts_with(
            "EQ0901 システム障害発生等によりオンライン資格確認等システムが利用できない状態です。\n"
        ),
        "{}",
        x.text()
    );
    insta::assert_snapshot!("outage_xml_http_503", x.text());
    // WebAPI: auth and search, in the WebAPI's error shape.
    let a = post(
        &sim,
        "/oqs-api-pro/MSA12020/ILI12020SV01/auth",
        serde_json::json!({"userId": "webapi01", "password": "x"}),
    )
    .await;
    assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(a.json()["errorCode"], "EQ0901");
    insta::assert_snapshot!(
        "outage_webapi_503",
        serde_json::to_string_pretty(&a.json()).expect("JSON")
    );
    // The terminal: RULE-91's fallback for both kinds of card.
    let t = post(
        &sim,
        "/terminal/insurance-card",
        serde_json::json!({"insurer_number": "06139000", "number": "10001", "birthdate": "19540326"}),
    )
    .await;
    assert_eq!(t.status, StatusCode::SERVICE_UNAVAILABLE);
    let j = t.json();
    assert_eq!(j["error"], "ENV-15");
    insta::assert_snapshot!(
        "outage_terminal_503",
        serde_json::to_string_pretty(&j).expect("JSON")
    );
    assert_eq!(
        j["fallback"]["insuranceCard"],
        "被保険者証により資格確認を行い受診します。"
    );
    assert!(j["fallback"]["myNumberCard"]
        .as_str()
        .is_some_and(|m| m.starts_with("マイナンバーカードによる資格確認ができないため")));
    assert_eq!(
        j["fallback"]["note"][0],
        "【マイナンバーカードの券面から控える情報】氏名（漢字）、性別、生年月日、住所"
    );
    // Jobs, history and the dispensing routes too.
    for uri in [
        "/jobs?kind=bulk-inquiry",
        "/history?facility=1234567890",
        "/dispensing/acquisitions?facility=9940000076",
    ] {
        assert_eq!(
            get(&sim, uri).await.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{uri}"
        );
    }
    // Every refusal is journalled (a client's retries can be counted).
    let j = sim.journal.since(0, usize::MAX);
    assert!(j.len() >= 6);
    assert!(j.iter().all(|e| e.error_code.as_deref() == Some("EQ0901")));
    assert!(j.iter().any(|e| e.transport == Transport::WebApi));
    // The admin API still works; recovery answers again.
    let r = send(&sim, "DELETE", "/__admin/faults/outage", &[], vec![]).await;
    assert_eq!(r.json()["outage"], false);
    assert!(r.json()["recoveredAt"].is_string());
    let x = post_xml(&sim, request_xml("UTF-8", None, &taro())).await;
    assert_eq!(x.status, StatusCode::OK);
    // Bad bodies change nothing.
    for bad in [
        serde_json::json!({"outage": "yes"}),
        serde_json::json!({"outage": true, "later_check_days": 9999}),
        serde_json::json!({"outaje": true}),
    ] {
        let r = put(&sim, "/__admin/faults/outage", bad.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert!(!sim.outage.active());
}

#[test]
fn the_exchange_answers_an_err_file_during_an_outage() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = Exchange::open(dir.path(), sim.clone()).expect("open");
    sim.outage.start(sim.clock.now(), None);
    let xml = request_xml("UTF-8", Some("20210106"), &taro());
    fs::write(ex.req_dir().join("OQSsiquc01req_o1.xml"), &xml).expect("write");
    let err = ex.res_dir().join("OQSsiquc01req_o1.err");
    let start = Instant::now();
    while !err.exists() {
        ex.scan_once().expect("scan");
        assert!(start.elapsed() < Duration::from_secs(5), "no .err");
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = fs::read_to_string(&err).expect("err");
    assert!(text.starts_with("EQ0901 "), "{text}");
    assert!(!ex.res_dir().join("OQSsiquc01res_o1.xml").exists());
    let last = sim.journal.since(0, usize::MAX);
    assert_eq!(
        last.last().map(|e| e.transport),
        Some(Transport::FileExchange)
    );
}

#[tokio::test]
async fn the_later_check_after_recovery_is_recorded_as_system_outage() {
    let sim = simulator();
    put(
        &sim,
        "/__admin/faults/outage",
        serde_json::json!({"outage": true, "later_check_days": 7}),
    )
    .await;
    // During the outage: not yet (RULE-92: after recovery).
    let r = post_as(&sim, "/outage/later-check", ADMIN, taro_notes()).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    send(&sim, "DELETE", "/__admin/faults/outage", &[], vec![]).await;
    // The operator is the authenticated caller, never a login id of the request.
    let r = post(&sim, "/outage/later-check", taro_notes()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
    let mut named = taro_notes();
    named["login_id"] = serde_json::json!("admin01");
    named["facility"] = serde_json::json!("1234567890");
    let r = post_as(&sim, "/outage/later-check", STAFF, named).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let r = post_as(
        &sim,
        "/outage/later-check",
        ("admin01", "Wrong#Pass01"),
        taro_notes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
    // Only 管理アカウント or 医療情報閲覧アカウント.
    let r = post_as(&sim, "/outage/later-check", STAFF, taro_notes()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = post_as(&sim, "/outage/later-check", VIEWER, taro_notes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = post_as(&sim, "/outage/later-check", ADMIN, taro_notes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let j = r.json();
    assert_eq!(j["validity"], "有効");
    assert_eq!(j["banner"], "この資格は有効です。");
    assert_eq!(j["kind"], "システム障害時");
    assert_eq!(j["date"], "2021/01/06");
    let result = &j["results"][0]["ResultOfQualificationConfirmation"];
    assert_eq!(result["Name"], "新橋　太郎");
    assert_eq!(result["InsurerNumber"], "06139000");
    // In the history: kind 障害時, 「システム障害時」 on the detail, the account's login id.
    let list = get(
        &sim,
        "/history?facility=1234567890&from=2021/01/06&to=2021/01/06&kind=%E9%9A%9C%E5%AE%B3%E6%99%82",
    )
    .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text());
    let l = list.json();
    let records = l["records"].as_array().expect("records");
    assert_eq!(records.len(), 2, "{l}");
    assert_eq!(records[0]["login_id"], "admin01");
    let id = j["historyId"].as_u64().expect("history id");
    let d = get(&sim, &format!("/history/{id}?facility=1234567890")).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text());
    assert!(d.text().contains("システム障害時"), "{}", d.text());
    // Someone the notes do not describe: 該当資格なし; a missing birthdate is refused.
    let mut other = taro_notes();
    other["birthdate"] = serde_json::json!("1954/03/27");
    let r = post_as(&sim, "/outage/later-check", ADMIN, other).await;
    assert_eq!(r.json()["validity"], "該当資格なし");
    let mut bad = taro_notes();
    bad["birthdate"] = serde_json::json!("");
    assert_eq!(
        post_as(&sim, "/outage/later-check", ADMIN, bad)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // After the set period (7 days from the recovery): over.
    sim.clock.set(
        sim_server::clock::parse_now("2021-01-13T10:00:01+09:00").expect("time"),
        false,
    );
    let r = post_as(&sim, "/outage/later-check", ADMIN, taro_notes()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
}

#[tokio::test]
async fn the_emergency_menu_shows_only_in_its_period_and_its_checks_are_disaster_records() {
    let sim = simulator();
    let m = get(&sim, "/emergency").await.json();
    assert_eq!(m["shown"], false);
    assert_eq!(
        m["note"],
        "※ 緊急時医療情報・資格確認機能のメニューは対象期間以外は表示されません。"
    );
    let card = serde_json::json!({
        "insurer_number": "06139000",
        "symbol": "9000", "number": "10001", "branch": "01", "birthdate": "19540326"
    });
    assert_eq!(
        post_as(&sim, "/emergency/check", STAFF, card.clone())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let r = put(
        &sim,
        "/__admin/emergency-period",
        serde_json::json!({"from": "2021-01-01", "until": "2021-01-06"}),
    )
    .await;
    assert_eq!(r.json()["open"], true);
    let m = get(&sim, "/emergency").await.json();
    assert_eq!(m["shown"], true);
    assert_eq!(m["menu"], "緊急時医療情報・資格確認機能");
    let r = post_as(&sim, "/emergency/check", STAFF, card.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["validity"], "有効");
    let id = r.json()["historyId"].as_u64().expect("recorded");
    // 災害時 records have no 《詳細》 (RULE-59).
    let d = get(&sim, &format!("/history/{id}?facility=1234567890")).await;
    assert_eq!(d.status, StatusCode::NOT_FOUND);
    let list = get(
        &sim,
        "/history?facility=1234567890&from=2021/01/06&to=2021/01/06&kind=%E7%81%BD%E5%AE%B3%E6%99%82",
    )
    .await
    .json();
    assert_eq!(list["records"].as_array().map(Vec::len), Some(1), "{list}");
    // The day after the period: hidden again.
    sim.clock.set(
        sim_server::clock::parse_now("2021-01-07T00:00:00+09:00").expect("time"),
        false,
    );
    assert_eq!(get(&sim, "/emergency").await.json()["shown"], false);
    assert_eq!(
        put(
            &sim,
            "/__admin/emergency-period",
            serde_json::json!({"from": "2021-01-31", "until": "2021-01-01"})
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn during_an_outage_the_operator_screens_show_the_fallback_and_the_tray_stays_open() {
    let sim = simulator();
    for uri in [
        "/login",
        "/menu",
        "/history-search",
        "/check/insurance-card",
    ] {
        assert_ne!(
            get(&sim, uri).await.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{uri}"
        );
    }
    put(
        &sim,
        "/__admin/faults/outage",
        serde_json::json!({"outage": true}),
    )
    .await;
    for uri in [
        "/login",
        "/menu",
        "/history-search",
        "/check/insurance-card",
    ] {
        let r = get(&sim, uri).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        let page = r.text();
        assert!(page.contains("<html lang=\"ja\">"), "{uri}: {page}");
        for text in [
            oqs_protocol::texts::outage::SITUATION,
            oqs_protocol::texts::outage::WITH_MY_NUMBER_CARD,
            oqs_protocol::texts::outage::AFTER_RECOVERY,
        ] {
            assert!(page.contains(text), "{uri}: {page}");
        }
        if uri == "/menu" {
            insta::assert_snapshot!("outage_screen_503", page);
        }
    }
    // The JSON history route keeps its JSON refusal; the tray is the simulator's own.
    let h = get(&sim, "/history?facility=1234567890").await;
    assert_eq!(h.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h.json()["error"], "ENV-15");
    assert_eq!(get(&sim, "/__tray").await.status, StatusCode::OK);
    // Recovery: the screens answer again.
    send(&sim, "DELETE", "/__admin/faults/outage", &[], Vec::new()).await;
    assert_ne!(
        get(&sim, "/login").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}
