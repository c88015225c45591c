//! The WebAPI JSON mirror (interface.md §1, §5): token auth, then the single inquiry with the
//! XML tree mirrored as JSON. The auth body is not public; the simulator's shape is documented
//! in the README.

use crate::http::read_body;
use crate::simulator::Simulator;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use oqs_protocol::naming::MessageId;
use oqs_protocol::texts;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

use crate::services::accounts::{Kind, Login};
pub use crate::services::tokens::{DEMO_PASSWORD, DEMO_USER, TOKEN_CAPACITY};

pub const AUTH_PATH: &str = "/oqs-api-pro/MSA12020/ILI12020SV01/auth";
pub const SEARCH_PATH: &str = "/oqs-api-pro/MSA01030/ILI01030SV01/search";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthRequest {
    #[serde(alias = "userid", alias = "loginId")]
    user_id: String,
    password: String,
}

fn refused(status: StatusCode, msg: &str) -> Response {
    (
        status,
        Json(json!({"status": "1", "msg": msg, "result": null})),
    )
        .into_response()
}

async fn auth(State(sim): State<Arc<Simulator>>, body: Body) -> Response {
    let bytes = match read_body(&sim, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let req: AuthRequest = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => {
            return (StatusCode::BAD_REQUEST, Json(json!({"status": "1", "msg": format!("{}（{e}）", texts::WEBAPI_AUTH_FAILED), "result": null})))
                .into_response()
        }
    };
    let now = sim.clock.now();
    let checker = sim.clone();
    // The password hash takes tens of milliseconds: off the async workers.
    let login = tokio::task::spawn_blocking(move || {
        checker
            .accounts
            .login(&req.user_id, &req.password, now, Some(Kind::WebApi))
    })
    .await
    .unwrap_or(Login::Refused);
    let result = match login {
        Login::Granted { .. } => {
            let t = sim.tokens.issue(now);
            json!({"accessToken": t.access, "refreshToken": t.refresh, "idToken": t.id})
        }
        Login::Refused => return refused(StatusCode::UNAUTHORIZED, texts::WEBAPI_AUTH_FAILED),
        Login::Locked(until) => {
            return (
                StatusCode::FORBIDDEN,
                Json(json!({
                    "status": "1",
                    "msg": texts::WEBAPI_ACCOUNT_LOCKED,
                    "err": "ERR-01",
                    "lockedUntil": until.to_rfc3339(),
                    "result": null,
                })),
            )
                .into_response()
        }
    };
    Json(json!({"status": "0", "msg": "", "result": result})).into_response()
}

async fn search(State(sim): State<Arc<Simulator>>, headers: HeaderMap, body: Body) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .strip_prefix("Bearer ")
                .unwrap_or(v.trim())
                .to_owned()
        });
    match token {
        Some(t) if sim.tokens.use_token(&t, sim.clock.now()) => {}
        _ => return refused(StatusCode::UNAUTHORIZED, texts::WEBAPI_TOKEN_REQUIRED),
    }
    let bytes = match read_body(&sim, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    match sim.handle_json(MessageId::SingleInquiryRequest, &bytes, SEARCH_PATH) {
        Ok(a) => Json(oqs_protocol::json::to_json(&a.root)).into_response(),
        Err(r) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"status": "1", "msg": r.message, "errorCode": r.code, "detail": r.detail, "result": null})),
        )
            .into_response(),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(AUTH_PATH, post(auth))
        .route(SEARCH_PATH, post(search))
}
