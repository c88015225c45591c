//! The manual's answer, from the DOMAIN (never from the client): the canonical request for what
//! was typed at the counter, answered by `oqs_domain::inquiry::answer_single_inquiry` on the
//! simulator's population and clock, with the 照会番号 registered by the facility the check acts
//! for (the `hello` one, or the 薬局 of the pharmacy profile) patched in.

use crate::results::FieldDiff;
use oqs_adapter_protocol::{Candidate, Conclusion, InsuranceCard};
use oqs_domain::inquiry::answer_single_inquiry;
use oqs_domain::visiting::ConsentSearch;
use oqs_domain::visiting_inquiry::answer_visiting_inquiry;
use oqs_protocol::codes::{ContributionRatio, ReferenceClassification, Sex};
use oqs_protocol::errors::ErrorKind;
use oqs_protocol::message::SingleInquiryRequest;
use oqs_protocol::message::SingleInquiryResponse;
use oqs_protocol::message::{InsurerNumber, QualificationResult, RequestHeader, SearchInfo};
use oqs_protocol::visiting::{CareKind, VisitingInquiryRequest};
use oqs_protocol::xml::write_document;
use oqs_protocol::TextEncoding;
use sim_server::Simulator;

/// What the client should conclude.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub validity: Option<String>,
    /// The error message the simulator answers (input errors).
    pub error_message: Option<String>,
    pub results: Vec<QualificationResult>,
}

/// 枝番 as the wire wants it: two digits ("1" → "01").
pub fn branch_wire(b: &str) -> String {
    let b = b.trim();
    if b.len() == 1 && b.chars().all(|c| c.is_ascii_digit()) {
        format!("0{b}")
    } else {
        b.to_owned()
    }
}

/// The canonical OQSsiquc01req for a card typed at the counter of `facility` (医療機関コード).
pub fn canonical_request(
    facility: &str,
    card: &InsuranceCard,
    limit_consent: bool,
    date: Option<&str>,
) -> SingleInquiryRequest {
    let insurer = InsurerNumber::parse(&card.insurer_number)
        .map(|i| i.wire())
        .unwrap_or_else(|_| card.insurer_number.clone());
    SingleInquiryRequest {
        header: RequestHeader {
            qualification_confirmation_date: date.map(str::to_owned),
            medical_institution_code: Some(facility.to_owned()),
            arbitrary_file_identifier: None,
            character_code_identifier: None,
        },
        search: SearchInfo {
            insurer_number: Some(insurer),
            insured_card_symbol: card.symbol.clone(),
            insured_identification_number: Some(card.number.clone()),
            insured_branch_number: card.branch.as_deref().map(branch_wire),
            birthdate: Some(card.birthdate.clone()),
            limit_application_certificate_related_cons_flg: Some(
                if limit_consent { "1" } else { "0" }.to_owned(),
            ),
            arbitrary_identifier: None,
        },
    }
}

/// The manual's answer for a card at the counter of `facility` on the simulator's population
/// and clock.
pub fn expected(
    sim: &Simulator,
    facility: &str,
    card: &InsuranceCard,
    limit_consent: bool,
    date: Option<&str>,
) -> Expected {
    expected_of(domain_response(sim, facility, card, limit_consent, date))
}

/// The domain's answer to the canonical request, with the facility's 照会番号 as the simulator
/// patches them into every result.
fn domain_response(
    sim: &Simulator,
    facility: &str,
    card: &InsuranceCard,
    limit_consent: bool,
    date: Option<&str>,
) -> SingleInquiryResponse {
    let req = canonical_request(facility, card, limit_consent, date);
    let pop = sim.population();
    let answer = answer_single_inquiry(
        &pop,
        &req,
        TextEncoding::Utf8,
        sim.clock.now(),
        sim.error_table(),
    );
    let mut response = answer.response;
    if let Some(body) = &mut response.body {
        sim.jobs.references().patch(facility, &mut body.results);
    }
    response
}

fn expected_of(response: SingleInquiryResponse) -> Expected {
    match response.body {
        None => Expected {
            validity: None,
            error_message: response.header.error_message,
            results: Vec::new(),
        },
        Some(body) => Expected {
            validity: body.qualification_validity.map(|v| v.label().to_owned()),
            error_message: body.processing_result_message,
            results: body.results,
        },
    }
}

/// The manual's answer to a visiting/online individual inquiry (FLOW-32, docs/interface.md §2.7)
/// for a card typed at the counter of `facility`: the domain's
/// `answer_visiting_inquiry` of the canonical request, with the consents the simulator holds
/// cancelled (FLOW-35) and the facility's 照会番号.
pub fn visiting_expected(
    sim: &Simulator,
    facility: &str,
    card: &InsuranceCard,
    kind: CareKind,
    date: Option<&str>,
) -> Expected {
    let req = VisitingInquiryRequest {
        inquiry: canonical_request(facility, card, false, date),
        specific_disease_consent: false,
    };
    let pop = sim.population();
    let cancellations = sim.jobs.cancellations();
    let v = answer_visiting_inquiry(
        &pop,
        &req,
        kind,
        TextEncoding::Utf8,
        sim.clock.now(),
        sim.error_table(),
        &|id| cancellations.cancelled_on(&pop, id),
    );
    let mut response = v.answer.response;
    if let Some(body) = &mut response.body {
        sim.jobs.references().patch(facility, &mut body.results);
    }
    expected_of(response)
}

