//! SCR-19 search conditions: parsing the screen's inputs and resolving them (2-year window,
//! 資格確認区分 + 絞込み as a set of kinds) into what both stores filter on.

use super::{to_millis, ConfirmationKind, History};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use oqs_domain::inquiry::jst;
use oqs_protocol::texts;

/// SCR-19 「* 資格確認区分」.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KindFilter {
    #[default]
    All,
    MyNumberCard,
    InsuranceCard,
    Bulk,
    /// 「障害時」 = システム障害時 (AMB-43).
    Outage,
    Disaster,
}

impl KindFilter {
    pub const ALL: [KindFilter; 6] = [
        KindFilter::All,
        KindFilter::MyNumberCard,
        KindFilter::InsuranceCard,
        KindFilter::Bulk,
        KindFilter::Outage,
        KindFilter::Disaster,
    ];

    /// The screen's value, verbatim.
    pub fn label(self) -> &'static str {
        match self {
            KindFilter::All => texts::HISTORY_FILTER_ALL,
            KindFilter::MyNumberCard => texts::HISTORY_FILTER_MY_NUMBER_CARD,
            KindFilter::InsuranceCard => texts::HISTORY_FILTER_INSURANCE_CARD,
            KindFilter::Bulk => texts::HISTORY_FILTER_BULK,
            KindFilter::Outage => texts::HISTORY_FILTER_OUTAGE,
            KindFilter::Disaster => texts::HISTORY_FILTER_DISASTER,
        }
    }

    /// ASCII alias for query strings.
    pub fn alias(self) -> &'static str {
        match self {
            KindFilter::All => "all",
            KindFilter::MyNumberCard => "my-number-card",
            KindFilter::InsuranceCard => "insurance-card",
            KindFilter::Bulk => "bulk",
            KindFilter::Outage => "outage",
            KindFilter::Disaster => "disaster",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        KindFilter::ALL
            .into_iter()
            .find(|k| k.label() == s || k.alias() == s)
    }

    /// Does a record of `kind` match? (マイナンバーカード covers the face reader's checks too:
    /// 絞込み is how the screen separates them, RULE-60.)
    pub fn matches(self, kind: ConfirmationKind) -> bool {
        use ConfirmationKind as K;
        match self {
            KindFilter::All => true,
            KindFilter::MyNumberCard => matches!(
                kind,
                K::MyNumberVisual
                    | K::MyNumberPin
                    | K::FaceVisual
                    | K::FacePin
                    | K::FaceRecognition
            ),
            KindFilter::InsuranceCard => kind == K::InsuranceCard,
            KindFilter::Bulk => kind == K::Bulk,
            KindFilter::Outage => kind == K::SystemOutage,
            KindFilter::Disaster => kind == K::Disaster,
        }
    }
}

/// SCR-19 「* 資格確認区分絞込み」 (RULE-60).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Narrowing {
    /// 「全て表示」 (the screenshot's default, AMB-44).
    #[default]
    ShowAll,
    /// 「顔認証分を含めない」.
    ExcludeFaceReader,
    /// 「顔認証端末のみ」.
    FaceReaderOnly,
}

impl Narrowing {
    pub const ALL: [Narrowing; 3] = [
        Narrowing::ShowAll,
        Narrowing::ExcludeFaceReader,
        Narrowing::FaceReaderOnly,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Narrowing::ShowAll => texts::HISTORY_NARROWING_SHOW_ALL,
            Narrowing::ExcludeFaceReader => texts::HISTORY_NARROWING_EXCLUDE_FACE,
            Narrowing::FaceReaderOnly => texts::HISTORY_NARROWING_FACE_ONLY,
        }
    }

    pub fn alias(self) -> &'static str {
        match self {
            Narrowing::ShowAll => "show-all",
            Narrowing::ExcludeFaceReader => "exclude-face",
            Narrowing::FaceReaderOnly => "face-only",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Narrowing::ALL
            .into_iter()
            .find(|k| k.label() == s || k.alias() == s)
    }

    pub fn matches(self, kind: ConfirmationKind) -> bool {
        match self {
            Narrowing::ShowAll => true,
            Narrowing::ExcludeFaceReader => !kind.is_face_reader(),
            Narrowing::FaceReaderOnly => kind.is_face_reader(),
        }
    }
}

