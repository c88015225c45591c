//! Visiting and online care consents (閲覧同意情報, DM-14; ch.3): which patient registered a
//! 訪問診療等 or オンライン診療等 consent with which facility, when, until when and for which of
//! the seven categories; the rules that read them: the consent table with its 同意有無 / 理由
//! (RULE-66/67), whether a consent still lets the facility confirm the patient (RULE-67), the
//! consented-list search (RULE-65), 枝番 requiredness (RULE-33). Cancellations (FLOW-35) are
//! state kept by the simulator's service and passed in here as the date they happened.

use crate::fixtures::{Coded, FixtureDate, FixtureError, FixtureInsurerNumber, DEFAULT_FACILITY};
use crate::model::{Population, QualificationId};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use oqs_protocol::codes::Sex;
use oqs_protocol::message::InsurerNumber;
use oqs_protocol::visiting::{
    CareKind, ConsentCategory, ConsentRow, CONSENTED_MARK, NO_VALUE, REASON_CANCELLED,
    REASON_NOT_CONSENTED,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// Index of a consent in the population.
pub type ConsentId = u32;

/// One registered consent (DM-14): a patient's card, a facility and a 診療区分.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// 医療機関コード of the facility the consent was registered with.
    pub facility: Box<str>,
    pub qualification: QualificationId,
    pub kind: CareKind,
    /// 同意年月日.
    pub consented_on: NaiveDate,
    /// 同意有効期限 of the consent as a whole (SCR-21 shows it with a time, e.g. 2025/09/20 16:44).
    pub valid_until: NaiveDateTime,
    /// 受診年月日 (オンライン診療等; searchable on SCR-21).
    pub examination_date: Option<NaiveDate>,
    /// Per category of DM-14 in its order: `None` = 同意なし, `Some(d)` = consented until `d`.
    pub categories: [Option<NaiveDate>; 7],
}

impl Consent {
    /// The consent still lets the facility confirm the patient on `today`: 資格情報提供 consented,
    /// not cancelled, not past its end (RULE-67: after a cancellation 「患者の資格確認…ができなく
    /// なります」).
    pub fn is_active(&self, cancelled_on: Option<NaiveDate>, today: NaiveDate) -> bool {
        cancelled_on.is_none()
            && self.valid_until.date() >= today
            && self.categories[0].is_some_and(|until| until >= today)
    }

    /// The 閲覧同意情報 table (SCR-23 ⑤, SCR-28 ②): seven rows in the manual's order.
    /// Cancelled rows keep their 同意年月日, take the cancellation date as 同意有効期限 and the
    /// reason 「医療機関による同意取り消し」; rows never consented stay 「同意なし」 (RULE-67).
    /// A consent past its end shows 「同意有効期限切れ」 (the manual gives no text, AMB-53; the
    /// name of OQSCD016 value 2 is used).
    pub fn rows(&self, cancelled_on: Option<NaiveDate>, today: NaiveDate) -> Vec<ConsentRow> {
        ConsentCategory::ALL
            .into_iter()
            .zip(self.categories)
            .map(|(category, until)| match (until, cancelled_on) {
                (None, _) => ConsentRow {
                    category,
                    consented: NO_VALUE,
                    consent_date: NO_VALUE.into(),
                    expiry_date: NO_VALUE.into(),
                    expiry_reason: REASON_NOT_CONSENTED,
                },
                (Some(_), Some(on)) => ConsentRow {
                    category,
                    consented: NO_VALUE,
                    consent_date: slash(self.consented_on),
                    expiry_date: slash(on),
                    expiry_reason: REASON_CANCELLED,
                },
                (Some(until), None) if until < today => ConsentRow {
                    category,
                    consented: NO_VALUE,
                    consent_date: slash(self.consented_on),
                    expiry_date: slash(until),
                    expiry_reason: REASON_EXPIRED,
                },
                (Some(until), None) => ConsentRow {
                    category,
                    consented: CONSENTED_MARK,
                    consent_date: slash(self.consented_on),
                    expiry_date: slash(until),
                    expiry_reason: NO_VALUE,
                },
            })
            .collect()
    }
}

/// 閲覧同意有効期限切れ理由 for a consent past its end (simulator's choice, AMB-53).
pub const REASON_EXPIRED: &str = "同意有効期限切れ";

/// `yyyy/mm/dd` (DM-24).
pub fn slash(d: NaiveDate) -> String {
    d.format("%Y/%m/%d").to_string()
}

