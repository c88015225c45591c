//! A file answered for download (`Content-Disposition: attachment`): one shape for every way in
//! (bulk results, prescriptions, stored dispensing zips, answers, samples).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `body` as the file `name`, of `content_type`.
pub(crate) fn attachment(
    content_type: impl Into<String>,
    name: &str,
    body: impl IntoResponse,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.into()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}
