//! The certification World and its steps. The same step text runs against the vendor's adapter
//! (certification) or an in-process client (self-test): both are a [`Driver`]. Every expected
//! value comes from the domain ([`crate::oracle`]), the journal ([`crate::wire`]) or the
//! feature's literal catalogue text — never from the client's own answer.

use crate::driver::{action_name, outcome_of, Driver};
use crate::harness::{Harness, FACILITY};
use crate::oracle::{self, Expected};
use crate::results::{CheckResult, FieldDiff, Status};
use crate::wire;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use oqs_adapter_protocol::{
    Action, BulkConclusion, Conclusion, InsuranceCard, MyNumberMethod, Outcome,
    RegistrationConclusion, Request,
};
use oqs_protocol::message::{InsurerNumber, QualificationResult};
use sim_server::jobs::{JobKind, Pacing};
use sim_server::journal::{JournalEntry, Transport};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one run shares between scenarios.
pub struct RunContext {
    pub harness: Harness,
    pub driver: Mutex<Driver>,
    pub next_id: AtomicU64,
    pub collected: Mutex<Vec<CheckResult>>,
    pub progress: indicatif::ProgressBar,
}

impl RunContext {
    pub fn new(harness: Harness, driver: Driver, progress: indicatif::ProgressBar) -> Self {
        RunContext {
            harness,
            driver: Mutex::new(driver),
            next_id: AtomicU64::new(1),
            collected: Mutex::new(Vec::new()),
            progress,
        }
    }

    /// One request to the client (blocking the step, not the runtime's other workers).
    pub fn call(&self, action: Action) -> Result<Outcome, String> {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let name = action_name(&action);
        let request = Request { id, action };
        let reply = crate::driver::blocking(|| {
            self.driver
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .call(request)
        })?;
        outcome_of(reply).map_err(|e| format!("{name}: {e}"))
    }
}

/// The run in progress (one at a time per process).
static CONTEXT: Mutex<Option<Arc<RunContext>>> = Mutex::new(None);

pub fn set_context(ctx: Option<Arc<RunContext>>) {
    *CONTEXT.lock().unwrap_or_else(|p| p.into_inner()) = ctx;
}

pub fn context() -> Option<Arc<RunContext>> {
    CONTEXT.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Poll watch of a bulk inquiry (JOB-01): how the client polled OQSmuquc02req.
#[derive(Debug, Default, Clone)]
pub struct PollWatch {
    /// 02req received while the job was held in 待ち (each answered SegmentOfResult 2).
    pub held_polls: usize,
    /// Journal mark when the job was first seen final (later 02req were answered 1 or 9).
    pub final_mark: Option<u64>,
}

/// One scenario's state.
#[derive(cucumber::World)]
#[world(init = Self::new)]
pub struct CertWorld {
    ctx: Option<Arc<RunContext>>,
    /// Journal entries after this are the scenario's.
    pub mark: u64,
    pub started: Instant,
    /// Bulk jobs submitted before the scenario.
    job_mark: u64,
    pub expected: Option<Expected>,
    pub confirmation: Option<Conclusion>,
    pub bulk_expected: Vec<Expected>,
    pub bulk: Option<BulkConclusion>,
    pub registration: Option<(InsuranceCard, String, RegistrationConclusion)>,
    hold_polls: Option<usize>,
    pub polls: Option<PollWatch>,
    /// 医療機関コード the check acts for when not the `hello` one (「前提 クライアントは薬局「…」
    /// として操作する」): sent as each request's `facility`.
    acting_for: Option<String>,
    /// 資格確認履歴 records per facility when the check chose its facility (the `hello` one and
    /// its own), to tell whose history a later check went to.
    history_marks: Vec<(String, usize)>,
    /// Near-miss diffs of the failing steps.
    pub diffs: Vec<FieldDiff>,
}

impl std::fmt::Debug for CertWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertWorld")
            .field("mark", &self.mark)
            .field("diffs", &self.diffs)
            .finish_non_exhaustive()
    }
}

