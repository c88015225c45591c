//! システム障害 (ch.12 §1, ENV-15) as a fault, the later check after recovery (RULE-92) and the
//! 対象期間 of 緊急時医療情報・資格確認機能 (RULE-90, ENV-14).
//!
//! While the outage is on, every machine request is refused unread with the `system-outage` row
//! (HTTP 503, `.err` in the exchange; journalled) and the terminal's and screens' JSON routes
//! answer 503 with the manual's fallback (RULE-91). After recovery, within the period set with
//! the fault (「指定された期間」, not stated in the manual: 30 days by default), a 管理アカウント or
//! 医療情報閲覧アカウント checks the qualification from the noted data (DM-23); the check is
//! recorded as 「システム障害時」 (DM-17). Inside the emergency period the 緊急時医療情報・資格確認機能
//! menu is shown and its checks are recorded as 「災害時」 (no 《詳細》, RULE-59).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// 「指定された期間」 after recovery when the fault does not set one (days).
pub const DEFAULT_LATER_CHECK_DAYS: u32 = 30;
/// The longest period that can be set (days).
pub const MAX_LATER_CHECK_DAYS: u32 = 366;

/// One outage: when it began and, once over, when the system came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Episode {
    pub started_at: DateTime<FixedOffset>,
    pub recovered_at: Option<DateTime<FixedOffset>>,
    /// 「指定された期間」 after recovery for the later check, in days.
    pub later_check_days: u32,
}

impl Episode {
    /// The last moment of the later-check period (once recovered).
    pub fn later_check_until(&self) -> Option<DateTime<FixedOffset>> {
        self.recovered_at
            .map(|r| r + Duration::days(i64::from(self.later_check_days)))
    }
}

/// An inclusive range of days (JST).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayRange {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

#[derive(Debug, Default)]
struct State {
    /// The current outage or, after recovery, the last one.
    episode: Option<Episode>,
    emergency: Option<DayRange>,
}

/// The outage fault and the emergency period.
#[derive(Debug, Default)]
pub struct Outage {
    /// Read on every request: a flag, not the lock.
    active: AtomicBool,
    state: Mutex<State>,
}

/// Why a later check is not possible now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LaterCheckRefusal {
    #[error("the system is still in outage: the later check comes after recovery (RULE-92)")]
    StillDown,
    #[error("no outage happened: there is nothing to check later")]
    NoOutage,
    #[error("the period for the later check ended at {0} (RULE-92: within the set period)")]
    PeriodOver(String),
}

impl Outage {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the system is in outage (ENV-15).
    pub fn active(&self) -> bool {
        self.active.load(Ordering::SeqCst)
    }

    /// Puts the simulator in システム障害 (kept as it is when already down).
    pub fn start(&self, now: DateTime<FixedOffset>, later_check_days: Option<u32>) -> Episode {
        let mut st = self.lock();
        let ep = match st.episode {
            Some(e) if e.recovered_at.is_none() => Episode {
                later_check_days: later_check_days.unwrap_or(e.later_check_days),
                ..e
            },
            _ => Episode {
                started_at: now,
                recovered_at: None,
                later_check_days: later_check_days.unwrap_or(DEFAULT_LATER_CHECK_DAYS),
            },
        };
        st.episode = Some(ep);
        self.active.store(true, Ordering::SeqCst);
        ep
    }

    /// システム復旧: the system answers again; the later-check period begins.
    pub fn recover(&self, now: DateTime<FixedOffset>) -> Option<Episode> {
        let mut st = self.lock();
        self.active.store(false, Ordering::SeqCst);
        let ep = st.episode.as_mut()?;
        if ep.recovered_at.is_none() {
            ep.recovered_at = Some(now.max(ep.started_at));
        }
        Some(*ep)
    }

    /// The current or last outage.
    pub fn episode(&self) -> Option<Episode> {
        self.lock().episode
    }

    /// RULE-92: the later check is possible after recovery, within the set period.
    pub fn later_check_window(
        &self,
        now: DateTime<FixedOffset>,
    ) -> Result<Episode, LaterCheckRefusal> {
        let ep = self.episode().ok_or(LaterCheckRefusal::NoOutage)?;
        let until = ep.later_check_until().ok_or(LaterCheckRefusal::StillDown)?;
        if now > until {
            return Err(LaterCheckRefusal::PeriodOver(until.to_rfc3339()));
        }
        Ok(ep)
    }

    /// No outage ever, no emergency period (a test harness between scenarios).
    pub fn clear(&self) {
        let mut st = self.lock();
        self.active.store(false, Ordering::SeqCst);
        *st = State::default();
    }

    /// ENV-14: the 対象期間 of 緊急時医療情報・資格確認機能 (`None`: no period, the menu is hidden).
    pub fn set_emergency_period(&self, period: Option<DayRange>) {
        self.lock().emergency = period;
    }

    pub fn emergency_period(&self) -> Option<DayRange> {
        self.lock().emergency
    }

    /// RULE-90: the menu is shown only inside its 対象期間.
    pub fn emergency_open(&self, today: NaiveDate) -> bool {
        self.emergency_period()
            .is_some_and(|p| p.from <= today && today <= p.until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn an_outage_then_recovery_opens_the_later_check_for_its_period() {
        let o = Outage::default();
        assert!(!o.active());
        assert_eq!(
            o.later_check_window(t("2024-01-10T10:00:00+09:00")),
            Err(LaterCheckRefusal::NoOutage)
        );
        o.start(t("2024-01-10T10:00:00+09:00"), Some(7));
        assert!(o.active());
        // Starting again while down keeps the start.
        let ep = o.start(t("2024-01-10T11:00:00+09:00"), None);
        assert_eq!(ep.started_at, t("2024-01-10T10:00:00+09:00"));
        assert_eq!(ep.later_check_days, 7);
        assert_eq!(
            o.later_check_window(t("2024-01-10T12:00:00+09:00")),
            Err(LaterCheckRefusal::StillDown)
        );
        o.recover(t("2024-01-10T15:00:00+09:00"));
        assert!(!o.active());
        assert!(o.later_check_window(t("2024-01-17T15:00:00+09:00")).is_ok());
        assert!(matches!(
            o.later_check_window(t("2024-01-17T15:00:01+09:00")),
            Err(LaterCheckRefusal::PeriodOver(_))
        ));
        // A new outage starts a new episode.
        let ep = o.start(t("2024-02-01T09:00:00+09:00"), None);
        assert_eq!(ep.started_at, t("2024-02-01T09:00:00+09:00"));
        assert_eq!(ep.later_check_days, DEFAULT_LATER_CHECK_DAYS);
    }

    #[test]
    fn the_emergency_menu_is_shown_only_inside_its_period() {
        let o = Outage::default();
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(!o.emergency_open(d("2024-01-01")));
        o.set_emergency_period(Some(DayRange {
            from: d("2024-01-01"),
            until: d("2024-01-31"),
        }));
        assert!(o.emergency_open(d("2024-01-01")));
        assert!(o.emergency_open(d("2024-01-31")));
        assert!(!o.emergency_open(d("2023-12-31")));
        assert!(!o.emergency_open(d("2024-02-01")));
    }
}
