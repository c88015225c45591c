//! The page a screen answers with when the operator's menu does not show its item (RULE-69,
//! RULE-76, RULE-77, RULE-63) and it is opened by its URL: one refusal for all of them, decided
//! by the menu's own [`Shown::holds`].

use super::layout::Page;
use super::paths;
use super::session::Operator;
use super::shown::{Shown, TerminalCondition};
use crate::simulator::Simulator;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use maud::html;
use oqs_protocol::texts::accounts as t;
use std::marker::PhantomData;
use std::sync::Arc;

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

/// A menu condition a screen's routes are guarded by.
pub trait Condition {
    /// The condition of the screen's menu item.
    const SHOWN: Shown;
    const RULE: &'static str;
    /// The refusal page's title (the item's group) and text.
    const TITLE: &'static str;
    const MESSAGE: &'static str;
}

/// `None` when an item with condition `C` is shown to `op`; otherwise the refusal page.
pub fn refusal<C: Condition>(sim: &Simulator, op: &Operator) -> Option<Response> {
    (!C::SHOWN.holds(sim, op)).then(|| not_available(op, C::TITLE, C::RULE, C::MESSAGE))
}

/// An extractor a guarded handler takes first: it lets the request through only when the
/// operator's menu shows the screen's item (GET and POST alike), else answers [`refusal`].
pub struct Shows<C>(PhantomData<C>);

impl<C: Condition> FromRequestParts<Arc<Simulator>> for Shows<C> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        sim: &Arc<Simulator>,
    ) -> Result<Self, Self::Rejection> {
        let op = Operator::from_request_parts(parts, sim).await?;
        match refusal::<C>(sim, &op) {
            Some(page) => Err(page),
            None => Ok(Shows(PhantomData)),
        }
    }
}

/// RULE-76 (ENV-08): SCR-31 顔認証付きカードリーダー操作.
pub struct FaceOperation;

impl Condition for FaceOperation {
    const SHOWN: Shown = Shown::Terminal(TerminalCondition::FaceOperation);
    const RULE: &'static str = "RULE-76";
    const TITLE: &'static str = oqs_protocol::texts::face::SCR31_TITLE;
    const MESSAGE: &'static str = oqs_protocol::texts::face::OPERATION_NOT_AVAILABLE;
}

/// RULE-77 (ENV-09, ENV-02/03; a pharmacy's ENV-04): SCR-32 顔認証付きカードリーダー環境設定.
pub struct FaceSettings;

impl Condition for FaceSettings {
    const SHOWN: Shown = Shown::Terminal(TerminalCondition::FaceSettings);
    const RULE: &'static str = "RULE-77";
    const TITLE: &'static str = oqs_protocol::texts::face::SCR32_TITLE;
    const MESSAGE: &'static str = oqs_protocol::texts::face::SETTINGS_NOT_AVAILABLE;
}

/// RULE-63 (ENV-06): the 訪問診療等・オンライン診療等 screens (SCR-21..28).
pub struct Visiting;

impl Condition for Visiting {
    const SHOWN: Shown = Shown::Terminal(TerminalCondition::Visiting);
    const RULE: &'static str = "RULE-63";
    const TITLE: &'static str = "訪問診療等・オンライン診療等";
    const MESSAGE: &'static str = oqs_protocol::texts::visiting_check::VISITING_NOT_AVAILABLE;
}

/// RULE-90 (ENV-14): the emergency function's screen, only inside its 対象期間.
pub struct Emergency;

impl Condition for Emergency {
    const SHOWN: Shown = Shown::Emergency;
    const RULE: &'static str = "RULE-90";
    const TITLE: &'static str = oqs_protocol::texts::outage::EMERGENCY_MENU;
    const MESSAGE: &'static str = oqs_protocol::texts::outage::EMERGENCY_CLOSED;
}

/// RULE-92 (FLOW-45): the later check's screen, after a recovery within the set period, for
/// 管理アカウント and 医療情報閲覧アカウント.
pub struct LaterCheck;

impl Condition for LaterCheck {
    const SHOWN: Shown = Shown::LaterCheck;
    const RULE: &'static str = "RULE-92";
    const TITLE: &'static str = oqs_protocol::texts::outage::LATER_CHECK_TITLE;
    const MESSAGE: &'static str = oqs_protocol::texts::outage::AFTER_RECOVERY;
}
