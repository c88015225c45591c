//! One qualification result (OQSsiquc01res `ResultOfQualificationConfirmation`) as SCR-10 shows
//! it: labels from `texts::checks`, values decoded from the code tables, dates in 和暦 (DM-24),
//! 証区分 red by RULE-05, certificates by RULE-10..12.

use chrono::NaiveDate;
use maud::{html, Markup};
use oqs_domain::{display, wareki};
use oqs_protocol::codes::{
    ContributionRatio, InsuredCardClassification, LimitCategory, LimitCertificateKind,
    PersonalFamily, PrescriptionIssueForm, ReasonOfLoss, Sex, SpecificDisease,
};
use oqs_protocol::message::QualificationResult;
use oqs_protocol::texts::{self, checks as t};

/// A wire date (yyyymmdd) in 和暦; anything else as it is.
pub fn date(v: &str) -> String {
    NaiveDate::parse_from_str(v.trim(), "%Y%m%d")
        .map(wareki::format)
        .unwrap_or_else(|_| v.trim().to_owned())
}

/// A leaf's value, trimmed ("" when absent).
pub fn opt(v: &Option<String>) -> &str {
    v.as_deref().map(str::trim).unwrap_or_default()
}

/// A coded leaf by its code table's label (the code itself when unknown).
pub fn coded<T>(
    v: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    label: impl Fn(T) -> String,
) -> String {
    let s = opt(v);
    parse(s).map(label).unwrap_or_else(|| s.to_owned())
}

/// 性別 as the screens show it (男 / 女 / 未設定).
pub fn sex(v: &Option<String>) -> String {
    coded(v, Sex::from_code, |x| x.label().into())
}

fn ratio(v: &Option<String>) -> String {
    coded(v, ContributionRatio::parse, |x| x.label())
}

/// A wire date leaf in 和暦.
pub fn dated(v: &Option<String>) -> String {
    date(opt(v))
}

/// ② 被保険者情報 (氏名(その他) / 性別(裏面) only when present, RULE-06).
pub fn insured(r: &QualificationResult) -> Vec<(&'static str, String)> {
    let l = t::INSURED_LABELS;
    let mut rows = vec![
        (l[0], opt(&r.insurer_number).to_owned()),
        (l[1], opt(&r.insurer_name).to_owned()),
        (l[2], opt(&r.insured_card_symbol).to_owned()),
        (l[3], opt(&r.insured_identification_number).to_owned()),
        (l[4], opt(&r.insured_branch_number).to_owned()),
        (l[5], opt(&r.name).to_owned()),
        (l[10], opt(&r.name_kana).to_owned()),
        (l[6], sex(&r.sex1)),
        (l[7], dated(&r.birthdate)),
    ];
    if r.name_of_other.is_some() {
        rows.push((l[8], opt(&r.name_of_other).to_owned()));
    }
    if r.sex2.is_some() {
        rows.push((l[9], sex(&r.sex2)));
    }
    rows
}

/// ③ 資格情報: (label, value, red). 被保険者氏名 of a 本人 is the person's own name (the wire
/// leaves it out).
pub fn qualification(r: &QualificationResult) -> Vec<(&'static str, String, bool)> {
    let l = t::QUALIFICATION_LABELS;
    let red = display::card_classification_in_red(opt(&r.insured_card_classification));
    let insured_name = match (&r.insured_name, r.personal_family_classification.as_deref()) {
        (Some(n), _) => n.trim().to_owned(),
        (None, Some(c)) if c == PersonalFamily::Insured.code() => opt(&r.name).to_owned(),
        _ => String::new(),
    };
    vec![
        (
            l[0],
            coded(
                &r.insured_card_classification,
                InsuredCardClassification::from_code,
                |x| x.label().into(),
            ),
            red,
        ),
        (l[1], ratio(&r.insured_partial_contribution_ratio), false),
        (l[2], dated(&r.qualification_date), false),
        (l[3], dated(&r.disqualification_date), false),
        (
            l[4],
            coded(&r.reason_of_loss, ReasonOfLoss::from_code, |x| {
                x.label().into()
            }),
            false,
        ),
        (l[5], dated(&r.insured_card_valid_date), false),
        (l[6], dated(&r.insured_card_expiration_date), false),
        (
            l[7],
            coded(
                &r.personal_family_classification,
                PersonalFamily::from_code,
                |x| x.label().into(),
            ),
            false,
        ),
        (l[8], insured_name, false),
        (l[9], opt(&r.post_number).to_owned(), false),
        (l[10], opt(&r.address).to_owned(), false),
    ]
}

