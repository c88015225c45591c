//! SCR-15 資格情報一括照会 / SCR-17 照会番号一括登録 (upload a file of any name, RULE-55) and
//! SCR-16 / SCR-18 their results (the 3 newest jobs of the facility, RULE-52, with
//! 《ダウンロード》 where the job allows it, RULE-54). An upload goes the way of every bulk file
//! (`Simulator::handle_xml_by`: journal, job engine), its 受付番号 ending in the operator's login
//! id (AMB-33); DLG-13 / DLG-15 show it.

use super::checks::style;
use super::dialog::{Action, Dialog};
use super::layout::{Page, AUTO_REFRESH_SECS};
use super::paths;
use super::session::{same_secret, Operator};
use crate::jobs::{JobKind, LISTED};
use crate::journal::Transport;
use crate::simulator::Simulator;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Timelike;
use maud::{html, Markup};
use oqs_protocol::texts::{self, accounts as ta, checks as t};
use std::sync::Arc;

/// SCR-15; SCR-16 is `…/results`.
pub const BULK: &str = "/bulk-inquiry";
/// SCR-17; SCR-18 is `…/results`.
pub const REGISTRATION: &str = "/reference-registration";

/// One of the two upload screens and its result list.
#[derive(Debug, Clone, Copy)]
struct Screen {
    kind: JobKind,
    message: &'static str,
    path: &'static str,
    title: &'static str,
    results_title: &'static str,
    file_label: &'static str,
    button: &'static str,
    columns: [&'static str; 6],
}

const SCR15: Screen = Screen {
    kind: JobKind::BulkInquiry,
    message: "OQSmuquc01req",
    path: BULK,
    title: t::TITLE_BULK,
    results_title: t::TITLE_BULK_RESULTS,
    file_label: t::BULK_FILE,
    button: t::BUTTON_INQUIRE,
    columns: t::BULK_COLUMNS,
};

const SCR17: Screen = Screen {
    kind: JobKind::BulkRegistration,
    message: "OQSmuimm01req",
    path: REGISTRATION,
    title: t::TITLE_REGISTRATION,
    results_title: t::TITLE_REGISTRATION_RESULTS,
    file_label: t::REGISTRATION_FILE,
    button: t::BUTTON_REGISTER,
    columns: t::REGISTRATION_COLUMNS,
};

fn results_path(s: Screen) -> String {
    format!("{}/results", s.path)
}

fn upload_page(op: &Operator, s: Screen, error: Option<&str>, dialog: Option<Markup>) -> Response {
    let h = op.header();
    let mut p = Page::new(s.title).header(&h);
    if let Some(d) = dialog {
        p = p.dialog(d);
    }
    p.render(html! {
        (style())
        form.fields #upload method="post" action=(s.path) enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(op.csrf());
            section.panel {
                h2 { "① " (s.file_label) }
                @if let Some(e) = error { p.error #check-error { (e) } }
                input #file type="file" name="file" aria-label=(s.file_label);
                p.note { (t::NO_FILE) "（" (t::ANY_FILE_NAME) "）" }
                div.actions {
                    button #submit type="submit" { "② " (s.button) }
                    a.btn.sub href=(results_path(s)) { (s.results_title) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_MENU) }
                    a.btn.sub href=(paths::MENU) { (ta::BUTTON_BACK) }
                }
            }
        }
    })
    .into_response()
}

async fn get_upload(op: Operator, s: Screen) -> Response {
    upload_page(&op, s, None, None)
}

/// An uploaded form: its CSRF token, the file (name, bytes) and its other text fields.
pub(super) struct Upload {
    pub csrf: String,
    pub file: Option<(String, Vec<u8>)>,
    pub fields: Vec<(String, String)>,
}

/// Reads a `multipart/form-data` form with a `file` field.
pub(super) async fn read_upload(mut m: Multipart) -> Result<Upload, String> {
    let mut u = Upload {
        csrf: String::new(),
        file: None,
        fields: Vec::new(),
    };
    while let Some(field) = m.next_field().await.map_err(|e| e.to_string())? {
        match field.name().map(str::to_owned).as_deref() {
            Some("csrf") => u.csrf = field.text().await.map_err(|e| e.to_string())?,
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(|e| e.to_string())?;
                if !name.is_empty() || !bytes.is_empty() {
                    u.file = Some((name, bytes.to_vec()));
                }
            }
            Some(other) => {
                let v = field.text().await.map_err(|e| e.to_string())?;
                u.fields.push((other.to_owned(), v));
            }
            None => {}
        }
    }
    Ok(u)
}

