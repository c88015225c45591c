//! The certification checks: id → English title and kind. The Japanese title, the catalogue ids,
//! the profiles and `@required` live in the feature files (`scenarios/features/certification/`);
//! a test keeps this table and the features in step.

use serde::Serialize;

/// The three kinds of check of the conformance issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// 判定結果: the client's conclusion equals the manual's.
    Outcome,
    /// 電文形式: every request the client sent is well-formed per interface.md.
    WellFormedness,
    /// 振る舞い: the client behaves as the manual says (lists candidates, polls, shows texts…).
    Behaviour,
}

impl CheckKind {
    /// The kind a check id names (`CHK-O-…`, `CHK-W-…`, `CHK-B-…`).
    pub fn of_id(id: &str) -> Option<CheckKind> {
        match id.get(..6)? {
            "CHK-O-" => Some(CheckKind::Outcome),
            "CHK-W-" => Some(CheckKind::WellFormedness),
            "CHK-B-" => Some(CheckKind::Behaviour),
            _ => None,
        }
    }

    pub fn label_ja(self) -> &'static str {
        match self {
            CheckKind::Outcome => "判定結果",
            CheckKind::WellFormedness => "電文形式",
            CheckKind::Behaviour => "振る舞い",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            CheckKind::Outcome => "outcome",
            CheckKind::WellFormedness => "well-formedness",
            CheckKind::Behaviour => "behaviour",
        }
    }
}

/// One check of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    pub id: &'static str,
    pub title_en: &'static str,
}

