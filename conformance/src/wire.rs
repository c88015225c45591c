//! Well-formedness of what the client sent (interface.md §3 and the simulator's wire
//! decisions), read from the simulator's request journal.

use crate::results::{FieldDiff, SentRequest};
use oqs_protocol::xml::{read_document, ReadLimits};
use oqs_protocol::Element;
use sim_server::journal::{JournalEntry, Transport};

/// The journal entry as the report shows it (request text clipped).
pub fn sent(e: &JournalEntry) -> SentRequest {
    SentRequest {
        seq: e.seq,
        transport: transport_name(e.transport).to_owned(),
        message: e.message.clone(),
        outcome: e.outcome.clone(),
        error_code: e.error_code.clone(),
        encoding: e.encoding.clone(),
        request: crate::driver::clip(&e.request, 1500),
    }
}

pub fn transport_name(t: Transport) -> &'static str {
    match t {
        Transport::HttpXml => "http-xml",
        Transport::WebApi => "webapi",
        Transport::FileExchange => "file-exchange",
        Transport::Terminal => "terminal",
    }
}

/// The request as a tree. The journal keeps the text decoded as UTF-8 (lossy), so the
/// prolog's encoding is read as UTF-8 here; the encoding itself is checked by [`encoding_diff`].
pub fn tree(e: &JournalEntry) -> Option<Element> {
    if e.transport == Transport::Terminal {
        return None;
    }
    let text = e
        .request
        .replacen("encoding=\"Shift_JIS\"", "encoding=\"UTF-8\"", 1)
        .replacen("encoding='Shift_JIS'", "encoding='UTF-8'", 1);
    let limits = ReadLimits {
        max_bytes: usize::MAX,
        max_depth: 64,
        max_elements: usize::MAX,
    };
    if e.transport == Transport::WebApi {
        let v: serde_json::Value = serde_json::from_str(&e.request).ok()?;
        return oqs_protocol::json::from_json(&v).ok();
    }
    read_document(text.as_bytes(), limits).ok().map(|d| d.root)
}

fn all_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn valid_date(s: &str) -> bool {
    all_digits(s, 8) && chrono::NaiveDate::parse_from_str(s, "%Y%m%d").is_ok()
}

/// Declared encoding vs the bytes. The journal keeps the bytes decoded as UTF-8 (lossy): bytes
/// that are not UTF-8 show as U+FFFD. A request declared UTF-8 (or undeclared) must have none;
/// one declared Shift_JIS that holds non-ASCII text must not be valid UTF-8.
pub fn encoding_diff(e: &JournalEntry) -> Option<FieldDiff> {
    if e.transport == Transport::Terminal || e.transport == Transport::WebApi {
        return None;
    }
    let declared = e.encoding.clone().unwrap_or_else(|| "UTF-8".into());
    let has_replacement = e.request.contains('\u{FFFD}');
    let non_ascii = !e.request.is_ascii();
    let actual = if has_replacement {
        "not UTF-8 (Shift_JIS or other)"
    } else if non_ascii {
        "UTF-8"
    } else {
        return None; // ASCII only: any declaration fits
    };
    let fits = match declared.as_str() {
        "Shift_JIS" => has_replacement,
        _ => !has_replacement,
    };
    (!fits).then(|| FieldDiff {
        field: format!("{}#{} encoding", e.message, e.seq),
        expected: format!("bytes in the declared {declared}"),
        actual: actual.to_owned(),
        rule: Some("README.md Wire decisions: encodings (declared = bytes)".into()),
    })
}

fn diff(e: &JournalEntry, field: &str, expected: &str, actual: &str, rule: &str) -> FieldDiff {
    FieldDiff {
        field: format!("{}#{} {field}", e.message, e.seq),
        expected: expected.to_owned(),
        actual: actual.to_owned(),
        rule: Some(rule.to_owned()),
    }
}

