//! The request journal: every request received, with its transport and time, newest last.
//! Bounded (entries and bytes per entry) so a simulator running for days stays flat.

use crate::services::packed_texts::{clip_at, PackedTexts};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

/// How a request reached the simulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// `POST /xml/{message-id}`.
    HttpXml,
    /// The WebAPI JSON mirror.
    WebApi,
    /// The file exchange folder.
    FileExchange,
    /// The confirmation terminal (My Number card inquiry).
    Terminal,
}

/// One request as received and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JournalEntry {
    pub seq: u64,
    /// Simulator time (RFC 3339, JST).
    pub received_at: String,
    pub transport: Transport,
    pub message: String,
    /// File name (file exchange) or path (HTTP).
    pub source: String,
    /// `answered`, `rejected`.
    pub outcome: String,
    /// Error code when the request broke a rule or was rejected.
    pub error_code: Option<String>,
    /// Why, in words (field path and detail).
    pub error_detail: Option<String>,
    /// QualificationValidity of the answer, when there was one.
    pub validity: Option<String>,
    /// Declared encoding of the request.
    pub encoding: Option<String>,
    pub request_bytes: usize,
    /// The request text (decoded, truncated to `MAX_STORED_REQUEST` bytes).
    pub request: String,
    pub request_truncated: bool,
    /// My Number confirmations: 目視確認 / 暗証番号 (資格確認区分).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

/// A request to journal, as its way in knows it: borrowed, so that the journal copies what it
/// keeps once, into one allocation ([`Kept`]), and formats the time only when it is read.
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    pub received_at: DateTime<FixedOffset>,
    pub transport: Transport,
    pub message: &'a str,
    pub source: &'a str,
    pub outcome: &'a str,
    pub error_code: Option<&'a str>,
    pub error_detail: Option<&'a str>,
    pub validity: Option<&'a str>,
    pub encoding: Option<&'a str>,
    /// Bytes of the request as received.
    pub request_bytes: usize,
    /// The request text (decoded); the journal keeps its first `MAX_STORED_REQUEST` bytes.
    pub request: &'a str,
    pub method: Option<&'a str>,
}

/// Bytes of request text kept per entry.
pub const MAX_STORED_REQUEST: usize = 16 * 1024;
/// Bytes of request text kept over all entries: with bulk files every entry holds a full
/// 16 KiB head, and 10,000 of them would be 160 MiB. The oldest go first beyond it.
pub const MAX_STORED_TEXT: usize = 32 * 1024 * 1024;

/// Entries reserved when the journal is made (the default capacity); a larger journal grows.
const PREALLOCATED_ENTRIES: usize = 10_000;

/// The texts of an entry, in the order [`Kept::text`] holds them.
const MESSAGE: usize = 0;
const SOURCE: usize = 1;
const OUTCOME: usize = 2;
const ERROR_CODE: usize = 3;
const ERROR_DETAIL: usize = 4;
const VALIDITY: usize = 5;
const ENCODING: usize = 6;
const METHOD: usize = 7;
const REQUEST: usize = 8;
const TEXTS: usize = 9;

/// An entry as the journal keeps it: its texts one after another in one allocation (one
/// `free` of cold memory when it leaves the journal, not a dozen), the time as an instant.
#[derive(Debug)]
struct Kept {
    seq: u64,
    received_at: DateTime<FixedOffset>,
    transport: Transport,
    request_truncated: bool,
    /// Bit `i`: the optional text `i` is present (`None` otherwise).
    present: u16,
    request_bytes: usize,
    texts: PackedTexts<TEXTS>,
}

impl Kept {
    fn new(e: &NewEntry<'_>) -> Kept {
        let (request, request_truncated) = clip_at(e.request, MAX_STORED_REQUEST);
        let texts: [Option<&str>; TEXTS] = [
            Some(e.message),
            Some(e.source),
            Some(e.outcome),
            e.error_code,
            e.error_detail,
            e.validity,
            e.encoding,
            e.method,
            Some(request),
        ];
        let mut present = 0u16;
        for (i, t) in texts.iter().enumerate() {
            if t.is_some() {
                present |= 1 << i;
            }
        }
        Kept {
            seq: 0,
            received_at: e.received_at,
            transport: e.transport,
            request_truncated,
            present,
            request_bytes: e.request_bytes,
            texts: PackedTexts::new(&texts.map(Option::unwrap_or_default)),
        }
    }

    fn get(&self, i: usize) -> &str {
        self.texts.get(i)
    }

    fn optional(&self, i: usize) -> Option<String> {
        (self.present & (1 << i) != 0).then(|| self.get(i).to_owned())
    }

    /// Bytes of request text it holds (what [`MAX_STORED_TEXT`] counts).
    fn request_len(&self) -> usize {
        self.get(REQUEST).len()
    }

    fn entry(&self) -> JournalEntry {
        JournalEntry {
            seq: self.seq,
            received_at: self.received_at.to_rfc3339(),
            transport: self.transport,
            message: self.get(MESSAGE).to_owned(),
            source: self.get(SOURCE).to_owned(),
            outcome: self.get(OUTCOME).to_owned(),
            error_code: self.optional(ERROR_CODE),
            error_detail: self.optional(ERROR_DETAIL),
            validity: self.optional(VALIDITY),
            encoding: self.optional(ENCODING),
            request_bytes: self.request_bytes,
            request: self.get(REQUEST).to_owned(),
            request_truncated: self.request_truncated,
            method: self.optional(METHOD),
        }
    }
}

#[derive(Debug)]
struct Inner {
    next_seq: u64,
    entries: VecDeque<Kept>,
    /// Sum of the request texts' lengths over `entries`.
    text_bytes: usize,
}

