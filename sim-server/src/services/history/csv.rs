//! The SCR-19 CSV download (FLOW-29, RULE-96). The manual shows the layout only as an image
//! (AMB-49); the simulator writes the list's columns in the list's order, one header line with
//! their names verbatim, every field in double quotes, CRLF line ends.
//!
//! Encodings: UTF-8 with a BOM by default (Excel recognises it; メモ帳 too); `shift_jis` for
//! tools that expect Shift_JIS (written as Windows-31J, which also holds the NEC/IBM extensions
//! such as 「髙」「①」). A character Shift_JIS cannot hold (e.g. 「𠮷」) is written as a numeric
//! character reference `&#134071;` — never dropped or replaced by 「?」 — and counted: the
//! HTTP answer names the count in `X-OQS-Unencodable-Characters` (UTF-8 holds every character).

use super::{display_time, HistoryRecord};
use oqs_protocol::texts;

/// The CSV encodings offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark.
    #[default]
    Utf8Bom,
    /// Shift_JIS (Windows-31J); unencodable characters become `&#N;`.
    ShiftJis,
}

impl CsvEncoding {
    /// `utf-8` (default) or `shift_jis` (also `sjis`, `cp932`, `windows-31j`).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "utf-8" | "utf8" => Some(CsvEncoding::Utf8Bom),
            "shift_jis" | "shift-jis" | "sjis" | "cp932" | "windows-31j" => {
                Some(CsvEncoding::ShiftJis)
            }
            _ => None,
        }
    }

    /// The `charset` of the HTTP answer.
    pub fn charset(self) -> &'static str {
        match self {
            CsvEncoding::Utf8Bom => "utf-8",
            CsvEncoding::ShiftJis => "Shift_JIS",
        }
    }
}

/// A CSV file ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvFile {
    pub bytes: Vec<u8>,
    pub encoding: CsvEncoding,
    /// Characters written as `&#N;` because the encoding cannot hold them.
    pub unencodable: usize,
}

fn quote(field: &str, out: &mut String) {
    out.push('"');
    for c in field.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
}

/// The CSV text (before encoding): header, then one line per record; 通番 counts from
/// `first_seq`.
pub fn csv_text(records: &[HistoryRecord], first_seq: usize) -> String {
    let mut out = String::new();
    let line = |fields: &[&str], out: &mut String| {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            quote(f, out);
        }
        out.push_str("\r\n");
    };
    line(&texts::HISTORY_CSV_HEADERS, &mut out);
    for (i, r) in records.iter().enumerate() {
        let seq = (first_seq + i).to_string();
        let at = display_time(r.confirmed_at);
        line(
            &[
                &seq,
                &at,
                &r.login_id,
                r.reference_number.as_deref().unwrap_or_default(),
                r.kind.display(),
                &r.result,
                &r.insurer_number,
                &r.card,
                &r.name,
                &r.sex,
                &r.birthdate,
            ],
            &mut out,
        );
    }
    out
}

/// The CSV file in an encoding.
pub fn to_csv(records: &[HistoryRecord], first_seq: usize, encoding: CsvEncoding) -> CsvFile {
    let text = csv_text(records, first_seq);
    match encoding {
        CsvEncoding::Utf8Bom => {
            let mut bytes = Vec::with_capacity(text.len() + 3);
            bytes.extend_from_slice(b"\xEF\xBB\xBF");
            bytes.extend_from_slice(text.as_bytes());
            CsvFile {
                bytes,
                encoding,
                unencodable: 0,
            }
        }
        CsvEncoding::ShiftJis => {
            // encoding_rs writes unmappable characters as decimal NCRs (&#N;).
            let (bytes, _, had_errors) = encoding_rs::SHIFT_JIS.encode(&text);
            let unencodable = if had_errors {
                let mut buf = [0u8; 4];
                text.chars()
                    .filter(|c| {
                        let s: &str = c.encode_utf8(&mut buf);
                        encoding_rs::SHIFT_JIS.encode(s).2
                    })
                    .count()
            } else {
                0
            };
            CsvFile {
                bytes: bytes.into_owned(),
                encoding,
                unencodable,
            }
        }
    }
}
