//! The operator screens of ch.1 through the router, as a browser without script would use them:
//! forms, cookies and redirects (login, notices, menu, lockout, password change, idle timeout,
//! double login, logout, service start, admin reset). Real-browser runs: `browser-tests/`.

mod common;

use common::operator::{Jar, Page};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::Duration;
use http_body_util::BodyExt;
use oqs_protocol::texts::{self, accounts as t};
use sim_server::Simulator;
use std::sync::Arc;
use tower::ServiceExt;

/// One browser over the router in-process: its cookies, sent with every request; redirects
/// are not followed (the tests look at them). Every answer must be `no-store` and every cookie
/// `HttpOnly; SameSite=Strict`.
struct Browser {
    sim: Arc<Simulator>,
    cookies: Jar,
}

impl Browser {
    fn new(sim: &Arc<Simulator>) -> Self {
        Browser {
            sim: sim.clone(),
            cookies: Jar::default(),
        }
    }

    async fn send(&mut self, req: Request<Body>) -> Page {
        let res = sim_server::router(self.sim.clone())
            .oneshot(req)
            .await
            .unwrap();
        for v in res.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let attrs = self.cookies.keep(v);
            assert!(
                attrs.contains("HttpOnly") && attrs.contains("SameSite=Strict"),
                "{v}"
            );
        }
        assert_eq!(
            res.headers()
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            Some("no-store")
        );
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec())
            .unwrap();
        Page {
            status,
            location,
            headers,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let req = Request::get(path)
            .header(header::COOKIE, self.cookies.header())
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let req = Request::post(path)
            .header(header::COOKIE, self.cookies.header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// Follows redirects from `page`.
    async fn follow(&mut self, mut page: Page) -> Page {
        while page.status == StatusCode::SEE_OTHER.as_u16() {
            let to = page.location.clone().unwrap();
            page = self.get(&to).await;
        }
        page
    }

    /// Logs in and follows to SCR-03.
    async fn login_through(&mut self, user: &str, password: &str) -> Page {
        let p = self.login(user, password).await;
        self.follow(p).await
    }

    /// SCR-02 《ログイン》 with these credentials; the answer before redirects.
    async fn login(&mut self, user: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let csrf = form.csrf();
        self.post(
            "/login",
            &[("csrf", &csrf), ("user_id", user), ("password", password)],
        )
        .await
    }
}

fn advance(sim: &Simulator, d: Duration) {
    sim.clock.set(sim.clock.now() + d, false);
}

#[tokio::test]
async fn login_then_notices_then_menu() {
    let sim = common::simulator();
    let mut b = Browser::new(&sim);
    let entry = b.get("/").await;
    assert!(entry.has(t::START_BUTTON) && entry.has(r#"href="/login""#));
    let login = b.login("staff01", "Staff#Pass01").await;
    assert_eq!(login.status, StatusCode::SEE_OTHER.as_u16());
    assert_eq!(login.location.as_deref(), Some("/notices"));
    let notices = b.follow(login).await;
    assert!(notices.has(t::NOTICES_ALL) && notices.has(t::NOTICES_OWN));
    // RULE-89: 24 「全体」 notices on 2021/01/06, 20 on the first page; the ended one is absent.
    assert!(
        notices.has("検索結果： 24 件 1-20件表示"),
        "{}",
        notices.body
    );
    assert!(notices.has("検索結果： 1 件 1-1件表示"));
    assert!(!notices.has("【終了】"));
    assert!(notices.has("サンプル医療機関") && notices.has("一般アカウント"));
    let page2 = b.get("/notices?all=2&own=1").await;
    assert!(page2.has("検索結果： 24 件 21-24件表示"));
    let i = notices.body.find(r#"href="/notices/"#).unwrap();
    let href: String = notices.body[i + 6..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let one = b.get(&href).await;
    assert_eq!(one.status, StatusCode::OK.as_u16());
    assert!(one.has(t::TITLE_NOTICE) && one.has("お知らせ内容") && one.has(r#"href="/notices""#));
    let menu = b.get("/menu").await;
    assert!(menu.has("マイナンバーカードで確認") && menu.has("資格確認履歴照会"));
    // Every item of a 医科 menu has its screen now (one without would say t::NOT_BUILT).
    assert!(!menu.has(t::NOT_BUILT));
    assert!(menu.has(r#"href="/password""#));
    // A pharmacy-only item is not on a 医科 menu.
    assert!(!menu.has("保管調剤結果一括取得"));
}

#[tokio::test]
async fn five_wrong_passwords_lock_for_thirty_minutes() {
    let sim = common::simulator();
    let mut b = Browser::new(&sim);
    for _ in 0..4 {
        let p = b.login("staff01", "Wrong#Pass9").await;
        assert!(p.has(t::LOGIN_REFUSED) && !p.has("ERR-01"));
    }
    let p = b.login("staff01", "Wrong#Pass9").await;
    assert!(p.has(r#"data-dialog="ERR-01""#) && p.has(t::ERR_01.action));
    let p = b.login("staff01", "Staff#Pass01").await;
    assert!(
        p.has(r#"data-dialog="ERR-01""#),
        "locked even with the right password"
    );
    advance(&sim, Duration::minutes(30));
    let p = b.login("staff01", "Staff#Pass01").await;
    assert_eq!(p.location.as_deref(), Some("/notices"));
}

#[tokio::test]
async fn initial_password_must_be_changed_first() {
    let sim = common::simulator();
    let mut b = Browser::new(&sim);
    let p = b.login("newstaff", "Init#Pass01").await;
    assert!(p.has(r#"data-dialog="ERR-03""#) && p.has(texts::PLACEHOLDER_LABEL));
    assert!(p.has(r#"href="/password""#));
    // Nothing else until the change.
    let m = b.get("/menu").await;
    assert_eq!(m.location.as_deref(), Some("/password"));
    let scr07 = b.get("/password").await;
    assert!(scr07.has(r#"id="scr-07""#) && !scr07.has(t::LABEL_OLD_PASSWORD));
    assert!(!scr07.has(r#"id="menu""#) && !scr07.has(r#"id="back""#));
    assert!(scr07.has("(変更できない例：変更前「staff123」→変更後「staff456」など)"));
    let csrf = scr07.csrf();
    let bad = b
        .post(
            "/password",
            &[("csrf", &csrf), ("new", "short"), ("confirm", "short")],
        )
        .await;
    assert!(bad.has("8文字以上20文字以下で設定してください。"));
    let similar = b
        .post(
            "/password",
            &[
                ("csrf", &csrf),
                ("new", "Init#Other9"),
                ("confirm", "Init#Other9"),
            ],
        )
        .await;
    assert!(similar.has("先頭5文字が同じになる類似のパスワードは使用できません"));
    let dlg02 = b
        .post(
            "/password",
            &[
                ("csrf", &csrf),
                ("new", "Fresh#Pass02"),
                ("confirm", "Fresh#Pass02"),
            ],
        )
        .await;
    assert!(dlg02.has(r#"data-dialog="DLG-02""#));
    let dlg03 = b.post("/password/confirm", &[("csrf", &csrf)]).await;
    assert!(dlg03.has(r#"data-dialog="DLG-03""#) && dlg03.has(r#"href="/menu""#));
    assert_eq!(b.get("/menu").await.status, StatusCode::OK.as_u16());
    // The new password works; the initial one no longer does.
    let mut other = Browser::new(&sim);
    assert!(other
        .login("newstaff", "Init#Pass01")
        .await
        .has(t::LOGIN_REFUSED));
    let again = other.login("newstaff", "Fresh#Pass02").await;
    assert_eq!(again.location.as_deref(), Some("/notices"));
}

#[tokio::test]
async fn expired_password_goes_to_scr06_and_voluntary_change_works() {
    let sim = common::simulator();
    let mut b = Browser::new(&sim);
    let p = b.login("oldstaff", "Old#Pass2020").await;
    assert!(p.has(r#"data-dialog="ERR-02""#));
    let scr06 = b.get("/password").await;
    assert!(scr06.has(r#"id="scr-06""#) && scr06.has(t::LABEL_OLD_PASSWORD));
    let csrf = scr06.csrf();
    let wrong_old = b
        .post(
            "/password",
            &[
                ("csrf", &csrf),
                ("old", "Nope#1234"),
                ("new", "Newer#Pass3"),
                ("confirm", "Newer#Pass3"),
            ],
        )
        .await;
    assert!(wrong_old.has(t::OLD_PASSWORD_WRONG));
    let mismatch = b
        .post(
            "/password",
            &[
                ("csrf", &csrf),
                ("old", "Old#Pass2020"),
                ("new", "Newer#Pass3"),
                ("confirm", "Newer#Pass4"),
            ],
        )
        .await;
    assert!(mismatch.has(t::NEW_PASSWORD_MISMATCH));
    b.post(
        "/password",
        &[
            ("csrf", &csrf),
            ("old", "Old#Pass2020"),
            ("new", "Newer#Pass3"),
            ("confirm", "Newer#Pass3"),
        ],
    )
    .await;
    let dlg03 = b.post("/password/confirm", &[("csrf", &csrf)]).await;
    assert!(dlg03.has(r#"href="/password?done=1""#));
    let done = b.get("/password?done=1").await;
    assert!(done.has(t::PASSWORD_CHANGED) && done.has(r#"id="menu""#));
    assert_eq!(b.get("/menu").await.status, StatusCode::OK.as_u16());
}

#[tokio::test]
async fn forms_without_the_session_token_are_refused() {
    let sim = common::simulator();
    let mut b = Browser::new(&sim);
    b.login_through("staff01", "Staff#Pass01").await;
    let p = b
        .post(
            "/password",
            &[
                ("csrf", "0123"),
                ("old", "Staff#Pass01"),
                ("new", "Other#Pass5"),
                ("confirm", "Other#Pass5"),
            ],
        )
        .await;
    assert!(p.has(t::FORM_EXPIRED));
    assert_eq!(p.status, StatusCode::FORBIDDEN.as_u16());
    let p = b.post("/logout", &[]).await;
    assert!(p.has(t::FORM_EXPIRED));
    assert_eq!(p.status, StatusCode::FORBIDDEN.as_u16());
    // Nothing happened: the session is still there, the password unchanged.
    assert_eq!(b.get("/menu").await.status, StatusCode::OK.as_u16());
    assert!(
        !sim.accounts
            .account("staff01", sim.clock.now())
            .unwrap()
            .initial
    );
    // The login form needs the token of its own cookie.
    let mut fresh = Browser::new(&sim);
    let p = fresh
        .post(
            "/login",
            &[
                ("csrf", "x"),
                ("user_id", "staff01"),
                ("password", "Staff#Pass01"),
            ],
        )
        .await;
    assert!(p.has(t::FORM_EXPIRED) && p.location.is_none());
}

#[tokio::test]
async fn thirty_idle_minutes_end_the_session_with_err04() {
    let sim = common::simulator();
    let mut b = Browser::new(&sim);
    b.login_through("staff01", "Staff#Pass01").await;
    advance(&sim, Duration::minutes(29));
    assert_eq!(b.get("/menu").await.status, StatusCode::OK.as_u16());
    advance(&sim, Duration::minutes(30));
    let p = b.get("/menu").await;
    assert!(
        p.has(r#"data-dialog="ERR-04""#) && p.has(r#"href="/login""#),
        "{}",
        p.body
    );
    assert!(p.has("30分間操作がない場合"));
    assert_eq!(p.status, StatusCode::UNAUTHORIZED.as_u16());
    assert_eq!(b.get("/menu").await.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn logging_in_again_elsewhere_ends_the_first_session() {
    let sim = common::simulator();
    let mut first = Browser::new(&sim);
    first.login_through("staff01", "Staff#Pass01").await;
    let mut second = Browser::new(&sim);
    second.login_through("staff01", "Staff#Pass01").await;
    let p = first.get("/menu").await;
    assert!(p.has(r#"data-dialog="ERR-04""#));
    assert_eq!(second.get("/menu").await.status, StatusCode::OK.as_u16());
}

#[tokio::test]
async fn logout_asks_then_ends_the_session() {
    let sim = common::simulator();
    let mut b = Browser::new(&sim);
    b.login_through("staff01", "Staff#Pass01").await;
    let menu = b.get("/menu").await;
    assert!(menu.has(r#"href="/logout?back=%2Fmenu""#));
    let dlg = b.get("/logout?back=%2Fmenu").await;
    assert!(dlg.has(r#"data-dialog="DLG-01""#) && dlg.has(r#"href="/menu""#));
    // A foreign 《キャンセル》 target is not followed.
    let dlg = b.get("/logout?back=%2F%2Fexample.com").await;
    assert!(!dlg.has("example.com"));
    let out = b.post("/logout", &[("csrf", &dlg.csrf())]).await;
    assert_eq!(out.location.as_deref(), Some("/login"));
    assert!(!b.cookies.has("oqs_session"));
    assert_eq!(b.get("/menu").await.location.as_deref(), Some("/login"));
}

#[tokio::test]
async fn before_the_service_start_only_password_change() {
    let sim = common::simulator();
    let mut b = Browser::new(&sim);
    let notices = b.login_through("shika01", "Shika#Pass01").await;
    assert!(notices.has(t::NOTICES_ALL));
    let menu = b.get("/menu").await;
    assert!(menu.has(t::BEFORE_SERVICE_START) && menu.has("パスワード変更"));
    assert!(!menu.has("マイナンバーカードで確認"));
    assert!(menu.has("サンプル歯科医院"));
}

#[tokio::test]
async fn the_administrator_resets_a_locked_account() {
    let sim = common::simulator();
    let mut b = Browser::new(&sim);
    for _ in 0..5 {
        b.login("staff01", "Wrong#Pass9").await;
    }
    let res = sim_server::router(sim.clone())
        .oneshot(
            Request::post("/__admin/accounts/staff01/reset")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(r#"{"password":"Reset#Pass7"}"#))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let p = b.login("staff01", "Reset#Pass7").await;
    assert!(p.has(r#"data-dialog="ERR-03""#));
    let list = sim_server::router(sim.clone())
        .oneshot(
            Request::get("/__admin/accounts")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&list.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert!(v["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a.get("password").is_none()));
}

/// RULE-69: the 保管調剤 items only for a pharmacy using 調剤済み処方箋の保存サービス; サンプル薬局
/// (yaku01) does not use it.
#[tokio::test]
async fn a_pharmacy_without_the_storage_service_has_no_stored_dispensing_items() {
    let sim = common::simulator();
    let mut b = Browser::new(&sim);
    b.login_through("yaku01", "Yaku#Pass01").await;
    let menu = b.get("/menu").await;
    assert_eq!(menu.status, StatusCode::OK.as_u16());
    assert!(menu.has("マイナンバーカードで確認"), "{}", menu.body);
    assert!(!menu.has("保管調剤結果一括取得"), "{}", menu.body);
}

#[tokio::test]
async fn the_logout_dialog_lies_over_the_screen_the_operator_was_on() {
    let sim = common::simulator();
    let mut b = Browser::new(&sim);
    b.login_through("staff01", "Staff#Pass01").await;
    // SCR-19 after a search: its 《ログアウト》 keeps the query, DLG-01 lies over that very page.
    let q = "search=1&from_date=2021%2F01%2F06&from_time=00%3A00&to_date=2021%2F01%2F06&to_time=23%3A59";
    let scr19 = b.get(&format!("/history-search?{q}")).await;
    let link = format!(
        r#"href="/logout?back=%2Fhistory-search%3F{}""#,
        q.replace('%', "%25")
            .replace('=', "%3D")
            .replace('&', "%26")
    );
    assert!(scr19.has(&link), "{}", scr19.body);
    let dlg = b
        .get(&format!(
            "/logout?back={}",
            urlencode(&format!("/history-search?{q}"))
        ))
        .await;
    assert_eq!(dlg.status, 200);
    assert_eq!(dlg.dialog().as_deref(), Some("DLG-01"));
    assert!(
        dlg.has(r#"id="scr19""#) && dlg.has(r#"value="2021/01/06""#),
        "{}",
        dlg.body
    );
    assert!(dlg.has("<main inert>") && dlg.has(r#"<header inert class="hdr""#));
    // 《キャンセル》 goes back to the search, 《OK》 logs out.
    assert!(dlg.has(&format!(
        r#"href="/history-search?{}""#,
        q.replace('&', "&amp;")
    )));
    assert_eq!(dlg.body.matches("data-dialog=").count(), 1);
    // Over the menu too; the dialog comes after the page, so it is on top.
    let dlg = b.get("/logout?back=%2Fmenu").await;
    let (page_at, dialog_at) = (
        dlg.body.find("<main inert>").unwrap(),
        dlg.body.find(r#"data-dialog="DLG-01""#).unwrap(),
    );
    assert!(page_at < dialog_at && dlg.has(t::TITLE_MENU));
    // Not a screen (404) or the logout itself: the dialog over an empty page, drawn once.
    for back in ["/no-such-screen", "/logout?back=/logout"] {
        let dlg = b.get(&format!("/logout?back={}", urlencode(back))).await;
        assert_eq!(dlg.dialog().as_deref(), Some("DLG-01"), "{back}");
        assert!(!dlg.has("inert"), "{back}");
        assert_eq!(dlg.body.matches("data-dialog=").count(), 1, "{back}");
    }
    let out = b.post("/logout", &[("csrf", &dlg.csrf())]).await;
    assert_eq!(out.location.as_deref(), Some("/login"));
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .unwrap()
        .trim_start_matches('=')
        .to_owned()
}
