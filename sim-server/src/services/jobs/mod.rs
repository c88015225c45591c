//! Asynchronous jobs (§6): the one job engine, the 資格情報一括照会 (JOB-01, [`inquiry`]) and the
//! 照会番号一括登録 (JOB-02, [`registration`]; the registrations are kept by
//! [`crate::services::references`]).
//!
//! Lifecycle (§6.0): accepted → 待ち → 中 → 完了 | 完了（要確認） | 失敗(…). A submit answers at once
//! with the 受付番号; a pool of worker threads takes jobs in order. [`Pacing`] slows the workers
//! (per row or per job) or holds them, so 待ち and 中 can be watched. With `--data-dir` every job,
//! its request and its result live in `<data-dir>/jobs.sqlite` ([`store`]): a job caught in 待ち
//! or 中 by a stop is taken up again on start; a result, once written, is served byte for byte.
//! Without it everything is in memory, bounded ([`RETAIN_PER_OWNER`], [`MAX_JOBS`],
//! [`MAX_RESULT_BYTES_IN_MEMORY`], [`MAX_PENDING`]).

pub mod dispensing;
mod entrusted;
mod fetch;
pub mod inquiry;
mod job;
mod prepare;
pub mod registration;
mod render;
mod settings;
mod status;
pub mod store;
mod visiting;

pub use fetch::{FetchNote, ResultError};
pub use job::{screen_time, Acquisition, Job, Period};
pub use prepare::Submitted;
pub use settings::{
    JobSettings, Pacing, DEFAULT_BULK_MAX_REQUEST_BYTES, DEFAULT_ROW_LIMIT, MAX_JOB_PACING,
    MAX_ROW_PACING,
};
pub use status::{Failure, JobKind, JobState};

use crate::clock::Clock;
use crate::services::answer::Answered;
use crate::services::references::ReferenceNumbers;
use bytes::Bytes;
use oqs_domain::inquiry::{jst, timestamp};
use oqs_domain::Population;
use oqs_protocol::bulk::{BulkResultHeader, SubmitResponse};
use oqs_protocol::codes::{CharacterCode, SegmentOfResult};
use oqs_protocol::errors::{ErrorKind, ErrorTable};
use oqs_protocol::xml;
use oqs_protocol::TextEncoding;
use prepare::failure_of_read_error;
use prepare::owner_of;
use prepare::prepare_bytes;
use prepare::prepare_inquiry;
use prepare::prepare_tree;
use prepare::Work;
use render::fragment;
use render::render_result;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::Duration;

/// Jobs kept per facility and kind (the screens show the 3 newest, RULE-52).
pub const RETAIN_PER_OWNER: usize = 10;
/// Jobs kept in all.
pub const MAX_JOBS: usize = 1000;
/// Result bytes kept in memory without `--data-dir` (older finished jobs are dropped beyond it).
pub const MAX_RESULT_BYTES_IN_MEMORY: usize = 256 * 1024 * 1024;
/// Jobs waiting at once; a submit beyond it is refused with システムエラー.
pub const MAX_PENDING: usize = 64;
/// Jobs shown in a listing (RULE-52).
pub const LISTED: usize = 3;
/// Worker threads.
pub const WORKERS: usize = 2;

#[derive(Debug)]
struct Pending {
    seq: u64,
    work: Work,
    population: Arc<Population>,
}

#[derive(Debug, Default)]
struct State {
    jobs: BTreeMap<u64, Job>,
    /// Results held in memory (no `--data-dir`).
    results: HashMap<u64, Bytes>,
    result_bytes: usize,
    queue: VecDeque<Pending>,
    next_seq: u64,
    workers: usize,
}

#[derive(Debug)]
pub(crate) struct Inner {
    settings: Mutex<JobSettings>,
    clock: Clock,
    errors: ErrorTable,
    state: Mutex<State>,
    changed: Condvar,
    store: Option<Mutex<store::Store>>,
    pub(crate) references: ReferenceNumbers,
    /// 訪問診療等 consent cancellations (FLOW-35), read by JOB-03 and the visiting inquiries.
    pub(crate) cancellations: crate::services::visiting::Cancellations,
    /// The confirmation history judged bulk rows are recorded in (set by the Simulator).
    pub(crate) history: std::sync::OnceLock<Arc<crate::history::History>>,
    system_fault: AtomicBool,
    shutdown: AtomicBool,
}

