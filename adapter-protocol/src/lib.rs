//! The client-adapter protocol of the conformance runner (simulator-defined).
//!
//! The runner starts the vendor's adapter command once and talks to it in JSON lines: one
//! [`Request`] per line on the adapter's stdin, exactly one [`Reply`] per line on its stdout, in
//! order (stderr is free for the adapter's logs). A request says what a person at the counter does
//! ("check this insurance card", "the patient puts a My Number card on the reader and enters PIN
//! 1234", "submit this bulk inquiry", "register this reference number"); the adapter makes the
//! vendor's real code do it against the simulator over whatever transport that code uses, and
//! answers with what the client *concluded* and *showed*. The runner then checks the conclusion
//! against the manual and the requests the client sent (the simulator's journal).
//!
//! The first request is always [`Action::Hello`] (where the simulator is); the last is
//! [`Action::Shutdown`]. Field names are snake_case; absent optional fields may be omitted.
//!
//! Facility: every request acts for the `hello` facility ([`SimulatorEndpoints::facility`])
//! unless it carries its own `facility` (医療機関コード): then the client acts for that facility
//! for this request only (its requests' `MedicalInstitutionCode`, the terminal's `facility`). The
//! pharmacy profile's checks send the 薬局's code this way.

use serde::{Deserialize, Serialize};

/// The protocol's version, sent in [`Action::Hello`].
pub const PROTOCOL_VERSION: &str = "1";

/// One line from the runner to the adapter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// Sequence number; the reply carries the same.
    pub id: u64,
    #[serde(flatten)]
    pub action: Action,
}

