//! The admin API's guard (`/__admin/…`, issue 11). The admin API can wipe the population, move
//! the clock and inject faults, so a request is refused when:
//! - its `Host` is not a name of this simulator (403): a web page that rebinds its own DNS name
//!   to 127.0.0.1 still sends its own name;
//! - it carries an `Origin` of another site, or `null` (403): a page the user visits;
//! - an admin token is set (`--admin-token`) and `Authorization: Bearer <token>` is missing or
//!   wrong (401);
//! - it changes state with a body type a browser may send cross-site without asking first
//!   (`text/plain`, a form; 415).
//!
//! The trainer's tray (`/__tray…`, issue 13) is guarded by the same rules, adapted to a page a
//! browser shows: Host and Origin as above; a state change must name this page as its `Origin`
//! (or `Referer`) and carry the tray's CSRF token in its form; with an admin token, the browser
//! first unlocks the tray with it (`POST /__tray/unlock` sets a `SameSite=Strict` cookie).
//!
//! And on every route, a 4xx answer never echoes a huge input: long strings in it are clipped
//! ([`clip_errors`]), except a page of the simulator's own templates ([`WholePage`]: the
//! operator screens and the tray), which goes whole with its status (e.g. ERR-04 as 401).

use super::screens::layout::WholePage;
use super::screens::session::cookie;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;

/// Largest body of an admin request (fixtures included), in bytes.
pub const MAX_ADMIN_BODY_BYTES: usize = 16 << 20;

/// A 4xx answer longer than this has its long strings clipped.
const MAX_ERROR_BYTES: usize = 4096;
/// Characters kept of a clipped string.
const CLIPPED_CHARS: usize = 200;

/// Who may use the admin API.
#[derive(Debug, Clone)]
pub struct AdminAccess {
    token: Option<String>,
    /// Host names the simulator answers to; `None`: any (listening on all addresses, where the
    /// token is required).
    hosts: Option<Vec<String>>,
    /// The tray's secrets, 128 bits each from the OS CSPRNG: the form token (CSRF) and the
    /// cookie an unlocked browser shows (admin token set).
    tray: TraySecrets,
}

#[derive(Clone)]
struct TraySecrets {
    csrf: String,
    session: String,
}

impl std::fmt::Debug for TraySecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TraySecrets(…)")
    }
}

impl TraySecrets {
    fn new() -> Self {
        TraySecrets {
            csrf: random_hex(),
            session: random_hex(),
        }
    }
}

/// 128 bits from the operating system's CSPRNG, as 32 hex digits.
fn random_hex() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The tray's cookie (set by `POST /__tray/unlock` when an admin token is configured).
pub const TRAY_COOKIE: &str = "oqs_tray";
/// The tray's unlock route (reachable without the cookie).
pub const TRAY_UNLOCK: &str = "/__tray/unlock";

/// Whether `path` is the tray's.
pub fn is_tray_path(path: &str) -> bool {
    path == "/__tray" || path.starts_with("/__tray/")
}

/// What the guard hands the tray's handlers (a request extension).
#[derive(Debug, Clone)]
pub struct TrayAccess {
    access: Arc<AdminAccess>,
    /// An admin token is configured and this browser has not unlocked the tray.
    pub locked: bool,
}

impl TrayAccess {
    /// The token every tray form carries.
    pub fn csrf(&self) -> &str {
        &self.access.tray.csrf
    }

    /// Whether a form's token is the tray's.
    pub fn csrf_ok(&self, given: &str) -> bool {
        same_secret(given.as_bytes(), self.access.tray.csrf.as_bytes())
    }

    /// Whether the tray asks for the admin token first.
    pub fn token_required(&self) -> bool {
        self.access.token.is_some()
    }

    /// The `Set-Cookie` value that unlocks the tray, when `given` is the admin token.
    pub fn unlock(&self, given: &str) -> Option<String> {
        let token = self.access.token.as_ref()?;
        same_secret(given.trim().as_bytes(), token.as_bytes()).then(|| {
            format!(
                "{TRAY_COOKIE}={}; Path=/__tray; HttpOnly; SameSite=Strict",
                self.access.tray.session
            )
        })
    }
}

const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

