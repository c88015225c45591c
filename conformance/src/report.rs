//! The three reports of a run, under `reports/<run id>/`: `junit.xml` (one testcase per check),
//! `report.html` (self-contained, Japanese with English) and `report.json`.

use crate::results::{CheckResult, RunResults, Status};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Writes the three reports into `dir/<run id>/` and returns that folder.
pub fn write_all(results: &RunResults, dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    // Two runs within a second with the same digest get `-2`, `-3`… rather than one folder.
    let mut out = dir.join(&results.run_id);
    let mut n = 1;
    while out.exists() {
        n += 1;
        out = dir.join(format!("{}-{n}", results.run_id));
    }
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("junit.xml"), junit(results))?;
    std::fs::write(out.join("report.html"), html(results))?;
    let json = serde_json::to_string_pretty(results).map_err(std::io::Error::other)?;
    std::fs::write(out.join("report.json"), json)?;
    Ok(out)
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => o.push(c),
        }
    }
    o
}

/// A value in 「」 once (spaces stay visible); a placeholder such as `(none)` as it is.
pub fn quoted(v: &str) -> String {
    let placeholder = v.starts_with('(') && v.ends_with(')');
    let bracketed = v.starts_with('「') && v.ends_with('」');
    if placeholder || bracketed {
        v.to_owned()
    } else {
        format!("「{v}」")
    }
}

/// The failure text of a check: message, then one line per field diff, then the requests.
pub fn failure_text(c: &CheckResult) -> String {
    let mut t = String::new();
    if let Some(m) = &c.message {
        let _ = writeln!(t, "{m}");
    }
    if !c.catalogue.is_empty() {
        let _ = writeln!(t, "rules: {}", c.catalogue.join(" "));
    }
    for d in &c.diffs {
        let _ = writeln!(
            t,
            "- {}: expected {}, actual {}{}",
            d.field,
            quoted(&d.expected),
            quoted(&d.actual),
            d.rule
                .as_ref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default()
        );
    }
    for r in &c.requests {
        let _ = writeln!(
            t,
            "request #{} {} {} {}{}\n{}",
            r.seq,
            r.transport,
            r.message,
            r.outcome,
            r.error_code
                .as_ref()
                .map(|e| format!(" {e}"))
                .unwrap_or_default(),
            r.request
        );
    }
    t
}

/// JUnit XML: one testsuite, one testcase per check (classname = first profile, or the kind).
pub fn junit(r: &RunResults) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let secs = r.wall_time_ms as f64 / 1000.0;
    let _ = writeln!(
        x,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" time=\"{secs:.3}\">",
        esc(r.suite.as_str()),
        r.checks.len(),
        r.failed
    );
    let _ = writeln!(
        x,
        " <testsuite name=\"{} {} ({} {})\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{secs:.3}\" timestamp=\"{}\" hostname=\"{}\">",
        esc(&r.suite),
        esc(&r.suite_version),
        esc(&r.client),
        esc(&r.client_version),
        r.checks.len(),
        r.failed,
        r.not_applicable,
        esc(&r.date),
        esc(&r.hostname)
    );
    x.push_str("  <properties>\n");
    for (k, v) in [
        ("manual_version", r.manual_version.as_str()),
        ("suite_version", r.suite_version.as_str()),
        ("client", r.client.as_str()),
        ("client_version", r.client_version.as_str()),
        ("transport", r.transport.as_str()),
        ("digest", r.digest.as_str()),
        ("run_id", r.run_id.as_str()),
    ] {
        let _ = writeln!(x, "   <property name=\"{k}\" value=\"{}\"/>", esc(v));
    }
    for l in &r.levels {
        let _ = writeln!(
            x,
            "   <property name=\"level.{}\" value=\"{}\"/>",
            esc(&l.profile),
            if l.granted { "granted" } else { "not granted" }
        );
    }
    x.push_str("  </properties>\n");
    for c in &r.checks {
        let class = c
            .profiles
            .first()
            .map(|p| format!("profile.{p}"))
            .unwrap_or_else(|| c.kind.label_en().to_owned());
        // The name is the check id (stable across versions of the titles); titles are attributes.
        let _ = write!(
            x,
            "  <testcase classname=\"{}\" name=\"{}\" title_ja=\"{}\" title_en=\"{}\" file=\"{}\" time=\"{:.3}\"",
            esc(&class),
            esc(&c.id),
            esc(&c.title_ja),
            esc(&c.title_en),
            esc(&c.feature),
            c.duration_ms as f64 / 1000.0
        );
        if c.status == Status::Passed {
            x.push_str("/>\n");
        } else if c.status == Status::NotApplicable {
            let _ = writeln!(
                x,
                ">\n   <skipped message=\"{}\"/>\n  </testcase>",
                esc(c.message.as_deref().unwrap_or("not applicable"))
            );
        } else {
            let first = c.message.clone().unwrap_or_else(|| "failed".into());
            let _ = writeln!(
                x,
                ">\n   <failure type=\"{}\" message=\"{}\">{}</failure>\n  </testcase>",
                esc(&c.id),
                esc(&first),
                esc(&failure_text(c))
            );
        }
    }
    let _ = writeln!(
        x,
        "  <system-out>adapter stderr (last lines):\n{}</system-out>",
        esc(&r.adapter_stderr)
    );
    x.push_str(" </testsuite>\n</testsuites>\n");
    x
}

