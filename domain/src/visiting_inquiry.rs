//! The visiting/online individual inquiry (FLOW-32, SCR-22 → SCR-23) and the consent
//! cancellation's lookup (FLOW-35, SCR-27 → SCR-28): the single inquiry's rules, then RULE-33
//! (枝番 required except 後期高齢者 / 医療扶助), 特定疾病 available with its consent (RULE-13),
//! and the facility's consent for the 診療区分: without an active one the patient cannot be
//! confirmed (RULE-67). The answer carries the consent table (DM-14) and no medical
//! information (RULE-56).

use crate::inquiry::{self, answer_single_inquiry, qualification_result, Answer, ResultOptions};
use crate::judgement::{self, CardSearch, Outcome};
use crate::model::{Population, QualificationId};
use crate::visiting::{branch_optional, ConsentId};
use chrono::{DateTime, FixedOffset, NaiveDate};
use oqs_protocol::codes::{ProcessingResultStatus, QualificationValidity};
use oqs_protocol::errors::{ErrorKind, ErrorTable};
use oqs_protocol::message::FieldError;
use oqs_protocol::visiting::{CareKind, ConsentRow, VisitingInquiryRequest};
use oqs_protocol::TextEncoding;

/// A visiting/online answer: the single-inquiry result and the consent it was judged by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitingAnswer {
    pub answer: Answer,
    /// The facility's consent for the patient and 診療区分, when there is one.
    pub consent: Option<ConsentId>,
    /// Its table (empty without a consent).
    pub rows: Vec<ConsentRow>,
}

/// Answers OQSsihvq01req / OQSsionq01req (and the lookup of OQSsihvd01req) for `kind`.
/// `cancelled_on` tells when the facility cancelled a consent (FLOW-35 state).
pub fn answer_visiting_inquiry(
    pop: &Population,
    req: &VisitingInquiryRequest,
    kind: CareKind,
    encoding: TextEncoding,
    now: DateTime<FixedOffset>,
    errors: &ErrorTable,
    cancelled_on: &dyn Fn(ConsentId) -> Option<NaiveDate>,
) -> VisitingAnswer {
    let mut answer = answer_single_inquiry(pop, &req.inquiry, encoding, now, errors);
    let no_consent = |answer| VisitingAnswer {
        answer,
        consent: None,
        rows: Vec::new(),
    };
    let normal = answer
        .response
        .body
        .as_ref()
        .is_some_and(|b| b.processing_result_status == ProcessingResultStatus::Normal);
    // Header and input errors are answered as the single inquiry answers them.
    let (Some(facility), true) = (
        answer.response.header.medical_institution_code.clone(),
        normal,
    ) else {
        return no_consent(answer);
    };
    let Ok(search) = req.inquiry.search.validate() else {
        return no_consent(answer);
    };
    // RULE-33.
    if search.branch.is_none() && !branch_optional(search.insurer_number) {
        fail(
            &mut answer,
            errors,
            ErrorKind::VisitingBranchRequired,
            "MessageBody/QualificationConfirmSearchInfo/InsuredBranchNumber",
            "枝番 is required except for 後期高齢者 (法別 39) and 医療扶助 (法別 12) (RULE-33)",
        );
        return no_consent(answer);
    }
    let date = answer
        .response
        .header
        .qualification_confirmation_date
        .as_deref()
        .and_then(|d| oqs_protocol::message::parse_date(d).ok())
        .unwrap_or_else(|| inquiry::today(now));
    let card = CardSearch {
        insurer: search.insurer_number,
        symbol: search.symbol,
        number: search.number,
        branch: search.branch,
        birthdate: search.birthdate,
    };
    let ids: Vec<QualificationId> = match judgement::judge(pop, &card, date) {
        Outcome::NotFound => return no_consent(answer),
        Outcome::Multiple(ids) => ids,
        Outcome::Single(id, _) => vec![id],
    };
    let today = inquiry::today(now);
    let facility = facility.trim().to_owned();
    let consents: Vec<(QualificationId, Option<ConsentId>)> = ids
        .iter()
        .map(|&q| (q, pop.consent_for(&facility, q, kind)))
        .collect();
    let active: Vec<(QualificationId, ConsentId)> = consents
        .iter()
        .filter_map(|&(q, c)| c.map(|c| (q, c)))
        .filter(|&(_, c)| pop.consent(c).is_active(cancelled_on(c), today))
        .collect();
    let shown = consents.iter().find_map(|&(_, c)| c);
    let rows = |c: Option<ConsentId>| {
        c.map(|c| pop.consent(c).rows(cancelled_on(c), today))
            .unwrap_or_default()
    };
    if active.is_empty() {
        fail(
            &mut answer,
            errors,
            ErrorKind::NoViewingConsent,
            "MessageBody/QualificationConfirmSearchInfo",
            "no active 訪問診療等・オンライン診療等 consent of this facility for the patient (RULE-67)",
        );
        return VisitingAnswer {
            answer,
            consent: shown,
            rows: rows(shown),
        };
    }
    // SCR-22 offers both certificates (RULE-13): rebuild the results with 特定疾病 allowed.
    let options = ResultOptions {
        facility: &facility,
        date,
        now,
        limit_consent: search.limit_consent,
        specific_disease_allowed: true,
        specific_disease_consent: req.specific_disease_consent,
    };
    if let Some(body) = answer.response.body.as_mut() {
        body.results = active
            .iter()
            .map(|&(q, _)| {
                let mut r = qualification_result(pop, q, &options);
                r.arbitrary_identifier = search.arbitrary_identifier.map(str::to_owned);
                r
            })
            .collect();
        if active.len() == 1 && ids.len() > 1 {
            // Only one of several matches has a consent: that one is the patient.
            body.qualification_validity = Some(
                match judgement::judge(
                    pop,
                    &CardSearch {
                        branch: pop.qualification(active[0].0).branch.as_deref(),
                        ..card
                    },
                    date,
                ) {
                    Outcome::Single(_, v) => v,
                    _ => QualificationValidity::Multiple,
                },
            );
        }
    }
    let consent = Some(active[0].1);
    VisitingAnswer {
        answer,
        consent,
        rows: rows(consent),
    }
}

