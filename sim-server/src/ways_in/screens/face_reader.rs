//! SCR-31 顔認証付きカードリーダー操作 (ch.9; FLOW-38..41, DLG-21..28, ERR-25..28, RULE-78..82,
//! RULE-84/85) and SCR-32 顔認証付きカードリーダー環境設定 (ch.10; FLOW-42, DLG-29/30, ERR-29,
//! RULE-83). Both read and change the terminal's face readers through the terminal service
//! (`set_face_mode`, `set_prescription_screens`, `confirm` with `face_reader`), as the admin and
//! terminal routes do.
//!
//! - A mode button asks first (DLG-21 / 23 / 25, 《OK》 《キャンセル》) and reports the switch
//!   (DLG-22 / 24 / 26, 《OK》). Every role may switch (RULE-85 is ambiguous, AMB-58: the manual's
//!   own screenshots show a 一般 account switching).
//! - ② 目視確認時利用項目 is usable while a face reader is in 目視確認 (RULE-80), and with no face
//!   reader at all (the check then answers ERR-25). Ticking 《目視で本人確認完了》 asks DLG-27
//!   (AMB-60: the simulator asks on the tick; the patient's card is the one on the face reader,
//!   put there from the trainer's tray); 《OK》 runs the check: DLG-28, or ERR-25..28 (RULE-94:
//!   ERR-27 instead of DLG-28), or ERR-18 with two face readers (RULE-79).

use super::dialog::{Action, Dialog};
use super::layout::Page;
use super::paths;
use super::session::{Operator, Posted};
use super::unavailable::{FaceOperation, FaceSettings, Shows};
use crate::simulator::Simulator;
use crate::terminal::{
    confirm, face_settings_notice, FaceMode, Method, MyNumberRequest, ReaderKind, ReaderSummary,
};
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use oqs_protocol::texts::{self, accounts as t, face as f, Dlg};
use serde::Deserialize;
use std::sync::Arc;

const MODES: [FaceMode; 3] = [FaceMode::Unattended, FaceMode::PinOnly, FaceMode::Visual];

fn mode_label(m: FaceMode) -> &'static str {
    match m {
        FaceMode::Unattended => f::MODE_UNATTENDED,
        FaceMode::PinOnly => f::MODE_PIN_ONLY,
        FaceMode::Visual => f::MODE_VISUAL,
    }
}

fn mode_key(m: FaceMode) -> &'static str {
    match m {
        FaceMode::Unattended => "unattended",
        FaceMode::PinOnly => "pin-only",
        FaceMode::Visual => "visual",
    }
}

fn mode_of_key(k: &str) -> Option<FaceMode> {
    MODES.into_iter().find(|m| mode_key(*m) == k)
}

/// (asking, done) dialogs of a switch to `m`.
fn switch_dialogs(m: FaceMode) -> (&'static Dlg, &'static Dlg) {
    match m {
        FaceMode::Visual => (&f::DLG_21, &f::DLG_22),
        FaceMode::Unattended => (&f::DLG_23, &f::DLG_24),
        FaceMode::PinOnly => (&f::DLG_25, &f::DLG_26),
    }
}

/// A モード切替 dialog: its lines and the reader line.
fn switch_dialog(d: &'static Dlg, device_id: &str) -> Dialog {
    let mut dialog = Dialog::dlg(d);
    dialog.message = format!("{}\n{}", dialog.message, f::reader_line(d, device_id));
    dialog
}

/// A question whose 《OK》 posts `fields` again to `path` with `confirmed=1`; 《キャンセル》 is
/// `back`.
fn question(
    d: Dialog,
    op: &Operator,
    path: &str,
    mut fields: Vec<(String, String)>,
    back: Action,
) -> Markup {
    fields.push(("confirmed".into(), "1".into()));
    d.render(&[
        (
            t::BUTTON_OK,
            Action::Post {
                path: path.into(),
                csrf: op.csrf().to_owned(),
                fields,
            },
        ),
        (t::BUTTON_CANCEL, back),
    ])
}

fn face_readers(sim: &Simulator) -> Vec<ReaderSummary> {
    sim.terminal
        .readers()
        .into_iter()
        .filter(|r| r.kind == ReaderKind::Face)
        .collect()
}

fn reader_name(r: &ReaderSummary) -> Markup {
    html! {
        div.rname {
            div.devid { (r.name) }
            @if let Some(l) = &r.label { div.jname { (l) } }
        }
    }
}

