//! Issue 11, hostile values through the real `oqs-sim`: a card holder that is a path (and the PIN
//! stored nowhere), a facility that is a path, a clock past year 9999, damaged SQLite files, duplicate
//! attributes and empty input elements.

mod common;

use common::binary::{refused_start, start_server, Server};
use common::raw;
use std::path::Path;
use std::time::Duration;

const NOW: &str = "2021-01-06T10:00:00+09:00";

fn start(dir: &Path, extra: &[&str]) -> Server {
    start_server(|c| {
        c.args(["--now", NOW])
            .arg("--exchange-dir")
            .arg(dir.join("ex"))
            .args(extra);
    })
}

#[test]
fn a_card_holder_must_be_a_person_of_the_population_not_a_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let s = start(dir.path(), &["--data-dir", data.to_str().expect("utf-8")]);
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    let person = format!("/../../../../../../..{}/pwned", outside.display());
    let r = raw::json(
        &s.addr,
        "PUT",
        "/__admin/terminal/readers/0/card",
        &format!("{{\"profile\":\"valid\",\"person\":\"{person}\"}}"),
    );
    assert!((400..500).contains(&r.status), "{}", r.short());
    assert!(r.text().contains("person"), "{}", r.short());
    let pin = r#"{"method":"暗証番号","pin":"1234","consents":{"operation":true}}"#;
    let _ = raw::json(&s.addr, "POST", "/terminal/mynumber", pin);
    let planted: Vec<_> = std::fs::read_dir(&outside).expect("outside").collect();
    assert!(
        planted.is_empty(),
        "files outside the data folder: {planted:?}"
    );
    // A population person works, and its PIN state stays in the data folder.
    let r = raw::json(
        &s.addr,
        "PUT",
        "/__admin/terminal/readers/0/card",
        r#"{"profile":"valid","person":"kouki-jiro"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.short());
    // A wrong PIN: the card's retry counter is saved, the PIN typed is stored nowhere.
    let wrong = r#"{"method":"暗証番号","pin":"9876","consents":{"operation":true}}"#;
    let r = raw::json(&s.addr, "POST", "/terminal/mynumber", wrong);
    assert_eq!(r.status, 200, "{}", r.short());
    let cards: Vec<_> = std::fs::read_dir(data.join("cards"))
        .expect("cards")
        .map(|e| e.expect("entry").path())
        .collect();
    assert!(
        cards
            .iter()
            .any(|p| p.to_string_lossy().contains("kouki-jiro")),
        "{cards:?}"
    );
    let journal = raw::request(&s.addr, "GET", "/__admin/journal", &[], b"").text();
    assert!(!journal.contains("9876"), "the PIN is in the journal");
    let mut stored = cards;
    stored.extend(
        std::fs::read_dir(&data)
            .expect("data")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.is_file()),
    );
    for p in stored {
        let bytes = std::fs::read(&p).expect("read");
        assert!(
            !bytes.windows(4).any(|w| w == b"9876"),
            "the PIN is in {}",
            p.display()
        );
    }
}

#[test]
fn terminal_facility_must_be_a_10_digit_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start(dir.path(), &[]);
    for bad in [
        "../../etc/passwd",
        "123456789",
        "12345678901",
        "１２３４５６７８９０",
    ] {
        let r = raw::json(
            &s.addr,
            "PUT",
            "/__admin/terminal/settings",
            &format!("{{\"facility\":\"{bad}\"}}"),
        );
        assert_eq!(r.status, 400, "{bad}: {}", r.short());
        assert!(r.text().contains("facility"), "{}", r.short());
    }
    let r = raw::json(
        &s.addr,
        "PUT",
        "/__admin/terminal/settings",
        r#"{"facility":"1341234567"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.short());
}

