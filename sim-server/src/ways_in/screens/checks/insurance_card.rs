//! SCR-13 資格情報照会(被保険者証): the card's numbers, 生年月日 (BIRTH: 元号 + 年月日, 初期値
//! 昭和), 資格確認日, 「限度額適用認定証 表示する」 (→ DLG-07), 処方箋の発行; 《検索》 runs
//! `terminal::confirm_insurance_card` (the single inquiry's judgement) and shows SCR-10, or the
//! 複数該当 list ④ (RULE-32) whose rows search again with the row's 枝番.

use super::{paths, style, tabs, view};
use crate::simulator::Simulator;
use crate::terminal::{confirm_insurance_card, InsuranceCardRequest};
use crate::ways_in::screens::dialog::{Action, Dialog};
use crate::ways_in::screens::layout::Page;
use crate::ways_in::screens::paths as screen_paths;
use crate::ways_in::screens::session::{Operator, Posted};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, PreEscaped};
use oqs_domain::wareki;
use oqs_protocol::codes::{ProcessingResultStatus, QualificationValidity, Sex};
use oqs_protocol::message::QualificationResult;
use oqs_protocol::texts::{self, accounts as ta, assistance as tma, checks as t};
use serde::Deserialize;
use std::sync::Arc;

/// SCR-13's form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CardForm {
    pub insurer: String,
    pub symbol: String,
    pub number: String,
    pub branch: String,
    /// 元号 or 西暦.
    pub era: String,
    pub year: String,
    pub month: String,
    pub day: String,
    pub date: String,
    pub show_limit: Option<String>,
    pub prescription: Option<String>,
    /// `DLG-07` once answered 《OK》.
    pub ack: String,
    /// `box` / `search` / `clear`.
    pub step: String,
}

/// The card search's field names (保険者番号, 記号, 番号, 枝番, 生年月日), as SCR-13, SCR-22 and
/// SCR-27 carry them through a dialog.
const CARD_NAMES: [&str; 8] = [
    "insurer", "symbol", "number", "branch", "era", "year", "month", "day",
];

/// The card search's values (in [`CARD_NAMES`] order) as (name, value) pairs.
pub fn card_pairs(values: [&String; 8]) -> Vec<(String, String)> {
    CARD_NAMES
        .iter()
        .zip(values)
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

impl CardForm {
    /// The card and 生年月日 (not the 確認日) as (name, value) pairs.
    pub fn card_fields(&self) -> Vec<(String, String)> {
        card_pairs([
            &self.insurer,
            &self.symbol,
            &self.number,
            &self.branch,
            &self.era,
            &self.year,
            &self.month,
            &self.day,
        ])
    }

    fn fields(&self) -> Vec<(String, String)> {
        let mut f = self.card_fields();
        f.push(("date".into(), self.date.clone()));
        if self.show_limit.is_some() {
            f.push(("show_limit".into(), "on".into()));
            f.push(("ack".into(), self.ack.clone()));
        }
        if let Some(p) = &self.prescription {
            f.push(("prescription".into(), p.clone()));
        }
        f
    }

    /// 生年月日 as `yyyy/mm/dd` (BIRTH: 元号 or 西暦, then 年月日; also SCR-27's).
    pub fn birthdate(&self) -> Option<String> {
        let (y, m, d) = (self.year.trim(), self.month.trim(), self.day.trim());
        let date = if self.era == "西暦" {
            chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)?
        } else {
            wareki::parse(&format!("{}{y}年{m}月{d}日", self.era))?
        };
        Some(date.format("%Y/%m/%d").to_string())
    }
}

fn with(mut fields: Vec<(String, String)>, k: &str, v: &str) -> Vec<(String, String)> {
    fields.retain(|(key, _)| key != k);
    fields.push((k.into(), v.into()));
    fields
}

