//! 保管調剤結果 (ch.11, JOB-05): the dispensing results a pharmacy stored in 調剤済み処方箋の保存
//! サービス, and the rules of their bulk acquisition: the period (RULE-70, ERR-31), the
//! 調剤結果一括取得ID (DM-21, AMB-78) and the download deadline (RULE-72). No I/O, no clock: the
//! caller passes `now`.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

/// RULE-70: 「指定可能な最長期間は、1 ヶ月（31 日）以内です。」 — read as (終了 − 開始 + 1) ≤ 31
/// days (AMB-39 (a); the manual's own example ends after its request date).
pub const MAX_PERIOD_DAYS: i64 = 31;
/// RULE-72: downloadable 「取得日を含めて 7 日間」: the deadline is the request day + 6.
pub const DOWNLOAD_DAYS: i64 = 7;
/// RULE-73: rows per page of SCR-34, newest first.
pub const PER_PAGE: usize = 9;

/// One stored dispensing result (調剤結果) of a pharmacy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDispensingResult {
    /// The fixture's handle of the result (調剤結果ID), unique per pharmacy.
    pub id: Box<str>,
    /// 薬局コード (医療機関コード of the pharmacy), 10 digits.
    pub pharmacy: Box<str>,
    /// 調剤年月日: what the acquisition period selects on (ch.11 §1).
    pub dispensed_on: NaiveDate,
    /// The patient, a person of the population (its `PersonId`).
    pub person: u32,
    /// 処方箋を発行した医療機関の名称 (optional).
    pub prescriber: Option<Box<str>>,
    /// The dispensed medicines as written on the record, one line each.
    pub medicines: Vec<Box<str>>,
}

/// Every stored result, by pharmacy and 調剤年月日 (a period is one range read).
#[derive(Debug, Clone, Default)]
pub struct StoredResults {
    by_key: BTreeMap<(Box<str>, NaiveDate, Box<str>), StoredDispensingResult>,
    /// (pharmacy, id) → date: one id per pharmacy.
    dates: HashMap<(Box<str>, Box<str>), NaiveDate>,
}

impl StoredResults {
    /// Adds or replaces (same pharmacy, date and id) one result.
    pub fn insert(&mut self, r: StoredDispensingResult) {
        // One id per pharmacy: a result moved to another date replaces the old one.
        let key = (r.pharmacy.clone(), r.id.clone());
        if let Some(old) = self.dates.insert(key, r.dispensed_on) {
            self.by_key.remove(&(r.pharmacy.clone(), old, r.id.clone()));
        }
        self.by_key
            .insert((r.pharmacy.clone(), r.dispensed_on, r.id.clone()), r);
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// The pharmacy's results dispensed from `start` to `end` (both included), oldest first.
    pub fn in_period<'a>(
        &'a self,
        pharmacy: &str,
        start: NaiveDate,
        end: NaiveDate,
    ) -> impl Iterator<Item = &'a StoredDispensingResult> + 'a {
        let from: (Box<str>, NaiveDate, Box<str>) = (pharmacy.into(), start, "".into());
        let to = end.succ_opt().map_or(Bound::Unbounded, |next| {
            Bound::Excluded((Box::<str>::from(pharmacy), next, Box::<str>::from("")))
        });
        let pharmacy: Box<str> = pharmacy.into();
        self.by_key
            .range((Bound::Included(from), to))
            .map(|(_, r)| r)
            .filter(move |r| r.pharmacy == pharmacy)
    }
}

/// Why an acquisition period is refused (SCR-33).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// 「注意 取得条件の項目について全て入力してください。」
    #[error("{0} is missing: both dates of the period are required")]
    Missing(&'static str),
    /// Not a YYYYMMDD date.
    #[error("{field}: \"{value}\" is not a date YYYYMMDD")]
    Format { field: &'static str, value: String },
    /// 終了 before 開始.
    #[error("the end {end} is before the start {start}")]
    Reversed { start: NaiveDate, end: NaiveDate },
    /// ERR-31 (RULE-70): longer than 31 days.
    #[error("{start}..{end} is {days} days; at most 31 days including both ends (RULE-70)")]
    TooLong {
        start: NaiveDate,
        end: NaiveDate,
        days: i64,
    },
}

/// Element names of the two dates, for error details.
pub const START_FIELD: &str = "AcquisitionStartDate";
pub const END_FIELD: &str = "AcquisitionEndDate";

fn date(field: &'static str, v: Option<&str>) -> Result<NaiveDate, PeriodError> {
    let v = v.map(str::trim).filter(|s| !s.is_empty());
    let v = v.ok_or(PeriodError::Missing(field))?;
    let ok = v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| NaiveDate::parse_from_str(v, "%Y%m%d").ok())
        .flatten()
        .ok_or_else(|| PeriodError::Format {
            field,
            value: v.chars().take(20).collect(),
        })
}

/// A date as typed on SCR-33 (DATE: `yyyy/mm/dd`, month and day with or without their zero)
/// → `YYYYMMDD` for [`check_period`]; anything else is passed on as typed (and refused there).
pub fn typed_date(typed: &str) -> String {
    let t = typed.trim();
    match t.split('/').collect::<Vec<_>>().as_slice() {
        [y, m, d] if y.len() == 4 && (1..=2).contains(&m.len()) && (1..=2).contains(&d.len()) => {
            format!("{y}{m:0>2}{d:0>2}")
        }
        _ => t.to_owned(),
    }
}

/// `YYYYMMDD` as SCR-34 shows it, `yyyy/mm/dd` (DM-21); anything else as it is.
pub fn shown_date(yyyymmdd: &str) -> String {
    match yyyymmdd
        .get(..4)
        .zip(yyyymmdd.get(4..6))
        .zip(yyyymmdd.get(6..))
    {
        Some(((y, m), d)) if yyyymmdd.len() == 8 => format!("{y}/{m}/{d}"),
        _ => yyyymmdd.to_owned(),
    }
}