fn check_search(
    e: &JournalEntry,
    s: &Element,
    row: &str,
    out: &mut Vec<FieldDiff>,
    birthdate: bool,
) {
    let f = |n: &str| s.child_text(n).map(str::to_owned);
    match f("InsurerNumber") {
        None => out.push(diff(
            e,
            &format!("{row}InsurerNumber"),
            "present",
            "(missing)",
            "RULE-29",
        )),
        Some(v) => {
            let six = v.len() == 8 && v.starts_with("  ") && all_digits(&v[2..], 6);
            let eight = all_digits(&v, 8) && !v.starts_with("00");
            if !(six || eight) {
                out.push(diff(
                    e,
                    &format!("{row}InsurerNumber"),
                    "8 digits, or a 6-digit number right-aligned with 2 spaces",
                    &v,
                    "RULE-29, README.md Wire decisions (保険者番号)",
                ));
            }
        }
    }
    if f("InsuredIdentificationNumber").is_none_or(|v| v.is_empty()) {
        out.push(diff(
            e,
            &format!("{row}InsuredIdentificationNumber"),
            "present",
            "(missing)",
            "RULE-30",
        ));
    }
    if let Some(b) = f("InsuredBranchNumber") {
        if !all_digits(&b, 2) {
            out.push(diff(
                e,
                &format!("{row}InsuredBranchNumber"),
                "2 digits",
                &b,
                "RULE-31",
            ));
        }
    }
    if birthdate {
        match f("Birthdate") {
            Some(b) if valid_date(&b) => {}
            other => out.push(diff(
                e,
                &format!("{row}Birthdate"),
                "YYYYMMDD",
                &other.unwrap_or_else(|| "(missing)".into()),
                "RULE-34, docs/interface.md §2",
            )),
        }
    }
    if let Some(c) = f("LimitApplicationCertificateRelatedConsFlg") {
        if c != "0" && c != "1" {
            out.push(diff(
                e,
                &format!("{row}LimitApplicationCertificateRelatedConsFlg"),
                "0 or 1",
                &c,
                "docs/interface.md §2",
            ));
        }
    }
}

/// Every way the request breaks interface.md (empty: well-formed). `facility` is the
/// 医療機関コード the check asked the client to act for (DM-01): the `hello` facility, or the one
/// the request named (e.g. the 薬局 of the pharmacy profile).
pub fn request_diffs(e: &JournalEntry, facility: &str) -> Vec<FieldDiff> {
    let mut out = Vec::new();
    if e.transport == Transport::Terminal {
        return out;
    }
    if e.outcome != "answered" {
        out.push(diff(
            e,
            "outcome",
            "answered",
            &format!(
                "rejected {} {}",
                e.error_code.clone().unwrap_or_default(),
                e.error_detail.clone().unwrap_or_default()
            ),
            "docs/interface.md §2, docs/interface.md §5",
        ));
        return out;
    }
    if let Some(code) = &e.error_code {
        out.push(diff(
            e,
            "error",
            "no error",
            &format!("{code} {}", e.error_detail.clone().unwrap_or_default()),
            "docs/interface.md §2 (RULE-29..36)",
        ));
    }
    out.extend(encoding_diff(e));
    let Some(root) = tree(e) else {
        out.push(diff(
            e,
            "XML",
            "well-formed XML",
            "unreadable",
            "docs/interface.md §2",
        ));
        return out;
    };
    if root.name != "XmlMsg" {
        out.push(diff(
            e,
            "root",
            "XmlMsg",
            &root.name,
            "docs/interface.md §2",
        ));
    }
    let Some(header) = root.child("MessageHeader") else {
        out.push(diff(
            e,
            "MessageHeader",
            "present",
            "(missing)",
            "docs/interface.md §2",
        ));
        return out;
    };
    match header.child_text("MedicalInstitutionCode") {
        Some(c) if all_digits(c, 10) && c == facility => {}
        other => out.push(diff(
            e,
            "MessageHeader/MedicalInstitutionCode",
            &format!("10 digits, the facility acted for {facility}"),
            other.unwrap_or("(missing)"),
            "docs/interface.md §2",
        )),
    }
    if let Some(d) = header.child_text("QualificationConfirmationDate") {
        if !valid_date(d) {
            out.push(diff(
                e,
                "MessageHeader/QualificationConfirmationDate",
                "YYYYMMDD",
                d,
                "RULE-35",
            ));
        }
    }
    if let Some(id) = header.child_text("ArbitraryFileIdentifier") {
        if id.chars().count() > 50 {
            out.push(diff(
                e,
                "MessageHeader/ArbitraryFileIdentifier",
                "at most 50 characters",
                &id.chars().count().to_string(),
                "README.md Wire decisions (limits)",
            ));
        }
    }
    let body = root.child("MessageBody");
    match e.message.as_str() {
        "OQSsiquc01req" | "OQSsihvq01req" | "OQSsionq01req" | "OQSsihvd01req" => {
            match body.and_then(|b| b.child("QualificationConfirmSearchInfo")) {
                Some(s) => check_search(e, s, "", &mut out, true),
                None => out.push(diff(
                    e,
                    "MessageBody/QualificationConfirmSearchInfo",
                    "present",
                    "(missing)",
                    "docs/interface.md §2",
                )),
            }
        }
        "OQSmuquc01req" => {
            let rows: Vec<&Element> = body
                .map(|b| b.children_named("QualificationConfirmSearchInfo").collect())
                .unwrap_or_default();
            if rows.is_empty() {
                out.push(diff(
                    e,
                    "MessageBody/QualificationConfirmSearchInfo",
                    "one per row",
                    "(none)",
                    "JOB-01",
                ));
            }
            for (i, s) in rows.iter().enumerate() {
                check_search(e, s, &format!("row {} ", i + 1), &mut out, true);
            }
        }
        "OQSsiimm01req" => match body.and_then(|b| b.child("ReferenceNumberRegistrationInfo")) {
            Some(s) => check_search(e, s, "", &mut out, false),
            None => out.push(diff(
                e,
                "MessageBody/ReferenceNumberRegistrationInfo",
                "present",
                "(missing)",
                "docs/interface.md §2",
            )),
        },
        "OQSmuhvq01req" | "OQSmuonq01req" => check_visiting_bulk(e, body, &mut out),
        "OQSmuquc02req" | "OQSmuhvq02req" | "OQSmuonq02req"
            if body
                .and_then(|b| b.child_text("ReceptionNumber"))
                .is_none_or(str::is_empty) =>
        {
            out.push(diff(
                e,
                "MessageBody/ReceptionNumber",
                "the 受付番号 of 01res",
                "(missing)",
                "JOB-01",
            ));
        }
        _ => {}
    }
    out
}

