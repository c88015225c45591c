//! Where a typed message writes its elements: into a tree ([`TreeSink`], for JSON and the
//! general path) or straight into XML bytes ([`XmlOut`], no tree in between). A message names its
//! elements once, in its `emit`, so both outputs keep the same order by construction.
//!
//! [`XmlOut`] writes exactly the bytes [`crate::xml::write_document`] writes for the same tree
//! (one space of indent per level, empty elements as `<Name/>`, `<>&'"` escaped, a trailing
//! newline; Shift_JIS with numeric references for what it cannot hold): tested below against it.

use crate::dom::Element;
use crate::xml::TextEncoding;
use encoding_rs::SHIFT_JIS;

/// A receiver of elements in document order.
pub trait Sink {
    /// Starts an element that will hold children.
    fn open(&mut self, name: &str);
    /// Ends the element opened last.
    fn close(&mut self);
    /// A leaf holding `text` (empty text: an empty element).
    fn leaf(&mut self, name: &str, text: &str);
    /// A leaf when `value` is present; absent values are omitted.
    fn opt(&mut self, name: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.leaf(name, v);
        }
    }
    /// A part given as a tree (one not written through an `emit` of its own): its elements, as
    /// `xml::write_document` writes them (an element with children: its text is not written).
    fn tree(&mut self, el: &Element) {
        if el.children.is_empty() {
            self.leaf(&el.name, &el.text);
            return;
        }
        self.open(&el.name);
        for c in &el.children {
            self.tree(c);
        }
        self.close();
    }
}

/// Builds an [`Element`] tree.
#[derive(Debug, Default)]
pub struct TreeSink {
    stack: Vec<Element>,
    done: Option<Element>,
}

impl TreeSink {
    pub fn new() -> Self {
        TreeSink::default()
    }

    /// The tree written (an empty element if nothing was).
    pub fn finish(mut self) -> Element {
        while !self.stack.is_empty() {
            self.close();
        }
        self.done.unwrap_or_default()
    }

    /// The element open now (to add to it in place).
    pub fn current(&mut self) -> Option<&mut Element> {
        self.stack.last_mut()
    }

    fn push(&mut self, el: Element) {
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(el),
            None => self.done = Some(el),
        }
    }
}

impl Sink for TreeSink {
    fn open(&mut self, name: &str) {
        self.stack.push(Element::new(name));
    }

    fn close(&mut self) {
        if let Some(el) = self.stack.pop() {
            self.push(el);
        }
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.push(Element::leaf(name, text));
    }

    fn tree(&mut self, el: &Element) {
        self.push(el.clone());
    }
}

/// Writes XML text directly, as [`crate::xml::write_document`] would write the same tree.
#[derive(Debug)]
pub struct XmlOut {
    out: String,
    encoding: TextEncoding,
    /// Where the names of the open elements are in `out` (each written in its start tag).
    open: Vec<(usize, usize)>,
    /// The last element opened has no child yet: its `>` is not written (it may end as `/>`).
    pending: bool,
    /// Levels of indent below the document's root (a fragment's depth).
    base: usize,
}

impl XmlOut {
    /// A document in `encoding`; `capacity` is a guess of its length in bytes.
    pub fn new(encoding: TextEncoding, capacity: usize) -> Self {
        let mut out = String::with_capacity(capacity);
        out.push_str("<?xml version=\"1.0\" encoding=\"");
        out.push_str(encoding.label());
        out.push_str("\"?>");
        XmlOut {
            out,
            encoding,
            open: Vec::with_capacity(8),
            pending: false,
            base: 0,
        }
    }

    /// A fragment: elements written at `depth` levels of indent, no prolog, no final newline
    /// (units of a bulk result, joined into the document by their writer).
    pub fn fragment(depth: usize, capacity: usize) -> Self {
        XmlOut {
            out: String::with_capacity(capacity),
            encoding: TextEncoding::Utf8,
            open: Vec::with_capacity(8),
            pending: false,
            base: depth,
        }
    }

    /// The fragment's text (UTF-8; the document's writer encodes the whole).
    pub fn finish_fragment(mut self) -> String {
        while !self.open.is_empty() {
            self.close();
        }
        self.out
    }

    /// A new line at the current depth: the pending `>` of the element open last, a newline
    /// and the indent, one space per level, then `<` (every line starts a tag).
    #[inline(always)]
    fn line(&mut self) {
        if self.pending {
            self.out.push('>');
            self.pending = false;
        }
        // The usual depths as constants (copied without a call), deeper ones from one string.
        let n = self.base + self.open.len();
        let line = match n {
            0 => "\n<",
            1 => "\n <",
            2 => "\n  <",
            3 => "\n   <",
            4 => "\n    <",
            5 => "\n     <",
            6 => "\n      <",
            _ => {
                const INDENTS: &str = "\n                ";
                match INDENTS.get(..n + 1) {
                    Some(indent) => self.out.push_str(indent),
                    None => {
                        self.out.push_str(INDENTS);
                        for _ in INDENTS.len() - 1..n {
                            self.out.push(' ');
                        }
                    }
                }
                "<"
            }
        };
        self.out.push_str(line);
    }

