//! XML codec: bytes (UTF-8 or Shift_JIS, as declared) to [`Element`] and back.
//!
//! Reading is bounded (input size, depth, element count) so hostile input costs little and
//! never panics. Writing is deterministic: the same tree gives the same bytes.

use crate::dom::Element;
use encoding_rs::{Encoding, SHIFT_JIS, UTF_8};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

/// The two encodings the interface allows (interface.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TextEncoding {
    #[serde(rename = "UTF-8")]
    Utf8,
    #[serde(rename = "Shift_JIS")]
    ShiftJis,
}

impl TextEncoding {
    /// The name written in the XML prolog and the HTTP `charset`.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::ShiftJis => "Shift_JIS",
        }
    }

    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => UTF_8,
            TextEncoding::ShiftJis => SHIFT_JIS,
        }
    }

    /// Maps a prolog `encoding="…"` label; `None` for anything not allowed.
    pub fn from_label(label: &str) -> Option<Self> {
        match label.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Some(TextEncoding::Utf8),
            "shift_jis" | "shift-jis" | "sjis" | "x-sjis" | "windows-31j" | "cp932" | "ms932" => {
                Some(TextEncoding::ShiftJis)
            }
            _ => None,
        }
    }
}

/// Limits applied while reading. The defaults suit single and bulk messages alike.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_elements: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_bytes: 1024 * 1024,
            max_depth: 16,
            max_elements: 20_000,
        }
    }
}

/// Why a document could not be read. Each maps to one row of the error table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("request is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("unsupported encoding \"{0}\" declared in the XML prolog (allowed: UTF-8, Shift_JIS)")]
    UnsupportedEncoding(String),
    #[error("the bytes are not valid {0} (as declared)")]
    InvalidBytes(&'static str),
    #[error("XML is not well-formed at byte {position}: {reason}")]
    NotWellFormed { position: u64, reason: String },
    #[error("XML nests deeper than {0} levels")]
    TooDeep(usize),
    #[error("XML has more than {0} elements")]
    TooManyElements(usize),
    #[error("the document has no root element")]
    Empty,
}

/// A decoded document: its root and the encoding it was written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub root: Element,
    pub encoding: TextEncoding,
}

/// Finds `encoding="…"` in an `<?xml …?>` prolog at the start of `bytes` (ASCII-compatible).
fn declared_encoding(bytes: &[u8]) -> Result<TextEncoding, ReadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if !bytes.starts_with(b"<?xml") {
        return Ok(TextEncoding::Utf8);
    }
    let end = bytes
        .iter()
        .position(|&b| b == b'>')
        .unwrap_or(bytes.len().min(200));
    let prolog = String::from_utf8_lossy(&bytes[..end]);
    let Some(idx) = prolog.find("encoding") else {
        return Ok(TextEncoding::Utf8);
    };
    let rest = prolog[idx + "encoding".len()..].trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest).trim_start();
    let quote = rest.chars().next().unwrap_or('"');
    let label: String = rest.chars().skip(1).take_while(|&c| c != quote).collect();
    TextEncoding::from_label(&label).ok_or(ReadError::UnsupportedEncoding(label))
}

/// Reads a whole document: size check, decoding as declared, bounded parse.
pub fn read_document(bytes: &[u8], limits: ReadLimits) -> Result<Document, ReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(ReadError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let encoding = declared_encoding(bytes)?;
    let body = match encoding {
        TextEncoding::Utf8 => bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes),
        TextEncoding::ShiftJis => bytes,
    };
    let text = encoding
        .encoding()
        .decode_without_bom_handling_and_without_replacement(body)
        .ok_or(ReadError::InvalidBytes(encoding.label()))?;
    let root = parse_str(&text, limits)?;
    Ok(Document { root, encoding })
}

/// Parses already-decoded text into a tree. Attributes are ignored (the interface uses none)
/// but must be well-formed;
/// text of mixed content is concatenated; comments and processing instructions are skipped.
pub fn parse_str(text: &str, limits: ReadLimits) -> Result<Element, ReadError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    let bad = |reader: &Reader<&[u8]>, reason: String| ReadError::NotWellFormed {
        position: reader.buffer_position(),
        reason,
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| bad(&reader, e.to_string()))?;
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(bad(&reader, "content after the root element".into()));
            }
            Event::Start(start) => {
                count += 1;
                if count > limits.max_elements {
                    return Err(ReadError::TooManyElements(limits.max_elements));
                }
                if stack.len() >= limits.max_depth {
                    return Err(ReadError::TooDeep(limits.max_depth));
                }
                stack.push(Element::new(element_name(&reader, &start)?));
            }
            Event::Empty(start) => {
                count += 1;
                if count > limits.max_elements {
                    return Err(ReadError::TooManyElements(limits.max_elements));
                }
                let el = Element::new(element_name(&reader, &start)?);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err(bad(&reader, "unexpected end tag".into()));
                };
                if !el.children.is_empty() {
                    // Whitespace between child elements is layout, not content.
                    if el.text.trim().is_empty() {
                        el.text.clear();
                    }
                }
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| bad(&reader, e.to_string()))?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err(bad(&reader, "text outside the root element".into())),
                }
            }
            Event::CData(c) => {
                let s = std::str::from_utf8(&c).map_err(|e| bad(&reader, e.to_string()))?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(s),
                    None => return Err(bad(&reader, "CDATA outside the root element".into())),
                }
            }
            Event::DocType(_) => {
                return Err(bad(&reader, "DOCTYPE declarations are not allowed".into()));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(ReadError::NotWellFormed {
            position: reader.buffer_position(),
            reason: format!(
                "unclosed element <{}>",
                stack.last().map(|e| e.name.as_str()).unwrap_or("")
            ),
        });
    }
    root.ok_or(ReadError::Empty)
}

