//! The harnesses: one per parser, each taking raw bytes. A harness returns normally for any input
//! the parser rejects or accepts; it panics only when the code under test panics or an invariant
//! checked here (an `assert!`) does not hold.

pub mod simulator;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset, TimeZone};
use oqs_domain::fixtures::{self, LoadMode};
use oqs_domain::inquiry::{answer_single_inquiry, jst};
use oqs_domain::Population;
use oqs_protocol::bulk::{BulkInquiryRequest, FetchRequest};
use oqs_protocol::message::SingleInquiryRequest;
use oqs_protocol::naming::{MessageId, RequestFileName};
use oqs_protocol::registration::{BulkRegistrationRequest, SingleRegistrationRequest};
use oqs_protocol::xml::{read_document, write_document, ReadLimits};
use oqs_protocol::{json, ErrorKind, ErrorTable, TextEncoding};
use sim_server::history::{to_csv, ConfirmationKind, CsvEncoding, HistoryRecord};
use virtual_card::{Card, IssuedCard, Profile, VirtualCard};

/// One parser under the fuzzer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// `protocol::xml`: bytes in either declared encoding (UTF-8, Shift_JIS) to a tree; what is
    /// read must write back and read again to the same document.
    Xml,
    /// `protocol::json`: the WebAPI mirror, JSON text to a tree and back.
    Json,
    /// OQSsiquc01req: mapping, header and search validation (RULE-29..36), the domain's answer
    /// against the built-in population, and the answer written as XML that reads back.
    Inquiry,
    /// Bulk inquiry files (OQSmuquc01req, OQSmuquc02req): rows validated and answered.
    Bulk,
    /// 照会番号 registration files (OQSsiimm01req, OQSmuimm01req): rows validated.
    Registration,
    /// `domain::fixtures`: the TOML fixture format, loaded afresh and on top of the built-in
    /// population (a failed load must change nothing).
    Fixtures,
    /// `protocol::errors`: an error-code table override (TOML).
    ErrorTable,
    /// Command APDUs into the virtual card's JPKI applet (power on/off between them).
    Apdu,
    /// The SCR-19 history CSV writer with arbitrary field strings, UTF-8 and Shift_JIS.
    Csv,
    /// Exchange file names (`protocol::naming`).
    Names,
    /// The whole way in: `Simulator::handle_xml` / `handle_json` with any request message id,
    /// bulk jobs submitted, run by the job engine and fetched until final; every answer must
    /// read back.
    Simulator,
}

impl Target {
    pub const ALL: [Target; 11] = [
        Target::Xml,
        Target::Json,
        Target::Inquiry,
        Target::Bulk,
        Target::Registration,
        Target::Fixtures,
        Target::ErrorTable,
        Target::Apdu,
        Target::Csv,
        Target::Names,
        Target::Simulator,
    ];

    /// The name on the command line (`--target xml`).
    pub fn name(self) -> &'static str {
        match self {
            Target::Xml => "xml",
            Target::Json => "json",
            Target::Inquiry => "inquiry",
            Target::Bulk => "bulk",
            Target::Registration => "registration",
            Target::Fixtures => "fixtures",
            Target::ErrorTable => "error-table",
            Target::Apdu => "apdu",
            Target::Csv => "csv",
            Target::Names => "names",
            Target::Simulator => "simulator",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// What counts as an input getting deep into this target (counted by [`deep_count`]): the
    /// proof that generated inputs get past the first check.
    pub fn deep_event(self) -> &'static str {
        match self {
            Target::Xml => "documents read",
            Target::Json => "trees read",
            Target::Inquiry => "answers with a qualification",
            Target::Bulk => "bulk requests with rows",
            Target::Registration => "valid registrations",
            Target::Fixtures => "fixtures loaded",
            Target::ErrorTable => "tables accepted",
            Target::Apdu => "signatures made",
            Target::Csv => "CSVs with characters Shift_JIS lacks",
            Target::Names => "request names accepted",
            Target::Simulator => "bulk jobs fetched",
        }
    }

    fn index(self) -> usize {
        Target::ALL.iter().position(|&t| t == self).unwrap_or(0)
    }

    /// Loads what the harness shares between inputs (population, error table, the cards), so a
    /// forking fuzzer copies it instead of loading it per child. Not the simulator: its job
    /// workers are threads, which a fork does not copy.
    pub fn warm_up(self) {
        let _ = (population(), error_table_builtin());
        if self == Target::Apdu {
            let _ = cards();
        }
    }

