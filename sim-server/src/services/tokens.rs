//! WebAPI sessions (ch.1 §4 WebAPI用 account): the tokens handed out after a login. The login
//! itself, with AUTH-03's lockout, is the accounts service's (`services::accounts`).
//!
//! - Tokens are 128 random bits from the operating system's CSPRNG (`OsRng`), hex.
//! - A token expires after [`IDLE_EXPIRY`] unused (AUTH-13's 30 minutes) and [`MAX_AGE`] after
//!   it was issued, on the simulator's clock (`PUT /__admin/clock` moves them too).

use chrono::{DateTime, Duration, FixedOffset};
use std::collections::VecDeque;
use std::sync::Mutex;

/// Demo WebAPI account (a WebAPI用 special account, ch.1 §4), one of the built-in accounts
/// (`fixtures/accounts.toml`). Documented in the README.
pub const DEMO_USER: &str = "webapi01";
/// Satisfies the password rules (8–20 characters, letters, digits and a symbol).
pub const DEMO_PASSWORD: &str = "Demo#Pass2021";

/// Tokens kept, newest last; older ones stop being valid (bounded memory).
pub const TOKEN_CAPACITY: usize = 1024;
/// A token unused this long expires (AUTH-13).
pub const IDLE_EXPIRY: Duration = Duration::minutes(30);
/// A token expires this long after it was issued, used or not.
pub const MAX_AGE: Duration = Duration::hours(24);

type Time = DateTime<FixedOffset>;

#[derive(Debug)]
struct Session {
    token: String,
    issued: Time,
    last_used: Time,
}

/// The tokens of one login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access: String,
    pub refresh: String,
    pub id: String,
}

/// The WebAPI's live tokens.
#[derive(Debug, Default)]
pub struct TokenStore {
    sessions: Mutex<VecDeque<Session>>,
}

fn random_hex() -> String {
    crate::services::accounts::sessions::random_token()
}

/// Compares secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl TokenStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Session>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Tokens for a login at `now` (the account was checked by the accounts service).
    pub fn issue(&self, now: Time) -> Tokens {
        let id = format!("id-{}", random_hex());
        let mut s = self.lock();
        s.push_back(Session {
            token: id.clone(),
            issued: now,
            last_used: now,
        });
        while s.len() > TOKEN_CAPACITY {
            s.pop_front();
        }
        Tokens {
            access: format!("access-{}", random_hex()),
            refresh: format!("refresh-{}", random_hex()),
            id,
        }
    }

    /// Whether `token` is a live id token at `now`; using it keeps it alive. Expired tokens
    /// are forgotten.
    pub fn use_token(&self, token: &str, now: Time) -> bool {
        let mut s = self.lock();
        s.retain(|t| now - t.last_used <= IDLE_EXPIRY && now - t.issued <= MAX_AGE);
        match s.iter_mut().find(|t| same_secret(&t.token, token)) {
            Some(t) => {
                t.last_used = t.last_used.max(now);
                true
            }
            None => false,
        }
    }

    /// Ends every token (`POST /__admin/reset`): the WebAPI needs a new login.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Time {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn tokens_are_random_and_expire() {
        let store = TokenStore::default();
        let t0 = at("2021-01-06T10:00:00+09:00");
        let Tokens { id, access, .. } = store.issue(t0);
        assert_eq!(id.len(), 3 + 32);
        assert_ne!(id[3..], access[7..]);
        assert!(store.use_token(&id, t0 + Duration::minutes(29)));
        assert!(store.use_token(&id, t0 + Duration::minutes(58)));
        assert!(!store.use_token(&id, t0 + Duration::minutes(89)));
        assert!(!store.use_token("id-0", t0));
        // Used every 20 minutes, a token still ends 24 hours after its issue.
        let other = store.issue(t0);
        let mut t = t0;
        while t < t0 + MAX_AGE {
            assert!(store.use_token(&other.id, t));
            t += Duration::minutes(20);
        }
        assert!(!store.use_token(&other.id, t0 + MAX_AGE + Duration::minutes(1)));
    }

    #[test]
    fn clear_ends_every_token() {
        let store = TokenStore::default();
        let t0 = at("2021-01-06T10:00:00+09:00");
        let (a, b) = (store.issue(t0).id, store.issue(t0).id);
        store.clear();
        assert!(!store.use_token(&a, t0) && !store.use_token(&b, t0));
        let c = store.issue(t0).id;
        assert!(store.use_token(&c, t0));
    }
}
