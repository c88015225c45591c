//! JOB-03 over many consents: at `instant` pacing the consents are judged on several threads
//! (as JOB-01's rows) and written by the direct unit writer; the result must be the bytes the
//! one-by-one path writes (per-row pacing with no pause), in 同意年月日 order, cancelled
//! consents in error alike.

use chrono::NaiveDate;
use oqs_domain::visiting::Consent;
use oqs_domain::Population;
use oqs_protocol::visiting::CareKind;
use sim_server::jobs::Pacing;
use sim_server::journal::Transport;
use sim_server::{clock, Clock, Settings, Simulator};
use std::time::Duration;

const MIC: &str = "1234567890";

fn simulator(consents: u32) -> Simulator {
    let mut pop = Population::new();
    oqs_domain::generator::generate(&mut pop, consents + 50, 11);
    let end = NaiveDate::from_ymd_opt(2026, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 0))
        .expect("end");
    for q in 0..consents {
        // Some consents share a day (order then by consent), some ended before today.
        let day = NaiveDate::from_ymd_opt(2023, 1, 1).expect("day")
            + chrono::Duration::days(i64::from(q % 97));
        let valid_until = if q % 13 == 0 {
            NaiveDate::from_ymd_opt(2023, 6, 30)
                .and_then(|d| d.and_hms_opt(23, 59, 0))
                .expect("ended")
        } else {
            end
        };
        pop.add_consent(Consent {
            facility: MIC.into(),
            qualification: q,
            kind: CareKind::Visiting,
            consented_on: day,
            valid_until,
            examination_date: None,
            categories: [Some(valid_until.date()); 7],
        });
    }
    let now = clock::parse_now("2023-08-25T10:00:00+09:00").expect("now");
    Simulator::with_population(
        pop,
        Clock::frozen(now),
        oqs_protocol::ErrorTable::builtin(),
        Settings::default(),
    )
}

/// Submits the 訪問診療等 bulk for 2023 and fetches its result: (受付番号, 02res bytes).
fn run(sim: &Simulator) -> (String, Vec<u8>) {
    let submit = format!("<XmlMsg><MessageHeader><MedicalInstitutionCode>{MIC}</MedicalInstitutionCode><ArbitraryFileIdentifier>p1</ArbitraryFileIdentifier></MessageHeader><MessageBody><QualificationConfirmSearchInfo><ConsentDateFrom>20230101</ConsentDateFrom><ConsentDateTo>20231231</ConsentDateTo><MedicalTreatmentFlag>2</MedicalTreatmentFlag></QualificationConfirmSearchInfo></MessageBody></XmlMsg>");
    let answered = sim
        .handle_xml("OQSmuhvq01req", submit.as_bytes(), Transport::HttpXml, "t")
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
        .handle_xml("OQSmuhvq02req", fetch.as_bytes(), Transport::HttpXml, "t")
        .expect("fetched")
        .into_body();
    (number, body.to_vec())
}

#[test]
fn threads_write_the_bytes_of_the_one_by_one_path() {
    let consents = 600;
    let sim = simulator(consents);
    sim.jobs.set_pacing(Pacing::Instant);
    let (n1, parallel) = run(&sim);
    sim.jobs.set_pacing(Pacing::PerRow(Duration::ZERO));
    let (n2, serial) = run(&sim);
    let serial = String::from_utf8(serial)
        .expect("UTF-8")
        .replace(&n2, &n1)
        // The arbitrary identifier and the times are the same; only the 受付番号 differs.
        .into_bytes();
    assert_eq!(parallel.len(), serial.len(), "same length on both paths");
    assert!(parallel == serial, "the threads changed the result");
    let text = String::from_utf8(parallel).expect("UTF-8");
    assert_eq!(
        text.matches("<BulkConfirmUnit>").count(),
        consents as usize,
        "one row per consent"
    );
    // Consents that ended before today are rows in error (RULE-67): 600 / 13 rounded up.
    assert_eq!(text.matches("<ProcessingResultCode>EQ0302<").count(), 47);
}
