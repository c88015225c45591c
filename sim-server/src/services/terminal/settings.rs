//! The facility settings a confirmation depends on (ENV-01..03) and the injected terminal fault.

use super::request::{Consents, RequestError};
use oqs_protocol::codes::PrescriptionIssueForm;
use oqs_protocol::texts;
use serde::Serialize;

/// An injected fault (`PUT /__admin/terminal/fault`), active until cleared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Fault {
    /// ERR-07: internal error in certificate authentication (image-only dialog).
    CertificateInternalError,
    /// ERR-14: authentication error with a code (default `fxxxxxx1`, the manual's placeholder).
    AuthenticationError {
        #[serde(default)]
        code: Option<String>,
    },
    /// ERR-10 / ERR-26: the card cannot be read.
    ReadFailure,
}

/// ENV-02: 電子処方箋利用区分 (医科・歯科・訪看).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum PrescriptionUsage {
    #[serde(rename = "利用しない")]
    NotUsed,
    #[serde(rename = "電子処方箋＋紙の処方箋併用")]
    Both,
    #[serde(rename = "電子処方箋のみ")]
    ElectronicOnly,
    #[serde(rename = "紙の処方箋のみ")]
    PaperOnly,
}

/// The facility settings the My Number inquiry depends on (ENV-01..03).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TerminalSettings {
    /// 医療機関コード of the facility the terminal belongs to.
    pub facility: String,
    /// ENV-01 閲覧同意の利用有無: 利用する (true) shows the three consent boxes (RULE-18) and the
    /// 特定疾病 box (RULE-19). The manual maps the setting to the boxes only in an image (AMB-09);
    /// the simulator reads it as one toggle for all of them.
    pub consent_usage: bool,
    /// ENV-02.
    pub prescription_usage: PrescriptionUsage,
    /// ENV-03 発行形態選択タイミング = 資格確認時に確認する (true).
    pub prescription_at_check: bool,
    /// ENV-08: 本人認証用カードリーダーソフト installed (RULE-76: the face-reader menu).
    pub reader_software: bool,
    /// ENV-09: 電子処方箋対応版の本人認証用カードリーダーソフト installed (RULE-77).
    pub prescription_reader_software: bool,
    /// ENV-06 「訪問診療等・オンライン診療等管理サービス関連項目」 = 利用する (RULE-63: the
    /// 《訪問診療等・オンライン診療等》 menu).
    pub visiting_service: bool,
}

impl TerminalSettings {
    /// The settings' own rules: the facility is a 医療機関コード of 10 half-width digits.
    pub fn validate(&self) -> Result<(), String> {
        let f = &self.facility;
        if f.len() == 10 && f.bytes().all(|b| b.is_ascii_digit()) {
            Ok(())
        } else {
            Err("facility: a 医療機関コード is 10 half-width digits".into())
        }
    }
}

/// The sample facility (sample-population.md).
pub const DEFAULT_FACILITY: &str = "1234567890";
impl Default for TerminalSettings {
    fn default() -> Self {
        TerminalSettings {
            facility: DEFAULT_FACILITY.into(),
            consent_usage: true,
            prescription_usage: PrescriptionUsage::Both,
            prescription_at_check: true,
            reader_software: true,
            prescription_reader_software: true,
            visiting_service: true,
        }
    }
}

impl TerminalSettings {
    /// SCR-08 ② : the consent boxes shown (RULE-18; none when 閲覧同意の利用有無 is 利用しない).
    pub fn consent_boxes(&self) -> &'static [&'static str] {
        const ALL: [&str; 3] = [
            texts::CONSENT_OPERATION[0],
            texts::CONSENT_DIAGNOSIS_MEDICATION[0],
            texts::CONSENT_HEALTH_CHECKUP[0],
        ];
        if self.consent_usage {
            &ALL
        } else {
            &[]
        }
    }

    /// Refuses consents or the 特定疾病 box that this facility's SCR-08 / SCR-10 does not show.
    pub(super) fn check_boxes(
        &self,
        consents: Option<Consents>,
        show_specific_disease: bool,
    ) -> Result<(), RequestError> {
        if self.consent_usage {
            return Ok(());
        }
        if consents.is_some_and(|c| c != Consents::default()) {
            return Err(RequestError(
                "閲覧同意 boxes are not shown: 閲覧同意の利用有無 is 利用しない (RULE-18)".into(),
            ));
        }
        if show_specific_disease {
            return Err(RequestError(format!(
                "「{}」 is not shown: 閲覧同意の利用有無 is 利用しない (RULE-19)",
                texts::SHOW_SPECIFIC_DISEASE_BOX
            )));
        }
        Ok(())
    }

    /// RULE-21/22: the 「処方箋の発行」 block is shown, with these options.
    pub fn prescription_options(&self) -> &'static [PrescriptionIssueForm] {
        if !self.prescription_at_check {
            return &[];
        }
        match self.prescription_usage {
            PrescriptionUsage::NotUsed => &[],
            PrescriptionUsage::Both => &[
                PrescriptionIssueForm::Electronic,
                PrescriptionIssueForm::Paper,
            ],
            PrescriptionUsage::ElectronicOnly => &[PrescriptionIssueForm::Electronic],
            PrescriptionUsage::PaperOnly => &[PrescriptionIssueForm::Paper],
        }
    }
}