/// A search as the screen gives it (validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryQuery {
    /// 医療機関コード (10 digits): the facility whose history is searched.
    pub facility: String,
    /// 資格確認対象期間(自): the first instant included.
    pub from: DateTime<FixedOffset>,
    /// 資格確認対象期間(至): the first instant no longer included (end of the minute given).
    pub until: DateTime<FixedOffset>,
    pub kind: KindFilter,
    pub narrowing: Narrowing,
    /// ログインID (exact).
    pub login_id: Option<String>,
    /// 照会番号 (exact).
    pub reference_number: Option<String>,
}

/// Why a search was refused before it ran.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct QueryError {
    pub field: &'static str,
    pub reason: String,
}

fn err(field: &'static str, reason: impl Into<String>) -> QueryError {
    QueryError {
        field,
        reason: reason.into(),
    }
}

/// The raw inputs (query-string values).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct RawQuery {
    pub facility: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub kind: Option<String>,
    pub narrowing: Option<String>,
    pub login_id: Option<String>,
    pub reference_number: Option<String>,
}

/// Which end of the period a time is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    From,
    To,
}

/// `yyyy/mm/dd hh:mm` (the screen, hour 0–24, minute 00–59), `yyyy-mm-ddThh:mm`, or a date
/// alone (00:00 for (自), 24:00 for (至)). (至) includes the whole minute it names.
fn parse_period_time(raw: &str, end: End) -> Result<DateTime<FixedOffset>, String> {
    let t = raw.trim();
    let bad = || {
        format!(
            "\"{raw}\" is not a date and time such as 2021/01/06 13:33 (hour 0–24, minute 00–59)"
        )
    };
    let (date_part, time_part) = match t.split_once(['T', ' ']) {
        Some((d, tm)) => (d.trim(), Some(tm.trim())),
        None => (t, None),
    };
    let date = NaiveDate::parse_from_str(date_part, "%Y/%m/%d")
        .or_else(|_| NaiveDate::parse_from_str(date_part, "%Y-%m-%d"))
        .map_err(|_| bad())?;
    let (hour, minute) = match time_part {
        None => match end {
            End::From => (0, 0),
            End::To => (24, 0),
        },
        Some(tm) => {
            let (h, m) = tm.split_once(':').ok_or_else(bad)?;
            let (h, m) = (h.trim(), m.trim());
            let digits =
                |s: &str| !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit());
            if !digits(h) || m.len() != 2 || !digits(m) {
                return Err(bad());
            }
            let h: u32 = h.parse().map_err(|_| bad())?;
            let m: u32 = m.parse().map_err(|_| bad())?;
            if h > 24 || m > 59 || (h == 24 && m != 0) {
                return Err(bad());
            }
            (h, m)
        }
    };
    // 24:00 is the end of the day; (至) hh:mm includes that minute.
    let base = NaiveDateTime::new(date, NaiveTime::MIN)
        + chrono::Duration::minutes(i64::from(hour * 60 + minute));
    let local = match end {
        End::To if hour < 24 => base + chrono::Duration::minutes(1),
        _ => base,
    };
    jst().from_local_datetime(&local).single().ok_or_else(bad)
}

