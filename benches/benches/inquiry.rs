//! Inquiry benchmarks on a generated population of 1,000,000 persons.
//!
//! - `lookup_1m`: `judgement::judge` for a rotating set of 1024 generated cards (target < 1 µs).
//! - `single_inquiry_1m`: the whole `answer_single_inquiry` (validation, judgement, result).
//! - `encode_result_xml`: `write_document` of 新橋 太郎's result in UTF-8 and in Shift_JIS.
//! - `single_inquiry_xml_1m`: read → judge → write: request bytes read into the typed request,
//!   answered, the result written as XML bytes (target ≤ 5 µs), as the simulator does it (the
//!   plain reader, the result written directly); `single_inquiry_xml_tree_1m` the same through
//!   the element tree (the general path, for requests the plain reader declines).
//! - `handle_xml_1m`: `Simulator::handle_xml`, what XML over HTTP and the exchange call: the
//!   same plus the journal entry and the history record (both bounded stores kept on).
//! - `router_xml_1m`: `POST /xml/OQSsiquc01req` through the whole HTTP router in process (the
//!   front layer of guards, the route, the handler reading the body): everything a request
//!   costs over HTTP except hyper and the socket.
//!
//! The population's memory (estimated and RSS growth, bytes per person) is printed at setup.
//! Run: `cargo bench -p oqs-benches -- --warm-up-time 1 --measurement-time 3`.
//! Under `cargo test --benches` (no `--bench` argument) each benchmark runs once on a
//! population of 10,000, so the check stays fast in debug builds.

use chrono::{DateTime, FixedOffset, NaiveDate};
use criterion::{criterion_group, criterion_main, Criterion};
use oqs_benches::{generate_measured, spread_searches, OwnedSearch};
use oqs_domain::inquiry::answer_single_inquiry;
use oqs_domain::judgement::judge;
use oqs_domain::Population;
use oqs_protocol::message::{RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::xml::{read_document, write_document, ReadLimits};
use oqs_protocol::{Element, ErrorTable, TextEncoding};
use sim_server::journal::Transport;
use sim_server::{Clock, Settings, Simulator};
use std::hint::black_box;
use std::sync::{Arc, OnceLock};

/// Searches precomputed per run; a power of two so the rotation is a mask.
const ROTATION: usize = 1024;

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2021-01-06T10:00:00+09:00").expect("valid timestamp")
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 1, 6).expect("valid date")
}

/// 1,000,000 persons under `cargo bench`, 10,000 when the bench runs as a test.
fn persons() -> u32 {
    if std::env::args().any(|a| a == "--bench") {
        1_000_000
    } else {
        10_000
    }
}

struct Fixture {
    pop: Arc<Population>,
    /// A simulator on the same population (journal and history on, clock frozen at `now()`).
    sim: Arc<Simulator>,
    searches: Vec<OwnedSearch>,
}

/// The generated population (seed 1), built once and shared by the benchmarks.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let n = persons();
        let (pop, memory) = generate_measured(n, 1);
        eprintln!("{}", memory.report());
        let searches = spread_searches(&pop, n, ROTATION);
        assert_eq!(searches.len(), ROTATION, "every generated card is findable");
        let sim = Arc::new(Simulator::with_population(
            pop,
            Clock::frozen(now()),
            ErrorTable::builtin(),
            Settings::default(),
        ));
        Fixture {
            pop: sim.population(),
            sim,
            searches,
        }
    })
}

/// The rotating searches as OQSsiquc01req XML bytes.
fn request_bytes(f: &Fixture) -> Vec<Vec<u8>> {
    f.searches
        .iter()
        .map(|s| write_document(&s.request(date()).to_element(), TextEncoding::Utf8))
        .collect()
}

fn lookup_1m(c: &mut Criterion) {
    let f = fixture();
    let date = date();
    let mut k = 0usize;
    c.bench_function("lookup_1m", |b| {
        b.iter(|| {
            let s = &f.searches[k & (ROTATION - 1)];
            k = k.wrapping_add(1);
            black_box(judge(&f.pop, &s.as_search(), black_box(date)))
        })
    });
}

fn single_inquiry_1m(c: &mut Criterion) {
    let f = fixture();
    let (date, now) = (date(), now());
    let errors = ErrorTable::builtin();
    let requests: Vec<SingleInquiryRequest> = f.searches.iter().map(|s| s.request(date)).collect();
    let mut k = 0usize;
    c.bench_function("single_inquiry_1m", |b| {
        b.iter(|| {
            let req = &requests[k & (ROTATION - 1)];
            k = k.wrapping_add(1);
            black_box(answer_single_inquiry(
                &f.pop,
                req,
                TextEncoding::Utf8,
                now,
                &errors,
            ))
        })
    });
}

