//! The file-exchange side of the reference client against a scripted folder peer (no simulator):
//! requests appear whole, a result written in pieces is read only once complete, `.err` files
//! are reported with their text, and the no-wait mutant gives up too early.

use oqs_adapter_protocol::{Action, InsuranceCard, Outcome, SimulatorEndpoints};
use oqs_protocol::xml::{read_document, ReadLimits};
use reference_client::{Client, Mutant, Transport};
use std::fs;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const RESULT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<XmlMsg>
 <MessageHeader>
  <ProcessExecutionTime>20210106100000</ProcessExecutionTime>
  <QualificationConfirmationDate>20210106</QualificationConfirmationDate>
  <MedicalInstitutionCode>1234567890</MedicalInstitutionCode>
  <ReferenceClassification>2</ReferenceClassification>
  <SegmentOfResult>1</SegmentOfResult>
  <CharacterCodeIdentifier>0</CharacterCodeIdentifier>
 </MessageHeader>
 <MessageBody>
  <ProcessingResultStatus>1</ProcessingResultStatus>
  <QualificationValidity>1</QualificationValidity>
  <ResultList>
   <ResultOfQualificationConfirmation>
    <InsurerNumber>06139000</InsurerNumber>
    <InsuredIdentificationNumber>10001</InsuredIdentificationNumber>
    <Name>試験 分割</Name>
    <Birthdate>19540326</Birthdate>
   </ResultOfQualificationConfirmation>
  </ResultList>
 </MessageBody>
</XmlMsg>
"#;

/// How the scripted peer answers the first request it finds.
#[derive(Clone, Copy)]
enum Peer {
    /// The result in two writes 300 ms apart (not atomic).
    InPieces,
    /// `res/<request base>.err`.
    ErrFile,
    /// The whole result after 300 ms.
    Late,
}

fn folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().to_path_buf();
    fs::create_dir_all(root.join("req")).expect("req");
    fs::create_dir_all(root.join("res")).expect("res");
    (dir, root)
}

/// Waits for one `*.xml` request, checks it is complete, answers as `peer` says; returns the
/// request's name.
fn serve_one(root: &Path, peer: Peer) -> JoinHandle<String> {
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        let started = Instant::now();
        let name = loop {
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "no request came"
            );
            let found = fs::read_dir(root.join("req"))
                .expect("read req")
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .find(|n| n.ends_with(".xml"));
            if let Some(n) = found {
                break n;
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        // Visible under its final name only once whole.
        let bytes = fs::read(root.join("req").join(&name)).expect("request");
        read_document(&bytes, ReadLimits::default()).expect("the request is complete XML");
        let base = name.trim_end_matches(".xml").to_owned();
        let res_name = base.replacen("req_", "res_", 1) + ".xml";
        let res = root.join("res");
        match peer {
            Peer::InPieces => {
                let (head, tail) = RESULT.split_at(RESULT.len() / 2);
                fs::write(res.join(&res_name), head).expect("first piece");
                std::thread::sleep(Duration::from_millis(300));
                let mut all = head.to_owned();
                all.push_str(tail);
                fs::write(res.join(&res_name), all).expect("whole");
            }
            Peer::ErrFile => {
                fs::write(
                    res.join(format!("{base}.err")),
                    "EQ0001 XML構造エラー\nline 3: <oops> is not closed\n",
                )
                .expect("err");
            }
            Peer::Late => {
                std::thread::sleep(Duration::from_millis(300));
                fs::write(res.join(&res_name), RESULT).expect("late");
            }
        }
        name
    })
}

fn client(root: &Path, mutant: Option<Mutant>) -> Client {
    let endpoints = SimulatorEndpoints {
        http: "http://127.0.0.1:9".into(),
        exchange: root.display().to_string(),
        facility: "1234567890".into(),
        pcsc_reader: None,
        webapi: None,
    };
    Client::new(endpoints, Transport::Exchange, mutant)
}

fn check(c: &mut Client) -> oqs_adapter_protocol::Conclusion {
    let reply = c.handle(Action::CheckInsuranceCard {
        card: InsuranceCard {
            insurer_number: "06139000".into(),
            symbol: None,
            number: "10001".into(),
            branch: None,
            birthdate: "19540326".into(),
        },
        limit_consent: false,
        confirmation_date: Some("20210106".into()),
        facility: None,
        result_encoding: None,
    });
    assert!(reply.ok, "{:?}", reply.error);
    match reply.outcome {
        Some(Outcome::Confirmation(c)) => c,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_result_written_in_pieces_is_read_once_complete() {
    let (_dir, root) = folder();
    let peer = serve_one(&root, Peer::InPieces);
    let got = check(&mut client(&root, None));
    let name = peer.join().expect("peer");
    assert_eq!(got.validity.as_deref(), Some("有効"), "{got:?}");
    assert_eq!(got.candidates[0].name, "試験 分割");
    assert_eq!(got.files[0], format!("req/{name}"));
    assert!(got.files[1].starts_with("res/OQSsiquc01res_"));
    // No temporary file is left behind.
    let left: Vec<_> = fs::read_dir(root.join("req"))
        .expect("req")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn an_err_file_is_reported_with_its_text() {
    let (_dir, root) = folder();
    let peer = serve_one(&root, Peer::ErrFile);
    let got = check(&mut client(&root, None));
    let name = peer.join().expect("peer");
    assert_eq!(got.validity, None);
    assert_eq!(got.error_code.as_deref(), Some("EQ0001"));
    assert_eq!(got.message.as_deref(), Some("XML構造エラー"));
    let err = format!("res/{}.err", name.trim_end_matches(".xml"));
    assert_eq!(got.files, vec![format!("req/{name}"), err]);

    let (_dir, root) = folder();
    let peer = serve_one(&root, Peer::ErrFile);
    let got = check(&mut client(&root, Some(Mutant::InventErrorMessage)));
    peer.join().expect("peer");
    assert_ne!(got.message.as_deref(), Some("XML構造エラー"));
}

#[test]
fn the_client_waits_for_a_late_answer_and_the_mutant_does_not() {
    let (_dir, root) = folder();
    let peer = serve_one(&root, Peer::Late);
    let got = check(&mut client(&root, None));
    peer.join().expect("peer");
    assert_eq!(got.validity.as_deref(), Some("有効"));

    let (_dir, root) = folder();
    let peer = serve_one(&root, Peer::Late);
    let got = check(&mut client(&root, Some(Mutant::NoWaitForAnswer)));
    peer.join().expect("peer");
    assert_eq!(got.validity, None, "{got:?}");
}
