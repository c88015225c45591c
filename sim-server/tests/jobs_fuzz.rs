//! Hostile bulk files: truncated, spliced with random bytes, rows repeated or emptied. Every one
//! is accepted with a 受付番号, reaches a final status within seconds (never stuck in 待ち/中),
//! and its fetch answers SegmentOfResult 1 (完了) or 9 (失敗) — and nothing panics.

mod common;

use common::*;
use proptest::prelude::*;
use sim_server::journal::Transport;
use sim_server::Simulator;
use std::time::Duration;

const ROW: &str = "<QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber><Birthdate>19540326</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>";
const REG: &str = "<ReferenceNumberRegistrationInfo><ReferenceNumber>R1</ReferenceNumber><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber></ReferenceNumberRegistrationInfo>";

fn file(rows: &str, n: usize) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody>{}</MessageBody></XmlMsg>", rows.repeat(n)).into_bytes()
}

/// One way of spoiling a file.
#[derive(Debug, Clone)]
enum Spoil {
    Truncate(usize),
    Splice(usize, Vec<u8>),
    Replace(usize, u8),
    None,
}

fn spoil() -> impl Strategy<Value = Spoil> {
    prop_oneof![
        (0usize..4000).prop_map(Spoil::Truncate),
        (0usize..4000, proptest::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, b)| Spoil::Splice(at, b)),
        (0usize..4000, any::<u8>()).prop_map(|(at, b)| Spoil::Replace(at, b)),
        Just(Spoil::None),
    ]
}

fn apply(mut bytes: Vec<u8>, s: &Spoil) -> Vec<u8> {
    match s {
        Spoil::Truncate(at) => bytes.truncate(*at % (bytes.len() + 1)),
        Spoil::Splice(at, b) => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, b.iter().copied());
        }
        Spoil::Replace(at, b) => {
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = *b;
            }
        }
        Spoil::None => {}
    }
    bytes
}

fn check(sim: &Simulator, submit: &str, fetch: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let a = sim
        .handle_xml(submit, bytes, Transport::HttpXml, "fuzz")
        .map_err(|r| TestCaseError::fail(format!("refused: {r:?}")))?;
    let text = String::from_utf8(a.to_xml()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let number = text
        .split("<ReceptionNumber>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .ok_or_else(|| TestCaseError::fail(format!("no 受付番号: {text}")))?
        .to_owned();
    let job = sim
        .jobs
        .wait(&number, Duration::from_secs(5))
        .ok_or_else(|| TestCaseError::fail("job vanished"))?;
    prop_assert!(job.state.is_final(), "stuck in {:?}", job.state);
    let owner = if job.facility.is_empty() {
        "1234567890".to_owned()
    } else {
        job.facility.clone()
    };
    let f = format!("<XmlMsg><MessageHeader><MedicalInstitutionCode>{owner}</MedicalInstitutionCode></MessageHeader><MessageBody><ReceptionNumber>{number}</ReceptionNumber></MessageBody></XmlMsg>");
    let res = sim
        .handle_xml(fetch, f.as_bytes(), Transport::HttpXml, "fuzz")
        .map_err(|r| TestCaseError::fail(format!("fetch refused: {r:?}")))?;
    let res = String::from_utf8_lossy(&res.to_xml()).into_owned();
    prop_assert!(
        res.contains("<SegmentOfResult>1</SegmentOfResult>")
            || res.contains("<SegmentOfResult>9</SegmentOfResult>"),
        "{res}"
    );
    prop_assert_eq!(
        job.state.downloadable(),
        res.contains("<SegmentOfResult>1</SegmentOfResult>")
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn spoiled_bulk_inquiries_end_in_a_final_status(n in 0usize..6, s in spoil()) {
        let sim = simulator();
        check(&sim, "OQSmuquc01req", "OQSmuquc02req", &apply(file(ROW, n), &s))?;
    }

    #[test]
    fn spoiled_bulk_registrations_end_in_a_final_status(n in 0usize..6, s in spoil()) {
        let sim = simulator();
        check(&sim, "OQSmuimm01req", "OQSmuimm02req", &apply(file(REG, n), &s))?;
    }
}
