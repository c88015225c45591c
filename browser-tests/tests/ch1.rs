//! ch.1 in a real browser: login → notices → menu (keyboard only), lockout (ERR-01), initial
//! password change (ERR-03, SCR-07, DLG-02/03), expired password (ERR-02), idle timeout through
//! the admin clock (ERR-04), double login (ERR-04), logout (DLG-01), before the service start.

use browser_tests::*;
use fantoccini::key::Key;
use fantoccini::Locator;

#[tokio::test]
async fn login_notices_menu_with_the_keyboard() {
    let Some(f) = Flow::start("ch1-login").await else {
        return;
    };
    f.open("/").await;
    assert!(f.page_text().await.contains("システムの利用を始める"));
    f.shot("entry").await;
    f.click_text("システムの利用を始める").await;
    // The user ID field has the focus: type, Tab, type, Enter.
    let c = &f.client;
    let active = c.active_element().await.expect("focus");
    assert_eq!(
        active.attr("id").await.expect("id").as_deref(),
        Some("user_id")
    );
    active.send_keys(DEMO_STAFF.0).await.expect("type");
    active
        .send_keys(&String::from(char::from(Key::Tab)))
        .await
        .expect("tab");
    let pw = c.active_element().await.expect("focus");
    assert_eq!(
        pw.attr("id").await.expect("id").as_deref(),
        Some("password")
    );
    pw.send_keys(DEMO_STAFF.1).await.expect("type");
    f.shot("login").await;
    let old = c.find(Locator::Css("html")).await.expect("page");
    pw.send_keys(&String::from(char::from(Key::Enter)))
        .await
        .expect("enter");
    wait_for_new_page(c, old).await;
    let text = f.page_text().await;
    assert!(text.contains("「全体」お知らせ一覧"), "{text}");
    assert!(text.contains("検索結果： 24 件 1-20件表示"), "{text}");
    assert!(text.contains("サンプル医療機関") && text.contains("一般アカウント"));
    f.shot("notices").await;
    // RULE-89: the second page of the 「全体」 list, and back to the first.
    f.click_text("次へ>>").await;
    assert!(f.page_text().await.contains("検索結果： 24 件 21-24件表示"));
    f.shot("notices-page2").await;
    f.click_text("<<前へ").await;
    f.click_text("【情報】診断").await;
    let text = f.page_text().await;
    assert!(text.contains("お知らせ確認") && text.contains("お知らせ内容"));
    assert!(text.contains("2021/03/31"), "公開終了日 shown: {text}");
    f.shot("notice").await;
    f.click_text("戻る").await;
    f.click_text("閉じる").await;
    let text = f.page_text().await;
    // Every item of a 医科 menu has its screen now (none says 「未実装（シミュレータ）」).
    assert!(text.contains("マイナンバーカードで確認") && !text.contains("未実装（シミュレータ）"));
    f.shot("menu").await;
    f.finish().await;
}

#[tokio::test]
async fn five_wrong_passwords_show_err01() {
    let Some(f) = Flow::start("ch1-lockout").await else {
        return;
    };
    for _ in 0..4 {
        f.login(DEMO_STAFF.0, "Wrong#Pass9").await;
        assert!(f
            .page_text()
            .await
            .contains("ユーザIDまたはパスワードが正しくありません。"));
    }
    f.login(DEMO_STAFF.0, "Wrong#Pass9").await;
    let text = f.page_text().await;
    assert!(
        text.contains("［プレースホルダー：マニュアルでは画像のみ］"),
        "{text}"
    );
    assert!(text.contains("30分待つか、管理者にパスワード初期化を依頼してください。"));
    f.shot("err01").await;
    // Locked even with the right password, until 30 minutes pass on the simulator's clock.
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    assert!(f
        .client
        .find(Locator::Css("[data-dialog='ERR-01']"))
        .await
        .is_ok());
    let (status, _) = f.admin(
        "PUT",
        "/__admin/clock",
        r#"{"now":"2021-01-06T10:30:00+09:00"}"#,
    );
    assert_eq!(status, 200);
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    assert!(f.page_text().await.contains("「全体」お知らせ一覧"));
    f.finish().await;
}

