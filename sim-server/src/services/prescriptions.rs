//! The pharmacy's prescription retrieval (FLOW-17 / FLOW-31, SCR-12 / SCR-24): its environment
//! settings (ENV-04 「電子処方箋」, ENV-05 「リフィル処方箋」) and the prescriptions it has
//! retrieved (RULE-28: once retrieved, a prescription needs a cancellation to be retrieved
//! again; the cancellation is not described in the manual). Rules in `oqs_domain::prescription`.

use oqs_domain::prescription::PharmacySettings;
use std::collections::HashSet;
use std::sync::{Mutex, RwLock};

/// Retrievals kept at most (bounded memory); beyond, the oldest are forgotten.
pub const MAX_RETRIEVED: usize = 100_000;

/// (医療機関コード, 引換番号).
type Key = (String, String);

/// The pharmacy side of the 電子処方箋管理サービス.
#[derive(Debug, Default)]
pub struct Pharmacy {
    settings: RwLock<PharmacySettings>,
    /// (医療機関コード, 引換番号) retrieved, in order.
    retrieved: Mutex<(HashSet<Key>, std::collections::VecDeque<Key>)>,
}

impl Pharmacy {
    pub fn settings(&self) -> PharmacySettings {
        *self.settings.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_settings(&self, s: PharmacySettings) {
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = s;
    }

    pub fn is_retrieved(&self, facility: &str, exchange_number: &str) -> bool {
        let m = self.retrieved.lock().unwrap_or_else(|p| p.into_inner());
        m.0.contains(&(facility.to_owned(), exchange_number.to_owned()))
    }

    pub fn mark_retrieved(&self, facility: &str, exchange_number: &str) {
        let mut m = self.retrieved.lock().unwrap_or_else(|p| p.into_inner());
        let key = (facility.to_owned(), exchange_number.to_owned());
        if m.0.insert(key.clone()) {
            m.1.push_back(key);
        }
        while m.1.len() > MAX_RETRIEVED {
            if let Some(old) = m.1.pop_front() {
                m.0.remove(&old);
            }
        }
    }

    /// Forgets every retrieval (the manual's 取消処理 is not described; a reset stands in).
    pub fn clear(&self) -> usize {
        let mut m = self.retrieved.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.1.len();
        m.0.clear();
        m.1.clear();
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retrievals_are_kept_per_facility_and_bounded() {
        let p = Pharmacy::default();
        p.mark_retrieved("1341234567", "000001");
        assert!(p.is_retrieved("1341234567", "000001"));
        assert!(!p.is_retrieved("1234567890", "000001"));
        for i in 0..MAX_RETRIEVED {
            p.mark_retrieved("1341234567", &format!("{i:07}"));
        }
        assert!(
            !p.is_retrieved("1341234567", "000001"),
            "the oldest went first"
        );
        assert_eq!(p.clear(), MAX_RETRIEVED);
    }
}
