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

/// An element's name and its two tags (`<Name>`, `</Name>`), made at compile time by
/// [`tag!`](crate::tag): [`XmlOut`] copies each tag whole, a copy of constant length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    name: &'static str,
    start: &'static str,
    end: &'static str,
}

impl Tag {
    /// What [`tag!`](crate::tag) expands to: `start` and `end` must be `<name>` and `</name>`,
    /// `name` a simple XML name (ASCII letters, digits, `_`, `-`, `.`; not starting with a
    /// digit, `-` or `.`), checked here, at compile time in the macro's constant.
    #[doc(hidden)]
    pub const fn new(name: &'static str, start: &'static str, end: &'static str) -> Tag {
        let (n, s, e) = (name.as_bytes(), start.as_bytes(), end.as_bytes());
        assert!(!n.is_empty() && s.len() == n.len() + 2 && e.len() == n.len() + 3);
        assert!(s[0] == b'<' && s[s.len() - 1] == b'>');
        assert!(e[0] == b'<' && e[1] == b'/' && e[e.len() - 1] == b'>');
        assert!(!matches!(n[0], b'0'..=b'9' | b'-' | b'.'));
        let mut i = 0;
        while i < n.len() {
            assert!(matches!(n[i], b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.'));
            assert!(s[i + 1] == n[i] && e[i + 2] == n[i]);
            i += 1;
        }
        Tag { name, start, end }
    }

    /// The element's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

/// A [`Tag`] constant for an element name: `tag!("InsurerNumber")`.
#[macro_export]
macro_rules! tag {
    ($name:literal) => {{
        const TAG: $crate::sink::Tag =
            $crate::sink::Tag::new($name, concat!("<", $name, ">"), concat!("</", $name, ">"));
        TAG
    }};
}

/// A receiver of elements in document order.
pub trait Sink {
    /// Starts an element that will hold children.
    fn open(&mut self, tag: Tag);
    /// Ends the element opened last.
    fn close(&mut self);
    /// A leaf holding `text` (empty text: an empty element).
    fn leaf(&mut self, tag: Tag, text: &str);
    /// A leaf when `value` is present; absent values are omitted.
    #[inline(always)]
    fn opt(&mut self, tag: Tag, value: Option<&str>) {
        if let Some(v) = value {
            self.leaf(tag, v);
        }
    }
    /// A part given as a tree (one not written through an `emit` of its own): its elements, as
    /// `xml::write_document` writes them (an element with children: its text is not written).
    fn tree(&mut self, el: &Element);
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
    fn open(&mut self, tag: Tag) {
        self.stack.push(Element::new(tag.name));
    }

    fn close(&mut self) {
        if let Some(el) = self.stack.pop() {
            self.push(el);
        }
    }

    fn leaf(&mut self, tag: Tag, text: &str) {
        self.push(Element::leaf(tag.name, text));
    }

    fn tree(&mut self, el: &Element) {
        self.push(el.clone());
    }
}

/// An element open in an [`XmlOut`]: where its start tag ends in the output (nothing written
/// after it: the element is still empty) and its end tag.
#[derive(Debug, Clone, Copy)]
struct Open {
    after: usize,
    end: &'static str,
}

/// Open elements kept without an allocation; deeper ones (no message nests so deep) spill.
const STACK: usize = 12;

/// Writes XML text directly, as [`crate::xml::write_document`] would write the same tree.
#[derive(Debug)]
pub struct XmlOut {
    out: String,
    encoding: TextEncoding,
    stack: [Open; STACK],
    spill: Vec<Open>,
    /// Elements open now.
    depth: usize,
    /// Levels of indent below the document's root (a fragment's depth).
    base: usize,
}

/// A new line and the most indent written in one copy.
const LINE: &str = "\n               ";

impl XmlOut {
    /// A document in `encoding`; `capacity` is a guess of its length in bytes.
    pub fn new(encoding: TextEncoding, capacity: usize) -> Self {
        let mut out = String::with_capacity(capacity);
        out.push_str("<?xml version=\"1.0\" encoding=\"");
        out.push_str(encoding.label());
        out.push_str("\"?>");
        XmlOut::with(out, encoding, 0)
    }

    /// A fragment: elements written at `depth` levels of indent, no prolog, no final newline
    /// (units of a bulk result, joined into the document by their writer).
    pub fn fragment(depth: usize, capacity: usize) -> Self {
        XmlOut::with(String::with_capacity(capacity), TextEncoding::Utf8, depth)
    }

    fn with(out: String, encoding: TextEncoding, base: usize) -> Self {
        XmlOut {
            out,
            encoding,
            stack: [Open { after: 0, end: "" }; STACK],
            spill: Vec::new(),
            depth: 0,
            base,
        }
    }

    /// The fragment's text (UTF-8; the document's writer encodes the whole).
    pub fn finish_fragment(mut self) -> String {
        while self.depth > 0 {
            self.close();
        }
        self.out
    }

    /// The document's bytes in its encoding.
    pub fn finish(mut self) -> Vec<u8> {
        while self.depth > 0 {
            self.close();
        }
        self.out.push('\n');
        match self.encoding {
            TextEncoding::Utf8 => self.out.into_bytes(),
            // Unmappable characters become numeric character references, as write_document.
            TextEncoding::ShiftJis => SHIFT_JIS.encode(&self.out).0.into_owned(),
        }
    }

    /// A new line indented one space per level (`levels` below the document's root).
    #[inline(always)]
    fn line(&mut self, levels: usize) {
        if levels < LINE.len() {
            // One copy of the whole run, cut to the indent wanted.
            let end = self.out.len() + 1 + levels;
            self.out.push_str(LINE);
            self.out.truncate(end);
        } else {
            self.long_line(levels);
        }
    }

    #[cold]
    fn long_line(&mut self, levels: usize) {
        self.out.push('\n');
        self.out.extend(std::iter::repeat_n(' ', levels));
    }

    /// The line of an element inside the ones open now.
    #[inline(always)]
    fn next_line(&mut self) {
        self.line(self.base + self.depth);
    }

    #[inline(always)]
    fn push_open(&mut self, open: Open) {
        match self.stack.get_mut(self.depth) {
            Some(slot) => *slot = open,
            None => self.spill.push(open),
        }
        self.depth += 1;
    }

    #[inline(always)]
    fn pop_open(&mut self) -> Option<Open> {
        self.depth = self.depth.checked_sub(1)?;
        match self.stack.get(self.depth) {
            Some(open) => Some(*open),
            None => self.spill.pop(),
        }
    }

    /// `el` written at `levels` (names and texts as the tree holds them).
    fn write_tree(&mut self, el: &Element, levels: usize) {
        self.line(levels);
        self.out.push('<');
        self.out.push_str(&el.name);
        if el.children.is_empty() {
            if el.text.is_empty() {
                self.out.push_str("/>");
                return;
            }
            self.out.push('>');
            push_escaped(&mut self.out, &el.text);
        } else {
            self.out.push('>');
            for c in &el.children {
                self.write_tree(c, levels + 1);
            }
            self.line(levels);
        }
        self.out.push_str("</");
        self.out.push_str(&el.name);
        self.out.push('>');
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
    push_escaped_slow(out, text);
}

#[cold]
fn push_escaped_slow(out: &mut String, text: &str) {
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
    #[inline(always)]
    fn open(&mut self, tag: Tag) {
        self.next_line();
        self.out.push_str(tag.start);
        let after = self.out.len();
        self.push_open(Open {
            after,
            end: tag.end,
        });
    }

    #[inline(always)]
    fn close(&mut self) {
        let Some(open) = self.pop_open() else {
            return;
        };
        if self.out.len() == open.after {
            // Nothing inside: `<Name/>`, its start tag's `>` replaced.
            self.out.truncate(open.after - 1);
            self.out.push_str("/>");
            return;
        }
        self.next_line();
        self.out.push_str(open.end);
    }

    #[inline(always)]
    fn leaf(&mut self, tag: Tag, text: &str) {
        self.next_line();
        if text.is_empty() {
            self.empty(tag);
            return;
        }
        self.out.push_str(tag.start);
        push_escaped(&mut self.out, text);
        self.out.push_str(tag.end);
    }

    fn tree(&mut self, el: &Element) {
        self.write_tree(el, self.base + self.depth);
    }
}

impl XmlOut {
    /// `<Name/>`.
    #[cold]
    fn empty(&mut self, tag: Tag) {
        self.out.push('<');
        self.out.push_str(tag.name);
        self.out.push_str("/>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::write_document;

    /// A tag for a name known only at run time (leaked: tests only).
    fn tag_of(name: &str) -> Tag {
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        Tag::new(
            leak(name.to_owned()),
            leak(format!("<{name}>")),
            leak(format!("</{name}>")),
        )
    }

    /// Replays a tree into a sink element by element.
    fn replay(el: &Element, sink: &mut impl Sink) {
        if el.children.is_empty() {
            sink.leaf(tag_of(&el.name), &el.text);
            return;
        }
        sink.open(tag_of(&el.name));
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
        out.open(tag!("XmlMsg"));
        out.open(tag!("MessageBody"));
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