/// Submits a bulk file made or uploaded on a screen the way every bulk file goes
/// (`Simulator::handle_xml_by`: journal, job engine; RULE-55: any file name, the screen says what
/// the file is), its 受付番号 ending in the operator's login id (AMB-33). The job accepted, or
/// the text to show.
pub(super) async fn submit_file(
    sim: &Arc<Simulator>,
    op: &Operator,
    message: &'static str,
    bytes: Vec<u8>,
    name: &str,
) -> Result<crate::jobs::Job, String> {
    let source = format!("screen:{} {}", op.login_id(), name);
    let s2 = sim.clone();
    let login = op.login_id().to_owned();
    let answered = tokio::task::spawn_blocking(move || {
        s2.handle_xml_by(message, &bytes, Transport::Terminal, &source, Some(&login))
    })
    .await;
    let number = match answered {
        Ok(Ok(a)) => a
            .root
            .child("MessageBody")
            .and_then(|b| b.child_text("ReceptionNumber"))
            .map(str::to_owned),
        Ok(Err(r)) => return Err(format!("{} {}", r.code, r.message)),
        Err(e) => return Err(e.to_string()),
    };
    number
        .and_then(|n| sim.jobs.job(&n))
        .ok_or_else(|| texts::accounts::FORM_EXPIRED.to_owned())
}

async fn post_upload(op: Operator, sim: Arc<Simulator>, s: Screen, m: Multipart) -> Response {
    let (csrf, file) = match read_upload(m).await {
        Ok(u) => (u.csrf, u.file),
        Err(e) => return upload_page(&op, s, Some(&e), None),
    };
    if !same_secret(&csrf, op.csrf()) {
        return super::form_expired(&op);
    }
    let Some((name, bytes)) = file else {
        return upload_page(&op, s, Some(t::NO_FILE), None);
    };
    let job = match submit_file(&sim, &op, s.message, bytes, &name).await {
        Ok(job) => job,
        Err(e) => return upload_page(&op, s, Some(&e), None),
    };
    let at = job.accepted_at;
    let accepted = format!(
        "{}月{}日 {:02}時{:02}分",
        at.format("%m"),
        at.format("%d"),
        at.hour(),
        at.minute()
    );
    let lines = t::dlg13_lines(&job.reception_number, &accepted);
    let (id, title) = match s.kind {
        JobKind::BulkRegistration => ("DLG-15", t::DLG_15_TITLE),
        _ => ("DLG-13", t::DLG_13_TITLE),
    };
    let d = Dialog {
        id,
        title,
        message: lines.join("\n"),
        details: Vec::new(),
        buttons: &[ta::BUTTON_OK],
    };
    // 《OK》 → the screen again with the file cleared.
    let shown = d.render(&[(ta::BUTTON_OK, Action::Link(s.path.into()))]);
    upload_page(&op, s, None, Some(shown))
}

fn results_page(op: &Operator, sim: &Simulator, s: Screen) -> Response {
    let jobs = sim.jobs.list(s.kind, Some(&op.account.facility), LISTED);
    let h = op.header();
    Page::new(s.results_title)
        .header(&h)
        .refresh_every(AUTO_REFRESH_SECS)
        .render(html! {
            (style())
            section.panel {
                div.actions style="margin:0 0 10px" {
                    a.btn #refresh href=(results_path(s)) { (t::BUTTON_UPDATE) }
                }
                p.note { (t::AUTO_REFRESH_NOTE) }
                h2 { "① " }
                p.note { (t::LIST_NOTE) }
                table.list #jobs {
                    tr { @for c in s.columns { th { (c) } } }
                    @for j in &jobs {
                        @let v = j.view();
                        tr data-number=(j.reception_number) {
                            td { (j.reception_number) }
                            td.status { (j.state.status(j.kind)) }
                            td { (v["receptionDateTime"].as_str().unwrap_or_default()) }
                            td { (v["completionDateTime"].as_str().unwrap_or_default()) }
                            td { (v["count"].as_u64().map(|n| n.to_string()).unwrap_or_default()) }
                            td {
                                @if j.state.downloadable() {
                                    a.btn.sub href={ (results_path(s)) "/" (j.reception_number) } download { (t::BUTTON_DOWNLOAD) }
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

/// 《ダウンロード》 of one job's result file (the facility's jobs only).
fn download(op: &Operator, sim: &Simulator, s: Screen, number: &str) -> Response {
    let own = sim
        .jobs
        .job(number)
        .filter(|j| j.kind == s.kind && j.facility.trim() == op.account.facility);
    match own.map(|_| sim.jobs.result(number)) {
        Some(Ok((name, bytes))) => crate::ways_in::attachment("application/xml", &name, bytes),
        _ => results_page(op, sim, s),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    // Bulk files may be as large as the job engine accepts.
    let limit = DefaultBodyLimit::max(crate::jobs::DEFAULT_BULK_MAX_REQUEST_BYTES + 64 * 1024);
    let mut r = Router::new();
    for s in [SCR15, SCR17] {
        r = r
            .route(
                s.path,
                get(move |op: Operator| get_upload(op, s)).post(
                    move |op: Operator, State(sim): State<Arc<Simulator>>, m: Multipart| {
                        post_upload(op, sim, s, m)
                    },
                ),
            )
            .route(
                &results_path(s),
                get(
                    move |op: Operator, State(sim): State<Arc<Simulator>>| async move {
                        results_page(&op, &sim, s)
                    },
                ),
            )
            .route(
                &format!("{}/{{number}}", results_path(s)),
                get(
                    move |op: Operator,
                          State(sim): State<Arc<Simulator>>,
                          Path(number): Path<String>| async move {
                        download(&op, &sim, s, &number)
                    },
                ),
            );
    }
    r.layer(limit)
}
