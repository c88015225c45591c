//! 訪問診療等・オンライン診療等 (ch.3, the `visiting-care` profile) and the pharmacy's
//! prescription retrieval by 引換番号 (FLOW-17, the `pharmacy` profile). Expected answers come
//! from the domain (`oracle::visiting_expected`, `oracle::visiting_bulk_expected`), the
//! simulator's state (cancellations, retrievals) or the catalogue's texts in the features.

use super::{card_of_table, opt, CertWorld};
use crate::oracle;
use crate::results::FieldDiff;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use oqs_adapter_protocol::{Action, Outcome};
use oqs_domain::visiting::ConsentSearch;
use oqs_protocol::codes::CodeTable as _;
use oqs_protocol::message::{parse_date, InsurerNumber};
use oqs_protocol::visiting::{CareKind, CANCEL_DONE};

fn care(label: &str) -> Result<CareKind, String> {
    CareKind::parse(label)
        .ok_or_else(|| format!("診療区分 「{label}」: 訪問診療等 or オンライン診療等"))
}

/// The facility's consent of `kind` for the card of the table, as the domain finds it.
fn consent_of(
    w: &CertWorld,
    step: &Step,
    kind: CareKind,
) -> Result<oqs_domain::visiting::ConsentId, String> {
    let ctx = w.ctx()?;
    let (card, _, _) = card_of_table(step)?;
    let pop = ctx.harness.sim.population();
    let insurer = InsurerNumber::parse(&card.insurer_number).map_err(|e| e.to_string())?;
    let q = pop
        .find_qualification(
            insurer,
            card.symbol.as_deref(),
            &card.number,
            card.branch.as_deref(),
        )
        .ok_or("no such card in the simulator's population")?;
    pop.consent_for(w.facility(), q, kind).ok_or_else(|| {
        format!(
            "the facility {} holds no {kind:?} consent for the card",
            w.facility()
        )
    })
}

#[given(regex = r"^次の被保険者の訪問診療等の同意は医療機関によって取り消されている:?$")]
async fn consent_cancelled(w: &mut CertWorld, step: &Step) -> Result<(), String> {
    let ctx = w.ctx()?;
    let id = consent_of(w, step, CareKind::Visiting)?;
    let sim = &ctx.harness.sim;
    let today = oqs_domain::inquiry::today(sim.clock.now());
    if sim
        .jobs
        .cancellations()
        .cancel(&sim.population(), id, today)
    {
        Ok(())
    } else {
        Err("the simulator keeps no more cancellations".into())
    }
}

#[when(regex = r"^クライアントで次の被保険者証の「([^」]*)」の資格情報を照会する:?$")]
async fn visiting_inquiry(w: &mut CertWorld, label: String, step: &Step) -> Result<(), String> {
    let ctx = w.ctx()?;
    let kind = care(&label)?;
    let (card, _, date) = card_of_table(step)?;
    w.expected = Some(oracle::visiting_expected(
        &ctx.harness.sim,
        w.facility(),
        &card,
        kind,
        date.as_deref(),
    ));
    match ctx.call(Action::VisitingInquiry {
        card,
        care: label,
        confirmation_date: date,
        facility: w.acting_for.clone(),
    })? {
        Outcome::Confirmation(c) => {
            w.confirmation = Some(c);
            Ok(())
        }
        other => Err(format!(
            "a confirmation was expected, the adapter answered {other:?}"
        )),
    }
}

#[when(regex = r"^クライアントで次の被保険者証の訪問診療等の同意を取り消す:?$")]
async fn cancel_consent(w: &mut CertWorld, step: &Step) -> Result<(), String> {
    let ctx = w.ctx()?;
    let (card, _, _) = card_of_table(step)?;
    match ctx.call(Action::CancelVisitingConsent {
        card,
        facility: w.acting_for.clone(),
    })? {
        Outcome::Confirmation(c) => {
            w.cancellation = Some(c);
            Ok(())
        }
        other => Err(format!(
            "a confirmation was expected, the adapter answered {other:?}"
        )),
    }
}

#[then(regex = r"^クライアントは同意取消の完了を表示し、シミュレーターの同意は取り消されている:?$")]
async fn cancelled(w: &mut CertWorld, step: &Step) -> Result<(), String> {
    let ctx = w.ctx()?;
    let shown = w
        .cancellation
        .as_ref()
        .ok_or("the client has not cancelled a consent in this scenario")?
        .message
        .clone();
    let id = consent_of(w, step, CareKind::Visiting)?;
    let sim = &ctx.harness.sim;
    let held = sim.jobs.cancellations().cancelled_on(&sim.population(), id);
    let mut diffs = Vec::new();
    if shown.as_deref() != Some(CANCEL_DONE) {
        diffs.push(FieldDiff {
            field: "message".into(),
            expected: CANCEL_DONE.into(),
            actual: opt(&shown),
            rule: Some("DLG-19, FLOW-35 (docs/interface.md §2.7)".into()),
        });
    }
    if held.is_none() {
        diffs.push(FieldDiff {
            field: "the simulator's consent".into(),
            expected: "cancelled (OQSsihvd01req received)".into(),
            actual: "still active".into(),
            rule: Some("FLOW-35, RULE-67".into()),
        });
    }
    w.verdict("同意取消", diffs)
}

