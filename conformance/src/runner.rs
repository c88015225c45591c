//! One certification run: start the simulator, greet the client, run the certification
//! features with cucumber (one scenario at a time), collect each check's result, write reports.

use crate::driver::{AdapterProcess, Driver, InProcessClient};
use crate::harness::{Harness, FACILITY};
use crate::results::{self, CheckResult, RunResults, Status};
use crate::world::{self, CertWorld, RunContext};
use cucumber::World as _;
use oqs_adapter_protocol::{Action, Outcome, SimulatorEndpoints, WebApiAccount, PROTOCOL_VERSION};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The suite's name and version (the certificate names it).
pub const SUITE: &str = "oqs-conformance";
pub const SUITE_VERSION: &str = env!("CARGO_PKG_VERSION");
/// The manual the checks follow.
pub const MANUAL_VERSION: &str = "v3.10";

/// The certification features, in this repository.
pub const FEATURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../scenarios/features/certification"
);

/// Who the client under test is.
pub enum ClientSpec {
    /// `sh -c <command>`: the vendor's adapter.
    Adapter(String),
    /// Self-test: a client called in-process.
    InProcess(Box<dyn InProcessClient>),
}

/// Options of a run.
pub struct RunOptions {
    /// Profiles to certify (`clinic`, `pharmacy`, `bulk`, `reference-numbers`,
    /// `visiting-care`); empty: all.
    pub profiles: Vec<String>,
    pub features: PathBuf,
    /// Per-request timeout of the adapter.
    pub timeout: Duration,
    /// A progress bar on stderr (hidden anyway when stderr is not a terminal).
    pub progress: bool,
    /// Print cucumber's own output (step by step) on stdout.
    pub verbose: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            profiles: Vec::new(),
            features: PathBuf::from(FEATURES),
            timeout: Duration::from_secs(20),
            progress: true,
            verbose: false,
        }
    }
}

/// The known profiles.
pub const PROFILES: [&str; 5] = [
    "clinic",
    "pharmacy",
    "bulk",
    "reference-numbers",
    "visiting-care",
];

