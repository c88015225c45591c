//! SCR-23 資格情報確認(訪問診療等・オンライン診療等): ① the banner (RULE-01..03) and the chosen
//! 処方箋発行形態 when the result carries one (AMB-54), ② 「医療保険」 被保険者情報 with SCR-14's
//! editor inline and 「義務教育就学前」 (RULE-04), ③ 資格情報 (RULE-05), ④ 各種証情報 with
//! 《情報表示》 → DLG-09 when not consented on SCR-22, ⑤ ▼閲覧同意情報 (DM-14, grey rows RULE-66),
//! ⑥ 《メニュー》《ダウンロード》 (RULE-95) 《処方箋取得へ》 (a pharmacy with ENV-04 利用する, RULE-25)
//! 《戻る》. SCR-24 処方箋情報取得(訪問診療等・オンライン診療等) (FLOW-31) is SCR-12's one rendering
//! (`checks::prescription::draw`) over the result's patient, with RULE-28's list (a row's
//! 《処方箋取得》 → DLG-20) and the one retrieval `Simulator::retrieve_prescription`.

use super::super::unavailable::{Shows, Visiting};
use super::{paths, style};
use crate::services::prescription_retrieval::patient;
use crate::services::visiting_check::Certificate;
use crate::services::visiting_results::{AskedFrom, VisitingShown};
use crate::simulator::Simulator;
use crate::ways_in::screens::checks::prescription::{
    card_of, download, draw, qualification_rows, reason, Retrieval,
};
use crate::ways_in::screens::checks::result::{
    certificate_at, reference_editor_at, reference_saved, reference_step, refused_at, show_dialog,
    ReferenceForm,
};
use crate::ways_in::screens::checks::view;
use crate::ways_in::screens::dialog::{Action, Dialog};
use crate::ways_in::screens::layout::Page;
use crate::ways_in::screens::paths as screen_paths;
use crate::ways_in::screens::session::{Operator, Posted};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use oqs_domain::prescription::RetrievalError;
use oqs_domain::visiting::slash;
use oqs_protocol::codes::{PrescriptionIssueForm, QualificationValidity};
use oqs_protocol::message::QualificationResult;
use oqs_protocol::texts::visiting_check as t;
use oqs_protocol::texts::{self, accounts as ta, assistance as tp, checks as tc};
use oqs_protocol::visiting::{CareKind, ConsentRow, CONSENTED_MARK};
use serde::Deserialize;
use std::sync::Arc;

fn url(id: u64) -> String {
    format!("{}/{id}", paths::RESULT)
}

fn gone(op: &Operator) -> Response {
    let h = op.header();
    Page::new(t::TITLE_RESULT)
        .header(&h)
        .render(html! {
            section.panel {
                p.error { (t::GONE) }
                a.btn href=(screen_paths::MENU) { (ta::BUTTON_MENU) }
            }
        })
        .into_response()
}

fn kept(sim: &Simulator, op: &Operator, id: u64) -> Option<VisitingShown> {
    sim.visiting_results.get(&op.account.facility, id)
}

