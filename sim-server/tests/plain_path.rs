//! The single inquiry's plain path (read without a tree, result written directly) answers the
//! same bytes as the general path (tree read, tree written), for every card of the built-in
//! population and the usual error cases, in both output encodings, from requests in UTF-8 and
//! in Shift_JIS.

mod common;

use oqs_protocol::message::{RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::xml::write_document;
use oqs_protocol::TextEncoding;
use sim_server::journal::Transport;

/// The request as a client writes it (plain) in `encoding`, and the same request the plain
/// reader declines (a comment in it), which takes the general path.
fn both_ways(req: &SingleInquiryRequest, encoding: TextEncoding) -> (Vec<u8>, Vec<u8>) {
    let written = write_document(&req.to_element(), TextEncoding::Utf8);
    // Quotes need no reference in text; clients write them bare (and the plain reader reads them).
    let text = String::from_utf8(written)
        .expect("UTF-8")
        .replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replacen("UTF-8", encoding.label(), 1);
    let general = text.replacen("<XmlMsg>", "<XmlMsg><!-- general -->", 1);
    let bytes = |t: &str| match encoding {
        TextEncoding::Utf8 => t.as_bytes().to_vec(),
        TextEncoding::ShiftJis => {
            let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(t);
            assert!(!unmappable, "{t}");
            bytes.into_owned()
        }
    };
    (bytes(&text), bytes(&general))
}

fn requests(sim: &sim_server::Simulator) -> Vec<SingleInquiryRequest> {
    let pop = sim.population();
    let mut out = Vec::new();
    for id in 0..pop.qualification_count() as u32 {
        let q = pop.qualification(id);
        let person = pop.person(q.person);
        for (consent, character_code, date) in [
            ("0", None, Some("20210106")),
            ("1", Some("1"), None),
            ("1", Some("0"), Some("20300101")),
        ] {
            out.push(SingleInquiryRequest {
                header: RequestHeader {
                    qualification_confirmation_date: date.map(str::to_owned),
                    medical_institution_code: Some("1234567890".into()),
                    arbitrary_file_identifier: Some("PLAIN-1".into()),
                    character_code_identifier: character_code.map(str::to_owned),
                },
                search: SearchInfo {
                    insurer_number: Some(q.insurer.wire()),
                    insured_card_symbol: q.symbol.as_deref().map(str::to_owned),
                    insured_identification_number: Some(q.number.to_string()),
                    insured_branch_number: q.branch.as_deref().map(str::to_owned),
                    birthdate: Some(oqs_protocol::message::format_date(person.birthdate)),
                    limit_application_certificate_related_cons_flg: Some(consent.into()),
                    arbitrary_identifier: Some("受付 'x' \"y\" ①".into()),
                },
            });
        }
    }
    let base = out[0].clone();
    let mut edit = |f: &dyn Fn(&mut SingleInquiryRequest)| {
        let mut r = base.clone();
        f(&mut r);
        out.push(r);
    };
    edit(&|r| r.header.medical_institution_code = Some("12345".into()));
    edit(&|r| r.header.medical_institution_code = None);
    edit(&|r| r.header.qualification_confirmation_date = Some("2021010".into()));
    edit(&|r| r.header.character_code_identifier = Some("2".into()));
    edit(&|r| r.search.insurer_number = Some("1234".into()));
    edit(&|r| r.search.insured_identification_number = None);
    edit(&|r| r.search.insured_branch_number = Some("1".into()));
    edit(&|r| r.search.birthdate = Some("19000101".into()));
    edit(&|r| r.search.limit_application_certificate_related_cons_flg = Some("2".into()));
    edit(&|r| r.search.arbitrary_identifier = Some("x".repeat(51)));
    edit(&|r| r.header.medical_institution_code = Some(" 1234567890 ".into()));
    out
}

#[test]
fn plain_and_general_paths_answer_the_same_bytes() {
    let sim = common::simulator();
    let requests = requests(&sim);
    assert!(requests.len() > 30, "{}", requests.len());
    for (req, encoding) in requests
        .iter()
        .flat_map(|r| [(r, TextEncoding::Utf8), (r, TextEncoding::ShiftJis)])
    {
        let (plain, general) = both_ways(req, encoding);
        let a = sim
            .handle_xml("OQSsiquc01req", &plain, Transport::HttpXml, "plain")
            .expect("answered");
        let b = sim
            .handle_xml("OQSsiquc01req", &general, Transport::HttpXml, "general")
            .expect("answered");
        assert!(a.raw.is_some(), "the plain path was not taken: {req:?}");
        assert!(b.raw.is_none(), "the general path was not taken: {req:?}");
        assert_eq!(a.encoding, b.encoding);
        assert_eq!(
            String::from_utf8_lossy(&a.to_xml()),
            String::from_utf8_lossy(&b.to_xml()),
            "{req:?}"
        );
        assert_eq!(a.to_xml(), b.to_xml());
    }
    // Both were journalled alike: same outcome, codes, validity and encoding.
    let journal = sim.journal.since(0, usize::MAX);
    assert_eq!(journal.len(), 4 * requests.len());
    for pair in journal.chunks(2) {
        let (p, g) = (&pair[0], &pair[1]);
        assert_eq!(
            (
                &p.outcome,
                &p.error_code,
                &p.error_detail,
                &p.validity,
                &p.encoding
            ),
            (
                &g.outcome,
                &g.error_code,
                &g.error_detail,
                &g.validity,
                &g.encoding
            )
        );
    }
}
