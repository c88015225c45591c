//! SCR-08 資格情報照会(マイナンバーカード) and SCR-09 暗証番号入力.
//!
//! The card event (the patient holds the card over the reader, RULE-87) is the button
//! 《カードを読み取る（シミュレータ）》: the card itself is put on the reader from the tray. Ticking
//! a consent or certificate box shows its dialog (DLG-04..08) before anything else: a two-line
//! script sends the form when a box is ticked; without script the dialogs come when the card is
//! read. 《キャンセル》 unticks the box (AMB-26: the manual does not say). On the PIN path the card
//! event opens SCR-09; its 《OK》 runs `terminal::confirm` with the PIN (never kept or logged).

use super::{card_dialog, paths, style, tabs, view};
use crate::simulator::Simulator;
use crate::terminal::{confirm, Consents, Method, MyNumberRequest, TerminalSettings};
use crate::ways_in::screens::dialog::{Action, Dialog};
use crate::ways_in::screens::layout::Page;
use crate::ways_in::screens::paths as screen_paths;
use crate::ways_in::screens::session::{Operator, Posted};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, PreEscaped};
use oqs_protocol::texts::{self, accounts as ta, checks as t};
use serde::Deserialize;
use std::sync::Arc;

/// SCR-08's form (field names are the simulator's).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CheckForm {
    /// `visual` / `pin`.
    pub method: String,
    pub visual_done: Option<String>,
    pub operation: Option<String>,
    pub diagnosis: Option<String>,
    pub checkup: Option<String>,
    pub show_limit: Option<String>,
    pub show_sd: Option<String>,
    /// `electronic` / `paper`.
    pub prescription: Option<String>,
    pub date: String,
    /// The box dialogs already answered 《OK》, comma-separated ids.
    pub ack: String,
    /// `box` (a box was ticked: show its dialog) or `read` (the card event).
    pub step: String,
    /// SCR-09.
    pub pin: Option<String>,
}

/// The boxes of SCR-08 that open a dialog, in screen order: (field, box label, dialog).
fn boxes(settings: &TerminalSettings) -> Vec<(&'static str, &'static str, texts::Dlg)> {
    let mut v = Vec::new();
    if settings.consent_usage {
        v.push(("operation", texts::CONSENT_OPERATION[0], t::DLG_04));
        v.push((
            "diagnosis",
            texts::CONSENT_DIAGNOSIS_MEDICATION[0],
            texts::DLG_05,
        ));
        v.push(("checkup", texts::CONSENT_HEALTH_CHECKUP[0], texts::DLG_06));
    }
    v.push(("show_limit", texts::SHOW_LIMIT_BOX, t::DLG_07));
    if settings.consent_usage {
        v.push(("show_sd", texts::SHOW_SPECIFIC_DISEASE_BOX, t::DLG_08));
    }
    v
}

impl CheckForm {
    fn ticked(&self, field: &str) -> bool {
        let v = match field {
            "visual_done" => &self.visual_done,
            "operation" => &self.operation,
            "diagnosis" => &self.diagnosis,
            "checkup" => &self.checkup,
            "show_limit" => &self.show_limit,
            "show_sd" => &self.show_sd,
            _ => return false,
        };
        v.is_some()
    }

    fn acked(&self, id: &str) -> bool {
        self.ack.split(',').any(|a| a == id)
    }

    fn pin_method(&self) -> bool {
        self.method == "pin"
    }

    /// The form's state as hidden fields (no PIN, no step), with `ack` limited to ticked boxes.
    fn fields(&self, settings: &TerminalSettings) -> Vec<(String, String)> {
        let mut f = vec![
            ("method".to_owned(), self.method.clone()),
            ("date".to_owned(), self.date.clone()),
        ];
        if self.visual_done.is_some() {
            f.push(("visual_done".into(), "on".into()));
        }
        let mut ack = Vec::new();
        for (field, _, dlg) in boxes(settings) {
            if self.ticked(field) {
                f.push((field.into(), "on".into()));
                if self.acked(dlg.id) {
                    ack.push(dlg.id);
                }
            }
        }
        f.push(("ack".into(), ack.join(",")));
        if let Some(p) = &self.prescription {
            f.push(("prescription".into(), p.clone()));
        }
        f
    }

    fn with(mut fields: Vec<(String, String)>, k: &str, v: &str) -> Vec<(String, String)> {
        fields.retain(|(key, _)| key != k);
        fields.push((k.into(), v.into()));
        fields
    }
}

/// The first ticked box whose dialog has not been answered.
fn pending(form: &CheckForm, settings: &TerminalSettings) -> Option<(&'static str, texts::Dlg)> {
    boxes(settings)
        .into_iter()
        .find(|(field, _, d)| form.ticked(field) && !form.acked(d.id))
        .map(|(field, _, d)| (field, d))
}

