//! 《処方箋取得》 (SCR-12 / SCR-24, FLOW-17 / FLOW-31): the one retrieval of a prescription by
//! 引換番号, for `POST /pharmacy/prescriptions/retrieve` and the operator screens alike. The
//! patient is found by the card (保険者番号, 記号, 番号, 枝番, 生年月日); the rules (RULE-25..28)
//! are `oqs_domain::prescription`'s; what was retrieved is kept by `prescriptions::Pharmacy`.

use crate::services::simulator::Simulator;
use oqs_domain::fixtures::parse_fixture_date;
use oqs_domain::inquiry::timestamp;
use oqs_domain::model::QualificationId;
use oqs_domain::prescription::{Prescription, RetrievalError};
use oqs_domain::Population;
use oqs_protocol::message::{format_date, InsurerNumber};
use oqs_protocol::Element;

/// The patient's card as typed or as the confirmation shows it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PatientCard {
    pub insurer: Option<String>,
    pub symbol: Option<String>,
    pub number: Option<String>,
    pub branch: Option<String>,
    /// 生年月日: `1970-11-30`, `19701130` or 和暦.
    pub birthdate: Option<String>,
}

/// Why nothing was retrieved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetrievalFailure {
    /// The card's fields are malformed (what is wrong).
    BadCard(String),
    /// No such facility in the population.
    NoFacility(String),
    /// No card with these numbers and birth date.
    NoPatient,
    /// A rule of RULE-25..28 refused (the manual's text).
    Refused(RetrievalError),
}

impl std::fmt::Display for RetrievalFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RetrievalFailure::BadCard(m) => f.write_str(m),
            RetrievalFailure::NoFacility(c) => write!(f, "no facility \"{c}\""),
            RetrievalFailure::NoPatient => f.write_str("no such patient"),
            RetrievalFailure::Refused(e) => write!(f, "{e}"),
        }
    }
}

/// The retrieved prescription as a file (`prescription_<引換番号>.xml`, UTF-8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrescriptionFile {
    pub name: String,
    pub xml: Vec<u8>,
}

/// The card's qualification: 保険者番号, 記号, 番号, 枝番 and 生年月日 must match.
pub fn patient(pop: &Population, p: &PatientCard) -> Result<QualificationId, RetrievalFailure> {
    let insurer = InsurerNumber::parse(p.insurer.as_deref().unwrap_or(""))
        .map_err(|e| RetrievalFailure::BadCard(format!("insurer: 保険者番号 {e}")))?;
    let birth = p
        .birthdate
        .as_deref()
        .and_then(parse_fixture_date)
        .ok_or_else(|| RetrievalFailure::BadCard("birthdate: a date such as 1970-11-30".into()))?;
    fn opt(s: &Option<String>) -> Option<&str> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    pop.find_qualification(
        insurer,
        opt(&p.symbol),
        opt(&p.number).unwrap_or(""),
        opt(&p.branch),
    )
    .filter(|&q| pop.person(pop.qualification(q).person).birthdate == birth)
    .ok_or(RetrievalFailure::NoPatient)
}

/// The prescription as the simulator writes it (its own layout; the manual says only 「XML
/// ファイルに出力します」).
fn prescription_xml(pop: &Population, facility: &str, now: &str, x: &Prescription) -> Element {
    let q = pop.qualification(x.qualification);
    let person = pop.person(q.person);
    let mut info = Element::new("PrescriptionInfo");
    info.push_leaf("ExchangeNumber", &*x.exchange_number);
    info.push_leaf("IssueDate", format_date(x.issued_on));
    info.push_leaf("IssuerMedicalInstitutionName", &*x.issuer);
    info.push_opt("ReservationDate", x.reservation.map(format_date));
    info.push_leaf("RefillFlag", if x.refill { "1" } else { "0" });
    info.push_leaf("InsurerNumber", q.insurer.wire());
    info.push_opt("InsuredCardSymbol", q.symbol.as_deref());
    info.push_leaf("InsuredIdentificationNumber", &*q.number);
    info.push_opt("InsuredBranchNumber", q.branch.as_deref());
    info.push_leaf("Name", oqs_protocol::names::wire_name(&person.name));
    info.push_leaf("Birthdate", format_date(person.birthdate));
    let mut header = Element::new("MessageHeader");
    header.push_leaf("ProcessExecutionTime", now);
    header.push_leaf("MedicalInstitutionCode", facility);
    Element::new("XmlMsg")
        .with(header)
        .with(Element::new("MessageBody").with(info))
}

impl Simulator {
    /// 《処方箋取得》 at `facility` for the patient `card`: the prescription `exchange_number`
    /// (RULE-25..28), marked retrieved (RULE-28), as its XML file.
    pub fn retrieve_prescription(
        &self,
        facility: &str,
        card: &PatientCard,
        exchange_number: &str,
    ) -> Result<PrescriptionFile, RetrievalFailure> {
        let pop = self.population();
        let Some(kind) = pop.facility(facility).map(|f| f.kind.to_string()) else {
            return Err(RetrievalFailure::NoFacility(facility.to_owned()));
        };
        let q = patient(&pop, card)?;
        let settings = self.pharmacy.settings();
        let x = pop
            .retrieve_prescription(&kind, settings, q, exchange_number, &|n| {
                self.pharmacy.is_retrieved(facility, n)
            })
            .map_err(RetrievalFailure::Refused)?;
        self.pharmacy.mark_retrieved(facility, &x.exchange_number);
        let now = timestamp(self.clock.now());
        let root = prescription_xml(&pop, facility, &now, x);
        Ok(PrescriptionFile {
            name: format!("prescription_{}.xml", x.exchange_number),
            xml: oqs_protocol::xml::write_document(&root, oqs_protocol::TextEncoding::Utf8),
        })
    }
}