/// 資格確認履歴 records of a facility (DM-01) in the simulator's 2-year window.
fn history_count(h: &Harness, facility: &str) -> Result<usize, String> {
    use chrono::TimeZone as _;
    let now = h.sim.clock.now();
    let tz = *now.offset();
    let (Some(from), Some(until)) = (
        tz.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).single(),
        tz.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).single(),
    ) else {
        return Err("history search bounds".into());
    };
    let q = sim_server::history::HistoryQuery {
        facility: facility.to_owned(),
        from,
        until,
        kind: sim_server::history::KindFilter::All,
        narrowing: sim_server::history::Narrowing::ShowAll,
        login_id: None,
        reference_number: None,
    };
    match h.sim.history.search(&q, now, 0, 0) {
        Ok(Ok(page)) => Ok(page.total),
        Ok(Err(_)) => Err(format!(
            "the history of {facility} is over the search limit"
        )),
        Err(e) => Err(format!("history of {facility}: {e}")),
    }
}

/// The newest bulk job of any facility (job numbers run across facilities).
fn newest_job_seq(h: &Harness) -> u64 {
    h.sim
        .jobs
        .list(JobKind::BulkInquiry, None, 1)
        .first()
        .map_or(0, |j| j.seq)
}

impl CertWorld {
    fn new() -> Self {
        let ctx = context();
        let (mark, job_mark) = match &ctx {
            Some(c) => {
                c.harness.reset();
                (c.harness.journal_mark(), newest_job_seq(&c.harness))
            }
            None => (0, 0),
        };
        CertWorld {
            ctx,
            mark,
            started: Instant::now(),
            job_mark,
            expected: None,
            confirmation: None,
            bulk_expected: Vec::new(),
            bulk: None,
            registration: None,
            hold_polls: None,
            polls: None,
            acting_for: None,
            history_marks: Vec::new(),
            diffs: Vec::new(),
        }
    }

    /// The 医療機関コード the check acts for: its own, else the `hello` one.
    pub fn facility(&self) -> &str {
        self.acting_for.as_deref().unwrap_or(FACILITY)
    }

    fn ctx(&self) -> Result<Arc<RunContext>, String> {
        self.ctx
            .clone()
            .ok_or_else(|| "no run in progress (the runner sets one up)".to_owned())
    }

    /// The scenario's journal entries.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.ctx
            .as_ref()
            .map(|c| c.harness.journal_since(self.mark))
            .unwrap_or_default()
    }

    /// Records diffs; fails the step when there are any.
    fn verdict(&mut self, what: &str, diffs: Vec<FieldDiff>) -> Result<(), String> {
        if diffs.is_empty() {
            return Ok(());
        }
        let text = diffs
            .iter()
            .map(|d| format!("{}: expected {} but was {}", d.field, d.expected, d.actual))
            .collect::<Vec<_>>()
            .join("; ");
        self.diffs.extend(diffs);
        Err(format!("{what}: {text}"))
    }

    fn one(
        &mut self,
        what: &str,
        field: &str,
        expected: String,
        actual: String,
        rule: &str,
    ) -> Result<(), String> {
        let diffs = if expected == actual {
            Vec::new()
        } else {
            vec![FieldDiff {
                field: field.to_owned(),
                expected,
                actual,
                rule: Some(rule.to_owned()),
            }]
        };
        self.verdict(what, diffs)
    }

    fn conclusion(&self) -> Result<&Conclusion, String> {
        self.confirmation
            .as_ref()
            .ok_or_else(|| "the client has not concluded a check in this scenario".to_owned())
    }

    fn bulk(&self) -> Result<&BulkConclusion, String> {
        self.bulk.as_ref().ok_or_else(|| {
            "the client has not concluded a bulk inquiry in this scenario".to_owned()
        })
    }
}

