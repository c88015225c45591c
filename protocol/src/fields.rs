//! Field formats every message shares: the shape and field errors a request can have,
//! 保険者番号 ([`InsurerNumber`]), `YYYYMMDD` dates and the length / character rules of free text
//! (RULE-29..36 are format only; what the values mean is the domain's business).

use crate::errors::ErrorKind;
use chrono::NaiveDate;

/// The longest ArbitraryFileIdentifier / ArbitraryIdentifier accepted (interface.md §2: "up to 50").
pub const MAX_IDENTIFIER_CHARS: usize = 50;
/// RULE-30: 記号 and 番号 are at most 20 characters.
pub const MAX_SYMBOL_CHARS: usize = 20;

/// A request that does not have the message's shape (wrong root, missing parts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StructureError(pub String);

/// One input field that breaks its rule: which row of the error table, which element, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {detail}")]
pub struct FieldError {
    pub kind: ErrorKind,
    /// Element path, e.g. `MessageBody/QualificationConfirmSearchInfo/InsurerNumber`.
    pub field: &'static str,
    pub detail: String,
}

impl FieldError {
    pub(crate) fn new(kind: ErrorKind, field: &'static str, detail: impl Into<String>) -> Self {
        FieldError {
            kind,
            field,
            detail: detail.into(),
        }
    }
}

/// 保険者番号 as a number: 8-digit numbers and 6-digit 国保 numbers, however padded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InsurerNumber(pub u32);

impl InsurerNumber {
    /// Accepts 8 digits, or 6 digits optionally right-aligned to 8 with spaces or zeros.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let t = trim_spaces(raw);
        // The usual text first: 8 digits.
        if let Some(n) = eight_digits_of(t) {
            return Ok(InsurerNumber(n));
        }
        if t.is_empty() {
            return Err("missing".into());
        }
        if !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("\"{raw}\" is not half-width digits"));
        }
        if t.len() != 6 && t.len() != 8 {
            return Err(format!(
                "\"{raw}\" has {} digits; expected 8 (or 6 for 国民健康保険, right-aligned to 8)",
                t.len()
            ));
        }
        // 8-digit numbers start with a 法別番号 ≥ 01, so "00" + 6 digits is a padded 国保 number.
        // At most 8 digits (checked above): the value fits without overflow.
        Ok(InsurerNumber(digits_value(t.as_bytes())))
    }

    /// A 6-digit (国民健康保険) number.
    pub fn is_six_digit(self) -> bool {
        self.0 < 1_000_000
    }

    /// The number as printed on the card: 6 or 8 digits.
    pub fn display(self) -> String {
        if self.is_six_digit() {
            format!("{:06}", self.0)
        } else {
            format!("{:08}", self.0)
        }
    }

    /// The wire form: 8 characters, 6-digit numbers right-aligned with spaces.
    pub fn wire(self) -> String {
        // Not format!: every result writes it.
        let mut out = String::with_capacity(8);
        match self.0 {
            n @ 0..=999_999 => {
                out.push_str("  ");
                push_padded(&mut out, n, 6);
            }
            n @ 1_000_000..=99_999_999 => push_padded(&mut out, n, 8),
            _ => return format!("{:>8}", self.display()),
        }
        out
    }

    /// 法別番号 12 (生活保護): a 公費負担者番号 entered in the 保険者番号 field (RULE-36).
    pub fn is_public_assistance(self) -> bool {
        !self.is_six_digit() && self.0 / 1_000_000 == 12
    }

    /// 法別番号 39: 後期高齢者医療.
    pub fn is_late_elderly(self) -> bool {
        !self.is_six_digit() && self.0 / 1_000_000 == 39
    }
}

/// Parses `YYYYMMDD` as a calendar date.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    // Eight digits (the usual text) have nothing to trim: the Unicode trim only when not. Not
    // chrono's strftime parser: this runs for every row of a bulk file.
    let value = match eight_digits_of(raw) {
        Some(v) => v,
        None => eight_digits_of(raw.trim())
            .ok_or_else(|| format!("\"{raw}\" is not 8 half-width digits (YYYYMMDD)"))?,
    };
    let (year, month, day) = (value / 10_000, value / 100 % 100, value % 100);
    i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, month, day))
        .ok_or_else(|| format!("\"{raw}\" is not a calendar date"))
}

/// The value of `text` when it is exactly eight ASCII digits.
fn eight_digits_of(text: &str) -> Option<u32> {
    eight_digits(text.as_bytes().try_into().ok()?)
}