    /// Runs the harness on one input.
    pub fn run(self, data: &[u8]) {
        match self {
            Target::Xml => xml(data),
            Target::Json => json_mirror(data),
            Target::Inquiry => inquiry(data),
            Target::Bulk => bulk(data),
            Target::Registration => registration(data),
            Target::Fixtures => fixture(data),
            Target::ErrorTable => error_table(data),
            Target::Apdu => apdu(data),
            Target::Csv => csv(data),
            Target::Names => names(data),
            Target::Simulator => simulator::run(data),
        }
    }
}

static DEEP: [AtomicU64; Target::ALL.len()] = [const { AtomicU64::new(0) }; Target::ALL.len()];

pub(crate) fn reached(t: Target) {
    DEEP[t.index()].fetch_add(1, Ordering::Relaxed);
}

/// How many inputs reached the target's [`Target::deep_event`] so far in this process.
pub fn deep_count(t: Target) -> u64 {
    DEEP[t.index()].load(Ordering::Relaxed)
}

/// The built-in population, loaded once.
pub fn population() -> &'static Population {
    static POP: OnceLock<Population> = OnceLock::new();
    POP.get_or_init(oqs_domain::builtin_population)
}

pub(crate) fn error_table_builtin() -> &'static ErrorTable {
    static TABLE: OnceLock<ErrorTable> = OnceLock::new();
    TABLE.get_or_init(ErrorTable::builtin)
}

/// The fixed clock of every harness: 2021-01-06 10:00 JST (the manual's sample day).
pub fn now() -> DateTime<FixedOffset> {
    jst()
        .with_ymd_and_hms(2021, 1, 6, 10, 0, 0)
        .single()
        .unwrap_or_else(|| DateTime::UNIX_EPOCH.with_timezone(&jst()))
}

/// No limits: re-reading what the simulator itself wrote (escaping may grow it).
pub(crate) const UNLIMITED: ReadLimits = ReadLimits {
    max_bytes: usize::MAX,
    max_depth: usize::MAX,
    max_elements: usize::MAX,
};

fn other(encoding: TextEncoding) -> TextEncoding {
    match encoding {
        TextEncoding::Utf8 => TextEncoding::ShiftJis,
        TextEncoding::ShiftJis => TextEncoding::Utf8,
    }
}

fn xml(data: &[u8]) {
    let Ok(doc) = read_document(data, ReadLimits::default()) else {
        return;
    };
    reached(Target::Xml);
    // Written in its own encoding, the tree reads back, and writing that gives the same bytes
    // (the first write may drop text mixed with elements, which the interface has none of).
    let written = write_document(&doc.root, doc.encoding);
    let again = read_document(&written, UNLIMITED)
        .unwrap_or_else(|e| panic!("the simulator's own XML does not read back: {e}"));
    assert_eq!(again.encoding, doc.encoding);
    let rewritten = write_document(&again.root, again.encoding);
    assert!(
        rewritten == written,
        "writing is not stable: {:?} became {:?}",
        String::from_utf8_lossy(&written),
        String::from_utf8_lossy(&rewritten)
    );
}

fn json_mirror(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let Ok(tree) = json::from_json(&value) else {
        return;
    };
    reached(Target::Json);
    // The WebAPI path: the tree as an inquiry.
    if let Ok(req) = SingleInquiryRequest::from_element(&tree) {
        let _ = req.header.validate();
        let _ = req.search.validate();
    }
    let mirrored = json::to_json(&tree);
    let Ok(tree2) = json::from_json(&mirrored) else {
        // Only the first mirror may change the shape (an object under a list container).
        return;
    };
    let tree3 = json::from_json(&json::to_json(&tree2))
        .unwrap_or_else(|e| panic!("a mirrored tree does not read back: {e}"));
    assert_eq!(tree3, tree2, "the JSON mirror is not stable");
}

/// Writes an answer tree and checks the simulator can read its own answer.
fn answer_reads_back(root: &oqs_protocol::Element, encoding: TextEncoding) {
    let bytes = write_document(root, encoding);
    let doc = read_document(&bytes, UNLIMITED)
        .unwrap_or_else(|e| panic!("the answer does not read back: {e}"));
    assert_eq!(doc.encoding, encoding);
}

