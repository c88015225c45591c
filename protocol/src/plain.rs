//! A borrowing reader for plain documents: the common shape of a request, read without building
//! a tree. "Plain" is a strict subset of what [`crate::xml::read_document`] reads: UTF-8 (no BOM),
//! no prolog or `<?xml version="1.0"?>` with `encoding="UTF-8"` (or Shift_JIS declared in the
//! prolog, decoded first: [`shift_jis_text`]), elements with simple ASCII names
//! and no attributes, leaves holding text without references, `\r` or `>`, whitespace only
//! between elements, at most [`MAX_DEPTH`] levels and [`MAX_ELEMENTS`] elements (a bulk file's
//! reader, [`scan_up_to`], sets its own element limit).
//!
//! Anything else gives `None`, and the caller reads the document the general way: this reader
//! never decides that a document is bad, so every error (and every message the general reader
//! gives) stays the general reader's. What it does read, it reads as the general reader would
//! (tested against it in `tests/plain.rs` and by `oqs-fuzz --target inquiry`).

/// Levels a plain document may nest.
pub const MAX_DEPTH: usize = 4;
/// Elements a plain document may have.
pub const MAX_ELEMENTS: usize = 64;

/// One piece of a plain document, in document order. `usual`: the name's index among the usual
/// names given to [`scan_up_to`] when it is one of them (so a reader can tell names apart by
/// number), else `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// An element with children starts; `depth` 1 is the root.
    Open {
        name: &'a str,
        usual: Option<usize>,
        depth: usize,
    },
    /// An element without children and its text (`<A/>` and `<A></A>`: empty).
    Leaf {
        name: &'a str,
        usual: Option<usize>,
        text: &'a str,
        depth: usize,
    },
    /// The element opened last ends.
    Close { depth: usize },
}

const PROLOGS: [&str; 4] = [
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
    "<?xml version='1.0' encoding='UTF-8'?>",
    "<?xml version=\"1.0\"?>",
];

/// The prologs of a plain Shift_JIS document (the encoding's usual spellings).
const SHIFT_JIS_PROLOGS: [&str; 3] = [
    "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>",
    "<?xml version=\"1.0\" encoding=\"shift_jis\"?>",
    "<?xml version='1.0' encoding='Shift_JIS'?>",
];

/// A document whose prolog declares Shift_JIS ([`SHIFT_JIS_PROLOGS`], at its first byte):
/// what follows the prolog, decoded as the general reader decodes it (strictly; bytes that are
/// not Shift_JIS give `None`). [`scan`] reads the text like a UTF-8 document without a prolog;
/// text starting with a second `<?` gives `None` (the general reader decides).
pub fn shift_jis_text(bytes: &[u8]) -> Option<String> {
    let prolog = SHIFT_JIS_PROLOGS
        .iter()
        .find(|p| bytes.starts_with(p.as_bytes()))?;
    // The prolog is ASCII, which Shift_JIS writes as itself: the rest decodes on its own.
    let text = encoding_rs::SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(&bytes[prolog.len()..])?
        .into_owned();
    (!text.starts_with("<?")).then_some(text)
}

/// Reads `bytes` as a plain document and hands each token to `visit`; `visit` returns `false`
/// to give up. `None`: not plain (or given up); read it the general way.
pub fn scan<'a>(bytes: &'a [u8], visit: impl FnMut(Token<'a>) -> bool) -> Option<()> {
    scan_up_to(bytes, MAX_ELEMENTS, &[], visit)
}

