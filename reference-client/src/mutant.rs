//! Mutants: deliberately wrong variants of the reference client. Each breaks exactly one rule of
//! the manual or the interface; the conformance suite must fail each of them on the named check
//! (`conformance/tests/mutants.rs` proves it and prints the kill rate).

use oqs_adapter_protocol::Conclusion;
use oqs_protocol::codes::QualificationValidity;
use std::fmt;

macro_rules! mutants {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, check = $check:literal; )*) => {
        /// One deliberately broken rule.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Mutant {
            $( $(#[$doc])* $variant, )*
        }

        impl Mutant {
            /// Every mutant, in a stable order.
            pub const ALL: &'static [Mutant] = &[$(Mutant::$variant),*];

            /// The command-line name (`--mutant NAME`).
            pub fn name(self) -> &'static str {
                match self { $(Mutant::$variant => $name,)* }
            }

            /// The conformance check that must catch this mutant.
            pub fn check(self) -> &'static str {
                match self { $(Mutant::$variant => $check,)* }
            }

            pub fn from_name(name: &str) -> Option<Mutant> {
                Mutant::ALL.iter().copied().find(|m| m.name() == name)
            }
        }
    };
}

mutants! {
    /// RULE-32 (複数該当): the client must offer staff every candidate and let them choose; this one
    /// picks the first candidate by itself.
    PickFirstCandidate = "pick-first-candidate", check = "CHK-B-001";
    /// interface.md §3 / wire decisions: a 6-digit 国保 保険者番号 goes right-aligned to 8 with
    /// SPACES; this one zero-pads it (`00139931`).
    ZeroPadInsurer = "zero-pad-insurer", check = "CHK-W-002";
    /// The reverse: sends a 6-digit 保険者番号 unpadded (6 characters instead of 8).
    UnpaddedInsurer = "unpadded-insurer", check = "CHK-W-002";
    /// RULE-03: 無効（新しい資格あり） must be shown as such with its banner; this one reports plain
    /// 無効 and the 無効 banner.
    IgnoreNewerQualification = "ignore-newer-qualification", check = "CHK-O-003";
    /// JOB-01: 照会完了（要確認） is a finished job whose rows must be shown; this one reports it as
    /// a failure (照会失敗(システムエラー), no rows).
    NeedsCheckAsFailure = "needs-check-as-failure", check = "CHK-B-011";
    /// JOB-01 / interface.md §3: SegmentOfResult 2 means "poll again"; this one stops at the
    /// first 2 and reports the job as 照会中 without rows.
    StopPollingOnProcessing = "stop-polling-on-processing", check = "CHK-B-009";
    /// SegmentOfResult 9 means the job failed; this one reports it as 照会完了.
    FailureReportedAsDone = "failure-reported-as-done", check = "CHK-B-010";
    /// The file exchange answers within about a second: the client must wait for the result
    /// file; this one looks once right after writing the request and gives up.
    NoWaitForAnswer = "no-wait-for-answer", check = "CHK-O-001";
    /// ERR-13: a locked PIN must not be tried again (switch to 目視確認); this one sends the PIN
    /// a second time after a PIN dialog.
    RetryLockedPin = "retry-locked-pin", check = "CHK-B-007";
    /// RULE-07..09: LimitApplicationCertificateRelatedConsFlg carries the patient's 限度額
    /// consent; this one always sends 0 (and never asks the terminal to show it).
    DropLimitConsent = "drop-limit-consent", check = "CHK-O-006";
    /// interface.md §3: the prolog must declare the encoding the bytes are in; this one declares
    /// Shift_JIS but writes UTF-8 bytes (with Japanese text in ArbitraryIdentifier).
    WrongEncodingDeclaration = "wrong-encoding-declaration", check = "CHK-W-007";
    /// SCR-10 ①: the banner is shown verbatim; this one paraphrases it.
    ParaphraseBanner = "paraphrase-banner", check = "CHK-B-002";
    /// RULE-34 / the error table: the client shows the simulator's error text (ErrorMessage,
    /// ProcessingResultMessage, the `.err` file) verbatim; this one shows a made-up message.
    InventErrorMessage = "invent-error-message", check = "CHK-B-006";
    /// interface.md §3: dates are YYYYMMDD; this one writes YYYY-MM-DD.
    DashedDates = "dashed-dates", check = "CHK-W-001";
    /// interface.md §3: 枝番 is 2 digits; this one sends 枝番 "1" as "1" instead of "01".
    OneDigitBranch = "one-digit-branch", check = "CHK-W-004";
    /// RULE-35: the 資格確認日 is the one given at the counter; this one uses the wall clock's
    /// date instead.
    WallClockDate = "wall-clock-date", check = "CHK-W-008";
    /// RULE-49..51: a registered 照会番号 comes back in later results and is shown; this one drops
    /// it from the candidates it shows.
    DropReferenceNumber = "drop-reference-number", check = "CHK-B-012";
    /// interface.md §1: a rejected request comes back as `<base>.err`, whose text the client
    /// shows; this one looks only for the result file and, when none comes, reports that no
    /// answer came.
    IgnoreErrFiles = "ignore-err-files", check = "CHK-B-014";
    /// A result file may still be being written when it appears: the client reads it only once
    /// complete; this one reads it as soon as it appears and gives up when it does not parse.
    ReadsPartialResult = "reads-partial-result", check = "CHK-B-015";
    /// DM-01 / interface.md §3: MedicalInstitutionCode is the facility the request acts for (a
    /// request's own `facility`, e.g. the 薬局 of the pharmacy profile); this one always sends
    /// the `hello` facility.
    HelloFacilityOnly = "hello-facility-only", check = "CHK-W-010";
    /// docs/interface.md §3: 一部負担金割合 is InsuredPartialContributionRatio's; this one
    /// shows 9割 whatever the result says.
    WrongContributionRatio = "wrong-contribution-ratio", check = "CHK-O-001";
    /// NameKana is the person's reading; this one shows a fixed, wrong reading.
    WrongNameKana = "wrong-name-kana", check = "CHK-O-001";
    /// OQSCD007: Sex1 1 is 男, 2 is 女; this one swaps them.
    WrongSex = "wrong-sex", check = "CHK-O-001";
    /// Name is the whole name; this one shows the family name only.
    FamilyNameOnly = "family-name-only", check = "CHK-O-001";
    /// Birthdate is shown as the result's YYYYMMDD; this one reformats it as YYYY-MM-DD.
    ShownBirthdateDashed = "shown-birthdate-dashed", check = "CHK-O-001";
    /// RULE-30: 記号 is part of the card the result names; this one drops it from what it shows.
    DropShownSymbol = "drop-shown-symbol", check = "CHK-O-001";
    /// RULE-07..09: without consent the flag is 0; this one always sends 1.
    AlwaysConsent = "always-consent", check = "CHK-W-006";
    /// RULE-09: with consent the 適用区分 in the result is shown; this one drops it.
    DropLimitCategory = "drop-limit-category", check = "CHK-O-006";
    /// JOB-01: rows come back in request order; this one shows them reversed.
    BulkRowsReversed = "bulk-rows-reversed", check = "CHK-O-011";
    /// JOB-01: every row is shown; this one drops the last.
    BulkDropLastRow = "bulk-drop-last-row", check = "CHK-O-011";
    /// JOB-01: 照会完了（要確認） when a row needs checking; this one says 照会完了.
    NeedsCheckAsDone = "needs-check-as-done", check = "CHK-B-011";
    /// JOB-01: polling stops once the result is final; this one fetches once more.
    ExtraPollAfterFinal = "extra-poll-after-final", check = "CHK-B-009";
    /// The `.err` file's text is shown; this one shows only its code (`EQ0900`).
    ErrCodeOnly = "err-code-only", check = "CHK-B-014";
    /// SCR-10: the multiple-match message verbatim; this one rewords only that message.
    ParaphraseMultipleMessage = "paraphrase-multiple-message", check = "CHK-B-005";
    /// SCR-10: each validity has its own banner; this one shows the valid banner for every one.
    ValidBannerAlways = "valid-banner-always", check = "CHK-B-003";
    /// A terminal error dialog is no judgement; this one concludes 有効 beside the dialog.
    ValidityOnDialog = "validity-on-dialog", check = "CHK-B-008";
    /// The dialog's text is its message lines; this one shows the dialog's title instead.
    DialogTitleAsMessage = "dialog-title-as-message", check = "CHK-B-007";
    /// ERR-15 is an error, not a judgement; this one concludes 該当資格なし.
    Err15AsNoQualification = "err15-as-no-qualification", check = "CHK-B-022";
    /// A dialog's message is every line; this one shows the first line only.
    FirstDialogLineOnly = "first-dialog-line-only", check = "CHK-B-023";
    /// The dialog's ERR id is relayed as is; this one reports every dialog as ERR-99.
    WrongDialogCode = "wrong-dialog-code", check = "CHK-B-024";
    /// RULE-49: a refused registration is not a registration; this one always says registered.
    AlwaysRegistered = "always-registered", check = "CHK-B-026";
    /// An empty 照会番号 deletes; this one does not send the deletion and says it is done.
    DeletionNotSent = "deletion-not-sent", check = "CHK-B-027";
    /// DM-01: a registration acts for the request's facility; this one registers for the
    /// `hello` facility only.
    RegistrationHelloFacility = "registration-hello-facility", check = "CHK-B-019";
    /// docs/interface.md §2.3: face-reader results appear unprompted in `face/`; this one never
    /// looks there.
    IgnoreFaceFolder = "ignore-face-folder", check = "CHK-B-028";
    /// A face/ file may still be being written; this one reads it at once, reports it
    /// unreadable and never looks at it again.
    FaceReadsPartial = "face-reads-partial", check = "CHK-B-029";
    /// Each face/ file is handled once; this one reports every file it sees, every time.
    FaceHandledTwice = "face-handled-twice", check = "CHK-B-030";
    /// Several face/ files may arrive together; this one takes the first only.
    FaceFirstFileOnly = "face-first-file-only", check = "CHK-B-031";
    /// docs/interface.md §1.3: a 401 on search means the idToken expired; authenticate again.
    /// This one shows the 401's message instead (webapi transport).
    NoReauthOn401 = "no-reauth-on-401", check = "CHK-B-032";
    /// docs/interface.md §1.3: the search body is the JSON mirror `{"XmlMsg":{…}}`; this one
    /// leaves out the XmlMsg wrapper (webapi transport).
    WebApiFlatJson = "webapi-flat-json", check = "CHK-W-012";
    /// A result declared Shift_JIS is decoded as such; this one takes its bytes for UTF-8
    /// (names come out as U+FFFD).
    DecodeResultAsUtf8 = "decode-result-as-utf8", check = "CHK-B-033";
    /// The counter's system wants Shift_JIS results; this one never asks for them
    /// (CharacterCodeIdentifier absent).
    IgnoreResultEncoding = "ignore-result-encoding", check = "CHK-B-033";
    /// JOB-02: a row the job refused is not registered; this one reports every row registered.
    BulkRegistrationAllRegistered = "bulk-registration-all-registered", check = "CHK-B-034";
    /// ch.6 (RULE-36/38): a 医療扶助 result (証区分 A1, 公費負担者番号 + 受給者番号) is a
    /// qualification to show; this one keeps insurance cards only and shows no one.
    DropMedicalAssistance = "drop-medical-assistance", check = "CHK-B-035";
    /// ch.6 §1(2) (RULE-39, ERR-20): 資格有効性 6 有効（未登録） is 医療扶助 without a ticket for this
    /// facility; this one takes it for plain 有効 and shows the 有効 banner.
    UnregisteredAsValid = "unregistered-as-valid", check = "CHK-B-036";
    /// ch.6 §1(7) (RULE-44, ERR-21): a ticket's ConsistencyFlag 1 is a social-insurance
    /// mismatch to tell staff; this one ignores it and shows the 有効 banner only.
    IgnoreConsistencyFlag = "ignore-consistency-flag", check = "CHK-B-037";
    /// RULE-91 / ENV-15: during a system outage the client shows the outage and falls back;
    /// this one stops with an error of its own (the adapter answers ok:false).
    OutageCrash = "outage-crash", check = "CHK-B-038";
    /// RULE-91 / ENV-15: an outage is not retried in a loop; this one sends the same request
    /// again 20 times, 10 ms apart.
    OutageRetryStorm = "outage-retry-storm", check = "CHK-B-039";
    /// ch.3 (docs/interface.md §2.7): オンライン診療等 is asked with OQSsionq01req; this one
    /// sends OQSsihvq01req (訪問診療等) for either 診療区分.
    VisitingWrongMessage = "visiting-wrong-message", check = "CHK-O-020";
    /// FLOW-32: a visiting inquiry is OQSsihvq01req / OQSsionq01req (the facility's consent is
    /// judged); this one sends the ordinary OQSsiquc01req.
    VisitingAsSingleInquiry = "visiting-as-single-inquiry", check = "CHK-W-013";
    /// RULE-33: without 枝番 (not 後期高齢者 / 医療扶助) the visiting inquiry is refused
    /// (EQ0301); this one falls back to OQSsiquc01req, where 枝番 may be left out, and shows it.
    VisitingBranchFallback = "visiting-branch-fallback", check = "CHK-B-040";
    /// FLOW-35: the cancellation is sent (OQSsihvd01req); this one says 処理が正常に完了しました。
    /// without sending it.
    ConsentCancelNotSent = "consent-cancel-not-sent", check = "CHK-B-041";
    /// JOB-03: MedicalTreatmentFlag is 2 in OQSmuhvq01req, 3 in OQSmuonq01req; this one swaps them.
    VisitingBulkWrongFlag = "visiting-bulk-wrong-flag", check = "CHK-W-014";
    /// RULE-56: the JOB-03 bulk asks for qualifications only; this one adds the 限度額 and
    /// 特定疾病 consent flags to its conditions.
    VisitingBulkAsksMedical = "visiting-bulk-asks-medical", check = "CHK-W-014";
    /// JOB-03: a consent that no longer lets the facility confirm the patient is a row in error
    /// (照会完了（要確認）); this one drops such rows and says 照会完了.
    VisitingBulkDropErrorRows = "visiting-bulk-drop-error-rows", check = "CHK-B-042";
    /// FLOW-17: the 引換番号 is sent as given (half-width digits, leading zeros kept); this
    /// one takes it for a number and loses the zeros.
    PrescriptionNumberUnpadded = "prescription-number-unpadded", check = "CHK-O-021";
    /// RULE-28: a prescription already retrieved is refused; this one takes the refusal for a
    /// retrieval.
    PrescriptionRefusalAsRetrieved = "prescription-refusal-as-retrieved", check = "CHK-B-043";
    /// RULE-25 / ENV-04: the refusal's reason is shown verbatim; this one shows a text of its own.
    PrescriptionInventedRefusal = "prescription-invented-refusal", check = "CHK-B-044";
    /// RULE-26 / ENV-05: a refill prescription is retrieved when 「リフィル処方箋」 is 「利用する」;
    /// this one drops every refill prescription it receives.
    RefillAlwaysRefused = "refill-always-refused", check = "CHK-B-045";
    /// RULE-27: the 引換番号 is half-width digits and is sent as given, so a full-width one is
    /// refused with RULE-27's text; this one quietly turns full-width digits half-width and
    /// retrieves a prescription the patient's number does not name.
    PrescriptionNumberNormalized = "prescription-number-normalized", check = "CHK-B-046";
}

/// The mutants that relay a terminal dialog wrongly.
pub(crate) fn mutate_dialog(m: Mutant, c: &mut Conclusion, title: Option<String>) {
    match m {
        Mutant::DialogTitleAsMessage => c.message = title,
        Mutant::ValidityOnDialog => c.validity = Some(QualificationValidity::Valid.label().into()),
        Mutant::Err15AsNoQualification if c.error_code.as_deref() == Some("ERR-15") => {
            c.validity = Some(QualificationValidity::NotFound.label().into());
        }
        Mutant::FirstDialogLineOnly => {
            c.message = c
                .message
                .as_deref()
                .and_then(|t| t.lines().next())
                .map(str::to_owned);
        }
        Mutant::WrongDialogCode => c.error_code = Some("ERR-99".into()),
        _ => {}
    }
}

impl fmt::Display for Mutant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        assert!(Mutant::ALL.len() >= 15);
        let mut names: Vec<_> = Mutant::ALL.iter().map(|m| m.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Mutant::ALL.len());
        for m in Mutant::ALL {
            assert_eq!(Mutant::from_name(m.name()), Some(*m));
        }
        assert_eq!(Mutant::from_name("no-such-mutant"), None);
    }
}
