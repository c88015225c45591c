//! JOB-02 照会番号一括登録 end to end in process: a 10,000-row OQSmuimm01req submitted through
//! `Simulator::handle_xml`, processed by the job workers at `instant` pacing, and its
//! OQSmuimm02res fetched; once with everything in memory and once with `--data-dir` (each row's
//! 照会番号 written to `jobs.sqlite` as it is registered).
//!
//! 100,000 generated persons (1,000 and a 100-row file under `cargo test --benches`).
//! Run: `cargo bench -p oqs-benches --bench registration -- --warm-up-time 1 --measurement-time 10`.

use criterion::{criterion_group, criterion_main, Criterion};
use oqs_benches::{generate_measured, spread_searches, FACILITY};
use oqs_protocol::message::RequestHeader;
use oqs_protocol::registration::{BulkRegistrationRequest, RegistrationInfo};
use oqs_protocol::xml::{read_document, write_document, ReadLimits};
use oqs_protocol::{ErrorTable, TextEncoding};
use sim_server::journal::Transport;
use sim_server::{clock, Clock, Settings, Simulator};
use std::time::Duration;

fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn text_in(xml: &[u8], section: &str, leaf: &str) -> String {
    let doc = read_document(
        xml,
        ReadLimits {
            max_bytes: usize::MAX,
            max_elements: usize::MAX,
            ..ReadLimits::default()
        },
    )
    .unwrap_or_else(|e| {
        panic!(
            "{e}: {}",
            String::from_utf8_lossy(&xml[..xml.len().min(600)])
        )
    });
    doc.root
        .child(section)
        .and_then(|b| b.child_text(leaf))
        .unwrap_or_else(|| panic!("no {leaf}"))
        .to_owned()
}

fn bulk_registration(c: &mut Criterion) {
    let (persons, rows) = if bench_mode() {
        (100_000, 10_000)
    } else {
        (1_000, 100)
    };
    let (pop, _) = generate_measured(persons, 7);
    let cards = spread_searches(&pop, persons, rows);
    let req = BulkRegistrationRequest {
        header: RequestHeader {
            medical_institution_code: Some(FACILITY.into()),
            ..RequestHeader::default()
        },
        rows: cards
            .iter()
            .enumerate()
            .map(|(i, s)| RegistrationInfo {
                reference_number: Some(format!("BENCH-{i:05}")),
                insurer_number: Some(s.insurer.wire()),
                insured_card_symbol: Some(s.symbol.clone()),
                insured_identification_number: Some(s.number.clone()),
                insured_branch_number: Some(s.branch.clone()),
            })
            .collect(),
    };
    let bytes = write_document(&req.to_element(), TextEncoding::Utf8);
    eprintln!(
        "bulk registration file: {} rows, {} bytes",
        req.rows.len(),
        bytes.len()
    );
    let now = clock::parse_now("2021-01-06T10:00:00+09:00").expect("now");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut g = c.benchmark_group("bulk_registration");
    g.sample_size(10);
    for (store, data_dir) in [("memory", None), ("sqlite", Some(dir.path().to_owned()))] {
        let sim = Simulator::with_population(
            pop.clone(),
            Clock::frozen(now),
            ErrorTable::builtin(),
            Settings {
                data_dir,
                ..Settings::default()
            },
        );
        if let Some(e) = sim.jobs.open_error() {
            panic!("{e}");
        }
        let run = || {
            let submitted = sim
                .handle_xml("OQSmuimm01req", &bytes, Transport::HttpXml, "bench")
                .expect("accepted");
            let number = text_in(&submitted.to_xml(), "MessageBody", "ReceptionNumber");
            let job = sim
                .jobs
                .wait(&number, Duration::from_secs(120))
                .expect("job");
            assert!(job.state.downloadable(), "{:?}", job.state);
            let fetch = format!("<XmlMsg><MessageHeader><MedicalInstitutionCode>{FACILITY}</MedicalInstitutionCode></MessageHeader><MessageBody><ReceptionNumber>{number}</ReceptionNumber></MessageBody></XmlMsg>");
            sim.handle_xml(
                "OQSmuimm02req",
                fetch.as_bytes(),
                Transport::HttpXml,
                "bench",
            )
            .expect("fetched")
            .into_body()
        };
        let first = run();
        let normal = text_in(&first, "MessageHeader", "NumberOfNormalProcessing");
        assert_eq!(normal, rows.to_string(), "every row registers ({store})");
        g.bench_function(format!("{store}_{rows}_rows_end_to_end"), |b| {
            b.iter(|| std::hint::black_box(run()))
        });
    }
    g.finish();
}

criterion_group!(benches, bulk_registration);
criterion_main!(benches);
