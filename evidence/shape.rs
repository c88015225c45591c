//! The shape of a message, for comparing the simulator's answers with the public samples:
//! element paths, list shapes and value formats (not values). Included by the evidence tests
//! (`#[path]`), so the rule lives in one place.
#![allow(dead_code)]

use oqs_protocol::Element;
use serde_json::Value;
use std::collections::BTreeMap;

/// Path → shape. Leaves map to their value format; a JSON list maps to `[]{item keys}`.
pub type Shape = BTreeMap<String, String>;

/// Elements whose values are free text: only "non-empty" is compared.
const FREE_TEXT: &[&str] = &[
    "Address",
    "InsurerName",
    "InsuredIdentificationNumber",
    "InsuredCardSymbol",
    "ArbitraryFileIdentifier",
    "ArbitraryIdentifier",
    "ReferenceNumber",
    "MedicalInstitutionCode",
];

/// The format of a value: names keep the kind of space between words, readings their width,
/// codes and dates their exact character classes and length.
pub fn format_of(element: &str, v: &str) -> String {
    match element {
        "Name" | "InsuredName" | "NameOfOther" => collapse(v, |c| match c {
            '\u{3000}' => '　',
            ' ' => ' ',
            _ => '字',
        }),
        "NameKana" | "NameOfOtherKana" => collapse(v, |c| match c {
            '\u{FF61}'..='\u{FF9F}' => 'ｶ',
            ' ' => ' ',
            _ => '?',
        }),
        "InsurerNumber" => {
            let digits = v.trim_start_matches(' ');
            if v.len() == 8 && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                format!("8 characters, {} digits right-aligned", digits.len())
            } else {
                format!("bad insurer number {v:?}")
            }
        }
        e if FREE_TEXT.contains(&e) => {
            if v.trim().is_empty() {
                "empty".into()
            } else {
                "text".into()
            }
        }
        _ => v
            .chars()
            .map(|c| match c {
                '0'..='9' => '9',
                'A'..='Z' | 'a'..='z' => 'A',
                '-' => '-',
                _ => '*',
            })
            .collect(),
    }
}

fn collapse(v: &str, class: impl Fn(char) -> char) -> String {
    let mut out = String::new();
    for c in v.chars().map(class) {
        if !out.ends_with(c) || c == ' ' || c == '　' {
            out.push(c);
        }
    }
    out
}

/// The shape of a JSON message (`{"XmlMsg":…}`).
pub fn json_shape(v: &Value) -> Shape {
    let mut s = Shape::new();
    walk_json("", "", v, &mut s);
    s
}

fn walk_json(path: &str, name: &str, v: &Value, s: &mut Shape) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                walk_json(&format!("{path}/{k}"), k, child, s);
            }
        }
        Value::Array(items) => {
            let mut keys: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Value::Object(m) => {
                        format!("{{{}}}", m.keys().cloned().collect::<Vec<_>>().join(","))
                    }
                    Value::String(_) => "string".into(),
                    _ => "other".into(),
                })
                .collect();
            keys.dedup();
            s.insert(format!("{path}[]"), keys.join("|"));
            for i in items {
                walk_json(&format!("{path}[]"), name, i, s);
            }
        }
        Value::String(t) => {
            s.insert(path.to_owned(), format_of(name, t));
        }
        other => {
            s.insert(path.to_owned(), format!("not a string: {other}"));
        }
    }
}

/// The shape of an XML message tree.
pub fn xml_shape(root: &Element) -> Shape {
    let mut s = Shape::new();
    walk_xml(&format!("/{}", root.name), root, &mut s);
    s
}

fn walk_xml(path: &str, el: &Element, s: &mut Shape) {
    if el.children.is_empty() {
        s.insert(path.to_owned(), format_of(&el.name, &el.text));
        return;
    }
    for c in &el.children {
        walk_xml(&format!("{path}/{}", c.name), c, s);
    }
}

/// What differs between a sample's shape and ours, skipping the paths listed in `allowed`
/// (each a path suffix with the reason it may differ).
pub fn differences(sample: &Shape, ours: &Shape, allowed: &[(&str, &str)]) -> Vec<String> {
    let ok = |p: &str| allowed.iter().any(|(suffix, _)| p.ends_with(suffix));
    let mut out = Vec::new();
    for (p, f) in sample {
        match ours.get(p) {
            Some(g) if g == f => {}
            _ if ok(p) => {}
            Some(g) => out.push(format!("{p}: sample {f:?}, simulator {g:?}")),
            None => out.push(format!("{p}: in the sample, not from the simulator")),
        }
    }
    for p in ours.keys() {
        if !sample.contains_key(p) && !ok(p) {
            out.push(format!("{p}: from the simulator, not in the sample"));
        }
    }
    out
}