/// JOB-03's conditions (docs/interface.md §2.7): one QualificationConfirmSearchInfo holding
/// only the date ranges (YYYYMMDD, at least one; 受診年月日 for オンライン診療等 only) and the
/// message's MedicalTreatmentFlag (2 訪問診療等, 3 オンライン診療等). Nothing else: the bulk
/// asks for qualifications, not for medical information or certificates (RULE-56).
fn check_visiting_bulk(e: &JournalEntry, body: Option<&Element>, out: &mut Vec<FieldDiff>) {
    const RULE: &str = "JOB-03, RULE-56, RULE-65, docs/interface.md §2.7";
    let online = e.message == "OQSmuonq01req";
    let infos: Vec<&Element> = body
        .map(|b| b.children_named("QualificationConfirmSearchInfo").collect())
        .unwrap_or_default();
    let [info] = infos[..] else {
        out.push(diff(
            e,
            "MessageBody/QualificationConfirmSearchInfo",
            "exactly one (the search conditions)",
            &infos.len().to_string(),
            RULE,
        ));
        return;
    };
    let mut ranges = 0;
    for c in &info.children {
        let name = c.name.as_str();
        match name {
            "ConsentDateFrom" | "ConsentDateTo" | "ExaminationDateFrom" | "ExaminationDateTo" => {
                ranges += 1;
                if name.starts_with("Examination") && !online {
                    out.push(diff(
                        e,
                        name,
                        "(absent: 受診年月日 is オンライン診療等 only)",
                        &c.text,
                        RULE,
                    ));
                }
                if !valid_date(c.text.trim()) {
                    out.push(diff(e, name, "YYYYMMDD", &c.text, RULE));
                }
            }
            "MedicalTreatmentFlag" => {
                let want = if online { "3" } else { "2" };
                if c.text.trim() != want {
                    out.push(diff(e, name, want, &c.text, RULE));
                }
            }
            other => out.push(diff(
                e,
                other,
                "(absent: the conditions are the date ranges and MedicalTreatmentFlag only)",
                &c.text,
                RULE,
            )),
        }
    }
    if info.child("MedicalTreatmentFlag").is_none() {
        out.push(diff(
            e,
            "MedicalTreatmentFlag",
            "present",
            "(missing)",
            RULE,
        ));
    }
    if ranges == 0 {
        out.push(diff(
            e,
            "ConsentDateFrom…ExaminationDateTo",
            "at least one date",
            "(none)",
            RULE,
        ));
    }
}

/// A search field of the `row`-th (1-based) search info of a request.
pub fn search_field(e: &JournalEntry, row: usize, field: &str) -> Option<String> {
    let root = tree(e)?;
    let body = root.child("MessageBody")?;
    let info = body
        .children
        .iter()
        .filter(|c| {
            c.name == "QualificationConfirmSearchInfo"
                || c.name == "ReferenceNumberRegistrationInfo"
        })
        .nth(row.checked_sub(1)?)?;
    info.child_text(field).map(str::to_owned)
}

