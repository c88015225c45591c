//! SCR-12 処方箋情報取得 (FLOW-17, ch.2 §2(7)): reached from SCR-10 / SCR-11 《処方箋取得へ》 by a
//! pharmacy using e-prescriptions (RULE-25, ENV-04). ① 資格情報 of the confirmation, ②
//! 「引換番号:」 and 《処方箋取得》: `Simulator::retrieve_prescription` (the same service as
//! `POST /pharmacy/prescriptions/retrieve`, RULE-25..28) answers the XML file (the browser
//! downloads it and stays on the screen) or the screen again with the reason.
//!
//! [`draw`] is the screen's one rendering, parameterised ([`Retrieval`]) so that SCR-24
//! (処方箋情報取得(訪問診療等・オンライン診療等), FLOW-31) draws with it too: its title, no
//! 資格確認方法 tabs or 《次の患者へ…》, its list above the input.

use super::result::{gone, own, result_url};
use super::{paths, style, tabs, view};
use crate::services::prescription_retrieval::{PatientCard, RetrievalFailure};
use crate::simulator::Simulator;
use crate::terminal::Confirmation;
use crate::ways_in::screens::layout::Page;
use crate::ways_in::screens::paths as screen_paths;
use crate::ways_in::screens::session::{Operator, Posted};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use oqs_domain::prescription::RetrievalError;
use oqs_protocol::message::QualificationResult;
use oqs_protocol::texts::{accounts as ta, assistance as tp, checks as t};
use serde::Deserialize;
use std::sync::Arc;

/// What one retrieval screen (SCR-12 or SCR-24) shows.
#[derive(Debug, Default)]
pub struct Retrieval<'a> {
    /// The header title (SCR-12: 「処方箋情報取得」).
    pub title: &'a str,
    /// The 資格確認方法 tabs 《マイナンバーカード》《保険証》 and 《次の患者へ…》 (SCR-12's ④/③).
    pub check_tabs: bool,
    /// ① 資格情報: label, value.
    pub qualification: Vec<(&'static str, String)>,
    /// Where 《処方箋取得》 posts (its field: `exchange_number`).
    pub action: String,
    /// Extra hidden fields of that form (besides `csrf`).
    pub hidden: Vec<(String, String)>,
    /// The 引換番号 typed (kept after a refusal).
    pub exchange_number: String,
    /// ② above the input (SCR-24: its notes and the list).
    pub above_input: Option<Markup>,
    /// A refusal's reason.
    pub error: Option<String>,
    /// 《クリア》: the same screen, empty.
    pub clear: String,
    /// 《戻る》: [資格情報確認].
    pub back: String,
    /// A dialog over the screen (SCR-24: DLG-20 before a listed prescription is fetched).
    pub dialog: Option<Markup>,
}

/// ① 資格情報 of a result (SCR-12 / SCR-24).
pub fn qualification_rows(r: &QualificationResult) -> Vec<(&'static str, String)> {
    let l = tp::PRESCRIPTION_QUALIFICATION_LABELS;
    vec![
        (l[0], view::opt(&r.insurer_number).to_owned()),
        (l[1], view::opt(&r.insurer_name).to_owned()),
        (l[2], view::opt(&r.insured_card_symbol).to_owned()),
        (l[3], view::opt(&r.insured_identification_number).to_owned()),
        (l[4], view::opt(&r.insured_branch_number).to_owned()),
        (l[5], view::opt(&r.name).to_owned()),
        (l[6], view::sex(&r.sex1)),
        (l[7], view::dated(&r.birthdate)),
    ]
}

/// The card of a result, for the retrieval.
pub fn card_of(r: &QualificationResult) -> PatientCard {
    PatientCard {
        insurer: r.insurer_number.clone(),
        symbol: r.insured_card_symbol.clone(),
        number: r.insured_identification_number.clone(),
        branch: r.insured_branch_number.clone(),
        birthdate: r.birthdate.clone(),
    }
}

/// A refusal as the screen says it: the manual's text for RULE-25..28; the simulator's own where
/// the manual describes no error (AMB-70).
pub fn reason(f: &RetrievalFailure) -> String {
    match f {
        RetrievalFailure::Refused(RetrievalError::NotFound) => tp::NO_PRESCRIPTION.to_owned(),
        RetrievalFailure::Refused(e) => e.to_string(),
        RetrievalFailure::NoPatient | RetrievalFailure::BadCard(_) => tp::NO_PATIENT.to_owned(),
        RetrievalFailure::NoFacility(_) => tp::NO_PATIENT.to_owned(),
    }
}

/// The XML file of a retrieval, for the browser to save (「ダウンロード状況が右上に表示されます」).
pub fn download(name: &str, xml: Vec<u8>) -> Response {
    crate::ways_in::attachment("application/xml; charset=UTF-8", name, xml)
}

