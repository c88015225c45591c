//! Visiting/online care over the machine transports (ch.3): OQSsihvq01req / OQSsionq01req
//! individual inquiries (FLOW-32, RULE-33, RULE-56) and OQSsihvd01req consent cancellation
//! (FLOW-35, RULE-64/67) with its effect on later inquiries; snapshots of every new result
//! (frozen clock 2023-08-25 10:00 JST). XML over HTTP and the file exchange answer the same bytes.

mod common;

use axum::http::StatusCode;
use common::*;
use sim_server::exchange::Exchange;
use sim_server::{clock, Clock, Settings, Simulator};
use std::sync::Arc;
use std::time::Duration;

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
    send(
        sim,
        "POST",
        &format!("/xml/{message}"),
        &[],
        xml.into_bytes(),
    )
    .await
}

fn text(r: &Reply) -> String {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.text()
}

#[tokio::test]
async fn visiting_inquiry_of_yamada_shows_her_qualification_and_consents() {
    let sim = sim();
    let r = post(&sim, "OQSsihvq01req", &yamada()).await;
    let root = r.xml();
    assert_eq!(
        at(&root, &["MessageBody", "ProcessingResultStatus"]),
        Some("1")
    );
    assert_eq!(
        at(&root, &["MessageBody", "QualificationValidity"]),
        Some("1")
    );
    // 照会番号 XYZ010409 of サンプル医療機関 (SCR-23 ②).
    assert_eq!(
        at(
            &root,
            &[
                "MessageBody",
                "ResultList",
                "ResultOfQualificationConfirmation",
                "ReferenceNumber"
            ]
        ),
        Some("XYZ010409")
    );
    let rows = root
        .child("MessageBody")
        .and_then(|b| b.child("ViewingConsentList"))
        .expect("consent table");
    assert_eq!(rows.children.len(), 7);
    // RULE-56: no medical information in the answer.
    let t = text(&r);
    for medical in [
        "Pharmacist",
        "Diagnosis",
        "Operation",
        "SpecificHealthCheckups",
    ] {
        assert!(!t.contains(&format!("<{medical}Info>")), "{medical}");
    }
    insta::assert_snapshot!("visiting_inquiry_yamada", t);
}