/// ④ 検索結果 (複数該当): one row per candidate; a row searches again with its 枝番.
fn matches(op: &Operator, form: &CardForm, results: &[QualificationResult]) -> Markup {
    html! {
        section.panel #matches {
            p.error { (texts::MULTIPLE_MATCHES) }
            p { (t::search_count(results.len())) }
            table.list {
                tr { @for c in t::MATCH_COLUMNS { th { (c) } } }
                @for r in results {
                    @let branch = r.insured_branch_number.as_deref().unwrap_or_default().trim().to_owned();
                    tr {
                        td {
                            form method="post" action=(paths::INSURANCE_CARD) {
                                input type="hidden" name="csrf" value=(op.csrf());
                                @for (k, v) in with(with(form.fields(), "branch", &branch), "step", "search") {
                                    input type="hidden" name=(k) value=(v);
                                }
                                button.row type="submit" data-branch=(branch) { (branch) }
                            }
                        }
                        td { (r.name.as_deref().unwrap_or_default()) }
                        td { (r.name_kana.as_deref().unwrap_or_default()) }
                        td { (view::date(r.birthdate.as_deref().unwrap_or_default())) }
                        td { (r.sex1.as_deref().and_then(Sex::from_code).map(|s| s.label()).unwrap_or_default()) }
                    }
                }
            }
            p.note { (t::MATCH_CLICK) }
        }
    }
}