/// SCR-12 / SCR-24: ① 資格情報, ② 処方箋の取得, the buttons.
pub fn draw(op: &Operator, s: &Retrieval<'_>) -> Response {
    let h = op.header();
    let mut page = Page::new(s.title).header(&h);
    if let Some(d) = &s.dialog {
        page = page.dialog(d.clone());
    }
    page.render(html! {
            (style())
            @if s.check_tabs { (tabs(None)) }
            section.panel {
                h2 { "① " (tp::PRESCRIPTION_QUALIFICATION) }
                (view::rows("prescription-qualification", &s.qualification))
            }
            section.panel {
                h2 { "② " (tp::PRESCRIPTION_RETRIEVAL) }
                @if let Some(m) = &s.above_input { (m) }
                @if let Some(e) = &s.error { p.error #retrieval-error { (e) } }
                form.fields #retrieve method="post" action=(s.action) {
                    input type="hidden" name="csrf" value=(op.csrf());
                    @for (k, v) in &s.hidden { input type="hidden" name=(k) value=(v); }
                    label for="exchange_number" { (tp::EXCHANGE_NUMBER_LABEL) }
                    input #exchange_number type="text" name="exchange_number" value=(s.exchange_number)
                        inputmode="numeric" placeholder=(tp::EXCHANGE_NUMBER_FORMAT) autofocus;
                    p.note { (tp::EXCHANGE_NUMBER_HELP) "\n" (tp::EXCHANGE_NUMBER_ONE_AT_A_TIME) }
                    div.actions {
                        button #retrieve-button type="submit" title=(tp::RETRIEVE_NOTE) { (tp::BUTTON_RETRIEVE) }
                        a.btn.sub #clear href=(s.clear) title=(tp::CLEAR_NOTE) { (t::BUTTON_CLEAR) }
                    }
                }
            }
            section.panel {
                div.actions {
                    a.btn href=(screen_paths::MENU) { (ta::BUTTON_MENU) }
                    @if s.check_tabs {
                        a.btn.sub href=(paths::MYNUMBER) { (t::BUTTON_NEXT_MYNUMBER) }
                        a.btn.sub href=(paths::INSURANCE_CARD) { (t::BUTTON_NEXT_INSURANCE_CARD) }
                    }
                    a.btn.sub #back href=(s.back) title=(tp::BACK_NOTE) { (ta::BUTTON_BACK) }
                }
            }
        })
        .into_response()
}

/// The result SCR-12 works on: the 医療保険 one when there is one, else the first.
fn patient_result(c: &Confirmation) -> Option<QualificationResult> {
    let results = &c.result.as_ref()?.body.as_ref()?.results;
    results
        .iter()
        .find(|r| !super::assistance::is_assistance(r))
        .or_else(|| results.first())
        .cloned()
}

fn scr12(op: &Operator, c: &Confirmation, number: &str, error: Option<String>) -> Response {
    let here = format!("{}/prescription", result_url(c.id));
    let qualification = patient_result(c)
        .map(|r| qualification_rows(&r))
        .unwrap_or_default();
    draw(
        op,
        &Retrieval {
            title: tp::TITLE_PRESCRIPTION,
            check_tabs: true,
            qualification,
            action: here.clone(),
            hidden: Vec::new(),
            exchange_number: number.to_owned(),
            above_input: None,
            error,
            clear: here,
            back: result_url(c.id),
            dialog: None,
        },
    )
}

/// RULE-25: [処方箋情報取得] only for a pharmacy with ENV-04 「利用する」; otherwise the rule's text.
fn open(sim: &Simulator, op: &Operator) -> Result<(), String> {
    if sim.pharmacy.settings().retrieval_open(&op.facility_kind) {
        Ok(())
    } else {
        Err(RetrievalError::NotAvailable.to_string())
    }
}

fn closed(op: &Operator, id: u64, why: &str) -> Response {
    let h = op.header();
    Page::new(tp::TITLE_PRESCRIPTION)
        .header(&h)
        .render(html! {
            section.panel {
                p.error #retrieval-error { (why) }
                a.btn href=(result_url(id)) { (ta::BUTTON_BACK) }
            }
        })
        .into_response()
}

async fn get_scr12(
    op: Operator,
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
) -> Response {
    let Some(c) = own(&sim, &op, id) else {
        return gone(&op);
    };
    match open(&sim, &op) {
        Ok(()) => scr12(&op, &c, "", None),
        Err(why) => closed(&op, id, &why),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RetrieveForm {
    exchange_number: String,
}

/// 《処方箋取得》: the shared retrieval; the file, or SCR-12 with the reason.
async fn post_scr12(
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
    Posted { op, form }: Posted<RetrieveForm>,
) -> Response {
    let Some(c) = own(&sim, &op, id) else {
        return gone(&op);
    };
    if let Err(why) = open(&sim, &op) {
        return closed(&op, id, &why);
    }
    let card = patient_result(&c).map(|r| card_of(&r)).unwrap_or_default();
    match sim.retrieve_prescription(&op.account.facility, &card, &form.exchange_number) {
        Ok(file) => download(&file.name, file.xml),
        Err(f) => scr12(&op, &c, &form.exchange_number, Some(reason(&f))),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new().route(
        "/check/result/{id}/prescription",
        get(get_scr12).post(post_scr12),
    )
}
