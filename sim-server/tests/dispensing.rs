//! JOB-05 保管調剤結果一括取得 (ch.11) over XML/HTTP messages (OQSmudsp01/02), the JSON routes
//! and a restart with `--data-dir`: RULE-69..75, ERR-30/31, DLG-32, with snapshots of every new
//! message and of one zip entry. Clock: the manual's example acquisition, 2024/01/18 15:36:27 JST.

mod common;

use base64::Engine as _;
use common::*;
use oqs_protocol::xml::{read_document, ReadLimits};
use oqs_protocol::Element;
use sim_server::clock::parse_now;
use sim_server::jobs::{JobSettings, Pacing};
use sim_server::journal::Transport;
use sim_server::{Clock, Settings, Simulator};
use std::io::Read as _;
use std::sync::Arc;
use std::time::Duration;

const PHARMACY: &str = "9940000076";
const AT: &str = "2024-01-18T15:36:27+09:00";

fn sim_at(at: &str, settings: Settings) -> Arc<Simulator> {
    Arc::new(Simulator::new(
        Clock::frozen(parse_now(at).expect("time")),
        oqs_protocol::ErrorTable::builtin(),
        settings,
    ))
}

fn set_clock(sim: &Simulator, at: &str) {
    sim.clock.set(parse_now(at).expect("time"), false);
}

fn acquire_xml(facility: &str, start: &str, end: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{facility}</MedicalInstitutionCode><ArbitraryFileIdentifier>dsp-1</ArbitraryFileIdentifier></MessageHeader><MessageBody><AcquisitionStartDate>{start}</AcquisitionStartDate><AcquisitionEndDate>{end}</AcquisitionEndDate></MessageBody></XmlMsg>")
}

fn list_xml(facility: &str, id: Option<&str>, page: Option<&str>) -> String {
    let id = id
        .map(|i| format!("<DispensingResultAcquisitionId>{i}</DispensingResultAcquisitionId>"))
        .unwrap_or_default();
    let page = page
        .map(|p| format!("<PageNumber>{p}</PageNumber>"))
        .unwrap_or_default();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{facility}</MedicalInstitutionCode></MessageHeader><MessageBody>{id}{page}</MessageBody></XmlMsg>")
}

fn msg(sim: &Simulator, message: &str, body: &str) -> String {
    let a = sim
        .handle_xml(message, body.as_bytes(), Transport::HttpXml, "test")
        .expect("answered");
    String::from_utf8(a.to_xml()).expect("UTF-8")
}

fn root(xml: &str) -> Element {
    read_document(xml.as_bytes(), ReadLimits::default())
        .expect("readable")
        .root
}

fn body_text(xml: &str, name: &str) -> Option<String> {
    root(xml)
        .child("MessageBody")?
        .child_text(name)
        .map(str::to_owned)
}

fn header_text(xml: &str, name: &str) -> Option<String> {
    root(xml)
        .child("MessageHeader")?
        .child_text(name)
        .map(str::to_owned)
}

fn acquire(sim: &Simulator, start: &str, end: &str) -> String {
    let res = msg(sim, "OQSmudsp01req", &acquire_xml(PHARMACY, start, end));
    let id = body_text(&res, "DispensingResultAcquisitionId")
        .unwrap_or_else(|| panic!("not accepted: {res}"));
    sim.jobs.wait(&id, Duration::from_secs(10));
    id
}

async fn get(sim: &Arc<Simulator>, uri: &str) -> Reply {
    common::send(sim, "GET", uri, &[], Vec::new()).await
}

fn rows(xml: &str) -> Vec<oqs_protocol::dispensing::AcquisitionInfo> {
    root(xml)
        .child("MessageBody")
        .and_then(|b| b.child("AcquisitionList"))
        .map(|l| {
            l.children
                .iter()
                .filter_map(oqs_protocol::dispensing::AcquisitionInfo::from_element)
                .collect()
        })
        .unwrap_or_default()
}

fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).expect("entry");
            let mut s = String::new();
            f.read_to_string(&mut s).expect("UTF-8 entry");
            (f.name().to_owned(), s)
        })
        .collect()
}

