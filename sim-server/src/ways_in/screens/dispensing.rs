//! SCR-33 保管調剤結果一括取得 and SCR-34 保管調剤結果一括取得結果 (ch.11, FLOW-43/44, JOB-05),
//! only for a pharmacy using 調剤済み処方箋の保存サービス (RULE-69; any other facility gets the
//! error table's `dispensing-not-available` text and a way back to the menu).
//!
//! - SCR-33: the period (DATE `yyyy/mm/dd`), 《調剤結果取得》 → DLG-31 → 《OK》 → the request
//!   (`Jobs::request_dispensing`, the service the JSON route and OQSmudsp01req call) → DLG-32 with
//!   the 24-digit 調剤結果一括取得ID and the manual's 注意 (RULE-75). A refused request shows SCR-33
//!   again with its text: ERR-31 (RULE-70), ERR-30 (RULE-71) with its 【対処】. The manual shows no
//!   dialog for either (AMB-40) and does not say whether they come before DLG-31: here they come
//!   after 《OK》, where the request is made.
//! - SCR-34: the pharmacy's acquisitions, 9 per page, newest first (RULE-73), the pager
//!   「検索結果： N 件1-9件表示 <<前へ 1 2 次へ>>」, 《ダウンロード》 only where RULE-72/74 allow it
//!   (照会完了, 件数 > 0, today ≤ ダウンロード期限). No auto-refresh (AMB-41: not mentioned).

use super::checks::style;
use super::dialog::{Action, Dialog};
use super::layout::Page;
use super::paths;
use super::session::{Operator, Posted};
use super::unavailable::not_available;
use crate::jobs::ResultError;
use crate::simulator::Simulator;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use oqs_domain::dispensing::{shown_date, typed_date};
use oqs_protocol::errors::ErrorKind;
use oqs_protocol::texts::{accounts as ta, checks as tc, dispensing as t};
use serde::Deserialize;
use std::sync::Arc;

/// SCR-33; SCR-34 is [`RESULTS`], a row's 《ダウンロード》 `RESULTS/{id}`.
pub const REQUEST: &str = "/stored-dispensing";
pub const RESULTS: &str = "/stored-dispensing/results";

/// The period as typed (kept when SCR-33 is shown again).
#[derive(Debug, Default, Deserialize)]
struct PeriodForm {
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    /// 「1」: DLG-31 was answered 《OK》.
    #[serde(default)]
    confirmed: Option<String>,
}

/// RULE-69: `None` when the operator's facility uses the storage service; otherwise the page
/// to show instead.
fn not_storage(sim: &Simulator, op: &Operator, title: &'static str) -> Option<Response> {
    let refusal = sim
        .jobs
        .check_dispensing_facility(&sim.population(), &op.account.facility)
        .err()?;
    let message = &sim.error_table().entry(refusal.kind).message;
    Some(not_available(op, title, "RULE-69", message))
}

/// A refused request's text on SCR-33: the catalogue id (if any), the text and 【対処】.
struct Refused {
    id: Option<&'static str>,
    message: String,
    remedy: Option<&'static str>,
}

fn request_page(
    op: &Operator,
    form: &PeriodForm,
    refused: Option<&Refused>,
    dialog: Option<Markup>,
) -> Response {
    let h = op.header();
    let mut p = Page::new(t::TITLE).header(&h);
    if let Some(d) = dialog {
        p = p.dialog(d);
    }
    p.render(html! {
        (style())
        form.fields #acquire method="post" action=(REQUEST) {
            input type="hidden" name="csrf" value=(op.csrf());
            section.panel {
                h2 { "① " (t::CONDITIONS) }
                label for="start" { (t::START) }
                input #start type="text" name="start" value=(form.start) placeholder="yyyy/mm/dd" inputmode="numeric";
                label for="end" { (t::END) }
                input #end type="text" name="end" value=(form.end) placeholder="yyyy/mm/dd" inputmode="numeric";
                p.note { (t::CAUTION) " " (t::WITHIN_A_MONTH) }
                p.note #rules { (t::CAUTION) " " (t::ENTER_ALL) "\n" (t::ERR_30) "\n" (t::ERR_31) }
                @if let Some(r) = refused {
                    div.error #refused data-error=[r.id] role="alert" {
                        (r.message)
                        @if let Some(remedy) = r.remedy { "\n" (remedy) }
                    }
                }
                div.actions {
                    button #submit type="submit" { "② " (t::BUTTON_ACQUIRE) }
                    a.btn.sub href=(RESULTS) { (t::RESULTS_TITLE) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_BACK) }
                }
            }
        }
    })
    .into_response()
}