/// RULE-33: 枝番 may be left out only for 後期高齢者 (保険者番号 法別 39) and 医療扶助 (公費負担者
/// 番号 法別 12). The 法別番号 is the first two digits of an 8-digit number.
pub fn branch_optional(insurer: InsurerNumber) -> bool {
    let digits = format!("{:08}", insurer.0);
    insurer.0 >= 10_000_000 && (digits.starts_with("39") || digits.starts_with("12"))
}

/// SCR-21 search conditions (RULE-65). At least one of the two date ranges must be given
/// (checked by the caller that reads the form or message); 受診年月日 applies to
/// オンライン診療等 only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentSearch {
    pub consent_from: Option<NaiveDate>,
    pub consent_to: Option<NaiveDate>,
    pub examination_from: Option<NaiveDate>,
    pub examination_to: Option<NaiveDate>,
    pub birthdate: Option<NaiveDate>,
    /// 氏名(カナ): a part of the kana name (spaces ignored).
    pub name_kana: Option<String>,
    pub sex: Option<Sex>,
}

impl ConsentSearch {
    /// Whether either date range is given (RULE-65 「どちらか一方はご入力ください」).
    pub fn has_date_range(&self) -> bool {
        self.consent_from.is_some()
            || self.consent_to.is_some()
            || self.examination_from.is_some()
            || self.examination_to.is_some()
    }
}

fn within(d: NaiveDate, from: Option<NaiveDate>, to: Option<NaiveDate>) -> bool {
    from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t)
}

impl Population {
    pub fn consents(&self) -> &[Consent] {
        &self.consents
    }

    pub fn consent(&self, id: ConsentId) -> &Consent {
        &self.consents[id as usize]
    }

    /// Adds a consent, replacing one for the same facility, card and 診療区分.
    pub fn add_consent(&mut self, c: Consent) -> ConsentId {
        if let Some(i) = self.consents.iter().position(|x| {
            x.facility == c.facility && x.qualification == c.qualification && x.kind == c.kind
        }) {
            self.consents[i] = c;
            return i as ConsentId;
        }
        self.consents.push(c);
        (self.consents.len() - 1) as ConsentId
    }

    /// The consent a facility holds for a qualification and 診療区分.
    pub fn consent_for(
        &self,
        facility: &str,
        qualification: QualificationId,
        kind: CareKind,
    ) -> Option<ConsentId> {
        self.consents
            .iter()
            .position(|c| {
                &*c.facility == facility && c.qualification == qualification && c.kind == kind
            })
            .map(|i| i as ConsentId)
    }

    /// Every consent of a facility and 診療区分 that meets the conditions, in 同意年月日 order
    /// then registration order (stable). 受診年月日 conditions apply to オンライン診療等 only.
    pub fn search_consents(
        &self,
        facility: &str,
        kind: CareKind,
        s: &ConsentSearch,
    ) -> Vec<ConsentId> {
        let kana = s
            .name_kana
            .as_deref()
            .map(|k| k.split_whitespace().collect::<String>())
            .filter(|k| !k.is_empty());
        let mut ids: Vec<ConsentId> = self
            .consents
            .iter()
            .enumerate()
            .filter(|(_, c)| &*c.facility == facility && c.kind == kind)
            .filter(|(_, c)| {
                let by_consent = (s.consent_from.is_some() || s.consent_to.is_some())
                    .then(|| within(c.consented_on, s.consent_from, s.consent_to));
                let by_exam = (kind == CareKind::Online
                    && (s.examination_from.is_some() || s.examination_to.is_some()))
                .then(|| {
                    c.examination_date
                        .is_some_and(|d| within(d, s.examination_from, s.examination_to))
                });
                by_consent.unwrap_or(true) && by_exam.unwrap_or(true)
            })
            .filter(|(_, c)| {
                let p = self.person(self.qualification(c.qualification).person);
                s.birthdate.is_none_or(|b| p.birthdate == b)
                    && s.sex.is_none_or(|x| p.sex == x)
                    && kana.as_deref().is_none_or(|k| {
                        p.name_kana
                            .split_whitespace()
                            .collect::<String>()
                            .contains(k)
                    })
            })
            .map(|(i, _)| i as ConsentId)
            .collect();
        ids.sort_by_key(|&i| (self.consents[i as usize].consented_on, i));
        ids
    }
}

