//! The manual's judgement of an insurance-card search (ch.4, RULE-01..04, RULE-31/32).

use crate::model::{Population, QualificationId};
use chrono::{Datelike, NaiveDate};
use oqs_protocol::codes::QualificationValidity;
use oqs_protocol::message::InsurerNumber;

/// What the person at the counter typed from the card (already format-checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardSearch<'a> {
    pub insurer: InsurerNumber,
    pub symbol: Option<&'a str>,
    pub number: &'a str,
    /// `None` when the card has no 枝番 or it was not entered (RULE-31).
    pub branch: Option<&'a str>,
    pub birthdate: NaiveDate,
}

/// The outcome of a search on a confirmation date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 該当資格なし.
    NotFound,
    /// 複数該当: several persons match (twins without 枝番, RULE-32), in 枝番 order.
    Multiple(Vec<QualificationId>),
    /// One qualification, judged for the date: 有効 / 無効 / 無効（新しい資格あり）.
    Single(QualificationId, QualificationValidity),
}

impl Outcome {
    pub fn validity(&self) -> QualificationValidity {
        match self {
            Outcome::NotFound => QualificationValidity::NotFound,
            Outcome::Multiple(_) => QualificationValidity::Multiple,
            Outcome::Single(_, v) => *v,
        }
    }
}

/// RULE-01..03: the validity of a presented qualification on `date`.
pub fn validity_on(
    pop: &Population,
    id: QualificationId,
    date: NaiveDate,
) -> QualificationValidity {
    let q = pop.qualification(id);
    if q.is_valid_on(date) {
        return QualificationValidity::Valid;
    }
    // RULE-03: the presented card has ended and the person has a newer one (starting later).
    // A card not yet begun on the date is plainly invalid: nothing newer replaced it.
    if date < q.valid_from {
        return QualificationValidity::Invalid;
    }
    let newer = pop
        .qualifications_of(q.person)
        .any(|other| other != id && pop.qualification(other).valid_from > q.valid_from);
    if newer {
        QualificationValidity::InvalidWithNewer
    } else {
        QualificationValidity::Invalid
    }
}

/// Among several qualifications of one person under one card key, the one to present:
/// the one valid on `date`, else the one that started last.
fn pick_for_person(
    pop: &Population,
    ids: &[QualificationId],
    date: NaiveDate,
) -> Option<QualificationId> {
    ids.iter()
        .copied()
        .find(|&id| pop.qualification(id).is_valid_on(date))
        .or_else(|| {
            ids.iter()
                .copied()
                .max_by_key(|&id| pop.qualification(id).valid_from)
        })
}

/// RULE-31/32: find the card, with or without 枝番, and judge it for `date`.
pub fn judge(pop: &Population, s: &CardSearch<'_>, date: NaiveDate) -> Outcome {
    let mut found = pop
        .qualifications_by_card(s.insurer, s.symbol, s.number)
        .filter(|&id| {
            let q = pop.qualification(id);
            pop.person(q.person).birthdate == s.birthdate
                && (s.branch.is_none() || q.branch.as_deref() == s.branch)
        });
    let Some(first) = found.next() else {
        return Outcome::NotFound;
    };
    let Some(second) = found.next() else {
        // One card matches (the usual case): one person, nothing to group; no allocation.
        return match pick_for_person(pop, &[first], date) {
            Some(id) => Outcome::Single(id, validity_on(pop, id, date)),
            None => Outcome::NotFound,
        };
    };
    let mut matches = vec![first, second];
    matches.extend(found);
    // Group by person: several persons = 複数該当; one person = that person's card.
    matches.sort_by_key(|&id| (pop.qualification(id).person, id));
    let mut persons: Vec<Vec<QualificationId>> = Vec::new();
    for id in matches {
        match persons.last_mut() {
            Some(group) if pop.qualification(group[0]).person == pop.qualification(id).person => {
                group.push(id)
            }
            _ => persons.push(vec![id]),
        }
    }
    let mut picked: Vec<QualificationId> = persons
        .iter()
        .filter_map(|g| pick_for_person(pop, g, date))
        .collect();
    match picked.len() {
        0 => Outcome::NotFound,
        1 => {
            let id = picked[0];
            Outcome::Single(id, validity_on(pop, id, date))
        }
        _ => {
            picked.sort_by(|&a, &b| {
                let (qa, qb) = (pop.qualification(a), pop.qualification(b));
                qa.branch.cmp(&qb.branch).then(a.cmp(&b))
            });
            Outcome::Multiple(picked)
        }
    }
}

/// 年度 (April–March) of a date.
pub fn fiscal_year(d: NaiveDate) -> i32 {
    if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    }
}

/// RULE-04 義務教育就学前: born on or after (FY(date) − 6)-04-02. The date is the 資格確認日
/// of the inquiry (AMB-81: the simulator's decision).
pub fn is_preschool(birthdate: NaiveDate, date: NaiveDate) -> bool {
    match NaiveDate::from_ymd_opt(fiscal_year(date) - 6, 4, 2) {
        Some(threshold) => birthdate >= threshold,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn preschool_boundaries_of_the_manual_example() {
        // 「例: in FY2023, born on or after 2017-04-02」.
        assert!(is_preschool(d(2017, 4, 2), d(2023, 4, 1)));
        assert!(!is_preschool(d(2017, 4, 1), d(2023, 4, 1)));
        assert!(is_preschool(d(2017, 4, 2), d(2024, 3, 31)));
        assert!(!is_preschool(d(2017, 4, 2), d(2024, 4, 1)));
        // 資格 十美, born 2017-01-01: preschool until 2023-03-31.
        assert!(is_preschool(d(2017, 1, 1), d(2023, 3, 31)));
        assert!(!is_preschool(d(2017, 1, 1), d(2023, 4, 1)));
    }

    #[test]
    fn newer_qualification_only_after_the_presented_one_has_begun() {
        let pop = crate::builtin_population();
        let taro_family = InsurerNumber::parse("06139000").unwrap();
        let ichiro = pop
            .find_qualification(taro_family, Some("9000"), "10001", Some("03"))
            .unwrap();
        assert_eq!(
            validity_on(&pop, ichiro, d(2021, 1, 31)),
            QualificationValidity::Valid
        );
        assert_eq!(
            validity_on(&pop, ichiro, d(2021, 2, 1)),
            QualificationValidity::InvalidWithNewer
        );
        assert_eq!(
            validity_on(&pop, ichiro, d(2019, 12, 31)),
            QualificationValidity::Invalid
        );
        let hanako = pop
            .find_qualification(taro_family, Some("9000"), "10001", Some("02"))
            .unwrap();
        assert_eq!(
            validity_on(&pop, hanako, d(2021, 1, 6)),
            QualificationValidity::Invalid
        );
    }

    #[test]
    fn fiscal_year_turns_in_april() {
        assert_eq!(fiscal_year(d(2021, 3, 31)), 2020);
        assert_eq!(fiscal_year(d(2021, 4, 1)), 2021);
    }
}
