//! The public samples in `evidence/` against the simulator: each sample is read by the
//! protocol crate, and the simulator's answer for the sample's person is the sample itself
//! (WebAPI JSON) or has its element paths, list shapes and value formats (XML). See
//! evidence/README.md for the sources and docs/interface.md for the decisions.

#[path = "../../evidence/shape.rs"]
mod shape;

use chrono::DateTime;
use oqs_domain::inquiry::answer_single_inquiry;
use oqs_domain::Population;
use oqs_protocol::message::{RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::{json, xml, Element, ErrorTable, TextEncoding};
use serde_json::Value;

fn evidence(path: &str) -> Vec<u8> {
    let full = format!("{}/../evidence/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn population(path: &str) -> Population {
    let text = String::from_utf8(evidence(path)).expect("UTF-8 fixture");
    let mut pop = Population::new();
    oqs_domain::fixtures::load_into(&mut pop, path, &text).expect("the sample's person loads");
    pop
}

/// `YYYYMMDDHHmmss` (JST) → a time.
fn jst(stamp: &str) -> DateTime<chrono::FixedOffset> {
    let s = format!(
        "{}-{}-{}T{}:{}:{}+09:00",
        &stamp[0..4],
        &stamp[4..6],
        &stamp[6..8],
        &stamp[8..10],
        &stamp[10..12],
        &stamp[12..14]
    );
    DateTime::parse_from_rfc3339(&s).expect("a timestamp")
}

/// The request a sample answers: its header's date and facility, its echoed search.
fn request_of(sample: &Element) -> SingleInquiryRequest {
    let header = sample.child("MessageHeader").expect("MessageHeader");
    let echo = sample
        .child("MessageBody")
        .and_then(|b| b.child("QualificationConfirmSearchInfo"))
        .expect("the echoed search");
    let t = |e: &Element, n: &str| e.child_text(n).map(str::to_owned);
    SingleInquiryRequest {
        header: RequestHeader {
            qualification_confirmation_date: t(header, "QualificationConfirmationDate"),
            medical_institution_code: t(header, "MedicalInstitutionCode"),
            arbitrary_file_identifier: t(header, "ArbitraryFileIdentifier"),
            character_code_identifier: None,
        },
        search: SearchInfo {
            insurer_number: t(echo, "InsurerNumber"),
            insured_card_symbol: t(echo, "InsuredCardSymbol"),
            insured_identification_number: t(echo, "InsuredIdentificationNumber"),
            insured_branch_number: t(echo, "InsuredBranchNumber"),
            birthdate: t(echo, "Birthdate"),
            limit_application_certificate_related_cons_flg: t(
                echo,
                "LimitApplicationCertificateRelatedConsFlg",
            ),
            arbitrary_identifier: t(echo, "ArbitraryIdentifier"),
        },
    }
}

fn webapi_sample() -> (Value, Element) {
    let v: Value = serde_json::from_slice(&evidence("webapi-single-valid/sample.json"))
        .expect("the sample is JSON");
    let tree = json::from_json(&v).expect("the protocol crate reads the sample");
    (v, tree)
}

/// The simulator's answer to the WebAPI sample's request, for the sample's person, at the
/// sample's ProcessExecutionTime.
fn answer_to_webapi_sample() -> Element {
    let (_, tree) = webapi_sample();
    let pop = population("webapi-single-valid/person.toml");
    let now = tree
        .child("MessageHeader")
        .and_then(|h| h.child_text("ProcessExecutionTime"))
        .map(jst)
        .expect("ProcessExecutionTime");
    let a = answer_single_inquiry(
        &pop,
        request_of(&tree),
        TextEncoding::Utf8,
        now,
        &ErrorTable::builtin(),
    );
    assert!(a.error.is_none(), "{:?}", a.error);
    a.response.to_element()
}

#[test]
fn the_webapi_sample_is_answered_exactly() {
    let (sample, _) = webapi_sample();
    let ours = json::to_json(&answer_to_webapi_sample());
    // Same keys and values (JSON objects compare without regard to key order).
    assert_eq!(
        ours,
        sample,
        "\nsimulator:\n{}\nsample:\n{}",
        serde_json::to_string_pretty(&ours).unwrap_or_default(),
        serde_json::to_string_pretty(&sample).unwrap_or_default()
    );
    // And the same shape, said explicitly: the list keeps its element, names and readings
    // take the sample's forms.
    let s = shape::json_shape(&ours);
    assert_eq!(
        s["/XmlMsg/MessageBody/ResultList[]"],
        "{ResultOfQualificationConfirmation}"
    );
    assert_eq!(
        s["/XmlMsg/MessageBody/ResultList[]/ResultOfQualificationConfirmation/Name"],
        "字　字"
    );
    assert_eq!(
        s["/XmlMsg/MessageBody/ResultList[]/ResultOfQualificationConfirmation/NameKana"],
        "ｶ ｶ"
    );
}

/// Paths the face-reader sample (My Number path) has and the single inquiry by insurance card
/// does not, or the other way round, with the reason.
const CARD_PATH_VS_FACE: &[(&str, &str)] = &[
    // The viewing consents are given at the card reader only (FLOW-12, RULE-13).
    ("ConsFlg", "viewing consents: My Number path only"),
    ("ConsTime", "viewing consents: My Number path only"),
    ("AvailableTime", "viewing consents: My Number path only"),
    (
        "QualificationConfirmSearchInfo/InsurerNumber",
        "the echo of the card typed in",
    ),
    (
        "QualificationConfirmSearchInfo/InsuredCardSymbol",
        "the echo",
    ),
    (
        "QualificationConfirmSearchInfo/InsuredIdentificationNumber",
        "the echo",
    ),
    ("QualificationConfirmSearchInfo/Birthdate", "the echo"),
    (
        "QualificationConfirmSearchInfo/LimitApplicationCertificateRelatedConsFlg",
        "the echo",
    ),
    // The two people differ: only the WebAPI sample's person has a 限度額 certificate.
    (
        "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateClassification",
        "person",
    ),
    (
        "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateClassificationFlag",
        "person",
    ),
    (
        "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateDate",
        "person",
    ),
    (
        "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateValidStartDate",
        "person",
    ),
    // The face file's reader id; the card path echoes the request's (none here).
    (
        "MessageHeader/ArbitraryFileIdentifier",
        "set by the face reader",
    ),
    // 6-digit 国保 number in the face sample, 8 digits in the WebAPI one.
    ("ResultOfQualificationConfirmation/InsurerNumber", "person"),
];

#[test]
fn the_xml_answer_has_the_face_reader_samples_shape() {
    let bytes = evidence("face-reader-valid/sample.xml");
    let face = xml::read_document(&bytes, xml::ReadLimits::default())
        .expect("the protocol crate reads the face-reader sample");
    assert_eq!(face.encoding, TextEncoding::Utf8);
    let ours = answer_to_webapi_sample();
    // Through the XML writer and reader, as a client receives it.
    let written = xml::write_document(&ours, TextEncoding::Utf8);
    let ours = xml::read_document(&written, xml::ReadLimits::default())
        .expect("our XML reads back")
        .root;
    let d = shape::differences(
        &shape::xml_shape(&face.root),
        &shape::xml_shape(&ours),
        CARD_PATH_VS_FACE,
    );
    assert!(d.is_empty(), "{}", d.join("\n"));
}

#[test]
fn the_samples_say_what_the_docs_say() {
    // The facts docs/interface.md rests on, read from the samples themselves.
    let (_, tree) = webapi_sample();
    let face = xml::read_document(
        &evidence("face-reader-valid/sample.xml"),
        xml::ReadLimits::default(),
    )
    .expect("reads")
    .root;
    for root in [&tree, &face] {
        let r = root
            .child("MessageBody")
            .and_then(|b| b.child("ResultList"))
            .and_then(|l| l.child("ResultOfQualificationConfirmation"))
            .expect("one result");
        assert_eq!(r.child_text("PersonalFamilyClassification"), Some("1"));
        assert_eq!(r.child_text("Name"), Some("診療\u{3000}太郎"));
        assert_eq!(r.child_text("NameKana"), Some("ｼﾝﾘｮｳ ﾀﾛｳ"));
        assert!(r.child("InsuredName").is_none(), "本人: no InsuredName");
        assert!(r.child("QualificationDate").is_none());
        assert_eq!(
            r.child_text("InsuredCertificateIssuanceDate"),
            r.child_text("InsuredCardValidDate")
        );
    }
    let r = face
        .child("MessageBody")
        .and_then(|b| b.child("ResultList"))
        .and_then(|l| l.child("ResultOfQualificationConfirmation"))
        .expect("one result");
    // Consent time + 24 h.
    assert_eq!(
        r.child_text("PharmacistsInfoConsTime"),
        Some("20230221174835")
    );
    assert_eq!(
        r.child_text("PharmacistsInfoAvailableTime"),
        Some("20230222174835")
    );
    assert_eq!(r.child_text("InsurerNumber"), Some("  123456"));
}

/// Every answer of the built-in population that lists a person (有効, 無効, 複数該当, 家族,
/// 後期高齢, 国保 …) has the WebAPI sample's list shape, its value formats wherever both have
/// an element, and the elements the sample has for every person.
#[test]
fn every_answer_listing_a_person_has_the_samples_shape() {
    let (sample, _) = webapi_sample();
    let item_prefix = "/XmlMsg/MessageBody/ResultList[]/ResultOfQualificationConfirmation/";
    let sample_shape = shape::json_shape(&sample);
    // Elements of the sample that depend on the person or the consent, not on the message.
    let optional = [
        "InsuredCardSymbol",
        "InsuredBranchNumber",
        "Address",
        "PostNumber",
        "LimitApplicationCertificateRelatedConsTime",
        "LimitApplicationCertificateRelatedInfo/",
    ];
    let required: Vec<&str> = sample_shape
        .keys()
        .filter_map(|p| p.strip_prefix(item_prefix))
        .filter(|p| !optional.iter().any(|o| p.starts_with(o)))
        .collect();
    assert!(required.contains(&"Name") && required.contains(&"InsuredCertificateIssuanceDate"));
    let pop = oqs_domain::builtin_population();
    let mut listed = 0;
    let mut problems = Vec::new();
    let count = u32::try_from(pop.qualification_count()).expect("a small population");
    for q in 0..count {
        let qual = pop.qualification(q);
        // The samples are 医療保険 answers; no public 医療扶助 answer exists to compare with
        // (its shape is the layout's transcription, docs/interface.md 医療扶助).
        if qual.is_medical_assistance() {
            continue;
        }
        let person = pop.person(qual.person);
        for (date, with_branch) in [("20210106", true), ("20220722", true), ("20210106", false)] {
            let req = SingleInquiryRequest {
                header: RequestHeader {
                    qualification_confirmation_date: Some(date.into()),
                    medical_institution_code: Some("1234567890".into()),
                    arbitrary_file_identifier: None,
                    character_code_identifier: None,
                },
                search: SearchInfo {
                    insurer_number: Some(qual.insurer.wire()),
                    insured_card_symbol: qual.symbol.as_deref().map(str::to_owned),
                    insured_identification_number: Some(qual.number.to_string()),
                    insured_branch_number: qual
                        .branch
                        .as_deref()
                        .filter(|_| with_branch)
                        .map(str::to_owned),
                    birthdate: Some(oqs_protocol::message::format_date(person.birthdate)),
                    limit_application_certificate_related_cons_flg: Some("1".into()),
                    arbitrary_identifier: None,
                },
            };
            let a = answer_single_inquiry(
                &pop,
                &req,
                TextEncoding::Utf8,
                jst(&format!("{date}100000")),
                &ErrorTable::builtin(),
            );
            let j = json::to_json(&a.response.to_element());
            let s = shape::json_shape(&j);
            let Some(list) = s.get("/XmlMsg/MessageBody/ResultList[]") else {
                continue;
            };
            listed += 1;
            let who = format!("{} {date} branch {with_branch}", person.key);
            if list != "{ResultOfQualificationConfirmation}" {
                problems.push(format!("{who}: list items {list}"));
            }
            for (path, format) in &s {
                if let Some(f) = sample_shape.get(path) {
                    if f != format && !path.ends_with("InsurerNumber") {
                        problems.push(format!("{who}: {path} {format:?}, sample {f:?}"));
                    }
                }
            }
            for r in &required {
                if !s.contains_key(&format!("{item_prefix}{r}")) {
                    problems.push(format!("{who}: no {r}"));
                }
            }
        }
    }
    assert!(listed >= 20, "only {listed} answers listed a person");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