fn page(
    op: &Operator,
    sim: &Simulator,
    form: &CardForm,
    error: Option<&str>,
    below: Option<Markup>,
    dialog: Option<Markup>,
) -> Response {
    let settings = sim.terminal.settings();
    let options = settings.prescription_options();
    let h = op.header();
    let mut p = Page::new(t::TITLE_INSURANCE_CARD).header(&h);
    if let Some(d) = dialog {
        p = p.dialog(d);
    }
    // RULE-36/37: at a facility that shows 医療扶助, the 公費負担者番号 / 受給者番号 formats too.
    let assistance = oqs_domain::assistance::shown_at(&sim.population(), &op.account.facility);
    let values = [&form.insurer, &form.symbol, &form.number, &form.branch];
    let names = ["insurer", "symbol", "number", "branch"];
    p.render(html! {
        (style())
        (tabs(Some(false)))
        form.fields #scr13 method="post" action=(paths::INSURANCE_CARD) {
            input type="hidden" name="csrf" value=(op.csrf());
            input type="hidden" name="step" value="search";
            input type="hidden" name="ack" value=(form.ack);
            section.panel {
                h2 { "① " (t::SEARCH_HEADING) }
                p.note { @for n in t::SEARCH_NOTES { (n) "\n" } }
                @if let Some(e) = error { p.error #check-error { (e) } }
                @if assistance { p.note #rule-36 { (tma::SCR13_ASSISTANCE_INPUT) } }
                @for (i, (label, hint)) in t::SEARCH_FIELDS.iter().enumerate() {
                    label for=(names[i]) { (label) }
                    input id=(names[i]) type="text" name=(names[i]) value=(values[i]);
                    span.note { " " (hint) }
                    @if assistance { span.note { " ／ " (texts::MA_TAB_ASSISTANCE) "：" (tma::SCR13_ASSISTANCE_FORMATS[i]) } }
                }
                label for="year" { (t::BIRTHDATE) }
                (super::birth_fields(&form.era, &form.year, &form.month, &form.day, true))
                label for="date" { (t::CONFIRMATION_DATE) }
                input #date type="text" name="date" value=(form.date);
                span.note { " " (t::DATE_FORMAT) }
                fieldset.boxes style="margin-top:12px" {
                    legend { (t::LIMIT) }
                    label {
                        input #show_limit type="checkbox" name="show_limit" data-dialog-box="DLG-07" checked[form.show_limit.is_some()];
                        " " (t::LIMIT_SHOW)
                    }
                    p.note { (t::LIMIT_NOTE_SCR13) }
                }
                @if !options.is_empty() {
                    fieldset {
                        legend { "② " (t::PRESCRIPTION_HEADING) }
                        (t::PRESCRIPTION_FORM_LABEL)
                        (view::prescription_radios(options, form.prescription.as_deref()))
                    }
                }
                p.note { (t::REQUIRED_NOTE) }
                div.actions {
                    button #search type="submit" { "③ " (t::BUTTON_SEARCH) }
                    a.btn.sub #clear href=(paths::INSURANCE_CARD) { (t::BUTTON_CLEAR) }
                    a.btn.sub href=(screen_paths::MENU) { (ta::BUTTON_MENU) }
                    a.btn.sub href=(screen_paths::MENU) { (ta::BUTTON_BACK) }
                }
            }
        }
        @if let Some(b) = below { (b) }
        script { (PreEscaped("document.querySelectorAll('input[data-dialog-box]').forEach(function(b){b.addEventListener('change',function(){if(b.checked){b.form.step.value='box';b.form.submit();}});});")) }
    })
    .into_response()
}

async fn get_scr13(op: Operator, State(sim): State<Arc<Simulator>>) -> Response {
    let form = CardForm {
        era: "昭和".into(),
        date: sim.clock.now().format("%Y/%m/%d").to_string(),
        ..CardForm::default()
    };
    page(&op, &sim, &form, None, None, None)
}

async fn post_scr13(
    State(sim): State<Arc<Simulator>>,
    Posted { op, form }: Posted<CardForm>,
) -> Response {
    // DLG-07 when 「表示する」 was ticked; 《キャンセル》 unticks it (AMB-26).
    if form.show_limit.is_some() && form.ack != t::DLG_07.id {
        let step = if form.step == "search" {
            "search"
        } else {
            "box"
        };
        let ok = with(with(form.fields(), "ack", t::DLG_07.id), "step", step);
        let mut cancel = with(form.fields(), "step", "box");
        cancel.retain(|(k, _)| k != "show_limit" && k != "ack");
        let post = |fields| Action::Post {
            path: paths::INSURANCE_CARD.into(),
            csrf: op.csrf().to_owned(),
            fields,
        };
        let d = Dialog::dlg(&t::DLG_07)
            .render(&[(ta::BUTTON_OK, post(ok)), (ta::BUTTON_CANCEL, post(cancel))]);
        return page(&op, &sim, &form, None, None, Some(d));
    }
    if form.step != "search" {
        return page(&op, &sim, &form, None, None, None);
    }
    let Some(birthdate) = form.birthdate() else {
        return page(&op, &sim, &form, Some(t::BAD_BIRTHDATE), None, None);
    };
    let settings = sim.terminal.settings();
    let req = InsuranceCardRequest {
        insurer_number: form.insurer.trim().to_owned(),
        symbol: Some(form.symbol.trim().to_owned()),
        number: form.number.trim().to_owned(),
        branch: Some(form.branch.trim().to_owned()),
        birthdate,
        show_limit: form.show_limit.is_some(),
        prescription_form: form
            .prescription
            .clone()
            .filter(|_| !settings.prescription_options().is_empty()),
        confirmation_date: Some(form.date.clone()),
        facility: Some(op.account.facility.clone()),
        login_id: Some(op.login_id().to_owned()),
    };
    let c = match confirm_insurance_card(&sim.terminal_context(), &req) {
        Ok(c) => c,
        Err(e) => return page(&op, &sim, &form, Some(&e.0), None, None),
    };
    let Some(res) = &c.result else {
        return page(&op, &sim, &form, Some(t::NO_MATCH), None, None);
    };
    let Some(body) = &res.body else {
        // A header error (e.g. 資格確認日): the error table's message.
        let msg = res.header.error_message.clone().unwrap_or_default();
        return page(&op, &sim, &form, Some(&msg), None, None);
    };
    if body.processing_result_status == ProcessingResultStatus::Error {
        let msg = body.processing_result_message.clone().unwrap_or_default();
        return page(&op, &sim, &form, Some(&msg), None, None);
    }
    match body.qualification_validity {
        Some(QualificationValidity::Multiple) => {
            let list = matches(&op, &form, &body.results);
            page(&op, &sim, &form, None, Some(list), None)
        }
        _ if body.results.is_empty() => page(&op, &sim, &form, Some(t::NO_MATCH), None, None),
        _ => Redirect::to(&format!("{}/{}", paths::RESULT, c.id)).into_response(),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new().route(paths::INSURANCE_CARD, get(get_scr13).post(post_scr13))
}
