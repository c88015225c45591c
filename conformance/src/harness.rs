//! The simulator the runner certifies against: in-process (`sim_server::Simulator`), served on
//! 127.0.0.1 with an ephemeral port, a file-exchange folder in a temporary directory, and a
//! frozen clock. Between scenarios [`Harness::reset`] puts back what a scenario may change.

use chrono::{DateTime, FixedOffset};
use oqs_protocol::ErrorTable;
use sim_server::exchange::{self, Exchange};
use sim_server::jobs::Pacing;
use sim_server::journal::JournalEntry;
use sim_server::{clock, Clock, Settings, Simulator};
use std::path::PathBuf;
use std::sync::Arc;

/// The instant every scenario starts at (a feature moves it with 「現在日時は…である」).
pub const START: &str = "2021-01-06T10:00:00+09:00";

/// 医療機関コード of the facility the client acts for (サンプル医療機関 of the built-in population).
pub const FACILITY: &str = "1234567890";

/// A running simulator.
pub struct Harness {
    pub sim: Arc<Simulator>,
    /// `http://127.0.0.1:<port>`.
    pub http: String,
    pub exchange_dir: PathBuf,
    _tmp: tempfile::TempDir,
}

impl Harness {
    /// Starts the simulator on the current tokio runtime.
    pub async fn start() -> Result<Harness, String> {
        let now = clock::parse_now(START).map_err(|e| format!("start time: {e}"))?;
        let sim = Arc::new(Simulator::new(
            Clock::frozen(now),
            ErrorTable::builtin(),
            Settings::default(),
        ));
        let tmp = tempfile::Builder::new()
            .prefix("oqs-conformance-")
            .tempdir()
            .map_err(|e| format!("temporary folder: {e}"))?;
        let exchange = Exchange::open(tmp.path().join("exchange"), sim.clone())
            .map_err(|e| format!("exchange folder: {e}"))?;
        let exchange_dir = std::fs::canonicalize(exchange.root())
            .unwrap_or_else(|_| exchange.root().to_path_buf());
        sim.terminal.set_face_dir(Some(exchange.face_dir()));
        tokio::spawn(exchange::run(Arc::new(exchange)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("listening address: {e}"))?;
        let app = sim_server::router(sim.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app.into_make_service()).await;
        });
        Ok(Harness {
            sim,
            http: format!("http://{addr}"),
            exchange_dir,
            _tmp: tmp,
        })
    }

    /// Back to a clean state for the next scenario: built-in population, the clock at `START`,
    /// no card in reader 0, no faults (terminal, jobs, file exchange, システム障害), an empty `face/`, instant jobs, no
    /// registered 照会番号, the pharmacy's settings and retrievals (consent cancellations go with the
    /// population). The journal is not cleared (its sequence
    /// numbers go on); a scenario reads the entries after its [`Harness::journal_mark`].
    pub fn reset(&self) {
        self.sim.reset_population();
        if let Ok(now) = clock::parse_now(START) {
            self.sim.clock.set(now, false);
        }
        let _ = self.sim.terminal.remove_card(0);
        self.sim.terminal.set_fault(None);
        self.sim.jobs.set_pacing(Pacing::Instant);
        self.sim.jobs.set_system_fault(false);
        self.sim.exchange_faults.clear();
        self.sim.outage.clear();
        // ENV-04/05 back to 「利用する」 and no prescription retrieved (RULE-28).
        self.sim
            .pharmacy
            .set_settings(oqs_domain::prescription::PharmacySettings::default());
        self.sim.pharmacy.clear();
        // face/ results of one check are not picked up in the next.
        if let Ok(entries) = std::fs::read_dir(self.exchange_dir.join("face")) {
            for e in entries.flatten() {
                if e.file_type().is_ok_and(|t| t.is_file()) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        // DELETE /__admin/reference-numbers: registrations of one check do not leak into the next.
        if let Err(e) = self.sim.jobs.clear_references() {
            eprintln!("conformance: cannot clear the reference numbers: {e}");
        }
    }

    pub fn set_now(&self, now: DateTime<FixedOffset>) {
        self.sim.clock.set(now, false);
    }

    /// The sequence number of the newest journal entry (0 when none).
    pub fn journal_mark(&self) -> u64 {
        self.sim
            .journal
            .since(0, usize::MAX)
            .last()
            .map_or(0, |e| e.seq)
    }

    /// Journal entries after `mark`, oldest first.
    pub fn journal_since(&self, mark: u64) -> Vec<JournalEntry> {
        self.sim.journal.since(mark, usize::MAX)
    }
}