/// Every asynchronous job of the simulator, and the facilities' 照会番号.
#[derive(Debug)]
pub struct Jobs {
    inner: Arc<Inner>,
    open_error: Option<String>,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs::new(
            JobSettings::default(),
            None,
            Clock::system(),
            ErrorTable::builtin(),
            Arc::new(Population::new()),
        )
    }
}

impl Drop for Jobs {
    fn drop(&mut self) {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        self.inner.changed.notify_all();
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub(super) fn character_code(e: TextEncoding) -> CharacterCode {
    match e {
        TextEncoding::Utf8 => CharacterCode::Utf8,
        TextEncoding::ShiftJis => CharacterCode::ShiftJis,
    }
}

impl Jobs {
    /// The engine; with `data_dir`, opens `<data-dir>/jobs.sqlite`, takes up the jobs a stop
    /// interrupted and loads the 照会番号. A store that cannot be opened is reported by
    /// [`Jobs::open_error`] (the binary refuses to start) and the engine runs in memory.
    pub fn new(
        settings: JobSettings,
        data_dir: Option<&Path>,
        clock: Clock,
        errors: ErrorTable,
        population: Arc<Population>,
    ) -> Self {
        Jobs::with_history(settings, data_dir, clock, errors, population, None)
    }

    /// [`Jobs::new`] recording judged bulk rows into `history` — from the start, so that jobs
    /// taken up again after a restart are recorded too.
    pub fn with_history(
        settings: JobSettings,
        data_dir: Option<&Path>,
        clock: Clock,
        errors: ErrorTable,
        population: Arc<Population>,
        history: Option<Arc<crate::history::History>>,
    ) -> Self {
        let mut open_error = None;
        let store = match data_dir.map(store::Store::open) {
            None => None,
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                open_error = Some(format!("job store: {e}"));
                None
            }
        };
        let inner = Arc::new(Inner {
            settings: Mutex::new(settings),
            clock,
            errors,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            store: store.map(Mutex::new),
            references: ReferenceNumbers::default(),
            cancellations: Default::default(),
            history: history.map_or_else(std::sync::OnceLock::new, std::sync::OnceLock::from),
            system_fault: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
        });
        let mut jobs = Jobs { inner, open_error };
        if let Err(e) = jobs.recover(population) {
            jobs.open_error = Some(format!("job store: {e}"));
        }
        jobs
    }

    /// Where judged bulk rows are recorded (資格確認履歴); set once, by the Simulator.
    pub fn record_history_into(&self, history: Arc<crate::history::History>) {
        let _ = self.inner.history.set(history);
    }

    /// Why the store could not be opened or read, if so.
    pub fn open_error(&self) -> Option<&str> {
        self.open_error.as_deref()
    }

    pub fn references(&self) -> &ReferenceNumbers {
        &self.inner.references
    }

    /// 訪問診療等 consent cancellations (FLOW-35).
    pub fn cancellations(&self) -> &crate::services::visiting::Cancellations {
        &self.inner.cancellations
    }

    /// Forgets every registered 照会番号, in memory and in the store (`DELETE
    /// /__admin/reference-numbers`); the fixtures' numbers show again. Returns how many
    /// registrations were forgotten.
    pub fn clear_references(&self) -> Result<usize, String> {
        if let Some(store) = &self.inner.store {
            lock(store)
                .clear_references()
                .map_err(|e| format!("job store: {e}"))?;
        }
        Ok(self.inner.references.clear())
    }

    pub fn settings(&self) -> JobSettings {
        lock(&self.inner.settings).clone()
    }

    pub fn set_pacing(&self, pacing: Pacing) {
        lock(&self.inner.settings).pacing = pacing;
        self.inner.changed.notify_all();
    }

    /// Fault injection: while on, every job a worker takes fails with システムエラー.
    pub fn set_system_fault(&self, on: bool) {
        self.inner.system_fault.store(on, Ordering::SeqCst);
    }

    pub fn system_fault(&self) -> bool {
        self.inner.system_fault.load(Ordering::SeqCst)
    }

    fn recover(&self, population: Arc<Population>) -> Result<(), String> {
        let Some(store) = &self.inner.store else {
            return Ok(());
        };
        let (jobs, refs, next_seq) = {
            let s = lock(store);
            (
                s.load_jobs().map_err(|e| e.to_string())?,
                s.load_references().map_err(|e| e.to_string())?,
                s.next_seq().map_err(|e| e.to_string())?,
            )
        };
        self.inner.references.load(refs);
        let settings = self.settings();
        let mut st = lock(&self.inner.state);
        st.next_seq = next_seq;
        for (mut job, request) in jobs {
            if !job.state.is_final() {
                // Interrupted: start over from 待ち with the stored request.
                job.state = JobState::Waiting;
                job.processed = 0;
                let work = match request {
                    Some(bytes) => prepare_bytes(job.kind, &bytes, &settings).2,
                    None => Work::Fail {
                        failure: Failure::System,
                        kind: ErrorKind::SystemError,
                        detail: "the request of an interrupted job was not stored".into(),
                    },
                };
                st.queue.push_back(Pending {
                    seq: job.seq,
                    work,
                    population: population.clone(),
                });
            }
            st.jobs.insert(job.seq, job);
        }
        let pending = !st.queue.is_empty();
        drop(st);
        if pending {
            self.ensure_workers();
        }
        Ok(())
    }

    fn ensure_workers(&self) {
        let mut st = lock(&self.inner.state);
        while st.workers < WORKERS {
            st.workers += 1;
            let weak = Arc::downgrade(&self.inner);
            let spawned = std::thread::Builder::new()
                .name(format!("oqs-job-{}", st.workers))
                .spawn(move || worker(weak));
            if let Err(e) = spawned {
                tracing::error!("cannot start a job worker: {e}");
                st.workers -= 1;
                break;
            }
        }
    }

    /// Accepts a bulk file: answers OQSmuquc01res / OQSmuimm01res with the 受付番号 at once; the
    /// file itself is judged by a worker. `suffix`: the part after `_` (the login ID on the
    /// screens, AMB-33); by default a 4-digit sequence number.
    pub fn submit(
        &self,
        kind: JobKind,
        input: Submitted<'_>,
        population: Arc<Population>,
        suffix: Option<&str>,
    ) -> (Answered, Option<Job>) {
        let settings = self.settings();
        let now = self.inner.clock.now();
        let (header, encoding, work, raw) = match input {
            Submitted::Tree {
                root,
                encoding,
                raw,
            } => {
                let (header, enc, work) = prepare_tree(kind, root, encoding, &settings);
                // The request is kept only where a restart could need it.
                let raw = match (&self.inner.store, raw) {
                    (None, _) => Vec::new(),
                    (Some(_), Some(r)) => r.to_vec(),
                    (Some(_), None) => xml::write_document(root, encoding),
                };
                (header, enc, work, raw)
            }
            Submitted::Inquiry { request, raw } => {
                let (header, enc, work) = prepare_inquiry(request, &settings);
                let raw = match &self.inner.store {
                    None => Vec::new(),
                    Some(_) => raw.to_vec(),
                };
                (header, enc, work, raw)
            }
            Submitted::Unreadable { error, raw } => {
                let (failure, ek) = failure_of_read_error(&error);
                (
                    Default::default(),
                    TextEncoding::Utf8,
                    Work::Fail {
                        failure,
                        kind: ek,
                        detail: error.to_string(),
                    },
                    if self.inner.store.is_some() {
                        raw.to_vec()
                    } else {
                        Vec::new()
                    },
                )
            }
        };
        let facility = owner_of(&header);
        let mut res = SubmitResponse {
            process_execution_time: timestamp(now),
            medical_institution_code: header.medical_institution_code.clone(),
            arbitrary_file_identifier: header.arbitrary_file_identifier.clone(),
            segment_of_result: SegmentOfResult::Normal,
            error_code: None,
            error_message: None,
            character_code: character_code(encoding),
            reception_number: None,
            reception_date_time: None,
        };
        let rows = match &work {
            Work::Inquiry(r) => r.rows.len(),
            Work::Registration(r) => r.rows.len(),
            Work::Dispensing(_) | Work::Entrusted(_) | Work::Consented(_) | Work::Fail { .. } => 0,
        };
        let mut st = lock(&self.inner.state);
        if st.queue.len() >= MAX_PENDING {
            drop(st);
            let e = self.inner.errors.entry(ErrorKind::SystemError);
            res.segment_of_result = SegmentOfResult::Abnormal;
            res.error_code = Some(e.code.clone());
            res.error_message = Some(e.message.clone());
            return (Answered::new(res.to_element(), encoding), None);
        }
        let seq = st.next_seq.max(1);
        st.next_seq = seq + 1;
        let stamp = now
            .with_timezone(&jst())
            .format("%Y%m%d%H%M%S%3f")
            .to_string();
        let mut reception_number = match suffix {
            Some(s) if !s.is_empty() => format!("{stamp}_{s}"),
            _ => format!("{stamp}_{:04}", seq % 10_000),
        };
        if st
            .jobs
            .values()
            .any(|j| j.reception_number == reception_number)
        {
            reception_number = format!("{stamp}_{:04}", seq % 10_000);
        }
        let job = Job {
            seq,
            reception_number: reception_number.clone(),
            kind,
            facility,
            arbitrary_file_identifier: header.arbitrary_file_identifier.clone(),
            confirmation_date: header.qualification_confirmation_date.clone(),
            state: JobState::Waiting,
            accepted_at: now,
            finished_at: None,
            rows,
            processed: 0,
            normal: 0,
            errors: 0,
            error_code: None,
            error_message: None,
            error_detail: None,
            encoding,
            result_name: None,
            dispensing: None,
            operator: suffix.filter(|s| !s.is_empty()).map(str::to_owned),
        };
        if let Some(store) = &self.inner.store {
            if let Err(e) = lock(store).insert_job(&job, &raw) {
                tracing::error!("job store: {e}");
                drop(st);
                let e = self.inner.errors.entry(ErrorKind::SystemError);
                res.segment_of_result = SegmentOfResult::Abnormal;
                res.error_code = Some(e.code.clone());
                res.error_message = Some(e.message.clone());
                return (Answered::new(res.to_element(), encoding), None);
            }
        }
        st.jobs.insert(seq, job.clone());
        st.queue.push_back(Pending {
            seq,
            work,
            population,
        });
        self.evict(&mut st);
        drop(st);
        self.ensure_workers();
        self.inner.changed.notify_all();
        res.reception_number = Some(reception_number);
        res.reception_date_time = Some(timestamp(now));
        (Answered::new(res.to_element(), encoding), Some(job))
    }

    /// Drops old finished jobs beyond the retention limits.
    fn evict(&self, st: &mut State) {
        let mut per_owner: HashMap<(&str, JobKind), usize> = HashMap::new();
        let mut drop_seqs = Vec::new();
        for (i, job) in st.jobs.values().rev().enumerate() {
            let n = per_owner.entry((&job.facility, job.kind)).or_default();
            *n += 1;
            if job.state.is_final() && (*n > job.kind.retained() || i >= MAX_JOBS) {
                drop_seqs.push(job.seq);
            }
        }
        // Memory results: drop the oldest finished jobs until the bytes fit.
        if self.inner.store.is_none() {
            let mut bytes = st.result_bytes;
            for (seq, job) in st.jobs.iter() {
                if bytes <= MAX_RESULT_BYTES_IN_MEMORY {
                    break;
                }
                if job.state.is_final() && !drop_seqs.contains(seq) {
                    if let Some(r) = st.results.get(seq) {
                        bytes -= r.len();
                        drop_seqs.push(*seq);
                    }
                }
            }
        }
        for seq in drop_seqs {
            st.jobs.remove(&seq);
            if let Some(r) = st.results.remove(&seq) {
                st.result_bytes -= r.len();
            }
            if let Some(store) = &self.inner.store {
                if let Err(e) = lock(store).delete_job(seq) {
                    tracing::error!("job store: {e}");
                }
            }
        }
    }
}

/// A worker thread: takes jobs in order until the engine is dropped.
fn worker(weak: Weak<Inner>) {
    loop {
        let Some(inner) = weak.upgrade() else { return };
        if inner.shutdown.load(Ordering::SeqCst) {
            return;
        }
        let next = {
            let mut st = lock(&inner.state);
            let hold = lock(&inner.settings).pacing == Pacing::Hold;
            if hold || st.queue.is_empty() {
                let _ = inner
                    .changed
                    .wait_timeout(st, Duration::from_millis(200))
                    .map_err(|p| p.into_inner());
                None
            } else {
                st.queue.pop_front()
            }
        };
        if let Some(p) = next {
            // A job never stays 中 because its worker failed: it is reported as システムエラー.
            let seq = p.seq;
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.process(p)));
            if run.is_err() {
                inner.fail(
                    seq,
                    Failure::System,
                    ErrorKind::SystemError,
                    "the job's worker failed".into(),
                );
            }
        }
    }
}

