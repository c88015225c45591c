//! SCR-10 資格情報確認 (医療保険) after a My Number or insurance-card check: the banner (RULE-01..03),
//! ⑦ 閲覧同意 with 《更新》 (FLOW-11), ⑧ 処方箋の発行 with 《更新》 (FLOW-14), ② 被保険者情報
//! (RULE-04, RULE-06), ③ 資格情報 (RULE-05 red), ④ 各種証情報 with 《情報表示》 → DLG-09 (RULE-15,
//! FLOW-13; 特定疾病 only after a My Number check, RULE-13), 《ダウンロード》 of the result XML
//! (FLOW-16). The follow-ups call `terminal::update`, as `POST /terminal/mynumber/{id}/update`.

use super::assistance as ma;
use super::{card_dialog, paths, style, tabs, view};
use crate::services::reference_edit::EditRefused;
use crate::simulator::Simulator;
use crate::terminal::{update, Confirmation, Consents, Method, Update};
use crate::ways_in::screens::dialog::{Action, Dialog};
use crate::ways_in::screens::layout::Page;
use crate::ways_in::screens::paths as screen_paths;
use crate::ways_in::screens::session::{Operator, Posted};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use oqs_domain::assistance;
use oqs_protocol::codes::{PrescriptionIssueForm, QualificationValidity};
use oqs_protocol::message::QualificationResult;
use oqs_protocol::texts::{self, accounts as ta, assistance as tp, checks as t};
use serde::Deserialize;
use std::sync::Arc;

/// The operator's facility's recent confirmation `id`.
pub(super) fn own(sim: &Simulator, op: &Operator, id: u64) -> Option<Confirmation> {
    sim.terminal
        .confirmation(id)
        .filter(|c| c.facility == op.account.facility)
}

