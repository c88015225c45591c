//! Operator screens (issue 13): the manual's system in a browser, Japanese, served by the
//! simulator itself at `/`. Compile-time templates (maud), no script, no CDN.
//!
//! - [`layout`]: the page and its header; [`dialog`]: every DLG-/ERR- dialog from the catalogue
//!   texts; [`session`]: the [`session::Operator`] extractor and CSRF-checked [`session::Posted`]
//!   forms; [`menu`]: SCR-05 as data (one entry per item).
//! - ch.1: [`login`] (SCR-01/02, AUTH-01..03, ERR-01..04, logout DLG-01), [`notices`] (SCR-03/04,
//!   RULE-89), [`password`] (SCR-06/07, DLG-02/03).
//! - ch.9/10: [`face_reader`] (SCR-31 顔認証付きカードリーダー操作, SCR-32 環境設定).
//! - ch.2/4: [`checks`] (SCR-08/09/10 My Number check, SCR-13 insurance-card check).
//! - ch.8: [`history`] (SCR-19/20 資格確認履歴, CSV).
//! - ch.5/7: [`bulk`] (SCR-15..18 bulk files and their results).
//! - ch.3: [`visiting`] (SCR-21 同意済資格情報取得, SCR-22 資格情報照会, SCR-23 資格情報確認, SCR-24
//!   処方箋情報取得 of 訪問診療等・オンライン診療等).
//! - ch.6: [`entrusted`] (SCR-29/30 委託先資格情報一括取得 and its results, JOB-04).
//! - ch.11: [`dispensing`] (SCR-33/34 保管調剤結果一括取得 and its results, JOB-05).
//! - ch.12: [`later_check`] (the later check after an outage, RULE-92) and [`emergency`]
//!   (緊急時医療情報・資格確認機能, ENV-14): the simulator's own screens.
//! - ch.3: [`visiting_bulk`] (SCR-25/26, JOB-03), [`consent_cancel`] (SCR-27/28 同意取消, DLG-18/19).
//!
//! Where to add a screen: ARCHITECTURE.md, "Where to add a new screen".

pub mod bulk;
pub mod checks;
pub mod consent_cancel;
pub mod dialog;
pub mod dispensing;
pub mod emergency;
pub mod entrusted;
pub mod face_reader;
pub mod history;
pub mod later_check;
pub mod layout;
pub mod login;
pub mod menu;
pub mod notices;
pub mod password;
pub mod session;
pub mod shown;
pub mod unavailable;
pub mod visiting;
pub mod visiting_bulk;

use crate::services::accounts::sessions::Ended;
use crate::simulator::Simulator;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use dialog::{Action, Dialog};
use layout::{Page, WholePage};
use maud::html;
use oqs_protocol::texts::accounts as t;
use std::sync::Arc;

/// The screens' paths (the machine routes own `/xml`, `/oqs-api-pro`, `/terminal`, `/jobs`,
/// `/history`, `/__admin`: a screen takes a path of its own beside these).
pub mod paths {
    /// SCR-01.
    pub const ENTRY: &str = "/";
    /// SCR-02.
    pub const LOGIN: &str = "/login";
    /// 《ログアウト》: GET shows DLG-01, POST logs out.
    pub const LOGOUT: &str = "/logout";
    /// SCR-03; SCR-04 is `/notices/{id}`.
    pub const NOTICES: &str = "/notices";
    /// SCR-05.
    pub const MENU: &str = "/menu";
    /// SCR-06 / SCR-07; `/password/confirm` answers DLG-02.
    pub const PASSWORD: &str = "/password";
    /// SCR-31; its mode buttons post to `…/mode`, ② to `…/visual`.
    pub const FACE_READER: &str = "/face-reader";
    pub const FACE_READER_MODE: &str = "/face-reader/mode";
    pub const FACE_READER_VISUAL: &str = "/face-reader/visual";
    /// SCR-32 (GET the screen, POST a setting).
    pub const FACE_SETTINGS: &str = "/face-reader/settings";
}

/// Every screen's routes. Pages are never cached: they show one operator's data, and the
/// browser's 《戻る》 after a logout must not show them again.
pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .merge(login::router())
        .merge(notices::router())
        .merge(menu::router())
        .merge(password::router())
        .merge(face_reader::router())
        .merge(checks::router())
        .merge(history::router())
        .merge(bulk::router())
        .merge(entrusted::router())
        .merge(dispensing::router())
        .merge(later_check::router())
        .merge(emergency::router())
        .merge(visiting_bulk::router())
        .merge(consent_cancel::router())
        .merge(visiting::router())
        .layer(axum::middleware::map_response(no_store))
}

/// Also marks the answer a [`WholePage`]: a screen's 4xx page (ERR-04, a stale form) is sent
/// whole, not clipped like a machine route's error.
async fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    r.extensions_mut().insert(WholePage);
    r
}

/// ERR-04 (AUTH-13/14): the session has ended; 《閉じる》 → SCR-02. The cookie is forgotten.
/// HTTP 401: the request's session is no longer valid (the page asks to log in again).
pub fn session_ended(_why: Ended) -> Response {
    let d = Dialog::err(&t::ERR_04, t::ERR_04_BUTTONS);
    let page = Page::new(t::TITLE_LOGIN)
        .dialog(d.render(&[(t::BUTTON_CLOSE, Action::Link(paths::LOGIN.into()))]))
        .render(html! {});
    (
        StatusCode::UNAUTHORIZED,
        [
            (
                header::SET_COOKIE,
                session::set_cookie(session::SESSION_COOKIE, ""),
            ),
            // 401 names how to authenticate: the login form, not HTTP authentication.
            (
                header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("FormBased"),
            ),
        ],
        page,
    )
        .into_response()
}

/// A form whose CSRF token is missing or stale: nothing is done; back to the menu (HTTP 403,
/// the request is refused).
pub fn form_expired(op: &session::Operator) -> Response {
    let h = op.header();
    let page = Page::new(t::TITLE_MENU).header(&h).render(html! {
        section.panel {
            p.error { (t::FORM_EXPIRED) }
            a.btn href=(paths::MENU) { (t::BUTTON_MENU) }
        }
    });
    (StatusCode::FORBIDDEN, page).into_response()
}
