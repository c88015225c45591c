//! SCR-29 委託先資格情報一括取得 and SCR-30 委託先資格情報一括取得結果 (ch.6 §2, FLOW-36/37,
//! JOB-04). 《取得》 submits the OQSmutic01req the screen stands for (`Jobs::submit_entrusted`,
//! 受付番号 ending in the operator's login id, AMB-33) and shows DLG-16 (image only: placeholder
//! with 受付番号 and 受付日時); SCR-30 lists the facility's 3 newest (RULE-52) with
//! 《ダウンロード》 where the job allows it (RULE-54): XML or the DM-20 CSV.
//!
//! 「診療年月」 list (AMB-57, not given): the clock's month and the 11 before, in 和暦.

use super::checks::style;
use super::dialog::{Action, Dialog};
use super::layout::{Page, AUTO_REFRESH_SECS};
use super::paths;
use super::session::{Operator, Posted};
use crate::jobs::{screen_time, JobKind, LISTED};
use crate::simulator::Simulator;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{Datelike, Months, NaiveDate};
use maud::{html, Markup};
use oqs_protocol::texts::{self, accounts as ta, checks as t, entrusted as e};
use serde::Deserialize;
use std::sync::Arc;

/// SCR-29; SCR-30 is [`RESULTS`].
pub const REQUEST: &str = "/entrusted";
pub const RESULTS: &str = "/entrusted/results";

/// The months offered: this month and the 11 before, newest first, as (`YYYYMM`, 和暦).
fn months(sim: &Simulator) -> Vec<(String, String)> {
    let today = oqs_domain::inquiry::today(sim.clock.now());
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    (0..12)
        .filter_map(|i| first.checked_sub_months(Months::new(i)))
        .map(|m| {
            (
                m.format("%Y%m").to_string(),
                oqs_domain::wareki::format_month(m),
            )
        })
        .collect()
}

fn request_page(sim: &Simulator, op: &Operator, dialog: Option<Markup>) -> Response {
    let h = op.header();
    let mut p = Page::new(e::TITLE_REQUEST).header(&h);
    if let Some(d) = dialog {
        p = p.dialog(d);
    }
    p.render(html! {
        (style())
        form.fields #entrusted method="post" action=(REQUEST) {
            input type="hidden" name="csrf" value=(op.csrf());
            section.panel {
                h2 { "① " (e::CONDITIONS) }
                label { (e::MONTH) " "
                    select #month name="month" aria-label=(e::MONTH) {
                        @for (value, shown) in months(sim) { option value=(value) { (shown) } }
                    }
                }
                label { (e::FORMAT) " "
                    select #format name="format" aria-label=(e::FORMAT) {
                        @for f in e::FORMATS { option value=(f) { (f) } }
                    }
                }
                div.actions {
                    button #submit type="submit" { "② " (e::BUTTON_GET) }
                    a.btn.sub href=(RESULTS) { (e::TITLE_RESULTS) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_BACK) }
                }
            }
        }
    })
    .into_response()
}

#[derive(Debug, Deserialize)]
struct RequestForm {
    month: String,
    format: String,
}

/// 《取得》 → DLG-16 over SCR-29 (《OK》: SCR-29 again, RULE-93).
async fn request(State(sim): State<Arc<Simulator>>, p: Posted<RequestForm>) -> Response {
    let Posted { op, form } = p;
    let job = sim.jobs.submit_entrusted(
        &op.account.facility,
        &form.month,
        Some(&form.format),
        sim.population(),
        Some(op.login_id()),
    );
    let Some(job) = job else {
        return request_page(&sim, &op, None);
    };
    let d = Dialog {
        id: "DLG-16",
        title: texts::PLACEHOLDER_LABEL,
        message: e::dlg16_lines(&job.reception_number, &screen_time(job.accepted_at)).join("\n"),
        details: Vec::new(),
        buttons: &[ta::BUTTON_OK],
    };
    let shown = d.render(&[(ta::BUTTON_OK, Action::Link(REQUEST.into()))]);
    request_page(&sim, &op, Some(shown))
}

fn results_page(sim: &Simulator, op: &Operator) -> Response {
    let jobs = sim
        .jobs
        .list(JobKind::Entrusted, Some(&op.account.facility), LISTED);
    let h = op.header();
    Page::new(e::TITLE_RESULTS)
        .header(&h)
        .refresh_every(AUTO_REFRESH_SECS)
        .render(html! {
            (style())
            section.panel {
                div.actions style="margin:0 0 10px" {
                    a.btn #refresh href=(RESULTS) { (t::BUTTON_UPDATE) }
                }
                h2 { "① " }
                p.note { (e::LIST_NOTE) }
                p.note { (e::DOWNLOAD_NOTE) }
                table.list #jobs {
                    tr { @for c in e::COLUMNS { th { (c) } } }
                    @for j in &jobs {
                        @let v = j.view();
                        tr data-number=(j.reception_number) {
                            td { (j.reception_number) }
                            td.status { (j.state.status(j.kind)) }
                            td { (v["receptionDateTime"].as_str().unwrap_or_default()) }
                            td { (v["completionDateTime"].as_str().unwrap_or_default()) }
                            td.count { (v["count"].as_u64().map(|n| n.to_string()).unwrap_or_default()) }
                            td {
                                @if j.state.downloadable() {
                                    a.btn.sub href={ (RESULTS) "/" (j.reception_number) } download { (t::BUTTON_DOWNLOAD) }
                                }
                            }
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

/// 《ダウンロード》 of one of the facility's JOB-04 results: XML, or CSV (UTF-8 with a BOM).
fn download(sim: &Simulator, op: &Operator, number: &str) -> Response {
    let own = sim
        .jobs
        .job(number)
        .filter(|j| j.kind == JobKind::Entrusted && j.facility.trim() == op.account.facility);
    match own.map(|_| sim.jobs.result(number)) {
        Some(Ok((name, bytes))) => {
            let kind = if name.ends_with(".csv") {
                "text/csv; charset=utf-8"
            } else {
                "application/xml"
            };
            crate::ways_in::attachment(kind, &name, bytes)
        }
        _ => results_page(sim, op),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(
            REQUEST,
            get(
                |op: Operator, State(sim): State<Arc<Simulator>>| async move {
                    request_page(&sim, &op, None)
                },
            )
            .post(request),
        )
        .route(
            RESULTS,
            get(
                |op: Operator, State(sim): State<Arc<Simulator>>| async move {
                    results_page(&sim, &op)
                },
            ),
        )
        .route(
            &format!("{RESULTS}/{{number}}"),
            get(
                |op: Operator, State(sim): State<Arc<Simulator>>, Path(number): Path<String>| async move {
                    download(&sim, &op, &number)
                },
            ),
        )
}
