//! Load driver of `memory.sh`: an exact number of single inquiries (OQSsiquc01req over XML/HTTP,
//! keep-alive connections) rotated over many persons and facilities, the 照会番号 those pairs
//! show, and the journal's newest `seq` (what the server itself counted).
//!
//! The rotation: [`PERSONS`] generated persons (spread over the first [`GENERATED_PREFIX`] of a
//! `--generate N` population with the default seed 1: `generate` is sequential, so a prefix has
//! the same cards and birth dates), each asked from one of [`FACILITIES`] facilities, so the
//! history's per-facility index holds many facilities and the lookups many keys. Every
//! [`REGISTERED_EVERY`]th pair has a 照会番号 registered (`register`), so inquiries also read the
//! reference-number store.
//!
//! Usage:
//! - `oqs-load ADDR register`: registers the pairs' 照会番号 (OQSsiimm01req) and checks that an
//!   inquiry of each registered pair shows its number and one of an unregistered pair none;
//! - `oqs-load ADDR inquire COUNT [CONNECTIONS=8] [PER_CONNECTION=0]`: sends COUNT inquiries
//!   over CONNECTIONS at a time, each kept alive for PER_CONNECTION requests (0: for the whole
//!   run) and then closed for a new one; fails unless every answer is 200, and checks one answer
//!   in [`CHECK_EVERY`] (a result, and the pair's 照会番号);
//! - `oqs-load ADDR last-seq`: prints the journal's newest `seq` (admin API, 0 when empty).

use chrono::NaiveDate;
use oqs_benches::{spread_searches, OwnedSearch};
use oqs_domain::generator::generate;
use oqs_domain::Population;
use oqs_protocol::xml::write_document;
use oqs_protocol::TextEncoding;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Generated persons the rotation is drawn from (a prefix of the server's population).
const GENERATED_PREFIX: u32 = 100_000;
/// Distinct persons (cards) in the rotation.
const PERSONS: usize = 10_000;
/// Distinct facilities (医療機関コード) in the rotation.
const FACILITIES: usize = 100;
/// Every this many pairs of the rotation has a 照会番号 registered.
const REGISTERED_EVERY: usize = 5;
/// One answer in this many is read and checked during `inquire`.
const CHECK_EVERY: u64 = 64;
/// The date of the requests (the server runs with `--now 2021-01-06T10:00:00+09:00`).
const DATE: (i32, u32, u32) = (2021, 1, 6);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.get(2).map(String::as_str) {
        Some("register") if args.len() == 3 => register(&args[1]),
        Some("inquire") if (4..=6).contains(&args.len()) => {
            let number = |i: usize, name: &str, default: u64| {
                args.get(i).map_or(Ok(default), |v| {
                    v.parse::<u64>().map_err(|e| format!("{name} {v}: {e}"))
                })
            };
            number(3, "COUNT", 0).and_then(|count| {
                let connections = number(4, "CONNECTIONS", 8)?;
                let per_connection = number(5, "PER_CONNECTION", 0)?;
                inquire(&args[1], count, connections, per_connection)
            })
        }
        Some("last-seq") if args.len() == 3 => last_seq(&args[1]).map(|seq| println!("{seq}")),
        _ => Err(
            "usage: oqs-load ADDR register | ADDR inquire COUNT [CONNECTIONS] [PER_CONNECTION] | ADDR last-seq"
                .to_owned(),
        ),
    };
    if let Err(e) = result {
        eprintln!("oqs-load: {e}");
        std::process::exit(1);
    }
}

/// One pair of the rotation: a person's card asked from a facility.
struct Pair {
    search: OwnedSearch,
    facility: String,
    /// The 照会番号 `register` gives this pair, if any.
    reference: Option<String>,
}

fn rotation() -> Result<Vec<Pair>, String> {
    let mut pop = Population::new();
    generate(&mut pop, GENERATED_PREFIX, 1);
    let searches = spread_searches(&pop, GENERATED_PREFIX, PERSONS);
    if searches.len() != PERSONS {
        return Err(format!(
            "only {} of {PERSONS} persons found",
            searches.len()
        ));
    }
    Ok(searches
        .into_iter()
        .enumerate()
        .map(|(k, search)| Pair {
            search,
            // 13 (東京都), 1 (医科), then seven digits.
            facility: format!("131{:07}", 1000 + k % FACILITIES),
            reference: (k % REGISTERED_EVERY == 0).then(|| format!("LOAD{k:05}")),
        })
        .collect())
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(DATE.0, DATE.1, DATE.2).unwrap_or(NaiveDate::MIN)
}

