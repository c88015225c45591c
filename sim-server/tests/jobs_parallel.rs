//! JOB-01 over many rows: at `instant` pacing the rows are judged on several threads, each
//! writing its units and making their history records; the result must be the bytes the
//! one-by-one path writes (per-row pacing with no pause) and the 資格確認履歴 the same records
//! in file order: found, not found and input-error rows alike.

use oqs_domain::generator::generated_card;
use oqs_domain::Population;
use sim_server::jobs::Pacing;
use sim_server::journal::Transport;
use sim_server::{clock, Clock, Settings, Simulator};
use std::time::Duration;

const MIC: &str = "1234567890";
const PERSONS: u32 = 400;
const ROWS: u32 = 600;

fn population() -> Population {
    let mut pop = Population::new();
    oqs_domain::generator::generate(&mut pop, PERSONS, 3);
    pop
}

fn simulator(pop: Population) -> Simulator {
    let now = clock::parse_now("2021-01-06T10:00:00+09:00").expect("now");
    Simulator::with_population(
        pop,
        Clock::frozen(now),
        oqs_protocol::ErrorTable::builtin(),
        Settings::default(),
    )
}

/// The file: rows of generated cards (some beyond the population: not found), every 7th with a
/// wrong birth date (not found), every 11th with a bad insurer number (an input error).
fn file(pop: &Population) -> String {
    let mut rows = String::new();
    for i in 0..ROWS {
        let (insurer, symbol, number, branch) = generated_card(i);
        let born = pop
            .find_qualification(insurer, Some(&symbol), &number, Some(&branch))
            .map(|q| pop.person(pop.qualification(q).person).birthdate);
        let insurer = if i % 11 == 0 {
            "12A".to_owned()
        } else {
            format!("{:08}", insurer.0)
        };
        let birthdate = match born {
            Some(d) if i % 7 != 0 => d.format("%Y%m%d").to_string(),
            _ => "19000101".to_owned(),
        };
        let consent = i % 2;
        rows.push_str(&format!(
            "<QualificationConfirmSearchInfo><InsurerNumber>{insurer}</InsurerNumber><InsuredCardSymbol>{symbol}</InsuredCardSymbol><InsuredIdentificationNumber>{number}</InsuredIdentificationNumber><InsuredBranchNumber>{branch}</InsuredBranchNumber><Birthdate>{birthdate}</Birthdate><LimitApplicationCertificateRelatedConsFlg>{consent}</LimitApplicationCertificateRelatedConsFlg><ArbitraryIdentifier>row{i}</ArbitraryIdentifier></QualificationConfirmSearchInfo>"
        ));
    }
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><QualificationConfirmationDate>20210106</QualificationConfirmationDate><MedicalInstitutionCode>{MIC}</MedicalInstitutionCode><ArbitraryFileIdentifier>p1</ArbitraryFileIdentifier></MessageHeader><MessageBody>{rows}</MessageBody></XmlMsg>")
}

/// Submits the file and fetches its result: (受付番号, 02res bytes).
fn run(sim: &Simulator, file: &str) -> (String, Vec<u8>) {
    let answered = sim
        .handle_xml("OQSmuquc01req", file.as_bytes(), Transport::HttpXml, "t")
        .expect("accepted")
        .to_xml();
    let text = String::from_utf8_lossy(&answered).into_owned();
    let number = text
        .split("<ReceptionNumber>")
        .nth(1)
        .and_then(|t| t.split('<').next())
        .expect("受付番号")
        .to_owned();
    let job = sim
        .jobs
        .wait(&number, Duration::from_secs(60))
        .expect("job");
    assert!(job.state.downloadable(), "{:?}", job.state);
    let fetch = format!("<XmlMsg><MessageHeader><MedicalInstitutionCode>{MIC}</MedicalInstitutionCode></MessageHeader><MessageBody><ReceptionNumber>{number}</ReceptionNumber></MessageBody></XmlMsg>");
    let body = sim
        .handle_xml("OQSmuquc02req", fetch.as_bytes(), Transport::HttpXml, "t")
        .expect("fetched")
        .into_body();
    (number, body.to_vec())
}

#[test]
fn threads_write_and_record_what_the_one_by_one_path_does() {
    let pop = population();
    let file = file(&pop);
    let sim = simulator(pop);
    let now = sim.clock.now();
    sim.jobs.set_pacing(Pacing::Instant);
    let (n1, parallel) = run(&sim, &file);
    let recorded = sim.history.len().expect("history");
    sim.jobs.set_pacing(Pacing::PerRow(Duration::ZERO));
    let (n2, serial) = run(&sim, &file);
    assert_eq!(sim.history.len().expect("history"), 2 * recorded);
    let serial = String::from_utf8(serial)
        .expect("UTF-8")
        .replace(&n2, &n1)
        .into_bytes();
    assert_eq!(parallel.len(), serial.len(), "same length on both paths");
    assert!(parallel == serial, "the threads changed the result");
    let text = String::from_utf8(parallel).expect("UTF-8");
    assert_eq!(text.matches("<BulkConfirmUnit>").count(), ROWS as usize);
    let input_errors = (0..ROWS).filter(|i| i % 11 == 0).count();
    assert_eq!(
        text.matches("<ProcessingResultStatus>2<").count(),
        input_errors
    );
    // Rows found (有効 and others) and not found alike.
    let validities: std::collections::BTreeSet<&str> = text
        .split("<QualificationValidity>")
        .skip(1)
        .filter_map(|t| t.split('<').next())
        .collect();
    assert!(validities.len() >= 2, "{validities:?}");
    // Every row but the input errors is a confirmation (一括照会), recorded in file order.
    assert_eq!(recorded, ROWS as usize - input_errors);
    let first_id = sim
        .history
        .get(MIC, 1, now)
        .expect("history")
        .map(|r| r.id)
        .expect("the first record");
    for k in 0..recorded as u64 {
        let a = sim.history.get(MIC, first_id + k, now).expect("history");
        let b = sim
            .history
            .get(MIC, first_id + recorded as u64 + k, now)
            .expect("history");
        let (mut a, b) = (a.expect("parallel record"), b.expect("serial record"));
        assert_eq!(a.id + recorded as u64, b.id);
        a.id = b.id;
        assert_eq!(a, b, "record {k}");
    }
    let names: Vec<String> = (0..3)
        .map(|k| {
            sim.history
                .get(MIC, first_id + k, now)
                .expect("history")
                .expect("record")
                .card
        })
        .collect();
    assert_eq!(names[0], "G0 0 02", "{names:?}");
}
