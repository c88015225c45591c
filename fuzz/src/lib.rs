//! # oqs-fuzz
//!
//! Every parser of the simulator under a fuzzer. One harness per parser ([`Target`]) takes raw
//! bytes, as a coverage-guided fuzzer hands them over; two engines drive the harnesses:
//!
//! - [`driver`]: seeded and deterministic (the same `--seed` gives the same inputs), structure-aware
//!   mutation of real inputs ([`corpus`]) plus byte-level havoc ([`mutate`]); catches a panic per
//!   input, saves the input, and flags inputs that run longer than a time limit. Runs anywhere
//!   `cargo` does (CI, `cargo test` smoke test).
//! - `oqs-fuzz-afl` (feature `afl`): the same harnesses under AFL++ through `cargo afl`.
//!
//! Harnesses panic on a broken invariant (assertions), so a fuzzer sees it as a crash.

pub mod corpus;
pub mod driver;
pub mod mutate;
pub mod targets;

pub use driver::{run_target, Config, TargetReport};
pub use targets::{simulator, Target};
