//! The check screens (issue 13): SCR-08/09 My Number check ([`mynumber`]), SCR-13 insurance-card
//! check ([`insurance_card`]) and SCR-10 the result with its follow-ups ([`result`]). Each calls
//! the terminal service the machine routes call (`terminal::confirm`,
//! `terminal::confirm_insurance_card`, `terminal::update`) with the operator's login id, so a
//! check made here is journalled and in the history like any other. SCR-11 (the 医療扶助 tab) is
//! drawn by [`assistance`] inside SCR-10's frame; SCR-12 (《処方箋取得へ》, FLOW-17) is
//! [`prescription`].

pub mod assistance;
pub mod insurance_card;
pub mod mynumber;
pub mod prescription;
pub mod result;
pub mod view;

use super::dialog::Dialog;
use crate::simulator::Simulator;
use axum::Router;
use maud::{html, Markup, PreEscaped};
use oqs_protocol::texts::{self, checks as t};
use std::sync::Arc;

/// The check screens' paths.
pub mod paths {
    /// SCR-08 (POST: the card event, SCR-09 on the PIN path).
    pub const MYNUMBER: &str = "/check/mynumber";
    /// SCR-13.
    pub const INSURANCE_CARD: &str = "/check/insurance-card";
    /// SCR-10 is `/check/result/{id}`; `…/update`, `…/xml` its actions.
    pub const RESULT: &str = "/check/result";
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .merge(mynumber::router())
        .merge(insurance_card::router())
        .merge(result::router())
        .merge(prescription::router())
}

/// What the check screens add to the common style sheet.
const CSS: &str = r#"
.tabs{display:flex;gap:4px;margin-bottom:12px}
.tabs a{padding:8px 18px;border:1px solid #1f4e79;border-radius:4px 4px 0 0;text-decoration:none;color:#1f4e79;background:#fff;font-weight:600}
.tabs a.on{background:#1f4e79;color:#fff}
table.kv{border-collapse:collapse;margin:4px 0 8px}
table.kv th,table.kv td{border:1px solid #c9d3de;padding:4px 10px;font-size:14px;text-align:left}
table.kv th{background:#e3eaf2;min-width:150px;font-weight:600}
.red{color:#d00000;font-weight:700}
.banner{font-size:20px;font-weight:700;padding:10px 14px;border-radius:4px;background:#e7f4ea;color:#0b6b2b}
.banner.invalid{background:#fde8e8;color:#b00020}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.boxes label{display:block;margin:6px 0;font-weight:400}
.guide{font-size:14px;line-height:1.7;margin:0 0 10px}
.sim{font-size:12px;color:#8a5a00}
fieldset{border:1px solid #c9d3de;border-radius:4px;margin:0 0 12px;padding:8px 14px}
legend{font-weight:600}
input.pin{font-size:22px;letter-spacing:8px;width:140px;padding:6px}
button.row{min-width:0;background:#fff;color:#1d2733;border:0;padding:0;text-align:left;text-decoration:underline;font-size:14px}
"#;

/// The style element of the check screens.
pub fn style() -> Markup {
    html! { style { (PreEscaped(CSS)) } }
}

/// 生年月日 (元号 + 年月日, 初期値 昭和) fields with these names' values: SCR-13, SCR-27 and
/// (`sized` false, no `size` attributes) SCR-22, SCR-25.
pub fn birth_fields(era: &str, year: &str, month: &str, day: &str, sized: bool) -> Markup {
    let era = if era.is_empty() { "昭和" } else { era };
    html! {
        select #era name="era" aria-label="元号" {
            @for e in t::ERAS { option value=(e) selected[e == era] { (e) } }
        }
        " "
        input #year type="text" name="year" value=(year) size=[sized.then_some("4")] style="width:70px";
        (t::YEAR)
        input #month type="text" name="month" value=(month) size=[sized.then_some("2")] style="width:50px";
        (t::MONTH)
        input #day type="text" name="day" value=(day) size=[sized.then_some("2")] style="width:50px";
        (t::DAY)
    }
}

/// The tabs 「資格確認方法」 《マイナンバーカード》《保険証》 (HDR, SCR-08 ⑥, SCR-10 ⑤).
pub fn tabs(on_mynumber: Option<bool>) -> Markup {
    html! {
        nav.tabs aria-label=(t::CHECK_METHOD) {
            a.on[on_mynumber == Some(true)] href=(paths::MYNUMBER) { (t::TAB_MYNUMBER) }
            a.on[on_mynumber == Some(false)] href=(paths::INSURANCE_CARD) { (t::TAB_INSURANCE_CARD) }
        }
    }
}

/// A confirmation's dialog (ERR-05..19, ERR-08's notice, a wrong PIN) as the one dialog helper
/// draws it: catalogue dialogs from the catalogue, with the terminal's message where it fills a
/// value in (ERR-08's date, ERR-14's code); the simulator's own (wrong PIN) as they come.
pub fn card_dialog(d: &crate::terminal::Dialog) -> Dialog {
    const OK: &[&str] = &[texts::accounts::BUTTON_OK];
    match d.err.as_deref().and_then(texts::card_dialog) {
        Some(c) => {
            let mut shown = Dialog::err(c, OK);
            if !c.is_placeholder() {
                shown.message = d.message.clone();
            }
            shown
        }
        None => Dialog {
            id: "SIM",
            title: if d.title.as_deref() == Some(texts::WRONG_PIN_TITLE) {
                texts::WRONG_PIN_TITLE
            } else {
                texts::PLACEHOLDER_LABEL
            },
            message: d.message.clone(),
            details: Vec::new(),
            buttons: OK,
        },
    }
}
