//! `oqs-sim`: starts the simulator.

use clap::Parser;
use oqs_domain::fixtures::LoadMode;
use oqs_protocol::ErrorTable;
use sim_server::exchange::{self, Exchange};
use sim_server::ways_in::admin_guard::AdminAccess;
use sim_server::ways_in::serve;
use sim_server::{clock, Clock, Settings, Simulator};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// The OQS simulator: a mock national qualification server for clinics' and pharmacies' systems.
#[derive(Debug, Parser)]
#[command(name = "oqs-sim", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// File-exchange folder (req/, res/, face/ are created in it).
    #[arg(long, default_value = "oqs-exchange")]
    exchange_dir: PathBuf,
    /// Freeze the clock at this RFC 3339 instant (e.g. 2021-01-06T10:00:00+09:00). Default: wall clock.
    #[arg(long)]
    now: Option<String>,
    /// Extra fixture files (TOML), loaded in order on top of the built-in population.
    #[arg(long = "fixtures")]
    fixtures: Vec<PathBuf>,
    /// Start from an empty population instead of the built-in one.
    #[arg(long)]
    no_builtin: bool,
    /// Add N synthetic persons (seeded) for load tests.
    #[arg(long, default_value_t = 0)]
    generate: u32,
    /// Seed for --generate.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Error-table override (TOML, any subset of rows of protocol/error-codes.toml).
    #[arg(long)]
    error_table: Option<PathBuf>,
    /// Largest request accepted, in bytes.
    #[arg(long, default_value_t = sim_server::simulator::DEFAULT_MAX_REQUEST_BYTES)]
    max_request_bytes: usize,
    /// Request-journal entries kept in memory.
    #[arg(long, default_value_t = 10_000)]
    journal_capacity: usize,
    /// Keep jobs, results and reference numbers (and the history) in SQLite files in DIR;
    /// default: in memory.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Confirmation-history records kept, the oldest dropped first (default: 100,000 in memory,
    /// 1,000,000 in SQLite with --data-dir).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    history_capacity: Option<u64>,
    /// Bulk job pacing: instant, hold, <n>ms/row, <n>s/job.
    #[arg(long, default_value = "instant", value_parser = sim_server::jobs::Pacing::parse)]
    job_pacing: sim_server::jobs::Pacing,
    /// 処理上限: rows per bulk file; more fail the job with 処理上限エラー.
    #[arg(long, default_value_t = sim_server::jobs::DEFAULT_ROW_LIMIT)]
    bulk_row_limit: usize,
    /// Largest bulk request file, in bytes.
    #[arg(long, default_value_t = sim_server::jobs::DEFAULT_BULK_MAX_REQUEST_BYTES)]
    bulk_max_request_bytes: usize,
    /// Token the admin API (/__admin/…) requires as `Authorization: Bearer TOKEN`; required
    /// when --listen is not a loopback address.
    #[arg(long, conflicts_with = "admin_token_file")]
    admin_token: Option<String>,
    /// Reads the admin token from this file (first line), out of sight of the process list.
    #[arg(long)]
    admin_token_file: Option<PathBuf>,
    /// Seconds to receive a request's headers; also how long a kept-alive connection may idle.
    #[arg(long, default_value_t = serve::DEFAULT_HEADER_TIMEOUT_SECS,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: u64,
    /// Seconds to receive a request's body.
    #[arg(long, default_value_t = serve::DEFAULT_BODY_TIMEOUT_SECS,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    body_timeout: u64,
    /// HTTP connections open at once; more wait until one closes.
    #[arg(long, default_value_t = serve::DEFAULT_MAX_CONNECTIONS,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    max_connections: usize,
}

/// A request allocates a few hundred small strings (trees, results, journal and history
/// records); glibc's malloc/free took a fifth of the server's CPU under load (issue 16).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn fail(msg: String) -> ! {
    eprintln!("oqs-sim: {msg}");
    std::process::exit(2);
}

/// The runtime, sized to the CPUs this process may use (affinity and cgroup quota, as
/// `available_parallelism` sees them): with one, everything runs on the main thread
/// (current-thread runtime), so a request wakes no other thread; with more, one worker each
/// (issue 16: `taskset -c 1` under load spent ~5% of the core handing tasks between threads).
fn runtime() -> tokio::runtime::Runtime {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let mut builder = if cpus == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        // One worker per CPU (tokio's default, which also reads TOKIO_WORKER_THREADS).
        tokio::runtime::Builder::new_multi_thread()
    };
    builder
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail(format!("cannot start the async runtime: {e}")))
}

