//! Mutators: byte-level havoc (as AFL does it), tree-level mutation of XML messages, line-level
//! mutation of TOML, and the pool of interesting strings they draw from.

use oqs_protocol::Element;
use rand::seq::SliceRandom;
use rand::Rng as _;

/// The driver's random source: seeded, so a run can be repeated exactly.
pub type Rng = rand_chacha::ChaCha8Rng;

/// Strings that sit on the edges of the input rules (RULE-29..36), the encodings and the XML
/// syntax: lengths around the limits, full-width digits and spaces, characters Shift_JIS lacks.
pub const INTERESTING: &[&str] = &[
    "",
    " ",
    "\u{3000}",
    "0",
    "00",
    "01",
    "1",
    "2",
    "9",
    "12",
    "99",
    "06139000",
    "  139931",
    "00139931",
    "139931",
    "12345678",
    "1234567",
    "12000001",
    "39499912",
    "1234567890",
    "12345678901",
    "123456789",
    "20210106",
    "19540326",
    "20200229",
    "20210229",
    "99991231",
    "00000000",
    "00010101",
    "2021-01-06",
    "令和3年1月6日",
    "０６１３９０００",
    "新橋 太郎",
    "𠮷",
    "髙",
    "①",
    "ｱｲｳ",
    "\u{1}",
    "\t",
    "\r\n",
    "\u{7f}",
    "&",
    "<",
    "]]>",
    "\"",
    ",",
    "\u{FEFF}",
    "\u{FFFF}",
    "\u{202E}",
    "👍",
    "-1",
    "+1",
    "1e5",
    "NaN",
    "¥",
    "～",
    "−",
];

/// Names the message trees use (mutation renames elements to these).
pub const ELEMENT_NAMES: &[&str] = &[
    "XmlMsg",
    "MessageHeader",
    "MessageBody",
    "QualificationConfirmSearchInfo",
    "QualificationConfirmationDate",
    "MedicalInstitutionCode",
    "ArbitraryFileIdentifier",
    "CharacterCodeIdentifier",
    "InsurerNumber",
    "InsuredCardSymbol",
    "InsuredIdentificationNumber",
    "InsuredBranchNumber",
    "Birthdate",
    "LimitApplicationCertificateRelatedConsFlg",
    "ArbitraryIdentifier",
    "ReceptionNumber",
    "ReferenceNumberRegistrationInfo",
    "ReferenceNumber",
    "ResultList",
    "ResultOfQualificationConfirmation",
    "SpecificDiseasesCertificateList",
    "SpecificDiseasesCertificateInfo",
    "SegmentOfResult",
];

/// A random string: from the pool, random digits of a random length, random characters, or a
/// long repetition.
pub fn string(rng: &mut Rng) -> String {
    match rng.gen_range(0..6) {
        0 | 1 => INTERESTING.choose(rng).copied().unwrap_or("").to_owned(),
        2 => (0..rng.gen_range(0..26))
            .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
            .collect(),
        3 => (0..rng.gen_range(0..12))
            .map(|_| {
                let pick = INTERESTING.choose(rng).copied().unwrap_or("x");
                pick.chars().next().unwrap_or('x')
            })
            .collect(),
        4 => (0..rng.gen_range(0..8))
            .filter_map(|_| char::from_u32(rng.gen_range(0..0x11_0000)))
            .collect(),
        _ => {
            let unit = INTERESTING.choose(rng).copied().unwrap_or("9");
            unit.repeat(rng.gen_range(1..120))
        }
    }
}

