//! `cargo run -p scenarios --bin coverage [FEATURES_DIR [CATALOGUE]]`: for every id of the
//! catalogue's §9 checklist, the scenarios tagged with it; then the ids no scenario covers and
//! the line `covered N of M`. Ids listed in `scenarios/not-simulated.toml` with a written reason
//! are reported apart, as not simulated.

use scenarios::coverage::{parse_checklist, parse_feature, parse_reasons, Coverage, Scenario};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const DEFAULT_FEATURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/features");
/// Written reasons for the ids that are not simulated (see the file's header).
const REASONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/not-simulated.toml");
const DEFAULT_CATALOGUE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/spec/manual-catalogue.md"
);

/// Every `*.feature` under `dir`, sorted, recursively.
fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            feature_files(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "feature") {
            out.push(p);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let features_dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_FEATURES));
    let catalogue_path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CATALOGUE));

    let catalogue = match std::fs::read_to_string(&catalogue_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "error: cannot read the manual catalogue at {} ({e}).\n\
                 It is expected at shared/spec/manual-catalogue.md beside the workspace; \
                 pass another path as the second argument.",
                catalogue_path.display()
            );
            return ExitCode::from(2);
        }
    };
    let ids = parse_checklist(&catalogue);
    if ids.is_empty() {
        eprintln!(
            "error: {} has no \"## 9. Coverage checklist\" section with \"- [ ] ID — title\" lines",
            catalogue_path.display()
        );
        return ExitCode::from(2);
    }

    let mut files = Vec::new();
    if let Err(e) = feature_files(&features_dir, &mut files) {
        eprintln!(
            "error: cannot read the features folder {} ({e})",
            features_dir.display()
        );
        return ExitCode::from(2);
    }
    let mut scenarios: Vec<Scenario> = Vec::new();
    for f in &files {
        match std::fs::read_to_string(f) {
            Ok(text) => {
                let name = f
                    .strip_prefix(&features_dir)
                    .unwrap_or(f)
                    .display()
                    .to_string();
                scenarios.extend(parse_feature(&name, &text));
            }
            Err(e) => {
                eprintln!("error: cannot read {} ({e})", f.display());
                return ExitCode::from(2);
            }
        }
    }

    let reasons = match std::fs::read_to_string(REASONS) {
        Ok(text) => match parse_reasons(&text) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {REASONS}: {e}");
                return ExitCode::from(2);
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Default::default(),
        Err(e) => {
            eprintln!("error: cannot read {REASONS} ({e})");
            return ExitCode::from(2);
        }
    };
    let coverage = Coverage::new(&ids, &scenarios).with_reasons(reasons);
    println!(
        "{} scenarios in {} feature files under {}",
        scenarios.len(),
        files.len(),
        features_dir.display()
    );
    println!();
    print!("{}", coverage.render());
    if coverage.stale_reasons().is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: {REASONS} gives reasons for ids that are covered or unknown");
        ExitCode::FAILURE
    }
}
