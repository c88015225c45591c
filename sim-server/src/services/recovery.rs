//! After and around an outage (ch.12 §1, ch.1 §5): the later check of a qualification from the
//! data staff noted while the system could not be used (RULE-92, FLOW-45), recorded as
//! 「システム障害時」, and a check through 緊急時医療情報・資格確認機能 inside its 対象期間 (RULE-90,
//! ENV-14), recorded as 「災害時」 (no 《詳細》, RULE-59). The manual shows no screen for either:
//! these are the simulator's own actions (routes in `ways_in/outage.rs`).

use crate::history::{ConfirmationKind, HistoryRecord, Recorded};
use crate::services::accounts::Role;
use crate::services::outage::LaterCheckRefusal;
use crate::simulator::Simulator;
use chrono::NaiveDate;
use oqs_domain::inquiry::{self, jst, ResultOptions};
use oqs_domain::outage::{later_check, NotedData, NotesError};
use oqs_protocol::codes::{ConsentFlag, QualificationValidity};
use oqs_protocol::message::{QualificationResult, RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::TextEncoding;

/// Why a later or emergency check was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecoveryError {
    /// RULE-92: not after recovery, or past the set period.
    #[error("{0}")]
    Window(#[from] LaterCheckRefusal),
    /// RULE-92: only 管理アカウント or 医療情報閲覧アカウント of the facility.
    #[error("{0}")]
    Account(String),
    #[error("{0}")]
    Notes(#[from] NotesError),
    /// RULE-90: outside its 対象期間 the emergency function is not shown.
    #[error("緊急時医療情報・資格確認機能 is outside its 対象期間 (RULE-90)")]
    EmergencyClosed,
    /// The system is down (ENV-15).
    #[error("the system is in outage (ENV-15)")]
    Outage,
    #[error("{0}")]
    Input(String),
}

/// The answer of a later check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub validity: QualificationValidity,
    pub results: Vec<QualificationResult>,
    /// The day judged.
    pub date: NaiveDate,
    /// The history record's id.
    pub history_id: Option<u64>,
}

impl Simulator {
    /// RULE-92: an account of the facility with 権限区分 管理者 or 医療情報閲覧.
    fn check_account(&self, facility: &str, login_id: &str) -> Result<(), RecoveryError> {
        let now = self.clock.now();
        let a = self
            .accounts
            .account(login_id, now)
            .ok_or_else(|| RecoveryError::Account(format!("no account \"{login_id}\"")))?;
        if a.facility != facility {
            return Err(RecoveryError::Account(format!(
                "\"{login_id}\" is an account of {}, not of {facility}",
                a.facility
            )));
        }
        match a.role {
            Role::Admin | Role::Viewer => Ok(()),
            Role::General => Err(RecoveryError::Account(format!(
                "\"{login_id}\" is a {} account: only 管理アカウント or 医療情報閲覧アカウント (RULE-92)",
                a.role.label()
            ))),
        }
    }

    /// FLOW-45 step 4: the later check from the noted data, for the day the patient came
    /// (`visited_on`; default the outage's first day), recorded as 「システム障害時」.
    pub fn later_check(
        &self,
        facility: &str,
        login_id: &str,
        notes: &NotedData,
        visited_on: Option<NaiveDate>,
    ) -> Result<Checked, RecoveryError> {
        if self.outage.active() {
            return Err(RecoveryError::Outage);
        }
        let now = self.clock.now();
        let episode = self.outage.later_check_window(now)?;
        self.check_account(facility, login_id)?;
        let date =
            visited_on.unwrap_or_else(|| episode.started_at.with_timezone(&jst()).date_naive());
        let pop = self.population();
        let judged = later_check(&pop, notes, date)?;
        let options = ResultOptions {
            facility,
            date,
            now,
            limit_consent: ConsentFlag::NotConsented,
            specific_disease_allowed: false,
            specific_disease_consent: false,
        };
        let mut results: Vec<QualificationResult> = judged
            .qualifications
            .iter()
            .map(|&q| inquiry::qualification_result(&pop, q, &options))
            .collect();
        self.jobs.references().patch(facility, &mut results);
        let record = HistoryRecord::from_result(
            Recorded {
                facility,
                at: now,
                login_id,
                kind: ConfirmationKind::SystemOutage,
            },
            judged.validity,
            None,
            &results,
            None,
        );
        let history_id = self.history.record(record);
        Ok(Checked {
            validity: judged.validity,
            results,
            date,
            history_id,
        })
    }

    /// ENV-14: a check of an insurance card through 緊急時医療情報・資格確認機能, only inside its
    /// 対象期間 (RULE-90); judged as a single inquiry, recorded as 「災害時」.
    pub fn emergency_check(
        &self,
        facility: &str,
        login_id: &str,
        search: SearchInfo,
    ) -> Result<Checked, RecoveryError> {
        if self.outage.active() {
            return Err(RecoveryError::Outage);
        }
        let now = self.clock.now();
        if !self.outage.emergency_open(inquiry::today(now)) {
            return Err(RecoveryError::EmergencyClosed);
        }
        let req = SingleInquiryRequest {
            header: RequestHeader {
                medical_institution_code: Some(facility.to_owned()),
                ..Default::default()
            },
            search,
        };
        let pop = self.population();
        let mut a =
            inquiry::answer_single_inquiry(&pop, &req, TextEncoding::Utf8, now, &self.errors);
        if let Some(e) = &a.error {
            return Err(RecoveryError::Input(e.to_string()));
        }
        let Some(body) = a.response.body.as_mut() else {
            return Err(RecoveryError::Input("the request was refused".into()));
        };
        self.jobs.references().patch(facility, &mut body.results);
        let history_id = self.history.record_body(
            Recorded {
                facility,
                at: now,
                login_id,
                kind: ConfirmationKind::Disaster,
            },
            body,
        );
        Ok(Checked {
            validity: body
                .qualification_validity
                .unwrap_or(QualificationValidity::NotFound),
            results: body.results.clone(),
            date: inquiry::today(now),
            history_id,
        })
    }
}
