//! `oqs-fuzz`: runs the parsers' harnesses on seeded, generated inputs (README "Fuzzing").
//! Exit status: 0 when no input panicked or ran too long, 1 otherwise, 2 on a usage error,
//! 3 when the watchdog caught an input that never returned.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use oqs_fuzz::{corpus, run_target, Config, Target};

#[derive(Parser, Debug)]
#[command(
    name = "oqs-fuzz",
    about = "Fuzz every parser of the OQS simulator with seeded, structure-aware inputs"
)]
struct Args {
    /// Target to run (repeatable), or `all`. `--list` names them.
    #[arg(long, default_value = "all")]
    target: Vec<String>,
    /// Inputs per target.
    #[arg(long, default_value_t = 100_000)]
    iterations: u64,
    /// Generator seed: the same seed gives the same inputs.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Where inputs that panicked or ran too long are saved.
    #[arg(long, default_value = "fuzz-crashes")]
    crash_dir: PathBuf,
    /// An input running longer than this (milliseconds) counts as a hang.
    #[arg(long, default_value_t = 2_000)]
    time_limit_ms: u64,
    /// Longest generated input in bytes.
    #[arg(long, default_value_t = 64 * 1024)]
    max_len: usize,
    /// Lists the targets and exits.
    #[arg(long)]
    list: bool,
    /// Writes each target's seeds to DIR/<target>/ (AFL++'s input folders) and exits.
    #[arg(long, value_name = "DIR")]
    write_seeds: Option<PathBuf>,
    /// Runs the harness of the (one) `--target` on this file, with the usual panic output.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.list {
        for t in Target::ALL {
            println!("{}", t.name());
        }
        return ExitCode::SUCCESS;
    }
    let mut targets = Vec::new();
    for name in &args.target {
        if name == "all" {
            targets.extend(Target::ALL);
        } else if let Some(t) = Target::from_name(name) {
            targets.push(t);
        } else {
            eprintln!("oqs-fuzz: unknown target {name:?} (see --list)");
            return ExitCode::from(2);
        }
    }
    targets.sort();
    targets.dedup();
    if let Some(dir) = &args.write_seeds {
        for t in &targets {
            let sub = dir.join(t.name());
            if let Err(e) = std::fs::create_dir_all(&sub) {
                eprintln!("oqs-fuzz: {}: {e}", sub.display());
                return ExitCode::from(2);
            }
            for (i, seed) in corpus::seeds(*t).iter().enumerate() {
                let path = sub.join(format!("seed-{i:03}"));
                if let Err(e) = std::fs::write(&path, seed) {
                    eprintln!("oqs-fuzz: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
            println!(
                "{}: {} seeds in {}",
                t.name(),
                corpus::seeds(*t).len(),
                sub.display()
            );
        }
        return ExitCode::SUCCESS;
    }
    if let Some(file) = &args.replay {
        let [t] = targets.as_slice() else {
            eprintln!("oqs-fuzz: --replay needs exactly one --target");
            return ExitCode::from(2);
        };
        let data = match std::fs::read(file) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("oqs-fuzz: {}: {e}", file.display());
                return ExitCode::from(2);
            }
        };
        t.run(&data);
        println!("{}: {} ran without panicking", t.name(), file.display());
        return ExitCode::SUCCESS;
    }
    let cfg = Config {
        iterations: args.iterations,
        seed: args.seed,
        crash_dir: Some(args.crash_dir.clone()),
        time_limit: Duration::from_millis(args.time_limit_ms),
        watchdog: true,
        max_len: args.max_len,
    };
    println!(
        "oqs-fuzz: seed {}, {} inputs per target, time limit {} ms",
        cfg.seed, cfg.iterations, args.time_limit_ms
    );
    let (mut total, mut bad) = (0u64, 0u64);
    for t in targets {
        let r = run_target(t, &cfg);
        let secs = r.elapsed.as_secs_f64();
        println!(
            "{:<13} {:>11} inputs  {:>3} panics  {:>3} hangs  {:>8.1} s  {:>8.0}/s  slowest {:.1} ms",
            r.name,
            r.iterations,
            r.panics,
            r.hangs,
            secs,
            r.iterations as f64 / secs.max(1e-9),
            r.slowest.as_secs_f64() * 1e3
        );
        println!("    {} {}", r.deep, t.deep_event());
        if r.stray_panics > 0 {
            println!(
                "    {} panics in other threads (printed above)",
                r.stray_panics
            );
        }
        for (msg, n) in &r.messages {
            println!("    {n} × {msg}");
        }
        for p in &r.saved {
            println!("    saved {}", p.display());
        }
        total += r.iterations;
        bad += r.panics + r.hangs + r.stray_panics;
    }
    println!("total         {total:>11} inputs, {bad} panicked or hung");
    if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
