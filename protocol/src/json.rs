//! The WebAPI JSON mirror: `{"XmlMsg":{"MessageHeader":{…},"MessageBody":{…}}}`.
//!
//! Leaves are strings. A list container (`ResultList`, …) becomes an array whose items keep their
//! element: `"ResultList":[{"ResultOfQualificationConfirmation":{…}}]`, the shape of an anonymised
//! real answer (evidence/webapi-single-valid). Other repeated siblings become arrays under their
//! shared name.

use crate::dom::Element;
use serde_json::{Map, Value};

/// Containers whose children are list items: (container, item element name). `ResultList` has
/// public evidence; the others follow the same rule (docs/interface.md, "JSON mirror").
pub const LISTS: &[(&str, &str)] = &[
    ("ResultList", "ResultOfQualificationConfirmation"),
    (
        "SpecificDiseasesCertificateList",
        "SpecificDiseasesCertificateInfo",
    ),
];

fn item_name(container: &str) -> Option<&'static str> {
    LISTS.iter().find(|(c, _)| *c == container).map(|(_, i)| *i)
}

/// The tree as JSON: `{"<root>": …}`.
pub fn to_json(root: &Element) -> Value {
    let mut m = Map::new();
    m.insert(root.name.clone(), content(root));
    Value::Object(m)
}

fn content(el: &Element) -> Value {
    if el.children.is_empty() {
        if item_name(&el.name).is_some() {
            return Value::Array(Vec::new());
        }
        return Value::String(el.text.clone());
    }
    if item_name(&el.name).is_some() {
        return Value::Array(
            el.children
                .iter()
                .map(|c| {
                    let mut item = Map::new();
                    item.insert(c.name.clone(), content(c));
                    Value::Object(item)
                })
                .collect(),
        );
    }
    let mut m = Map::new();
    for c in &el.children {
        let v = content(c);
        match m.get_mut(&c.name) {
            Some(Value::Array(a))
                if el.children.iter().filter(|x| x.name == c.name).count() > 1 =>
            {
                a.push(v)
            }
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, v]);
            }
            None => {
                m.insert(c.name.clone(), v);
            }
        }
    }
    Value::Object(m)
}

/// Why a JSON body does not mirror a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JsonShapeError(pub String);

/// JSON to a tree. The top level must be an object with exactly one key (the root).
pub fn from_json(v: &Value) -> Result<Element, JsonShapeError> {
    let Value::Object(m) = v else {
        return Err(JsonShapeError("the body is not a JSON object".into()));
    };
    if m.len() != 1 {
        return Err(JsonShapeError(format!(
            "the body must have one key (the root element), found {}",
            m.len()
        )));
    }
    let (name, inner) = m
        .iter()
        .next()
        .ok_or_else(|| JsonShapeError("empty body".into()))?;
    element(name, inner, 0)
}

fn element(name: &str, v: &Value, depth: usize) -> Result<Element, JsonShapeError> {
    if depth > 16 {
        return Err(JsonShapeError("JSON nests deeper than 16 levels".into()));
    }
    let mut el = Element::new(name);
    match v {
        Value::String(s) => el.text = s.clone(),
        Value::Number(n) => el.text = n.to_string(),
        Value::Null => {}
        Value::Bool(_) => {
            return Err(JsonShapeError(format!(
                "\"{name}\" is a boolean; values are strings"
            )))
        }
        Value::Array(items) => match item_name(name) {
            Some(item) => {
                for i in items {
                    el.children.push(list_item(name, item, i, depth + 1)?);
                }
            }
            None => {
                return Err(JsonShapeError(format!(
                    "\"{name}\" is an array but is not a list"
                )))
            }
        },
        Value::Object(m) => {
            for (k, child) in m {
                match child {
                    Value::Array(items) if item_name(k).is_none() => {
                        for i in items {
                            el.children.push(element(k, i, depth + 1)?);
                        }
                    }
                    _ => el.children.push(element(k, child, depth + 1)?),
                }
            }
        }
    }
    Ok(el)
}

/// One item of a list container: `{"<item>":{…}}`.
fn list_item(
    container: &str,
    item: &str,
    v: &Value,
    depth: usize,
) -> Result<Element, JsonShapeError> {
    match v {
        Value::Object(m) if m.len() == 1 && m.contains_key(item) => {
            element(item, &m[item], depth + 1)
        }
        _ => Err(JsonShapeError(format!(
            "each item of \"{container}\" must be {{\"{item}\":{{…}}}}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_list_is_an_array_and_round_trips() {
        let tree = Element::new("XmlMsg").with(
            Element::new("MessageBody")
                .with(Element::leaf("QualificationValidity", "5"))
                .with(
                    Element::new("ResultList")
                        .with(
                            Element::new("ResultOfQualificationConfirmation")
                                .with(Element::leaf("Name", "新橋 一郎")),
                        )
                        .with(
                            Element::new("ResultOfQualificationConfirmation")
                                .with(Element::leaf("Name", "新橋 二郎")),
                        ),
                ),
        );
        let j = to_json(&tree);
        assert_eq!(
            j["XmlMsg"]["MessageBody"]["ResultList"][1]["ResultOfQualificationConfirmation"]
                ["Name"],
            "新橋 二郎"
        );
        assert_eq!(from_json(&j).unwrap(), tree);
    }

    #[test]
    fn list_items_without_their_element_are_refused() {
        let bare = serde_json::json!({"XmlMsg": {"ResultList": [{"Name": "x"}]}});
        let e = from_json(&bare).unwrap_err();
        assert!(e.0.contains("ResultOfQualificationConfirmation"), "{e}");
        let empty = serde_json::json!({"XmlMsg": {"ResultList": []}});
        let t = from_json(&empty).unwrap();
        assert_eq!(to_json(&t), empty);
    }

    #[test]
    fn specific_disease_items_keep_their_element() {
        let tree = Element::new("R").with(
            Element::new("SpecificDiseasesCertificateList").with(
                Element::new("SpecificDiseasesCertificateInfo")
                    .with(Element::leaf("SpecificDiseasesDiseaseCategory", "1")),
            ),
        );
        let j = to_json(&tree);
        assert_eq!(
            j["R"]["SpecificDiseasesCertificateList"][0]["SpecificDiseasesCertificateInfo"]
                ["SpecificDiseasesDiseaseCategory"],
            "1"
        );
        assert_eq!(from_json(&j).unwrap(), tree);
    }

    #[test]
    fn shape_errors_are_named() {
        assert!(from_json(&serde_json::json!([1])).is_err());
        let e = from_json(&serde_json::json!({"XmlMsg": {"A": true}})).unwrap_err();
        assert!(e.0.contains("\"A\""), "{e}");
        let n = from_json(&serde_json::json!({"XmlMsg": {"A": 5}})).unwrap();
        assert_eq!(n.child_text("A"), Some("5"));
    }
}