/// A final outcome computed by a job kind.
pub(crate) struct Outcome {
    /// The result units, already written as XML ([`fragment`]), one or several per fragment.
    pub(crate) fragments: Vec<String>,
    pub(crate) normal: usize,
    pub(crate) errors: usize,
    pub(crate) needs_check: bool,
}

impl Inner {
    fn update(&self, seq: u64, f: impl FnOnce(&mut Job)) -> Option<Job> {
        let job = {
            let mut st = lock(&self.state);
            let job = st.jobs.get_mut(&seq)?;
            f(job);
            job.clone()
        };
        self.changed.notify_all();
        Some(job)
    }

    fn persist(&self, job: &Job, result: Option<&[u8]>) {
        if let Some(store) = &self.store {
            if let Err(e) = lock(store).update_job(job, result) {
                tracing::error!("job store: {e}");
            }
        }
    }

    pub(crate) fn pacing(&self) -> Pacing {
        lock(&self.settings).pacing
    }

    /// Waits for the pacing of one row (or of the job when `whole`), and no longer once the
    /// pacing changes, a fault is injected or the engine stops (checked at least every 100 ms).
    fn pace(&self, whole: bool) {
        let pacing = self.pacing();
        let d = match (pacing, whole) {
            (Pacing::PerRow(d), false) | (Pacing::PerJob(d), true) => d,
            _ => return,
        };
        let deadline = std::time::Instant::now() + d;
        let mut st = lock(&self.state);
        loop {
            let now = std::time::Instant::now();
            if now >= deadline
                || self.pacing() != pacing
                || self.shutdown.load(Ordering::SeqCst)
                || self.system_fault.load(Ordering::SeqCst)
            {
                return;
            }
            let slice = (deadline - now).min(Duration::from_millis(100));
            st = match self.changed.wait_timeout(st, slice) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }

    /// Called by the kinds after each row: progress, pacing, and whether to go on.
    /// 処理上限: rows one job processes at most.
    pub(crate) fn row_limit(&self) -> usize {
        lock(&self.settings).row_limit
    }

    pub(crate) fn row_done(&self, seq: u64, processed: usize) -> bool {
        if matches!(self.pacing(), Pacing::PerRow(_)) {
            self.update(seq, |j| j.processed = processed);
            self.pace(false);
        }
        !self.system_fault.load(Ordering::SeqCst) && !self.shutdown.load(Ordering::SeqCst)
    }

    fn fail(&self, seq: u64, failure: Failure, kind: ErrorKind, detail: String) {
        let now = self.clock.now();
        let e = self.errors.entry(kind).clone();
        if let Some(job) = self.update(seq, |j| {
            j.state = JobState::Failed(failure);
            j.finished_at = Some(now);
            j.error_code = Some(e.code.clone());
            j.error_message = Some(e.message.clone());
            j.error_detail = Some(detail);
        }) {
            self.persist(&job, None);
        }
    }

    fn process(&self, p: Pending) {
        let Some(job) = self.update(p.seq, |j| j.state = JobState::Processing) else {
            return;
        };
        self.persist(&job, None);
        self.pace(true);
        if self.system_fault.load(Ordering::SeqCst) {
            return self.fail(
                p.seq,
                Failure::System,
                ErrorKind::SystemError,
                "fault injected by PUT /__admin/faults/jobs".into(),
            );
        }
        let facility = job.facility.clone();
        // JOB-04 with SCR-29's 出力ファイル形式 CSV: the file is the CSV.
        let mut csv = None;
        // JOB-01's rows are moved into their answers; the other kinds read their work.
        let outcome = match p.work {
            Work::Fail {
                ref failure,
                ref kind,
                ref detail,
            } => return self.fail(p.seq, *failure, *kind, detail.clone()),
            Work::Inquiry(req) => inquiry::process(self, &job, req, &p.population),
            Work::Registration(ref req) => {
                registration::process(self, &job, req, &p.population, &facility)
            }
            Work::Dispensing(ref w) => return dispensing::process(self, &job, w, &p.population),
            Work::Entrusted(ref w) => {
                entrusted::process(self, &job, w, &p.population).map(|(o, c)| {
                    csv = c;
                    o
                })
            }
            Work::Consented(ref c) => match visiting::process(self, &job, c, &p.population) {
                Ok(o) => o,
                Err((failure, kind, detail)) => return self.fail(p.seq, failure, kind, detail),
            },
        };
        let Some(outcome) = outcome else {
            return self.fail(
                p.seq,
                Failure::System,
                ErrorKind::SystemError,
                "stopped while processing (fault injected by PUT /__admin/faults/jobs, or a worker failed)".into(),
            );
        };
        let now = self.clock.now();
        let processed = outcome.normal + outcome.errors;
        let header = BulkResultHeader {
            process_execution_time: timestamp(now),
            qualification_confirmation_date: job.confirmation_date.clone(),
            medical_institution_code: Some(facility.clone()),
            arbitrary_file_identifier: job.arbitrary_file_identifier.clone(),
            reception_number: Some(job.reception_number.clone()),
            segment_of_result: SegmentOfResult::Normal,
            error_code: None,
            error_message: None,
            character_code: character_code(job.encoding),
            number_of_processing_result: Some(processed),
            number_of_normal_processing: Some(outcome.normal),
            number_of_error: Some(outcome.errors),
        };
        let mut name = job
            .kind
            .result_file_name(&facility, &job.reception_number, &timestamp(now));
        let bytes = match csv {
            Some(text) => {
                name = name.replace(".xml", ".csv");
                Bytes::from(text.into_bytes())
            }
            None => Bytes::from(render_result(&header, outcome.fragments, job.encoding)),
        };
        let state = if outcome.needs_check {
            JobState::DoneNeedsCheck
        } else {
            JobState::Done
        };
        let mut done = job.clone();
        done.state = state;
        done.finished_at = Some(now);
        done.processed = processed;
        // JOB-03 learns its rows while it runs.
        done.rows = done.rows.max(processed);
        done.normal = outcome.normal;
        done.errors = outcome.errors;
        done.result_name = Some(name);
        // The result is stored before the job says it is downloadable.
        if let Some(store) = &self.store {
            if let Err(e) = lock(store).update_job(&done, Some(&bytes)) {
                return self.fail(
                    p.seq,
                    Failure::System,
                    ErrorKind::SystemError,
                    format!("the result could not be stored: {e}"),
                );
            }
        } else {
            let mut st = lock(&self.state);
            st.result_bytes += bytes.len();
            st.results.insert(p.seq, bytes);
        }
        self.update(p.seq, |j| *j = done);
    }
}