fn single_inquiry_xml_1m(c: &mut Criterion) {
    let f = fixture();
    let now = now();
    let errors = ErrorTable::builtin();
    let requests = request_bytes(f);
    // Every request is plain and answered with a result (no reading error): the loop measures
    // the path a real inquiry takes.
    for bytes in &requests {
        let req = SingleInquiryRequest::read_plain(bytes, ReadLimits::default()).expect("plain");
        let answer = answer_single_inquiry(&f.pop, &req, TextEncoding::Utf8, now, &errors);
        assert_eq!(answer.error, None);
    }
    let mut k = 0usize;
    // What the simulator does: the plain reader, the result written directly.
    c.bench_function("single_inquiry_xml_1m", |b| {
        b.iter(|| {
            let bytes = &requests[k & (ROTATION - 1)];
            k = k.wrapping_add(1);
            let req = SingleInquiryRequest::read_plain(bytes, ReadLimits::default())?;
            let answer = answer_single_inquiry(&f.pop, req, TextEncoding::Utf8, now, &errors);
            Some(black_box(answer.response.write_xml(answer.encoding)))
        })
    });
    // The general path (a request the plain reader declines): tree read, tree written.
    c.bench_function("single_inquiry_xml_tree_1m", |b| {
        b.iter(|| {
            let bytes = &requests[k & (ROTATION - 1)];
            k = k.wrapping_add(1);
            let doc = read_document(bytes, ReadLimits::default()).ok()?;
            let req = SingleInquiryRequest::from_element(&doc.root).ok()?;
            let answer = answer_single_inquiry(&f.pop, &req, doc.encoding, now, &errors);
            Some(black_box(write_document(
                &answer.response.to_element(),
                answer.encoding,
            )))
        })
    });
}

fn handle_xml_1m(c: &mut Criterion) {
    let f = fixture();
    let requests = request_bytes(f);
    let mut k = 0usize;
    c.bench_function("handle_xml_1m", |b| {
        b.iter(|| {
            let bytes = &requests[k & (ROTATION - 1)];
            k = k.wrapping_add(1);
            let answered = f.sim.handle_xml(
                "OQSsiquc01req",
                bytes,
                Transport::HttpXml,
                "/xml/OQSsiquc01req",
            );
            black_box(answered.map(|a| a.into_body()))
        })
    });
    // Only when it ran (a name filter such as `-- lookup_1m` skips it).
    if k > 0 {
        assert!(!f.sim.journal.is_empty(), "the journal stays on");
        assert!(
            f.sim.history.len().is_ok_and(|n| n > 0),
            "the history stays on"
        );
    }
}

fn router_xml_1m(c: &mut Criterion) {
    use tower::ServiceExt;
    let f = fixture();
    let requests: Vec<axum::body::Bytes> = request_bytes(f).into_iter().map(Into::into).collect();
    let router = sim_server::router(f.sim.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut k = 0usize;
    c.bench_function("router_xml_1m", |b| {
        b.iter(|| {
            let body = requests[k & (ROTATION - 1)].clone();
            k = k.wrapping_add(1);
            let req = axum::http::Request::post("/xml/OQSsiquc01req")
                .header("host", "127.0.0.1:8080")
                .header("content-type", "application/xml")
                .body(axum::body::Body::from(body))
                .expect("a request");
            let res = rt
                .block_on(router.clone().oneshot(req))
                .expect("infallible");
            assert!(res.status().is_success());
            black_box(res)
        })
    });
    if k > 0 {
        assert!(!f.sim.journal.is_empty(), "the journal stays on");
    }
}

/// 新橋 太郎's result on 2021-01-06 (valid, with 氏名(その他), address and 高齢受給者証).
fn typical_result() -> Element {
    let pop = oqs_domain::builtin_population();
    let req = SingleInquiryRequest {
        header: RequestHeader {
            qualification_confirmation_date: Some("20210106".into()),
            medical_institution_code: Some(oqs_benches::FACILITY.into()),
            arbitrary_file_identifier: None,
            character_code_identifier: None,
        },
        search: SearchInfo {
            insurer_number: Some("06139000".into()),
            insured_card_symbol: Some("9000".into()),
            insured_identification_number: Some("10001".into()),
            insured_branch_number: Some("01".into()),
            birthdate: Some("19540326".into()),
            limit_application_certificate_related_cons_flg: Some("0".into()),
            arbitrary_identifier: None,
        },
    };
    let answer = answer_single_inquiry(
        &pop,
        &req,
        TextEncoding::Utf8,
        now(),
        &ErrorTable::builtin(),
    );
    assert_eq!(answer.error, None);
    answer.response.to_element()
}

fn encode_result_xml(c: &mut Criterion) {
    let root = typical_result();
    let mut group = c.benchmark_group("encode_result_xml");
    for encoding in [TextEncoding::Utf8, TextEncoding::ShiftJis] {
        group.bench_function(encoding.label(), |b| {
            b.iter(|| black_box(write_document(black_box(&root), encoding)))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    lookup_1m,
    single_inquiry_1m,
    single_inquiry_xml_1m,
    handle_xml_1m,
    router_xml_1m,
    encode_result_xml
);
criterion_main!(benches);
