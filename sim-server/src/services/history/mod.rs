//! The confirmation history (資格確認履歴, ch.8, DM-17): every qualification confirmation the
//! simulator answers, kept for the history screens (SCR-19 search and list, SCR-20 detail) and
//! their CSV download (FLOW-28/29).
//!
//! - **Recording.** Each path records from its answered result, in one place: the single
//!   inquiry (`Simulator::answer_tree`, every transport), each bulk row and each My Number
//!   confirmation call [`History::record`] with a [`HistoryRecord`] built by
//!   [`HistoryRecord::from_result`]. Only answers that were judged (処理結果状況 1) are
//!   confirmations; refused requests stay in the journal only.
//! - **Login id.** The simulator has no login yet: XML over HTTP and the file exchange record
//!   [`LINKED_APP_LOGIN_ID`] (the 連携アプリケーション account a レセコン uses), the WebAPI records
//!   its user id (`webapi01`).
//! - **Storage.** In memory with a cap (the newest [`DEFAULT_MEMORY_CAPACITY`] records), or with
//!   `--data-dir` in SQLite (`<data-dir>/history.sqlite`, WAL, indexed by facility + time; the newest
//!   [`DEFAULT_SQLITE_CAPACITY`] records).
//!   Both answer every query alike: the same 2-year window, conditions and order.
//! - **Search** (RULE-57..60): per facility, a period with minutes, 資格確認区分 and its 絞込み,
//!   login id and 照会番号; newest first (資格確認日時, then recording order); only records of
//!   the last two years of the simulator's clock; more than [`SEARCH_LIMIT`] hits → ERR-23 /
//!   ERR-24 and nothing is shown or downloaded. Counting stops at `SEARCH_LIMIT + 1`, so an
//!   over-wide search costs no more than a full one.

mod csv;
mod derive;
mod memory;
mod packed;
mod query;
mod sqlite;

pub use self::csv::{to_csv, CsvEncoding, CsvFile};
pub use self::query::{
    HistoryQuery, KindFilter, Narrowing, QueryError, RawQuery, SearchConditions,
};

use chrono::{DateTime, FixedOffset, Months, TimeZone};
use oqs_domain::inquiry::jst;
use oqs_protocol::codes::{PrescriptionIssueForm, QualificationValidity};
use oqs_protocol::message::ResultBody;
use oqs_protocol::texts;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Mutex;

/// RULE-58: more hits than this → ERR-23 (search) / ERR-24 (download). Exactly 10,000 is shown.
pub const SEARCH_LIMIT: usize = 10_000;
/// Records kept without `--data-dir` (bounded memory; the oldest recorded go first).
pub const DEFAULT_MEMORY_CAPACITY: usize = 100_000;
/// Login id recorded for XML over HTTP and the file exchange (no login there).
pub const LINKED_APP_LOGIN_ID: &str = "renkei01";
/// Records kept in SQLite with `--data-dir` (bounded disk: a single inquiry with its 《詳細》
/// takes ≈ 540 bytes on disk, measured with `benches/load/run.sh`, so ≈ 540 MB at most);
/// beyond it the oldest recorded go first. `--history-capacity` sets another.
pub const DEFAULT_SQLITE_CAPACITY: usize = 1_000_000;
/// The SQLite file inside `--data-dir`.
pub const SQLITE_FILE: &str = "history.sqlite";

/// 資格確認区分 of a record (DM-17). The seven display texts of the manual, plus 一括照会 and
/// 災害時, which are filter values without a display text (AMB-43): their records show the
/// filter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfirmationKind {
    MyNumberVisual,
    MyNumberPin,
    InsuranceCard,
    SystemOutage,
    FaceVisual,
    FacePin,
    FaceRecognition,
    /// 資格情報一括照会, also through 連携アプリケーション・WebAPI (RULE-59: no detail).
    Bulk,
    /// 災害時医療情報閲覧 (RULE-59: no detail). Nothing records it yet.
    Disaster,
}

impl ConfirmationKind {
    pub const ALL: [ConfirmationKind; 9] = [
        ConfirmationKind::MyNumberVisual,
        ConfirmationKind::MyNumberPin,
        ConfirmationKind::InsuranceCard,
        ConfirmationKind::SystemOutage,
        ConfirmationKind::FaceVisual,
        ConfirmationKind::FacePin,
        ConfirmationKind::FaceRecognition,
        ConfirmationKind::Bulk,
        ConfirmationKind::Disaster,
    ];

