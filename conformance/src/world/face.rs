//! 顔認証付きカードリーダーの結果 (`face/`, docs/interface.md §2.3): the runner plays the face
//! reader and puts result files into the exchange's `face/` (whole, in two pieces, or several
//! at once); the client reports what it picked up (`face_results`), each file exactly once.

use super::{card_of_table, rows_of_table, CertWorld};
use crate::oracle::{self, Expected};
use crate::results::FieldDiff;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use oqs_adapter_protocol::{Action, InsuranceCard, Outcome};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// Face-reader results of one scenario.
#[derive(Debug, Default)]
pub struct FaceState {
    /// Complete files the client has yet to report: name, the manual's judgement.
    due: Vec<(String, Expected)>,
    /// A file written only in part: name, judgement, the bytes still to write.
    pending: Option<(String, Expected, Vec<u8>)>,
    /// What the client reported at its last `face_results`.
    last: Option<Vec<oqs_adapter_protocol::Conclusion>>,
}

/// The face readers' sequence numbers (the `<n>` of the file name), unique within a run.
static SEQUENCE: AtomicU64 = AtomicU64::new(1);

fn face_dir(w: &CertWorld) -> Result<PathBuf, String> {
    Ok(w.ctx()?.harness.exchange_dir.join("face"))
}

/// A new result file for `card`: its name and the manual's judgement and bytes.
fn result_for(w: &CertWorld, card: &InsuranceCard) -> Result<(String, Expected, Vec<u8>), String> {
    let ctx = w.ctx()?;
    let sim = &ctx.harness.sim;
    let (expected, bytes) = oracle::face_result(sim, w.facility(), card);
    let at = sim.clock.now().format("%Y%m%d%H%M%S").to_string();
    let name =
        oqs_protocol::naming::face_result_file_name(SEQUENCE.fetch_add(1, Ordering::SeqCst), &at);
    Ok((name, expected, bytes))
}

/// Writes a whole file as the simulator's face reader does: a hidden temp name, then rename.
fn put_whole(w: &mut CertWorld, cards: &[InsuranceCard]) -> Result<(), String> {
    let dir = face_dir(w)?;
    let mut written = Vec::new();
    for card in cards {
        let (name, expected, bytes) = result_for(w, card)?;
        let temp = dir.join(format!(".{name}.part"));
        std::fs::write(&temp, &bytes).map_err(|e| format!("write {}: {e}", temp.display()))?;
        written.push((temp, name, expected));
    }
    // Renamed one after another with nothing between: the files arrive together.
    for (temp, name, expected) in written {
        std::fs::rename(&temp, dir.join(&name)).map_err(|e| format!("rename face/{name}: {e}"))?;
        w.face.due.push((name, expected));
    }
    Ok(())
}

#[given(regex = r"^顔認証付きカードリーダーが次の被保険者の結果ファイルを face/ に置いた:?$")]
async fn put_one(w: &mut CertWorld, step: &Step) -> Result<(), String> {
    let (card, _, _) = card_of_table(step)?;
    put_whole(w, &[card])
}

#[given(
    regex = r"^顔認証付きカードリーダーが次の各行の被保険者の結果ファイルを face/ に同時に置いた:?$"
)]
async fn put_several(w: &mut CertWorld, step: &Step) -> Result<(), String> {
    let cards = rows_of_table(step)?;
    put_whole(w, &cards)
}

#[given(
    regex = r"^顔認証付きカードリーダーが次の被保険者の結果ファイルを face/ に書き始めた（前半だけ）:?$"
)]
async fn put_half(w: &mut CertWorld, step: &Step) -> Result<(), String> {
    let (card, _, _) = card_of_table(step)?;
    let (name, expected, mut bytes) = result_for(w, &card)?;
    let rest = bytes.split_off(bytes.len() / 2);
    let path = face_dir(w)?.join(&name);
    std::fs::write(&path, &bytes).map_err(|e| format!("write face/{name}: {e}"))?;
    w.face.pending = Some((name, expected, rest));
    Ok(())
}

#[when(regex = r"^face/ の書きかけのファイルが書き終わる$")]
async fn finish_half(w: &mut CertWorld) -> Result<(), String> {
    use std::io::Write as _;
    let (name, expected, rest) = w
        .face
        .pending
        .take()
        .ok_or_else(|| "no face/ file is being written in this scenario".to_owned())?;
    let path = face_dir(w)?.join(&name);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(&rest))
        .map_err(|e| format!("finish face/{name}: {e}"))?;
    w.face.due.push((name, expected));
    Ok(())
}

#[when(regex = r"^クライアントが face/ の新しい結果を取り込む$")]
async fn pick_up(w: &mut CertWorld) -> Result<(), String> {
    let ctx = w.ctx()?;
    match ctx.call(Action::FaceResults)? {
        Outcome::Face(f) => {
            // The first result is "the" conclusion for the shared steps (names, banners).
            w.confirmation = f.results.first().cloned();
            w.face.last = Some(f.results);
            Ok(())
        }
        other => Err(format!(
            "face results were expected, the adapter answered {other:?}"
        )),
    }
}

fn last(w: &CertWorld) -> Result<Vec<oqs_adapter_protocol::Conclusion>, String> {
    w.face
        .last
        .clone()
        .ok_or_else(|| "the client was not asked for face/ results in this scenario".to_owned())
}

#[then(regex = r"^クライアントは face/ の結果を示さない$")]
async fn shows_none(w: &mut CertWorld) -> Result<(), String> {
    let shown = last(w)?;
    let files: Vec<String> = shown.iter().flat_map(|c| c.files.clone()).collect();
    w.one(
        "face/ の結果",
        "results",
        "(none)".into(),
        if shown.is_empty() {
            "(none)".into()
        } else {
            format!("{} result(s): {}", shown.len(), files.join(", "))
        },
        "docs/interface.md §2.3 (a file still being written, or one already handled, is not shown)",
    )
}

#[then(
    regex = r"^クライアントが face/ から示した結論は、置かれたファイルごとにマニュアルの判定と一致する$"
)]
async fn shows_each(w: &mut CertWorld) -> Result<(), String> {
    let shown = last(w)?;
    let due = std::mem::take(&mut w.face.due);
    if due.is_empty() {
        return Err("no complete face/ file was put in this scenario".into());
    }
    let mut diffs = Vec::new();
    if shown.len() != due.len() {
        diffs.push(FieldDiff {
            field: "results.len".into(),
            expected: due.len().to_string(),
            actual: shown.len().to_string(),
            rule: Some(
                "docs/interface.md §2.3 (each file exactly once, every file that arrived)".into(),
            ),
        });
    }
    for (name, expected) in &due {
        let file = format!("face/{name}");
        let of_file: Vec<_> = shown.iter().filter(|c| c.files.contains(&file)).collect();
        match of_file.as_slice() {
            [c] => diffs.extend(oracle::compare(expected, c, &format!("{file}: "))),
            _ => diffs.push(FieldDiff {
                field: format!("{file}: results naming the file in files"),
                expected: "1".into(),
                actual: of_file.len().to_string(),
                rule: Some("docs/interface.md §2.3 (each result names its file)".into()),
            }),
        }
    }
    w.verdict("face/ の結果", diffs)
}
