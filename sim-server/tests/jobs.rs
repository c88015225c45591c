//! The job engine through HTTP and the file exchange: JOB-01 (bulk inquiry), JOB-02 (bulk
//! 照会番号 registration), the single 照会番号 registration, every job status, listings, downloads,
//! bad input and durability with `--data-dir` (in process; the real binary is killed in
//! `jobs_binary.rs`).

mod common;

use axum::http::StatusCode;
use common::*;
use oqs_protocol::texts::job_status as t;
use oqs_protocol::Element;
use sim_server::jobs::{JobSettings, JobState, Pacing};
use sim_server::Settings;
use std::sync::Arc;
use std::time::Duration;

const MIC: &str = "1234567890";

fn fields_xml(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("<{k}>{v}</{k}>"))
        .collect()
}

/// OQSmuquc01req text with one QualificationConfirmSearchInfo per row.
fn bulk_xml(mic: &str, rows: &[Vec<(&str, &str)>]) -> String {
    let rows: String = rows
        .iter()
        .map(|r| {
            format!(
                "<QualificationConfirmSearchInfo>{}</QualificationConfirmSearchInfo>",
                fields_xml(r)
            )
        })
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><QualificationConfirmationDate>20210106</QualificationConfirmationDate><MedicalInstitutionCode>{mic}</MedicalInstitutionCode><ArbitraryFileIdentifier>bulk-1</ArbitraryFileIdentifier></MessageHeader><MessageBody>{rows}</MessageBody></XmlMsg>\n")
}

fn fetch_xml(message_mic: &str, reception: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>{message_mic}</MedicalInstitutionCode></MessageHeader><MessageBody><ReceptionNumber>{reception}</ReceptionNumber></MessageBody></XmlMsg>\n")
}

