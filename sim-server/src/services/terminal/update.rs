//! Follow-ups on SCR-10 (FLOW-11 consents, FLOW-13 certificates, FLOW-14 issuance form).

use super::confirm::{mynumber_result, Context};
use super::confirmation::Confirmation;
use super::request::{parse_prescription_form, Consents, Method, RequestError};
use super::settings::TerminalSettings;
use super::state::{lock, Terminal};

/// Follow-up on SCR-10 (FLOW-11 consent correction with 《更新》, FLOW-13 《情報表示》, FLOW-14
/// issuance form 《更新》): the latest answer wins (RULE-16); the result is built anew.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Update {
    pub consents: Option<Consents>,
    pub show_limit: Option<bool>,
    pub show_specific_disease: Option<bool>,
    pub prescription_form: Option<String>,
}

/// Applies an update to a recent confirmation. A changed 処方箋発行形態 also reaches the
/// confirmation history, which shows the form chosen last (RULE-24, RULE-61).
pub fn update(cx: &Context<'_>, id: u64, u: &Update) -> Result<Confirmation, RequestError> {
    let c = apply_update(cx, id, u)?;
    if u.prescription_form.is_some() {
        if let Some(h) = c.history_id {
            cx.history
                .set_prescription_form(h, c.choices.prescription_form)
                .map_err(|e| RequestError(format!("the history could not be updated: {e}")))?;
        }
    }
    Ok(c)
}

fn apply_update(cx: &Context<'_>, id: u64, u: &Update) -> Result<Confirmation, RequestError> {
    let term = &cx.terminal;
    let settings = term.settings();
    let mut c = term
        .confirmation(id)
        .ok_or_else(|| RequestError(format!("no recent confirmation {id}")))?;
    if c.method == Method::InsuranceCard {
        return update_insurance_card(term, c, u, &settings);
    }
    let person = match (&c.person, &c.result) {
        (Some(p), Some(_)) => p.clone(),
        _ => {
            return Err(RequestError(format!(
                "confirmation {id} ended with a dialog: there is no SCR-10 to update"
            )))
        }
    };
    settings.check_boxes(u.consents, u.show_specific_disease == Some(true))?;
    if let Some(x) = u.consents {
        c.choices.consents = x;
    }
    if let Some(x) = u.show_limit {
        c.choices.show_limit = x;
    }
    if let Some(x) = u.show_specific_disease {
        c.choices.show_specific_disease = x;
    }
    if let Some(s) = &u.prescription_form {
        let f = parse_prescription_form(s)?;
        if !settings.prescription_options().contains(&f) {
            return Err(RequestError(format!(
                "処方箋発行形態 {} is not offered by this facility's settings",
                f.label()
            )));
        }
        c.choices.prescription_form = Some(f);
    }
    let aid = c
        .result
        .as_ref()
        .and_then(|r| r.header.arbitrary_file_identifier.clone());
    c.result = mynumber_result(
        cx,
        &person,
        &c.facility,
        c.confirmation_date,
        &c.choices,
        aid,
    );
    let mut state = lock(&term.state);
    if let Some(slot) = state.recent.iter_mut().find(|x| x.id == id) {
        *slot = c.clone();
    }
    Ok(c)
}

/// 《更新》 of the issuance form after an insurance-card check (RULE-24). Consents and the
/// 特定疾病 display belong to My Number checks only (RULE-13, AMB-24).
fn update_insurance_card(
    term: &Terminal,
    mut c: Confirmation,
    u: &Update,
    settings: &TerminalSettings,
) -> Result<Confirmation, RequestError> {
    if u.consents.is_some() || u.show_limit.is_some() || u.show_specific_disease.is_some() {
        return Err(RequestError(
            "after an insurance-card check only the 処方箋発行形態 can be updated here".into(),
        ));
    }
    if let Some(s) = &u.prescription_form {
        let f = parse_prescription_form(s)?;
        if !settings.prescription_options().contains(&f) {
            return Err(RequestError(format!(
                "処方箋発行形態 {} is not offered by this facility's settings",
                f.label()
            )));
        }
        c.choices.prescription_form = Some(f);
        if let Some(body) = c.result.as_mut().and_then(|r| r.body.as_mut()) {
            if !body.results.is_empty() {
                body.prescription_issue_select = Some(f.code().to_owned());
            }
        }
    }
    let mut state = lock(&term.state);
    if let Some(slot) = state.recent.iter_mut().find(|x| x.id == c.id) {
        *slot = c.clone();
    }
    Ok(c)
}

/// Shows the facility's current 照会番号 on a kept confirmation's results (after SCR-14).
pub fn refresh_reference_numbers(cx: &Context<'_>, id: u64) {
    let mut state = lock(&cx.terminal.state);
    if let Some(c) = state.recent.iter_mut().find(|x| x.id == id) {
        let facility = c.facility.clone();
        if let Some(body) = c.result.as_mut().and_then(|r| r.body.as_mut()) {
            cx.references.patch(&facility, &mut body.results);
        }
    }
}
