//! A prescription the simulator holds for the 電子処方箋管理サービス (DM-16): the data of the
//! population (`crate::model`); the rules of retrieving it are in `crate::prescription`.

use chrono::NaiveDate;

/// One prescription of a patient's card (DM-16).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prescription {
    /// The patient's card (`crate::model::QualificationId`).
    pub qualification: u32,
    /// 引換番号 (half-width digits).
    pub exchange_number: Box<str>,
    /// 発行年月日.
    pub issued_on: NaiveDate,
    /// 発行元医療機関名.
    pub issuer: Box<str>,
    /// 予約日 (服薬指導の予約日).
    pub reservation: Option<NaiveDate>,
    /// Selected by the patient for an オンライン診療等 pharmacy (the SCR-24 list, RULE-28).
    pub selected: bool,
    /// リフィル処方箋 (RULE-26).
    pub refill: bool,
}
