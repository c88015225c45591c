//! Starting the real `oqs-sim` binary and killing it (SIGKILL, no shutdown code runs) when
//! dropped. Shared by sim-server's tests (`common::binary`) and `browser-tests` (which includes
//! this file by path: it has no `CARGO_BIN_EXE_oqs-sim` and finds the binary itself).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Server {
    child: Child,
    /// `127.0.0.1:<port>`.
    pub addr: String,
    /// The start-up banner, up to its `population:` line.
    pub banner: Vec<String>,
}

impl Server {
    /// The server's process id (to read `/proc/<pid>/…`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has exited (without waiting).
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Kills the process and waits for it.
    pub fn stop(&mut self) {
        // `Child::kill` is SIGKILL on Unix.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts `cmd` (an `oqs-sim` command line with `--listen 127.0.0.1:0`) and returns once it has
/// printed its banner.
pub fn launch(mut cmd: Command) -> Server {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start oqs-sim");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut banner = Vec::new();
    for line in lines.by_ref() {
        let line = line.expect("utf-8 banner");
        let last = line.starts_with("population:");
        banner.push(line);
        if last {
            break;
        }
    }
    // Keep reading: a closed pipe would kill the server at its next line of output.
    std::thread::spawn(move || lines.for_each(drop));
    let addr = banner
        .first()
        .and_then(|l| l.rsplit("http://").next())
        .map(|a| a.trim().to_owned())
        .unwrap_or_else(|| panic!("no address in the banner {banner:?}"));
    Server {
        child,
        addr,
        banner,
    }
}
