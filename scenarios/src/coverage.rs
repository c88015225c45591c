//! Which catalogue ids the feature files cover: a plain-text reading of Gherkin tags (English or
//! Japanese keywords) and of the checklist in §9 of manual-catalogue.md.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// One scenario (or scenario outline) of a feature file, with every tag that applies to it:
/// its own, its feature's, its rule's and those of its example tables. Tags are kept without `@`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub file: String,
    /// 1-based line of the scenario keyword.
    pub line: usize,
    pub name: String,
    pub tags: BTreeSet<String>,
}

/// One line of the catalogue's coverage checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueId {
    pub id: String,
    pub title: String,
}

const FEATURE: &[&str] = &["Feature", "Business Need", "Ability", "機能", "フィーチャ"];
const RULE: &[&str] = &["Rule", "ルール"];
const BACKGROUND: &[&str] = &["Background", "背景"];
const SCENARIO: &[&str] = &[
    "Scenario Outline",
    "Scenario Template",
    "Scenario",
    "Example",
    "シナリオアウトライン",
    "シナリオテンプレート",
    "シナリオテンプレ",
    "テンプレ",
    "シナリオ",
];
const EXAMPLES: &[&str] = &["Examples", "Scenarios", "例", "サンプル"];

/// `Keyword: rest` → `rest` when the line starts with one of `keywords` and a colon.
fn keyword_line<'a>(line: &'a str, keywords: &[&str]) -> Option<&'a str> {
    keywords.iter().find_map(|k| {
        line.strip_prefix(k)
            .and_then(|rest| rest.trim_start().strip_prefix(':'))
            .map(str::trim)
    })
}

