//! How the runner reaches the client under test: the vendor's adapter process (JSON lines over
//! stdin/stdout, one long-running process) or an in-process client (self-test).

use oqs_adapter_protocol::{Action, Outcome, Reply, Request};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A client called directly (self-test): answers one request as an adapter would.
pub trait InProcessClient: Send {
    fn handle(&mut self, request: Request) -> Reply;
}

/// Lines of the adapter's stderr kept for diagnostics.
const STDERR_LINES: usize = 40;
/// Longest reply line read from an adapter (bounded memory).
const MAX_LINE: usize = 4 * 1024 * 1024;

/// The vendor's adapter process.
pub struct AdapterProcess {
    command: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<Result<String, String>>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    timeout: Duration,
}

impl AdapterProcess {
    /// Starts `command` with `sh -c` (so vendors may pass arguments and environment).
    pub fn spawn(command: &str, timeout: Duration) -> Result<AdapterProcess, String> {
        if command.trim().is_empty() {
            return Err("the adapter command is empty".into());
        }
        let mut cmd = Command::new("sh");
        // Its own process group, so that a hung adapter is stopped with everything it started.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let mut child = cmd
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the adapter `{command}`: {e}"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| "the adapter's stdout is not available".to_owned())?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut buf = Vec::new();
                match read_line_bounded(&mut reader, &mut buf) {
                    Ok(0) => {
                        let _ = tx.send(Err("the adapter closed its stdout (it exited)".into()));
                        break;
                    }
                    Ok(_) => {
                        let line = String::from_utf8_lossy(&buf).trim_end().to_owned();
                        if line.is_empty() {
                            continue;
                        }
                        if tx.send(Ok(line)).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(format!("reading the adapter's stdout: {e}")));
                        break;
                    }
                }
            }
        });
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(err) = child.stderr.take() {
            let keep = stderr.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    let mut k = keep.lock().unwrap_or_else(|p| p.into_inner());
                    if k.len() == STDERR_LINES {
                        k.pop_front();
                    }
                    k.push_back(line);
                }
            });
        }
        let stdin = child.stdin.take();
        Ok(AdapterProcess {
            command: command.to_owned(),
            child,
            stdin,
            lines: rx,
            stderr,
            timeout,
        })
    }

    /// The last lines the adapter wrote on stderr.
    pub fn stderr_tail(&self) -> String {
        let k = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        k.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    fn died(&mut self, what: String) -> String {
        // Give stderr a moment to drain, then say how the process ended.
        std::thread::sleep(Duration::from_millis(50));
        let status = match self.child.try_wait() {
            Ok(Some(s)) => format!(" ({s})"),
            _ => String::new(),
        };
        let tail = self.stderr_tail();
        let tail = if tail.is_empty() {
            String::new()
        } else {
            format!("\nadapter stderr (last lines):\n{tail}")
        };
        format!("adapter `{}`: {what}{status}{tail}", self.command)
    }

    /// Sends one request and waits for its reply (at most the per-request timeout).
    pub fn call(&mut self, request: &Request) -> Result<Reply, String> {
        let line = serde_json::to_string(request).map_err(|e| format!("encoding request: {e}"))?;
        let write = match self.stdin.as_mut() {
            Some(stdin) => writeln!(stdin, "{line}").and_then(|_| stdin.flush()),
            None => Err(std::io::Error::other("stdin already closed")),
        };
        if let Err(e) = write {
            return Err(self.died(format!("cannot write to its stdin: {e}")));
        }
        loop {
            match self.lines.recv_timeout(self.timeout) {
                Ok(Ok(text)) => {
                    let reply: Reply = match serde_json::from_str(&text) {
                        Ok(r) => r,
                        Err(e) => {
                            return Err(format!(
                                "the adapter answered a line that is not a reply ({e}): {}",
                                clip(&text, 300)
                            ))
                        }
                    };
                    if reply.id < request.id {
                        // A late reply to a request that timed out: skip it.
                        continue;
                    }
                    if reply.id != request.id {
                        return Err(format!(
                            "the adapter answered id {} to request {}",
                            reply.id, request.id
                        ));
                    }
                    return Ok(reply);
                }
                Ok(Err(e)) => return Err(self.died(e)),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "the adapter did not answer request {} ({}) within {} s",
                        request.id,
                        action_name(&request.action),
                        self.timeout.as_secs()
                    ))
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(self.died("its stdout reader stopped".into()))
                }
            }
        }
    }

    /// Says goodbye and waits (briefly) for the process to end; kills it otherwise.
    pub fn shutdown(&mut self, id: u64) {
        let _ = self.call(&Request {
            id,
            action: Action::Shutdown,
        });
        self.stdin = None;
        for _ in 0..40 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        self.kill();
    }

    /// Stops the adapter's process group (the shell and what it started), then the shell.
    fn kill(&mut self) {
        #[cfg(unix)]
        {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for AdapterProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

fn read_line_bounded(r: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    let mut total = 0;
    loop {
        let (done, used) = {
            let avail = r.fill_buf()?;
            if avail.is_empty() {
                return Ok(total);
            }
            match avail.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    if buf.len() < MAX_LINE {
                        buf.extend_from_slice(&avail[..i.min(MAX_LINE - buf.len())]);
                    }
                    (true, i + 1)
                }
                None => {
                    if buf.len() < MAX_LINE {
                        let n = avail.len().min(MAX_LINE - buf.len());
                        buf.extend_from_slice(&avail[..n]);
                    }
                    (false, avail.len())
                }
            }
        };
        r.consume(used);
        total += used;
        if done {
            return Ok(total);
        }
    }
}