pub(super) fn gone(op: &Operator) -> Response {
    let h = op.header();
    Page::new(t::TITLE_RESULT)
        .header(&h)
        .render(html! {
            (style())
            section.panel {
                p.error { "この資格確認結果は表示できません。（シミュレータ：最近の確認結果のみ保持）" }
                a.btn href=(screen_paths::MENU) { (ta::BUTTON_MENU) }
            }
        })
        .into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Shown {
    notice: Option<String>,
    /// SCR-14: the result whose 照会番号 is being edited.
    edit: Option<usize>,
    /// After DLG-10/11/12's 《OK》: which step text to show.
    step: Option<String>,
    /// SCR-11: the 「医療保険」 / 「医療扶助」 tab shown (its index).
    tab: Option<usize>,
}

pub(super) fn result_url(id: u64) -> String {
    format!("{}/{id}", paths::RESULT)
}

/// ④ one certificate block: its details, or the tab with 《情報表示》 (RULE-15).
fn certificate(
    op: &Operator,
    id: u64,
    key: &str,
    title: &str,
    shown: bool,
    details: Vec<Vec<(&'static str, String)>>,
) -> Markup {
    let page = result_url(id);
    let note = Some(t::CERTIFICATE_PRIVACY);
    certificate_at(op, &page, key, title, shown, details, note)
}

/// ④ one certificate block of the result page at `page` (SCR-10, SCR-23): its details, or
/// `note` and 《情報表示》 posting to `page/show`.
pub fn certificate_at(
    op: &Operator,
    page: &str,
    key: &str,
    title: &str,
    shown: bool,
    details: Vec<Vec<(&'static str, String)>>,
    note: Option<&str>,
) -> Markup {
    html! {
        div.cert id={ "cert-" (key) } {
            h3 { (title) }
            @if shown {
                @if details.is_empty() { p.note { "—" } }
                @for (i, d) in details.iter().enumerate() {
                    (view::rows(&format!("{key}-{i}"), d))
                }
            } @else {
                @if let Some(n) = note { p.note { (n) } }
                form method="post" action={ (page) "/show" } {
                    input type="hidden" name="csrf" value=(op.csrf());
                    input type="hidden" name="cert" value=(key);
                    button.sub type="submit" id={ "show-" (key) } { (t::BUTTON_SHOW) }
                }
            }
        }
    }
}

/// DLG-09 before a certificate is shown on the result page at `page`: 《OK》 does `ok`,
/// 《キャンセル》 goes back to `page`.
pub fn show_dialog(ok: Action, page: &str) -> Markup {
    Dialog::dlg(&t::DLG_09).render(&[
        (ta::BUTTON_OK, ok),
        (ta::BUTTON_CANCEL, Action::Link(page.to_owned())),
    ])
}

/// DLG-10 / DLG-11 / DLG-12 (DLG-10's text, AMB-68) after SCR-14 saved on the result page at
/// `page`: 《OK》 shows the step text (`page?step=<dialog>`).
pub fn reference_saved(dialog: &'static str, page: &str) -> Markup {
    Dialog {
        id: dialog,
        ..Dialog::dlg(&texts::DLG_10)
    }
    .render(&[(ta::BUTTON_OK, Action::Link(format!("{page}?step={dialog}")))])
}

/// A result page (titled `title`) refusing an action: the reason and 《戻る》 to `page`
/// (SCR-10, SCR-14, SCR-23, SCR-24).
pub fn refused_at(op: &Operator, title: &str, page: &str, reason: &str) -> Response {
    let h = op.header();
    Page::new(title)
        .header(&h)
        .render(html! {
            section.panel {
                p.error #check-error { (reason) }
                a.btn href=(page) { (ta::BUTTON_BACK) }
            }
        })
        .into_response()
}

/// SCR-14: 「照会番号： <value> 《編集》」, or the field with 《登録》 / 《更新》 while editing.
fn reference_editor(
    op: &Operator,
    c: &Confirmation,
    r: &QualificationResult,
    index: usize,
    editing: bool,
) -> Markup {
    reference_editor_at(op, &result_url(c.id), r, index, editing)
}

/// SCR-14 inline on the result page at `page` (SCR-10, SCR-23): 《編集》 links to
/// `page?edit=<index>`, 《登録》 / 《更新》 post to `page/reference`.
pub fn reference_editor_at(
    op: &Operator,
    page: &str,
    r: &QualificationResult,
    index: usize,
    editing: bool,
) -> Markup {
    let value = r.reference_number.as_deref().unwrap_or_default();
    html! {
        @if editing {
            form #reference-editor method="post" action={ (page) "/reference" } {
                input type="hidden" name="csrf" value=(op.csrf());
                input type="hidden" name="index" value=(index);
                label for="reference_number" { (t::REFERENCE_NUMBER) "： " }
                input #reference_number type="text" name="reference_number" value=(value) autofocus;
                " "
                button #reference-save type="submit" {
                    @if value.is_empty() { (t::BUTTON_REGISTER) } @else { (t::BUTTON_UPDATE) }
                }
            }
        } @else {
            p #reference-number {
                (t::REFERENCE_NUMBER) "： "
                span data-label=(t::REFERENCE_NUMBER) { (value) }
                " "
                a.btn.sub #reference-edit href={ (page) "?edit=" (index) } { (t::BUTTON_EDIT) }
            }
        }
    }
}

/// The step text after DLG-10/11/12's 《OK》 (`?step=DLG-1x`).
pub fn reference_step(step: Option<&str>) -> Option<&'static str> {
    match step {
        Some("DLG-10") => Some(texts::REFERENCE_NUMBER_REGISTERED),
        Some("DLG-11") => Some(texts::REFERENCE_NUMBER_UPDATED),
        Some("DLG-12") => Some(texts::REFERENCE_NUMBER_DELETED),
        _ => None,
    }
}