    /// The document's bytes in its encoding.
    pub fn finish(mut self) -> Vec<u8> {
        while !self.open.is_empty() {
            self.close();
        }
        self.out.push('\n');
        match self.encoding {
            TextEncoding::Utf8 => self.out.into_bytes(),
            // Unmappable characters become numeric character references, as write_document.
            TextEncoding::ShiftJis => SHIFT_JIS.encode(&self.out).0.into_owned(),
        }
    }
}

/// Appends `text` with `<>&'"` escaped (quick-xml's `escape`, which write_document uses).
#[inline]
fn push_escaped(out: &mut String, text: &str) {
    // Most texts have none of the five: one pass without a branch per byte, then one copy.
    let plain = text.bytes().fold(true, |ok, b| {
        ok & !matches!(b, b'<' | b'>' | b'&' | b'\'' | b'"')
    });
    if plain {
        out.push_str(text);
        return;
    }
    let mut rest = text;
    // Bytes, not chars: the five are ASCII, so where one is found is a char boundary.
    while let Some(i) = rest
        .bytes()
        .position(|b| matches!(b, b'<' | b'>' | b'&' | b'\'' | b'"'))
    {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'\'' => "&apos;",
            _ => "&quot;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

impl Sink for XmlOut {
    fn open(&mut self, name: &str) {
        self.line();
        let start = self.out.len();
        self.out.push_str(name);
        self.pending = true;
        self.open.push((start, self.out.len()));
    }

    fn close(&mut self) {
        let Some((start, end)) = self.open.pop() else {
            return;
        };
        if self.pending {
            self.out.push_str("/>");
            self.pending = false;
            return;
        }
        self.line();
        self.out.push('/');
        // The name again, from its start tag.
        self.out.extend_from_within(start..end);
        self.out.push('>');
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.line();
        self.out.push_str(name);
        if text.is_empty() {
            self.out.push_str("/>");
            return;
        }
        self.out.push('>');
        push_escaped(&mut self.out, text);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::write_document;

    /// Replays a tree into a sink element by element.
    fn replay(el: &Element, sink: &mut impl Sink) {
        if el.children.is_empty() {
            sink.leaf(&el.name, &el.text);
            return;
        }
        sink.open(&el.name);
        for c in &el.children {
            replay(c, sink);
        }
        sink.close();
    }

    /// Deeper than the indents written in one copy, a name longer than the copy of a name
    /// kept on the stack.
    fn deep() -> Element {
        let long = "L".repeat(70);
        let mut el = Element::new(long.as_str()).with(Element::leaf("Leaf", "x"));
        for i in 0..20 {
            el = Element::new(format!("D{i}"))
                .with(el)
                .with(Element::leaf("E", ""));
        }
        el
    }

    fn trees() -> Vec<Element> {
        vec![
            deep(),
            Element::leaf("XmlMsg", ""),
            Element::leaf("XmlMsg", "a"),
            Element::new("XmlMsg")
                .with(
                    Element::new("MessageHeader")
                        .with(Element::leaf("A", "新橋　太郎 & <x> 'y' \"z\" 𠮷 ①"))
                        .with(Element::leaf("B", "")),
                )
                .with(
                    Element::new("MessageBody").with(
                        Element::new("List")
                            .with(Element::new("Item").with(Element::leaf("C", " 1 ")))
                            .with(Element::new("Item").with(Element::leaf("C", "2"))),
                    ),
                ),
        ]
    }

    #[test]
    fn writes_what_write_document_writes() {
        for tree in trees() {
            for enc in [TextEncoding::Utf8, TextEncoding::ShiftJis] {
                let mut out = XmlOut::new(enc, 16);
                replay(&tree, &mut out);
                assert_eq!(out.finish(), write_document(&tree, enc), "{tree:?} {enc:?}");
                let mut t = TreeSink::new();
                replay(&tree, &mut t);
                assert_eq!(t.finish(), tree);
                let mut out = XmlOut::new(enc, 16);
                out.tree(&tree);
                assert_eq!(out.finish(), write_document(&tree, enc));
            }
        }
    }

    #[test]
    fn an_element_opened_and_closed_empty_is_empty() {
        let mut out = XmlOut::new(TextEncoding::Utf8, 16);
        out.open("XmlMsg");
        out.open("MessageBody");
        out.close();
        out.close();
        let tree = Element::new("XmlMsg").with(Element::new("MessageBody"));
        assert_eq!(out.finish(), write_document(&tree, TextEncoding::Utf8));
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_written_as_write_document_writes_it(text in "\\PC{0,40}", name in "[A-Za-z][A-Za-z0-9]{0,8}") {
            let tree = Element::new("R").with(Element::leaf(name.clone(), text.clone()));
            for enc in [TextEncoding::Utf8, TextEncoding::ShiftJis] {
                let mut out = XmlOut::new(enc, 0);
                replay(&tree, &mut out);
                proptest::prop_assert_eq!(out.finish(), write_document(&tree, enc));
            }
        }
    }
}
