//! The tray's one-click presets for the dialogs that need an account, the clock, the history or
//! the stored dispensing results in a state (issue 13: every error dialog reproducible from the
//! tray), against the real binary: without the preset the step does not show the dialog; after
//! 《準備》 the step the tray's row describes shows it with its catalogue text. Also: the admin
//! reset and the tray's reset bring accounts and sessions back, and the screens' 4xx pages go
//! whole while machine errors stay clipped.

mod common;

use common::binary::{start_server, Server};
use common::operator::{Operator, Page};
use common::tray::Tray;
use oqs_protocol::texts::{self, accounts as t, CardDialog};
use serde_json::Value;

fn start(now: &str) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_server(|c| {
        c.args(["--now", now, "--exchange-dir"]).arg(dir.path());
    });
    (server, dir)
}

/// 《準備》 of a row: back to the tray, which then shows the row's next step.
async fn prepare(tray: &Tray, id: &str) {
    let location = tray.act("/__tray/exercise", &[("id", id)]).await;
    assert!(
        location.contains(&format!("exercise={id}")),
        "{id}: {location}"
    );
    let page = tray
        .page(&location["/__tray".len()..location.find('#').unwrap_or(location.len())])
        .await;
    assert!(
        page.contains(&format!("{id} ")) && page.contains("の準備ができました"),
        "{id}: the tray names what was prepared"
    );
}

/// The page shows dialog `d` with its catalogue texts (image-only: the placeholder label and
/// 【事象】/【対処】 verbatim).
fn shows(p: &Page, d: &CardDialog) {
    assert_eq!(p.dialog().as_deref(), Some(d.id), "{}", p.body);
    assert!(p.has(texts::PLACEHOLDER_LABEL), "{}", d.id);
    assert!(p.has(d.event) && p.has(d.action), "{}: {}", d.id, p.body);
}