#[tokio::test]
async fn online_inquiry_of_miyazaki_and_the_wrong_kind_refused() {
    let sim = sim();
    let r = post(&sim, "OQSsionq01req", &miyazaki()).await;
    insta::assert_snapshot!("online_inquiry_miyazaki", text(&r));
    // 宮崎 一太 has no 訪問診療等 consent; 山田 隆子 no オンライン診療等 consent.
    for (message, who) in [("OQSsihvq01req", miyazaki()), ("OQSsionq01req", yamada())] {
        let root = post(&sim, message, &who).await.xml();
        assert_eq!(
            at(&root, &["MessageBody", "ProcessingResultCode"]),
            Some("EQ0302"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn rule_33_branch_required_except_late_elderly() {
    let sim = sim();
    let without: Vec<_> = yamada()
        .into_iter()
        .filter(|(k, _)| *k != "InsuredBranchNumber")
        .collect();
    let r = post(&sim, "OQSsihvq01req", &without).await;
    insta::assert_snapshot!("visiting_inquiry_branch_required", text(&r));
    // 後期高齢 二郎 (39110400, no 枝番): RULE-33 lets him through; he has no consent.
    let jiro = [
        ("InsurerNumber", "39110400"),
        ("InsuredIdentificationNumber", "KR11"),
        ("Birthdate", "19440605"),
        ("LimitApplicationCertificateRelatedConsFlg", "0"),
    ];
    let root = post(&sim, "OQSsihvq01req", &jiro).await.xml();
    assert_eq!(
        at(&root, &["MessageBody", "ProcessingResultCode"]),
        Some("EQ0302")
    );
}

#[tokio::test]
async fn cancellation_ends_visiting_inquiries_and_shows_the_reason() {
    let sim = sim();
    let taro = taro();
    let before = post(&sim, "OQSsihvq01req", &taro).await.xml();
    assert_eq!(
        at(&before, &["MessageBody", "ProcessingResultStatus"]),
        Some("1")
    );
    let cancel = post(&sim, "OQSsihvd01req", &taro).await;
    insta::assert_snapshot!("consent_cancel_taro", text(&cancel));
    let after = post(&sim, "OQSsihvq01req", &taro).await;
    insta::assert_snapshot!("visiting_inquiry_after_cancel", text(&after));
    let again = post(&sim, "OQSsihvd01req", &taro).await.xml();
    assert_eq!(
        at(&again, &["MessageBody", "ProcessingResultCode"]),
        Some("EQ0302"),
        "a cancelled consent cannot be cancelled again"
    );
    // Another patient of the facility is not touched.
    let yamada = post(&sim, "OQSsihvq01req", &yamada()).await.xml();
    assert_eq!(
        at(&yamada, &["MessageBody", "ProcessingResultStatus"]),
        Some("1")
    );
    // A reset of the population forgets the cancellation.
    sim.reset_population();
    let reset = post(&sim, "OQSsihvq01req", &taro).await.xml();
    assert_eq!(
        at(&reset, &["MessageBody", "ProcessingResultStatus"]),
        Some("1")
    );
}

#[tokio::test]
async fn a_bad_specific_disease_flag_is_a_structure_error() {
    let sim = sim();
    let mut fields = yamada();
    fields.push(("SpecificDiseasesCertificateRelatedConsFlg", "x"));
    let root = post(&sim, "OQSsihvq01req", &fields).await.xml();
    assert_eq!(at(&root, &["MessageHeader", "SegmentOfResult"]), Some("9"));
    let journal = sim.journal.since(0, 1000);
    let last = journal.last().expect("journalled");
    assert_eq!(last.message, "OQSsihvq01req");
    assert!(
        last.error_detail
            .as_deref()
            .is_some_and(|d| d.contains("SpecificDiseasesCertificateRelatedConsFlg")),
        "{last:?}"
    );
}

#[tokio::test]
async fn the_file_exchange_answers_the_same_bytes() {
    let sim = sim();
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = Exchange::open(dir.path(), sim.clone()).expect("exchange");
    for (message, who) in [("OQSsihvq01req", yamada()), ("OQSsionq01req", miyazaki())] {
        let xml = request_xml("UTF-8", Some("20230825"), &who);
        let http = send(
            &sim,
            "POST",
            &format!("/xml/{message}"),
            &[],
            xml.clone().into_bytes(),
        )
        .await;
        let name = format!("{message}_x1.xml");
        std::fs::write(ex.req_dir().join(&name), xml.as_bytes()).expect("write");
        let res = ex.res_dir().join(name.replace("req_", "res_"));
        let mut answered = None;
        for _ in 0..100 {
            ex.scan_once().expect("scan");
            if let Ok(b) = std::fs::read(&res) {
                answered = Some(b);
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(answered.as_deref(), Some(&http.body[..]), "{message}");
    }
}

async fn get_json(sim: &Arc<Simulator>, uri: &str) -> (StatusCode, serde_json::Value) {
    let r = send(sim, "GET", uri, &[], Vec::new()).await;
    (r.status, r.json())
}

#[tokio::test]
async fn the_consented_list_searches_pages_and_greys_cancelled_rows() {
    let sim = sim();
    let base = "/visiting/consents?facility=1234567890&kind=訪問診療等";
    let (status, v) = get_json(
        &sim,
        &format!("{base}&consent_from=2023/01/01&consent_to=2023/12/31"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 2);
    assert_eq!(v["pager"], "検索結果：2 件 1-2件表示");
    assert_eq!(v["rows"][0]["name"], "山田 隆子");
    assert_eq!(v["rows"][0]["referenceNumber"], "XYZ010409");
    assert_eq!(v["rows"][0]["consentDate"], "2023/01/08");
    assert_eq!(v["rows"][0]["validUntil"], "2025/09/20 16:44");
    assert_eq!(v["rows"][0]["operation"], "○");
    assert_eq!(v["rows"][1]["name"], "新橋 太郎");
    assert_eq!(v["rows"][1]["operation"], "", "手術 not consented");
    assert_eq!(v["rows"][1]["grey"], false);
    // Filters: 照会番号, 氏名(カナ), 性別, 生年月日.
    for (filter, n) in [
        ("&reference_number=XYZ010409", 1),
        ("&name_kana=シンバシ", 1),
        ("&sex=女", 1),
        ("&birthdate=1954/03/26", 1),
        ("&sex=未設定", 0),
    ] {
        let (_, v) = get_json(&sim, &format!("{base}&consent_from=2023/01/01{filter}")).await;
        assert_eq!(v["total"], n, "{filter}");
    }
    // RULE-65: a date range is required; 受診年月日 only for オンライン診療等.
    let (status, v) = get_json(&sim, base).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        v["error"]
            .as_str()
            .is_some_and(|e| e.contains("どちらか一方はご入力ください")),
        "{v}"
    );
    let (status, _) = get_json(&sim, &format!("{base}&examination_from=2023/04/01")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = get_json(
        &sim,
        "/visiting/consents?facility=1234567890&kind=外来&consent_from=2023/01/01",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, online) = get_json(&sim, "/visiting/consents?facility=1234567890&kind=オンライン診療等&examination_from=2023/04/01&examination_to=2023/04/30").await;
    assert_eq!(online["rows"][0]["name"], "宮崎 一太");
    assert_eq!(online["rows"][0]["examinationDate"], "2023/04/17");
    // RULE-66: a cancelled consent stays listed, grey, without 「○」.
    let cancel = request_xml("UTF-8", Some("20230825"), &taro());
    send(&sim, "POST", "/xml/OQSsihvd01req", &[], cancel.into_bytes()).await;
    let (_, v) = get_json(&sim, &format!("{base}&consent_from=2023/01/01")).await;
    assert_eq!(v["rows"][1]["grey"], true);
    assert_eq!(v["rows"][1]["diagnosis"], "");
    assert_eq!(v["rows"][0]["grey"], false);
}

#[tokio::test]
async fn the_list_pages_ten_rows() {
    let sim = sim();
    let mut fixture = String::new();
    for i in 0..12 {
        fixture.push_str(&format!(
            "[[person]]\nid = \"page-{i}\"\nname = \"試験 {i}\"\nkana = \"シケン\"\nsex = \"男\"\nbirthdate = 1960-01-01\n[[person.qualification]]\ninsurer = \"06139000\"\nsymbol = \"P\"\nnumber = \"{i}\"\nbranch = \"01\"\nvalid_from = 2020-01-01\n[[consent]]\ninsurer = \"06139000\"\nsymbol = \"P\"\nnumber = \"{i}\"\nbranch = \"01\"\nkind = \"訪問診療等\"\nconsented_on = 2023-03-01\nvalid_until = 2026-01-01\n"
        ));
    }
    sim.load_fixtures(
        oqs_domain::fixtures::LoadMode::Extend,
        "pages.toml",
        &fixture,
    )
    .expect("loads");
    let base = "/visiting/consents?facility=1234567890&kind=訪問診療等&consent_from=2023/01/01";
    let (_, first) = get_json(&sim, base).await;
    assert_eq!(first["total"], 14);
    assert_eq!(first["rows"].as_array().map(Vec::len), Some(10));
    assert_eq!(first["pager"], "検索結果：14 件 1-10件表示");
    let (_, second) = get_json(&sim, &format!("{base}&page=2")).await;
    assert_eq!(second["rows"].as_array().map(Vec::len), Some(4));
    assert_eq!(second["pager"], "検索結果：14 件 11-14件表示");
}

#[tokio::test]
async fn a_row_opens_its_detail_and_downloads_it() {
    let sim = sim();
    let (_, v) = get_json(
        &sim,
        "/visiting/consents?facility=1234567890&kind=訪問診療等&consent_from=2023/01/01",
    )
    .await;
    let id = v["rows"][0]["id"].as_u64().expect("id");
    let detail = send(
        &sim,
        "GET",
        &format!("/visiting/consents/{id}?facility=1234567890"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(detail.status, StatusCode::OK);
    // The same bytes as the OQSsihvq01req of her card on today's date.
    let direct = post(&sim, "OQSsihvq01req", &{
        let mut y = yamada();
        y.retain(|(k, _)| *k != "LimitApplicationCertificateRelatedConsFlg");
        y.push(("LimitApplicationCertificateRelatedConsFlg", "0"));
        y
    })
    .await;
    assert_eq!(detail.body, direct.body);
    let dl = send(
        &sim,
        "GET",
        &format!("/visiting/consents/{id}/download?facility=1234567890"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(dl.body, detail.body);
    let other = send(
        &sim,
        "GET",
        &format!("/visiting/consents/{id}?facility=1341234567"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(
        other.status,
        StatusCode::NOT_FOUND,
        "another facility's consent is not shown"
    );
}