#[then(regex = r"^クライアントは処理結果「(EQ\d{4})」の文言をそのまま表示する$")]
async fn shows_processing_result(w: &mut CertWorld, code: String) -> Result<(), String> {
    let ctx = w.ctx()?;
    let message = ctx
        .harness
        .sim
        .error_table()
        .rows()
        .find(|(_, e)| e.code == code)
        .map(|(_, e)| e.message.clone())
        .ok_or_else(|| format!("no {code} in the error table"))?;
    let c = w.conclusion()?.clone();
    let mut diffs = Vec::new();
    if c.message.as_deref() != Some(message.as_str()) {
        diffs.push(FieldDiff {
            field: "message".into(),
            expected: message,
            actual: opt(&c.message),
            rule: Some(format!("{code} (docs/interface.md §5, verbatim)")),
        });
    }
    if c.error_code.as_deref().is_some_and(|e| e != code) {
        diffs.push(FieldDiff {
            field: "error_code".into(),
            expected: code.clone(),
            actual: opt(&c.error_code),
            rule: Some(code.clone()),
        });
    }
    w.verdict(&format!("{code} の文言"), diffs)
}

#[then(regex = r"^クライアントは資格情報照会を電文「([^」]*)」で送った$")]
async fn sent_as(w: &mut CertWorld, message: String) -> Result<(), String> {
    let sent: Vec<String> = w
        .journal()
        .into_iter()
        .filter(|e| e.transport != sim_server::journal::Transport::Terminal)
        .map(|e| e.message)
        .collect();
    let ok = !sent.is_empty() && sent.iter().all(|m| *m == message);
    w.one(
        "送信電文",
        "messages sent",
        message,
        if ok {
            sent.first().cloned().unwrap_or_default()
        } else {
            super::listed(&sent)
        },
        "FLOW-32, docs/interface.md §2.7 (one message id per 診療区分)",
    )
}

/// The vertical table of JOB-03's conditions (同意年月日(自)…受診年月日(至), YYYYMMDD).
fn conditions(step: &Step) -> Result<Vec<(String, String)>, String> {
    let table = step
        .table
        .as_ref()
        .ok_or("this step needs a table of 項目 | 値")?;
    table
        .rows
        .iter()
        .map(|r| match (r.first(), r.get(1)) {
            (Some(k), Some(v)) => Ok((k.trim().to_owned(), v.trim().to_owned())),
            _ => Err(format!("a row of two cells expected, got {r:?}")),
        })
        .collect()
}

#[when(regex = r"^クライアントで「([^」]*)」の資格情報を次の条件で一括照会する:?$")]
async fn visiting_bulk(w: &mut CertWorld, label: String, step: &Step) -> Result<(), String> {
    let ctx = w.ctx()?;
    let kind = care(&label)?;
    let mut given: [Option<String>; 4] = Default::default();
    for (k, v) in conditions(step)? {
        let slot = match k.as_str() {
            "同意年月日(自)" => 0,
            "同意年月日(至)" => 1,
            "受診年月日(自)" => 2,
            "受診年月日(至)" => 3,
            other => return Err(format!("unknown item 「{other}」")),
        };
        given[slot] = Some(v);
    }
    let day = |i: usize| given[i].as_deref().and_then(|d| parse_date(d).ok());
    let search = ConsentSearch {
        consent_from: day(0),
        consent_to: day(1),
        examination_from: day(2),
        examination_to: day(3),
        ..Default::default()
    };
    w.bulk_expected =
        oracle::visiting_bulk_expected(&ctx.harness.sim, w.facility(), kind, &search, None);
    let [consent_from, consent_to, examination_from, examination_to] = given;
    match ctx.call(Action::VisitingBulkInquiry {
        care: label,
        consent_from,
        consent_to,
        examination_from,
        examination_to,
        confirmation_date: None,
        facility: w.acting_for.clone(),
    })? {
        Outcome::Bulk(b) => {
            w.bulk = Some(b);
            Ok(())
        }
        other => Err(format!(
            "a bulk conclusion was expected, the adapter answered {other:?}"
        )),
    }
}