/// JUnit XML of a run that could not start (exit code 2): one errored testcase saying why, so
/// a CI that reads `junit.xml` shows the reason rather than "no tests".
pub fn junit_not_started(suite: &str, reason: &str, date: &str, hostname: &str) -> String {
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\" time=\"0.000\">",
        esc(suite)
    );
    let _ = writeln!(
        x,
        " <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0.000\" timestamp=\"{}\" hostname=\"{}\">",
        esc(suite),
        esc(date),
        esc(hostname)
    );
    let first = reason.lines().next().unwrap_or("the run could not start");
    let _ = writeln!(
        x,
        "  <testcase classname=\"run\" name=\"run-could-not-start\" title_en=\"The certification run could not start (exit code 2)\" time=\"0.000\">\n   <error type=\"not-started\" message=\"{}\">{}</error>\n  </testcase>",
        esc(first),
        esc(reason)
    );
    x.push_str(" </testsuite>\n</testsuites>\n");
    x
}

/// Writes `junit.xml` for a run that could not start into `dir/<time>-not-started/`.
pub fn write_not_started(dir: &Path, suite: &str, reason: &str) -> std::io::Result<PathBuf> {
    let now = chrono::Utc::now();
    let mut out = dir.join(format!("{}-not-started", now.format("%Y%m%dT%H%M%SZ")));
    let mut n = 1;
    while out.exists() {
        n += 1;
        out = dir.join(format!("{}-not-started-{n}", now.format("%Y%m%dT%H%M%SZ")));
    }
    std::fs::create_dir_all(&out)?;
    let date = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let xml = junit_not_started(suite, reason, &date, &crate::results::hostname());
    std::fs::write(out.join("junit.xml"), xml)?;
    Ok(out)
}

const CSS: &str = "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}\
td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#eee}\
.pass{color:#176f2c;font-weight:bold}.na{color:#666;font-weight:bold}.fail{color:#b00020;font-weight:bold}\
pre{background:#f6f6f6;padding:.5em;white-space:pre-wrap;font-size:.85em}\
.diff td.exp{background:#e6ffed;white-space:pre-wrap}.diff td.act{background:#ffeef0;white-space:pre-wrap}small{color:#666}";

