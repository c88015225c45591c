//! ならば (Then), what the client concluded and showed: validity, candidates, texts, dialogs,
//! .err files, 限度額 and 照会番号 — judged against the domain and the catalogue.

use super::{listed, opt, CertWorld};
use crate::oracle::{self};
use crate::results::FieldDiff;
use cucumber::then;
use sim_server::journal::Transport;

#[then(regex = r"^クライアントの結論はマニュアルの判定と一致する$")]
async fn matches_manual(w: &mut CertWorld) -> Result<(), String> {
    let expected = w
        .expected
        .clone()
        .ok_or_else(|| "no insurance-card check in this scenario".to_owned())?;
    let diffs = oracle::compare(&expected, w.conclusion()?, "");
    w.verdict(
        "the client's conclusion differs from the manual's judgement",
        diffs,
    )
}

#[then(regex = r"^クライアントの資格有効性は「([^」]*)」である$")]
async fn validity_is(w: &mut CertWorld, label: String) -> Result<(), String> {
    let actual = opt(&w.conclusion()?.validity);
    w.one(
        "資格有効性",
        "validity",
        label,
        actual,
        "OQSCD 006 資格有効性",
    )
}

#[then(regex = r"^クライアントの資格有効性は示されない$")]
async fn no_validity(w: &mut CertWorld) -> Result<(), String> {
    let actual = opt(&w.conclusion()?.validity);
    w.one(
        "資格有効性",
        "validity",
        "(none)".into(),
        actual,
        "no judgement on an error",
    )
}

#[then(regex = r"^クライアントの候補者は「(\d+)」人で、氏名は「([^」]*)」である$")]
async fn candidates_are(w: &mut CertWorld, n: usize, names: String) -> Result<(), String> {
    let c = w.conclusion()?;
    // The feature writes names as fixtures do, the wire with a full-width space; the space is
    // display freedom (oracle::name_shown): the names are compared without it.
    let mut expected: Vec<String> = names
        .split('、')
        .map(|s| oracle::name_shown(&oqs_protocol::names::wire_name(s.trim())))
        .collect();
    expected.sort();
    let mut actual: Vec<String> = c
        .candidates
        .iter()
        .map(|c| oracle::name_shown(&c.name))
        .collect();
    actual.sort();
    let mut diffs = Vec::new();
    if c.candidates.len() != n {
        diffs.push(FieldDiff {
            field: "candidates.len".into(),
            expected: n.to_string(),
            actual: c.candidates.len().to_string(),
            rule: Some("RULE-32 (every match is offered, none picked)".into()),
        });
    }
    if expected != actual {
        diffs.push(FieldDiff {
            field: "candidates[].name".into(),
            expected: expected.join("、"),
            actual: actual.join("、"),
            rule: Some("RULE-32".into()),
        });
    }
    w.verdict("候補者", diffs)
}

#[then(regex = r"^クライアントは「([^」]*)」と表示する$")]
async fn shows_text(w: &mut CertWorld, text: String) -> Result<(), String> {
    let actual = opt(&w.conclusion()?.message);
    w.one(
        "表示文言",
        "message",
        text,
        actual,
        "docs/interface.md §6 (texts, verbatim)",
    )
}

#[then(regex = r"^クライアントはエラー「([^」]*)」の文言をそのまま表示する$")]
async fn shows_dialog(w: &mut CertWorld, id: String) -> Result<(), String> {
    let dialog = oqs_protocol::texts::CARD_DIALOGS
        .iter()
        .find(|d| d.id == id)
        .ok_or_else(|| format!("no dialog {id} in the catalogue"))?;
    let c = w.conclusion()?.clone();
    let mut diffs = Vec::new();
    let expected = dialog.shown_message();
    if c.message.as_deref() != Some(expected.as_str()) {
        diffs.push(FieldDiff {
            field: "message".into(),
            expected,
            actual: opt(&c.message),
            rule: Some(format!("{id} (docs/interface.md §6, verbatim)")),
        });
    }
    if let Some(code) = &c.error_code {
        if code != &id {
            diffs.push(FieldDiff {
                field: "error_code".into(),
                expected: id.clone(),
                actual: code.clone(),
                rule: Some(id.clone()),
            });
        }
    }
    w.verdict(&format!("{id} の文言"), diffs)
}

