//! 医療扶助 (medical assistance, ch.6 §1): which 医療券・調剤券 a facility sees (RULE-46/47, the
//! 未委託 case RULE-39), the social-insurance check (RULE-44), visibility (RULE-37), and the
//! SCR-11 reading of a result (cases (1)..(8), [`Scr11`]).

use crate::model::{MedicalTicket, PersonId, Population, QualificationId, ValidSpan};
use chrono::NaiveDate;
use oqs_protocol::codes::{
    Applicable, ConsistencyFlag, DesignatedFlag, InsuredCardClassification, QualificationValidity,
};
use oqs_protocol::message::{format_date, MedicalTicketInfo, QualificationResult, ResultBody};
use oqs_protocol::{texts, Element};

/// RULE-37: 医療扶助 is shown only at a facility designated under 生活保護法 with ENV-07
/// 「利用する」 (fixture `medical_assistance`); a facility the population does not know shows it.
pub fn shown_at(pop: &Population, facility: &str) -> bool {
    pop.facility(facility.trim())
        .is_none_or(|f| f.medical_assistance)
}

/// RULE-46/47 and 委託: the tickets of a 医療扶助 qualification that `facility` sees on `date` —
/// those entrusted to it (its 指定医療機関) and valid on the date, newest 有効開始日 first.
pub fn tickets_for<'a>(
    pop: &'a Population,
    id: QualificationId,
    facility: &str,
    date: NaiveDate,
) -> Vec<&'a MedicalTicket> {
    let facility = facility.trim();
    let mut tickets: Vec<&MedicalTicket> = pop
        .qualification(id)
        .certificates
        .as_deref()
        .map(|c| {
            c.medical_tickets
                .iter()
                .filter(|t| &*t.facility == facility && t.covers(date))
                .collect()
        })
        .unwrap_or_default();
    // Newest first; among equal starts the ticket issued later (交付番号) first, then 医療券.
    tickets.sort_by(|a, b| {
        b.valid_from
            .cmp(&a.valid_from)
            .then_with(|| b.issue_number.cmp(&a.issue_number))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    tickets
}

/// Whether the person holds a valid 医療保険 (any qualification but 医療扶助) on `date`.
pub fn has_valid_insurance(pop: &Population, person: PersonId, date: NaiveDate) -> bool {
    pop.qualifications_of(person).any(|id| {
        let q = pop.qualification(id);
        !q.is_medical_assistance() && q.is_valid_on(date)
    })
}

/// Whether the person is a 被保護者 on record (holds any 医療扶助 qualification).
pub fn is_assisted(pop: &Population, person: PersonId) -> bool {
    pop.qualifications_of(person)
        .any(|id| pop.qualification(id).is_medical_assistance())
}

/// RULE-37 + RULE-45: the person is a 被保護者 on record and `facility` shows 医療扶助 — SCR-11's
/// tabs are shown for them, and ERR-22 (not ERR-15) when they have no qualification at all.
pub fn assisted_at(pop: &Population, person: PersonId, facility: &str) -> bool {
    is_assisted(pop, person) && shown_at(pop, facility)
}

/// SCR-11 as the facility's own screen reads a result: [`Scr11::of`], or — when the result carries
/// 医療保険 only but its holder is a 被保護者 shown here (ch.6 §1 (4)/(5); RULE-48's search by
/// the insurance numbers) — the 「医療保険」 tab alone. `None`: the plain SCR-10.
pub fn scr11_at(pop: &Population, body: &ResultBody, facility: &str) -> Option<Scr11> {
    if let Some(v) = Scr11::of(body) {
        return Some(v);
    }
    let r = body.results.first()?;
    let insurer = oqs_protocol::message::InsurerNumber::parse(r.insurer_number.as_deref()?).ok()?;
    fn opt(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let q = pop.find_qualification(
        insurer,
        opt(&r.insured_card_symbol),
        opt(&r.insured_identification_number)?,
        opt(&r.insured_branch_number),
    )?;
    assisted_at(pop, pop.qualification(q).person, facility).then(|| Scr11 {
        tabs: vec![texts::MA_TAB_INSURANCE],
        ..Scr11::default()
    })
}

fn yes_no(b: bool) -> Option<String> {
    Some(
        if b { Applicable::Yes } else { Applicable::No }
            .code()
            .to_owned(),
    )
}

/// One `MedicalTicketInfo`; `insured` = the person holds a valid 医療保険 on the date (RULE-44:
/// 社会保険 あり without one, or なし with one, is a mismatch).
pub fn ticket_info(t: &MedicalTicket, insured: bool) -> MedicalTicketInfo {
    let injury = |i: usize| t.injuries.get(i).map(|s| s.to_string());
    MedicalTicketInfo {
        ticket_type: Some(t.kind.code().to_owned()),
        valid_date: Some(format_date(t.valid_from)),
        expiration_date: t.valid_until.map(format_date),
        issue_number: Some(t.issue_number.to_string()),
        treatment_month: Some(t.month.format("%Y%m").to_string()),
        designated_code: Some(t.facility.to_string()),
        // Only the facility's own tickets are sent (others are 未委託, RULE-39).
        designated_flag: Some(DesignatedFlag::Match.code().to_owned()),
        designated_name: Some(t.facility_name.to_string()),
        prescriber_code: t.prescriber.as_ref().map(|(c, _)| c.to_string()),
        prescriber_name: t.prescriber.as_ref().map(|(_, n)| n.to_string()),
        injury_names: [injury(0), injury(1), injury(2)],
        treatment_type: Some(t.treatment.code().to_owned()),
        self_pay_amount: Some(t.self_pay.to_string()),
        district_contact_name: t.district_contact.as_deref().map(str::to_owned),
        handling_contact_name: t.handling_contact.as_deref().map(str::to_owned),
        single_or_combined: Some(t.single_or_combined.code().to_owned()),
        social_insurance: yes_no(t.social_insurance),
        consistency_flag: (t.social_insurance != insured)
            .then(|| ConsistencyFlag::Inconsistent.code().to_owned()),
        infection: yes_no(t.infection),
        elderly_medical_care: yes_no(t.elderly_medical_care),
        prefectural_expenses: yes_no(t.prefectural_expenses),
    }
}

/// Turns a result built for a 医療扶助 qualification into its 医療扶助 form: the facility's
/// tickets (RULE-46/47), 公費負担者番号 / 受給者番号 left out when it has none (未委託, RULE-39;
/// also on an invalid qualification, AMB-31), and no 本人・家族 or card dates (DM-10/11 have
/// none). Returns whether a ticket is shown.
pub fn fill(
    pop: &Population,
    id: QualificationId,
    facility: &str,
    date: NaiveDate,
    r: &mut QualificationResult,
) -> bool {
    fill_with(pop, id, &tickets_for(pop, id, facility, date), date, r)
}

/// [`fill`] with the tickets given (JOB-04 shows those of a 診療年月).
pub fn fill_with(
    pop: &Population,
    id: QualificationId,
    tickets: &[&MedicalTicket],
    date: NaiveDate,
    r: &mut QualificationResult,
) -> bool {
    let q = pop.qualification(id);
    let insured = has_valid_insurance(pop, q.person, date);
    r.medical_tickets = tickets.iter().map(|t| ticket_info(t, insured)).collect();
    r.personal_family_classification = None;
    r.insured_name = None;
    r.insured_certificate_issuance_date = None;
    r.insured_card_valid_date = None;
    r.insured_card_expiration_date = None;
    let shown = !r.medical_tickets.is_empty();
    if !shown {
        r.insurer_number = None;
        r.insured_identification_number = None;
    }
    shown
}

/// The 資格有効性 of a judged 医療扶助 qualification: 有効 without a ticket for this facility is
/// 6 有効（未登録） (OQSCD006, 医療扶助 only).
pub fn validity(v: QualificationValidity, ticket_shown: bool) -> QualificationValidity {
    match v {
        QualificationValidity::Valid if !ticket_shown => QualificationValidity::ValidUnregistered,
        other => other,
    }
}

/// One ticket as SCR-11 ④ shows it (RULE-47).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TicketView {
    /// 「医療券」 / 「調剤券」, top right.
    pub label: &'static str,
    pub treatment: &'static str,
    pub single_or_combined: &'static str,
    pub issue_number: String,
    /// 処方箋発行元: 調剤券 only.
    pub prescriber: Option<String>,
    /// 「あり」 / 「なし」, with 「 (不整合あり)」 on a mismatch (RULE-44).
    pub social_insurance: String,
}

/// The reading of a result on SCR-11 (ch.6 §1 cases (1)..(8)): tabs, the masked numbers, the
/// inline messages and the tickets, as the simulator's reference display derives them.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Scr11 {
    /// 「医療保険」 and/or 「医療扶助」, in that order (RULE-41..43).
    pub tabs: Vec<&'static str>,
    /// 公費負担者番号 and 受給者番号 as shown: the numbers, or 「(未委託のため非表示)」.
    pub public_expense_number: Option<String>,
    pub beneficiary_number: Option<String>,
    /// ERR-20 / ERR-21 texts shown inline.
    pub messages: Vec<&'static str>,
    pub tickets: Vec<TicketView>,
}

