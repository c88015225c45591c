//! The in-memory store: the newest `capacity` records in recording order, with a per-facility
//! index of (資格確認日時, id) in recording order. While a facility's times only rose (the
//! clock runs forward) that order is the order of the SQLite index and a search reads a range
//! of it; after the clock went back it sorts the facility's hits. An insert appends to the
//! index (issue 16: an ordered set cost ≈ 900 instructions per record).

use super::packed::Packed;
use super::query::SearchConditions;
use super::{to_millis, HistoryRecord, OverLimit, SearchPage, SEARCH_LIMIT};
use hashbrown::HashMap;
use std::collections::VecDeque;

pub(super) struct MemoryStore {
    capacity: usize,
    next_id: u64,
    /// Recording order; ids are consecutive, so `records[i].id == first id + i`.
    records: VecDeque<Packed>,
    /// Facility → its records' (ms, id), the search index. foldhash, seeded per map (hashbrown's
    /// default): a request's facility is a key, and the map holds at most `capacity` of them.
    by_facility: HashMap<String, Index>,
}

/// A facility's records as (ms, id), in recording order (ids rising).
#[derive(Default)]
struct Index {
    keys: VecDeque<(i64, u64)>,
    /// Every key's ms is at least the one before: the keys are in (ms, id) order.
    ordered: bool,
}

impl Index {
    fn push(&mut self, key: (i64, u64)) {
        if self.keys.is_empty() {
            self.ordered = true;
        } else if self.keys.back().is_some_and(|last| last.0 > key.0) {
            self.ordered = false;
        }
        self.keys.push_back(key);
    }
}