/// Values a client shows, as one diff cell: `(none)` when it shows none.
fn listed(shown: &[String]) -> String {
    if shown.is_empty() {
        "(none)".into()
    } else {
        shown.join(", ")
    }
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "(none)".into())
}

/// A vertical table (項目 | 値) as a card, the consent and the 資格確認日.
fn card_of_table(step: &Step) -> Result<(InsuranceCard, bool, Option<String>), String> {
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| "this step needs a table of 項目 | 値".to_owned())?;
    let mut card = InsuranceCard {
        insurer_number: String::new(),
        symbol: None,
        number: String::new(),
        branch: None,
        birthdate: String::new(),
    };
    let mut consent = false;
    let mut date = None;
    for row in &table.rows {
        let (Some(k), Some(v)) = (row.first(), row.get(1)) else {
            return Err(format!("a row of two cells expected, got {row:?}"));
        };
        let v = v.trim().to_owned();
        match k.trim() {
            "保険者番号" => card.insurer_number = v,
            "記号" => card.symbol = Some(v),
            "番号" => card.number = v,
            "枝番" => card.branch = Some(v),
            "生年月日" => card.birthdate = v,
            "限度額同意" => consent = v == "あり",
            "資格確認日" => date = Some(v),
            other => return Err(format!("unknown item 「{other}」")),
        }
    }
    Ok((card, consent, date))
}

/// A horizontal table (header 保険者番号 | 記号 | 番号 | 枝番 | 生年月日) as bulk rows.
fn rows_of_table(step: &Step) -> Result<Vec<InsuranceCard>, String> {
    let table = step
        .table
        .as_ref()
        .ok_or_else(|| "this step needs a table with a header row".to_owned())?;
    let mut rows = table.rows.iter();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| "the table has no header".to_owned())?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let get = |row: &Vec<String>, name: &str| {
        col(name)
            .and_then(|i| row.get(i))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    Ok(rows
        .map(|r| InsuranceCard {
            insurer_number: get(r, "保険者番号").unwrap_or_default(),
            symbol: get(r, "記号"),
            number: get(r, "番号").unwrap_or_default(),
            branch: get(r, "枝番"),
            birthdate: get(r, "生年月日").unwrap_or_default(),
        })
        .collect())
}

// ------------------------------------------------------------------------------------ 前提

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

// ------------------------------------------------------------------------------------ もし

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

#[given(regex = r"^クライアントで次の被保険者証に照会番号「([^」]*)」を登録した:?$")]
async fn register_given(w: &mut CertWorld, number: String, step: &Step) -> Result<(), String> {
    register(w, number, step).await?;
    registered_ok(w).await
}

// ------------------------------------------------------------------------------------ ならば

#[then(regex = r"^クライアントの結論はマニュアルの判定と一致する$")]
async fn matches_manual(w: &mut CertWorld) -> Result<(), String> {
    let expected = w
        .expected
        .clone()
        .ok_or_else(|| "no insurance-card check in this scenario".to_owned())?;
    let diffs = oracle::compare(&expected, w.conclusion()?, "");
    w.verdict(
        "the client's conclusion differs from the manual's judgement",
        diffs,
    )
}

#[then(regex = r"^クライアントの資格有効性は「([^」]*)」である$")]
async fn validity_is(w: &mut CertWorld, label: String) -> Result<(), String> {
    let actual = opt(&w.conclusion()?.validity);
    w.one(
        "資格有効性",
        "validity",
        label,
        actual,
        "OQSCD 006 資格有効性",
    )
}

#[then(regex = r"^クライアントの資格有効性は示されない$")]
async fn no_validity(w: &mut CertWorld) -> Result<(), String> {
    let actual = opt(&w.conclusion()?.validity);
    w.one(
        "資格有効性",
        "validity",
        "(none)".into(),
        actual,
        "no judgement on an error",
    )
}