fn inquiry_body(pair: &Pair) -> Vec<u8> {
    let mut req = pair.search.request(date());
    req.header.medical_institution_code = Some(pair.facility.clone());
    write_document(&req.to_element(), TextEncoding::Utf8)
}

fn registration_body(pair: &Pair, value: &str) -> Vec<u8> {
    let s = &pair.search;
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>{}</MedicalInstitutionCode></MessageHeader><MessageBody><ReferenceNumberRegistrationInfo><ReferenceNumber>{value}</ReferenceNumber><InsurerNumber>{}</InsurerNumber><InsuredCardSymbol>{}</InsuredCardSymbol><InsuredIdentificationNumber>{}</InsuredIdentificationNumber><InsuredBranchNumber>{}</InsuredBranchNumber></ReferenceNumberRegistrationInfo></MessageBody></XmlMsg>\n",
        pair.facility,
        s.insurer.wire(),
        s.symbol,
        s.number,
        s.branch
    )
    .into_bytes()
}

/// A whole HTTP/1.1 request, ready to write.
fn http_request(addr: &str, method: &str, path: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// One keep-alive connection.
struct Connection {
    reader: BufReader<TcpStream>,
    line: String,
    body: Vec<u8>,
}

impl Connection {
    fn open(addr: &str) -> Result<Self, String> {
        let stream = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .map_err(|e| e.to_string())?;
        Ok(Connection {
            reader: BufReader::new(stream),
            line: String::new(),
            body: Vec::new(),
        })
    }

    /// Sends one request and reads its answer: the status; the body is in `self.body`.
    fn exchange(&mut self, request: &[u8]) -> Result<u16, String> {
        self.reader
            .get_mut()
            .write_all(request)
            .map_err(|e| format!("write: {e}"))?;
        let mut status = None;
        let mut length = None;
        loop {
            self.line.clear();
            let n = self
                .reader
                .read_line(&mut self.line)
                .map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return Err("the server closed the connection".into());
            }
            let line = self.line.trim_end();
            if status.is_none() {
                status = line.split(' ').nth(1).and_then(|s| s.parse::<u16>().ok());
                if status.is_none() {
                    return Err(format!("not an HTTP status line: {line:?}"));
                }
                continue;
            }
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                }
            }
        }
        let length = length.ok_or("an answer without Content-Length")?;
        self.body.resize(length, 0);
        self.reader
            .read_exact(&mut self.body)
            .map_err(|e| format!("read body: {e}"))?;
        status.ok_or_else(|| "no status".to_owned())
    }

    fn body_text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("")
    }
}

/// What an inquiry answer of `pair` must show: a result, and the pair's 照会番号 (or none of ours).
fn check_answer(pair: &Pair, answer: &str) -> Result<(), String> {
    if !answer.contains("<ResultOfQualificationConfirmation>") {
        return Err(format!(
            "no result for {} {}: {answer}",
            pair.facility, pair.search.number
        ));
    }
    let shown = match &pair.reference {
        Some(r) => answer.contains(&format!("<ReferenceNumber>{r}</ReferenceNumber>")),
        None => !answer.contains("<ReferenceNumber>LOAD"),
    };
    if !shown {
        return Err(format!(
            "照会番号 {:?} not as registered for {} {}: {answer}",
            pair.reference, pair.facility, pair.search.number
        ));
    }
    Ok(())
}

fn register(addr: &str) -> Result<(), String> {
    let pairs = rotation()?;
    let mut c = Connection::open(addr)?;
    let mut registered = 0;
    for pair in &pairs {
        let Some(value) = &pair.reference else {
            continue;
        };
        let body = registration_body(pair, value);
        let status = c.exchange(&http_request(addr, "POST", "/xml/OQSsiimm01req", &body))?;
        if status != 200 || !c.body_text().contains("<ProcessingResultStatus>1<") {
            return Err(format!("registration {value}: {status} {}", c.body_text()));
        }
        registered += 1;
    }
    // Every registered pair shows its number; the first unregistered one shows none of ours.
    let mut checked = 0;
    for pair in pairs
        .iter()
        .filter(|p| p.reference.is_some())
        .chain(pairs.iter().find(|p| p.reference.is_none()))
    {
        let request = http_request(addr, "POST", "/xml/OQSsiquc01req", &inquiry_body(pair));
        let status = c.exchange(&request)?;
        if status != 200 {
            return Err(format!("inquiry: {status} {}", c.body_text()));
        }
        check_answer(pair, c.body_text())?;
        checked += 1;
    }
    println!(
        "registered {registered} 照会番号 ({} persons × {FACILITIES} facilities in the rotation, every {REGISTERED_EVERY}th pair); {checked} inquiries checked them",
        pairs.len()
    );
    Ok(())
}

