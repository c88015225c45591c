//! Seed inputs (real messages built from the built-in population, the built-in fixture and
//! error table, the terminal's APDU sequences, history rows, exchange names), the token
//! dictionaries, and [`Generator`]: how the driver turns seeds into the next input.

use oqs_domain::BUILTIN_FIXTURE;
use oqs_protocol::bulk::{BulkInquiryRequest, FetchRequest};
use oqs_protocol::errors::DEFAULT_TABLE_TOML;
use oqs_protocol::message::{format_date, RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::registration::{
    BulkRegistrationRequest, RegistrationInfo, SingleRegistrationRequest,
};
use oqs_protocol::xml::{read_document, write_document, ReadLimits};
use oqs_protocol::{json, Element, TextEncoding};
use rand::seq::SliceRandom;
use rand::Rng as _;

use crate::mutate::{self, Rng};
use crate::targets::simulator;
use crate::targets::{self, Target, OP_APDU, OP_POWER_OFF, OP_POWER_ON};

fn header(date: Option<&str>) -> RequestHeader {
    RequestHeader {
        qualification_confirmation_date: date.map(str::to_owned),
        medical_institution_code: Some("1234567890".into()),
        arbitrary_file_identifier: Some("FUZZ0001".into()),
        character_code_identifier: None,
    }
}

/// One search per qualification of the built-in population (every card the manual shows).
pub fn searches() -> Vec<SearchInfo> {
    let pop = targets::population();
    (0..pop.qualification_count())
        .filter_map(|id| u32::try_from(id).ok())
        .map(|id| {
            let q = pop.qualification(id);
            let p = pop.person(q.person);
            SearchInfo {
                insurer_number: Some(q.insurer.wire()),
                insured_card_symbol: q.symbol.as_deref().map(str::to_owned),
                insured_identification_number: Some(q.number.to_string()),
                insured_branch_number: q.branch.as_deref().map(str::to_owned),
                birthdate: Some(format_date(p.birthdate)),
                limit_application_certificate_related_cons_flg: Some(
                    if id % 2 == 0 { "1" } else { "0" }.into(),
                ),
                arbitrary_identifier: Some(format!("ROW{id:04}")),
            }
        })
        .collect()
}

/// The request trees the XML-shaped targets start from.
pub fn request_trees() -> Vec<Element> {
    let searches = searches();
    let mut trees: Vec<Element> = searches
        .iter()
        .enumerate()
        .map(|(i, s)| {
            SingleInquiryRequest {
                header: header((i % 3 != 0).then_some("20210106")),
                search: s.clone(),
            }
            .to_element()
        })
        .collect();
    for rows in searches.chunks(4) {
        trees.push(
            BulkInquiryRequest {
                header: header(Some("20210106")),
                rows: rows.to_vec(),
            }
            .to_element(),
        );
    }
    trees.push(
        FetchRequest {
            header: header(None),
            reception_number: Some("20210106100000000_0001".into()),
        }
        .to_element(),
    );
    let registrations: Vec<RegistrationInfo> = searches
        .iter()
        .enumerate()
        .map(|(i, s)| RegistrationInfo {
            reference_number: Some(if i % 4 == 0 {
                String::new()
            } else {
                format!("照会{i:05}")
            }),
            insurer_number: s.insurer_number.clone(),
            insured_card_symbol: s.insured_card_symbol.clone(),
            insured_identification_number: s.insured_identification_number.clone(),
            insured_branch_number: s.insured_branch_number.clone(),
        })
        .collect();
    for info in registrations.iter().take(6) {
        trees.push(
            SingleRegistrationRequest {
                header: header(None),
                info: info.clone(),
            }
            .to_element(),
        );
    }
    for rows in registrations.chunks(5) {
        trees.push(
            BulkRegistrationRequest {
                header: header(None),
                rows: rows.to_vec(),
            }
            .to_element(),
        );
    }
    trees
}

/// Hand-written documents on the edges of the XML syntax.
const RAW_XML: &[&str] = &[
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader/><MessageBody/></XmlMsg>",
    "\u{FEFF}<?xml version='1.0' encoding='utf8'?><XmlMsg><!-- c --><?pi x?><MessageBody><![CDATA[<x>&]]></MessageBody></XmlMsg>",
    "<XmlMsg><a>&amp;&lt;&gt;&quot;&apos;&#x41;&#66;&#x1F44D;</a></XmlMsg>",
    "<ns:XmlMsg xmlns:ns=\"urn:x\"><ns:MessageHeader a=\"1\" a=\"2\"/></ns:XmlMsg>",
    "<!DOCTYPE XmlMsg [<!ENTITY e \"x\">]><XmlMsg>&e;</XmlMsg>",
    "<?xml version=\"1.0\" encoding=\"EUC-JP\"?><XmlMsg/>",
    "<?xml version=\"1.0\" encoding=\"windows-31j\"?><XmlMsg>text</XmlMsg>",
    "<?xml encoding=\"Shift_JIS\"",
    "<XmlMsg>text<b/>tail</XmlMsg>",
];

/// XML tokens worth inserting whole.
const XML_DICT: &[&str] = &[
    "<XmlMsg>",
    "</XmlMsg>",
    "<MessageHeader>",
    "</MessageHeader>",
    "<MessageBody>",
    "</MessageBody>",
    "<QualificationConfirmSearchInfo>",
    "</QualificationConfirmSearchInfo>",
    "<InsurerNumber>",
    "</InsurerNumber>",
    "<a/>",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    "encoding=\"",
    "<!DOCTYPE x>",
    "<!ENTITY",
    "&amp;",
    "&#",
    "&#x",
    ";",
    "&lt;",
    "&unknown;",
    "xmlns:a=\"b\"",
    "\u{FEFF}",
    "\u{3000}",
];

/// JSON tokens worth inserting whole.
const JSON_DICT: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "null",
    "true",
    "false",
    "0",
    "-0",
    "1e999",
    "\\u0000",
    "\\ud800",
    "\"XmlMsg\"",
    "\"ResultList\"",
    "\"MessageBody\"",
    "[[[[[[[[[[",
    "{\"a\":{\"a\":{\"a\":{\"a\":",
];

