//! What every request leaves behind, field by field: the journal as `GET /__admin/journal` shows
//! it and the confirmation history as SCR-19/20 and the CSV read it (every record of every
//! built-in card, with a 照会番号, a My Number check, bulk rows and an edited 処方箋発行形態),
//! in memory and in SQLite alike. Snapshots of real outputs: a change of how they are stored
//! must not change one byte of them.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};
use sim_server::history::{CsvEncoding, HistoryQuery, RawQuery};
use sim_server::journal::Transport;
use sim_server::{Settings, Simulator};
use std::sync::Arc;
use std::time::Duration;

/// One request per built-in qualification (its own card and birthdate), on the clock's day.
fn inquiries(sim: &Simulator) -> Vec<String> {
    let pop = sim.population();
    (0..pop.qualification_count() as u32)
        .map(|id| {
            let q = pop.qualification(id);
            let person = pop.person(q.person);
            let insurer = q.insurer.wire();
            let number = q.number.to_string();
            let birthdate = oqs_protocol::message::format_date(person.birthdate);
            let mut fields = vec![("InsurerNumber", insurer.as_str())];
            if let Some(s) = q.symbol.as_deref() {
                fields.push(("InsuredCardSymbol", s));
            }
            fields.push(("InsuredIdentificationNumber", number.as_str()));
            if let Some(b) = q.branch.as_deref() {
                fields.push(("InsuredBranchNumber", b));
            }
            fields.push(("Birthdate", birthdate.as_str()));
            fields.push(("LimitApplicationCertificateRelatedConsFlg", "1"));
            request_xml("UTF-8", None, &fields)
        })
        .collect()
}

