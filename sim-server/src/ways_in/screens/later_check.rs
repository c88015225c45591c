//! システム障害時の資格確認 after recovery (ch.12 §1, RULE-92, FLOW-45 step 4): the data staff
//! noted from a My Number card during the outage (DM-23) → the qualification, recorded as
//! 「システム障害時」 under the operator's login id. The manual says who may do it (管理アカウント
//! or 医療情報閲覧アカウント, within the set period) but shows no screen: this one is the
//! simulator's own (titled with ch.12 §1's heading, marked as such). It calls the service the
//! JSON route `POST /outage/later-check` calls (`Simulator::later_check`), with the operator of the
//! session — never a login id from the form. The menu shows it only to those accounts while the
//! period is open (`menu::Shown::LaterCheck`); posted by anyone else, the service refuses.

use super::checks::{style, view};
use super::layout::Page;
use super::paths;
use super::session::{Operator, Posted};
use super::unavailable::{LaterCheck, Shows};
use crate::services::outage::LaterCheckRefusal;
use crate::services::recovery::{Checked, RecoveryError};
use crate::simulator::Simulator;
use crate::ways_in::outage::TypedNotes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use oqs_protocol::texts::{self, accounts as ta, outage as t};
use std::sync::Arc;

/// The screen (GET) and its 《資格確認》 (POST).
pub const LATER_CHECK: &str = "/later-check";

fn refusal_text(e: &RecoveryError) -> &'static str {
    match e {
        RecoveryError::Window(LaterCheckRefusal::StillDown) | RecoveryError::Outage => {
            t::LATER_CHECK_STILL_DOWN
        }
        RecoveryError::Window(LaterCheckRefusal::NoOutage) => t::LATER_CHECK_NO_OUTAGE,
        RecoveryError::Window(LaterCheckRefusal::PeriodOver(_)) => t::LATER_CHECK_PERIOD_OVER,
        // RULE-92's own sentence names who may use it.
        RecoveryError::Account(_) => t::AFTER_RECOVERY,
        RecoveryError::Notes(_) => t::LATER_CHECK_REQUIRED,
        RecoveryError::Input(_) | RecoveryError::EmergencyClosed => t::LATER_CHECK_BAD_INPUT,
    }
}

fn field(id: &str, label: &str, value: &str) -> Markup {
    html! {
        label for=(id) { (label) }
        input id=(id) type="text" name=(id) value=(value);
    }
}

/// A checked qualification as SCR-10 shows it, under `kind` (the history's 確認区分) and the day.
pub(super) fn result(c: &Checked, kind: &str) -> Markup {
    html! {
        section.panel #later-result data-validity=(c.validity.label()) {
            h2 { (kind) " " (c.date.format("%Y/%m/%d")) }
            @if let Some(b) = texts::banner(c.validity) { p.ok #banner { (b) } }
            p #validity { (c.validity.label()) }
            @for r in &c.results {
                (view::rows("insured", &view::insured(r)))
                (view::qualification_rows(&view::qualification(r)))
            }
        }
    }
}

fn page(
    op: &Operator,
    typed: &TypedNotes,
    error: Option<&str>,
    done: Option<&Checked>,
) -> Response {
    let h = op.header();
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let sex = typed.sex.clone().unwrap_or_default();
    Page::new(t::LATER_CHECK_TITLE)
        .header(&h)
        .render(html! {
            (style())
            section.panel {
                p.note #simulator-note { (t::LATER_CHECK_SIMULATOR_NOTE) }
                p.rules { (t::AFTER_RECOVERY) }
            }
            form.fields #later-check method="post" action=(LATER_CHECK) {
                input type="hidden" name="csrf" value=(op.csrf());
                section.panel {
                    h2 { (t::NOTE_FROM_CARD) }
                    (field("name", t::NOTE_NAME, &typed.name))
                    label for="sex" { (t::NOTE_SEX) }
                    select #sex name="sex" {
                        option value="" selected[sex.is_empty()] { "" }
                        @for s in ["男", "女"] { option value=(s) selected[sex == s] { (s) } }
                    }
                    (field("birthdate", t::NOTE_BIRTHDATE, &typed.birthdate))
                    (field("address", t::NOTE_ADDRESS, &o(&typed.address)))
                    h2 { (t::NOTE_FROM_QUESTIONNAIRE) }
                    (field("kana", t::NOTE_KANA, &o(&typed.kana)))
                    (field("insurer_name", t::NOTE_INSURER, &o(&typed.insurer_name)))
                    (field("visited_on", t::VISITED_ON, &o(&typed.visited_on)))
                    @if let Some(e) = error { p.error #later-refused role="alert" { (e) } }
                    div.actions {
                        button #submit type="submit" { (t::BUTTON_LATER_CHECK) }
                        a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                        a.btn.sub href=(paths::MENU) { (ta::BUTTON_BACK) }
                    }
                }
            }
            @if let Some(c) = done { (result(c, texts::HISTORY_KIND_SYSTEM_OUTAGE)) }
        })
        .into_response()
}

/// 《資格確認》: the operator of the session checks the notes.
async fn check(
    _: Shows<LaterCheck>,
    State(sim): State<Arc<Simulator>>,
    p: Posted<TypedNotes>,
) -> Response {
    let Posted { op, form } = p;
    let (notes, visited_on) = match form.clone().read() {
        Ok(n) => n,
        Err(_) => return page(&op, &form, Some(t::LATER_CHECK_BAD_INPUT), None),
    };
    match sim.later_check(&op.account.facility, op.login_id(), &notes, visited_on) {
        Ok(c) => page(&op, &form, None, Some(&c)),
        Err(e) => page(&op, &form, Some(refusal_text(&e)), None),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new().route(
        LATER_CHECK,
        get(|_: Shows<LaterCheck>, op: Operator| async move {
            page(&op, &TypedNotes::default(), None, None)
        })
        .post(check),
    )
}