#[then(regex = r"^クライアントは \.err ファイルのエラー「([^」]*)」の文言をそのまま表示する$")]
async fn shows_err_file(w: &mut CertWorld, code: String) -> Result<(), String> {
    let ctx = w.ctx()?;
    let expected = ctx
        .harness
        .sim
        .error_table()
        .rows()
        .find(|(_, e)| e.code == code)
        .map(|(_, e)| e.message.clone())
        .ok_or_else(|| format!("no row 「{code}」 in the error table"))?;
    let c = w.conclusion()?.clone();
    let mut diffs = Vec::new();
    // The fault was in play: the client's request came over the exchange and got the .err file.
    let rejected = w.journal().iter().any(|e| {
        e.transport == Transport::FileExchange && e.error_code.as_deref() == Some(code.as_str())
    });
    if !rejected {
        diffs.push(FieldDiff {
            field: "journal".into(),
            expected: format!("a request over the file exchange answered with a {code} .err file"),
            actual: "(none)".into(),
            rule: Some("docs/interface.md §1.2 (rejected requests come back as <base>.err)".into()),
        });
    }
    // "Verbatim" for an .err file: its first line exactly (`EQ0900 システムエラー`), or the
    // message part of it (`システムエラー`) with the code, if reported, in `error_code`.
    let first_line = format!("{code} {expected}");
    let shown = c.message.as_deref().map(str::trim);
    if shown != Some(expected.as_str()) && shown != Some(first_line.as_str()) {
        diffs.push(FieldDiff {
            field: "message".into(),
            expected: format!("{expected} (or the whole first line: {first_line})"),
            actual: opt(&c.message),
            rule: Some(format!(
                "docs/interface.md §1.2 and §5 (the .err file's first line, {code}), verbatim"
            )),
        });
    }
    if let Some(actual) = &c.error_code {
        if actual != &code {
            diffs.push(FieldDiff {
                field: "error_code".into(),
                expected: code.clone(),
                actual: actual.clone(),
                rule: Some("the .err file's code".into()),
            });
        }
    }
    w.verdict(".err ファイルの文言", diffs)
}

#[then(regex = r"^クライアントの要求はファイル連携で送られた$")]
async fn sent_over_exchange(w: &mut CertWorld) -> Result<(), String> {
    let n = w
        .journal()
        .iter()
        .filter(|e| e.transport == Transport::FileExchange)
        .count();
    w.one(
        "ファイル連携",
        "requests over the file exchange (journal)",
        "at least 1".into(),
        if n > 0 {
            "at least 1".into()
        } else {
            "0".into()
        },
        "docs/interface.md §1.2",
    )
}

#[then(regex = r"^クライアントの要求は WebAPI で送られた$")]
async fn sent_over_webapi(w: &mut CertWorld) -> Result<(), String> {
    let n = w
        .journal()
        .iter()
        .filter(|e| e.transport == Transport::WebApi)
        .count();
    w.one(
        "WebAPI",
        "requests through the WebAPI search (journal)",
        "at least 1".into(),
        if n > 0 {
            "at least 1".into()
        } else {
            "0".into()
        },
        "docs/interface.md §1.3",
    )
}

#[then(regex = r"^クライアントが示す限度額適用区分は「([^」]*)」である$")]
async fn limit_is(w: &mut CertWorld, code: String) -> Result<(), String> {
    let actual = w
        .conclusion()?
        .candidates
        .first()
        .and_then(|c| c.limit_category.clone());
    w.one(
        "限度額適用区分",
        "candidates[0].limit_category",
        code,
        opt(&actual),
        "RULE-09",
    )
}

