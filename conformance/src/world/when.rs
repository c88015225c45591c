//! もし (When): the client is asked to check a card, a My Number card, a bulk file or to
//! register a 照会番号.

use super::then_wire::registered_ok;
use super::{card_of_table, rows_of_table, CertWorld, PollWatch};
use crate::oracle::{self};
use cucumber::gherkin::Step;
use cucumber::{given, when};
use oqs_adapter_protocol::{Action, MyNumberMethod, Outcome};
use sim_server::jobs::{JobKind, Pacing};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The value of an item of a vertical table, if the table names it.
fn table_value(step: &Step, item: &str) -> Option<String> {
    step.table.as_ref()?.rows.iter().find_map(|r| {
        (r.first().map(|k| k.trim()) == Some(item))
            .then(|| r.get(1).map(|v| v.trim().to_owned()))
            .flatten()
    })
}

#[when(regex = r"^クライアントで次の被保険者証の資格を確認する:?$")]
async fn check_card(w: &mut CertWorld, step: &Step) -> Result<(), String> {
    let ctx = w.ctx()?;
    let (card, consent, date) = card_of_table(step)?;
    w.expected = Some(oracle::expected(
        &ctx.harness.sim,
        w.facility(),
        &card,
        consent,
        date.as_deref(),
    ));
    let outcome = ctx.call(Action::CheckInsuranceCard {
        card,
        limit_consent: consent,
        confirmation_date: date,
        facility: w.acting_for.clone(),
        result_encoding: table_value(step, "結果の文字コード"),
    })?;
    match outcome {
        Outcome::Confirmation(c) => {
            w.confirmation = Some(c);
            Ok(())
        }
        other => Err(format!(
            "a confirmation was expected, the adapter answered {other:?}"
        )),
    }
}

async fn check_mynumber(
    w: &mut CertWorld,
    method: MyNumberMethod,
    pin: Option<String>,
) -> Result<(), String> {
    let ctx = w.ctx()?;
    let outcome = ctx.call(Action::CheckMyNumberCard {
        reader: 0,
        method,
        pin,
        limit_consent: false,
        confirmation_date: None,
        facility: w.acting_for.clone(),
    })?;
    match outcome {
        Outcome::Confirmation(c) => {
            w.confirmation = Some(c);
            Ok(())
        }
        other => Err(format!(
            "a confirmation was expected, the adapter answered {other:?}"
        )),
    }
}

#[when(
    regex = r"^患者が暗証番号「([^」]*)」を入力し、クライアントでマイナンバーカードの資格を確認する$"
)]
async fn mynumber_pin(w: &mut CertWorld, pin: String) -> Result<(), String> {
    check_mynumber(w, MyNumberMethod::Pin, Some(pin)).await
}

#[when(regex = r"^職員が目視確認を選び、クライアントでマイナンバーカードの資格を確認する$")]
async fn mynumber_visual(w: &mut CertWorld) -> Result<(), String> {
    check_mynumber(w, MyNumberMethod::Visual, None).await
}

#[when(regex = r"^クライアントで次の被保険者証を一括照会する:?$")]
async fn bulk_inquiry(w: &mut CertWorld, step: &Step) -> Result<(), String> {
    let ctx = w.ctx()?;
    let rows = rows_of_table(step)?;
    w.bulk_expected = rows
        .iter()
        .map(|r| oracle::expected(&ctx.harness.sim, w.facility(), r, false, None))
        .collect();
    // Watch the polling from beside the client: release a held job after N polls, and note
    // when the job became final.
    let stop = Arc::new(AtomicBool::new(false));
    let watch = Arc::new(Mutex::new(PollWatch::default()));
    let watcher = {
        let (ctx, stop, watch) = (ctx.clone(), stop.clone(), watch.clone());
        let (mark, job_mark, hold) = (w.mark, w.job_mark, w.hold_polls);
        let facility = w.facility().to_owned();
        std::thread::spawn(move || {
            let mut released = hold.is_none();
            loop {
                let done = stop.load(Ordering::SeqCst);
                let polls = ctx
                    .harness
                    .journal_since(mark)
                    .iter()
                    .filter(|e| e.message == "OQSmuquc02req")
                    .count();
                let mut wch = watch.lock().unwrap_or_else(|p| p.into_inner());
                if !released && (polls >= hold.unwrap_or(0) || done) {
                    wch.held_polls = polls;
                    ctx.harness.sim.jobs.set_pacing(Pacing::Instant);
                    released = true;
                }
                if wch.final_mark.is_none() {
                    let job = ctx
                        .harness
                        .sim
                        .jobs
                        .list(JobKind::BulkInquiry, Some(&facility), 1);
                    if let Some(j) = job.first() {
                        if j.seq > job_mark && j.state.is_final() {
                            wch.final_mark = Some(ctx.harness.journal_mark());
                        }
                    }
                }
                drop(wch);
                if done {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let outcome = ctx.call(Action::BulkInquiry {
        rows,
        confirmation_date: None,
        facility: w.acting_for.clone(),
    });
    stop.store(true, Ordering::SeqCst);
    let _ = crate::driver::blocking(|| watcher.join());
    w.polls = Some(watch.lock().unwrap_or_else(|p| p.into_inner()).clone());
    match outcome? {
        Outcome::Bulk(b) => {
            w.bulk = Some(b);
            Ok(())
        }
        other => Err(format!(
            "a bulk conclusion was expected, the adapter answered {other:?}"
        )),
    }
}

async fn register(w: &mut CertWorld, number: String, step: &Step) -> Result<(), String> {
    let ctx = w.ctx()?;
    let (card, _, _) = card_of_table(step)?;
    let outcome = ctx.call(Action::RegisterReferenceNumber {
        card: card.clone(),
        reference_number: number.clone(),
        facility: w.acting_for.clone(),
    })?;
    match outcome {
        Outcome::Registration(r) => {
            w.registration = Some((card, number, r));
            Ok(())
        }
        other => Err(format!(
            "a registration conclusion was expected, the adapter answered {other:?}"
        )),
    }
}

#[when(regex = r"^クライアントで次の被保険者証に照会番号「([^」]*)」を登録する:?$")]
async fn register_when(w: &mut CertWorld, number: String, step: &Step) -> Result<(), String> {
    register(w, number, step).await
}

#[when(regex = r"^クライアントで次の被保険者証の照会番号を削除する:?$")]
async fn delete_when(w: &mut CertWorld, step: &Step) -> Result<(), String> {
    register(w, String::new(), step).await
}

#[given(regex = r"^クライアントで次の被保険者証に照会番号「([^」]*)」を登録した:?$")]
async fn register_given(w: &mut CertWorld, number: String, step: &Step) -> Result<(), String> {
    register(w, number, step).await?;
    registered_ok(w).await
}
