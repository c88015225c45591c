//! The visiting/online results an operator has on screen (SCR-23, ch.3): each individual inquiry
//! asked from SCR-21 (a row) or SCR-22 (《検索》) is kept, by number, with the request that asked
//! it (《情報表示》 asks again with the display consent, SCR-24 needs the patient's card) and the
//! answer as sent (《ダウンロード》, RULE-95). Bounded: the oldest go first, as the terminal's
//! recent confirmations.

use oqs_protocol::result_read::ReadResult;
use oqs_protocol::visiting::{CareKind, VisitingInquiryRequest};
use std::collections::VecDeque;
use std::sync::Mutex;

/// Results kept at most.
pub const RECENT_VISITING_RESULTS: usize = 64;

/// Which screen asked (where SCR-23 《戻る》 returns to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskedFrom {
    /// SCR-21 同意済資格情報取得 (a row).
    Consented,
    /// SCR-22 資格情報照会 (《検索》).
    Inquiry,
}

/// One result on SCR-23.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitingShown {
    pub id: u64,
    /// 医療機関コード of the operator who asked.
    pub facility: String,
    pub kind: CareKind,
    pub from: AskedFrom,
    /// The request as sent (asked again by 《情報表示》 with a display consent).
    pub request: VisitingInquiryRequest,
    /// The answer as read back.
    pub read: ReadResult,
    /// The answer's bytes as sent (《ダウンロード》).
    pub xml: Vec<u8>,
}

/// The kept results.
#[derive(Debug, Default)]
pub struct VisitingResults {
    inner: Mutex<(u64, VecDeque<VisitingShown>)>,
}

impl VisitingResults {
    /// Keeps a new result (its `id` is given here) and returns it.
    pub fn keep(&self, mut shown: VisitingShown) -> VisitingShown {
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        m.0 += 1;
        shown.id = m.0;
        m.1.push_back(shown.clone());
        while m.1.len() > RECENT_VISITING_RESULTS {
            m.1.pop_front();
        }
        shown
    }

    /// Replaces result `shown.id`, if still kept.
    pub fn replace(&self, shown: &VisitingShown) -> bool {
        let mut m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match m.1.iter_mut().find(|x| x.id == shown.id) {
            Some(slot) => {
                *slot = shown.clone();
                true
            }
            None => false,
        }
    }

    /// Result `id` of `facility`, if still kept.
    pub fn get(&self, facility: &str, id: u64) -> Option<VisitingShown> {
        let m = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        m.1.iter()
            .find(|x| x.id == id && x.facility == facility)
            .cloned()
    }

    /// Forgets every result.
    pub fn clear(&self) {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_by_number_and_facility_and_bounded() {
        let r = VisitingResults::default();
        let one = |facility: &str| VisitingShown {
            id: 0,
            facility: facility.into(),
            kind: CareKind::Visiting,
            from: AskedFrom::Inquiry,
            request: VisitingInquiryRequest::default(),
            read: ReadResult::default(),
            xml: Vec::new(),
        };
        let a = r.keep(one("1234567890"));
        assert_eq!(a.id, 1);
        assert!(r.get("1234567890", 1).is_some());
        assert!(r.get("1341234567", 1).is_none(), "another facility's");
        for _ in 0..RECENT_VISITING_RESULTS {
            r.keep(one("1234567890"));
        }
        assert!(r.get("1234567890", 1).is_none(), "the oldest went first");
        assert!(!r.replace(&a));
        r.clear();
        assert!(r.get("1234567890", 2).is_none());
    }
}