#[tokio::test]
async fn initial_password_change() {
    let Some(f) = Flow::start("ch1-initial").await else {
        return;
    };
    f.login(DEMO_INITIAL.0, DEMO_INITIAL.1).await;
    assert!(f
        .client
        .find(Locator::Css("[data-dialog='ERR-03']"))
        .await
        .is_ok());
    f.shot("err03").await;
    f.click_text("OK").await;
    let text = f.page_text().await;
    assert!(text.contains("【パスワードについて】") && !text.contains("旧パスワード"));
    assert!(
        f.client.find(Locator::Id("menu")).await.is_err(),
        "no 《メニュー》 on SCR-07"
    );
    f.fill("new", "Init#Other9").await;
    f.fill("confirm", "Init#Other9").await;
    f.click_text("変更").await;
    assert!(f
        .page_text()
        .await
        .contains("先頭5文字が同じになる類似のパスワードは使用できません。"));
    f.shot("scr07-similar").await;
    f.fill("new", "Fresh#Pass02").await;
    f.fill("confirm", "Fresh#Pass02").await;
    f.click_text("変更").await;
    assert!(f
        .client
        .find(Locator::Css("[data-dialog='DLG-02']"))
        .await
        .is_ok());
    f.shot("dlg02").await;
    f.click_text("OK").await;
    assert!(f
        .client
        .find(Locator::Css("[data-dialog='DLG-03']"))
        .await
        .is_ok());
    f.shot("dlg03").await;
    f.click_text("OK").await;
    assert!(f.page_text().await.contains("マイナンバーカードで確認"));
    f.shot("menu").await;
    f.finish().await;
}

#[tokio::test]
async fn expired_password_goes_to_password_change() {
    let Some(f) = Flow::start("ch1-expired").await else {
        return;
    };
    f.login(DEMO_EXPIRED.0, DEMO_EXPIRED.1).await;
    assert!(f
        .client
        .find(Locator::Css("[data-dialog='ERR-02']"))
        .await
        .is_ok());
    f.shot("err02").await;
    f.click_text("OK").await;
    assert!(f.page_text().await.contains("旧パスワード:"));
    f.fill("old", DEMO_EXPIRED.1).await;
    f.fill("new", "Newer#Pass3").await;
    f.fill("confirm", "Newer#Pass3").await;
    f.click_text("変更").await;
    f.click_text("OK").await;
    f.click_text("OK").await;
    assert!(f
        .page_text()
        .await
        .contains("パスワードの変更が完了しました。"));
    f.shot("scr06-done").await;
    f.click_text("メニュー").await;
    assert!(f.page_text().await.contains("資格確認履歴照会"));
    f.finish().await;
}

#[tokio::test]
async fn idle_timeout_shows_err04() {
    let Some(f) = Flow::start("ch1-idle").await else {
        return;
    };
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.click_text("閉じる").await;
    f.admin(
        "PUT",
        "/__admin/clock",
        r#"{"now":"2021-01-06T10:30:00+09:00"}"#,
    );
    f.click_text("お知らせ一覧").await;
    let text = f.page_text().await;
    assert!(text.contains("30分間操作がない場合"), "{text}");
    f.shot("err04").await;
    f.click_text("閉じる").await;
    assert!(
        f.client.find(Locator::Id("user_id")).await.is_ok(),
        "back on SCR-02"
    );
    f.finish().await;
}

#[tokio::test]
async fn double_login_ends_the_first_session() {
    let Some(f) = Flow::start("ch1-double").await else {
        return;
    };
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.click_text("閉じる").await;
    let other = f.second_browser().await;
    login_in(&f, &other, DEMO_STAFF.0, DEMO_STAFF.1).await;
    assert!(text_of(&other).await.contains("「全体」お知らせ一覧"));
    f.click_text("お知らせ一覧").await;
    assert!(f
        .client
        .find(Locator::Css("[data-dialog='ERR-04']"))
        .await
        .is_ok());
    f.shot("err04").await;
    let _ = other.close().await;
    f.finish().await;
}

#[tokio::test]
async fn logout_and_service_start() {
    let Some(f) = Flow::start("ch1-logout").await else {
        return;
    };
    f.login(DEMO_BEFORE_START.0, DEMO_BEFORE_START.1).await;
    f.click_text("閉じる").await;
    let text = f.page_text().await;
    assert!(text.contains("利用開始日が到来するまで、全ての機能は利用できません。"));
    assert!(!text.contains("マイナンバーカードで確認"));
    f.shot("before-start-menu").await;
    f.click_text("ログアウト").await;
    assert!(f
        .client
        .find(Locator::Css("[data-dialog='DLG-01']"))
        .await
        .is_ok());
    f.shot("dlg01").await;
    f.click_text("キャンセル").await;
    assert!(f.page_text().await.contains("パスワード変更"));
    f.click_text("ログアウト").await;
    f.click_text("OK").await;
    assert!(
        f.client.find(Locator::Id("user_id")).await.is_ok(),
        "SCR-02"
    );
    f.open("/menu").await;
    assert!(
        f.client.find(Locator::Id("user_id")).await.is_ok(),
        "logged out"
    );
    f.finish().await;
}
