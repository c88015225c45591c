//! AFL++ harness: `oqs-fuzz-afl TARGET` runs one target's harness on the inputs AFL++ sends
//! (persistent mode). Build with `cargo afl build --release -p oqs-fuzz --features afl`; see
//! README "Fuzzing".

use oqs_fuzz::Target;

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = Target::from_name(&name) else {
        eprintln!("usage: oqs-fuzz-afl TARGET (one of: {})", names());
        std::process::exit(2);
    };
    // Load the population and issue the cards before the fork server starts.
    target.warm_up();
    afl::fuzz!(|data: &[u8]| {
        target.run(data);
    });
}

fn names() -> String {
    Target::ALL.map(Target::name).join(", ")
}