/// RULE-70: both dates given, YYYYMMDD, 開始 ≤ 終了, (終了 − 開始 + 1) ≤ 31.
pub fn check_period(
    start: Option<&str>,
    end: Option<&str>,
) -> Result<(NaiveDate, NaiveDate), PeriodError> {
    let s = date(START_FIELD, start)?;
    let e = date(END_FIELD, end)?;
    if e < s {
        return Err(PeriodError::Reversed { start: s, end: e });
    }
    let days = (e - s).num_days() + 1;
    if days > MAX_PERIOD_DAYS {
        return Err(PeriodError::TooLong {
            start: s,
            end: e,
            days,
        });
    }
    Ok((s, e))
}

/// RULE-72: the last day a result can be downloaded (the request day + 6).
pub fn download_deadline(requested_on: NaiveDate) -> NaiveDate {
    requested_on + Duration::days(DOWNLOAD_DAYS - 1)
}

/// RULE-72/74: whether a finished acquisition with `count` results can be downloaded `today`.
pub fn downloadable(count: usize, deadline: NaiveDate, today: NaiveDate) -> bool {
    count > 0 && today <= deadline
}

/// 調剤結果一括取得ID: 14-digit 処理年月日時分秒 (`at`, JST) + 10-digit 薬局コード, the name of
/// the zip as well (DM-21; AMB-78: the examples match this reading).
pub fn acquisition_id(at: NaiveDateTime, pharmacy: &str) -> String {
    format!("{}{pharmacy}", at.format("%Y%m%d%H%M%S"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y%m%d").unwrap()
    }

    #[test]
    fn typed_dates_become_yyyymmdd() {
        assert_eq!(typed_date(" 2024/07/01 "), "20240701");
        assert_eq!(typed_date("2024/7/1"), "20240701");
        assert_eq!(typed_date("20240701"), "20240701");
        // Not a slashed date: left for check_period to refuse.
        assert_eq!(typed_date("2024//01"), "2024//01");
        assert_eq!(shown_date("20240124"), "2024/01/24");
        assert_eq!(shown_date("2024"), "2024");
        assert!(matches!(
            check_period(Some(&typed_date("2024/13/01")), Some("20240102")),
            Err(PeriodError::Format { .. })
        ));
    }

    #[test]
    fn the_period_is_31_days_at_most_both_ends_included() {
        assert_eq!(
            check_period(Some("20240701"), Some("20240731")),
            Ok((d("20240701"), d("20240731")))
        );
        assert_eq!(
            check_period(Some("20240701"), Some("20240801")),
            Err(PeriodError::TooLong {
                start: d("20240701"),
                end: d("20240801"),
                days: 32
            })
        );
        // One day is a period; the manual's own example ends after its request date.
        assert!(check_period(Some("20240101"), Some("20240101")).is_ok());
        assert!(check_period(Some("20231201"), Some("20231230")).is_ok());
        assert!(matches!(
            check_period(Some("20240711"), Some("20240701")),
            Err(PeriodError::Reversed { .. })
        ));
        assert_eq!(
            check_period(None, Some("20240701")),
            Err(PeriodError::Missing(START_FIELD))
        );
        assert_eq!(
            check_period(Some("20240701"), Some(" ")),
            Err(PeriodError::Missing(END_FIELD))
        );
        assert!(matches!(
            check_period(Some("2024/07/01"), Some("20240702")),
            Err(PeriodError::Format { .. })
        ));
        assert!(matches!(
            check_period(Some("20240230"), Some("20240302")),
            Err(PeriodError::Format { .. })
        ));
    }

    #[test]
    fn deadline_and_id_follow_the_manuals_examples() {
        // 202401181536279940000076 → 2024/01/24; 202401091610159940000076 → 2024/01/15.
        assert_eq!(download_deadline(d("20240118")), d("20240124"));
        assert_eq!(download_deadline(d("20240109")), d("20240115"));
        let at = d("20240118").and_hms_opt(15, 36, 27).unwrap();
        assert_eq!(acquisition_id(at, "9940000076"), "202401181536279940000076");
        assert!(downloadable(1, d("20240124"), d("20240124")));
        assert!(!downloadable(1, d("20240124"), d("20240125")));
        assert!(!downloadable(0, d("20240124"), d("20240118")));
    }

    #[test]
    fn a_period_reads_one_pharmacys_results_in_date_order() {
        let mut s = StoredResults::default();
        for (p, day, id) in [
            ("9940000076", "20240102", "b"),
            ("9940000076", "20240101", "a"),
            ("9940000077", "20240101", "x"),
            ("9940000076", "20240131", "c"),
            ("9940000076", "20240201", "d"),
        ] {
            s.insert(StoredDispensingResult {
                id: id.into(),
                pharmacy: p.into(),
                dispensed_on: d(day),
                person: 0,
                prescriber: None,
                medicines: vec![],
            });
        }
        let ids: Vec<&str> = s
            .in_period("9940000076", d("20240101"), d("20240131"))
            .map(|r| &*r.id)
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        // Moving a result to another date replaces it.
        s.insert(StoredDispensingResult {
            id: "a".into(),
            pharmacy: "9940000076".into(),
            dispensed_on: d("20240301"),
            person: 0,
            prescriber: None,
            medicines: vec![],
        });
        assert_eq!(s.len(), 5);
        assert_eq!(
            s.in_period("9940000076", d("20240101"), d("20240131"))
                .count(),
            2
        );
        assert_eq!(
            s.in_period("9940000076", d("99991231"), d("99991231"))
                .count(),
            0
        );
    }
}
