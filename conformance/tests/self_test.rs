//! Self-test: the certification features (scenarios/features/certification) run against the
//! reference client called in-process, over each of its transports (HTTP, file exchange, WebAPI). Every check must pass, and
//! no scenario may be skipped or have an undefined step (those count as failed checks).

use conformance::results::Status;
use conformance::runner::{self, ClientSpec, RunOptions};
use conformance::InProcessClient;
use oqs_adapter_protocol::{Reply, Request, SimulatorEndpoints};
use reference_client::{Client, Transport};

/// The checks tagged `@transport-exchange` (scenarios/features/certification/exchange.feature).
const EXCHANGE_ONLY: &[&str] = &["CHK-B-014", "CHK-B-015", "CHK-B-020", "CHK-B-021"];
/// The checks tagged `@transport-webapi` (scenarios/features/certification/webapi.feature).
const WEBAPI_ONLY: &[&str] = &["CHK-B-032", "CHK-W-012"];

struct Reference(Client);

impl InProcessClient for Reference {
    fn handle(&mut self, request: Request) -> Reply {
        self.0.respond(request)
    }
}

fn client(transport: Transport) -> Box<dyn InProcessClient> {
    let nowhere = SimulatorEndpoints {
        http: String::new(),
        exchange: String::new(),
        facility: String::new(),
        pcsc_reader: None,
        webapi: None,
    };
    Box::new(Reference(Client::new(nowhere, transport, None)))
}

#[tokio::main]
async fn main() {
    let mut failed = false;
    for transport in [Transport::Http, Transport::Exchange, Transport::WebApi] {
        let opts = RunOptions {
            progress: false,
            ..RunOptions::default()
        };
        let results = match runner::run(ClientSpec::InProcess(client(transport)), opts).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!(
                    "self-test over {}: the run could not start: {e}",
                    transport.name()
                );
                std::process::exit(1);
            }
        };
        // Every check of the table ran, once.
        let ran: Vec<&str> = results.checks.iter().map(|c| c.id.as_str()).collect();
        let mut table: Vec<&str> = conformance::checks::CHECKS.iter().map(|c| c.id).collect();
        table.sort_unstable();
        if ran != table {
            eprintln!(
                "self-test over {}: checks run {ran:?} differ from the table {table:?}",
                transport.name()
            );
            failed = true;
        }
        // The checks of the file exchange (@transport-exchange) do not apply over HTTP: reported
        // not applicable there, and run (and passed) over the exchange.
        let not_applicable: Vec<&str> = results
            .checks
            .iter()
            .filter(|c| c.status == Status::NotApplicable)
            .map(|c| c.id.as_str())
            .collect();
        let mut expected_na: Vec<&str> = match transport {
            Transport::Http => [EXCHANGE_ONLY, WEBAPI_ONLY].concat(),
            Transport::Exchange => WEBAPI_ONLY.to_vec(),
            Transport::WebApi => EXCHANGE_ONLY.to_vec(),
        };
        expected_na.sort_unstable();
        if not_applicable != expected_na || results.not_applicable != expected_na.len() {
            eprintln!(
                "self-test over {}: not applicable {not_applicable:?}, expected {expected_na:?}",
                transport.name()
            );
            failed = true;
        }
        for c in results.checks.iter().filter(|c| c.status == Status::Failed) {
            eprintln!(
                "self-test over {}: {} {} failed:\n{}",
                transport.name(),
                c.id,
                c.title_ja,
                conformance::report::failure_text(c)
            );
            failed = true;
        }
        if !results.levels.iter().all(|l| l.granted) || results.exit_code() != 0 {
            eprintln!(
                "self-test over {}: a level was not granted",
                transport.name()
            );
            failed = true;
        }
        println!(
            "self-test over {}: {} of {} checks passed, {} not applicable, in {:.1} s (digest {})",
            transport.name(),
            results.passed,
            results.checks.len(),
            results.not_applicable,
            results.wall_time_ms as f64 / 1000.0,
            results.digest
        );
    }
    if failed {
        std::process::exit(1);
    }
}
