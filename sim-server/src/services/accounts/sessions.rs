//! Screen sessions (ログイン状態): server-side, keyed by 128 random bits from the OS CSPRNG, each
//! with its own CSRF token. On the simulator's clock:
//! - AUTH-13: a session unused for [`IDLE_TIMEOUT`] has ended (ERR-04 at its next request:
//!   AMB-90, the simulator shows it when the browser next asks, not pro-actively);
//! - AUTH-14: logging in again without logging out ends the account's older sessions (AMB-07:
//!   the old session gets ERR-04 at its next request, the new login goes on).
//!
//! At most [`CAPACITY`] sessions are kept; beyond, the least recently used go first.

use super::PendingChange;
use chrono::{DateTime, Duration, FixedOffset};
use rand::RngCore;
use std::collections::HashMap;
use std::sync::Mutex;

/// AUTH-13: 30 minutes without an operation.
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// Sessions kept at once (bounded memory).
pub const CAPACITY: usize = 1024;

type Time = DateTime<FixedOffset>;

/// What a logged-in session may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Everything its account may see.
    Active,
    /// ERR-03 was shown: only SCR-07 until the initial password is changed (AUTH-11).
    MustChangeInitial,
    /// ERR-02 was shown: only SCR-06 until the password is changed (AUTH-10).
    MustChangeExpired,
}

/// Why a session ended without 《ログアウト》 (both show ERR-04).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// AUTH-13.
    Idle,
    /// AUTH-14.
    LoggedInElsewhere,
}

/// A live session, as a screen sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    pub id: String,
    pub login_id: String,
    /// The token every form of this session carries.
    pub csrf: String,
    pub stage: Stage,
}

/// The answer to a session cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Live(SessionView),
    /// Ended since its last request: show ERR-04 (once; the session is then forgotten).
    Ended(Ended),
    Unknown,
}

#[derive(Debug)]
struct Session {
    login_id: String,
    csrf: String,
    last_active: Time,
    stage: Stage,
    pending: Option<PendingChange>,
    ended: Option<Ended>,
}

/// Every screen session.
#[derive(Debug, Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

/// 128 bits from the operating system's CSPRNG, as 32 hex digits.
pub fn random_token() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new session for `login_id` at `now`; the account's other live sessions end (AUTH-14).
    pub fn open(&self, login_id: &str, stage: Stage, now: Time) -> SessionView {
        let mut m = self.lock();
        for s in m.values_mut() {
            if s.login_id == login_id && s.ended.is_none() {
                s.ended = Some(Ended::LoggedInElsewhere);
            }
        }
        while m.len() >= CAPACITY {
            let Some(oldest) = m
                .iter()
                .min_by_key(|(_, s)| s.last_active)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            m.remove(&oldest);
        }
        let id = random_token();
        let csrf = random_token();
        m.insert(
            id.clone(),
            Session {
                login_id: login_id.to_owned(),
                csrf: csrf.clone(),
                last_active: now,
                stage,
                pending: None,
                ended: None,
            },
        );
        SessionView {
            id,
            login_id: login_id.to_owned(),
            csrf,
            stage,
        }
    }

    /// The session with this id at `now`; a live one counts as used (its idle time restarts).
    pub fn touch(&self, id: &str, now: Time) -> Lookup {
        let mut m = self.lock();
        let Some(s) = m.get_mut(id) else {
            return Lookup::Unknown;
        };
        if s.ended.is_none() && now - s.last_active >= IDLE_TIMEOUT {
            s.ended = Some(Ended::Idle);
        }
        if let Some(e) = s.ended {
            m.remove(id);
            return Lookup::Ended(e);
        }
        s.last_active = s.last_active.max(now);
        Lookup::Live(SessionView {
            id: id.to_owned(),
            login_id: s.login_id.clone(),
            csrf: s.csrf.clone(),
            stage: s.stage,
        })
    }

    /// 《ログアウト》 (AUTH-16).
    pub fn close(&self, id: &str) {
        self.lock().remove(id);
    }

    pub fn set_stage(&self, id: &str, stage: Stage) {
        if let Some(s) = self.lock().get_mut(id) {
            s.stage = stage;
        }
    }

    /// Keeps a checked password change until DLG-02 is answered.
    pub fn set_pending(&self, id: &str, pending: Option<PendingChange>) {
        if let Some(s) = self.lock().get_mut(id) {
            s.pending = pending;
        }
    }

    pub fn take_pending(&self, id: &str) -> Option<PendingChange> {
        self.lock().get_mut(id).and_then(|s| s.pending.take())
    }

    /// Ends every session of `login_id` (the administrator reset its password).
    pub fn forget_account(&self, login_id: &str) {
        self.lock().retain(|_, s| s.login_id != login_id);
    }

    /// Ends every session (`POST /__admin/reset`): their cookies are then unknown (SCR-02).
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Live sessions (for the admin API).
    pub fn len(&self) -> usize {
        self.lock().values().filter(|s| s.ended.is_none()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_and_double_login_end_a_session_once() {
        let t0 = DateTime::parse_from_rfc3339("2021-01-06T10:00:00+09:00").unwrap();
        let s = Sessions::default();
        let a = s.open("staff01", Stage::Active, t0);
        assert_eq!(a.id.len(), 32);
        assert_ne!(a.id, a.csrf);
        let t1 = t0 + IDLE_TIMEOUT - Duration::seconds(1);
        assert!(matches!(s.touch(&a.id, t1), Lookup::Live(_)));
        assert!(matches!(
            s.touch(&a.id, t1 + IDLE_TIMEOUT - Duration::seconds(1)),
            Lookup::Live(_)
        ));
        assert_eq!(
            s.touch(&a.id, t1 + IDLE_TIMEOUT * 2),
            Lookup::Ended(Ended::Idle)
        );
        assert_eq!(s.touch(&a.id, t1), Lookup::Unknown);
        let b = s.open("staff01", Stage::Active, t0);
        let c = s.open("staff01", Stage::Active, t0);
        assert_eq!(s.touch(&b.id, t0), Lookup::Ended(Ended::LoggedInElsewhere));
        assert!(matches!(s.touch(&c.id, t0), Lookup::Live(_)));
        s.close(&c.id);
        assert_eq!(s.touch(&c.id, t0), Lookup::Unknown);
    }
}
