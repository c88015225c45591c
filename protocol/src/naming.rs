//! Message ids and file names of the file exchange (interface.md §2).

/// The message ids the simulator knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageId {
    /// Single qualification inquiry request.
    SingleInquiryRequest,
    /// Single qualification inquiry result.
    SingleInquiryResponse,
    /// 資格情報一括照会 (JOB-01) submit: OQSmuquc01req → OQSmuquc01res (受付番号).
    BulkInquirySubmitRequest,
    BulkInquirySubmitResponse,
    /// JOB-01 fetch: OQSmuquc02req (受付番号) → OQSmuquc02res (results).
    BulkInquiryFetchRequest,
    BulkInquiryFetchResponse,
    /// 照会番号 registration of one qualification: OQSsiimm01req → OQSsiimm01res.
    ReferenceNumberRequest,
    ReferenceNumberResponse,
    /// 照会番号一括登録 (JOB-02) submit: OQSmuimm01req → OQSmuimm01res.
    BulkRegistrationSubmitRequest,
    BulkRegistrationSubmitResponse,
    /// JOB-02 fetch: OQSmuimm02req → OQSmuimm02res.
    BulkRegistrationFetchRequest,
    BulkRegistrationFetchResponse,
    /// 訪問診療等 single inquiry (FLOW-32, 診療区分 2): OQSsihvq01req → OQSsihvq01res.
    VisitingInquiryRequest,
    VisitingInquiryResponse,
    /// オンライン診療等 single inquiry (FLOW-32, 診療区分 3): OQSsionq01req → OQSsionq01res.
    OnlineInquiryRequest,
    OnlineInquiryResponse,
    /// 同意取消(訪問診療等) (FLOW-35): OQSsihvd01req → OQSsihvd01res.
    ConsentCancelRequest,
    ConsentCancelResponse,
    /// 保管調剤結果一括取得 (JOB-05, the simulator's own): OQSmudsp01req (period) →
    /// OQSmudsp01res (調剤結果一括取得ID).
    DispensingAcquisitionRequest,
    DispensingAcquisitionResponse,
    /// JOB-05 list / read / download: OQSmudsp02req → OQSmudsp02res.
    DispensingListRequest,
    DispensingListResponse,
    /// 委託先資格情報一括取得 (JOB-04) submit: OQSmutic01req (診療年月) → OQSmutic01res.
    EntrustedSubmitRequest,
    EntrustedSubmitResponse,
    /// JOB-04 fetch: OQSmutic02req (受付番号) → OQSmutic02res.
    EntrustedFetchRequest,
    EntrustedFetchResponse,
    /// JOB-03 訪問診療等 submit: OQSmuhvq01req → OQSmuhvq01res (受付番号).
    VisitingBulkSubmitRequest,
    VisitingBulkSubmitResponse,
    /// JOB-03 訪問診療等 fetch: OQSmuhvq02req → OQSmuhvq02res.
    VisitingBulkFetchRequest,
    VisitingBulkFetchResponse,
    /// JOB-03 オンライン診療等 submit: OQSmuonq01req → OQSmuonq01res.
    OnlineBulkSubmitRequest,
    OnlineBulkSubmitResponse,
    /// JOB-03 オンライン診療等 fetch: OQSmuonq02req → OQSmuonq02res.
    OnlineBulkFetchRequest,
    OnlineBulkFetchResponse,
}