#[test]
fn a_clock_past_year_9999_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 9999-12-31 23:59 UTC is already year 10000 in JST.
    let (code, err) = refused_start(&[
        "--now".as_ref(),
        "9999-12-31T23:59:00Z".as_ref(),
        "--exchange-dir".as_ref(),
        dir.path().join("ex0").as_os_str(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("9999"), "{err}");
    let s = start(dir.path(), &[]);
    let r = raw::json(
        &s.addr,
        "PUT",
        "/__admin/clock",
        r#"{"now":"9999-12-31T23:59:00Z"}"#,
    );
    assert_eq!(r.status, 400, "{}", r.short());
    let r = raw::json(
        &s.addr,
        "PUT",
        "/__admin/clock",
        r#"{"now":"9999-12-31T23:59:59+09:00","advance":true}"#,
    );
    assert_eq!(r.status, 200, "{}", r.short());
    std::thread::sleep(Duration::from_millis(1200));
    let r = raw::request(
        &s.addr,
        "POST",
        "/xml/OQSsiquc01req",
        &[],
        raw::inquiry().as_bytes(),
    );
    let t = r.text();
    let time = t
        .split("<ProcessExecutionTime>")
        .nth(1)
        .and_then(|x| x.split('<').next())
        .expect("ProcessExecutionTime");
    assert_eq!(time.len(), 14, "{time}");
}

#[test]
fn empty_or_foreign_sqlite_files_are_refused_at_start() {
    for (file, content) in [
        ("history.sqlite", &b""[..]),
        ("jobs.sqlite", &b""[..]),
        ("history.sqlite", &b"not a database, just text\n"[..]),
        ("jobs.sqlite", &b"not a database, just text\n"[..]),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).expect("mkdir");
        std::fs::write(data.join(file), content).expect("write");
        let (code, err) = refused_start(&[
            "--data-dir".as_ref(),
            data.as_os_str(),
            "--exchange-dir".as_ref(),
            dir.path().join("ex").as_os_str(),
        ]);
        assert_eq!(code, Some(2), "{file} {content:?}: {err}");
        assert!(err.contains(file), "{err}");
        assert_eq!(
            std::fs::read(data.join(file)).expect("kept"),
            content,
            "{file} was changed"
        );
    }
}

#[test]
fn duplicate_attributes_are_not_well_formed_and_empty_inputs_are_not_echoed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start(dir.path(), &[]);
    let dup = raw::inquiry().replace("<XmlMsg>", "<XmlMsg a=\"1\" a=\"2\">");
    let r = raw::request(&s.addr, "POST", "/xml/OQSsiquc01req", &[], dup.as_bytes());
    assert_eq!(r.status, 400, "{}", r.short());
    let empty = raw::inquiry().replace(
        "<InsurerNumber>06139000</InsurerNumber>",
        "<InsurerNumber></InsurerNumber>",
    );
    let r = raw::request(&s.addr, "POST", "/xml/OQSsiquc01req", &[], empty.as_bytes());
    let t = r.text();
    assert!(
        t.contains("<ProcessingResultStatus>2</ProcessingResultStatus>"),
        "{t}"
    );
    assert!(!t.contains("/>"), "an empty element in {t}");
    assert!(!t.contains("<InsurerNumber></InsurerNumber>"), "{t}");
    // Also an empty header field and an empty 照会番号 (a delete).
    let empty_id = raw::inquiry().replace(
        "</MedicalInstitutionCode>",
        "</MedicalInstitutionCode><ArbitraryFileIdentifier></ArbitraryFileIdentifier>",
    );
    let r = raw::request(
        &s.addr,
        "POST",
        "/xml/OQSsiquc01req",
        &[],
        empty_id.as_bytes(),
    );
    assert!(!r.text().contains("/>"), "an empty element in {}", r.text());
    let delete = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><ReferenceNumberRegistrationInfo><ReferenceNumber></ReferenceNumber><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber></ReferenceNumberRegistrationInfo></MessageBody></XmlMsg>";
    let r = raw::request(
        &s.addr,
        "POST",
        "/xml/OQSsiimm01req",
        &[],
        delete.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.short());
    assert!(!r.text().contains("/>"), "an empty element in {}", r.text());
}
