//! Human-editable TOML fixtures: insurers, facilities, persons with their qualifications and
//! certificates, and reference numbers. The built-in population is itself such a file.
//!
//! Dates may be written `1954-03-26`, `"19540326"` or in 和暦 (`"昭和29年3月26日"`); coded
//! values by their Japanese name (`"男"`, `"被保険者証（一般）"`, `"ア"`) or their wire code.
//! A bad file is rejected as a whole with its name, line, column and field.

pub use crate::fixture_values::{
    parse_fixture_date, Coded, FixtureDate, FixtureError, FixtureInsurerNumber, FixtureRatio,
    DEFAULT_FACILITY,
};
use crate::model::{
    Certificates, ElderlyCertificate, Facility, Insurer, LimitCertificate, Person, Population,
    Qualification, SpecificDiseaseCertificate,
};
use chrono::NaiveDate;
use oqs_protocol::codes::{
    InsuredCardClassification, LimitCategory, LimitCertificateKind, PersonalFamily, ReasonOfLoss,
    Sex, SpecificDisease,
};
use oqs_protocol::message::InsurerNumber;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    #[serde(default)]
    insurer: Vec<Spanned<InsurerRecord>>,
    #[serde(default)]
    facility: Vec<Spanned<FacilityRecord>>,
    #[serde(default)]
    person: Vec<Spanned<PersonRecord>>,
    #[serde(default)]
    reference_number: Vec<Spanned<ReferenceNumberRecord>>,
    /// 訪問診療等・オンライン診療等 consents (`crate::visiting`).
    #[serde(default)]
    consent: Vec<Spanned<crate::visiting_fixtures::ConsentRecord>>,
    #[serde(default)]
    dispensing_result: Vec<Spanned<DispensingRecord>>,
}

