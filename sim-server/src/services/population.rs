//! The population the inquiries judge against: swapped whole on a fixture load (readers keep
//! the snapshot they took), and the one the simulator started with, for `reset`.

use oqs_domain::fixtures::{self, FixtureError, LoadMode};
use oqs_domain::Population;
use std::sync::{Arc, RwLock};

/// The current population and the starting one.
#[derive(Debug)]
pub struct Populations {
    current: RwLock<Arc<Population>>,
    builtin: Arc<Population>,
}

impl Populations {
    pub fn new(start: Arc<Population>) -> Self {
        Populations {
            current: RwLock::new(start.clone()),
            builtin: start,
        }
    }

    /// The current population (a cheap snapshot; loads swap it whole).
    pub fn current(&self) -> Arc<Population> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Back to the population the simulator started with.
    pub fn reset(&self) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = self.builtin.clone();
    }

    /// Loads fixture text; on error nothing changes. Returns (persons, qualifications).
    pub fn load_fixtures(
        &self,
        mode: LoadMode,
        file: &str,
        text: &str,
    ) -> Result<(usize, usize), FixtureError> {
        let mut guard = self.current.write().unwrap_or_else(|p| p.into_inner());
        let mut next = (**guard).clone();
        fixtures::load(&mut next, mode, file, text)?;
        let counts = (next.person_count(), next.qualification_count());
        *guard = Arc::new(next);
        Ok(counts)
    }
}
