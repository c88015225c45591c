//! SCR-01 (entry), SCR-02 (ログイン) and logout (AUTH-01..03, AUTH-10/11/14/16, ERR-01..03,
//! DLG-01). After a login: ERR-03 → SCR-07, ERR-02 → SCR-06, else SCR-03 (お知らせ一覧) then the
//! menu (AUTH-02).

use super::dialog::{Action, Dialog};
use super::layout::Page;
use super::paths;
use super::session::{self, Operator, Posted, LOGIN_COOKIE, SESSION_COOKIE};
use crate::services::accounts::sessions::{random_token, Stage};
use crate::services::accounts::Login;
use crate::simulator::Simulator;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use oqs_protocol::texts::accounts as t;
use serde::Deserialize;
use std::sync::Arc;

/// SCR-01: 《システムの利用を始める》.
async fn entry() -> Markup {
    Page::new(t::SYSTEM_NAME).render(html! {
        div.entry {
            a.btn #start href=(paths::LOGIN) autofocus { (t::START_BUTTON) }
        }
    })
}

/// SCR-02's form; `message` above it, `dialog` over it.
fn login_page(csrf: &str, message: Option<&str>, dialog: Option<Markup>) -> Markup {
    let mut page = Page::new(t::TITLE_LOGIN);
    let has_dialog = dialog.is_some();
    if let Some(d) = dialog {
        page = page.dialog(d);
    }
    page.render(html! {
        section.panel.login {
            h2 { (t::TITLE_LOGIN) }
            @if let Some(m) = message { p.error #message { (m) } }
            form.fields method="post" action=(paths::LOGIN) {
                input type="hidden" name="csrf" value=(csrf);
                label for="user_id" { (t::LABEL_USER_ID) }
                input #user_id type="text" name="user_id" autocomplete="username" autofocus[!has_dialog];
                label for="password" { (t::LABEL_PASSWORD) }
                input #password type="password" name="password" autocomplete="current-password";
                p.note { (t::LOCKOUT_NOTE) }
                div.actions { button #login type="submit" { (t::BUTTON_LOGIN) } }
            }
        }
    })
}

/// The login form's token: the `oqs_login` cookie's, or a new one.
fn login_token(headers: &HeaderMap) -> (String, bool) {
    match session::cookie(headers, LOGIN_COOKIE) {
        Some(v) if v.len() == 32 => (v.to_owned(), false),
        _ => (random_token(), true),
    }
}

fn with_login_cookie(token: &str, fresh: bool, page: Markup) -> Response {
    if fresh {
        (
            [(header::SET_COOKIE, session::set_cookie(LOGIN_COOKIE, token))],
            page,
        )
            .into_response()
    } else {
        page.into_response()
    }
}

/// SCR-02.
async fn login_form(headers: HeaderMap) -> Response {
    let (token, fresh) = login_token(&headers);
    with_login_cookie(&token, fresh, login_page(&token, None, None))
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    password: String,
}

/// 《ログイン》.
async fn login(State(sim): State<Arc<Simulator>>, headers: HeaderMap, body: Body) -> Response {
    let (form, csrf) = match session::read_form::<LoginForm>(body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (token, fresh) = login_token(&headers);
    if fresh || !session::same_secret(&csrf, &token) {
        // A stale or foreign form: refused (HTTP 403), the form shown again with a fresh token.
        let mut r = with_login_cookie(
            &token,
            fresh,
            login_page(&token, Some(t::FORM_EXPIRED), None),
        );
        *r.status_mut() = StatusCode::FORBIDDEN;
        return r;
    }
    let now = sim.clock.now();
    let checker = sim.clone();
    let user = form.user_id.trim().to_owned();
    // The password hash takes tens of milliseconds: off the async workers.
    let outcome = tokio::task::spawn_blocking(move || {
        checker.accounts.login(&user, &form.password, now, None)
    })
    .await
    .unwrap_or(Login::Refused);
    match outcome {
        Login::Refused => login_page(&token, Some(t::LOGIN_REFUSED), None).into_response(),
        Login::Locked(_) => {
            let d = Dialog::err(&t::ERR_01, t::ERR_01_BUTTONS)
                .render(&[(t::BUTTON_OK, Action::Link(paths::LOGIN.into()))]);
            login_page(&token, None, Some(d)).into_response()
        }
        Login::Granted { account, stage } => {
            // AUTH-14: the account's other sessions end here.
            let s = sim.accounts.sessions.open(&account.login_id, stage, now);
            let cookie = session::set_cookie(SESSION_COOKIE, &s.id);
            let dialog = match stage {
                Stage::Active => None,
                Stage::MustChangeInitial => Some(Dialog::err(&t::ERR_03, t::ERR_03_BUTTONS)),
                Stage::MustChangeExpired => Some(Dialog::err(&t::ERR_02, t::ERR_02_BUTTONS)),
            };
            match dialog {
                None => {
                    ([(header::SET_COOKIE, cookie)], Redirect::to(paths::NOTICES)).into_response()
                }
                Some(d) => {
                    let d = d.render(&[(t::BUTTON_OK, Action::Link(paths::PASSWORD.into()))]);
                    let fresh_token = random_token();
                    let mut r = login_page(&fresh_token, None, Some(d)).into_response();
                    r.headers_mut().append(header::SET_COOKIE, cookie);
                    r.headers_mut().append(
                        header::SET_COOKIE,
                        session::set_cookie(LOGIN_COOKIE, &fresh_token),
                    );
                    r
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct Back {
    back: Option<String>,
}

/// Only a path of this site (no scheme, no `//host`).
fn local_path(p: Option<String>) -> String {
    match p {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p,
        _ => paths::MENU.into(),
    }
}

/// Marks the inner request that draws the screen under DLG-01.
#[derive(Debug, Clone, Copy)]
struct UnderDialog;

/// Largest screen drawn again under DLG-01 (bytes); a larger one is left out.
const MAX_UNDER_BYTES: usize = 8 << 20;

/// 《ログアウト》: DLG-01 over the screen the operator was on (`back`, drawn again by its own
/// GET handler with this browser's cookies); 《キャンセル》 returns to it. Over an empty page
/// when `back` is not a screen page (or is the logout itself).
async fn logout_dialog(
    State(sim): State<Arc<Simulator>>,
    op: Operator,
    Query(q): Query<Back>,
    headers: HeaderMap,
    under: Option<axum::Extension<UnderDialog>>,
) -> Response {
    let back = local_path(q.back);
    let d = Dialog::dlg(&t::DLG_01).render(&[
        (
            t::BUTTON_OK,
            Action::Post {
                path: paths::LOGOUT.into(),
                csrf: op.csrf().into(),
                fields: vec![],
            },
        ),
        (t::BUTTON_CANCEL, Action::Link(back.clone())),
    ]);
    let is_logout = back == paths::LOGOUT || back.starts_with(&format!("{}?", paths::LOGOUT));
    if under.is_none() && !is_logout {
        if let Some(page) = screen_under(&sim, &headers, &back).await {
            if let Some(html) = super::layout::over(&page, d.clone()) {
                return maud::PreEscaped(html).into_response();
            }
        }
    }
    let h = op.header();
    Page::new(t::BUTTON_LOGOUT)
        .header(&h)
        .dialog(d)
        .render(html! {})
        .into_response()
}

/// The screen at `back` as its GET draws it for this browser (its cookies), if it is a page.
async fn screen_under(sim: &Arc<Simulator>, headers: &HeaderMap, back: &str) -> Option<String> {
    use tower::ServiceExt;
    let mut req = axum::http::Request::get(back).body(Body::empty()).ok()?;
    for c in headers.get_all(header::COOKIE) {
        req.headers_mut().append(header::COOKIE, c.clone());
    }
    req.extensions_mut().insert(UnderDialog);
    let res = super::router()
        .with_state(sim.clone())
        .oneshot(req)
        .await
        .ok()?;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if res.status() != StatusCode::OK || !html {
        return None;
    }
    let bytes = axum::body::to_bytes(res.into_body(), MAX_UNDER_BYTES)
        .await
        .ok()?;
    String::from_utf8(bytes.to_vec()).ok()
}

#[derive(Debug, Deserialize)]
struct Empty {}

/// DLG-01 《OK》: the session ends; SCR-02 (「「ログイン」が表示され、システムの利用を終了しました。」).
async fn logout(State(sim): State<Arc<Simulator>>, p: Posted<Empty>) -> Response {
    sim.accounts.sessions.close(&p.op.session.id);
    let mut r = Redirect::to(paths::LOGIN).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, session::set_cookie(SESSION_COOKIE, ""));
    r
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(paths::ENTRY, get(entry))
        .route(paths::LOGIN, get(login_form).post(login))
        .route(paths::LOGOUT, get(logout_dialog).post(logout))
}