/// `[[dispensing_result]]`: one stored dispensing result (ch.11; see the README's Fixtures).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DispensingRecord {
    pharmacy: String,
    id: String,
    dispensed_on: FixtureDate,
    person: String,
    prescriber: Option<String>,
    #[serde(default)]
    medicines: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InsurerRecord {
    number: FixtureInsurerNumber,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FacilityRecord {
    code: String,
    name: String,
    #[serde(default = "default_kind")]
    kind: String,
    /// Uses 調剤済み処方箋の保存サービス (RULE-69).
    #[serde(default)]
    dispensing_storage: bool,
}

fn default_kind() -> String {
    "医科".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonRecord {
    id: String,
    name: String,
    kana: String,
    other_name: Option<String>,
    other_kana: Option<String>,
    sex: Coded<Sex>,
    sex_back: Option<Coded<Sex>>,
    birthdate: FixtureDate,
    post_number: Option<String>,
    address: Option<String>,
    /// 保険者等の都合で表示しない (ERR-15 on the My Number path).
    #[serde(default)]
    suppressed: bool,
    #[serde(default)]
    qualification: Vec<Spanned<QualificationRecord>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QualificationRecord {
    insurer: FixtureInsurerNumber,
    symbol: Option<String>,
    number: String,
    branch: Option<String>,
    #[serde(default = "default_card")]
    card: Coded<InsuredCardClassification>,
    #[serde(default = "default_relation")]
    relation: Coded<PersonalFamily>,
    insured_name: Option<String>,
    qualification_date: Option<FixtureDate>,
    disqualification_date: Option<FixtureDate>,
    reason_of_loss: Option<Coded<ReasonOfLoss>>,
    issued_on: Option<FixtureDate>,
    valid_from: FixtureDate,
    valid_until: Option<FixtureDate>,
    copayment: Option<FixtureRatio>,
    #[serde(default)]
    elderly: Vec<ElderlyRecord>,
    #[serde(default)]
    limit: Vec<LimitRecord>,
    #[serde(default)]
    specific_disease: Vec<SpecificDiseaseRecord>,
}

fn default_card() -> Coded<InsuredCardClassification> {
    Coded(InsuredCardClassification::General)
}

fn default_relation() -> Coded<PersonalFamily> {
    Coded(PersonalFamily::Insured)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ElderlyRecord {
    ratio: FixtureRatio,
    issued_on: Option<FixtureDate>,
    valid_from: FixtureDate,
    valid_until: Option<FixtureDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitRecord {
    #[serde(default = "default_limit_kind")]
    kind: Coded<LimitCertificateKind>,
    category: Coded<LimitCategory>,
    issued_on: Option<FixtureDate>,
    valid_from: FixtureDate,
    valid_until: Option<FixtureDate>,
    long_term_date: Option<FixtureDate>,
}

fn default_limit_kind() -> Coded<LimitCertificateKind> {
    Coded(LimitCertificateKind::LimitCategory)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecificDiseaseRecord {
    disease: Coded<SpecificDisease>,
    self_pay: u32,
    issued_on: Option<FixtureDate>,
    valid_from: FixtureDate,
    valid_until: Option<FixtureDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReferenceNumberRecord {
    #[serde(default = "default_facility")]
    facility: String,
    insurer: FixtureInsurerNumber,
    symbol: Option<String>,
    number: String,
    branch: Option<String>,
    value: String,
}

fn default_facility() -> String {
    DEFAULT_FACILITY.into()
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The key written on the line at `offset` (`birthdate = …` → `birthdate`).
fn key_at(text: &str, offset: usize) -> String {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next().unwrap_or("");
    match line.split_once('=') {
        Some((k, _)) if !k.trim().starts_with('[') => k.trim().to_string(),
        _ => line
            .trim()
            .trim_matches(|c| c == '[' || c == ']')
            .to_string(),
    }
}

/// Offset of the first line after `start` that assigns `key` (else `start`).
fn field_offset(text: &str, start: usize, key: &str) -> usize {
    let mut offset = start.min(text.len());
    for (i, line) in text[offset..].split_inclusive('\n').enumerate() {
        let t = line.trim_start();
        if i > 0 && t.starts_with('[') {
            break;
        }
        if t.split_once('=').is_some_and(|(k, _)| k.trim() == key) {
            return offset + (line.len() - t.len());
        }
        offset += line.len();
    }
    start
}

/// 保険者番号/記号/番号/枝番 for messages.
fn card_label(
    insurer: InsurerNumber,
    symbol: &Option<Box<str>>,
    number: &str,
    branch: &Option<Box<str>>,
) -> String {
    format!(
        "{}/{}/{}/{}",
        insurer.display(),
        symbol.as_deref().unwrap_or(""),
        number.trim(),
        branch.as_deref().unwrap_or("")
    )
}

fn opt_box(s: Option<String>) -> Option<Box<str>> {
    s.map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .map(Into::into)
}

fn d(x: Option<FixtureDate>) -> Option<NaiveDate> {
    x.map(|v| v.0)
}

/// How a fixture combines with what is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadMode {
    /// Start from an empty population.
    Replace,
    /// Add to (and update by id) the current population.
    Extend,
}

/// Loads fixture text into `pop`. On error `pop` is left unchanged.
pub fn load_into(pop: &mut Population, file: &str, text: &str) -> Result<(), FixtureError> {
    let parsed: FixtureFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, column) = line_col(text, offset);
        FixtureError {
            file: file.to_owned(),
            line,
            column,
            field: e
                .span()
                .map_or_else(|| "-".to_string(), |_| key_at(text, offset)),
            message: e.message().trim().to_string(),
        }
    })?;
    // Points at the `field = …` line inside a record when there is one.
    let err_at = |record_start: usize, field: &str, message: String| {
        let offset = field_offset(text, record_start, field);
        let (line, column) = line_col(text, offset);
        FixtureError {
            file: file.to_owned(),
            line,
            column,
            field: field.to_owned(),
            message,
        }
    };
    // Work on a copy so that a failure leaves the population untouched.
    let mut next = pop.clone();
    for rec in parsed.insurer {
        let r = rec.into_inner();
        next.upsert_insurer(Insurer {
            number: r.number.0,
            name: r.name.into(),
        });
    }
    for rec in parsed.facility {
        let span = rec.span();
        let r = rec.into_inner();
        if r.code.len() != 10 || !r.code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err_at(
                span.start,
                "code",
                format!("医療機関コード \"{}\" is not 10 half-width digits", r.code),
            ));
        }
        next.upsert_facility(Facility {
            code: r.code.into(),
            name: r.name.into(),
            kind: r.kind.into(),
            dispensing_storage: r.dispensing_storage,
        });
    }
    for rec in parsed.person {
        let person_start = rec.span().start;
        let r = rec.into_inner();
        let has_quals = next
            .person_by_key(&r.id)
            .is_some_and(|id| next.qualifications_of(id).next().is_some());
        if has_quals && !r.qualification.is_empty() {
            // Updating a person's qualifications in place would leave stale index entries.
            return Err(err_at(
                person_start,
                "id",
                format!(
                    "person \"{}\" already has qualifications; use a replacing load",
                    r.id
                ),
            ));
        }
        let pid = next.upsert_person(Person {
            key: r.id.clone().into(),
            name: r.name.into(),
            name_kana: r.kana.into(),
            other_name: opt_box(r.other_name),
            other_name_kana: opt_box(r.other_kana),
            sex: r.sex.0,
            sex_back: r.sex_back.map(|s| s.0),
            birthdate: r.birthdate.0,
            post_number: opt_box(r.post_number),
            address: opt_box(r.address),
            suppressed: r.suppressed,
        });
        for qrec in r.qualification {
            let span = qrec.span();
            let q = qrec.into_inner();
            if next.insurer(q.insurer.0).is_none() {
                return Err(err_at(
                    span.start,
                    "insurer",
                    format!(
                        "保険者番号 {} is not defined by any [[insurer]]",
                        q.insurer.0.display()
                    ),
                ));
            }
            if let Some(b) = &q.branch {
                if b.len() != 2 || !b.bytes().all(|c| c.is_ascii_digit()) {
                    return Err(err_at(
                        span.start,
                        "branch",
                        format!("枝番 \"{b}\" is not 2 half-width digits"),
                    ));
                }
            }
            if q.number.trim().is_empty() {
                return Err(err_at(span.start, "number", "番号 is empty".into()));
            }
            let symbol = opt_box(q.symbol);
            let branch = opt_box(q.branch);
            if next
                .find_qualification(
                    q.insurer.0,
                    symbol.as_deref(),
                    q.number.trim(),
                    branch.as_deref(),
                )
                .is_some()
            {
                return Err(err_at(
                    span.start,
                    "number",
                    format!(
                        "the card {} is defined twice",
                        card_label(q.insurer.0, &symbol, &q.number, &branch)
                    ),
                ));
            }
            if let Some(u) = q.valid_until {
                if u.0 < q.valid_from.0 {
                    return Err(err_at(
                        span.start,
                        "valid_until",
                        "有効終了日 is before 有効開始日".into(),
                    ));
                }
            }
            let certs = Certificates {
                elderly: q
                    .elderly
                    .into_iter()
                    .map(|e| ElderlyCertificate {
                        issued_on: d(e.issued_on),
                        valid_from: e.valid_from.0,
                        valid_until: d(e.valid_until),
                        ratio: e.ratio.0,
                    })
                    .collect(),
                limit: q
                    .limit
                    .into_iter()
                    .map(|l| LimitCertificate {
                        kind: l.kind.0,
                        category: l.category.0,
                        issued_on: d(l.issued_on),
                        valid_from: l.valid_from.0,
                        valid_until: d(l.valid_until),
                        long_term_date: d(l.long_term_date),
                    })
                    .collect(),
                specific_disease: q
                    .specific_disease
                    .into_iter()
                    .map(|s| SpecificDiseaseCertificate {
                        disease: s.disease.0,
                        issued_on: d(s.issued_on),
                        valid_from: s.valid_from.0,
                        valid_until: d(s.valid_until),
                        self_pay: s.self_pay,
                    })
                    .collect(),
            };
            let has_certs = !(certs.elderly.is_empty()
                && certs.limit.is_empty()
                && certs.specific_disease.is_empty());
            next.add_qualification(Qualification {
                person: pid,
                insurer: q.insurer.0,
                symbol,
                number: q.number.trim().into(),
                branch,
                card: q.card.0,
                relation: q.relation.0,
                insured_name: opt_box(q.insured_name),
                qualification_date: d(q.qualification_date),
                disqualification_date: d(q.disqualification_date),
                reason_of_loss: q.reason_of_loss.map(|r| r.0),
                issued_on: d(q.issued_on),
                valid_from: q.valid_from.0,
                valid_until: d(q.valid_until),
                copayment: q.copayment.map(|c| c.0),
                certificates: has_certs.then(|| Box::new(certs)),
            });
        }
    }
    for rec in parsed.reference_number {
        let span = rec.span();
        let r = rec.into_inner();
        let symbol = opt_box(r.symbol);
        let branch = opt_box(r.branch);
        let Some(qid) = next.find_qualification(
            r.insurer.0,
            symbol.as_deref(),
            r.number.trim(),
            branch.as_deref(),
        ) else {
            return Err(err_at(
                span.start,
                "number",
                format!(
                    "no qualification {} to attach the reference number to",
                    card_label(r.insurer.0, &symbol, &r.number, &branch)
                ),
            ));
        };
        next.set_reference_number(&r.facility, qid, Some(&r.value));
    }
    crate::visiting_fixtures::load_consents(&mut next, parsed.consent, &|at, field, message| {
        err_at(at, field, message)
    })?;
    for rec in parsed.dispensing_result {
        let span = rec.span();
        let r = rec.into_inner();
        if r.pharmacy.len() != 10 || !r.pharmacy.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err_at(
                span.start,
                "pharmacy",
                format!("薬局コード \"{}\" is not 10 half-width digits", r.pharmacy),
            ));
        }
        if r.id.trim().is_empty() || r.id.chars().count() > 50 {
            return Err(err_at(
                span.start,
                "id",
                "the id is empty or longer than 50 characters".into(),
            ));
        }
        let Some(person) = next.person_by_key(&r.person) else {
            return Err(err_at(
                span.start,
                "person",
                format!("no person \"{}\" (a [[person]] id)", r.person),
            ));
        };
        next.dispensing_mut()
            .insert(crate::dispensing::StoredDispensingResult {
                id: r.id.trim().into(),
                pharmacy: r.pharmacy.into(),
                dispensed_on: r.dispensed_on.0,
                person,
                prescriber: opt_box(r.prescriber),
                medicines: r.medicines.into_iter().map(Into::into).collect(),
            });
    }
    *pop = next;
    Ok(())
}

