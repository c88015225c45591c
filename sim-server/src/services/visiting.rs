//! 訪問診療等・オンライン診療等 consent cancellations (FLOW-35, RULE-64/67): the state the
//! consents of the population do not hold. A cancellation is kept per facility and card (the
//! population is swapped whole on fixture loads, so its ids are not stable keys) with the day it
//! happened; the domain shows it in the consent table and refuses later inquiries.

use chrono::NaiveDate;
use oqs_domain::visiting::ConsentId;
use oqs_domain::Population;
use std::collections::HashMap;
use std::sync::RwLock;

/// Cancellations kept at most (bounded memory); beyond, a cancellation is refused.
pub const MAX_CANCELLATIONS: usize = 100_000;

/// A facility's card, as text: 医療機関コード, 保険者番号, 記号, 番号, 枝番.
type CardKey = (Box<str>, u32, Box<str>, Box<str>, Box<str>);

/// The cancellations of 訪問診療等 consents.
#[derive(Debug, Default)]
pub struct Cancellations {
    map: RwLock<HashMap<CardKey, NaiveDate>>,
}

fn key(pop: &Population, id: ConsentId) -> CardKey {
    let c = pop.consent(id);
    let q = pop.qualification(c.qualification);
    (
        c.facility.clone(),
        q.insurer.0,
        q.symbol.clone().unwrap_or_default(),
        q.number.clone(),
        q.branch.clone().unwrap_or_default(),
    )
}

impl Cancellations {
    /// When the consent was cancelled by its facility, if it was.
    pub fn cancelled_on(&self, pop: &Population, id: ConsentId) -> Option<NaiveDate> {
        let m = self.map.read().unwrap_or_else(|p| p.into_inner());
        if m.is_empty() {
            return None;
        }
        m.get(&key(pop, id)).copied()
    }

    /// Cancels the consent on `day`; `false` when the store is full.
    pub fn cancel(&self, pop: &Population, id: ConsentId, day: NaiveDate) -> bool {
        let mut m = self.map.write().unwrap_or_else(|p| p.into_inner());
        if m.len() >= MAX_CANCELLATIONS {
            return false;
        }
        m.entry(key(pop, id)).or_insert(day);
        true
    }

    /// Forgets every cancellation; returns how many there were.
    pub fn clear(&self) -> usize {
        let mut m = self.map.write().unwrap_or_else(|p| p.into_inner());
        let n = m.len();
        m.clear();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancellation_is_kept_once_by_card_and_cleared() {
        let pop = oqs_domain::builtin_population();
        let c = Cancellations::default();
        let id = 0;
        assert_eq!(c.cancelled_on(&pop, id), None);
        let d1 = NaiveDate::from_ymd_opt(2023, 8, 25).expect("date");
        let d2 = NaiveDate::from_ymd_opt(2023, 9, 1).expect("date");
        assert!(c.cancel(&pop, id, d1));
        assert!(c.cancel(&pop, id, d2));
        assert_eq!(c.cancelled_on(&pop, id), Some(d1), "the first day stays");
        assert_eq!(c.cancelled_on(&pop, 1), None);
        assert_eq!(c.clear(), 1);
        assert_eq!(c.cancelled_on(&pop, id), None);
    }
}
