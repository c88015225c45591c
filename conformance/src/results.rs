//! What a run found: one [`CheckResult`] per check, the digest of them all, the levels granted.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// One field where the client differs from the manual (near-miss diff).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldDiff {
    /// The field, e.g. `validity`, `candidates[0].name`, `OQSsiquc01req#1 InsurerNumber`.
    pub field: String,
    pub expected: String,
    pub actual: String,
    /// The catalogue rule or interface clause the field is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// One request the client sent, from the simulator's journal (clipped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentRequest {
    pub seq: u64,
    pub transport: String,
    pub message: String,
    pub outcome: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    pub request: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    /// The check does not apply to the client's transport (a `@transport-…` tag the `hello`
    /// reply's `transport` does not match): not run, not counted for a level, reported with
    /// the reason in `message`.
    NotApplicable,
}

/// The result of one check (one scenario).
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub id: String,
    pub title_ja: String,
    pub title_en: String,
    pub kind: crate::checks::CheckKind,
    pub profiles: Vec<String>,
    pub required: bool,
    /// Catalogue ids (feature and scenario tags), e.g. `RULE-32`, `FLOW-18`.
    pub catalogue: Vec<String>,
    pub feature: String,
    pub status: Status,
    /// Why it failed (the failing step and its message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub diffs: Vec<FieldDiff>,
    /// Requests sent during the check (only kept for failed checks).
    pub requests: Vec<SentRequest>,
    /// Wall time in milliseconds (not part of the digest).
    #[serde(skip)]
    pub duration_ms: u128,
}

/// A profile's level: granted when every `@required` check of the profile passed (checks not
/// applicable to the client's transport are left out).
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub profile: String,
    pub granted: bool,
    pub required: usize,
    pub required_passed: usize,
    pub checks: usize,
    pub passed: usize,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunResults {
    pub suite: String,
    pub suite_version: String,
    pub manual_version: String,
    pub protocol: String,
    pub client: String,
    pub client_version: String,
    pub transport: String,
    pub mode: String,
    /// Report date (the runner's wall clock, UTC RFC 3339).
    pub date: String,
    pub run_id: String,
    pub profiles: Vec<String>,
    pub levels: Vec<Level>,
    pub checks: Vec<CheckResult>,
    pub passed: usize,
    pub failed: usize,
    /// Checks that do not apply to the client's transport (not run).
    pub not_applicable: usize,
    /// SHA-256 (hex) of the canonical JSON of `checks` (see [`digest`]).
    pub digest: String,
    pub wall_time_ms: u128,
    /// The machine the run ran on (junit `hostname`; not in the digest).
    #[serde(default)]
    pub hostname: String,
    /// The last lines the adapter wrote on stderr (junit `system-out`; not in the digest).
    #[serde(default)]
    pub adapter_stderr: String,
}

/// The machine's name: the kernel's, else `HOSTNAME`/`COMPUTERNAME`, else `localhost`.
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

impl RunResults {
    /// Exit code 0 when every required check of the selected profiles passed (and, with no
    /// required check selected, when nothing failed), else 1.
    pub fn exit_code(&self) -> i32 {
        let required_failed = self
            .checks
            .iter()
            .any(|c| c.required && c.status == Status::Failed);
        let any_required = self
            .checks
            .iter()
            .any(|c| c.required && c.status != Status::NotApplicable);
        if required_failed || (!any_required && self.failed > 0) {
            1
        } else {
            0
        }
    }
}

/// SHA-256 of the canonical JSON of the checks: sorted by id, with id, kind, profiles,
/// required, catalogue ids, status, message and diffs (no timings, no journal excerpts), so the
/// same client gives the same digest run after run.
pub fn digest(checks: &[CheckResult]) -> String {
    let mut sorted: Vec<&CheckResult> = checks.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    let canonical: Vec<serde_json::Value> = sorted
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "kind": c.kind,
                "profiles": c.profiles,
                "required": c.required,
                "catalogue": c.catalogue,
                "status": c.status,
                "diffs": c.diffs,
            })
        })
        .collect();
    let text = serde_json::to_string(&canonical).unwrap_or_default();
    let hash = Sha256::digest(text.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// The levels of the profiles named (every profile seen when `selected` is empty).
pub fn levels(checks: &[CheckResult], selected: &[String]) -> Vec<Level> {
    let mut profiles: Vec<String> = if selected.is_empty() {
        let mut all: Vec<String> = checks.iter().flat_map(|c| c.profiles.clone()).collect();
        all.sort();
        all.dedup();
        all
    } else {
        selected.to_vec()
    };
    profiles.dedup();
    profiles
        .into_iter()
        .map(|p| {
            let of: Vec<&CheckResult> = checks
                .iter()
                .filter(|c| c.profiles.contains(&p) && c.status != Status::NotApplicable)
                .collect();
            let req: Vec<&&CheckResult> = of.iter().filter(|c| c.required).collect();
            let req_passed = req.iter().filter(|c| c.status == Status::Passed).count();
            Level {
                granted: !of.is_empty() && req_passed == req.len(),
                required: req.len(),
                required_passed: req_passed,
                checks: of.len(),
                passed: of.iter().filter(|c| c.status == Status::Passed).count(),
                profile: p,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckKind;

    fn check(id: &str, profiles: &[&str], required: bool, status: Status) -> CheckResult {
        CheckResult {
            id: id.into(),
            title_ja: "題".into(),
            title_en: "title".into(),
            kind: CheckKind::Outcome,
            profiles: profiles.iter().map(|p| (*p).to_owned()).collect(),
            required,
            catalogue: vec!["RULE-01".into()],
            feature: "f.feature".into(),
            status,
            message: None,
            diffs: Vec::new(),
            requests: Vec::new(),
            duration_ms: 0,
        }
    }

    #[test]
    fn the_digest_ignores_order_and_timing_but_not_status() {
        let a = check("CHK-O-001", &["clinic"], true, Status::Passed);
        let mut b = check("CHK-O-002", &["clinic"], true, Status::Passed);
        let d1 = digest(&[a.clone(), b.clone()]);
        b.duration_ms = 999;
        assert_eq!(digest(&[b.clone(), a.clone()]), d1);
        assert_eq!(d1.len(), 64);
        b.status = Status::Failed;
        assert_ne!(digest(&[a, b]), d1);
    }

    #[test]
    fn a_level_needs_every_required_check_of_its_profile() {
        let checks = [
            check("CHK-O-001", &["clinic", "pharmacy"], true, Status::Passed),
            check("CHK-O-002", &["clinic"], true, Status::Failed),
            check("CHK-O-003", &["pharmacy"], false, Status::Failed),
        ];
        let levels = levels(&checks, &[]);
        let clinic = levels
            .iter()
            .find(|l| l.profile == "clinic")
            .expect("clinic");
        let pharmacy = levels
            .iter()
            .find(|l| l.profile == "pharmacy")
            .expect("pharmacy");
        assert!(!clinic.granted);
        assert_eq!((clinic.required, clinic.required_passed), (2, 1));
        assert!(
            pharmacy.granted,
            "a failed optional check does not cost the level"
        );
        assert_eq!((pharmacy.checks, pharmacy.passed), (2, 1));
    }

    #[test]
    fn a_check_not_applicable_to_the_transport_does_not_count_for_the_level() {
        let checks = [
            check("CHK-O-001", &["clinic"], true, Status::Passed),
            check("CHK-B-014", &["clinic"], true, Status::NotApplicable),
        ];
        let levels = levels(&checks, &[]);
        assert!(levels[0].granted);
        assert_eq!((levels[0].required, levels[0].checks), (1, 1));
    }
}
