//! Asynchronous jobs (§6): the one job engine, the 資格情報一括照会 (JOB-01, [`inquiry`]) and the
//! 照会番号一括登録 (JOB-02, [`registration`], which also holds the facility's 照会番号).
//!
//! Lifecycle (§6.0): accepted → 待ち → 中 → 完了 | 完了（要確認） | 失敗(…). A submit answers at once
//! with the 受付番号; a pool of worker threads takes jobs in order. [`Pacing`] slows the workers
//! (per row or per job) or holds them, so 待ち and 中 can be watched. With `--data-dir` every job,
//! its request and its result live in `<data-dir>/jobs.sqlite` ([`store`]): a job caught in 待ち
//! or 中 by a stop is taken up again on start; a result, once written, is served byte for byte.
//! Without it everything is in memory, bounded ([`RETAIN_PER_OWNER`], [`MAX_JOBS`],
//! [`MAX_RESULT_BYTES_IN_MEMORY`], [`MAX_PENDING`]).

pub mod inquiry;
pub mod registration;
pub mod store;

use crate::clock::Clock;
use crate::services::answer::Answered;
use axum::body::Bytes;
use chrono::{DateTime, FixedOffset};
use oqs_domain::inquiry::{jst, timestamp};
use oqs_domain::Population;
use oqs_protocol::bulk::{BulkResultHeader, FetchRequest, SubmitResponse};
use oqs_protocol::codes::{CharacterCode, SegmentOfResult};
use oqs_protocol::errors::{ErrorKind, ErrorTable};
use oqs_protocol::naming::{bulk_result_file_name, MessageId};
use oqs_protocol::registration::BulkRegistrationRequest;
use oqs_protocol::texts::job_status as t;
use oqs_protocol::xml::{self, ReadError, ReadLimits};
use oqs_protocol::{Element, TextEncoding};
use registration::ReferenceNumbers;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

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
/// Default limit of rows per bulk file (処理上限; the manual gives none, AMB-84).
pub const DEFAULT_ROW_LIMIT: usize = 10_000;
/// Default size limit of a bulk request file: room for the row limit with long rows.
pub const DEFAULT_BULK_MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// The asynchronous job kinds (JOB-03..05 will join).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobKind {
    /// JOB-01 資格情報一括照会.
    BulkInquiry,
    /// JOB-02 照会番号一括登録.
    BulkRegistration,
}

impl JobKind {
    pub const ALL: &'static [JobKind] = &[JobKind::BulkInquiry, JobKind::BulkRegistration];

    pub fn key(self) -> &'static str {
        match self {
            JobKind::BulkInquiry => "bulk-inquiry",
            JobKind::BulkRegistration => "bulk-registration",
        }
    }

    pub fn from_key(s: &str) -> Option<Self> {
        JobKind::ALL.iter().copied().find(|k| k.key() == s)
    }

    /// The kind a submit message starts.
    pub fn of_submit(m: MessageId) -> Option<Self> {
        match m {
            MessageId::BulkInquirySubmitRequest => Some(JobKind::BulkInquiry),
            MessageId::BulkRegistrationSubmitRequest => Some(JobKind::BulkRegistration),
            _ => None,
        }
    }

    /// The kind a fetch message reads.
    pub fn of_fetch(m: MessageId) -> Option<Self> {
        match m {
            MessageId::BulkInquiryFetchRequest => Some(JobKind::BulkInquiry),
            MessageId::BulkRegistrationFetchRequest => Some(JobKind::BulkRegistration),
            _ => None,
        }
    }

    /// The message id of the fetched result, which also names the downloadable file (§6.6).
    pub fn result_message(self) -> MessageId {
        match self {
            JobKind::BulkInquiry => MessageId::BulkInquiryFetchResponse,
            JobKind::BulkRegistration => MessageId::BulkRegistrationFetchResponse,
        }
    }
}

/// Why a job failed: the four causes of JOB-01/JOB-02.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Failure {
    /// システムエラー (fault injection, a result that could not be stored).
    System,
    /// XML 構造エラー: not well-formed, wrong encoding, wrong structure.
    XmlStructure,
    /// ヘッダー項目エラー: a header field breaks its rule.
    Header,
    /// 処理上限エラー: more rows than the limit.
    Limit,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobState {
    /// 待ち.
    Waiting,
    /// 中.
    Processing,
    /// 完了.
    Done,
    /// 完了（要確認）: some row needs a look.
    DoneNeedsCheck,
    /// 失敗(…).
    Failed(Failure),
}

