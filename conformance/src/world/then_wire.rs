//! ならば (Then), what the client sent and how it behaved: fields of its messages (journal),
//! well-formedness and encoding, bulk rows and polling, registrations, the confirmation history.

use super::{history_count, opt, CertWorld};
use crate::oracle::{self};
use crate::results::FieldDiff;
use crate::wire;
use cucumber::then;
use sim_server::journal::{JournalEntry, Transport};

fn last_message<'a>(entries: &'a [JournalEntry], message: &str) -> Option<&'a JournalEntry> {
    entries.iter().rev().find(|e| e.message == message)
}

#[then(regex = r"^送った電文の「([^」]*)」は「([^」]*)」である$")]
async fn sent_field(w: &mut CertWorld, field: String, value: String) -> Result<(), String> {
    let entries = w.journal();
    let e = last_message(&entries, "OQSsiquc01req")
        .or_else(|| last_message(&entries, "OQSsiimm01req"))
        .ok_or_else(|| "the client sent no OQSsiquc01req / OQSsiimm01req (journal)".to_owned())?;
    let actual = match field.as_str() {
        "MedicalInstitutionCode" | "QualificationConfirmationDate" | "ArbitraryFileIdentifier" => {
            wire::header_field(e, &field)
        }
        _ => wire::search_field(e, 1, &field),
    };
    let name = format!("{}#{} {field}", e.message, e.seq);
    w.one(
        "送信電文",
        &name,
        format!("「{value}」"),
        actual.map_or("(missing)".into(), |a| format!("「{a}」")),
        "interface.md §3, README Wire decisions",
    )
}

#[then(regex = r"^送った一括照会電文の「(\d+)」行目の「([^」]*)」は「([^」]*)」である$")]
async fn sent_bulk_field(
    w: &mut CertWorld,
    row: usize,
    field: String,
    value: String,
) -> Result<(), String> {
    let entries = w.journal();
    let e = last_message(&entries, "OQSmuquc01req")
        .ok_or_else(|| "the client sent no OQSmuquc01req (journal)".to_owned())?;
    let actual = wire::search_field(e, row, &field);
    let name = format!("{}#{} row {row} {field}", e.message, e.seq);
    w.one(
        "送信電文",
        &name,
        format!("「{value}」"),
        actual.map_or("(missing)".into(), |a| format!("「{a}」")),
        "interface.md §3, README Wire decisions",
    )
}

#[then(regex = r"^クライアントが送った電文はすべてインターフェース仕様どおりである$")]
async fn all_well_formed(w: &mut CertWorld) -> Result<(), String> {
    let entries = w.journal();
    let facility = w.facility().to_owned();
    let mut diffs: Vec<FieldDiff> = entries
        .iter()
        .flat_map(|e| wire::request_diffs(e, &facility))
        .collect();
    if entries.is_empty() {
        diffs.push(FieldDiff {
            field: "requests".into(),
            expected: "at least one request".into(),
            actual: "none in the journal".into(),
            rule: None,
        });
    }
    w.verdict("送信電文の形式", diffs)
}

#[then(regex = r"^送った電文の宣言文字コードは実際のバイトと一致する$")]
async fn encoding_matches(w: &mut CertWorld) -> Result<(), String> {
    let entries: Vec<JournalEntry> = w
        .journal()
        .into_iter()
        .filter(|e| e.transport != Transport::Terminal)
        .collect();
    let mut diffs: Vec<FieldDiff> = entries.iter().filter_map(wire::encoding_diff).collect();
    if entries.is_empty() {
        diffs.push(FieldDiff {
            field: "requests".into(),
            expected: "at least one XML request".into(),
            actual: "none in the journal".into(),
            rule: None,
        });
    }
    w.verdict("宣言文字コード", diffs)
}

#[then(regex = r"^クライアントは照会結果を Shift_JIS で求めた$")]
async fn asked_for_shift_jis(w: &mut CertWorld) -> Result<(), String> {
    let entries = w.journal();
    let e = last_message(&entries, "OQSsiquc01req")
        .ok_or_else(|| "the client sent no OQSsiquc01req".to_owned())?;
    // The answer's encoding: CharacterCodeIdentifier when given, else the request's own.
    let identifier = wire::tree(e).and_then(|t| {
        t.child("MessageHeader")
            .and_then(|h| h.child_text("CharacterCodeIdentifier"))
            .map(|c| c.trim().to_owned())
    });
    let declared_sjis = e
        .encoding
        .as_deref()
        .is_some_and(|d| d.eq_ignore_ascii_case("Shift_JIS"));
    let answer_sjis = match identifier.as_deref() {
        Some(c) => c == "1",
        None => declared_sjis,
    };
    let actual = format!(
        "CharacterCodeIdentifier {}, request declared {}",
        identifier.as_deref().unwrap_or("(none)"),
        e.encoding.as_deref().unwrap_or("UTF-8")
    );
    w.one(
        "結果の文字コード",
        "OQSsiquc01req: the answer's encoding",
        "Shift_JIS (CharacterCodeIdentifier 1, or a Shift_JIS request without it)".into(),
        if answer_sjis {
            "Shift_JIS (CharacterCodeIdentifier 1, or a Shift_JIS request without it)".into()
        } else {
            actual
        },
        "docs/interface.md §1 (Encodings), §4 OQSCD005",
    )
}