/// SCR-31 with an optional dialog over it.
fn operation_page(sim: &Simulator, op: &Operator, date: &str, dialog: Option<Markup>) -> Markup {
    let readers = face_readers(sim);
    let visual = readers.iter().any(|r| r.mode == Some(FaceMode::Visual));
    let items_usable = visual || readers.is_empty();
    let h = op.header();
    let mut page = Page::new(f::SCR31_TITLE).header(&h);
    if let Some(d) = dialog {
        page = page.dialog(d);
    }
    page.render(html! {
        style { (maud::PreEscaped(FACE_CSS)) }
        section.panel #modes {
            div.face-head {
                h2 { (f::SCR31_READER_HEADING) }
                span.legend { (f::SCR31_SELECTED_LEGEND) " " span.swatch {} }
                a.btn.sub #reload href=(paths::FACE_READER) title=(f::RELOAD_HINT) { (f::RELOAD) }
            }
            @if readers.is_empty() {
                div.reader-row {
                    div.rname { div.devid { "—" } }
                    div.modes {
                        @for m in MODES { button.mode type="button" disabled { (mode_label(m)) } }
                    }
                }
                p.note #no-reader { (f::NO_FACE_READER_NOTE) }
            }
            @for r in &readers {
                div.reader-row data-reader=(r.index) {
                    (reader_name(r))
                    div.modes {
                        @for m in MODES {
                            form method="post" action=(paths::FACE_READER_MODE) {
                                input type="hidden" name="csrf" value=(op.csrf());
                                input type="hidden" name="reader" value=(r.index);
                                input type="hidden" name="mode" value=(mode_key(m));
                                button.mode.current[r.mode == Some(m)] type="submit"
                                    aria-pressed=(if r.mode == Some(m) { "true" } else { "false" })
                                    data-mode=(mode_key(m)) { (mode_label(m)) }
                            }
                        }
                    }
                }
            }
        }
        section.panel #visual-items {
            h2 { (f::SCR31_VISUAL_ITEMS) }
            p.note { (f::SCR31_VISUAL_ITEMS_NOTE) }
            form.fields method="post" action=(paths::FACE_READER_VISUAL) {
                input type="hidden" name="csrf" value=(op.csrf());
                fieldset disabled[!items_usable] {
                    label for="date" { "* " (f::CONFIRMATION_DATE) }
                    input #date type="text" name="date" value=(date) placeholder="yyyy/mm/dd" inputmode="numeric";
                    span.note { " " (f::REQUIRED_NOTE) }
                    label { (f::IDENTITY) }
                    p { (f::IDENTITY_TEXT) }
                    label.check {
                        // The manual's tick asks DLG-27 at once; without script, 《確認》 sends it.
                        input #visual-done type="checkbox" name="done" value="1" onchange="this.form.requestSubmit()";
                        " " (f::VISUAL_DONE_BOX)
                    }
                    noscript { button type="submit" { "確認" } }
                }
            }
        }
        div.actions {
            a.btn #menu href=(paths::MENU) { (f::MENU) }
            a.btn.sub #back href=(paths::MENU) { (f::BACK) }
        }
    })
}

/// Today in the simulator's clock, as SCR-31 ② writes it (初期値 本日日付).
fn today(sim: &Simulator) -> String {
    sim.clock.now().format("%Y/%m/%d").to_string()
}

async fn operation(
    _: Shows<FaceOperation>,
    State(sim): State<Arc<Simulator>>,
    op: Operator,
) -> Markup {
    operation_page(&sim, &op, &today(&sim), None)
}

#[derive(Debug, Deserialize)]
struct ModeForm {
    reader: usize,
    mode: String,
    /// Present once 《OK》 of DLG-21/23/25 was clicked.
    #[serde(default)]
    confirmed: Option<String>,
}

/// A mode button: DLG-21/23/25 first; on 《OK》 the switch and DLG-22/24/26.
async fn switch_mode(
    _: Shows<FaceOperation>,
    State(sim): State<Arc<Simulator>>,
    p: Posted<ModeForm>,
) -> Response {
    let Posted { op, form } = p;
    let Some(mode) = mode_of_key(&form.mode) else {
        return operation_page(&sim, &op, &today(&sim), None).into_response();
    };
    let Some(reader) = face_readers(&sim)
        .into_iter()
        .find(|r| r.index == form.reader)
    else {
        // The reader went away: the page as it is now (《再読み込み》).
        return operation_page(&sim, &op, &today(&sim), None).into_response();
    };
    let (ask, done) = switch_dialogs(mode);
    let back = Action::Link(paths::FACE_READER.into());
    if form.confirmed.is_none() {
        let d = question(
            switch_dialog(ask, &reader.name),
            &op,
            paths::FACE_READER_MODE,
            vec![
                ("reader".into(), form.reader.to_string()),
                ("mode".into(), form.mode.clone()),
            ],
            back,
        );
        return operation_page(&sim, &op, &today(&sim), Some(d)).into_response();
    }
    if let Err(e) = sim.terminal.set_face_mode(form.reader, mode) {
        tracing::debug!("face mode: {e}");
        return operation_page(&sim, &op, &today(&sim), None).into_response();
    }
    let d = switch_dialog(done, &reader.name).render(&[(t::BUTTON_OK, back)]);
    operation_page(&sim, &op, &today(&sim), Some(d)).into_response()
}

