//! My Number card inquiry benchmarks (the confirmation terminal, issue 3).
//!
//! - `mynumber_pin_in_process`: one 暗証番号 confirmation with a virtual card in an in-process
//!   reader: SELECT/READ of the certificate, VERIFY, the card's RSA-2048 signature over a fresh
//!   challenge, the server's signature verification, certificate and qualification judgement,
//!   and the result XML (target ≤ 5 ms).
//! - `mynumber_visual_in_process`: the same on the 目視確認 path (no PIN, no signature).
//! - `mynumber_pin_pcsc` (feature `pcsc`; needs pcscd with vpcd): the same through pcscd + vpcd,
//!   the card served over vpcd on a thread (target ≤ 50 ms).
//!
//! Run: `cargo bench -p oqs-benches --bench mynumber` (add `--features pcsc` for the PC/SC one).

use criterion::{criterion_group, criterion_main, Criterion};
use oqs_protocol::ErrorTable;
use sim_server::terminal::{confirm, Method, MyNumberRequest};
use sim_server::{clock, Clock, Settings, Simulator};
use std::hint::black_box;

const NOW: &str = "2021-01-06T10:00:00+09:00";

fn simulator() -> Simulator {
    let now = clock::parse_now(NOW).expect("valid time");
    Simulator::new(
        Clock::frozen(now),
        ErrorTable::builtin(),
        Settings::default(),
    )
}

fn pin_request() -> MyNumberRequest {
    MyNumberRequest {
        method: Some(Method::Pin),
        pin: Some("1234".into()),
        ..MyNumberRequest::default()
    }
}

/// One confirmation that must reach SCR-10.
fn check(sim: &Simulator, req: &MyNumberRequest) {
    let c = confirm(&sim.terminal_context(), req).expect("a valid request");
    assert!(c.dialog.is_none(), "expected SCR-10, got {:?}", c.dialog);
    black_box(c.result_xml());
}

fn in_process(c: &mut Criterion) {
    let sim = simulator();
    sim.terminal
        .insert_profile(0, "valid", None, sim.clock.now())
        .expect("a valid card");
    let pin = pin_request();
    check(&sim, &pin);
    c.bench_function("mynumber_pin_in_process", |b| b.iter(|| check(&sim, &pin)));
    let visual = MyNumberRequest {
        method: Some(Method::Visual),
        ..MyNumberRequest::default()
    };
    c.bench_function("mynumber_visual_in_process", |b| {
        b.iter(|| check(&sim, &visual))
    });
}

#[cfg(feature = "pcsc")]
fn through_pcsc(c: &mut Criterion) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    use virtual_card::vpcd::{self, DEFAULT_VPCD, VPCD_READER_0};

    let day = chrono::NaiveDate::from_ymd_opt(2021, 1, 6).expect("date");
    let (mut card, _) = virtual_card::issue(virtual_card::Profile::Valid, 1, day).expect("issue");
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let server = std::thread::spawn(move || {
        vpcd::serve(
            &mut card,
            DEFAULT_VPCD,
            Duration::from_millis(200),
            &s,
            |_| {},
        );
    });
    let sim = simulator();
    let reader = sim_server::terminal::pcsc_channel(VPCD_READER_0).expect("pcscd with vpcd");
    sim.terminal
        .set_readers(vec![sim_server::terminal::Reader::external(
            sim_server::terminal::ReaderKind::Generic,
            reader,
        )]);
    let pin = pin_request();
    // Wait for vpcd to present the card.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let c = confirm(&sim.terminal_context(), &pin).expect("a valid request");
        if c.dialog.is_none() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no card over vpcd: {:?}",
            c.dialog
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    c.bench_function("mynumber_pin_pcsc", |b| b.iter(|| check(&sim, &pin)));
    stop.store(true, Ordering::Relaxed);
    let _ = server.join();
}

#[cfg(not(feature = "pcsc"))]
fn through_pcsc(_: &mut Criterion) {}

criterion_group!(benches, in_process, through_pcsc);
criterion_main!(benches);
