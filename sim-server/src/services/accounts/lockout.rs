//! AUTH-03, the one lockout rule (screens and WebAPI alike): 「パスワードを 5 回間違えると、
//! アカウントがロックされ 30 分間ログインできなくなります。」
//!
//! Decisions for AMB-03: the failures must be consecutive (a login resets the count), the 5th
//! wrong password already answers ERR-01, attempts while locked (right or wrong) neither log in
//! nor extend the lock, the lock is per account, and an administrator's reset (AUTH-17) lifts it.

use chrono::{DateTime, Duration, FixedOffset};

/// Wrong passwords in a row that lock the account.
pub const LOCKOUT_AFTER: u32 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT_FOR: Duration = Duration::minutes(30);

type Time = DateTime<FixedOffset>;

/// One account's failure count and lock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lockout {
    failures: u32,
    locked_until: Option<Time>,
}

impl Lockout {
    /// `Err(until)` while locked at `now`; a lock that has run out is forgotten.
    pub fn check(&mut self, now: Time) -> Result<(), Time> {
        match self.locked_until {
            Some(until) if now < until => Err(until),
            Some(_) => {
                *self = Lockout::default();
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// A wrong password at `now`: `Some(until)` when this one locks the account.
    pub fn failed(&mut self, now: Time) -> Option<Time> {
        self.failures += 1;
        if self.failures >= LOCKOUT_AFTER {
            let until = now + LOCKOUT_FOR;
            self.locked_until = Some(until);
            Some(until)
        } else {
            None
        }
    }

    /// A successful login, or an administrator's reset: the count starts again.
    pub fn clear(&mut self) {
        *self = Lockout::default();
    }

    /// Until when the account is locked, if it is at `now`.
    pub fn locked_until(&self, now: Time) -> Option<Time> {
        self.locked_until.filter(|u| now < *u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_in_a_row_lock_for_thirty_minutes() {
        let t0 = DateTime::parse_from_rfc3339("2021-01-06T10:00:00+09:00").unwrap();
        let mut l = Lockout::default();
        for _ in 1..LOCKOUT_AFTER {
            assert_eq!(l.failed(t0), None);
        }
        l.clear();
        for _ in 1..LOCKOUT_AFTER {
            assert_eq!(l.failed(t0), None);
        }
        let until = t0 + LOCKOUT_FOR;
        assert_eq!(l.failed(t0), Some(until));
        assert_eq!(l.check(until - Duration::seconds(1)), Err(until));
        assert_eq!(l.locked_until(t0), Some(until));
        assert_eq!(l.check(until), Ok(()));
        assert_eq!(
            l.failed(until),
            None,
            "the count starts again after the lock"
        );
    }
}
