//! The file exchange (連携アプリ folders, interface.md §1): a request file in `req/` is answered
//! in `res/` under the same name with `req` → `res`, or rejected as `res/<base>.err`.
//!
//! Guarantees:
//! - a result file appears whole or not at all (written under a hidden temp name, then renamed);
//! - each request file is consumed exactly once, also across restarts: it is first moved
//!   (atomically) to `.oqs-sim/processing/`, answered, then removed; on start, leftovers there are
//!   finished, and never answered twice (a leftover whose answer already exists is just removed);
//! - a file still being written is not read: it must look the same on two scans in a row.
//!
//! Faults (`PUT /__admin/faults/exchange`, [`ExchangeFault`]) break two of these on purpose so a
//! client can be tested against them: every request answered with a `.err` file, or result
//! files written in two pieces (not atomically).

use crate::journal::Transport;
pub use crate::services::faults::{ExchangeFault, ExchangeFaults, MAX_PARTIAL_WRITE};
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
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

type FileStamp = (u64, Option<SystemTime>);

/// A request file is read only after it has looked the same for this long (it may still be
/// being written by a client that does not rename).
pub const SETTLE_TIME: Duration = Duration::from_millis(100);

/// How often the folder is scanned when no file event arrives.
pub const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// The exchange folder and its state.
#[derive(Debug)]
pub struct Exchange {
    root: PathBuf,
    sim: Arc<Simulator>,
    /// Size and mtime of files seen on earlier scans, and since when they look so.
    seen: Mutex<HashMap<String, (FileStamp, Instant)>>,
}

/// What one scan did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScanReport {
    pub answered: Vec<String>,
    pub rejected: Vec<String>,
}

impl Exchange {
    /// Opens (and creates) `root/req`, `root/res`, `root/face` and the private work folder.
    pub fn open(root: impl Into<PathBuf>, sim: Arc<Simulator>) -> io::Result<Self> {
        let root = root.into();
        for d in ["req", "res", "face", ".oqs-sim/processing"] {
            fs::create_dir_all(root.join(d))?;
        }
        Ok(Exchange {
            root,
            sim,
            seen: Mutex::new(HashMap::new()),
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

    /// Finishes requests claimed before a stop. Call once at start.
    pub fn recover(&self) -> io::Result<ScanReport> {
        let mut report = ScanReport::default();
        for name in sorted_names(&self.processing_dir())? {
            let done = match RequestFileName::parse(&name) {
                Ok(n) => self.res_dir().join(n.response_name()).exists(),
                Err(_) => false,
            } || self
                .res_dir()
                .join(RequestFileName::error_name(&name))
                .exists();
            if done {
                fs::remove_file(self.processing_dir().join(&name))?;
            } else {
                self.answer_claimed(&name, &mut report)?;
            }
        }
        Ok(report)
    }

    /// One pass over `req/`: answers every request file that is complete.
    pub fn scan_once(&self) -> io::Result<ScanReport> {
        let mut report = ScanReport::default();
        let names = sorted_names(&self.req_dir())?;
        let mut ready = Vec::new();
        {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            let mut now_seen = HashMap::new();
            for name in names {
                if !is_candidate(&name) {
                    continue;
                }
                let Ok(meta) = fs::metadata(self.req_dir().join(&name)) else {
                    continue;
                };
                if !meta.is_file() {
                    continue;
                }
                let stamp = (meta.len(), meta.modified().ok());
                match seen.get(&name) {
                    Some((s, since)) if *s == stamp && since.elapsed() >= SETTLE_TIME => {
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
        for name in ready {
            // The claim is the atomic step: whoever renames first owns the file.
            match fs::rename(
                self.req_dir().join(&name),
                self.processing_dir().join(&name),
            ) {
                Ok(()) => self.answer_claimed(&name, &mut report)?,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    fn answer_claimed(&self, name: &str, report: &mut ScanReport) -> io::Result<()> {
        let path = self.processing_dir().join(name);
        let limit = RequestFileName::parse(name).map_or(self.sim.settings.max_request_bytes, |n| {
            self.sim.request_limit(&n.message)
        });
        let bytes = read_capped(&path, limit)?;
        let fault = self.sim.exchange_faults.get();
        let outcome = match (RequestFileName::parse(name), bytes) {
            (Ok(n), bytes) if fault.reject.is_some() => {
                let kind = fault.reject.unwrap_or(ErrorKind::SystemError);
                let r = self
                    .sim
                    .rejection(kind, "injected fault (PUT /__admin/faults/exchange)");
                // The journal still shows what the client sent (when within the size limit).
                let sent = bytes.as_deref().unwrap_or_default();
                self.sim
                    .record_rejection(Transport::FileExchange, &n.message, name, sent, &r);
                Err(r)
            }
            (Err(e), bytes) => {
                let r = self.sim.rejection(ErrorKind::UnknownMessage, e.to_string());
                let sent = bytes.as_deref().unwrap_or_default();
                self.sim
                    .record_rejection(Transport::FileExchange, "", name, sent, &r);
                Err(r)
            }
            (Ok(n), Err(size)) => {
                let r = self.sim.rejection(
                    ErrorKind::BodyTooLarge,
                    format!("request is {size} bytes, more than the limit of {limit} bytes"),
                );
                self.sim
                    .record_rejection(Transport::FileExchange, &n.message, name, &[], &r);
                Err(r)
            }
            (Ok(n), Ok(bytes)) => self
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
        fs::remove_file(path)
    }
}

/// Request files only: `*.xml`, not hidden, not a temp name.
fn is_candidate(name: &str) -> bool {
    name.ends_with(".xml") && !name.starts_with('.')
}

fn sorted_names(dir: &Path) -> io::Result<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort();
    Ok(names)
}

/// Reads a file unless it is larger than `limit` (then `Err(size)`), without loading it whole.
fn read_capped(path: &Path, limit: usize) -> io::Result<Result<Vec<u8>, u64>> {
    let size = fs::metadata(path)?.len();
    if size > limit as u64 {
        return Ok(Err(size));
    }
    fs::read(path).map(Ok)
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

/// Runs the exchange until the process ends: recover, then scan on every file event and at
/// least every [`POLL_INTERVAL`].
pub async fn run(exchange: Arc<Exchange>) {
    let wake = Arc::new(tokio::sync::Notify::new());
    let _watcher = {
        use notify::Watcher;
        let wake = wake.clone();
        let watcher = notify::recommended_watcher(move |_res: notify::Result<notify::Event>| {
            wake.notify_one()
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
    let ex = exchange.clone();
    match tokio::task::spawn_blocking(move || ex.recover()).await {
        Ok(Ok(r)) if !r.answered.is_empty() || !r.rejected.is_empty() => {
            tracing::info!("recovered {r:?}")
        }
        Ok(Err(e)) => tracing::error!("exchange recovery failed: {e}"),
        _ => {}
    }
    loop {
        let _ = tokio::time::timeout(POLL_INTERVAL, wake.notified()).await;
        let ex = exchange.clone();
        match tokio::task::spawn_blocking(move || ex.scan_once()).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::error!("exchange scan failed: {e}");
                tokio::time::sleep(POLL_INTERVAL).await;
            }
            Err(e) => tracing::error!("exchange task failed: {e}"),
        }
    }
}
