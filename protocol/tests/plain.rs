//! The plain reader of OQSsiquc01req (`SingleInquiryRequest::read_plain`) against the general
//! one (`xml::read_document` + `SingleInquiryRequest::from_element`): whatever the plain reader
//! reads, the general reader reads alike; what it declines, the general one decides.

use oqs_protocol::message::{RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::xml::{read_document, write_document, ReadLimits};
use oqs_protocol::TextEncoding;
use proptest::prelude::*;

fn general(bytes: &[u8], limits: ReadLimits) -> Option<SingleInquiryRequest> {
    let doc = read_document(bytes, limits).ok()?;
    assert_eq!(doc.encoding, TextEncoding::Utf8);
    SingleInquiryRequest::from_element(&doc.root).ok()
}

/// The plain reader either declines or agrees with the general reader.
fn agrees(bytes: &[u8], limits: ReadLimits) -> bool {
    match SingleInquiryRequest::read_plain(bytes, limits) {
        None => false,
        Some(plain) => {
            assert_eq!(
                general(bytes, limits).as_ref(),
                Some(&plain),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
            true
        }
    }
}

fn request() -> SingleInquiryRequest {
    SingleInquiryRequest {
        header: RequestHeader {
            qualification_confirmation_date: Some("20210106".into()),
            medical_institution_code: Some("1234567890".into()),
            arbitrary_file_identifier: Some("新橋 a-b".into()),
            character_code_identifier: None,
        },
        search: SearchInfo {
            insurer_number: Some("  139931".into()),
            insured_card_symbol: Some("９０００".into()),
            insured_identification_number: Some("10001".into()),
            insured_branch_number: Some("01".into()),
            birthdate: Some("19540326".into()),
            limit_application_certificate_related_cons_flg: Some("0".into()),
            arbitrary_identifier: None,
        },
    }
}

/// Requests as clients write them: indented or on one line, with or without a prolog.
fn documents() -> Vec<String> {
    let indented =
        String::from_utf8(write_document(&request().to_element(), TextEncoding::Utf8)).unwrap();
    let one_line: String = indented.lines().map(str::trim_start).collect();
    let no_prolog = indented
        .split_once('\n')
        .map(|(_, rest)| rest.to_owned())
        .unwrap();
    let load = include_str!("../../benches/load/OQSsiquc01req.xml").to_owned();
    vec![indented, one_line, no_prolog, load]
}

#[test]
fn the_usual_requests_are_plain_and_read_alike() {
    for doc in documents() {
        assert!(agrees(doc.as_bytes(), ReadLimits::default()), "{doc}");
    }
    let doc = &documents()[0];
    let plain = SingleInquiryRequest::read_plain(doc.as_bytes(), ReadLimits::default());
    assert_eq!(plain, Some(request()));
}

#[test]
fn what_is_not_plain_is_left_to_the_general_reader() {
    let doc = &documents()[0];
    let variants = [
        doc.replace("UTF-8", "Shift_JIS"),
        doc.replace("\n", "\r\n"),
        format!("\u{feff}{doc}"),
        doc.replace("<XmlMsg>", "<XmlMsg a=\"1\">"),
        doc.replace("XmlMsg", "ns:XmlMsg"),
        doc.replace("10001", "1&amp;1"),
        doc.replace("10001", "<![CDATA[10001]]>"),
        doc.replace("<MessageBody>", "<!-- c --><MessageBody>"),
        doc.replace("</MessageBody>", "</MessageBody><MessageBody/>"),
        doc.replace(
            "</QualificationConfirmSearchInfo>",
            "</QualificationConfirmSearchInfo><QualificationConfirmSearchInfo/>",
        ),
        doc.replace("<MessageHeader>", "<MessageHeader>x"),
        doc.replace("</XmlMsg>", "</XmlMsg><a/>"),
        doc.replace("</XmlMsg>", "</XmlMsg"),
        doc.replace(
            "<Birthdate>19540326</Birthdate>",
            "<Birthdate><x/></Birthdate>",
        ),
        doc.replace("</Birthdate>", "</BirthDate>"),
    ];
    for v in variants {
        assert_eq!(
            SingleInquiryRequest::read_plain(v.as_bytes(), ReadLimits::default()),
            None,
            "{v}"
        );
    }
    // Limits below what a plain request needs: the general reader gives the error.
    let small = ReadLimits {
        max_bytes: 100,
        ..ReadLimits::default()
    };
    assert_eq!(
        SingleInquiryRequest::read_plain(doc.as_bytes(), small),
        None
    );
}

/// An edit of a document: at a position (per mille of its length), delete up to `len` bytes
/// and insert `with`.
fn edit(doc: &str, at: usize, len: usize, with: &str) -> Vec<u8> {
    let bytes = doc.as_bytes();
    let at = at * bytes.len() / 1000;
    let end = (at + len).min(bytes.len());
    let mut out = bytes[..at].to_vec();
    out.extend_from_slice(with.as_bytes());
    out.extend_from_slice(&bytes[end..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn edited_requests_are_declined_or_read_alike(
        which in 0usize..4,
        edits in proptest::collection::vec(
            (0usize..=1000, 0usize..4, "[<>/&;\"' \t\r\n:=?!\\[\\]a-zA-Z0-9あ\u{0}\u{1}-]{0,3}"),
            1..4,
        ),
    ) {
        let docs = documents();
        let mut doc = docs[which].clone().into_bytes();
        for (at, len, with) in &edits {
            let text = String::from_utf8_lossy(&doc).into_owned();
            doc = edit(&text, *at, *len, with);
        }
        agrees(&doc, ReadLimits::default());
    }

    #[test]
    fn element_names_and_texts_are_read_alike(
        name in "[A-Za-z_][A-Za-z0-9_.-]{0,6}",
        text in "[^<&]{0,12}",
        field in 0usize..11,
    ) {
        let fields = [
            "QualificationConfirmationDate", "MedicalInstitutionCode", "ArbitraryFileIdentifier",
            "CharacterCodeIdentifier", "InsurerNumber", "InsuredCardSymbol",
            "InsuredIdentificationNumber", "InsuredBranchNumber", "Birthdate",
            "LimitApplicationCertificateRelatedConsFlg", "ArbitraryIdentifier",
        ];
        let doc = &documents()[1];
        let f = fields[field];
        let replaced = regex_free_replace(doc, f, &name, &text);
        agrees(replaced.as_bytes(), ReadLimits::default());
    }
}

/// Replaces the element `field` (and its text) by `<name>text</name>`.
fn regex_free_replace(doc: &str, field: &str, name: &str, text: &str) -> String {
    let open = format!("<{field}>");
    let close = format!("</{field}>");
    match (doc.find(&open), doc.find(&close)) {
        (Some(a), Some(b)) => format!(
            "{}<{name}>{text}</{name}>{}",
            &doc[..a],
            &doc[b + close.len()..]
        ),
        _ => format!("{doc}<{name}>{text}</{name}>"),
    }
}