/// The manual's rows of a JOB-03 bulk (FLOW-33/34): the facility's consents of the 診療区分 in
/// the ranges, in 同意年月日 order (RULE-65, the domain's search), each answered as the single
/// inquiry of its card (a JOB-01 row, no 限度額 consent), or — when the consent no longer lets
/// the facility confirm the patient (cancelled, ended: RULE-67) — the error `EQ0302`'s message.
pub fn visiting_bulk_expected(
    sim: &Simulator,
    facility: &str,
    kind: CareKind,
    search: &ConsentSearch,
    date: Option<&str>,
) -> Vec<Expected> {
    let pop = sim.population();
    let cancellations = sim.jobs.cancellations();
    let today = oqs_domain::inquiry::today(sim.clock.now());
    let refused = sim
        .error_table()
        .entry(ErrorKind::NoViewingConsent)
        .message
        .clone();
    pop.search_consents(facility, kind, search)
        .into_iter()
        .map(|id| {
            let c = pop.consent(id);
            if !c.is_active(cancellations.cancelled_on(&pop, id), today) {
                return Expected {
                    validity: None,
                    error_message: Some(refused.clone()),
                    results: Vec::new(),
                };
            }
            let card = card_of(&pop, c.qualification);
            expected(sim, facility, &card, false, date)
        })
        .collect()
}

/// The card of a qualification as printed (保険者番号 without padding).
pub fn card_of(pop: &oqs_domain::Population, q: u32) -> InsuranceCard {
    let q = pop.qualification(q);
    InsuranceCard {
        insurer_number: q.insurer.wire().trim().to_owned(),
        symbol: q.symbol.as_deref().map(str::to_owned),
        number: q.number.to_string(),
        branch: q.branch.as_deref().map(str::to_owned),
        birthdate: oqs_protocol::message::format_date(pop.person(q.person).birthdate),
    }
}

/// A face-reader result for the person of `card` at `facility` (docs/interface.md §2.3): the
/// domain's answer with 照会区分 1 (マイナンバーカード) and the facility's 照会番号, as the
/// bytes of the file and as the manual's judgement of it.
pub fn face_result(sim: &Simulator, facility: &str, card: &InsuranceCard) -> (Expected, Vec<u8>) {
    let mut response = domain_response(sim, facility, card, false, None);
    response.header.reference_classification = ReferenceClassification::MyNumberCard;
    let bytes = write_document(&response.to_element(), TextEncoding::Utf8);
    (expected_of(response), bytes)
}

/// 保険者番号 as a person reads it (padding removed) for comparison.
fn insurer_plain(s: &str) -> String {
    s.trim().to_owned()
}

/// 氏名 as compared: the space between family and given name is display freedom (ASCII,
/// full-width or none: `新橋　太郎`, `新橋 太郎`, `新橋太郎` are the same name); every other
/// character must be the wire's.
pub fn name_shown(s: &str) -> String {
    s.chars()
        .filter(|c| *c != ' ' && *c != '\u{3000}')
        .collect()
}

/// 氏名（カナ） as compared: the spacing and the width of the katakana are display freedom (the
/// wire's half-width `ｼﾝﾊﾞｼ ﾀﾛｳ`, full-width `シンバシ　タロウ` or hiragana are the same reading);
/// a different reading is a wrong value.
pub fn kana_shown(s: &str) -> String {
    name_shown(&oqs_protocol::names::half_width_kana(s))
}

/// 性別 and 一部負担金割合 labels as compared: only surrounding spaces and full-width digits
/// (`３割`) are display freedom; `3割` for 1割 or 女 for 男 is a wrong value.
pub fn label_shown(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect()
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "(none)".into())
}

fn key_expected(r: &QualificationResult) -> (String, String, String, String) {
    (
        insurer_plain(r.insurer_number.as_deref().unwrap_or_default()),
        r.insured_card_symbol.clone().unwrap_or_default(),
        r.insured_identification_number.clone().unwrap_or_default(),
        r.insured_branch_number.clone().unwrap_or_default(),
    )
}

fn key_actual(c: &Candidate) -> (String, String, String, String) {
    (
        insurer_plain(&c.insurer_number),
        c.symbol.clone().unwrap_or_default(),
        c.number.clone(),
        c.branch.clone().unwrap_or_default(),
    )
}

