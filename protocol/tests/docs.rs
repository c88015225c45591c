//! docs/interface.md says what the code does: every code table row, every error-table row and
//! every banner and dialog text the simulator shows is in it; the outsiders' docs link to it and
//! never to files outside the repository.

use oqs_protocol::codes::*;
use oqs_protocol::{texts, ErrorTable};

fn repo_file(path: &str) -> String {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn rows<T: CodeTable>(doc: &str, missing: &mut Vec<String>) {
    for v in T::all() {
        let row = format!("| `{}` | {} |", v.code(), v.label());
        if !doc.contains(&row) {
            missing.push(format!("{} ({}): {row}", T::NAME, T::SOURCE));
        }
    }
    if !doc.contains(T::SOURCE) {
        missing.push(format!("{}: its source 「{}」", T::NAME, T::SOURCE));
    }
}

#[test]
fn every_code_table_is_documented_with_its_source() {
    let doc = repo_file("docs/interface.md");
    let mut missing = Vec::new();
    rows::<ConsentFlag>(&doc, &mut missing);
    rows::<ReferenceClassification>(&doc, &mut missing);
    rows::<SegmentOfResult>(&doc, &mut missing);
    rows::<ProcessingResultStatus>(&doc, &mut missing);
    rows::<CharacterCode>(&doc, &mut missing);
    rows::<QualificationValidity>(&doc, &mut missing);
    rows::<Sex>(&doc, &mut missing);
    rows::<ReasonOfLoss>(&doc, &mut missing);
    rows::<PersonalFamily>(&doc, &mut missing);
    rows::<InsuredCardClassification>(&doc, &mut missing);
    rows::<LimitCertificateKind>(&doc, &mut missing);
    rows::<LimitCategory>(&doc, &mut missing);
    rows::<SpecificDisease>(&doc, &mut missing);
    rows::<Preschool>(&doc, &mut missing);
    rows::<ConsentStatus>(&doc, &mut missing);
    rows::<PrescriptionIssueForm>(&doc, &mut missing);
    rows::<CardAuthErrorCode>(&doc, &mut missing);
    rows::<TicketType>(&doc, &mut missing);
    rows::<MedicalTreatmentType>(&doc, &mut missing);
    rows::<SingleOrCombined>(&doc, &mut missing);
    rows::<Applicable>(&doc, &mut missing);
    rows::<ConsistencyFlag>(&doc, &mut missing);
    rows::<DesignatedFlag>(&doc, &mut missing);
    assert!(
        missing.is_empty(),
        "not in docs/interface.md:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_error_row_is_documented() {
    let doc = repo_file("docs/interface.md");
    let table = ErrorTable::builtin();
    let mut missing = Vec::new();
    for (kind, e) in table.rows() {
        let key = kind.key();
        let row = format!("| `{key}` | `{}` |", e.code);
        if !doc.contains(&row) || !doc.contains(&e.message) {
            missing.push(format!("{key} {} {}", e.code, e.message));
        }
    }
    assert!(
        missing.is_empty(),
        "not in docs/interface.md:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_banner_and_dialog_text_is_documented() {
    let doc = repo_file("docs/interface.md");
    let mut texts_shown: Vec<&str> = vec![
        texts::BANNER_VALID,
        texts::BANNER_INVALID,
        texts::BANNER_INVALID_WITH_NEWER,
        texts::MULTIPLE_MATCHES,
        texts::PRESCHOOL_LABEL,
        texts::SCR08_METHOD_VISUAL,
        texts::SCR08_METHOD_PIN,
        texts::SCR08_VISUAL_DONE_BOX,
    ];
    for d in [
        texts::DLG_05,
        texts::DLG_06,
        texts::DLG_10,
        texts::DLG_27,
        texts::DLG_28,
    ] {
        texts_shown.push(d.title);
        texts_shown.extend(d.lines.iter().copied());
    }
    for d in texts::CARD_DIALOGS {
        if let Some(t) = d.title {
            texts_shown.push(t);
        }
        texts_shown.extend(d.lines.iter().copied());
    }
    let missing: Vec<_> = texts_shown.iter().filter(|t| !doc.contains(**t)).collect();
    assert!(missing.is_empty(), "not in docs/interface.md: {missing:?}");
}

#[test]
fn outsiders_docs_link_to_the_interface_and_never_outside_the_repo() {
    for path in [
        "README.md",
        "conformance/README.md",
        "protocol/error-codes.toml",
    ] {
        let text = repo_file(path);
        assert!(
            text.contains("docs/interface.md"),
            "{path} does not point to docs/interface.md"
        );
    }
    for path in [
        "README.md",
        "conformance/README.md",
        "docs/interface.md",
        "reference-client/README.md",
        "virtual-card/README.md",
        "evidence/README.md",
    ] {
        let text = repo_file(path);
        assert!(
            !text.contains("../shared"),
            "{path} points outside the repository"
        );
    }
}