/// Loads fixtures with a mode.
pub fn load(
    pop: &mut Population,
    mode: LoadMode,
    file: &str,
    text: &str,
) -> Result<(), FixtureError> {
    match mode {
        LoadMode::Extend => load_into(pop, file, text),
        LoadMode::Replace => {
            let mut fresh = Population::new();
            load_into(&mut fresh, file, text)?;
            *pop = fresh;
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
[[insurer]]
number = "06139000"
name = "テスト保険者"

[[person]]
id = "p1"
name = "試験 一郎"
kana = "シケン イチロウ"
sex = "男"
birthdate = 1980-01-02

[[person.qualification]]
insurer = "06139000"
symbol = "1"
number = "2"
branch = "01"
valid_from = "令和2年1月1日"
"#;

    fn load_err(text: &str) -> FixtureError {
        let mut p = Population::new();
        load_into(&mut p, "bad.toml", text).expect_err("should be rejected")
    }

    #[test]
    fn loads_dates_in_every_spelling() {
        let mut p = Population::new();
        load_into(&mut p, "ok.toml", OK).expect("loads");
        let id = p.person_by_key("p1").unwrap();
        assert_eq!(
            p.person(id).birthdate,
            NaiveDate::from_ymd_opt(1980, 1, 2).unwrap()
        );
        let q = p.qualification(p.qualifications_of(id).next().unwrap());
        assert_eq!(q.valid_from, NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
    }

    #[test]
    fn bad_date_names_file_line_and_field() {
        let e = load_err(&OK.replace("1980-01-02", "\"1980-02-30\""));
        assert_eq!(
            (e.file.as_str(), e.line, e.field.as_str()),
            ("bad.toml", 11, "birthdate"),
            "{e}"
        );
        assert!(e.message.contains("1980-02-30"), "{e}");
    }

    #[test]
    fn bad_code_lists_the_allowed_values() {
        let e = load_err(&OK.replace("sex = \"男\"", "sex = \"M\""));
        assert_eq!((e.line, e.field.as_str()), (10, "sex"), "{e}");
        assert!(e.message.contains("男 (1)"), "{e}");
    }

    #[test]
    fn unknown_key_and_unknown_insurer_are_rejected() {
        let e = load_err(&OK.replace("kana =", "kama ="));
        assert!(e.message.contains("kama"), "{e}");
        let e = load_err(&OK.replace("insurer = \"06139000\"", "insurer = \"01270016\""));
        assert_eq!((e.line, e.field.as_str()), (14, "insurer"), "{e}");
    }

    #[test]
    fn failed_load_leaves_population_unchanged() {
        let mut p = Population::new();
        load_into(&mut p, "ok.toml", OK).unwrap();
        let before = p.person_count();
        let mut text = OK
            .replace("p1", "p2")
            .replace("number = \"2\"", "number = \"3\"");
        text.push_str(
            "\n[[reference_number]]\ninsurer = \"06139000\"\nnumber = \"nope\"\nvalue = \"X\"\n",
        );
        let e = load_into(&mut p, "more.toml", &text).unwrap_err();
        assert_eq!(e.field, "number");
        assert_eq!(p.person_count(), before);
    }

    #[test]
    fn extending_a_person_who_has_cards_is_refused_at_that_person() {
        let mut p = Population::new();
        load_into(&mut p, "ok.toml", OK).unwrap();
        let e = load_into(&mut p, "again.toml", OK).unwrap_err();
        assert_eq!(
            (e.file.as_str(), e.line, e.field.as_str()),
            ("again.toml", 7, "id"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_card_is_rejected() {
        let text = format!("{OK}\n[[person.qualification]]\ninsurer = \"06139000\"\nsymbol = \"1\"\nnumber = \"2\"\nbranch = \"01\"\nvalid_from = 2020-01-01\n");
        let e = load_err(&text);
        assert!(e.message.contains("defined twice"), "{e}");
    }
}
