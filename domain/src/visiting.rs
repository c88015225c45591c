//! Visiting and online care consents (閲覧同意情報, DM-14; ch.3): which patient registered a
//! 訪問診療等 or オンライン診療等 consent with which facility, when, until when and for which of
//! the seven categories; the rules that read them: the consent table with its 同意有無 / 理由
//! (RULE-66/67), whether a consent still lets the facility confirm the patient (RULE-67), the
//! consented-list search (RULE-65), 枝番 requiredness (RULE-33). Cancellations (FLOW-35) are
//! state kept by the simulator's service and passed in here as the date they happened.

pub use crate::consent::{slash, Consent, ConsentId, REASON_EXPIRED};
use crate::model::{Population, QualificationId};
use chrono::NaiveDate;
use oqs_protocol::codes::Sex;
use oqs_protocol::message::InsurerNumber;
use oqs_protocol::visiting::CareKind;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn builtin() -> Population {
        crate::builtin_population()
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
}