impl AdminAccess {
    /// The default of an in-process simulator: loopback names only, no token.
    pub fn loopback() -> Self {
        AdminAccess {
            token: None,
            hosts: Some(LOOPBACK_NAMES.iter().map(|s| (*s).to_owned()).collect()),
            tray: TraySecrets::new(),
        }
    }

    /// For a simulator listening on `listen`. Off loopback, a token is required.
    pub fn for_listen(listen: SocketAddr, token: Option<String>) -> Result<Self, String> {
        let token = token.filter(|t| !t.is_empty());
        if !listen.ip().is_loopback() && token.is_none() {
            return Err(format!(
                "--listen {listen} is reachable from other machines: set --admin-token TOKEN \
                 (the admin API can wipe the population and move the clock)"
            ));
        }
        let hosts = if listen.ip().is_unspecified() {
            None
        } else {
            let mut h: Vec<String> = LOOPBACK_NAMES.iter().map(|s| (*s).to_owned()).collect();
            h.push(listen.ip().to_string());
            Some(h)
        };
        Ok(AdminAccess {
            token,
            hosts,
            tray: TraySecrets::new(),
        })
    }

    fn host_allowed(&self, host: &str) -> bool {
        match &self.hosts {
            None => true,
            Some(hosts) => {
                let h = host_name(host);
                hosts.iter().any(|a| a.eq_ignore_ascii_case(&h))
            }
        }
    }

