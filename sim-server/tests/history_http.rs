//! The confirmation history end to end: a single inquiry over each transport lands in the
//! history with the list's fields; the JSON search, the CSV download and the detail over HTTP,
//! with ERR-23/24 at 10,001 hits.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use oqs_protocol::codes::QualificationValidity;
use oqs_protocol::message::QualificationResult;
use sim_server::history::{ConfirmationKind, History, HistoryRecord, Recorded, SEARCH_LIMIT};
use sim_server::Simulator;
use std::sync::Arc;
use tower::ServiceExt;

const DAY: &str = "facility=1234567890&from=2021/01/06%2000:00&to=2021/01/06%2024:00";

struct Got {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

async fn get(sim: &Arc<Simulator>, uri: &str) -> Got {
    let res = sim_server::router(sim.clone())
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Got {
        status,
        headers,
        body,
    }
}

fn header<'a>(g: &'a Got, name: &str) -> &'a str {
    g.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_single_inquiry_over_http_lands_in_the_history() {
    let sim = simulator();
    let reply = post_xml(&sim, request_xml("UTF-8", Some("20210106"), &taro())).await;
    assert_eq!(reply.status, StatusCode::OK);
    let got = get(&sim, &format!("/history?{DAY}")).await;
    assert_eq!(
        got.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&got.body)
    );
    let v = got.json();
    assert_eq!(v["total"], 1);
    let r = &v["records"][0];
    assert_eq!(r["seq"], 1);
    assert_eq!(r["confirmed_at"], "2021/01/06 10:00:00.000");
    assert_eq!(r["login_id"], sim_server::history::LINKED_APP_LOGIN_ID);
    assert_eq!(r["kind"], "被保険者証・医療券/調剤券");
    assert_eq!(r["result"], "有効");
    assert_eq!(r["detail"], true);
    assert_eq!(r["insurer_number"], "06139000");
    assert_eq!(r["card"], "9000 10001 01");
    assert_eq!(r["name"], "新橋　太郎");
    assert_eq!(r["sex"], "男");
    assert_eq!(r["birthdate"], "1954/03/26");
    assert_eq!(v["conditions"]["window_start"], "2019/01/06 10:00:00.000");

    let id = r["id"].as_u64().expect("id");
    let d = get(&sim, &format!("/history/{id}?facility=1234567890")).await;
    assert_eq!(d.status, StatusCode::OK);
    let d = d.json();
    assert_eq!(d["status"], oqs_protocol::texts::BANNER_VALID);
    assert_eq!(d["kind"], "被保険者証・医療券/調剤券");
    assert_eq!(d["confirmed_at"], "2021/01/06 10:00:00.000");
    assert_eq!(d["consent"][0]["label"], "限度額適用認定証閲覧同意");
    assert_eq!(
        d["consent"][0]["value"], "なし",
        "the request's consent flag was 0"
    );
    assert_eq!(d["prescription_issue_form"]["value"], "未選択");
    assert_eq!(d["insured"][6]["label"], "氏名(券面)");
    assert_eq!(d["insured"][6]["value"], "新橋　太郎");
    // Another facility cannot open it.
    let other = get(&sim, &format!("/history/{id}?facility=9999999999")).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn webapi_checks_carry_its_user_and_input_errors_are_not_confirmations() {
    let sim = simulator();
    let token = send(
        &sim,
        "POST",
        sim_server::webapi::AUTH_PATH,
        &[("content-type", "application/json")],
        br#"{"userId":"webapi01","password":"Demo#Pass2021"}"#.to_vec(),
    )
    .await
    .json()["result"]["idToken"]
        .as_str()
        .expect("idToken")
        .to_owned();
    let xml = request_xml("UTF-8", Some("20210106"), &taro());
    let json = oqs_protocol::json::to_json(
        &oqs_protocol::xml::read_document(xml.as_bytes(), Default::default())
            .expect("xml")
            .root,
    );
    let api = send(
        &sim,
        "POST",
        sim_server::webapi::SEARCH_PATH,
        &[
            ("authorization", &token),
            ("content-type", "application/json"),
        ],
        serde_json::to_vec(&json).expect("json"),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK);
    // An input error (birthdate not a date) is answered but not a confirmation.
    let mut bad = taro();
    bad.retain(|(k, _)| *k != "Birthdate");
    bad.push(("Birthdate", "19541399"));
    let r = post_xml(&sim, request_xml("UTF-8", Some("20210106"), &bad)).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = get(&sim, &format!("/history?{DAY}")).await.json();
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["records"][0]["login_id"], "webapi01");
    let v = get(&sim, &format!("/history?{DAY}&login_id=webapi01"))
        .await
        .json();
    assert_eq!(v["total"], 1);
    let v = get(&sim, &format!("/history?{DAY}&login_id=renkei01"))
        .await
        .json();
    assert_eq!(v["total"], 0);
}