    /// The 資格確認区分 display text (DM-17).
    pub fn display(self) -> &'static str {
        match self {
            ConfirmationKind::MyNumberVisual => texts::HISTORY_KIND_MY_NUMBER_VISUAL,
            ConfirmationKind::MyNumberPin => texts::HISTORY_KIND_MY_NUMBER_PIN,
            ConfirmationKind::InsuranceCard => texts::HISTORY_KIND_INSURANCE_CARD,
            ConfirmationKind::SystemOutage => texts::HISTORY_KIND_SYSTEM_OUTAGE,
            ConfirmationKind::FaceVisual => texts::HISTORY_KIND_FACE_VISUAL,
            ConfirmationKind::FacePin => texts::HISTORY_KIND_FACE_PIN,
            ConfirmationKind::FaceRecognition => texts::HISTORY_KIND_FACE_RECOGNITION,
            ConfirmationKind::Bulk => texts::HISTORY_FILTER_BULK,
            ConfirmationKind::Disaster => texts::HISTORY_FILTER_DISASTER,
        }
    }

    /// Stable storage code (SQLite column, bit in a kind mask).
    pub fn code(self) -> u8 {
        match self {
            ConfirmationKind::MyNumberVisual => 1,
            ConfirmationKind::MyNumberPin => 2,
            ConfirmationKind::InsuranceCard => 3,
            ConfirmationKind::SystemOutage => 4,
            ConfirmationKind::FaceVisual => 5,
            ConfirmationKind::FacePin => 6,
            ConfirmationKind::FaceRecognition => 7,
            ConfirmationKind::Bulk => 8,
            ConfirmationKind::Disaster => 9,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        ConfirmationKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// A face-recognition reader (顔認証機器) check.
    pub fn is_face_reader(self) -> bool {
        matches!(
            self,
            ConfirmationKind::FaceVisual
                | ConfirmationKind::FacePin
                | ConfirmationKind::FaceRecognition
        )
    }

    /// RULE-59: bulk and 災害時 records have no 《詳細》.
    pub fn has_detail(self) -> bool {
        !matches!(self, ConfirmationKind::Bulk | ConfirmationKind::Disaster)
    }

    /// Bit of this kind in a kind mask.
    pub fn bit(self) -> u32 {
        1 << self.code()
    }
}

/// One line of SCR-20 (label, value), as the detail is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetailItem {
    pub label: &'static str,
    pub value: String,
}

fn items<const N: usize>(labels: &[&'static str; N], values: &[String; N]) -> Vec<DetailItem> {
    labels
        .iter()
        .zip(values)
        .map(|(label, value)| DetailItem {
            label,
            value: value.clone(),
        })
        .collect()
}

/// SCR-20 資格確認履歴詳細: the state at the time of the check (RULE-62), kept with the record.
/// Values only, in the screen's order; the labels come from `texts` when it is shown (a record
/// then costs ~1 KB less, which matters for the in-memory store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryDetail {
    /// ① 資格状況: the SCR-10 banner of the validity then, or its name where the manual shows
    /// no banner (該当資格なし, AMB-22).
    pub status: String,
    /// ③ consent grid (RULE-61), in the order of `texts::HISTORY_CONSENT_LABELS`.
    pub consent: [bool; 6],
    /// 「処方箋発行形態選択」: 「未選択」/「電子」/「紙」.
    pub prescription_issue_form: String,
    /// ③ 被保険者情報, in the order of `texts::HISTORY_INSURED_LABELS` (empty when no single
    /// person was found).
    pub insured: [String; 9],
    /// ④ 資格情報, in the order of `texts::HISTORY_QUALIFICATION_LABELS`.
    pub qualification: [String; 11],
}

impl HistoryDetail {
    /// The consent grid: label and 「あり」/「なし」.
    pub fn consent_items(&self) -> Vec<DetailItem> {
        texts::HISTORY_CONSENT_LABELS
            .iter()
            .zip(self.consent)
            .map(|(label, yes)| DetailItem {
                label,
                value: if yes {
                    texts::HISTORY_CONSENT_YES
                } else {
                    texts::HISTORY_CONSENT_NO
                }
                .to_owned(),
            })
            .collect()
    }

    /// 「処方箋発行形態選択」 and its value.
    pub fn prescription_item(&self) -> DetailItem {
        DetailItem {
            label: texts::HISTORY_PRESCRIPTION_FORM,
            value: self.prescription_issue_form.clone(),
        }
    }

    /// ③ 被保険者情報 as label/value lines.
    pub fn insured_items(&self) -> Vec<DetailItem> {
        items(&texts::HISTORY_INSURED_LABELS, &self.insured)
    }

