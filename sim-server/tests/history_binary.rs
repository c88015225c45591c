//! The real binary with `--data-dir`: a single inquiry's history record survives a SIGKILL and a
//! restart; without `--data-dir` a restart starts empty.

mod common;

use common::binary::{start_server, Server};

fn start(dir: &std::path::Path, data_dir: bool) -> Server {
    start_paced(dir, data_dir, "instant")
}

fn start_paced(dir: &std::path::Path, data_dir: bool, pacing: &str) -> Server {
    start_server(|c| {
        c.args(["--job-pacing", pacing])
            .args(["--now", "2021-01-06T10:00:00.123+09:00"])
            .arg("--exchange-dir")
            .arg(dir.join("exchange"));
        if data_dir {
            c.arg("--data-dir").arg(dir.join("data"));
        }
    })
}

const REQUEST: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><QualificationConfirmationDate>20210106</QualificationConfirmationDate><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber><Birthdate>19540326</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo></MessageBody></XmlMsg>";

/// One single inquiry over XML/HTTP (recorded in the history).
async fn inquire(client: &reqwest::Client, s: &Server) {
    let r = client
        .post(format!("http://{}/xml/OQSsiquc01req", s.addr))
        .body(REQUEST)
        .send()
        .await
        .expect("inquiry");
    assert_eq!(r.status(), 200);
}

async fn total(client: &reqwest::Client, s: &Server) -> serde_json::Value {
    search(client, s, "").await
}

async fn search(client: &reqwest::Client, s: &Server, extra: &str) -> serde_json::Value {
    client
        .get(format!(
            "http://{}/history?facility=1234567890&from=2021/01/06%2000:00&to=2021/01/06%2024:00{extra}",
            s.addr
        ))
        .send()
        .await
        .expect("history")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn history_survives_a_kill_with_a_data_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let client = reqwest::Client::new();
    let s = start(dir.path(), true);
    inquire(&client, &s).await;
    assert_eq!(total(&client, &s).await["total"], 1);
    drop(s); // SIGKILL

    let s = start(dir.path(), true);
    let v = total(&client, &s).await;
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["records"][0]["confirmed_at"], "2021/01/06 10:00:00.123");
    assert_eq!(v["records"][0]["name"], "新橋　太郎");
    let id = v["records"][0]["id"].as_u64().expect("id");
    let d: serde_json::Value = client
        .get(format!(
            "http://{}/history/{id}?facility=1234567890",
            s.addr
        ))
        .send()
        .await
        .expect("detail")
        .json()
        .await
        .expect("json");
    assert_eq!(d["status"], "この資格は有効です。");
    drop(s);

    // Without --data-dir, nothing is kept across a restart.
    let other = tempfile::tempdir().expect("tempdir");
    let s = start(other.path(), false);
    inquire(&client, &s).await;
    drop(s);
    let s = start(other.path(), false);
    assert_eq!(total(&client, &s).await["total"], 0);
}

async fn job_state(client: &reqwest::Client, s: &Server, number: &str) -> serde_json::Value {
    client
        .get(format!("http://{}/jobs/{number}", s.addr))
        .send()
        .await
        .expect("job")
        .json()
        .await
        .expect("json")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_job_taken_up_after_a_kill_records_its_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let client = reqwest::Client::new();
    let s = start_paced(dir.path(), true, "200ms/row");
    let row = REQUEST
        .split("<MessageBody>")
        .nth(1)
        .and_then(|b| b.split("</MessageBody>").next())
        .expect("row");
    let bulk = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody>{}</MessageBody></XmlMsg>", row.repeat(10));
    let res = client
        .post(format!("http://{}/xml/OQSmuquc01req", s.addr))
        .body(bulk)
        .send()
        .await
        .expect("submit")
        .text()
        .await
        .expect("text");
    let number = res
        .split("<ReceptionNumber>")
        .nth(1)
        .and_then(|x| x.split('<').next())
        .expect("受付番号")
        .to_owned();
    let started = std::time::Instant::now();
    while job_state(&client, &s, &number).await["state"] != "processing" {
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        search(&client, &s, "&kind=一括照会").await["total"],
        0,
        "not before the job completes"
    );
    drop(s); // SIGKILL mid-job

    let s = start(dir.path(), true);
    let started = std::time::Instant::now();
    loop {
        let j = job_state(&client, &s, &number).await;
        if j["state"] == "done" {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{j}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let v = search(&client, &s, "&kind=一括照会").await;
    assert_eq!(v["total"], 10, "{v}");
    assert_eq!(v["records"][0]["detail"], false);
}

/// `--history-capacity` bounds the history (memory and SQLite alike): the newest N are kept, in
/// SQLite also across a restart; 0 is refused at start.
#[tokio::test]
async fn history_capacity_keeps_the_newest_records() {
    let client = reqwest::Client::new();
    for data_dir in [false, true] {
        let dir = tempfile::tempdir().expect("tempdir");
        let with_capacity = |c: &mut std::process::Command| {
            c.args([
                "--now",
                "2021-01-06T10:00:00+09:00",
                "--history-capacity",
                "3",
            ])
            .arg("--exchange-dir")
            .arg(dir.path().join("exchange"));
            if data_dir {
                c.arg("--data-dir").arg(dir.path().join("data"));
            }
        };
        let s = start_server(with_capacity);
        let backend = if data_dir { "sqlite" } else { "memory" };
        assert!(
            s.banner
                .contains(&format!("history: {backend}, the newest 3 records kept")),
            "{:?}",
            s.banner
        );
        for _ in 0..5 {
            inquire(&client, &s).await;
        }
        let v = total(&client, &s).await;
        assert_eq!(v["total"], 3, "{backend}: {v}");
        if data_dir {
            drop(s);
            let s = start_server(with_capacity);
            assert_eq!(total(&client, &s).await["total"], 3, "after a restart");
        }
    }
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_oqs-sim"))
        .args(["--listen", "127.0.0.1:0", "--history-capacity", "0"])
        .output()
        .expect("run oqs-sim");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--history-capacity"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}
