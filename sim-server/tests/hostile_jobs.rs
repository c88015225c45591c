//! Issue 11, the job engine wedged through the real `oqs-sim`: an endless pacing is refused, and
//! a worker sleeping through a slow pacing follows a change of pacing at once.

mod common;

use common::binary::{refused_start, start_server};
use common::raw;
use std::time::{Duration, Instant};

const NOW: &str = "2021-01-06T10:00:00+09:00";

const ROW: &str = "<QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber><Birthdate>19540326</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>";

#[test]
fn job_pacing_is_bounded_and_a_slow_job_follows_a_pacing_change_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, err) = refused_start(&[
        "--job-pacing".as_ref(),
        "18446744073709551615ms/row".as_ref(),
        "--exchange-dir".as_ref(),
        dir.path().join("ex0").as_os_str(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    let s = start_server(|c| {
        c.args(["--now", NOW, "--job-pacing", "10s/row", "--exchange-dir"])
            .arg(dir.path().join("ex"));
    });
    for p in ["18446744073709551615ms/row", "100000s/job", "11s/row"] {
        let r = raw::json(
            &s.addr,
            "PUT",
            "/__admin/jobs/pacing",
            &format!("{{\"pacing\":\"{p}\"}}"),
        );
        assert_eq!(r.status, 400, "{p}: {}", r.short());
    }
    let bulk = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody>{}</MessageBody></XmlMsg>", ROW.repeat(3));
    let r = raw::request(&s.addr, "POST", "/xml/OQSmuquc01req", &[], bulk.as_bytes());
    let text = r.text();
    let number = text
        .split("<ReceptionNumber>")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .expect("受付番号")
        .to_owned();
    std::thread::sleep(Duration::from_millis(500));
    let r = raw::json(
        &s.addr,
        "PUT",
        "/__admin/jobs/pacing",
        r#"{"pacing":"instant"}"#,
    );
    assert_eq!(r.status, 200);
    // 3 rows at 10 s would take 30 s; the sleeping worker wakes to the new pacing.
    let start = Instant::now();
    loop {
        let j = raw::request(&s.addr, "GET", &format!("/jobs/{number}"), &[], b"").json();
        if j["state"] == "done" {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "job still {} after a pacing change",
            j["state"]
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
