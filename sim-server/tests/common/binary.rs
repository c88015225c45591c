//! The real `oqs-sim` binary of this crate, started for a test (see `launch`).

use std::process::Command;

pub use super::launch::Server;

/// Starts `oqs-sim --listen 127.0.0.1:0` with the arguments `configure` adds, and returns once it
/// has printed its banner.
pub fn start_server(configure: impl FnOnce(&mut Command)) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oqs-sim"));
    cmd.args(["--listen", "127.0.0.1:0"]);
    configure(&mut cmd);
    super::launch::launch(cmd)
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