impl JobState {
    pub fn is_final(self) -> bool {
        !matches!(self, JobState::Waiting | JobState::Processing)
    }

    /// RULE-54: only 完了 and 完了（要確認） can be downloaded.
    pub fn downloadable(self) -> bool {
        matches!(self, JobState::Done | JobState::DoneNeedsCheck)
    }

    /// A stable key for APIs and the store.
    pub fn key(self) -> &'static str {
        match self {
            JobState::Waiting => "waiting",
            JobState::Processing => "processing",
            JobState::Done => "done",
            JobState::DoneNeedsCheck => "done-needs-check",
            JobState::Failed(Failure::System) => "failed-system",
            JobState::Failed(Failure::XmlStructure) => "failed-xml-structure",
            JobState::Failed(Failure::Header) => "failed-header",
            JobState::Failed(Failure::Limit) => "failed-limit",
        }
    }

    /// The status string of the kind's result screen, verbatim (JOB-01 照会状況, JOB-02 処理状況).
    pub fn status(self, kind: JobKind) -> &'static str {
        use Failure as F;
        use JobState as S;
        match (kind, self) {
            (JobKind::BulkInquiry, S::Waiting) => t::INQUIRY_WAITING,
            (JobKind::BulkInquiry, S::Processing) => t::INQUIRY_PROCESSING,
            (JobKind::BulkInquiry, S::Done) => t::INQUIRY_DONE,
            (JobKind::BulkInquiry, S::DoneNeedsCheck) => t::INQUIRY_DONE_CHECK,
            (JobKind::BulkInquiry, S::Failed(F::System)) => t::INQUIRY_FAILED_SYSTEM,
            (JobKind::BulkInquiry, S::Failed(F::XmlStructure)) => t::INQUIRY_FAILED_XML,
            (JobKind::BulkInquiry, S::Failed(F::Header)) => t::INQUIRY_FAILED_HEADER,
            (JobKind::BulkInquiry, S::Failed(F::Limit)) => t::INQUIRY_FAILED_LIMIT,
            (JobKind::BulkRegistration, S::Waiting) => t::REGISTRATION_WAITING,
            (JobKind::BulkRegistration, S::Processing) => t::REGISTRATION_PROCESSING,
            (JobKind::BulkRegistration, S::Done) => t::REGISTRATION_DONE,
            (JobKind::BulkRegistration, S::DoneNeedsCheck) => t::REGISTRATION_DONE_CHECK,
            (JobKind::BulkRegistration, S::Failed(F::System)) => t::REGISTRATION_FAILED_SYSTEM,
            (JobKind::BulkRegistration, S::Failed(F::XmlStructure)) => t::REGISTRATION_FAILED_XML,
            (JobKind::BulkRegistration, S::Failed(F::Header)) => t::REGISTRATION_FAILED_HEADER,
            (JobKind::BulkRegistration, S::Failed(F::Limit)) => t::REGISTRATION_FAILED_LIMIT,
        }
    }

    /// The description next to the status in the manual's item table.
    pub fn description(self, kind: JobKind) -> &'static str {
        match (kind, self) {
            (JobKind::BulkInquiry, JobState::Waiting) => t::INQUIRY_WAITING_DESC,
            (JobKind::BulkInquiry, JobState::Processing) => t::INQUIRY_PROCESSING_DESC,
            (JobKind::BulkInquiry, JobState::Done) => t::INQUIRY_DONE_DESC,
            (JobKind::BulkInquiry, JobState::DoneNeedsCheck) => t::INQUIRY_DONE_CHECK_DESC,
            (JobKind::BulkInquiry, JobState::Failed(_)) => t::INQUIRY_FAILED_DESC,
            (JobKind::BulkRegistration, JobState::Waiting) => t::REGISTRATION_WAITING_DESC,
            (JobKind::BulkRegistration, JobState::Processing) => t::REGISTRATION_PROCESSING_DESC,
            (JobKind::BulkRegistration, JobState::Done) => t::REGISTRATION_DONE_DESC,
            (JobKind::BulkRegistration, JobState::DoneNeedsCheck) => {
                t::REGISTRATION_DONE_CHECK_DESC
            }
            (JobKind::BulkRegistration, JobState::Failed(_)) => t::REGISTRATION_FAILED_DESC,
        }
    }
}