#[test]
fn an_accepted_request_answers_the_24_digit_id_and_downloads_nothing_yet() {
    let settings = Settings {
        jobs: JobSettings {
            pacing: Pacing::Hold,
            ..Default::default()
        },
        ..Default::default()
    };
    let sim = sim_at(AT, settings);
    let res = msg(
        &sim,
        "OQSmudsp01req",
        &acquire_xml(PHARMACY, "20240101", "20240101"),
    );
    insta::assert_snapshot!("dispensing_01res_accepted", res);
    // DLG-32: the manual's own example ID, request day + 6 as the deadline (RULE-72).
    assert_eq!(
        body_text(&res, "DispensingResultAcquisitionId").as_deref(),
        Some("202401181536279940000076")
    );
    assert_eq!(
        body_text(&res, "DownloadDeadline").as_deref(),
        Some("20240124")
    );
    // RULE-75: nothing to download while 照会中; no file in the answer.
    assert_eq!(body_text(&res, "ResultFile"), None);
    let one = msg(
        &sim,
        "OQSmudsp02req",
        &list_xml(PHARMACY, Some("202401181536279940000076"), None),
    );
    let r = rows(&one);
    assert_eq!(r[0].status, "照会中");
    assert!(!r[0].downloadable);
    assert_eq!(body_text(&one, "ResultFile"), None);
    sim.jobs.set_pacing(Pacing::Instant);
    sim.jobs
        .wait("202401181536279940000076", Duration::from_secs(10));
    let one = msg(
        &sim,
        "OQSmudsp02req",
        &list_xml(PHARMACY, Some("202401181536279940000076"), None),
    );
    let r = rows(&one);
    assert_eq!(r[0].status, "照会完了");
    assert_eq!(r[0].count, Some(1));
    assert!(r[0].downloadable);
    let zip = base64::engine::general_purpose::STANDARD
        .decode(body_text(&one, "ResultFile").expect("the zip"))
        .expect("base64");
    let entries = unzip(&zip);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].0, "0001_R20240101-0001.xml");
    assert!(entries[0].1.contains("<Name>新橋　太郎</Name>"));
    insta::assert_snapshot!("dispensing_zip_entry", entries[0].1);
    // The same request gives the same bytes (dated by the ID, not the wall clock).
    let download = sim.jobs.result("202401181536279940000076").expect("zip");
    assert_eq!(download.0, "202401181536279940000076.zip");
    assert_eq!(download.1.as_ref(), zip.as_slice());
}

#[test]
fn period_rules_refuse_with_the_manuals_texts() {
    let sim = sim_at(AT, Settings::default());
    // ERR-31 (RULE-70): 32 days.
    let res = msg(
        &sim,
        "OQSmudsp01req",
        &acquire_xml(PHARMACY, "20240101", "20240201"),
    );
    insta::assert_snapshot!("dispensing_01res_err31", res);
    assert_eq!(
        body_text(&res, "ProcessingResultMessage").as_deref(),
        Some("取得可能な最長期間は1ヶ月（31日）です。")
    );
    // 31 days are fine.
    acquire(&sim, "20240101", "20240131");
    // ERR-30 (RULE-71): the same period again the same day.
    let res = msg(
        &sim,
        "OQSmudsp01req",
        &acquire_xml(PHARMACY, "20240101", "20240131"),
    );
    insta::assert_snapshot!("dispensing_01res_err30", res);
    assert_eq!(
        body_text(&res, "ProcessingResultMessage").as_deref(),
        Some("同日に同じ取得条件での一括取得はできません。")
    );
    // Another period the same day, or the same period the next day, is accepted.
    acquire(&sim, "20240102", "20240131");
    set_clock(&sim, "2024-01-19T09:00:00+09:00");
    acquire(&sim, "20240101", "20240131");
    // Missing dates and reversed periods.
    let res = msg(
        &sim,
        "OQSmudsp01req",
        &acquire_xml(PHARMACY, "", "20240131"),
    );
    assert_eq!(
        body_text(&res, "ProcessingResultMessage").as_deref(),
        Some("取得条件の項目について全て入力してください。")
    );
    let res = msg(
        &sim,
        "OQSmudsp01req",
        &acquire_xml(PHARMACY, "20240131", "20240101"),
    );
    assert_eq!(
        body_text(&res, "ProcessingResultStatus").as_deref(),
        Some("2")
    );
    assert_eq!(body_text(&res, "DispensingResultAcquisitionId"), None);
}

