//! JOB-05 保管調剤結果一括取得 end to end in process: an OQSmudsp01req for a 31-day period
//! (RULE-70's longest) submitted through `Simulator::handle_xml`, the job gathering the
//! pharmacy's stored results of the period into the zip at `instant` pacing, and the
//! OQSmudsp02req that reads it back with the zip (base64); once in memory and once with
//! `--data-dir`. Each iteration is a day later (RULE-71 refuses the same period the same day).
//!
//! 100,000 stored results over 1,000 days (100 a day: ≈3,100 in a 31-day period; 1,000 results
//! and ≈31 under `cargo test --benches`).
//! Run: `cargo bench -p oqs-benches --bench dispensing -- --warm-up-time 1 --measurement-time 10`.

use criterion::{criterion_group, criterion_main, Criterion};
use oqs_domain::dispensing::StoredDispensingResult;
use oqs_protocol::xml::{read_document, ReadLimits};
use oqs_protocol::ErrorTable;
use sim_server::journal::Transport;
use sim_server::{clock, Clock, Settings, Simulator};
use std::time::Duration;

const PHARMACY: &str = "9940000076";

fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn body_text(xml: &[u8], leaf: &str) -> Option<String> {
    let limits = ReadLimits {
        max_bytes: usize::MAX,
        max_elements: usize::MAX,
        ..ReadLimits::default()
    };
    let doc = read_document(xml, limits).expect("a readable answer");
    doc.root
        .child("MessageBody")
        .and_then(|b| b.child_text(leaf))
        .map(str::to_owned)
}

fn job05(c: &mut Criterion) {
    let per_day: u32 = if bench_mode() { 100 } else { 1 };
    let days: u32 = 1_000;
    let mut pop = oqs_domain::builtin_population();
    let persons = pop.person_count() as u32;
    let first = chrono::NaiveDate::from_ymd_opt(2021, 1, 1).expect("date");
    for d in 0..days {
        for n in 0..per_day {
            pop.dispensing_mut().insert(StoredDispensingResult {
                id: format!("B{d:04}-{n:03}").into(),
                pharmacy: PHARMACY.into(),
                dispensed_on: first + chrono::Duration::days(i64::from(d)),
                person: (d * per_day + n) % persons,
                prescriber: Some("サンプル医療機関".into()),
                medicines: vec!["アムロジピン錠5mg　1回1錠　1日1回朝食後　28日分".into()],
            });
        }
    }
    eprintln!(
        "{} stored results; a 31-day period holds {}",
        pop.dispensing().len(),
        31 * per_day
    );
    let request = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{PHARMACY}</MedicalInstitutionCode></MessageHeader><MessageBody><AcquisitionStartDate>20220301</AcquisitionStartDate><AcquisitionEndDate>20220331</AcquisitionEndDate></MessageBody></XmlMsg>");
    let start = clock::parse_now("2024-01-18T15:36:27+09:00").expect("now");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut g = c.benchmark_group("stored_dispensing");
    g.sample_size(10);
    for (store, data_dir) in [("memory", None), ("sqlite", Some(dir.path().to_owned()))] {
        let sim = Simulator::with_population(
            pop.clone(),
            Clock::frozen(start),
            ErrorTable::builtin(),
            Settings {
                data_dir,
                ..Settings::default()
            },
        );
        if let Some(e) = sim.jobs.open_error() {
            panic!("{e}");
        }
        let mut day = 0i64;
        let mut run = || {
            // RULE-71: the same period is accepted again only on another day.
            day += 1;
            sim.clock.set(start + chrono::Duration::days(day), false);
            let accepted = sim
                .handle_xml(
                    "OQSmudsp01req",
                    request.as_bytes(),
                    Transport::HttpXml,
                    "bench",
                )
                .expect("answered")
                .to_xml();
            let id = body_text(&accepted, "DispensingResultAcquisitionId")
                .unwrap_or_else(|| panic!("refused: {}", String::from_utf8_lossy(&accepted)));
            let job = sim.jobs.wait(&id, Duration::from_secs(120)).expect("job");
            assert!(job.state.downloadable(), "{:?}", job.state);
            let read = format!("<XmlMsg><MessageHeader><MedicalInstitutionCode>{PHARMACY}</MedicalInstitutionCode></MessageHeader><MessageBody><DispensingResultAcquisitionId>{id}</DispensingResultAcquisitionId></MessageBody></XmlMsg>");
            sim.handle_xml(
                "OQSmudsp02req",
                read.as_bytes(),
                Transport::HttpXml,
                "bench",
            )
            .expect("read")
            .into_body()
        };
        let answer = run();
        let limits = ReadLimits {
            max_bytes: usize::MAX,
            max_elements: usize::MAX,
            ..ReadLimits::default()
        };
        let doc = read_document(&answer, limits).expect("readable");
        let count = doc
            .root
            .child("MessageBody")
            .and_then(|b| b.child("AcquisitionList"))
            .and_then(|l| l.child("AcquisitionInfo"))
            .and_then(|i| i.child_text("NumberOfDispensingResults"))
            .map(str::to_owned);
        assert_eq!(
            count,
            Some((31 * per_day).to_string()),
            "every stored result of the 31 days ({store})"
        );
        assert!(
            body_text(&answer, "ResultFile").is_some_and(|z| z.len() > 100),
            "the zip comes with the answer ({store})"
        );
        eprintln!(
            "OQSmudsp02res with the zip: {} bytes ({store})",
            answer.len()
        );
        g.bench_function(
            format!("{store}_31_days_{}_results_end_to_end", 31 * per_day),
            |b| b.iter(|| std::hint::black_box(run())),
        );
    }
    g.finish();
}

criterion_group!(benches, job05);
criterion_main!(benches);
