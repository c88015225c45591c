//! # scenarios
//!
//! The manual's flows and rules as Japanese Gherkin features (`features/`), run with cucumber by
//! `cargo test -p scenarios` (the step definitions are in `tests/steps/`). This library holds the
//! plain-text reading of feature tags and of the catalogue's §9 checklist that the `coverage`
//! binary reports on.

pub mod coverage;
