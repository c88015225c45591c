//! Job kinds and statuses (§6.0): 待ち → 中 → 完了 | 完了（要確認） | 失敗(…), with the texts the
//! screens print verbatim.

use oqs_protocol::naming::MessageId;
use oqs_protocol::texts::job_status as t;
use serde::{Deserialize, Serialize};

/// The asynchronous job kinds (JOB-03..05 will join).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobKind {
    /// JOB-01 資格情報一括照会.
    BulkInquiry,
    /// JOB-02 照会番号一括登録.
    BulkRegistration,
    /// JOB-05 保管調剤結果一括取得 (ch.11).
    StoredDispensing,
    /// JOB-04 委託先資格情報一括取得 (OQSmutic).
    Entrusted,
    /// JOB-03 資格情報一括照会 of 訪問診療等 (OQSmuhvq).
    VisitingBulk,
    /// JOB-03 資格情報一括照会 of オンライン診療等 (OQSmuonq).
    OnlineBulk,
}

impl JobKind {
    pub const ALL: &'static [JobKind] = &[
        JobKind::BulkInquiry,
        JobKind::BulkRegistration,
        JobKind::StoredDispensing,
        JobKind::Entrusted,
        JobKind::VisitingBulk,
        JobKind::OnlineBulk,
    ];

    pub fn key(self) -> &'static str {
        match self {
            JobKind::BulkInquiry => "bulk-inquiry",
            JobKind::BulkRegistration => "bulk-registration",
            JobKind::StoredDispensing => "stored-dispensing",
            JobKind::Entrusted => "entrusted",
            JobKind::VisitingBulk => "visiting-bulk",
            JobKind::OnlineBulk => "online-bulk",
        }
    }

    pub fn from_key(s: &str) -> Option<Self> {
        JobKind::ALL.iter().copied().find(|k| k.key() == s)
    }

    /// The kind a submit message starts.
    pub fn of_submit(m: MessageId) -> Option<Self> {
        match m {
            MessageId::BulkInquirySubmitRequest => Some(JobKind::BulkInquiry),
            MessageId::BulkRegistrationSubmitRequest => Some(JobKind::BulkRegistration),
            MessageId::EntrustedSubmitRequest => Some(JobKind::Entrusted),
            MessageId::VisitingBulkSubmitRequest => Some(JobKind::VisitingBulk),
            MessageId::OnlineBulkSubmitRequest => Some(JobKind::OnlineBulk),
            _ => None,
        }
    }

    /// The kind a fetch message reads.
    pub fn of_fetch(m: MessageId) -> Option<Self> {
        match m {
            MessageId::BulkInquiryFetchRequest => Some(JobKind::BulkInquiry),
            MessageId::BulkRegistrationFetchRequest => Some(JobKind::BulkRegistration),
            MessageId::EntrustedFetchRequest => Some(JobKind::Entrusted),
            MessageId::VisitingBulkFetchRequest => Some(JobKind::VisitingBulk),
            MessageId::OnlineBulkFetchRequest => Some(JobKind::OnlineBulk),
            _ => None,
        }
    }

    /// The message id of the fetched result, which also names the downloadable file (§6.6).
    pub fn result_message(self) -> MessageId {
        match self {
            JobKind::BulkInquiry => MessageId::BulkInquiryFetchResponse,
            JobKind::BulkRegistration => MessageId::BulkRegistrationFetchResponse,
            JobKind::Entrusted => MessageId::EntrustedFetchResponse,
            JobKind::StoredDispensing => MessageId::DispensingListResponse,
            JobKind::VisitingBulk => MessageId::VisitingBulkFetchResponse,
            JobKind::OnlineBulk => MessageId::OnlineBulkFetchResponse,
        }
    }

    /// Finished jobs kept per facility: JOB-05's rows stay listed past their deadline and page
    /// by 9 (RULE-72/73), the others' screens show 3 (RULE-52).
    pub fn retained(self) -> usize {
        match self {
            // 100: 11 pages of SCR-34.
            JobKind::StoredDispensing => 100,
            _ => super::RETAIN_PER_OWNER,
        }
    }

    /// The 診療区分 of a JOB-03 kind.
    pub fn care_kind(self) -> Option<oqs_protocol::visiting::CareKind> {
        match self {
            JobKind::VisitingBulk => Some(oqs_protocol::visiting::CareKind::Visiting),
            JobKind::OnlineBulk => Some(oqs_protocol::visiting::CareKind::Online),
            _ => None,
        }
    }

    /// The downloadable result's name (§6.6): JOB-01/02 `<処理ID>_<医療機関コード>_<処理年月日時分秒>.xml`;
    /// JOB-03 `<処理ID>_<受付番号>` — `.zip` for 訪問診療等, `.xml` for オンライン診療等. The manual
    /// prints the ids as 「QQSmuhvq04res」 and 「QSmuong04res」 (AMB-32); the simulator writes the
    /// ids the public client reads, `OQSmuhvq02res` / `OQSmuonq02res`.
    pub fn result_file_name(
        self,
        facility: &str,
        reception_number: &str,
        processed_at: &str,
    ) -> String {
        match self {
            JobKind::VisitingBulk | JobKind::OnlineBulk => format!(
                "{}_{reception_number}.{}",
                self.result_message().as_str(),
                if self == JobKind::VisitingBulk {
                    "zip"
                } else {
                    "xml"
                }
            ),
            _ => oqs_protocol::naming::bulk_result_file_name(
                self.result_message(),
                facility,
                processed_at,
            ),
        }
    }
}

