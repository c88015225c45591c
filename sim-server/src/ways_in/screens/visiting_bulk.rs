//! SCR-25 資格情報一括照会(訪問診療等・オンライン診療等) and SCR-26 its results (ch.3 §4–§5,
//! FLOW-33/34, JOB-03).
//!
//! SCR-25: ① 「診療区分」, ② the 「資格確認一括照会要求ファイル」 (any name, RULE-55), sent as
//! `OQSmuhvq01req` (訪問診療等) or `OQSmuonq01req` (オンライン診療等). The simulator's own
//! addition: without a file, the date ranges the public client sends (同意年月日 / 受診年月日,
//! RULE-65) make the request. Either way it goes the way of every bulk file
//! ([`super::bulk::submit_file`]: journal, the one job engine, history rows under the
//! operator's login id, 受付番号 ending in it, AMB-33); 《照会》 → DLG-14 (image only: the
//! placeholder with 受付番号 and 受付日時) → 《OK》 → SCR-25 again (RULE-93).
//!
//! SCR-26: the 3 newest jobs of the chosen 診療区分 (RULE-52), statuses verbatim, reloaded each
//! minute (RULE-53), 《ダウンロード》 where the job allows it (RULE-54): a zip for 訪問診療等, XML for
//! オンライン診療等 (`Jobs::download`, the file of `GET /jobs/{受付番号}/result`); no medical
//! information (RULE-56).

use super::bulk::{read_upload, submit_file};
use super::checks::style;
use super::dialog::{Action, Dialog};
use super::layout::{Page, AUTO_REFRESH_SECS};
use super::paths;
use super::session::{same_secret, Operator};
use super::unavailable::{Shows, Visiting};
use crate::jobs::{screen_time, JobKind, LISTED};
use crate::simulator::Simulator;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use oqs_protocol::codes::CodeTable;
use oqs_protocol::message::RequestHeader;
use oqs_protocol::texts::{self, accounts as ta, checks as t, visiting_jobs as v};
use oqs_protocol::visiting::{CareKind, NO_MEDICAL_INFO_BULK};
use oqs_protocol::visiting_bulk::ConsentedBulkRequest;
use serde::Deserialize;
use std::sync::Arc;

/// SCR-25; SCR-26 is [`RESULTS`], a result file `…/results/{受付番号}`.
pub const REQUEST: &str = "/visiting-bulk";
pub const RESULTS: &str = "/visiting-bulk/results";

/// The date fields of SCR-25 (simulator's own), in the request's order.
const DATES: [&str; 4] = [
    "consent_from",
    "consent_to",
    "examination_from",
    "examination_to",
];

fn kind_of(s: Option<&str>) -> CareKind {
    s.and_then(CareKind::parse).unwrap_or(CareKind::Visiting)
}

/// The message and job kind of a 診療区分.
fn message_of(kind: CareKind) -> (&'static str, JobKind) {
    match kind {
        CareKind::Visiting => ("OQSmuhvq01req", JobKind::VisitingBulk),
        CareKind::Online => ("OQSmuonq01req", JobKind::OnlineBulk),
    }
}

fn kind_select(chosen: CareKind) -> Markup {
    html! {
        label for="kind" { (v::KIND) }
        select #kind name="kind" aria-label=(v::KIND) {
            @for k in CareKind::all() {
                option value=(k.label()) selected[*k == chosen] { (k.label()) }
            }
        }
    }
}

