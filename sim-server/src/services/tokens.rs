//! WebAPI sessions (ch.1 §4 WebAPI用 account): the demo account, its lockout and the tokens
//! handed out.
//!
//! - Tokens are 128 random bits from the operating system's CSPRNG (`OsRng`), hex.
//! - A token expires after [`IDLE_EXPIRY`] unused (AUTH-13's 30 minutes) and [`MAX_AGE`] after
//!   it was issued, on the simulator's clock (`PUT /__admin/clock` moves them too).
//! - AUTH-03: [`LOCKOUT_AFTER`] wrong passwords in a row lock the account for [`LOCKOUT_FOR`];
//!   decisions for AMB-03: the failures must be consecutive (a login resets the count), the 5th
//!   wrong password already answers ERR-01, and attempts while locked (right or wrong) neither
//!   log in nor extend the lock.

use chrono::{DateTime, Duration, FixedOffset};
use rand::RngCore;
use std::collections::VecDeque;
use std::sync::Mutex;

/// Demo WebAPI account (a WebAPI用 special account, ch.1 §4). Documented in the README.
pub const DEMO_USER: &str = "webapi01";
/// Satisfies the password rules (8–20 characters, letters, digits and a symbol).
pub const DEMO_PASSWORD: &str = "Demo#Pass2021";

/// Tokens kept, newest last; older ones stop being valid (bounded memory).
pub const TOKEN_CAPACITY: usize = 1024;
/// A token unused this long expires (AUTH-13).
pub const IDLE_EXPIRY: Duration = Duration::minutes(30);
/// A token expires this long after it was issued, used or not.
pub const MAX_AGE: Duration = Duration::hours(24);
/// Wrong passwords in a row that lock the account (AUTH-03).
pub const LOCKOUT_AFTER: u32 = 5;
/// How long a locked account stays locked (AUTH-03).
pub const LOCKOUT_FOR: Duration = Duration::minutes(30);

type Time = DateTime<FixedOffset>;

#[derive(Debug)]
struct Session {
    token: String,
    issued: Time,
    last_used: Time,
}

#[derive(Debug, Default)]
struct State {
    sessions: VecDeque<Session>,
    failures: u32,
    locked_until: Option<Time>,
}

/// The outcome of a login attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    /// Logged in: access, refresh and id tokens.
    Granted {
        access: String,
        refresh: String,
        id: String,
    },
    /// Wrong user or password.
    Refused,
    /// ERR-01: locked until this time.
    Locked(Time),
}

/// The WebAPI account's sessions and lockout.
#[derive(Debug, Default)]
pub struct TokenStore {
    state: Mutex<State>,
}

/// 128 bits from the operating system's CSPRNG, as 32 hex digits.
fn random_hex() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
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
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A login attempt for `account` (user, password) at `now`.
    pub fn login(&self, account: (&str, &str), given: (&str, &str), now: Time) -> Login {
        let mut s = self.lock();
        // Only the account's own user ID counts toward its lockout.
        let user_ok = same_secret(given.0, account.0);
        match s.locked_until {
            Some(until) if now < until => return Login::Locked(until),
            Some(_) => {
                s.locked_until = None;
                s.failures = 0;
            }
            None => {}
        }
        if !user_ok {
            return Login::Refused;
        }
        if !same_secret(given.1, account.1) {
            s.failures += 1;
            if s.failures >= LOCKOUT_AFTER {
                let until = now + LOCKOUT_FOR;
                s.locked_until = Some(until);
                return Login::Locked(until);
            }
            return Login::Refused;
        }
        s.failures = 0;
        let id = format!("id-{}", random_hex());
        s.sessions.push_back(Session {
            token: id.clone(),
            issued: now,
            last_used: now,
        });
        while s.sessions.len() > TOKEN_CAPACITY {
            s.sessions.pop_front();
        }
        Login::Granted {
            access: format!("access-{}", random_hex()),
            refresh: format!("refresh-{}", random_hex()),
            id,
        }
    }

    /// Whether `token` is a live id token at `now`; using it keeps it alive. Expired tokens
    /// are forgotten.
    pub fn use_token(&self, token: &str, now: Time) -> bool {
        let mut s = self.lock();
        s.sessions
            .retain(|t| now - t.last_used <= IDLE_EXPIRY && now - t.issued <= MAX_AGE);
        match s.sessions.iter_mut().find(|t| same_secret(&t.token, token)) {
            Some(t) => {
                t.last_used = t.last_used.max(now);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Time {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn tokens_are_random_expire_and_the_account_locks() {
        let store = TokenStore::default();
        let acct = ("webapi01", "Pass#word1");
        let t0 = at("2021-01-06T10:00:00+09:00");
        let Login::Granted { id, access, .. } = store.login(acct, acct, t0) else {
            panic!("login")
        };
        assert_eq!(id.len(), 3 + 32);
        assert_ne!(id[3..], access[7..]);
        assert!(store.use_token(&id, t0 + Duration::minutes(29)));
        assert!(store.use_token(&id, t0 + Duration::minutes(58)));
        assert!(!store.use_token(&id, t0 + Duration::minutes(89)));
        for i in 1..LOCKOUT_AFTER {
            assert_eq!(
                store.login(acct, ("webapi01", "x"), t0),
                Login::Refused,
                "{i}"
            );
        }
        let until = t0 + LOCKOUT_FOR;
        assert_eq!(
            store.login(acct, ("webapi01", "x"), t0),
            Login::Locked(until)
        );
        assert_eq!(
            store.login(acct, acct, until - Duration::seconds(1)),
            Login::Locked(until)
        );
        assert!(matches!(
            store.login(acct, acct, until),
            Login::Granted { .. }
        ));
    }
}
