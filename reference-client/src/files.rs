//! Reading answer files of the exchange: present or not, and complete or not.

use std::fs;
use std::path::Path;
use std::time::Duration;

pub(crate) fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("read {}: {e}", path.display())),
    }
}

/// The text of a file once its size has stopped changing (an `.err` file has no end marker).
pub(crate) fn read_complete_text(path: &Path, pause: Duration) -> Result<Option<String>, String> {
    let Some(mut bytes) = read_if_present(path)? else {
        return Ok(None);
    };
    for _ in 0..50 {
        std::thread::sleep(pause);
        let again = read_if_present(path)?.unwrap_or_default();
        if again == bytes && !again.is_empty() {
            return Ok(Some(String::from_utf8_lossy(&again).into_owned()));
        }
        bytes = again;
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}
