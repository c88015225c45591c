//! Prescriptions a pharmacy retrieves by 引換番号 (DM-16; FLOW-17 on SCR-12, FLOW-31 on SCR-24):
//! the data the simulator holds for the 電子処方箋管理サービス, and the rules of retrieving one —
//! RULE-25 (only a pharmacy using e-prescriptions with 「電子処方箋」 = 「利用する」, ENV-04),
//! RULE-26 (refill prescriptions only with 「リフィル処方箋」 = 「利用する」, ENV-05), RULE-27 (引換番号
//! in half-width digits, one at a time), RULE-28 (the list of patient-selected prescriptions is
//! shown only for オンライン診療等; a retrieved prescription needs a cancellation before it can be
//! retrieved again). The retrieved state is kept by the simulator's service and passed in.

use crate::model::{Population, QualificationId};
pub use crate::prescription_record::Prescription;

/// The pharmacy's environment settings (環境設定情報).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PharmacySettings {
    /// ENV-04 「電子処方箋」 = 「利用する」.
    pub e_prescription: bool,
    /// ENV-05 「リフィル処方箋」 = 「利用する」.
    pub refill: bool,
}

impl PharmacySettings {
    /// RULE-25: a facility of `facility_kind` reaches [処方箋情報取得] (《処方箋取得へ》 shown, a
    /// retrieval made) only as a pharmacy with 「電子処方箋」 = 「利用する」 (ENV-04; the manual's
    /// 「電子処方箋を利用する薬局」 is read as that setting, AMB-77). Also RULE-77's pharmacy half.
    pub fn retrieval_open(&self, facility_kind: &str) -> bool {
        facility_kind == "薬局" && self.e_prescription
    }
}

impl Default for PharmacySettings {
    fn default() -> Self {
        PharmacySettings {
            e_prescription: true,
            refill: true,
        }
    }
}

/// Why a prescription cannot be retrieved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetrievalError {
    /// RULE-25: not a pharmacy, or ENV-04 is 「利用しない」: 《処方箋取得へ》 leads nowhere.
    #[error("[処方箋情報取得] は、電子処方箋を利用する薬局かつ、管理アカウントで設定する環境設定情報更新の「電子処方箋」について「利用する」とした場合に [資格情報確認] から遷移でき、「利用しない」とした場合には遷移できません。")]
    NotAvailable,
    /// RULE-27.
    #[error("引換番号は半角数字で入力してください。")]
    BadExchangeNumber,
    /// No prescription with this 引換番号 for the patient.
    #[error("the patient has no prescription with this 引換番号")]
    NotFound,
    /// RULE-26.
    #[error("リフィル処方箋は、管理アカウントで設定する環境設定情報更新の「リフィル処方箋」について「利用する」とした場合に取得することができます。")]
    RefillNotEnabled,
    /// RULE-28.
    #[error("※一度取得処理が完了すると、再取得するためには取消処理が必要です。取得結果は忘れずに保存してください。")]
    AlreadyRetrieved,
}

impl Population {
    pub fn prescriptions(&self) -> &[Prescription] {
        &self.prescriptions
    }

    pub fn add_prescription(&mut self, p: Prescription) {
        self.prescriptions.push(p);
    }

    /// RULE-28: the SCR-24 list — the patient's selected prescriptions, for オンライン診療等 only.
    pub fn selected_prescriptions(&self, q: QualificationId, online: bool) -> Vec<&Prescription> {
        if !online {
            return Vec::new();
        }
        self.prescriptions
            .iter()
            .filter(|p| p.qualification == q && p.selected)
            .collect()
    }

    /// Retrieves the prescription `exchange_number` of the card `q` at a facility of `kind`
    /// (医科 / 歯科 / 訪看 / 薬局) with `settings`; `retrieved` says whether the facility has
    /// retrieved it before.
    pub fn retrieve_prescription(
        &self,
        facility_kind: &str,
        settings: PharmacySettings,
        q: QualificationId,
        exchange_number: &str,
        retrieved: &dyn Fn(&str) -> bool,
    ) -> Result<&Prescription, RetrievalError> {
        if !settings.retrieval_open(facility_kind) {
            return Err(RetrievalError::NotAvailable);
        }
        let n = exchange_number.trim();
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RetrievalError::BadExchangeNumber);
        }
        let p = self
            .prescriptions
            .iter()
            .find(|p| p.qualification == q && &*p.exchange_number == n)
            .ok_or(RetrievalError::NotFound)?;
        if p.refill && !settings.refill {
            return Err(RetrievalError::RefillNotEnabled);
        }
        if retrieved(n) {
            return Err(RetrievalError::AlreadyRetrieved);
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn miyazaki(p: &Population) -> QualificationId {
        let person = p.person_by_key("miyazaki-ichita").expect("宮崎 一太");
        p.qualifications_of(person).next().expect("card")
    }

    #[test]
    fn the_online_list_and_every_refusal() {
        let p = crate::builtin_population();
        let q = miyazaki(&p);
        let list = p.selected_prescriptions(q, true);
        let numbers: Vec<&str> = list.iter().map(|x| &*x.exchange_number).collect();
        assert_eq!(numbers, ["000001", "000002"]);
        assert!(
            p.selected_prescriptions(q, false).is_empty(),
            "訪問診療等: no list"
        );
        let s = PharmacySettings::default();
        let never = |_: &str| false;
        assert_eq!(
            p.retrieve_prescription("薬局", s, q, "000001", &never)
                .map(|x| &*x.issuer),
            Ok("サンプル医院")
        );
        let err = |kind: &str, s: PharmacySettings, n: &str, r: &dyn Fn(&str) -> bool| {
            p.retrieve_prescription(kind, s, q, n, r).map(|_| ())
        };
        assert_eq!(
            err("医科", s, "000001", &never),
            Err(RetrievalError::NotAvailable)
        );
        let off = PharmacySettings {
            e_prescription: false,
            ..s
        };
        assert_eq!(
            err("薬局", off, "000001", &never),
            Err(RetrievalError::NotAvailable)
        );
        assert_eq!(
            err("薬局", s, "00000A", &never),
            Err(RetrievalError::BadExchangeNumber)
        );
        assert_eq!(
            err("薬局", s, "999999", &never),
            Err(RetrievalError::NotFound)
        );
        let no_refill = PharmacySettings { refill: false, ..s };
        assert_eq!(
            err("薬局", no_refill, "000003", &never),
            Err(RetrievalError::RefillNotEnabled)
        );
        assert_eq!(err("薬局", s, "000003", &never), Ok(()));
        assert_eq!(
            err("薬局", s, "000001", &|n| n == "000001"),
            Err(RetrievalError::AlreadyRetrieved)
        );
    }
}