    /// ④ 資格情報 as label/value lines.
    pub fn qualification_items(&self) -> Vec<DetailItem> {
        items(&texts::HISTORY_QUALIFICATION_LABELS, &self.qualification)
    }
}

/// One confirmation (DM-17): the list columns of SCR-19 and, where RULE-59 allows, the detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRecord {
    /// Assigned when recorded (recording order); 0 before.
    pub id: u64,
    /// 医療機関コード the check was made for.
    pub facility: String,
    /// 資格確認日時, millisecond precision, JST.
    pub confirmed_at: DateTime<FixedOffset>,
    /// ログインID.
    pub login_id: String,
    /// 照会番号 registered for the person at the facility, when there is one.
    pub reference_number: Option<String>,
    /// 資格確認区分.
    pub kind: ConfirmationKind,
    /// 資格確認結果: the 資格有効性 name (有効, 無効, …); the manual does not enumerate it (AMB-43).
    pub result: String,
    /// 保険者番号 as displayed (6-digit numbers without padding).
    pub insurer_number: String,
    /// 証記号番号枝番: symbol, number and branch separated by spaces (「9000 10001 01」).
    pub card: String,
    /// 氏名 (empty when no single person was found).
    pub name: String,
    /// 性別: 男 / 女 / 未設定 (the item table's words, AMB-46).
    pub sex: String,
    /// 生年月日 `yyyy/mm/dd`.
    pub birthdate: String,
    /// SCR-20 data; `None` for kinds without 《詳細》 (RULE-59).
    pub detail: Option<HistoryDetail>,
}

/// 資格確認日時 as the screens show it: `yyyy/mm/dd hh:mm:ss.SSS` (JST).
pub fn display_time(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&jst())
        .format("%Y/%m/%d %H:%M:%S%.3f")
        .to_string()
}

/// Instant truncated to the millisecond, in JST (what both stores keep).
pub fn to_millis(t: DateTime<FixedOffset>) -> i64 {
    t.timestamp_millis()
}

/// Milliseconds since the epoch → JST instant.
pub fn from_millis(ms: i64) -> DateTime<FixedOffset> {
    match jst().timestamp_millis_opt(ms).single() {
        Some(t) => t,
        None => jst().timestamp_millis_opt(0).single().unwrap_or_default(),
    }
}

/// Who checked what, where and when: the part of a record its path knows.
#[derive(Debug, Clone, Copy)]
pub struct Recorded<'a> {
    pub facility: &'a str,
    pub at: DateTime<FixedOffset>,
    pub login_id: &'a str,
    pub kind: ConfirmationKind,
}

impl HistoryRecord {
    /// A record of a judged single-inquiry result body; `None` when the body is an input error
    /// (処理結果状況 2: nothing was confirmed).
    pub fn from_body(meta: Recorded<'_>, body: &ResultBody) -> Option<HistoryRecord> {
        let validity = judged(body)?;
        Some(HistoryRecord::from_result(
            meta,
            validity,
            body.search_echo.as_ref(),
            &body.results,
            body.prescription_issue_select.as_deref(),
        ))
    }
}

/// The validity of a judged body; `None` for an input error (処理結果状況 2).
fn judged(body: &ResultBody) -> Option<QualificationValidity> {
    let validity = body.qualification_validity?;
    (body.processing_result_status == oqs_protocol::codes::ProcessingResultStatus::Normal)
        .then_some(validity)
}

/// Storage failures (SQLite only; the memory store cannot fail).
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("history store {path}: {source}")]
    Sqlite {
        path: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("history store: {0}")]
    Io(String),
}

/// A page of a search: the total of hits (≤ [`SEARCH_LIMIT`]) and the records asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    pub total: usize,
    /// 通番 of the first record (1-based position in the whole list).
    pub first_seq: usize,
    pub records: Vec<HistoryRecord>,
}

/// A search refused by RULE-58.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit;

enum Store {
    Memory(memory::MemoryStore),
    Sqlite(sqlite::SqliteStore),
}

/// The confirmation history: one store behind a lock.
pub struct History {
    store: Mutex<Store>,
    /// Why `--data-dir` could not be used (the binary refuses to start then).
    open_error: Mutex<Option<String>>,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("History")
    }
}

impl Default for History {
    fn default() -> Self {
        History::in_memory(DEFAULT_MEMORY_CAPACITY)
    }
}

impl History {
    /// In memory, keeping the newest `capacity` records (at least 1).
    pub fn in_memory(capacity: usize) -> Self {
        History {
            store: Mutex::new(Store::Memory(memory::MemoryStore::new(capacity))),
            open_error: Mutex::new(None),
        }
    }

