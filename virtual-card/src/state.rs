//! PIN state of a card (PINs and retry counters), optionally persisted as a small JSON file so a
//! card locked before a restart stays locked until `oqs-vcard reset-pin`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The 利用者証明用 PIN every virtual card is issued with (fictional).
pub const DEFAULT_AUTH_PIN: &str = "1234";
/// The 署名用 PIN every virtual card is issued with (fictional).
pub const DEFAULT_SIGN_PIN: &str = "OQSSIM1";

/// Tries of the 利用者証明用 PIN.
pub const AUTH_PIN_TRIES: u8 = 3;
/// Tries of the 署名用 PIN.
pub const SIGN_PIN_TRIES: u8 = 5;

/// PINs and tries left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinState {
    /// 利用者証明用 PIN (4 digits).
    pub auth_pin: String,
    /// Tries left on it (0 = locked).
    pub auth_tries_left: u8,
    /// 署名用 PIN.
    pub sign_pin: String,
    /// Tries left on it.
    pub sign_tries_left: u8,
}

impl PinState {
    /// Fresh PINs with `auth_tries_left` tries (0 for a locked card).
    pub fn issued(auth_tries_left: u8) -> Self {
        PinState {
            auth_pin: DEFAULT_AUTH_PIN.to_string(),
            auth_tries_left: auth_tries_left.min(AUTH_PIN_TRIES),
            sign_pin: DEFAULT_SIGN_PIN.to_string(),
            sign_tries_left: SIGN_PIN_TRIES,
        }
    }

    /// Reads a state file; `None` if it is missing or not a state file (then the card's issued
    /// state applies).
    pub fn load(path: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(path).ok()?;
        let state: PinState = serde_json::from_str(&text).ok()?;
        (state.auth_tries_left <= AUTH_PIN_TRIES && state.sign_tries_left <= SIGN_PIN_TRIES)
            .then_some(state)
    }

    /// Writes the state file atomically (temp name + rename).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)
    }
}

/// The state file of a card (profile, seed) in `state_dir`.
pub fn state_file(state_dir: &Path, profile: &str, seed: u64) -> PathBuf {
    state_dir.join(format!("{profile}-{seed}.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejects_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let path = state_file(dir.path(), "valid", 1);
        let mut state = PinState::issued(3);
        state.auth_tries_left = 1;
        state.save(&path).unwrap();
        assert_eq!(PinState::load(&path), Some(state));
        std::fs::write(&path, "{not json").unwrap();
        assert_eq!(PinState::load(&path), None);
        std::fs::write(
            &path,
            r#"{"auth_pin":"1234","auth_tries_left":9,"sign_pin":"X","sign_tries_left":5}"#,
        )
        .unwrap();
        assert_eq!(PinState::load(&path), None, "more tries than a card has");
    }
}