async fn clock(tray: &Tray) -> String {
    tray.get_json("/__admin/clock").await["now"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn account_presets_reproduce_err01_to_err04_on_the_screens() {
    let (server, _dir) = start("2021-01-06T10:00:00+09:00");
    let tray = Tray::open(&server).await;

    // ERR-01: staff01 logs in normally; after 《準備》 the right password shows ERR-01.
    let mut op = Operator::new(&server.addr);
    let p = op.login("staff01", "Staff#Pass01").await;
    assert_eq!((p.status, p.dialog()), (200, None));
    prepare(&tray, "ERR-01").await;
    let mut op = Operator::new(&server.addr);
    let p = op.login("staff01", "Staff#Pass01").await;
    shows(&p, &t::ERR_01);
    let accounts = tray.get_json("/__admin/accounts").await;
    let staff = accounts["accounts"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["login_id"] == "staff01"))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(staff["locked_until"], "2021/01/06 10:30:00", "{staff}");

    // ERR-03: newstaff changes the initial password on SCR-07, so the next login has no
    // ERR-03; 《準備》 brings the initial password back.
    let mut op = Operator::new(&server.addr);
    let p = op.login("newstaff", "Init#Pass01").await;
    shows(&p, &t::ERR_03);
    assert!(p.has(r#"href="/password""#), "《OK》 → SCR-07");
    let p = op.get("/password").await;
    let p = op
        .post(
            "/password",
            &p.csrf(),
            &[("new", "Fresh#Pass42"), ("confirm", "Fresh#Pass42")],
        )
        .await;
    assert_eq!(p.dialog().as_deref(), Some("DLG-02"), "{}", p.body);
    let p = op.press(&p, t::BUTTON_OK).await;
    assert_eq!(p.dialog().as_deref(), Some("DLG-03"), "{}", p.body);
    let mut op = Operator::new(&server.addr);
    let p = op.login("newstaff", "Fresh#Pass42").await;
    assert_eq!(p.dialog(), None, "the changed password logs in: {}", p.body);
    prepare(&tray, "ERR-03").await;
    let mut op = Operator::new(&server.addr);
    let p = op.login("newstaff", "Init#Pass01").await;
    shows(&p, &t::ERR_03);
    // FLOW-05 prepares the same state.
    prepare(&tray, "FLOW-05").await;

    // ERR-02: on 2020/11/01 oldstaff's password (set 2020/10/01) has not expired; 《準備》 moves
    // the clock to the moment it does.
    let (status, _) = op
        .admin(
            "PUT",
            "/__admin/clock",
            r#"{"now":"2020-11-01T09:00:00+09:00"}"#,
        )
        .await;
    assert_eq!(status, 200);
    let mut op = Operator::new(&server.addr);
    let p = op.login("oldstaff", "Old#Pass2020").await;
    assert_eq!(p.dialog(), None, "{}", p.body);
    prepare(&tray, "ERR-02").await;
    assert_eq!(clock(&tray).await, "2020-11-30T00:00:00+09:00");
    let mut op = Operator::new(&server.addr);
    let p = op.login("oldstaff", "Old#Pass2020").await;
    shows(&p, &t::ERR_02);
    // Already expired: the clock stays.
    prepare(&tray, "ERR-02").await;
    assert_eq!(clock(&tray).await, "2020-11-30T00:00:00+09:00");

    // ERR-04, idle: a logged-in operator's next request after 《準備》 (the clock 30 minutes on).
    let mut op = Operator::new(&server.addr);
    op.login("admin01", "Admin#Pass01").await;
    assert_eq!(op.get("/menu").await.status, 200);
    prepare(&tray, "ERR-04").await;
    assert_eq!(clock(&tray).await, "2020-11-30T00:30:00+09:00");
    let p = op.get("/menu").await;
    shows(&p, &t::ERR_04);
    assert_eq!(p.status, 401);
    assert!(p.has(r#"href="/login""#), "《閉じる》 → SCR-02");

    // ERR-04, double login (FLOW-06's preset): staff01 logged in elsewhere.
    tray.act("/__tray/reset", &[("what", "population")]).await;
    let mut op = Operator::new(&server.addr);
    op.login("staff01", "Staff#Pass01").await;
    assert_eq!(op.get("/menu").await.status, 200);
    prepare(&tray, "FLOW-06").await;
    let p = op.get("/menu").await;
    shows(&p, &t::ERR_04);
    assert_eq!(p.status, 401);
}

/// SCR-19's search of today (the screen's default period) and its CSV.
fn scr19_query(day: &str) -> String {
    serde_urlencoded::to_string([
        ("search", "1"),
        ("from_date", day),
        ("from_time", "00:00"),
        ("to_date", day),
        ("to_time", "23:59"),
        ("kind", "全て"),
        ("narrowing", "全て表示"),
    ])
    .expect("query")
}

#[tokio::test(flavor = "multi_thread")]
async fn history_preset_reproduces_err23_and_err24_on_scr19() {
    let (server, _dir) = start("2021-01-06T10:00:00+09:00");
    let tray = Tray::open(&server).await;
    let mut op = Operator::new(&server.addr);
    op.login("staff01", "Staff#Pass01").await;
    let q = scr19_query("2021/01/06");
    let p = op.get(&format!("/history-search?{q}")).await;
    assert_eq!((p.status, p.dialog()), (200, None), "{}", p.body);

    prepare(&tray, "ERR-23").await;
    let p = op.get(&format!("/history-search?{q}")).await;
    shows(&p, &texts::ERR_23);
    let p = op.get(&format!("/history-search.csv?{q}")).await;
    shows(&p, &texts::ERR_24);
    // The records are real: the JSON route counts over 10,000 as well.
    let (status, body) = op
        .admin(
            "GET",
            "/history?facility=1234567890&from=2021/01/06 00:00&to=2021/01/06 23:59",
            "",
        )
        .await;
    assert_eq!(status, 422, "{body}");
    // ERR-24's row prepares the same.
    prepare(&tray, "ERR-24").await;
}

/// SCR-33 as hozon01 (the storage-service pharmacy 9940000076): the period typed,
/// 《調剤結果取得》, DLG-31 《OK》; the page that follows.
async fn acquire(op: &mut Operator, start: &str, end: &str) -> Page {
    let form = op.get("/stored-dispensing").await;
    let dlg31 = op
        .post(
            "/stored-dispensing",
            &form.csrf(),
            &[("start", start), ("end", end)],
        )
        .await;
    assert_eq!(dlg31.dialog().as_deref(), Some("DLG-31"), "{}", dlg31.body);
    op.press(&dlg31, t::BUTTON_OK).await
}

#[tokio::test(flavor = "multi_thread")]
async fn dispensing_preset_reproduces_err30_on_scr33() {
    let (server, _dir) = start("2024-07-01T10:00:00+09:00");
    let tray = Tray::open(&server).await;
    prepare(&tray, "ERR-30").await;
    let mut op = Operator::new(&server.addr);
    op.login("hozon01", "Hozon#Pass01").await;
    // The row's step: the same period again the same day → ERR-30 on SCR-33.
    let p = acquire(&mut op, "2024/01/01", "2024/01/31").await;
    assert!(p.has(r#"data-error="ERR-30""#), "{}", p.body);
    assert!(p.has(texts::dispensing::ERR_30) && p.has(texts::dispensing::ERR_30_REMEDY));
    // The next day the same period is accepted: the preset is what made it ERR-30.
    tray.act(
        "/__tray/clock",
        &[("action", "set"), ("now", "2024-07-02T10:00")],
    )
    .await;
    let mut op = Operator::new(&server.addr);
    op.login("hozon01", "Hozon#Pass01").await;
    let p = acquire(&mut op, "2024/01/01", "2024/01/31").await;
    assert_eq!(p.dialog().as_deref(), Some("DLG-32"), "{}", p.body);
    // ERR-31 needs no state (its row has no preset): 32 days.
    let p = acquire(&mut op, "2024/01/01", "2024/02/01").await;
    assert!(p.has(r#"data-error="ERR-31""#), "{}", p.body);
    assert!(tray.post("/__tray/exercise", &[("id", "ERR-31")]).await.0 == 422);
}

#[tokio::test(flavor = "multi_thread")]
async fn admin_reset_and_the_trays_reset_bring_accounts_and_sessions_back() {
    let (server, _dir) = start("2021-01-06T10:00:00+09:00");
    let tray = Tray::open(&server).await;
    let accounts = || async {
        let v = tray.get_json("/__admin/accounts").await;
        v["accounts"].as_array().cloned().unwrap_or_default()
    };
    let before = accounts().await;
    for (reset, how) in [
        ("admin", "POST /__admin/reset"),
        ("tray", "the tray's reset"),
    ] {
        // A lockout, a changed initial password, a live session.
        let mut locked = Operator::new(&server.addr);
        for _ in 0..5 {
            locked.login("viewer01", "Wrong#Pass99").await;
        }
        let p = locked.login("viewer01", "Viewer#Pass01").await;
        shows(&p, &t::ERR_01);
        let mut newbie = Operator::new(&server.addr);
        newbie.login("newstaff", "Init#Pass01").await;
        let p = newbie.get("/password").await;
        let p = newbie
            .post(
                "/password",
                &p.csrf(),
                &[("new", "Fresh#Pass42"), ("confirm", "Fresh#Pass42")],
            )
            .await;
        newbie.press(&p, t::BUTTON_OK).await;
        let mut live = Operator::new(&server.addr);
        live.login("staff01", "Staff#Pass01").await;
        assert_eq!(live.get("/menu").await.status, 200);
        assert_ne!(accounts().await, before, "{how}: the accounts changed");

        match reset {
            "admin" => {
                let (status, body) = live.admin("POST", "/__admin/reset", "").await;
                assert_eq!(status, 200, "{body}");
            }
            _ => {
                tray.act("/__tray/reset", &[("what", "population")]).await;
            }
        }
        assert_eq!(accounts().await, before, "{how}: accounts as at start");
        // The live session has ended: SCR-02 (no ERR-04: it was not idle or displaced).
        let p = live.get("/menu").await;
        assert!(p.has(r#"id="user_id""#), "{how}: {}", p.body);
        let mut again = Operator::new(&server.addr);
        let p = again.login("viewer01", "Viewer#Pass01").await;
        assert_eq!(p.dialog(), None, "{how}: unlocked");
        let mut again = Operator::new(&server.addr);
        let p = again.login("newstaff", "Init#Pass01").await;
        shows(&p, &t::ERR_03);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn screen_error_pages_go_whole_with_their_status_machine_errors_stay_clipped() {
    let (server, _dir) = start("2021-01-06T10:00:00+09:00");
    let mut op = Operator::new(&server.addr);
    op.login("staff01", "Staff#Pass01").await;
    // A stale form: 403, the whole page (the menu link and the closing tag are there).
    let p = op
        .post(
            "/password",
            "0123",
            &[("old", "x"), ("new", "y"), ("confirm", "y")],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(p.has(t::FORM_EXPIRED) && p.body.len() > 4096, "{}", p.body);
    assert!(p.body.trim_end().ends_with("</html>"));
    // The login form with a token that is not its cookie's: 403, whole.
    let mut fresh = Operator::new(&server.addr);
    fresh.get("/login").await;
    let p = fresh
        .post(
            "/login",
            "not-the-token",
            &[("user_id", "staff01"), ("password", "x")],
        )
        .await;
    assert_eq!(p.status, 403);
    assert!(p.has(t::FORM_EXPIRED) && p.has(r#"id="user_id""#));
    assert!(p.body.trim_end().ends_with("</html>"));
    // ERR-04: 401, whole.
    op.admin(
        "PUT",
        "/__admin/clock",
        r#"{"now":"2021-01-06T10:31:00+09:00"}"#,
    )
    .await;
    let p = op.get("/menu").await;
    assert_eq!(p.status, 401);
    shows(&p, &t::ERR_04);
    assert!(p.body.len() > 4096 && p.body.trim_end().ends_with("</html>"));
    // A machine route's error still never echoes a huge input.
    let long = "A".repeat(100_000);
    let (status, body) = op
        .admin("PUT", "/__admin/clock", &format!("{{\"now\":\"{long}\"}}"))
        .await;
    assert_eq!(status, 400);
    assert!(body.len() < 4096, "{} bytes", body.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn flow_presets_for_the_entrusted_month_and_the_outage() {
    // Started within 60 days before 2023/09/15: staff01's password (set at the start) has not
    // expired when the preset moves the clock there.
    let (server, _dir) = start("2023-08-01T10:00:00+09:00");
    let tray = Tray::open(&server).await;
    // FLOW-36: SCR-29 offers the last 12 months; 令和5年9月 (the sample 医療券) only after
    // 《準備》 froze the clock on 2023/09/15.
    let mut op = Operator::new(&server.addr);
    op.login("staff01", "Staff#Pass01").await;
    let p = op.get("/entrusted").await;
    assert!(
        p.has(r#"value="202308""#) && !p.has(r#"value="202309""#),
        "{}",
        p.body
    );
    prepare(&tray, "FLOW-36").await;
    assert_eq!(clock(&tray).await, "2023-09-15T10:00:00+09:00");
    let mut op = Operator::new(&server.addr);
    op.login("staff01", "Staff#Pass01").await;
    let p = op.get("/entrusted").await;
    assert!(p.has(r#"value="202309""#), "{}", p.body);
    let p = op
        .post(
            "/entrusted",
            &p.csrf(),
            &[("month", "202309"), ("format", "XML")],
        )
        .await;
    assert_eq!(p.dialog().as_deref(), Some("DLG-16"), "{}", p.body);

    // FLOW-45: the screens answer RULE-91's page (503) until the tray's 《復旧》.
    prepare(&tray, "FLOW-45").await;
    let p = op.get("/menu").await;
    assert_eq!(p.status, 503);
    assert!(p.has(texts::outage::WITH_INSURANCE_CARD) && p.has(texts::outage::WITH_MY_NUMBER_CARD));
    assert!(tray.page("").await.contains("障害中"));
    tray.act("/__tray/faults/outage", &[("action", "recover")])
        .await;
    assert_eq!(op.get("/menu").await.status, 200);
    let outage = tray.get_json("/__admin/faults/outage").await;
    assert_eq!(outage["outage"], false, "{outage}");
    // 《障害を起こす》 and 「すべて初期化」 (no outage, no later-check period either).
    tray.act("/__tray/faults/outage", &[("action", "start")])
        .await;
    assert_eq!(op.get("/menu").await.status, 503);
    tray.act("/__tray/reset", &[("what", "all")]).await;
    let outage = tray.get_json("/__admin/faults/outage").await;
    assert_eq!(outage["outage"], false, "{outage}");
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_trays_recovery_the_later_check_is_on_the_admins_menu() {
    let (server, _dir) = start("2021-01-06T10:00:00+09:00");
    let tray = Tray::open(&server).await;
    let mut op = Operator::new(&server.addr);
    op.login("admin01", "Admin#Pass01").await;
    assert!(!op.get("/menu").await.has("システム障害時の資格確認"));
    prepare(&tray, "FLOW-45").await;
    tray.act("/__tray/faults/outage", &[("action", "recover")])
        .await;
    let menu = op.get("/menu").await;
    assert!(
        menu.has("システム障害時の資格確認") && menu.has(r#"href="/later-check""#),
        "{}",
        menu.body
    );
    assert_eq!(op.get("/later-check").await.status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_trays_sample_files_go_through_scr15_and_scr17() {
    let (server, _dir) = start("2021-01-06T10:00:00+09:00");
    let tray = Tray::open(&server).await;
    let page = tray.page("").await;
    let mut op = Operator::new(&server.addr);
    op.login("staff01", "Staff#Pass01").await;
    for (name, screen, dialog) in [
        ("OQSmuquc01req_sample.xml", "/bulk-inquiry", "DLG-13"),
        (
            "OQSmuimm01req_sample.xml",
            "/reference-registration",
            "DLG-15",
        ),
    ] {
        let href = format!("/__tray/samples/{name}");
        assert!(
            page.contains(&format!(r#"href="{href}""#)),
            "{name} is offered"
        );
        let r = tray
            .http
            .get(format!("{}{href}", tray.base))
            .send()
            .await
            .expect("sample");
        assert_eq!(r.status(), 200);
        let disposition = r.headers()["content-disposition"]
            .to_str()
            .unwrap_or("")
            .to_owned();
        assert!(disposition.contains(name), "{disposition}");
        let bytes = r.bytes().await.expect("bytes");
        // Uploaded on its screen (under another name: RULE-55), it is accepted.
        let form = op.get(screen).await;
        let p = op
            .post_file(screen, &form.csrf(), "sample.xml", &bytes)
            .await;
        assert_eq!(p.dialog().as_deref(), Some(dialog), "{}", p.body);
    }
    // The bulk inquiry is answered row by row: 3 rows, the twins without 枝番 need a check.
    let mut text = String::new();
    for _ in 0..50 {
        text = op.get("/bulk-inquiry/results").await.body;
        if text.contains("照会完了") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(text.contains("照会完了（要確認）"), "{text}");
    let (status, _) = tray.post("/__tray/samples/x.xml", &[]).await;
    assert_eq!(status, 405, "samples are GET only");
    let r = tray
        .http
        .get(format!("{}/__tray/samples/..%2Fetc%2Fpasswd", tray.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(r.status(), 404);
}
