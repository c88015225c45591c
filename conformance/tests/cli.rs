//! The runner as a vendor runs it: exit codes, the three reports and the suite's own shape.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_conformance");

fn features_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/features/certification")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The one run folder written under `dir`.
fn run_folder(dir: &Path) -> PathBuf {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("reports folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert_eq!(folders.len(), 1, "one run folder: {folders:?}");
    folders.remove(0)
}

#[test]
fn a_missing_adapter_command_exits_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let reports = tmp.path().join("reports");
    let (code, _, err) = run(&[
        "run",
        "--adapter",
        "/nonexistent/oqs-adapter --flag",
        "--reports",
        reports.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code, 2, "stderr: {err}");
    assert!(err.contains("could not start"), "{err}");
    assert!(err.contains("hello"), "says it died at hello: {err}");
    // A run that could not start still leaves a junit.xml: one errored testcase saying why.
    let folder = run_folder(&reports);
    assert!(
        folder.to_string_lossy().ends_with("-not-started"),
        "{folder:?}"
    );
    let junit = std::fs::read_to_string(folder.join("junit.xml")).expect("junit");
    assert_eq!(junit.matches("<testcase ").count(), 1, "{junit}");
    assert!(junit.contains("errors=\"1\""), "{junit}");
    assert!(junit.contains("name=\"run-could-not-start\""), "{junit}");
    assert!(
        junit.contains("<error type=\"not-started\" message=\"hello: "),
        "{junit}"
    );
    assert!(
        junit.contains("/nonexistent/oqs-adapter"),
        "says which adapter: {junit}"
    );
    assert!(junit.contains(" hostname=\""), "{junit}");
    assert!(
        !folder.join("report.json").exists(),
        "no results for a run that did not start"
    );
}

#[test]
fn an_adapter_that_exits_at_once_exits_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    let reports = tmp.path().to_str().expect("utf-8 path");
    let (code, _, err) = run(&["run", "--adapter", "true", "--reports", reports]);
    assert_eq!(code, 2, "stderr: {err}");
    assert!(err.contains("hello"), "{err}");
    // Depending on timing the runner sees the closed stdout or the closed stdin first.
    assert!(
        err.contains("closed its stdout") || err.contains("cannot write to its stdin"),
        "{err}"
    );
    assert!(err.contains("exit status: 0"), "says how it ended: {err}");
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(run(&["run"]).0, 2, "--adapter is required");
    let tmp = tempfile::tempdir().expect("tmp");
    let reports = tmp.path().to_str().expect("utf-8 path");
    let (code, _, err) = run(&[
        "run",
        "--adapter",
        "true",
        "--profile",
        "dentist",
        "--reports",
        reports,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown profile"), "{err}");
    assert_eq!(run(&["frobnicate"]).0, 2);
}

#[test]
fn a_wrong_adapter_exits_1_and_every_report_shows_the_failing_checks_with_their_diffs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let adapter = format!("{BIN} wrong-adapter");
    let (code, out, err) = run(&[
        "run",
        "--adapter",
        &adapter,
        "--reports",
        tmp.path().to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code, 1, "stdout: {out}\nstderr: {err}");
    assert!(out.contains("level clinic: not granted"), "{out}");
    assert!(err.contains("FAIL CHK-O-002"), "{err}");
    let folder = run_folder(tmp.path());
    let name = folder
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned();
    assert!(
        name.len() > 17 && name.contains('T') && name.contains('-'),
        "run id: {name}"
    );

    // report.json: CHK-O-002 failed with the validity diff, expected from the domain (無効).
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("report.json")).expect("json"))
            .expect("valid JSON");
    assert_eq!(json["client"], "wrong-adapter");
    assert_eq!(json["manual_version"], "v3.10");
    assert_eq!(json["digest"].as_str().map(str::len), Some(64));
    let checks = json["checks"].as_array().expect("checks");
    assert_eq!(checks.len(), conformance::checks::CHECKS.len());
    let o2 = checks
        .iter()
        .find(|c| c["id"] == "CHK-O-002")
        .expect("CHK-O-002");
    assert_eq!(o2["status"], "failed");
    let diff = o2["diffs"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["field"] == "validity"))
        .expect("a validity diff");
    assert_eq!(diff["expected"], "無効");
    assert_eq!(diff["actual"], "有効");
    assert!(o2["catalogue"]
        .as_array()
        .is_some_and(|c| c.iter().any(|t| t == "RULE-02")));
    // Well-formedness fails with "nothing was sent" (the wrong adapter never asks the simulator).
    let w1 = checks
        .iter()
        .find(|c| c["id"] == "CHK-W-001")
        .expect("CHK-W-001");
    assert_eq!(w1["status"], "failed");
    // The wrong adapter says its transport is "none": the file-exchange checks do not apply.
    let b14 = checks
        .iter()
        .find(|c| c["id"] == "CHK-B-014")
        .expect("CHK-B-014");
    assert_eq!(b14["status"], "not_applicable");
    assert!(
        b14["message"]
            .as_str()
            .is_some_and(|m| m.contains("exchange") && m.contains("\"none\"")),
        "{b14}"
    );
    assert_eq!(json["not_applicable"], 6);

    // junit.xml: one testcase per check, the failure carries the diff.
    let junit = std::fs::read_to_string(folder.join("junit.xml")).expect("junit");
    assert_eq!(
        junit.matches("<testcase ").count(),
        conformance::checks::CHECKS.len()
    );
    // Testcase names are the check ids; the titles are attributes.
    assert!(
        junit
            .contains("name=\"CHK-O-002\" title_ja=\"有効終了日を過ぎた資格を「無効」と判定する\""),
        "{junit}"
    );
    assert!(junit.contains(" hostname=\""), "{junit}");
    // The adapter's stderr tail is the suite's system-out.
    assert!(
        junit.contains("<system-out>adapter stderr (last lines):\nwrong-adapter: "),
        "{junit}"
    );
    // No doubled brackets: a value is quoted once, placeholders not at all.
    assert!(!junit.contains("「「"), "{junit}");
    assert!(
        junit.contains("- validity: expected 「無効」, actual 「有効」"),
        "{junit}"
    );
    assert!(junit.contains("classname=\"profile.clinic\""));
    assert!(junit.contains("skipped=\"6\""), "{junit}");
    assert_eq!(junit.matches("<skipped message=").count(), 6);

    // report.html: self-contained, summary and the failing check's diff row.
    let html = std::fs::read_to_string(folder.join("report.html")).expect("html");
    assert!(html.contains("id=\"summary\""));
    assert!(html.contains("不合格 / FAILED"));
    assert!(html.contains("<article class=\"failure\" id=\"CHK-O-002\">"));
    assert!(html.contains("<span id=\"not-applicable\">6</span>"));
    assert!(
        !html.contains("<article class=\"failure\" id=\"CHK-B-014\">"),
        "a check not applicable is not a failure"
    );
    assert!(
        html.contains("<td class=\"exp\">無効</td><td class=\"act\">有効</td>"),
        "diff row"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
        "no external assets"
    );
}

