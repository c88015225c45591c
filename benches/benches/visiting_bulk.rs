//! JOB-03 end to end in process: an OQSmuhvq01req (訪問診療等, 同意年月日 range) whose range
//! holds 10,000 consents of the facility, submitted through `Simulator::handle_xml`, processed
//! by the job workers at `instant` pacing (each consent judged as a bulk row), its
//! OQSmuhvq02res fetched, and the download zipped.
//!
//! The population is 100,000 generated persons with a consent for the first 10,000 cards (1,000
//! persons and 100 consents under `cargo test --benches`, so the check stays fast in debug).
//! Run: `cargo bench -p oqs-benches --bench visiting_bulk -- --warm-up-time 1 --measurement-time 10`.

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use oqs_benches::{generate_measured, FACILITY};
use oqs_domain::visiting::Consent;
use oqs_protocol::visiting::CareKind;
use oqs_protocol::xml::{read_document, ReadLimits};
use oqs_protocol::ErrorTable;
use sim_server::journal::Transport;
use sim_server::{clock, Clock, Settings, Simulator};
use std::time::Duration;

fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn visiting_bulk(c: &mut Criterion) {
    let (persons, consents) = if bench_mode() {
        (100_000, 10_000)
    } else {
        (1_000, 100)
    };
    let (mut pop, memory) = generate_measured(persons, 7);
    eprintln!("{}", memory.report());
    let day = |i: u32| {
        NaiveDate::from_ymd_opt(2023, 1, 1).expect("date")
            + chrono::Duration::days(i64::from(i % 365))
    };
    let end = NaiveDate::from_ymd_opt(2026, 12, 31)
        .expect("date")
        .and_hms_opt(23, 59, 0)
        .expect("time");
    for q in 0..consents {
        pop.add_consent(Consent {
            facility: FACILITY.into(),
            qualification: q,
            kind: CareKind::Visiting,
            consented_on: day(q),
            valid_until: end,
            examination_date: None,
            categories: [Some(end.date()); 7],
        });
    }
    let now = clock::parse_now("2023-12-31T10:00:00+09:00").expect("now");
    let sim = Simulator::with_population(
        pop,
        Clock::frozen(now),
        ErrorTable::builtin(),
        Settings::default(),
    );
    let submit = format!("<XmlMsg><MessageHeader><MedicalInstitutionCode>{FACILITY}</MedicalInstitutionCode><ArbitraryFileIdentifier>bench</ArbitraryFileIdentifier></MessageHeader><MessageBody><QualificationConfirmSearchInfo><ConsentDateFrom>20230101</ConsentDateFrom><ConsentDateTo>20231231</ConsentDateTo><MedicalTreatmentFlag>2</MedicalTreatmentFlag></QualificationConfirmSearchInfo></MessageBody></XmlMsg>");
    let run = || {
        let submitted = sim
            .handle_xml(
                "OQSmuhvq01req",
                submit.as_bytes(),
                Transport::HttpXml,
                "bench",
            )
            .expect("accepted")
            .to_xml();
        let doc = read_document(&submitted, ReadLimits::default()).expect("01res is XML");
        let number = doc
            .root
            .child("MessageBody")
            .and_then(|b| b.child_text("ReceptionNumber"))
            .expect("a 受付番号")
            .to_owned();
        let job = sim
            .jobs
            .wait(&number, Duration::from_secs(120))
            .expect("job");
        assert!(job.state.downloadable(), "{:?}", job.state);
        assert_eq!(job.processed, consents as usize, "every consent is a row");
        let fetch = format!("<XmlMsg><MessageHeader><MedicalInstitutionCode>{FACILITY}</MedicalInstitutionCode></MessageHeader><MessageBody><ReceptionNumber>{number}</ReceptionNumber></MessageBody></XmlMsg>");
        let fetched = sim
            .handle_xml(
                "OQSmuhvq02req",
                fetch.as_bytes(),
                Transport::HttpXml,
                "bench",
            )
            .expect("fetched")
            .into_body();
        let (_, zip) = sim.jobs.download(&number).expect("downloadable");
        (fetched.len(), zip.len())
    };
    let (xml, zip) = run();
    eprintln!("OQSmuhvq02res: {xml} bytes; zip {zip} bytes");
    let mut g = c.benchmark_group("visiting_bulk");
    g.sample_size(10);
    g.bench_function(
        format!("visiting_bulk_{consents}_consents_end_to_end"),
        |b| b.iter(|| std::hint::black_box(run())),
    );
    g.finish();
}

criterion_group!(benches, visiting_bulk);
criterion_main!(benches);