fn request_page(
    op: &Operator,
    kind: CareKind,
    dates: &[String; 4],
    error: Option<&str>,
    dialog: Option<Markup>,
) -> Response {
    let h = op.header();
    let mut p = Page::new(v::TITLE_BULK).header(&h);
    if let Some(d) = dialog {
        p = p.dialog(d);
    }
    let date = |i: usize, label: &str| {
        html! {
            input id=(DATES[i]) type="text" name=(DATES[i]) value=(dates[i]) aria-label=(label) style="width:150px";
        }
    };
    p.render(html! {
        (style())
        form.fields #upload method="post" action=(REQUEST) enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(op.csrf());
            section.panel {
                h2 { "① " (v::KIND) }
                (kind_select(kind))
                h2 style="margin-top:16px" { "② " (t::BULK_FILE) }
                @if let Some(e) = error { p.error #check-error { (e) } }
                input #file type="file" name="file" aria-label=(t::BULK_FILE);
                p.note { (t::NO_FILE) "（" (v::REQUEST_FILE) "。" (t::ANY_FILE_NAME) "）" }
                fieldset {
                    legend { (v::CONDITIONS_INSTEAD) }
                    p.note { (v::RANGE_NOTE) }
                    label for="consent_from" { (v::CONSENT_FROM) }
                    (date(0, v::CONSENT_FROM)) " ～ " (v::TO) " " (date(1, v::TO))
                    label for="examination_from" { (v::EXAMINATION_FROM) }
                    (date(2, v::EXAMINATION_FROM)) " ～ " (v::TO) " " (date(3, v::TO))
                    p.note { (v::EXAMINATION_NOTE) " " (t::DATE_FORMAT) }
                }
                div.actions {
                    button #submit type="submit" { "③ " (t::BUTTON_INQUIRE) }
                    a.btn.sub href={ (RESULTS) "?kind=" (kind.label()) } { (t::TITLE_BULK_RESULTS) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_BACK) }
                }
            }
        }
    })
    .into_response()
}

/// The request the date fields stand for (dates `yyyy/mm/dd` or `yyyymmdd`; the job judges them).
fn request_of(facility: &str, kind: CareKind, dates: &[String; 4]) -> Vec<u8> {
    let d = |i: usize| Some(dates[i].trim().replace('/', "")).filter(|s: &String| !s.is_empty());
    let req = ConsentedBulkRequest {
        header: RequestHeader {
            medical_institution_code: Some(facility.to_owned()),
            ..Default::default()
        },
        consent_date_from: d(0),
        consent_date_to: d(1),
        examination_date_from: d(2),
        examination_date_to: d(3),
        medical_treatment_flag: Some(kind.code().to_owned()),
    };
    oqs_protocol::xml::write_document(&req.to_element(), oqs_protocol::TextEncoding::Utf8)
}

