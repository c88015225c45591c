//! システム障害時の資格確認 (ch.12 §1, RULE-91/92, DM-23): what staff note from a My Number card
//! while the system cannot be used, and the later check of the qualification from those notes
//! after recovery. The manual shows no screen for the later check: the rule here finds the person
//! by the noted 氏名（漢字） and 生年月日 (narrowed by 性別, 氏名（カナ）, 住所 and 加入している保険者名
//! when given) and judges their qualification on the day they came. No I/O, no clock.

use crate::model::{PersonId, Population, QualificationId};
use chrono::NaiveDate;
use oqs_protocol::codes::{QualificationValidity, Sex};

/// DM-23: 【マイナンバーカードの券面から控える情報】 氏名（漢字）、性別、生年月日、住所;
/// 【問診票やヒアリング内容から取得する情報】 氏名（カナ）、加入している保険者名（任意）.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotedData {
    pub name: String,
    pub sex: Option<Sex>,
    pub birthdate: Option<NaiveDate>,
    pub address: Option<String>,
    pub kana: Option<String>,
    pub insurer_name: Option<String>,
}

/// Why the notes cannot be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotesError {
    #[error("氏名（漢字） is required")]
    NoName,
    #[error("生年月日 is required")]
    NoBirthdate,
}

/// The later check's judgement: the validity and the qualifications to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaterCheck {
    pub validity: QualificationValidity,
    pub qualifications: Vec<QualificationId>,
}

/// Names compare without their spaces (half- or full-width), as staff write them.
fn bare(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Readings compare in one form (half-width katakana) without spaces.
fn bare_kana(s: &str) -> String {
    bare(&oqs_protocol::names::half_width_kana(s))
}

fn persons_matching(pop: &Population, n: &NotedData, birthdate: NaiveDate) -> Vec<PersonId> {
    let name = bare(&n.name);
    let mut found: Vec<PersonId> = (0..pop.person_count() as PersonId)
        .filter(|&id| {
            let p = pop.person(id);
            p.birthdate == birthdate
                && (bare(&p.name) == name
                    || p.other_name.as_deref().is_some_and(|o| bare(o) == name))
        })
        .collect();
    // The optional notes narrow several candidates; they never empty the list.
    let narrow = |found: &mut Vec<PersonId>, keep: &dyn Fn(PersonId) -> bool| {
        let kept: Vec<PersonId> = found.iter().copied().filter(|&id| keep(id)).collect();
        if !kept.is_empty() {
            *found = kept;
        }
    };
    if let Some(sex) = n.sex {
        narrow(&mut found, &|id| pop.person(id).sex == sex);
    }
    if let Some(kana) = n.kana.as_deref().map(bare_kana).filter(|k| !k.is_empty()) {
        narrow(&mut found, &|id| {
            bare_kana(&pop.person(id).name_kana) == kana
        });
    }
    if let Some(addr) = n.address.as_deref().map(bare).filter(|a| !a.is_empty()) {
        narrow(&mut found, &|id| {
            pop.person(id).address.as_deref().map(bare).as_deref() == Some(addr.as_str())
        });
    }
    if let Some(ins) = n
        .insurer_name
        .as_deref()
        .map(bare)
        .filter(|a| !a.is_empty())
    {
        narrow(&mut found, &|id| {
            pop.qualifications_of(id).any(|q| {
                pop.insurer(pop.qualification(q).insurer)
                    .is_some_and(|i| bare(&i.name) == ins)
            })
        });
    }
    found
}

/// RULE-92: the qualification of the person the notes describe, judged on `visited_on` (the day
/// the patient came during the outage).
pub fn later_check(
    pop: &Population,
    notes: &NotedData,
    visited_on: NaiveDate,
) -> Result<LaterCheck, NotesError> {
    if bare(&notes.name).is_empty() {
        return Err(NotesError::NoName);
    }
    let birthdate = notes.birthdate.ok_or(NotesError::NoBirthdate)?;
    let persons = persons_matching(pop, notes, birthdate);
    let valid_of = |id: PersonId| -> Vec<QualificationId> {
        pop.qualifications_of(id)
            .filter(|&q| pop.qualification(q).is_valid_on(visited_on))
            .collect()
    };
    Ok(match persons.as_slice() {
        [] => LaterCheck {
            validity: QualificationValidity::NotFound,
            qualifications: vec![],
        },
        [one] => {
            let valid = valid_of(*one);
            if !valid.is_empty() {
                LaterCheck {
                    validity: QualificationValidity::Valid,
                    qualifications: valid,
                }
            } else {
                // None valid that day: the latest begun is shown as the card path judges it.
                match pop
                    .qualifications_of(*one)
                    .filter(|&q| pop.qualification(q).valid_from <= visited_on)
                    .max_by_key(|&q| pop.qualification(q).valid_from)
                {
                    Some(q) => LaterCheck {
                        validity: crate::judgement::validity_on(pop, q, visited_on),
                        qualifications: vec![q],
                    },
                    None => LaterCheck {
                        validity: QualificationValidity::NotFound,
                        qualifications: vec![],
                    },
                }
            }
        }
        several => LaterCheck {
            validity: QualificationValidity::Multiple,
            qualifications: several.iter().flat_map(|&p| valid_of(p)).collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y%m%d").unwrap()
    }

    #[test]
    fn the_notes_find_the_person_and_judge_the_day_of_the_visit() {
        let pop = crate::builtin_population();
        let notes = NotedData {
            name: "新橋　太郎".into(),
            sex: Some(Sex::Male),
            birthdate: Some(d("19540326")),
            ..Default::default()
        };
        let c = later_check(&pop, &notes, d("20210106")).unwrap();
        assert_eq!(c.validity, QualificationValidity::Valid);
        assert_eq!(c.qualifications.len(), 1);
        let q = pop.qualification(c.qualifications[0]);
        assert_eq!(&*pop.person(q.person).key, "shimbashi-taro");
        // A wrong birthdate finds no one; a missing name or birthdate is refused.
        let wrong = NotedData {
            birthdate: Some(d("19540327")),
            ..notes.clone()
        };
        assert_eq!(
            later_check(&pop, &wrong, d("20210106")).unwrap().validity,
            QualificationValidity::NotFound
        );
        assert_eq!(
            later_check(
                &pop,
                &NotedData {
                    birthdate: None,
                    ..notes.clone()
                },
                d("20210106")
            ),
            Err(NotesError::NoBirthdate)
        );
        assert_eq!(
            later_check(&pop, &NotedData::default(), d("20210106")),
            Err(NotesError::NoName)
        );
        // Written with a half-width space and the reading in half-width kana: the same person.
        let typed = NotedData {
            name: "新橋 太郎".into(),
            kana: Some("ｼﾝﾊﾞｼ ﾀﾛｳ".into()),
            sex: None,
            ..notes
        };
        assert_eq!(
            later_check(&pop, &typed, d("20210106")).unwrap().validity,
            QualificationValidity::Valid
        );
    }
}
