//! The request journal: every request received, with its transport and time, newest last.
//! Bounded (entries and bytes per entry) so a simulator running for days stays flat.

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

/// Bytes of request text kept per entry.
pub const MAX_STORED_REQUEST: usize = 16 * 1024;
/// Bytes of request text kept over all entries: with bulk files every entry holds a full
/// 16 KiB head, and 10,000 of them would be 160 MiB. The oldest go first beyond it.
pub const MAX_STORED_TEXT: usize = 32 * 1024 * 1024;

/// Entries reserved when the journal is made (the default capacity); a larger journal grows.
const PREALLOCATED_ENTRIES: usize = 10_000;

#[derive(Debug)]
struct Inner {
    next_seq: u64,
    entries: VecDeque<JournalEntry>,
    /// Sum of `request.len()` over `entries`.
    text_bytes: usize,
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

    /// Truncates request text at a character boundary.
    pub fn clip(text: &str) -> (String, bool) {
        if text.len() <= MAX_STORED_REQUEST {
            return (text.to_owned(), false);
        }
        let mut end = MAX_STORED_REQUEST;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        (text[..end].to_owned(), true)
    }

    /// Appends an entry (its `seq` is assigned here) and drops the oldest beyond capacity or
    /// beyond [`MAX_STORED_TEXT`] (the newest entry always stays).
    pub fn record(&self, mut entry: JournalEntry) -> u64 {
        let mut inner = self.lock();
        entry.seq = inner.next_seq;
        inner.next_seq += 1;
        inner.text_bytes += entry.request.len();
        inner.entries.push_back(entry);
        while inner.entries.len() > self.capacity
            || (inner.text_bytes > MAX_STORED_TEXT && inner.entries.len() > 1)
        {
            if let Some(old) = inner.entries.pop_front() {
                inner.text_bytes -= old.request.len();
            }
        }
        inner.next_seq - 1
    }

    /// Entries with `seq > since`, oldest first, at most `limit`.
    pub fn since(&self, since: u64, limit: usize) -> Vec<JournalEntry> {
        self.lock()
            .entries
            .iter()
            .filter(|e| e.seq > since)
            .take(limit)
            .cloned()
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

    fn entry() -> JournalEntry {
        JournalEntry {
            seq: 0,
            received_at: String::new(),
            transport: Transport::HttpXml,
            message: "OQSsiquc01req".into(),
            source: String::new(),
            outcome: "answered".into(),
            error_code: None,
            error_detail: None,
            validity: None,
            encoding: None,
            request_bytes: 0,
            request: String::new(),
            request_truncated: false,
            method: None,
        }
    }

    #[test]
    fn keeps_only_the_newest_entries() {
        let j = Journal::new(3);
        for _ in 0..10 {
            j.record(entry());
        }
        let all = j.since(0, 100);
        assert_eq!(
            all.iter().map(|e| e.seq).collect::<Vec<_>>(),
            vec![8, 9, 10]
        );
        assert_eq!(j.since(9, 100).len(), 1);
    }

    #[test]
    fn keeps_at_most_the_text_budget() {
        let j = Journal::new(1_000_000);
        let big = JournalEntry {
            request: "x".repeat(MAX_STORED_REQUEST),
            ..entry()
        };
        let per_budget = MAX_STORED_TEXT / MAX_STORED_REQUEST;
        for _ in 0..per_budget + 10 {
            j.record(big.clone());
        }
        assert_eq!(j.len(), per_budget);
        let kept = j.since(0, usize::MAX);
        assert_eq!(kept.first().map(|e| e.seq), Some(11));
        // Small entries still count by number only until the budget is reached again.
        j.clear();
        for _ in 0..5 {
            j.record(entry());
        }
        assert_eq!(j.len(), 5);
        // One entry larger than the whole budget is still kept, alone.
        j.record(JournalEntry {
            request: "y".repeat(MAX_STORED_TEXT + 1),
            ..entry()
        });
        assert_eq!(j.len(), 1);
    }

    #[test]
    fn clips_at_a_character_boundary() {
        let long = "新".repeat(MAX_STORED_REQUEST);
        let (clipped, truncated) = Journal::clip(&long);
        assert!(truncated);
        assert!(clipped.len() <= MAX_STORED_REQUEST);
        assert!(clipped.chars().all(|c| c == '新'));
    }
}