/// The tags on a tag line (`@a @b # comment`), without `@`.
pub fn parse_tag_line(line: &str) -> Vec<String> {
    line.split_whitespace()
        .take_while(|t| !t.starts_with('#'))
        .filter_map(|t| t.strip_prefix('@'))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every scenario of one feature file's text.
pub fn parse_feature(file: &str, text: &str) -> Vec<Scenario> {
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut feature_tags: Vec<String> = Vec::new();
    let mut rule_tags: Vec<String> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut in_docstring: Option<&str> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(fence) = in_docstring {
            if line.starts_with(fence) {
                in_docstring = None;
            }
            continue;
        }
        if let Some(fence) = ["\"\"\"", "```"].into_iter().find(|f| line.starts_with(f)) {
            in_docstring = Some(fence);
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('@') {
            pending.extend(parse_tag_line(line));
            continue;
        }
        if keyword_line(line, FEATURE).is_some() {
            feature_tags = std::mem::take(&mut pending);
            rule_tags.clear();
        } else if keyword_line(line, RULE).is_some() {
            rule_tags = std::mem::take(&mut pending);
        } else if keyword_line(line, BACKGROUND).is_some() {
            pending.clear();
        } else if let Some(name) = keyword_line(line, SCENARIO) {
            let tags = feature_tags
                .iter()
                .chain(&rule_tags)
                .chain(&pending)
                .cloned()
                .collect();
            pending.clear();
            scenarios.push(Scenario {
                file: file.to_owned(),
                line: n + 1,
                name: name.to_owned(),
                tags,
            });
        } else if keyword_line(line, EXAMPLES).is_some() {
            if let Some(last) = scenarios.last_mut() {
                last.tags.extend(pending.drain(..));
            }
            pending.clear();
        }
    }
    scenarios
}

/// Whether `s` looks like a catalogue id: upper-case letters, `-`, digits (e.g. `RULE-01`).
pub fn is_catalogue_id(s: &str) -> bool {
    match s.split_once('-') {
        Some((kind, num)) => {
            !kind.is_empty()
                && kind.bytes().all(|b| b.is_ascii_uppercase())
                && !num.is_empty()
                && num.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

/// The ids of the `## 9. Coverage checklist` section (`- [ ] ID — title` lines), in order.
pub fn parse_checklist(catalogue: &str) -> Vec<CatalogueId> {
    let mut ids = Vec::new();
    let mut inside = false;
    for line in catalogue.lines() {
        if line.starts_with("## ") {
            inside = line.contains("Coverage checklist");
            continue;
        }
        if !inside {
            continue;
        }
        let item = line
            .trim_start()
            .strip_prefix("- [ ]")
            .or_else(|| line.trim_start().strip_prefix("- [x]"))
            .or_else(|| line.trim_start().strip_prefix("- [X]"));
        let Some(item) = item else { continue };
        let item = item.trim();
        let (id, rest) = item.split_once(char::is_whitespace).unwrap_or((item, ""));
        if !is_catalogue_id(id) {
            continue;
        }
        let title = rest
            .trim()
            .trim_start_matches(['—', '-', '–'])
            .trim()
            .to_owned();
        ids.push(CatalogueId {
            id: id.to_owned(),
            title,
        });
    }
    ids
}

/// The coverage of the checklist by the scenarios.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage<'a> {
    /// Every checklist id with the scenarios tagged with it.
    pub rows: Vec<(&'a CatalogueId, Vec<&'a Scenario>)>,
    /// Tags that look like catalogue ids but are not in the checklist.
    pub unknown_tags: BTreeSet<String>,
    /// Written reasons why an id is not simulated (`not-simulated.toml`), by id.
    pub reasons: BTreeMap<String, String>,
}

/// The written reasons of `not-simulated.toml`: a flat table `"ID" = "reason"`. Errors name the
/// offending key: a key that is not a catalogue id, a value that is not a non-empty string.
pub fn parse_reasons(text: &str) -> Result<BTreeMap<String, String>, String> {
    let table: toml::Table = text.parse().map_err(|e| format!("not TOML: {e}"))?;
    let mut reasons = BTreeMap::new();
    for (key, value) in table {
        if !is_catalogue_id(&key) {
            return Err(format!(
                "key \"{key}\" is not a catalogue id (like \"DLG-33\")"
            ));
        }
        match value.as_str().map(str::trim) {
            Some(reason) if !reason.is_empty() => {
                reasons.insert(key, reason.to_owned());
            }
            _ => return Err(format!("\"{key}\": the reason must be a non-empty string")),
        }
    }
    Ok(reasons)
}

impl<'a> Coverage<'a> {
    pub fn new(ids: &'a [CatalogueId], scenarios: &'a [Scenario]) -> Self {
        let rows = ids
            .iter()
            .map(|id| {
                let covering = scenarios
                    .iter()
                    .filter(|s| s.tags.contains(&id.id))
                    .collect();
                (id, covering)
            })
            .collect();
        let known: BTreeSet<&str> = ids.iter().map(|i| i.id.as_str()).collect();
        let unknown_tags = scenarios
            .iter()
            .flat_map(|s| s.tags.iter())
            .filter(|t| is_catalogue_id(t) && !known.contains(t.as_str()))
            .cloned()
            .collect();
        Coverage {
            rows,
            unknown_tags,
            reasons: BTreeMap::new(),
        }
    }

    /// The same coverage, with the written reasons for ids that are not simulated.
    pub fn with_reasons(mut self, reasons: BTreeMap<String, String>) -> Self {
        self.reasons = reasons;
        self
    }

    /// Uncovered ids that carry a written reason.
    pub fn explained(&self) -> usize {
        self.rows
            .iter()
            .filter(|(id, s)| s.is_empty() && self.reasons.contains_key(&id.id))
            .count()
    }

    /// Reasons that name an id scenarios cover, or no checklist id at all: stale, to remove.
    pub fn stale_reasons(&self) -> Vec<&str> {
        self.reasons
            .keys()
            .filter(|k| !self.rows.iter().any(|(id, s)| &id.id == *k && s.is_empty()))
            .map(String::as_str)
            .collect()
    }

    pub fn covered(&self) -> usize {
        self.rows.iter().filter(|(_, s)| !s.is_empty()).count()
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// The printed report: covered ids with their scenarios, the uncovered ids, the count.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Covered ids:");
        for (id, scenarios) in self.rows.iter().filter(|(_, s)| !s.is_empty()) {
            let _ = writeln!(out, "{} — {}", id.id, id.title);
            for s in scenarios {
                let _ = writeln!(out, "    {}:{}  {}", s.file, s.line, s.name);
            }
        }
        let _ = writeln!(out);
        let uncovered = || self.rows.iter().filter(|(_, s)| s.is_empty());
        if !self.reasons.is_empty() {
            let _ = writeln!(out, "Not simulated, with a written reason:");
            for (id, _) in uncovered() {
                if let Some(reason) = self.reasons.get(&id.id) {
                    let _ = writeln!(out, "{} — {}\n    reason: {}", id.id, id.title, reason);
                }
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out, "Not covered:");
        for (id, _) in uncovered().filter(|(id, _)| !self.reasons.contains_key(&id.id)) {
            let _ = writeln!(out, "{} — {}", id.id, id.title);
        }
        let stale = self.stale_reasons();
        if !stale.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "Reasons for ids that are covered or not in the checklist (remove them): {}",
                stale.join(" ")
            );
        }
        if !self.unknown_tags.is_empty() {
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "Tags not in the §9 checklist: {}",
                self.unknown_tags
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
        let _ = writeln!(out);
        if !self.reasons.is_empty() {
            let open = self.total() - self.covered() - self.explained();
            let _ = writeln!(
                out,
                "not simulated (written reason) {}; neither covered nor explained {}",
                self.explained(),
                open
            );
        }
        let _ = writeln!(out, "covered {} of {}", self.covered(), self.total());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEATURE_TEXT: &str = r#"# language: ja
@FLOW-18 @SCR-13
機能: 資格情報照会（被保険者証）

  背景:
    前提 医療機関コード「1234567890」の医療機関で資格情報照会（被保険者証）を開く

  @RULE-01   # the valid banner
  シナリオ: 有効な資格
    もし 《検索》をクリックする
    ならば 画面には「この資格は有効です。」と表示される

  @RULE-29
  シナリオアウトライン: 保険者番号の形
    もし 「保険者番号」に「<番号>」を入力する
    """
    @NOT-1 シナリオ: inside a docstring
    """

    @RULE-67
    例:
      | 番号 |
      | 139931 |

  シナリオ: タグのないシナリオ
    もし 《検索》をクリックする
"#;

    fn tags(s: &Scenario) -> Vec<&str> {
        s.tags.iter().map(String::as_str).collect()
    }

    #[test]
    fn tag_line_stops_at_a_comment() {
        assert_eq!(
            parse_tag_line("@FLOW-18 @RULE-01 # @RULE-02"),
            vec!["FLOW-18", "RULE-01"]
        );
        assert!(parse_tag_line("@ # x").is_empty());
    }

    #[test]
    fn feature_rule_scenario_and_example_tags_apply() {
        let s = parse_feature("a.feature", FEATURE_TEXT);
        assert_eq!(s.len(), 3, "{s:#?}");
        assert_eq!(s[0].name, "有効な資格");
        assert_eq!(s[0].line, 9);
        assert_eq!(tags(&s[0]), vec!["FLOW-18", "RULE-01", "SCR-13"]);
        assert_eq!(s[1].name, "保険者番号の形");
        assert_eq!(tags(&s[1]), vec!["FLOW-18", "RULE-29", "RULE-67", "SCR-13"]);
        assert_eq!(tags(&s[2]), vec!["FLOW-18", "SCR-13"]);
    }

    #[test]
    fn english_keywords_and_rules() {
        let text =
            "@F1-1\nFeature: x\n@R-1\nRule: r\n@S-1\nScenario Outline: y\n@E-1\nExamples:\n| a |\n";
        let s = parse_feature("b.feature", text);
        assert_eq!(s.len(), 1);
        assert_eq!(tags(&s[0]), vec!["E-1", "F1-1", "R-1", "S-1"]);
    }

    #[test]
    fn checklist_is_read_from_section_9_only() {
        let text = "## 5. Rules\n- [ ] RULE-99 — not the checklist\n## 9. Coverage checklist\n\
                    ### 9.1 Flows (2)\n- [ ] FLOW-01 — Login → menu (ch.1 §2)\n- [x] FLOW-02 — Notices\n\
                    - [ ] not an id\n## 10. Ambiguities\n- [ ] AMB-01 — no\n";
        let ids = parse_checklist(text);
        assert_eq!(
            ids,
            vec![
                CatalogueId {
                    id: "FLOW-01".into(),
                    title: "Login → menu (ch.1 §2)".into()
                },
                CatalogueId {
                    id: "FLOW-02".into(),
                    title: "Notices".into()
                },
            ]
        );
    }

    #[test]
    fn coverage_counts_and_renders() {
        let ids = parse_checklist(
            "## 9. Coverage checklist\n- [ ] FLOW-18 — Insurance card\n- [ ] RULE-01 — Valid\n- [ ] RULE-02 — Invalid\n",
        );
        let scenarios = parse_feature("a.feature", FEATURE_TEXT);
        let c = Coverage::new(&ids, &scenarios);
        assert_eq!((c.covered(), c.total()), (2, 3));
        let out = c.render();
        assert!(out.contains("a.feature:9  有効な資格"), "{out}");
        assert!(out.contains("Not covered:\nRULE-02 — Invalid\n"), "{out}");
        assert!(out.contains("RULE-29 RULE-67 SCR-13"), "{out}");
        assert!(out.trim_end().ends_with("covered 2 of 3"), "{out}");
        assert!(is_catalogue_id("ERR-15"));
        assert!(!is_catalogue_id("language"));
        assert!(!is_catalogue_id("RULE-"));
    }

    #[test]
    fn reasons_explain_uncovered_ids_and_stale_ones_are_named() {
        let ids = parse_checklist(
            "## 9. Coverage checklist\n- [ ] FLOW-18 — Insurance card\n- [ ] RULE-02 — Invalid\n- [ ] DLG-33 — Download prompt\n",
        );
        let scenarios = parse_feature("a.feature", FEATURE_TEXT);
        let reasons =
            parse_reasons("\"DLG-33\" = \"the browser's own prompt\"\n\"FLOW-18\" = \"x\"\n")
                .expect("valid reasons");
        let c = Coverage::new(&ids, &scenarios).with_reasons(reasons);
        assert_eq!((c.covered(), c.explained(), c.total()), (1, 1, 3));
        assert_eq!(c.stale_reasons(), vec!["FLOW-18"]);
        let out = c.render();
        assert!(
            out.contains("DLG-33 — Download prompt\n    reason: the browser's own prompt"),
            "{out}"
        );
        assert!(out.contains("Not covered:\nRULE-02 — Invalid\n\n"), "{out}");
        assert!(out.contains("(remove them): FLOW-18"), "{out}");
        assert!(out.contains("not simulated (written reason) 1; neither covered nor explained 1"));
        assert!(out.trim_end().ends_with("covered 1 of 3"), "{out}");
    }

    #[test]
    fn bad_reasons_name_the_key() {
        let e = parse_reasons("\"lower-1\" = \"x\"").expect_err("not an id");
        assert!(e.contains("\"lower-1\""), "{e}");
        let e = parse_reasons("\"DLG-01\" = \" \"").expect_err("empty");
        assert!(e.contains("DLG-01") && e.contains("non-empty"), "{e}");
        let e = parse_reasons("\"DLG-01\" = 3").expect_err("not a string");
        assert!(e.contains("DLG-01"), "{e}");
        assert!(parse_reasons("DLG = [").is_err());
    }
}
