//! Snapshots of the bulk and registration messages as the simulator writes them (fixed clock
//! 2021-01-06 10:00:00 JST): OQSmuquc01res, OQSmuquc02res (done, still processing, failed),
//! OQSsiimm01res and OQSmuimm02res.

mod common;

use common::*;
use sim_server::jobs::{JobSettings, Pacing};
use sim_server::journal::Transport;
use sim_server::{Settings, Simulator};
use std::time::Duration;

const MIC: &str = "1234567890";

fn row(fields: &[(&str, &str)]) -> String {
    let inner: String = fields
        .iter()
        .map(|(k, v)| format!("<{k}>{v}</{k}>"))
        .collect();
    format!("<QualificationConfirmSearchInfo>{inner}</QualificationConfirmSearchInfo>")
}

fn xml(message: &str, sim: &Simulator, body: &str) -> String {
    let a = sim
        .handle_xml(message, body.as_bytes(), Transport::HttpXml, "snapshot")
        .expect("answered");
    String::from_utf8(a.to_xml()).expect("UTF-8")
}

fn number_of(res: &str) -> String {
    let start = res.find("<ReceptionNumber>").expect("受付番号") + "<ReceptionNumber>".len();
    let end = res[start..].find('<').expect("end") + start;
    res[start..end].to_owned()
}

fn fetch(number: &str) -> String {
    format!("<XmlMsg><MessageHeader><MedicalInstitutionCode>{MIC}</MedicalInstitutionCode></MessageHeader><MessageBody><ReceptionNumber>{number}</ReceptionNumber></MessageBody></XmlMsg>")
}

fn bulk(rows: &[String]) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><QualificationConfirmationDate>20210106</QualificationConfirmationDate><MedicalInstitutionCode>{MIC}</MedicalInstitutionCode><ArbitraryFileIdentifier>snap-1</ArbitraryFileIdentifier></MessageHeader><MessageBody>{}</MessageBody></XmlMsg>", rows.concat())
}

#[test]
fn bulk_inquiry_messages() {
    let sim = simulator();
    let mut hanako = taro();
    hanako[3] = ("InsuredBranchNumber", "02");
    hanako[4] = ("Birthdate", "19550118");
    let mut bad = taro();
    bad[0] = ("InsurerNumber", "123");
    let res01 = xml(
        "OQSmuquc01req",
        &sim,
        &bulk(&[row(&taro()), row(&hanako), row(&bad)]),
    );
    insta::assert_snapshot!("bulk_inquiry_01res", res01);
    let number = number_of(&res01);
    sim.jobs.wait(&number, Duration::from_secs(10));
    insta::assert_snapshot!(
        "bulk_inquiry_02res_done",
        xml("OQSmuquc02req", &sim, &fetch(&number))
    );
}

#[test]
fn bulk_inquiry_processing_and_failed() {
    let sim = simulator_with(Settings {
        jobs: JobSettings {
            pacing: Pacing::Hold,
            ..JobSettings::default()
        },
        ..Settings::default()
    });
    let number = number_of(&xml("OQSmuquc01req", &sim, &bulk(&[row(&taro())])));
    insta::assert_snapshot!(
        "bulk_inquiry_02res_processing",
        xml("OQSmuquc02req", &sim, &fetch(&number))
    );
    sim.jobs.set_pacing(Pacing::Instant);
    let failed = number_of(&xml(
        "OQSmuquc01req",
        &sim,
        &bulk(&[row(&taro())]).replace(MIC, "12345"),
    ));
    let job = sim
        .jobs
        .wait(&failed, Duration::from_secs(10))
        .expect("job");
    let fetch_failed = fetch(&failed).replace(MIC, &job.facility);
    // The header of the fetch is itself invalid (12345): the answer says so.
    insta::assert_snapshot!(
        "bulk_inquiry_02res_bad_fetch_header",
        xml("OQSmuquc02req", &sim, &fetch_failed)
    );
    let limit = simulator_with(Settings {
        jobs: JobSettings {
            row_limit: 1,
            ..JobSettings::default()
        },
        ..Settings::default()
    });
    let n = number_of(&xml(
        "OQSmuquc01req",
        &limit,
        &bulk(&[row(&taro()), row(&taro())]),
    ));
    limit.jobs.wait(&n, Duration::from_secs(10));
    insta::assert_snapshot!(
        "bulk_inquiry_02res_failed_limit",
        xml("OQSmuquc02req", &limit, &fetch(&n))
    );
}

#[test]
fn registration_messages() {
    let sim = simulator();
    let info = |value: &str, branch: &str| {
        format!("<ReferenceNumberRegistrationInfo><ReferenceNumber>{value}</ReferenceNumber><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>{branch}</InsuredBranchNumber></ReferenceNumberRegistrationInfo>")
    };
    let msg = |infos: &str| {
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{MIC}</MedicalInstitutionCode></MessageHeader><MessageBody>{infos}</MessageBody></XmlMsg>")
    };
    insta::assert_snapshot!(
        "single_registration_01res",
        xml("OQSsiimm01req", &sim, &msg(&info("JIKO3", "01")))
    );
    insta::assert_snapshot!(
        "single_registration_01res_not_found",
        xml("OQSsiimm01req", &sim, &msg(&info("JIKO3", "77")))
    );
    let n = number_of(&xml(
        "OQSmuimm01req",
        &sim,
        &msg(&[
            info("20200406164745", "01"),
            info("", "02"),
            info("X", "01"),
            info("Y", "77"),
        ]
        .concat()),
    ));
    sim.jobs.wait(&n, Duration::from_secs(10));
    insta::assert_snapshot!(
        "bulk_registration_02res",
        xml("OQSmuimm02req", &sim, &fetch(&n))
    );
}