/// Runs the suite. `Err` means the run could not start (exit code 2).
pub async fn run(client: ClientSpec, opts: RunOptions) -> Result<RunResults, String> {
    for p in &opts.profiles {
        if !PROFILES.contains(&p.as_str()) {
            return Err(format!(
                "unknown profile \"{p}\" (known: {})",
                PROFILES.join(", ")
            ));
        }
    }
    if !opts.features.is_dir() {
        return Err(format!(
            "the features folder {} does not exist",
            opts.features.display()
        ));
    }
    let started = Instant::now();
    let harness = Harness::start().await?;
    let (mode, mut driver) = match client {
        ClientSpec::Adapter(cmd) => (
            "certification",
            Driver::Adapter(AdapterProcess::spawn(&cmd, opts.timeout)?),
        ),
        ClientSpec::InProcess(c) => ("self-test", Driver::InProcess(c)),
    };
    let hello = Action::Hello {
        protocol: PROTOCOL_VERSION.to_owned(),
        suite: format!("{SUITE} {SUITE_VERSION}"),
        simulator: SimulatorEndpoints {
            http: harness.http.clone(),
            exchange: harness.exchange_dir.display().to_string(),
            facility: FACILITY.to_owned(),
            pcsc_reader: None,
            webapi: Some(WebApiAccount {
                user_id: harness.sim.settings.webapi_user.clone(),
                password: harness.sim.settings.webapi_password.clone(),
            }),
        },
    };
    let reply = crate::driver::blocking(|| {
        driver.call(oqs_adapter_protocol::Request {
            id: 0,
            action: hello,
        })
    })
    .map_err(|e| format!("hello: {e}"))?;
    let (client, version, transport) = match crate::driver::outcome_of(reply) {
        Ok(Outcome::Hello {
            client,
            version,
            transport,
        }) => (client, version, transport),
        Ok(other) => return Err(format!("hello: the adapter answered {other:?}, not hello")),
        Err(e) => return Err(format!("hello: {e}")),
    };
    let bar = progress_bar(opts.progress);
    let ctx = Arc::new(RunContext::new(harness, driver, bar.clone()));
    world::set_context(Some(ctx.clone()));
    let writer_out: Box<dyn std::io::Write> = if opts.verbose {
        Box::new(std::io::stdout())
    } else {
        Box::new(std::io::sink())
    };
    let profiles = opts.profiles.clone();
    // Checks restricted to another transport are not run; they are reported not applicable.
    let skipped: Arc<std::sync::Mutex<Vec<CheckResult>>> = Arc::default();
    let (skipped_in, client_transport) = (skipped.clone(), transport.clone());
    CertWorld::cucumber()
        .max_concurrent_scenarios(1)
        .with_writer(cucumber::writer::Basic::new(
            writer_out,
            cucumber::writer::Coloring::Never,
            0,
        ))
        .with_cli(cucumber::cli::Opts::<_, _, _, cucumber::cli::Empty>::default())
        .after(|feature, _rule, scenario, finished, world| {
            Box::pin(async move {
                let r = world::result_of(feature, scenario, finished, world.as_deref());
                if let Some(ctx) = world::context() {
                    ctx.progress.inc(1);
                    ctx.progress.set_message(format!("{} {:?}", r.id, r.status));
                    ctx.collected
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(r);
                }
            })
        })
        .filter_run(opts.features.clone(), move |feature, _, scenario| {
            let selected = profiles.is_empty()
                || feature
                    .tags
                    .iter()
                    .chain(scenario.tags.iter())
                    .filter_map(|t| t.strip_prefix("profile-"))
                    .any(|p| profiles.iter().any(|s| s == p));
            if !selected {
                return false;
            }
            let only = world::transports_of(feature, scenario);
            if only.is_empty() || only.contains(&client_transport) {
                return true;
            }
            let r = world::not_applicable(feature, scenario, &client_transport);
            let mut list = skipped_in.lock().unwrap_or_else(|p| p.into_inner());
            if !list.iter().any(|c| c.id == r.id) {
                if let Some(ctx) = world::context() {
                    ctx.progress.inc(1);
                }
                list.push(r);
            }
            false
        })
        .await;
    world::set_context(None);
    bar.finish_and_clear();
    let mut checks: Vec<CheckResult> =
        std::mem::take(&mut *ctx.collected.lock().unwrap_or_else(|p| p.into_inner()));
    checks.extend(std::mem::take(
        &mut *skipped.lock().unwrap_or_else(|p| p.into_inner()),
    ));
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    let adapter_stderr = {
        let next = ctx.next_id.load(std::sync::atomic::Ordering::SeqCst);
        let mut d = ctx.driver.lock().unwrap_or_else(|p| p.into_inner());
        crate::driver::blocking(|| d.shutdown(next));
        d.stderr_tail()
    };
    let digest = results::digest(&checks);
    let passed = checks.iter().filter(|c| c.status == Status::Passed).count();
    let now = chrono::Utc::now();
    Ok(RunResults {
        suite: SUITE.into(),
        suite_version: SUITE_VERSION.into(),
        manual_version: MANUAL_VERSION.into(),
        protocol: PROTOCOL_VERSION.into(),
        client,
        client_version: version,
        transport,
        mode: mode.into(),
        date: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        run_id: format!(
            "{}-{}",
            now.format("%Y%m%dT%H%M%SZ"),
            &digest[..8.min(digest.len())]
        ),
        levels: results::levels(&checks, &opts.profiles),
        profiles: if opts.profiles.is_empty() {
            PROFILES.iter().map(|p| (*p).to_owned()).collect()
        } else {
            opts.profiles.clone()
        },
        failed: checks.iter().filter(|c| c.status == Status::Failed).count(),
        not_applicable: checks
            .iter()
            .filter(|c| c.status == Status::NotApplicable)
            .count(),
        passed,
        checks,
        digest,
        wall_time_ms: started.elapsed().as_millis(),
        hostname: results::hostname(),
        adapter_stderr,
    })
}

fn progress_bar(show: bool) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    // indicatif draws to stderr and hides itself when stderr is not a terminal.
    let bar = indicatif::ProgressBar::new(crate::checks::CHECKS.len() as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}
