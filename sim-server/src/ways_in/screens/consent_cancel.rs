//! SCR-27 同意取消照会(訪問診療等) and SCR-28 同意取消(訪問診療等) (ch.3 §6, FLOW-35; 訪問診療等
//! only, RULE-64).
//!
//! SCR-27 ① takes the card (保険者番号, 記号, 番号, 枝番 — RULE-33 — and 生年月日 as on SCR-13);
//! 《検索》 asks the 訪問診療等 inquiry of that card (`OQSsihvq01req` through
//! `Simulator::handle_xml_by`, as the machine transports; journalled under the operator) and
//! shows SCR-28: ① 被保険者情報, ② the 閲覧同意情報 table (grey rows RULE-66), ③ 《同意取消》 →
//! DLG-18 → 《OK》 sends `OQSsihvd01req` the same way → DLG-19 over SCR-28 drawn from the
//! cancellation's answer, the table refreshed (RULE-67). Its 《OK》 closes the dialog in the page
//! (a link to the dialog's own anchor, hidden by `:target`; no script, nothing sent).
//!
//! A patient whose consent is cancelled or has ended can no longer be confirmed (RULE-67): the
//! inquiry answers `EQ0302` with the table only; SCR-28 then shows that message, the grey table
//! and no 《同意取消》.

