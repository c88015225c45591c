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

/// The plain reader of either encoding declines, or agrees with the general reader on the
/// request and on the encoding.
fn agrees_encoded(bytes: &[u8], limits: ReadLimits) -> bool {
    match SingleInquiryRequest::read_plain_encoded(bytes, limits) {
        None => false,
        Some((plain, encoding)) => {
            let doc = read_document(bytes, limits).expect("the general reader reads it too");
            assert_eq!(doc.encoding, encoding);
            assert_eq!(
                SingleInquiryRequest::from_element(&doc.root).ok().as_ref(),
                Some(&plain),
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
            true
        }
    }
}

/// [`documents`] as Shift_JIS bytes with a Shift_JIS prolog (the one without a prolog given one).
fn shift_jis_documents() -> Vec<Vec<u8>> {
    documents()
        .iter()
        .map(|doc| {
            let body = doc
                .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .unwrap_or(doc);
            let text = format!("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>{body}");
            let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
            assert!(!unmappable, "{text}");
            bytes.into_owned()
        })
        .collect()
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
fn shift_jis_requests_are_plain_and_read_alike() {
    for doc in shift_jis_documents() {
        assert!(agrees_encoded(&doc, ReadLimits::default()));
        // The UTF-8 reader alone leaves them to the general reader.
        assert_eq!(
            SingleInquiryRequest::read_plain(&doc, ReadLimits::default()),
            None
        );
    }
    let written = write_document(&request().to_element(), TextEncoding::ShiftJis);
    assert_eq!(
        SingleInquiryRequest::read_plain_encoded(&written, ReadLimits::default()),
        Some((request(), TextEncoding::ShiftJis))
    );
    for doc in documents() {
        assert_eq!(
            SingleInquiryRequest::read_plain_encoded(doc.as_bytes(), ReadLimits::default()),
            Some((request_of(&doc), TextEncoding::Utf8))
        );
    }
}

#[test]
fn shift_jis_that_is_not_plain_is_left_to_the_general_reader() {
    let doc = &shift_jis_documents()[0];
    let replace = |from: &[u8], to: &[u8]| -> Vec<u8> {
        let at = doc
            .windows(from.len())
            .position(|w| w == from)
            .expect("in the document");
        [&doc[..at], to, &doc[at + from.len()..]].concat()
    };
    let variants = [
        // Not Shift_JIS: a lead byte without its trail byte.
        replace(b"10001", b"1\x8200"),
        // A second declaration after the prolog.
        replace(b"?>", b"?><?xml version=\"1.0\"?>"),
        // Another spelling of the encoding, a byte order mark: the general reader reads them.
        replace(b"Shift_JIS", b"SJIS"),
        [b"\xEF\xBB\xBF".as_slice(), doc].concat(),
        replace(b"<XmlMsg>", b"<XmlMsg><!-- c -->"),
    ];
    for v in variants {
        assert_eq!(
            SingleInquiryRequest::read_plain_encoded(&v, ReadLimits::default()),
            None,
            "{}",
            String::from_utf8_lossy(&v)
        );
    }
    let small = ReadLimits {
        max_bytes: doc.len() - 1,
        ..ReadLimits::default()
    };
    assert_eq!(SingleInquiryRequest::read_plain_encoded(doc, small), None);
}

/// The request a UTF-8 document holds, read the general way.
fn request_of(doc: &str) -> SingleInquiryRequest {
    let root = read_document(doc.as_bytes(), ReadLimits::default())
        .expect("readable")
        .root;
    SingleInquiryRequest::from_element(&root).expect("a single inquiry")
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
    // Bytes that are not UTF-8, wherever they are: in a text, in layout, in a name, after the
    // root, in the prolog.
    let bytes = doc.as_bytes();
    for (after, what) in [
        ("<Birthdate>1954", b"\xFF".as_slice()),
        ("<Birthdate>1954", b"\xE3\x81"),
        ("<Birthdate>", b"\xC3"),
        ("</MessageHeader>", b"\n\xA0"),
        ("<Birth", b"\xC3\xA9"),
        ("</XmlMsg>", b"\n\x80"),
        ("<?xml ", b"\xFF"),
    ] {
        let at = doc.find(after).expect("in the document") + after.len();
        let v = [&bytes[..at], what, &bytes[at..]].concat();
        assert_eq!(
            SingleInquiryRequest::read_plain(&v, ReadLimits::default()),
            None,
            "{}",
            String::from_utf8_lossy(&v)
        );
        // The general reader refuses them (its encoding error).
        assert!(read_document(&v, ReadLimits::default()).is_err());
    }
    // The elements in another order than usual (each name is then read byte by byte): read
    // alike.
    let reordered = doc
        .replace("<InsurerNumber>", "<X>")
        .replace("</InsurerNumber>", "</X>")
        .replace("<Birthdate>", "<InsurerNumber>")
        .replace("</Birthdate>", "</InsurerNumber>")
        .replace("<X>", "<Birthdate>")
        .replace("</X>", "</Birthdate>");
    assert!(agrees(reordered.as_bytes(), ReadLimits::default()));
    let read = SingleInquiryRequest::read_plain(reordered.as_bytes(), ReadLimits::default());
    let search = read.expect("read").search;
    assert_eq!(search.insurer_number.as_deref(), Some("19540326"));
    assert_eq!(search.birthdate.as_deref(), Some("  139931"));
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
        agrees_encoded(&doc, ReadLimits::default());
    }

    #[test]
    fn edited_shift_jis_requests_are_declined_or_read_alike(
        which in 0usize..4,
        edits in proptest::collection::vec(
            (0usize..=1000, 0usize..4, proptest::collection::vec(
                proptest::sample::select(vec![
                    b'<', b'>', b'/', b'&', b'?', b' ', b'\n', b'a', b'0', 0x82, 0xA0, 0x81, 0x40, 0xFF,
                    0x5C, 0x7E,
                ]),
                0..3,
            )),
            1..4,
        ),
    ) {
        let mut doc = shift_jis_documents()[which].clone();
        for (at, len, with) in &edits {
            let at = at * doc.len() / 1000;
            let end = (at + len).min(doc.len());
            doc = [&doc[..at], with.as_slice(), &doc[end..]].concat();
        }
        agrees_encoded(&doc, ReadLimits::default());
    }

    #[test]
    fn requests_with_bytes_that_are_not_utf8_are_declined_or_read_alike(
        which in 0usize..4,
        edits in proptest::collection::vec(
            (0usize..=1000, 0usize..3, proptest::collection::vec(
                proptest::sample::select(vec![
                    0x80, 0xC3, 0xA9, 0xE3, 0x81, 0x82, 0xF0, 0xFF, b'<', b'>', b'/', b' ', b'a',
                ]),
                0..3,
            )),
            1..4,
        ),
    ) {
        let mut doc = documents()[which].clone().into_bytes();
        for (at, len, with) in &edits {
            let at = at * doc.len() / 1000;
            let end = (at + len).min(doc.len());
            doc = [&doc[..at], with.as_slice(), &doc[end..]].concat();
        }
        agrees(&doc, ReadLimits::default());
        agrees_encoded(&doc, ReadLimits::default());
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
