//! パスワードのルール (ch.1 §4, AUTH-04..10): what a new password must look like, which earlier
//! passwords it may not repeat, and when a password expires. No hashing here (the accounts
//! service keeps hashes); the clock is a parameter.
//!
//! Decisions where the manual is silent or ambiguous:
//! - AMB-01: the special characters are the on-screen list (SCR-06/07): no `;` and no `\`.
//! - AMB-02: 「5 世代前まで」 = the current password and the 4 before it (5 in all); the
//!   first-5-character rule compares with each of them.
//! - Expiry 「60 日を超えると」: a password set at `t` is expired from `t + 60 days` on (the 61st
//!   day after the change).

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};

/// AUTH-04: 8 to 20 characters.
pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 20;
/// AUTH-06: the special characters allowed (SCR-06/07 list, AMB-01).
pub const SPECIAL_CHARACTERS: &str = "`~!@#$%^&*_{}[]|:'<>,.?-()/";
/// AUTH-07/08 apply only to passwords shorter than this.
pub const HISTORY_RULES_BELOW: usize = 13;
/// AUTH-07/08: generations compared (AMB-02: the current one included).
pub const GENERATIONS: usize = 5;
/// AUTH-08: leading characters that may not repeat.
pub const SIMILAR_PREFIX_CHARS: usize = 5;
/// AUTH-09 (1): a password shorter than 13 characters expires after 60 days.
pub const EXPIRY_DAYS: i64 = 60;

/// What is wrong with a new password (the manual has no message for any of these: AMB-05; the
/// simulator's texts are in `oqs_protocol::texts::accounts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// AUTH-04.
    Length,
    /// AUTH-05: a digit, a lower-case letter, an upper-case letter and a special character.
    MissingClass,
    /// AUTH-06: a character that is none of digit, ASCII letter or listed special character.
    ForbiddenCharacter(char),
    /// AUTH-07.
    Reused,
    /// AUTH-08.
    Similar,
}

/// AUTH-04..06: the form of a new password.
pub fn check_form(password: &str) -> Result<(), Problem> {
    let n = password.chars().count();
    if !(MIN_CHARS..=MAX_CHARS).contains(&n) {
        return Err(Problem::Length);
    }
    if let Some(c) = password.chars().find(|c| {
        !(c.is_ascii_digit() || c.is_ascii_alphabetic() || SPECIAL_CHARACTERS.contains(*c))
    }) {
        return Err(Problem::ForbiddenCharacter(c));
    }
    let has = |f: fn(&char) -> bool| password.chars().any(|c| f(&c));
    if has(char::is_ascii_digit)
        && has(char::is_ascii_lowercase)
        && has(char::is_ascii_uppercase)
        && has(|c| SPECIAL_CHARACTERS.contains(*c))
    {
        Ok(())
    } else {
        Err(Problem::MissingClass)
    }
}

/// Whether AUTH-07/08 (reuse and similarity) apply to this new password.
pub fn history_rules_apply(password: &str) -> bool {
    password.chars().count() < HISTORY_RULES_BELOW
}

/// The first [`SIMILAR_PREFIX_CHARS`] characters (AUTH-08 compares them).
pub fn similar_prefix(password: &str) -> String {
    password.chars().take(SIMILAR_PREFIX_CHARS).collect()
}

/// Which passwords never expire (AUTH-09 (3), AUTH-18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Subject to AUTH-09 (1)/(2).
    Rules,
    /// 顔認証付きカードリーダー用, 連携アプリケーション用, WebAPI用: 無期限.
    Never,
}

/// The last day before which a password of `chars` characters counts as set 「2021/5/28 以前」.
fn before_long_passwords_never_expire() -> NaiveDate {
    match NaiveDate::from_ymd_opt(2021, 5, 28) {
        Some(d) => d,
        None => unreachable!("2021-05-28 is a date"),
    }
}

/// AUTH-09: when a password set at `set_at` with `chars` characters expires; `None` = 無期限.
pub fn expires_at(
    set_at: DateTime<FixedOffset>,
    chars: usize,
    expiry: Expiry,
) -> Option<DateTime<FixedOffset>> {
    if expiry == Expiry::Never {
        return None;
    }
    if chars >= HISTORY_RULES_BELOW && set_at.date_naive() > before_long_passwords_never_expire() {
        return None;
    }
    Some(set_at + Duration::days(EXPIRY_DAYS))
}

/// AUTH-10: whether the password is expired at `now`.
pub fn is_expired(
    set_at: DateTime<FixedOffset>,
    chars: usize,
    expiry: Expiry,
    now: DateTime<FixedOffset>,
) -> bool {
    expires_at(set_at, chars, expiry).is_some_and(|t| now >= t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    #[test]
    fn form_rules() {
        assert_eq!(check_form("Abc#1234"), Ok(()));
        assert_eq!(check_form("Abc#123"), Err(Problem::Length));
        assert_eq!(check_form("Abc#12345678901234567"), Err(Problem::Length));
        assert_eq!(check_form("Abcd#123456789012345"), Ok(()));
        assert_eq!(check_form("abc#1234"), Err(Problem::MissingClass));
        assert_eq!(check_form("ABC#1234"), Err(Problem::MissingClass));
        assert_eq!(check_form("Abcd1234"), Err(Problem::MissingClass));
        assert_eq!(check_form("Abc#defg"), Err(Problem::MissingClass));
        // AMB-01: `;` and `\` are not in the on-screen list; nor are space, `"`, `+`, `=`.
        for bad in [';', '\\', ' ', '"', '+', '=', 'ａ'] {
            assert_eq!(
                check_form(&format!("Abc#123{bad}")),
                Err(Problem::ForbiddenCharacter(bad))
            );
        }
        for ok in SPECIAL_CHARACTERS.chars() {
            assert_eq!(check_form(&format!("Abc1234{ok}")), Ok(()), "{ok}");
        }
    }

    #[test]
    fn history_rules_and_prefix() {
        assert!(history_rules_apply("Abc#12345678"));
        assert!(!history_rules_apply("Abc#123456789"));
        assert_eq!(similar_prefix("staff123"), "staff");
        assert_eq!(similar_prefix("ｓｔａｆｆ1"), "ｓｔａｆｆ");
    }

    #[test]
    fn expiry() {
        let set = at("2021-06-01T10:00:00+09:00");
        let exp = set + Duration::days(60);
        assert_eq!(expires_at(set, 12, Expiry::Rules), Some(exp));
        assert!(!is_expired(
            set,
            12,
            Expiry::Rules,
            exp - Duration::seconds(1)
        ));
        assert!(is_expired(set, 12, Expiry::Rules, exp));
        // 13 characters or more: never, unless set on or before 2021/5/28.
        assert_eq!(expires_at(set, 13, Expiry::Rules), None);
        let old = at("2021-05-28T23:00:00+09:00");
        assert_eq!(
            expires_at(old, 13, Expiry::Rules),
            Some(old + Duration::days(60))
        );
        assert_eq!(expires_at(old, 8, Expiry::Never), None);
    }
}
