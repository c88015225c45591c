//! The file exchange: answers appear whole, each request is consumed exactly once, also across
//! a restart, and unreadable requests are rejected with a precise reason.

mod common;

use common::*;
use sim_server::exchange::Exchange;
use std::fs;
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

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    v.sort();
    v
}

#[test]
fn unreadable_requests_are_rejected_with_err_files() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = Exchange::open(dir.path(), sim).expect("open");
    fs::write(
        ex.req_dir().join("OQSsiquc01req_broken.xml"),
        b"<XmlMsg><oops></XmlMsg>",
    )
    .expect("write");
    fs::write(ex.req_dir().join("hello.xml"), b"<XmlMsg/>").expect("write");
    fs::write(ex.req_dir().join("OQSnosuch01req_1.xml"), b"<XmlMsg/>").expect("write");
    fs::write(ex.req_dir().join("notes.txt"), b"left alone").expect("write");
    scan_until(&ex, || names(&ex.res_dir()).len() == 3);
    assert_eq!(
        names(&ex.res_dir()),
        vec![
            "OQSnosuch01req_1.err",
            "OQSsiquc01req_broken.err",
            "hello.err"
        ]
    );
    let broken = fs::read_to_string(ex.res_dir().join("OQSsiquc01req_broken.err")).expect("err");
    assert!(broken.starts_with("EQ0001 XML構造エラー\n"), "{broken}");
    assert!(
        broken.contains("oops"),
        "the reason names the element: {broken}"
    );
    let hello = fs::read_to_string(ex.res_dir().join("hello.err")).expect("err");
    assert!(
        hello.contains("hello.xml") && hello.contains("'_'"),
        "{hello}"
    );
    assert_eq!(
        names(&ex.req_dir()),
        vec!["notes.txt"],
        "only request files are consumed"
    );
}

#[test]
fn a_file_being_written_is_not_read_early() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = Exchange::open(dir.path(), sim).expect("open");
    let xml = request_xml("UTF-8", Some("20210106"), &taro());
    let (first, rest) = xml.split_at(xml.len() / 2);
    let path = ex.req_dir().join("OQSsiquc01req_slow.xml");
    fs::write(&path, first).expect("write");
    // The first scan only notes the file; it is read once it has looked the same for a while.
    ex.scan_once().expect("scan");
    // Still growing: append the rest before any second look.
    let mut f = fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open");
    std::io::Write::write_all(&mut f, rest.as_bytes()).expect("append");
    drop(f);
    scan_until(&ex, || ex.res_dir().join("OQSsiquc01res_slow.xml").exists());
    let answer = fs::read(ex.res_dir().join("OQSsiquc01res_slow.xml")).expect("res");
    let root = oqs_protocol::xml::read_document(&answer, Default::default())
        .expect("xml")
        .root;
    assert_eq!(
        at(&root, &["MessageBody", "QualificationValidity"]),
        Some("1")
    );
    assert!(!ex.res_dir().join("OQSsiquc01req_slow.err").exists());
}

#[test]
fn a_restart_finishes_claimed_requests_exactly_once() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let xml = request_xml("UTF-8", Some("20210106"), &taro());
    {
        let ex = Exchange::open(dir.path(), sim.clone()).expect("open");
        drop(ex);
    }
    let processing = dir.path().join(".oqs-sim/processing");
    // Stopped after claiming, before answering: the restart answers it.
    fs::write(processing.join("OQSsiquc01req_a.xml"), &xml).expect("write");
    // Stopped after answering, before removing the claim: the restart must not answer again.
    fs::write(processing.join("OQSsiquc01req_b.xml"), &xml).expect("write");
    fs::write(
        dir.path().join("res/OQSsiquc01res_b.xml"),
        b"the earlier answer",
    )
    .expect("write");
    let ex = Exchange::open(dir.path(), sim.clone()).expect("reopen");
    let report = ex.recover().expect("recover");
    assert_eq!(report.answered, vec!["OQSsiquc01res_a.xml"]);
    assert_eq!(
        fs::read(dir.path().join("res/OQSsiquc01res_b.xml")).expect("b"),
        b"the earlier answer"
    );
    assert!(names(&processing).is_empty());
    assert_eq!(sim.journal.len(), 1, "each request is answered once");
    assert!(ex.recover().expect("again").answered.is_empty());
}

#[test]
fn no_temporary_file_is_left_visible() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = Exchange::open(dir.path(), sim).expect("open");
    for i in 0..20 {
        fs::write(
            ex.req_dir().join(format!("OQSsiquc01req_{i:03}.xml")),
            request_xml("UTF-8", Some("20210106"), &taro()),
        )
        .expect("write");
    }
    scan_until(&ex, || names(&ex.res_dir()).len() == 20);
    let res = names(&ex.res_dir());
    assert!(
        res.iter()
            .all(|n| n.starts_with("OQSsiquc01res_") && n.ends_with(".xml")),
        "{res:?}"
    );
    assert!(names(&ex.req_dir()).is_empty());
}
