//! `oqs-reference-client`: the reference client as a conformance adapter. JSON lines: one
//! request per line on stdin, one reply per line on stdout (flushed each time); logs on stderr.
//!
//! ```text
//! oqs-reference-client [--transport exchange|http|webapi] [--mutant NAME] [--list-mutants]
//! ```

use oqs_adapter_protocol::{Action, Reply, Request, SimulatorEndpoints};
use reference_client::{Client, Mutant, Transport};
use std::io::{BufRead, Write};
use std::process::ExitCode;

const USAGE: &str =
    "usage: oqs-reference-client [--transport exchange|http|webapi] [--mutant NAME] [--list-mutants]";

fn main() -> ExitCode {
    let mut transport = Transport::Exchange;
    let mut mutant = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--transport" => match args.next().as_deref().and_then(Transport::parse) {
                Some(t) => transport = t,
                None => return usage("--transport takes exchange, http or webapi"),
            },
            "--mutant" => {
                let Some(name) = args.next() else {
                    return usage("--mutant takes a name (see --list-mutants)");
                };
                match Mutant::from_name(&name) {
                    Some(m) => mutant = Some(m),
                    None => {
                        return usage(&format!("unknown mutant \"{name}\" (see --list-mutants)"))
                    }
                }
            }
            "--list-mutants" => {
                for m in Mutant::ALL {
                    println!("{}\t{}", m.name(), m.check());
                }
                return ExitCode::SUCCESS;
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument \"{other}\"")),
        }
    }
    let endpoints = SimulatorEndpoints {
        http: String::new(),
        exchange: String::new(),
        facility: String::new(),
        pcsc_reader: None,
        webapi: None,
    };
    let mut client = Client::new(endpoints, transport, mutant);
    if let Some(m) = mutant {
        eprintln!(
            "oqs-reference-client: running as mutant {m} (breaks the rule of {})",
            m.check()
        );
    }
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("oqs-reference-client: stdin: {e}");
                return ExitCode::from(2);
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let (reply, last) = match serde_json::from_str::<Request>(&line) {
            Ok(req) => {
                let last = matches!(req.action, Action::Shutdown);
                (client.respond(req), last)
            }
            Err(e) => {
                // Answer with the id if the line has one, so the runner is not left waiting.
                let id = serde_json::from_str::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|v| v.get("id").and_then(|i| i.as_u64()))
                    .unwrap_or(0);
                let reply = Reply {
                    id,
                    ok: false,
                    error: Some(format!("unreadable request: {e}")),
                    outcome: None,
                };
                (reply, false)
            }
        };
        if let Some(e) = &reply.error {
            eprintln!("oqs-reference-client: request {}: {e}", reply.id);
        }
        let text = match serde_json::to_string(&reply) {
            Ok(t) => t,
            Err(e) => format!(
                r#"{{"id":{},"ok":false,"error":"reply not serialisable: {e}"}}"#,
                reply.id
            ),
        };
        if writeln!(stdout, "{text}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            return ExitCode::from(2);
        }
        if last {
            break;
        }
    }
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("oqs-reference-client: {problem}\n{USAGE}");
    ExitCode::from(2)
}
