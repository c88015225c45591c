//! Keeps the fuzz driver compiling and working: a short seeded run of every target (the long
//! runs are a command, README "Fuzzing"), and the driver's own duties (catching and saving a
//! panic, flagging a slow input, repeating a seed).

use std::time::Duration;

use oqs_fuzz::corpus::Generator;
use oqs_fuzz::driver::run_with;
use oqs_fuzz::mutate::Rng;
use oqs_fuzz::{run_target, Config, Target};
use rand::SeedableRng;

/// Inputs per target in the smoke run.
const SMOKE: u64 = 2_000;

#[test]
fn every_target_runs_clean_and_gets_deep() {
    let cfg = Config {
        iterations: SMOKE,
        seed: 11,
        // No timing here: a slow input is the command's business.
        time_limit: Duration::MAX,
        ..Config::default()
    };
    for t in Target::ALL {
        let r = run_target(t, &cfg);
        assert_eq!(r.iterations, SMOKE, "{}", t.name());
        assert!(
            r.clean(),
            "{}: {} panics: {:?}",
            t.name(),
            r.panics,
            r.messages
        );
        // Generated inputs get past the parser's first checks, not only into its error paths.
        assert!(
            r.deep > 0,
            "{}: no input reached {}",
            t.name(),
            t.deep_event()
        );
    }
}

#[test]
fn a_panic_is_caught_counted_and_saved() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = Config {
        iterations: 100,
        crash_dir: Some(dir.path().to_owned()),
        time_limit: Duration::MAX,
        ..Config::default()
    };
    let mut n = 0u8;
    let r = run_with(
        "test",
        &|d| {
            if d.first() == Some(&b'!') {
                panic!("bang {}", d.len());
            }
        },
        &mut |_| {
            n = n.wrapping_add(1);
            if n.is_multiple_of(10) {
                vec![b'!', n]
            } else {
                vec![0, n]
            }
        },
        &cfg,
    );
    assert_eq!(r.iterations, 100);
    assert_eq!(r.panics, 10);
    assert!(!r.clean());
    let (msg, count) = r.messages.iter().next().expect("a message");
    assert_eq!(*count, 10);
    assert!(msg.starts_with("bang 2 at "), "{msg}");
    assert!(msg.contains("smoke.rs"), "{msg}");
    // The first input of each distinct message is saved.
    assert_eq!(r.saved.len(), 1);
    assert_eq!(std::fs::read(&r.saved[0]).expect("saved"), vec![b'!', 10]);
}

#[test]
fn a_slow_input_counts_as_a_hang() {
    let cfg = Config {
        iterations: 4,
        time_limit: Duration::from_millis(1),
        ..Config::default()
    };
    let mut n = 0u8;
    let r = run_with(
        "slow",
        &|d| {
            if d == [2] {
                std::thread::sleep(Duration::from_millis(30));
            }
        },
        &mut |_| {
            n += 1;
            vec![n]
        },
        &cfg,
    );
    assert_eq!((r.panics, r.hangs), (0, 1));
}

#[test]
fn the_same_seed_gives_the_same_inputs() {
    let inputs = |target: Target, seed: u64| {
        let mut g = Generator::new(target, 64 * 1024);
        let mut rng = Rng::seed_from_u64(seed);
        (0..300).map(|_| g.next(&mut rng)).collect::<Vec<_>>()
    };
    for t in [Target::Xml, Target::Json, Target::Fixtures, Target::Apdu] {
        let a = inputs(t, 5);
        assert_eq!(a, inputs(t, 5), "{}", t.name());
        assert_ne!(a, inputs(t, 6), "{}", t.name());
        // Seeds first, then mutants that differ from them.
        let g = Generator::new(t, 64 * 1024);
        let seeds = oqs_fuzz::corpus::seeds(t);
        assert_eq!(g.seed_count(), seeds.len());
        assert_eq!(a[..seeds.len()], seeds[..], "{}", t.name());
        assert!(a[seeds.len()..].iter().any(|x| !seeds.contains(x)));
    }
}