fn main() {
    runtime().block_on(run());
}

async fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let token = match &args.admin_token_file {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .unwrap_or_else(|e| fail(format!("--admin-token-file {}: {e}", p.display())))
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned(),
        ),
        None => args.admin_token.clone(),
    };
    let access = AdminAccess::for_listen(args.listen, token).unwrap_or_else(|e| fail(e));
    let clock = match &args.now {
        Some(s) => {
            Clock::frozen(clock::parse_now(s).unwrap_or_else(|e| fail(format!("--now: {e}"))))
        }
        None => Clock::system(),
    };
    let errors = match &args.error_table {
        None => ErrorTable::builtin(),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .unwrap_or_else(|e| fail(format!("{}: {e}", p.display())));
            ErrorTable::from_toml(&text, Some(&ErrorTable::builtin()))
                .unwrap_or_else(|e| fail(format!("{}: {e}", p.display())))
        }
    };
    let mut pop = if args.no_builtin {
        oqs_domain::Population::new()
    } else {
        oqs_domain::builtin_population()
    };
    for f in &args.fixtures {
        let text =
            std::fs::read_to_string(f).unwrap_or_else(|e| fail(format!("{}: {e}", f.display())));
        oqs_domain::fixtures::load(&mut pop, LoadMode::Extend, &f.display().to_string(), &text)
            .unwrap_or_else(|e| fail(e.to_string()));
    }
    if args.generate > 0 {
        oqs_domain::generator::generate(&mut pop, args.generate, args.seed);
    }
    let settings = Settings {
        max_request_bytes: args.max_request_bytes,
        journal_capacity: args.journal_capacity,
        data_dir: args.data_dir.clone(),
        jobs: sim_server::jobs::JobSettings {
            pacing: args.job_pacing,
            row_limit: args.bulk_row_limit,
            max_request_bytes: args.bulk_max_request_bytes,
        },
        history_capacity: args
            .history_capacity
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
        ..Settings::default()
    };
    let persons = pop.person_count();
    let sim = Arc::new(Simulator::with_population(pop, clock, errors, settings));
    if let Some(e) = sim.jobs.open_error() {
        fail(e.to_owned());
    }
    if let Some(e) = sim.history.open_error() {
        fail(e);
    }
    let exchange = Exchange::open(&args.exchange_dir, sim.clone()).unwrap_or_else(|e| {
        fail(format!(
            "exchange folder {}: {e}",
            args.exchange_dir.display()
        ))
    });
    let exchange_root =
        std::fs::canonicalize(exchange.root()).unwrap_or_else(|_| exchange.root().to_path_buf());
    // Face-reader results appear unprompted in face/ (interface.md §1).
    sim.terminal.set_face_dir(Some(exchange.face_dir()));
    // Watching starts before the banner: a client may write as soon as it reads it.
    let exchange = Arc::new(exchange);
    tokio::spawn(exchange::run(exchange.clone()));
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .unwrap_or_else(|e| fail(format!("cannot listen on {}: {e}", args.listen)));
    let addr = listener.local_addr().unwrap_or(args.listen);
    println!("oqs-sim listening on http://{addr}");
    println!("  XML over HTTP : POST http://{addr}/xml/OQSsiquc01req");
    println!(
        "  WebAPI        : POST http://{addr}{}",
        sim_server::webapi::SEARCH_PATH
    );
    println!("  admin         : http://{addr}/__admin/clock");
    println!(
        "exchange folder: {} (req/, res/, face/)",
        exchange_root.display()
    );
    let kept = sim
        .settings
        .history_capacity
        .unwrap_or(match sim.history.backend() {
            "sqlite" => sim_server::history::DEFAULT_SQLITE_CAPACITY,
            _ => sim_server::history::DEFAULT_MEMORY_CAPACITY,
        });
    println!(
        "history: {}, the newest {kept} records kept",
        sim.history.backend()
    );
    println!(
        "population: {persons} persons; clock: {} ({})",
        sim.clock.now().to_rfc3339(),
        sim.clock.mode_name()
    );
    let app = sim_server::router_with(sim, access);
    let limits = serve::ServeLimits {
        header_timeout: std::time::Duration::from_secs(args.header_timeout),
        body_timeout: std::time::Duration::from_secs(args.body_timeout),
        max_connections: args.max_connections,
    };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve::serve(listener, app, limits, shutdown).await;
}
