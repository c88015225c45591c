//! The file exchange (連携アプリ folders, interface.md §1): a request file in `req/` is answered
//! in `res/` under the same name with `req` → `res`, or rejected as `res/<base>.err`.
//!
//! Guarantees:
//! - a result file appears whole or not at all (written in the private `.oqs-sim/tmp/`, then
//!   renamed into `res/`; [`crate::services::files`]);
//! - each request file is consumed exactly once, also across restarts: it is first moved
//!   (atomically) to `.oqs-sim/processing/`, answered, then removed; on start, leftovers there are
//!   finished, and never answered twice (a leftover whose answer already exists is just removed);
//! - a file still being written is not read: it must look the same for [`SETTLE_TIME`], and a
//!   file a writer has open (created or modified, not yet closed) is waited for up to
//!   [`WRITER_PAUSE`] between writes;
//! - nothing outside the folder is read or written through a link: a request is opened with
//!   `O_NOFOLLOW` and must be a regular file; anything else in `req/` with a request-like name (a
//!   link, a folder, a FIFO, a name that is not UTF-8, a file that cannot be read) is answered
//!   with a `.err` and taken out of `req/`, and the scan goes on.
//!
//! Faults (`PUT /__admin/faults/exchange`, [`ExchangeFault`]) break two of these on purpose so a
//! client can be tested against them: every request answered with a `.err` file, or result
//! files written in two pieces (not atomically).

use crate::journal::Transport;
pub use crate::services::faults::{ExchangeFault, ExchangeFaults, MAX_PARTIAL_WRITE};
use crate::services::files::real_dir;
pub use crate::services::files::{write_atomically, write_in_pieces};
use crate::simulator::Simulator;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use oqs_protocol::errors::ErrorKind;
use oqs_protocol::naming::RequestFileName;
use serde_json::json;
use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

type FileStamp = (u64, Option<SystemTime>);

/// A request file is read only after it has looked the same for this long (it may still be
/// being written by a client that does not rename).
pub const SETTLE_TIME: Duration = Duration::from_millis(100);

/// A file its writer still has open (file events: created or modified, not yet closed) is
/// read only after this long without a write. Without file events only [`SETTLE_TIME`] holds.
pub const WRITER_PAUSE: Duration = Duration::from_secs(10);

/// How often the folder is scanned while a file is settling, or when file events are missing.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// How often the folder is scanned when idle with file events working (a safety net only).
pub const IDLE_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The exchange folder and its state.
#[derive(Debug)]
pub struct Exchange {
    root: PathBuf,
    sim: Arc<Simulator>,
    /// Size and mtime of files seen on earlier scans, and since when they look so.
    seen: Mutex<HashMap<OsString, (FileStamp, Instant)>>,
    /// Files in `req/` a writer has open, with the time of its last write (from file events).
    writing: Mutex<HashMap<OsString, Instant>>,
}

/// What one scan did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    pub answered: Vec<String>,
    pub rejected: Vec<String>,
}

/// A request file as read from the private folder.
enum Request {
    Bytes(Vec<u8>),
    TooLarge(u64),
    /// Not a regular file, or unreadable: the reason.
    Refused(String),
}

