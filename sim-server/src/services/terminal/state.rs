//! The terminal's state: readers, settings, fault, certificate registry, recent confirmations.

use super::cards::{CardIssuer, ProfileIssuer, DEFAULT_CARD_SEED};
use super::certs;
use super::certs::{CertificateRecord, Registry};
use super::confirmation::Confirmation;
use super::readers::{
    reader_mut, topology, FaceMode, Reader, ReaderKind, ReaderLink, ReaderSummary,
};
use super::request::RequestError;
use super::settings::{Fault, TerminalSettings};
use chrono::{DateTime, FixedOffset};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use virtual_card::Card;

/// Recent confirmations kept for the follow-up actions of SCR-10 (bounded).
pub const RECENT_CONFIRMATIONS: usize = 256;
pub(super) struct State {
    pub(super) readers: Vec<Reader>,
    pub(super) fault: Option<Fault>,
    pub(super) settings: TerminalSettings,
    pub(super) next_id: u64,
    pub(super) recent: VecDeque<Confirmation>,
}

/// The confirmation terminal.
pub struct Terminal {
    pub(super) state: Mutex<State>,
    pub(super) registry: Mutex<Registry>,
    /// The issuer's default cards were registered (done once, on the first unknown serial).
    pub(super) defaults_registered: Mutex<bool>,
    pub(super) issuer: Mutex<Option<Arc<dyn CardIssuer>>>,
    pub(super) rng: Mutex<ChaCha20Rng>,
    pub(super) face_dir: Mutex<Option<PathBuf>>,
}

impl std::fmt::Debug for Terminal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Terminal").finish_non_exhaustive()
    }
}

