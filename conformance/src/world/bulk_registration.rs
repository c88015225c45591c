//! 照会番号一括登録 (JOB-02): the client submits a bulk registration and shows one conclusion
//! per row; each is judged against what the simulator really stored.

use super::then_registration::stored_number;
use super::{opt, rows_of_table, CertWorld};
use crate::results::FieldDiff;
use cucumber::gherkin::Step;
use cucumber::{then, when};
use oqs_adapter_protocol::{Action, Outcome, ReferenceNumberRow};

#[when(regex = r"^クライアントで次の照会番号を一括登録する:?$")]
async fn bulk_register(w: &mut CertWorld, step: &Step) -> Result<(), String> {
    let ctx = w.ctx()?;
    let cards = rows_of_table(step)?;
    let table = step.table.as_ref().ok_or("this step needs a table")?;
    let col = table
        .rows
        .first()
        .and_then(|h| h.iter().position(|c| c.trim() == "照会番号"))
        .ok_or("the table needs a 照会番号 column")?;
    let rows: Vec<ReferenceNumberRow> = cards
        .into_iter()
        .zip(table.rows.iter().skip(1))
        .map(|(card, r)| ReferenceNumberRow {
            card,
            reference_number: r.get(col).map(|v| v.trim().to_owned()).unwrap_or_default(),
        })
        .collect();
    match ctx.call(Action::BulkRegisterReferenceNumbers {
        rows: rows.clone(),
        facility: w.acting_for.clone(),
    })? {
        Outcome::BulkRegistration(b) => {
            w.bulk_registration = Some((rows, b));
            Ok(())
        }
        other => Err(format!(
            "a bulk registration was expected, the adapter answered {other:?}"
        )),
    }
}

#[then(regex = r"^クライアントが示す一括登録の状況は「([^」]*)」である$")]
async fn status_is(w: &mut CertWorld, status: String) -> Result<(), String> {
    let actual = w
        .bulk_registration
        .as_ref()
        .map(|(_, b)| b.status.clone())
        .ok_or("no bulk registration in this scenario")?;
    w.one(
        "一括登録の状況",
        "status",
        status,
        actual,
        "JOB-02, docs/interface.md §2.5 (statuses, verbatim)",
    )
}

#[then(regex = r"^一括登録の各行の結論はシミュレーターに登録された内容と一致する$")]
async fn rows_match(w: &mut CertWorld) -> Result<(), String> {
    let (rows, b) = w
        .bulk_registration
        .clone()
        .ok_or("no bulk registration in this scenario")?;
    let mut diffs = Vec::new();
    if b.rows.len() != rows.len() {
        diffs.push(FieldDiff {
            field: "rows.len".into(),
            expected: rows.len().to_string(),
            actual: b.rows.len().to_string(),
            rule: Some("JOB-02 (one conclusion per row, in request order)".into()),
        });
    }
    for (i, (row, shown)) in rows.iter().zip(b.rows.iter()).enumerate() {
        let stored = stored_number(w, &row.card)?;
        // Registered: the simulator holds the row's number (a deletion: holds none).
        let done = if row.reference_number.is_empty() {
            stored.is_none()
        } else {
            stored.as_deref() == Some(row.reference_number.as_str())
        };
        if shown.registered != done {
            diffs.push(FieldDiff {
                field: format!("rows[{i}].registered"),
                expected: done.to_string(),
                actual: format!("{} ({})", shown.registered, opt(&shown.message)),
                rule: Some(format!(
                    "JOB-02 (the simulator holds {} for the card)",
                    opt(&stored)
                )),
            });
        }
        if !done && shown.message.as_deref().is_none_or(str::is_empty) {
            diffs.push(FieldDiff {
                field: format!("rows[{i}].message"),
                expected: "the row's ProcessingResultMessage".into(),
                actual: "(none)".into(),
                rule: Some("docs/interface.md §2.5 (a refused row carries its message)".into()),
            });
        }
    }
    w.verdict("一括登録の各行", diffs)
}