/// Text clipped to `max` characters.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut c: String = s.chars().take(max).collect();
        c.push('…');
        c
    }
}

pub fn action_name(a: &Action) -> &'static str {
    match a {
        Action::Hello { .. } => "hello",
        Action::CheckInsuranceCard { .. } => "check_insurance_card",
        Action::CheckMyNumberCard { .. } => "check_my_number_card",
        Action::BulkInquiry { .. } => "bulk_inquiry",
        Action::RegisterReferenceNumber { .. } => "register_reference_number",
        Action::FaceResults => "face_results",
        Action::BulkRegisterReferenceNumbers { .. } => "bulk_register_reference_numbers",
        Action::VisitingInquiry { .. } => "visiting_inquiry",
        Action::CancelVisitingConsent { .. } => "cancel_visiting_consent",
        Action::VisitingBulkInquiry { .. } => "visiting_bulk_inquiry",
        Action::RetrievePrescription { .. } => "retrieve_prescription",
        Action::Shutdown => "shutdown",
    }
}

/// Runs blocking work (an adapter round trip, a card issue) from a step without stalling the
/// runtime's other tasks (the simulator serves on them): `block_in_place` on a multi-thread
/// runtime; on a current-thread runtime (e.g. a plain `#[tokio::test]`) the work runs inline
/// and the simulator answers only between steps, so use a multi-thread runtime there.
pub fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

/// The client under test.
pub enum Driver {
    /// Certification: the vendor's adapter process.
    Adapter(AdapterProcess),
    /// Self-test: a client called directly.
    InProcess(Box<dyn InProcessClient>),
}

impl Driver {
    /// One request, one reply (blocking; call it from a blocking context).
    pub fn call(&mut self, request: Request) -> Result<Reply, String> {
        match self {
            Driver::Adapter(p) => p.call(&request),
            Driver::InProcess(c) => Ok(c.handle(request)),
        }
    }

    /// The adapter's last stderr lines (empty in-process).
    pub fn stderr_tail(&self) -> String {
        match self {
            Driver::Adapter(p) => p.stderr_tail(),
            Driver::InProcess(_) => String::new(),
        }
    }

    pub fn shutdown(&mut self, id: u64) {
        match self {
            Driver::Adapter(p) => p.shutdown(id),
            Driver::InProcess(c) => {
                let _ = c.handle(Request {
                    id,
                    action: Action::Shutdown,
                });
            }
        }
    }
}

/// The reply's outcome, or why there is none.
pub fn outcome_of(reply: Reply) -> Result<Outcome, String> {
    if !reply.ok {
        return Err(format!(
            "the adapter reported a failure of its own: {}",
            reply.error.unwrap_or_else(|| "(no error text)".into())
        ));
    }
    reply
        .outcome
        .ok_or_else(|| "the adapter answered ok without an outcome".into())
}