/// How fast the workers go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pacing {
    /// As fast as possible (tests, benchmarks).
    #[default]
    Instant,
    /// This long per row while 中.
    PerRow(Duration),
    /// This long per job while 中.
    PerJob(Duration),
    /// Jobs stay 待ち until the pacing changes (to watch 待ち).
    Hold,
}

impl Pacing {
    /// `instant`, `hold`, `<n>ms/row`, `<n>s/row`, `<n>ms/job`, `<n>s/job`.
    pub fn parse(s: &str) -> Result<Pacing, String> {
        let s = s.trim();
        match s {
            "instant" => return Ok(Pacing::Instant),
            "hold" => return Ok(Pacing::Hold),
            _ => {}
        }
        let bad = || format!("\"{s}\" is not a pacing (instant, hold, 50ms/row, 2s/job)");
        let (amount, per) = s.split_once('/').ok_or_else(bad)?;
        let d = if let Some(ms) = amount.strip_suffix("ms") {
            Duration::from_millis(ms.parse().map_err(|_| bad())?)
        } else if let Some(secs) = amount.strip_suffix('s') {
            Duration::from_secs(secs.parse().map_err(|_| bad())?)
        } else {
            return Err(bad());
        };
        match per {
            "row" => Ok(Pacing::PerRow(d)),
            "job" => Ok(Pacing::PerJob(d)),
            _ => Err(bad()),
        }
    }

    pub fn describe(self) -> String {
        match self {
            Pacing::Instant => "instant".into(),
            Pacing::Hold => "hold".into(),
            Pacing::PerRow(d) => format!("{}ms/row", d.as_millis()),
            Pacing::PerJob(d) => format!("{}ms/job", d.as_millis()),
        }
    }
}

/// Settings of the job engine (from the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSettings {
    pub pacing: Pacing,
    /// 処理上限: more rows fail the job with 処理上限エラー.
    pub row_limit: usize,
    /// Largest bulk request file, in bytes.
    pub max_request_bytes: usize,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            pacing: Pacing::Instant,
            row_limit: DEFAULT_ROW_LIMIT,
            max_request_bytes: DEFAULT_BULK_MAX_REQUEST_BYTES,
        }
    }
}

impl JobSettings {
    /// XML limits of a bulk file: enough elements for `row_limit` rows, then 処理上限.
    pub fn read_limits(&self) -> ReadLimits {
        ReadLimits {
            max_bytes: self.max_request_bytes,
            max_depth: ReadLimits::default().max_depth,
            max_elements: self.row_limit.saturating_add(1).saturating_mul(16) + 64,
        }
    }
}

/// One job as the result screens list it (DM-19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// Submission order; also the store key.
    pub seq: u64,
    /// 受付番号 `yyyymmddhhmmssSSS_<suffix>`.
    pub reception_number: String,
    pub kind: JobKind,
    /// Owner: the 医療機関コード of the request header ("" when it could not be read).
    pub facility: String,
    pub arbitrary_file_identifier: Option<String>,
    /// 資格確認日 as sent (echoed in the result header).
    pub confirmation_date: Option<String>,
    pub state: JobState,
    pub accepted_at: DateTime<FixedOffset>,
    pub finished_at: Option<DateTime<FixedOffset>>,
    /// Rows in the request (0 when it could not be read).
    pub rows: usize,
    /// Rows processed so far (照会件数 / 処理件数 once final).
    pub processed: usize,
    pub normal: usize,
    pub errors: usize,
    /// The error-table row of a failure.
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// The precise reason of a failure (position, field, limit).
    pub error_detail: Option<String>,
    /// Encoding the result is written in.
    pub encoding: TextEncoding,
    /// `OQSmuquc02res_<医療機関コード>_<処理年月日時分秒>.xml` once downloadable.
    pub result_name: Option<String>,
}