/// Seed of the challenge generator (deterministic runs).
pub const DEFAULT_CHALLENGE_SEED: u64 = 0x4f51_5301;
impl Default for Terminal {
    fn default() -> Self {
        Terminal {
            state: Mutex::new(State {
                readers: topology("generic").unwrap_or_default(),
                fault: None,
                settings: TerminalSettings::default(),
                next_id: 1,
                recent: VecDeque::new(),
            }),
            registry: Mutex::new(Registry::default()),
            defaults_registered: Mutex::new(false),
            issuer: Mutex::new(Some(Arc::new(ProfileIssuer {
                seed: DEFAULT_CARD_SEED,
            }))),
            rng: Mutex::new(ChaCha20Rng::seed_from_u64(DEFAULT_CHALLENGE_SEED)),
            face_dir: Mutex::new(None),
        }
    }
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Terminal {
    /// Back to the start: one empty generic reader, default settings, no fault, no recent
    /// confirmations, the challenge generator reseeded. The certificate registry is kept
    /// (issued cards stay known).
    pub fn reset(&self) {
        {
            let mut st = lock(&self.state);
            st.readers = topology("generic").unwrap_or_default();
            st.fault = None;
            st.settings = TerminalSettings::default();
            st.recent.clear();
        }
        self.seed_challenges(DEFAULT_CHALLENGE_SEED);
    }

    /// Uses this issuer for `PUT /__admin/terminal/readers/{n}/card`.
    pub fn set_issuer(&self, issuer: Arc<dyn CardIssuer>) {
        *lock(&self.issuer) = Some(issuer);
    }

    pub fn issuer(&self) -> Option<Arc<dyn CardIssuer>> {
        lock(&self.issuer).clone()
    }

    /// Where face-reader results go (the exchange folder's `face/`).
    pub fn set_face_dir(&self, dir: Option<PathBuf>) {
        *lock(&self.face_dir) = dir;
    }

    /// Reseeds the challenge generator.
    pub fn seed_challenges(&self, seed: u64) {
        *lock(&self.rng) = ChaCha20Rng::seed_from_u64(seed);
    }

    /// Registers a certificate (server-side facts keyed by its serial).
    pub fn register_certificate(
        &self,
        der: &[u8],
        record: CertificateRecord,
    ) -> Result<String, String> {
        let cert = certs::parse(der)?;
        lock(&self.registry).insert(cert.serial.clone(), record, cert.fingerprint);
        Ok(cert.serial)
    }

    /// The registry row of a serial. On the first unknown serial the issuer's default cards
    /// are registered (cards presented from outside the simulator, e.g. over vpcd).
    pub fn lookup_certificate(
        &self,
        cert: &certs::PresentedCertificate,
        now: DateTime<FixedOffset>,
    ) -> Option<CertificateRecord> {
        if let Some(r) = lock(&self.registry).get_issued(cert) {
            return Some(r.clone());
        }
        {
            let mut done = lock(&self.defaults_registered);
            if *done {
                return None;
            }
            *done = true;
        }
        if let Some(issuer) = self.issuer() {
            for (der, record) in issuer.known_certificates(now) {
                if let Ok(issued) = certs::parse(&der) {
                    let mut reg = lock(&self.registry);
                    // A card issued through the admin API keeps its own row.
                    if reg.get(&issued.serial).is_none() {
                        reg.insert(issued.serial, record, issued.fingerprint);
                    }
                }
            }
        }
        lock(&self.registry).get_issued(cert).cloned()
    }

    pub fn registered_certificates(&self) -> Vec<(String, CertificateRecord)> {
        lock(&self.registry)
            .rows()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Replaces the readers.
    pub fn set_readers(&self, readers: Vec<Reader>) {
        lock(&self.state).readers = readers;
    }

    /// Adds a reader; returns its index.
    pub fn add_reader(&self, reader: Reader) -> usize {
        let mut s = lock(&self.state);
        s.readers.push(reader);
        s.readers.len() - 1
    }

    pub fn readers(&self) -> Vec<ReaderSummary> {
        lock(&self.state)
            .readers
            .iter()
            .enumerate()
            .map(|(i, r)| r.summary(i))
            .collect()
    }

    pub fn set_face_mode(&self, index: usize, mode: FaceMode) -> Result<(), RequestError> {
        let mut s = lock(&self.state);
        let r = reader_mut(&mut s.readers, index)?;
        if r.kind != ReaderKind::Face {
            return Err(RequestError(format!("reader {index} is not a face reader")));
        }
        r.mode = mode;
        Ok(())
    }

    pub fn settings(&self) -> TerminalSettings {
        lock(&self.state).settings.clone()
    }

    pub fn set_settings(&self, settings: TerminalSettings) {
        lock(&self.state).settings = settings;
    }

    pub fn fault(&self) -> Option<Fault> {
        lock(&self.state).fault.clone()
    }

    pub fn set_fault(&self, fault: Option<Fault>) {
        lock(&self.state).fault = fault;
    }

    /// Puts a card into an in-process reader.
    pub fn insert_card(
        &self,
        index: usize,
        card: Box<dyn Card>,
        profile: Option<String>,
    ) -> Result<(), RequestError> {
        let mut s = lock(&self.state);
        let r = reader_mut(&mut s.readers, index)?;
        match &mut r.link {
            ReaderLink::Virtual(slot) => {
                let _replaced = slot.insert(card);
                r.card_profile = profile;
                Ok(())
            }
            ReaderLink::External(_) => Err(RequestError(format!(
                "reader {index} ({}) is not an in-process reader: present the card to it instead",
                r.name
            ))),
        }
    }

    /// Issues a card of a profile (registering its certificate) and puts it into a reader.
    pub fn insert_profile(
        &self,
        index: usize,
        profile: &str,
        person: Option<&str>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), RequestError> {
        self.insert_profile_keeping_pins(index, profile, person, now, None)
    }

    /// [`Terminal::insert_profile`] with the card's PIN counters kept in `state_dir`.
    pub fn insert_profile_keeping_pins(
        &self,
        index: usize,
        profile: &str,
        person: Option<&str>,
        now: DateTime<FixedOffset>,
        state_dir: Option<&std::path::Path>,
    ) -> Result<(), RequestError> {
        let issuer = self
            .issuer()
            .ok_or_else(|| RequestError("no card issuer is configured on this simulator".into()))?;
        let issued = issuer.issue(profile, person, now, state_dir).map_err(|e| {
            RequestError(format!(
                "profile \"{profile}\": {e} (profiles: {})",
                issuer.profiles().join(", ")
            ))
        })?;
        if let (Some(der), Some(record)) = (&issued.certificate, issued.record) {
            self.register_certificate(der, record)
                .map_err(|e| RequestError(format!("issued certificate: {e}")))?;
        }
        self.insert_card(index, issued.card, Some(profile.to_owned()))
    }

    /// Takes the card out of an in-process reader.
    pub fn remove_card(&self, index: usize) -> Result<(), RequestError> {
        let mut s = lock(&self.state);
        let r = reader_mut(&mut s.readers, index)?;
        if let ReaderLink::Virtual(slot) = &mut r.link {
            let _removed = slot.remove();
        }
        r.card_profile = None;
        Ok(())
    }

    /// A recent confirmation by id.
    pub fn confirmation(&self, id: u64) -> Option<Confirmation> {
        lock(&self.state)
            .recent
            .iter()
            .find(|c| c.id == id)
            .cloned()
    }

    pub(super) fn challenge(&self) -> [u8; 32] {
        let mut c = [0u8; 32];
        lock(&self.rng).fill_bytes(&mut c);
        c
    }
}
