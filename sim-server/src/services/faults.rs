//! Injected faults of the file exchange (`/__admin/faults/exchange`): the exchange reads them
//! before answering a request file. (The job engine's and the terminal's faults live with them.)

use oqs_protocol::errors::ErrorKind;
use serde_json::json;
use std::sync::Mutex;
use std::time::Duration;

/// The longest pause of a piecewise result write (bounded: the scan waits for it).
pub const MAX_PARTIAL_WRITE: Duration = Duration::from_secs(10);

/// An injected fault of the file exchange, active until cleared (`DELETE
/// /__admin/faults/exchange`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExchangeFault {
    /// Every request file is answered with `<base>.err` carrying this error-table row (e.g.
    /// `EQ0900 システムエラー`) instead of a result; the request is not processed.
    pub reject: Option<ErrorKind>,
    /// Result files are written NON-atomically under their final name: the first half, a pause
    /// of this length, then the rest (a client must not read a result before it is complete).
    pub partial_write: Option<Duration>,
}

impl ExchangeFault {
    /// The JSON of the admin API: `{"reject":"system-error"|null,"partial_write_ms":300|null}`.
    pub fn to_json(self) -> serde_json::Value {
        json!({
            "reject": self.reject.map(ErrorKind::key),
            "partial_write_ms": self.partial_write.map(|d| d.as_millis() as u64),
        })
    }

    /// Reads the admin API's body; unknown keys and out-of-range values are errors.
    pub fn from_json(bytes: &[u8]) -> Result<ExchangeFault, String> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Body {
            #[serde(default)]
            reject: Option<String>,
            #[serde(default)]
            partial_write_ms: Option<u64>,
        }
        let b: Body = serde_json::from_slice(bytes).map_err(|e| {
            format!("expected {{\"reject\":\"system-error\"}} or {{\"partial_write_ms\":300}}: {e}")
        })?;
        let reject = match b.reject {
            None => None,
            Some(k) => Some(ErrorKind::from_key(&k).ok_or_else(|| {
                format!(
                    "reject: \"{k}\" is not a key of the error table (GET /__admin/error-table)"
                )
            })?),
        };
        let partial_write = match b.partial_write_ms {
            None => None,
            Some(ms) if Duration::from_millis(ms) <= MAX_PARTIAL_WRITE => {
                Some(Duration::from_millis(ms))
            }
            Some(ms) => {
                return Err(format!(
                    "partial_write_ms: {ms} is more than {} ms",
                    MAX_PARTIAL_WRITE.as_millis()
                ))
            }
        };
        Ok(ExchangeFault {
            reject,
            partial_write,
        })
    }
}

/// The fault in force (shared by the simulator and the exchange).
#[derive(Debug, Default)]
pub struct ExchangeFaults(Mutex<ExchangeFault>);

impl ExchangeFaults {
    pub fn get(&self) -> ExchangeFault {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub fn set(&self, fault: ExchangeFault) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = fault;
    }
    pub fn clear(&self) {
        self.set(ExchangeFault::default());
    }
}
