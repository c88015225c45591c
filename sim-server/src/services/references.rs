//! 照会番号 (reference numbers, ch.7): the facilities' registrations.
//!
//! Registrations are kept here, not in the population (which is swapped whole on fixture loads
//! and may hold a million persons): a registration keyed by facility and card (保険者番号, 記号,
//! 番号, 枝番) overrides the fixture's number, an empty value deletes it (RULE-51). Every inquiry
//! result passes through [`ReferenceNumbers::patch`]. They are registered by the job engine
//! (OQSsiimm01, JOB-02: `jobs::registration`), which also keeps them in `jobs.sqlite`.

use hashbrown::{Equivalent, HashMap};
use oqs_protocol::message::{InsurerNumber, QualificationResult};
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

/// A [`RefKey`] borrowed from an inquiry result: it hashes and compares as the key it stands
/// for, so [`ReferenceNumbers::patch`] looks a result up without building a key (four
/// allocations per result, on every inquiry once any number is registered).
#[derive(Hash)]
struct BorrowedKey<'a> {
    facility: &'a str,
    insurer: u32,
    symbol: &'a str,
    number: &'a str,
    branch: &'a str,
}

impl Equivalent<RefKey> for BorrowedKey<'_> {
    fn equivalent(&self, key: &RefKey) -> bool {
        self.insurer == key.insurer
            && self.number == &*key.number
            && self.symbol == &*key.symbol
            && self.branch == &*key.branch
            && self.facility == &*key.facility
    }
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

fn key_of_result<'a>(facility: &'a str, r: &'a QualificationResult) -> Option<BorrowedKey<'a>> {
    let insurer = InsurerNumber::parse(r.insurer_number.as_deref()?).ok()?;
    Some(BorrowedKey {
        facility,
        insurer: insurer.0,
        symbol: r.insured_card_symbol.as_deref().unwrap_or(""),
        number: r.insured_identification_number.as_deref()?,
        branch: r.insured_branch_number.as_deref().unwrap_or(""),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(symbol: Option<&str>, number: &str, branch: Option<&str>) -> QualificationResult {
        QualificationResult {
            insurer_number: Some("06139000".into()),
            insured_card_symbol: symbol.map(Into::into),
            insured_identification_number: Some(number.into()),
            insured_branch_number: branch.map(Into::into),
            ..QualificationResult::default()
        }
    }

    #[test]
    fn a_result_finds_its_own_registration_and_no_other() {
        let numbers = ReferenceNumbers::default();
        let key = |facility: &str, symbol: &str, number: &str, branch: &str| RefKey {
            facility: facility.into(),
            insurer: 6139000,
            symbol: symbol.into(),
            number: number.into(),
            branch: branch.into(),
        };
        numbers.load(vec![
            (key("1234567890", "9000", "10001", "01"), Some("R-1".into())),
            (key("1234567890", "", "10002", ""), Some("R-2".into())),
            (key("1234567890", "9000", "10003", "01"), None),
        ]);
        let mut results = vec![
            result(Some("9000"), "10001", Some("01")),
            // No 記号 / 枝番: keyed by "".
            result(None, "10002", None),
            // Each part of the key differs once.
            result(Some("9001"), "10001", Some("01")),
            result(Some("9000"), "10009", Some("01")),
            result(Some("9000"), "10001", Some("02")),
            // Deleted: the fixture's number is removed.
            QualificationResult {
                reference_number: Some("fixture".into()),
                ..result(Some("9000"), "10003", Some("01"))
            },
        ];
        numbers.patch("1234567890", &mut results);
        let shown: Vec<Option<&str>> = results
            .iter()
            .map(|r| r.reference_number.as_deref())
            .collect();
        assert_eq!(shown, [Some("R-1"), Some("R-2"), None, None, None, None]);
        // Another facility sees none of them.
        let mut other = vec![result(Some("9000"), "10001", Some("01"))];
        numbers.patch("1234567891", &mut other);
        assert_eq!(other[0].reference_number, None);
    }
}
