//! One behaviour over three transports, encodings, bad input, the admin API.

mod common;

use axum::http::StatusCode;
use common::*;
use oqs_protocol::xml::TextEncoding;
use sim_server::exchange::Exchange;
use sim_server::Settings;
use std::time::Duration;

fn answer_of_exchange(ex: &Exchange, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    std::fs::write(ex.req_dir().join(name), bytes).expect("write request");
    for _ in 0..40 {
        ex.scan_once().expect("scan");
        let answered: Vec<_> = std::fs::read_dir(ex.res_dir())
            .expect("res")
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .collect();
        if let Some(p) = answered.into_iter().find(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        }) {
            return p;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("no answer for {name}");
}

#[tokio::test]
async fn same_request_same_answer_on_all_three_transports() {
    let sim = simulator();
    let xml = request_xml("UTF-8", Some("20210106"), &taro());
    let http = post_xml(&sim, xml.clone()).await;
    assert_eq!(http.status, StatusCode::OK);
    assert_eq!(http.content_type, "application/xml; charset=UTF-8");

    let dir = tempfile::tempdir().expect("tempdir");
    let ex = Exchange::open(dir.path(), sim.clone()).expect("exchange");
    let res = answer_of_exchange(&ex, "OQSsiquc01req_same.xml", xml.as_bytes());
    assert_eq!(
        res.file_name().and_then(|n| n.to_str()),
        Some("OQSsiquc01res_same.xml")
    );
    assert_eq!(
        std::fs::read(&res).expect("res"),
        http.body,
        "file exchange differs from HTTP"
    );
    assert!(
        std::fs::read_dir(ex.req_dir())
            .expect("req")
            .next()
            .is_none(),
        "request was not consumed"
    );

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
    let request_json = oqs_protocol::json::to_json(
        &oqs_protocol::xml::read_document(xml.as_bytes(), Default::default())
            .expect("xml")
            .root,
    );
    let api = send(
        &sim,
        "POST",
        sim_server::webapi::SEARCH_PATH,
        &[("authorization", &token)],
        request_json.to_string().into_bytes(),
    )
    .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text());
    let expected = oqs_protocol::json::to_json(&http.xml());
    assert_eq!(
        api.json(),
        expected,
        "JSON mirror differs from the XML answer"
    );
    assert_eq!(
        api.json()["XmlMsg"]["MessageBody"]["ResultList"][0]["ResultOfQualificationConfirmation"]
            ["Name"],
        "新橋　太郎"
    );

    let transports: Vec<_> = sim
        .journal
        .since(0, 10)
        .iter()
        .map(|e| serde_json::to_value(e.transport).expect("json"))
        .collect();
    assert_eq!(transports, vec!["http-xml", "file-exchange", "web-api"]);
}

#[tokio::test]
async fn shift_jis_request_gets_a_shift_jis_answer() {
    let sim = simulator();
    let text = request_xml("Shift_JIS", Some("20210106"), &taro());
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let reply = post_xml(&sim, bytes.into_owned()).await;
    assert_eq!(reply.content_type, "application/xml; charset=Shift_JIS");
    assert!(
        std::str::from_utf8(&reply.body).is_err(),
        "answer must be Shift_JIS bytes, not UTF-8"
    );
    let doc = oqs_protocol::xml::read_document(&reply.body, Default::default()).expect("readable");
    assert_eq!(doc.encoding, TextEncoding::ShiftJis);
    assert_eq!(
        at(&doc.root, &["MessageHeader", "CharacterCodeIdentifier"]),
        Some("1")
    );
    assert_eq!(
        at(
            &doc.root,
            &[
                "MessageBody",
                "ResultList",
                "ResultOfQualificationConfirmation",
                "Name"
            ]
        ),
        Some("新橋　太郎")
    );

    // CharacterCodeIdentifier in the request header picks the answer's encoding.
    let text = request_xml("UTF-8", Some("20210106"), &taro()).replace(
        "</MessageHeader>",
        " <CharacterCodeIdentifier>1</CharacterCodeIdentifier>\n </MessageHeader>",
    );
    let reply = post_xml(&sim, text).await;
    assert_eq!(reply.content_type, "application/xml; charset=Shift_JIS");
}