/// 高齢受給者証 (shown without consent), when issued.
pub fn elderly(r: &QualificationResult) -> Option<Vec<(&'static str, String)>> {
    let e = r.elderly_recipient.as_ref()?;
    let l = t::ELDERLY_LABELS;
    Some(vec![
        (l[0], ratio(&e.contribution_ratio)),
        (l[1], dated(&e.valid_start_date)),
        (l[2], dated(&e.valid_end_date)),
    ])
}

/// 限度額適用認定証 (DM-08): 適用区分, dates, 証区分 (RULE-10), 長期入院該当日 (RULE-11: a date
/// or empty).
pub fn limit(r: &QualificationResult) -> Option<Vec<(&'static str, String)>> {
    let x = r.limit_info.as_ref()?;
    let l = t::LIMIT_LABELS;
    Some(vec![
        (
            l[0],
            coded(&x.classification_flag, LimitCategory::from_code, |c| {
                c.label().into()
            }),
        ),
        (l[1], dated(&x.valid_start_date)),
        (l[2], dated(&x.valid_end_date)),
        (
            l[3],
            coded(&x.classification, LimitCertificateKind::from_code, |c| {
                c.label().into()
            }),
        ),
        (l[4], dated(&x.long_term_date)),
    ])
}

/// 特定疾病療養受療証 (DM-09, RULE-12), one block per certificate.
pub fn specific_diseases(r: &QualificationResult) -> Vec<Vec<(&'static str, String)>> {
    let l = t::SPECIFIC_DISEASE_LABELS;
    r.specific_diseases
        .iter()
        .map(|d| {
            vec![
                (
                    l[0],
                    coded(&d.disease_category, SpecificDisease::from_code, |c| {
                        c.label().into()
                    }),
                ),
                (l[1], display::yen(opt(&d.self_pay))),
                (l[2], dated(&d.valid_start_date)),
                (l[3], dated(&d.valid_end_date)),
            ]
        })
        .collect()
}

/// A block of label/value rows.
pub fn rows(id: &str, rows: &[(&'static str, String)]) -> Markup {
    html! {
        table.kv id=(id) {
            @for (label, value) in rows {
                tr { th { (label) } td data-label=(label) { (value) } }
            }
        }
    }
}

/// ③ with RULE-05's red 証区分.
pub fn qualification_rows(rows: &[(&'static str, String, bool)]) -> Markup {
    html! {
        table.kv #qualification {
            @for (label, value, red) in rows {
                tr {
                    th { (label) }
                    td.red[*red] data-label=(label) { (value) }
                }
            }
        }
    }
}

/// RULE-04: 「義務教育就学前」 when the result says so.
pub fn preschool(r: &QualificationResult) -> Option<&'static str> {
    r.preschool_classification
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|_| texts::PRESCHOOL_LABEL)
}

/// The 処方箋発行形態 radios of SCR-08 and SCR-13: the posted choice, else the first offered.
pub fn prescription_radios(options: &[PrescriptionIssueForm], posted: Option<&str>) -> Markup {
    let value = |f: &PrescriptionIssueForm| match f {
        PrescriptionIssueForm::Electronic => "electronic",
        PrescriptionIssueForm::Paper => "paper",
    };
    let chosen = posted.or_else(|| options.first().map(value));
    html! {
        @for f in options {
            @let l = match f {
                PrescriptionIssueForm::Electronic => texts::PRESCRIPTION_ELECTRONIC,
                PrescriptionIssueForm::Paper => texts::PRESCRIPTION_PAPER,
            };
            label style="display:inline;margin:0 12px" {
                input type="radio" name="prescription" value=(value(f)) checked[chosen == Some(value(f))];
                " " (l)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_codes() {
        assert_eq!(date("19540326"), "昭和29年3月26日");
        assert_eq!(date(""), "");
        let r = QualificationResult {
            insured_card_classification: Some("03".into()),
            personal_family_classification: Some("1".into()),
            name: Some("新橋　太郎".into()),
            sex1: Some("1".into()),
            insured_partial_contribution_ratio: Some("030".into()),
            ..QualificationResult::default()
        };
        let q = qualification(&r);
        assert_eq!(q[0], ("証区分", "短期被保険者証（一般）".into(), true));
        assert_eq!(q[1].1, "3割");
        assert_eq!(q[7].1, "本人");
        assert_eq!(q[8].1, "新橋　太郎", "本人: the own name");
        let i = insured(&r);
        assert!(i.contains(&("性別(表面)", "男".into())));
        assert!(!i.iter().any(|(l, _)| *l == "氏名(その他)"));
    }
}