fn one_result(
    op: &Operator,
    s: &VisitingShown,
    r: &QualificationResult,
    i: usize,
    edit: bool,
) -> Markup {
    let consented = |f: &Option<String>| f.as_deref().map(str::trim) == Some("1");
    let limit = view::limit(r).map(|v| vec![v]).unwrap_or_default();
    html! {
        nav.tabs { a.on href=(url(s.id)) { (t::MEDICAL_INSURANCE_TAB) } }
        div.cols {
            section.panel {
                h2 { "② " (tc::INSURED_HEADING) }
                (reference_editor_at(op, &url(s.id), r, i, edit))
                @if let Some(l) = view::preschool(r) { p.ok #preschool { (l) } }
                (view::rows("insured", &view::insured(r)))
            }
            section.panel {
                h2 { "③ " (tc::QUALIFICATION_HEADING) }
                (view::qualification_rows(&view::qualification(r)))
            }
        }
        section.panel {
            h2 { "④ " (tc::CERTIFICATES) }
            @if let Some(e) = view::elderly(r) { h3 { (tc::ELDERLY) } (view::rows("elderly", &e)) }
            div.cols {
                // ④ each certificate: its details when consented, else 《情報表示》.
                (certificate_at(op, &url(s.id), "limit", tc::LIMIT, consented(&r.limit_cons_flg), limit, None))
                (certificate_at(op, &url(s.id), "sd", tc::SPECIFIC_DISEASE, consented(&r.specific_diseases_cons_flg), view::specific_diseases(r), None))
            }
        }
    }
}

/// SCR-23 for kept result `s`.
fn render(
    op: &Operator,
    sim: &Simulator,
    s: &VisitingShown,
    dialog: Option<Markup>,
    edit: Option<usize>,
    step: Option<&str>,
) -> Response {
    let h = op.header();
    let mut p = Page::new(t::TITLE_RESULT).header(&h);
    if let Some(d) = dialog {
        p = p.dialog(d);
    }
    let validity = s.read.validity;
    let electronic = s.read.prescription_issue_select.as_deref()
        == Some(PrescriptionIssueForm::Electronic.code());
    let back = match s.from {
        AskedFrom::Consented => paths::CONSENTED,
        AskedFrom::Inquiry => paths::INQUIRY,
    };
    p.render(html! {
        (style())
        section.panel {
            h2 { "① " (tc::QUALIFICATION_STATUS) }
            @if let Some(b) = validity.and_then(texts::banner) {
                p.banner.invalid[validity != Some(QualificationValidity::Valid)] #banner { (b) }
            }
            @if electronic { p #prescription-form { (t::PRESCRIPTION_FORM_ELECTRONIC) } }
        }
        @if let Some(m) = step { section.panel { p.ok #reference-step { (m) } } }
        @for (i, r) in s.read.results.iter().enumerate() { (one_result(op, s, r, i, edit == Some(i))) }
        section.panel #consents {
            h2 { "⑤ " (t::CONSENT_TABLE_HEADING) }
            (consent_table(&s.read.consent_rows))
        }
        section.panel {
            div.actions {
                a.btn href=(screen_paths::MENU) { "⑥ " (ta::BUTTON_MENU) }
                a.btn #download href={ (url(s.id)) "/xml" } download title=(t::DOWNLOAD_HELP) { (tc::BUTTON_DOWNLOAD) }
                // RULE-25 (ENV-04): only a pharmacy whose 「電子処方箋」 is 「利用する」.
                @if sim.pharmacy.settings().retrieval_open(&op.facility_kind) {
                    a.btn #to-prescriptions href={ (url(s.id)) "/prescriptions" } title=(tp::TO_PRESCRIPTION_NOTE) { (tp::BUTTON_TO_PRESCRIPTION) }
                }
                a.btn.sub #back href=(back) { (ta::BUTTON_BACK) }
            }
        }
    })
    .into_response()
}

/// The 閲覧同意情報 table (DM-14, 7 rows) of SCR-23 ⑤ and SCR-28 ②: 同意なし, cancelled and ended
/// rows grey (RULE-66), with its note.
pub fn consent_table(rows: &[ConsentRow]) -> Markup {
    html! {
        table.list #consent-table {
            tr { @for c in t::CONSENT_TABLE_COLUMNS { th { (c) } } }
            @for r in rows {
                tr.grey[r.consented != CONSENTED_MARK] data-category=(r.category.label()) {
                    td { (r.category.label()) }
                    td.mark { (r.consented) }
                    td { (r.consent_date) }
                    td { (r.expiry_date) }
                    td { (r.expiry_reason) }
                }
            }
        }
        p.note { (t::CONSENT_GREY_NOTE) }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Shown {
    edit: Option<usize>,
    step: Option<String>,
}

async fn get_result(
    _: Shows<Visiting>,
    op: Operator,
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
    Query(q): Query<Shown>,
) -> Response {
    match kept(&sim, &op, id) {
        Some(s) => render(
            &op,
            &sim,
            &s,
            None,
            q.edit,
            reference_step(q.step.as_deref()),
        ),
        None => gone(&op),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShowForm {
    cert: String,
    confirmed: String,
}

/// 《情報表示》: DLG-09; its 《OK》 asks again with the display consent.
async fn post_show(
    _: Shows<Visiting>,
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
    Posted { op, form }: Posted<ShowForm>,
) -> Response {
    let Some(s) = kept(&sim, &op, id) else {
        return gone(&op);
    };
    let which = if form.cert == "sd" {
        Certificate::SpecificDisease
    } else {
        Certificate::Limit
    };
    if form.confirmed != "1" {
        let ok = Action::Post {
            path: format!("{}/show", url(id)),
            csrf: op.csrf().to_owned(),
            fields: vec![
                ("cert".into(), form.cert.clone()),
                ("confirmed".into(), "1".into()),
            ],
        };
        let d = show_dialog(ok, &url(id));
        return render(&op, &sim, &s, Some(d), None, None);
    }
    match sim.visiting_show_certificate(&op.account.facility, id, which, op.login_id()) {
        None => gone(&op),
        Some(Ok(_)) => Redirect::to(&url(id)).into_response(),
        Some(Err(r)) => refused(&op, id, &format!("{} {}", r.code, r.message)),
    }
}

fn refused(op: &Operator, id: u64, reason: &str) -> Response {
    refused_at(op, t::TITLE_RESULT, &url(id), reason)
}

/// SCR-14 《登録》 / 《更新》 on SCR-23: DLG-10 / DLG-11 / DLG-12, whose 《OK》 shows the step.
async fn post_reference(
    _: Shows<Visiting>,
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
    Posted { op, form }: Posted<ReferenceForm>,
) -> Response {
    let done = sim.edit_visiting_reference(
        &op.account.facility,
        id,
        form.index,
        &form.reference_number,
        op.login_id(),
    );
    let Some(s) = kept(&sim, &op, id) else {
        return gone(&op);
    };
    match done {
        None => gone(&op),
        Some(Ok((dialog, _))) => {
            let d = reference_saved(dialog, &url(id));
            render(&op, &sim, &s, Some(d), None, None)
        }
        Some(Err(e)) => refused(&op, id, &e.0),
    }
}

/// 《ダウンロード》 (RULE-95): the answer as sent (file name the simulator's, AMB-70).
async fn get_xml(
    _: Shows<Visiting>,
    op: Operator,
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
) -> Response {
    let Some(s) = kept(&sim, &op, id) else {
        return gone(&op);
    };
    let name = match s.kind {
        CareKind::Visiting => format!("OQSsihvq01res_{id}.xml"),
        CareKind::Online => format!("OQSsionq01res_{id}.xml"),
    };
    crate::ways_in::attachment("application/xml; charset=UTF-8", &name, s.xml)
}

fn prescriptions_url(id: u64) -> String {
    format!("{}/prescriptions", url(id))
}

/// SCR-24 ② above the input: RULE-28's note, then — オンライン診療等 with the patient's selected
/// prescriptions — the list, a 《処方箋取得》 per row (DLG-20 first) and the lead to the input.
fn list(op: &Operator, sim: &Simulator, s: &VisitingShown, r: &QualificationResult) -> Markup {
    let pop = sim.population();
    let rows = patient(&pop, &card_of(r))
        .map(|q| pop.selected_prescriptions(q, s.kind == CareKind::Online))
        .unwrap_or_default();
    html! {
        p.note #refetch-note { (t::REFETCH_NOTE) }
        @if !rows.is_empty() {
            p { (t::LIST_LEAD) }
            table.list #prescriptions {
                tr { @for c in t::LIST_COLUMNS { th { (c) } } th {} }
                @for x in &rows {
                    tr {
                        td { (x.exchange_number) }
                        td { (slash(x.issued_on)) }
                        td { (x.issuer) }
                        td { (x.reservation.map(slash).unwrap_or_default()) }
                        td {
                            form method="post" action=(prescriptions_url(s.id)) {
                                input type="hidden" name="csrf" value=(op.csrf());
                                input type="hidden" name="exchange_number" value=(x.exchange_number);
                                input type="hidden" name="row" value="1";
                                button.sub type="submit" data-row=(x.exchange_number) { (tp::BUTTON_RETRIEVE) }
                            }
                        }
                    }
                }
            }
            p { (t::TYPED_LEAD) }
        }
    }
}

/// SCR-24 over kept result `s`, drawn by SCR-12's one rendering.
fn scr24(
    op: &Operator,
    sim: &Simulator,
    s: &VisitingShown,
    typed: &str,
    error: Option<String>,
    dialog: Option<Markup>,
) -> Response {
    let Some(r) = s.read.results.first() else {
        return gone(op);
    };
    let here = prescriptions_url(s.id);
    draw(
        op,
        &Retrieval {
            title: t::TITLE_PRESCRIPTIONS,
            check_tabs: false,
            qualification: qualification_rows(r),
            action: here.clone(),
            hidden: Vec::new(),
            exchange_number: typed.to_owned(),
            above_input: Some(list(op, sim, s, r)),
            error,
            clear: here,
            back: url(s.id),
            dialog,
        },
    )
}

async fn get_prescriptions(
    _: Shows<Visiting>,
    op: Operator,
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
) -> Response {
    let Some(s) = kept(&sim, &op, id) else {
        return gone(&op);
    };
    if !sim.pharmacy.settings().retrieval_open(&op.facility_kind) {
        return refused(&op, id, &RetrievalError::NotAvailable.to_string());
    }
    scr24(&op, &sim, &s, "", None, None)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RetrieveForm {
    exchange_number: String,
    /// `1`: 《処方箋取得》 of a list row (DLG-20 first).
    row: String,
    confirmed: String,
}

/// 《処方箋取得》: a row asks DLG-20 first (a typed 引換番号 does not); then the one retrieval
/// (`Simulator::retrieve_prescription`): the XML file, or SCR-24 with the reason.
async fn post_prescriptions(
    _: Shows<Visiting>,
    State(sim): State<Arc<Simulator>>,
    Path(id): Path<u64>,
    Posted { op, form }: Posted<RetrieveForm>,
) -> Response {
    let Some(s) = kept(&sim, &op, id) else {
        return gone(&op);
    };
    if !sim.pharmacy.settings().retrieval_open(&op.facility_kind) {
        return refused(&op, id, &RetrievalError::NotAvailable.to_string());
    }
    let here = prescriptions_url(id);
    if form.row == "1" && form.confirmed != "1" {
        let ok = Action::Post {
            path: here.clone(),
            csrf: op.csrf().to_owned(),
            fields: vec![
                ("exchange_number".into(), form.exchange_number.clone()),
                ("row".into(), "1".into()),
                ("confirmed".into(), "1".into()),
            ],
        };
        let d = Dialog::dlg(&t::DLG_20)
            .render(&[(ta::BUTTON_OK, ok), (ta::BUTTON_CANCEL, Action::Link(here))]);
        return scr24(&op, &sim, &s, "", None, Some(d));
    }
    let Some(r) = s.read.results.first() else {
        return gone(&op);
    };
    match sim.retrieve_prescription(&op.account.facility, &card_of(r), &form.exchange_number) {
        Ok(file) => download(&file.name, file.xml),
        Err(f) => {
            let typed = if form.row == "1" {
                ""
            } else {
                form.exchange_number.as_str()
            };
            scr24(&op, &sim, &s, typed, Some(reason(&f)), None)
        }
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route("/visiting-care/result/{id}", get(get_result))
        .route("/visiting-care/result/{id}/show", post(post_show))
        .route("/visiting-care/result/{id}/reference", post(post_reference))
        .route("/visiting-care/result/{id}/xml", get(get_xml))
        .route(
            "/visiting-care/result/{id}/prescriptions",
            get(get_prescriptions).post(post_prescriptions),
        )
}
