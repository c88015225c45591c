//! Start with defaults (target ≤ 200 ms): what `oqs-sim` does before it serves — the built-in
//! population and error table, the simulator with its journal, history, job engine and
//! terminal, the exchange folder opened, the routes built — each run in a fresh folder.
//! The process start and the first request add a few ms (`benches/load/compare.sh` starts
//! the binary itself).
//!
//! Run: `cargo bench -p oqs-benches --bench startup -- --warm-up-time 1 --measurement-time 5`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use oqs_protocol::ErrorTable;
use sim_server::exchange::Exchange;
use sim_server::{Clock, Settings, Simulator};
use std::hint::black_box;
use std::sync::Arc;

fn start_defaults(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.sample_size(20);
    g.bench_function("start_defaults", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("a temporary folder"),
            |dir| {
                let sim = Arc::new(Simulator::new(
                    Clock::system(),
                    ErrorTable::builtin(),
                    Settings::default(),
                ));
                assert_eq!(sim.history.open_error(), None);
                let exchange =
                    Exchange::open(dir.path().join("exchange"), sim.clone()).expect("opened");
                let app = sim_server::router(sim);
                // Dropped after the timing (the folder with them).
                black_box((exchange, app, dir))
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, start_defaults);
criterion_main!(benches);
