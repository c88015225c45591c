//! The certification World and its steps. The same step text runs against the vendor's adapter
//! (certification) or an in-process client (self-test): both are a [`Driver`]. Every expected
//! value comes from the domain ([`crate::oracle`]), the journal ([`crate::wire`]) or the
//! feature's literal catalogue text — never from the client's own answer.

use crate::driver::{action_name, outcome_of, Driver};
use crate::harness::{Harness, FACILITY};
use crate::oracle::Expected;
use crate::results::{CheckResult, FieldDiff};
use cucumber::gherkin::Step;
use oqs_adapter_protocol::{
    Action, BulkConclusion, Conclusion, InsuranceCard, Outcome, RegistrationConclusion, Request,
};
use sim_server::jobs::JobKind;
use sim_server::journal::JournalEntry;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

mod bulk_registration;
mod face;
mod given;
mod outcome;
mod then_answer;
mod then_registration;
mod then_wire;
mod visiting;
mod when;

pub use outcome::{not_applicable, result_of, transports_of};

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
    /// A JOB-02 bulk registration: the rows sent and the client's conclusion.
    bulk_registration: Option<(
        Vec<oqs_adapter_protocol::ReferenceNumberRow>,
        oqs_adapter_protocol::BulkRegistrationConclusion,
    )>,
    /// Face-reader results put into `face/` and what the client picked up.
    face: face::FaceState,
    /// A consent cancellation (FLOW-35) as the client showed it.
    cancellation: Option<Conclusion>,
    /// A prescription retrieval (FLOW-17) as the client concluded it.
    prescription: Option<oqs_adapter_protocol::PrescriptionConclusion>,
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
            bulk_registration: None,
            face: face::FaceState::default(),
            cancellation: None,
            prescription: None,
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
            // Read by the step itself (result_encoding).
            "結果の文字コード" => {}
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