/// [`scan`] of a document of up to `max_elements` elements instead of [`MAX_ELEMENTS`] (a bulk
/// file's rows); more give `None`, so the general reader's element limit decides.
///
/// `usual`: the element names of the usual document in their usual order (simple names, each
/// once). A start tag is first compared with the next few of them, which is cheaper than
/// checking its name byte by byte; a name not among them is read byte by byte. The tokens are
/// the same either way, and tell which usual name they have ([`Token`]).
pub fn scan_up_to<'a>(
    bytes: &'a [u8],
    max_elements: usize,
    usual: &[&'static str],
    visit: impl FnMut(Token<'a>) -> bool,
) -> Option<()> {
    // Validated at once (cheaper than text by text): every slice taken below starts and ends
    // at an ASCII byte.
    let text = std::str::from_utf8(bytes).ok()?;
    scan_text_up_to(text, max_elements, usual, visit)
}

/// [`scan_up_to`] of a document already held as text (its UTF-8 not checked again).
pub fn scan_text_up_to<'a>(
    text: &'a str,
    max_elements: usize,
    usual: &[&'static str],
    mut visit: impl FnMut(Token<'a>) -> bool,
) -> Option<()> {
    debug_assert!(usual.iter().all(|n| is_simple_name(n)), "{usual:?}");
    let b = text.as_bytes();
    let mut pos = PROLOGS
        .iter()
        .find(|p| b.starts_with(p.as_bytes()))
        .map_or(0, |p| p.len());
    // Names of the open elements.
    let mut open: [&'a str; MAX_DEPTH] = [""; MAX_DEPTH];
    let mut depth = 0usize;
    let mut elements = 0usize;
    // The next usual name expected.
    let mut next = 0usize;
    loop {
        // Layout whitespace, then a tag (or the end, once the root has ended).
        pos = skip_space(b, pos);
        let Some(&c) = b.get(pos) else {
            return (elements > 0 && depth == 0).then_some(());
        };
        if c != b'<' || (elements > 0 && depth == 0) {
            return None;
        }
        pos += 1;
        if b.get(pos) == Some(&b'/') {
            // The end tag of the element opened last.
            let name = *open.get(depth.checked_sub(1)?)?;
            pos = end_tag(b, pos + 1, name)?;
            if !visit(Token::Close { depth }) {
                return None;
            }
            depth -= 1;
            continue;
        }
        // A start tag: a simple name, then `>` or `/>`.
        let rest = &b[pos..];
        let (name, index): (&'a str, _) = match usual_name(rest, usual, next) {
            Some((i, name)) => (name, Some(i)),
            None => {
                let name = &text[pos..pos + name_len(rest)?];
                (name, usual.iter().position(|u| *u == name))
            }
        };
        if let Some(i) = index {
            next = i + 1;
        }
        pos += name.len();
        elements += 1;
        if depth >= MAX_DEPTH || elements > max_elements {
            return None;
        }
        match *b.get(pos)? {
            b'/' => {
                if b.get(pos + 1) != Some(&b'>') {
                    return None;
                }
                pos += 2;
                if !visit(Token::Leaf {
                    name,
                    usual: index,
                    text: "",
                    depth: depth + 1,
                }) {
                    return None;
                }
            }
            b'>' => {
                // Text up to the next tag (a leaf's, or layout before the children), in one
                // pass: a reference, `>` or `\r` before it is not plain.
                let start = pos + 1;
                pos = start
                    + b.get(start..)?
                        .iter()
                        .position(|&c| STOPS[usize::from(c)])?;
                if b[pos] != b'<' {
                    return None;
                }
                if b.get(pos + 1) == Some(&b'/') {
                    // A leaf: its text up to the end tag, which must be its own.
                    let text = &text[start..pos];
                    pos = end_tag(b, pos + 2, name)?;
                    if !visit(Token::Leaf {
                        name,
                        usual: index,
                        text,
                        depth: depth + 1,
                    }) {
                        return None;
                    }
                } else {
                    // Children follow: only layout whitespace before them.
                    if !b[start..pos].iter().all(|&c| is_space(c)) {
                        return None;
                    }
                    open[depth] = name;
                    depth += 1;
                    if !visit(Token::Open {
                        name,
                        usual: index,
                        depth,
                    }) {
                        return None;
                    }
                }
            }
            _ => return None,
        }
    }
}

/// The bytes a text scan stops at: `<` (its end), and what a plain text may not hold (`&`, `>`,
/// `\r`).
const STOPS: [bool; 256] = {
    let mut stops = [false; 256];
    stops[b'<' as usize] = true;
    stops[b'&' as usize] = true;
    stops[b'>' as usize] = true;
    stops[b'\r' as usize] = true;
    stops
};

/// The usual document read in the order its reader expects, element by element, without
/// tokens: cheaper than [`scan_up_to`] for a document of exactly the expected shape. A reader
/// tries it first and, as soon as anything is not what it expects (`false` / `None`, nothing
/// consumed), reads the document again with [`scan_up_to`]. Whatever it reads is plain and
/// [`scan_up_to`] reads alike: the same names and texts, the same rules for layout and text.
pub(crate) struct Expected<'a> {
    text: &'a str,
    /// At the next tag or at the end (layout skipped).
    pos: usize,
}

impl<'a> Expected<'a> {
    /// `text` past its prolog (one of [`PROLOGS`], or none).
    pub(crate) fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        let pos = PROLOGS
            .iter()
            .find(|p| b.starts_with(p.as_bytes()))
            .map_or(0, |p| p.len());
        Expected {
            text,
            pos: skip_space(b, pos),
        }
    }

    /// Past the start tag `<name>` when it is next.
    pub(crate) fn open(&mut self, name: &str) -> bool {
        self.past_tag(1, name)
    }

    /// Past the end tag `</name>` when it is next.
    pub(crate) fn close(&mut self, name: &str) -> bool {
        self.past_tag(2, name)
    }

    /// `<name>` (`lead` 1) or `</name>` (`lead` 2) next: past it and the layout after it.
    #[inline]
    fn past_tag(&mut self, lead: usize, name: &str) -> bool {
        let b = self.text.as_bytes();
        let end = self.pos + lead + name.len();
        let tag = match b.get(self.pos..=end) {
            Some(tag) if tag[0] == b'<' && tag[tag.len() - 1] == b'>' => tag,
            _ => return false,
        };
        if (lead == 2 && tag[1] != b'/') || !same(&tag[lead..tag.len() - 1], name.as_bytes()) {
            return false;
        }
        self.pos = skip_space(b, end + 1);
        true
    }

    /// The text of the leaf `name` when it is next (`<name>text</name>`, or `<name/>`: empty;
    /// a text without references, `>` or `\r`), and past it.
    pub(crate) fn leaf(&mut self, name: &str) -> Option<&'a str> {
        let b = self.text.as_bytes();
        let n = name.len();
        let rest = b.get(self.pos..)?;
        // The byte after the name first: it tells most other names apart without a compare.
        let after = *rest.get(n + 1)?;
        if rest[0] != b'<' || !matches!(after, b'>' | b'/') || !same(&rest[1..=n], name.as_bytes())
        {
            return None;
        }
        let start = self.pos + n + 2;
        let (text, past) = if after == b'/' {
            (b.get(start) == Some(&b'>')).then_some(("", start + 1))?
        } else {
            let end = start
                + b.get(start..)?
                    .iter()
                    .position(|&c| STOPS[usize::from(c)])?;
            let close = b.get(end..=end + n + 2)?;
            let own = close[0] == b'<'
                && close[1] == b'/'
                && close[n + 2] == b'>'
                && same(&close[2..n + 2], name.as_bytes());
            // `start` follows a `>`, `end` is at a `<`: both on character boundaries.
            own.then_some((&self.text[start..end], end + n + 3))?
        };
        self.pos = skip_space(b, past);
        Some(text)
    }

    /// The element `parent` next, holding leaves of `fields` in their order, each at most
    /// once: each leaf found is given to `take` with its place in `fields`; `false` when the
    /// element is not so (the caller reads the document again with the scanner).
    pub(crate) fn fields(
        &mut self,
        parent: &str,
        fields: &[&str],
        mut take: impl FnMut(usize, &'a str),
    ) -> bool {
        if !self.open(parent) {
            return false;
        }
        for (i, name) in fields.iter().enumerate() {
            if self.at_end_tag() {
                break;
            }
            if let Some(text) = self.leaf(name) {
                take(i, text);
            }
        }
        self.close(parent)
    }

    /// An end tag is next (no more children: the optional ones left are absent).
    pub(crate) fn at_end_tag(&self) -> bool {
        self.text.as_bytes().get(self.pos..self.pos + 2) == Some(b"</")
    }

    /// Nothing but layout is left.
    pub(crate) fn at_end(&self) -> bool {
        self.pos == self.text.len()
    }
}

/// `a == b`, compared a word at a time (the names of a tag: cheaper than a call to `memcmp`
/// for their short lengths): eight bytes after eight, the last eight (or four) overlapping.
#[inline(always)]
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let (a8, b8) = (a.as_chunks::<8>().0, b.as_chunks::<8>().0);
        a8.iter().zip(b8).all(|(x, y)| x == y) && a.last_chunk::<8>() == b.last_chunk::<8>()
    } else if n >= 4 {
        a.first_chunk::<4>() == b.first_chunk::<4>() && a.last_chunk::<4>() == b.last_chunk::<4>()
    } else {
        a == b
    }
}

