//! The conformance runner. Not built yet: it is the subject of the conformance issue.

fn main() {
    eprintln!("conformance: not implemented yet (see conformance/README.md)");
    std::process::exit(2);
}