/// SCR-08 with the form's state, an optional message and dialog.
fn page(
    op: &Operator,
    sim: &Simulator,
    form: &CheckForm,
    error: Option<&str>,
    dialog: Option<Markup>,
) -> Response {
    let settings = sim.terminal.settings();
    let options = settings.prescription_options();
    let visual = !form.pin_method();
    let h = op.header();
    let mut p = Page::new(t::TITLE_MYNUMBER).header(&h);
    if let Some(d) = dialog {
        p = p.dialog(d);
    }
    p.render(html! {
        (style())
        (tabs(Some(true)))
        form.fields #scr08 method="post" action=(paths::MYNUMBER) {
            input type="hidden" name="csrf" value=(op.csrf());
            input type="hidden" name="step" value="read";
            input type="hidden" name="ack" value=(form.ack);
            section.panel {
                @for line in texts::MYNUMBER_GUIDANCE { p.guide { (line) } }
                @if let Some(e) = error { p.error #check-error { (e) } }
                fieldset {
                    legend { "① " (t::IDENTITY) }
                    label {
                        input type="radio" name="method" value="visual" checked[visual];
                        " " (texts::SCR08_METHOD_VISUAL)
                    }
                    label.boxes style="margin-left:24px" {
                        input #visual_done type="checkbox" name="visual_done" checked[form.visual_done.is_some()];
                        " " (texts::SCR08_VISUAL_DONE_BOX)
                    }
                    label {
                        input type="radio" name="method" value="pin" checked[!visual];
                        " " (texts::SCR08_METHOD_PIN)
                    }
                    p.note style="margin-left:24px" { (texts::SCR08_PIN_PROMPT) }
                    div.note #rule-87 { @for l in t::RULE_87 { (l) "\n" } }
                }
                div.cols {
                    @if settings.consent_usage {
                        fieldset.boxes {
                            legend { "② " (t::CONSENT_HEADING) }
                            p.note { (t::CONSENT_NOTE) }
                            @for (field, label, d) in boxes(&settings).into_iter().take(3) {
                                label {
                                    input id=(field) type="checkbox" name=(field) data-dialog-box=(d.id) checked[form.ticked(field)];
                                    " " (label)
                                }
                            }
                        }
                    }
                    fieldset.boxes {
                        legend { "③ " (t::CERTIFICATES_HEADING) }
                        p.note { (t::CERTIFICATES_NOTE) }
                        @for (field, label, d) in boxes(&settings).into_iter().filter(|b| b.0.starts_with("show")) {
                            label {
                                input id=(field) type="checkbox" name=(field) data-dialog-box=(d.id) checked[form.ticked(field)];
                                " " (label)
                            }
                        }
                    }
                }
                @if !options.is_empty() {
                    fieldset {
                        legend { "④ " (t::PRESCRIPTION_HEADING) }
                        (t::PRESCRIPTION_FORM_LABEL)
                        (view::prescription_radios(options, form.prescription.as_deref()))
                        p.note { (t::PRESCRIPTION_HELP) }
                    }
                }
                fieldset {
                    legend { "⑤ " (t::CONFIRMATION_DATE) }
                    input #date type="text" name="date" value=(form.date) aria-label=(t::CONFIRMATION_DATE);
                    span.note { " " (t::DATE_FORMAT) }
                    p.note { (t::REQUIRED_NOTE) }
                }
                p.sim { (t::READ_CARD_NOTE) }
                div.actions {
                    button #read-card type="submit" { (t::READ_CARD) }
                    a.btn.sub href=(screen_paths::MENU) { (ta::BUTTON_MENU) }
                    a.btn.sub href=(screen_paths::MENU) { (ta::BUTTON_BACK) }
                }
            }
        }
        // Ticking a box sends the form so that its dialog shows (DLG-04..08).
        script { (PreEscaped("document.querySelectorAll('input[data-dialog-box]').forEach(function(b){b.addEventListener('change',function(){if(b.checked){b.form.step.value='box';b.form.submit();}});});")) }
    })
    .into_response()
}