/// `yyyy/mm/dd hh:mm:ss` (DM-19).
pub fn screen_time(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&jst())
        .format("%Y/%m/%d %H:%M:%S")
        .to_string()
}

impl Job {
    /// The listing view (SCR-16 / SCR-18 columns) as JSON.
    pub fn view(&self) -> serde_json::Value {
        serde_json::json!({
            "receptionNumber": self.reception_number,
            "kind": self.kind.key(),
            "facility": self.facility,
            "status": self.state.status(self.kind),
            "state": self.state.key(),
            "description": self.state.description(self.kind),
            "receptionDateTime": screen_time(self.accepted_at),
            "completionDateTime": self.finished_at.map(screen_time),
            "count": self.state.is_final().then_some(self.processed).filter(|_| self.rows > 0 && !matches!(self.state, JobState::Failed(_))),
            "rows": self.rows,
            "processed": self.processed,
            "normal": self.normal,
            "errors": self.errors,
            "downloadable": self.state.downloadable(),
            "resultName": self.result_name,
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
            "errorDetail": self.error_detail,
        })
    }
}

/// What a worker has to do for a job (kept in memory; rebuilt from the stored request on start).
#[derive(Debug)]
pub(crate) enum Work {
    Inquiry(oqs_protocol::bulk::BulkInquiryRequest),
    Registration(BulkRegistrationRequest),
    Fail {
        failure: Failure,
        kind: ErrorKind,
        detail: String,
    },
}

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
    /// The confirmation history judged bulk rows are recorded in (set by the Simulator).
    history: std::sync::OnceLock<Arc<crate::history::History>>,
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

