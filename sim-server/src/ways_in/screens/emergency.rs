//! 緊急時医療情報・資格確認機能 (ENV-14, RULE-90): the manual says only that its menu item shows
//! inside the 対象期間 (its image and items were removed, 改定履歴 v1.16). This screen is the
//! simulator's own, marked as such: an insurance card checked through the service the JSON route
//! `POST /emergency/check` calls (`Simulator::emergency_check`), recorded as 「災害時」 (no
//! 《詳細》, RULE-59) under the session's operator. Outside the period the service refuses.

use super::checks::style;
use super::later_check::result;
use super::layout::Page;
use super::paths;
use super::session::{Operator, Posted};
use super::unavailable::{Emergency, Shows};
use crate::services::recovery::RecoveryError;
use crate::simulator::Simulator;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::html;
use oqs_domain::fixtures::parse_fixture_date;
use oqs_protocol::message::SearchInfo;
use oqs_protocol::texts::{self, accounts as ta, checks as tc, outage as t};
use serde::Deserialize;
use std::sync::Arc;

/// The screen (GET) and its 《照会》 (POST).
pub const EMERGENCY: &str = "/emergency-check";

/// The card as typed (SCR-13's fields; 生年月日 `yyyy/mm/dd`).
#[derive(Debug, Default, Clone, Deserialize)]
struct CardForm {
    #[serde(default)]
    insurer: String,
    #[serde(default)]
    symbol: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    branch: String,
    #[serde(default)]
    birthdate: String,
}

fn page(
    op: &Operator,
    form: &CardForm,
    error: Option<&str>,
    done: Option<&crate::services::recovery::Checked>,
) -> Response {
    let h = op.header();
    let field = |id: &str, label: &str, value: &str| {
        html! {
            label for=(id) { (label) }
            input id=(id) type="text" name=(id) value=(value);
        }
    };
    Page::new(t::EMERGENCY_MENU)
        .header(&h)
        .render(html! {
            (style())
            section.panel { p.note #simulator-note { (t::EMERGENCY_SIMULATOR_NOTE) } }
            form.fields #emergency method="post" action=(EMERGENCY) {
                input type="hidden" name="csrf" value=(op.csrf());
                section.panel {
                    h2 { (tc::SEARCH_HEADING) }
                    (field("insurer", tc::SEARCH_FIELDS[0].0, &form.insurer))
                    (field("symbol", tc::SEARCH_FIELDS[1].0, &form.symbol))
                    (field("number", tc::SEARCH_FIELDS[2].0, &form.number))
                    (field("branch", tc::SEARCH_FIELDS[3].0, &form.branch))
                    (field("birthdate", tc::BIRTHDATE, &form.birthdate))
                    @if let Some(e) = error { p.error #emergency-refused role="alert" { (e) } }
                    div.actions {
                        button #submit type="submit" { (tc::BUTTON_INQUIRE) }
                        a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                        a.btn.sub href=(paths::MENU) { (ta::BUTTON_BACK) }
                    }
                }
            }
            @if let Some(c) = done { (result(c, texts::HISTORY_FILTER_DISASTER)) }
        })
        .into_response()
}

/// 《照会》: the card checked by the session's operator.
async fn check(
    _: Shows<Emergency>,
    State(sim): State<Arc<Simulator>>,
    p: Posted<CardForm>,
) -> Response {
    let Posted { op, form } = p;
    let Some(birthdate) = parse_fixture_date(form.birthdate.trim()) else {
        return page(&op, &form, Some(t::EMERGENCY_BAD_INPUT), None);
    };
    let opt = |v: &str| Some(v.trim().to_owned()).filter(|s| !s.is_empty());
    let search = SearchInfo {
        insurer_number: opt(&form.insurer),
        insured_card_symbol: opt(&form.symbol),
        insured_identification_number: opt(&form.number),
        insured_branch_number: opt(&form.branch),
        birthdate: Some(birthdate.format("%Y%m%d").to_string()),
        limit_application_certificate_related_cons_flg: Some("0".into()),
        arbitrary_identifier: None,
    };
    match sim.emergency_check(&op.account.facility, op.login_id(), search) {
        Ok(c) => page(&op, &form, None, Some(&c)),
        Err(RecoveryError::EmergencyClosed) => page(&op, &form, Some(t::EMERGENCY_CLOSED), None),
        Err(_) => page(&op, &form, Some(t::EMERGENCY_BAD_INPUT), None),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new().route(
        EMERGENCY,
        get(|_: Shows<Emergency>, op: Operator| async move {
            page(&op, &CardForm::default(), None, None)
        })
        .post(check),
    )
}
