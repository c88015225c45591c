//! The simulator's "now": the wall clock, a frozen instant, or an instant that then runs on.
//! Every date the simulator computes (資格確認日 default, 義務教育就学前, timestamps) comes from here.

use chrono::{DateTime, Datelike, FixedOffset, Utc};
use oqs_domain::inquiry::jst;
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClockMode {
    /// The machine's clock.
    System,
    /// Always the same instant (the default for `--now` and tests).
    Frozen(DateTime<FixedOffset>),
    /// Starts at an instant and advances with real time.
    Running {
        from: DateTime<FixedOffset>,
        since: Instant,
    },
}

/// An injectable clock, shared by every transport. Clones share the same mode (the job
/// workers hold one).
#[derive(Debug, Clone)]
pub struct Clock {
    mode: Arc<Mutex<ClockMode>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock {
            mode: Arc::new(Mutex::new(ClockMode::System)),
        }
    }

    pub fn frozen(at: DateTime<FixedOffset>) -> Self {
        Clock {
            mode: Arc::new(Mutex::new(ClockMode::Frozen(at))),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ClockMode> {
        // A poisoned lock still holds a valid mode (it is Copy); keep serving.
        self.mode.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Now, in JST.
    pub fn now(&self) -> DateTime<FixedOffset> {
        match *self.lock() {
            ClockMode::System => Utc::now().with_timezone(&jst()),
            ClockMode::Frozen(t) => t,
            // A running clock stops at the last instant of year 9999.
            ClockMode::Running { from, since } => (from
                + chrono::Duration::from_std(since.elapsed())
                    .unwrap_or_else(|_| chrono::Duration::zero()))
            .min(latest()),
        }
    }

    /// Sets the clock: frozen at `at`, or running from `at` when `advance`.
    pub fn set(&self, at: DateTime<FixedOffset>, advance: bool) {
        *self.lock() = if advance {
            ClockMode::Running {
                from: at,
                since: Instant::now(),
            }
        } else {
            ClockMode::Frozen(at)
        };
    }

    /// Moves the clock to `at`: a frozen clock stays frozen there, a running or wall clock runs
    /// on from it (the tray's exercises: the idle timeout, a password's expiry).
    pub fn move_to(&self, at: DateTime<FixedOffset>) {
        let frozen = matches!(*self.lock(), ClockMode::Frozen(_));
        self.set(at, !frozen);
    }

    /// Back to the wall clock.
    pub fn reset(&self) {
        *self.lock() = ClockMode::System;
    }

    /// `"system"`, `"frozen"` or `"running"`.
    pub fn mode_name(&self) -> &'static str {
        match *self.lock() {
            ClockMode::System => "system",
            ClockMode::Frozen(_) => "frozen",
            ClockMode::Running { .. } => "running",
        }
    }
}

/// The latest instant the simulator's clock shows: 9999-12-31 23:59:59.999 JST. Timestamps are
/// written with a 4-digit year (ProcessExecutionTime `yyyymmddhhmmss`), so a later one would
/// not fit.
pub fn latest() -> DateTime<FixedOffset> {
    match chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_milli_opt(23, 59, 59, 999))
        .and_then(|t| t.and_local_timezone(jst()).single())
    {
        Some(t) => t,
        None => unreachable!("9999-12-31 23:59:59.999 is a valid JST time"),
    }
}

/// Parses an RFC 3339 instant such as `2021-01-06T10:00:00+09:00`, in years 1–9999 as JST.
pub fn parse_now(s: &str) -> Result<DateTime<FixedOffset>, String> {
    let shown: String = s.chars().take(64).collect();
    let t = DateTime::parse_from_rfc3339(s.trim()).map_err(|e| {
        format!("\"{shown}\" is not an RFC 3339 time such as 2021-01-06T10:00:00+09:00 ({e})")
    })?;
    let year = t.with_timezone(&jst()).year();
    if !(1..=9999).contains(&year) {
        return Err(format!(
            "\"{shown}\" is year {year} in JST; the clock runs from year 1 to 9999 \
             (timestamps have 4-digit years)"
        ));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_stays_and_running_advances() {
        let t = parse_now("2021-01-06T10:00:00+09:00").unwrap();
        let c = Clock::frozen(t);
        assert_eq!(c.now(), t);
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(c.now(), t);
        c.set(t, true);
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(c.now() > t);
        assert_eq!(c.mode_name(), "running");
        assert!(parse_now("2021-01-06").is_err());
    }
}