/// Byte-level havoc: a stack of 1–32 random edits. `dict` holds tokens worth inserting whole,
/// `others` are inputs to splice from. The result is at most `max_len` bytes.
pub fn havoc(
    rng: &mut Rng,
    data: &mut Vec<u8>,
    dict: &[Vec<u8>],
    others: &[Vec<u8>],
    max_len: usize,
) {
    let edits = 1 << rng.gen_range(0..6);
    for _ in 0..edits {
        let len = data.len();
        match rng.gen_range(0..14) {
            0 if len > 0 => {
                let i = rng.gen_range(0..len);
                data[i] ^= 1 << rng.gen_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.gen_range(0..len);
                data[i] = rng.gen();
            }
            2 if len > 0 => {
                const BYTES: &[u8] = &[
                    0x00, 0xFF, 0x7F, 0x80, b'<', b'>', b'&', b'"', b'\'', b'/', b'=', b';', b'\n',
                    b'\r', b' ', 0x81, 0x9F, 0xE0, 0xEF, 0xFC, 0xFD, 0xA0, 0xC0,
                ];
                let i = rng.gen_range(0..len);
                data[i] = *BYTES.choose(rng).unwrap_or(&0);
            }
            3 => {
                let i = rng.gen_range(0..=len);
                data.insert(i, rng.gen());
            }
            4 | 5 if len > 0 => {
                let i = rng.gen_range(0..len);
                let n = rng.gen_range(1..=(len - i).min(32));
                data.drain(i..i + n);
            }
            6 if len > 0 => {
                // Duplicate a range somewhere else.
                let i = rng.gen_range(0..len);
                let n = rng.gen_range(1..=(len - i).min(64));
                let chunk = data[i..i + n].to_vec();
                let at = rng.gen_range(0..=len);
                data.splice(at..at, chunk);
            }
            7 | 8 if !dict.is_empty() => {
                let token = dict.choose(rng).map(Vec::as_slice).unwrap_or_default();
                let at = rng.gen_range(0..=len);
                if rng.gen_bool(0.5) || len == 0 {
                    data.splice(at..at, token.iter().copied());
                } else {
                    let end = (at + token.len()).min(len);
                    data.splice(at..end, token.iter().copied());
                }
            }
            9 if !others.is_empty() && len > 0 => {
                // Splice: our head, another input's tail.
                let other = others.choose(rng).map(Vec::as_slice).unwrap_or_default();
                if !other.is_empty() {
                    let cut = rng.gen_range(0..len);
                    let from = rng.gen_range(0..other.len());
                    data.truncate(cut);
                    data.extend_from_slice(&other[from..]);
                }
            }
            10 if len > 0 => {
                data.truncate(rng.gen_range(0..len));
            }
            11 if len > 0 => {
                // Rewrite a run of ASCII digits with another number of digits.
                let i = rng.gen_range(0..len);
                if let Some(start) = (i..len).find(|&j| data[j].is_ascii_digit()) {
                    let end = (start..len)
                        .find(|&j| !data[j].is_ascii_digit())
                        .unwrap_or(len);
                    let digits: Vec<u8> = (0..rng.gen_range(0..12))
                        .map(|_| b'0' + rng.gen_range(0..10u8))
                        .collect();
                    data.splice(start..end, digits);
                }
            }
            12 => {
                let s = string(rng);
                let at = rng.gen_range(0..=len);
                data.splice(at..at, s.into_bytes());
            }
            13 if len > 0 => {
                // Repeat a chunk many times (lengths and counts past the limits).
                let i = rng.gen_range(0..len);
                let n = rng.gen_range(1..=(len - i).min(16));
                let chunk = data[i..i + n].to_vec();
                let times = rng.gen_range(2..200);
                let at = rng.gen_range(0..=len);
                let repeated: Vec<u8> = chunk.iter().copied().cycle().take(n * times).collect();
                data.splice(at..at, repeated);
            }
            _ => {}
        }
        if data.len() > max_len {
            data.truncate(max_len);
        }
    }
}

/// Every node of a tree by its path of child indices (the root is `[]`).
fn paths(el: &Element, prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    out.push(prefix.clone());
    for (i, c) in el.children.iter().enumerate() {
        prefix.push(i);
        paths(c, prefix, out);
        prefix.pop();
    }
}

fn node_mut<'a>(root: &'a mut Element, path: &[usize]) -> &'a mut Element {
    let mut el = root;
    for &i in path {
        el = &mut el.children[i];
    }
    el
}

/// Tree-level mutation of a message: 1–4 edits of texts, names and structure that keep the
/// document well-formed, so the mapping and validation behind the parser get to see it.
pub fn mutate_tree(rng: &mut Rng, root: &mut Element) {
    for _ in 0..rng.gen_range(1..=4) {
        let mut all = Vec::new();
        paths(root, &mut Vec::new(), &mut all);
        let Some(path) = all.choose(rng).cloned() else {
            return;
        };
        match rng.gen_range(0..10) {
            0..=3 => {
                let el = node_mut(root, &path);
                el.text = string(rng);
            }
            4 => {
                if let Some((&last, parent)) = path.split_last() {
                    node_mut(root, parent).children.remove(last);
                }
            }
            5 => {
                if let Some((&last, parent)) = path.split_last() {
                    let parent = node_mut(root, parent);
                    let copy = parent.children[last].clone();
                    let times = if rng.gen_bool(0.1) {
                        rng.gen_range(2..300)
                    } else {
                        1
                    };
                    for _ in 0..times {
                        parent.children.insert(last, copy.clone());
                    }
                }
            }
            6 => {
                let name = ELEMENT_NAMES.choose(rng).copied().unwrap_or("X");
                node_mut(root, &path).name = if rng.gen_bool(0.9) {
                    name.to_owned()
                } else {
                    format!(
                        "{name}{}",
                        string(rng).replace(|c: char| !c.is_alphanumeric(), "")
                    )
                };
            }
            7 => {
                let name = ELEMENT_NAMES.choose(rng).copied().unwrap_or("X");
                let leaf = Element::leaf(name, string(rng));
                let el = node_mut(root, &path);
                let at = rng.gen_range(0..=el.children.len());
                el.children.insert(at, leaf);
            }
            8 => {
                let el = node_mut(root, &path);
                el.children.shuffle(rng);
            }
            _ => {
                // Nest: wrap the node in up to 20 levels (the depth limit is 16).
                let el = node_mut(root, &path);
                let mut inner = std::mem::take(el);
                for _ in 0..rng.gen_range(1..20) {
                    let name = ELEMENT_NAMES.choose(rng).copied().unwrap_or("X");
                    inner = Element::new(name).with(inner);
                }
                *el = inner;
            }
        }
    }
}