/// The element's local name, once its attributes are well-formed. quick-xml does not check
/// names, so the qualified name is checked here (XML 1.0 `Name`, Namespaces `QName`): `< a>`, `<a:b:c>`, `<a:>` or `<a"b>` are not
/// well-formed, and their local names would not survive being written back.
fn element_name(reader: &Reader<&[u8]>, start: &BytesStart<'_>) -> Result<String, ReadError> {
    let bad = |reason: String| ReadError::NotWellFormed {
        position: reader.buffer_position(),
        reason,
    };
    // Attributes are ignored, but a duplicate or unquoted one is not well-formed (XML 1.0 §3.1).
    for attribute in start.attributes().with_checks(true) {
        attribute.map_err(|e| bad(e.to_string()))?;
    }
    let qname = std::str::from_utf8(start.name().into_inner()).map_err(|e| bad(e.to_string()))?;
    let valid = match qname.split_once(':') {
        Some((prefix, local)) => is_ncname(prefix) && is_ncname(local),
        None => is_ncname(qname),
    };
    if !valid {
        return Err(bad(format!("\"{qname}\" is not an element name")));
    }
    Ok(qname.rsplit(':').next().unwrap_or(qname).to_owned())
}

/// XML 1.0 (fifth edition) `NameStartChar` without `:`.
fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// A name without a colon (Namespaces in XML `NCName`).
fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_name_start)
        && chars.all(|c| {
            is_name_start(c)
                || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
        })
}

/// Writes a tree as an XML document in `encoding`, indented by one space per level
/// with a trailing newline. Leaves with empty text are written as `<Name/>`.
pub fn write_document(root: &Element, encoding: TextEncoding) -> Vec<u8> {
    let text = write_string(root, encoding);
    match encoding {
        TextEncoding::Utf8 => text.into_bytes(),
        // Unmappable characters become numeric character references, which are valid XML.
        TextEncoding::ShiftJis => SHIFT_JIS.encode(&text).0.into_owned(),
    }
}

/// The document as text (the prolog names `encoding`).
pub fn write_string(root: &Element, encoding: TextEncoding) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 1);
    // Writing into a Vec cannot fail; errors are impossible here, so they are ignored.
    let _ = writer.write_event(Event::Decl(BytesDecl::new(
        "1.0",
        Some(encoding.label()),
        None,
    )));
    write_element(&mut writer, root);
    let mut out = String::from_utf8(writer.into_inner()).unwrap_or_default();
    out.push('\n');
    out
}