/// What the person at the counter does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// First line: where the simulator is. Reply with [`Outcome::Hello`].
    Hello {
        protocol: String,
        /// The suite's name and version.
        suite: String,
        simulator: SimulatorEndpoints,
    },
    /// 被保険者証による資格確認: check this insurance card.
    CheckInsuranceCard {
        card: InsuranceCard,
        /// 限度額適用認定証関連情報の提供に同意 (the patient consented to 限度額 display).
        limit_consent: bool,
        /// 資格確認日 (YYYYMMDD); absent: today by the simulator's clock.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmation_date: Option<String>,
        /// 医療機関コード (10 digits) to act for in this request instead of
        /// [`SimulatorEndpoints::facility`] of `hello` (e.g. the pharmacy profile's checks act for
        /// a 薬局). Absent (omitted from the line): the `hello` facility, as before this field
        /// existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility: Option<String>,
        /// The encoding the counter's system wants its results in: `Shift_JIS` asks the client
        /// for Shift_JIS results (`CharacterCodeIdentifier` 1 in the request header, or a
        /// Shift_JIS request; docs/interface.md §1) and to read them correctly. Absent: the
        /// client's own choice.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        result_encoding: Option<String>,
    },
    /// マイナンバーカードによる資格確認: the card is already on reader `reader` of the
    /// simulated terminal; the patient chooses `method` and, for PIN, enters `pin`.
    CheckMyNumberCard {
        reader: u32,
        method: MyNumberMethod,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pin: Option<String>,
        /// 限度額 display consent.
        limit_consent: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmation_date: Option<String>,
        /// 医療機関コード (10 digits) to act for in this request instead of
        /// [`SimulatorEndpoints::facility`] of `hello` (e.g. the pharmacy profile's checks act for
        /// a 薬局). Absent (omitted from the line): the `hello` facility, as before this field
        /// existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility: Option<String>,
    },
    /// 資格情報一括照会 (JOB-01): submit these rows and fetch the result.
    BulkInquiry {
        rows: Vec<InsuranceCard>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmation_date: Option<String>,
        /// 医療機関コード (10 digits) to act for in this request instead of
        /// [`SimulatorEndpoints::facility`] of `hello` (e.g. the pharmacy profile's checks act for
        /// a 薬局). Absent (omitted from the line): the `hello` facility, as before this field
        /// existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility: Option<String>,
    },
    /// 照会番号登録 (single): register (or, with an empty number, delete) a reference number.
    RegisterReferenceNumber {
        card: InsuranceCard,
        reference_number: String,
        /// 医療機関コード (10 digits) to act for in this request instead of
        /// [`SimulatorEndpoints::facility`] of `hello` (e.g. the pharmacy profile's checks act for
        /// a 薬局). Absent (omitted from the line): the `hello` facility, as before this field
        /// existed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility: Option<String>,
    },
    /// 照会番号一括登録 (JOB-02): submit these rows (`OQSmuimm01req`; an empty number deletes)
    /// and fetch the result (`OQSmuimm02req` while SegmentOfResult is 2). Reply with
    /// [`Outcome::BulkRegistration`].
    BulkRegisterReferenceNumbers {
        rows: Vec<ReferenceNumberRow>,
        /// 医療機関コード to act for instead of the `hello` one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility: Option<String>,
    },
    /// 顔認証付きカードリーダーの結果: face-reader results appear unprompted in the exchange
    /// folder's `face/` (`OQSsiquc01res_face_<n>_<yyyymmddhhmmss>.xml`). Reply with
    /// [`Outcome::Face`]: one conclusion per result file your client picked up since the last
    /// `face_results` (each file exactly once, a file still being written not yet).
    FaceResults,
    /// 訪問診療等・オンライン診療等 資格情報照会 (FLOW-32, SCR-22): check this card for the
    /// 診療区分 `care` (`訪問診療等` → `OQSsihvq01req`, `オンライン診療等` → `OQSsionq01req`;
    /// docs/interface.md §2.7). Reply with [`Outcome::Confirmation`].
    VisitingInquiry {
        card: InsuranceCard,
        /// 診療区分: `訪問診療等` or `オンライン診療等`.
        care: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmation_date: Option<String>,
        /// 医療機関コード to act for instead of the `hello` one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility: Option<String>,
    },
    /// 同意取消 (FLOW-35, SCR-27 → SCR-28, 訪問診療等 only): cancel the facility's consent for
    /// this card (`OQSsihvd01req`). Reply with [`Outcome::Confirmation`] whose `message` is the
    /// text shown (「処理が正常に完了しました。」 or the refusal's).
    CancelVisitingConsent {
        card: InsuranceCard,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility: Option<String>,
    },
    /// 訪問診療等・オンライン診療等 資格情報一括照会 (JOB-03, FLOW-33/34): submit the search
    /// conditions (`OQSmuhvq01req` / `OQSmuonq01req`) and fetch the result (`…02req` while
    /// SegmentOfResult is 2). Dates YYYYMMDD; at least one range. Reply with [`Outcome::Bulk`]
    /// (one row per consent found, in the result's order).
    VisitingBulkInquiry {
        /// 診療区分: `訪問診療等` or `オンライン診療等`.
        care: String,
        /// 同意年月日 range.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent_from: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        consent_to: Option<String>,
        /// 受診年月日 range (オンライン診療等 only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        examination_from: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        examination_to: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        confirmation_date: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility: Option<String>,
    },
    /// 処方箋取得 by 引換番号 (FLOW-17, SCR-12; a pharmacy): retrieve the prescription with
    /// `exchange_number` (as the patient gave it) for this card (`POST
    /// {http}/pharmacy/prescriptions/retrieve`, docs/interface.md §2.7). Reply with
    /// [`Outcome::Prescription`].
    RetrievePrescription {
        card: InsuranceCard,
        exchange_number: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        facility: Option<String>,
    },
    /// Last line: the adapter replies and exits.
    Shutdown,
}

/// Where the simulator is reachable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatorEndpoints {
    /// Base URL, e.g. `http://127.0.0.1:40123` (XML at `/xml/{id}`, WebAPI, `/terminal/mynumber`).
    pub http: String,
    /// The file-exchange folder (with `req/`, `res/`, `face/`).
    pub exchange: String,
    /// 医療機関コード of the facility the client acts for.
    pub facility: String,
    /// PC/SC reader name, when the run presents cards over PC/SC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcsc_reader: Option<String>,
    /// The WebAPI account (`POST {http}/oqs-api-pro/MSA12020/ILI12020SV01/auth`), for clients
    /// on the `webapi` transport.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webapi: Option<WebApiAccount>,
}

/// A WebAPI login (the simulator's demo account unless configured otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebApiAccount {
    pub user_id: String,
    pub password: String,
}

/// The insurance card as read at the counter (the fields typed into the client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuranceCard {
    /// 保険者番号 as printed (6 or 8 digits, no padding).
    pub insurer_number: String,
    /// 記号 (may be absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番 as printed (may be absent, or "1" meaning 01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// 生年月日 YYYYMMDD.
    pub birthdate: String,
}