/// Line-level mutation of TOML text: delete, duplicate, swap and rewrite lines and values.
pub fn mutate_lines(rng: &mut Rng, text: &str, others: &[Vec<u8>]) -> String {
    const VALUES: &[&str] = &[
        "\"x\"",
        "\"\"",
        "1",
        "-1",
        "0",
        "99999999999999999999",
        "1.5",
        "true",
        "[]",
        "{}",
        "[1, \"a\"]",
        "1980-01-02",
        "1980-02-30",
        "0000-01-01",
        "9999-12-31",
        "1980-01-02T10:00:00+09:00",
        "\"19540326\"",
        "\"20210229\"",
        "\"令和1年5月1日\"",
        "\"令和元年5月1日\"",
        "\"平成31年4月31日\"",
        "\"昭和64年1月8日\"",
        "\"明治1年1月1日\"",
        "\"令和99999999999年1月1日\"",
        "\"R3.1.1\"",
        "'''multi\nline'''",
        "\"男\"",
        "\"女\"",
        "\"未設定\"",
        "\"本人\"",
        "\"家族\"",
        "\"06139000\"",
        "\"139931\"",
        "\"1234567890\"",
        "\"shimbashi-taro\"",
    ];
    const HEADERS: &[&str] = &[
        "[[person]]",
        "[[person.qualification]]",
        "[[person.qualification.limit]]",
        "[[person.qualification.elderly]]",
        "[[person.qualification.specific_disease]]",
        "[[reference_number]]",
        "[[insurer]]",
        "[[facility]]",
        "[person]",
        "[[unknown]]",
        "[[error]]",
    ];
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for _ in 0..rng.gen_range(1..=8) {
        let n = lines.len();
        match rng.gen_range(0..7) {
            0 if n > 0 => {
                lines.remove(rng.gen_range(0..n));
            }
            1 if n > 0 => {
                let i = rng.gen_range(0..n);
                let l = lines[i].clone();
                lines.insert(rng.gen_range(0..=n), l);
            }
            2 if n > 1 => {
                let (a, b) = (rng.gen_range(0..n), rng.gen_range(0..n));
                lines.swap(a, b);
            }
            3 if n > 0 => {
                let i = rng.gen_range(0..n);
                if let Some((key, _)) = lines[i].split_once('=') {
                    let v = if rng.gen_bool(0.7) {
                        VALUES.choose(rng).copied().unwrap_or("1").to_owned()
                    } else {
                        format!("{:?}", string(rng))
                    };
                    lines[i] = format!("{}= {v}", key);
                }
            }
            4 => {
                let h = HEADERS.choose(rng).copied().unwrap_or("[[person]]");
                lines.insert(rng.gen_range(0..=n), h.to_owned());
            }
            5 if !others.is_empty() => {
                // A line from another input.
                let other = others.choose(rng).map(Vec::as_slice).unwrap_or_default();
                let other = String::from_utf8_lossy(other);
                let picked: Vec<&str> = other.lines().collect();
                if let Some(l) = picked.choose(rng) {
                    lines.insert(rng.gen_range(0..=n), (*l).to_owned());
                }
            }
            _ if n > 0 => {
                // A key with a new value.
                let i = rng.gen_range(0..n);
                if let Some((key, value)) = lines[i].split_once('=') {
                    let key = key.trim().to_owned();
                    let value = value.trim().to_owned();
                    lines.insert(rng.gen_range(0..=n), format!("{key}x = {value}"));
                }
            }
            _ => {}
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