#[test]
fn only_pharmacies_using_the_storage_service_see_it() {
    let sim = sim_at(AT, Settings::default());
    for facility in ["1341234567", "1234567890", "9999999999"] {
        let res = msg(
            &sim,
            "OQSmudsp01req",
            &acquire_xml(facility, "20240101", "20240101"),
        );
        assert_eq!(
            header_text(&res, "SegmentOfResult").as_deref(),
            Some("9"),
            "{facility}"
        );
        assert_eq!(
            header_text(&res, "ErrorMessage").as_deref(),
            Some("調剤済み処方箋の保存サービスを利用中の薬局ではありません。")
        );
        let res = msg(&sim, "OQSmudsp02req", &list_xml(facility, None, None));
        assert_eq!(header_text(&res, "SegmentOfResult").as_deref(), Some("9"));
    }
    let res = msg(
        &sim,
        "OQSmudsp01req",
        &acquire_xml("1341234567", "20240101", "20240101"),
    );
    insta::assert_snapshot!("dispensing_01res_not_available", res);
}

#[test]
fn nine_per_page_newest_first_rows_stay_after_the_deadline() {
    let sim = sim_at(AT, Settings::default());
    let mut ids = Vec::new();
    for day in 1..=10 {
        ids.push(acquire(
            &sim,
            &format!("202311{day:02}"),
            &format!("202311{:02}", day + 4),
        ));
    }
    // Ten requests in the same second: ten distinct 24-digit IDs.
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10);
    assert!(ids.iter().all(|i| i.len() == 24 && i.ends_with(PHARMACY)));
    let page1 = msg(&sim, "OQSmudsp02req", &list_xml(PHARMACY, None, None));
    insta::assert_snapshot!("dispensing_02res_page1", page1);
    let r1 = rows(&page1);
    assert_eq!(r1.len(), 9);
    assert_eq!(
        body_text(&page1, "NumberOfAcquisitions").as_deref(),
        Some("10")
    );
    assert_eq!(body_text(&page1, "NumberOfPages").as_deref(), Some("2"));
    let newest_first: Vec<String> = ids.iter().rev().take(9).cloned().collect();
    assert_eq!(
        r1.iter()
            .map(|r| r.acquisition_id.clone())
            .collect::<Vec<_>>(),
        newest_first
    );
    let page2 = msg(&sim, "OQSmudsp02req", &list_xml(PHARMACY, None, Some("2")));
    let r2 = rows(&page2);
    assert_eq!(r2.len(), 1);
    assert_eq!(r2[0].acquisition_id, ids[0]);
    // 2023/11/01–05 holds one result (11/01): downloadable through 2024/01/24.
    assert_eq!(r2[0].count, Some(1));
    set_clock(&sim, "2024-01-24T23:59:59+09:00");
    let r = rows(&msg(
        &sim,
        "OQSmudsp02req",
        &list_xml(PHARMACY, None, Some("2")),
    ));
    assert!(r[0].downloadable);
    assert!(sim.jobs.result(&ids[0]).is_ok());
    // RULE-72: the day after the deadline the row stays, without 《ダウンロード》.
    set_clock(&sim, "2024-01-25T00:00:00+09:00");
    let one = msg(
        &sim,
        "OQSmudsp02req",
        &list_xml(PHARMACY, Some(&ids[0]), None),
    );
    let r = rows(&one);
    assert_eq!(r[0].status, "照会完了");
    assert!(!r[0].downloadable);
    assert_eq!(body_text(&one, "ResultFile"), None);
    assert!(sim.jobs.result(&ids[0]).is_err());
    // A bad page number is a clear error.
    let bad = msg(&sim, "OQSmudsp02req", &list_xml(PHARMACY, None, Some("x")));
    assert_eq!(header_text(&bad, "SegmentOfResult").as_deref(), Some("9"));
}

#[test]
fn a_period_without_stored_results_has_count_0_and_no_download() {
    let sim = sim_at(AT, Settings::default());
    // The manual's third example row: 2023/12/01–2023/12/30, 件数 0.
    let id = acquire(&sim, "20231201", "20231230");
    let one = msg(&sim, "OQSmudsp02req", &list_xml(PHARMACY, Some(&id), None));
    insta::assert_snapshot!("dispensing_02res_count0", one);
    let r = rows(&one);
    assert_eq!(r[0].count, Some(0));
    assert!(!r[0].downloadable);
    assert_eq!(r[0].download_deadline, None);
    assert!(sim.jobs.result(&id).is_err());
    // An unknown ID is a body error.
    let res = msg(
        &sim,
        "OQSmudsp02req",
        &list_xml(PHARMACY, Some("000000000000009940000076"), None),
    );
    assert_eq!(
        body_text(&res, "ProcessingResultStatus").as_deref(),
        Some("2")
    );
}