/// Why a job failed: the four causes of JOB-01/JOB-02.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Failure {
    /// システムエラー (fault injection, a result that could not be stored).
    System,
    /// XML構造エラー: not well-formed, wrong encoding, wrong structure.
    XmlStructure,
    /// ヘッダー項目エラー: a header field breaks its rule.
    Header,
    /// 処理上限エラー: more rows than the limit.
    Limit,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobState {
    /// 待ち.
    Waiting,
    /// 中.
    Processing,
    /// 完了.
    Done,
    /// 完了（要確認）: some row needs a look.
    DoneNeedsCheck,
    /// 失敗(…).
    Failed(Failure),
}

impl JobState {
    pub fn is_final(self) -> bool {
        !matches!(self, JobState::Waiting | JobState::Processing)
    }

    /// RULE-54: only 完了 and 完了（要確認） can be downloaded.
    pub fn downloadable(self) -> bool {
        matches!(self, JobState::Done | JobState::DoneNeedsCheck)
    }

    /// A stable key for APIs and the store.
    pub fn key(self) -> &'static str {
        match self {
            JobState::Waiting => "waiting",
            JobState::Processing => "processing",
            JobState::Done => "done",
            JobState::DoneNeedsCheck => "done-needs-check",
            JobState::Failed(Failure::System) => "failed-system",
            JobState::Failed(Failure::XmlStructure) => "failed-xml-structure",
            JobState::Failed(Failure::Header) => "failed-header",
            JobState::Failed(Failure::Limit) => "failed-limit",
        }
    }

    /// The status string of the kind's result screen, verbatim (JOB-01 照会状況, JOB-02 処理状況).
    pub fn status(self, kind: JobKind) -> &'static str {
        use oqs_protocol::texts::dispensing as d;
        use Failure as F;
        use JobState as S;
        match (kind, self) {
            (JobKind::BulkInquiry, S::Waiting) => t::INQUIRY_WAITING,
            (JobKind::BulkInquiry, S::Processing) => t::INQUIRY_PROCESSING,
            (JobKind::BulkInquiry, S::Done) => t::INQUIRY_DONE,
            (JobKind::BulkInquiry, S::DoneNeedsCheck) => t::INQUIRY_DONE_CHECK,
            (JobKind::BulkInquiry, S::Failed(F::System)) => t::INQUIRY_FAILED_SYSTEM,
            (JobKind::BulkInquiry, S::Failed(F::XmlStructure)) => t::INQUIRY_FAILED_XML,
            (JobKind::BulkInquiry, S::Failed(F::Header)) => t::INQUIRY_FAILED_HEADER,
            (JobKind::BulkInquiry, S::Failed(F::Limit)) => t::INQUIRY_FAILED_LIMIT,
            (JobKind::BulkRegistration, S::Waiting) => t::REGISTRATION_WAITING,
            (JobKind::BulkRegistration, S::Processing) => t::REGISTRATION_PROCESSING,
            (JobKind::BulkRegistration, S::Done) => t::REGISTRATION_DONE,
            (JobKind::BulkRegistration, S::DoneNeedsCheck) => t::REGISTRATION_DONE_CHECK,
            (JobKind::BulkRegistration, S::Failed(F::System)) => t::REGISTRATION_FAILED_SYSTEM,
            (JobKind::BulkRegistration, S::Failed(F::XmlStructure)) => t::REGISTRATION_FAILED_XML,
            (JobKind::BulkRegistration, S::Failed(F::Header)) => t::REGISTRATION_FAILED_HEADER,
            (JobKind::BulkRegistration, S::Failed(F::Limit)) => t::REGISTRATION_FAILED_LIMIT,
            // ch.11 lists 照会中 and 照会完了 only (AMB-38).
            (JobKind::StoredDispensing, S::Waiting | S::Processing) => d::PROCESSING,
            (JobKind::StoredDispensing, S::Done | S::DoneNeedsCheck) => d::DONE,
            (JobKind::StoredDispensing, S::Failed(_)) => d::FAILED_SYSTEM,
            // JOB-04 取得状況: the JOB-01 words, its own failure causes (Header: a request item).
            (JobKind::Entrusted, S::Waiting) => t::INQUIRY_WAITING,
            (JobKind::Entrusted, S::Processing) => t::INQUIRY_PROCESSING,
            (JobKind::Entrusted, S::Done) => t::INQUIRY_DONE,
            (JobKind::Entrusted, S::DoneNeedsCheck) => t::INQUIRY_DONE_CHECK,
            (JobKind::Entrusted, S::Failed(F::System)) => t::INQUIRY_FAILED_SYSTEM,
            (JobKind::Entrusted, S::Failed(F::XmlStructure)) => t::INQUIRY_FAILED_XML,
            (JobKind::Entrusted, S::Failed(F::Header)) => t::ENTRUSTED_FAILED_REQUEST_ITEM,
            (JobKind::Entrusted, S::Failed(F::Limit)) => t::ENTRUSTED_FAILED_FILE_SIZE,
            // JOB-03's 照会状況 are JOB-01's, verbatim (the ch.3 table repeats them).
            (JobKind::VisitingBulk | JobKind::OnlineBulk, s) => s.status(JobKind::BulkInquiry),
        }
    }

    /// The description next to the status in the manual's item table.
    pub fn description(self, kind: JobKind) -> &'static str {
        match (kind, self) {
            // JOB-03's descriptions are JOB-01's, verbatim (the ch.3 table repeats them).
            (JobKind::VisitingBulk | JobKind::OnlineBulk, s) => s.description(JobKind::BulkInquiry),
            (JobKind::BulkInquiry, JobState::Waiting) => t::INQUIRY_WAITING_DESC,
            (JobKind::BulkInquiry, JobState::Processing) => t::INQUIRY_PROCESSING_DESC,
            (JobKind::BulkInquiry, JobState::Done) => t::INQUIRY_DONE_DESC,
            (JobKind::BulkInquiry, JobState::DoneNeedsCheck) => t::INQUIRY_DONE_CHECK_DESC,
            (JobKind::BulkInquiry, JobState::Failed(_)) => t::INQUIRY_FAILED_DESC,
            (JobKind::BulkRegistration, JobState::Waiting) => t::REGISTRATION_WAITING_DESC,
            (JobKind::BulkRegistration, JobState::Processing) => t::REGISTRATION_PROCESSING_DESC,
            (JobKind::BulkRegistration, JobState::Done) => t::REGISTRATION_DONE_DESC,
            (JobKind::BulkRegistration, JobState::DoneNeedsCheck) => {
                t::REGISTRATION_DONE_CHECK_DESC
            }
            (JobKind::BulkRegistration, JobState::Failed(_)) => t::REGISTRATION_FAILED_DESC,
            (JobKind::StoredDispensing, JobState::Waiting | JobState::Processing) => {
                oqs_protocol::texts::dispensing::PROCESSING_DESC
            }
            (JobKind::StoredDispensing, JobState::Done | JobState::DoneNeedsCheck) => {
                oqs_protocol::texts::dispensing::DONE_DESC
            }
            (JobKind::StoredDispensing, JobState::Failed(_)) => {
                oqs_protocol::texts::dispensing::FAILED_DESC
            }
            (JobKind::Entrusted, JobState::Waiting) => t::ENTRUSTED_WAITING_DESC,
            (JobKind::Entrusted, JobState::Processing) => t::ENTRUSTED_PROCESSING_DESC,
            (JobKind::Entrusted, JobState::Done) => t::INQUIRY_DONE_DESC,
            (JobKind::Entrusted, JobState::DoneNeedsCheck) => t::ENTRUSTED_DONE_CHECK_DESC,
            (JobKind::Entrusted, JobState::Failed(_)) => t::ENTRUSTED_FAILED_DESC,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_its_verbatim_status_and_only_done_downloads() {
        use oqs_protocol::texts::job_status as t;
        let all = [
            JobState::Waiting,
            JobState::Processing,
            JobState::Done,
            JobState::DoneNeedsCheck,
            JobState::Failed(Failure::System),
            JobState::Failed(Failure::XmlStructure),
            JobState::Failed(Failure::Header),
            JobState::Failed(Failure::Limit),
        ];
        let inquiry: Vec<&str> = all.iter().map(|s| s.status(JobKind::BulkInquiry)).collect();
        assert_eq!(
            inquiry,
            [
                "照会待ち",
                "照会中",
                "照会完了",
                "照会完了（要確認）",
                "照会失敗(システムエラー)",
                "照会失敗(XML構造エラー)",
                "照会失敗(ヘッダー項目エラー)",
                "照会失敗(処理上限エラー)"
            ]
        );
        let registration: Vec<&str> = all
            .iter()
            .map(|s| s.status(JobKind::BulkRegistration))
            .collect();
        assert_eq!(
            registration,
            [
                "登録待ち",
                "登録中",
                "登録完了",
                "登録完了（要確認）",
                "登録失敗(システムエラー)",
                "登録失敗(XML構造エラー)",
                "登録失敗(ヘッダー項目エラー)",
                "登録失敗(処理上限エラー)"
            ]
        );
        let entrusted: Vec<&str> = all.iter().map(|s| s.status(JobKind::Entrusted)).collect();
        assert_eq!(
            entrusted,
            [
                "照会待ち",
                "照会中",
                "照会完了",
                "照会完了（要確認）",
                "照会失敗(システムエラー)",
                "照会失敗(XML構造エラー)",
                "照会失敗(要求情報項目エラー)",
                "照会失敗(ファイルサイズ上限超過エラー)"
            ]
        );
        assert_eq!(
            JobState::Waiting.description(JobKind::Entrusted),
            "取得処理待ちの状態です。"
        );
        assert_eq!(
            JobState::Failed(Failure::Limit).description(JobKind::BulkInquiry),
            t::INQUIRY_FAILED_DESC
        );
        let downloadable: Vec<bool> = all.iter().map(|s| s.downloadable()).collect();
        assert_eq!(
            downloadable,
            [false, false, true, true, false, false, false, false]
        );
    }
}
