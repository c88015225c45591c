//! Runs every feature under `features/` against an in-process simulator. A failed, skipped or
//! undefined step fails `cargo test`.

mod steps;

use cucumber::World as _;
use steps::OqsWorld;

#[tokio::main]
async fn main() {
    OqsWorld::cucumber()
        .fail_on_skipped()
        .run_and_exit(concat!(env!("CARGO_MANIFEST_DIR"), "/features"))
        .await;
}
