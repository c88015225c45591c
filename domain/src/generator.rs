//! A seeded generator of synthetic persons for load tests and benchmarks. The same seed and
//! count give the same population on every machine. Names are obviously synthetic.

use crate::model::{Insurer, Person, Population, Qualification};
use chrono::{Duration, NaiveDate};
use oqs_protocol::codes::{InsuredCardClassification, PersonalFamily, ReasonOfLoss, Sex};
use oqs_protocol::message::InsurerNumber;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SURNAMES: &[(&str, &str)] = &[
    ("試験", "シケン"),
    ("模擬", "モギ"),
    ("仮想", "カソウ"),
    ("検証", "ケンショウ"),
    ("見本", "ミホン"),
];
const GIVEN: &[(&str, &str, Sex)] = &[
    ("一郎", "イチロウ", Sex::Male),
    ("二郎", "ジロウ", Sex::Male),
    ("花子", "ハナコ", Sex::Female),
    ("桜子", "サクラコ", Sex::Female),
    ("葵", "アオイ", Sex::Unset),
];

/// Number of synthetic insurers (8-digit numbers 0699000N).
pub const GENERATED_INSURERS: u32 = 10;

/// The insurer number of generated person `i`.
pub fn generated_insurer(i: u32) -> InsurerNumber {
    InsurerNumber(6_990_000 + i % GENERATED_INSURERS)
}

/// The card key of generated person `i`: (insurer, 記号, 番号, 枝番). Benches use it to look
/// people up without keeping a list.
pub fn generated_card(i: u32) -> (InsurerNumber, String, String, String) {
    (
        generated_insurer(i),
        format!("G{}", i / 1000),
        format!("{}", i / 2),
        format!("{:02}", i % 2 + 1),
    )
}

/// Adds `count` synthetic persons, each with one qualification (some ended, some with a newer one).
pub fn generate(pop: &mut Population, count: u32, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for k in 0..GENERATED_INSURERS {
        pop.upsert_insurer(Insurer {
            number: generated_insurer(k),
            name: format!("生成サンプル健康保険組合{k}").into(),
        });
    }
    let epoch = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap_or(NaiveDate::MIN);
    for i in 0..count {
        let (sur, sur_kana) = SURNAMES[rng.gen_range(0..SURNAMES.len())];
        let (given, given_kana, sex) = GIVEN[rng.gen_range(0..GIVEN.len())];
        let birthdate = epoch + Duration::days(rng.gen_range(0..34_000));
        let person = pop.push_anonymous_person(Person {
            key: format!("gen-{i}").into(),
            name: format!("{sur} {given}").into(),
            name_kana: format!("{sur_kana} {given_kana}").into(),
            other_name: None,
            other_name_kana: None,
            sex,
            sex_back: None,
            birthdate,
            post_number: None,
            address: None,
            suppressed: false,
        });
        let (insurer, symbol, number, branch) = generated_card(i);
        let valid_from = NaiveDate::from_ymd_opt(2015, 4, 1).unwrap_or(NaiveDate::MIN)
            + Duration::days(rng.gen_range(0..2000));
        let ended = rng.gen_ratio(1, 10);
        pop.add_qualification(Qualification {
            person,
            insurer,
            symbol: Some(symbol.into()),
            number: number.into(),
            branch: Some(branch.into()),
            card: InsuredCardClassification::General,
            relation: if i % 2 == 0 {
                PersonalFamily::Insured
            } else {
                PersonalFamily::Family
            },
            insured_name: None,
            qualification_date: Some(valid_from),
            disqualification_date: ended.then(|| valid_from + Duration::days(366)),
            reason_of_loss: ended.then_some(ReasonOfLoss::Other),
            issued_on: None,
            valid_from,
            valid_until: ended.then(|| valid_from + Duration::days(365)),
            copayment: None,
            certificates: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_people() {
        let mut a = Population::new();
        let mut b = Population::new();
        generate(&mut a, 200, 7);
        generate(&mut b, 200, 7);
        for i in 0..200 {
            assert_eq!(a.person(i), b.person(i));
            assert_eq!(a.qualification(i), b.qualification(i));
        }
        let mut c = Population::new();
        generate(&mut c, 200, 8);
        assert!((0..200).any(|i| a.person(i) != c.person(i)));
    }

    #[test]
    fn generated_cards_are_findable() {
        let mut p = Population::new();
        generate(&mut p, 3000, 1);
        for i in [0u32, 1, 999, 1000, 2999] {
            let (ins, sym, num, br) = generated_card(i);
            assert_eq!(
                p.find_qualification(ins, Some(&sym), &num, Some(&br)),
                Some(i)
            );
        }
    }
}