#[then(regex = r"^一括照会のエラーの行はその文言をそのまま示す$")]
async fn error_rows_verbatim(w: &mut CertWorld) -> Result<(), String> {
    let b = w.bulk()?.clone();
    let mut diffs = Vec::new();
    for (i, e) in w.bulk_expected.iter().enumerate() {
        let (None, Some(want)) = (&e.validity, &e.error_message) else {
            continue;
        };
        let shown = b.rows.get(i).and_then(|r| r.message.clone());
        if shown.as_deref() != Some(want.as_str()) {
            diffs.push(FieldDiff {
                field: format!("rows[{i}].message"),
                expected: want.clone(),
                actual: opt(&shown),
                rule: Some(
                    "JOB-03, RULE-67 (a row in error shows its ProcessingResultMessage)".into(),
                ),
            });
        }
    }
    if w.bulk_expected.iter().all(|e| e.validity.is_some()) {
        return Err("this scenario has no row in error to judge".into());
    }
    w.verdict("一括照会のエラーの行", diffs)
}

#[given(regex = r"^薬局の環境設定で「([^」]*)」は「([^」]*)」である$")]
async fn pharmacy_setting(w: &mut CertWorld, item: String, value: String) -> Result<(), String> {
    let ctx = w.ctx()?;
    let on = match value.as_str() {
        "利用する" => true,
        "利用しない" => false,
        other => return Err(format!("「{other}」: 利用する or 利用しない")),
    };
    let mut s = ctx.harness.sim.pharmacy.settings();
    match item.as_str() {
        "電子処方箋" => s.e_prescription = on,
        "リフィル処方箋" => s.refill = on,
        other => {
            return Err(format!(
                "「{other}」: 電子処方箋 (ENV-04) or リフィル処方箋 (ENV-05)"
            ))
        }
    }
    ctx.harness.sim.pharmacy.set_settings(s);
    Ok(())
}

#[when(regex = r"^クライアントで次の被保険者の引換番号「([^」]*)」の処方箋を取得する:?$")]
async fn retrieve(w: &mut CertWorld, number: String, step: &Step) -> Result<(), String> {
    let ctx = w.ctx()?;
    let (card, _, _) = card_of_table(step)?;
    match ctx.call(Action::RetrievePrescription {
        card,
        exchange_number: number,
        facility: w.acting_for.clone(),
    })? {
        Outcome::Prescription(p) => {
            w.prescription = Some(p);
            Ok(())
        }
        other => Err(format!(
            "a prescription conclusion was expected, the adapter answered {other:?}"
        )),
    }
}

#[given(regex = r"^クライアントで次の被保険者の引換番号「([^」]*)」の処方箋を取得した:?$")]
async fn retrieved_before(w: &mut CertWorld, number: String, step: &Step) -> Result<(), String> {
    retrieve(w, number.clone(), step).await?;
    retrieved(w, number).await
}

#[then(
    regex = r"^クライアントは引換番号「([^」]*)」の処方箋を取得したと判断し、シミュレーターは取得を記録した$"
)]
async fn retrieved(w: &mut CertWorld, number: String) -> Result<(), String> {
    let ctx = w.ctx()?;
    let p = w
        .prescription
        .clone()
        .ok_or("no prescription retrieval in this scenario")?;
    let held = ctx.harness.sim.pharmacy.is_retrieved(w.facility(), &number);
    let mut diffs = Vec::new();
    let mut push = |field: &str, expected: String, actual: String, rule: &str| {
        if expected != actual {
            diffs.push(FieldDiff {
                field: field.into(),
                expected,
                actual,
                rule: Some(rule.into()),
            });
        }
    };
    let shown = if p.retrieved {
        "true".to_owned()
    } else {
        format!("false ({})", opt(&p.message))
    };
    push("retrieved", "true".into(), shown, "FLOW-17, RULE-27");
    push(
        "exchange_number",
        number.clone(),
        opt(&p.exchange_number),
        "FLOW-17 (the saved prescription's ExchangeNumber)",
    );
    push(
        "the simulator's retrieval",
        format!("{number} retrieved by {}", w.facility()),
        if held {
            format!("{number} retrieved by {}", w.facility())
        } else {
            "(none)".into()
        },
        "FLOW-17, RULE-28",
    );
    w.verdict("処方箋取得", diffs)
}

// The reasons quote 「…」 themselves: the text runs to the last 」.
#[then(regex = r"^クライアントは処方箋を取得できなかったと判断し、「(.*)」と表示する$")]
async fn refused(w: &mut CertWorld, text: String) -> Result<(), String> {
    let p = w
        .prescription
        .clone()
        .ok_or("no prescription retrieval in this scenario")?;
    let mut diffs = Vec::new();
    if p.retrieved {
        diffs.push(FieldDiff {
            field: "retrieved".into(),
            expected: "false".into(),
            actual: "true".into(),
            rule: Some("RULE-25..28".into()),
        });
    }
    if p.message.as_deref() != Some(text.as_str()) {
        diffs.push(FieldDiff {
            field: "message".into(),
            expected: text,
            actual: opt(&p.message),
            rule: Some("RULE-25..28, ENV-04/05 (docs/interface.md §2.7, verbatim)".into()),
        });
    }
    w.verdict("処方箋取得の拒否", diffs)
}