fn inquiry(data: &[u8]) {
    // The plain reader reads only what the general reader reads alike.
    let plain = SingleInquiryRequest::read_plain(data, ReadLimits::default());
    let encoded = SingleInquiryRequest::read_plain_encoded(data, ReadLimits::default());
    let Ok(doc) = read_document(data, ReadLimits::default()) else {
        assert!(
            plain.is_none() && encoded.is_none(),
            "the plain reader read a document the general one refuses"
        );
        return;
    };
    let Ok(req) = SingleInquiryRequest::from_element(&doc.root) else {
        assert!(
            plain.is_none() && encoded.is_none(),
            "the plain reader read a request of a wrong shape"
        );
        return;
    };
    if let Some(plain) = plain {
        assert_eq!(plain, req, "the plain reader read the request otherwise");
        assert_eq!(doc.encoding, TextEncoding::Utf8);
    }
    if let Some((plain, encoding)) = encoded {
        assert_eq!(plain, req, "the plain reader read the request otherwise");
        assert_eq!(
            encoding, doc.encoding,
            "the plain reader took another encoding"
        );
    }
    let answer = answer_single_inquiry(
        population(),
        &req,
        doc.encoding,
        now(),
        error_table_builtin(),
    );
    if answer
        .response
        .body
        .as_ref()
        .is_some_and(|b| !b.results.is_empty())
    {
        reached(Target::Inquiry);
    }
    let tree = answer.response.to_element();
    // The direct writer writes what the tree writer writes.
    assert!(
        answer.response.write_xml(answer.encoding) == write_document(&tree, answer.encoding),
        "the result written directly differs from the tree written"
    );
    answer_reads_back(&tree, answer.encoding);
}

/// Rows answered per bulk input at most (the rest are validated only).
const ANSWERED_ROWS: usize = 64;

fn bulk(data: &[u8]) {
    // The plain reader of a bulk file reads only what the general reader reads alike.
    let plain = BulkInquiryRequest::read_plain(data, ReadLimits::default());
    let Ok(doc) = read_document(data, ReadLimits::default()) else {
        assert!(
            plain.is_none(),
            "the plain bulk reader read a document the general one refuses"
        );
        return;
    };
    if let Ok(fetch) = FetchRequest::from_element(&doc.root) {
        let _ = fetch.header.validate();
    }
    let Ok(req) = BulkInquiryRequest::from_element(&doc.root) else {
        assert!(
            plain.is_none(),
            "the plain bulk reader read a file of a wrong shape"
        );
        return;
    };
    if let Some(plain) = &plain {
        assert_eq!(plain, &req, "the plain bulk reader read the file otherwise");
        assert_eq!(doc.encoding, TextEncoding::Utf8);
    }
    reached(Target::Bulk);
    let _ = req.header.validate();
    for (i, row) in req.rows.iter().enumerate() {
        let _ = row.validate();
        if i < ANSWERED_ROWS {
            let single = SingleInquiryRequest {
                header: req.header.clone(),
                search: row.clone(),
            };
            let answer = answer_single_inquiry(
                population(),
                &single,
                doc.encoding,
                now(),
                error_table_builtin(),
            );
            if i == 0 {
                answer_reads_back(&answer.response.to_element(), other(answer.encoding));
            }
        }
    }
    answer_reads_back(&req.to_element(), doc.encoding);
}

fn registration(data: &[u8]) {
    let Ok(doc) = read_document(data, ReadLimits::default()) else {
        return;
    };
    if let Ok(single) = SingleRegistrationRequest::from_element(&doc.root) {
        let _ = single.header.validate();
        if let Ok(valid) = single.info.validate() {
            reached(Target::Registration);
            assert!(valid
                .reference_number
                .as_ref()
                .is_none_or(|r| !r.is_empty()));
        }
        answer_reads_back(&single.to_element(), doc.encoding);
    }
    if let Ok(bulk) = BulkRegistrationRequest::from_element(&doc.root) {
        let _ = bulk.header.validate();
        for row in &bulk.rows {
            if row.validate().is_ok() {
                reached(Target::Registration);
            }
        }
        answer_reads_back(&bulk.to_element(), doc.encoding);
    }
}

