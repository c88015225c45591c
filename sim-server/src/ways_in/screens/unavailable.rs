//! The page a screen answers with when the operator's menu does not show its item (RULE-69,
//! RULE-77) and it is opened by its URL: one refusal for all of them.

use super::layout::Page;
use super::paths;
use super::session::Operator;
use axum::response::{IntoResponse, Response};
use maud::html;
use oqs_protocol::texts::accounts as t;

/// `message` (tagged with `rule`) and a way back to the menu instead of the screen.
pub fn not_available(op: &Operator, title: &str, rule: &'static str, message: &str) -> Response {
    let h = op.header();
    Page::new(title)
        .header(&h)
        .render(html! {
            section.panel {
                p.error #not-available data-rule=(rule) { (message) }
                a.btn href=(paths::MENU) { (t::BUTTON_MENU) }
            }
        })
        .into_response()
}
