//! Runs every feature under `features/` against an in-process simulator. A failed, skipped or
//! undefined step fails `cargo test`.

mod steps;

use cucumber::World as _;
use steps::OqsWorld;

#[tokio::main]
async fn main() {
    OqsWorld::cucumber()
        .fail_on_skipped()
        // features/certification/ is the conformance suite: it runs in the conformance crate
        // (self-test and certification), with its own steps.
        .filter_run_and_exit(
            concat!(env!("CARGO_MANIFEST_DIR"), "/features"),
            |feature, _, _| {
                !feature
                    .path
                    .as_ref()
                    .is_some_and(|p| p.components().any(|c| c.as_os_str() == "certification"))
            },
        )
        .await;
}