/// The value of eight ASCII digits, `None` when they are not all digits: one test of the word
/// and three multiplications, where a digit at a time takes a compare, a multiply and an add
/// each (dates and 保険者番号 on every request).
fn eight_digits(bytes: &[u8; 8]) -> Option<u32> {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    // The first digit in the lowest byte.
    let word = u64::from_le_bytes(*bytes);
    // Every byte 0x30..=0x3F, and still so with 6 added (no carry: each is at most 0x3F):
    // 0x30..=0x39.
    if word & HIGH != ZEROS || word.wrapping_add(0x0606_0606_0606_0606) & HIGH != ZEROS {
        return None;
    }
    let digits = word - ZEROS;
    // Neighbours joined: two digits per 16 bits, then four per 32, then all eight (no lane
    // overflows into the next: 99, 9999 and 99,999,999 fit).
    let pairs = (digits * 10 + (digits >> 8)) & 0x00FF_00FF_00FF_00FF;
    let quads = (pairs * 100 + (pairs >> 16)) & 0x0000_FFFF_0000_FFFF;
    u32::try_from((quads * 10_000 + (quads >> 32)) & 0xFFFF_FFFF).ok()
}

/// The value of ASCII digits (at most 9 of them, so it cannot overflow).
fn digits_value(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |n, &d| n * 10 + u32::from(d.wrapping_sub(b'0')))
}

/// `YYYYMMDD`.
pub fn format_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    // Not format!: several dates are written for every result and every history record.
    let mut out = String::with_capacity(8);
    match u32::try_from(d.year()) {
        Ok(year) if year <= 9999 => push_padded(&mut out, year, 4),
        _ => return format!("{:04}{:02}{:02}", d.year(), d.month(), d.day()),
    }
    push_padded(&mut out, d.month(), 2);
    push_padded(&mut out, d.day(), 2);
    out
}

/// Appends the last `width` decimal digits of `n`, zero-padded (`format!("{n:0width$}")` for
/// `n < 10^width`, without the formatting machinery). Inline: with the width known, the digit
/// loop unrolls (dates and timestamps on every answer).
#[inline]
pub fn push_padded(out: &mut String, n: u32, width: u32) {
    // Digits from the last, by constant division (not a power of ten and a division each).
    let mut digits = [b'0'; 10];
    let width = (width as usize).min(digits.len());
    let mut rest = n;
    for d in digits[..width].iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out.reserve(width);
    for &d in &digits[..width] {
        out.push(char::from(d));
    }
}

pub(crate) fn trimmed(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(trim_spaces).filter(|s| !s.is_empty())
}

/// `raw` without the half-width and full-width spaces (U+3000) around it.
fn trim_spaces(raw: &str) -> &str {
    // Usually there are none: the end bytes tell (U+3000 is E3 80 80 in UTF-8).
    let b = raw.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last))
            if !matches!(first, b' ' | 0xE3) && !matches!(last, b' ' | 0x80) =>
        {
            raw
        }
        _ => raw.trim_matches(|c: char| c == ' ' || c == '\u{3000}'),
    }
}