/// Turns a normal answer into a body-level error.
fn fail(answer: &mut Answer, errors: &ErrorTable, kind: ErrorKind, field: &'static str, why: &str) {
    let entry = errors.entry(kind);
    if let Some(body) = answer.response.body.as_mut() {
        body.processing_result_status = ProcessingResultStatus::Error;
        body.processing_result_code = Some(entry.code.clone());
        body.processing_result_message = Some(entry.message.clone());
        body.qualification_validity = None;
        body.results.clear();
    }
    answer.error = Some(FieldError {
        kind,
        field,
        detail: why.to_owned(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use oqs_protocol::message::{RequestHeader, SearchInfo, SingleInquiryRequest};

    fn builtin() -> Population {
        crate::builtin_population()
    }

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2023-08-25T10:00:00+09:00").expect("time")
    }

    fn req(
        insurer: &str,
        symbol: &str,
        number: &str,
        branch: Option<&str>,
        birth: &str,
    ) -> VisitingInquiryRequest {
        VisitingInquiryRequest {
            inquiry: SingleInquiryRequest {
                header: RequestHeader {
                    qualification_confirmation_date: Some("20230825".into()),
                    medical_institution_code: Some("1234567890".into()),
                    ..Default::default()
                },
                search: SearchInfo {
                    insurer_number: Some(insurer.into()),
                    insured_card_symbol: Some(symbol.into()).filter(|s: &String| !s.is_empty()),
                    insured_identification_number: Some(number.into()),
                    insured_branch_number: branch.map(Into::into),
                    birthdate: Some(birth.into()),
                    limit_application_certificate_related_cons_flg: Some("1".into()),
                    arbitrary_identifier: None,
                },
            },
            specific_disease_consent: false,
        }
    }

    fn answer(
        p: &Population,
        r: &VisitingInquiryRequest,
        kind: CareKind,
        cancelled: Option<NaiveDate>,
    ) -> VisitingAnswer {
        answer_visiting_inquiry(
            p,
            r,
            kind,
            TextEncoding::Utf8,
            now(),
            &ErrorTable::builtin(),
            &|_| cancelled,
        )
    }

    fn code(a: &VisitingAnswer) -> Option<&str> {
        a.answer
            .response
            .body
            .as_ref()
            .and_then(|b| b.processing_result_code.as_deref())
    }

    #[test]
    fn yamada_is_confirmed_with_her_consent_table() {
        let p = builtin();
        let a = answer(
            &p,
            &req("050013", "hmtmList11", "102", Some("00"), "19820101"),
            CareKind::Visiting,
            None,
        );
        assert_eq!(code(&a), None);
        assert_eq!(a.rows.len(), 7);
        let body = a.answer.response.body.as_ref().expect("body");
        assert_eq!(body.results.len(), 1);
        assert_eq!(
            body.qualification_validity,
            Some(QualificationValidity::Valid)
        );
    }

    #[test]
    fn rule_33_branch_required_unless_late_elderly_or_assistance() {
        let p = builtin();
        let a = answer(
            &p,
            &req("050013", "hmtmList11", "102", None, "19820101"),
            CareKind::Visiting,
            None,
        );
        assert_eq!(code(&a), Some("EQ0301"));
        // 後期高齢 二郎 (39110400, no 枝番) passes RULE-33 and then lacks a consent.
        let b = answer(
            &p,
            &req("39110400", "", "KR11", None, "19440605"),
            CareKind::Visiting,
            None,
        );
        assert_eq!(code(&b), Some("EQ0302"));
    }

    #[test]
    fn wrong_kind_or_cancelled_consent_cannot_be_confirmed() {
        let p = builtin();
        let yamada = req("050013", "hmtmList11", "102", Some("00"), "19820101");
        let online = answer(&p, &yamada, CareKind::Online, None);
        assert_eq!(code(&online), Some("EQ0302"));
        assert!(online.rows.is_empty());
        let cancelled = answer(
            &p,
            &yamada,
            CareKind::Visiting,
            NaiveDate::from_ymd_opt(2023, 8, 1),
        );
        assert_eq!(code(&cancelled), Some("EQ0302"));
        assert_eq!(
            cancelled.rows[0].expiry_reason,
            "医療機関による同意取り消し"
        );
        let other_facility = {
            let mut r = yamada.clone();
            r.inquiry.header.medical_institution_code = Some("1341234567".into());
            answer(&p, &r, CareKind::Visiting, None)
        };
        assert_eq!(code(&other_facility), Some("EQ0302"));
    }

    #[test]
    fn the_specific_disease_certificate_needs_its_consent() {
        let p = builtin();
        let mut r = req("06139000", "9000", "10001", Some("01"), "19540326");
        let without = answer(&p, &r, CareKind::Visiting, None);
        let results = &without.answer.response.body.as_ref().expect("body").results;
        assert_eq!(results.len(), 1);
        r.specific_disease_consent = true;
        let with = answer(&p, &r, CareKind::Visiting, None);
        let res = &with.answer.response.body.as_ref().expect("body").results[0];
        assert_eq!(res.specific_diseases_cons_flg.as_deref(), Some("1"));
    }
}