#[tokio::test]
async fn bad_input_gets_the_table_text_and_the_server_keeps_serving() {
    let sim = simulator_with(Settings {
        max_request_bytes: 4096,
        ..Settings::default()
    });
    let cases: Vec<(Vec<u8>, StatusCode, &str)> = vec![
        (
            b"<XmlMsg><MessageHeader>".to_vec(),
            StatusCode::BAD_REQUEST,
            "EQ0001 XML構造エラー",
        ),
        (
            b"<?xml version=\"1.0\" encoding=\"EUC-JP\"?><XmlMsg/>".to_vec(),
            StatusCode::BAD_REQUEST,
            "EQ0002",
        ),
        (
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg>\x90\x56</XmlMsg>".to_vec(),
            StatusCode::BAD_REQUEST,
            "EQ0002",
        ),
        (vec![b' '; 5000], StatusCode::PAYLOAD_TOO_LARGE, "EQ0003"),
        (
            "<a>".repeat(100).into_bytes(),
            StatusCode::BAD_REQUEST,
            "nests deeper",
        ),
        (b"".to_vec(), StatusCode::BAD_REQUEST, "no root element"),
    ];
    for (body, status, needle) in cases {
        let r = post_xml(&sim, body).await;
        assert_eq!(r.status, status, "{}", r.text());
        assert!(r.text().contains(needle), "{needle} not in {}", r.text());
    }
    // Wrong root and missing parts are readable XML: an answer with SegmentOfResult 9.
    for body in [
        "<Other/>",
        "<XmlMsg><MessageHeader/></XmlMsg>",
        "<XmlMsg><MessageBody/></XmlMsg>",
    ] {
        let r = post_xml(&sim, body).await;
        assert_eq!(r.status, StatusCode::OK);
        let x = r.xml();
        assert_eq!(at(&x, &["MessageHeader", "SegmentOfResult"]), Some("9"));
        assert_eq!(at(&x, &["MessageHeader", "ErrorCode"]), Some("EQ0101"));
        assert_eq!(
            at(&x, &["MessageHeader", "ErrorMessage"]),
            Some("XML構造エラー")
        );
    }
    let r = send(
        &sim,
        "POST",
        "/xml/OQSnosuch01req",
        &[],
        b"<XmlMsg/>".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().starts_with("EQ0004"), "{}", r.text());
    // Still serving.
    let ok = post_xml(&sim, request_xml("UTF-8", Some("20210106"), &taro())).await;
    assert_eq!(
        at(&ok.xml(), &["MessageBody", "QualificationValidity"]),
        Some("1")
    );
    let journal = sim.journal.since(0, 100);
    assert!(journal.iter().filter(|e| e.outcome == "rejected").count() >= 6);
    assert!(journal.iter().any(|e| e
        .error_detail
        .as_deref()
        .is_some_and(|d| d.contains("not well-formed"))));
}

