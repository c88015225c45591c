//! WebAPI (JSON mirror, docs/interface.md §1.3 and §2.2): auth for an idToken, then the single
//! inquiry as JSON with `Authorization: <idToken>`. A 401 on search means the token is no longer
//! valid (30 minutes unused, 24 hours at most): the client authenticates again, once, and
//! repeats the search. A 403 on auth is the account lockout (ERR-01), reported, not retried.

use crate::Mutant;
use oqs_adapter_protocol::WebApiAccount;
use oqs_protocol::Element;
use serde_json::Value;

pub const AUTH_PATH: &str = "/oqs-api-pro/MSA12020/ILI12020SV01/auth";
pub const SEARCH_PATH: &str = "/oqs-api-pro/MSA01030/ILI01030SV01/search";

/// The idToken of the last auth, if any.
#[derive(Debug, Default)]
pub struct Session {
    id_token: Option<String>,
}

/// What a search came back with.
pub enum Searched {
    /// The answer, read back from the JSON mirror.
    Document(Element),
    /// Refused: `<code> <message>` as a rejection's first line.
    Rejected(String),
}

fn text_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// One search (the OQSsiquc01req `request` as JSON), re-authenticating once on a 401.
pub fn search(
    http: &reqwest::blocking::Client,
    base: &str,
    account: &WebApiAccount,
    session: &mut Session,
    request: &Element,
    mutant: Option<Mutant>,
) -> Result<Searched, String> {
    let mut body = oqs_protocol::json::to_json(request);
    if mutant == Some(Mutant::WebApiFlatJson) {
        // Without the XmlMsg wrapper: not the mirror of a message.
        body = body.get("XmlMsg").cloned().unwrap_or(body);
    }
    let url = format!("{base}{SEARCH_PATH}");
    for attempt in 0..2 {
        let token = match &session.id_token {
            Some(t) => t.clone(),
            None => {
                let t = match auth(http, base, account)? {
                    Ok(t) => t,
                    // システム障害: the auth is refused like everything else (§2.9).
                    Err(outage) => return Ok(Searched::Rejected(outage)),
                };
                session.id_token = Some(t.clone());
                t
            }
        };
        let res = http
            .post(&url)
            .header("authorization", token)
            .json(&body)
            .send()
            .map_err(|e| format!("POST {url}: {e}"))?;
        let status = res.status();
        let text = res.text().map_err(|e| format!("POST {url}: {e}"))?;
        let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status == reqwest::StatusCode::UNAUTHORIZED {
            session.id_token = None;
            if attempt == 0 && mutant != Some(Mutant::NoReauthOn401) {
                continue;
            }
            return Ok(Searched::Rejected(text_of(&json, "msg")));
        }
        if status.is_client_error() || status == reqwest::StatusCode::SERVICE_UNAVAILABLE {
            let code = text_of(&json, "errorCode");
            return Ok(Searched::Rejected(format!(
                "{code} {}",
                text_of(&json, "msg")
            )));
        }
        if !status.is_success() {
            return Err(format!("POST {url}: HTTP {status}: {text}"));
        }
        let root = oqs_protocol::json::from_json(&json)
            .map_err(|e| format!("POST {url}: not the JSON mirror of a result ({e}): {text}"))?;
        return Ok(Searched::Document(root));
    }
    Err(format!("POST {url}: refused twice"))
}

/// `POST …/auth` → the idToken, or (inner `Err`) the outage's `<code> <message>` when the
/// system is down (HTTP 503).
fn auth(
    http: &reqwest::blocking::Client,
    base: &str,
    account: &WebApiAccount,
) -> Result<Result<String, String>, String> {
    let url = format!("{base}{AUTH_PATH}");
    let res = http
        .post(&url)
        .json(&serde_json::json!({"userId": account.user_id, "password": account.password}))
        .send()
        .map_err(|e| format!("POST {url}: {e}"))?;
    let status = res.status();
    let text = res.text().map_err(|e| format!("POST {url}: {e}"))?;
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status == reqwest::StatusCode::SERVICE_UNAVAILABLE {
        return Ok(Err(format!(
            "{} {}",
            text_of(&json, "errorCode"),
            text_of(&json, "msg")
        )));
    }
    if !status.is_success() {
        // 401 wrong account, 403 locked (ERR-01, lockedUntil): the adapter cannot go on.
        return Err(format!(
            "WebAPI auth refused (HTTP {status}): {} {}",
            text_of(&json, "err"),
            text_of(&json, "msg")
        ));
    }
    json.pointer("/result/idToken")
        .and_then(Value::as_str)
        .map(|t| Ok(t.to_owned()))
        .ok_or_else(|| format!("WebAPI auth answered no idToken: {text}"))
}
