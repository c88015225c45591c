//! Where a typed message writes its elements: into a tree ([`TreeSink`], for JSON and the
//! general path) or straight into XML bytes ([`XmlOut`], no tree in between). A message names its
//! elements once, in its `emit`, so both outputs keep the same order by construction.
//!
//! [`XmlOut`] writes exactly the bytes [`crate::xml::write_document`] writes for the same tree
//! (one space of indent per level, empty elements as `<Name/>`, `<>&'"` escaped, a trailing
//! newline; Shift_JIS with numeric references for what it cannot hold): tested below against it.

use crate::codes::PlainCodes;
use crate::dom::Element;
use crate::xml::TextEncoding;
use encoding_rs::SHIFT_JIS;

/// An element's name and its tags, made at compile time by [`tag!`](crate::tag): `<Name>`, and
/// `<Name>` and `</Name>` each followed by a new line's run ([`LINE`]). [`XmlOut`] copies each
/// whole, a copy of constant length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    name: &'static str,
    start: &'static str,
    start_line: &'static str,
    end_line: &'static str,
}

/// A new line and the most indent written in one copy: written after every element, cut to
/// the next line's indent when the next line starts.
pub const LINE: &str = "\n               ";

impl Tag {
    /// What [`tag!`](crate::tag) expands to: the tags must be `<name>`, `<name>` + [`LINE`] and
    /// `</name>` + [`LINE`], `name` a simple XML name (ASCII letters, digits, `_`, `-`, `.`; not
    /// starting with a digit, `-` or `.`); checked here, at compile time in the macro's constant.
    #[doc(hidden)]
    pub const fn new(
        name: &'static str,
        start: &'static str,
        start_line: &'static str,
        end_line: &'static str,
    ) -> Tag {
        let (n, s, sl, el) = (
            name.as_bytes(),
            start.as_bytes(),
            start_line.as_bytes(),
            end_line.as_bytes(),
        );
        let (k, line) = (n.len(), LINE.as_bytes());
        assert!(k > 0 && s.len() == k + 2);
        assert!(sl.len() == k + 2 + line.len() && el.len() == k + 3 + line.len());
        assert!(s[0] == b'<' && s[k + 1] == b'>' && sl[0] == b'<' && sl[k + 1] == b'>');
        assert!(el[0] == b'<' && el[1] == b'/' && el[k + 2] == b'>');
        assert!(!matches!(n[0], b'0'..=b'9' | b'-' | b'.'));
        let mut i = 0;
        while i < k {
            assert!(matches!(n[i], b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.'));
            assert!(s[i + 1] == n[i] && sl[i + 1] == n[i] && el[i + 2] == n[i]);
            i += 1;
        }
        let mut i = 0;
        while i < line.len() {
            assert!(sl[k + 2 + i] == line[i] && el[k + 3 + i] == line[i]);
            i += 1;
        }
        Tag {
            name,
            start,
            start_line,
            end_line,
        }
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
        const TAG: $crate::sink::Tag = $crate::sink::Tag::new(
            $name,
            concat!("<", $name, ">"),
            concat!("<", $name, ">\n               "),
            concat!("</", $name, ">\n               "),
        );
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
    /// A leaf holding a code of a code table (one with nothing to escape).
    #[inline(always)]
    fn code<C: PlainCodes>(&mut self, tag: Tag, value: C)
    where
        Self: Sized,
    {
        self.leaf(tag, value.code());
    }
    /// A leaf when `value` is present; absent values are omitted.
    #[inline(always)]
    fn opt(&mut self, tag: Tag, value: Option<&str>) {
        if let Some(v) = value {
            self.leaf(tag, v);
        }
    }
    /// An element holding what `body` writes: `open`, `body`, `close` in one call, so a writer
    /// knows the end tag where it writes it.
    #[inline(always)]
    fn element(&mut self, tag: Tag, body: impl FnOnce(&mut Self))
    where
        Self: Sized,
    {
        self.open(tag);
        body(self);
        self.close();
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

/// An element open in an [`XmlOut`]: where its start tag ends in the output, and its end tag
/// (with the line after it).
#[derive(Debug, Clone, Copy)]
struct Open {
    after: usize,
    end_line: &'static str,
}

/// Open elements kept without an allocation; deeper ones (no message nests so deep) spill.
const STACK: usize = 12;

/// Writes XML text directly, as [`crate::xml::write_document`] would write the same tree.
///
/// Every element is followed at once by [`LINE`] (its end tag and the run copied as one
/// constant); the next line cuts the run to its indent. So an element costs one copy per tag,
/// and `finish` cuts the last run to the document's final newline.
#[derive(Debug)]
pub struct XmlOut {
    /// UTF-8 by construction: whole `&str`s and ASCII, cut only inside ASCII runs.
    out: Vec<u8>,
    encoding: TextEncoding,
    /// Where the run after the last element starts (`out[mark..]` is [`LINE`]).
    mark: usize,
    stack: [Open; STACK],
    spill: Vec<Open>,
    /// Elements open now.
    depth: usize,
    /// Levels of indent of the next line: the fragment's depth and the elements open.
    indent: usize,
}

impl XmlOut {
    /// A document in `encoding`; `capacity` is a guess of its length in bytes.
    pub fn new(encoding: TextEncoding, capacity: usize) -> Self {
        let mut out = Vec::with_capacity(capacity);
        out.extend_from_slice(prolog(encoding).as_bytes());
        XmlOut::with(out, encoding, 0)
    }

    /// A fragment: elements written at `depth` levels of indent, no prolog, no final newline
    /// (units of a bulk result, joined into the document by their writer).
    pub fn fragment(depth: usize, capacity: usize) -> Self {
        XmlOut::with(Vec::with_capacity(capacity), TextEncoding::Utf8, depth)
    }

    fn with(mut out: Vec<u8>, encoding: TextEncoding, base: usize) -> Self {
        let mark = out.len();
        out.extend_from_slice(LINE.as_bytes());
        XmlOut {
            out,
            encoding,
            mark,
            stack: [Open {
                after: 0,
                end_line: "",
            }; STACK],
            spill: Vec::new(),
            depth: 0,
            indent: base,
        }
    }

    /// The fragment's text (UTF-8; the document's writer encodes the whole).
    pub fn finish_fragment(mut self) -> String {
        while self.depth > 0 {
            self.close();
        }
        self.out.truncate(self.mark);
        into_string(self.out)
    }

    /// The document's bytes in its encoding.
    pub fn finish(mut self) -> Vec<u8> {
        while self.depth > 0 {
            self.close();
        }
        // The last run cut to its newline: the document's final one.
        self.out.truncate(self.mark + 1);
        match self.encoding {
            TextEncoding::Utf8 => self.out,
            // Unmappable characters become numeric character references, as write_document.
            TextEncoding::ShiftJis => SHIFT_JIS.encode(&into_string(self.out)).0.into_owned(),
        }
    }

    /// Starts a line indented one space per level (`levels` below the document's root): the
    /// run after the last element cut to it.
    #[inline(always)]
    fn line(&mut self, levels: usize) {
        if levels < LINE.len() {
            self.out.truncate(self.mark + 1 + levels);
        } else {
            self.long_line(levels);
        }
    }

    #[cold]
    fn long_line(&mut self, levels: usize) {
        self.out.truncate(self.mark + LINE.len());
        self.out
            .extend(std::iter::repeat_n(b' ', levels + 1 - LINE.len()));
    }

    /// The line of an element inside the ones open now.
    #[inline(always)]
    fn next_line(&mut self) {
        self.line(self.indent);
    }

    /// Appends what ends with a [`LINE`] run (a tag copied with it, or the run alone).
    #[inline(always)]
    fn push_with_line(&mut self, text: &str) {
        self.out.extend_from_slice(text.as_bytes());
        self.mark = self.out.len() - LINE.len();
    }

    #[inline(always)]
    fn push_open(&mut self, open: Open) {
        match self.stack.get_mut(self.depth) {
            Some(slot) => *slot = open,
            None => self.spill.push(open),
        }
        self.depth += 1;
        self.indent += 1;
    }

    #[inline(always)]
    fn pop_open(&mut self) -> Option<Open> {
        self.depth = self.depth.checked_sub(1)?;
        self.indent -= 1;
        match self.stack.get(self.depth) {
            Some(open) => Some(*open),
            None => self.spill.pop(),
        }
    }

    /// `el` written at `levels` (names and texts as the tree holds them).
    fn write_tree(&mut self, el: &Element, levels: usize) {
        self.line(levels);
        self.out.push(b'<');
        self.out.extend_from_slice(el.name.as_bytes());
        if el.children.is_empty() {
            if el.text.is_empty() {
                self.out.extend_from_slice(b"/>");
                self.push_with_line(LINE);
                return;
            }
            self.out.push(b'>');
            push_escaped(&mut self.out, &el.text);
        } else {
            self.out.push(b'>');
            self.push_with_line(LINE);
            for c in &el.children {
                self.write_tree(c, levels + 1);
            }
            self.line(levels);
        }
        self.out.extend_from_slice(b"</");
        self.out.extend_from_slice(el.name.as_bytes());
        self.out.push(b'>');
        self.push_with_line(LINE);
    }

    /// `<Name/>`.
    #[cold]
    fn empty(&mut self, tag: Tag) {
        self.out.push(b'<');
        self.out.extend_from_slice(tag.name.as_bytes());
        self.out.extend_from_slice(b"/>");
        self.push_with_line(LINE);
    }
}

/// The XML declaration of a document in `encoding` (its label, `TextEncoding::label`, spelled
/// out so the line is one constant; tested against it).
fn prolog(encoding: TextEncoding) -> &'static str {
    match encoding {
        TextEncoding::Utf8 => "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
        TextEncoding::ShiftJis => "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>",
    }
}

/// The writer's bytes as the text they are (UTF-8 by construction; never lossy in fact).
fn into_string(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends `text` with `<>&'"` escaped (quick-xml's `escape`, which write_document uses).
#[inline(always)]
fn push_escaped(out: &mut Vec<u8>, text: &str) {
    if !may_need_escape(text.as_bytes()) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    push_escaped_slow(out, text);
}

/// Whether `text` holds one of `<>&'"` or `#` (which shares their test): eight bytes at a time,
/// a short text in one word. Most texts hold none and are copied whole; the others take the
/// exact way ([`push_escaped_slow`]).
#[inline(always)]
fn may_need_escape(text: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    /// A byte of `x` is one of `"#&'` (masked to 0x22) or `<>` (masked to 0x3C); a zero byte
    /// (as in a short text's padding) is neither.
    #[inline(always)]
    fn hit(x: u64) -> u64 {
        let quote = (x & (0xFA * ONES)) ^ (0x22 * ONES);
        let angle = (x & (0xFD * ONES)) ^ (0x3C * ONES);
        // Whether either has a zero byte (exact as a whole; which byte is not needed).
        ((quote.wrapping_sub(ONES) & !quote) | (angle.wrapping_sub(ONES) & !angle)) & HIGH
    }
    let n = text.len();
    if let (Some(first), Some(last)) = (text.first_chunk::<4>(), text.last_chunk::<4>()) {
        if n <= 8 {
            // 4..=8 bytes: two words that overlap, read as one.
            let x =
                u64::from(u32::from_le_bytes(*first)) | u64::from(u32::from_le_bytes(*last)) << 32;
            return hit(x) != 0;
        }
    } else {
        // 0..=3 bytes: the first, middle and last in one word.
        return match text {
            [] => false,
            [a, .., b] | [a @ b] => {
                hit(u64::from(*a) | u64::from(text[n / 2]) << 8 | u64::from(*b) << 16) != 0
            }
        };
    }
    let (words, rest) = text.as_chunks::<8>();
    let mut found = 0;
    for w in words {
        found |= hit(u64::from_le_bytes(*w));
    }
    if let (false, Some(w)) = (rest.is_empty(), text.last_chunk::<8>()) {
        found |= hit(u64::from_le_bytes(*w));
    }
    found != 0
}

#[cold]
fn push_escaped_slow(out: &mut Vec<u8>, text: &str) {
    let mut rest = text;
    // Bytes, not chars: the five are ASCII, so where one is found is a char boundary.
    while let Some(i) = rest
        .bytes()
        .position(|b| matches!(b, b'<' | b'>' | b'&' | b'\'' | b'"'))
    {
        out.extend_from_slice(&rest.as_bytes()[..i]);
        out.extend_from_slice(
            match rest.as_bytes()[i] {
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'&' => "&amp;",
                b'\'' => "&apos;",
                _ => "&quot;",
            }
            .as_bytes(),
        );
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest.as_bytes());
}

impl Sink for XmlOut {
    #[inline(always)]
    fn open(&mut self, tag: Tag) {
        self.next_line();
        self.push_with_line(tag.start_line);
        self.push_open(Open {
            after: self.mark,
            end_line: tag.end_line,
        });
    }

    #[inline(always)]
    fn close(&mut self) {
        let Some(open) = self.pop_open() else {
            return;
        };
        if self.mark == open.after {
            // Nothing inside: `<Name/>`, its start tag's `>` replaced.
            self.out.truncate(open.after - 1);
            self.out.extend_from_slice(b"/>");
            self.push_with_line(LINE);
            return;
        }
        self.next_line();
        self.push_with_line(open.end_line);
    }

    #[inline(always)]
    fn leaf(&mut self, tag: Tag, text: &str) {
        self.next_line();
        if text.is_empty() {
            self.empty(tag);
            return;
        }
        self.out.extend_from_slice(tag.start.as_bytes());
        push_escaped(&mut self.out, text);
        self.push_with_line(tag.end_line);
    }

    #[inline(always)]
    fn element(&mut self, tag: Tag, body: impl FnOnce(&mut Self)) {
        self.next_line();
        self.push_with_line(tag.start_line);
        let after = self.mark;
        self.indent += 1;
        body(self);
        self.indent -= 1;
        if self.mark == after {
            // Nothing inside: `<Name/>`, its start tag's `>` replaced.
            self.out.truncate(after - 1);
            self.out.extend_from_slice(b"/>");
            self.push_with_line(LINE);
            return;
        }
        self.next_line();
        self.push_with_line(tag.end_line);
    }

    #[inline(always)]
    fn code<C: PlainCodes>(&mut self, tag: Tag, value: C) {
        let code = value.code();
        self.next_line();
        if code.is_empty() {
            self.empty(tag);
            return;
        }
        self.out.extend_from_slice(tag.start.as_bytes());
        // PlainCodes: nothing to escape.
        self.out.extend_from_slice(code.as_bytes());
        self.push_with_line(tag.end_line);
    }

    fn tree(&mut self, el: &Element) {
        self.write_tree(el, self.indent);
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
            leak(format!("<{name}>{LINE}")),
            leak(format!("</{name}>{LINE}")),
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
    fn the_prolog_names_the_encoding_by_its_label() {
        for enc in [TextEncoding::Utf8, TextEncoding::ShiftJis] {
            let label = enc.label();
            assert_eq!(
                prolog(enc),
                format!("<?xml version=\"1.0\" encoding=\"{label}\"?>")
            );
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
        /// The word-at-a-time test finds exactly the texts with one of `<>&'"#`, at any length
        /// and position.
        #[test]
        fn may_need_escape_is_exact_up_to_the_hash(
            text in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => proptest::num::u8::ANY,
                    1 => proptest::sample::select(b"<>&'\"#".to_vec()),
                ],
                0..40,
            ),
        ) {
            let want = text.iter().any(|b| matches!(b, b'<' | b'>' | b'&' | b'\'' | b'"' | b'#'));
            proptest::prop_assert_eq!(may_need_escape(&text), want, "{:?}", text);
        }

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
