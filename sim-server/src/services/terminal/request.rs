//! What a confirmation is asked: the My Number request of `POST /terminal/mynumber`, its method,
//! the three viewing consents (SCR-08 ②), and the error of a request the terminal cannot act on.

use chrono::NaiveDate;
use oqs_protocol::codes::PrescriptionIssueForm;
use oqs_protocol::texts;
use serde::Serialize;

/// 目視確認 or 暗証番号 (SCR-08 ①); 被保険者証 for the insurance-card check of SCR-13 (FLOW-15),
/// which a My Number request cannot choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum Method {
    #[serde(rename = "目視確認", alias = "visual")]
    Visual,
    #[serde(rename = "暗証番号", alias = "pin")]
    Pin,
    #[serde(rename = "被保険者証", skip_deserializing)]
    InsuranceCard,
    /// A face reader in 無人運転 that matched the face (simulated as a match); not requestable.
    #[serde(rename = "顔認証", skip_deserializing)]
    FaceRecognition,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::Visual => texts::METHOD_VISUAL,
            Method::Pin => texts::METHOD_PIN,
            Method::InsuranceCard => texts::METHOD_INSURANCE_CARD,
            Method::FaceRecognition => texts::METHOD_FACE_RECOGNITION,
        }
    }
}

/// The three viewing consents of SCR-08 ② (DM-13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Consents {
    /// 手術情報.
    #[serde(alias = "手術")]
    pub operation: bool,
    /// 診療・薬剤情報.
    #[serde(alias = "診療・薬剤")]
    pub diagnosis_medication: bool,
    /// 特定健診情報.
    #[serde(alias = "特定健診")]
    pub health_checkup: bool,
}

impl Consents {
    /// SCR-10 ⑦ labels (RULE-20).
    pub fn labels(&self) -> [&'static str; 3] {
        let pick = |on: bool, l: [&'static str; 2]| l[usize::from(on)];
        [
            pick(self.operation, texts::CONSENT_OPERATION),
            pick(
                self.diagnosis_medication,
                texts::CONSENT_DIAGNOSIS_MEDICATION,
            ),
            pick(self.health_checkup, texts::CONSENT_HEALTH_CHECKUP),
        ]
    }
}

/// A request of `POST /terminal/mynumber` (simulator-defined, see README).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MyNumberRequest {
    /// Reader index (`GET /__admin/terminal`); default: the terminal's generic reader.
    pub reader: Option<usize>,
    /// Use the terminal's face reader (SCR-31 目視確認実行) instead of naming a reader; with
    /// none connected: ERR-25.
    pub face_reader: bool,
    /// 目視確認 / 暗証番号 (`visual` / `pin`); default 目視確認 (AMB-11: the screenshot's choice).
    pub method: Option<Method>,
    /// The 4-digit PIN (暗証番号 path).
    #[serde(alias = "暗証番号")]
    pub pin: Option<String>,
    pub consents: Consents,
    /// 「限度額適用認定証情報を表示」.
    pub show_limit: bool,
    /// 「特定疾病療養受療証情報を表示」.
    pub show_specific_disease: bool,
    /// 処方箋発行形態: 電子 / 紙 (`electronic` / `paper`).
    pub prescription_form: Option<String>,
    /// 資格確認日: `yyyy/mm/dd`, `yyyymmdd` or `yyyy-mm-dd`; default today (clock).
    #[serde(alias = "資格確認日")]
    pub confirmation_date: Option<String>,
    /// 医療機関コード; default the terminal's facility.
    pub facility: Option<String>,
    pub arbitrary_file_identifier: Option<String>,
    /// The operator's login id when the check is made on an operator screen (the history's
    /// ログインID); not readable from JSON: the terminal route's checks are `uketsuke`'s.
    #[serde(skip)]
    pub login_id: Option<String>,
}

/// A request the terminal cannot act on (HTTP 422 with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RequestError(pub String);
/// Parses a 資格確認日 in the forms the screen and the wire use.
pub fn parse_confirmation_date(s: &str) -> Result<NaiveDate, RequestError> {
    let t = s.trim();
    ["%Y/%m/%d", "%Y%m%d", "%Y-%m-%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .ok_or_else(|| {
            RequestError(format!(
                "資格確認日 \"{s}\" is not a date (西暦年月日8桁, e.g. 2020/10/10)"
            ))
        })
}

/// Parses 電子 / 紙.
pub fn parse_prescription_form(s: &str) -> Result<PrescriptionIssueForm, RequestError> {
    match s.trim() {
        "電子" | "electronic" | texts::PRESCRIPTION_ELECTRONIC | "1" => {
            Ok(PrescriptionIssueForm::Electronic)
        }
        "紙" | "paper" | texts::PRESCRIPTION_PAPER | "2" => Ok(PrescriptionIssueForm::Paper),
        other => Err(RequestError(format!(
            "prescription_form \"{other}\": 電子 or 紙 (electronic / paper)"
        ))),
    }
}