/// What was submitted.
pub enum Submitted<'a> {
    /// A readable document (raw bytes when they came over a byte transport).
    Tree {
        root: &'a Element,
        encoding: TextEncoding,
        raw: Option<&'a [u8]>,
    },
    /// Bytes that are not a readable XML document.
    Unreadable { error: ReadError, raw: &'a [u8] },
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn character_code(e: TextEncoding) -> CharacterCode {
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
            Work::Fail { .. } => 0,
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
            if job.state.is_final() && (*n > RETAIN_PER_OWNER || i >= MAX_JOBS) {
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

    /// A job by 受付番号.
    pub fn job(&self, reception_number: &str) -> Option<Job> {
        lock(&self.inner.state)
            .jobs
            .values()
            .find(|j| j.reception_number == reception_number)
            .cloned()
    }

    /// The newest jobs of a kind, newest first, at most `limit` (RULE-52: 3), for one facility
    /// or all.
    pub fn list(&self, kind: JobKind, facility: Option<&str>, limit: usize) -> Vec<Job> {
        lock(&self.inner.state)
            .jobs
            .values()
            .rev()
            .filter(|j| j.kind == kind && facility.is_none_or(|f| j.facility == f))
            .take(limit)
            .cloned()
            .collect()
    }

    /// The downloadable result of a job (RULE-54): its file name and bytes. `Err` says why not.
    pub fn result(&self, reception_number: &str) -> Result<(String, Bytes), ResultError> {
        let job = self.job(reception_number).ok_or(ResultError::NotFound)?;
        if !job.state.downloadable() {
            return Err(ResultError::NotDownloadable(Box::new(job)));
        }
        let name = job.result_name.clone().unwrap_or_default();
        if let Some(r) = lock(&self.inner.state).results.get(&job.seq) {
            return Ok((name, r.clone()));
        }
        match &self.inner.store {
            Some(store) => match lock(store).result(job.seq) {
                Ok(Some(bytes)) => Ok((name, bytes.into())),
                Ok(None) => Err(ResultError::Store("the result is missing".into())),
                Err(e) => Err(ResultError::Store(e.to_string())),
            },
            None => Err(ResultError::Store("the result is missing".into())),
        }
    }

    /// Blocks until the job is final or `timeout` passes; returns the job as it then is.
    pub fn wait(&self, reception_number: &str, timeout: Duration) -> Option<Job> {
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.inner.state);
        loop {
            let job = st
                .jobs
                .values()
                .find(|j| j.reception_number == reception_number)
                .cloned()?;
            let now = Instant::now();
            if job.state.is_final() || now >= deadline {
                return Some(job);
            }
            st = self
                .inner
                .changed
                .wait_timeout(st, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// OQSmuquc02req / OQSmuimm02req: 2 while 待ち/中, 9 with the failure's error when failed, the
    /// stored result (byte-identical to the download) when done.
    pub fn fetch(
        &self,
        kind: JobKind,
        root: &Element,
        encoding: TextEncoding,
    ) -> (Answered, FetchNote) {
        let now = self.inner.clock.now();
        let req = FetchRequest::from_element(root);
        let header = oqs_protocol::header::header_of(root);
        let mut res = BulkResultHeader {
            process_execution_time: timestamp(now),
            qualification_confirmation_date: header.qualification_confirmation_date.clone(),
            medical_institution_code: header.medical_institution_code.clone(),
            arbitrary_file_identifier: header.arbitrary_file_identifier.clone(),
            reception_number: req.as_ref().ok().and_then(|r| r.reception_number.clone()),
            segment_of_result: SegmentOfResult::Abnormal,
            error_code: None,
            error_message: None,
            character_code: character_code(encoding),
            number_of_processing_result: None,
            number_of_normal_processing: None,
            number_of_error: None,
        };
        let fail = |res: &mut BulkResultHeader, k: ErrorKind| {
            let e = self.inner.errors.entry(k);
            res.segment_of_result = SegmentOfResult::Abnormal;
            res.error_code = Some(e.code.clone());
            res.error_message = Some(e.message.clone());
        };
        let req = match req {
            Ok(r) => r,
            Err(e) => {
                fail(&mut res, ErrorKind::MessageStructure);
                return (
                    Answered::new(res.to_document(Vec::new()), encoding),
                    FetchNote::error(res.error_code.clone(), e.to_string()),
                );
            }
        };
        if let Err(e) = req.header.validate() {
            fail(&mut res, e.kind);
            return (
                Answered::new(res.to_document(Vec::new()), encoding),
                FetchNote::error(res.error_code.clone(), e.to_string()),
            );
        }
        let facility = owner_of(&req.header);
        let number = req.reception_number.clone().unwrap_or_default();
        let job = self
            .job(&number)
            .filter(|j| j.kind == kind && j.facility == facility);
        let Some(job) = job else {
            fail(&mut res, ErrorKind::ReceptionNumber);
            return (
                Answered::new(res.to_document(Vec::new()), encoding),
                FetchNote::error(
                    res.error_code.clone(),
                    format!("no {} job \"{number}\" of facility {facility}", kind.key()),
                ),
            );
        };
        let note = FetchNote {
            error_code: job.error_code.clone(),
            detail: Some(format!(
                "{} {}",
                job.reception_number,
                job.state.status(kind)
            )),
        };
        match job.state {
            JobState::Waiting | JobState::Processing => {
                res.segment_of_result = SegmentOfResult::Processing;
                (Answered::new(res.to_document(Vec::new()), encoding), note)
            }
            JobState::Failed(_) => {
                res.segment_of_result = SegmentOfResult::Abnormal;
                res.error_code = job.error_code.clone();
                res.error_message = job.error_message.clone();
                (Answered::new(res.to_document(Vec::new()), encoding), note)
            }
            JobState::Done | JobState::DoneNeedsCheck => match self.result(&number) {
                Ok((_, bytes)) => {
                    res.segment_of_result = SegmentOfResult::Normal;
                    res.reception_number = Some(job.reception_number.clone());
                    res.number_of_processing_result = Some(job.processed);
                    res.number_of_normal_processing = Some(job.normal);
                    res.number_of_error = Some(job.errors);
                    let mut a = Answered::new(res.to_document(Vec::new()), job.encoding);
                    a.raw = Some(bytes);
                    (a, note)
                }
                Err(e) => {
                    fail(&mut res, ErrorKind::SystemError);
                    (
                        Answered::new(res.to_document(Vec::new()), encoding),
                        FetchNote::error(res.error_code.clone(), e.to_string()),
                    )
                }
            },
        }
    }
}

/// Why a result cannot be downloaded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ResultError {
    #[error("no such job")]
    NotFound,
    /// Not in 完了 / 完了（要確認）.
    #[error("the job is not finished")]
    NotDownloadable(Box<Job>),
    #[error("{0}")]
    Store(String),
}

/// What the journal keeps of a fetch.
#[derive(Debug, Clone, Default)]
pub struct FetchNote {
    pub error_code: Option<String>,
    pub detail: Option<String>,
}

impl FetchNote {
    fn error(code: Option<String>, detail: String) -> Self {
        FetchNote {
            error_code: code,
            detail: Some(detail),
        }
    }
}

/// The owner facility of a request: its 医療機関コード as written (trimmed, at most 20 chars).
fn owner_of(h: &oqs_protocol::message::RequestHeader) -> String {
    h.medical_institution_code
        .as_deref()
        .map(|c| c.trim().chars().take(20).collect())
        .unwrap_or_default()
}

/// The failure a document that cannot be read leads to.
fn failure_of_read_error(e: &ReadError) -> (Failure, ErrorKind) {
    match e {
        ReadError::TooLarge { .. } => (Failure::Limit, ErrorKind::BodyTooLarge),
        ReadError::TooManyElements(_) => (Failure::Limit, ErrorKind::BulkRowLimit),
        ReadError::UnsupportedEncoding(_) | ReadError::InvalidBytes(_) => {
            (Failure::XmlStructure, ErrorKind::Encoding)
        }
        _ => (Failure::XmlStructure, ErrorKind::XmlStructure),
    }
}

/// Reads stored request bytes again (after a restart).
fn prepare_bytes(
    kind: JobKind,
    bytes: &[u8],
    settings: &JobSettings,
) -> (oqs_protocol::message::RequestHeader, TextEncoding, Work) {
    match xml::read_document(bytes, settings.read_limits()) {
        Ok(doc) => prepare_tree(kind, &doc.root, doc.encoding, settings),
        Err(e) => {
            let (failure, ek) = failure_of_read_error(&e);
            (
                Default::default(),
                TextEncoding::Utf8,
                Work::Fail {
                    failure,
                    kind: ek,
                    detail: e.to_string(),
                },
            )
        }
    }
}

/// Checks a bulk document in the order of the failure causes: structure (XML 構造エラー),
/// header (ヘッダー項目エラー), row count (処理上限エラー).
fn prepare_tree(
    kind: JobKind,
    root: &Element,
    encoding: TextEncoding,
    settings: &JobSettings,
) -> (oqs_protocol::message::RequestHeader, TextEncoding, Work) {
    let header = oqs_protocol::header::header_of(root);
    let parsed = match kind {
        JobKind::BulkInquiry => {
            oqs_protocol::bulk::BulkInquiryRequest::from_element(root).map(Work::Inquiry)
        }
        JobKind::BulkRegistration => {
            BulkRegistrationRequest::from_element(root).map(Work::Registration)
        }
    };
    let work = match parsed {
        Err(e) => {
            return (
                header,
                encoding,
                Work::Fail {
                    failure: Failure::XmlStructure,
                    kind: ErrorKind::MessageStructure,
                    detail: e.to_string(),
                },
            )
        }
        Ok(w) => w,
    };
    let valid = match header.validate() {
        Err(e) => {
            return (
                header,
                encoding,
                Work::Fail {
                    failure: Failure::Header,
                    kind: e.kind,
                    detail: e.to_string(),
                },
            )
        }
        Ok(v) => v,
    };
    let encoding = match valid.character_code {
        Some(CharacterCode::Utf8) => TextEncoding::Utf8,
        Some(CharacterCode::ShiftJis) => TextEncoding::ShiftJis,
        None => encoding,
    };
    let rows = match &work {
        Work::Inquiry(r) => r.rows.len(),
        Work::Registration(r) => r.rows.len(),
        Work::Fail { .. } => 0,
    };
    if rows > settings.row_limit {
        return (
            header,
            encoding,
            Work::Fail {
                failure: Failure::Limit,
                kind: ErrorKind::BulkRowLimit,
                detail: format!(
                    "{rows} rows; at most {} are processed in one file",
                    settings.row_limit
                ),
            },
        );
    }
    (header, encoding, work)
}

const UNITS_MARK: &str = "OqsSimUnitsGoHere";

/// One result unit written as XML text exactly as [`xml::write_document`] writes it inside
/// `XmlMsg/MessageBody` (one space of indentation per level, `<Name/>` for empty leaves, text
/// escaped alike), so that units can be written on several threads and joined by
/// [`render_result`]. A unit test holds the two writers to the same bytes.
pub(crate) fn fragment(unit: Element) -> String {
    let mut out = String::with_capacity(2048);
    write_at(&mut out, &unit, 2);
    out
}

fn newline_indent(out: &mut String, depth: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', depth));
}

fn write_at(out: &mut String, el: &Element, depth: usize) {
    newline_indent(out, depth);
    out.push('<');
    out.push_str(&el.name);
    if el.children.is_empty() && el.text.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    if el.children.is_empty() {
        for c in el.text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\'' => out.push_str("&apos;"),
                '"' => out.push_str("&quot;"),
                c => out.push(c),
            }
        }
    } else {
        for c in &el.children {
            write_at(out, c, depth + 1);
        }
        newline_indent(out, depth);
    }
    out.push_str("</");
    out.push_str(&el.name);
    out.push('>');
}

/// The whole result message: the header and the written units, in `encoding`. The same bytes
/// as `write_document(header.to_document(units))` (a unit test holds it to that).
pub(crate) fn render_result(
    header: &BulkResultHeader,
    fragments: &[String],
    encoding: TextEncoding,
) -> Vec<u8> {
    if fragments.is_empty() {
        return xml::write_document(&header.to_document(Vec::new()), encoding);
    }
    let skeleton = header.to_document(vec![Element::new(UNITS_MARK)]);
    let text = xml::write_string(&skeleton, encoding);
    let mark = format!("\n  <{UNITS_MARK}/>");
    let Some(at) = text.find(&mark) else {
        return Vec::new();
    };
    let size = fragments.iter().map(String::len).sum::<usize>();
    let mut out = String::with_capacity(text.len() + size);
    out.push_str(&text[..at]);
    for f in fragments {
        out.push_str(f);
    }
    out.push_str(&text[at + mark.len()..]);
    match encoding {
        TextEncoding::Utf8 => out.into_bytes(),
        // Unmappable characters become numeric character references, as in write_document.
        TextEncoding::ShiftJis => encoding_rs::SHIFT_JIS.encode(&out).0.into_owned(),
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
    /// The result units, each already written as XML ([`fragment`]).
    pub(crate) fragments: Vec<String>,
    /// The judged rows, kept until the job is marked done so that freeing them is not on the
    /// way to the answer.
    pub(crate) judged: Vec<oqs_protocol::bulk::BulkConfirmUnit>,
    pub(crate) normal: usize,
    pub(crate) errors: usize,
    pub(crate) needs_check: bool,
}

impl Inner {
    /// A completed bulk inquiry's judged rows into the confirmation history (一括照会). The
    /// bulk transports have no login: the 連携アプリケーション account is recorded.
    pub(crate) fn record_history(
        &self,
        job: &Job,
        now: chrono::DateTime<chrono::FixedOffset>,
        units: &[oqs_protocol::bulk::BulkConfirmUnit],
    ) {
        if let Some(h) = self.history.get() {
            h.record_bulk_rows(
                &job.facility,
                now,
                crate::history::LINKED_APP_LOGIN_ID,
                units,
            );
        }
    }

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

    /// Sleeps for the pacing of one row (or of the job when `whole`).
    fn pace(&self, whole: bool) {
        match (self.pacing(), whole) {
            (Pacing::PerRow(d), false) | (Pacing::PerJob(d), true) => std::thread::sleep(d),
            _ => {}
        }
    }

    /// Called by the kinds after each row: progress, pacing, and whether to go on.
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
        let outcome = match &p.work {
            Work::Fail {
                failure,
                kind,
                detail,
            } => return self.fail(p.seq, *failure, *kind, detail.clone()),
            Work::Inquiry(req) => inquiry::process(self, &job, req, &p.population),
            Work::Registration(req) => {
                registration::process(self, &job, req, &p.population, &facility)
            }
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
        let bytes = Bytes::from(render_result(&header, &outcome.fragments, job.encoding));
        let name = bulk_result_file_name(job.kind.result_message(), &facility, &timestamp(now));
        let state = if outcome.needs_check {
            JobState::DoneNeedsCheck
        } else {
            JobState::Done
        };
        let mut done = job.clone();
        done.state = state;
        done.finished_at = Some(now);
        done.processed = processed;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_fragments_are_the_bytes_of_the_whole_tree() {
        let unit = |name: &str, text: &str| {
            Element::new("BulkConfirmUnit")
                .with(Element::leaf("Name", text))
                .with(
                    Element::new("Nested")
                        .with(Element::leaf(name, "新橋 太郎 & <x> 'q' \"d\"\n二行目"))
                        .with(Element::new("Deeper").with(Element::leaf("E", ""))),
                )
                .with(Element::leaf("Empty", ""))
        };
        let units = vec![unit("A", "1"), unit("B", ""), unit("C", "ﾃｽﾄ①")];
        let header = BulkResultHeader {
            process_execution_time: "20210106100000".into(),
            qualification_confirmation_date: None,
            medical_institution_code: Some("1234567890".into()),
            arbitrary_file_identifier: Some("<&>".into()),
            reception_number: Some("20210106100000000_0001".into()),
            segment_of_result: SegmentOfResult::Normal,
            error_code: None,
            error_message: None,
            character_code: CharacterCode::Utf8,
            number_of_processing_result: Some(3),
            number_of_normal_processing: Some(3),
            number_of_error: Some(0),
        };
        for enc in [TextEncoding::Utf8, TextEncoding::ShiftJis] {
            let whole = xml::write_document(&header.to_document(units.clone()), enc);
            let fragments: Vec<String> = units.iter().cloned().map(fragment).collect();
            assert_eq!(render_result(&header, &fragments, enc), whole, "{enc:?}");
        }
        assert_eq!(
            render_result(&header, &[], TextEncoding::Utf8),
            xml::write_document(&header.to_document(Vec::new()), TextEncoding::Utf8)
        );
    }

    #[test]
    fn pacing_words() {
        assert_eq!(Pacing::parse("instant"), Ok(Pacing::Instant));
        assert_eq!(Pacing::parse("hold"), Ok(Pacing::Hold));
        assert_eq!(
            Pacing::parse("50ms/row"),
            Ok(Pacing::PerRow(Duration::from_millis(50)))
        );
        assert_eq!(
            Pacing::parse("2s/job"),
            Ok(Pacing::PerJob(Duration::from_secs(2)))
        );
        assert!(Pacing::parse("fast").is_err());
        assert!(Pacing::parse("5/row").is_err());
    }

    #[test]
    fn every_state_has_its_verbatim_status_and_only_done_downloads() {
        use oqs_protocol::texts::job_status as t;
        let all = [
            JobState::Waiting,
            JobState::Processing,
            JobState::Done,
            JobState::DoneNeedsCheck,
            JobState::Failed(Failure::System),
            JobState::Failed(Failure::XmlStructure),
            JobState::Failed(Failure::Header),
            JobState::Failed(Failure::Limit),
        ];
        let inquiry: Vec<&str> = all.iter().map(|s| s.status(JobKind::BulkInquiry)).collect();
        assert_eq!(
            inquiry,
            [
                "照会待ち",
                "照会中",
                "照会完了",
                "照会完了（要確認）",
                "照会失敗(システムエラー)",
                "照会失敗(XML 構造エラー)",
                "照会失敗(ヘッダー項目エラー)",
                "照会失敗(処理上限エラー)"
            ]
        );
        let registration: Vec<&str> = all
            .iter()
            .map(|s| s.status(JobKind::BulkRegistration))
            .collect();
        assert_eq!(
            registration,
            [
                "登録待ち",
                "登録中",
                "登録完了",
                "登録完了（要確認）",
                "登録失敗(システムエラー)",
                "登録失敗(XML 構造エラー)",
                "登録失敗(ヘッダー項目エラー)",
                "登録失敗(処理上限エラー)"
            ]
        );
        assert_eq!(
            JobState::Failed(Failure::Limit).description(JobKind::BulkInquiry),
            t::INQUIRY_FAILED_DESC
        );
        let downloadable: Vec<bool> = all.iter().map(|s| s.downloadable()).collect();
        assert_eq!(
            downloadable,
            [false, false, true, true, false, false, false, false]
        );
    }
}
