//! The in-memory store: the newest `capacity` records in recording order, with a per-facility
//! index ordered by (資格確認日時, id) — the same order as the SQLite index.

use super::packed::Packed;
use super::query::SearchConditions;
use super::{to_millis, HistoryRecord, OverLimit, SearchPage, SEARCH_LIMIT};
use std::collections::{BTreeSet, HashMap, VecDeque};

pub(super) struct MemoryStore {
    capacity: usize,
    next_id: u64,
    /// Recording order; ids are consecutive, so `records[i].id == first id + i`.
    records: VecDeque<Packed>,
    /// Facility → (ms, id), the search index.
    by_facility: HashMap<String, BTreeSet<(i64, u64)>>,
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
            Some(set) => {
                set.insert(key);
            }
            None => {
                self.by_facility
                    .insert(p.facility().to_owned(), BTreeSet::from([key]));
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
                if let Some(set) = self.by_facility.get_mut(old.facility()) {
                    set.remove(&(to_millis(old.confirmed_at), old.id));
                    if set.is_empty() {
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
        let Some(set) = self.by_facility.get(&c.facility) else {
            return Ok(page);
        };
        if c.from_ms >= c.until_ms {
            return Ok(page);
        }
        let hits = set
            .range((c.from_ms, 0)..(c.until_ms, 0))
            .rev()
            .filter_map(|(_, id)| self.by_id(*id))
            .filter(|p| c.matches_rest(p.kind, p.login_id(), p.reference_number()));
        for r in hits {
            page.total += 1;
            if page.total > SEARCH_LIMIT {
                return Err(OverLimit);
            }
            if page.total > offset && page.records.len() < limit {
                page.records.push(r.record(false));
            }
        }
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
        let indexed: usize = store.by_facility.values().map(BTreeSet::len).sum();
        assert_eq!(indexed, 100);
    }
}