/// 目視確認 or 暗証番号.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MyNumberMethod {
    Visual,
    Pin,
}

/// One line from the adapter to the runner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub id: u64,
    /// `false`: the adapter itself failed (not the client's conclusion); `error` says why.
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
}

/// What the client concluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Hello {
        client: String,
        version: String,
        /// The transport the client used: `exchange`, `http`, `webapi`, `pcsc`.
        transport: String,
    },
    /// A qualification check (insurance card or My Number card).
    Confirmation(Conclusion),
    /// A bulk inquiry.
    Bulk(BulkConclusion),
    /// A reference-number registration.
    Registration(RegistrationConclusion),
    /// A bulk reference-number registration (reply to
    /// [`Action::BulkRegisterReferenceNumbers`]).
    BulkRegistration(BulkRegistrationConclusion),
    /// The face-reader results picked up (reply to [`Action::FaceResults`]).
    Face(FaceConclusion),
    /// A prescription retrieval (reply to [`Action::RetrievePrescription`]).
    Prescription(PrescriptionConclusion),
    /// Reply to [`Action::Shutdown`].
    Bye,
}

/// The client's conclusion about one check, as it shows it to staff.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Conclusion {
    /// 資格有効性 as the OQSCD 006 label: 有効, 無効, 無効（新しい資格あり）, 該当資格なし, 複数該当,
    /// 有効（未登録）. Absent when the check failed (see `message`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity: Option<String>,
    /// Every candidate person the client offers staff (one for a single match; all of them for
    /// 複数該当 — a client must not pick one).
    #[serde(default)]
    pub candidates: Vec<Candidate>,
    /// The text the client shows (banner or error message), verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Error code the client received, if any (ErrorCode / ProcessingResultCode / dialog ERR id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Files the client read or produced (paths relative to the exchange folder, e.g. `res/…`).
    #[serde(default)]
    pub files: Vec<String>,
}

/// One person as the client shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub insurer_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    pub number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// 氏名.
    pub name: String,
    /// 氏名（カナ）.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_kana: Option<String>,
    /// YYYYMMDD.
    pub birthdate: String,
    /// 性別 label (男/女/未設定).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
    /// 一部負担金割合 label, e.g. 3割.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contribution_ratio: Option<String>,
    /// 限度額適用認定証 適用区分 code (e.g. A03), shown only with consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_category: Option<String>,
    /// 照会番号 registered for this person, if the result carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
}

/// The client's conclusion about a bulk inquiry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BulkConclusion {
    /// The job status the client shows (照会状況 verbatim, e.g. 照会完了, 照会完了（要確認）,
    /// 照会失敗(XML構造エラー)).
    pub status: String,
    /// 受付番号.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reception_number: Option<String>,
    /// One conclusion per row, in request order (empty when the job failed).
    #[serde(default)]
    pub rows: Vec<Conclusion>,
    #[serde(default)]
    pub files: Vec<String>,
}

/// One row of a bulk reference-number registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceNumberRow {
    pub card: InsuranceCard,
    /// 照会番号 (empty: delete).
    pub reference_number: String,
}

/// The client's conclusion about a bulk registration (JOB-02).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BulkRegistrationConclusion {
    /// The job status shown (登録完了, 登録完了（要確認）, 登録失敗(…) verbatim).
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reception_number: Option<String>,
    /// One conclusion per row, in request order (empty when the job failed).
    #[serde(default)]
    pub rows: Vec<RegistrationConclusion>,
}

/// The face-reader results a client picked up from `face/` since the last
/// [`Action::FaceResults`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FaceConclusion {
    /// One conclusion per file, each naming its file in `files` (`face/<name>`).
    #[serde(default)]
    pub results: Vec<Conclusion>,
}

/// The client's conclusion about a prescription retrieval (FLOW-17).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PrescriptionConclusion {
    /// Did the client get the prescription (and save its XML)?
    pub retrieved: bool,
    /// The 引換番号 of the prescription the client saved (`ExchangeNumber` of the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_number: Option<String>,
    /// The text shown: a refusal's reason verbatim (RULE-25..28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Files the client saved (e.g. `prescription_000001.xml`).
    #[serde(default)]
    pub files: Vec<String>,
}

