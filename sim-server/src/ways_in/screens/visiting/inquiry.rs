//! SCR-22 資格情報照会(訪問診療等・オンライン診療等) (FLOW-32): * 診療区分, the card (記号 marked
//! ?, 枝番 required except 後期高齢者 / 医療扶助 — RULE-33, judged by the inquiry itself), BIRTH,
//! 資格確認日, 「限度額適用認定証： 表示する」 (→ DLG-07) and 「特定疾病療養受療証： 表示する」 (→
//! DLG-08, written consent); 《検索》 asks OQSsihvq01req / OQSsionq01req and shows SCR-23.

use super::super::unavailable::{Shows, Visiting};
use super::{birth_fields, birthdate, kind_select, paths, style};
use crate::services::visiting_results::AskedFrom;
use crate::simulator::Simulator;
use crate::ways_in::screens::checks::insurance_card::card_pairs;
use crate::ways_in::screens::dialog::{Action, Dialog};
use crate::ways_in::screens::layout::Page;
use crate::ways_in::screens::paths as screen_paths;
use crate::ways_in::screens::session::{Operator, Posted};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, PreEscaped};
use oqs_domain::fixtures::parse_fixture_date;
use oqs_protocol::codes::CodeTable;
use oqs_protocol::message::{format_date, RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::texts::visiting_check as t;
use oqs_protocol::texts::{accounts as ta, checks as tc};
use oqs_protocol::visiting::{
    CareKind, VisitingInquiryRequest, BRANCH_REQUIRED_NOTE, NO_MEDICAL_INFO_INQUIRY,
};
use serde::Deserialize;
use std::sync::Arc;

/// SCR-22's form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct InquiryForm {
    pub kind: String,
    pub insurer: String,
    pub symbol: String,
    pub number: String,
    pub branch: String,
    pub era: String,
    pub year: String,
    pub month: String,
    pub day: String,
    pub date: String,
    pub show_limit: Option<String>,
    pub show_sd: Option<String>,
    /// `DLG-07` / `DLG-08` once answered 《OK》.
    pub ack_limit: String,
    pub ack_sd: String,
    /// `box` / `search`.
    pub step: String,
}

impl InquiryForm {
    fn fields(&self) -> Vec<(String, String)> {
        let mut f = vec![("kind".to_owned(), self.kind.clone())];
        f.extend(card_pairs([
            &self.insurer,
            &self.symbol,
            &self.number,
            &self.branch,
            &self.era,
            &self.year,
            &self.month,
            &self.day,
        ]));
        for (k, v) in [
            ("date", &self.date),
            ("ack_limit", &self.ack_limit),
            ("ack_sd", &self.ack_sd),
            ("step", &self.step),
        ] {
            f.push((k.to_owned(), v.clone()));
        }
        if self.show_limit.is_some() {
            f.push(("show_limit".into(), "on".into()));
        }
        if self.show_sd.is_some() {
            f.push(("show_sd".into(), "on".into()));
        }
        f
    }
}

fn with(mut fields: Vec<(String, String)>, k: &str, v: Option<&str>) -> Vec<(String, String)> {
    fields.retain(|(key, _)| key != k);
    if let Some(v) = v {
        fields.push((k.into(), v.into()));
    }
    fields
}

fn page(
    op: &Operator,
    form: &InquiryForm,
    error: Option<&str>,
    dialog: Option<Markup>,
) -> Response {
    let h = op.header();
    let mut p = Page::new(t::TITLE_INQUIRY).header(&h);
    if let Some(d) = dialog {
        p = p.dialog(d);
    }
    let values = [&form.insurer, &form.symbol, &form.number, &form.branch];
    let names = ["insurer", "symbol", "number", "branch"];
    p.render(html! {
        (style())
        form.fields #scr22 method="post" action=(paths::INQUIRY) {
            input type="hidden" name="csrf" value=(op.csrf());
            input type="hidden" name="step" value="search";
            input type="hidden" name="ack_limit" value=(form.ack_limit);
            input type="hidden" name="ack_sd" value=(form.ack_sd);
            section.panel {
                h2 { "① " (t::INQUIRY_HEADING) " " span.note { (tc::REQUIRED_NOTE) } }
                p.note { @for n in tc::SEARCH_NOTES { (n) "\n" } }
                @if let Some(e) = error { p.error #check-error { (e) } }
                label for="kind" { (t::CARE_KIND) }
                (kind_select(CareKind::parse(&form.kind)))
                @for (i, label) in t::INQUIRY_FIELDS.iter().enumerate() {
                    label for=(names[i]) { (label) }
                    input id=(names[i]) type="text" name=(names[i]) value=(values[i]);
                    @if i == 3 { span.note { " " (t::BRANCH_HELP) } }
                }
                label for="year" { (tc::BIRTHDATE) }
                (birth_fields(&form.era, &form.year, &form.month, &form.day))
                label for="date" { (tc::CONFIRMATION_DATE) }
                input #date type="text" name="date" value=(form.date);
                span.note { " " (tc::DATE_FORMAT) }
                fieldset.boxes style="margin-top:12px" {
                    label {
                        (t::LIMIT_LABEL) " "
                        input #show_limit type="checkbox" name="show_limit" data-dialog-box="DLG-07" checked[form.show_limit.is_some()];
                        " " (t::SHOW)
                    }
                    label {
                        (t::SPECIFIC_DISEASE_LABEL) " "
                        input #show_sd type="checkbox" name="show_sd" data-dialog-box="DLG-08" checked[form.show_sd.is_some()];
                        " " (t::SHOW)
                    }
                    p.note { (t::SPECIFIC_DISEASE_NOTE) }
                }
                p.note #branch-note { (BRANCH_REQUIRED_NOTE) }
                div.actions {
                    button #search type="submit" { "② " (tc::BUTTON_SEARCH) }
                    a.btn.sub #clear href=(paths::INQUIRY) { (tc::BUTTON_CLEAR) }
                    a.btn.sub href=(screen_paths::MENU) { (ta::BUTTON_MENU) }
                    a.btn.sub href=(screen_paths::MENU) { (ta::BUTTON_BACK) }
                }
                p.note { (NO_MEDICAL_INFO_INQUIRY) }
            }
        }
        script { (PreEscaped("document.querySelectorAll('input[data-dialog-box]').forEach(function(b){b.addEventListener('change',function(){if(b.checked){b.form.step.value='box';b.form.submit();}});});")) }
    })
    .into_response()
}

