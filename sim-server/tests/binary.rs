//! The real binary: starts on embedded defaults, answers over HTTP and the exchange folder
//! within a second, and keeps the exactly-once promise across a kill and restart.

mod common;

use common::binary::{start_server, Server};
use std::time::{Duration, Instant};

fn start(exchange: &std::path::Path) -> Server {
    let server = start_server(|c| {
        c.args(["--now", "2021-01-06T10:00:00+09:00", "--exchange-dir"])
            .arg(exchange);
    });
    assert!(
        server
            .banner
            .iter()
            .any(|l| l.starts_with("exchange folder: ")),
        "{:?}",
        server.banner
    );
    server
}

fn request() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber><Birthdate>19540326</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo></MessageBody></XmlMsg>".into()
}

fn wait_for(path: &std::path::Path, limit: Duration) -> Duration {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < limit,
            "{} did not appear within {limit:?}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread")]
async fn binary_answers_http_and_files_and_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start(dir.path());
    let client = reqwest::Client::new();
    let http = client
        .post(format!("http://{}/xml/OQSsiquc01req", server.addr))
        .body(request())
        .send()
        .await
        .expect("http");
    assert_eq!(http.status(), 200);
    let http_body = http.bytes().await.expect("body");
    assert!(String::from_utf8_lossy(&http_body)
        .contains("<QualificationValidity>1</QualificationValidity>"));

    // Write with a temp name and rename, as a careful client does; the answer comes within a second.
    let req_dir = dir.path().join("req");
    std::fs::write(req_dir.join(".tmp-1"), request()).expect("write");
    std::fs::rename(
        req_dir.join(".tmp-1"),
        req_dir.join("OQSsiquc01req_one.xml"),
    )
    .expect("rename");
    let took = wait_for(
        &dir.path().join("res/OQSsiquc01res_one.xml"),
        Duration::from_secs(1),
    );
    assert_eq!(
        std::fs::read(dir.path().join("res/OQSsiquc01res_one.xml")).expect("res"),
        http_body.to_vec(),
        "took {took:?}"
    );

    // Kill, leave a request behind, restart: it is answered once, the old answer is untouched.
    drop(server);
    std::fs::write(req_dir.join("OQSsiquc01req_two.xml"), request()).expect("write");
    let before = std::fs::metadata(dir.path().join("res/OQSsiquc01res_one.xml"))
        .expect("meta")
        .modified()
        .expect("mtime");
    let server = start(dir.path());
    wait_for(
        &dir.path().join("res/OQSsiquc01res_two.xml"),
        Duration::from_secs(2),
    );
    std::thread::sleep(Duration::from_millis(300));
    let after = std::fs::metadata(dir.path().join("res/OQSsiquc01res_one.xml"))
        .expect("meta")
        .modified()
        .expect("mtime");
    assert_eq!(before, after, "an answered request was answered again");
    assert_eq!(std::fs::read_dir(&req_dir).expect("req").count(), 0);
    let journal: serde_json::Value = client
        .get(format!("http://{}/__admin/journal", server.addr))
        .send()
        .await
        .expect("journal")
        .json()
        .await
        .expect("json");
    let entries = journal["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{journal}");
    assert_eq!(entries[0]["transport"], "file-exchange");
    assert_eq!(entries[0]["source"], "OQSsiquc01req_two.xml");
}