fn inquire(addr: &str, count: u64, connections: u64, per_connection: u64) -> Result<(), String> {
    let pairs = rotation()?;
    let requests: Vec<Vec<u8>> = pairs
        .iter()
        .map(|p| http_request(addr, "POST", "/xml/OQSsiquc01req", &inquiry_body(p)))
        .collect();
    let next = AtomicU64::new(0);
    let answered = AtomicU64::new(0);
    let checked = AtomicU64::new(0);
    let opened = AtomicU64::new(0);
    let failure: Mutex<Option<String>> = Mutex::new(None);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..connections.max(1) {
            scope.spawn(|| {
                let fail = |e: String| {
                    let mut f = failure.lock().unwrap_or_else(|p| p.into_inner());
                    f.get_or_insert(e);
                    // Stop every sender.
                    next.store(u64::MAX / 2, Ordering::Relaxed);
                };
                let mut c: Option<Connection> = None;
                let mut sent_on_it = 0;
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    if j >= count {
                        return;
                    }
                    if per_connection > 0 && sent_on_it == per_connection {
                        // Closed here (dropped), a new one opened below.
                        c = None;
                    }
                    let c = match &mut c {
                        Some(c) => c,
                        None => match Connection::open(addr) {
                            Ok(new) => {
                                opened.fetch_add(1, Ordering::Relaxed);
                                sent_on_it = 0;
                                c.insert(new)
                            }
                            Err(e) => return fail(e),
                        },
                    };
                    sent_on_it += 1;
                    let k = (j % requests.len() as u64) as usize;
                    match c.exchange(&requests[k]) {
                        Ok(200) => {}
                        Ok(status) => return fail(format!("answer {status}: {}", c.body_text())),
                        Err(e) => return fail(e),
                    }
                    answered.fetch_add(1, Ordering::Relaxed);
                    if j.is_multiple_of(CHECK_EVERY) {
                        if let Err(e) = check_answer(&pairs[k], c.body_text()) {
                            return fail(e);
                        }
                        checked.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let secs = started.elapsed().as_secs_f64();
    if let Some(e) = failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(format!(
            "after {} answers: {e}",
            answered.load(Ordering::Relaxed)
        ));
    }
    let n = answered.load(Ordering::Relaxed);
    let kept = match per_connection {
        0 => "kept alive".to_owned(),
        p => format!("{p} requests each"),
    };
    println!(
        "sent {n} inquiries over {connections} connections at a time ({} opened, {kept}) in {secs:.1} s ({:.0} req/s), every answer 200; {} answers checked (1 in {CHECK_EVERY}: a result and its pair's 照会番号)",
        opened.load(Ordering::Relaxed),
        n as f64 / secs.max(1e-9),
        checked.load(Ordering::Relaxed)
    );
    Ok(())
}

/// The journal's newest `seq`: the largest `since` with an entry after it, plus one (binary
/// search with `limit=1`, so each answer is one entry).
fn last_seq(addr: &str) -> Result<u64, String> {
    let mut c = Connection::open(addr)?;
    let mut after = |since: u64| -> Result<bool, String> {
        let path = format!("/__admin/journal?since={since}&limit=1");
        let status = c.exchange(&http_request(addr, "GET", &path, b""))?;
        if status != 200 {
            return Err(format!("{path}: {status} {}", c.body_text()));
        }
        Ok(c.body_text().contains("\"seq\""))
    };
    if !after(0)? {
        return Ok(0);
    }
    // after(lo) holds, after(hi) does not.
    let (mut lo, mut hi) = (0u64, 1u64);
    while after(hi)? {
        lo = hi;
        hi *= 2;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if after(mid)? {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(lo + 1)
}