/// `[[consent]]` in a fixture file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsentRecord {
    #[serde(default = "default_facility")]
    facility: String,
    insurer: FixtureInsurerNumber,
    symbol: Option<String>,
    number: String,
    branch: Option<String>,
    /// 「訪問診療等」 / 「オンライン診療等」 (or 2 / 3).
    kind: Coded<CareKind>,
    consented_on: FixtureDate,
    valid_until: FixtureDate,
    /// `hh:mm` of 同意有効期限, default 23:59.
    valid_until_time: Option<String>,
    examination_date: Option<FixtureDate>,
    /// Categories not consented (their rows show 「同意なし」), by 同意区分 label.
    #[serde(default)]
    not_consented: Vec<String>,
    /// A category's own end, when it differs from `valid_until`.
    #[serde(default)]
    valid_until_of: BTreeMap<String, FixtureDate>,
}

fn default_facility() -> String {
    DEFAULT_FACILITY.into()
}

/// Adds the `[[consent]]` records to `pop`; `err_at(record start, field, message)` builds the
/// error for a record.
pub(crate) fn load_consents(
    pop: &mut Population,
    records: Vec<Spanned<ConsentRecord>>,
    err_at: &dyn Fn(usize, &str, String) -> FixtureError,
) -> Result<(), FixtureError> {
    for rec in records {
        let at = rec.span().start;
        let r = rec.into_inner();
        let opt = |s: Option<String>| s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let symbol = opt(r.symbol);
        let branch = opt(r.branch);
        let Some(qualification) = pop.find_qualification(
            r.insurer.0,
            symbol.as_deref(),
            r.number.trim(),
            branch.as_deref(),
        ) else {
            return Err(err_at(
                at,
                "number",
                format!(
                    "no qualification {}/{}/{}/{} to attach the consent to",
                    r.insurer.0.display(),
                    symbol.as_deref().unwrap_or(""),
                    r.number.trim(),
                    branch.as_deref().unwrap_or("")
                ),
            ));
        };
        let time = match r.valid_until_time.as_deref() {
            None => NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default(),
            Some(t) => NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| {
                err_at(
                    at,
                    "valid_until_time",
                    format!("\"{t}\" is not a time such as \"23:59\""),
                )
            })?,
        };
        if r.valid_until.0 < r.consented_on.0 {
            return Err(err_at(
                at,
                "valid_until",
                "同意有効期限 is before 同意年月日".into(),
            ));
        }
        let mut categories = [Some(r.valid_until.0); 7];
        for label in &r.not_consented {
            let c = ConsentCategory::parse(label)
                .ok_or_else(|| err_at(at, "not_consented", unknown_category(label)))?;
            categories[c as usize] = None;
        }
        for (label, until) in &r.valid_until_of {
            let c = ConsentCategory::parse(label)
                .ok_or_else(|| err_at(at, "valid_until_of", unknown_category(label)))?;
            if categories[c as usize].is_some() {
                categories[c as usize] = Some(until.0);
            }
        }
        pop.add_consent(Consent {
            facility: r.facility.trim().into(),
            qualification,
            kind: r.kind.0,
            consented_on: r.consented_on.0,
            valid_until: r.valid_until.0.and_time(time),
            examination_date: r.examination_date.map(|d| d.0),
            categories,
        });
    }
    Ok(())
}