/// The client's conclusion about a reference-number registration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegistrationConclusion {
    /// Did the client conclude the registration succeeded?
    pub registered: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_one_flat_json_object_tagged_by_action() {
        let r = Request {
            id: 7,
            action: Action::CheckInsuranceCard {
                card: InsuranceCard {
                    insurer_number: "139931".into(),
                    symbol: Some("あいう".into()),
                    number: "1234".into(),
                    branch: None,
                    birthdate: "19700101".into(),
                },
                limit_consent: true,
                confirmation_date: None,
                facility: None,
                result_encoding: None,
            },
        };
        let line = serde_json::to_string(&r).unwrap_or_default();
        assert_eq!(
            line,
            r#"{"id":7,"action":"check_insurance_card","card":{"insurer_number":"139931","symbol":"あいう","number":"1234","birthdate":"19700101"},"limit_consent":true}"#
        );
        let back: Request = serde_json::from_str(&line).expect("round trip");
        assert_eq!(back, r);
    }

    #[test]
    fn a_request_may_name_the_facility_to_act_for() {
        let line = r#"{"id":2,"action":"register_reference_number","card":{"insurer_number":"06139000","number":"88001","birthdate":"19750707"},"reference_number":"K-1","facility":"1341234567"}"#;
        let r: Request = serde_json::from_str(line).expect("parses");
        match &r.action {
            Action::RegisterReferenceNumber { facility, .. } => {
                assert_eq!(facility.as_deref(), Some("1341234567"));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(serde_json::to_string(&r).unwrap_or_default(), line);
        // A line without it (as before the field existed) still parses, as the hello facility.
        let old = r#"{"id":3,"action":"bulk_inquiry","rows":[]}"#;
        match serde_json::from_str::<Request>(old).expect("parses").action {
            Action::BulkInquiry { facility, .. } => assert_eq!(facility, None),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn face_results_is_a_bare_action_and_answers_one_conclusion_per_file() {
        let r: Request =
            serde_json::from_str(r#"{"id":4,"action":"face_results"}"#).expect("parses");
        assert_eq!(r.action, Action::FaceResults);
        let line = r#"{"id":4,"ok":true,"outcome":{"kind":"face","results":[{"validity":"有効","candidates":[],"message":"この資格は有効です。","files":["face/OQSsiquc01res_face_000001_20210106100000.xml"]}]}}"#;
        match serde_json::from_str::<Reply>(line).expect("parses").outcome {
            Some(Outcome::Face(f)) => assert_eq!(f.results[0].files.len(), 1),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn the_visiting_and_prescription_actions_are_flat_lines() {
        let line = r#"{"id":5,"action":"visiting_inquiry","card":{"insurer_number":"050013","symbol":"hmtmList11","number":"102","branch":"00","birthdate":"19820101"},"care":"訪問診療等","confirmation_date":"20230825"}"#;
        let r: Request = serde_json::from_str(line).expect("parses");
        assert!(matches!(&r.action, Action::VisitingInquiry { care, .. } if care == "訪問診療等"));
        assert_eq!(serde_json::to_string(&r).unwrap_or_default(), line);
        let bulk = r#"{"id":6,"action":"visiting_bulk_inquiry","care":"オンライン診療等","examination_from":"20230401"}"#;
        let r: Request = serde_json::from_str(bulk).expect("parses");
        assert_eq!(serde_json::to_string(&r).unwrap_or_default(), bulk);
        let reply = r#"{"id":7,"ok":true,"outcome":{"kind":"prescription","retrieved":false,"message":"引換番号は半角数字で入力してください。"}}"#;
        match serde_json::from_str::<Reply>(reply)
            .expect("parses")
            .outcome
        {
            Some(Outcome::Prescription(p)) => assert!(!p.retrieved && p.files.is_empty()),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_reply_carries_a_tagged_outcome() {
        let line = r#"{"id":3,"ok":true,"outcome":{"kind":"confirmation","validity":"複数該当","candidates":[{"insurer_number":"06139931","number":"1","name":"試験 一","birthdate":"19700101"},{"insurer_number":"06139931","number":"2","name":"試験 二","birthdate":"19700101"}]}}"#;
        let r: Reply = serde_json::from_str(line).expect("parses");
        match r.outcome {
            Some(Outcome::Confirmation(c)) => {
                assert_eq!(c.validity.as_deref(), Some("複数該当"));
                assert_eq!(c.candidates.len(), 2);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            serde_json::from_str::<Reply>(r#"{"id":1,"ok":true,"outcome":{"kind":"nope"}}"#)
                .is_err()
        );
    }
}