pub(crate) fn check_text(raw: &str, max: usize) -> Result<(), String> {
    // Printable ASCII (the usual text): one character per byte and no control (below 0x20,
    // 0x7F), in one pass.
    if raw.len() <= max && raw.bytes().all(|b| matches!(b, 0x20..=0x7E)) {
        return Ok(());
    }
    let n = raw.chars().count();
    if n > max {
        return Err(format!(
            "\"{raw}\" has {n} characters; at most {max} are allowed"
        ));
    }
    if let Some(c) = raw.chars().find(|c| c.is_control()) {
        return Err(format!("contains the control character U+{:04X}", c as u32));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_is_display_right_aligned_to_8() {
        for n in [
            0,
            1,
            139_931,
            999_999,
            1_000_000,
            6_139_000,
            12_374_013,
            99_999_999,
            100_000_000,
            u32::MAX,
        ] {
            let i = InsurerNumber(n);
            assert_eq!(i.wire(), format!("{:>8}", i.display()), "{n}");
        }
    }

    #[test]
    fn format_date_matches_chrono_formatting() {
        for (y, m, d) in [
            (1, 1, 1),
            (999, 12, 31),
            (1954, 3, 26),
            (2021, 1, 6),
            (9999, 12, 31),
        ] {
            let date = NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
            assert_eq!(format_date(date), date.format("%Y%m%d").to_string());
        }
        let before_year_0 = NaiveDate::from_ymd_opt(-1, 1, 1).expect("valid date");
        assert_eq!(format_date(before_year_0), "-0010101");
    }

    #[test]
    fn insurer_number_padding_variants_are_equal() {
        let a = InsurerNumber::parse("139931").unwrap();
        assert_eq!(InsurerNumber::parse("  139931").unwrap(), a);
        assert_eq!(InsurerNumber::parse("00139931").unwrap(), a);
        assert_eq!(a.wire(), "  139931");
        assert_eq!(a.display(), "139931");
        assert_eq!(InsurerNumber::parse("06139000").unwrap().wire(), "06139000");
        assert!(InsurerNumber::parse("1234567").is_err());
        assert!(InsurerNumber::parse("０６１３９０００").is_err());
        assert!(InsurerNumber::parse("").is_err());
        assert!(InsurerNumber::parse("12374013")
            .unwrap()
            .is_public_assistance());
        assert!(InsurerNumber::parse("39110400").unwrap().is_late_elderly());
    }
}

#[cfg(test)]
mod date_tests {
    use super::{format_date, parse_date};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    proptest! {
        /// The hand-written `YYYYMMDD` reader and writer agree with chrono's strftime on any
        /// 8 digits (valid or not) and any date.
        #[test]
        fn yyyymmdd_matches_chrono(digits in "[0-9]{8}", days in 0i32..3_000_000) {
            let ours = parse_date(&digits).ok();
            let chrono = NaiveDate::parse_from_str(&digits, "%Y%m%d").ok();
            prop_assert_eq!(ours, chrono);
            let d = NaiveDate::from_num_days_from_ce_opt(days).expect("a date");
            prop_assert_eq!(format_date(d), d.format("%Y%m%d").to_string());
        }
    }

    proptest! {
        /// Eight digits read a word at a time are the digits read one by one; anything else
        /// among eight bytes is not eight digits.
        #[test]
        fn eight_digits_are_read_as_digit_by_digit(
            bytes in proptest::array::uniform8(proptest::sample::select(
                vec![b'0', b'1', b'5', b'8', b'9', b'/', b':', b' ', b'?', 0x00, 0x29, 0x3A, 0x3F, 0x40, 0x80, 0xB9, 0xF9, 0xFA, 0xFF],
            )),
            digits in "[0-9]{8}",
        ) {
            let expected = bytes
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| super::digits_value(&bytes));
            prop_assert_eq!(super::eight_digits(&bytes), expected);
            let digits: [u8; 8] = digits.as_bytes().try_into().expect("8 bytes");
            prop_assert_eq!(super::eight_digits(&digits), Some(super::digits_value(&digits)));
        }
    }

    proptest! {
        /// The date reader with its shortcut for eight digits is the one that always trims
        /// (the same dates, the same errors), on texts with spaces, digits and other characters.
        #[test]
        fn parse_date_is_the_trimmed_reading(text in "[ \t\u{3000}\u{a0}\u{b}0-9０a]{0,10}") {
            let trimmed = text.trim();
            let expected = if trimmed.len() != 8 || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
                Err(format!("\"{text}\" is not 8 half-width digits (YYYYMMDD)"))
            } else {
                NaiveDate::parse_from_str(trimmed, "%Y%m%d")
                    .map_err(|_| format!("\"{text}\" is not a calendar date"))
            };
            prop_assert_eq!(parse_date(&text), expected);
        }
    }

    proptest! {
        /// The trimming and the text rule with their ASCII shortcuts are the char by char ones.
        #[test]
        fn trimming_and_text_rules_are_char_by_char(
            text in "[ \u{3000}a0~\u{3001}\u{3080}あ\u{0}\u{1f}\u{7f}\u{85}\t]{0,8}",
            max in 0usize..6,
        ) {
            let trimmed = text.trim_matches(|c: char| c == ' ' || c == '\u{3000}');
            prop_assert_eq!(super::trim_spaces(&text), trimmed);
            let n = text.chars().count();
            let expected = n <= max && !text.chars().any(char::is_control);
            prop_assert_eq!(super::check_text(&text, max).is_ok(), expected);
        }
    }

    proptest! {
        /// `push_padded` is `format!("{n:0width$}")` cut to its last `width` digits.
        #[test]
        fn padded_digits_are_formatted_digits(n in any::<u32>(), width in 0u32..=10) {
            let mut ours = String::from("x");
            super::push_padded(&mut ours, n, width);
            let full = format!("{n:010}");
            prop_assert_eq!(ours, format!("x{}", &full[10 - width as usize..]));
        }
    }

    #[test]
    fn calendar_edges() {
        assert!(parse_date("20210229").is_err());
        assert!(parse_date("20240229").is_ok());
        assert!(parse_date("20211301").is_err());
        assert!(parse_date("2021010").is_err());
        assert!(parse_date("２０２１０１０６").is_err());
        assert_eq!(
            parse_date(" 20210106 ").map(format_date).as_deref(),
            Ok("20210106")
        );
    }
}
