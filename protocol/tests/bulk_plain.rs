//! The plain reader of OQSmuquc01req (`BulkInquiryRequest::read_plain`) against the general one
//! (`xml::read_document` + `BulkInquiryRequest::from_element`): whatever the plain reader reads,
//! the general reader reads alike; what it declines (or finds over a limit), the general one
//! decides, with its errors.

use oqs_protocol::bulk::BulkInquiryRequest;
use oqs_protocol::message::{RequestHeader, SearchInfo};
use oqs_protocol::xml::{read_document, write_document, ReadLimits};
use oqs_protocol::TextEncoding;
use proptest::prelude::*;

/// A bulk file's limits (as `JobSettings::read_limits` sets them for 10,000 rows).
fn limits() -> ReadLimits {
    ReadLimits {
        max_bytes: 16 * 1024 * 1024,
        max_depth: 16,
        max_elements: 10_001 * 16 + 64,
    }
}

fn general(bytes: &[u8], limits: ReadLimits) -> Option<BulkInquiryRequest> {
    let doc = read_document(bytes, limits).ok()?;
    assert_eq!(doc.encoding, TextEncoding::Utf8);
    BulkInquiryRequest::from_element(&doc.root).ok()
}

/// The plain reader either declines or agrees with the general reader.
fn agrees(bytes: &[u8], limits: ReadLimits) -> bool {
    match BulkInquiryRequest::read_plain(bytes, limits) {
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

fn row(n: usize) -> SearchInfo {
    SearchInfo {
        insurer_number: Some("  139931".into()),
        insured_card_symbol: Some("９０００".into()),
        insured_identification_number: Some(format!("{}", 10001 + n)),
        insured_branch_number: n.is_multiple_of(2).then(|| "01".into()),
        birthdate: Some("19540326".into()),
        limit_application_certificate_related_cons_flg: Some("0".into()),
        arbitrary_identifier: n.is_multiple_of(3).then(|| format!("行{n}")),
    }
}

fn request(rows: usize) -> BulkInquiryRequest {
    BulkInquiryRequest {
        header: RequestHeader {
            qualification_confirmation_date: Some("20210106".into()),
            medical_institution_code: Some("1234567890".into()),
            arbitrary_file_identifier: Some("新橋 a-b".into()),
            character_code_identifier: Some("0".into()),
        },
        rows: (0..rows).map(row).collect(),
    }
}

/// Files as clients write them: indented or on one line, with or without a prolog.
fn documents() -> Vec<String> {
    let indented =
        String::from_utf8(write_document(&request(3).to_element(), TextEncoding::Utf8)).unwrap();
    let one_line: String = indented.lines().map(str::trim_start).collect();
    let no_prolog = indented
        .split_once('\n')
        .map(|(_, rest)| rest.to_owned())
        .unwrap();
    vec![indented, one_line, no_prolog]
}

#[test]
fn the_usual_files_are_plain_and_read_alike() {
    for doc in documents() {
        assert!(agrees(doc.as_bytes(), limits()), "{doc}");
    }
    let doc = &documents()[0];
    assert_eq!(
        BulkInquiryRequest::read_plain(doc.as_bytes(), limits()),
        Some(request(3))
    );
    // 10,000 rows, the size the bench submits.
    let big = write_document(&request(10_000).to_element(), TextEncoding::Utf8);
    assert_eq!(
        BulkInquiryRequest::read_plain(&big, limits()),
        Some(request(10_000))
    );
    // Rows without fields, as an empty element or holding text: rows all the same.
    let empty = doc.replacen(
        "<QualificationConfirmSearchInfo>",
        "<QualificationConfirmSearchInfo/><QualificationConfirmSearchInfo>x</QualificationConfirmSearchInfo><QualificationConfirmSearchInfo>",
        1,
    );
    assert!(agrees(empty.as_bytes(), limits()));
    let read = BulkInquiryRequest::read_plain(empty.as_bytes(), limits()).unwrap();
    assert_eq!(read.rows.len(), 5);
    assert_eq!(read.rows[0], SearchInfo::default());
}

#[test]
fn what_is_not_plain_or_not_this_shape_is_left_to_the_general_reader() {
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
        doc.replace("</MessageHeader>", "</MessageHeader><MessageHeader/>"),
        doc.replace("<MessageHeader>", "<MessageHeader>x"),
        doc.replace("</XmlMsg>", "</XmlMsg><a/>"),
        doc.replace("</XmlMsg>", "</XmlMsg"),
        doc.replace(
            "<Birthdate>19540326</Birthdate>",
            "<Birthdate><x/></Birthdate>",
        ),
        doc.replace("</Birthdate>", "</BirthDate>"),
        // Shapes the general reader refuses: no row, another element in the body, no body.
        doc.replace("QualificationConfirmSearchInfo", "Other"),
        doc.replacen(
            "<QualificationConfirmSearchInfo>",
            "<Other/><QualificationConfirmSearchInfo>",
            1,
        ),
        doc.replace("MessageBody", "MessageBodies"),
        doc.replace("XmlMsg", "XmlMessage"),
    ];
    for v in variants {
        assert_eq!(
            BulkInquiryRequest::read_plain(v.as_bytes(), limits()),
            None,
            "{v}"
        );
    }
    // Limits below the file: the general reader gives the error (処理上限, size).
    for small in [
        ReadLimits {
            max_bytes: 100,
            ..limits()
        },
        ReadLimits {
            max_elements: 20,
            ..limits()
        },
        ReadLimits {
            max_depth: 3,
            ..limits()
        },
    ] {
        assert_eq!(BulkInquiryRequest::read_plain(doc.as_bytes(), small), None);
        assert!(read_document(doc.as_bytes(), small).is_err());
    }
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
    fn edited_files_are_declined_or_read_alike(
        which in 0usize..3,
        edits in proptest::collection::vec(
            (0usize..=1000, 0usize..4, "[<>/&;\"' \t\r\n:=?!\\[\\]a-zA-Z0-9あ\u{0}\u{1}-]{0,3}"),
            1..4,
        ),
        elements in prop_oneof![Just(10_001 * 16 + 64), 20usize..40],
    ) {
        let docs = documents();
        let mut doc = docs[which].clone().into_bytes();
        for (at, len, with) in &edits {
            let text = String::from_utf8_lossy(&doc).into_owned();
            doc = edit(&text, *at, *len, with);
        }
        let limits = ReadLimits { max_elements: elements, ..limits() };
        agrees(&doc, limits);
    }
}
