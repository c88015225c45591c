//! 照会番号 (reference numbers, ch.7): the facilities' registrations.
//!
//! Registrations are kept here, not in the population (which is swapped whole on fixture loads
//! and may hold a million persons): a registration keyed by facility and card (保険者番号, 記号,
//! 番号, 枝番) overrides the fixture's number, an empty value deletes it (RULE-51). Every inquiry
//! result passes through [`ReferenceNumbers::patch`]. They are registered by the job engine
//! (OQSsiimm01, JOB-02: `jobs::registration`), which also keeps them in `jobs.sqlite`.

use oqs_protocol::message::{InsurerNumber, QualificationResult};
use std::collections::HashMap;
use std::sync::{RwLock, RwLockWriteGuard};

/// Registrations kept at most (bounded memory); beyond, registrations fail with システムエラー.
pub const MAX_REFERENCE_NUMBERS: usize = 1_000_000;

/// A facility's card: the key of a registration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RefKey {
    pub facility: Box<str>,
    pub insurer: u32,
    /// "" when the card has no 記号 / 枝番.
    pub symbol: Box<str>,
    pub number: Box<str>,
    pub branch: Box<str>,
}

/// The registrations (`None`: deleted).
#[derive(Debug, Default)]
pub struct ReferenceNumbers {
    map: RwLock<HashMap<RefKey, Option<Box<str>>>>,
}

impl ReferenceNumbers {
    pub(crate) fn load(&self, rows: Vec<(RefKey, Option<String>)>) {
        let mut m = self.map.write().unwrap_or_else(|p| p.into_inner());
        for (k, v) in rows {
            m.insert(k, v.map(Into::into));
        }
    }

    pub fn len(&self) -> usize {
        self.map.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every registration (fixture numbers show again); returns how many there were.
    pub(crate) fn clear(&self) -> usize {
        let mut m = self.map.write().unwrap_or_else(|p| p.into_inner());
        let n = m.len();
        m.clear();
        n
    }

    /// The map, to change it while a registration is also written to the store.
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, HashMap<RefKey, Option<Box<str>>>> {
        self.map.write().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn get(&self, key: &RefKey) -> Option<Option<String>> {
        self.map
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .map(|v| v.as_deref().map(str::to_owned))
    }

    /// Puts the facility's registered numbers into inquiry results (RULE-51: a registered
    /// number is shown on later checks).
    pub fn patch(&self, facility: &str, results: &mut [QualificationResult]) {
        let map = self.map.read().unwrap_or_else(|p| p.into_inner());
        if map.is_empty() {
            return;
        }
        for r in results {
            if let Some(key) = key_of_result(facility, r) {
                if let Some(v) = map.get(&key) {
                    r.reference_number = v.as_deref().map(str::to_owned);
                }
            }
        }
    }
}

fn key_of_result(facility: &str, r: &QualificationResult) -> Option<RefKey> {
    let insurer = InsurerNumber::parse(r.insurer_number.as_deref()?).ok()?;
    Some(RefKey {
        facility: facility.into(),
        insurer: insurer.0,
        symbol: r.insured_card_symbol.as_deref().unwrap_or("").into(),
        number: r.insured_identification_number.as_deref()?.into(),
        branch: r.insured_branch_number.as_deref().unwrap_or("").into(),
    })
}
