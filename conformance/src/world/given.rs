//! 前提 (Given): the simulator's clock, cards on readers, held jobs and injected faults, the
//! facility the client acts for.

use super::{history_count, CertWorld};
use crate::harness::FACILITY;
use cucumber::{given, when};
use sim_server::jobs::Pacing;
use std::time::Duration;

#[given(regex = r"^シミュレーターの現在日時は「([^」]*)」である$")]
async fn now_is(w: &mut CertWorld, at: String) -> Result<(), String> {
    let ctx = w.ctx()?;
    let t = sim_server::clock::parse_now(&at).map_err(|e| format!("「{at}」: {e}"))?;
    ctx.harness.set_now(t);
    Ok(())
}

#[given(
    regex = r"^カードリーダー「(\d+)」に「([^」]*)」さんの「([^」]*)」のマイナンバーカードが置かれている$"
)]
async fn card_on_reader(
    w: &mut CertWorld,
    reader: usize,
    person: String,
    profile: String,
) -> Result<(), String> {
    let ctx = w.ctx()?;
    let now = ctx.harness.sim.clock.now();
    crate::driver::blocking(|| {
        ctx.harness
            .sim
            .terminal
            .insert_profile(reader, &profile, Some(&person), now)
    })
    .map_err(|e| format!("cannot put the card on reader {reader}: {}", e.0))
}

#[given(
    regex = r"^一括照会は、クライアントが結果を「(\d+)」回問い合わせるまで照会待ちのままである$"
)]
async fn hold_jobs(w: &mut CertWorld, polls: usize) -> Result<(), String> {
    let ctx = w.ctx()?;
    ctx.harness.sim.jobs.set_pacing(Pacing::Hold);
    w.hold_polls = Some(polls);
    Ok(())
}

#[given(regex = r"^一括照会にシステムエラーが注入されている$")]
async fn job_fault(w: &mut CertWorld) -> Result<(), String> {
    w.ctx()?.harness.sim.jobs.set_system_fault(true);
    Ok(())
}

#[given(regex = r"^ファイル連携は要求ファイルにエラー「([^」]*)」の \.err ファイルで応答する$")]
async fn exchange_rejects(w: &mut CertWorld, code: String) -> Result<(), String> {
    let ctx = w.ctx()?;
    let kind = ctx
        .harness
        .sim
        .error_table()
        .rows()
        .find(|(_, e)| e.code == code)
        .map(|(k, _)| k)
        .ok_or_else(|| format!("no row 「{code}」 in the error table"))?;
    ctx.harness
        .sim
        .exchange_faults
        .set(sim_server::exchange::ExchangeFault {
            reject: Some(kind),
            partial_write: None,
        });
    Ok(())
}

#[given(regex = r"^ファイル連携は結果ファイルを「(\d+)」ミリ秒の間をあけて二回に分けて書き込む$")]
async fn exchange_writes_in_pieces(w: &mut CertWorld, ms: u64) -> Result<(), String> {
    let pause = Duration::from_millis(ms);
    if pause > sim_server::exchange::MAX_PARTIAL_WRITE {
        return Err(format!("{ms} ms is longer than the exchange allows"));
    }
    w.ctx()?
        .harness
        .sim
        .exchange_faults
        .set(sim_server::exchange::ExchangeFault {
            reject: None,
            partial_write: Some(pause),
        });
    Ok(())
}

/// The check acts for another facility of the population than the `hello` one: every request
/// carries its 医療機関コード as `facility`. The facility must be a 薬局 (DM-01 種別).
#[given(regex = r"^クライアントは薬局「([^」]*)」として操作する$")]
async fn acts_for_pharmacy(w: &mut CertWorld, code: String) -> Result<(), String> {
    let ctx = w.ctx()?;
    let population = ctx.harness.sim.population();
    let facility = population
        .facility(&code)
        .ok_or_else(|| format!("no facility 「{code}」 in the simulator's population (DM-01)"))?;
    if &*facility.kind != "薬局" {
        return Err(format!(
            "「{code}」 ({}) is a {} facility, not a 薬局 (DM-01 種別)",
            facility.name, facility.kind
        ));
    }
    w.history_marks = vec![
        (FACILITY.to_owned(), history_count(&ctx.harness, FACILITY)?),
        (code.clone(), history_count(&ctx.harness, &code)?),
    ];
    w.acting_for = Some(code);
    Ok(())
}

#[when(regex = r"^WebAPI の認証トークンが使われないまま「(\d+)」分経過した$")]
async fn tokens_idle(w: &mut CertWorld, minutes: i64) -> Result<(), String> {
    let ctx = w.ctx()?;
    let later = ctx.harness.sim.clock.now() + chrono::Duration::minutes(minutes);
    ctx.harness.set_now(later);
    Ok(())
}

#[given(regex = r"^シミュレーターはシステム障害中である$")]
async fn outage(w: &mut CertWorld) -> Result<(), String> {
    let ctx = w.ctx()?;
    let now = ctx.harness.sim.clock.now();
    ctx.harness.sim.outage.start(now, None);
    Ok(())
}
