//! The tray's one-click presets in a real browser (issue 13: every error dialog reproducible from
//! the tray): 《準備》 on the tray's row, then the step the row describes on the operator screens
//! shows the dialog with its catalogue text — ERR-01..04 (accounts and the clock), ERR-23/24 (the
//! history over 10,000), ERR-30 (stored dispensing results, on SCR-33) — and DLG-01 over the
//! screen the operator was on.

use browser_tests::*;
use oqs_protocol::texts::{self, accounts as t, CardDialog};

/// 《準備》 of the tray's row `id`; the tray then names the exercise and its next step.
async fn prepare(f: &Flow, id: &str) {
    f.open("/__tray").await;
    click_css(&f.client, &format!("tr#{id} button")).await;
    let text = f.page_text().await;
    assert!(text.contains("の準備ができました"), "{id}: {text}");
    assert!(!text.contains("できませんでした"), "{id}: {text}");
}

/// The dialog `d` is shown with its catalogue texts (image-only: the placeholder label,
/// 【事象】 and 【対処】 verbatim).
async fn shows(f: &Flow, d: &CardDialog) {
    let shown = f
        .client
        .find(fantoccini::Locator::Css(&format!(
            "[data-dialog='{}']",
            d.id
        )))
        .await
        .unwrap_or_else(|e| panic!("no {} dialog: {e}", d.id))
        .text()
        .await
        .expect("text");
    assert!(shown.contains(texts::PLACEHOLDER_LABEL), "{shown}");
    assert!(
        shown.contains(d.event) && shown.contains(d.action),
        "{}: {shown}",
        d.id
    );
}

#[tokio::test]
async fn presets_reproduce_the_login_and_session_dialogs() {
    let Some(f) = Flow::start("tray-presets-ch1").await else {
        return;
    };
    // ERR-01: staff01 locked from the tray; the right password then shows ERR-01.
    prepare(&f, "ERR-01").await;
    f.shot("err01-prepared").await;
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    shows(&f, &t::ERR_01).await;
    f.shot("err01").await;

    // ERR-03: newstaff back to the initial password.
    prepare(&f, "ERR-03").await;
    f.login(DEMO_INITIAL.0, DEMO_INITIAL.1).await;
    shows(&f, &t::ERR_03).await;
    f.shot("err03").await;
    f.click_text("OK").await;
    assert!(f.page_text().await.contains("パスワード変更"));

    // ERR-02: oldstaff as in the fixture (its password expired on this clock).
    prepare(&f, "ERR-02").await;
    f.login(DEMO_EXPIRED.0, DEMO_EXPIRED.1).await;
    shows(&f, &t::ERR_02).await;
    f.shot("err02").await;

    // ERR-04, idle: logged in, 《準備》 moves the clock 30 minutes on, the next click shows it.
    f.login(DEMO_ADMIN.0, DEMO_ADMIN.1).await;
    f.open("/menu").await;
    prepare(&f, "ERR-04").await;
    f.open("/menu").await;
    shows(&f, &t::ERR_04).await;
    f.shot("err04-idle").await;
    f.click_text("閉じる").await;
    assert!(f.page_text().await.contains("ユーザID"));

    // ERR-04, double login (FLOW-06's 《準備》): staff01 (unlocked by the reset) logs in
    // elsewhere.
    f.open("/__tray").await;
    click_css(&f.client, "button[name=what][value=population]").await;
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.open("/menu").await;
    prepare(&f, "FLOW-06").await;
    f.open("/menu").await;
    shows(&f, &t::ERR_04).await;
    f.shot("err04-double-login").await;
    f.finish().await;
}

#[tokio::test]
async fn presets_reproduce_the_history_and_dispensing_dialogs() {
    let Some(f) = Flow::start("tray-presets-history").await else {
        return;
    };
    prepare(&f, "ERR-23").await;
    f.shot("err23-prepared").await;
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.open("/history-search").await;
    click_css(&f.client, "#search").await;
    shows(&f, &texts::ERR_23).await;
    f.shot("err23").await;
    f.click_text("OK").await;
    click_css(&f.client, "#download-top").await;
    shows(&f, &texts::ERR_24).await;
    f.shot("err24").await;

    // ERR-30: the pharmacy requested 2024/01/01〜2024/01/31 today; hozon01 asks for the same
    // period on SCR-33 and gets ERR-30.
    prepare(&f, "ERR-30").await;
    f.shot("err30-prepared").await;
    f.login("hozon01", "Hozon#Pass01").await;
    f.open("/menu").await;
    f.click_text("保管調剤結果一括取得").await;
    f.fill("start", "2024/01/01").await;
    f.fill("end", "2024/01/31").await;
    f.click_text("② 調剤結果取得").await;
    f.click_text("OK").await;
    let refused = f
        .client
        .find(fantoccini::Locator::Css("#refused[data-error='ERR-30']"))
        .await
        .expect("ERR-30 on SCR-33")
        .text()
        .await
        .expect("text");
    assert!(
        refused.contains(texts::dispensing::ERR_30)
            && refused.contains(texts::dispensing::ERR_30_REMEDY),
        "{refused}"
    );
    f.shot("err30").await;
    f.finish().await;
}

#[tokio::test]
async fn the_logout_dialog_lies_over_the_screen() {
    let Some(f) = Flow::start("dlg01-over-screen").await else {
        return;
    };
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.open("/history-search").await;
    click_css(&f.client, "#search").await;
    click_css(&f.client, "#logout").await;
    let text = f.page_text().await;
    // SCR-19 with its search is under the dialog.
    assert!(
        text.contains("資格確認履歴") && text.contains("ログアウト"),
        "{text}"
    );
    f.client
        .find(fantoccini::Locator::Css("[data-dialog='DLG-01']"))
        .await
        .expect("DLG-01");
    assert!(f
        .client
        .find(fantoccini::Locator::Css("main[inert] #scr19"))
        .await
        .is_ok());
    f.shot("dlg01-over-scr19").await;
    f.click_text("キャンセル").await;
    assert!(f
        .client
        .current_url()
        .await
        .expect("url")
        .as_str()
        .contains("/history-search?"));
    click_css(&f.client, "#logout").await;
    f.click_text("OK").await;
    assert!(f.page_text().await.contains("ユーザID"));
    f.finish().await;
}