/// Past the layout whitespace at `pos`.
fn skip_space(b: &[u8], pos: usize) -> usize {
    let rest = b.get(pos..).unwrap_or_default();
    pos + rest
        .iter()
        .position(|&c| !is_space(c))
        .unwrap_or(rest.len())
}

/// The length of the simple name `rest` starts with; `None`: it starts with none.
fn name_len(rest: &[u8]) -> Option<usize> {
    let (&first, tail) = rest.split_first()?;
    is_name_start(first).then(|| {
        1 + tail
            .iter()
            .position(|&c| !is_name_byte(c))
            .unwrap_or(tail.len())
    })
}

/// Usual names tried at a start tag: the one expected next and the two after it (optional
/// elements left out).
const USUAL_TRIED: usize = 3;

/// The usual name that `rest` (a start tag after its `<`) starts with, among the next ones from
/// `next`: its index and the name. Only a whole name counts: `>` or `/` must follow it.
#[inline]
fn usual_name(rest: &[u8], usual: &[&'static str], next: usize) -> Option<(usize, &'static str)> {
    let tried = usual.get(next..)?.iter().take(USUAL_TRIED);
    for (i, &name) in tried.enumerate() {
        // The byte after the name first: it tells most other names apart without a compare.
        let n = name.len();
        if matches!(rest.get(n), Some(b'>' | b'/')) && rest.get(..n) == Some(name.as_bytes()) {
            return Some((next + i, name));
        }
    }
    None
}

/// A simple name: what a start tag's name may be in a plain document.
pub(crate) fn is_simple_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(is_name_start) && bytes.all(is_name_byte)
}

