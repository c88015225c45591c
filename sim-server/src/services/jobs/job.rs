//! One job as the listings show it (受付番号, status, times, counts).

use super::status::{JobKind, JobState};
use chrono::{DateTime, FixedOffset};
use oqs_domain::inquiry::jst;
use oqs_protocol::TextEncoding;
use serde::{Deserialize, Serialize};

/// One job as the result screens list it (DM-19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Submission order; also the store key.
    pub seq: u64,
    /// 受付番号 `yyyymmddhhmmssSSS_<suffix>`.
    pub reception_number: String,
    pub kind: JobKind,
    /// Owner: the 医療機関コード of the request header ("" when it could not be read).
    pub facility: String,
    pub arbitrary_file_identifier: Option<String>,
    /// 資格確認日 as sent (echoed in the result header).
    pub confirmation_date: Option<String>,
    pub state: JobState,
    pub accepted_at: DateTime<FixedOffset>,
    pub finished_at: Option<DateTime<FixedOffset>>,
    /// Rows in the request (0 when it could not be read).
    pub rows: usize,
    /// Rows processed so far (照会件数 / 処理件数 once final).
    pub processed: usize,
    pub normal: usize,
    pub errors: usize,
    /// The error-table row of a failure.
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The precise reason of a failure (position, field, limit).
    pub error_detail: Option<String>,
    /// Encoding the result is written in.
    pub encoding: TextEncoding,
    /// `OQSmuquc02res_<医療機関コード>_<処理年月日時分秒>.xml` once downloadable.
    pub result_name: Option<String>,
    /// JOB-05 only: the period and the download deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispensing: Option<Acquisition>,
    /// The operator's login id when the file was uploaded on an operator screen (SCR-15 /
    /// SCR-17): its rows are recorded in the history under it, not the 連携アプリケーション's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
}

/// JOB-05: the acquisition period (調剤年月日, both days included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
}

/// What a JOB-05 job keeps besides the engine's fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acquisition {
    #[serde(flatten)]
    pub period: Period,
    /// ダウンロード期限 (RULE-72): the request day + 6.
    pub deadline: chrono::NaiveDate,
}

/// `yyyy/mm/dd hh:mm:ss` (DM-19).
pub fn screen_time(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&jst())
        .format("%Y/%m/%d %H:%M:%S")
        .to_string()
}

impl Job {
    /// The listing view (SCR-16 / SCR-18 columns) as JSON.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "receptionNumber": self.reception_number,
            "kind": self.kind.key(),
            "facility": self.facility,
            "status": self.state.status(self.kind),
            "state": self.state.key(),
            "description": self.state.description(self.kind),
            "receptionDateTime": screen_time(self.accepted_at),
            "completionDateTime": self.finished_at.map(screen_time),
            // JOB-04 has no rows in: its count (資格取得件数) is what it found.
            "count": self.state.is_final().then_some(self.processed).filter(|_| (self.rows > 0 || self.kind == super::status::JobKind::Entrusted) && !matches!(self.state, JobState::Failed(_))),
            "rows": self.rows,
            "processed": self.processed,
            "normal": self.normal,
            "errors": self.errors,
            "downloadable": self.state.downloadable(),
            "resultName": self.result_name,
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
            "errorDetail": self.error_detail,
            // The login id when asked on an operator screen; null from the machine ways in.
            "operator": self.operator,
        })
    }
}
