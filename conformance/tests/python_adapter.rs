//! The sample Python adapter (`examples/python-adapter/`) passes the suite on each of its
//! transports (HTTP, file exchange, WebAPI), as a vendor's copy of it would. Skipped, with a message, when `python3` is absent
//! (the workspace's tests need only Rust); `.ci/run` runs the same commands on CI.

use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_conformance");

fn adapter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/python-adapter/adapter.py")
}

fn python3_present() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs the suite with the adapter on `transport`: exit code, stdout, stderr.
fn run(transport: &str) -> (i32, String, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let command = format!("python3 {} --transport {transport}", adapter().display());
    let out = Command::new(BIN)
        .args(["run", "--adapter", &command, "--reports"])
        .arg(tmp.path())
        .output()
        .expect("the conformance binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn passes_on(transport: &str) {
    if !python3_present() {
        eprintln!("python3 not found: the sample Python adapter is not tested ({transport})");
        return;
    }
    let (code, out, err) = run(transport);
    assert_eq!(code, 0, "exit {code}\nstdout:\n{out}\nstderr:\n{err}");
    // Exit 0 needs only the required checks: the optional ones must pass too.
    assert!(
        out.contains(" passed, 0 failed, "),
        "a check failed:\n{out}"
    );
    assert!(
        out.contains(&format!("python-sample-adapter 0.1.0 ({transport})")),
        "{out}"
    );
}

#[test]
fn the_python_adapter_passes_over_http() {
    passes_on("http");
}

#[test]
fn the_python_adapter_passes_over_the_file_exchange() {
    passes_on("exchange");
}

#[test]
fn the_python_adapter_passes_over_the_webapi() {
    passes_on("webapi");
}