fn present(x: &Option<String>) -> Option<&str> {
    x.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl HistoryQuery {
    /// Validates the screen's inputs. Required: facility, from, to. 資格確認区分 defaults to
    /// 「全て」, 絞込み to 「全て表示」.
    pub fn parse(raw: &RawQuery) -> Result<HistoryQuery, QueryError> {
        let facility = present(&raw.facility)
            .ok_or_else(|| err("facility", "required: 医療機関コード (10 digits)"))?;
        if facility.len() != 10 || !facility.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                "facility",
                format!("\"{facility}\" is not a 医療機関コード (10 half-width digits)"),
            ));
        }
        let from = present(&raw.from)
            .ok_or_else(|| err("from", "required: 資格確認対象期間(自)"))
            .and_then(|s| parse_period_time(s, End::From).map_err(|e| err("from", e)))?;
        let until = present(&raw.to)
            .ok_or_else(|| err("to", "required: 資格確認対象期間(至)"))
            .and_then(|s| parse_period_time(s, End::To).map_err(|e| err("to", e)))?;
        if until <= from {
            return Err(err(
                "to",
                "資格確認対象期間(至) is before 資格確認対象期間(自)",
            ));
        }
        let kind = match present(&raw.kind) {
            None => KindFilter::All,
            Some(s) => KindFilter::parse(s).ok_or_else(|| {
                err(
                    "kind",
                    format!(
                        "\"{s}\" is not a 資格確認区分 (one of {})",
                        KindFilter::ALL.map(KindFilter::label).join("、")
                    ),
                )
            })?,
        };
        let narrowing = match present(&raw.narrowing) {
            None => Narrowing::ShowAll,
            Some(s) => Narrowing::parse(s).ok_or_else(|| {
                err(
                    "narrowing",
                    format!(
                        "\"{s}\" is not a 資格確認区分絞込み (one of {})",
                        Narrowing::ALL.map(Narrowing::label).join("、")
                    ),
                )
            })?,
        };
        if narrowing != Narrowing::ShowAll && kind != KindFilter::MyNumberCard {
            return Err(err(
                "narrowing",
                format!(
                    "資格確認区分絞込み can be set only when 資格確認区分 is 「{}」 (RULE-60)",
                    texts::HISTORY_FILTER_MY_NUMBER_CARD
                ),
            ));
        }
        let login_id = match present(&raw.login_id) {
            None => None,
            Some(s) => {
                if !(2..=8).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(err(
                        "login_id",
                        format!(
                            "\"{s}\" is not a ログインID (2 to 8 half-width letters or digits)"
                        ),
                    ));
                }
                Some(s.to_owned())
            }
        };
        let reference_number = match present(&raw.reference_number) {
            None => None,
            Some(s) if s.chars().count() > 100 || s.chars().any(char::is_control) => {
                return Err(err(
                    "reference_number",
                    "a 照会番号 has at most 100 characters and no control characters",
                ))
            }
            Some(s) => Some(s.to_owned()),
        };
        Ok(HistoryQuery {
            facility: facility.to_owned(),
            from,
            until,
            kind,
            narrowing,
            login_id,
            reference_number,
        })
    }

    /// Resolves the query against the clock: the 2-year window (RULE-57) and the kind set.
    pub fn conditions(&self, now: DateTime<FixedOffset>) -> SearchConditions {
        let window = to_millis(History::window_start(now));
        let kinds = ConfirmationKind::ALL
            .into_iter()
            .filter(|k| self.kind.matches(*k) && self.narrowing.matches(*k))
            .fold(0, |m, k| m | k.bit());
        SearchConditions {
            facility: self.facility.clone(),
            from_ms: to_millis(self.from).max(window),
            until_ms: to_millis(self.until),
            kinds,
            login_id: self.login_id.clone(),
            reference_number: self.reference_number.clone(),
        }
    }
}

/// What the stores filter on: `from_ms <= t < until_ms`, kind in the mask, exact ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchConditions {
    pub facility: String,
    pub from_ms: i64,
    pub until_ms: i64,
    /// Bit `1 << kind.code()` for each kind included.
    pub kinds: u32,
    pub login_id: Option<String>,
    pub reference_number: Option<String>,
}