#[derive(Debug, Deserialize)]
struct VisualForm {
    #[serde(default)]
    date: String,
    /// 《目視で本人確認完了》 ticked.
    #[serde(default)]
    done: Option<String>,
    /// Present once 《OK》 of DLG-27 was clicked.
    #[serde(default)]
    confirmed: Option<String>,
}

/// 《目視で本人確認完了》: DLG-27; on 《OK》 the check on the face reader's card.
async fn visual_check(
    _: Shows<FaceOperation>,
    State(sim): State<Arc<Simulator>>,
    p: Posted<VisualForm>,
) -> Response {
    let Posted { op, form } = p;
    let date = if form.date.trim().is_empty() {
        today(&sim)
    } else {
        form.date.trim().to_owned()
    };
    if form.done.is_none() {
        return operation_page(&sim, &op, &date, None).into_response();
    }
    // The manual has no text for a 資格確認日 that is not a date: the simulator's own, before
    // anything is asked or checked.
    if crate::terminal::parse_confirmation_date(&date).is_err() {
        let d = html! {
            div.backdrop { div.dialog role="alertdialog" aria-modal="true" {
                div.dtitle { (f::SCR31_TITLE) }
                div.dbody { p.error #date-error { (f::DATE_NOT_A_DATE) } }
                div.dbtns { a.btn href=(paths::FACE_READER) autofocus { (t::BUTTON_OK) } }
            } }
        };
        return operation_page(&sim, &op, &date, Some(d)).into_response();
    }
    let back = Action::Link(paths::FACE_READER.into());
    if form.confirmed.is_none() {
        let d = question(
            Dialog::dlg(&texts::DLG_27),
            &op,
            paths::FACE_READER_VISUAL,
            vec![("date".into(), date.clone()), ("done".into(), "1".into())],
            back,
        );
        return operation_page(&sim, &op, &date, Some(d)).into_response();
    }
    let req = MyNumberRequest {
        face_reader: true,
        method: Some(Method::Visual),
        confirmation_date: Some(date.clone()),
        login_id: Some(op.login_id().to_owned()),
        ..MyNumberRequest::default()
    };
    let s = sim.clone();
    let outcome = tokio::task::spawn_blocking(move || confirm(&s.terminal_context(), &req)).await;
    let dialog = match outcome {
        Ok(Ok(c)) => match (&c.dialog, &c.notice) {
            (Some(d), _) | (None, Some(d)) => match d.err.as_deref().and_then(texts::card_dialog) {
                Some(cd) => Dialog::err(cd, &["OK"]),
                None => return error_page(&sim, &op, &date, &d.message),
            },
            (None, None) => Dialog::dlg(&texts::DLG_28),
        },
        Ok(Err(e)) => return error_page(&sim, &op, &date, &e.0),
        Err(e) => return error_page(&sim, &op, &date, &e.to_string()),
    };
    let d = dialog.render(&[(t::BUTTON_OK, back)]);
    operation_page(&sim, &op, &today(&sim), Some(d)).into_response()
}

/// A request the service refused (a 資格確認日 that is not a date): shown above the page.
fn error_page(sim: &Simulator, op: &Operator, date: &str, msg: &str) -> Response {
    let d = html! {
        div.backdrop { div.dialog role="alertdialog" aria-modal="true" {
            div.dtitle { (f::SCR31_TITLE) }
            div.dbody { p.error { (msg) } }
            div.dbtns { a.btn href=(paths::FACE_READER) autofocus { (t::BUTTON_OK) } }
        } }
    };
    operation_page(sim, op, date, Some(d)).into_response()
}

// ----- SCR-32 -----

fn settings_page(
    sim: &Simulator,
    op: &Operator,
    error: Option<&str>,
    dialog: Option<Markup>,
) -> Markup {
    let all = sim.terminal.readers();
    let notice = face_settings_notice(&all);
    let readers: Vec<&ReaderSummary> = all.iter().filter(|r| r.kind == ReaderKind::Face).collect();
    let h = op.header();
    let mut page = Page::new(f::SCR32_TITLE).header(&h);
    if let Some(d) = dialog {
        page = page.dialog(d);
    }
    page.render(html! {
        style { (maud::PreEscaped(FACE_CSS)) }
        section.panel #settings {
            div.face-head {
                h2 { (f::SCR32_HEADING) }
                a.btn.sub #reload href=(paths::FACE_SETTINGS) title=(f::RELOAD_HINT) { (f::RELOAD) }
            }
            @if let Some(n) = notice { p.error #err-29 data-err="ERR-29" { (n) } }
            @if let Some(e) = error { p.error #refused { (e) } }
            @if readers.is_empty() {
                div.reader-row {
                    div.rname { div.devid { "—" } }
                    div.modes {
                        button.mode type="button" disabled { (f::SHOW) }
                        button.mode type="button" disabled { (f::HIDE) }
                    }
                }
            }
            @for r in &readers {
                div.reader-row data-reader=(r.index) {
                    (reader_name(r))
                    div.modes {
                        @for (show, label) in [(true, f::SHOW), (false, f::HIDE)] {
                            @let current = r.prescription_screens == Some(show);
                            form method="post" action=(paths::FACE_SETTINGS) {
                                input type="hidden" name="csrf" value=(op.csrf());
                                input type="hidden" name="reader" value=(r.index);
                                input type="hidden" name="show" value=(if show { "1" } else { "0" });
                                button.mode.current[current] type="submit"
                                    aria-pressed=(if current { "true" } else { "false" })
                                    data-show=(show) { (label) }
                            }
                        }
                    }
                }
            }
        }
        div.actions {
            a.btn #menu href=(paths::MENU) { (f::MENU) }
            a.btn.sub #back href=(paths::MENU) { (f::BACK) }
        }
    })
}

async fn settings(
    _: Shows<FaceSettings>,
    State(sim): State<Arc<Simulator>>,
    op: Operator,
) -> Response {
    settings_page(&sim, &op, None, None).into_response()
}

#[derive(Debug, Deserialize)]
struct SettingForm {
    reader: usize,
    show: String,
    #[serde(default)]
    confirmed: Option<String>,
}

/// 《表示する》 / 《表示しない》: DLG-29, then the setting and DLG-30 (ERR-29's text when the
/// reader cannot be set).
async fn set_setting(
    _: Shows<FaceSettings>,
    State(sim): State<Arc<Simulator>>,
    p: Posted<SettingForm>,
) -> Response {
    let Posted { op, form } = p;
    let show = form.show == "1";
    let back = Action::Link(paths::FACE_SETTINGS.into());
    if form.confirmed.is_none() {
        let d = question(
            Dialog::dlg(&f::DLG_29),
            &op,
            paths::FACE_SETTINGS,
            vec![
                ("reader".into(), form.reader.to_string()),
                ("show".into(), form.show.clone()),
            ],
            back,
        );
        return settings_page(&sim, &op, None, Some(d)).into_response();
    }
    match sim.terminal.set_prescription_screens(form.reader, show) {
        Ok(()) => {
            let d = Dialog::dlg(&f::DLG_30).render(&[(t::BUTTON_OK, back)]);
            settings_page(&sim, &op, None, Some(d)).into_response()
        }
        Err(e) => settings_page(&sim, &op, Some(&e.0), None).into_response(),
    }
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new()
        .route(paths::FACE_READER, get(operation))
        .route(paths::FACE_READER_MODE, post(switch_mode))
        .route(paths::FACE_READER_VISUAL, post(visual_check))
        .route(paths::FACE_SETTINGS, get(settings).post(set_setting))
}

/// The mode buttons: green for the current one (RULE-81), grey when disabled.
const FACE_CSS: &str = r#"
.face-head{display:flex;align-items:center;gap:16px;margin-bottom:8px}
.face-head h2{margin:0}
.face-head .legend{font-size:14px}
.face-head .swatch{display:inline-block;width:18px;height:12px;background:#2e9e4f;border-radius:2px;vertical-align:middle}
.face-head #reload{margin-left:auto;min-width:0}
.reader-row{display:flex;align-items:center;gap:16px;border-top:1px solid #d5dde5;padding:10px 0}
.reader-row .rname{width:380px}
.reader-row .devid{font-weight:600}
.reader-row .jname{font-size:14px;color:#44505c}
.reader-row .modes{display:flex;gap:10px}
.reader-row .modes form{margin:0}
button.mode{background:#fff;color:#1f4e79;min-width:150px}
button.mode.current{background:#2e9e4f;border-color:#2e9e4f;color:#fff}
button.mode:disabled{background:#c7ccd1;border-color:#c7ccd1;color:#6b747d;cursor:default}
fieldset{border:0;padding:0;margin:0}
fieldset:disabled{opacity:.55}
label.check{font-weight:600;display:inline-flex;gap:6px;align-items:center}
"#;