/// A header field of a request.
pub fn header_field(e: &JournalEntry, field: &str) -> Option<String> {
    tree(e)?
        .child("MessageHeader")?
        .child_text(field)
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(message: &str, encoding: &str, request: &str) -> JournalEntry {
        JournalEntry {
            seq: 7,
            received_at: String::new(),
            transport: Transport::HttpXml,
            message: message.into(),
            source: String::new(),
            outcome: "answered".into(),
            error_code: None,
            error_detail: None,
            validity: None,
            encoding: Some(encoding.into()),
            request_bytes: request.len(),
            request: request.into(),
            request_truncated: false,
            method: None,
        }
    }

    fn single(encoding: &str, insurer: &str, branch: &str, symbol: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"{encoding}\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>{insurer}</InsurerNumber><InsuredCardSymbol>{symbol}</InsuredCardSymbol><InsuredIdentificationNumber>016</InsuredIdentificationNumber><InsuredBranchNumber>{branch}</InsuredBranchNumber><Birthdate>19721201</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo></MessageBody></XmlMsg>"
        )
    }

    #[test]
    fn a_well_formed_single_inquiry_has_no_diffs() {
        let e = entry(
            "OQSsiquc01req",
            "UTF-8",
            &single("UTF-8", "  139931", "01", "世ん10"),
        );
        assert_eq!(request_diffs(&e, "1234567890"), Vec::new());
        assert_eq!(
            search_field(&e, 1, "InsurerNumber").as_deref(),
            Some("  139931")
        );
        assert_eq!(
            header_field(&e, "MedicalInstitutionCode").as_deref(),
            Some("1234567890")
        );
    }

    #[test]
    fn zero_padding_no_padding_and_a_one_digit_branch_are_named() {
        for (insurer, branch, field) in [
            ("00139931", "01", "InsurerNumber"),
            ("139931", "01", "InsurerNumber"),
            ("06139000", "1", "InsuredBranchNumber"),
        ] {
            let e = entry(
                "OQSsiquc01req",
                "UTF-8",
                &single("UTF-8", insurer, branch, "a"),
            );
            let d = request_diffs(&e, "1234567890");
            assert_eq!(d.len(), 1, "{insurer}/{branch}: {d:?}");
            assert!(d[0].field.ends_with(field), "{d:?}");
            assert!(d[0].field.starts_with("OQSsiquc01req#7"), "{d:?}");
        }
    }

    #[test]
    fn the_declared_encoding_must_match_the_bytes() {
        // UTF-8 bytes declared Shift_JIS: the journal text is clean UTF-8 with kanji.
        let lying = entry(
            "OQSsiquc01req",
            "Shift_JIS",
            &single("Shift_JIS", "  139931", "01", "世ん10"),
        );
        let d = encoding_diff(&lying).expect("caught");
        assert_eq!(d.actual, "UTF-8");
        // Shift_JIS bytes read as UTF-8 show replacement characters: fine when declared so …
        let sjis = entry(
            "OQSsiquc01req",
            "Shift_JIS",
            &single("Shift_JIS", "  139931", "01", "\u{FFFD}\u{FFFD}10"),
        );
        assert_eq!(encoding_diff(&sjis), None);
        // … wrong when declared UTF-8.
        let bad = entry(
            "OQSsiquc01req",
            "UTF-8",
            &single("UTF-8", "  139931", "01", "\u{FFFD}10"),
        );
        assert!(encoding_diff(&bad).is_some());
        // ASCII fits any declaration.
        let ascii = entry(
            "OQSsiquc01req",
            "Shift_JIS",
            &single("Shift_JIS", "06139000", "01", "9000"),
        );
        assert_eq!(encoding_diff(&ascii), None);
    }

    #[test]
    fn a_rejected_request_or_a_wrong_facility_is_a_diff() {
        let mut e = entry("OQSsiquc01req", "UTF-8", "not xml");
        e.outcome = "rejected".into();
        e.error_code = Some("EQ0001".into());
        assert_eq!(
            request_diffs(&e, "1234567890")[0].field,
            "OQSsiquc01req#7 outcome"
        );
        let other = single("UTF-8", "06139000", "01", "a").replace("1234567890", "123456789");
        let d = request_diffs(&entry("OQSsiquc01req", "UTF-8", &other), "1234567890");
        assert_eq!(d.len(), 1);
        assert!(d[0].field.ends_with("MedicalInstitutionCode"));
        // The clinic's code where the check acted for the pharmacy (DM-01).
        let clinic = single("UTF-8", "06139000", "01", "a");
        let d = request_diffs(&entry("OQSsiquc01req", "UTF-8", &clinic), "1341234567");
        assert_eq!(d.len(), 1);
        assert!(d[0].field.ends_with("MedicalInstitutionCode"));
        assert!(d[0].expected.contains("1341234567"), "{:?}", d[0]);
        assert_eq!(d[0].actual, "1234567890");
    }
}
