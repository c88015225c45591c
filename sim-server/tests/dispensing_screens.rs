//! SCR-33/34 保管調剤結果一括取得 (ch.11, FLOW-43/44) against the real binary, as a browser
//! without script uses them: forms, cookies, the dialogs' buttons. The storage-service pharmacy
//! 9940000076 logs in as `hozon01`; サンプル薬局 (`yaku01`) is refused by RULE-69.

mod common;

use common::binary::{start_server, Server};
use common::operator::{Operator, Page};
use oqs_protocol::texts::dispensing as t;
use std::io::Read;

/// 2024/01/18 15:36:27 JST: the manual's first SCR-34 example ID is 202401181536279940000076.
const NOW: &str = "2024-01-18T15:36:27+09:00";

fn start() -> Server {
    start_server(|c| {
        c.args(["--now", NOW]);
    })
}

async fn login(server: &Server, user: &str, password: &str) -> Operator {
    let mut op = Operator::new(&server.addr);
    let p = op.login(user, password).await;
    assert_eq!(p.status, 200, "{}", p.body);
    op
}

/// 《調剤結果取得》 with the period typed on SCR-33: the page with DLG-31.
async fn acquire(op: &mut Operator, start: &str, end: &str) -> Page {
    let form = op.get("/stored-dispensing").await;
    op.post(
        "/stored-dispensing",
        &form.csrf(),
        &[("start", start), ("end", end)],
    )
    .await
}