impl MemoryStore {
    pub(super) fn new(capacity: usize) -> Self {
        MemoryStore {
            capacity: capacity.max(1),
            next_id: 1,
            // Reserved up front (address space only until filled): growing by doubling would
            // copy tens of MB under the lock while requests wait (p99 > 100 ms, issue 16).
            records: VecDeque::with_capacity(capacity.clamp(1, super::DEFAULT_MEMORY_CAPACITY)),
            by_facility: HashMap::new(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.records.len()
    }

    /// Records one confirmation (its id is assigned here) and hands back the record dropped
    /// beyond capacity, so that the caller frees it after releasing the history's lock.
    pub(super) fn insert(&mut self, mut p: Packed) -> (u64, Option<Packed>) {
        p.id = self.next_id;
        self.next_id += 1;
        let key = (to_millis(p.confirmed_at), p.id);
        // No key copy per record: the facility is looked up first, inserted once.
        match self.by_facility.get_mut(p.facility()) {
            Some(index) => index.push(key),
            None => {
                let mut index = Index::default();
                index.push(key);
                self.by_facility.insert(p.facility().to_owned(), index);
            }
        }
        let id = p.id;
        let mut dropped = None;
        // Room first, then the record: a push onto the full ring would double its buffer
        // (reserved at `capacity`), copying every record under the lock and, as the ring then
        // turns through the new half, touching twice the memory (`benches/load/memory.sh`:
        // 638 → 551 MB RSS with 100,000 records).
        while self.records.len() >= self.capacity {
            if let Some(old) = self.records.pop_front() {
                // The oldest record is the first of its facility's (ids rise in both).
                if let Some(index) = self.by_facility.get_mut(old.facility()) {
                    index.keys.pop_front();
                    if index.keys.is_empty() {
                        self.by_facility.remove(old.facility());
                    }
                }
                dropped = Some(old);
            }
        }
        self.records.push_back(p);
        (id, dropped)
    }

    pub(super) fn insert_many(&mut self, batch: &mut [HistoryRecord]) {
        for r in batch.iter_mut() {
            r.id = self.insert(Packed::new(r)).0;
        }
    }

    pub(super) fn get(&self, id: u64) -> Option<HistoryRecord> {
        self.by_id(id).map(|p| p.record(true))
    }

    pub(super) fn set_prescription_form(&mut self, id: u64, label: &str) -> bool {
        let Some(first) = self.records.front().map(|r| r.id) else {
            return false;
        };
        let Some(i) = id.checked_sub(first).and_then(|d| usize::try_from(d).ok()) else {
            return false;
        };
        let Some(p) = self.records.get_mut(i) else {
            return false;
        };
        let mut r = p.record(true);
        match r.detail.as_mut() {
            Some(d) => {
                d.prescription_issue_form = label.to_owned();
                *p = Packed::new(&r);
                true
            }
            None => false,
        }
    }

    fn by_id(&self, id: u64) -> Option<&Packed> {
        let first = self.records.front()?.id;
        let i = usize::try_from(id.checked_sub(first)?).ok()?;
        self.records.get(i)
    }

    pub(super) fn all(&self) -> Vec<HistoryRecord> {
        self.records.iter().map(|p| p.record(true)).collect()
    }

    pub(super) fn search(
        &self,
        c: &SearchConditions,
        offset: usize,
        limit: usize,
    ) -> Result<SearchPage, OverLimit> {
        let mut page = SearchPage {
            total: 0,
            first_seq: offset + 1,
            records: Vec::new(),
        };
        let Some(index) = self.by_facility.get(&c.facility) else {
            return Ok(page);
        };
        if c.from_ms >= c.until_ms {
            return Ok(page);
        }
        let matches = |&(ms, id): &(i64, u64)| {
            (c.from_ms <= ms && ms < c.until_ms)
                .then(|| self.by_id(id))
                .flatten()
                .filter(|p| c.matches_rest(p.kind, p.login_id(), p.reference_number()))
        };
        // Newest first by (資格確認日時, id), as the SQLite index orders them.
        let hits: Vec<&Packed> = if index.ordered {
            let keys = &index.keys;
            let start = keys.partition_point(|k| k.0 < c.from_ms);
            let end = keys.partition_point(|k| k.0 < c.until_ms);
            let mut hits = Vec::new();
            for p in keys.range(start..end).rev().filter_map(matches) {
                if hits.len() == SEARCH_LIMIT {
                    return Err(OverLimit);
                }
                hits.push(p);
            }
            hits
        } else {
            let mut keyed = Vec::new();
            for (key, p) in index.keys.iter().filter_map(|k| Some((k, matches(k)?))) {
                if keyed.len() == SEARCH_LIMIT {
                    return Err(OverLimit);
                }
                keyed.push((*key, p));
            }
            keyed.sort_unstable_by_key(|(key, _)| std::cmp::Reverse(*key));
            keyed.into_iter().map(|(_, p)| p).collect()
        };
        page.total = hits.len();
        page.records = hits
            .iter()
            .skip(offset)
            .take(limit)
            .map(|p| p.record(false))
            .collect();
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn record(facility: &str) -> HistoryRecord {
        HistoryRecord {
            id: 0,
            facility: facility.to_owned(),
            confirmed_at: DateTime::parse_from_rfc3339("2021-01-06T10:00:00+09:00")
                .expect("valid time"),
            login_id: "renkei01".to_owned(),
            reference_number: None,
            kind: super::super::ConfirmationKind::InsuranceCard,
            result: "有効".to_owned(),
            insurer_number: "06139000".to_owned(),
            card: "9000 10001 01".to_owned(),
            name: String::new(),
            sex: String::new(),
            birthdate: String::new(),
            detail: None,
        }
    }

    /// Once full, the store keeps the newest records in the ring it reserved: it never grows
    /// (a doubled ring is twice the memory, touched as it turns) and its index stays as small.
    #[test]
    fn a_full_store_keeps_its_reserved_ring() {
        let mut store = MemoryStore::new(100);
        let reserved = store.records.capacity();
        for i in 0..250 {
            store.insert(Packed::new(&record(if i % 2 == 0 {
                "1310001000"
            } else {
                "1310001001"
            })));
        }
        assert_eq!(store.len(), 100);
        assert_eq!(store.records.capacity(), reserved);
        assert_eq!(store.records.front().map(|r| r.id), Some(151));
        assert_eq!(store.records.back().map(|r| r.id), Some(250));
        let indexed: usize = store.by_facility.values().map(|i| i.keys.len()).sum();
        assert_eq!(indexed, 100);
    }

    /// A search answers as filtering every record and ordering the hits by (time, id) newest
    /// first does: with times only rising (a range of the index) and after the clock went back
    /// (the facility's hits sorted), over capacity, pages and the limit.
    #[test]
    fn a_search_is_every_matching_record_newest_first() {
        use super::super::ConfirmationKind as K;
        let base = DateTime::parse_from_rfc3339("2021-01-06T10:00:00+09:00").expect("time");
        for backwards in [false, true] {
            let mut store = MemoryStore::new(300);
            let mut kept = Vec::new();
            for i in 0..400i64 {
                // Times rise by 7 s; with `backwards`, every 50th record is a day earlier, and
                // some share a millisecond.
                let ms = if backwards && i % 50 == 25 {
                    i * 7_000 - 86_400_000
                } else {
                    (i / 3) * 7_000
                };
                let mut r = record(if i % 3 == 0 {
                    "1310001000"
                } else {
                    "1310001001"
                });
                r.confirmed_at = base + chrono::Duration::milliseconds(ms);
                r.kind = if i % 4 == 0 {
                    K::Bulk
                } else {
                    K::InsuranceCard
                };
                r.id = store.insert(Packed::new(&r)).0;
                kept.push(r);
            }
            let kept = &kept[kept.len() - 300..];
            for (from, until, kinds, offset, limit) in [
                (i64::MIN, i64::MAX, u32::MAX, 0, 1000),
                (-86_400_000, 500_000, K::InsuranceCard.bit(), 3, 10),
                (200_000, 200_001, u32::MAX, 0, 10),
                (300_000, 100_000, u32::MAX, 0, 10),
            ] {
                let c = SearchConditions {
                    facility: "1310001001".into(),
                    from_ms: to_millis(base) + from.clamp(-10_i64.pow(12), 10_i64.pow(12)),
                    until_ms: to_millis(base) + until.clamp(-10_i64.pow(12), 10_i64.pow(12)),
                    kinds,
                    login_id: None,
                    reference_number: None,
                };
                let mut expected: Vec<&HistoryRecord> = kept
                    .iter()
                    .filter(|r| {
                        let ms = to_millis(r.confirmed_at);
                        r.facility == c.facility
                            && c.from_ms <= ms
                            && ms < c.until_ms
                            && c.kinds & r.kind.bit() != 0
                    })
                    .collect();
                expected.sort_by_key(|r| std::cmp::Reverse((to_millis(r.confirmed_at), r.id)));
                let page = store.search(&c, offset, limit).expect("under the limit");
                assert_eq!(page.total, expected.len(), "backwards {backwards}");
                let ids: Vec<u64> = page.records.iter().map(|r| r.id).collect();
                let want: Vec<u64> = expected
                    .iter()
                    .skip(offset)
                    .take(limit)
                    .map(|r| r.id)
                    .collect();
                assert_eq!(ids, want, "backwards {backwards} from {from}");
            }
        }
    }
}
