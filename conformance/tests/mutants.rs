//! Mutant clients prove the suite works: each mutant of the reference client breaks exactly one
//! rule, and the certification run against it must fail on the check its doc names. Prints the
//! suite's kill rate (`caught N of M mutants (kill rate P%)`).
//!
//! Each mutant runs in-process through the runner's library entry point ([`runner::run`]),
//! restricted to the profile that holds its check; the mutants of the file exchange (no wait
//! for answer files, `.err` files ignored, a result read before it is complete) use the file
//! exchange, the WebAPI ones (no re-auth on 401, JSON without its XmlMsg) the WebAPI, the others XML over HTTP (the rule they break does not depend on the transport). One mutant also runs through the real binary
//! (`oqs-reference-client --mutant NAME`) when it has been built. One test function: the runner
//! allows one run per process at a time.

use conformance::results::{RunResults, Status};
use conformance::runner::{self, ClientSpec, RunOptions, FEATURES};
use conformance::InProcessClient;
use oqs_adapter_protocol::{Reply, Request, SimulatorEndpoints};
use reference_client::{Client, Mutant, Timing, Transport};
use std::path::PathBuf;
use std::time::Duration;

struct InProcess(Client);

impl InProcessClient for InProcess {
    fn handle(&mut self, request: Request) -> Reply {
        self.0.respond(request)
    }
}

fn in_process(mutant: Mutant) -> Box<dyn InProcessClient> {
    let transport = match mutant {
        Mutant::NoWaitForAnswer
        | Mutant::IgnoreErrFiles
        | Mutant::ReadsPartialResult
        | Mutant::ErrCodeOnly => Transport::Exchange,
        Mutant::NoReauthOn401 | Mutant::WebApiFlatJson => Transport::WebApi,
        _ => Transport::Http,
    };
    // The mutant that ignores `.err` files waits for a result that never comes: a short wait
    // keeps the test quick (the reference client waits 15 s).
    let timing = match mutant {
        Mutant::IgnoreErrFiles => Timing {
            answer_timeout: Duration::from_secs(2),
            ..Timing::default()
        },
        _ => Timing::default(),
    };
    let nowhere = SimulatorEndpoints {
        http: String::new(),
        exchange: String::new(),
        facility: String::new(),
        pcsc_reader: None,
        webapi: None,
    };
    Box::new(InProcess(
        Client::new(nowhere, transport, Some(mutant)).with_timing(timing),
    ))
}

/// The first `@profile-…` of the scenario tagged `@<check>` in the certification features.
fn profile_of(check: &str) -> Option<String> {
    let tag = format!("@{check}");
    let dir = std::fs::read_dir(FEATURES).ok()?;
    let mut files: Vec<PathBuf> = dir.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    files.iter().find_map(|f| {
        let text = std::fs::read_to_string(f).ok()?;
        let line = text
            .lines()
            .find(|l| l.split_whitespace().any(|t| t == tag))?;
        line.split_whitespace()
            .find_map(|t| t.strip_prefix("@profile-"))
            .map(str::to_owned)
    })
}

fn options(profile: &str) -> RunOptions {
    RunOptions {
        profiles: vec![profile.to_owned()],
        progress: false,
        ..RunOptions::default()
    }
}

fn failed_ids(r: &RunResults) -> Vec<String> {
    r.checks
        .iter()
        .filter(|c| c.status == Status::Failed)
        .map(|c| c.id.clone())
        .collect()
}

/// The named check is among the failures (the run's exit code is checked separately: 1 when the
/// check is required).
fn caught(r: &RunResults, check: &str) -> bool {
    r.checks
        .iter()
        .any(|c| c.id == check && c.status == Status::Failed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutant_is_caught_by_its_named_check() {
    let started = std::time::Instant::now();
    let mut missed = Vec::new();
    let mut caught_count = 0;
    for &m in Mutant::ALL {
        let check = m.check();
        assert!(
            conformance::checks::title_en(check).is_some(),
            "{m}: names {check}, which is not a check of the suite"
        );
        let profile = profile_of(check)
            .unwrap_or_else(|| panic!("{m}: no scenario tagged @{check} with a profile"));
        let results = runner::run(ClientSpec::InProcess(in_process(m)), options(&profile))
            .await
            .unwrap_or_else(|e| panic!("{m}: the run could not start: {e}"));
        let failed = failed_ids(&results);
        let required = results.checks.iter().any(|c| c.id == check && c.required);
        println!(
            "mutant {m:<28} profile {profile:<18} {check} {} (exit {}; failed: {})",
            if caught(&results, check) {
                "CAUGHT"
            } else {
                "missed"
            },
            results.exit_code(),
            failed.join(" ")
        );
        if caught(&results, check) {
            caught_count += 1;
            // The run fails: a required check failing fails the certification (exit code 1); a
            // non-required one is reported failed while the level may still be granted.
            assert!(results.failed > 0);
            if required {
                assert_eq!(results.exit_code(), 1, "{m}: a required check failed");
            }
        } else {
            missed.push(format!("{m} (expected {check}; failed: {failed:?})"));
        }
    }
    println!(
        "caught {caught_count} of {} mutants (kill rate {:.1}%) in {:.1} s",
        Mutant::ALL.len(),
        100.0 * caught_count as f64 / Mutant::ALL.len() as f64,
        started.elapsed().as_secs_f64()
    );
    assert!(
        Mutant::ALL.len() >= 40,
        "the suite is proven by at least 40 mutants (issue 12)"
    );
    assert!(missed.is_empty(), "mutants not caught: {missed:#?}");

    // The file-exchange rules have pharmacy twins: the same mutants fail them when the client
    // acts for the pharmacy.
    for (m, check) in [
        (Mutant::IgnoreErrFiles, "CHK-B-020"),
        (Mutant::ReadsPartialResult, "CHK-B-021"),
    ] {
        let results = runner::run(ClientSpec::InProcess(in_process(m)), options("pharmacy"))
            .await
            .unwrap_or_else(|e| panic!("{m}: the run could not start: {e}"));
        assert!(
            caught(&results, check),
            "{m} in the pharmacy profile: expected {check}, failed {:?}",
            failed_ids(&results)
        );
        assert_eq!(results.exit_code(), 1, "{m}: {check} is required");
        println!("mutant {m:<28} profile pharmacy           {check} CAUGHT");
    }

    // The real binary, as a vendor runs it, is caught on the same check (in this test: the
    // runner keeps one run per process at a time).
    let Some(bin) = reference_binary() else {
        println!("oqs-reference-client is not built next to this test (`cargo build -p reference-client`): binary run skipped");
        return;
    };
    let m = Mutant::PickFirstCandidate;
    let command = format!("'{}' --transport http --mutant {}", bin.display(), m.name());
    let profile = profile_of(m.check()).expect("profile");
    let results = runner::run(ClientSpec::Adapter(command), options(&profile))
        .await
        .expect("the run starts");
    assert!(
        caught(&results, m.check()),
        "binary: failed {:?}",
        failed_ids(&results)
    );
    assert_eq!(results.exit_code(), 1);
    assert!(results.client.contains(m.name()), "{}", results.client);
    println!("binary mutant {m}: caught by {}", m.check());
}

/// `target/<profile>/oqs-reference-client`, next to this test's `deps/` folder.
fn reference_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?;
    let bin = dir.join(format!(
        "oqs-reference-client{}",
        std::env::consts::EXE_SUFFIX
    ));
    bin.is_file().then_some(bin)
}
