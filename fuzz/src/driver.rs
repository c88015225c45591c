//! The deterministic driver: runs a harness on generated inputs, catches a panic per input,
//! saves what panicked or ran too long, and counts.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use rand::SeedableRng;

use crate::corpus::Generator;
use crate::mutate::Rng;
use crate::targets::Target;

/// How a run goes.
#[derive(Debug, Clone)]
pub struct Config {
    /// Inputs per target (the seeds count among them).
    pub iterations: u64,
    /// Seed of the input generator; each target derives its own from it and its name.
    pub seed: u64,
    /// Where inputs that panicked or ran too long are saved (`None`: not saved).
    pub crash_dir: Option<PathBuf>,
    /// An input that runs longer than this counts as a hang.
    pub time_limit: Duration,
    /// With a watchdog, an input still running after `time_limit` is saved and the process exits
    /// with status 3 (a real hang never returns to be counted).
    pub watchdog: bool,
    /// Longest generated input.
    pub max_len: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            iterations: 10_000,
            seed: 0,
            crash_dir: None,
            time_limit: Duration::from_secs(2),
            watchdog: false,
            max_len: 64 * 1024,
        }
    }
}

/// What a run of one target found.
#[derive(Debug, Clone, Default)]
pub struct TargetReport {
    pub name: String,
    pub iterations: u64,
    pub panics: u64,
    /// Inputs that ran longer than the time limit.
    pub hangs: u64,
    pub elapsed: Duration,
    /// Longest single input.
    pub slowest: Duration,
    /// Panic messages (with their location) and how often each came.
    pub messages: BTreeMap<String, u64>,
    /// Saved inputs.
    pub saved: Vec<PathBuf>,
    /// Inputs that reached the target's deep event ([`Target::deep_event`]).
    pub deep: u64,
    /// Panics in other threads during the run (printed as they happen).
    pub stray_panics: u64,
}

impl TargetReport {
    pub fn clean(&self) -> bool {
        self.panics == 0 && self.hangs == 0 && self.stray_panics == 0
    }
}

/// Panics outside a harness call (e.g. in the simulator's job workers) since the start.
static STRAY_PANICS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// Set while a harness runs: its panics are kept for the report, not printed.
    static CAPTURING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Wraps the panic hook once: a harness's panic message and location are kept for the report
/// instead of being printed for every input; other panics go to the previous hook.
fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CAPTURING.with(|c| c.get()) {
                // Another thread (a job worker): no input to blame, but the run is not clean.
                STRAY_PANICS.fetch_add(1, Ordering::Relaxed);
                return previous(info);
            }
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(non-string panic)".into());
            let at = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()))
                .unwrap_or_default();
            // Long messages (inputs quoted in them) are cut: the input itself is saved.
            let msg: String = if msg.chars().count() > 300 {
                msg.chars().take(300).chain("…".chars()).collect()
            } else {
                msg
            };
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg} at {at}")));
        }));
    });
}

/// The per-target generator seed: the same `--seed` gives each target the same inputs whether it
/// runs alone or with the others.
pub fn target_seed(seed: u64, name: &str) -> u64 {
    seed ^ fnv1a(name.as_bytes())
}

/// FNV-1a: a hash that stays the same across Rust versions (seeds and file names rely on it).
pub fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn save(dir: &Path, kind: &str, name: &str, data: &[u8]) -> Option<PathBuf> {
    std::fs::create_dir_all(dir).ok()?;
    let path = dir.join(format!("{kind}-{name}-{:016x}.bin", fnv1a(data)));
    std::fs::write(&path, data).ok()?;
    Some(path)
}

/// Runs one target of the built-in set.
pub fn run_target(target: Target, cfg: &Config) -> TargetReport {
    let mut generator = Generator::new(target, cfg.max_len);
    let before = crate::targets::deep_count(target);
    let mut report = run_with(
        target.name(),
        &|d| target.run(d),
        &mut |rng| generator.next(rng),
        cfg,
    );
    report.deep = crate::targets::deep_count(target) - before;
    report
}