fn one_result(
    op: &Operator,
    c: &Confirmation,
    r: &QualificationResult,
    index: usize,
    editing: bool,
) -> Markup {
    let mynumber = c.method != Method::InsuranceCard;
    let limit = view::limit(r).map(|v| vec![v]).unwrap_or_default();
    html! {
        div.cols {
            section.panel {
                h2 { "② " (t::INSURED_HEADING) }
                (reference_editor(op, c, r, index, editing))
                @if let Some(l) = view::preschool(r) { p.ok #preschool { (l) } }
                (view::rows("insured", &view::insured(r)))
            }
            section.panel {
                h2 { "③ " (t::QUALIFICATION_HEADING) }
                (view::qualification_rows(&view::qualification(r)))
            }
        }
        section.panel {
            h2 { "④ " (t::CERTIFICATES) }
            @if let Some(e) = view::elderly(r) {
                h3 { (t::ELDERLY) }
                (view::rows("elderly", &e))
            }
            div.cols {
                (certificate(op, c.id, "limit", t::LIMIT, c.choices.show_limit, limit))
                @if mynumber {
                    (certificate(op, c.id, "sd", t::SPECIFIC_DISEASE, c.choices.show_specific_disease, view::specific_diseases(r)))
                }
            }
        }
    }
}

/// SCR-10 for confirmation `c`, with an optional dialog.
fn render(
    op: &Operator,
    sim: &Simulator,
    c: &Confirmation,
    dialog: Option<Markup>,
    edit: Option<usize>,
    step: Option<&str>,
    tab: Option<usize>,
) -> Response {
    let settings = sim.terminal.settings();
    let mynumber = c.method != Method::InsuranceCard;
    let h = op.header();
    let mut p = Page::new(t::TITLE_RESULT).header(&h);
    if let Some(d) = dialog {
        p = p.dialog(d);
    }
    let validity = c.validity();
    let valid = matches!(
        validity,
        Some(QualificationValidity::Valid | QualificationValidity::ValidUnregistered)
    );
    let results: Vec<QualificationResult> = c
        .result
        .as_ref()
        .and_then(|r| r.body.as_ref())
        .map(|b| b.results.clone())
        .unwrap_or_default();
    let back = if mynumber {
        paths::MYNUMBER
    } else {
        paths::INSURANCE_CARD
    };
    let form_now = c.choices.prescription_form;
    let csrf = op.csrf();
    // SCR-11 (ch.6 §1): the 医療扶助 reading of this result at this facility, if any.
    let scr11 = c
        .result
        .as_ref()
        .and_then(|r| r.body.as_ref())
        .and_then(|b| assistance::scr11_at(&sim.population(), b, &c.facility));
    let tabbed = scr11.as_ref().map(|v| {
        let ma_tab = ma::tab_index(v, texts::MA_TAB_ASSISTANCE);
        // While a 医療扶助 照会番号 is edited its tab shows; else the one asked for, else the first.
        let editing_ma = edit
            .and_then(|i| results.get(i))
            .is_some_and(ma::is_assistance);
        let on = if editing_ma {
            ma_tab
        } else {
            tab.filter(|t| *t < v.tabs.len())
        }
        .unwrap_or(0);
        let grey = !valid;
        let area = if Some(on) == ma_tab {
            match results.iter().position(ma::is_assistance) {
                Some(i) => {
                    let editor = reference_editor(op, c, &results[i], i, edit == Some(i));
                    ma::assistance_tab(&results[i], v, editor)
                }
                None => html! {},
            }
        } else {
            html! {
                @for (i, r) in results.iter().enumerate().filter(|(_, r)| !ma::is_assistance(r)) {
                    (one_result(op, c, r, i, edit == Some(i)))
                }
            }
        };
        html! {
            (ma::tab_bar(v, on, |i| format!("{}?tab={i}", result_url(c.id))))
            div id="ma-area" class=[grey.then_some("grey")] { (area) }
        }
    });
    // RULE-25: 《処方箋取得へ》 for a pharmacy using e-prescriptions (ENV-04 「利用する」).
    let to_prescription = sim.pharmacy.settings().retrieval_open(&op.facility_kind);
    p.render(html! {
        (style())
        style { (maud::PreEscaped(ma::CSS)) }
        (tabs(None))
        section.panel {
            h2 { "① " (t::QUALIFICATION_STATUS) }
            @if let Some(b) = validity.and_then(texts::banner) {
                // 6 有効（未登録） (医療扶助 without a ticket) is 「この資格は有効です。」 too (RULE-39).
                p.banner.invalid[!valid] #banner { (b) }
            }
        }
        // While the 照会番号 is edited (SCR-14) the other 《更新》 forms are put away.
        @if edit.is_none() { div.cols {
            @if mynumber && settings.consent_usage {
                section.panel {
                    h2 { "⑦ " (t::VIEWING_CONSENT) }
                    form.boxes method="post" action={ (result_url(c.id)) "/update" } {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="what" value="consents";
                        @let labels = c.choices.consents.labels();
                        @let on = [c.choices.consents.operation, c.choices.consents.diagnosis_medication, c.choices.consents.health_checkup];
                        @for (i, name) in ["operation", "diagnosis", "checkup"].iter().enumerate() {
                            label {
                                input id={ "c-" (name) } type="checkbox" name=(name) checked[on[i]];
                                " " (labels[i])
                            }
                        }
                        button.sub #update-consents type="submit" { (t::BUTTON_UPDATE) }
                    }
                }
            }
            @if !settings.prescription_options().is_empty() {
                section.panel {
                    h2 { "⑧ " (t::PRESCRIPTION_HEADING) }
                    form method="post" action={ (result_url(c.id)) "/update" } {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="what" value="prescription";
                        @for f in settings.prescription_options() {
                            @let (v, l) = match f {
                                PrescriptionIssueForm::Electronic => ("electronic", texts::PRESCRIPTION_ELECTRONIC),
                                PrescriptionIssueForm::Paper => ("paper", texts::PRESCRIPTION_PAPER),
                            };
                            label style="margin-right:14px" {
                                input type="radio" name="prescription" value=(v) checked[form_now == Some(*f)];
                                " " (l)
                            }
                        }
                        button.sub #update-prescription type="submit" { (t::BUTTON_UPDATE) }
                    }
                }
            }
        } }
        @if let Some(m) = step { section.panel { p.ok #reference-step { (m) } } }
        @match tabbed {
            Some(area) => { (area) }
            None => {
                @for (i, r) in results.iter().enumerate() { (one_result(op, c, r, i, edit == Some(i))) }
            }
        }
        section.panel {
            div.actions {
                a.btn href=(screen_paths::MENU) { (ta::BUTTON_MENU) }
                a.btn #download href={ (result_url(c.id)) "/xml" } download { (t::BUTTON_DOWNLOAD) }
                @if to_prescription {
                    a.btn #to-prescription href={ (result_url(c.id)) "/prescription" } { (tp::BUTTON_TO_PRESCRIPTION) }
                }
                a.btn.sub href=(paths::MYNUMBER) { (t::BUTTON_NEXT_MYNUMBER) }
                a.btn.sub href=(paths::INSURANCE_CARD) { (t::BUTTON_NEXT_INSURANCE_CARD) }
                a.btn.sub href=(back) { (ta::BUTTON_BACK) }
            }
        }
    })
    .into_response()
}

async fn get_result(
    op: Operator,
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
    Query(q): Query<Shown>,
) -> Response {
    let Some(c) = own(&sim, &op, id) else {
        return gone(&op);
    };
    // ERR-08 (a notice before SCR-10): 《OK》 shows the result.
    let dialog = match (&c.notice, q.notice) {
        (Some(n), Some(_)) => {
            Some(card_dialog(n).render(&[(ta::BUTTON_OK, Action::Link(result_url(id)))]))
        }
        _ => None,
    };
    let step = reference_step(q.step.as_deref());
    render(&op, &sim, &c, dialog, q.edit, step, q.tab)
}

/// SCR-10 / SCR-14 refusing an update: the reason and 《戻る》 to the result.
fn refused(op: &Operator, id: u64, reason: &str) -> Response {
    refused_at(op, t::TITLE_RESULT, &result_url(id), reason)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShowForm {
    cert: String,
}

/// 《情報表示》: DLG-09, whose 《OK》 shows the certificate.
async fn post_show(
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
    Posted { op, form }: Posted<ShowForm>,
) -> Response {
    let Some(c) = own(&sim, &op, id) else {
        return gone(&op);
    };
    let what = if form.cert == "sd" { "sd" } else { "limit" };
    let ok = Action::Post {
        path: format!("{}/update", result_url(id)),
        csrf: op.csrf().to_owned(),
        fields: vec![("what".into(), what.into())],
    };
    let d = show_dialog(ok, &result_url(id));
    render(&op, &sim, &c, Some(d), None, None, None)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UpdateForm {
    what: String,
    operation: Option<String>,
    diagnosis: Option<String>,
    checkup: Option<String>,
    prescription: Option<String>,
}

/// 《更新》 (consents, issuance form) and DLG-09's 《OK》: `terminal::update`.
async fn post_update(
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
    Posted { op, form }: Posted<UpdateForm>,
) -> Response {
    let Some(c) = own(&sim, &op, id) else {
        return gone(&op);
    };
    let u = match form.what.as_str() {
        "consents" => Update {
            consents: Some(Consents {
                operation: form.operation.is_some(),
                diagnosis_medication: form.diagnosis.is_some(),
                health_checkup: form.checkup.is_some(),
            }),
            ..Update::default()
        },
        "prescription" => Update {
            prescription_form: form.prescription.clone(),
            ..Update::default()
        },
        "limit" => Update {
            show_limit: Some(true),
            ..Update::default()
        },
        "sd" => Update {
            show_specific_disease: Some(true),
            ..Update::default()
        },
        _ => Update::default(),
    };
    match update(&sim.terminal_context(), id, &u) {
        Ok(_) => Redirect::to(&result_url(id)).into_response(),
        Err(e) => {
            let _ = c;
            refused(&op, id, &e.0)
        }
    }
}

/// SCR-14's form (SCR-10, SCR-23): which result, and the 照会番号 typed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReferenceForm {
    pub index: usize,
    pub reference_number: String,
}

/// SCR-14 《登録》 / 《更新》: the shared service, then DLG-10 / DLG-11 / DLG-12 (DLG-10's text,
/// AMB-68) whose 《OK》 shows the step text.
async fn post_reference(
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
    Posted { op, form }: Posted<ReferenceForm>,
) -> Response {
    if own(&sim, &op, id).is_none() {
        return gone(&op);
    }
    let done =
        sim.edit_reference_number(id, form.index, &form.reference_number, Some(op.login_id()));
    let Some(c) = own(&sim, &op, id) else {
        return gone(&op);
    };
    match done {
        Ok(e) => {
            let d = reference_saved(e.dialog, &result_url(id));
            render(&op, &sim, &c, Some(d), None, None, None)
        }
        Err(EditRefused::NotFound(_)) => gone(&op),
        Err(EditRefused::Refused(e)) => refused(&op, id, &e.0),
    }
}

/// 《ダウンロード》: the result XML (file name the simulator's, AMB-70).
async fn get_xml(op: Operator, State(sim): State<Arc<Simulator>>, Path(id): Path<u64>) -> Response {
    match own(&sim, &op, id).and_then(|c| c.result_xml()) {
        Some(xml) => crate::ways_in::terminal::result_xml_download(id, xml),
        None => gone(&op),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route("/check/result/{id}", get(get_result))
        .route("/check/result/{id}/show", post(post_show))
        .route("/check/result/{id}/update", post(post_update))
        .route("/check/result/{id}/xml", get(get_xml))
        .route("/check/result/{id}/reference", post(post_reference))
}
