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

/// One piece of a plain document, in document order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// An element with children starts; `depth` 1 is the root.
    Open { name: &'a str, depth: usize },
    /// An element without children and its text (`<A/>` and `<A></A>`: empty).
    Leaf {
        name: &'a str,
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
    scan_up_to(bytes, MAX_ELEMENTS, visit)
}

/// [`scan`] of a document of up to `max_elements` elements instead of [`MAX_ELEMENTS`] (a bulk
/// file's rows); more give `None`, so the general reader's element limit decides.
pub fn scan_up_to<'a>(
    bytes: &'a [u8],
    max_elements: usize,
    mut visit: impl FnMut(Token<'a>) -> bool,
) -> Option<()> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut s = Scanner { text, pos: 0 };
    for prolog in PROLOGS {
        if text.starts_with(prolog) {
            s.pos = prolog.len();
            break;
        }
    }
    // Names of the open elements (byte ranges in `text`).
    let mut open: [(usize, usize); MAX_DEPTH] = [(0, 0); MAX_DEPTH];
    let mut depth = 0usize;
    let mut elements = 0usize;
    let mut root_done = false;
    loop {
        s.skip_space();
        if s.pos == text.len() {
            return (root_done && depth == 0).then_some(());
        }
        if root_done || s.next()? != b'<' {
            return None;
        }
        if s.peek() == Some(b'/') {
            s.pos += 1;
            let (open_start, open_end) = *open.get(depth.checked_sub(1)?)?;
            s.end_tag(&text[open_start..open_end])?;
            if !visit(Token::Close { depth }) {
                return None;
            }
            depth -= 1;
            root_done = depth == 0;
            continue;
        }
        let (start, end) = s.name()?;
        elements += 1;
        if depth >= MAX_DEPTH || elements > max_elements {
            return None;
        }
        let name = &text[start..end];
        match s.next()? {
            b'/' => {
                s.expect(b'>')?;
                if !visit(Token::Leaf {
                    name,
                    text: "",
                    depth: depth + 1,
                }) {
                    return None;
                }
                root_done = depth == 0;
            }
            b'>' => {
                let body_start = s.pos;
                let body_end = body_start + text[body_start..].find('<')?;
                let body = &text[body_start..body_end];
                s.pos = body_end;
                if text[body_end..].starts_with("</") {
                    // A leaf: its text up to the end tag, which must be its own.
                    if body.bytes().any(|b| matches!(b, b'&' | b'>' | b'\r')) {
                        return None;
                    }
                    s.pos += 2;
                    s.end_tag(name)?;
                    if !visit(Token::Leaf {
                        name,
                        text: body,
                        depth: depth + 1,
                    }) {
                        return None;
                    }
                    root_done = depth == 0;
                } else {
                    // Children follow: only layout whitespace before them.
                    if !body.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n')) {
                        return None;
                    }
                    open[depth] = (start, end);
                    depth += 1;
                    if !visit(Token::Open { name, depth }) {
                        return None;
                    }
                }
            }
            _ => return None,
        }
    }
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then_some(())
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n')) {
            self.pos += 1;
        }
    }

    /// A simple name: an ASCII letter or `_`, then letters, digits, `_`, `-`, `.`. In a plain
    /// document a start tag's name runs to its `>` or `/>`: the bytes up to the next `>` are
    /// checked at once (no branch per byte), and anything else in them declines.
    fn name(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        let gt = start + self.text[start..].find('>')?;
        let bytes = &self.text.as_bytes()[start..gt];
        let name = bytes.strip_suffix(b"/").unwrap_or(bytes);
        let (first, rest) = name.split_first()?;
        let follows = rest.iter().fold(true, |ok, &b| ok & is_name_byte(b));
        let starts = matches!(first, b'A'..=b'Z' | b'a'..=b'z' | b'_');
        if !(starts && follows) {
            return None;
        }
        self.pos = start + name.len();
        Some((start, self.pos))
    }

    /// The rest of an end tag after `</`: `name` and `>`. Anything else there (another name, the
    /// same name going on, space before `>`) is not the end of `name`'s element.
    fn end_tag(&mut self, name: &str) -> Option<()> {
        let rest = &self.text.as_bytes()[self.pos..];
        let n = name.len();
        (rest.starts_with(name.as_bytes()) && rest.get(n) == Some(&b'>')).then(|| {
            self.pos += n + 1;
        })
    }
}

/// A letter, digit, `_`, `-` or `.` (written without branches, so a name is checked a vector
/// at a time).
fn is_name_byte(b: u8) -> bool {
    ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'0') < 10)
        | (b == b'_')
        | (b == b'-')
        | (b == b'.')
}
