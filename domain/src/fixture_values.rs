//! The value types of the TOML fixtures (dates in every spelling, coded values by name or code,
//! 保険者番号, ratios) and the error a bad file gets; shared by every fixture section
//! (`crate::fixtures`, `crate::visiting_fixtures`).

use chrono::NaiveDate;
use oqs_protocol::codes::{CodeTable, ContributionRatio};
use oqs_protocol::message::InsurerNumber;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;

use crate::wareki;

/// The facility of the manual's screenshots (サンプル医療機関).
pub const DEFAULT_FACILITY: &str = "1234567890";

/// A fixture that could not be loaded: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {field}: {message}")]
pub struct FixtureError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The key at fault (e.g. `birthdate`), or `-` when the file as a whole is at fault.
    pub field: String,
    pub message: String,
}

/// A date in any of the accepted spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixtureDate(pub NaiveDate);

/// Parses `YYYY-MM-DD`, `YYYYMMDD`, `YYYY/MM/DD` or 和暦.
pub fn parse_fixture_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    ["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .or_else(|| wareki::parse(t))
}

impl<'de> Deserialize<'de> for FixtureDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FixtureDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date such as 1954-03-26, \"19540326\" or \"昭和29年3月26日\"")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<FixtureDate, E> {
                parse_fixture_date(s).map(FixtureDate).ok_or_else(|| {
                    E::custom(format!(
                        "invalid date \"{s}\": use 1954-03-26, \"19540326\" or \"昭和29年3月26日\""
                    ))
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<FixtureDate, A::Error> {
                let dt =
                    toml::value::Datetime::deserialize(de::value::MapAccessDeserializer::new(map))?;
                match (dt.date, dt.time) {
                    (Some(date), None) => NaiveDate::from_ymd_opt(
                        i32::from(date.year),
                        u32::from(date.month),
                        u32::from(date.day),
                    )
                    .map(FixtureDate)
                    .ok_or_else(|| de::Error::custom(format!("invalid date {dt}"))),
                    _ => Err(de::Error::custom(format!(
                        "{dt} is not a plain date (no time allowed)"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A value of a code table, by name or code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coded<T>(pub T);

impl<'de, T: CodeTable> Deserialize<'de> for Coded<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        T::parse(s.trim()).map(Coded).ok_or_else(|| {
            let names: Vec<_> = T::all()
                .iter()
                .map(|v| format!("{} ({})", v.label(), v.code()))
                .collect();
            de::Error::custom(format!(
                "\"{s}\" is not a {}: use one of {}",
                T::NAME,
                names.join(", ")
            ))
        })
    }
}

/// 保険者番号 in a fixture: 6 or 8 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixtureInsurerNumber(pub InsurerNumber);

impl<'de> Deserialize<'de> for FixtureInsurerNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        InsurerNumber::parse(&s)
            .map(FixtureInsurerNumber)
            .map_err(|e| de::Error::custom(format!("保険者番号 {e}")))
    }
}

/// 一部負担金割合, e.g. "2割".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixtureRatio(pub ContributionRatio);

impl<'de> Deserialize<'de> for FixtureRatio {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ContributionRatio::parse(&s)
            .map(FixtureRatio)
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "\"{s}\" is not a ratio such as \"1割\", \"2割\", \"3割\""
                ))
            })
    }
}
