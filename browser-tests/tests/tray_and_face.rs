//! The trainer's tray (`/__tray`) and the face-reader screens (SCR-31 / SCR-32, ch.9/10) in a
//! real browser: the tray's forms really change the terminal (read back through the admin API),
//! its guard lets the page's own forms through; SCR-31 switches a face reader to 目視確認
//! (DLG-21/22), runs a visual check on the card the tray put on it (DLG-27 → DLG-28, ERR-27),
//! and SCR-32 sets the 電子処方箋関連画面 per reader (DLG-29/30) or shows ERR-29.

use browser_tests::*;
use fantoccini::{Client, Locator};

/// Chooses `value` in the `<select>` matched by `css`.
async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no select {css}: {e}"))
        .select_by_value(value)
        .await
        .expect("select");
}

fn terminal(f: &Flow) -> serde_json::Value {
    let (status, body) = f.admin("GET", "/__admin/terminal", "");
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

#[tokio::test]
async fn the_tray_changes_the_terminal() {
    let Some(f) = Flow::start("tray").await else {
        return;
    };
    let c = &f.client;
    f.open("/__tray").await;
    let text = f.page_text().await;
    assert!(text.contains(
        "これはシミュレーターの道具です。オンライン資格確認等システムの画面ではありません。"
    ));
    assert!(text.contains("FLOW-29") && text.contains("ERR-28"));
    f.shot("tray").await;

    // Topology: two generic readers, as the admin API then reports.
    choose(c, "select[name=topology]", "generic*2").await;
    f.click_text("構成を変更").await;
    assert!(f
        .page_text()
        .await
        .contains("カードリーダーの構成を変更しました。"));
    let t = terminal(&f);
    assert_eq!(t["readers"].as_array().map(Vec::len), Some(2), "{t}");

    // A revoked card on reader 1.
    choose(
        c,
        "form[action='/__tray/readers/1/card'] select[name=profile]",
        "revoked",
    )
    .await;
    click_css(c, "form[action='/__tray/readers/1/card'] button").await;
    assert_eq!(terminal(&f)["readers"][1]["card"], "revoked");
    f.shot("card").await;

    // A fault with its code; the terminal route then answers ERR-14 with it.
    choose(
        c,
        "form[action='/__tray/faults/terminal'] select",
        "authentication-error",
    )
    .await;
    fill_in(c, "fault-code", "f7654321").await;
    click_css(c, "form[action='/__tray/faults/terminal'] button").await;
    assert_eq!(terminal(&f)["fault"]["code"], "f7654321");

    // The exercise ERR-27: a face reader in 目視確認 with an unregistered card (waiting for
    // SCR-31); switched to 無人運転 the reader checks a card put on it at once.
    click_css(c, "tr#ERR-27 button").await;
    let t = terminal(&f);
    assert_eq!(
        (
            t["readers"][0]["mode"].as_str(),
            t["readers"][0]["card"].as_str()
        ),
        (Some("目視確認"), Some("unregistered")),
        "{t}"
    );
    choose(
        c,
        "form[action='/__tray/readers/0/mode'] select",
        "無人運転",
    )
    .await;
    click_css(c, "form[action='/__tray/readers/0/mode'] button").await;
    choose(
        c,
        "form[action='/__tray/readers/0/card'] select[name=profile]",
        "unregistered",
    )
    .await;
    click_css(c, "form[action='/__tray/readers/0/card'] button").await;
    let text = f.page_text().await;
    assert!(
        text.contains("マイナンバーカードを保険証として利用するための登録を開始します。"),
        "{text}"
    );
    assert!(terminal(&f)["fault"].is_null(), "a preset clears the fault");
    f.shot("exercise-err27").await;

    // The clock, frozen at a time typed in the tray.
    let field = c
        .find(Locator::Css("input[name=now]"))
        .await
        .expect("the clock field");
    c.execute(
        "arguments[0].value = '2022-04-01T09:30:00';",
        vec![serde_json::to_value(&field).expect("element")],
    )
    .await
    .expect("set the field");
    click_css(c, "form[action='/__tray/clock'] button[value=set]").await;
    let (_, clock) = f.admin("GET", "/__admin/clock", "");
    assert!(clock.contains("2022-04-01T09:30:00+09:00"), "{clock}");
    f.shot("clock").await;
    f.finish().await;
}

#[tokio::test]
async fn face_reader_visual_check_and_settings() {
    let Some(f) = Flow::start("face").await else {
        return;
    };
    let c = &f.client;
    let (status, body) = f.admin(
        "PUT",
        "/__admin/terminal/readers",
        r#"{"topology":"face*2"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = f.admin(
        "PUT",
        "/__admin/terminal/readers/0/face",
        r#"{"label":"外科受付用"}"#,
    );
    assert_eq!(status, 200, "{body}");
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.open("/menu").await;
    f.click_text("顔認証付きカードリーダー操作").await;
    let text = f.page_text().await;
    assert!(
        text.contains("Identiv CLOUD 3701 F Contactless Reader 0") && text.contains("外科受付用")
    );
    f.shot("scr31").await;

    // FLOW-38: 《目視確認》 of reader 0 → DLG-21 → 《OK》 → DLG-22 → 《OK》.
    click_css(c, "[data-reader='0'] button[data-mode=visual]").await;
    assert!(f
        .page_text()
        .await
        .contains("目視確認モードに切り替えます。よろしいですか？"));
    f.shot("dlg21").await;
    click_css(c, "[data-button=OK]").await;
    assert!(f
        .page_text()
        .await
        .contains("目視確認モードに切り替えました。"));
    f.shot("dlg22").await;
    click_css(c, "[data-button=OK]").await;
    assert_eq!(terminal(&f)["readers"][0]["mode"], "目視確認");
    let green = c
        .find(Locator::Css("[data-reader='0'] button.current"))
        .await
        .expect("the current mode")
        .text()
        .await
        .expect("text");
    assert_eq!(green, "目視確認");

    // One face reader in 目視確認 (RULE-79): take the second away, from the tray.
    f.open("/__tray").await;
    choose(c, "select[name=topology]", "face").await;
    f.click_text("構成を変更").await;
    choose(
        c,
        "form[action='/__tray/readers/0/mode'] select",
        "目視確認",
    )
    .await;
    click_css(c, "form[action='/__tray/readers/0/mode'] button").await;
    choose(
        c,
        "form[action='/__tray/readers/0/card'] select[name=profile]",
        "valid",
    )
    .await;
    click_css(c, "form[action='/__tray/readers/0/card'] button").await;

    // FLOW-39: tick 《目視で本人確認完了》 with the space bar → DLG-27 → 《OK》 → DLG-28.
    f.open("/face-reader").await;
    let boxed = c
        .find(Locator::Id("visual-done"))
        .await
        .expect("the check box");
    let old = c.find(Locator::Css("html")).await.expect("page");
    boxed.send_keys(" ").await.expect("space");
    wait_for_new_page(c, old).await;
    assert!(f
        .page_text()
        .await
        .contains("目視確認による資格照会を行います。"));
    f.shot("dlg27").await;
    click_css(c, "[data-button=OK]").await;
    assert!(f
        .page_text()
        .await
        .contains("目視による資格確認が完了しました。"));
    f.shot("dlg28").await;
    let (_, history) = f.admin(
        "GET",
        "/history?facility=1234567890&from=2021/01/06%2000:00&to=2021/01/06%2024:00",
        "",
    );
    let h: serde_json::Value = serde_json::from_str(&history).expect("JSON");
    assert_eq!(h["records"][0]["login_id"], "staff01", "{h}");
    assert_eq!(h["records"][0]["kind"], "顔認証機器(目視確認)", "{h}");

    // FLOW-41 and FLOW-40: 《暗証番号認証固定》 (DLG-25 → DLG-26), then back to 《無人運転》
    // (DLG-23 → DLG-24; both asked with the placeholder label, image only in the manual).
    click_css(c, "[data-button=OK]").await;
    click_css(c, "[data-reader='0'] button[data-mode=pin-only]").await;
    assert!(f
        .page_text()
        .await
        .contains("［プレースホルダー：マニュアルでは画像のみ］"));
    click_css(c, "[data-button=OK]").await;
    let text = f.page_text().await;
    assert!(
        text.contains("暗証番号認証固定モードに切り替えました。")
            && text.contains("カードリーダー：Identiv CLOUD 3701 F Contactless Reader 0"),
        "{text}"
    );
    f.shot("dlg26").await;
    click_css(c, "[data-button=OK]").await;
    assert_eq!(terminal(&f)["readers"][0]["mode"], "暗証番号認証固定");
    click_css(c, "[data-reader='0'] button[data-mode=unattended]").await;
    f.shot("dlg23").await;
    click_css(c, "[data-button=OK]").await;
    assert!(f
        .page_text()
        .await
        .contains("無人運転モードに切り替えました。"));
    click_css(c, "[data-button=OK]").await;
    assert_eq!(terminal(&f)["readers"][0]["mode"], "無人運転");

    // SCR-32: 《表示しない》 → DLG-29 → DLG-30; then a generic reader beside it: ERR-29.
    f.open("/menu").await;
    f.click_text("顔認証付きカードリーダー環境設定").await;
    f.shot("scr32").await;
    click_css(c, "[data-reader='0'] button[data-show=false]").await;
    f.shot("dlg29").await;
    click_css(c, "[data-button=OK]").await;
    f.shot("dlg30").await;
    click_css(c, "[data-button=OK]").await;
    assert_eq!(terminal(&f)["readers"][0]["prescription_screens"], false);
    let green = c
        .find(Locator::Css("[data-reader='0'] button.current"))
        .await
        .expect("the current setting")
        .text()
        .await
        .expect("text");
    assert_eq!(green, "表示しない");
    let (status, _) = f.admin(
        "PUT",
        "/__admin/terminal/readers",
        r#"{"topology":"generic+face"}"#,
    );
    assert_eq!(status, 200);
    f.click_text("再読み込み").await;
    assert!(f
        .page_text()
        .await
        .contains("セットアップ済みの顔認証付きカードリーダーのみ設定可能です。"));
    f.shot("err29").await;
    f.finish().await;
}