#[tokio::test]
async fn the_json_routes_show_dlg_32_scr_34_and_the_zip() {
    let sim = sim_at(AT, Settings::default());
    // 《調剤結果取得》 first shows DLG-31; キャンセル requests nothing.
    let body =
        serde_json::json!({"facility": PHARMACY, "start": "2023/11/01", "end": "2023/11/14"});
    let r = send_json(&sim, "POST", "/dispensing/acquisitions", body.clone()).await;
    assert_eq!(r.json()["dialog"]["id"], "DLG-31");
    assert_eq!(
        r.json()["dialog"]["lines"][0],
        "取得します。よろしいですか？"
    );
    let mut cancel = body.clone();
    cancel["answer"] = serde_json::json!("キャンセル");
    let r = send_json(&sim, "POST", "/dispensing/acquisitions", cancel).await;
    assert_eq!(r.json()["requested"], false);
    assert_eq!(sim.jobs.dispensing_page(PHARMACY, 1).total, 0);
    let r = send_json(
        &sim,
        "POST",
        "/dispensing/acquisitions",
        serde_json::json!({"facility": PHARMACY, "start": "2023/11/01", "end": "2023/11/14", "answer": "OK"}),
    )
    .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text());
    let j = r.json();
    assert_eq!(j["dialog"]["id"], "DLG-32");
    assert_eq!(j["dialog"]["lines"][0], "保管調剤結果取得に成功しました。");
    assert_eq!(
        j["dialog"]["lines"][1],
        "調剤結果一括取得ID：202401181536279940000076"
    );
    assert_eq!(j["downloadDeadline"], "2024/01/24");
    let id = j["acquisitionId"].as_str().expect("id").to_owned();
    sim.jobs.wait(&id, Duration::from_secs(10));
    // ERR-30 over the route.
    let again = send_json(
        &sim,
        "POST",
        "/dispensing/acquisitions",
        serde_json::json!({"facility": PHARMACY, "start": "2023/11/01", "end": "2023/11/14", "answer": "OK"}),
    )
    .await;
    assert_eq!(again.status.as_u16(), 422);
    assert_eq!(again.json()["error"], "ERR-30");
    let list = get(
        &sim,
        &format!("/dispensing/acquisitions?facility={PHARMACY}"),
    )
    .await;
    let l = list.json();
    assert_eq!(l["pager"], "検索結果： 1 件1-1件表示");
    assert_eq!(
        l["banner"],
        "ダウンロード期限までにダウンロードを完了してください"
    );
    assert_eq!(l["rows"][0]["count"], 3);
    assert_eq!(l["rows"][0]["download"], "ダウンロード");
    assert_eq!(l["rows"][0]["start"], "2023/11/01");
    let zip = get(
        &sim,
        &format!("/dispensing/acquisitions/{id}/download?facility={PHARMACY}"),
    )
    .await;
    assert_eq!(zip.status.as_u16(), 200);
    assert_eq!(zip.content_type, "application/zip");
    let names: Vec<String> = unzip(&zip.body).into_iter().map(|e| e.0).collect();
    // 2023/11/01–14 holds 3 of the fixture's November results (11/15 is outside).
    assert_eq!(
        names,
        [
            "0001_R20231101-0001.xml",
            "0002_R20231107-0001.xml",
            "0003_R20231114-0001.xml"
        ]
    );
    let refused = get(&sim, "/dispensing/acquisitions?facility=1341234567").await;
    assert_eq!(refused.status.as_u16(), 403);
}

#[test]
fn acquisitions_survive_a_restart_with_data_dir() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings {
        data_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let id = {
        let sim = sim_at(AT, settings.clone());
        acquire(&sim, "20240101", "20240101")
    };
    let sim = sim_at(AT, settings);
    let one = msg(&sim, "OQSmudsp02req", &list_xml(PHARMACY, Some(&id), None));
    let r = rows(&one);
    assert_eq!(r[0].count, Some(1));
    assert!(r[0].downloadable);
    assert!(body_text(&one, "ResultFile").is_some());
    // RULE-71 holds across the restart.
    let res = msg(
        &sim,
        "OQSmudsp01req",
        &acquire_xml(PHARMACY, "20240101", "20240101"),
    );
    assert_eq!(
        body_text(&res, "ProcessingResultStatus").as_deref(),
        Some("2")
    );
}