impl SearchConditions {
    /// The non-indexed conditions (facility and time are the store's index range).
    pub fn matches_rest(
        &self,
        kind: super::ConfirmationKind,
        login_id: &str,
        reference_number: Option<&str>,
    ) -> bool {
        self.kinds & kind.bit() != 0
            && self.login_id.as_deref().is_none_or(|l| l == login_id)
            && self
                .reference_number
                .as_deref()
                .is_none_or(|n| reference_number == Some(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(from: &str, to: &str) -> RawQuery {
        RawQuery {
            facility: Some("1234567890".into()),
            from: Some(from.into()),
            to: Some(to.into()),
            ..RawQuery::default()
        }
    }

    #[test]
    fn period_times_follow_the_screen() {
        let q = HistoryQuery::parse(&raw("2021/01/06 00:00", "2021/01/06 13:33")).unwrap();
        assert_eq!(q.from.to_rfc3339(), "2021-01-06T00:00:00+09:00");
        assert_eq!(q.until.to_rfc3339(), "2021-01-06T13:34:00+09:00");
        let q = HistoryQuery::parse(&raw("2021-01-06T9:05", "2021/01/06 24:00")).unwrap();
        assert_eq!(q.from.to_rfc3339(), "2021-01-06T09:05:00+09:00");
        assert_eq!(q.until.to_rfc3339(), "2021-01-07T00:00:00+09:00");
        let q = HistoryQuery::parse(&raw("2021/01/06", "2021/01/06")).unwrap();
        assert_eq!(q.until.to_rfc3339(), "2021-01-07T00:00:00+09:00");
        for bad in [
            "2021/01/06 24:01",
            "2021/01/06 25:00",
            "2021/01/06 12:5",
            "2021/02/30 10:00",
            "x",
        ] {
            let e = HistoryQuery::parse(&raw(bad, "2021/12/31 10:00")).unwrap_err();
            assert_eq!(e.field, "from", "{bad}");
        }
        assert_eq!(
            HistoryQuery::parse(&raw("2021/01/06 10:00", "2021/01/06 09:00"))
                .unwrap_err()
                .field,
            "to"
        );
    }

    #[test]
    fn narrowing_only_with_my_number_card() {
        let mut r = raw("2021/01/06 00:00", "2021/01/06 13:33");
        r.narrowing = Some("顔認証端末のみ".into());
        assert_eq!(HistoryQuery::parse(&r).unwrap_err().field, "narrowing");
        r.kind = Some("マイナンバーカード".into());
        let q = HistoryQuery::parse(&r).unwrap();
        assert_eq!(q.narrowing, Narrowing::FaceReaderOnly);
        r.login_id = Some("a".into());
        assert_eq!(HistoryQuery::parse(&r).unwrap_err().field, "login_id");
        r.login_id = Some("staff-11".into());
        assert_eq!(HistoryQuery::parse(&r).unwrap_err().field, "login_id");
        r.login_id = Some("staff11".into());
        assert!(HistoryQuery::parse(&r).is_ok());
        r.facility = Some("12345".into());
        assert_eq!(HistoryQuery::parse(&r).unwrap_err().field, "facility");
    }

    #[test]
    fn kind_sets() {
        use ConfirmationKind as K;
        let mnc: Vec<_> = ConfirmationKind::ALL
            .into_iter()
            .filter(|k| {
                KindFilter::MyNumberCard.matches(*k) && Narrowing::ExcludeFaceReader.matches(*k)
            })
            .collect();
        assert_eq!(mnc, vec![K::MyNumberVisual, K::MyNumberPin]);
        assert!(KindFilter::Outage.matches(K::SystemOutage));
        assert!(!KindFilter::InsuranceCard.matches(K::Bulk));
        assert_eq!(KindFilter::parse("一括照会"), Some(KindFilter::Bulk));
        assert_eq!(KindFilter::parse("bulk"), Some(KindFilter::Bulk));
    }
}