fn fixture(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut fresh = Population::new();
    if fixtures::load(&mut fresh, LoadMode::Replace, "fuzz.toml", &text).is_ok() {
        reached(Target::Fixtures);
    }
    // Extend the built-in population: a failed load changes nothing.
    let mut pop = population().clone();
    let (persons, qualifications) = (pop.person_count(), pop.qualification_count());
    if fixtures::load(&mut pop, LoadMode::Extend, "fuzz.toml", &text).is_err() {
        assert_eq!(
            (pop.person_count(), pop.qualification_count()),
            (persons, qualifications),
            "a failed fixture load changed the population"
        );
    }
}

fn error_table(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let whole = ErrorTable::from_toml(&text, None);
    let over = ErrorTable::from_toml(&text, Some(error_table_builtin()));
    if over.is_ok() {
        reached(Target::ErrorTable);
    }
    // An accepted table has a row for every situation.
    for table in [whole, over].iter().flatten() {
        for &kind in ErrorKind::ALL {
            let _ = table.entry(kind);
        }
    }
}

/// Seed of the fuzzed cards' keys (the simulator's default card seed: the key cache is shared).
pub const CARD_SEED: u64 = 1;

/// The cards the APDU harness talks to: a healthy one, one whose certificate read fails, one
/// without the JPKI applet, one with a locked PIN.
pub const CARD_PROFILES: [Profile; 4] = [
    Profile::Valid,
    Profile::Unreadable,
    Profile::NotMyNumber,
    Profile::PinLocked,
];

/// The issued cards (keys are generated once and cached on disk by `virtual-card`).
pub fn cards() -> &'static [(VirtualCard, IssuedCard)] {
    static CARDS: OnceLock<Vec<(VirtualCard, IssuedCard)>> = OnceLock::new();
    CARDS.get_or_init(|| {
        let date = now().date_naive();
        CARD_PROFILES
            .iter()
            .map(|&p| match virtual_card::issue(p, CARD_SEED, date) {
                Ok(card) => card,
                Err(e) => panic!("cannot issue the {p} card for the APDU harness: {e}"),
            })
            .collect()
    })
}

/// APDU input layout: byte 0 picks the card; then operations: `0` power on, `1` power off,
/// otherwise a length byte and that many bytes of command APDU.
pub const OP_POWER_ON: u8 = 0;
pub const OP_POWER_OFF: u8 = 1;
pub const OP_APDU: u8 = 2;

fn apdu(data: &[u8]) {
    let Some((&pick, mut rest)) = data.split_first() else {
        return;
    };
    let cards = cards();
    let mut card = cards[usize::from(pick) % cards.len()].0.clone();
    card.power_on();
    // Since the last power cycle or applet selection, did a VERIFY succeed?
    let mut verified = false;
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        match op % 4 {
            0 => {
                card.power_on();
                verified = false;
            }
            1 => {
                card.power_off();
                verified = false;
            }
            _ => {
                let Some((&len, tail)) = rest.split_first() else {
                    return;
                };
                let n = usize::from(len).min(tail.len());
                let (command, tail) = tail.split_at(n);
                rest = tail;
                let response = card.process(command);
                assert!(response.len() >= 2, "a response without a status word");
                let ok = response[response.len() - 2..] == [0x90, 0x00];
                let header = command.get(..2).unwrap_or_default();
                match header {
                    [0x00, 0xA4] if ok && command.get(2) == Some(&0x04) => verified = false,
                    [0x00, 0x20] if ok => verified = true,
                    [0x80, 0x2A] if ok => {
                        assert!(verified, "signed without a verified PIN");
                        assert_eq!(response.len(), 256 + 2, "a signature is 256 bytes");
                        reached(Target::Apdu);
                    }
                    _ => {}
                }
            }
        }
        assert!(card.auth_tries_left() <= virtual_card::applet::AUTH_PIN_TRIES);
    }
}