/// Where an end tag of `name` ends, its `</` read up to `pos`: `name` and `>`. Anything else
/// there (another name, the same name going on, space before `>`) is not the end of `name`'s
/// element.
fn end_tag(b: &[u8], pos: usize, name: &str) -> Option<usize> {
    let rest = b.get(pos..)?;
    let n = name.len();
    (rest.starts_with(name.as_bytes()) && rest.get(n) == Some(&b'>')).then_some(pos + n + 1)
}

/// Layout whitespace between elements.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n')
}

/// The first byte of a simple name: an ASCII letter or `_`.
fn is_name_start(b: u8) -> bool {
    matches!(b, b'A'..=b'Z' | b'a'..=b'z' | b'_')
}

/// A byte of a simple name after its first: a letter, digit, `_`, `-` or `.`.
fn is_name_byte(b: u8) -> bool {
    matches!(b, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The word-at-a-time compare is `==`, for every length a name can have and a
        /// difference anywhere.
        #[test]
        fn same_is_equality(a in proptest::collection::vec(b'a'..=b'c', 0..48), at in any::<usize>(), other in any::<u8>()) {
            prop_assert!(same(&a, &a.clone()));
            let mut b = a.clone();
            if !b.is_empty() {
                let i = at % b.len();
                b[i] = other;
            }
            prop_assert_eq!(same(&a, &b), a == b);
            let shorter = &a[..a.len().saturating_sub(1)];
            prop_assert_eq!(same(&a, shorter), a.as_slice() == shorter);
        }
    }

    #[test]
    fn expected_reads_leaves_tags_and_layout_as_the_scanner_does() {
        let doc = "<?xml version=\"1.0\"?>\n<R>\n <A>x y</A><B/>\t<C></C>\n</R>\n";
        let mut e = Expected::new(doc);
        assert!(!e.open("RR") && !e.open("") && e.open("R"));
        assert_eq!(e.leaf("B"), None);
        assert_eq!(e.leaf("A"), Some("x y"));
        assert_eq!((e.leaf("B"), e.leaf("C")), (Some(""), Some("")));
        assert!(!e.at_end() && !e.open("R") && e.close("R") && e.at_end());
        let mut tokens = Vec::new();
        scan(doc.as_bytes(), |t| {
            tokens.push(t);
            true
        })
        .expect("plain");
        assert_eq!(tokens.len(), 5);
        // Not the leaf asked for, or not a leaf: nothing consumed.
        for (doc, name) in [
            ("<A>x</B>", "A"),
            ("<A>x</A >", "A"),
            ("<A>x&amp;</A>", "A"),
            ("<A>x\r</A>", "A"),
            ("<A>x>y</A>", "A"),
            ("<A><B/></A>", "A"),
            ("<AB>x</AB>", "A"),
            ("<A/ >", "A"),
            ("<A>x", "A"),
            ("<A", "A"),
        ] {
            let mut e = Expected::new(doc);
            assert_eq!(e.leaf(name), None, "{doc}");
            assert_eq!(e.pos, 0, "{doc}");
        }
    }
}