/// Everything a client can do that is journalled or recorded, in a fixed order.
async fn traffic(sim: &Arc<Simulator>) {
    // A 照会番号 registered for 新橋 太郎 (shown in his later records, RULE-51).
    let reg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><ReferenceNumberRegistrationInfo><ReferenceNumber>JIKO3</ReferenceNumber><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber></ReferenceNumberRegistrationInfo></MessageBody></XmlMsg>\n";
    let r = send(sim, "POST", "/xml/OQSsiimm01req", &[], reg.into()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    for body in inquiries(sim) {
        let r = send(sim, "POST", "/xml/OQSsiquc01req", &[], body.into_bytes()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    // A rule broken (EQ0201), a Shift_JIS request (the general path), bytes that are not
    // UTF-8 (kept lossily), an unknown message id, a request over the journal's text limit.
    let mut bad = taro();
    bad[0] = ("InsurerNumber", "1234");
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        (
            "OQSsiquc01req",
            request_xml("UTF-8", Some("20210106"), &bad).into_bytes(),
        ),
        (
            "OQSsiquc01req",
            request_xml("Shift_JIS", Some("20210106"), &taro()).into_bytes(),
        ),
        (
            "OQSsiquc01req",
            b"<?xml version=\"1.0\"?><XmlMsg>\xff\xfe</XmlMsg>".to_vec(),
        ),
        ("OQSnothing01req", b"<XmlMsg/>".to_vec()),
        (
            "OQSsiquc01req",
            request_xml("UTF-8", Some("20210106"), &taro())
                .replace("<XmlMsg>", &format!("<XmlMsg><!--{}-->", "新".repeat(6000)))
                .into_bytes(),
        ),
    ];
    for (message, body) in bodies {
        send(sim, "POST", &format!("/xml/{message}"), &[], body).await;
    }
    // The WebAPI and the file exchange's way into the same service.
    let answered = sim.handle_json(
        oqs_protocol::naming::MessageId::SingleInquiryRequest,
        br#"{"XmlMsg":{"MessageHeader":{"QualificationConfirmationDate":"20210106","MedicalInstitutionCode":"1234567890"},"MessageBody":{"QualificationConfirmSearchInfo":{"InsurerNumber":"06139000","InsuredCardSymbol":"9000","InsuredIdentificationNumber":"10001","InsuredBranchNumber":"01","Birthdate":"19540326","LimitApplicationCertificateRelatedConsFlg":"0"}}}}"#,
        "/webapi/search",
    );
    assert!(answered.is_ok());
    let answered = sim.handle_xml(
        "OQSsiquc01req",
        request_xml("UTF-8", Some("20210106"), &taro()).as_bytes(),
        Transport::FileExchange,
        "OQSsiquc01req_x.xml",
    );
    assert!(answered.is_ok());
    // A body refused before it was read, and an acquisition asked for on a screen.
    let refused = sim.rejection(
        oqs_protocol::errors::ErrorKind::BodyTooLarge,
        "request is larger than the limit",
    );
    sim.record_rejection(
        Transport::HttpXml,
        "OQSsiquc01req",
        "/xml/OQSsiquc01req",
        b"<XmlMsg>",
        &refused,
    );
    let acquired = sim.request_dispensing(
        "9940000076",
        Some("20210101"),
        Some("20210106"),
        Transport::WebApi,
        "screen:hozon01 SCR-33",
        Some("hozon01"),
    );
    assert!(acquired.is_ok() || acquired.is_err());
    // My Number checks (目視確認, 暗証番号 with 紙) at a time with milliseconds.
    sim.clock.set(
        sim_server::clock::parse_now("2021-01-06T10:00:01.250+09:00").expect("time"),
        false,
    );
    let r = send_json(
        sim,
        "PUT",
        "/__admin/terminal/readers/0/card",
        json!({ "profile": "valid" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    for body in [
        json!({ "method": "目視確認" }),
        json!({ "method": "pin", "pin": "1234", "prescription_form": "紙" }),
    ] {
        let r = send_json(sim, "POST", "/terminal/mynumber", body).await;
        assert_eq!(r.status, 200, "{}", r.text());
    }
    // Bulk rows (一括照会: no 《詳細》).
    let rows: String = inquiries(sim)
        .iter()
        .take(3)
        .map(|x| {
            let start = x.find("<QualificationConfirmSearchInfo>").expect("row");
            let end = x
                .find("</QualificationConfirmSearchInfo>")
                .expect("row end");
            format!("{}</QualificationConfirmSearchInfo>", &x[start..end])
        })
        .collect();
    let bulk = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><QualificationConfirmationDate>20210106</QualificationConfirmationDate><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody>{rows}</MessageBody></XmlMsg>\n");
    let r = send(sim, "POST", "/xml/OQSmuquc01req", &[], bulk.into_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let number = at(&r.xml(), &["MessageBody", "ReceptionNumber"])
        .expect("受付番号")
        .to_owned();
    let job = sim
        .jobs
        .wait(&number, Duration::from_secs(10))
        .expect("job");
    assert!(job.state.is_final(), "{:?}", job.state);
}

/// The history as the screens and the CSV see it: every record by id (SCR-20's source), the
/// list of SCR-19 and its CSV in both encodings.
fn history_view(sim: &Simulator) -> (Vec<Value>, Value, Vec<u8>, Vec<u8>) {
    let now = sim.clock.now();
    let n = sim.history.len().expect("len") as u64;
    // RULE-24's edit of a recorded check shows in its detail.
    assert!(sim
        .history
        .set_prescription_form(
            2,
            Some(oqs_protocol::codes::PrescriptionIssueForm::Electronic)
        )
        .expect("set"));
    let records: Vec<Value> = (1..=n)
        .map(|id| {
            let r = sim
                .history
                .get("1234567890", id, now)
                .expect("get")
                .expect("kept");
            serde_json::to_value(&r).expect("JSON")
        })
        .collect();
    let q = HistoryQuery::parse(&RawQuery {
        facility: Some("1234567890".into()),
        from: Some("2021/01/06 00:00".into()),
        to: Some("2021/01/06 24:00".into()),
        ..RawQuery::default()
    })
    .expect("query");
    let page = sim
        .history
        .search(&q, now, 0, 1000)
        .expect("search")
        .expect("under the limit");
    let list = serde_json::to_value(&page.records).expect("JSON");
    let csv = |e| sim_server::history::to_csv(&page.records, page.first_seq, e).bytes;
    (
        records,
        list,
        csv(CsvEncoding::Utf8Bom),
        csv(CsvEncoding::ShiftJis),
    )
}

/// FNV-1a, 64 bits: a digest of a text for the snapshot.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).expect("JSON")
}

#[tokio::test]
async fn journal_and_history_fields_are_kept_as_they_were() {
    let sim = simulator();
    traffic(&sim).await;

    let journal = send(&sim, "GET", "/__admin/journal", &[], vec![]).await;
    assert_eq!(journal.status, StatusCode::OK);
    let mut journal = journal.json();
    // The requests' text in full would bury the fields; its length and digest stand for it.
    for e in journal["entries"].as_array_mut().expect("entries") {
        let text = e["request"].as_str().expect("request");
        e["request"] = json!(format!("{} bytes, FNV-1a {:016x}", text.len(), fnv1a(text)));
    }
    insta::assert_snapshot!("journal", pretty(&journal));

    let (records, list, csv_utf8, csv_sjis) = history_view(&sim);
    insta::assert_snapshot!("history_records", pretty(&json!(records)));
    insta::assert_snapshot!("history_list", pretty(&list));
    insta::assert_snapshot!("history_csv", String::from_utf8_lossy(&csv_utf8));
    let (decoded, _, bad) = encoding_rs::SHIFT_JIS.decode(&csv_sjis);
    assert!(!bad);
    insta::assert_snapshot!("history_csv_sjis", decoded);

    // SQLite (--data-dir) keeps and answers the same.
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = simulator_with(Settings {
        data_dir: Some(dir.path().to_owned()),
        ..Settings::default()
    });
    assert_eq!(sqlite.history.backend(), "sqlite");
    traffic(&sqlite).await;
    let (s_records, s_list, s_utf8, s_sjis) = history_view(&sqlite);
    assert_eq!(s_records, records);
    assert_eq!(s_list, list);
    assert_eq!(s_utf8, csv_utf8);
    assert_eq!(s_sjis, csv_sjis);
}
