//! JOB-04 委託先資格情報一括取得 end to end in process: an OQSmutic01req for 令和5年9月 submitted
//! through `Simulator::handle_xml`, the job run at `instant` pacing (a scan of every
//! qualification for the 医療券・調剤券 entrusted to the facility, then one `BulkConfirmUnit` per
//! 被保護者), and its OQSmutic02res fetched; once as XML and once with 出力ファイル形式 CSV (the DM-20
//! file, downloaded from `GET /jobs/{受付番号}/result`'s store).
//!
//! 100,000 generated persons plus 10,000 被保護者 each with one 医療券 for the facility and one
//! for another (1,000 + 100 under `cargo test --benches`).
//! Run: `cargo bench -p oqs-benches --bench entrusted -- --warm-up-time 1 --measurement-time 10`.

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use oqs_benches::{generate_measured, FACILITY};
use oqs_domain::model::{Certificates, Insurer, MedicalTicket, Person, Qualification};
use oqs_protocol::codes::{
    InsuredCardClassification, MedicalTreatmentType, PersonalFamily, Sex, SingleOrCombined,
    TicketType,
};
use oqs_protocol::message::InsurerNumber;
use oqs_protocol::xml::{read_document, ReadLimits};
use oqs_protocol::ErrorTable;
use sim_server::journal::Transport;
use sim_server::{clock, Clock, Settings, Simulator};
use std::time::Duration;

fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

fn ticket(facility: &str, issue: usize) -> MedicalTicket {
    MedicalTicket {
        kind: TicketType::Medical,
        month: day(2023, 9, 1),
        single_or_combined: SingleOrCombined::Single,
        valid_from: day(2023, 9, 1),
        valid_until: Some(day(2023, 9, 30)),
        issue_number: format!("{issue:05}").into(),
        facility: facility.into(),
        facility_name: "ベンチ医療機関".into(),
        prescriber: None,
        injuries: vec!["高血圧症".into()],
        treatment: MedicalTreatmentType::Outpatient,
        self_pay: 0,
        district_contact: Some("田中".into()),
        handling_contact: Some("佐藤".into()),
        social_insurance: false,
        infection: false,
        elderly_medical_care: false,
        prefectural_expenses: false,
    }
}

fn text_in(xml: &[u8], section: &str, leaf: &str) -> String {
    let limits = ReadLimits {
        max_bytes: usize::MAX,
        max_elements: usize::MAX,
        ..ReadLimits::default()
    };
    let doc = read_document(xml, limits).unwrap_or_else(|e| panic!("{e}"));
    doc.root
        .child(section)
        .and_then(|b| b.child_text(leaf))
        .unwrap_or_else(|| panic!("no {leaf}"))
        .to_owned()
}

fn entrusted(c: &mut Criterion) {
    let (persons, assisted) = if bench_mode() {
        (100_000, 10_000)
    } else {
        (1_000, 100)
    };
    let (mut pop, _) = generate_measured(persons, 7);
    let office = InsurerNumber::parse("12374013").expect("公費負担者番号");
    pop.upsert_insurer(Insurer {
        number: office,
        name: "ベンチ福祉事務所".into(),
    });
    for i in 0..assisted {
        let person = pop.push_anonymous_person(Person {
            key: format!("bench-ma-{i}").into(),
            name: "扶助 太郎".into(),
            name_kana: "フジョ タロウ".into(),
            other_name: None,
            other_name_kana: None,
            sex: Sex::Male,
            sex_back: None,
            birthdate: day(1980, 1, 1),
            post_number: None,
            address: None,
            suppressed: false,
        });
        pop.add_qualification(Qualification {
            person,
            insurer: office,
            symbol: None,
            number: format!("{:07}", 1_000_000 + i).into(),
            branch: None,
            card: InsuredCardClassification::MedicalAssistance,
            relation: PersonalFamily::Insured,
            insured_name: None,
            qualification_date: Some(day(2020, 4, 1)),
            disqualification_date: None,
            reason_of_loss: None,
            issued_on: None,
            valid_from: day(2020, 4, 1),
            valid_until: None,
            copayment: None,
            certificates: Some(Box::new(Certificates {
                medical_tickets: vec![ticket(FACILITY, i), ticket("9999999999", i)],
                ..Certificates::default()
            })),
        });
    }
    let now = clock::parse_now("2021-01-06T10:00:00+09:00").expect("now");
    let sim = Simulator::with_population(
        pop,
        Clock::frozen(now),
        ErrorTable::builtin(),
        Settings::default(),
    );
    let mut g = c.benchmark_group("entrusted");
    g.sample_size(10);
    for format in ["XML", "CSV"] {
        let submit = format!("<XmlMsg><MessageHeader><MedicalInstitutionCode>{FACILITY}</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo><MedicalTreatmentMonth>202309</MedicalTreatmentMonth><OutputFileFormat>{format}</OutputFileFormat></QualificationConfirmSearchInfo></MessageBody></XmlMsg>");
        let run = || {
            let submitted = sim
                .handle_xml(
                    "OQSmutic01req",
                    submit.as_bytes(),
                    Transport::HttpXml,
                    "bench",
                )
                .expect("accepted");
            let number = text_in(&submitted.to_xml(), "MessageBody", "ReceptionNumber");
            let job = sim
                .jobs
                .wait(&number, Duration::from_secs(120))
                .expect("job");
            assert!(job.state.downloadable(), "{:?}", job.state);
            let (_, bytes) = sim.jobs.result(&number).expect("the result file");
            (job.processed, bytes)
        };
        let (found, bytes) = run();
        assert_eq!(found, assisted, "every 被保護者 of the facility ({format})");
        eprintln!("JOB-04 {format}: {found} 被保護者, {} bytes", bytes.len());
        g.bench_function(
            format!("{format}_{assisted}_assisted_of_{persons}_end_to_end"),
            |b| b.iter(|| std::hint::black_box(run())),
        );
    }
    g.finish();
}

criterion_group!(benches, entrusted);
criterion_main!(benches);