/// Field-by-field differences between the manual's answer and the client's conclusion.
/// `prefix` names the place (e.g. `rows[2].`).
pub fn compare(expected: &Expected, actual: &Conclusion, prefix: &str) -> Vec<FieldDiff> {
    let mut diffs = Vec::new();
    let mut push = |field: String, e: String, a: String, rule: &str| {
        if e != a {
            diffs.push(FieldDiff {
                field,
                expected: e,
                actual: a,
                rule: Some(rule.to_owned()),
            });
        }
    };
    push(
        format!("{prefix}validity"),
        opt(&expected.validity),
        opt(&actual.validity),
        "RULE-01..03/RULE-32 (OQSCD 006 資格有効性)",
    );
    if expected.validity.is_none() {
        return diffs;
    }
    push(
        format!("{prefix}candidates.len"),
        expected.results.len().to_string(),
        actual.candidates.len().to_string(),
        "RULE-32 (every match is offered)",
    );
    let mut exp: Vec<&QualificationResult> = expected.results.iter().collect();
    exp.sort_by_key(|r| key_expected(r));
    let mut act: Vec<&Candidate> = actual.candidates.iter().collect();
    act.sort_by_key(|c| key_actual(c));
    for (i, (e, a)) in exp.iter().zip(act.iter()).enumerate() {
        let p = format!("{prefix}candidates[{i}].");
        push(
            format!("{p}insurer_number"),
            insurer_plain(e.insurer_number.as_deref().unwrap_or_default()),
            insurer_plain(&a.insurer_number),
            "RULE-29",
        );
        push(
            format!("{p}symbol"),
            opt(&e.insured_card_symbol),
            opt(&a.symbol),
            "RULE-30",
        );
        push(
            format!("{p}number"),
            e.insured_identification_number.clone().unwrap_or_default(),
            a.number.clone(),
            "RULE-30",
        );
        push(
            format!("{p}branch"),
            opt(&e.insured_branch_number),
            opt(&a.branch.as_deref().map(branch_wire)),
            "RULE-31",
        );
        push(
            format!("{p}name"),
            name_shown(e.name.as_deref().unwrap_or_default()),
            name_shown(&a.name),
            "docs/interface.md §3 (Name; the space between the names is display freedom)",
        );
        // The optional fields are judged when the client reports them: a reported value must be
        // the manual's (an absent one is not shown, which the protocol allows).
        if let Some(kana) = &a.name_kana {
            push(
                format!("{p}name_kana"),
                kana_shown(e.name_kana.as_deref().unwrap_or_default()),
                kana_shown(kana),
                "docs/interface.md §3 (NameKana; spacing and kana width are display freedom)",
            );
        }
        if let Some(sex) = &a.sex {
            let want = e
                .sex1
                .as_deref()
                .and_then(Sex::from_code)
                .map(|s| s.label().to_owned());
            push(
                format!("{p}sex"),
                opt(&want),
                label_shown(sex),
                "docs/interface.md §4 OQSCD007 (Sex1 → label)",
            );
        }
        if let Some(ratio) = &a.contribution_ratio {
            let want = e
                .insured_partial_contribution_ratio
                .as_deref()
                .and_then(ContributionRatio::parse)
                .map(ContributionRatio::label);
            push(
                format!("{p}contribution_ratio"),
                opt(&want),
                label_shown(ratio),
                "docs/interface.md §3 (InsuredPartialContributionRatio → 一部負担金割合 label)",
            );
        }
        push(
            format!("{p}birthdate"),
            e.birthdate.clone().unwrap_or_default(),
            a.birthdate.clone(),
            "DM-05 生年月日",
        );
        // 適用区分 (ClassificationFlag, e.g. A01), not the 証区分 (Classification).
        let limit = e
            .limit_info
            .as_ref()
            .and_then(|l| l.classification_flag.clone());
        push(
            format!("{p}limit_category"),
            opt(&limit),
            opt(&a.limit_category),
            "RULE-09 (限度額 only with consent)",
        );
        push(
            format!("{p}reference_number"),
            opt(&e.reference_number),
            opt(&a.reference_number),
            "RULE-51 (照会番号)",
        );
    }
    diffs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_space_between_names_is_display_freedom_other_characters_are_not() {
        let wire = name_shown("新橋　太郎");
        for shown in ["新橋　太郎", "新橋 太郎", "新橋太郎", " 新橋  太郎 "] {
            assert_eq!(name_shown(shown), wire, "{shown}");
        }
        assert_ne!(name_shown("新橋 次郎"), wire);
        assert_ne!(name_shown("新橋"), wire);
    }

    #[test]
    fn a_reading_may_be_shown_in_either_width_but_not_another_reading() {
        let wire = kana_shown("ｼﾝﾊﾞｼ ﾀﾛｳ");
        for shown in [
            "ｼﾝﾊﾞｼ ﾀﾛｳ",
            "シンバシ　タロウ",
            "シンバシタロウ",
            "しんばし たろう",
        ] {
            assert_eq!(kana_shown(shown), wire, "{shown}");
        }
        assert_ne!(kana_shown("ｼﾝﾊﾞｼ ｼﾞﾛｳ"), wire);
        assert_ne!(
            kana_shown("ｼﾝﾊｼ ﾀﾛｳ"),
            wire,
            "a missing voiced mark is another reading"
        );
    }

    #[test]
    fn labels_allow_full_width_digits_only() {
        assert_eq!(label_shown(" ３割 "), "3割");
        assert_eq!(label_shown("男"), "男");
        assert_ne!(label_shown("9割"), "3割");
    }
}
