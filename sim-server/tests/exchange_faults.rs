//! Faults of the file exchange (`/__admin/faults/exchange`) that a client must cope with: every
//! request answered with a `.err` file, and result files written in two pieces; and
//! `DELETE /__admin/reference-numbers`.

mod common;

use axum::http::StatusCode;
use common::*;
use sim_server::exchange::{Exchange, ExchangeFault};
use sim_server::journal::Transport;
use std::fs;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn scan_until(ex: &Exchange, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        ex.scan_once().expect("scan");
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "exchange did not answer"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn put_fault(sim: &Arc<sim_server::Simulator>, body: &str) -> Reply {
    send(
        sim,
        "PUT",
        "/__admin/faults/exchange",
        &[("content-type", "application/json")],
        body.as_bytes().to_vec(),
    )
    .await
}

#[tokio::test]
async fn the_admin_route_sets_reads_and_clears_the_fault() {
    let sim = simulator();
    let r = put_fault(&sim, r#"{"reject":"system-error"}"#).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        r.json(),
        serde_json::json!({"reject": "system-error", "partial_write_ms": null})
    );
    assert_eq!(
        sim.exchange_faults.get().reject,
        Some(oqs_protocol::errors::ErrorKind::SystemError)
    );
    let r = put_fault(&sim, r#"{"partial_write_ms":300}"#).await;
    assert_eq!(
        r.json(),
        serde_json::json!({"reject": null, "partial_write_ms": 300}),
        "PUT replaces the whole fault"
    );
    let got = send(&sim, "GET", "/__admin/faults/exchange", &[], vec![]).await;
    assert_eq!(got.json()["partial_write_ms"], 300);
    for bad in [
        r#"{"reject":"no-such-row"}"#,
        r#"{"partial_write_ms":600000}"#,
        r#"{"rejekt":"system-error"}"#,
        "not json",
    ] {
        let r = put_fault(&sim, bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.json()["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    assert_eq!(
        sim.exchange_faults.get().partial_write,
        Some(Duration::from_millis(300)),
        "a bad PUT changes nothing"
    );
    let r = send(&sim, "DELETE", "/__admin/faults/exchange", &[], vec![]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(sim.exchange_faults.get(), ExchangeFault::default());
}

#[test]
fn a_reject_fault_answers_with_the_error_tables_err_file_until_cleared() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = Exchange::open(dir.path(), sim.clone()).expect("open");
    sim.exchange_faults.set(ExchangeFault {
        reject: Some(oqs_protocol::errors::ErrorKind::SystemError),
        partial_write: None,
    });
    let xml = request_xml("UTF-8", Some("20210106"), &taro());
    fs::write(ex.req_dir().join("OQSsiquc01req_f1.xml"), &xml).expect("write");
    let err = ex.res_dir().join("OQSsiquc01req_f1.err");
    scan_until(&ex, || err.exists());
    let text = fs::read_to_string(&err).expect("err");
    assert!(text.starts_with("EQ0900 システムエラー\n"), "{text}");
    assert!(
        !ex.res_dir().join("OQSsiquc01res_f1.xml").exists(),
        "no result besides the .err file"
    );
    let last = sim.journal.since(0, usize::MAX);
    let e = last.last().expect("journalled");
    assert_eq!(e.transport, Transport::FileExchange);
    assert_eq!(e.error_code.as_deref(), Some("EQ0900"));
    // What the client sent stays readable in the journal.
    assert_eq!(e.request, String::from_utf8_lossy(xml.as_ref()));
    assert_eq!(e.request_bytes, xml.len());

    sim.exchange_faults.clear();
    fs::write(ex.req_dir().join("OQSsiquc01req_f2.xml"), &xml).expect("write");
    let res = ex.res_dir().join("OQSsiquc01res_f2.xml");
    scan_until(&ex, || res.exists());
    assert!(!ex.res_dir().join("OQSsiquc01req_f2.err").exists());
}

#[test]
fn a_partial_write_fault_shows_an_incomplete_result_file_then_the_complete_one() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = Arc::new(Exchange::open(dir.path(), sim.clone()).expect("open"));
    sim.exchange_faults.set(ExchangeFault {
        reject: None,
        partial_write: Some(Duration::from_millis(300)),
    });
    let xml = request_xml("UTF-8", Some("20210106"), &taro());
    fs::write(ex.req_dir().join("OQSsiquc01req_p1.xml"), &xml).expect("write");
    let res = ex.res_dir().join("OQSsiquc01res_p1.xml");
    let done = Arc::new(AtomicBool::new(false));
    let scanner = {
        let (ex, done) = (ex.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                ex.scan_once().expect("scan");
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    // Watch the result file from beside the writer.
    let started = Instant::now();
    let mut incomplete_seen = None;
    let complete = loop {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no complete result"
        );
        if let Ok(bytes) = fs::read(&res) {
            match oqs_protocol::xml::read_document(&bytes, Default::default()) {
                Ok(doc) => break (bytes, doc.root),
                Err(_) => incomplete_seen = incomplete_seen.or(Some(bytes.len())),
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    done.store(true, Ordering::SeqCst);
    scanner.join().expect("scanner");
    let seen = incomplete_seen.expect("the result file was observed incomplete at some moment");
    assert!(
        seen < complete.0.len(),
        "{seen} < {} bytes",
        complete.0.len()
    );
    assert_eq!(
        at(&complete.1, &["MessageBody", "QualificationValidity"]),
        Some("1")
    );
}

#[tokio::test]
async fn registered_reference_numbers_are_cleared_by_the_admin_route() {
    let sim = simulator();
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><ReferenceNumberRegistrationInfo><ReferenceNumber>CLR-1</ReferenceNumber><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber></ReferenceNumberRegistrationInfo></MessageBody></XmlMsg>";
    let r = send(&sim, "POST", "/xml/OQSsiimm01req", &[], body.into()).await;
    let root = r.xml();
    assert_eq!(
        at(&root, &["MessageBody", "ProcessingResultStatus"]),
        Some("1"),
        "{}",
        r.text()
    );
    let reference = |root: &oqs_protocol::Element| {
        root.child("MessageBody")
            .and_then(|b| b.child("ResultList"))
            .and_then(|l| l.child("ResultOfQualificationConfirmation"))
            .and_then(|r| r.child_text("ReferenceNumber"))
            .map(str::to_owned)
    };
    let inquiry = || request_xml("UTF-8", Some("20210106"), &taro());
    assert_eq!(
        reference(&post_xml(&sim, inquiry()).await.xml()).as_deref(),
        Some("CLR-1")
    );
    let cleared = send(&sim, "DELETE", "/__admin/reference-numbers", &[], vec![]).await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.json()["cleared"], 1);
    assert_eq!(reference(&post_xml(&sim, inquiry()).await.xml()), None);
    assert!(sim.jobs.references().is_empty());
}