/// Runs `harness` on `cfg.iterations` inputs made by `generate`.
pub fn run_with(
    name: &str,
    harness: &dyn Fn(&[u8]),
    generate: &mut dyn FnMut(&mut Rng) -> Vec<u8>,
    cfg: &Config,
) -> TargetReport {
    quiet_panics();
    let mut rng = Rng::seed_from_u64(target_seed(cfg.seed, name));
    let mut report = TargetReport {
        name: name.to_owned(),
        ..TargetReport::default()
    };
    let watchdog = cfg.watchdog.then(|| Watchdog::start(name, cfg));
    let stray_before = STRAY_PANICS.load(Ordering::Relaxed);
    let started = Instant::now();
    for _ in 0..cfg.iterations {
        let input = generate(&mut rng);
        if let Some(w) = &watchdog {
            w.begin(&input);
        }
        let t0 = Instant::now();
        CAPTURING.with(|c| c.set(true));
        let outcome = catch_unwind(AssertUnwindSafe(|| harness(&input)));
        CAPTURING.with(|c| c.set(false));
        let took = t0.elapsed();
        if let Some(w) = &watchdog {
            w.end();
        }
        report.iterations += 1;
        report.slowest = report.slowest.max(took);
        if outcome.is_err() {
            report.panics += 1;
            let msg = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| "(no message)".into());
            let first = !report.messages.contains_key(&msg);
            *report.messages.entry(msg).or_default() += 1;
            if first {
                if let Some(p) = cfg
                    .crash_dir
                    .as_deref()
                    .and_then(|d| save(d, "panic", name, &input))
                {
                    report.saved.push(p);
                }
            }
        } else if took > cfg.time_limit {
            report.hangs += 1;
            if let Some(p) = cfg
                .crash_dir
                .as_deref()
                .and_then(|d| save(d, "slow", name, &input))
            {
                report.saved.push(p);
            }
        }
    }
    report.elapsed = started.elapsed();
    report.stray_panics = STRAY_PANICS.load(Ordering::Relaxed) - stray_before;
    report
}

/// A thread that watches the input being run; a real hang never returns, so it saves the input
/// and ends the process itself.
struct Watchdog {
    state: Arc<WatchState>,
}

struct WatchState {
    /// Milliseconds since `epoch` when the current input started; 0 when idle.
    started_ms: AtomicU64,
    epoch: Instant,
    input: Mutex<Vec<u8>>,
}

impl Watchdog {
    fn start(name: &str, cfg: &Config) -> Self {
        let state = Arc::new(WatchState {
            started_ms: AtomicU64::new(0),
            epoch: Instant::now(),
            input: Mutex::new(Vec::new()),
        });
        let watched = Arc::clone(&state);
        let limit = cfg.time_limit;
        let dir = cfg.crash_dir.clone();
        let name = name.to_owned();
        std::thread::spawn(move || loop {
            std::thread::sleep(limit.min(Duration::from_millis(500)));
            if Arc::strong_count(&watched) == 1 {
                // The run is over (only this thread holds the state).
                return;
            }
            let strong = &watched;
            let started = strong.started_ms.load(Ordering::Acquire);
            if started == 0 {
                continue;
            }
            let now = strong.epoch.elapsed().as_millis() as u64;
            if now.saturating_sub(started) > limit.as_millis() as u64 + 1000 {
                let input = strong.input.lock().map(|i| i.clone()).unwrap_or_default();
                let saved = dir.as_deref().and_then(|d| save(d, "hang", &name, &input));
                eprintln!(
                    "oqs-fuzz: {name}: an input has run for more than {:?}; saved as {saved:?}",
                    limit
                );
                std::process::exit(3);
            }
        });
        Watchdog { state }
    }

    fn begin(&self, input: &[u8]) {
        if let Ok(mut i) = self.state.input.lock() {
            i.clear();
            i.extend_from_slice(input);
        }
        let ms = self.state.epoch.elapsed().as_millis() as u64;
        self.state.started_ms.store(ms.max(1), Ordering::Release);
    }

    fn end(&self) {
        self.state.started_ms.store(0, Ordering::Release);
    }
}
