//! JOB-03 訪問診療等・オンライン診療等 資格情報一括照会 (FLOW-33/34) on the one job engine:
//! OQSmuhvq01req / OQSmuonq01req (shape of the public client YUKI-ENT/OQSDrug2) → 受付番号,
//! 02req → the consented patients' latest qualifications, statuses verbatim, the result names of
//! §6.6 (訪問診療等 a zip), RULE-56, RULE-67's effect, failures; snapshots (frozen clock
//! 2023-08-25 10:00 JST).

mod common;

use axum::http::StatusCode;
use common::*;
use sim_server::exchange::Exchange;
use sim_server::{clock, Clock, Settings, Simulator};
use std::sync::Arc;
use std::time::Duration;

const MIC: &str = "1234567890";

fn sim() -> Arc<Simulator> {
    let now = clock::parse_now("2023-08-25T10:00:00+09:00").expect("time");
    Arc::new(Simulator::new(
        Clock::frozen(now),
        oqs_protocol::ErrorTable::builtin(),
        Settings::default(),
    ))
}

fn submit_xml(range: &[(&str, &str)], flag: &str) -> String {
    let fields: String = range
        .iter()
        .map(|(k, v)| format!("<{k}>{v}</{k}>"))
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\r\n<XmlMsg><MessageHeader><MedicalInstitutionCode>{MIC}</MedicalInstitutionCode><ArbitraryFileIdentifier>20230825100000000abc</ArbitraryFileIdentifier></MessageHeader><MessageBody><QualificationConfirmSearchInfo>{fields}<MedicalTreatmentFlag>{flag}</MedicalTreatmentFlag></QualificationConfirmSearchInfo></MessageBody></XmlMsg>")
}

fn fetch_xml(number: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\r\n<XmlMsg><MessageHeader><MedicalInstitutionCode>{MIC}</MedicalInstitutionCode></MessageHeader><MessageBody><ReceptionNumber>{number}</ReceptionNumber></MessageBody></XmlMsg>")
}