#[tokio::test]
async fn webapi_refuses_missing_or_wrong_tokens_and_credentials() {
    let sim = simulator();
    let body = br#"{"XmlMsg":{"MessageHeader":{"MedicalInstitutionCode":"1234567890"},"MessageBody":{"QualificationConfirmSearchInfo":{}}}}"#;
    for headers in [vec![], vec![("authorization", "id-0000")]] {
        let r = send(
            &sim,
            "POST",
            sim_server::webapi::SEARCH_PATH,
            &headers,
            body.to_vec(),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["msg"], oqs_protocol::texts::WEBAPI_TOKEN_REQUIRED);
    }
    let r = send(
        &sim,
        "POST",
        sim_server::webapi::AUTH_PATH,
        &[],
        br#"{"userId":"webapi01","password":"nope"}"#.to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["msg"], oqs_protocol::texts::WEBAPI_AUTH_FAILED);
    let r = send(
        &sim,
        "POST",
        sim_server::webapi::AUTH_PATH,
        &[],
        b"{not json".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // With a token, an invalid body is answered with the body-level error, as in XML.
    let token = send(
        &sim,
        "POST",
        sim_server::webapi::AUTH_PATH,
        &[],
        br#"{"userId":"webapi01","password":"Demo#Pass2021"}"#.to_vec(),
    )
    .await
    .json()["result"]["idToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let r = send(
        &sim,
        "POST",
        sim_server::webapi::SEARCH_PATH,
        &[("authorization", &format!("Bearer {token}"))],
        body.to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json()["XmlMsg"]["MessageBody"]["ProcessingResultCode"],
        "EQ0201"
    );
    let r = send(
        &sim,
        "POST",
        sim_server::webapi::SEARCH_PATH,
        &[("authorization", &token)],
        b"[1,2]".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

/// A WebAPI login's id token (the demo account).
async fn webapi_token(sim: &std::sync::Arc<sim_server::Simulator>) -> String {
    let r = send(
        sim,
        "POST",
        sim_server::webapi::AUTH_PATH,
        &[],
        br#"{"userId":"webapi01","password":"Demo#Pass2021"}"#.to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["result"]["idToken"]
        .as_str()
        .expect("idToken")
        .to_owned()
}

#[tokio::test]
async fn admin_reset_ends_webapi_tokens() {
    let sim = simulator();
    let request = oqs_protocol::json::to_json(
        &oqs_protocol::xml::read_document(
            request_xml("UTF-8", Some("20210106"), &taro()).as_bytes(),
            Default::default(),
        )
        .expect("xml")
        .root,
    )
    .to_string()
    .into_bytes();
    let search = |token: String| {
        let (sim, request) = (sim.clone(), request.clone());
        async move {
            let bearer = format!("Bearer {token}");
            send(
                &sim,
                "POST",
                sim_server::webapi::SEARCH_PATH,
                &[("authorization", &bearer)],
                request,
            )
            .await
        }
    };
    let before = webapi_token(&sim).await;
    assert_eq!(search(before.clone()).await.status, StatusCode::OK);
    let r = send(&sim, "POST", "/__admin/reset", &[], vec![]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // The token issued before the reset is refused …
    let r = search(before.clone()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text());
    assert_eq!(r.json()["msg"], oqs_protocol::texts::WEBAPI_TOKEN_REQUIRED);
    // … and a new login works.
    let after = webapi_token(&sim).await;
    assert_ne!(after, before);
    assert_eq!(search(after).await.status, StatusCode::OK);
}

#[tokio::test]
async fn admin_clock_sets_the_default_confirmation_date() {
    let sim = simulator();
    // No 資格確認日: today by the clock. 新橋 花子 is valid on 2020-12-31 and invalid after.
    let hanako = vec![
        ("InsurerNumber", "06139000"),
        ("InsuredCardSymbol", "9000"),
        ("InsuredIdentificationNumber", "10001"),
        ("InsuredBranchNumber", "02"),
        ("Birthdate", "19550118"),
        ("LimitApplicationCertificateRelatedConsFlg", "0"),
    ];
    let r = post_xml(&sim, request_xml("UTF-8", None, &hanako))
        .await
        .xml();
    assert_eq!(
        at(&r, &["MessageHeader", "QualificationConfirmationDate"]),
        Some("20210106")
    );
    assert_eq!(at(&r, &["MessageBody", "QualificationValidity"]), Some("2"));
    let set = send(
        &sim,
        "PUT",
        "/__admin/clock",
        &[],
        br#"{"now":"2020-12-31T23:59:00+09:00"}"#.to_vec(),
    )
    .await;
    assert_eq!(set.status, StatusCode::OK);
    assert_eq!(set.json()["mode"], "frozen");
    let r = post_xml(&sim, request_xml("UTF-8", None, &hanako))
        .await
        .xml();
    assert_eq!(
        at(&r, &["MessageHeader", "QualificationConfirmationDate"]),
        Some("20201231")
    );
    assert_eq!(
        at(&r, &["MessageHeader", "ProcessExecutionTime"]),
        Some("20201231235900")
    );
    assert_eq!(at(&r, &["MessageBody", "QualificationValidity"]), Some("1"));
    let bad = send(
        &sim,
        "PUT",
        "/__admin/clock",
        &[],
        br#"{"now":"yesterday"}"#.to_vec(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"]
        .as_str()
        .is_some_and(|e| e.contains("RFC 3339")));
}

#[tokio::test]
async fn admin_fixtures_extend_replace_and_reset() {
    let sim = simulator();
    let fixture = r#"
[[insurer]]
number = "06999999"
name = "追加テスト保険者"

[[person]]
id = "added-1"
name = "追加 試験"
kana = "ツイカ シケン"
sex = "女"
birthdate = 2000-02-02

[[person.qualification]]
insurer = "06999999"
number = "42"
valid_from = 2020-04-01
"#;
    let search = vec![
        ("InsurerNumber", "06999999"),
        ("InsuredIdentificationNumber", "42"),
        ("Birthdate", "20000202"),
        ("LimitApplicationCertificateRelatedConsFlg", "0"),
    ];
    let before = post_xml(&sim, request_xml("UTF-8", Some("20210106"), &search))
        .await
        .xml();
    assert_eq!(
        at(&before, &["MessageBody", "QualificationValidity"]),
        Some("4")
    );
    let r = send(
        &sim,
        "POST",
        "/__admin/fixtures?mode=extend",
        &[],
        fixture.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json()["persons"],
        23,
        "the 22 built-in persons and the one added"
    );
    let after = post_xml(&sim, request_xml("UTF-8", Some("20210106"), &search))
        .await
        .xml();
    assert_eq!(
        at(&after, &["MessageBody", "QualificationValidity"]),
        Some("1")
    );
    // A bad fixture names line and field and changes nothing.
    let bad = fixture
        .replace("2000-02-02", "\"2000-02-31\"")
        .replace("added-1", "added-2");
    let r = send(
        &sim,
        "POST",
        "/__admin/fixtures?mode=extend&name=mine.toml",
        &[],
        bad.into_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    assert_eq!(
        (j["file"].as_str(), j["line"].as_u64(), j["field"].as_str()),
        (Some("mine.toml"), Some(11), Some("birthdate"))
    );
    let r = send(
        &sim,
        "POST",
        "/__admin/fixtures?mode=replace",
        &[],
        fixture.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(r.json()["persons"], 1);
    let r = send(&sim, "POST", "/__admin/reset", &[], vec![]).await;
    assert_eq!(r.json()["persons"], 22);
    let gone = post_xml(&sim, request_xml("UTF-8", Some("20210106"), &search))
        .await
        .xml();
    assert_eq!(
        at(&gone, &["MessageBody", "QualificationValidity"]),
        Some("4")
    );
}

#[tokio::test]
async fn admin_journal_reports_what_clients_sent() {
    let sim = simulator();
    post_xml(&sim, request_xml("UTF-8", Some("20210106"), &taro())).await;
    let mut bad = taro();
    bad[0] = ("InsurerNumber", "1234");
    post_xml(&sim, request_xml("UTF-8", Some("20210106"), &bad)).await;
    let j = send(&sim, "GET", "/__admin/journal", &[], vec![])
        .await
        .json();
    let entries = j["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["validity"], "1");
    assert_eq!(entries[0]["received_at"], "2021-01-06T10:00:00+09:00");
    assert_eq!(entries[1]["error_code"], "EQ0201");
    assert!(
        entries[1]["error_detail"]
            .as_str()
            .is_some_and(|d| d.contains("InsurerNumber")),
        "{}",
        entries[1]
    );
    assert!(entries[1]["request"]
        .as_str()
        .is_some_and(|r| r.contains("<InsurerNumber>1234</InsurerNumber>")));
    let since = send(&sim, "GET", "/__admin/journal?since=1", &[], vec![])
        .await
        .json();
    assert_eq!(since["entries"].as_array().map(Vec::len), Some(1));
    let table = send(&sim, "GET", "/__admin/error-table", &[], vec![])
        .await
        .json();
    assert_eq!(
        table["rows"].as_array().map(Vec::len),
        Some(oqs_protocol::ErrorKind::ALL.len())
    );
}

#[tokio::test]
async fn error_table_override_changes_codes_everywhere() {
    let base = oqs_protocol::ErrorTable::builtin();
    let table = oqs_protocol::ErrorTable::from_toml(
        "[insurer-number]\ncode = \"OFFICIAL-1\"\nmessage = \"公式メッセージ\"\n",
        Some(&base),
    )
    .expect("table");
    let now = sim_server::clock::parse_now(NOW).expect("now");
    let sim = std::sync::Arc::new(sim_server::Simulator::new(
        sim_server::Clock::frozen(now),
        table,
        Settings::default(),
    ));
    let mut bad = taro();
    bad[0] = ("InsurerNumber", "x");
    let r = post_xml(&sim, request_xml("UTF-8", Some("20210106"), &bad))
        .await
        .xml();
    assert_eq!(
        at(&r, &["MessageBody", "ProcessingResultCode"]),
        Some("OFFICIAL-1")
    );
    assert_eq!(
        at(&r, &["MessageBody", "ProcessingResultMessage"]),
        Some("公式メッセージ")
    );
}
