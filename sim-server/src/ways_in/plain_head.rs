//! The head of a request the own way ([`super::connection`]) takes: one narrow shape of
//! HTTP/1.1, read in one pass. Anything outside it is not an error here but `None`: the
//! connection then goes to hyper, which reads every shape HTTP allows and answers the same.
//!
//! Why not httparse, which hyper uses: on the inquiry's ~110-byte head it cost ≈ 1,000
//! instructions per request plus the own way's checks of its headers (issue 16). The shape
//! taken here is a strict subset of what httparse accepts, with the same path, body length and
//! end of head: the tests below hold it against httparse on generated heads.

/// What the own way needs of a request's head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PlainHead<'a> {
    /// The request target, as sent (visible ASCII, no query, no fragment).
    pub path: &'a str,
    /// The one `Content-Length`.
    pub content_length: usize,
    /// Bytes of the head, its blank line included.
    pub len: usize,
}

/// The head at the start of `bytes` when it is whole and of the own way's shape:
/// - the request line `POST <path> HTTP/1.1`, the path of visible ASCII without `?` or `#`;
/// - every line ended by CRLF, at most `max_headers` headers, each a token name, a colon and a
///   value of visible ASCII, spaces and tabs;
/// - exactly one `Content-Length`, of 1 to 12 digits;
/// - no `Transfer-Encoding`, `Expect` or `Upgrade`, and `Connection` only as `keep-alive`.
///
/// Everything else, including what HTTP allows and this does not (a bare LF, bytes over
/// 0x7F, folded lines, empty lines before the request line), is `None`.
pub(super) fn parse(bytes: &[u8], max_headers: usize) -> Option<PlainHead<'_>> {
    let rest = bytes.strip_prefix(b"POST ")?;
    let end = memchr::memchr(b' ', rest)?;
    let (path, rest) = rest.split_at(end);
    if path.is_empty() || !all(path, |b| b > b' ' && b < 0x7f && b != b'?' && b != b'#') {
        return None;
    }
    let path = std::str::from_utf8(path).ok()?;
    let mut rest = rest.strip_prefix(b" HTTP/1.1\r\n")?;
    let mut content_length = None;
    let mut count = 0;
    loop {
        let end = memchr::memchr(b'\r', rest)?;
        let line = &rest[..end];
        rest = rest.get(end..)?.strip_prefix(b"\r\n")?;
        if line.is_empty() {
            break;
        }
        count += 1;
        if count > max_headers {
            return None;
        }
        let colon = memchr::memchr(b':', line)?;
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.is_empty()
            || !all(name, |b| TOKEN[usize::from(b)])
            || !all(value, |b| (b' '..=b'~').contains(&b) | (b == b'\t'))
        {
            return None;
        }
        let value = value.trim_ascii();
        match name.len() {
            14 if name.eq_ignore_ascii_case(b"content-length") => {
                let n = digits(value)?;
                if content_length.replace(n).is_some() {
                    return None;
                }
            }
            17 if name.eq_ignore_ascii_case(b"transfer-encoding") => return None,
            6 if name.eq_ignore_ascii_case(b"expect") => return None,
            7 if name.eq_ignore_ascii_case(b"upgrade") => return None,
            10 if name.eq_ignore_ascii_case(b"connection")
                && !value.eq_ignore_ascii_case(b"keep-alive") =>
            {
                return None
            }
            _ => {}
        }
    }
    Some(PlainHead {
        path,
        content_length: content_length?,
        len: bytes.len() - rest.len(),
    })
}

/// Whether every byte is `ok`, checked without a branch per byte (so that a check of
/// comparisons runs many bytes at a time).
#[inline(always)]
fn all(bytes: &[u8], ok: impl Fn(u8) -> bool) -> bool {
    bytes.iter().fold(true, |all, &b| all & ok(b))
}

/// A `Content-Length` value: decimal digits only (no sign, no spaces, no list).
fn digits(value: &[u8]) -> Option<usize> {
    if value.is_empty() || value.len() > 12 {
        return None;
    }
    value.iter().try_fold(0usize, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + usize::from(b - b'0'))
    })
}

