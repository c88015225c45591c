//! Every code table against every public transcription in `evidence/code-tables/`: the codes
//! the simulator sends exist there with the same label, except the differences listed below,
//! each with its reason (also in docs/interface.md).

use oqs_protocol::codes::*;
use std::collections::BTreeMap;

type Tables = BTreeMap<String, BTreeMap<String, String>>;

fn transcription(name: &str) -> Tables {
    let path = format!(
        "{}/../evidence/code-tables/{name}.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// (table number, its codes and labels, its SOURCE).
type Ours = (String, Vec<(&'static str, &'static str)>, &'static str);

/// Every OQSCD table the simulator has.
fn ours() -> Vec<Ours> {
    fn t<T: CodeTable>() -> Ours {
        let number = T::SOURCE
            .strip_prefix("OQSCD")
            .map(|s| format!("OQSCD{}", &s[..3]))
            .unwrap_or_default();
        let codes = T::all().iter().map(|v| (v.code(), v.label())).collect();
        (number, codes, T::SOURCE)
    }
    vec![
        t::<ConsentFlag>(),
        t::<ReferenceClassification>(),
        t::<SegmentOfResult>(),
        t::<ProcessingResultStatus>(),
        t::<CharacterCode>(),
        t::<QualificationValidity>(),
        t::<Sex>(),
        t::<ReasonOfLoss>(),
        t::<PersonalFamily>(),
        t::<InsuredCardClassification>(),
        t::<LimitCertificateKind>(),
        t::<LimitCategory>(),
        t::<SpecificDisease>(),
        t::<Preschool>(),
        t::<ConsentStatus>(),
        t::<PrescriptionIssueForm>(),
        t::<CardAuthErrorCode>(),
        t::<TicketType>(),
        t::<MedicalTreatmentType>(),
        t::<SingleOrCombined>(),
        t::<Applicable>(),
        t::<ConsistencyFlag>(),
        t::<DesignatedFlag>(),
    ]
}

/// Known differences: (transcription, table, code or "*", why the simulator differs).
const DIFFERENCES: &[(&str, &str, &str, &str)] = &[
    (
        "oqsfunc",
        "OQSCD005",
        "*",
        "codes 1/2 there; 0 = UTF-8 in both real samples and in myclinic-ts",
    ),
    (
        "oqsfunc",
        "OQSCD008",
        "99",
        "the file repeats 03's label for 99",
    ),
    (
        "oqsfunc",
        "OQSCD010",
        "01",
        "abbreviated there; the simulator keeps the manual's screen text (DM-06)",
    ),
    (
        "oqsfunc",
        "OQSCD010",
        "05",
        "「特別療養費支給対象者」 there; myclinic-ts and the manual say 被保険者資格証明書",
    ),
    (
        "oqsfunc",
        "OQSCD010",
        "07",
        "abbreviated there (自衛官); myclinic-ts: 自衛官診療証",
    ),
    (
        "myclinic-ts",
        "OQSCD013",
        "2",
        "VIII/IX in Latin letters there; the manual prints Ⅷ/Ⅸ (DM-09)",
    ),
    (
        "oqsfunc",
        "OQSCD013",
        "2",
        "VIII/IX in Latin letters there; the manual prints Ⅷ/Ⅸ (DM-09)",
    ),
    (
        "myclinic-ts",
        "OQSCD017",
        "*",
        "labels 電子処方箋/紙の処方箋 there; the history shows 電子/紙 (RULE-61)",
    ),
    (
        "oqsfunc",
        "OQSCD017",
        "*",
        "labels 電子処方箋/紙の処方箋 there; the history shows 電子/紙 (RULE-61)",
    ),
    (
        "oqsfunc",
        "OQSCD019",
        "03",
        "歯科 there; the manual's screen text is 歯科診療 (DM-12)",
    ),
];

fn known(source: &str, table: &str, code: &str) -> bool {
    DIFFERENCES
        .iter()
        .any(|(s, t, c, _)| *s == source && *t == table && (*c == "*" || *c == code))
}

#[test]
fn every_code_table_matches_the_public_transcriptions() {
    let sources = [
        ("myclinic-ts", transcription("myclinic-ts")),
        ("oqsfunc", transcription("oqsfunc")),
    ];
    let mut problems = Vec::new();
    for (table, codes, source) in ours() {
        if table.is_empty() {
            assert!(
                source.starts_with("no public evidence"),
                "a table without an OQSCD number must say so: {source}"
            );
            continue;
        }
        let mut seen = false;
        for (code, _) in &codes {
            let listed = sources
                .iter()
                .any(|(_, t)| t.get(&table).is_some_and(|t| t.contains_key(*code)));
            if !listed {
                problems.push(format!("{table} {code}: in no public transcription"));
            }
        }
        for (name, tables) in &sources {
            let Some(theirs) = tables.get(&table) else {
                continue;
            };
            seen = true;
            for (code, label) in &codes {
                match theirs.get(*code) {
                    Some(l) if l == label => {}
                    _ if known(name, &table, code) => {}
                    Some(l) => {
                        problems.push(format!("{table} {code}: ours 「{label}」, {name} 「{l}」"))
                    }
                    // Listed by the other transcription only (checked above).
                    None => {}
                }
            }
            // Codes a transcription lists that the simulator lacks.
            for code in theirs.keys() {
                if !codes.iter().any(|(c, _)| c == code) && !known(name, &table, code) {
                    problems.push(format!("{table} {code}: in {name}, missing here"));
                }
            }
        }
        assert!(seen, "{table} has no transcription in evidence/code-tables");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_difference_is_still_a_difference() {
    // A listed difference that no longer differs must be removed from the list (and the docs).
    for (source, table, code, _) in DIFFERENCES {
        let theirs = transcription(source);
        let t = &theirs[*table];
        let ours = ours();
        let (_, codes, _) = ours
            .iter()
            .find(|(n, _, _)| n == table)
            .expect("a table of ours");
        let differs = if *code == "*" {
            codes
                .iter()
                .any(|(c, l)| t.get(*c).map(String::as_str) != Some(*l))
        } else {
            codes.iter().find(|(c, _)| c == code).map(|(_, l)| *l)
                != t.get(*code).map(String::as_str)
        };
        assert!(differs, "{source} {table} {code} no longer differs");
    }
}

#[test]
fn limit_category_b_codes_are_the_published_ones() {
    assert_eq!(LimitCategory::LowIncomeII.code(), "B05");
    assert_eq!(LimitCategory::General.code(), "B04");
    assert_eq!(LimitCategory::OKyo.label(), "オ（境）");
}