/// TOML tokens worth inserting whole.
const TOML_DICT: &[&str] = &[
    "[[person]]\n",
    "[[person.qualification]]\n",
    "[[reference_number]]\n",
    "[[insurer]]\n",
    "= ",
    "\"",
    "'''",
    "\"\"\"",
    "\n",
    "#",
    "{ a = 1 }",
    "1980-01-02",
    "令和",
    "平成",
    "昭和",
    "年",
    "月",
    "日",
    "\\u0000",
    "\\",
];

/// The terminal's APDU sequences (read the token and certificate, verify, sign) for one card.
fn apdu_seeds() -> Vec<Vec<u8>> {
    let aid = virtual_card::applet::JPKI_AID;
    let select_aid: Vec<u8> = [&[0x00, 0xA4, 0x04, 0x0C, aid.len() as u8][..], &aid].concat();
    let select = |ef: u16| {
        let [hi, lo] = ef.to_be_bytes();
        vec![0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]
    };
    let read = |offset: u16, le: u8| {
        let [hi, lo] = offset.to_be_bytes();
        vec![0x00, 0xB0, hi, lo, le]
    };
    let verify = |pin: &[u8]| {
        let mut v = vec![0x00, 0x20, 0x00, 0x80];
        if !pin.is_empty() {
            v.push(pin.len() as u8);
            v.extend_from_slice(pin);
        }
        v
    };
    // SHA-256 DigestInfo of 32 zero bytes, as the terminal sends it.
    let mut digest_info = vec![
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    digest_info.extend_from_slice(&[0u8; 32]);
    let sign: Vec<u8> = [
        &[0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8][..],
        &digest_info,
        &[0],
    ]
    .concat();
    let change = [0x00, 0x24, 0x01, 0x80, 0x04, b'9', b'8', b'7', b'6'].to_vec();
    let pin = targets::cards()
        .first()
        .map(|(_, issued)| issued.pin.clone().into_bytes())
        .unwrap_or_default();
    let encode = |card: u8, ops: &[Option<Vec<u8>>]| -> Vec<u8> {
        let mut out = vec![card];
        for op in ops {
            match op {
                None => out.push(OP_POWER_ON),
                Some(apdu) => {
                    out.push(OP_APDU);
                    out.push(apdu.len() as u8);
                    out.extend_from_slice(apdu);
                }
            }
        }
        out
    };
    let full = vec![
        Some(select_aid.clone()),
        Some(select(0x0006)),
        Some(read(0, 0x20)),
        Some(select(0x000A)),
        Some(read(0, 0)),
        Some(read(0x0100, 0)),
        Some(read(0x0400, 0)),
        Some(select(0x0018)),
        Some(verify(&[])),
        Some(verify(&pin)),
        Some(select(0x0017)),
        Some(sign.clone()),
    ];
    let wrong_pins = vec![
        Some(select_aid.clone()),
        Some(select(0x0018)),
        Some(verify(b"0000")),
        Some(verify(b"0001")),
        Some(verify(b"0002")),
        Some(verify(&pin)),
        Some(verify(&[])),
        Some(select(0x001B)),
        Some(verify(b"ABCDEF")),
        Some(verify(&[])),
    ];
    let change_pin = vec![
        Some(select_aid.clone()),
        Some(select(0x0018)),
        Some(verify(&pin)),
        Some(change),
        None,
        Some(select_aid.clone()),
        Some(select(0x0018)),
        Some(verify(b"9876")),
        Some(select(0x0017)),
        Some(sign),
        Some(select(0x000B)),
        Some(read(0, 0)),
        Some(read(0xFFFF, 1)),
    ];
    let mut seeds = Vec::new();
    for card in 0..targets::CARD_PROFILES.len() as u8 {
        seeds.push(encode(card, &full));
        seeds.push(encode(card, &wrong_pins));
        seeds.push(encode(card, &change_pin));
    }
    let mut with_power_off = encode(0, &full);
    with_power_off.insert(with_power_off.len() - sign_len(), OP_POWER_OFF);
    seeds.push(with_power_off);
    seeds
}

/// Bytes of the encoded SIGN operation at the end of the `full` sequence (op, length, APDU).
fn sign_len() -> usize {
    2 + 5 + 51 + 1
}

/// History rows in the CSV harness's layout.
fn csv_seeds() -> Vec<Vec<u8>> {
    let rows: &[[&str; 8]] = &[
        [
            "user01",
            "",
            "有効",
            "06139000",
            "9000 10001 01",
            "新橋 太郎",
            "男",
            "1954/03/26",
        ],
        [
            "u\"2\"",
            "照会,001",
            "無効",
            "139931",
            "記号 番号",
            "髙橋 𠮷男 ①",
            "未設定",
            "1980/01/02",
        ],
        ["", "", "", "", "", "", "", ""],
        [
            "a\r\nb",
            "\"\"",
            "該当資格なし",
            "12000001",
            "",
            "ｼﾝﾊﾞｼ ¥～−",
            "女",
            "",
        ],
    ];
    let mut seeds = Vec::new();
    for n in 1..=rows.len() {
        let mut out = vec![1u8];
        for (i, row) in rows.iter().take(n).enumerate() {
            for f in row {
                out.push(f.len() as u8);
                out.extend_from_slice(f.as_bytes());
            }
            out.push(i as u8);
            out.extend_from_slice(&(1_609_894_800u64 + i as u64 * 86_400).to_le_bytes()[..6]);
        }
        seeds.push(out);
    }
    seeds
}

const NAMES: &[&str] = &[
    "OQSsiquc01req_20210106100000_001.xml",
    "OQSmuquc01req_20210106100000_001.xml",
    "OQSmuquc02req_x.xml",
    "OQSsiimm01req_x.xml",
    "OQSmuimm01req_x.xml",
    "OQSmuimm02req_x.xml",
    "OQSsiquc01res_x.xml",
    "OQSsiquc01req.xml",
    "OQSsiquc01req_.xml",
    ".OQSsiquc01res_v.xml.tmp",
    "OQSsiquc01req_../../etc/passwd.xml",
    "req_x.xml",
    "OQSsiquc01req_照会.xml",
    "OQSsiquc01req_x.XML",
];

fn xml_docs(trees: &[Element]) -> Vec<Vec<u8>> {
    let mut docs = Vec::new();
    for t in trees {
        docs.push(write_document(t, TextEncoding::Utf8));
        docs.push(write_document(t, TextEncoding::ShiftJis));
    }
    docs
}

/// The seeds of a target.
pub fn seeds(target: Target) -> Vec<Vec<u8>> {
    match target {
        Target::Xml => {
            let mut s = xml_docs(&request_trees());
            s.extend(RAW_XML.iter().map(|x| x.as_bytes().to_vec()));
            s
        }
        Target::Inquiry | Target::Bulk | Target::Registration => xml_docs(&request_trees()),
        Target::Json => request_trees()
            .iter()
            .filter_map(|t| serde_json::to_vec(&json::to_json(t)).ok())
            .collect(),
        Target::Fixtures => {
            let mut s = vec![BUILTIN_FIXTURE.as_bytes().to_vec()];
            // Each top-level block on its own.
            let mut block = String::new();
            for line in BUILTIN_FIXTURE.lines() {
                if line.starts_with("[[") && !line.starts_with("[[person.") && !block.is_empty() {
                    s.push(std::mem::take(&mut block).into_bytes());
                }
                block.push_str(line);
                block.push('\n');
            }
            s.push(block.into_bytes());
            s
        }
        Target::ErrorTable => {
            let mut s = vec![DEFAULT_TABLE_TOML.as_bytes().to_vec()];
            s.push(b"[birthdate]\nmessage = \"x\"\n".to_vec());
            s.push(b"[nope]\ncode = \"E\"\n".to_vec());
            s
        }
        Target::Apdu => apdu_seeds(),
        Target::Csv => csv_seeds(),
        Target::Names => NAMES.iter().map(|n| n.as_bytes().to_vec()).collect(),
        Target::Simulator => {
            let ids = simulator::request_ids();
            let mut s = Vec::new();
            for tree in request_trees() {
                for id in simulator::ids_for(&tree) {
                    let pick = ids.iter().position(|&m| m == id).unwrap_or(0) as u8;
                    for (transport, body) in [
                        (0u8, write_document(&tree, TextEncoding::Utf8)),
                        (0, write_document(&tree, TextEncoding::ShiftJis)),
                        (
                            1,
                            serde_json::to_vec(&json::to_json(&tree)).unwrap_or_default(),
                        ),
                    ] {
                        s.push([&[transport, pick][..], &body].concat());
                    }
                }
            }
            s
        }
    }
}

fn dictionary(target: Target) -> Vec<Vec<u8>> {
    let tokens: Vec<Vec<u8>> = match target {
        Target::Xml | Target::Inquiry | Target::Bulk | Target::Registration => {
            let mut d: Vec<Vec<u8>> = XML_DICT.iter().map(|t| t.as_bytes().to_vec()).collect();
            // Shift_JIS bytes of some names, and a lone lead byte.
            for t in ["新橋", "髙", "①", "ｱ"] {
                d.push(encoding_rs::SHIFT_JIS.encode(t).0.into_owned());
            }
            d.push(vec![0x81]);
            d
        }
        Target::Json => JSON_DICT.iter().map(|t| t.as_bytes().to_vec()).collect(),
        Target::Fixtures | Target::ErrorTable => {
            TOML_DICT.iter().map(|t| t.as_bytes().to_vec()).collect()
        }
        Target::Names => [
            "req", "res", "_", ".xml", ".err", ".tmp", "/", "..", "\u{0}",
        ]
        .iter()
        .map(|t| t.as_bytes().to_vec())
        .collect(),
        Target::Simulator => XML_DICT
            .iter()
            .chain(JSON_DICT)
            .map(|t| t.as_bytes().to_vec())
            .collect(),
        Target::Apdu | Target::Csv => Vec::new(),
    };
    let mut tokens = tokens;
    tokens.extend(mutate::INTERESTING.iter().map(|s| s.as_bytes().to_vec()));
    tokens
}

/// Makes the inputs of one target: seeds first, unchanged, then mutants.
pub struct Generator {
    target: Target,
    seeds: Vec<Vec<u8>>,
    dict: Vec<Vec<u8>>,
    /// Parsed seed trees (XML-shaped and JSON targets).
    trees: Vec<Element>,
    next_seed: usize,
    max_len: usize,
}

impl Generator {
    pub fn new(target: Target, max_len: usize) -> Self {
        let seeds = seeds(target);
        let trees = match target {
            Target::Xml
            | Target::Json
            | Target::Inquiry
            | Target::Bulk
            | Target::Registration
            | Target::Simulator => request_trees(),
            _ => Vec::new(),
        };
        // The raw XML seeds parse too (when they can) and join the trees.
        let mut trees = trees;
        if target == Target::Xml {
            trees.extend(
                seeds
                    .iter()
                    .filter_map(|s| read_document(s, ReadLimits::default()).ok())
                    .map(|d| d.root),
            );
        }
        Generator {
            target,
            dict: dictionary(target),
            seeds,
            trees,
            next_seed: 0,
            max_len,
        }
    }

    pub fn seed_count(&self) -> usize {
        self.seeds.len()
    }

    /// The next input.
    pub fn next(&mut self, rng: &mut Rng) -> Vec<u8> {
        if let Some(seed) = self.seeds.get(self.next_seed) {
            self.next_seed += 1;
            return seed.clone();
        }
        let structured = !self.trees.is_empty() || self.target == Target::Fixtures;
        let mut data = if structured && rng.gen_bool(0.6) {
            self.structured(rng)
        } else {
            self.seeds.choose(rng).cloned().unwrap_or_default()
        };
        if !structured || rng.gen_bool(0.4) {
            mutate::havoc(rng, &mut data, &self.dict, &self.seeds, self.max_len);
        }
        data.truncate(self.max_len);
        data
    }

    /// A structure-aware mutant: well-formed messages with edited values and shapes, or TOML
    /// with edited lines.
    fn structured(&self, rng: &mut Rng) -> Vec<u8> {
        if self.target == Target::Fixtures {
            let seed = self.seeds.choose(rng).cloned().unwrap_or_default();
            return mutate::mutate_lines(rng, &String::from_utf8_lossy(&seed), &self.seeds)
                .into_bytes();
        }
        let mut tree = self.trees.choose(rng).cloned().unwrap_or_default();
        let ids = simulator::request_ids();
        let id = if rng.gen_bool(0.9) {
            simulator::ids_for(&tree).choose(rng).copied()
        } else {
            ids.choose(rng).copied()
        };
        let pick = id
            .and_then(|id| ids.iter().position(|&m| m == id))
            .unwrap_or(0) as u8;
        mutate::mutate_tree(rng, &mut tree);
        if self.target == Target::Simulator && rng.gen_bool(0.3) {
            let mut value = json::to_json(&tree);
            if rng.gen_bool(0.3) {
                mutate_json(rng, &mut value);
            }
            let body = serde_json::to_vec(&value).unwrap_or_default();
            return [&[1, pick][..], &body].concat();
        }
        if self.target == Target::Json {
            let mut value = json::to_json(&tree);
            if rng.gen_bool(0.3) {
                mutate_json(rng, &mut value);
            }
            return serde_json::to_vec(&value).unwrap_or_default();
        }
        let encoding = if rng.gen_bool(0.5) {
            TextEncoding::Utf8
        } else {
            TextEncoding::ShiftJis
        };
        let mut bytes = write_document(&tree, encoding);
        if rng.gen_bool(0.15) {
            // Another prolog: other labels, none, a BOM, or a label that lies about the bytes.
            const PROLOGS: &[&str] = &[
                "",
                "\u{FEFF}",
                "<?xml version=\"1.0\"?>",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>",
                "<?xml version='1.0' encoding='sjis'?>",
                "<?xml version=\"1.0\" encoding=\"cp932\" standalone=\"yes\"?>",
                "<?xml version=\"1.0\" encoding=\"utf-16\"?>",
                "<?xml version=\"1.0\" encoding=\"\"?>",
                "<?xml version=\"1.0\" encoding=UTF-8?>",
            ];
            let end = bytes.iter().position(|&b| b == b'>').map_or(0, |p| p + 1);
            let prolog = PROLOGS.choose(rng).copied().unwrap_or("");
            bytes.splice(..end, prolog.bytes());
        }
        if self.target == Target::Simulator {
            bytes.splice(0..0, [0, pick]);
        }
        bytes
    }
}

/// Replaces a random JSON value (up to 8 levels down) by one of another type.
fn mutate_json(rng: &mut Rng, value: &mut serde_json::Value) {
    use serde_json::Value;
    let len = match &*value {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if len > 0 && rng.gen_bool(0.8) {
        let i = rng.gen_range(0..len);
        let child = match value {
            Value::Object(m) => m.values_mut().nth(i),
            Value::Array(a) => a.get_mut(i),
            _ => None,
        };
        if let Some(child) = child {
            return mutate_json(rng, child);
        }
    }
    let old = value.clone();
    *value = match rng.gen_range(0..7) {
        0 => Value::Null,
        1 => Value::Bool(rng.gen()),
        2 => Value::from(rng.gen::<i64>()),
        3 => Value::from(rng.gen::<f64>() * 1e10),
        4 => Value::Array(vec![old.clone(), old]),
        5 => Value::Object(serde_json::Map::new()),
        _ => Value::String(mutate::string(rng)),
    };
}
