//! ならば (Then) of the 照会番号 checks beyond a plain success: a registration the simulator
//! refuses, and a deletion (OQSsiimm01req with an empty 照会番号).

use super::{opt, CertWorld};
use crate::oracle;
use crate::results::FieldDiff;
use cucumber::then;
use oqs_adapter_protocol::InsuranceCard;
use oqs_protocol::message::{InsurerNumber, QualificationResult};

/// The 照会番号 the simulator holds for the card at the facility the check acts for.
pub(super) fn stored_number(w: &CertWorld, card: &InsuranceCard) -> Result<Option<String>, String> {
    let ctx = w.ctx()?;
    let mut probe = vec![QualificationResult {
        insurer_number: InsurerNumber::parse(&card.insurer_number)
            .ok()
            .map(|i| i.wire()),
        insured_card_symbol: card.symbol.clone(),
        insured_identification_number: Some(card.number.clone()),
        insured_branch_number: card.branch.as_deref().map(oracle::branch_wire),
        ..Default::default()
    }];
    ctx.harness
        .sim
        .jobs
        .references()
        .patch(w.facility(), &mut probe);
    Ok(probe.first().and_then(|p| p.reference_number.clone()))
}

#[then(
    regex = r"^クライアントは照会番号の登録に失敗したと判断し、エラー「([^」]*)」の文言をそのまま表示する$"
)]
async fn registration_refused(w: &mut CertWorld, code: String) -> Result<(), String> {
    let ctx = w.ctx()?;
    let expected = ctx
        .harness
        .sim
        .error_table()
        .rows()
        .find(|(_, e)| e.code == code)
        .map(|(_, e)| e.message.clone())
        .ok_or_else(|| format!("no row 「{code}」 in the error table"))?;
    let (card, _, r) = w
        .registration
        .clone()
        .ok_or_else(|| "no registration in this scenario".to_owned())?;
    let mut diffs = Vec::new();
    if r.registered {
        diffs.push(FieldDiff {
            field: "registered".into(),
            expected: "false".into(),
            actual: "true".into(),
            rule: Some("RULE-49, docs/interface.md §2.4 (ProcessingResultStatus 2)".into()),
        });
    }
    if r.message.as_deref().map(str::trim) != Some(expected.as_str()) {
        diffs.push(FieldDiff {
            field: "message".into(),
            expected,
            actual: opt(&r.message),
            rule: Some(format!("docs/interface.md §5 ({code}), verbatim")),
        });
    }
    if let Some(actual) = &r.error_code {
        if actual != &code {
            diffs.push(FieldDiff {
                field: "error_code".into(),
                expected: code.clone(),
                actual: actual.clone(),
                rule: Some("docs/interface.md §2.4 (ProcessingResultCode)".into()),
            });
        }
    }
    if let Some(n) = stored_number(w, &card)? {
        diffs.push(FieldDiff {
            field: "simulator: stored 照会番号".into(),
            expected: "(none)".into(),
            actual: n,
            rule: Some("RULE-49".into()),
        });
    }
    w.verdict("照会番号の登録エラー", diffs)
}

#[then(regex = r"^クライアントは照会番号の削除に成功したと判断する$")]
async fn deleted_ok(w: &mut CertWorld) -> Result<(), String> {
    let (card, number, r) = w
        .registration
        .clone()
        .ok_or_else(|| "no deletion in this scenario".to_owned())?;
    if !number.is_empty() {
        return Err(format!(
            "the last registration named 「{number}」, not a deletion"
        ));
    }
    let mut diffs = Vec::new();
    if !r.registered {
        diffs.push(FieldDiff {
            field: "registered".into(),
            expected: "true (deleted)".into(),
            actual: format!("false ({})", opt(&r.message)),
            rule: Some("docs/interface.md §2.4 (an empty 照会番号 deletes)".into()),
        });
    }
    if let Some(n) = stored_number(w, &card)? {
        diffs.push(FieldDiff {
            field: "simulator: stored 照会番号".into(),
            expected: "(none)".into(),
            actual: n,
            rule: Some("docs/interface.md §2.4 (the client really sent the deletion)".into()),
        });
    }
    w.verdict("照会番号の削除", diffs)
}