/// HTTP's `tchar`: the bytes of a header name.
static TOKEN: [bool; 256] = {
    let mut map = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        map[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    map
};

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the own way took before: httparse, then its checks (hyper reads heads with it).
    fn httparse_head(bytes: &[u8], max_headers: usize) -> Option<PlainHead<'_>> {
        let mut headers = vec![httparse::EMPTY_HEADER; max_headers];
        let mut req = httparse::Request::new(&mut headers);
        let httparse::Status::Complete(len) = req.parse(bytes).ok()? else {
            return None;
        };
        if req.version != Some(1) || req.method != Some("POST") {
            return None;
        }
        let path = req.path?;
        if path.contains(['?', '#']) {
            return None;
        }
        let mut content_length = None;
        for h in req.headers.iter() {
            let name = h.name;
            if name.eq_ignore_ascii_case("content-length") {
                let v = h.value;
                if content_length.is_some()
                    || v.is_empty()
                    || v.len() > 12
                    || !v.iter().all(u8::is_ascii_digit)
                {
                    return None;
                }
                content_length = std::str::from_utf8(v).ok()?.parse().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding")
                || name.eq_ignore_ascii_case("expect")
                || name.eq_ignore_ascii_case("upgrade")
                || (name.eq_ignore_ascii_case("connection")
                    && !h.value.eq_ignore_ascii_case(b"keep-alive"))
            {
                return None;
            }
        }
        Some(PlainHead {
            path,
            content_length: content_length?,
            len,
        })
    }

    /// A head of the shape the own way is for: CRLF lines, ASCII only, the request line first.
    fn is_plain(head: &[u8]) -> bool {
        head.starts_with(b"POST ")
            && head.iter().all(|&b| b < 0x80)
            && head
                .iter()
                .enumerate()
                .all(|(i, &b)| b != b'\n' || (i > 0 && head[i - 1] == b'\r'))
    }

    /// Ours takes a subset of httparse's heads, reading them the same; of plain ones, all.
    fn agrees(bytes: &[u8], max_headers: usize) -> Result<(), TestCaseError> {
        let ours = parse(bytes, max_headers);
        let theirs = httparse_head(bytes, max_headers);
        if ours.is_some() {
            prop_assert_eq!(ours, theirs, "{:?}", String::from_utf8_lossy(bytes));
        } else if let Some(h) = theirs {
            prop_assert!(
                !is_plain(&bytes[..h.len]),
                "plain and not taken: {:?}",
                String::from_utf8_lossy(bytes)
            );
        }
        Ok(())
    }

    const INQUIRY: &[u8] = b"POST /xml/OQSsiquc01req HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\
        Content-Length: 4\r\nContent-Type: application/xml\r\n\r\n<a/>";

    #[test]
    fn reads_the_usual_inquiry_head() {
        let head = parse(INQUIRY, 32).expect("the usual head");
        assert_eq!(head.path, "/xml/OQSsiquc01req");
        assert_eq!(head.content_length, 4);
        assert_eq!(&INQUIRY[head.len..], b"<a/>");
        assert_eq!(Some(head), httparse_head(INQUIRY, 32));
    }

    #[test]
    fn leaves_other_shapes_to_hyper() {
        let with = |from: &str, to: &str| {
            String::from_utf8_lossy(INQUIRY)
                .replacen(from, to, 1)
                .into_bytes()
        };
        for bytes in [
            with("POST", "GET"),
            with("HTTP/1.1", "HTTP/1.0"),
            with("OQSsiquc01req", "OQSsiquc01req?x=1"),
            with("Content-Length: 4", "Transfer-Encoding: chunked"),
            with(
                "Content-Length: 4",
                "Content-Length: 4\r\nContent-Length: 4",
            ),
            with("Content-Length: 4", "Content-Length: +4"),
            with("Content-Length: 4", "Content-Length : 4"),
            with(
                "Content-Length: 4",
                "Content-Length: 4\r\nExpect: 100-continue",
            ),
            with(
                "Content-Length: 4",
                "Content-Length: 4\r\nConnection: close",
            ),
            with("Content-Length: 4", "Content-Length: 4\r\nUpgrade: h2c"),
            with("Host", "Ho st"),
            with("\r\nHost", "\nHost"),
            with("127.0.0.1", "127.0.0.1\u{1}"),
            with("application/xml", "application/xmlé"),
            with("\r\n\r\n", "\r\n"),
            b"\r\n".iter().chain(INQUIRY).copied().collect(),
        ] {
            assert_eq!(
                parse(&bytes, 32),
                None,
                "{:?}",
                String::from_utf8_lossy(&bytes)
            );
        }
        assert_eq!(parse(INQUIRY, 2), None, "more headers than taken");
        let kept_alive = with(
            "Content-Length: 4",
            "Content-Length: 4\r\nconnection: Keep-Alive",
        );
        assert_eq!(parse(&kept_alive, 32).map(|h| h.content_length), Some(4));
    }

    fn part(options: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
        proptest::sample::select(options)
    }

    fn header() -> impl Strategy<Value = String> {
        let name = prop_oneof![
            part(&[
                "Content-Length",
                "content-length",
                "CONTENT-LENGTH",
                "Host",
                "Transfer-Encoding",
                "Expect",
                "Upgrade",
                "Connection",
                "Content-Length ",
                "Bad Name",
                "Ñame",
                "",
            ])
            .prop_map(str::to_owned),
            "[!-~]{1,8}",
        ];
        let sep = part(&[":", ": ", ":\t", " :", ":  ", ""]);
        let value = prop_oneof![
            part(&[
                "4",
                "0",
                " 7 ",
                "1234567890123",
                "123456789012",
                "+1",
                "1,1",
                "keep-alive",
                "Keep-Alive",
                "close",
                "chunked",
                "100-continue",
                "a\u{1}b",
                "é",
                "x\ty",
                "",
                "\u{7f}",
            ])
            .prop_map(str::to_owned),
            "[ -~]{0,10}",
        ];
        let eol = prop_oneof![8 => Just("\r\n"), 1 => part(&["\n", "\r", "\r\r\n"])];
        (name, sep, value, eol).prop_map(|(n, s, v, e)| format!("{n}{s}{v}{e}"))
    }

    fn head() -> impl Strategy<Value = Vec<u8>> {
        let good = |p: &'static str| Just(p);
        (
            prop_oneof![4 => good(""), 1 => good("\r\n")],
            prop_oneof![6 => good("POST"), 1 => part(&["GET", "post", "POST "])],
            prop_oneof![
                6 => good("/xml/OQSsiquc01req"),
                1 => part(&["/xml/a?b", "/xml/a#b", "/xml/%41", "/xml/é", "", "/x y", "*"]),
            ],
            prop_oneof![
                6 => good("HTTP/1.1"),
                1 => part(&["HTTP/1.0", "HTTP/1.1 ", "http/1.1", "HTTP/2.0"]),
            ],
            prop_oneof![6 => good("\r\n"), 1 => good("\n")],
            proptest::collection::vec(header(), 0..4),
            // Most heads have one good Content-Length somewhere among the others.
            prop_oneof![4 => good("Content-Length: 4\r\n"), 1 => good("")],
            any::<proptest::sample::Index>(),
            prop_oneof![6 => good("\r\n"), 1 => part(&["\n", ""])],
            "[a-z<>/]{0,12}",
        )
            .prop_map(
                |(lead, method, path, version, eol, mut headers, length, at, end, body)| {
                    headers.insert(at.index(headers.len() + 1), length.to_owned());
                    format!(
                        "{lead}{method} {path} {version}{eol}{}{end}{body}",
                        headers.concat()
                    )
                    .into_bytes()
                },
            )
    }

    /// The generated heads reach every side: taken, left to hyper though httparse reads them,
    /// and refused by both (else the property above would hold vacuously).
    #[test]
    fn generated_heads_cover_every_case() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let mut seen = [0; 3];
        for _ in 0..2000 {
            let bytes = head().new_tree(&mut runner).expect("a head").current();
            let case = match (parse(&bytes, 8), httparse_head(&bytes, 8)) {
                (Some(_), _) => 0,
                (None, Some(_)) => 1,
                (None, None) => 2,
            };
            seen[case] += 1;
        }
        assert!(seen.iter().all(|&n| n >= 50), "{seen:?}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn agrees_with_httparse_on_generated_heads(bytes in head(), max in 1usize..8) {
            agrees(&bytes, max)?;
        }

        #[test]
        fn agrees_with_httparse_on_edited_inquiries(at in 0..INQUIRY.len(), b in any::<u8>(), cut in 0..=INQUIRY.len()) {
            let mut bytes = INQUIRY.to_vec();
            bytes[at] = b;
            agrees(&bytes, 32)?;
            agrees(&bytes[..cut], 32)?;
        }

        #[test]
        fn agrees_with_httparse_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..160)) {
            agrees(&bytes, 32)?;
        }
    }
}
