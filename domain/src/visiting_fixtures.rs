//! `[[consent]]` in the TOML fixtures: 訪問診療等・オンライン診療等 consents (DM-14) on cards
//! defined before them (format: README "Fixtures").

use crate::consent::Consent;
use crate::fixture_values::{
    Coded, FixtureDate, FixtureError, FixtureInsurerNumber, DEFAULT_FACILITY,
};
use crate::model::{Population, QualificationId};
use chrono::NaiveTime;
use oqs_protocol::fields::InsurerNumber;
use oqs_protocol::visiting::{CareKind, ConsentCategory};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// `[[consent]]` in a fixture file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsentRecord {
    #[serde(default = "default_facility")]
    facility: String,
    insurer: FixtureInsurerNumber,
    symbol: Option<String>,
    number: String,
    branch: Option<String>,
    /// 「訪問診療等」 / 「オンライン診療等」 (or 2 / 3).
    kind: Coded<CareKind>,
    consented_on: FixtureDate,
    valid_until: FixtureDate,
    /// `hh:mm` of 同意有効期限, default 23:59.
    valid_until_time: Option<String>,
    examination_date: Option<FixtureDate>,
    /// Categories not consented (their rows show 「同意なし」), by 同意区分 label.
    #[serde(default)]
    not_consented: Vec<String>,
    /// A category's own end, when it differs from `valid_until`.
    #[serde(default)]
    valid_until_of: BTreeMap<String, FixtureDate>,
}

fn default_facility() -> String {
    DEFAULT_FACILITY.into()
}

/// The qualification a fixture record names by its card (保険者番号, 記号, 番号, 枝番; blanks are
/// absent), or the error naming the card and `what` was to be attached to it.
fn card_qualification(
    pop: &Population,
    (insurer, symbol, number, branch): (InsurerNumber, Option<String>, &str, Option<String>),
    what: &str,
    err: impl Fn(String) -> FixtureError,
) -> Result<QualificationId, FixtureError> {
    let opt = |s: Option<String>| s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let (symbol, branch) = (opt(symbol), opt(branch));
    pop.find_qualification(insurer, symbol.as_deref(), number.trim(), branch.as_deref())
        .ok_or_else(|| {
            err(format!(
                "no qualification {}/{}/{}/{} to attach the {what} to",
                insurer.display(),
                symbol.as_deref().unwrap_or(""),
                number.trim(),
                branch.as_deref().unwrap_or("")
            ))
        })
}

/// Adds the `[[consent]]` records to `pop`; `err_at(record start, field, message)` builds the
/// error for a record.
pub(crate) fn load_consents(
    pop: &mut Population,
    records: Vec<Spanned<ConsentRecord>>,
    err_at: &dyn Fn(usize, &str, String) -> FixtureError,
) -> Result<(), FixtureError> {
    for rec in records {
        let at = rec.span().start;
        let r = rec.into_inner();
        let qualification = card_qualification(
            pop,
            (r.insurer.0, r.symbol, &r.number, r.branch),
            "consent",
            |m| err_at(at, "number", m),
        )?;
        let time = match r.valid_until_time.as_deref() {
            None => NaiveTime::from_hms_opt(23, 59, 0).unwrap_or_default(),
            Some(t) => NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| {
                err_at(
                    at,
                    "valid_until_time",
                    format!("\"{t}\" is not a time such as \"23:59\""),
                )
            })?,
        };
        if r.valid_until.0 < r.consented_on.0 {
            return Err(err_at(
                at,
                "valid_until",
                "同意有効期限 is before 同意年月日".into(),
            ));
        }
        let mut categories = [Some(r.valid_until.0); 7];
        for label in &r.not_consented {
            let c = ConsentCategory::parse(label)
                .ok_or_else(|| err_at(at, "not_consented", unknown_category(label)))?;
            categories[c as usize] = None;
        }
        for (label, until) in &r.valid_until_of {
            let c = ConsentCategory::parse(label)
                .ok_or_else(|| err_at(at, "valid_until_of", unknown_category(label)))?;
            if categories[c as usize].is_some() {
                categories[c as usize] = Some(until.0);
            }
        }
        pop.add_consent(Consent {
            facility: r.facility.trim().into(),
            qualification,
            kind: r.kind.0,
            consented_on: r.consented_on.0,
            valid_until: r.valid_until.0.and_time(time),
            examination_date: r.examination_date.map(|d| d.0),
            categories,
        });
    }
    Ok(())
}

fn unknown_category(label: &str) -> String {
    let all: Vec<&str> = ConsentCategory::ALL.iter().map(|c| c.label()).collect();
    format!(
        "\"{label}\" is not a 同意区分: use one of {}",
        all.join(", ")
    )
}

/// `[[prescription]]` in a fixture file (DM-16).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PrescriptionRecord {
    insurer: FixtureInsurerNumber,
    symbol: Option<String>,
    number: String,
    branch: Option<String>,
    /// 引換番号 (half-width digits).
    exchange_number: String,
    issued_on: FixtureDate,
    issuer: String,
    reservation: Option<FixtureDate>,
    #[serde(default)]
    selected: bool,
    #[serde(default)]
    refill: bool,
}

/// Adds the `[[prescription]]` records to `pop`.
pub(crate) fn load_prescriptions(
    pop: &mut Population,
    records: Vec<Spanned<PrescriptionRecord>>,
    err_at: &dyn Fn(usize, &str, String) -> FixtureError,
) -> Result<(), FixtureError> {
    for rec in records {
        let at = rec.span().start;
        let r = rec.into_inner();
        let qualification = card_qualification(
            pop,
            (r.insurer.0, r.symbol, &r.number, r.branch),
            "prescription",
            |m| err_at(at, "number", m),
        )?;
        let n = r.exchange_number.trim();
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err_at(
                at,
                "exchange_number",
                format!("引換番号 \"{n}\" is not half-width digits"),
            ));
        }
        pop.add_prescription(crate::prescription_record::Prescription {
            qualification,
            exchange_number: n.into(),
            issued_on: r.issued_on.0,
            issuer: r.issuer.trim().into(),
            reservation: r.reservation.map(|d| d.0),
            selected: r.selected,
            refill: r.refill,
        });
    }
    Ok(())
}
