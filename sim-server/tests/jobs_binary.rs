//! The real binary with `--data-dir`: killed (SIGKILL) while a bulk job is 照会中, restarted, the
//! job is taken up again and finishes; its downloadable result and the registered 照会番号
//! survive a second kill byte for byte.

mod common;

use common::binary::{start_server, Server};
use std::time::{Duration, Instant};

fn start(dir: &std::path::Path, pacing: &str) -> Server {
    start_server(|c| {
        c.args(["--now", "2021-01-06T10:00:00+09:00"])
            .arg("--exchange-dir")
            .arg(dir.join("exchange"))
            .arg("--data-dir")
            .arg(dir.join("data"))
            .args(["--job-pacing", pacing]);
    })
}

const ROW: &str = "<QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber><Birthdate>19540326</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>";

fn bulk(rows: usize) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody>{}</MessageBody></XmlMsg>", ROW.repeat(rows))
}

async fn job(client: &reqwest::Client, s: &Server, number: &str) -> serde_json::Value {
    client
        .get(format!("http://{}/jobs/{number}", s.addr))
        .send()
        .await
        .expect("job")
        .json()
        .await
        .expect("json")
}

async fn wait_state(
    client: &reqwest::Client,
    s: &Server,
    number: &str,
    states: &[&str],
) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let j = job(client, s, number).await;
        if states.iter().any(|st| j["state"] == *st) {
            return j;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "stuck: {j}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_killed_while_processing_resumes_and_its_result_stays_identical() {
    let dir = tempfile::tempdir().expect("tempdir");
    let client = reqwest::Client::new();
    let server = start(dir.path(), "200ms/row");
    let reg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><ReferenceNumberRegistrationInfo><ReferenceNumber>KILL-1</ReferenceNumber><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber></ReferenceNumberRegistrationInfo></MessageBody></XmlMsg>";
    let r = client
        .post(format!("http://{}/xml/OQSsiimm01req", server.addr))
        .body(reg)
        .send()
        .await
        .expect("register");
    assert_eq!(r.status(), 200);
    let res = client
        .post(format!("http://{}/xml/OQSmuquc01req", server.addr))
        .body(bulk(20))
        .send()
        .await
        .expect("submit")
        .text()
        .await
        .expect("text");
    let number = res
        .split("<ReceptionNumber>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("受付番号")
        .to_owned();
    let j = wait_state(&client, &server, &number, &["processing"]).await;
    assert_eq!(j["status"], "照会中");
    drop(server); // SIGKILL mid-job (20 rows × 200 ms)

    let server = start(dir.path(), "instant");
    let j = wait_state(
        &client,
        &server,
        &number,
        &["done", "done-needs-check", "failed-system"],
    )
    .await;
    assert_eq!(j["status"], "照会完了", "{j}");
    assert_eq!(j["count"], 20);
    let download = |s: &Server| {
        let url = format!("http://{}/jobs/{number}/result", s.addr);
        let client = client.clone();
        async move {
            let r = client.get(url).send().await.expect("download");
            assert_eq!(r.status(), 200);
            let name = r
                .headers()
                .get("content-disposition")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            (name, r.bytes().await.expect("bytes").to_vec())
        }
    };
    let (name, first) = download(&server).await;
    assert!(
        name.contains("OQSmuquc02res_1234567890_20210106100000.xml"),
        "{name}"
    );
    let text = String::from_utf8_lossy(&first).into_owned();
    assert_eq!(text.matches("<BulkConfirmUnit>").count(), 20);
    assert!(text.contains("<ReferenceNumber>KILL-1</ReferenceNumber>"));
    drop(server);

    let server = start(dir.path(), "instant");
    let (_, again) = download(&server).await;
    assert_eq!(again, first, "the result changed across a restart");
}