/// Every check, in id order.
pub const CHECKS: &[CheckInfo] = &[
    CheckInfo { id: "CHK-O-001", title_en: "A valid insurance card is concluded 有効 with the person's fields as the manual's judgement" },
    CheckInfo { id: "CHK-O-002", title_en: "A qualification past its end date is concluded 無効" },
    CheckInfo { id: "CHK-O-003", title_en: "An invalid qualification with a newer one is concluded 無効（新しい資格あり）" },
    CheckInfo { id: "CHK-O-004", title_en: "A card with no qualification is concluded 該当資格なし" },
    CheckInfo { id: "CHK-O-005", title_en: "A 6-digit (国保) insurer number card is judged correctly" },
    CheckInfo { id: "CHK-O-006", title_en: "With 限度額 consent the 限度額適用認定証 category is shown" },
    CheckInfo { id: "CHK-O-007", title_en: "Without 限度額 consent no category is shown" },
    CheckInfo { id: "CHK-O-008", title_en: "A card without 枝番 that identifies one person shows that person" },
    CheckInfo { id: "CHK-O-009", title_en: "A My Number card checked with PIN is concluded 有効" },
    CheckInfo { id: "CHK-O-010", title_en: "A My Number card checked visually (目視確認) is concluded 有効" },
    CheckInfo { id: "CHK-O-011", title_en: "Every row of a bulk inquiry is concluded as the manual's judgement" },
    CheckInfo { id: "CHK-O-012", title_en: "A reference number (照会番号) registration is concluded successful and is stored" },
    CheckInfo { id: "CHK-O-013", title_en: "Pharmacy: a valid insurance card is concluded 有効 as the manual's judgement, and the check goes to the pharmacy's history" },
    CheckInfo { id: "CHK-O-014", title_en: "Pharmacy: a qualification past its end date is concluded 無効 with its banner verbatim" },
    CheckInfo { id: "CHK-O-015", title_en: "Pharmacy: an invalid qualification with a newer one is concluded 無効（新しい資格あり）" },
    CheckInfo { id: "CHK-O-016", title_en: "Pharmacy: a card with no qualification is concluded 該当資格なし" },
    CheckInfo { id: "CHK-O-017", title_en: "Pharmacy: a My Number card checked with PIN is concluded 有効 and goes to the pharmacy's history" },
    CheckInfo { id: "CHK-O-018", title_en: "Pharmacy: a reference number another facility registered is not shown" },
    CheckInfo { id: "CHK-O-019", title_en: "Visiting care: a 訪問診療等 inquiry of a consented patient is concluded as the manual's judgement" },
    CheckInfo { id: "CHK-O-020", title_en: "Online care: an オンライン診療等 inquiry of a consented patient is concluded as the manual's judgement" },
    CheckInfo { id: "CHK-O-021", title_en: "Pharmacy: a prescription retrieved by its 引換番号 is the one asked for, and the simulator records the retrieval" },
    CheckInfo { id: "CHK-W-001", title_en: "A single inquiry is well-formed per interface.md (root, header, codes, dates, lengths)" },
    CheckInfo { id: "CHK-W-002", title_en: "A 6-digit insurer number is sent right-aligned to 8 with spaces" },
    CheckInfo { id: "CHK-W-003", title_en: "An 8-digit insurer number is sent as is" },
    CheckInfo { id: "CHK-W-004", title_en: "枝番 \"1\" on the card is sent as two digits \"01\"" },
    CheckInfo { id: "CHK-W-005", title_en: "With 限度額 consent the consent flag 1 is sent" },
    CheckInfo { id: "CHK-W-006", title_en: "Without 限度額 consent the consent flag 0 is sent" },
    CheckInfo { id: "CHK-W-007", title_en: "The declared XML encoding matches the bytes (full-width 記号)" },
    CheckInfo { id: "CHK-W-008", title_en: "A given 資格確認日 is sent as YYYYMMDD in the header" },
    CheckInfo { id: "CHK-W-009", title_en: "A bulk inquiry is well-formed per interface.md (padding, 枝番 per row)" },
    CheckInfo { id: "CHK-W-010", title_en: "Pharmacy: requests carry the pharmacy's 医療機関コード and are well-formed per interface.md" },
    CheckInfo { id: "CHK-W-011", title_en: "Pharmacy: 6-digit insurer padded with spaces, 枝番 two digits, declared encoding matches the bytes" },
    CheckInfo { id: "CHK-W-012", title_en: "WebAPI: the search is the JSON mirror of a well-formed inquiry, and judged as the manual's (webapi)" },
    CheckInfo { id: "CHK-W-013", title_en: "Visiting care: the inquiry is sent as the 診療区分's message (OQSsihvq01req / OQSsionq01req) and is well-formed" },
    CheckInfo { id: "CHK-W-014", title_en: "JOB-03: the bulk request carries only the date ranges and the message's MedicalTreatmentFlag (qualifications only, RULE-56)" },
    CheckInfo { id: "CHK-B-001", title_en: "複数該当: every candidate is offered and the client does not pick one" },
    CheckInfo { id: "CHK-B-002", title_en: "The valid banner この資格は有効です。 is shown verbatim" },
    CheckInfo { id: "CHK-B-003", title_en: "The invalid banner この資格は無効です。 is shown verbatim" },
    CheckInfo { id: "CHK-B-004", title_en: "The newer-qualification banner is shown verbatim" },
    CheckInfo { id: "CHK-B-005", title_en: "The multiple-match message is shown verbatim" },
    CheckInfo { id: "CHK-B-006", title_en: "An input error shows the simulator's message, not an invented one" },
    CheckInfo { id: "CHK-B-007", title_en: "A locked PIN is not retried and ERR-13 is shown verbatim" },
    CheckInfo { id: "CHK-B-008", title_en: "A revoked certificate shows ERR-05 and no validity" },
    CheckInfo { id: "CHK-B-009", title_en: "02req is polled while SegmentOfResult is 2 and polling stops once final" },
    CheckInfo { id: "CHK-B-010", title_en: "A failed bulk job (SegmentOfResult 9) stops polling and shows its status verbatim" },
    CheckInfo { id: "CHK-B-011", title_en: "照会完了（要確認） is treated as done, with every row shown" },
    CheckInfo { id: "CHK-B-012", title_en: "A registered reference number shows in a later check's result" },
    CheckInfo { id: "CHK-B-013", title_en: "A reference number already registered for the facility is shown" },
    CheckInfo { id: "CHK-B-014", title_en: "A request rejected with an .err file shows its text verbatim and no validity (file exchange)" },
    CheckInfo { id: "CHK-B-015", title_en: "Only a complete result file is read: a result written in pieces is judged as the manual's (file exchange)" },
    CheckInfo { id: "CHK-B-016", title_en: "Pharmacy: 複数該当 offers every candidate and the client does not pick one" },
    CheckInfo { id: "CHK-B-017", title_en: "Pharmacy: an input error shows the simulator's message, not an invented one" },
    CheckInfo { id: "CHK-B-018", title_en: "Pharmacy: a locked PIN is not retried and ERR-13 is shown verbatim" },
    CheckInfo { id: "CHK-B-019", title_en: "Pharmacy: a reference number the pharmacy registers is stored for it and shows in its later check" },
    CheckInfo { id: "CHK-B-020", title_en: "Pharmacy: a request rejected with an .err file shows its text verbatim and no validity (file exchange)" },
    CheckInfo { id: "CHK-B-021", title_en: "Pharmacy: only a complete result file is read; the result is the pharmacy's (file exchange)" },
    CheckInfo { id: "CHK-B-022", title_en: "A My Number card with no qualification on the date (ERR-15) shows ERR-15 verbatim and no validity" },
    CheckInfo { id: "CHK-B-023", title_en: "A My Number card not registered for insurance use (ERR-16) shows ERR-16 verbatim and no validity" },
    CheckInfo { id: "CHK-B-024", title_en: "An expired My Number card (ERR-06) shows ERR-06 verbatim and no validity" },
    CheckInfo { id: "CHK-B-025", title_en: "A My Number card that cannot be read (ERR-10) shows ERR-10 verbatim and no validity" },
    CheckInfo { id: "CHK-B-026", title_en: "A reference-number registration the simulator refuses (EQ0211) is concluded not registered, with its message verbatim" },
    CheckInfo { id: "CHK-B-027", title_en: "Deleting a reference number (empty 照会番号) is concluded done, and the number no longer shows" },
    CheckInfo { id: "CHK-B-028", title_en: "A face-reader result appearing in face/ is picked up and its patient shown as the manual's judgement" },
    CheckInfo { id: "CHK-B-029", title_en: "A face/ file still being written is not picked up; once complete it is" },
    CheckInfo { id: "CHK-B-030", title_en: "Each face/ file is handled exactly once" },
    CheckInfo { id: "CHK-B-031", title_en: "Several face/ files arriving together are all picked up" },
    CheckInfo { id: "CHK-B-032", title_en: "WebAPI: an idToken refused with 401 (expired) leads to a new auth and the inquiry is judged as the manual's (webapi)" },
    CheckInfo { id: "CHK-B-034", title_en: "JOB-02: a bulk reference-number registration shows 登録完了（要確認） and each row as the simulator stored it" },
    CheckInfo { id: "CHK-B-033", title_en: "A result asked for in Shift_JIS (文字コード識別 1) is read correctly: names and readings as the manual's" },
    CheckInfo { id: "CHK-B-035", title_en: "医療扶助: a search by 公費負担者番号 + 受給者番号 shows the 医療扶助 qualification (証区分 A1) as the manual's" },
    CheckInfo { id: "CHK-B-036", title_en: "医療扶助 without a ticket for this facility (有効（未登録）) shows ERR-20's text and the masked numbers' validity" },
    CheckInfo { id: "CHK-B-037", title_en: "医療扶助 with a social-insurance mismatch (ConsistencyFlag) shows ERR-21's text" },
    CheckInfo { id: "CHK-B-038", title_en: "During a system outage (ENV-15) the client shows the outage text verbatim and no validity, and keeps working (no crash)" },
    CheckInfo { id: "CHK-B-039", title_en: "During a system outage the client falls back instead of retrying in a loop (at most 3 requests for one check)" },
    CheckInfo { id: "CHK-B-040", title_en: "Visiting care: without 枝番 (not 後期高齢者 / 医療扶助) the refusal EQ0301 is shown verbatim and no validity (RULE-33)" },
    CheckInfo { id: "CHK-B-041", title_en: "Visiting care: a consent cancellation is sent and shown done; a later inquiry is refused (EQ0302) verbatim, no validity" },
    CheckInfo { id: "CHK-B-042", title_en: "JOB-03: a cancelled consent's row is an error shown verbatim, the job 照会完了（要確認）, the other rows as the manual's" },
    CheckInfo { id: "CHK-B-043", title_en: "Pharmacy: a prescription retrieved before is refused (RULE-28) and the refusal shown verbatim" },
    CheckInfo { id: "CHK-B-044", title_en: "Pharmacy: with 「電子処方箋」 「利用しない」 (ENV-04) the retrieval is refused with RULE-25's text verbatim" },
    CheckInfo { id: "CHK-B-045", title_en: "Pharmacy: a refill prescription is retrieved with 「リフィル処方箋」 「利用する」 and refused with RULE-26's text with 「利用しない」 (ENV-05)" },
    CheckInfo { id: "CHK-B-046", title_en: "Pharmacy: a 引換番号 not in half-width digits is not retrieved; RULE-27's text is shown verbatim" },
];

/// The English title of a check id.
pub fn title_en(id: &str) -> Option<&'static str> {
    CHECKS.iter().find(|c| c.id == id).map(|c| c.title_en)
}
