//! 和暦 (Japanese era) dates as the screens print them (DM-24): 「昭和29年3月26日」, no zero
//! padding, and the first year of an era written 「1年」 (「令和1年8月1日」), as in the screenshots.

use chrono::{Datelike, NaiveDate};

/// The eras the data need, newest first: (name, first day).
const ERAS: &[(&str, (i32, u32, u32))] = &[
    ("令和", (2019, 5, 1)),
    ("平成", (1989, 1, 8)),
    ("昭和", (1926, 12, 25)),
    ("大正", (1912, 7, 30)),
    ("明治", (1868, 1, 25)),
];

fn era_start(start: (i32, u32, u32)) -> NaiveDate {
    // The table holds valid dates only.
    NaiveDate::from_ymd_opt(start.0, start.1, start.2).unwrap_or(NaiveDate::MIN)
}

/// 「令和3年1月6日」. Dates before 明治 are written in the Western calendar.
pub fn format(d: NaiveDate) -> String {
    let mut out = String::with_capacity(32);
    push(&mut out, d);
    out
}

/// [`format`] appended to `out` (the history's detail writes four dates into one buffer).
pub fn push(out: &mut String, d: NaiveDate) {
    match ERAS.iter().find(|(_, s)| d >= era_start(*s)) {
        // Not format!: four dates of every recorded inquiry's history detail (issue 16).
        Some((name, s)) => {
            out.push_str(name);
            push_number(out, (d.year() - s.0 + 1).unsigned_abs());
            out.push('年');
            push_number(out, d.month());
            out.push('月');
            push_number(out, d.day());
            out.push('日');
        }
        None => out.push_str(&format!("西暦{}年{}月{}日", d.year(), d.month(), d.day())),
    }
}

/// `n` in decimal, no padding.
fn push_number(out: &mut String, n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut rest = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &b in &digits[i..] {
        out.push(char::from(b));
    }
}

/// 「令和5年9月」 (診療年月).
pub fn format_month(d: NaiveDate) -> String {
    let full = format(d);
    match full.find('月') {
        Some(i) => full[..i + '月'.len_utf8()].to_string(),
        None => full,
    }
}

/// Parses 「昭和29年3月26日」 (also 「元年」, full-width digits and spaces between parts).
pub fn parse(s: &str) -> Option<NaiveDate> {
    let norm: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    let (name, start) = ERAS.iter().find(|(n, _)| norm.starts_with(n))?;
    let rest = &norm[name.len()..];
    let (y, rest) = rest.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    let y: i32 = if y == "元" { 1 } else { y.parse().ok()? };
    if y < 1 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(start.0 + y - 1, m.parse().ok()?, d.parse().ok()?)?;
    // The date must fall inside the era named (e.g. 平成31年5月1日 does not exist).
    let next_start = ERAS
        .iter()
        .position(|(n, _)| n == name)
        .and_then(|i| i.checked_sub(1))
        .map(|i| era_start(ERAS[i].1));
    (date >= era_start(*start) && next_start.is_none_or(|n| date < n)).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn formats_like_the_screenshots() {
        assert_eq!(format(d(1954, 3, 26)), "昭和29年3月26日");
        assert_eq!(format(d(1947, 1, 1)), "昭和22年1月1日");
        assert_eq!(format(d(2019, 8, 1)), "令和1年8月1日");
        assert_eq!(format(d(2019, 4, 22)), "平成31年4月22日");
        assert_eq!(format(d(2017, 1, 1)), "平成29年1月1日");
        assert_eq!(format(d(2022, 5, 9)), "令和4年5月9日");
        assert_eq!(format(d(1989, 1, 7)), "昭和64年1月7日");
        assert_eq!(format(d(1989, 1, 8)), "平成1年1月8日");
        assert_eq!(format_month(d(2023, 9, 1)), "令和5年9月");
    }

    #[test]
    fn parses_and_refuses_dates_outside_their_era() {
        assert_eq!(parse("昭和29年3月26日"), Some(d(1954, 3, 26)));
        assert_eq!(parse("令和元年11月8日"), Some(d(2019, 11, 8)));
        assert_eq!(parse("令和 1 年 8 月 1 日"), Some(d(2019, 8, 1)));
        assert_eq!(parse("平成３１年４月２２日"), Some(d(2019, 4, 22)));
        assert_eq!(parse("平成31年5月1日"), None);
        assert_eq!(parse("令和1年4月30日"), None);
        assert_eq!(parse("昭和29年2月30日"), None);
        assert_eq!(parse("1954-03-26"), None);
    }

    proptest::proptest! {
        #[test]
        fn numbers_written_like_format(n in proptest::prelude::any::<u32>()) {
            let mut out = String::new();
            push_number(&mut out, n);
            proptest::prop_assert_eq!(out, n.to_string());
        }

        #[test]
        fn format_then_parse_is_identity(days in 0i64..60000) {
            let date = d(1868, 1, 25) + chrono::Duration::days(days);
            proptest::prop_assert_eq!(parse(&format(date)), Some(date));
        }
    }
}
