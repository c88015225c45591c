//! A real face-reader file of the simulator against the public face-reader sample
//! (`evidence/face-reader-valid`): the same element paths and value formats, except the
//! differences listed with their reason (docs/interface.md §7).

mod common;
#[path = "../../evidence/shape.rs"]
mod shape;

use common::{send_json, simulator};
use oqs_protocol::xml::{read_document, ReadLimits};
use serde_json::json;

/// Paths that may differ, with the reason.
const ALLOWED: &[(&str, &str)] = &[
    // The people differ: 新橋 太郎 has 氏名(その他), a 高齢受給者証 and an 8-digit insurer; the
    // sample's person a 6-digit 国保 insurer.
    ("ResultOfQualificationConfirmation/NameOfOther", "person"),
    ("ElderlyRecipientValidStartDate", "person"),
    ("ElderlyRecipientContributionRatio", "person"),
    ("ResultOfQualificationConfirmation/InsurerNumber", "person"),
    // Sent when known: the manual's result screen shows 資格取得日 (docs §7).
    (
        "ResultOfQualificationConfirmation/QualificationDate",
        "decision",
    ),
    // The manual v3.10 has 手術情報 and gives 診療・薬剤情報 as one consent; the 2023 sample
    // predates 手術情報 and has 診療情報 not consented.
    ("OperationInfoConsFlg", "manual v3.10"),
    ("DiagnosisInfoConsTime", "manual v3.10: given with 薬剤情報"),
    (
        "DiagnosisInfoAvailableTime",
        "manual v3.10: given with 薬剤情報",
    ),
    // 処方箋発行形態 (電子処方箋, 2023-01 on) is chosen at the check.
    ("MessageBody/PrescriptionIssueSelect", "manual v3.10"),
    // The sample's reader wrote its own file identifier; the simulator's reader writes none.
    ("MessageHeader/ArbitraryFileIdentifier", "decision"),
];

#[tokio::test]
async fn a_face_reader_file_has_the_public_samples_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = simulator();
    sim.terminal.set_face_dir(Some(dir.path().to_path_buf()));
    let r = send_json(
        &sim,
        "PUT",
        "/__admin/terminal/readers",
        json!({"topology": "face"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let r = send_json(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/card",
        json!({"profile": "valid"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // The patient consents on the reader to 診療・薬剤情報 and 特定健診情報, as in the sample.
    let r = send_json(
        &sim,
        "POST",
        "/terminal/mynumber",
        json!({"face_reader": true, "consents": {"diagnosis_medication": true, "health_checkup": true}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let name = r.json()["face_file"]
        .as_str()
        .unwrap_or_else(|| panic!("no face file: {}", r.text()))
        .to_owned();
    let ours = std::fs::read(dir.path().join(&name)).expect("the face file");
    let ours = read_document(&ours, ReadLimits::default())
        .expect("our face file reads")
        .root;
    let sample_path = format!(
        "{}/../evidence/face-reader-valid/sample.xml",
        env!("CARGO_MANIFEST_DIR")
    );
    let sample = std::fs::read(&sample_path).expect("the sample");
    let sample = read_document(&sample, ReadLimits::default())
        .expect("the sample reads")
        .root;
    let d = shape::differences(
        &shape::xml_shape(&sample),
        &shape::xml_shape(&ours),
        ALLOWED,
    );
    assert!(d.is_empty(), "{}", d.join("\n"));
    // Consent time + 24 h, as in the sample.
    let r = ours
        .child("MessageBody")
        .and_then(|b| b.child("ResultList"))
        .and_then(|l| l.child("ResultOfQualificationConfirmation"))
        .expect("a result");
    assert_eq!(
        r.child_text("PharmacistsInfoConsTime"),
        Some("20210106100000")
    );
    assert_eq!(
        r.child_text("PharmacistsInfoAvailableTime"),
        Some("20210107100000")
    );
    assert_eq!(
        r.child_text("SpecificHealthCheckupsInfoAvailableTime"),
        Some("20210107100000")
    );
}