fn unknown_category(label: &str) -> String {
    let all: Vec<&str> = ConsentCategory::ALL.iter().map(|c| c.label()).collect();
    format!(
        "\"{label}\" is not a 同意区分: use one of {}",
        all.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::load_into;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn builtin() -> Population {
        let mut p = Population::new();
        load_into(
            &mut p,
            "builtin.toml",
            include_str!("../fixtures/builtin.toml"),
        )
        .expect("builtin loads");
        p
    }

    fn yamada(p: &Population) -> &Consent {
        let person = p.person_by_key("yamada-ritsuko").expect("山田 隆子");
        let q = p.qualifications_of(person).next().expect("card");
        p.consent(
            p.consent_for("1234567890", q, CareKind::Visiting)
                .expect("visiting consent"),
        )
    }

    #[test]
    fn yamada_has_all_seven_consents_as_the_manual_shows() {
        let p = builtin();
        let c = yamada(&p);
        let rows = c.rows(None, date(2023, 8, 25));
        let shown: Vec<(&str, &str, &str, &str, &str)> = rows
            .iter()
            .map(|r| {
                (
                    r.category.label(),
                    r.consented,
                    r.consent_date.as_str(),
                    r.expiry_date.as_str(),
                    r.expiry_reason,
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                ("資格情報提供同意区分", "○", "2023/01/08", "2025/09/20", "-"),
                ("手術情報閲覧同意区分", "○", "2023/01/08", "2025/09/20", "-"),
                ("診療情報閲覧同意区分", "○", "2023/01/08", "2025/09/20", "-"),
                ("薬剤情報閲覧同意区分", "○", "2023/01/08", "2025/09/20", "-"),
                (
                    "特定健診情報閲覧同意区分",
                    "○",
                    "2023/01/08",
                    "2025/09/21",
                    "-"
                ),
                (
                    "限度額適用認定証提供同意区分",
                    "○",
                    "2023/01/08",
                    "2025/09/20",
                    "-"
                ),
                (
                    "特定疾病療養受療証提供同意区分",
                    "○",
                    "2023/01/08",
                    "2025/09/21",
                    "-"
                ),
            ]
        );
        assert!(c.is_active(None, date(2023, 8, 25)));
        assert!(!c.is_active(None, date(2025, 9, 21)), "past 同意有効期限");
    }

    #[test]
    fn cancellation_keeps_the_consent_date_and_leaves_never_consented_rows_alone() {
        let p = builtin();
        let person = p.person_by_key("shimbashi-taro").expect("新橋 太郎");
        let q = p.qualifications_of(person).next().expect("card");
        let c = p.consent(
            p.consent_for("1234567890", q, CareKind::Visiting)
                .expect("consent"),
        );
        let rows = c.rows(Some(date(2023, 8, 25)), date(2023, 8, 25));
        assert_eq!(rows[0].consented, "-");
        assert_eq!(rows[0].consent_date, "2023/06/01");
        assert_eq!(rows[0].expiry_date, "2023/08/25");
        assert_eq!(rows[0].expiry_reason, "医療機関による同意取り消し");
        assert_eq!(
            rows[1].expiry_reason, "同意なし",
            "手術 was never consented"
        );
        assert_eq!(rows[1].consent_date, "-");
        assert!(!c.is_active(Some(date(2023, 8, 25)), date(2023, 8, 25)));
    }

    #[test]
    fn rule_33_branch_optional_only_for_late_elderly_and_medical_assistance() {
        let n = |s: &str| InsurerNumber::parse(s).expect("number");
        assert!(branch_optional(n("39110400")));
        assert!(branch_optional(n("12374013")));
        assert!(!branch_optional(n("06139000")));
        assert!(!branch_optional(n("050013")), "a 6-digit 国保 number");
        assert!(!branch_optional(n("01270016")));
    }

    #[test]
    fn rule_65_search_by_consent_date_examination_date_and_filters() {
        let p = builtin();
        let s = ConsentSearch {
            consent_from: Some(date(2023, 1, 1)),
            consent_to: Some(date(2023, 1, 31)),
            ..Default::default()
        };
        let found = p.search_consents("1234567890", CareKind::Visiting, &s);
        assert_eq!(found.len(), 1);
        assert_eq!(p.consent(found[0]).consented_on, date(2023, 1, 8));
        let online = ConsentSearch {
            examination_from: Some(date(2023, 4, 1)),
            examination_to: Some(date(2023, 4, 30)),
            name_kana: Some("ミヤザキ".into()),
            ..Default::default()
        };
        assert_eq!(
            p.search_consents("1234567890", CareKind::Online, &online)
                .len(),
            1
        );
        let nobody = ConsentSearch {
            sex: Some(Sex::Female),
            ..online
        };
        assert!(p
            .search_consents("1234567890", CareKind::Online, &nobody)
            .is_empty());
        assert!(p
            .search_consents("9999999999", CareKind::Visiting, &s)
            .is_empty());
    }

    #[test]
    fn a_bad_consent_names_its_field() {
        let mut p = builtin();
        let text = "[[consent]]\ninsurer = \"050013\"\nsymbol = \"hmtmList11\"\nnumber = \"102\"\nbranch = \"00\"\nkind = \"訪問診療等\"\nconsented_on = 2023-01-08\nvalid_until = 2025-09-20\nnot_consented = [\"なにか\"]\n";
        let e = load_into(&mut p, "c.toml", text).expect_err("unknown category");
        assert_eq!(e.field, "not_consented", "{e}");
        let e = load_into(&mut p, "c.toml", &text.replace("\"102\"", "\"999\""))
            .expect_err("no such card");
        assert_eq!(e.field, "number", "{e}");
        let e = load_into(&mut p, "c.toml", &text.replace("訪問診療等", "外来"))
            .expect_err("not a 診療区分");
        assert!(e.message.contains("訪問診療等 (2)"), "{e}");
    }
}