#[then(regex = r"^クライアントは一括照会の全「(\d+)」行の結論を示す$")]
async fn bulk_rows(w: &mut CertWorld, n: usize) -> Result<(), String> {
    let actual = w.bulk()?.rows.len();
    w.one(
        "一括照会の行",
        "rows.len",
        n.to_string(),
        actual.to_string(),
        "JOB-01 (every row of the result)",
    )
}

#[then(regex = r"^一括照会の各行の結論はマニュアルの判定と一致する$")]
async fn bulk_matches(w: &mut CertWorld) -> Result<(), String> {
    let b = w.bulk()?.clone();
    let mut diffs = Vec::new();
    for (i, e) in w.bulk_expected.iter().enumerate() {
        match b.rows.get(i) {
            Some(c) => diffs.extend(oracle::compare(e, c, &format!("rows[{i}]."))),
            None => diffs.push(FieldDiff {
                field: format!("rows[{i}]"),
                expected: opt(&e.validity),
                actual: "(missing)".into(),
                rule: Some("JOB-01".into()),
            }),
        }
    }
    w.verdict("一括照会の各行", diffs)
}

#[then(regex = r"^クライアントが示す一括照会の状況は「([^」]*)」である$")]
async fn bulk_status(w: &mut CertWorld, status: String) -> Result<(), String> {
    let actual = w.bulk()?.status.clone();
    w.one(
        "照会状況",
        "status",
        status,
        actual,
        "JOB-01 照会状況 (verbatim)",
    )
}

#[then(regex = r"^クライアントは照会待ちの間も結果取得を繰り返した$")]
async fn polled_while_waiting(w: &mut CertWorld) -> Result<(), String> {
    let want = w.hold_polls.unwrap_or(2);
    let held = w.polls.as_ref().map_or(0, |p| p.held_polls);
    w.one(
        "結果取得の繰り返し",
        "OQSmuquc02req answered SegmentOfResult 2",
        format!("at least {want}"),
        if held >= want {
            format!("at least {want}")
        } else {
            held.to_string()
        },
        "JOB-01 (poll 02req while SegmentOfResult is 2)",
    )
}

#[then(regex = r"^クライアントは結果が確定した後に結果取得を繰り返さない$")]
async fn stops_when_final(w: &mut CertWorld) -> Result<(), String> {
    let watch = w.polls.clone().unwrap_or_default();
    let Some(mark) = watch.final_mark else {
        return w.one(
            "結果取得",
            "job final",
            "final".into(),
            "never final during the check".into(),
            "JOB-01",
        );
    };
    let after = w
        .journal()
        .iter()
        .filter(|e| e.message == "OQSmuquc02req" && e.seq > mark)
        .count();
    w.one(
        "結果取得の停止",
        "OQSmuquc02req after the result was final",
        "at most 1".into(),
        if after <= 1 {
            "at most 1".into()
        } else {
            after.to_string()
        },
        "JOB-01 (stop polling on SegmentOfResult 1 / 9)",
    )
}

#[then(regex = r"^クライアントは照会番号の登録に成功したと判断する$")]
pub(super) async fn registered_ok(w: &mut CertWorld) -> Result<(), String> {
    let (card, number, r) = w
        .registration
        .clone()
        .ok_or_else(|| "no registration in this scenario".to_owned())?;
    let mut diffs = Vec::new();
    if !r.registered {
        diffs.push(FieldDiff {
            field: "registered".into(),
            expected: "true".into(),
            actual: format!("false ({})", opt(&r.message)),
            rule: Some("RULE-49/51".into()),
        });
    }
    // The simulator must hold the number for the card (the client really registered it).
    let stored = super::then_registration::stored_number(w, &card)?;
    if stored.as_deref() != Some(number.as_str()) {
        diffs.push(FieldDiff {
            field: "simulator: stored 照会番号".into(),
            expected: number,
            actual: opt(&stored),
            rule: Some("RULE-49 (OQSsiimm01req)".into()),
        });
    }
    w.verdict("照会番号の登録", diffs)
}

#[then(
    regex = r"^資格確認履歴には薬局「([^」]*)」の確認として「(\d+)」件記録され、ほかの施設の履歴は増えない$"
)]
async fn history_is_the_pharmacys(w: &mut CertWorld, code: String, n: usize) -> Result<(), String> {
    let ctx = w.ctx()?;
    if w.history_marks.is_empty() {
        return Err(
            "the check did not choose a facility (「前提 クライアントは薬局「…」として操作する」)"
                .into(),
        );
    }
    let mut diffs = Vec::new();
    for (facility, before) in w.history_marks.clone() {
        let added = history_count(&ctx.harness, &facility)?.saturating_sub(before);
        let want = if facility == code { n } else { 0 };
        if added != want {
            diffs.push(FieldDiff {
                field: format!("資格確認履歴 of {facility} (records added)"),
                expected: want.to_string(),
                actual: added.to_string(),
                rule: Some(
                    "DM-01 / SCR-19: a check is recorded for the facility it was made for".into(),
                ),
            });
        }
    }
    w.verdict("資格確認履歴", diffs)
}