impl MessageId {
    pub const ALL: &'static [MessageId] = &[
        MessageId::SingleInquiryRequest,
        MessageId::SingleInquiryResponse,
        MessageId::BulkInquirySubmitRequest,
        MessageId::BulkInquirySubmitResponse,
        MessageId::BulkInquiryFetchRequest,
        MessageId::BulkInquiryFetchResponse,
        MessageId::ReferenceNumberRequest,
        MessageId::ReferenceNumberResponse,
        MessageId::BulkRegistrationSubmitRequest,
        MessageId::BulkRegistrationSubmitResponse,
        MessageId::BulkRegistrationFetchRequest,
        MessageId::BulkRegistrationFetchResponse,
        MessageId::VisitingInquiryRequest,
        MessageId::VisitingInquiryResponse,
        MessageId::OnlineInquiryRequest,
        MessageId::OnlineInquiryResponse,
        MessageId::ConsentCancelRequest,
        MessageId::ConsentCancelResponse,
        MessageId::DispensingAcquisitionRequest,
        MessageId::DispensingAcquisitionResponse,
        MessageId::DispensingListRequest,
        MessageId::DispensingListResponse,
        MessageId::EntrustedSubmitRequest,
        MessageId::EntrustedSubmitResponse,
        MessageId::EntrustedFetchRequest,
        MessageId::EntrustedFetchResponse,
        MessageId::VisitingBulkSubmitRequest,
        MessageId::VisitingBulkSubmitResponse,
        MessageId::VisitingBulkFetchRequest,
        MessageId::VisitingBulkFetchResponse,
        MessageId::OnlineBulkSubmitRequest,
        MessageId::OnlineBulkSubmitResponse,
        MessageId::OnlineBulkFetchRequest,
        MessageId::OnlineBulkFetchResponse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageId::SingleInquiryRequest => "OQSsiquc01req",
            MessageId::SingleInquiryResponse => "OQSsiquc01res",
            MessageId::BulkInquirySubmitRequest => "OQSmuquc01req",
            MessageId::BulkInquirySubmitResponse => "OQSmuquc01res",
            MessageId::BulkInquiryFetchRequest => "OQSmuquc02req",
            MessageId::BulkInquiryFetchResponse => "OQSmuquc02res",
            MessageId::ReferenceNumberRequest => "OQSsiimm01req",
            MessageId::ReferenceNumberResponse => "OQSsiimm01res",
            MessageId::BulkRegistrationSubmitRequest => "OQSmuimm01req",
            MessageId::BulkRegistrationSubmitResponse => "OQSmuimm01res",
            MessageId::BulkRegistrationFetchRequest => "OQSmuimm02req",
            MessageId::BulkRegistrationFetchResponse => "OQSmuimm02res",
            MessageId::VisitingInquiryRequest => "OQSsihvq01req",
            MessageId::VisitingInquiryResponse => "OQSsihvq01res",
            MessageId::OnlineInquiryRequest => "OQSsionq01req",
            MessageId::OnlineInquiryResponse => "OQSsionq01res",
            MessageId::ConsentCancelRequest => "OQSsihvd01req",
            MessageId::ConsentCancelResponse => "OQSsihvd01res",
            MessageId::DispensingAcquisitionRequest => "OQSmudsp01req",
            MessageId::DispensingAcquisitionResponse => "OQSmudsp01res",
            MessageId::DispensingListRequest => "OQSmudsp02req",
            MessageId::DispensingListResponse => "OQSmudsp02res",
            MessageId::EntrustedSubmitRequest => "OQSmutic01req",
            MessageId::EntrustedSubmitResponse => "OQSmutic01res",
            MessageId::EntrustedFetchRequest => "OQSmutic02req",
            MessageId::EntrustedFetchResponse => "OQSmutic02res",
            MessageId::VisitingBulkSubmitRequest => "OQSmuhvq01req",
            MessageId::VisitingBulkSubmitResponse => "OQSmuhvq01res",
            MessageId::VisitingBulkFetchRequest => "OQSmuhvq02req",
            MessageId::VisitingBulkFetchResponse => "OQSmuhvq02res",
            MessageId::OnlineBulkSubmitRequest => "OQSmuonq01req",
            MessageId::OnlineBulkSubmitResponse => "OQSmuonq01res",
            MessageId::OnlineBulkFetchRequest => "OQSmuonq02req",
            MessageId::OnlineBulkFetchResponse => "OQSmuonq02res",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        MessageId::ALL.iter().copied().find(|m| m.as_str() == s)
    }

    /// The result message of a request message.
    pub fn response(self) -> Option<MessageId> {
        match self {
            MessageId::SingleInquiryRequest => Some(MessageId::SingleInquiryResponse),
            MessageId::BulkInquirySubmitRequest => Some(MessageId::BulkInquirySubmitResponse),
            MessageId::BulkInquiryFetchRequest => Some(MessageId::BulkInquiryFetchResponse),
            MessageId::ReferenceNumberRequest => Some(MessageId::ReferenceNumberResponse),
            MessageId::BulkRegistrationSubmitRequest => {
                Some(MessageId::BulkRegistrationSubmitResponse)
            }
            MessageId::BulkRegistrationFetchRequest => {
                Some(MessageId::BulkRegistrationFetchResponse)
            }
            MessageId::VisitingInquiryRequest => Some(MessageId::VisitingInquiryResponse),
            MessageId::OnlineInquiryRequest => Some(MessageId::OnlineInquiryResponse),
            MessageId::ConsentCancelRequest => Some(MessageId::ConsentCancelResponse),
            MessageId::DispensingAcquisitionRequest => {
                Some(MessageId::DispensingAcquisitionResponse)
            }
            MessageId::DispensingListRequest => Some(MessageId::DispensingListResponse),
            MessageId::DispensingAcquisitionResponse | MessageId::DispensingListResponse => None,
            MessageId::EntrustedSubmitRequest => Some(MessageId::EntrustedSubmitResponse),
            MessageId::EntrustedFetchRequest => Some(MessageId::EntrustedFetchResponse),
            MessageId::VisitingBulkSubmitRequest => Some(MessageId::VisitingBulkSubmitResponse),
            MessageId::VisitingBulkFetchRequest => Some(MessageId::VisitingBulkFetchResponse),
            MessageId::OnlineBulkSubmitRequest => Some(MessageId::OnlineBulkSubmitResponse),
            MessageId::OnlineBulkFetchRequest => Some(MessageId::OnlineBulkFetchResponse),
            MessageId::SingleInquiryResponse
            | MessageId::BulkInquirySubmitResponse
            | MessageId::BulkInquiryFetchResponse
            | MessageId::ReferenceNumberResponse
            | MessageId::BulkRegistrationSubmitResponse
            | MessageId::BulkRegistrationFetchResponse
            | MessageId::VisitingInquiryResponse
            | MessageId::OnlineInquiryResponse
            | MessageId::ConsentCancelResponse
            | MessageId::EntrustedSubmitResponse
            | MessageId::EntrustedFetchResponse
            | MessageId::VisitingBulkSubmitResponse
            | MessageId::VisitingBulkFetchResponse
            | MessageId::OnlineBulkSubmitResponse
            | MessageId::OnlineBulkFetchResponse => None,
        }
    }

    /// Request message ids, for error texts ("known: …").
    pub fn request_names() -> String {
        MessageId::ALL
            .iter()
            .filter(|m| m.response().is_some())
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The name of a bulk job's downloadable result (§6.6):
/// `<処理ID>_<医療機関コード>_<処理年月日時分秒>.xml`, e.g. `OQSmuquc02res_1234567890_20201015130100.xml`.
pub fn bulk_result_file_name(
    result: MessageId,
    medical_institution_code: &str,
    processed_at: &str,
) -> String {
    format!(
        "{}_{medical_institution_code}_{processed_at}.xml",
        result.as_str()
    )
}

/// The name of a face reader's result in `face/`: `OQSsiquc01res_face_<n>_<yyyymmddhhmmss>.xml`.
/// Public clients match `OQSsiquc01res_face_.+_(\d{14})\.xml` (the time last, after a part of
/// the reader's own); the simulator's part is the confirmation's sequence number.
pub fn face_result_file_name(sequence: u64, processed_at: &str) -> String {
    format!("OQSsiquc01res_face_{sequence:06}_{processed_at}.xml")
}

/// A request file name split into its parts: `<message id>_<id>.xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFileName {
    /// The message-id part as written (may be unknown to the simulator).
    pub message: String,
    /// Everything between the first `_` and `.xml`.
    pub id: String,
}