impl Scr11 {
    /// Reads a result body; `None` when it carries no 医療扶助 result.
    pub fn of(body: &ResultBody) -> Option<Scr11> {
        Scr11::of_tree(&body.to_element())
    }

    /// Reads a result's `MessageBody` element (XML or the WebAPI mirror read back), as a
    /// client does.
    pub fn of_tree(body: &Element) -> Option<Scr11> {
        use oqs_protocol::codes::{MedicalTreatmentType, SingleOrCombined, TicketType};
        let ma_code = InsuredCardClassification::MedicalAssistance.code();
        let results: Vec<&Element> = body
            .child("ResultList")
            .map(|l| {
                l.children_named("ResultOfQualificationConfirmation")
                    .collect()
            })
            .unwrap_or_default();
        let is_ma = |r: &Element| r.child_text("InsuredCardClassification") == Some(ma_code);
        let ma = *results.iter().find(|r| is_ma(r))?;
        let mut v = Scr11::default();
        if results.iter().any(|r| !is_ma(r)) {
            v.tabs.push(texts::MA_TAB_INSURANCE);
        }
        v.tabs.push(texts::MA_TAB_ASSISTANCE);
        let shown = |leaf: &str| {
            ma.child_text(leaf)
                .map(|s| s.trim().to_owned())
                .unwrap_or_else(|| texts::MA_NOT_ENTRUSTED.to_owned())
        };
        v.public_expense_number = Some(shown("InsurerNumber"));
        v.beneficiary_number = Some(shown("InsuredIdentificationNumber"));
        let tickets: Vec<&Element> = ma
            .child("PublicExpenseResultList")
            .map(|l| l.children_named("MedicalTicketInfo").collect())
            .unwrap_or_default();
        // ERR-20: a valid 医療扶助 (1 with the insurance beside it on the My Number path, else 6)
        // without a ticket.
        let valid = matches!(
            body.child_text("QualificationValidity")
                .and_then(QualificationValidity::from_code),
            Some(QualificationValidity::Valid | QualificationValidity::ValidUnregistered)
        );
        if tickets.is_empty() && valid {
            v.messages.push(texts::MA_NO_TICKET);
        }
        for t in tickets {
            let label = |leaf: &str, f: fn(&str) -> Option<&'static str>| {
                t.child_text(leaf).and_then(f).unwrap_or("")
            };
            let mismatch = t.child_text("ConsistencyFlag").is_some();
            let social = label("StatusOfSocialInsurance", |c| {
                Applicable::from_code(c).map(Applicable::label)
            });
            v.tickets.push(TicketView {
                label: label("TicketType", |c| {
                    TicketType::from_code(c).map(TicketType::label)
                }),
                treatment: label("MedicalTreatmentType", |c| {
                    MedicalTreatmentType::from_code(c).map(MedicalTreatmentType::label)
                }),
                single_or_combined: label("SingleOrCombinedUse", |c| {
                    SingleOrCombined::from_code(c).map(SingleOrCombined::label)
                }),
                issue_number: t.child_text("IssueNumber").unwrap_or("").to_owned(),
                prescriber: t
                    .child_text("PrescriptionIssuerMedicalInstitutionName")
                    .map(str::to_owned),
                social_insurance: if mismatch {
                    format!("{social} {}", texts::MA_MISMATCH_SUFFIX)
                } else {
                    social.to_owned()
                },
            });
            if mismatch && !v.messages.contains(&texts::MA_MISMATCH) {
                v.messages.push(texts::MA_MISMATCH);
            }
        }
        Some(v)
    }
}

/// JOB-04 (委託先資格情報一括取得): every 医療扶助 qualification with tickets of `month` (its first
/// day) entrusted to `facility`, in population order, each with those tickets newest first.
pub fn entrusted<'a>(
    pop: &'a Population,
    facility: &str,
    month: NaiveDate,
) -> Vec<(QualificationId, Vec<&'a MedicalTicket>)> {
    let facility = facility.trim();
    let count = u32::try_from(pop.qualification_count()).unwrap_or(u32::MAX);
    (0..count)
        .filter_map(|id| {
            let q = pop.qualification(id);
            let certs = q.certificates.as_deref()?;
            if !q.is_medical_assistance() {
                return None;
            }
            let mut tickets: Vec<&MedicalTicket> = certs
                .medical_tickets
                .iter()
                .filter(|t| t.month == month && &*t.facility == facility)
                .collect();
            if tickets.is_empty() {
                return None;
            }
            tickets.sort_by(|a, b| {
                b.valid_from
                    .cmp(&a.valid_from)
                    .then_with(|| b.issue_number.cmp(&a.issue_number))
            });
            Some((id, tickets))
        })
        .collect()
}