/// SCR-33 (GET; `?start=…&end=…` keeps what was typed, e.g. after DLG-31's 《キャンセル》).
async fn show_request(
    State(sim): State<Arc<Simulator>>,
    op: Operator,
    Query(form): Query<PeriodForm>,
) -> Response {
    if let Some(page) = not_storage(&sim, &op, t::TITLE) {
        return page;
    }
    request_page(&op, &form, None, None)
}

/// 《調剤結果取得》: DLG-31 first; its 《OK》 posts again with `confirmed=1` and the request is
/// made: DLG-32, or SCR-33 with ERR-30/31.
async fn acquire(State(sim): State<Arc<Simulator>>, p: Posted<PeriodForm>) -> Response {
    let Posted { op, form } = p;
    if let Some(page) = not_storage(&sim, &op, t::TITLE) {
        return page;
    }
    if form.confirmed.as_deref() != Some("1") {
        let cancel = serde_urlencoded::to_string([("start", &form.start), ("end", &form.end)])
            .map(|q| format!("{REQUEST}?{q}"))
            .unwrap_or_else(|_| REQUEST.to_owned());
        let ok = Action::Post {
            path: REQUEST.into(),
            csrf: op.csrf().to_owned(),
            fields: vec![
                ("start".into(), form.start.clone()),
                ("end".into(), form.end.clone()),
                ("confirmed".into(), "1".into()),
            ],
        };
        let d = Dialog::dlg(&t::DLG_31).render(&[
            (ta::BUTTON_OK, ok),
            (ta::BUTTON_CANCEL, Action::Link(cancel)),
        ]);
        return request_page(&op, &form, None, Some(d));
    }
    let (start, end) = (typed_date(&form.start), typed_date(&form.end));
    // Journalled from the operator, the job under their login id (issue 13).
    let source = format!("screen:{} SCR-33", op.login_id());
    match sim.request_dispensing(
        &op.account.facility,
        Some(&start),
        Some(&end),
        crate::journal::Transport::Terminal,
        &source,
        Some(op.login_id()),
    ) {
        Ok(job) => {
            let d = Dialog {
                id: "DLG-32",
                title: t::TITLE,
                message: format!(
                    "{}\n{}{}",
                    t::DLG_32_SUCCESS,
                    t::ID_LABEL,
                    job.reception_number
                ),
                details: vec![(t::CAUTION, t::NOT_DOWNLOADED_YET)],
                buttons: &[ta::BUTTON_OK],
            };
            let shown = d.render(&[(ta::BUTTON_OK, Action::Link(REQUEST.into()))]);
            request_page(&op, &PeriodForm::default(), None, Some(shown))
        }
        Err(r) => {
            let (id, remedy) = match r.kind {
                ErrorKind::DispensingSameConditions => (Some("ERR-30"), Some(t::ERR_30_REMEDY)),
                ErrorKind::DispensingPeriodTooLong => (Some("ERR-31"), None),
                _ => (None, None),
            };
            let refused = Refused {
                id,
                message: sim.error_table().entry(r.kind).message.clone(),
                remedy,
            };
            let kept = PeriodForm {
                confirmed: None,
                ..form
            };
            request_page(&op, &kept, Some(&refused), None)
        }
    }
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    #[serde(default)]
    page: Option<usize>,
}