impl Exchange {
    /// Opens (and creates) `root/req`, `root/res`, `root/face` and the private work folder;
    /// none of them may be a link.
    pub fn open(root: impl Into<PathBuf>, sim: Arc<Simulator>) -> io::Result<Self> {
        let root = root.into();
        for d in ["req", "res", "face", ".oqs-sim/processing", ".oqs-sim/tmp"] {
            real_dir(&root.join(d))?;
        }
        Ok(Exchange {
            root,
            sim,
            seen: Mutex::new(HashMap::new()),
            writing: Mutex::new(HashMap::new()),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn req_dir(&self) -> PathBuf {
        self.root.join("req")
    }
    pub fn res_dir(&self) -> PathBuf {
        self.root.join("res")
    }
    pub fn face_dir(&self) -> PathBuf {
        self.root.join("face")
    }
    fn processing_dir(&self) -> PathBuf {
        self.root.join(".oqs-sim/processing")
    }

    /// Finishes requests claimed before a stop. Call once at start. One that cannot be
    /// answered is logged and left; the others are still answered.
    pub fn recover(&self) -> io::Result<ScanReport> {
        let mut report = ScanReport::default();
        for (raw, _) in sorted_entries(&self.processing_dir())? {
            let name = raw.to_string_lossy().into_owned();
            let path = self.processing_dir().join(&raw);
            let done = match RequestFileName::parse(&name) {
                Ok(n) => self.res_dir().join(n.response_name()).exists(),
                Err(_) => false,
            } || self
                .res_dir()
                .join(RequestFileName::error_name(&name))
                .exists();
            let result = if done {
                self.discard(&path)
            } else {
                self.answer_claimed(&path, &name, &mut report)
            };
            if let Err(e) = result {
                tracing::error!("exchange recovery: {name}: {e}");
            }
        }
        Ok(report)
    }

    /// One pass over `req/`: answers every request file that is complete, and refuses every
    /// request-like name that is not a regular file. A file that cannot be answered is logged
    /// and the scan goes on.
    pub fn scan_once(&self) -> io::Result<ScanReport> {
        let mut report = ScanReport::default();
        let entries = sorted_entries(&self.req_dir())?;
        let mut ready = Vec::new();
        {
            let writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            let mut now_seen = HashMap::new();
            for (name, file_type) in entries {
                if !is_candidate(&name) {
                    continue;
                }
                if !file_type.is_file() {
                    // A link, folder, FIFO…: refused at once (nothing to wait for).
                    ready.push(name);
                    continue;
                }
                let Ok(meta) = fs::symlink_metadata(self.req_dir().join(&name)) else {
                    continue;
                };
                let stamp = (meta.len(), meta.modified().ok());
                let open_for_writing = writing
                    .get(&name)
                    .is_some_and(|last| last.elapsed() < WRITER_PAUSE);
                match seen.get(&name) {
                    Some((s, since))
                        if *s == stamp && since.elapsed() >= SETTLE_TIME && !open_for_writing =>
                    {
                        ready.push(name)
                    }
                    Some((s, since)) if *s == stamp => {
                        now_seen.insert(name, (stamp, *since));
                    }
                    _ => {
                        now_seen.insert(name, (stamp, Instant::now()));
                    }
                }
            }
            *seen = now_seen;
        }
        for raw in ready {
            let name = raw.to_string_lossy().into_owned();
            let claimed = self.processing_dir().join(&name);
            if raw.to_str().is_none() && fs::symlink_metadata(&claimed).is_ok() {
                continue; // another name with the same lossy spelling: next scan
            }
            // The claim is the atomic step: whoever renames first owns the file. A rename
            // moves a link itself, never its target.
            match fs::rename(self.req_dir().join(&raw), &claimed) {
                Ok(()) => {
                    if let Err(e) = self.answer_claimed(&claimed, &name, &mut report) {
                        tracing::error!("exchange: {name}: {e}");
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => tracing::error!("exchange: cannot claim {name}: {e}"),
            }
        }
        Ok(report)
    }

    /// Whether nothing is waiting to settle (the scan may then rest).
    fn is_quiet(&self) -> bool {
        let mut writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        // A writer silent for longer than WRITER_PAUSE is no longer waited for.
        writing.retain(|_, last| last.elapsed() < WRITER_PAUSE);
        writing.is_empty() && self.seen.lock().map(|s| s.is_empty()).unwrap_or(false)
    }

    /// Notes a file event of `req/`; returns whether it may need a scan.
    fn note_event(&self, event: &notify::Event) -> bool {
        use notify::event::{AccessKind, AccessMode, CreateKind, EventKind, ModifyKind};
        let mut writing = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let names = event.paths.iter().filter_map(|p| p.file_name());
        match event.kind {
            // The scan's own reads (open, read, close of the folder or a file) change nothing.
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for n in names {
                    writing.remove(n);
                }
                true
            }
            EventKind::Access(_) => false,
            EventKind::Create(CreateKind::File) | EventKind::Modify(ModifyKind::Data(_)) => {
                let now = Instant::now();
                for n in names.filter(|n| is_candidate(n)) {
                    writing.insert(n.to_owned(), now);
                }
                true
            }
            EventKind::Modify(ModifyKind::Name(_)) | EventKind::Remove(_) => {
                for n in names {
                    writing.remove(n);
                }
                true
            }
            _ => true,
        }
    }

    fn answer_claimed(&self, path: &Path, name: &str, report: &mut ScanReport) -> io::Result<()> {
        let parsed = RequestFileName::parse(name);
        let limit = parsed
            .as_ref()
            .map_or(self.sim.settings.max_request_bytes, |n| {
                self.sim.request_limit(&n.message)
            });
        // A name that was not UTF-8 was claimed under its lossy spelling (with U+FFFD).
        let request = if name.contains('\u{fffd}') {
            Request::Refused("the file name is not UTF-8".into())
        } else {
            read_request(path, limit)
        };
        let fault = self.sim.exchange_faults.get();
        let message = parsed
            .as_ref()
            .map(|n| n.message.clone())
            .unwrap_or_default();
        let outcome = match (parsed, request) {
            (_, Request::Refused(why)) => {
                let r = self.sim.rejection(ErrorKind::XmlStructure, why);
                self.sim
                    .record_rejection(Transport::FileExchange, &message, name, &[], &r);
                Err(r)
            }
            (Ok(n), request) if fault.reject.is_some() => {
                let kind = fault.reject.unwrap_or(ErrorKind::SystemError);
                let r = self
                    .sim
                    .rejection(kind, "injected fault (PUT /__admin/faults/exchange)");
                // The journal still shows what the client sent (when within the size limit).
                let sent = match &request {
                    Request::Bytes(b) => b.as_slice(),
                    _ => &[],
                };
                self.sim
                    .record_rejection(Transport::FileExchange, &n.message, name, sent, &r);
                Err(r)
            }
            (Err(e), request) => {
                let r = self.sim.rejection(ErrorKind::UnknownMessage, e.to_string());
                let sent = match &request {
                    Request::Bytes(b) => b.as_slice(),
                    _ => &[],
                };
                self.sim
                    .record_rejection(Transport::FileExchange, "", name, sent, &r);
                Err(r)
            }
            (Ok(n), Request::TooLarge(size)) => {
                let r = self.sim.rejection(
                    ErrorKind::BodyTooLarge,
                    format!("request is {size} bytes, more than the limit of {limit} bytes"),
                );
                self.sim
                    .record_rejection(Transport::FileExchange, &n.message, name, &[], &r);
                Err(r)
            }
            (Ok(n), Request::Bytes(bytes)) => self
                .sim
                .handle_xml(&n.message, &bytes, Transport::FileExchange, name)
                .map(|a| (n, a)),
        };
        match outcome {
            Ok((n, answered)) => {
                let res = n.response_name();
                match fault.partial_write {
                    Some(pause) => {
                        write_in_pieces(&self.res_dir(), &res, &answered.to_xml(), pause)?
                    }
                    None => write_atomically(&self.res_dir(), &res, &answered.to_xml())?,
                }
                report.answered.push(res);
            }
            Err(r) => {
                let err = RequestFileName::error_name(name);
                write_atomically(&self.res_dir(), &err, r.to_text().as_bytes())?;
                report.rejected.push(err);
            }
        }
        self.discard(path)
    }

    /// Removes an answered claim; a folder is moved aside to `.oqs-sim/rejected/` (its contents
    /// are the client's).
    fn discard(&self, path: &Path) -> io::Result<()> {
        match fs::symlink_metadata(path) {
            Ok(m) if m.is_dir() => {
                let aside = self.root.join(".oqs-sim/rejected");
                real_dir(&aside)?;
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                fs::rename(
                    path,
                    aside.join(format!("{name}.{:016x}", rand::random::<u64>())),
                )
            }
            Ok(_) => fs::remove_file(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// Request files only: `*.xml`, not hidden, not a temp name (any bytes: a name that is not
/// UTF-8 is still a request, refused with a `.err`).
fn is_candidate(name: &std::ffi::OsStr) -> bool {
    let b = name.as_bytes();
    b.ends_with(b".xml") && !b.starts_with(b".")
}

/// The entries of a folder by name, with their own type (links not followed).
fn sorted_entries(dir: &Path) -> io::Result<Vec<(OsString, fs::FileType)>> {
    let mut entries: Vec<_> = fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name(), e.file_type().ok()?)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

fn kind_of(t: fs::FileType) -> &'static str {
    if t.is_dir() {
        "a folder"
    } else if t.is_symlink() {
        "a link"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "not a file"
    }
}

/// Reads a claimed request without following a link, only if it is a regular file, and only up
/// to `limit` bytes.
fn read_request(path: &Path, limit: usize) -> Request {
    let file = match fs::OpenOptions::new()
        .read(true)
        // NONBLOCK: opening a FIFO must not wait for a writer.
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Request::Refused("the request is a link, not a regular file".into())
        }
        Err(e) => return Request::Refused(format!("the request file could not be read: {e}")),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return Request::Refused(format!("the request file could not be read: {e}")),
    };
    if !meta.is_file() {
        return Request::Refused(format!(
            "the request is {}, not a regular file",
            kind_of(meta.file_type())
        ));
    }
    if meta.len() > limit as u64 {
        return Request::TooLarge(meta.len());
    }
    let mut bytes = Vec::new();
    match file.take(limit as u64 + 1).read_to_end(&mut bytes) {
        Err(e) => Request::Refused(format!("the request file could not be read: {e}")),
        Ok(n) if n > limit => Request::TooLarge(n as u64),
        Ok(_) => Request::Bytes(bytes),
    }
}

async fn get_fault(State(sim): State<Arc<Simulator>>) -> Json<serde_json::Value> {
    Json(sim.exchange_faults.get().to_json())
}

async fn put_fault(State(sim): State<Arc<Simulator>>, body: axum::body::Bytes) -> Response {
    match ExchangeFault::from_json(&body) {
        Ok(f) => {
            sim.exchange_faults.set(f);
            Json(f.to_json()).into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({ "error": e }))).into_response(),
    }
}

async fn delete_fault(State(sim): State<Arc<Simulator>>) -> Json<serde_json::Value> {
    sim.exchange_faults.clear();
    Json(sim.exchange_faults.get().to_json())
}

/// `GET/PUT/DELETE /__admin/faults/exchange`.
pub fn router() -> Router<Arc<Simulator>> {
    Router::new().route(
        "/__admin/faults/exchange",
        get(get_fault).put(put_fault).delete(delete_fault),
    )
}

/// Runs the exchange until the process ends: recover, then scan on every file event that may
/// matter (not the scan's own reads) and at least every [`POLL_INTERVAL`] while a file settles,
/// every [`IDLE_POLL_INTERVAL`] when idle. The folder is watched from the call on (before the
/// returned future first runs), so no write after it is missed.
pub fn run(exchange: Arc<Exchange>) -> impl std::future::Future<Output = ()> + Send {
    let wake = Arc::new(tokio::sync::Notify::new());
    let watcher = {
        use notify::Watcher;
        let wake = wake.clone();
        let ex = exchange.clone();
        let watcher =
            notify::recommended_watcher(move |res: notify::Result<notify::Event>| match res {
                Ok(event) if !ex.note_event(&event) => {}
                _ => wake.notify_one(),
            });
        match watcher {
            Ok(mut w) => match w.watch(&exchange.req_dir(), notify::RecursiveMode::NonRecursive) {
                Ok(()) => Some(w),
                Err(e) => {
                    tracing::warn!(
                        "file events unavailable ({e}); polling every {POLL_INTERVAL:?}"
                    );
                    None
                }
            },
            Err(e) => {
                tracing::warn!("file events unavailable ({e}); polling every {POLL_INTERVAL:?}");
                None
            }
        }
    };
    async move { watch_and_scan(exchange, wake, watcher).await }
}

async fn watch_and_scan(
    exchange: Arc<Exchange>,
    wake: Arc<tokio::sync::Notify>,
    watcher: Option<notify::RecommendedWatcher>,
) {
    let ex = exchange.clone();
    match tokio::task::spawn_blocking(move || ex.recover()).await {
        Ok(Ok(r)) if !r.answered.is_empty() || !r.rejected.is_empty() => {
            tracing::info!("recovered {r:?}")
        }
        Ok(Err(e)) => tracing::error!("exchange recovery failed: {e}"),
        _ => {}
    }
    loop {
        let ex = exchange.clone();
        match tokio::task::spawn_blocking(move || ex.scan_once()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!("exchange scan failed: {e}"),
            Err(e) => tracing::error!("exchange task failed: {e}"),
        }
        let interval = if watcher.is_some() && exchange.is_quiet() {
            IDLE_POLL_INTERVAL
        } else {
            POLL_INTERVAL
        };
        let _ = tokio::time::timeout(interval, wake.notified()).await;
    }
}