#[test]
fn a_profile_runs_only_its_checks() {
    let tmp = tempfile::tempdir().expect("tmp");
    let adapter = format!("{BIN} wrong-adapter");
    let (code, out, _) = run(&[
        "run",
        "--adapter",
        &adapter,
        "--profile",
        "bulk",
        "--reports",
        tmp.path().to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("level bulk: not granted"), "{out}");
    assert!(!out.contains("level clinic"), "{out}");
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(run_folder(tmp.path()).join("report.json")).expect("json"),
    )
    .expect("valid JSON");
    let ids: Vec<&str> = json["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "CHK-B-009",
            "CHK-B-010",
            "CHK-B-011",
            "CHK-O-011",
            "CHK-W-009"
        ]
    );
}

/// Every `@CHK-…` of the features has an English title in `checks.rs` and vice versa; each
/// check is one scenario with at least one profile and its kind's prefix.
#[test]
fn the_check_table_and_the_features_agree() {
    let mut seen: Vec<String> = Vec::new();
    for entry in std::fs::read_dir(features_dir()).expect("features") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("feature") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("feature text");
        assert!(text.starts_with("# language: ja"), "{}", path.display());
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, line) in lines.iter().enumerate() {
            if line.starts_with("シナリオ") {
                let tags = lines[i - 1];
                let ids: Vec<&str> = tags
                    .split_whitespace()
                    .filter(|t| t.starts_with("@CHK-"))
                    .collect();
                assert_eq!(
                    ids.len(),
                    1,
                    "{}: one @CHK id above 「{line}」",
                    path.display()
                );
                assert!(
                    tags.contains("@profile-"),
                    "{}: a profile for {}",
                    path.display(),
                    ids[0]
                );
                seen.push(ids[0].trim_start_matches('@').to_owned());
            }
        }
    }
    let mut table: Vec<String> = conformance::checks::CHECKS
        .iter()
        .map(|c| c.id.to_owned())
        .collect();
    table.sort();
    seen.sort();
    assert_eq!(seen, table, "features vs conformance/src/checks.rs");
    for c in conformance::checks::CHECKS {
        assert!(
            conformance::checks::CheckKind::of_id(c.id).is_some(),
            "{}",
            c.id
        );
        assert!(!c.title_en.is_empty());
    }
}