fn results_page(sim: &Simulator, op: &Operator, page: usize, error: Option<&str>) -> Response {
    if let Some(p) = not_storage(sim, op, t::RESULTS_TITLE) {
        return p;
    }
    let p = sim.jobs.dispensing_page(&op.account.facility, page);
    let at = |n: usize| format!("{RESULTS}?page={n}");
    let h = op.header();
    Page::new(t::RESULTS_TITLE)
        .header(&h)
        .render(html! {
            (style())
            section.panel {
                div.actions style="margin:0 0 10px" {
                    a.btn #refresh href=(at(p.page)) { "② " (tc::BUTTON_UPDATE) }
                }
                p.note #banner { (t::DEADLINE_BANNER) }
                @if let Some(e) = error { p.error #download-refused role="alert" { (e) } }
                div.pager {
                    span #count { (t::pager(p.total, p.shown())) }
                    nav aria-label="pages" {
                        @if p.page > 1 { a #previous href=(at(p.page - 1)) { (t::PREVIOUS) } }
                        @else { span { (t::PREVIOUS) } }
                        @for n in 1..=p.pages {
                            @if n == p.page { span aria-current="page" { (n) } }
                            @else { a href=(at(n)) { (n) } }
                        }
                        @if p.page < p.pages { a #next href=(at(p.page + 1)) { (t::NEXT) } }
                        @else { span { (t::NEXT) } }
                    }
                }
                h2 { "① " }
                table.list #acquisitions {
                    tr {
                        @for (i, c) in t::COLUMNS.iter().enumerate() {
                            @if i == 2 { th colspan="2" { (c) } } @else { th { (c) } }
                        }
                    }
                    @for r in &p.rows {
                        tr data-id=(r.acquisition_id) {
                            td { (r.acquisition_id) }
                            td.status { (r.status) }
                            td.start { (shown_date(&r.start)) }
                            td.end { (shown_date(&r.end)) }
                            td.count { (r.count.map(|n| n.to_string()).unwrap_or_default()) }
                            td {
                                @if r.downloadable {
                                    a.btn.sub href={ (RESULTS) "/" (r.acquisition_id) } download { (tc::BUTTON_DOWNLOAD) }
                                }
                            }
                            td.deadline { (r.download_deadline.as_deref().map(shown_date).unwrap_or_default()) }
                        }
                    }
                }
                div.actions {
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_BACK) }
                }
            }
        })
        .into_response()
}

/// 《ダウンロード》 (FLOW-44): the zip `<ID>.zip`; a row RULE-72/74 no longer allow (or not the
/// pharmacy's) → SCR-34 with 「ダウンロード期限を経過している場合は再度取得してください。」.
fn download(sim: &Simulator, op: &Operator, id: &str) -> Response {
    if let Some(p) = not_storage(sim, op, t::RESULTS_TITLE) {
        return p;
    }
    match sim.jobs.dispensing_download(&op.account.facility, id) {
        Ok((name, bytes)) => crate::ways_in::attachment("application/zip", &name, bytes),
        Err(ResultError::NotDownloadable(_)) => results_page(sim, op, 1, Some(t::DEADLINE_PASSED)),
        Err(_) => results_page(sim, op, 1, None),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(REQUEST, get(show_request).post(acquire))
        .route(
            RESULTS,
            get(
                |op: Operator, State(sim): State<Arc<Simulator>>, Query(q): Query<PageQuery>| async move {
                    results_page(&sim, &op, q.page.unwrap_or(1), None)
                },
            ),
        )
        .route(
            &format!("{RESULTS}/{{id}}"),
            get(
                |op: Operator, State(sim): State<Arc<Simulator>>, Path(id): Path<String>| async move {
                    download(&sim, &op, &id)
                },
            ),
        )
}