/// 《照会》 → DLG-14 over SCR-25 (《OK》: SCR-25 again, empty, RULE-93).
async fn request(
    _: Shows<Visiting>,
    op: Operator,
    State(sim): State<Arc<Simulator>>,
    m: Multipart,
) -> Response {
    let none = <[String; 4]>::default();
    let u = match read_upload(m).await {
        Ok(u) => u,
        Err(e) => return request_page(&op, CareKind::Visiting, &none, Some(&e), None),
    };
    if !same_secret(&u.csrf, op.csrf()) {
        return super::form_expired(&op);
    }
    let field = |name: &str| {
        u.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let kind = kind_of(Some(&field("kind")));
    let dates = DATES.map(field);
    let (message, _) = message_of(kind);
    let (name, bytes) = match u.file {
        Some(f) => f,
        None if dates.iter().any(|d| !d.trim().is_empty()) => (
            String::new(),
            request_of(&op.account.facility, kind, &dates),
        ),
        None => return request_page(&op, kind, &dates, Some(t::NO_FILE), None),
    };
    let job = match submit_file(&sim, &op, message, bytes, &name).await {
        Ok(job) => job,
        Err(e) => return request_page(&op, kind, &dates, Some(&e), None),
    };
    let d = Dialog {
        id: "DLG-14",
        title: texts::PLACEHOLDER_LABEL,
        message: v::dlg14_lines(&job.reception_number, &screen_time(job.accepted_at)).join("\n"),
        details: Vec::new(),
        buttons: &[ta::BUTTON_OK],
    };
    let shown = d.render(&[(ta::BUTTON_OK, Action::Link(REQUEST.into()))]);
    request_page(&op, kind, &none, None, Some(shown))
}

#[derive(Debug, Default, Deserialize)]
struct KindQuery {
    kind: Option<String>,
}

fn results_page(sim: &Simulator, op: &Operator, kind: CareKind) -> Response {
    let (_, job_kind) = message_of(kind);
    let jobs = sim.jobs.list(job_kind, Some(&op.account.facility), LISTED);
    let h = op.header();
    Page::new(v::TITLE_BULK_RESULTS)
        .header(&h)
        .refresh_every(AUTO_REFRESH_SECS)
        .render(html! {
            (style())
            section.panel {
                form.fields #kind-form method="get" action=(RESULTS) {
                    div.actions style="margin:0 0 10px" {
                        button #refresh type="submit" { (t::BUTTON_UPDATE) }
                    }
                    p.note { (t::AUTO_REFRESH_NOTE) }
                    h2 { "① " }
                    (kind_select(kind))
                    p.note { (v::KIND_THEN_UPDATE) }
                }
                h2 style="margin-top:16px" { "② " }
                p.note { (t::LIST_NOTE) }
                p.note { (v::DOWNLOAD_NOTE) }
                table.list #jobs data-kind=(kind.label()) {
                    tr { @for c in t::BULK_COLUMNS { th { (c) } } }
                    @for j in &jobs {
                        @let view = j.view();
                        tr data-number=(j.reception_number) {
                            td { (j.reception_number) }
                            td.status { (j.state.status(j.kind)) }
                            td { (view["receptionDateTime"].as_str().unwrap_or_default()) }
                            td { (view["completionDateTime"].as_str().unwrap_or_default()) }
                            td.count { (view["count"].as_u64().map(|n| n.to_string()).unwrap_or_default()) }
                            td {
                                @if j.state.downloadable() {
                                    a.btn.sub href={ (RESULTS) "/" (j.reception_number) } download { (t::BUTTON_DOWNLOAD) }
                                }
                            }
                        }
                    }
                }
                p.error #no-medical-info { (NO_MEDICAL_INFO_BULK) }
                p.note { (v::MEDICAL_INFO_ELSEWHERE) }
                div.actions {
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_BACK) }
                }
            }
        })
        .into_response()
}

/// 《ダウンロード》 of one of the facility's JOB-03 results: the zip (訪問診療等) or the XML
/// (オンライン診療等) that `GET /jobs/{受付番号}/result` downloads.
fn download(sim: &Simulator, op: &Operator, number: &str) -> Response {
    let own = sim.jobs.job(number).filter(|j| {
        matches!(j.kind, JobKind::VisitingBulk | JobKind::OnlineBulk)
            && j.facility.trim() == op.account.facility
    });
    let kind = match own.as_ref().map(|j| j.kind) {
        Some(JobKind::OnlineBulk) => CareKind::Online,
        _ => CareKind::Visiting,
    };
    match own.map(|_| sim.jobs.download(number)) {
        Some(Ok((name, bytes))) => {
            let content_type = if name.ends_with(".zip") {
                "application/zip"
            } else {
                "application/xml"
            };
            crate::ways_in::attachment(content_type, &name, bytes)
        }
        _ => results_page(sim, op, kind),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    // A request file may be as large as the job engine accepts.
    let limit = DefaultBodyLimit::max(crate::jobs::DEFAULT_BULK_MAX_REQUEST_BYTES + 64 * 1024);
    Router::new()
        .route(
            REQUEST,
            get(|_: Shows<Visiting>, op: Operator| async move {
                request_page(&op, CareKind::Visiting, &Default::default(), None, None)
            })
            .post(request),
        )
        .route(
            RESULTS,
            get(
                |_: Shows<Visiting>,
                 op: Operator,
                 State(sim): State<Arc<Simulator>>,
                 Query(q): Query<KindQuery>| async move {
                    results_page(&sim, &op, kind_of(q.kind.as_deref()))
                },
            ),
        )
        .route(
            &format!("{RESULTS}/{{number}}"),
            get(
                |_: Shows<Visiting>,
                 op: Operator,
                 State(sim): State<Arc<Simulator>>,
                 Path(number): Path<String>| async move { download(&sim, &op, &number) },
            ),
        )
        .layer(limit)
}
