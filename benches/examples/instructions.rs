//! Instructions per request, counted by valgrind's callgrind rather than timed: the same count
//! however loaded the machine is, so a change can be judged while other work shares the CPU
//! (`benches/load/instructions.sh` runs it and prints the counts per request). Three stages of
//! the single inquiry, each a function callgrind counts on its own:
//! - `stage_wire`: read → judge → write (the plain reader, the direct writer);
//! - `stage_handle`: `Simulator::handle_xml` (adds the journal entry, the history record and
//!   the 照会番号 patch);
//! - `stage_router`: `POST /xml/OQSsiquc01req` through the whole router in process.
//!
//! Usage: `instructions PERSONS REQUESTS` (callgrind runs ≈ 50× slower: keep both small).

use oqs_benches::{generate_measured, spread_searches};
use oqs_domain::inquiry::answer_single_inquiry;
use oqs_protocol::message::SingleInquiryRequest;
use oqs_protocol::xml::{write_document, ReadLimits};
use oqs_protocol::{ErrorTable, TextEncoding};
use sim_server::journal::Transport;
use sim_server::{Clock, Settings, Simulator};
use std::hint::black_box;
use std::sync::Arc;
use tower::ServiceExt;

/// The simulator's allocator (`oqs-sim` uses it), so allocations count as they do there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[inline(never)]
fn stage_wire(sim: &Simulator, requests: &[Vec<u8>], n: usize) {
    let pop = sim.population();
    let errors = ErrorTable::builtin();
    let now = sim.clock.now();
    for k in 0..n {
        let bytes = &requests[k % requests.len()];
        if let Some(req) = SingleInquiryRequest::read_plain(bytes, ReadLimits::default()) {
            let a = answer_single_inquiry(&pop, &req, TextEncoding::Utf8, now, &errors);
            black_box(a.response.write_xml(a.encoding));
        }
    }
}

#[inline(never)]
fn stage_handle(sim: &Simulator, requests: &[Vec<u8>], n: usize) {
    for k in 0..n {
        let bytes = &requests[k % requests.len()];
        let answered = sim.handle_xml(
            "OQSsiquc01req",
            bytes,
            Transport::HttpXml,
            "/xml/OQSsiquc01req",
        );
        black_box(answered.map(|a| a.into_body()).ok());
    }
}

#[inline(never)]
fn stage_router<S>(
    rt: &tokio::runtime::Runtime,
    router: &S,
    requests: &[axum::body::Bytes],
    n: usize,
) where
    S: tower::Service<
            axum::http::Request<axum::body::Body>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone,
{
    for k in 0..n {
        let req = axum::http::Request::post("/xml/OQSsiquc01req")
            .header("host", "127.0.0.1:8080")
            .header("content-type", "application/xml")
            .body(axum::body::Body::from(requests[k % requests.len()].clone()));
        let Ok(req) = req else { continue };
        let Ok(res) = rt.block_on(router.clone().oneshot(req));
        assert!(res.status().is_success());
        black_box(res);
    }
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (persons, n) = match args.as_slice() {
        [p, n] => (*p, *n),
        _ => (100_000, 2_000),
    };
    let persons = u32::try_from(persons).unwrap_or(100_000);
    let (pop, _) = generate_measured(persons, 1);
    let searches = spread_searches(&pop, persons, 1024);
    let now = chrono::DateTime::parse_from_rfc3339("2021-01-06T10:00:00+09:00").expect("a time");
    let date = now.date_naive();
    let requests: Vec<Vec<u8>> = searches
        .iter()
        .map(|s| write_document(&s.request(date).to_element(), TextEncoding::Utf8))
        .collect();
    let sim = Arc::new(Simulator::with_population(
        pop,
        Clock::frozen(now),
        ErrorTable::builtin(),
        Settings::default(),
    ));
    let bodies: Vec<axum::body::Bytes> = requests.iter().cloned().map(Into::into).collect();
    let router = sim_server::router(sim.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    // Warm every store and cache once before the counted runs.
    stage_handle(&sim, &requests, n);
    stage_wire(&sim, &requests, n);
    stage_handle(&sim, &requests, n);
    stage_router(&rt, &router, &bodies, n);
    println!("{n} requests per stage on {persons} persons");
}
