//! The simulator: every service in one value, shared by every way in — population and clock,
//! error table, journal, terminal, jobs and 照会番号, history, faults, WebAPI sessions. The
//! answer to a request is in [`crate::services::inquiry`].

use crate::clock::Clock;
use crate::journal::Journal;
pub use crate::services::answer::{Answered, Rejection};
use crate::services::population::Populations;
use oqs_domain::fixtures::{FixtureError, LoadMode};
use oqs_domain::Population;
use oqs_protocol::errors::ErrorTable;
use std::sync::Arc;

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest request accepted, in bytes (HTTP bodies and exchange files alike).
    pub max_request_bytes: usize,
    /// Journal entries kept.
    pub journal_capacity: usize,
    /// WebAPI demo account.
    pub webapi_user: String,
    pub webapi_password: String,
    /// `--data-dir`: where jobs, results, reference numbers and history are kept (SQLite).
    /// `None`: everything in memory.
    pub data_dir: Option<std::path::PathBuf>,
    /// The job engine: pacing, 処理上限 (rows per bulk file), bulk file size limit.
    pub jobs: crate::jobs::JobSettings,
    /// Confirmation-history records kept; `None`: the store's default (100,000 in memory,
    /// 1,000,000 in SQLite).
    pub history_capacity: Option<usize>,
}

/// Default request size limit: 1 MiB, far above any single inquiry (~1 KiB).
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 1024 * 1024;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            journal_capacity: 10_000,
            webapi_user: crate::services::tokens::DEMO_USER.into(),
            webapi_password: crate::services::tokens::DEMO_PASSWORD.into(),
            data_dir: None,
            jobs: crate::jobs::JobSettings::default(),
            history_capacity: None,
        }
    }
}

/// The simulator.
#[derive(Debug)]
pub struct Simulator {
    populations: Populations,
    pub clock: Clock,
    pub(super) errors: ErrorTable,
    pub journal: Journal,
    pub settings: Settings,
    pub(crate) tokens: crate::services::tokens::TokenStore,
    /// The confirmation terminal and its readers (My Number inquiry).
    pub terminal: crate::terminal::Terminal,
    /// Asynchronous jobs (bulk inquiry, bulk registration).
    pub jobs: crate::jobs::Jobs,
    /// The confirmation history (shared with the job engine, which records bulk rows).
    pub history: Arc<crate::history::History>,
    /// Injected faults of the file exchange (`/__admin/faults/exchange`).
    pub exchange_faults: crate::services::faults::ExchangeFaults,
    /// The pharmacy's prescription retrieval (ENV-04/05, RULE-28).
    pub pharmacy: crate::services::prescriptions::Pharmacy,
    /// The visiting/online results shown on SCR-23.
    pub visiting_results: crate::services::visiting_results::VisitingResults,
    /// システム障害 (ch.12, `/__admin/faults/outage`) and the emergency period (ENV-14).
    pub outage: crate::services::outage::Outage,
    /// 利用者アカウント and screen sessions (ch.1; the WebAPI logs in here too).
    pub accounts: crate::services::accounts::Accounts,
    /// お知らせ (SCR-03/04).
    pub notices: crate::services::notices::Notices,
}

impl Simulator {
    /// A simulator on the built-in population.
    pub fn new(clock: Clock, errors: ErrorTable, settings: Settings) -> Self {
        Simulator::with_population(oqs_domain::builtin_population(), clock, errors, settings)
    }

    /// A simulator on a given population (it also becomes the target of `reset`).
    pub fn with_population(
        pop: Population,
        clock: Clock,
        errors: ErrorTable,
        settings: Settings,
    ) -> Self {
        let pop = Arc::new(pop);
        let history = Arc::new(crate::history::History::new(
            settings.data_dir.as_deref(),
            settings.history_capacity,
        ));
        let jobs = crate::jobs::Jobs::with_history(
            settings.jobs.clone(),
            settings.data_dir.as_deref(),
            clock.clone(),
            errors.clone(),
            pop.clone(),
            Some(history.clone()),
        );
        use crate::services::tokens::{DEMO_PASSWORD, DEMO_USER};
        let configured = (
            settings.webapi_user.as_str(),
            settings.webapi_password.as_str(),
        );
        let accounts = crate::services::accounts::Accounts::builtin(
            clock.now(),
            (configured != (DEMO_USER, DEMO_PASSWORD)).then_some(configured),
        );
        Simulator {
            accounts,
            notices: crate::services::notices::Notices::builtin(),
            populations: Populations::new(pop),
            clock,
            errors,
            journal: Journal::new(settings.journal_capacity),
            settings,
            tokens: crate::services::tokens::TokenStore::default(),
            terminal: crate::terminal::Terminal::default(),
            jobs,
            history,
            exchange_faults: Default::default(),
            pharmacy: Default::default(),
            visiting_results: Default::default(),
            outage: Default::default(),
        }
    }

    /// The current population (a cheap snapshot; loads swap it whole).
    pub fn population(&self) -> Arc<Population> {
        self.populations.current()
    }

    pub fn error_table(&self) -> &ErrorTable {
        &self.errors
    }

    /// What the confirmation terminal works with (its state and the services it records in).
    pub fn terminal_context(&self) -> crate::terminal::Context<'_> {
        crate::terminal::Context {
            terminal: &self.terminal,
            population: self.population(),
            clock: &self.clock,
            errors: &self.errors,
            references: self.jobs.references(),
            journal: &self.journal,
            history: &self.history,
        }
    }

    /// Back to the population the simulator started with.
    pub fn reset_population(&self) {
        self.populations.reset();
        self.jobs.cancellations().clear();
    }

    /// `POST /__admin/reset` and the tray's reset: the population, and the accounts as the
    /// simulator started with them (passwords, locks, expiry), every screen session and every
    /// WebAPI token ended.
    pub fn reset(&self) {
        self.reset_population();
        self.accounts.reset_all();
        self.tokens.clear();
    }

    /// Loads fixture text; on error nothing changes.
    pub fn load_fixtures(
        &self,
        mode: LoadMode,
        file: &str,
        text: &str,
    ) -> Result<(usize, usize), FixtureError> {
        self.populations.load_fixtures(mode, file, text)
    }
}