async fn get_scr22(
    _: Shows<Visiting>,
    op: Operator,
    State(sim): State<Arc<Simulator>>,
) -> Response {
    let form = InquiryForm {
        kind: CareKind::Visiting.label().to_owned(),
        era: "昭和".into(),
        date: sim.clock.now().format("%Y/%m/%d").to_string(),
        ..InquiryForm::default()
    };
    page(&op, &form, None, None)
}

/// A ticked box not yet answered: its dialog (DLG-07 / DLG-08), whose 《キャンセル》 unticks it.
fn box_dialog(op: &Operator, form: &InquiryForm) -> Option<Markup> {
    let (dlg, ack, bx) = if form.show_limit.is_some() && form.ack_limit != tc::DLG_07.id {
        (&tc::DLG_07, "ack_limit", "show_limit")
    } else if form.show_sd.is_some() && form.ack_sd != tc::DLG_08.id {
        (&tc::DLG_08, "ack_sd", "show_sd")
    } else {
        return None;
    };
    let step = if form.step == "search" {
        "search"
    } else {
        "box"
    };
    let ok = with(with(form.fields(), ack, Some(dlg.id)), "step", Some(step));
    let cancel = with(with(form.fields(), bx, None), "step", Some("box"));
    let post = |fields| Action::Post {
        path: paths::INQUIRY.into(),
        csrf: op.csrf().to_owned(),
        fields,
    };
    Some(Dialog::dlg(dlg).render(&[(ta::BUTTON_OK, post(ok)), (ta::BUTTON_CANCEL, post(cancel))]))
}

/// The request of the form, or why it cannot be sent.
fn request(op: &Operator, form: &InquiryForm) -> Result<VisitingInquiryRequest, &'static str> {
    let birth = match birthdate(&form.era, &form.year, &form.month, &form.day) {
        Some(Ok(d)) => d,
        _ => return Err(tc::BAD_BIRTHDATE),
    };
    let date = parse_fixture_date(&form.date).ok_or(t::NOT_A_DATE)?;
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(VisitingInquiryRequest {
        inquiry: SingleInquiryRequest {
            header: RequestHeader {
                qualification_confirmation_date: Some(format_date(date)),
                medical_institution_code: Some(op.account.facility.clone()),
                ..Default::default()
            },
            search: SearchInfo {
                insurer_number: Some(form.insurer.trim().to_owned()),
                insured_card_symbol: opt(&form.symbol),
                insured_identification_number: Some(form.number.trim().to_owned()),
                insured_branch_number: opt(&form.branch),
                birthdate: Some(format_date(birth)),
                limit_application_certificate_related_cons_flg: Some(
                    if form.show_limit.is_some() { "1" } else { "0" }.into(),
                ),
                arbitrary_identifier: None,
            },
        },
        specific_disease_consent: form.show_sd.is_some(),
    })
}

async fn post_scr22(
    _: Shows<Visiting>,
    State(sim): State<Arc<Simulator>>,
    Posted { op, form }: Posted<InquiryForm>,
) -> Response {
    if let Some(d) = box_dialog(&op, &form) {
        return page(&op, &form, None, Some(d));
    }
    if form.step != "search" {
        return page(&op, &form, None, None);
    }
    let Some(kind) = CareKind::parse(&form.kind) else {
        return page(&op, &form, Some(t::CARE_KIND), None);
    };
    let req = match request(&op, &form) {
        Ok(r) => r,
        Err(e) => return page(&op, &form, Some(e), None),
    };
    match sim.visiting_check(
        &op.account.facility,
        kind,
        req,
        AskedFrom::Inquiry,
        op.login_id(),
    ) {
        Err(r) => page(&op, &form, Some(&format!("{} {}", r.code, r.message)), None),
        Ok(s) if s.id == 0 => {
            // The inquiry's own message: RULE-33 (EQ0301), no consent (EQ0302), input errors.
            let msg = s
                .read
                .error_message
                .clone()
                .or(s.read.processing_message.clone())
                .unwrap_or_else(|| t::NO_RESULT.to_owned());
            page(&op, &form, Some(&msg), None)
        }
        Ok(s) => Redirect::to(&format!("{}/{}", paths::RESULT, s.id)).into_response(),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new().route(paths::INQUIRY, get(get_scr22).post(post_scr22))
}
