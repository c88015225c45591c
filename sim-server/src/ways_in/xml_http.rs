//! XML over HTTP: `POST /xml/{message-id}` with the request XML as the body.

use crate::journal::Transport;
use crate::simulator::{Rejection, Simulator};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use oqs_protocol::errors::ErrorKind;
use oqs_protocol::TextEncoding;
use std::sync::Arc;

/// A rejection as an HTTP response: the error-table text, plain UTF-8.
pub fn rejection_response(r: &Rejection) -> Response {
    let status = match r.kind {
        ErrorKind::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::UnknownMessage => StatusCode::NOT_FOUND,
        ErrorKind::SystemOutage => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        r.to_text(),
    )
        .into_response()
}

/// Reads a body up to the configured limit; beyond it, answers with the `body-too-large` row.
/// Any other read failure (e.g. the client went away) is a `xml-structure` rejection.
pub async fn read_body(sim: &Simulator, body: Body) -> Result<axum::body::Bytes, Response> {
    read_body_up_to(sim, body, sim.settings.max_request_bytes).await
}

/// [`read_body`] with a given limit (bulk files may be larger, `Simulator::request_limit`).
pub async fn read_body_up_to(
    sim: &Simulator,
    body: Body,
    limit: usize,
) -> Result<axum::body::Bytes, Response> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        let mut too_large = false;
        while let Some(err) = source {
            too_large |= err.is::<http_body_util::LengthLimitError>();
            source = err.source();
        }
        let r = if too_large {
            sim.rejection(
                ErrorKind::BodyTooLarge,
                format!("request body is larger than the limit of {limit} bytes"),
            )
        } else {
            sim.rejection(
                ErrorKind::XmlStructure,
                format!("the request body could not be read: {e}"),
            )
        };
        rejection_response(&r)
    })
}

async fn post_xml(
    State(sim): State<Arc<Simulator>>,
    Path(message): Path<String>,
    body: Body,
) -> Response {
    answer(&sim, &message, &format!("/xml/{message}"), body).await
}

/// Answers `POST /xml/{message}`: the request body read up to its limit and handled; `source`
/// is the path the journal records. The front calls it directly for a plain path
/// (`ways_in::front`), the router's route for any other.
pub async fn answer(sim: &Simulator, message: &str, source: &str, body: Body) -> Response {
    let bytes = match read_body_up_to(sim, body, sim.request_limit(message)).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    match answer_read(sim, message, source, &bytes) {
        Answered::Xml(reply) => reply.into_response(),
        Answered::Other(res) => res,
    }
}

/// The XML answer to a request: what goes out as a 200.
#[derive(Debug)]
pub struct XmlReply {
    /// A static value: a `&str` would be copied into a new header value per answer.
    pub content_type: &'static str,
    pub body: axum::body::Bytes,
}

impl IntoResponse for XmlReply {
    fn into_response(self) -> Response {
        let content_type = HeaderValue::from_static(self.content_type);
        ([(header::CONTENT_TYPE, content_type)], self.body).into_response()
    }
}

/// What a request whose body is read gets.
#[derive(Debug)]
pub enum Answered {
    /// The XML answer.
    Xml(XmlReply),
    /// A refusal's or a rejection's response (not yet clipped).
    Other(Response),
}

/// [`answer`] once the body is read (also the connection's own way, `ways_in::connection`).
pub fn answer_read(sim: &Simulator, message: &str, source: &str, body: &[u8]) -> Answered {
    match sim.handle_xml(message, body, Transport::HttpXml, source) {
        Ok(a) => Answered::Xml(XmlReply {
            content_type: match a.encoding {
                TextEncoding::Utf8 => "application/xml; charset=UTF-8",
                TextEncoding::ShiftJis => "application/xml; charset=Shift_JIS",
            },
            body: a.into_body(),
        }),
        Err(r) => Answered::Other(rejection_response(&r)),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new().route("/xml/{message}", post(post_xml))
}