#[then(regex = r"^クライアントの候補者は「(\d+)」人で、氏名は「([^」]*)」である$")]
async fn candidates_are(w: &mut CertWorld, n: usize, names: String) -> Result<(), String> {
    let c = w.conclusion()?;
    // The feature writes names as fixtures do; a client shows them as they came over the wire
    // (full-width space between family and given name, docs/interface.md).
    let mut expected: Vec<String> = names
        .split('、')
        .map(|s| oqs_protocol::names::wire_name(s.trim()))
        .collect();
    expected.sort();
    let mut actual: Vec<String> = c.candidates.iter().map(|c| c.name.clone()).collect();
    actual.sort();
    let mut diffs = Vec::new();
    if c.candidates.len() != n {
        diffs.push(FieldDiff {
            field: "candidates.len".into(),
            expected: n.to_string(),
            actual: c.candidates.len().to_string(),
            rule: Some("RULE-32 (every match is offered, none picked)".into()),
        });
    }
    if expected != actual {
        diffs.push(FieldDiff {
            field: "candidates[].name".into(),
            expected: expected.join("、"),
            actual: actual.join("、"),
            rule: Some("RULE-32".into()),
        });
    }
    w.verdict("候補者", diffs)
}

#[then(regex = r"^クライアントは「([^」]*)」と表示する$")]
async fn shows_text(w: &mut CertWorld, text: String) -> Result<(), String> {
    let actual = opt(&w.conclusion()?.message);
    w.one(
        "表示文言",
        "message",
        text,
        actual,
        "manual-catalogue.md (verbatim text)",
    )
}

#[then(regex = r"^クライアントはエラー「([^」]*)」の文言をそのまま表示する$")]
async fn shows_dialog(w: &mut CertWorld, id: String) -> Result<(), String> {
    let dialog = oqs_protocol::texts::CARD_DIALOGS
        .iter()
        .find(|d| d.id == id)
        .ok_or_else(|| format!("no dialog {id} in the catalogue"))?;
    let c = w.conclusion()?.clone();
    let mut diffs = Vec::new();
    let expected = dialog.shown_message();
    if c.message.as_deref() != Some(expected.as_str()) {
        diffs.push(FieldDiff {
            field: "message".into(),
            expected,
            actual: opt(&c.message),
            rule: Some(format!("{id} (manual-catalogue.md §7.2, verbatim)")),
        });
    }
    if let Some(code) = &c.error_code {
        if code != &id {
            diffs.push(FieldDiff {
                field: "error_code".into(),
                expected: id.clone(),
                actual: code.clone(),
                rule: Some(id.clone()),
            });
        }
    }
    w.verdict(&format!("{id} の文言"), diffs)
}

#[then(regex = r"^クライアントは \.err ファイルのエラー「([^」]*)」の文言をそのまま表示する$")]
async fn shows_err_file(w: &mut CertWorld, code: String) -> Result<(), String> {
    let ctx = w.ctx()?;
    let expected = ctx
        .harness
        .sim
        .error_table()
        .rows()
        .find(|(_, e)| e.code == code)
        .map(|(_, e)| e.message.clone())
        .ok_or_else(|| format!("no row 「{code}」 in the error table"))?;
    let c = w.conclusion()?.clone();
    let mut diffs = Vec::new();
    // The fault was in play: the client's request came over the exchange and got the .err file.
    let rejected = w.journal().iter().any(|e| {
        e.transport == Transport::FileExchange && e.error_code.as_deref() == Some(code.as_str())
    });
    if !rejected {
        diffs.push(FieldDiff {
            field: "journal".into(),
            expected: format!("a request over the file exchange answered with a {code} .err file"),
            actual: "(none)".into(),
            rule: Some("interface.md §1 (rejected requests come back as <base>.err)".into()),
        });
    }
    if c.message.as_deref() != Some(expected.as_str()) {
        diffs.push(FieldDiff {
            field: "message".into(),
            expected,
            actual: opt(&c.message),
            rule: Some(format!(
                "the .err file's text ({code}, error table), verbatim"
            )),
        });
    }
    if let Some(actual) = &c.error_code {
        if actual != &code {
            diffs.push(FieldDiff {
                field: "error_code".into(),
                expected: code.clone(),
                actual: actual.clone(),
                rule: Some("the .err file's code".into()),
            });
        }
    }
    w.verdict(".err ファイルの文言", diffs)
}