impl Inner {
    fn pop_oldest(&mut self) -> Option<Kept> {
        let old = self.entries.pop_front()?;
        self.text_bytes -= old.request_len();
        Some(old)
    }
}

/// The journal itself.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        Journal {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                next_seq: 1,
                // Reserved up front: no copy of the whole journal under its lock while it fills.
                entries: VecDeque::with_capacity(capacity.clamp(1, PREALLOCATED_ENTRIES)),
                text_bytes: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends an entry (its `seq` is assigned here; its request text is cut to
    /// [`MAX_STORED_REQUEST`] bytes) and drops the oldest beyond capacity or beyond
    /// [`MAX_STORED_TEXT`] (the newest entry always stays).
    pub fn record(&self, entry: NewEntry<'_>) -> u64 {
        // Copied before the lock is taken; the entry leaving the journal is freed after it.
        let mut kept = Kept::new(&entry);
        let mut inner = self.lock();
        let seq = inner.next_seq;
        kept.seq = seq;
        inner.next_seq += 1;
        let mut gone = None;
        // Room first: a push onto the full ring would double its reserved buffer.
        while inner.entries.len() >= self.capacity {
            gone = inner.pop_oldest();
        }
        inner.text_bytes += kept.request_len();
        inner.entries.push_back(kept);
        while inner.text_bytes > MAX_STORED_TEXT && inner.entries.len() > 1 {
            gone = inner.pop_oldest();
        }
        drop(inner);
        drop(gone);
        seq
    }

    /// Entries with `seq > since`, oldest first, at most `limit`.
    pub fn since(&self, since: u64, limit: usize) -> Vec<JournalEntry> {
        self.lock()
            .entries
            .iter()
            .filter(|e| e.seq > since)
            .take(limit)
            .map(Kept::entry)
            .collect()
    }

    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.text_bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(request: &str) -> NewEntry<'_> {
        NewEntry {
            received_at: DateTime::parse_from_rfc3339("2021-01-06T10:00:00.5+09:00").expect("time"),
            transport: Transport::HttpXml,
            message: "OQSsiquc01req",
            source: "",
            outcome: "answered",
            error_code: None,
            error_detail: None,
            validity: None,
            encoding: None,
            request_bytes: request.len(),
            request,
            method: None,
        }
    }

    #[test]
    fn keeps_only_the_newest_entries() {
        let j = Journal::new(3);
        for _ in 0..10 {
            j.record(entry(""));
        }
        let all = j.since(0, 100);
        assert_eq!(
            all.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![8, 9, 10]
        );
        assert_eq!(j.since(9, 100).len(), 1);
    }

    /// Once full, the journal keeps its newest entries in the ring it reserved (a doubled
    /// ring is twice the memory, touched as it turns).
    #[test]
    fn a_full_journal_keeps_its_reserved_ring() {
        let j = Journal::new(100);
        let reserved = j.lock().entries.capacity();
        for _ in 0..250 {
            j.record(entry(""));
        }
        assert_eq!(j.len(), 100);
        assert_eq!(j.lock().entries.capacity(), reserved);
        assert_eq!(j.since(0, 1).first().map(|e| e.seq), Some(151));
    }

    #[test]
    fn keeps_at_most_the_text_budget() {
        let j = Journal::new(1_000_000);
        let big = "x".repeat(MAX_STORED_REQUEST);
        let per_budget = MAX_STORED_TEXT / MAX_STORED_REQUEST;
        for _ in 0..per_budget + 10 {
            j.record(entry(&big));
        }
        assert_eq!(j.len(), per_budget);
        let kept = j.since(0, usize::MAX);
        assert_eq!(kept.first().map(|e| e.seq), Some(11));
        // Small entries still count by number only until the budget is reached again.
        j.clear();
        for _ in 0..5 {
            j.record(entry(""));
        }
        assert_eq!(j.len(), 5);
    }

    #[test]
    fn clips_at_a_character_boundary() {
        let long = "新".repeat(MAX_STORED_REQUEST);
        let j = Journal::new(1);
        j.record(entry(&long));
        let kept = j.since(0, 1).remove(0);
        assert!(kept.request_truncated);
        assert_eq!(kept.request_bytes, long.len());
        assert!(kept.request.len() <= MAX_STORED_REQUEST);
        assert!(kept.request.len() > MAX_STORED_REQUEST - 3);
        assert!(kept.request.chars().all(|c| c == '新'));
    }

    #[test]
    fn reads_back_every_field_as_recorded() {
        let j = Journal::new(2);
        let new = NewEntry {
            transport: Transport::Terminal,
            message: "mynumber",
            source: "face-reader:顔認証",
            outcome: "dialog",
            error_code: Some("ERR-05"),
            error_detail: Some(""),
            validity: None,
            encoding: Some("UTF-8"),
            method: Some("暗証番号"),
            ..entry("{\"pin\":\"****\"}")
        };
        j.record(new);
        let e = j.since(0, 1).remove(0);
        assert_eq!(
            e,
            JournalEntry {
                seq: 1,
                received_at: "2021-01-06T10:00:00.500+09:00".into(),
                transport: Transport::Terminal,
                message: "mynumber".into(),
                source: "face-reader:顔認証".into(),
                outcome: "dialog".into(),
                error_code: Some("ERR-05".into()),
                error_detail: Some(String::new()),
                validity: None,
                encoding: Some("UTF-8".into()),
                request_bytes: 14,
                request: "{\"pin\":\"****\"}".into(),
                request_truncated: false,
                method: Some("暗証番号".into()),
            }
        );
    }
}