#[then(regex = r"^クライアントは限度額適用区分を示さない$")]
async fn no_limit(w: &mut CertWorld) -> Result<(), String> {
    let shown: Vec<String> = w
        .conclusion()?
        .candidates
        .iter()
        .filter_map(|c| c.limit_category.clone())
        .collect();
    w.one(
        "限度額適用区分",
        "candidates[].limit_category",
        "(none)".into(),
        listed(&shown),
        "RULE-09 (only with consent)",
    )
}

#[then(regex = r"^クライアントが示す照会番号は「([^」]*)」である$")]
async fn reference_is(w: &mut CertWorld, number: String) -> Result<(), String> {
    let actual = w
        .conclusion()?
        .candidates
        .first()
        .and_then(|c| c.reference_number.clone());
    w.one(
        "照会番号",
        "candidates[0].reference_number",
        number,
        opt(&actual),
        "RULE-51",
    )
}

#[then(regex = r"^クライアントは照会番号を示さない$")]
async fn no_reference(w: &mut CertWorld) -> Result<(), String> {
    let shown: Vec<String> = w
        .conclusion()?
        .candidates
        .iter()
        .filter_map(|c| c.reference_number.clone())
        .collect();
    w.one(
        "照会番号",
        "candidates[].reference_number",
        "(none)".into(),
        listed(&shown),
        "RULE-49 (a 照会番号 belongs to the facility that registered it)",
    )
}

#[then(regex = r"^資格確認端末での確認は「(\d+)」回だけ行われた$")]
async fn terminal_count(w: &mut CertWorld, n: usize) -> Result<(), String> {
    let count = w
        .journal()
        .iter()
        .filter(|e| e.transport == Transport::Terminal)
        .count();
    w.one(
        "資格確認端末での確認回数",
        "terminal confirmations (journal)",
        n.to_string(),
        count.to_string(),
        "ERR-13 (a locked PIN is not retried)",
    )
}

/// The `system-outage` row of the error table in force (its code and message).
fn outage_row(w: &CertWorld) -> Result<(String, String), String> {
    let ctx = w.ctx()?;
    let e = ctx
        .harness
        .sim
        .error_table()
        .entry(oqs_protocol::ErrorKind::SystemOutage);
    Ok((e.code.clone(), e.message.clone()))
}

#[then(regex = r"^クライアントはシステム障害の文言をそのまま表示する$")]
async fn shows_outage(w: &mut CertWorld) -> Result<(), String> {
    let (code, expected) = outage_row(w)?;
    let c = w.conclusion()?.clone();
    let mut diffs = Vec::new();
    let first_line = format!("{code} {expected}");
    let shown = c.message.as_deref().map(str::trim);
    if shown != Some(expected.as_str()) && shown != Some(first_line.as_str()) {
        diffs.push(FieldDiff {
            field: "message".into(),
            expected: format!("{expected} (or the whole first line: {first_line})"),
            actual: opt(&c.message),
            rule: Some("ENV-15, docs/interface.md §2.9 (the outage's text, verbatim)".into()),
        });
    }
    if let Some(actual) = &c.error_code {
        if actual != &code {
            diffs.push(FieldDiff {
                field: "error_code".into(),
                expected: code.clone(),
                actual: actual.clone(),
                rule: Some("docs/interface.md §5 (system-outage)".into()),
            });
        }
    }
    w.verdict("システム障害の表示", diffs)
}

#[then(regex = r"^障害中にクライアントが送った要求は「(\d+)」件以下である$")]
async fn no_retry_storm(w: &mut CertWorld, most: usize) -> Result<(), String> {
    let (code, _) = outage_row(w)?;
    let sent = w
        .journal()
        .iter()
        .filter(|e| e.error_code.as_deref() == Some(code.as_str()))
        .count();
    let mut diffs = Vec::new();
    if sent == 0 || sent > most {
        diffs.push(FieldDiff {
            field: "requests during the outage".into(),
            expected: format!("1 to {most}"),
            actual: sent.to_string(),
            rule: Some("RULE-91 (fall back while the system cannot be used; no retry loop)".into()),
        });
    }
    w.verdict("障害中の要求数", diffs)
}
