//! Who is operating: the [`Operator`] extractor (the session cookie → a live session and its
//! account) and [`Posted`] (a form whose CSRF token is checked). Every screen after login takes
//! one of them; nothing else reads the cookie.
//!
//! - The cookie `oqs_session` holds 128 random bits (OS CSPRNG), `HttpOnly; SameSite=Strict`.
//! - No or unknown cookie → 303 to SCR-02 (ログイン). An ended session (AUTH-13 idle, AUTH-14
//!   logged in elsewhere) → the ERR-04 page once, then SCR-02.
//! - A session that must change its password first (ERR-02 / ERR-03) reaches only
//!   [`paths::PASSWORD`] and [`paths::LOGOUT`]; before the facility's service start (AUTH-15) only
//!   the menu, notices, password and logout.
//! - Every POST carries the session's CSRF token in the field `csrf` ([`Posted`]); the login
//!   form, before any session, carries the token of the `oqs_login` cookie.

use super::layout::HeaderInfo;
use super::paths;
use crate::services::accounts::sessions::{Lookup, SessionView, Stage};
use crate::services::accounts::AccountView;
use crate::simulator::Simulator;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::sync::Arc;

/// The session cookie.
pub const SESSION_COOKIE: &str = "oqs_session";
/// The login form's CSRF cookie (before there is a session).
pub const LOGIN_COOKIE: &str = "oqs_login";
/// Largest form body a screen accepts.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The logged-in operator of this request.
#[derive(Debug, Clone)]
pub struct Operator {
    pub session: SessionView,
    pub account: AccountView,
    /// 施設名 and 施設 kind (医科 / 歯科 / 訪看 / 薬局) from the population.
    pub facility_name: String,
    pub facility_kind: String,
    /// AUTH-15: the facility's service has not started.
    pub before_service_start: bool,
    /// The path and query of this request (the screen DLG-01 is drawn over, and where its
    /// 《キャンセル》 returns).
    pub path: String,
}

impl Operator {
    /// What the header shows.
    pub fn header(&self) -> HeaderInfo {
        HeaderInfo {
            facility: self.facility_name.clone(),
            user: self.account.name.clone(),
            role: self.account.role.short().to_owned(),
            here: serde_urlencoded::to_string([("", self.path.as_str())])
                .map(|s| s.trim_start_matches('=').to_owned())
                .unwrap_or_default(),
        }
    }

    /// The CSRF token every form of this session carries.
    pub fn csrf(&self) -> &str {
        &self.session.csrf
    }

    /// The login id (履歴's ログインID for checks made on the screens).
    pub fn login_id(&self) -> &str {
        &self.account.login_id
    }
}

/// The value of cookie `name` in the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value for a session-only, HttpOnly, SameSite=Strict cookie (empty: delete).
pub fn set_cookie(name: &str, value: &str) -> HeaderValue {
    let s = if value.is_empty() {
        format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
    } else {
        format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict")
    };
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// 303 to the login screen, forgetting the session cookie.
pub fn to_login() -> Response {
    (
        [(header::SET_COOKIE, set_cookie(SESSION_COOKIE, ""))],
        Redirect::to(paths::LOGIN),
    )
        .into_response()
}

/// Compares secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn allowed_while(stage: Stage, before_start: bool, path: &str) -> Option<&'static str> {
    let under = |p: &str| path == p || path.starts_with(&format!("{p}/"));
    if stage != Stage::Active {
        return (!(under(paths::PASSWORD) || under(paths::LOGOUT))).then_some(paths::PASSWORD);
    }
    if before_start {
        let ok = [paths::MENU, paths::NOTICES, paths::PASSWORD, paths::LOGOUT]
            .iter()
            .any(|p| under(p));
        return (!ok).then_some(paths::MENU);
    }
    None
}

impl FromRequestParts<Arc<Simulator>> for Operator {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        sim: &Arc<Simulator>,
    ) -> Result<Self, Self::Rejection> {
        let Some(id) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let now = sim.clock.now();
        let session = match sim.accounts.sessions.touch(id, now) {
            Lookup::Live(s) => s,
            Lookup::Ended(e) => return Err(super::session_ended(e)),
            Lookup::Unknown => return Err(to_login()),
        };
        let Some(account) = sim.accounts.account(&session.login_id, now) else {
            return Err(to_login());
        };
        let pop = sim.population();
        let (facility_name, facility_kind) = match pop.facility(&account.facility) {
            Some(f) => (f.name.to_string(), f.kind.to_string()),
            None => (account.facility.clone(), String::new()),
        };
        let before_service_start = sim.accounts.before_service_start(&account.facility, now);
        let path = parts.uri.path().to_owned();
        if let Some(to) = allowed_while(session.stage, before_service_start, &path) {
            return Err(Redirect::to(to).into_response());
        }
        // With its query: DLG-01 is drawn over this very screen (e.g. SCR-19's search).
        let path = parts
            .uri
            .path_and_query()
            .map_or(path, |p| p.as_str().to_owned());
        Ok(Operator {
            session,
            account,
            facility_name,
            facility_kind,
            before_service_start,
            path,
        })
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A posted form of a logged-in operator, its CSRF token checked.
#[derive(Debug)]
pub struct Posted<T> {
    pub op: Operator,
    pub form: T,
}

/// Reads a form body (at most [`MAX_FORM_BYTES`]) and its `csrf` field.
pub async fn read_form<T: DeserializeOwned>(
    body: axum::body::Body,
) -> Result<(T, String), Response> {
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "form too large").into_response())?;
    let csrf: CsrfField = serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| (StatusCode::BAD_REQUEST, format!("form: {e}")).into_response())?;
    let form: T = serde_urlencoded::from_bytes(&bytes)
        .map_err(|e| (StatusCode::BAD_REQUEST, format!("form: {e}")).into_response())?;
    Ok((form, csrf.csrf))
}

impl<T: DeserializeOwned + Send> FromRequest<Arc<Simulator>> for Posted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, sim: &Arc<Simulator>) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let op = Operator::from_request_parts(&mut parts, sim).await?;
        let (form, csrf) = read_form::<T>(body).await?;
        if !same_secret(&csrf, op.csrf()) {
            return Err(super::form_expired(&op));
        }
        Ok(Posted { op, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_gates() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; oqs_session=abc; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        let v = set_cookie(SESSION_COOKIE, "xyz");
        assert_eq!(v, "oqs_session=xyz; Path=/; HttpOnly; SameSite=Strict");
        assert_eq!(allowed_while(Stage::Active, false, "/anything"), None);
        assert_eq!(
            allowed_while(Stage::MustChangeInitial, false, paths::MENU),
            Some(paths::PASSWORD)
        );
        assert_eq!(
            allowed_while(Stage::MustChangeExpired, false, "/password/confirm"),
            None
        );
        assert_eq!(
            allowed_while(Stage::Active, true, "/check"),
            Some(paths::MENU)
        );
        assert_eq!(allowed_while(Stage::Active, true, "/notices/3"), None);
    }
}
