//! Writing a result file so that a reader sees it whole (the exchange's `res/`, the face
//! reader's `face/`), or on purpose in two pieces (the exchange fault).

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

/// Writes `dir/name` so that readers see either nothing or the whole file.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, dir.join(name))
}

/// Writes `dir/name` in two pieces under its final name, `pause` apart: a reader may see the
/// first half (the [`crate::services::faults::ExchangeFault::partial_write`] fault).
pub fn write_in_pieces(dir: &Path, name: &str, bytes: &[u8], pause: Duration) -> io::Result<()> {
    let half = bytes.len() / 2;
    let mut f = fs::File::create(dir.join(name))?;
    f.write_all(&bytes[..half])?;
    f.sync_data()?;
    std::thread::sleep(pause);
    f.write_all(&bytes[half..])?;
    f.sync_all()
}