/// CSV input layout: records of 8 length-prefixed strings (a byte for the length), a kind byte
/// and 6 bytes of time (seconds); the first byte is the first 通番.
fn csv(data: &[u8]) {
    let Some((&first_seq, mut rest)) = data.split_first() else {
        return;
    };
    let mut records = Vec::new();
    let take = |rest: &mut &[u8]| -> Option<String> {
        let (&len, tail) = rest.split_first()?;
        let n = usize::from(len).min(tail.len());
        let (s, tail) = tail.split_at(n);
        *rest = tail;
        Some(String::from_utf8_lossy(s).into_owned())
    };
    while !rest.is_empty() && records.len() < 64 {
        let fields: Vec<String> = (0..8).filter_map(|_| take(&mut rest)).collect();
        let [login_id, reference, result, insurer_number, card, name, sex, birthdate] =
            <[String; 8]>::try_from(fields).unwrap_or_default();
        let kind = rest.first().copied().unwrap_or(0);
        rest = rest.get(1..).unwrap_or_default();
        let mut secs = [0u8; 8];
        for (slot, b) in secs.iter_mut().zip(rest.iter().take(6)) {
            *slot = *b;
        }
        rest = rest.get(6..).unwrap_or_default();
        let secs = i64::from_le_bytes(secs);
        let confirmed_at = DateTime::from_timestamp(secs, 0)
            .unwrap_or(DateTime::UNIX_EPOCH)
            .with_timezone(&jst());
        records.push(HistoryRecord {
            id: records.len() as u64,
            facility: "1234567890".into(),
            confirmed_at,
            login_id,
            reference_number: (!reference.is_empty()).then_some(reference),
            kind: ConfirmationKind::ALL[usize::from(kind) % ConfirmationKind::ALL.len()],
            result,
            insurer_number,
            card,
            name,
            sex,
            birthdate,
            detail: None,
        });
    }
    let first_seq = usize::from(first_seq);
    let utf8 = to_csv(&records, first_seq, CsvEncoding::Utf8Bom);
    assert_eq!(utf8.unencodable, 0);
    let text = std::str::from_utf8(&utf8.bytes)
        .ok()
        .and_then(|t| t.strip_prefix('\u{FEFF}'))
        .unwrap_or_else(|| panic!("UTF-8 CSV is not UTF-8 with a BOM"));
    // The CSV reads back to the same fields.
    let rows = parse_csv(text);
    assert_eq!(
        rows.len(),
        records.len() + 1,
        "one line per record + header"
    );
    for (i, (row, r)) in rows[1..].iter().zip(&records).enumerate() {
        let expected = [
            (first_seq + i).to_string(),
            row.get(1).cloned().unwrap_or_default(),
            r.login_id.clone(),
            r.reference_number.clone().unwrap_or_default(),
            r.kind.display().to_owned(),
            r.result.clone(),
            r.insurer_number.clone(),
            r.card.clone(),
            r.name.clone(),
            r.sex.clone(),
            r.birthdate.clone(),
        ];
        assert_eq!(row.as_slice(), expected.as_slice(), "CSV row {i} differs");
    }
    let sjis = to_csv(&records, first_seq, CsvEncoding::ShiftJis);
    let (decoded, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(&sjis.bytes);
    assert!(!had_errors, "Shift_JIS CSV has undecodable bytes");
    if sjis.unencodable > 0 {
        reached(Target::Csv);
    }
    if sjis.unencodable == 0 {
        // Nothing dropped or merged (WHATWG's encoder maps a few look-alikes, e.g. ¥ to 0x5C).
        assert_eq!(
            decoded.chars().count(),
            text.chars().count(),
            "Shift_JIS CSV lost characters"
        );
    }
}

/// RFC 4180 reader for the CSV oracle: every field quoted, `""` inside, CRLF line ends.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        assert_eq!(c, '"', "CSV field does not start with a quote");
        loop {
            match chars.next() {
                Some('"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                Some('"') => break,
                Some(c) => field.push(c),
                None => panic!("CSV ends inside a quoted field"),
            }
        }
        row.push(std::mem::take(&mut field));
        match chars.next() {
            Some(',') => {}
            Some('\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                rows.push(std::mem::take(&mut row));
            }
            other => panic!("unexpected {other:?} after a CSV field"),
        }
    }
    assert!(row.is_empty(), "last CSV line has no CRLF");
    rows
}

fn names(data: &[u8]) {
    let Ok(name) = std::str::from_utf8(data) else {
        return;
    };
    let _ = MessageId::parse(name);
    let err = RequestFileName::error_name(name);
    assert!(err.ends_with(".err"));
    if let Ok(parsed) = RequestFileName::parse(name) {
        reached(Target::Names);
        assert!(name.ends_with(".xml"));
        assert!(parsed.message.ends_with("req"));
        let response = parsed.response_name();
        assert!(response.ends_with(".xml"));
        assert_ne!(response, name, "a result would overwrite its request");
        assert!(RequestFileName::parse(&response).is_err());
        if let Some(id) = MessageId::parse(&parsed.message) {
            let _ = id.response().map(MessageId::as_str);
        }
    }
}