/// Why a file name is not a request name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("file name \"{name}\": {reason}")]
pub struct FileNameError {
    pub name: String,
    pub reason: String,
}

/// Longest id part accepted in a file name.
pub const MAX_FILE_ID_CHARS: usize = 100;

impl RequestFileName {
    pub fn parse(name: &str) -> Result<Self, FileNameError> {
        let err = |reason: &str| FileNameError {
            name: name.to_owned(),
            reason: reason.to_owned(),
        };
        let stem = name
            .strip_suffix(".xml")
            .ok_or_else(|| err("does not end in .xml"))?;
        let (message, id) = stem
            .split_once('_')
            .ok_or_else(|| err("has no '_' between message id and id"))?;
        if !message.ends_with("req") {
            return Err(err("message id does not end in \"req\""));
        }
        if id.is_empty() || id.chars().count() > MAX_FILE_ID_CHARS {
            return Err(err("id part is empty or longer than 100 characters"));
        }
        Ok(RequestFileName {
            message: message.to_owned(),
            id: id.to_owned(),
        })
    }

    /// The result file name: the same name with `req` replaced by `res`.
    pub fn response_name(&self) -> String {
        let base = self.message.strip_suffix("req").unwrap_or(&self.message);
        format!("{base}res_{}.xml", self.id)
    }

