//! A registered 訪問診療等・オンライン診療等 consent (閲覧同意情報, DM-14) and its table: the data
//! of the population (`crate::model`) and what a consent shows on a day (RULE-66/67).

use chrono::{NaiveDate, NaiveDateTime};
use oqs_protocol::visiting::{
    CareKind, ConsentCategory, ConsentRow, CONSENTED_MARK, NO_VALUE, REASON_CANCELLED,
    REASON_NOT_CONSENTED,
};

/// Index of a consent in the population.
pub type ConsentId = u32;

/// One registered consent (DM-14): a patient's card, a facility and a 診療区分.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// 医療機関コード of the facility the consent was registered with.
    pub facility: Box<str>,
    /// The consented card (`crate::model::QualificationId`).
    pub qualification: u32,
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
