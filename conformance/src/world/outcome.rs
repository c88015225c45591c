//! A scenario's check result: its description from the tags, the transports it applies to,
//! and the status it ends with (passed, failed with the step's message, not applicable).

use super::CertWorld;
use crate::results::{CheckResult, Status};
use crate::wire;

/// The transports a scenario is restricted to (`@transport-exchange` …; empty: every one).
pub fn transports_of(
    feature: &cucumber::gherkin::Feature,
    scenario: &cucumber::gherkin::Scenario,
) -> Vec<String> {
    feature
        .tags
        .iter()
        .chain(scenario.tags.iter())
        .filter_map(|t| t.strip_prefix("transport-"))
        .map(str::to_owned)
        .collect()
}

/// A check's description from its tags, with a status and message still to fill.
fn describe(
    feature: &cucumber::gherkin::Feature,
    scenario: &cucumber::gherkin::Scenario,
    status: Status,
    message: Option<String>,
) -> CheckResult {
    let tags: Vec<&String> = feature.tags.iter().chain(scenario.tags.iter()).collect();
    let id = tags
        .iter()
        .find(|t| t.starts_with("CHK-"))
        .map_or_else(|| format!("(untagged) {}", scenario.name), |t| (*t).clone());
    let profiles = tags
        .iter()
        .filter_map(|t| t.strip_prefix("profile-"))
        .map(str::to_owned)
        .collect();
    let mut catalogue: Vec<String> = tags
        .iter()
        .filter(|t| {
            !t.starts_with("CHK-")
                && !t.starts_with("profile-")
                && !t.starts_with("transport-")
                && t.as_str() != "required"
                && t.contains('-')
        })
        .map(|t| (*t).clone())
        .collect();
    catalogue.sort();
    catalogue.dedup();
    CheckResult {
        title_en: crate::checks::title_en(&id)
            .unwrap_or("(no English title)")
            .to_owned(),
        kind: crate::checks::CheckKind::of_id(&id).unwrap_or(crate::checks::CheckKind::Behaviour),
        id,
        title_ja: scenario.name.clone(),
        profiles,
        required: tags.iter().any(|t| t.as_str() == "required"),
        catalogue,
        feature: feature
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(
                || feature.name.clone(),
                |f| f.to_string_lossy().into_owned(),
            ),
        status,
        message,
        diffs: Vec::new(),
        requests: Vec::new(),
        duration_ms: 0,
    }
}

/// The result of a check that was not run because it does not apply to the client's transport.
pub fn not_applicable(
    feature: &cucumber::gherkin::Feature,
    scenario: &cucumber::gherkin::Scenario,
    transport: &str,
) -> CheckResult {
    let only = transports_of(feature, scenario).join(", ");
    describe(
        feature,
        scenario,
        Status::NotApplicable,
        Some(format!(
            "not applicable: the check is for clients on the {only} transport; this client uses \"{transport}\" (hello)"
        )),
    )
}

/// The scenario's result, built in the `after` hook.
pub fn result_of(
    feature: &cucumber::gherkin::Feature,
    scenario: &cucumber::gherkin::Scenario,
    finished: &cucumber::event::ScenarioFinished,
    world: Option<&CertWorld>,
) -> CheckResult {
    use cucumber::event::ScenarioFinished as F;
    let (status, message) = match finished {
        F::StepPassed => (Status::Passed, None),
        F::StepSkipped => (
            Status::Failed,
            Some("a step is undefined or was skipped (the check did not run fully)".to_owned()),
        ),
        F::BeforeHookFailed(info) => (
            Status::Failed,
            Some(format!("before hook failed: {}", panic_text(info))),
        ),
        F::StepFailed(_, _, err) => (Status::Failed, Some(step_error_text(err))),
    };
    let failed = status == Status::Failed;
    let mut r = describe(feature, scenario, status, message);
    r.diffs = world.map(|w| w.diffs.clone()).unwrap_or_default();
    if failed {
        r.requests = world
            .map(|w| w.journal().iter().take(12).map(wire::sent).collect())
            .unwrap_or_default();
    }
    r.duration_ms = world.map_or(0, |w| w.started.elapsed().as_millis());
    r
}

fn panic_text(info: &cucumber::event::Info) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "(panic)".into()
    }
}

fn step_error_text(e: &cucumber::event::StepError) -> String {
    match e {
        cucumber::event::StepError::Panic(info) => panic_text(info),
        other => other.to_string(),
    }
}
