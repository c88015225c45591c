//! Writing a result file so that a reader sees it whole (the exchange's `res/`, the face
//! reader's `face/`), or on purpose in two pieces (the exchange fault).
//!
//! Clients may write into those folders, so nothing is written through a name they could have
//! planted a link at: temp files are created exclusively (`O_EXCL`, which never follows a link)
//! under an unpredictable name in the exchange's private work folder `.oqs-sim/tmp`, and renamed
//! into place (a rename replaces a link at the final name, it does not follow it).

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The private work folder of the exchange root that holds `dir` (`res/`, `face/`).
pub const PRIVATE_DIR: &str = ".oqs-sim";

/// Creates (if needed) a folder that must be a real folder, not a link to one.
pub fn real_dir(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(io::Error::other(format!(
            "{} is not a folder (a link or a file)",
            path.display()
        ))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                real_dir(parent)?;
            }
            match fs::create_dir(path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => real_dir(path),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// Where temp files for `dir` are made: the exchange root's private `.oqs-sim/tmp` when `dir`
/// is in an exchange folder (its parent holds a real `.oqs-sim`); else `dir` itself (a folder
/// set up by a test), where the random name and `O_EXCL` still defeat a planted link.
fn temp_dir_for(dir: &Path) -> io::Result<PathBuf> {
    let root = dir.parent().unwrap_or(Path::new("."));
    let private = root.join(PRIVATE_DIR);
    match fs::symlink_metadata(&private) {
        Ok(m) if m.is_dir() => {
            let tmp = private.join("tmp");
            real_dir(&tmp)?;
            Ok(tmp)
        }
        Ok(_) => Err(io::Error::other(format!(
            "{} is not a folder (a link or a file)",
            private.display()
        ))),
        Err(_) => Ok(dir.to_path_buf()),
    }
}

/// Creates a new file that did not exist (never opens through a link).
fn create_new(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Writes `dir/name` so that readers see either nothing or the whole file.
pub fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let tmp_dir = temp_dir_for(dir)?;
    let (tmp, mut f) = loop {
        let tmp = tmp_dir.join(format!(".{:016x}.tmp", rand::random::<u64>()));
        match create_new(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    };
    let written = f
        .write_all(bytes)
        .and_then(|()| f.sync_all())
        .and_then(|()| fs::rename(&tmp, dir.join(name)));
    if written.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// Writes `dir/name` in two pieces under its final name, `pause` apart: a reader may see the
/// first half (the [`crate::services::faults::ExchangeFault::partial_write`] fault). Whatever
/// was at the name before (a link included) is removed first, never written through.
pub fn write_in_pieces(dir: &Path, name: &str, bytes: &[u8], pause: Duration) -> io::Result<()> {
    let half = bytes.len() / 2;
    let path = dir.join(name);
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut f = create_new(&path)?;
    f.write_all(&bytes[..half])?;
    f.sync_data()?;
    std::thread::sleep(pause);
    f.write_all(&bytes[half..])?;
    f.sync_all()
}

/// An existing `--data-dir` database must be one: a file that is empty (0 bytes: a truncated
/// file after a full disk looks so) or does not start with the SQLite header is refused, rather
/// than silently started afresh over lost data. A missing file is fine (created).
pub fn check_sqlite_file(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let mut f = match fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut head = [0u8; 16];
    let n = f
        .read(&mut head)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if n == 0 {
        return Err(format!(
            "{} is empty (0 bytes), not a database this simulator wrote; remove it to start afresh",
            path.display()
        ));
    }
    if n < head.len() || &head != b"SQLite format 3\0" {
        return Err(format!(
            "{} is not an SQLite database; move it away or choose another --data-dir",
            path.display()
        ));
    }
    Ok(())
}