async fn post(sim: &Arc<Simulator>, message: &str, xml: String) -> Reply {
    let r = send(
        sim,
        "POST",
        &format!("/xml/{message}"),
        &[],
        encoding_rs::SHIFT_JIS.encode(&xml).0.into_owned(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r
}

fn sjis(r: &Reply) -> String {
    encoding_rs::SHIFT_JIS.decode(&r.body).0.into_owned()
}

async fn submit(sim: &Arc<Simulator>, message: &str, xml: String) -> String {
    let root = post(sim, message, xml).await.xml();
    let n = at(&root, &["MessageBody", "ReceptionNumber"])
        .expect("受付番号")
        .to_owned();
    sim.jobs.wait(&n, Duration::from_secs(10)).expect("job");
    n
}

#[tokio::test]
async fn visiting_bulk_lists_the_consented_patients_and_downloads_a_zip() {
    let sim = sim();
    let xml = submit_xml(
        &[
            ("ConsentDateFrom", "20230101"),
            ("ConsentDateTo", "20230831"),
        ],
        "2",
    );
    let accepted = post(&sim, "OQSmuhvq01req", xml).await;
    insta::assert_snapshot!("visiting_bulk_01res", sjis(&accepted));
    let number = at(&accepted.xml(), &["MessageBody", "ReceptionNumber"])
        .expect("受付番号")
        .to_owned();
    assert_eq!(number, "20230825100000000_0001");
    let job = sim
        .jobs
        .wait(&number, Duration::from_secs(10))
        .expect("job");
    assert_eq!(job.state.status(job.kind), "照会完了");
    assert_eq!((job.rows, job.processed), (2, 2), "山田 隆子 and 新橋 太郎");
    let fetched = post(&sim, "OQSmuhvq02req", fetch_xml(&number)).await;
    let text = sjis(&fetched);
    assert!(
        text.contains("山田　隆子") && text.contains("新橋　太郎"),
        "{text}"
    );
    assert!(
        !text.contains("宮崎"),
        "an オンライン診療等 consent is not a 訪問診療等 row"
    );
    // RULE-56: no medical information.
    for medical in [
        "PharmacistsInfo>",
        "DiagnosisInfo>",
        "SpecificHealthCheckupsInfo>",
    ] {
        assert!(!text.contains(medical), "{medical}");
    }
    insta::assert_snapshot!("visiting_bulk_02res", text);
    // The download: OQSmuhvq02res_<受付番号>.zip holding the same bytes as the fetch.
    let dl = send(
        &sim,
        "GET",
        &format!("/jobs/{number}/result"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(dl.status, StatusCode::OK);
    assert_eq!(dl.content_type, "application/zip");
    let files = oqs_protocol::zip::read_stored_zip(&dl.body).expect("a zip");
    assert_eq!(
        files,
        vec![(format!("OQSmuhvq02res_{number}.xml"), fetched.body.clone())]
    );
    let listed = send(
        &sim,
        "GET",
        &format!("/jobs?kind=visiting-bulk&facility={MIC}"),
        &[],
        Vec::new(),
    )
    .await
    .json();
    assert_eq!(listed["jobs"][0]["status"], "照会完了");
    assert_eq!(listed["jobs"][0]["count"], 2);
    assert_eq!(
        listed["jobs"][0]["resultName"],
        format!("OQSmuhvq02res_{number}.zip")
    );
    let online = send(
        &sim,
        "GET",
        &format!("/jobs?kind=online-bulk&facility={MIC}"),
        &[],
        Vec::new(),
    )
    .await
    .json();
    assert_eq!(
        online["jobs"].as_array().map(Vec::len),
        Some(0),
        "SCR-26 per 診療区分"
    );
}

#[tokio::test]
async fn online_bulk_by_examination_date_over_the_exchange_is_an_xml() {
    let sim = sim();
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = Exchange::open(dir.path(), sim.clone()).expect("exchange");
    let xml = submit_xml(
        &[
            ("ExaminationDateFrom", "20230401"),
            ("ExaminationDateTo", "20230430"),
        ],
        "3",
    );
    let request = encoding_rs::SHIFT_JIS.encode(&xml).0.into_owned();
    std::fs::write(ex.req_dir().join("OQSmuonq01req_202308250001.xml"), request).expect("write");
    let res = ex.res_dir().join("OQSmuonq01res_202308250001.xml");
    for _ in 0..100 {
        ex.scan_once().expect("scan");
        if res.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let doc =
        oqs_protocol::xml::read_document(&std::fs::read(&res).expect("01res"), Default::default())
            .expect("xml");
    let number = at(&doc.root, &["MessageBody", "ReceptionNumber"])
        .expect("受付番号")
        .to_owned();
    let job = sim
        .jobs
        .wait(&number, Duration::from_secs(10))
        .expect("job");
    assert_eq!(
        job.result_name.as_deref(),
        Some(format!("OQSmuonq02res_{number}.xml").as_str())
    );
    let fetched = post(&sim, "OQSmuonq02req", fetch_xml(&number)).await;
    let text = sjis(&fetched);
    assert!(text.contains("宮崎　一太"), "{text}");
    insta::assert_snapshot!("online_bulk_02res", text);
    let dl = send(
        &sim,
        "GET",
        &format!("/jobs/{number}/result"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(
        dl.body, fetched.body,
        "the XML download is the fetched bytes"
    );
}

#[tokio::test]
async fn a_cancelled_consent_makes_the_job_need_a_check() {
    let sim = sim();
    let taro = request_xml("UTF-8", Some("20230825"), &taro());
    let cancelled = send(&sim, "POST", "/xml/OQSsihvd01req", &[], taro.into_bytes()).await;
    assert_eq!(
        at(&cancelled.xml(), &["MessageBody", "ProcessingResultStatus"]),
        Some("1")
    );
    let n = submit(
        &sim,
        "OQSmuhvq01req",
        submit_xml(&[("ConsentDateFrom", "20230101")], "2"),
    )
    .await;
    let job = sim.jobs.job(&n).expect("job");
    assert_eq!(job.state.status(job.kind), "照会完了（要確認）");
    assert_eq!((job.normal, job.errors), (1, 1));
    let text = sjis(&post(&sim, "OQSmuhvq02req", fetch_xml(&n)).await);
    assert!(
        text.contains("<ProcessingResultCode>EQ0302</ProcessingResultCode>"),
        "{text}"
    );
}

#[tokio::test]
async fn bad_conditions_fail_the_job_with_a_header_error() {
    let sim = sim();
    for (message, xml, detail) in [
        (
            "OQSmuhvq01req",
            submit_xml(&[("ConsentDateFrom", "20230101")], "3"),
            "MedicalTreatmentFlag",
        ),
        ("OQSmuhvq01req", submit_xml(&[], "2"), "ConsentDateFrom"),
        (
            "OQSmuhvq01req",
            submit_xml(&[("ExaminationDateFrom", "20230101")], "2"),
            "オンライン診療等 only",
        ),
        (
            "OQSmuonq01req",
            submit_xml(
                &[
                    ("ConsentDateFrom", "20230201"),
                    ("ConsentDateTo", "20230101"),
                ],
                "3",
            ),
            "ends before",
        ),
    ] {
        let n = submit(&sim, message, xml).await;
        let job = sim.jobs.job(&n).expect("job");
        assert_eq!(
            job.state.status(job.kind),
            "照会失敗(ヘッダー項目エラー)",
            "{detail}"
        );
        assert!(
            job.error_detail
                .as_deref()
                .is_some_and(|d| d.contains(detail)),
            "{detail}: {:?}",
            job.error_detail
        );
    }
    let failed = post(
        &sim,
        "OQSmuhvq02req",
        fetch_xml(
            &sim.jobs
                .list(sim_server::jobs::JobKind::VisitingBulk, Some(MIC), 1)[0]
                .reception_number,
        ),
    )
    .await;
    insta::assert_snapshot!("visiting_bulk_02res_failed_header", sjis(&failed));
}

#[tokio::test]
async fn more_consents_than_the_limit_fail_with_the_limit_error() {
    let now = clock::parse_now("2023-08-25T10:00:00+09:00").expect("time");
    let mut settings = Settings::default();
    settings.jobs.row_limit = 1;
    let sim = Arc::new(Simulator::new(
        Clock::frozen(now),
        oqs_protocol::ErrorTable::builtin(),
        settings,
    ));
    let n = submit(
        &sim,
        "OQSmuhvq01req",
        submit_xml(&[("ConsentDateFrom", "20230101")], "2"),
    )
    .await;
    let job = sim.jobs.job(&n).expect("job");
    assert_eq!(job.state.status(job.kind), "照会失敗(処理上限エラー)");
}