fn today(sim: &Simulator) -> String {
    sim.clock.now().format("%Y/%m/%d").to_string()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Shown {
    /// A recent confirmation of this facility whose dialog to show (after ERR-08).
    dialog: Option<u64>,
}

async fn get_scr08(
    op: Operator,
    State(sim): State<Arc<Simulator>>,
    Query(q): Query<Shown>,
) -> Response {
    let form = CheckForm {
        method: "visual".into(),
        date: today(&sim),
        ..CheckForm::default()
    };
    let dialog = q
        .dialog
        .and_then(|id| sim.terminal.confirmation(id))
        .filter(|c| c.facility == op.account.facility)
        .and_then(|c| c.dialog)
        .map(|d| card_dialog(&d).render(&[(ta::BUTTON_OK, Action::Link(paths::MYNUMBER.into()))]));
    page(&op, &sim, &form, None, dialog)
}

/// SCR-09: the PIN dialog; 《OK》 sends the form again with the PIN.
fn pin_dialog(op: &Operator, fields: &[(String, String)]) -> Markup {
    html! {
        div.backdrop {
            div.dialog role="dialog" aria-modal="true" aria-labelledby="dlg-SCR-09" data-dialog="SCR-09" {
                div.dtitle #dlg-SCR-09 { (t::PIN_TITLE) }
                form method="post" action=(paths::MYNUMBER) {
                    input type="hidden" name="csrf" value=(op.csrf());
                    input type="hidden" name="step" value="read";
                    @for (k, v) in fields { input type="hidden" name=(k) value=(v); }
                    div.dbody {
                        label for="pin" { (t::PIN_LABEL) }
                        br;
                        input.pin #pin type="password" name="pin" inputmode="numeric" maxlength="4" autocomplete="off" autofocus;
                    }
                    div.dbtns { button type="submit" data-button="OK" { (ta::BUTTON_OK) } }
                }
                div.did { "SCR-09" }
            }
        }
    }
}

async fn post_scr08(
    State(sim): State<Arc<Simulator>>,
    Posted { op, form }: Posted<CheckForm>,
) -> Response {
    let settings = sim.terminal.settings();
    let fields = form.fields(&settings);
    // DLG-04..08: a ticked box's dialog first.
    if let Some((field, dlg)) = pending(&form, &settings) {
        let acked = if form.ack.is_empty() {
            dlg.id.to_owned()
        } else {
            format!("{},{}", form.ack, dlg.id)
        };
        let step = if form.step == "read" { "read" } else { "box" };
        let ok = CheckForm::with(CheckForm::with(fields.clone(), "ack", &acked), "step", step);
        let mut cancel = CheckForm::with(fields.clone(), "step", "box");
        cancel.retain(|(k, _)| k != field);
        let post = |fields| Action::Post {
            path: paths::MYNUMBER.into(),
            csrf: op.csrf().to_owned(),
            fields,
        };
        let d = Dialog::dlg(&dlg)
            .render(&[(ta::BUTTON_OK, post(ok)), (ta::BUTTON_CANCEL, post(cancel))]);
        let shown = CheckForm {
            ack: form.ack.clone(),
            ..form.clone()
        };
        return page(&op, &sim, &shown, None, Some(d));
    }
    if form.step != "read" {
        return page(&op, &sim, &form, None, None);
    }
    if !form.pin_method() && form.visual_done.is_none() {
        return page(&op, &sim, &form, Some(t::VISUAL_NOT_TICKED), None);
    }
    if form.pin_method() && form.pin.is_none() {
        let d = pin_dialog(&op, &fields);
        return page(&op, &sim, &form, None, Some(d));
    }
    let req = MyNumberRequest {
        method: Some(if form.pin_method() {
            Method::Pin
        } else {
            Method::Visual
        }),
        pin: form.pin.clone(),
        consents: Consents {
            operation: form.operation.is_some(),
            diagnosis_medication: form.diagnosis.is_some(),
            health_checkup: form.checkup.is_some(),
        },
        show_limit: form.show_limit.is_some(),
        show_specific_disease: form.show_sd.is_some(),
        prescription_form: form
            .prescription
            .clone()
            .filter(|_| !settings.prescription_options().is_empty()),
        confirmation_date: Some(form.date.clone()),
        facility: Some(op.account.facility.clone()),
        login_id: Some(op.login_id().to_owned()),
        ..MyNumberRequest::default()
    };
    let s = sim.clone();
    let outcome = tokio::task::spawn_blocking(move || confirm(&s.terminal_context(), &req)).await;
    let c = match outcome {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return page(&op, &sim, &form, Some(&e.0), None),
        Err(e) => return page(&op, &sim, &form, Some(&e.to_string()), None),
    };
    if let (Some(n), Some(_)) = (&c.notice, &c.dialog) {
        // ERR-08 first; its 《OK》 shows the dialog that ended the check (e.g. ERR-15).
        let next = Action::Link(format!("{}?dialog={}", paths::MYNUMBER, c.id));
        let shown = card_dialog(n).render(&[(ta::BUTTON_OK, next)]);
        return page(&op, &sim, &form, None, Some(shown));
    }
    if let Some(d) = &c.dialog {
        // 《OK》 returns to SCR-08 with the same choices (no PIN).
        let back = Action::Post {
            path: paths::MYNUMBER.into(),
            csrf: op.csrf().to_owned(),
            fields: CheckForm::with(fields, "step", "box"),
        };
        let shown = card_dialog(d).render(&[(ta::BUTTON_OK, back)]);
        // ERR-19: SCR-08's guidance when a face reader sits beside the generic one (ERR-17).
        let guidance = (d.err.as_deref() == Some("ERR-17")).then_some(texts::ERR19_GUIDANCE);
        return page(&op, &sim, &form, guidance, Some(shown));
    }
    let to = format!(
        "{}/{}{}",
        paths::RESULT,
        c.id,
        if c.notice.is_some() { "?notice=1" } else { "" }
    );
    Redirect::to(&to).into_response()
}

pub fn router() -> Router<Arc<Simulator>> {
    Router::new().route(paths::MYNUMBER, get(get_scr08).post(post_scr08))
}