    /// Host and Origin: the request comes from this simulator's own name and no other site.
    fn check_site(&self, headers: &HeaderMap) -> Result<(), (StatusCode, String)> {
        let text = |name: header::HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or(""));
        if let Some(host) = text(header::HOST) {
            if !self.host_allowed(host) {
                return Err((
                    StatusCode::FORBIDDEN,
                    "admin API: Host is not this simulator (use localhost or 127.0.0.1)".into(),
                ));
            }
        }
        if let Some(origin) = text(header::ORIGIN) {
            let allowed = origin
                .split_once("://")
                .is_some_and(|(_, authority)| self.host_allowed(authority));
            if !allowed {
                return Err((
                    StatusCode::FORBIDDEN,
                    "admin API: requests from web pages of other sites are refused (Origin)".into(),
                ));
            }
        }
        Ok(())
    }

    fn bearer_ok(&self, headers: &HeaderMap) -> bool {
        let Some(token) = &self.token else {
            return true;
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or(""))
            .and_then(|v| v.trim().strip_prefix("Bearer "))
            .unwrap_or("");
        same_secret(given.trim().as_bytes(), token.as_bytes())
    }

    fn check(&self, method: &Method, headers: &HeaderMap) -> Result<(), (StatusCode, String)> {
        self.check_site(headers)?;
        if !self.bearer_ok(headers) {
            return Err((
                StatusCode::UNAUTHORIZED,
                "admin API: Authorization: Bearer <admin token> required".into(),
            ));
        }
        let changes_state = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if changes_state {
            let ct = content_type(headers);
            if matches!(
                ct.as_str(),
                "text/plain" | "application/x-www-form-urlencoded" | "multipart/form-data"
            ) {
                return Err((
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    format!(
                        "admin API: Content-Type {ct} is refused; send application/json \
                         (application/toml for fixtures)"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The tray's rule: the admin API's Host and Origin checks; a state change must come from a
    /// page of this simulator (`Origin`, else `Referer`, naming the request's own `Host`) as a
    /// form (the handlers check its CSRF token). With an admin token: `Authorization: Bearer`
    /// or the cookie `POST /__tray/unlock` set; without either only `GET /__tray` (shown as
    /// the unlock form) and the unlock itself pass. `Ok(locked)`.
    fn check_tray(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
    ) -> Result<bool, (StatusCode, String)> {
        self.check_site(headers)?;
        let text = |name: header::HeaderName| headers.get(name).map(|v| v.to_str().unwrap_or(""));
        let changes_state = !matches!(*method, Method::GET | Method::HEAD);
        if changes_state {
            let host = text(header::HOST).unwrap_or("");
            let from = text(header::ORIGIN).or_else(|| text(header::REFERER));
            let same_page = from
                .and_then(|o| o.split_once("://"))
                .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
                .is_some_and(|authority| !host.is_empty() && authority.eq_ignore_ascii_case(host));
            if !same_page {
                return Err((
                    StatusCode::FORBIDDEN,
                    "tray: a change must come from the tray's own page (Origin or Referer)".into(),
                ));
            }
            if content_type(headers) != "application/x-www-form-urlencoded" {
                return Err((
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "tray: send the tray's form (application/x-www-form-urlencoded)".into(),
                ));
            }
        }
        let unlocked = self.bearer_ok(headers)
            || cookie(headers, TRAY_COOKIE)
                .map(str::trim)
                .is_some_and(|c| same_secret(c.as_bytes(), self.tray.session.as_bytes()));
        if unlocked {
            return Ok(false);
        }
        let open = (*method == Method::GET && path == "/__tray")
            || (*method == Method::POST && path == TRAY_UNLOCK);
        if open {
            Ok(true)
        } else {
            Err((
                StatusCode::UNAUTHORIZED,
                "tray: unlock the tray with the admin token first (GET /__tray)".into(),
            ))
        }
    }
}

/// The media type of a request, lower case, without parameters.
fn content_type(headers: &HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or(""))
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// `host`, `host:port`, `[v6]:port` → the host name, lower case, no trailing dot.
fn host_name(authority: &str) -> String {
    let a = authority.trim();
    let host = if let Some(rest) = a.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        match a.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => a,
        }
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Guards `/__admin/…` and the tray `/__tray…`: the refusal, or `None` (a tray request then
/// carries its [`TrayAccess`]); everything else passes. Called by the one front layer
/// ([`super::front`]) on every request, without copying the path.
pub fn refusal(access: &Arc<AdminAccess>, req: &mut Request) -> Option<Response> {
    let path = req.uri().path();
    if path.starts_with("/__admin") {
        if let Err((status, msg)) = access.check(req.method(), req.headers()) {
            return Some((status, Json(json!({ "error": msg }))).into_response());
        }
    } else if is_tray_path(path) {
        match access.check_tray(req.method(), path, req.headers()) {
            Ok(locked) => {
                req.extensions_mut().insert(TrayAccess {
                    access: access.clone(),
                    locked,
                });
            }
            Err((status, msg)) => return Some((status, msg).into_response()),
        }
    }
    None
}

/// Whether [`clip_errors`] may change `res`: a 4xx answer that is not a [`WholePage`].
pub fn needs_clipping(res: &Response) -> bool {
    res.status().is_client_error() && res.extensions().get::<WholePage>().is_none()
}

/// A 4xx answer longer than 4 KiB has every long string clipped (JSON) or is cut (text), so an
/// error never sends a client's huge input back (the front layer passes every answer here). A
/// [`WholePage`] is left whole.
pub async fn clip_errors(res: Response) -> Response {
    if !needs_clipping(&res) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 4 * MAX_ADMIN_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => return (parts.status, "request refused").into_response(),
    };
    if bytes.len() <= MAX_ERROR_BYTES {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let clipped = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut v) => {
            clip_strings(&mut v);
            serde_json::to_vec(&v).unwrap_or_default()
        }
        Err(_) => clip(&String::from_utf8_lossy(&bytes)).into_bytes(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(clipped))
}

fn clip(s: &str) -> String {
    if s.len() <= CLIPPED_CHARS {
        return s.to_owned();
    }
    let kept: String = s.chars().take(CLIPPED_CHARS).collect();
    format!("{kept}… ({} bytes in all)", s.len())
}

fn clip_strings(v: &mut Value) {
    match v {
        Value::String(s) if s.len() > CLIPPED_CHARS => *s = clip(s),
        Value::Array(a) => a.iter_mut().for_each(clip_strings),
        Value::Object(o) => o.values_mut().for_each(clip_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_without_ports_and_brackets() {
        assert_eq!(host_name("localhost:8080"), "localhost");
        assert_eq!(host_name("[::1]:8080"), "::1");
        assert_eq!(host_name("LOCALHOST."), "localhost");
        assert_eq!(host_name("evil.example"), "evil.example");
        let a = AdminAccess::loopback();
        assert!(a.host_allowed("127.0.0.1:1"));
        assert!(!a.host_allowed("127.0.0.1.evil.example:80"));
        assert!(AdminAccess::for_listen("0.0.0.0:80".parse().unwrap(), None).is_err());
        assert!(same_secret(b"abc", b"abc") && !same_secret(b"abc", b"abd"));
    }
}
