//! `conformance`: certify a client against the simulator.
//!
//! `conformance run --adapter "<command>"` — exit 0: every required check passed; 1: some
//! failed; 2: the run could not start (bad arguments, adapter missing or dead at hello).

use clap::{Parser, Subcommand};
use conformance::runner::{self, ClientSpec, RunOptions};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "conformance",
    version,
    about = "Certifies an OQS client against the simulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the certification suite against an adapter.
    Run {
        /// The adapter command (run with `sh -c`), speaking JSON lines on stdin/stdout.
        #[arg(long)]
        adapter: String,
        /// Profile to certify: clinic, pharmacy, bulk, reference-numbers, visiting-care
        /// (repeatable; default all).
        #[arg(long = "profile")]
        profiles: Vec<String>,
        /// Where the reports go (a folder per run is made inside).
        #[arg(long, default_value = "reports")]
        reports: PathBuf,
        /// Seconds the adapter may take for one request.
        #[arg(long, default_value_t = 20)]
        timeout: u64,
        /// The certification features (default: this repository's).
        #[arg(long)]
        features: Option<PathBuf>,
        /// Print every step (cucumber's output) on stdout.
        #[arg(long)]
        verbose: bool,
    },
    /// List the checks (id, kind, English title).
    List,
    /// A deliberately wrong adapter (answers 有効 to everything, sends nothing): for trying the
    /// runner and for its tests.
    #[command(hide = true)]
    WrongAdapter,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    match cli.command {
        Command::List => {
            for c in conformance::checks::CHECKS {
                let kind =
                    conformance::checks::CheckKind::of_id(c.id).map_or("?", |k| k.label_en());
                println!("{}\t{kind}\t{}", c.id, c.title_en);
            }
        }
        Command::WrongAdapter => wrong_adapter(),
        Command::Run {
            adapter,
            profiles,
            reports,
            timeout,
            features,
            verbose,
        } => {
            let opts = RunOptions {
                profiles,
                features: features.unwrap_or_else(|| PathBuf::from(runner::FEATURES)),
                timeout: Duration::from_secs(timeout.max(1)),
                progress: true,
                verbose,
            };
            let results = match runner::run(ClientSpec::Adapter(adapter), opts).await {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("conformance: the run could not start: {e}");
                    let suite = format!("{} {}", runner::SUITE, runner::SUITE_VERSION);
                    match conformance::report::write_not_started(&reports, &suite, &e) {
                        Ok(d) => eprintln!("reports: {}", d.display()),
                        Err(w) => eprintln!(
                            "conformance: cannot write junit.xml into {}: {w}",
                            reports.display()
                        ),
                    }
                    std::process::exit(2);
                }
            };
            let dir = match conformance::report::write_all(&results, &reports) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!(
                        "conformance: cannot write the reports into {}: {e}",
                        reports.display()
                    );
                    std::process::exit(2);
                }
            };
            for c in results
                .checks
                .iter()
                .filter(|c| c.status == conformance::results::Status::Failed)
            {
                eprintln!(
                    "FAIL {} {} — {}",
                    c.id,
                    c.title_ja,
                    c.message.as_deref().unwrap_or("")
                );
            }
            for l in &results.levels {
                println!(
                    "level {}: {} (required {}/{}, all {}/{})",
                    l.profile,
                    if l.granted { "granted" } else { "not granted" },
                    l.required_passed,
                    l.required,
                    l.passed,
                    l.checks
                );
            }
            println!(
                "{} passed, {} failed, {} not applicable of {} checks in {:.1} s; client {} {} ({}); digest {}",
                results.passed,
                results.failed,
                results.not_applicable,
                results.checks.len(),
                results.wall_time_ms as f64 / 1000.0,
                results.client,
                results.client_version,
                results.transport,
                results.digest
            );
            println!("reports: {}", dir.display());
            std::process::exit(results.exit_code());
        }
    }
}

/// Answers every request without asking the simulator: 有効, no candidates, 照会完了, not
/// registered. Every check that looks at the client's work fails against it.
fn wrong_adapter() {
    use oqs_adapter_protocol::{
        Action, BulkConclusion, Conclusion, Outcome, RegistrationConclusion, Reply, Request,
    };
    eprintln!("wrong-adapter: answering every request without asking the simulator");
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines().map_while(Result::ok) {
        let Ok(req) = serde_json::from_str::<Request>(&line) else {
            continue;
        };
        let (outcome, last) = match req.action {
            Action::Hello { .. } => (
                Outcome::Hello {
                    client: "wrong-adapter".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                    transport: "none".into(),
                },
                false,
            ),
            Action::CheckInsuranceCard { .. }
            | Action::CheckMyNumberCard { .. }
            | Action::VisitingInquiry { .. }
            | Action::CancelVisitingConsent { .. } => (
                Outcome::Confirmation(Conclusion {
                    validity: Some("有効".into()),
                    message: Some("OK".into()),
                    ..Conclusion::default()
                }),
                false,
            ),
            Action::BulkInquiry { .. } | Action::VisitingBulkInquiry { .. } => (
                Outcome::Bulk(BulkConclusion {
                    status: "照会完了".into(),
                    ..BulkConclusion::default()
                }),
                false,
            ),
            Action::RegisterReferenceNumber { .. } => (
                Outcome::Registration(RegistrationConclusion::default()),
                false,
            ),
            Action::FaceResults => (Outcome::Face(Default::default()), false),
            Action::RetrievePrescription { .. } => (
                Outcome::Prescription(oqs_adapter_protocol::PrescriptionConclusion {
                    retrieved: true,
                    ..Default::default()
                }),
                false,
            ),
            Action::BulkRegisterReferenceNumbers { .. } => {
                (Outcome::BulkRegistration(Default::default()), false)
            }
            Action::Shutdown => (Outcome::Bye, true),
        };
        let reply = Reply {
            id: req.id,
            ok: true,
            error: None,
            outcome: Some(outcome),
        };
        if let Ok(text) = serde_json::to_string(&reply) {
            if writeln!(out, "{text}").and_then(|_| out.flush()).is_err() {
                return;
            }
        }
        if last {
            return;
        }
    }
}