fn registration_xml(rows: &[Vec<(&'static str, String)>]) -> String {
    let rows: String = rows
        .iter()
        .map(|r| {
            format!(
                "<ReferenceNumberRegistrationInfo>{}</ReferenceNumberRegistrationInfo>",
                fields_xml(&as_refs(r))
            )
        })
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>{MIC}</MedicalInstitutionCode></MessageHeader><MessageBody>{rows}</MessageBody></XmlMsg>\n")
}

/// 新橋 花子: her card ended on 2020-12-31 (無効 on 2021-01-06).
fn hanako() -> Vec<(&'static str, &'static str)> {
    vec![
        ("InsurerNumber", "06139000"),
        ("InsuredCardSymbol", "9000"),
        ("InsuredIdentificationNumber", "10001"),
        ("InsuredBranchNumber", "02"),
        ("Birthdate", "19550118"),
        ("LimitApplicationCertificateRelatedConsFlg", "0"),
    ]
}

fn bad_insurer() -> Vec<(&'static str, &'static str)> {
    let mut r = taro();
    r[0] = ("InsurerNumber", "123");
    r
}

fn reg(value: &str, branch: &'static str) -> Vec<(&'static str, String)> {
    vec![
        ("ReferenceNumber", value.to_owned()),
        ("InsurerNumber", "06139000".into()),
        ("InsuredCardSymbol", "9000".into()),
        ("InsuredIdentificationNumber", "10001".into()),
        ("InsuredBranchNumber", branch.into()),
    ]
}

fn as_refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

async fn post(sim: &Arc<Simulator>, message: &str, body: impl Into<Vec<u8>>) -> Reply {
    send(sim, "POST", &format!("/xml/{message}"), &[], body.into()).await
}

use sim_server::Simulator;

/// Submits a bulk inquiry and returns the 受付番号.
async fn submit(sim: &Arc<Simulator>, message: &str, body: String) -> String {
    let r = post(sim, message, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let root = r.xml();
    assert_eq!(at(&root, &["MessageHeader", "SegmentOfResult"]), Some("1"));
    at(&root, &["MessageBody", "ReceptionNumber"])
        .expect("a 受付番号")
        .to_owned()
}

fn wait_final(sim: &Simulator, number: &str) -> sim_server::jobs::Job {
    let job = sim
        .jobs
        .wait(number, Duration::from_secs(10))
        .expect("job exists");
    assert!(job.state.is_final(), "job stuck in {:?}", job.state);
    job
}

fn with_jobs(jobs: JobSettings) -> Arc<Simulator> {
    simulator_with(Settings {
        jobs,
        ..Settings::default()
    })
}

fn units(root: &Element) -> Vec<&Element> {
    root.child("MessageBody")
        .map(|b| b.children_named("BulkConfirmUnit").collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn bulk_inquiry_answers_each_row_like_the_single_inquiry() {
    let sim = simulator();
    let rows = vec![taro(), hanako(), bad_insurer(), taro()];
    let number = submit(&sim, "OQSmuquc01req", bulk_xml(MIC, &rows)).await;
    // 受付番号: yyyymmddhhmmssSSS + _ + suffix; 受付日時 the same instant cut to seconds.
    assert_eq!(number, "20210106100000000_0001");
    let job = wait_final(&sim, &number);
    assert_eq!(job.state, JobState::DoneNeedsCheck);
    assert_eq!(job.state.status(job.kind), t::INQUIRY_DONE_CHECK);
    assert_eq!((job.processed, job.normal, job.errors), (4, 3, 1));

    let r = post(&sim, "OQSmuquc02req", fetch_xml(MIC, &number)).await;
    let root = r.xml();
    let h = |n: &str| at(&root, &["MessageHeader", n]).map(str::to_owned);
    assert_eq!(h("SegmentOfResult").as_deref(), Some("1"));
    assert_eq!(h("ReceptionNumber").as_deref(), Some(number.as_str()));
    assert_eq!(h("NumberOfProcessingResult").as_deref(), Some("4"));
    assert_eq!(h("NumberOfNormalProcessing").as_deref(), Some("3"));
    assert_eq!(h("NumberOfError").as_deref(), Some("1"));
    let units = units(&root);
    assert_eq!(units.len(), 4);
    // Each unit carries what the single inquiry of the same row answers.
    for (unit, row) in units.iter().zip(&rows) {
        let single = post(
            &sim,
            "OQSsiquc01req",
            request_xml("UTF-8", Some("20210106"), row),
        )
        .await
        .xml();
        let body = single.child("MessageBody").expect("body");
        for leaf in [
            "ProcessingResultStatus",
            "ProcessingResultCode",
            "ProcessingResultMessage",
            "QualificationValidity",
        ] {
            assert_eq!(unit.child_text(leaf), body.child_text(leaf), "{leaf}");
        }
        let single_results: Vec<&Element> = body
            .child("ResultList")
            .map(|l| l.children.iter().collect())
            .unwrap_or_default();
        let unit_results: Vec<&Element> = unit
            .children_named("ResultOfQualificationConfirmation")
            .collect();
        assert_eq!(unit_results, single_results);
        assert_eq!(
            unit.child("QualificationConfirmSearchInfo"),
            body.child("QualificationConfirmSearchInfo")
        );
    }
    assert_eq!(units[1].child_text("QualificationValidity"), Some("2"));
    assert_eq!(units[2].child_text("ProcessingResultStatus"), Some("2"));

    // The download is the same bytes, under the §6.6 name.
    let d = send(&sim, "GET", &format!("/jobs/{number}/result"), &[], vec![]).await;
    assert_eq!(d.status, StatusCode::OK);
    assert_eq!(d.body, r.body);
    assert_eq!(
        job.result_name.as_deref(),
        Some("OQSmuquc02res_1234567890_20210106100000.xml")
    );
}

#[tokio::test]
async fn all_valid_rows_end_in_shoukai_kanryou() {
    let sim = simulator();
    let number = submit(&sim, "OQSmuquc01req", bulk_xml(MIC, &[taro()])).await;
    let job = wait_final(&sim, &number);
    assert_eq!(job.state.status(job.kind), t::INQUIRY_DONE);
    let v = send(&sim, "GET", &format!("/jobs/{number}"), &[], vec![])
        .await
        .json();
    assert_eq!(v["status"], "照会完了");
    assert_eq!(v["receptionDateTime"], "2021/01/06 10:00:00");
    assert_eq!(v["completionDateTime"], "2021/01/06 10:00:00");
    assert_eq!(v["count"], 1);
    assert_eq!(v["downloadable"], true);
}

#[tokio::test]
async fn waiting_and_processing_can_be_watched_and_are_not_downloadable() {
    let sim = with_jobs(JobSettings {
        pacing: Pacing::Hold,
        ..JobSettings::default()
    });
    let number = submit(
        &sim,
        "OQSmuquc01req",
        bulk_xml(MIC, &[taro(), taro(), taro()]),
    )
    .await;
    std::thread::sleep(Duration::from_millis(300));
    let job = sim.jobs.job(&number).expect("job");
    assert_eq!(job.state.status(job.kind), t::INQUIRY_WAITING);
    let r = post(&sim, "OQSmuquc02req", fetch_xml(MIC, &number))
        .await
        .xml();
    assert_eq!(at(&r, &["MessageHeader", "SegmentOfResult"]), Some("2"));
    assert!(r.child("MessageBody").is_none());
    let d = send(&sim, "GET", &format!("/jobs/{number}/result"), &[], vec![]).await;
    assert_eq!(d.status, StatusCode::CONFLICT);
    assert!(d.text().contains("照会待ち"), "{}", d.text());

    // 300 ms per row: 中 shows up, then 完了.
    let p = send(
        &sim,
        "PUT",
        "/__admin/jobs/pacing",
        &[("content-type", "application/json")],
        br#"{"pacing":"300ms/row"}"#.to_vec(),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK);
    let mut seen_processing = false;
    for _ in 0..100 {
        let j = sim.jobs.job(&number).expect("job");
        if j.state == JobState::Processing {
            seen_processing = true;
            assert_eq!(j.state.status(j.kind), t::INQUIRY_PROCESSING);
            let r = post(&sim, "OQSmuquc02req", fetch_xml(MIC, &number))
                .await
                .xml();
            assert_eq!(at(&r, &["MessageHeader", "SegmentOfResult"]), Some("2"));
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(seen_processing, "never saw 照会中");
    assert_eq!(wait_final(&sim, &number).state, JobState::Done);
}

async fn failed_status(
    sim: &Arc<Simulator>,
    message: &str,
    body: impl Into<Vec<u8>>,
) -> (String, Element) {
    let r = post(sim, message, body).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a bulk file is always accepted: {}",
        r.text()
    );
    let number = at(&r.xml(), &["MessageBody", "ReceptionNumber"])
        .expect("受付番号")
        .to_owned();
    let job = wait_final(sim, &number);
    assert!(!job.state.downloadable());
    let fetch = if message.starts_with("OQSmuquc") {
        "OQSmuquc02req"
    } else {
        "OQSmuimm02req"
    };
    let res = post(sim, fetch, fetch_xml(&job.facility, &number))
        .await
        .xml();
    (job.state.status(job.kind).to_owned(), res)
}

#[tokio::test]
async fn each_failure_status_has_its_cause() {
    let sim = with_jobs(JobSettings {
        row_limit: 2,
        ..JobSettings::default()
    });
    // Not well-formed.
    let (s, res) = failed_status(&sim, "OQSmuquc01req", "<XmlMsg><MessageHeader>").await;
    assert_eq!(s, t::INQUIRY_FAILED_XML);
    assert_eq!(at(&res, &["MessageHeader", "SegmentOfResult"]), Some("9"));
    // Well-formed, wrong structure.
    let (s, _) = failed_status(&sim, "OQSmuquc01req", "<Other/>").await;
    assert_eq!(s, t::INQUIRY_FAILED_XML);
    // Wrong encoding.
    let (s, _) = failed_status(
        &sim,
        "OQSmuquc01req",
        b"<?xml version=\"1.0\" encoding=\"EUC-JP\"?><XmlMsg/>".to_vec(),
    )
    .await;
    assert_eq!(s, t::INQUIRY_FAILED_XML);
    // A bad header field: the job is the facility's, and fails with ヘッダー項目エラー.
    let (s, res) = failed_status(&sim, "OQSmuquc01req", bulk_xml("12345", &[taro()])).await;
    assert_eq!(s, t::INQUIRY_FAILED_HEADER);
    assert_eq!(at(&res, &["MessageHeader", "SegmentOfResult"]), Some("9"));
    assert_eq!(at(&res, &["MessageHeader", "ErrorCode"]), Some("EQ0102"));
    // More rows than the limit.
    let (s, res) = failed_status(
        &sim,
        "OQSmuquc01req",
        bulk_xml(MIC, &[taro(), taro(), taro()]),
    )
    .await;
    assert_eq!(s, t::INQUIRY_FAILED_LIMIT);
    assert_eq!(
        at(&res, &["MessageHeader", "ErrorMessage"]),
        Some("処理上限エラー（明細の件数が上限を超えています）")
    );
    // System error by fault injection.
    let f = send(
        &sim,
        "PUT",
        "/__admin/faults/jobs",
        &[("content-type", "application/json")],
        br#"{"systemError":true}"#.to_vec(),
    )
    .await;
    assert_eq!(f.status, StatusCode::OK);
    let (s, res) = failed_status(&sim, "OQSmuquc01req", bulk_xml(MIC, &[taro()])).await;
    assert_eq!(s, t::INQUIRY_FAILED_SYSTEM);
    assert_eq!(
        at(&res, &["MessageHeader", "ErrorMessage"]),
        Some("システムエラー")
    );
    let (s, _) = failed_status(
        &sim,
        "OQSmuimm01req",
        registration_xml(&[(reg("A1", "01"))]),
    )
    .await;
    assert_eq!(s, t::REGISTRATION_FAILED_SYSTEM);
    send(&sim, "DELETE", "/__admin/faults/jobs", &[], vec![]).await;
    let (s, _) = failed_status(&sim, "OQSmuimm01req", "<XmlMsg>").await;
    assert_eq!(s, t::REGISTRATION_FAILED_XML);
    let (s, _) = failed_status(
        &sim,
        "OQSmuimm01req",
        registration_xml(&vec![reg("A", "01"); 3]),
    )
    .await;
    assert_eq!(s, t::REGISTRATION_FAILED_LIMIT);
}

#[tokio::test]
async fn listing_shows_the_three_newest_of_a_facility_and_kind() {
    let sim = simulator();
    let mut numbers = Vec::new();
    for _ in 0..4 {
        let n = submit(&sim, "OQSmuquc01req", bulk_xml(MIC, &[taro()])).await;
        wait_final(&sim, &n);
        numbers.push(n);
    }
    // Another facility's job is not in the list.
    let other = submit(&sim, "OQSmuquc01req", bulk_xml("9999999999", &[taro()])).await;
    wait_final(&sim, &other);
    let v = send(
        &sim,
        "GET",
        &format!("/jobs?kind=bulk-inquiry&facility={MIC}"),
        &[],
        vec![],
    )
    .await
    .json();
    let listed: Vec<&str> = v["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| j["receptionNumber"].as_str().expect("number"))
        .collect();
    assert_eq!(listed, vec![&*numbers[3], &*numbers[2], &*numbers[1]]);
    // Another facility cannot fetch this one's result.
    let r = post(&sim, "OQSmuquc02req", fetch_xml("9999999999", &numbers[0]))
        .await
        .xml();
    assert_eq!(at(&r, &["MessageHeader", "ErrorCode"]), Some("EQ0106"));
    let bad = send(&sim, "GET", "/jobs?kind=nope", &[], vec![]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

fn reference_in_inquiry(root: &Element) -> Option<String> {
    root.child("MessageBody")
        .and_then(|b| b.child("ResultList"))
        .and_then(|l| l.child("ResultOfQualificationConfirmation"))
        .and_then(|r| r.child_text("ReferenceNumber"))
        .map(str::to_owned)
}

async fn register_one(sim: &Arc<Simulator>, value: &str, branch: &'static str) -> Element {
    let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>{MIC}</MedicalInstitutionCode></MessageHeader><MessageBody><ReferenceNumberRegistrationInfo>{}</ReferenceNumberRegistrationInfo></MessageBody></XmlMsg>", fields_xml(&as_refs(&reg(value, branch))));
    let r = post(sim, "OQSsiimm01req", body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.xml()
}

#[tokio::test]
async fn single_registration_registers_updates_and_deletes() {
    let sim = simulator();
    let inquiry = || request_xml("UTF-8", Some("20210106"), &taro());
    assert_eq!(
        reference_in_inquiry(&post(&sim, "OQSsiquc01req", inquiry()).await.xml()),
        None
    );
    let r = register_one(&sim, "JIKO3", "01").await;
    assert_eq!(
        at(&r, &["MessageBody", "ProcessingResultStatus"]),
        Some("1")
    );
    assert_eq!(
        reference_in_inquiry(&post(&sim, "OQSsiquc01req", inquiry()).await.xml()).as_deref(),
        Some("JIKO3")
    );
    register_one(&sim, "B13_1234567890", "01").await;
    assert_eq!(
        reference_in_inquiry(&post(&sim, "OQSsiquc01req", inquiry()).await.xml()).as_deref(),
        Some("B13_1234567890")
    );
    register_one(&sim, "", "01").await;
    assert_eq!(
        reference_in_inquiry(&post(&sim, "OQSsiquc01req", inquiry()).await.xml()),
        None
    );
    // RULE-50: an invalid qualification can get a number too.
    let r = register_one(&sim, "12345", "02").await;
    assert_eq!(
        at(&r, &["MessageBody", "ProcessingResultStatus"]),
        Some("1")
    );
    let h = post(
        &sim,
        "OQSsiquc01req",
        request_xml("UTF-8", Some("20210106"), &hanako()),
    )
    .await
    .xml();
    assert_eq!(at(&h, &["MessageBody", "QualificationValidity"]), Some("2"));
    assert_eq!(reference_in_inquiry(&h).as_deref(), Some("12345"));
    // No such card.
    let r = register_one(&sim, "X", "09").await;
    assert_eq!(
        at(&r, &["MessageBody", "ProcessingResultStatus"]),
        Some("2")
    );
    assert_eq!(
        at(&r, &["MessageBody", "ProcessingResultCode"]),
        Some("EQ0211")
    );
    // Too long.
    let r = register_one(&sim, &"x".repeat(51), "01").await;
    assert_eq!(
        at(&r, &["MessageBody", "ProcessingResultCode"]),
        Some("EQ0210")
    );
}

#[tokio::test]
async fn bulk_registration_registers_rows_and_later_inquiries_show_them() {
    let sim = simulator();
    let rows = vec![
        (reg("R-TARO", "01")),
        (reg("R-HANAKO", "02")),
        (reg("R-AGAIN", "01")),
        (reg("R-NONE", "09")),
    ];
    let number = submit(&sim, "OQSmuimm01req", registration_xml(&rows)).await;
    let job = wait_final(&sim, &number);
    assert_eq!(job.state.status(job.kind), t::REGISTRATION_DONE_CHECK);
    assert_eq!(
        job.result_name.as_deref(),
        Some("OQSmuimm02res_1234567890_20210106100000.xml")
    );
    let res = post(&sim, "OQSmuimm02req", fetch_xml(MIC, &number))
        .await
        .xml();
    let codes: Vec<Option<&str>> = res
        .child("MessageBody")
        .expect("body")
        .children_named("BulkRegistrationUnit")
        .map(|u| u.child_text("ProcessingResultCode"))
        .collect();
    assert_eq!(codes, vec![None, None, Some("EQ0213"), Some("EQ0211")]);
    // The registered numbers appear in single and bulk inquiries.
    let single = post(
        &sim,
        "OQSsiquc01req",
        request_xml("UTF-8", Some("20210106"), &taro()),
    )
    .await
    .xml();
    assert_eq!(reference_in_inquiry(&single).as_deref(), Some("R-TARO"));
    let bulk = submit(&sim, "OQSmuquc01req", bulk_xml(MIC, &[taro(), hanako()])).await;
    wait_final(&sim, &bulk);
    let res = post(&sim, "OQSmuquc02req", fetch_xml(MIC, &bulk))
        .await
        .xml();
    let refs: Vec<Option<&str>> = units(&res)
        .iter()
        .map(|u| u.child_text("ReferenceNumber"))
        .collect();
    assert_eq!(refs, vec![Some("R-TARO"), Some("R-HANAKO")]);
    // Only for this facility.
    let other = post(
        &sim,
        "OQSsiquc01req",
        request_xml("UTF-8", Some("20210106"), &taro()).replace(MIC, "9999999999"),
    )
    .await
    .xml();
    assert_eq!(reference_in_inquiry(&other), None);
    // All rows fine → 登録完了.
    let ok = submit(
        &sim,
        "OQSmuimm01req",
        registration_xml(&[(reg("R2", "01"))]),
    )
    .await;
    assert_eq!(
        wait_final(&sim, &ok)
            .state
            .status(sim_server::jobs::JobKind::BulkRegistration),
        t::REGISTRATION_DONE
    );
}

#[tokio::test]
async fn bad_bulk_input_never_panics_nor_sticks() {
    let sim = simulator();
    // Deeply nested.
    let deep = format!(
        "<XmlMsg>{}{}</XmlMsg>",
        "<a>".repeat(100),
        "</a>".repeat(100)
    );
    let (s, _) = failed_status(&sim, "OQSmuquc01req", deep).await;
    assert_eq!(s, t::INQUIRY_FAILED_XML);
    // Invalid bytes for the declared encoding.
    let (s, _) = failed_status(
        &sim,
        "OQSmuquc01req",
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg>\xff\xfe</XmlMsg>".to_vec(),
    )
    .await;
    assert_eq!(s, t::INQUIRY_FAILED_XML);
    // Empty body, rows only of the wrong element, a stray element.
    for body in [
        String::new(),
        "<XmlMsg><MessageHeader/><MessageBody/></XmlMsg>".into(),
        bulk_xml(MIC, &[taro()]).replace("</MessageBody>", "<Stray/></MessageBody>"),
    ] {
        let (s, _) = failed_status(&sim, "OQSmuquc01req", body).await;
        assert_eq!(s, t::INQUIRY_FAILED_XML);
    }
    // Rows with invalid fields are row errors, not a failed job; Shift_JIS is read.
    let mut odd = taro();
    odd[4] = ("Birthdate", "19541399");
    let sjis = encoding_rs::SHIFT_JIS
        .encode(&bulk_xml(MIC, &[odd, taro()]).replace("UTF-8", "Shift_JIS"))
        .0
        .into_owned();
    let r = post(&sim, "OQSmuquc01req", sjis).await;
    let n = at(&r.xml(), &["MessageBody", "ReceptionNumber"])
        .expect("受付番号")
        .to_owned();
    let job = wait_final(&sim, &n);
    assert_eq!(job.state, JobState::DoneNeedsCheck);
    assert_eq!((job.normal, job.errors), (1, 1));
    assert_eq!(job.encoding, oqs_protocol::TextEncoding::ShiftJis);
    // A file larger than the bulk limit is refused before reading (HTTP 413).
    let small = with_jobs(JobSettings {
        max_request_bytes: 2 * 1024 * 1024,
        ..JobSettings::default()
    });
    let huge = vec![b' '; 3 * 1024 * 1024];
    let r = post(&small, "OQSmuquc01req", huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // A fetch of an unknown 受付番号.
    let r = post(&sim, "OQSmuquc02req", fetch_xml(MIC, "nope"))
        .await
        .xml();
    assert_eq!(at(&r, &["MessageHeader", "SegmentOfResult"]), Some("9"));
    assert_eq!(at(&r, &["MessageHeader", "ErrorCode"]), Some("EQ0106"));
}

#[test]
fn bulk_over_the_file_exchange() {
    let sim = simulator();
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = sim_server::exchange::Exchange::open(dir.path(), sim.clone()).expect("exchange");
    let answer = |name: &str, body: &str, res: &str| -> Vec<u8> {
        std::fs::write(ex.req_dir().join(name), body).expect("write");
        let path = ex.res_dir().join(res);
        for _ in 0..100 {
            ex.scan_once().expect("scan");
            if path.exists() {
                return std::fs::read(&path).expect("read");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("no {res}");
    };
    let r = answer(
        "OQSmuquc01req_b1.xml",
        &bulk_xml(MIC, &[taro(), hanako()]),
        "OQSmuquc01res_b1.xml",
    );
    let root = oqs_protocol::xml::read_document(&r, Default::default())
        .expect("xml")
        .root;
    let number = at(&root, &["MessageBody", "ReceptionNumber"])
        .expect("受付番号")
        .to_owned();
    wait_final(&sim, &number);
    let r = answer(
        "OQSmuquc02req_b1.xml",
        &fetch_xml(MIC, &number),
        "OQSmuquc02res_b1.xml",
    );
    let (_, download) = sim.jobs.result(&number).expect("downloadable");
    assert_eq!(r, download.to_vec(), "exchange answer and download differ");
}

#[test]
fn jobs_and_reference_numbers_survive_a_restart_with_a_data_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = |pacing| Settings {
        data_dir: Some(dir.path().to_path_buf()),
        jobs: JobSettings {
            pacing,
            ..JobSettings::default()
        },
        ..Settings::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (done, waiting, bytes) = {
        let sim = simulator_with(settings(Pacing::Instant));
        assert!(sim.jobs.open_error().is_none());
        rt.block_on(register_one(&sim, "KEEP-1", "01"));
        // A bulk registration's rows are written to the store in chunks, the last at its end.
        let bulk = rt.block_on(submit(
            &sim,
            "OQSmuimm01req",
            registration_xml(&[reg("BULK-KEEP", "02")]),
        ));
        assert_eq!(wait_final(&sim, &bulk).state, JobState::Done);
        let done = rt.block_on(submit(&sim, "OQSmuquc01req", bulk_xml(MIC, &[taro()])));
        wait_final(&sim, &done);
        let (_, bytes) = sim.jobs.result(&done).expect("result");
        sim.jobs.set_pacing(Pacing::Hold);
        let waiting = rt.block_on(submit(
            &sim,
            "OQSmuquc01req",
            bulk_xml(MIC, &[taro(), hanako()]),
        ));
        (done, waiting, bytes)
    };
    // A new simulator on the same folder: the finished result is the same bytes, the waiting
    // job is taken up and finishes, the 照会番号 is still registered.
    let sim = simulator_with(settings(Pacing::Instant));
    assert!(
        sim.jobs.open_error().is_none(),
        "{:?}",
        sim.jobs.open_error()
    );
    let (_, again) = sim.jobs.result(&done).expect("result after restart");
    assert_eq!(again, bytes);
    let job = wait_final(&sim, &waiting);
    assert_eq!(job.state, JobState::DoneNeedsCheck);
    let res = rt
        .block_on(post(&sim, "OQSmuquc02req", fetch_xml(MIC, &waiting)))
        .xml();
    assert_eq!(units(&res)[0].child_text("ReferenceNumber"), Some("KEEP-1"));
    assert_eq!(
        units(&res)[1].child_text("ReferenceNumber"),
        Some("BULK-KEEP")
    );
    // New jobs continue the sequence.
    let next = rt.block_on(submit(&sim, "OQSmuquc01req", bulk_xml(MIC, &[taro()])));
    assert_eq!(next, "20210106100000000_0004");
}