#[then(regex = r"^クライアントの要求はファイル連携で送られた$")]
async fn sent_over_exchange(w: &mut CertWorld) -> Result<(), String> {
    let n = w
        .journal()
        .iter()
        .filter(|e| e.transport == Transport::FileExchange)
        .count();
    w.one(
        "ファイル連携",
        "requests over the file exchange (journal)",
        "at least 1".into(),
        if n > 0 {
            "at least 1".into()
        } else {
            "0".into()
        },
        "interface.md §1",
    )
}

#[then(regex = r"^クライアントが示す限度額適用区分は「([^」]*)」である$")]
async fn limit_is(w: &mut CertWorld, code: String) -> Result<(), String> {
    let actual = w
        .conclusion()?
        .candidates
        .first()
        .and_then(|c| c.limit_category.clone());
    w.one(
        "限度額適用区分",
        "candidates[0].limit_category",
        code,
        opt(&actual),
        "RULE-09",
    )
}

#[then(regex = r"^クライアントは限度額適用区分を示さない$")]
async fn no_limit(w: &mut CertWorld) -> Result<(), String> {
    let shown: Vec<String> = w
        .conclusion()?
        .candidates
        .iter()
        .filter_map(|c| c.limit_category.clone())
        .collect();
    w.one(
        "限度額適用区分",
        "candidates[].limit_category",
        "(none)".into(),
        listed(&shown),
        "RULE-09 (only with consent)",
    )
}

#[then(regex = r"^クライアントが示す照会番号は「([^」]*)」である$")]
async fn reference_is(w: &mut CertWorld, number: String) -> Result<(), String> {
    let actual = w
        .conclusion()?
        .candidates
        .first()
        .and_then(|c| c.reference_number.clone());
    w.one(
        "照会番号",
        "candidates[0].reference_number",
        number,
        opt(&actual),
        "RULE-51",
    )
}

#[then(regex = r"^クライアントは照会番号を示さない$")]
async fn no_reference(w: &mut CertWorld) -> Result<(), String> {
    let shown: Vec<String> = w
        .conclusion()?
        .candidates
        .iter()
        .filter_map(|c| c.reference_number.clone())
        .collect();
    w.one(
        "照会番号",
        "candidates[].reference_number",
        "(none)".into(),
        listed(&shown),
        "RULE-49 (a 照会番号 belongs to the facility that registered it)",
    )
}