/// The HTML report: self-contained (inline CSS, no scripts, no external assets).
pub fn html(r: &RunResults) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\"><title>認定結果 / Conformance report — {}</title><style>{CSS}</style></head><body>\n",
        esc(&r.client)
    );
    let _ = writeln!(h, "<h1>オンライン資格確認 クライアント認定結果 <small>/ OQS client conformance report</small></h1>");
    let verdict = if r.exit_code() == 0 {
        "<span class=\"pass\">合格 / PASSED</span>"
    } else {
        "<span class=\"fail\">不合格 / FAILED</span>"
    };
    let _ = writeln!(h, "<section id=\"summary\"><h2>概要 / Summary</h2><table>");
    let rows = [
        ("判定 / Verdict", verdict.to_owned()),
        (
            "合格 / Passed",
            format!(
                "<span id=\"passed\">{}</span> / {}",
                r.passed,
                r.checks.len()
            ),
        ),
        (
            "不合格 / Failed",
            format!("<span id=\"failed\">{}</span>", r.failed),
        ),
        (
            "対象外 / Not applicable",
            format!(
                "<span id=\"not-applicable\">{}</span> <small>(another transport / 別の通信方式)</small>",
                r.not_applicable
            ),
        ),
        (
            "クライアント / Client",
            esc(&format!(
                "{} {} ({})",
                r.client, r.client_version, r.transport
            )),
        ),
        (
            "スイート / Suite",
            esc(&format!("{} {} ({})", r.suite, r.suite_version, r.mode)),
        ),
        ("マニュアル / Manual", esc(&r.manual_version)),
        ("プロファイル / Profiles", esc(&r.profiles.join(", "))),
        ("日付 / Date", esc(&r.date)),
        ("実行ID / Run id", esc(&r.run_id)),
        (
            "ダイジェスト / Digest (SHA-256)",
            format!("<code>{}</code>", esc(&r.digest)),
        ),
        (
            "所要時間 / Wall time",
            format!("{:.1} s", r.wall_time_ms as f64 / 1000.0),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(h, "<tr><th>{k}</th><td>{v}</td></tr>");
    }
    h.push_str("</table>\n<h3>認定レベル / Levels</h3><table><tr><th>プロファイル / Profile</th><th>認定 / Level</th><th>必須 / Required passed</th><th>全体 / All passed</th></tr>\n");
    for l in &r.levels {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}/{}</td><td>{}/{}</td></tr>",
            esc(&l.profile),
            if l.granted {
                "<span class=\"pass\">取得 / granted</span>"
            } else {
                "<span class=\"fail\">未取得 / not granted</span>"
            },
            l.required_passed,
            l.required,
            l.passed,
            l.checks
        );
    }
    h.push_str("</table></section>\n<section id=\"checks\"><h2>チェック一覧 / Checks</h2><table><tr><th>ID</th><th>結果 / Result</th><th>種別 / Kind</th><th>チェック / Check</th><th>規則 / Rules</th><th>プロファイル / Profiles</th><th>必須 / Required</th></tr>\n");
    for c in &r.checks {
        let status = if c.status == Status::Passed {
            "<span class=\"pass\">合格 PASS</span>".to_owned()
        } else if c.status == Status::NotApplicable {
            format!(
                "<span class=\"na\">対象外 N/A</span><br><small>{}</small>",
                esc(c.message.as_deref().unwrap_or(""))
            )
        } else {
            format!("<a class=\"fail\" href=\"#{}\">不合格 FAIL</a>", esc(&c.id))
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{status}</td><td>{} / {}</td><td>{}<br><small>{}</small></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.id),
            c.kind.label_ja(),
            c.kind.label_en(),
            esc(&c.title_ja),
            esc(&c.title_en),
            esc(&c.catalogue.join(" ")),
            esc(&c.profiles.join(", ")),
            if c.required { "必須 / required" } else { "" }
        );
    }
    h.push_str(
        "</table></section>\n<section id=\"failures\"><h2>不合格の詳細 / Failing checks</h2>\n",
    );
    let failing: Vec<&CheckResult> = r
        .checks
        .iter()
        .filter(|c| c.status == Status::Failed)
        .collect();
    if failing.is_empty() {
        h.push_str("<p>なし / none</p>\n");
    }
    for c in failing {
        let _ = writeln!(
            h,
            "<article class=\"failure\" id=\"{}\"><h3>{} {}<br><small>{}</small></h3><p>規則 / Rules: {}</p><p class=\"message\">{}</p>",
            esc(&c.id),
            esc(&c.id),
            esc(&c.title_ja),
            esc(&c.title_en),
            esc(&c.catalogue.join(" ")),
            esc(c.message.as_deref().unwrap_or(""))
        );
        if !c.diffs.is_empty() {
            h.push_str("<table class=\"diff\"><tr><th>項目 / Field</th><th>期待値 / Expected</th><th>実際 / Actual</th><th>規則 / Rule</th></tr>\n");
            for d in &c.diffs {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td class=\"exp\">{}</td><td class=\"act\">{}</td><td>{}</td></tr>",
                    esc(&d.field),
                    esc(&d.expected),
                    esc(&d.actual),
                    esc(d.rule.as_deref().unwrap_or(""))
                );
            }
            h.push_str("</table>\n");
        }
        if !c.requests.is_empty() {
            h.push_str("<h4>送信された電文 / Requests sent</h4>\n");
            for q in &c.requests {
                let _ = writeln!(
                    h,
                    "<pre>#{} {} {} {}{}\n{}</pre>",
                    q.seq,
                    esc(&q.transport),
                    esc(&q.message),
                    esc(&q.outcome),
                    esc(&q
                        .error_code
                        .as_ref()
                        .map(|e| format!(" {e}"))
                        .unwrap_or_default()),
                    esc(&q.request)
                );
            }
        } else {
            h.push_str("<p><small>送信された電文なし / no request sent</small></p>\n");
        }
        h.push_str("</article>\n");
    }
    h.push_str("</section>\n</body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("a\u{1}b\nc"), "ab\nc");
        assert_eq!(esc("  139931"), "  139931");
    }
}