    /// Name of the rejection file: `<request base name>.err`.
    pub fn error_name(request_file_name: &str) -> String {
        let base = request_file_name
            .strip_suffix(".xml")
            .unwrap_or(request_file_name);
        format!("{base}.err")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_and_response_names() {
        let n = RequestFileName::parse("OQSsiquc01req_20210106100000_001.xml").unwrap();
        assert_eq!(n.message, "OQSsiquc01req");
        assert_eq!(n.id, "20210106100000_001");
        assert_eq!(n.response_name(), "OQSsiquc01res_20210106100000_001.xml");
        assert_eq!(
            MessageId::parse(&n.message),
            Some(MessageId::SingleInquiryRequest)
        );
        assert_eq!(
            RequestFileName::error_name("OQSsiquc01req_x.xml"),
            "OQSsiquc01req_x.err"
        );
        assert!(RequestFileName::parse("OQSsiquc01req_x.txt").is_err());
        assert!(RequestFileName::parse("OQSsiquc01res_x.xml").is_err());
        assert!(RequestFileName::parse("OQSsiquc01req.xml").is_err());
    }

    #[test]
    fn face_result_names_end_with_the_time() {
        let n = face_result_file_name(3, "20210106100000");
        assert_eq!(n, "OQSsiquc01res_face_000003_20210106100000.xml");
        let tail = n
            .strip_prefix("OQSsiquc01res_face_")
            .and_then(|t| t.strip_suffix(".xml"))
            .and_then(|t| t.rsplit_once('_'))
            .map(|(_, time)| time);
        assert_eq!(tail, Some("20210106100000"));
    }

    #[test]
    fn bulk_ids_and_result_file_names() {
        for m in MessageId::ALL {
            assert_eq!(MessageId::parse(m.as_str()), Some(*m));
            if let Some(r) = m.response() {
                assert_eq!(
                    r.as_str().strip_suffix("res"),
                    m.as_str().strip_suffix("req")
                );
            }
        }
        assert_eq!(
            bulk_result_file_name(
                MessageId::BulkInquiryFetchResponse,
                "1234567890",
                "20201015130100"
            ),
            "OQSmuquc02res_1234567890_20201015130100.xml"
        );
        assert_eq!(
            bulk_result_file_name(
                MessageId::BulkRegistrationFetchResponse,
                "1234567890",
                "20201015130100"
            ),
            "OQSmuimm02res_1234567890_20201015130100.xml"
        );
    }
}