use super::checks::insurance_card::CardForm;
use super::checks::{birth_fields, style, view};
use super::dialog::{Action, Dialog};
use super::layout::Page;
use super::paths;
use super::session::{Operator, Posted};
use super::unavailable::{Shows, Visiting};
use super::visiting::result::consent_table;
use crate::journal::Transport;
use crate::simulator::Simulator;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, PreEscaped};
use oqs_protocol::codes::{ProcessingResultStatus, Sex};
use oqs_protocol::message::{RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::result_read::read_result;
use oqs_protocol::texts::{self, accounts as ta, checks as t, visiting_jobs as v};
use oqs_protocol::visiting::{ConsentRow, VisitingInquiryRequest, CONSENTED_MARK};
use oqs_protocol::Element;
use std::sync::Arc;

/// SCR-27 (GET the form, POST 《検索》 → SCR-28).
pub const SEARCH: &str = "/consent-cancel";
/// SCR-28 《同意取消》 → DLG-18.
pub const CONFIRM: &str = "/consent-cancel/confirm";
/// DLG-18 《OK》 → the cancellation, DLG-19.
pub const CANCEL: &str = "/consent-cancel/cancel";

/// The anchor DLG-19's 《OK》 links to: the dialog's wrapper, hidden once it is the target.
const CLOSED: &str = "dlg-closed";
const CSS: &str = ".closable:target{display:none}\ntable.list tr.grey td{background:#e5e8eb;color:#7a8590}\nbutton:disabled{opacity:.4;cursor:not-allowed}";

/// SCR-27.
fn search_page(op: &Operator, form: &CardForm, error: Option<&str>) -> Response {
    let h = op.header();
    let values = [&form.insurer, &form.symbol, &form.number, &form.branch];
    let names = ["insurer", "symbol", "number", "branch"];
    Page::new(v::TITLE_CANCEL_SEARCH)
        .header(&h)
        .render(html! {
            (style())
            form.fields #scr27 method="post" action=(SEARCH) {
                input type="hidden" name="csrf" value=(op.csrf());
                section.panel {
                    h2 { "① " (t::SEARCH_HEADING) }
                    p.note { strong { @for n in v::CANCEL_SEARCH_NOTES { (n) "\n" } } }
                    @if let Some(e) = error { p.error #check-error { (e) } }
                    @for (i, label) in v::CANCEL_SEARCH_FIELDS.iter().enumerate() {
                        label for=(names[i]) { (label) }
                        input id=(names[i]) type="text" name=(names[i]) value=(values[i]);
                        span.note { " " (t::SEARCH_FIELDS[i].1) }
                    }
                    p.note { (v::BRANCH_NOTE) }
                    label for="year" { (t::BIRTHDATE) }
                    (birth_fields(&form.era, &form.year, &form.month, &form.day, true))
                    div.actions {
                        button #search type="submit" { "② " (t::BUTTON_SEARCH) }
                        a.btn.sub #clear href=(SEARCH) { (t::BUTTON_CLEAR) }
                        a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                        a.btn.sub href=(paths::MENU) { (ta::BUTTON_BACK) }
                    }
                }
            }
        })
        .into_response()
}

/// What SCR-28 shows of an answer: ① as (label, value), ②, the refusal, and whether the consent
/// can still be cancelled.
struct Shown {
    insured: Vec<(&'static str, String)>,
    preschool: bool,
    rows: Vec<ConsentRow>,
    refusal: Option<String>,
    message: Option<String>,
}

impl Shown {
    fn cancellable(&self) -> bool {
        self.refusal.is_none() && self.rows.iter().any(|r| r.consented == CONSENTED_MARK)
    }
}

/// Reads the visiting answer (OQSsihvq01res / OQSsihvd01res, `result_read`) as SCR-28 shows it.
fn shown(root: &Element) -> Result<Shown, String> {
    let r = read_result(root);
    if let Some(m) = r.error_message {
        return Err(m);
    }
    let refusal = (r.status != Some(ProcessingResultStatus::Normal)).then(|| {
        r.processing_message
            .clone()
            .unwrap_or_else(|| texts::accounts::FORM_EXPIRED.to_owned())
    });
    // No consent of this facility for the patient: stay on SCR-27 with the reason.
    if r.consent_rows.is_empty() {
        return Err(refusal.unwrap_or_else(|| t::NO_MATCH.to_owned()));
    }
    if r.results.len() > 1 {
        return Err(texts::MULTIPLE_MATCHES.to_owned());
    }
    let mut insured = Vec::new();
    let mut preschool = false;
    if let Some(q) = r.results.first() {
        let get = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_owned();
        let l = v::CANCEL_INSURED_LABELS;
        insured = vec![
            (l[0], get(&q.reference_number)),
            (l[1], get(&q.insurer_number)),
            (l[2], get(&q.insurer_name)),
            (l[3], get(&q.insured_card_symbol)),
            (l[4], get(&q.insured_identification_number)),
            (l[5], get(&q.insured_branch_number)),
            (l[6], get(&q.name)),
            (
                l[7],
                Sex::from_code(&get(&q.sex1))
                    .map(|s| s.label().to_owned())
                    .unwrap_or_default(),
            ),
            (l[8], view::date(&get(&q.birthdate))),
        ];
        preschool = view::preschool(q).is_some();
    }
    Ok(Shown {
        insured,
        preschool,
        rows: r.consent_rows,
        refusal,
        message: r.processing_message,
    })
}

/// SCR-28, with a dialog over it.
fn cancel_page(op: &Operator, form: &CardForm, s: &Shown, dialog: Option<Markup>) -> Response {
    let h = op.header();
    let mut p = Page::new(v::TITLE_CANCEL).header(&h);
    if let Some(d) = dialog {
        p = p.dialog(d);
    }
    p.render(html! {
        (style())
        style { (PreEscaped(CSS)) }
        section.panel {
            @if let Some(e) = &s.refusal { p.error #check-error { (e) } }
            @if !s.insured.is_empty() {
                h2 { "① " (t::INSURED_HEADING) }
                @if s.preschool { p.ok #preschool { (texts::PRESCHOOL_LABEL) } }
                (view::rows("insured", &s.insured))
            }
            h2 { "② " (v::CONSENT_HEADING) }
            (consent_table(&s.rows))
            div.actions {
                a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                @if s.cancellable() {
                    form method="post" action=(CONFIRM) {
                        input type="hidden" name="csrf" value=(op.csrf());
                        @for (k, val) in form.card_fields() { input type="hidden" name=(k) value=(val); }
                        button #cancel-consent type="submit" data-button=(v::BUTTON_CANCEL_CONSENT) { "③ " (v::BUTTON_CANCEL_CONSENT) }
                    }
                } @else {
                    button #cancel-consent type="button" disabled { "③ " (v::BUTTON_CANCEL_CONSENT) }
                }
                a.btn.sub #back href=(SEARCH) { (ta::BUTTON_BACK) }
            }
        }
    })
    .into_response()
}

/// The 訪問診療等 request for the card of `form` at the operator's facility, today.
fn request_xml(op: &Operator, form: &CardForm, birthdate: &str) -> Vec<u8> {
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let req = VisitingInquiryRequest {
        inquiry: SingleInquiryRequest {
            header: RequestHeader {
                medical_institution_code: Some(op.account.facility.clone()),
                ..Default::default()
            },
            search: SearchInfo {
                insurer_number: opt(&form.insurer),
                insured_card_symbol: opt(&form.symbol),
                insured_identification_number: opt(&form.number),
                insured_branch_number: opt(&form.branch),
                birthdate: Some(birthdate.replace('/', "")),
                limit_application_certificate_related_cons_flg: Some("0".into()),
                arbitrary_identifier: None,
            },
        },
        specific_disease_consent: false,
    };
    oqs_protocol::xml::write_document(&req.to_element(), oqs_protocol::TextEncoding::Utf8)
}

/// Sends `message` (OQSsihvq01req or OQSsihvd01req) for the card of `form` the way the machine
/// transports do, under the operator's login id; what SCR-28 shows of the answer, or the text
/// SCR-27 shows.
async fn ask(
    sim: &Arc<Simulator>,
    op: &Operator,
    form: &CardForm,
    message: &'static str,
) -> Result<Shown, String> {
    let birthdate = form.birthdate().ok_or(t::BAD_BIRTHDATE)?;
    let bytes = request_xml(op, form, &birthdate);
    let source = format!("screen:{}", op.login_id());
    let login = op.login_id().to_owned();
    let s2 = sim.clone();
    let answered = tokio::task::spawn_blocking(move || {
        s2.handle_xml_by(message, &bytes, Transport::Terminal, &source, Some(&login))
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|r| format!("{} {}", r.code, r.message))?;
    shown(&answered.root)
}

/// SCR-27 《検索》 → SCR-28 (or SCR-27 with the reason).
async fn search(
    _: Shows<Visiting>,
    State(sim): State<Arc<Simulator>>,
    p: Posted<CardForm>,
) -> Response {
    let Posted { op, form } = p;
    match ask(&sim, &op, &form, "OQSsihvq01req").await {
        Ok(s) => cancel_page(&op, &form, &s, None),
        Err(e) => search_page(&op, &form, Some(&e)),
    }
}

/// 《同意取消》 → DLG-18 over SCR-28 (《キャンセル》: SCR-28 again).
async fn confirm(
    _: Shows<Visiting>,
    State(sim): State<Arc<Simulator>>,
    p: Posted<CardForm>,
) -> Response {
    let Posted { op, form } = p;
    let s = match ask(&sim, &op, &form, "OQSsihvq01req").await {
        Ok(s) => s,
        Err(e) => return search_page(&op, &form, Some(&e)),
    };
    if !s.cancellable() {
        return cancel_page(&op, &form, &s, None);
    }
    let post = |path: &str| Action::Post {
        path: path.into(),
        csrf: op.csrf().to_owned(),
        fields: form.card_fields(),
    };
    let d = Dialog::dlg(&v::DLG_18).render(&[
        (ta::BUTTON_OK, post(CANCEL)),
        (ta::BUTTON_CANCEL, post(SEARCH)),
    ]);
    cancel_page(&op, &form, &s, Some(d))
}

/// DLG-18 《OK》 → OQSsihvd01req → DLG-19 over the refreshed SCR-28 (RULE-67).
async fn cancel(
    _: Shows<Visiting>,
    State(sim): State<Arc<Simulator>>,
    p: Posted<CardForm>,
) -> Response {
    let Posted { op, form } = p;
    let s = match ask(&sim, &op, &form, "OQSsihvd01req").await {
        Ok(s) => s,
        Err(e) => return search_page(&op, &form, Some(&e)),
    };
    if s.refusal.is_some() || s.message.as_deref() != Some(v::DLG_19.lines[0]) {
        return cancel_page(&op, &form, &s, None);
    }
    let d = Dialog::dlg(&v::DLG_19).render(&[(ta::BUTTON_OK, Action::Link(format!("#{CLOSED}")))]);
    let d = html! { div.closable id=(CLOSED) { (d) } };
    cancel_page(&op, &form, &s, Some(d))
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(
            SEARCH,
            get(|_: Shows<Visiting>, op: Operator| async move {
                let form = CardForm {
                    era: "昭和".into(),
                    ..CardForm::default()
                };
                search_page(&op, &form, None)
            })
            .post(search),
        )
        .route(CONFIRM, post(confirm))
        .route(CANCEL, post(cancel))
}