#[then(regex = r"^資格確認端末での確認は「(\d+)」回だけ行われた$")]
async fn terminal_count(w: &mut CertWorld, n: usize) -> Result<(), String> {
    let count = w
        .journal()
        .iter()
        .filter(|e| e.transport == Transport::Terminal)
        .count();
    w.one(
        "資格確認端末での確認回数",
        "terminal confirmations (journal)",
        n.to_string(),
        count.to_string(),
        "ERR-13 (a locked PIN is not retried)",
    )
}

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
async fn registered_ok(w: &mut CertWorld) -> Result<(), String> {
    let ctx = w.ctx()?;
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
    let stored = probe.first().and_then(|p| p.reference_number.clone());
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

/// The transports a scenario is restricted to (`@transport-exchange` …; empty: every one).
pub fn transports_of(
    feature: &cucumber::gherkin::Feature,
    scenario: &cucumber::gherkin::Scenario,
) -> Vec<String> {
    feature
        .tags
        .iter()
        .chain(scenario.tags.iter())
        .filter_map(|t| t.strip_prefix("transport-"))
        .map(str::to_owned)
        .collect()
}

/// A check's description from its tags, with a status and message still to fill.
fn describe(
    feature: &cucumber::gherkin::Feature,
    scenario: &cucumber::gherkin::Scenario,
    status: Status,
    message: Option<String>,
) -> CheckResult {
    let tags: Vec<&String> = feature.tags.iter().chain(scenario.tags.iter()).collect();
    let id = tags
        .iter()
        .find(|t| t.starts_with("CHK-"))
        .map_or_else(|| format!("(untagged) {}", scenario.name), |t| (*t).clone());
    let profiles = tags
        .iter()
        .filter_map(|t| t.strip_prefix("profile-"))
        .map(str::to_owned)
        .collect();
    let mut catalogue: Vec<String> = tags
        .iter()
        .filter(|t| {
            !t.starts_with("CHK-")
                && !t.starts_with("profile-")
                && !t.starts_with("transport-")
                && t.as_str() != "required"
                && t.contains('-')
        })
        .map(|t| (*t).clone())
        .collect();
    catalogue.sort();
    catalogue.dedup();
    CheckResult {
        title_en: crate::checks::title_en(&id)
            .unwrap_or("(no English title)")
            .to_owned(),
        kind: crate::checks::CheckKind::of_id(&id).unwrap_or(crate::checks::CheckKind::Behaviour),
        id,
        title_ja: scenario.name.clone(),
        profiles,
        required: tags.iter().any(|t| t.as_str() == "required"),
        catalogue,
        feature: feature
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map_or_else(
                || feature.name.clone(),
                |f| f.to_string_lossy().into_owned(),
            ),
        status,
        message,
        diffs: Vec::new(),
        requests: Vec::new(),
        duration_ms: 0,
    }
}

/// The result of a check that was not run because it does not apply to the client's transport.
pub fn not_applicable(
    feature: &cucumber::gherkin::Feature,
    scenario: &cucumber::gherkin::Scenario,
    transport: &str,
) -> CheckResult {
    let only = transports_of(feature, scenario).join(", ");
    describe(
        feature,
        scenario,
        Status::NotApplicable,
        Some(format!(
            "not applicable: the check is for clients on the {only} transport; this client uses \"{transport}\" (hello)"
        )),
    )
}

/// The scenario's result, built in the `after` hook.
pub fn result_of(
    feature: &cucumber::gherkin::Feature,
    scenario: &cucumber::gherkin::Scenario,
    finished: &cucumber::event::ScenarioFinished,
    world: Option<&CertWorld>,
) -> CheckResult {
    use cucumber::event::ScenarioFinished as F;
    let (status, message) = match finished {
        F::StepPassed => (Status::Passed, None),
        F::StepSkipped => (
            Status::Failed,
            Some("a step is undefined or was skipped (the check did not run fully)".to_owned()),
        ),
        F::BeforeHookFailed(info) => (
            Status::Failed,
            Some(format!("before hook failed: {}", panic_text(info))),
        ),
        F::StepFailed(_, _, err) => (Status::Failed, Some(step_error_text(err))),
    };
    let failed = status == Status::Failed;
    let mut r = describe(feature, scenario, status, message);
    r.diffs = world.map(|w| w.diffs.clone()).unwrap_or_default();
    if failed {
        r.requests = world
            .map(|w| w.journal().iter().take(12).map(wire::sent).collect())
            .unwrap_or_default();
    }
    r.duration_ms = world.map_or(0, |w| w.started.elapsed().as_millis());
    r
}

fn panic_text(info: &cucumber::event::Info) -> String {
    if let Some(s) = info.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = info.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "(panic)".into()
    }
}

fn step_error_text(e: &cucumber::event::StepError) -> String {
    match e {
        cucumber::event::StepError::Panic(info) => panic_text(info),
        other => other.to_string(),
    }
}