fn write_element(writer: &mut Writer<Vec<u8>>, el: &Element) {
    if el.children.is_empty() && el.text.is_empty() {
        let _ = writer.write_event(Event::Empty(BytesStart::new(el.name.as_str())));
        return;
    }
    let _ = writer.write_event(Event::Start(BytesStart::new(el.name.as_str())));
    if el.children.is_empty() {
        let _ = writer.write_event(Event::Text(BytesText::new(&el.text)));
    } else {
        for c in &el.children {
            write_element(writer, c);
        }
    }
    let _ = writer.write_event(Event::End(BytesEnd::new(el.name.as_str())));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> Element {
        Element::new("XmlMsg").with(
            Element::new("MessageHeader")
                .with(Element::leaf("A", "新橋 太郎 & <x>"))
                .with(Element::leaf("B", "")),
        )
    }

    #[test]
    fn duplicate_or_unquoted_attributes_are_not_well_formed() {
        for doc in [
            "<a x=\"1\" x=\"2\"/>",
            "<a x=\"1\" x=\"2\"></a>",
            "<a x=1></a>",
        ] {
            assert!(
                matches!(
                    parse_str(doc, ReadLimits::default()),
                    Err(ReadError::NotWellFormed { .. })
                ),
                "{doc}"
            );
        }
        assert!(parse_str("<a x=\"1\" y='2'/>", ReadLimits::default()).is_ok());
    }

    #[test]
    fn round_trips_utf8_and_shift_jis() {
        for enc in [TextEncoding::Utf8, TextEncoding::ShiftJis] {
            let bytes = write_document(&tree(), enc);
            let doc = read_document(&bytes, ReadLimits::default()).expect("readable");
            assert_eq!(doc.encoding, enc);
            assert_eq!(doc.root, tree());
        }
    }

    #[test]
    fn shift_jis_bytes_are_really_shift_jis() {
        let bytes = write_document(&Element::leaf("N", "新橋"), TextEncoding::ShiftJis);
        // 新 = 0x90 0x56 in Shift_JIS.
        assert!(bytes.windows(2).any(|w| w == [0x90, 0x56]));
        assert!(std::str::from_utf8(&bytes).is_err());
    }

    #[test]
    fn rejects_declared_utf8_with_shift_jis_bytes() {
        let mut bytes = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><N>".to_vec();
        bytes.extend_from_slice(&[0x90, 0x56]);
        bytes.extend_from_slice(b"</N>");
        assert_eq!(
            read_document(&bytes, ReadLimits::default()),
            Err(ReadError::InvalidBytes("UTF-8"))
        );
    }

    #[test]
    fn rejects_unknown_encoding_and_doctype_and_mismatched_tags() {
        let e = read_document(
            b"<?xml version=\"1.0\" encoding=\"EUC-JP\"?><a/>",
            ReadLimits::default(),
        );
        assert_eq!(e, Err(ReadError::UnsupportedEncoding("EUC-JP".into())));
        let e = read_document(
            b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            ReadLimits::default(),
        );
        assert!(matches!(e, Err(ReadError::NotWellFormed { .. })), "{e:?}");
        let e = read_document(b"<a><b></a>", ReadLimits::default());
        assert!(matches!(e, Err(ReadError::NotWellFormed { .. })), "{e:?}");
        let e = read_document(b"<a></a><b/>", ReadLimits::default());
        assert!(matches!(e, Err(ReadError::NotWellFormed { .. })), "{e:?}");
        assert_eq!(
            read_document(b"  ", ReadLimits::default()),
            Err(ReadError::Empty)
        );
    }

    /// Found by `oqs-fuzz --target xml` (the names were read, then written as `</>` or as a
    /// different name): names that are not XML names are not well-formed.
    #[test]
    fn rejects_element_names_that_are_not_names() {
        for doc in [
            "<?xml version=\"1.0\"?>\n<XmlMsg>\n <\rMessageHeader/>\n</XmlMsg>",
            "<ns:XmlMsg xmlns:ns=\"urn:x\"><ns:MessageHexmlns:a=\"b\"a=\"2\"/></ns:XmlMsg>",
            "<ns:XmlMsg xmlns:ns=\"urn:x\"><ns:Mes:MessageHeader/></ns:XmlMsg>",
            "<XmlMsg><Messa1.0\" encoding=\"UgeHeader/></XmlMsg>",
            "<XmlMsg><:a/></XmlMsg>",
            "<XmlMsg><a:/></XmlMsg>",
            "<XmlMsg><1a/></XmlMsg>",
            "<XmlMsg><a<b/></XmlMsg>",
        ] {
            let e = read_document(doc.as_bytes(), ReadLimits::default());
            assert!(
                matches!(e, Err(ReadError::NotWellFormed { .. })),
                "{doc:?}: {e:?}"
            );
        }
        let ok = "<ns:XmlMsg xmlns:ns=\"u\"><新橋/><_a.b-c·1/><ns:Body/></ns:XmlMsg>";
        let root = read_document(ok.as_bytes(), ReadLimits::default())
            .expect("names are names")
            .root;
        let names: Vec<&str> = root.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(root.name, "XmlMsg");
        assert_eq!(names, ["新橋", "_a.b-c·1", "Body"]);
    }

    #[test]
    fn enforces_limits() {
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert_eq!(
            read_document(deep.as_bytes(), ReadLimits::default()),
            Err(ReadError::TooDeep(16))
        );
        let wide = format!("<a>{}</a>", "<b/>".repeat(30));
        let limits = ReadLimits {
            max_elements: 10,
            ..ReadLimits::default()
        };
        assert_eq!(
            read_document(wide.as_bytes(), limits),
            Err(ReadError::TooManyElements(10))
        );
        let limits = ReadLimits {
            max_bytes: 5,
            ..ReadLimits::default()
        };
        assert_eq!(
            read_document(b"<abcdef/>", limits),
            Err(ReadError::TooLarge { size: 9, limit: 5 })
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = read_document(&bytes, ReadLimits::default());
        }

        #[test]
        fn arbitrary_text_never_panics(s in "[<>/a-zA-Z&;!?\"'= \\[\\]-]{0,200}") {
            let _ = read_document(s.as_bytes(), ReadLimits::default());
        }
    }
}
