//! # conformance
//!
//! Certifies a vendor's client against the simulator. The suite is the Japanese Gherkin in
//! `scenarios/features/certification/` (one scenario per check, tagged `@CHK-…`, its catalogue
//! ids, its profiles and `@required`); the steps here drive the client through a [`Driver`]
//! (the vendor's adapter process, or an in-process client for the self-test) and judge what it
//! concluded (against the domain), what it sent (the simulator's journal) and how it behaved.
//! [`runner::run`] runs it; [`report`] writes `junit.xml`, `report.html` and `report.json`.
//! The adapter protocol: `oqs-adapter-protocol` and `conformance/README.md`.

pub mod checks;
pub mod driver;
pub mod harness;
pub mod oracle;
pub mod report;
pub mod results;
pub mod runner;
pub mod wire;
pub mod world;

pub use driver::{Driver, InProcessClient};
pub use results::RunResults;
pub use runner::{run, ClientSpec, RunOptions};