/// A scenario with a step no definition matches is a FAILED check, not a silent pass.
#[test]
fn an_undefined_step_fails_its_check() {
    let tmp = tempfile::tempdir().expect("tmp");
    let features = tmp.path().join("features");
    std::fs::create_dir_all(&features).expect("mkdir");
    std::fs::write(
        features.join("undefined.feature"),
        "# language: ja\n機能: 未定義\n\n  @CHK-O-001 @profile-clinic @required\n  シナリオ: 定義のない手順\n    もし 誰も定義していない手順を実行する\n",
    )
    .expect("write");
    let reports = tmp.path().join("reports");
    let (code, out, err) = run(&[
        "run",
        "--adapter",
        &format!("{BIN} wrong-adapter"),
        "--features",
        features.to_str().expect("utf-8"),
        "--reports",
        reports.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("FAIL CHK-O-001"), "{err}");
    assert!(err.contains("undefined or was skipped"), "{err}");
}

/// 「クライアントは薬局「…」として操作する」 names a 薬局 of the population (DM-01 種別); the
/// clinic's code there fails the check with a clear message before the client is asked anything.
#[test]
fn acting_for_a_facility_that_is_not_a_pharmacy_fails_its_check() {
    let tmp = tempfile::tempdir().expect("tmp");
    let features = tmp.path().join("features");
    std::fs::create_dir_all(&features).expect("mkdir");
    std::fs::write(
        features.join("not_a_pharmacy.feature"),
        "# language: ja\n機能: 薬局ではない\n\n  @CHK-W-010 @profile-pharmacy @required\n  シナリオ: 医科の施設を薬局として指定する\n    前提 クライアントは薬局「1234567890」として操作する\n\n  @CHK-O-013 @profile-pharmacy @required\n  シナリオ: 母集団にない施設\n    前提 クライアントは薬局「1349999999」として操作する\n",
    )
    .expect("write");
    let reports = tmp.path().join("reports");
    let (code, out, err) = run(&[
        "run",
        "--adapter",
        &format!("{BIN} wrong-adapter"),
        "--features",
        features.to_str().expect("utf-8"),
        "--reports",
        reports.to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("FAIL CHK-W-010"), "{err}");
    assert!(err.contains("is a 医科 facility, not a 薬局"), "{err}");
    assert!(err.contains("FAIL CHK-O-013"), "{err}");
    assert!(err.contains("no facility 「1349999999」"), "{err}");
}

const HELLO: &str = r#"{"id":0,"ok":true,"outcome":{"kind":"hello","client":"sh-adapter","version":"1","transport":"none"}}"#;

/// An adapter that dies after hello: every check fails with a clear message, exit 1.
#[test]
fn an_adapter_that_dies_mid_run_fails_every_check_clearly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let adapter = format!("read line; echo '{HELLO}'; echo 'adapter crashed' >&2; exit 3");
    let (code, _, err) = run(&[
        "run",
        "--adapter",
        &adapter,
        "--profile",
        "reference-numbers",
        "--reports",
        tmp.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("FAIL CHK-O-012"), "{err}");
    assert!(err.contains("exit status: 3"), "{err}");
    let json = std::fs::read_to_string(run_folder(tmp.path()).join("report.json")).expect("json");
    assert!(
        json.contains("adapter crashed"),
        "the adapter's stderr is in the report: {json}"
    );
}

/// An adapter that stops answering: each request fails after the per-request timeout.
#[test]
fn an_adapter_that_hangs_fails_on_the_timeout() {
    let tmp = tempfile::tempdir().expect("tmp");
    let adapter = format!("read line; echo '{HELLO}'; sleep 30");
    let started = std::time::Instant::now();
    let (code, _, err) = run(&[
        "run",
        "--adapter",
        &adapter,
        "--profile",
        "reference-numbers",
        "--timeout",
        "1",
        "--reports",
        tmp.path().to_str().expect("utf-8"),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("did not answer request 1 (register_reference_number) within 1 s"),
        "{err}"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "the hung adapter is not waited for"
    );
}