#[tokio::test]
async fn bad_conditions_are_named() {
    let sim = simulator();
    for (uri, field) in [
        (
            "/history?from=2021/01/06%2000:00&to=2021/01/06%2010:00",
            "facility",
        ),
        ("/history?facility=1234567890&to=2021/01/06%2010:00", "from"),
        (
            "/history?facility=1234567890&from=2021/01/06%2025:00&to=2021/01/06%2010:00",
            "from",
        ),
        (&format!("/history?{DAY}&kind=全部"), "kind"),
        (
            &format!("/history?{DAY}&narrowing=顔認証端末のみ"),
            "narrowing",
        ),
        (&format!("/history?{DAY}&per_page=0"), "per_page"),
        (&format!("/history?{DAY}&facilty=1"), "facilty"),
        (&format!("/history.csv?{DAY}&encoding=latin1"), "encoding"),
    ] {
        let g = get(&sim, uri).await;
        assert_eq!(g.status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(g.json()["error"]["field"], field, "{uri}");
    }
    let g = get(
        &sim,
        &format!("/history?{DAY}&kind=マイナンバーカード&narrowing=顔認証端末のみ"),
    )
    .await;
    assert_eq!(g.status, StatusCode::OK);
    let g = get(&sim, "/history/abc?facility=1234567890").await;
    assert_eq!(g.status, StatusCode::BAD_REQUEST);
}

fn fill(sim: &Simulator, n: usize) {
    let now = sim.clock.now();
    let one = QualificationResult {
        insurer_number: Some("06139000".into()),
        insured_identification_number: Some("1".into()),
        name: Some("一括 テスト".into()),
        ..QualificationResult::default()
    };
    let mut rs: Vec<_> = (0..n)
        .map(|i| {
            HistoryRecord::from_result(
                Recorded {
                    facility: "1234567890",
                    at: now - chrono::Duration::seconds(i as i64 + 1),
                    login_id: "staff11",
                    kind: ConfirmationKind::Bulk,
                },
                QualificationValidity::Valid,
                None,
                std::slice::from_ref(&one),
                None,
            )
        })
        .collect();
    sim.history.record_many(&mut rs).expect("record");
}

#[tokio::test]
async fn err_23_and_err_24_beyond_10000_hits() {
    let sim = simulator();
    fill(&sim, SEARCH_LIMIT);
    let ok = get(&sim, &format!("/history?{DAY}&per_page=3")).await;
    assert_eq!(ok.status, StatusCode::OK);
    let v = ok.json();
    assert_eq!(v["total"], 10_000);
    assert_eq!(v["records"].as_array().map(Vec::len), Some(3));
    assert_eq!(v["records"][0]["kind"], "一括照会");
    assert_eq!(v["records"][0]["detail"], false, "RULE-59");
    let last = get(&sim, &format!("/history?{DAY}&per_page=100&page=100"))
        .await
        .json();
    assert_eq!(last["records"][99]["seq"], 10_000);
    let csv = get(&sim, &format!("/history.csv?{DAY}")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(header(&csv, "x-oqs-records"), "10000");
    assert_eq!(csv.body.iter().filter(|b| **b == b'\n').count(), 10_001);
    let id = v["records"][0]["id"].as_u64().expect("id");
    let d = get(&sim, &format!("/history/{id}?facility=1234567890")).await;
    assert_eq!(
        d.status,
        StatusCode::NOT_FOUND,
        "no 《詳細》 for bulk (RULE-59)"
    );

    fill(&sim, 1);
    let over = get(&sim, &format!("/history?{DAY}")).await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    let v = over.json();
    assert_eq!(v["error"]["id"], "ERR-23");
    assert_eq!(v["error"]["event"], oqs_protocol::texts::ERR_23.event);
    assert_eq!(
        v["error"]["event"],
        "10,000件を超える検索結果が検索された場合は、確認メッセージが表示され、検索結果が表示されません。"
    );
    assert_eq!(
        v["error"]["action"],
        "検索条件を見直して、再検索してください。"
    );
    assert_eq!(v["error"]["title"], oqs_protocol::texts::PLACEHOLDER_LABEL);
    assert_eq!(v["records"], serde_json::json!([]));
    let over = get(&sim, &format!("/history.csv?{DAY}&encoding=shift_jis")).await;
    assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(header(&over, "content-type").starts_with("application/json"));
    let v = over.json();
    assert_eq!(v["error"]["id"], "ERR-24");
    assert_eq!(
        v["error"]["event"],
        "10,000件を超える検索条件の場合は、確認メッセージが表示され、ダウンロードできません。"
    );
    // A narrower period is below the limit again.
    let narrow = get(
        &sim,
        "/history.csv?facility=1234567890&from=2021/01/06%2009:59&to=2021/01/06%2009:59&encoding=shift_jis",
    )
    .await;
    assert_eq!(narrow.status, StatusCode::OK);
    assert_eq!(
        header(&narrow, "content-type"),
        "text/csv; charset=Shift_JIS"
    );
}

#[tokio::test]
async fn csv_download_names_encoding_and_unencodable_characters() {
    let sim = simulator();
    post_xml(&sim, request_xml("UTF-8", Some("20210106"), &taro())).await;
    let utf8 = get(&sim, &format!("/history.csv?{DAY}")).await;
    assert_eq!(utf8.status, StatusCode::OK);
    assert_eq!(header(&utf8, "content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        header(&utf8, "content-disposition"),
        "attachment; filename=\"history_1234567890_20210106100000.csv\""
    );
    assert!(
        utf8.body
            .starts_with(b"\xEF\xBB\xBF\"\xE9\x80\x9A\xE7\x95\xAA\""),
        "BOM then 「通番」"
    );
    let text = String::from_utf8(utf8.body[3..].to_vec()).expect("utf-8");
    assert_eq!(
        text.lines().nth(1),
        Some("\"1\",\"2021/01/06 10:00:00.000\",\"renkei01\",\"\",\"被保険者証・医療券/調剤券\",\"有効\",\"06139000\",\"9000 10001 01\",\"新橋　太郎\",\"男\",\"1954/03/26\"")
    );
    let sjis = get(&sim, &format!("/history.csv?{DAY}&encoding=shift_jis")).await;
    assert_eq!(header(&sjis, "x-oqs-unencodable-characters"), "0");
    let (decoded, _, bad) = encoding_rs::SHIFT_JIS.decode(&sjis.body);
    assert!(!bad);
    assert_eq!(decoded, text);
}

#[tokio::test]
async fn a_data_dir_keeps_http_confirmations_across_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let sim = simulator();
        sim.history.use_data_dir(dir.path()).expect("data dir");
        post_xml(&sim, request_xml("UTF-8", Some("20210106"), &taro())).await;
        assert_eq!(
            get(&sim, &format!("/history?{DAY}")).await.json()["total"],
            1
        );
    }
    let sim = simulator();
    assert_eq!(
        get(&sim, &format!("/history?{DAY}")).await.json()["total"],
        0,
        "memory starts empty"
    );
    sim.history.use_data_dir(dir.path()).expect("data dir");
    let v = get(&sim, &format!("/history?{DAY}")).await.json();
    assert_eq!(v["total"], 1);
    assert_eq!(v["records"][0]["name"], "新橋　太郎");
    let reopened = History::open(dir.path()).expect("open");
    assert_eq!(reopened.len().expect("len"), 1);
}

#[tokio::test]
async fn a_check_over_the_file_exchange_is_recorded_too() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = sim_server::exchange::Exchange::open(dir.path(), sim.clone()).expect("exchange");
    let xml = request_xml("Shift_JIS", Some("20210106"), &taro());
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&xml);
    std::fs::write(ex.req_dir().join("OQSsiquc01req_h1.xml"), &bytes).expect("write");
    let mut answered = false;
    for _ in 0..50 {
        ex.scan_once().expect("scan");
        if ex.res_dir().join("OQSsiquc01res_h1.xml").exists() {
            answered = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(answered, "no answer in res/");
    let v = get(&sim, &format!("/history?{DAY}")).await.json();
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["records"][0]["login_id"], "renkei01");
    assert_eq!(v["records"][0]["name"], "新橋　太郎");
}

#[tokio::test]
async fn an_unreadable_stored_detail_is_an_error_not_a_missing_detail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = simulator();
    sim.history.use_data_dir(dir.path()).expect("data dir");
    post_xml(&sim, request_xml("UTF-8", Some("20210106"), &taro())).await;
    let id = get(&sim, &format!("/history?{DAY}")).await.json()["records"][0]["id"]
        .as_u64()
        .expect("id");
    {
        let db = rusqlite::Connection::open(dir.path().join(sim_server::history::SQLITE_FILE))
            .expect("open");
        db.execute(
            "UPDATE history SET detail = '{broken' WHERE id = ?1",
            [id as i64],
        )
        .expect("corrupt");
    }
    let d = get(&sim, &format!("/history/{id}?facility=1234567890")).await;
    assert_eq!(d.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(d.json()["error"]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("history.sqlite")));
}
