//! 顔認証付きカードリーダーの結果 (`face/`): result files that appear unprompted. The client
//! reads each complete file exactly once, leaves a file that does not parse yet (still being
//! written) for a later look, and takes every file that arrived together, oldest name first.

use crate::wire::{self, WireStyle};
use crate::Mutant;
use oqs_adapter_protocol::Conclusion;
use std::collections::{HashSet, VecDeque};
use std::path::Path;

/// Names already handled; the oldest are forgotten beyond this many (a file handled that long
/// ago has been moved away by any real deployment).
const REMEMBERED: usize = 4096;

/// The face/ files this client has handled.
#[derive(Debug, Default)]
pub struct FaceSeen {
    order: VecDeque<String>,
    names: HashSet<String>,
}

impl FaceSeen {
    fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    fn insert(&mut self, name: String) {
        if self.names.insert(name.clone()) {
            self.order.push_back(name);
        }
        while self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.names.remove(&old);
            }
        }
    }
}

/// Every new, complete result in `dir` (the exchange's `face/`), one conclusion each.
pub fn pick_up(
    dir: &Path,
    seen: &mut FaceSeen,
    style: WireStyle,
) -> Result<Vec<Conclusion>, String> {
    if style.mutant == Some(Mutant::IgnoreFaceFolder) {
        return Ok(Vec::new());
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("read {}: {e}", dir.display())),
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with("OQSsiquc01res_face_") && n.ends_with(".xml"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        if seen.contains(&name) && style.mutant != Some(Mutant::FaceHandledTwice) {
            continue;
        }
        let bytes = match std::fs::read(dir.join(&name)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("read face/{name}: {e}")),
        };
        let mut c = match wire::parse(&bytes) {
            Ok(root) => wire::conclusion_from_single(&root, style),
            // Still being written: looked at again next time.
            Err(_) if style.mutant != Some(Mutant::FaceReadsPartial) => continue,
            Err(reason) => Conclusion {
                message: Some(format!("顔認証結果を読み取れません: {reason}")),
                ..Conclusion::default()
            },
        };
        c.files = vec![format!("face/{name}")];
        seen.insert(name);
        out.push(c);
        if style.mutant == Some(Mutant::FaceFirstFileOnly) {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memory_of_handled_names_is_capped() {
        let mut s = FaceSeen::default();
        for i in 0..REMEMBERED + 10 {
            s.insert(format!("f{i}"));
        }
        assert_eq!(s.order.len(), REMEMBERED);
        assert!(!s.contains("f0"));
        assert!(s.contains(&format!("f{}", REMEMBERED + 9)));
    }
}