/// SCR-34 page `n` once no row is 照会中 any more (the worker runs beside the request).
async fn results(op: &mut Operator, n: usize) -> Page {
    for _ in 0..100 {
        let p = op
            .get(&format!("/stored-dispensing/results?page={n}"))
            .await;
        if !p.has(&format!(">{}<", t::PROCESSING)) {
            return p;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("an acquisition stayed 照会中");
}

/// The `data-id`s of SCR-34's rows, in order.
fn ids(p: &Page) -> Vec<String> {
    p.body
        .split(r#"<tr data-id=""#)
        .skip(1)
        .map(|r| r[..r.find('"').unwrap()].to_owned())
        .collect()
}

#[tokio::test]
async fn scr33_request_dlg31_dlg32_and_err30_err31() {
    let server = start();
    let mut op = login(&server, "hozon01", "Hozon#Pass01").await;
    // RULE-69: the menu's 保管調剤 items open the screens for this pharmacy.
    let menu = op.get("/menu").await;
    assert!(menu.has(r#"href="/stored-dispensing" data-screen="SCR-33""#));
    assert!(menu.has(r#"href="/stored-dispensing/results" data-screen="SCR-34""#));

    let form = op.get("/stored-dispensing").await;
    assert!(form.has(t::START) && form.has(t::END));
    assert!(form.has(t::WITHIN_A_MONTH) && form.has(t::ENTER_ALL));

    // 《調剤結果取得》 → DLG-31; nothing is requested before 《OK》.
    let dlg31 = acquire(&mut op, "2024/01/01", "2024/01/01").await;
    assert_eq!(dlg31.dialog().as_deref(), Some("DLG-31"));
    assert!(dlg31.has(t::DLG_31.lines[0]) && dlg31.has(t::TITLE));
    assert!(results(&mut op, 1).await.has("検索結果： 0 件"));
    // 《キャンセル》 goes back to SCR-33 with the period kept, still nothing requested.
    assert!(dlg31.has(r#"href="/stored-dispensing?start=2024%2F01%2F01&amp;end=2024%2F01%2F01""#));
    let kept = op
        .get("/stored-dispensing?start=2024%2F01%2F01&end=2024%2F01%2F01")
        .await;
    assert!(kept.has(r#"value="2024/01/01""#));

    // 《OK》 → DLG-32 with the 24-digit ID and the manual's 注意 (RULE-75).
    let dlg32 = op.press(&dlg31, "OK").await;
    assert_eq!(dlg32.dialog().as_deref(), Some("DLG-32"));
    assert!(dlg32.has(t::DLG_32_SUCCESS));
    assert!(
        dlg32.has("調剤結果一括取得ID：202401181536279940000076"),
        "{}",
        dlg32.body
    );
    assert!(dlg32.has(t::NOT_DOWNLOADED_YET));
    // Nothing downloaded yet: the response is a page, not a file.
    assert!(dlg32
        .headers
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("text/html")));

    // ERR-30 (RULE-71): the same period again today.
    let again = acquire(&mut op, "2024/01/01", "2024/01/01").await;
    let refused = op.press(&again, "OK").await;
    assert_eq!(refused.dialog(), None);
    assert!(refused.has(r#"data-error="ERR-30""#), "{}", refused.body);
    assert!(refused.has(t::ERR_30) && refused.has(t::ERR_30_REMEDY));
    // The period typed stays on the screen.
    assert!(refused.has(r#"value="2024/01/01""#));
    // A changed period is accepted the same day (the ID takes the next free second).
    let changed = acquire(&mut op, "2024/01/02", "2024/01/11").await;
    let ok = op.press(&changed, "OK").await;
    assert!(
        ok.has("調剤結果一括取得ID：202401181536289940000076"),
        "{}",
        ok.body
    );

    // ERR-31 (RULE-70): 32 days; 31 days pass.
    let long = acquire(&mut op, "2023/12/01", "2024/01/01").await;
    let refused = op.press(&long, "OK").await;
    assert!(refused.has(r#"data-error="ERR-31""#), "{}", refused.body);
    assert!(refused.has(t::ERR_31));
    let month = acquire(&mut op, "2023/12/01", "2023/12/31").await;
    assert_eq!(
        op.press(&month, "OK").await.dialog().as_deref(),
        Some("DLG-32")
    );

    // A date left empty: the manual's 「取得条件の項目について全て入力してください。」.
    let empty = acquire(&mut op, "2024/01/01", "").await;
    let refused = op.press(&empty, "OK").await;
    assert!(refused.text_of("refused").unwrap().contains(t::ENTER_ALL));

    // Three accepted, newest first on SCR-34.
    let list = results(&mut op, 1).await;
    assert_eq!(
        ids(&list),
        [
            "202401181536299940000076",
            "202401181536289940000076",
            "202401181536279940000076"
        ]
    );
}

#[tokio::test]
async fn scr34_lists_nine_per_page_and_downloads_within_the_window() {
    let server = start();
    let mut op = login(&server, "hozon01", "Hozon#Pass01").await;
    // 2024/01/01 holds one stored result; 2023/11/01–14 three; 2023/12 none.
    for (s, e) in [
        ("2023/11/01", "2023/11/14"),
        ("2023/12/01", "2023/12/30"),
        ("2024/01/01", "2024/01/01"),
    ] {
        let d = acquire(&mut op, s, e).await;
        assert_eq!(op.press(&d, "OK").await.dialog().as_deref(), Some("DLG-32"));
    }
    let list = results(&mut op, 1).await;
    assert!(list.has(t::DEADLINE_BANNER));
    assert!(list.has("検索結果： 3 件1-3件表示"), "{}", list.body);
    for c in t::COLUMNS {
        assert!(list.has(c), "{c}");
    }
    let newest = "202401181536299940000076";
    let row = |p: &Page, id: &str| -> String {
        let i = p.body.find(&format!(r#"<tr data-id="{id}""#)).unwrap();
        let r = &p.body[i..];
        r[..r.find("</tr>").unwrap()].to_owned()
    };
    let r = row(&list, newest);
    assert!(
        r.contains(t::DONE) && r.contains(r#"<td class="count">1</td>"#),
        "{r}"
    );
    // RULE-72: the deadline is the request day + 6.
    assert!(r.contains(r#"<td class="deadline">2024/01/24</td>"#), "{r}");
    assert!(r.contains(&format!(r#"href="/stored-dispensing/results/{newest}""#)));
    // RULE-74: 件数 0 → no 《ダウンロード》 and no deadline.
    let zero = row(&list, "202401181536289940000076");
    assert!(zero.contains(r#"<td class="count">0</td>"#), "{zero}");
    assert!(!zero.contains("ダウンロード") && zero.contains(r#"<td class="deadline"></td>"#));

    // 《ダウンロード》: the zip named by the ID, one entry per stored result.
    let res = reqwest::Client::new()
        .get(format!(
            "http://{}/stored-dispensing/results/{newest}",
            server.addr
        ))
        .header("cookie", op.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-disposition"],
        format!("attachment; filename=\"{newest}.zip\"").as_str()
    );
    let bytes = res.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert_eq!(zip.len(), 1);
    let mut entry = String::new();
    zip.by_index(0).unwrap().read_to_string(&mut entry).unwrap();
    assert!(entry.contains("R20240101-0001"), "{entry}");

    // RULE-73: 9 per page, newest first, 《次へ》 to the 10th and later.
    for day in 2..=9 {
        let d = acquire(&mut op, &format!("2024/01/{day:02}"), "2024/01/10").await;
        assert_eq!(op.press(&d, "OK").await.dialog().as_deref(), Some("DLG-32"));
    }
    let page1 = results(&mut op, 1).await;
    assert!(page1.has("検索結果： 11 件1-9件表示"), "{}", page1.body);
    assert_eq!(ids(&page1).len(), 9);
    assert!(page1.has(r#"id="next" href="/stored-dispensing/results?page=2""#));
    let page2 = results(&mut op, 2).await;
    assert!(page2.has("検索結果： 11 件10-11件表示"));
    assert_eq!(
        ids(&page2),
        ["202401181536289940000076", "202401181536279940000076"]
    );
    let mut all = ids(&page1);
    all.extend(ids(&page2));
    let mut sorted = all.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(all, sorted, "newest first");

    // RULE-72: on 2024/01/25 the deadline 2024/01/24 has passed: no 《ダウンロード》, and the
    // download path answers SCR-34 with the manual's 「再度取得してください」.
    let (s, _) = op
        .admin(
            "PUT",
            "/__admin/clock",
            r#"{"now":"2024-01-25T09:00:00+09:00"}"#,
        )
        .await;
    assert_eq!(s, 200);
    let mut op = login(&server, "hozon01", "Hozon#Pass01").await;
    let late = results(&mut op, 1).await;
    let r = row(&late, newest);
    assert!(r.contains(r#"<td class="deadline">2024/01/24</td>"#), "{r}");
    assert!(!r.contains("ダウンロード"), "{r}");
    let refused = op
        .get(&format!("/stored-dispensing/results/{newest}"))
        .await;
    assert!(refused.has(t::DEADLINE_PASSED), "{}", refused.body);
}

#[tokio::test]
async fn rule69_other_pharmacies_have_neither_menu_items_nor_screens() {
    let server = start();
    let mut op = login(&server, "yaku01", "Yaku#Pass01").await;
    let menu = op.get("/menu").await;
    assert!(!menu.has("SCR-33") && !menu.has("SCR-34"));
    for path in ["/stored-dispensing", "/stored-dispensing/results"] {
        let p = op.get(path).await;
        assert!(p.has(r#"id="not-available""#), "{path}: {}", p.body);
        assert!(!p.has(t::START));
    }
    // Not even a request posted by hand reaches the service.
    let form = op.get("/password").await;
    let p = op
        .post(
            "/stored-dispensing",
            &form.csrf(),
            &[
                ("start", "2024/01/01"),
                ("end", "2024/01/01"),
                ("confirmed", "1"),
            ],
        )
        .await;
    assert!(p.has(r#"id="not-available""#));
    // Without a session: the login screen.
    let mut anon = Operator::new(&server.addr);
    let p = anon.get("/stored-dispensing").await;
    assert!(p.has("ログイン"));
}

/// The journal's entries for OQSmudsp01req, oldest first.
async fn acquisitions_journalled(op: &Operator) -> Vec<serde_json::Value> {
    let (s, j) = op.admin("GET", "/__admin/journal", "").await;
    assert_eq!(s, 200, "{j}");
    let v: serde_json::Value = serde_json::from_str(&j).expect("json");
    let mut e: Vec<_> = v["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["message"] == "OQSmudsp01req")
        .cloned()
        .collect();
    e.sort_by_key(|e| e["seq"].as_u64());
    e
}

/// The job `id` as the job list shows it.
async fn job(op: &Operator, id: &str) -> serde_json::Value {
    let (s, j) = op.admin("GET", &format!("/jobs/{id}"), "").await;
    assert_eq!(s, 200, "{j}");
    serde_json::from_str(&j).expect("json")
}

/// Issue 13: a request made on SCR-33 is journalled like any other, from `screen:hozon01
/// SCR-33`, and the job carries the operator; a refusal is journalled with its code.
#[tokio::test]
async fn scr33_requests_are_journalled_under_the_operator() {
    let server = start();
    let mut op = login(&server, "hozon01", "Hozon#Pass01").await;
    assert!(acquisitions_journalled(&op).await.is_empty());
    let dlg31 = acquire(&mut op, "2024/01/01", "2024/01/01").await;
    // DLG-31 alone asks nothing, so nothing is journalled.
    assert!(acquisitions_journalled(&op).await.is_empty());
    op.press(&dlg31, "OK").await;
    let again = acquire(&mut op, "2024/01/01", "2024/01/01").await;
    op.press(&again, "OK").await;

    let entries = acquisitions_journalled(&op).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    let accepted = &entries[0];
    assert_eq!(accepted["source"], "screen:hozon01 SCR-33", "{accepted}");
    assert_eq!(accepted["transport"], "terminal");
    assert_eq!(accepted["outcome"], "answered");
    assert_eq!(accepted["error_code"], serde_json::Value::Null);
    assert_eq!(
        accepted["error_detail"],
        "accepted as 202401181536279940000076"
    );
    let request = accepted["request"].as_str().expect("request");
    assert!(
        request.contains("9940000076") && request.contains("20240101"),
        "{request}"
    );
    // ERR-30 (RULE-71) in the journal with the error table's code.
    let refused = &entries[1];
    assert_eq!(refused["source"], "screen:hozon01 SCR-33");
    assert!(refused["error_code"].is_string(), "{refused}");
    assert!(refused["error_detail"]
        .as_str()
        .is_some_and(|d| d.contains("RULE-71")));

    let j = job(&op, "202401181536279940000076").await;
    assert_eq!(j["kind"], "stored-dispensing", "{j}");
    assert_eq!(j["operator"], "hozon01", "{j}");
}

/// The machine routes (`POST /dispensing/acquisitions`, OQSmudsp01req over XML) are journalled
/// under their paths and their jobs have no operator, like the other machine jobs.
#[tokio::test]
async fn the_machine_routes_are_journalled_without_an_operator() {
    let server = start();
    let op = Operator::new(&server.addr);
    let (s, body) = op
        .admin(
            "POST",
            "/dispensing/acquisitions",
            r#"{"facility":"9940000076","start":"2024/01/05","end":"2024/01/06","answer":"OK"}"#,
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    let id = v["acquisitionId"].as_str().expect("acquisitionId");

    let entries = acquisitions_journalled(&op).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["source"], "/dispensing/acquisitions");
    assert_eq!(entries[0]["transport"], "web-api");
    assert_eq!(entries[0]["error_detail"], format!("accepted as {id}"));

    let j = job(&op, id).await;
    assert_eq!(j["kind"], "stored-dispensing", "{j}");
    assert_eq!(j["operator"], serde_json::Value::Null, "{j}");

    // The message over XML: journalled under its path, no operator either.
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?><XmlMsg><MessageHeader><MedicalInstitutionCode>9940000076</MedicalInstitutionCode></MessageHeader><MessageBody><AcquisitionStartDate>20240110</AcquisitionStartDate><AcquisitionEndDate>20240110</AcquisitionEndDate></MessageBody></XmlMsg>"#;
    let (s, body) = op.admin("POST", "/xml/OQSmudsp01req", xml).await;
    assert_eq!(s, 200, "{body}");
    let entries = acquisitions_journalled(&op).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[1]["source"], "/xml/OQSmudsp01req");
    assert_eq!(entries[1]["transport"], "http-xml");
    let detail = entries[1]["error_detail"].as_str().expect("detail");
    let id = detail.strip_prefix("accepted as ").expect(detail);
    assert!(body.contains(id), "{body}");
    assert_eq!(job(&op, id).await["operator"], serde_json::Value::Null);
}
