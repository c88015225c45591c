//! How the job engine runs: [`Pacing`] (instant, hold, per row, per job), 処理上限 and the bulk
//! file size limit.

use oqs_protocol::xml::ReadLimits;
use std::time::Duration;

/// Default limit of rows per bulk file (処理上限; the manual gives none, AMB-84).
pub const DEFAULT_ROW_LIMIT: usize = 10_000;
/// Default size limit of a bulk request file: room for the row limit with long rows.
pub const DEFAULT_BULK_MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;
/// How fast the workers go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pacing {
    /// As fast as possible (tests, benchmarks).
    #[default]
    Instant,
    /// This long per row while 中.
    PerRow(Duration),
    /// This long per job while 中.
    PerJob(Duration),
    /// Jobs stay 待ち until the pacing changes (to watch 待ち).
    Hold,
}

/// The slowest pacing per row (a 10,000-row file then takes at most ≈28 hours).
pub const MAX_ROW_PACING: Duration = Duration::from_secs(10);
/// The slowest pacing per job.
pub const MAX_JOB_PACING: Duration = Duration::from_secs(600);

impl Pacing {
    /// `instant`, `hold`, `<n>ms/row`, `<n>s/row`, `<n>ms/job`, `<n>s/job`; at most
    /// [`MAX_ROW_PACING`] per row and [`MAX_JOB_PACING`] per job.
    pub fn parse(s: &str) -> Result<Pacing, String> {
        let s = s.trim();
        match s {
            "instant" => return Ok(Pacing::Instant),
            "hold" => return Ok(Pacing::Hold),
            _ => {}
        }
        let shown: String = s.chars().take(40).collect();
        let bad = || format!("\"{shown}\" is not a pacing (instant, hold, 50ms/row, 2s/job)");
        let (amount, per) = s.split_once('/').ok_or_else(bad)?;
        let d = if let Some(ms) = amount.strip_suffix("ms") {
            Duration::from_millis(ms.parse().map_err(|_| bad())?)
        } else if let Some(secs) = amount.strip_suffix('s') {
            Duration::from_secs(secs.parse().map_err(|_| bad())?)
        } else {
            return Err(bad());
        };
        let (pacing, max) = match per {
            "row" => (Pacing::PerRow(d), MAX_ROW_PACING),
            "job" => (Pacing::PerJob(d), MAX_JOB_PACING),
            _ => return Err(bad()),
        };
        if d > max {
            return Err(format!(
                "\"{shown}\" is slower than the slowest pacing, {} s/{per}",
                max.as_secs()
            ));
        }
        Ok(pacing)
    }

    pub fn describe(self) -> String {
        match self {
            Pacing::Instant => "instant".into(),
            Pacing::Hold => "hold".into(),
            Pacing::PerRow(d) => format!("{}ms/row", d.as_millis()),
            Pacing::PerJob(d) => format!("{}ms/job", d.as_millis()),
        }
    }
}

/// Settings of the job engine (from the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSettings {
    pub pacing: Pacing,
    /// 処理上限: more rows fail the job with 処理上限エラー.
    pub row_limit: usize,
    /// Largest bulk request file, in bytes.
    pub max_request_bytes: usize,
}

impl Default for JobSettings {
    fn default() -> Self {
        JobSettings {
            pacing: Pacing::Instant,
            row_limit: DEFAULT_ROW_LIMIT,
            max_request_bytes: DEFAULT_BULK_MAX_REQUEST_BYTES,
        }
    }
}

impl JobSettings {
    /// XML limits of a bulk file: enough elements for `row_limit` rows, then 処理上限.
    pub fn read_limits(&self) -> ReadLimits {
        ReadLimits {
            max_bytes: self.max_request_bytes,
            max_depth: ReadLimits::default().max_depth,
            max_elements: self.row_limit.saturating_add(1).saturating_mul(16) + 64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacing_words() {
        assert_eq!(Pacing::parse("instant"), Ok(Pacing::Instant));
        assert_eq!(Pacing::parse("hold"), Ok(Pacing::Hold));
        assert_eq!(
            Pacing::parse("50ms/row"),
            Ok(Pacing::PerRow(Duration::from_millis(50)))
        );
        assert_eq!(
            Pacing::parse("2s/job"),
            Ok(Pacing::PerJob(Duration::from_secs(2)))
        );
        assert!(Pacing::parse("fast").is_err());
        assert_eq!(Pacing::parse("10s/row"), Ok(Pacing::PerRow(MAX_ROW_PACING)));
        for slow in ["10001ms/row", "601s/job", "18446744073709551615ms/row"] {
            assert!(Pacing::parse(slow).is_err(), "{slow}");
        }
        assert!(Pacing::parse("5/row").is_err());
    }
}