    /// SQLite at `<dir>/history.sqlite` (created with the folder if missing), keeping the
    /// newest [`DEFAULT_SQLITE_CAPACITY`] records.
    pub fn open(dir: &Path) -> Result<Self, HistoryError> {
        History::open_with_capacity(dir, DEFAULT_SQLITE_CAPACITY)
    }

    /// SQLite at `<dir>/history.sqlite`, keeping the newest `capacity` records (at least 1).
    pub fn open_with_capacity(dir: &Path, capacity: usize) -> Result<Self, HistoryError> {
        Ok(History {
            store: Mutex::new(Store::Sqlite(sqlite::SqliteStore::open(dir, capacity)?)),
            open_error: Mutex::new(None),
        })
    }

    /// Moves the history to SQLite in `dir` (at start, for `--data-dir`); records already kept
    /// in memory are carried over.
    pub fn use_data_dir(&self, dir: &Path) -> Result<(), HistoryError> {
        let mut next = sqlite::SqliteStore::open(dir, DEFAULT_SQLITE_CAPACITY)?;
        let mut store = self.lock();
        if let Store::Memory(m) = &*store {
            let mut kept = m.all();
            next.insert_many(&mut kept)?;
        }
        *store = Store::Sqlite(next);
        Ok(())
    }

    /// `"memory"` or `"sqlite"`.
    pub fn backend(&self) -> &'static str {
        match &*self.lock() {
            Store::Memory(_) => "memory",
            Store::Sqlite(_) => "sqlite",
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records one confirmation; returns its id. A storage failure is logged and the record
    /// lost (the answer to the client is not withheld because the history failed).
    pub fn record(&self, record: HistoryRecord) -> Option<u64> {
        // Packed before the lock.
        self.insert_packed(packed::Packed::new(&record), |_| record)
    }

    /// Puts `packed` into the memory store (a record dropped beyond capacity is freed after
    /// the lock), or `unpacked(packed)` into SQLite.
    fn insert_packed(
        &self,
        packed: packed::Packed,
        unpacked: impl FnOnce(packed::Packed) -> HistoryRecord,
    ) -> Option<u64> {
        let mut store = self.lock();
        if let Store::Memory(m) = &mut *store {
            let (id, dropped) = m.insert(packed);
            drop(store);
            drop(dropped);
            return Some(id);
        }
        drop(store);
        let mut batch = [unpacked(packed)];
        self.record_many(&mut batch).ok()?;
        Some(batch[0].id)
    }

    /// Records many confirmations at once (a bulk job's rows: one transaction); assigns ids.
    pub fn record_many(&self, records: &mut [HistoryRecord]) -> Result<(), HistoryError> {
        let r = match &mut *self.lock() {
            Store::Memory(m) => {
                m.insert_many(records);
                Ok(())
            }
            Store::Sqlite(s) => s.insert_many(records),
        };
        if let Err(e) = &r {
            tracing::error!("confirmation history not recorded: {e}");
        }
        r
    }

    /// Records a judged single-inquiry body (nothing for input errors).
    pub fn record_body(&self, meta: Recorded<'_>, body: &ResultBody) -> Option<u64> {
        let validity = judged(body)?;
        // Derived straight into the memory store's packed form (no Strings of its own).
        let packed = packed::Packed::from_result(
            meta,
            validity,
            body.search_echo.as_ref(),
            &body.results,
            body.prescription_issue_select.as_deref(),
        );
        self.insert_packed(packed, |p| p.record(true))
    }

    /// The oldest instant a search may reach (RULE-57): two years before `now`.
    pub fn window_start(now: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        now.checked_sub_months(Months::new(24)).unwrap_or(now)
    }

    /// SCR-19 《検索》 / 《ダウンロード》: hits newest first, `offset`/`limit` of them, or
    /// [`OverLimit`] beyond [`SEARCH_LIMIT`] hits.
    pub fn search(
        &self,
        q: &HistoryQuery,
        now: DateTime<FixedOffset>,
        offset: usize,
        limit: usize,
    ) -> Result<Result<SearchPage, OverLimit>, HistoryError> {
        let c = q.conditions(now);
        match &*self.lock() {
            Store::Memory(m) => Ok(m.search(&c, offset, limit)),
            Store::Sqlite(s) => s.search(&c, offset, limit),
        }
    }

    /// SCR-20: a record of `facility` still inside the 2-year window.
    pub fn get(
        &self,
        facility: &str,
        id: u64,
        now: DateTime<FixedOffset>,
    ) -> Result<Option<HistoryRecord>, HistoryError> {
        let found = match &*self.lock() {
            Store::Memory(m) => m.get(id),
            Store::Sqlite(s) => s.get(id)?,
        };
        let window = to_millis(History::window_start(now));
        Ok(found.filter(|r| r.facility == facility && to_millis(r.confirmed_at) >= window))
    }

    /// RULE-24: the 処方箋発行形態 changed after the check (《更新》 on SCR-10); the record's
    /// detail shows the new choice. `false`: no such record, or one without 《詳細》.
    pub fn set_prescription_form(
        &self,
        id: u64,
        form: Option<PrescriptionIssueForm>,
    ) -> Result<bool, HistoryError> {
        let label = form.map_or(texts::HISTORY_PRESCRIPTION_UNSELECTED, |f| f.label());
        match &mut *self.lock() {
            Store::Memory(m) => Ok(m.set_prescription_form(id, label)),
            Store::Sqlite(s) => s.set_prescription_form(id, label),
        }
    }

    /// Records kept (all facilities, all times).
    pub fn len(&self) -> Result<usize, HistoryError> {
        match &*self.lock() {
            Store::Memory(m) => Ok(m.len()),
            Store::Sqlite(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> Result<bool, HistoryError> {
        Ok(self.len()? == 0)
    }
}

/// The login id recorded for a request that came in over `transport` (no login yet: see the
/// module doc).
pub fn login_id_for(transport: crate::journal::Transport, webapi_user: &str) -> &str {
    match transport {
        crate::journal::Transport::WebApi => webapi_user,
        _ => LINKED_APP_LOGIN_ID,
    }
}

impl History {
    /// The single inquiry's hook (OQSsiquc01, every transport): records a judged answer as a
    /// 被保険者証・医療券/調剤券 check of the facility in its header.
    pub fn record_single_inquiry(
        &self,
        response: &oqs_protocol::message::SingleInquiryResponse,
        at: DateTime<FixedOffset>,
        login_id: &str,
    ) -> Option<u64> {
        let facility = response.header.medical_institution_code.as_deref()?.trim();
        let body = response.body.as_ref()?;
        let meta = Recorded {
            facility,
            at,
            login_id,
            kind: ConfirmationKind::InsuranceCard,
        };
        self.record_body(meta, body)
    }
}

/// Login id recorded for the confirmation terminal's checks (SCR-08, generic and face readers):
/// the screens have no login yet, so the reception desk's account stands in.
pub const TERMINAL_LOGIN_ID: &str = "uketsuke";

impl History {
    /// The history for `--data-dir` (SQLite) or in memory without it. A store that cannot be
    /// opened is reported by [`History::open_error`] (the binary refuses to start) and the
    /// history stays in memory.
    /// `capacity`: records kept, or the backend's default ([`DEFAULT_MEMORY_CAPACITY`],
    /// [`DEFAULT_SQLITE_CAPACITY`]).
    pub fn new(data_dir: Option<&Path>, capacity: Option<usize>) -> Self {
        let opened = data_dir
            .map(|d| History::open_with_capacity(d, capacity.unwrap_or(DEFAULT_SQLITE_CAPACITY)));
        match opened {
            None => History::in_memory(capacity.unwrap_or(DEFAULT_MEMORY_CAPACITY)),
            Some(Ok(h)) => h,
            Some(Err(e)) => History::default().with_open_error(e.to_string()),
        }
    }

    fn with_open_error(self, e: String) -> Self {
        *self.open_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        self
    }

    /// Why the SQLite store could not be opened, if so.
    pub fn open_error(&self) -> Option<String> {
        self.open_error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Who recorded a bulk inquiry's rows (JOB-01, JOB-03): 資格確認区分 一括照会 (no 《詳細》,
    /// RULE-59).
    pub fn bulk_meta<'a>(
        facility: &'a str,
        at: DateTime<FixedOffset>,
        login_id: &'a str,
    ) -> Recorded<'a> {
        Recorded {
            facility: facility.trim(),
            at,
            login_id,
            kind: ConfirmationKind::Bulk,
        }
    }

    /// The bulk inquiry's record of one judged row; `None` for an input-error row (not a
    /// confirmation). The rows' records go in with [`History::record_many`], in one transaction.
    pub fn bulk_row(
        meta: Recorded<'_>,
        u: &oqs_protocol::bulk::BulkConfirmUnit,
    ) -> Option<HistoryRecord> {
        if u.processing_result_status != oqs_protocol::codes::ProcessingResultStatus::Normal {
            return None;
        }
        let validity = u.qualification_validity?;
        Some(HistoryRecord::from_result(
            meta,
            validity,
            Some(&u.search),
            &u.results,
            None,
        ))
    }
}
