//! The real `oqs-sim` binary, started for a test and killed (SIGKILL, no shutdown code runs)
//! when dropped.

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
}

impl Drop for Server {
    fn drop(&mut self) {
        // `Child::kill` is SIGKILL on Unix.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `oqs-sim --listen 127.0.0.1:0` with the arguments `configure` adds, and returns once it
/// has printed its banner.
pub fn start_server(configure: impl FnOnce(&mut Command)) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oqs-sim"));
    cmd.args(["--listen", "127.0.0.1:0"]);
    configure(&mut cmd);
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

/// Runs `oqs-sim` expecting it to refuse to start: its exit code and stderr.
pub fn refused_start(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oqs-sim"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run");
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            use std::io::Read;
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            return (status.code(), err);
        }
        if start.elapsed() > std::time::Duration::from_secs(15) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("oqs-sim started with {args:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
