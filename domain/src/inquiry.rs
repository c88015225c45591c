//! The single inquiry by insurance card, end to end: request in, result out (OQSsiquc01req →
//! OQSsiquc01res). Transports call this and only this, so every transport answers alike.

use crate::assistance;
use crate::judgement::{self, CardSearch, Outcome};
use crate::model::{Population, QualificationId, ValidSpan};
use chrono::{DateTime, FixedOffset, NaiveDate};
use oqs_protocol::codes::{
    CharacterCode, ConsentFlag, ConsentStatus, PersonalFamily, Preschool, ProcessingResultStatus,
    QualificationValidity, ReferenceClassification, SegmentOfResult,
};
use oqs_protocol::errors::{ErrorKind, ErrorLevel, ErrorTable};
use oqs_protocol::message::{
    format_date, ElderlyRecipientInfo, FieldError, LimitCertificateInfo, QualificationResult,
    RequestHeader, ResultBody, ResultHeader, SearchInfo, SingleInquiryRequest,
    SingleInquiryResponse, SpecificDiseaseInfo,
};
use oqs_protocol::{names, TextEncoding};
use std::borrow::Cow;

/// Japan Standard Time, the zone every date of the manual is in.
pub fn jst() -> FixedOffset {
    match FixedOffset::east_opt(9 * 3600) {
        Some(offset) => offset,
        None => unreachable!("+09:00 is a valid offset"),
    }
}

/// Today in JST.
pub fn today(now: DateTime<FixedOffset>) -> NaiveDate {
    now.with_timezone(&jst()).date_naive()
}

/// `YYYYMMDDHHmmss` in JST.
pub fn timestamp(now: DateTime<FixedOffset>) -> String {
    // Not chrono's strftime nor format!: this runs for every answer and every row of a bulk file.
    use chrono::{Datelike, Timelike};
    use oqs_protocol::fields::push_padded;
    // The local time once (each accessor of a DateTime adds the offset again).
    let t = now.with_timezone(&jst()).naive_local();
    let Ok(year @ 0..=9999) = u32::try_from(t.year()) else {
        return format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
    };
    let mut out = String::with_capacity(14);
    push_padded(&mut out, year, 4);
    for part in [t.month(), t.day(), t.hour(), t.minute(), t.second()] {
        push_padded(&mut out, part, 2);
    }
    out
}

/// What to show of a qualification besides the card itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultOptions<'a> {
    /// 医療機関コード: reference numbers are per facility.
    pub facility: &'a str,
    /// 資格確認日.
    pub date: NaiveDate,
    pub now: DateTime<FixedOffset>,
    /// 限度額 consent (LimitApplicationCertificateRelatedConsFlg).
    pub limit_consent: ConsentFlag,
    /// 特定疾病 may be shown (My Number path only, RULE-13).
    pub specific_disease_allowed: bool,
    pub specific_disease_consent: bool,
}

/// The certificate to show on `date`: the one covering it, else the latest that started before it.
fn pick<T: ValidSpan>(certs: &[T], date: NaiveDate) -> Option<&T> {
    certs.iter().find(|c| c.covers(date)).or_else(|| {
        certs
            .iter()
            .filter(|c| c.valid_from() <= date)
            .max_by_key(|c| c.valid_from())
    })
}

fn s(x: &str) -> Option<String> {
    Some(x.to_owned())
}

fn od(x: Option<NaiveDate>) -> Option<String> {
    x.map(format_date)
}

/// One ResultOfQualificationConfirmation for a qualification (RULE-04..13).
pub fn qualification_result(
    pop: &Population,
    id: QualificationId,
    o: &ResultOptions<'_>,
) -> QualificationResult {
    let mut r = QualificationResult::default();
    fill_result(pop, id, o, &mut r);
    r
}

/// [`qualification_result`] written into `r`, a default result (e.g. one already in its list:
/// a result is ~1.4 KB, copied whole each time it is moved).
pub fn fill_result(
    pop: &Population,
    id: QualificationId,
    o: &ResultOptions<'_>,
    r: &mut QualificationResult,
) {
    let q = pop.qualification(id);
    let p = pop.person(q.person);
    let certs = q.certificates.as_deref();
    r.insured_card_classification = s(q.card.code());
    r.insurer_number = Some(q.insurer.wire());
    r.insured_card_symbol = q.symbol.as_deref().map(str::to_owned);
    r.insured_identification_number = s(&q.number);
    r.insured_branch_number = q.branch.as_deref().map(str::to_owned);
    r.personal_family_classification = s(q.relation.code());
    // 被保険者氏名 only for 家族: the real 本人 answers carry none (docs/interface.md, 本人).
    r.insured_name = (q.relation != PersonalFamily::Insured)
        .then_some(q.insured_name.as_deref())
        .flatten()
        .map(names::wire_name);
    // Names and readings in their wire form (full-width space; half-width kana).
    r.name = Some(names::wire_name(&p.name));
    // RULE-06: 氏名(その他) only when registered; 性別(裏面) only when 性別(表面) is 未設定.
    r.name_of_other = p.other_name.as_deref().map(names::wire_name);
    r.name_kana = Some(names::half_width_kana(&p.name_kana));
    r.name_of_other_kana = p.other_name_kana.as_deref().map(names::half_width_kana);
    r.sex1 = s(p.sex.code());
    r.sex2 = (p.sex == oqs_protocol::codes::Sex::Unset)
        .then_some(p.sex_back)
        .flatten()
        .map(|x| x.code().to_owned());
    r.birthdate = Some(format_date(p.birthdate));
    // RULE-07: omitted when the insurer did not send them.
    r.address = p.address.as_deref().map(str::to_owned);
    r.post_number = p.post_number.as_deref().map(str::to_owned);
    r.qualification_date = od(q.qualification_date);
    r.disqualification_date = od(q.disqualification_date);
    // 交付年月日: the fixture's, else the first valid day (equal in both real samples).
    r.insured_certificate_issuance_date = Some(format_date(q.issued_on.unwrap_or(q.valid_from)));
    r.insured_card_valid_date = Some(format_date(q.valid_from));
    r.insured_card_expiration_date = od(q.valid_until);
    r.insured_partial_contribution_ratio = q.copayment.map(|c| c.code());
    r.preschool_classification = judgement::is_preschool(p.birthdate, o.date)
        .then(|| Preschool::Preschool.code().to_owned());
    r.reason_of_loss = q.reason_of_loss.map(|x| x.code().to_owned());
    r.insurer_name = pop.insurer(q.insurer).map(|i| i.name.to_string());
    r.reference_number = pop.reference_number(o.facility, id).map(str::to_owned);
    if q.is_medical_assistance() {
        crate::assistance::fill(pop, id, o.facility, o.date, r);
    }
    // 高齢受給者証 is shown without consent (RULE-15).
    if let Some(e) = certs.and_then(|c| pick(&c.elderly, o.date)) {
        r.elderly_recipient = Some(ElderlyRecipientInfo {
            certificate_date: od(e.issued_on),
            valid_start_date: Some(format_date(e.valid_from)),
            valid_end_date: od(e.valid_until),
            contribution_ratio: Some(e.ratio.code()),
        });
    }
    r.limit_cons_flg = s(o.limit_consent.code());
    if o.limit_consent == ConsentFlag::Consented {
        r.limit_cons_time = Some(timestamp(o.now));
        if let Some(l) = certs.and_then(|c| pick(&c.limit, o.date)) {
            r.limit_info = Some(LimitCertificateInfo {
                classification: s(l.kind.code()),
                classification_flag: s(l.category.code()),
                // 交付年月日: the fixture's, else the first valid day (equal in the real sample).
                certificate_date: Some(format_date(l.issued_on.unwrap_or(l.valid_from))),
                valid_start_date: Some(format_date(l.valid_from)),
                valid_end_date: od(l.valid_until),
                long_term_date: od(l.long_term_date),
            });
        }
    }
    // RULE-13: 特定疾病 only on the My Number path, and only with consent.
    if o.specific_disease_allowed {
        r.specific_diseases_cons_flg = s(if o.specific_disease_consent {
            ConsentStatus::Given.code()
        } else {
            ConsentStatus::NotGiven.code()
        });
        if o.specific_disease_consent {
            r.specific_diseases_cons_time = Some(timestamp(o.now));
            if let Some(c) = certs {
                r.specific_diseases = c
                    .specific_disease
                    .iter()
                    .filter(|x| x.valid_from <= o.date)
                    .map(|x| SpecificDiseaseInfo {
                        disease_category: s(x.disease.code()),
                        certificate_date: od(x.issued_on),
                        valid_start_date: Some(format_date(x.valid_from)),
                        valid_end_date: od(x.valid_until),
                        self_pay: Some(x.self_pay.to_string()),
                    })
                    .collect();
            }
        }
    }
}

/// The viewing consents given at the card reader (My Number path, FLOW-12): 手術情報,
/// 診療・薬剤情報 (one consent covering 診療情報 and 薬剤情報) and 特定健診情報.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewingConsents {
    pub operation: bool,
    pub diagnosis_medication: bool,
    pub health_checkup: bool,
}

/// How long a viewing consent lasts: the real face-reader sample has
/// `…AvailableTime` = `…ConsTime` + 24 hours (evidence/face-reader-valid).
pub const CONSENT_AVAILABLE_FOR: chrono::Duration = chrono::Duration::hours(24);

/// Writes the consent flags (OQSCD016), the consent time and the time the consent is
/// available until, for each viewing consent.
pub fn apply_viewing_consents(
    r: &mut QualificationResult,
    c: ViewingConsents,
    now: DateTime<FixedOffset>,
) {
    let given = timestamp(now);
    let until = timestamp(now + CONSENT_AVAILABLE_FOR);
    let set = |on: bool| {
        let flag = if on {
            ConsentStatus::Given
        } else {
            ConsentStatus::NotGiven
        };
        (
            Some(flag.code().to_owned()),
            on.then(|| given.clone()),
            on.then(|| until.clone()),
        )
    };
    (
        r.operation_cons_flg,
        r.operation_cons_time,
        r.operation_available_time,
    ) = set(c.operation);
    (
        r.diagnosis_cons_flg,
        r.diagnosis_cons_time,
        r.diagnosis_available_time,
    ) = set(c.diagnosis_medication);
    (
        r.pharmacists_cons_flg,
        r.pharmacists_cons_time,
        r.pharmacists_available_time,
    ) = set(c.diagnosis_medication);
    (
        r.specific_health_checkups_cons_flg,
        r.specific_health_checkups_cons_time,
        r.specific_health_checkups_available_time,
    ) = set(c.health_checkup);
}

/// A result answered, and the encoding to write it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub response: SingleInquiryResponse,
    pub encoding: TextEncoding,
    /// The rule broken by the request, if any (for the journal).
    pub error: Option<FieldError>,
}

fn character_code(e: TextEncoding) -> CharacterCode {
    match e {
        TextEncoding::Utf8 => CharacterCode::Utf8,
        TextEncoding::ShiftJis => CharacterCode::ShiftJis,
    }
}

fn encoding_of(c: CharacterCode) -> TextEncoding {
    match c {
        CharacterCode::Utf8 => TextEncoding::Utf8,
        CharacterCode::ShiftJis => TextEncoding::ShiftJis,
    }
}

/// Answers OQSsiquc01req. The result is written in the request's encoding unless the request
/// header names another with CharacterCodeIdentifier. `req` by reference or by value: a request
/// given by value has its search moved into the result's echo instead of copied.
pub fn answer_single_inquiry<'r>(
    pop: &Population,
    req: impl Into<Cow<'r, SingleInquiryRequest>>,
    request_encoding: TextEncoding,
    now: DateTime<FixedOffset>,
    errors: &ErrorTable,
) -> Answer {
    let (header, search) = match req.into() {
        Cow::Borrowed(r) => (&r.header, Cow::Borrowed(&r.search)),
        Cow::Owned(r) => {
            return answer(
                pop,
                &r.header,
                Cow::Owned(r.search),
                request_encoding,
                now,
                errors,
            )
        }
    };
    answer(pop, header, search, request_encoding, now, errors)
}

fn answer(
    pop: &Population,
    req_header: &RequestHeader,
    req_search: Cow<'_, SearchInfo>,
    request_encoding: TextEncoding,
    now: DateTime<FixedOffset>,
    errors: &ErrorTable,
) -> Answer {
    let mut header = ResultHeader {
        process_execution_time: timestamp(now),
        // Echoed as received only when the header is refused (else the date judged on).
        qualification_confirmation_date: None,
        medical_institution_code: req_header.medical_institution_code.clone(),
        arbitrary_file_identifier: req_header.arbitrary_file_identifier.clone(),
        reference_classification: ReferenceClassification::InsuranceCard,
        segment_of_result: SegmentOfResult::Normal,
        error_code: None,
        error_message: None,
        character_code: character_code(request_encoding),
    };
    let valid_header = match req_header.validate() {
        Ok(h) => h,
        Err(e) => {
            header.qualification_confirmation_date =
                req_header.qualification_confirmation_date.clone();
            return header_error(header, request_encoding, errors, e);
        }
    };
    let encoding = valid_header
        .character_code
        .map_or(request_encoding, encoding_of);
    header.character_code = character_code(encoding);
    // RULE-35: 資格確認日 defaults to today.
    let date = valid_header.confirmation_date.unwrap_or_else(|| today(now));
    header.qualification_confirmation_date = Some(format_date(date));
    let search = match req_search.validate() {
        Ok(s) => s,
        Err(e) => {
            let entry = errors.entry(e.kind);
            if entry.level == ErrorLevel::Header {
                return header_error(header, encoding, errors, e);
            }
            let body = ResultBody {
                processing_result_status: ProcessingResultStatus::Error,
                processing_result_code: Some(entry.code.clone()),
                processing_result_message: Some(entry.message.clone()),
                qualification_validity: None,
                prescription_issue_select: None,
                search_echo: Some(req_search.into_owned()),
                results: Vec::new(),
            };
            return Answer {
                response: SingleInquiryResponse {
                    header,
                    body: Some(body),
                },
                encoding,
                error: Some(e),
            };
        }
    };
    let card = CardSearch {
        insurer: search.insurer_number,
        symbol: search.symbol,
        number: search.number,
        branch: search.branch,
        birthdate: search.birthdate,
    };
    let mut outcome = judgement::judge(pop, &card, date);
    // RULE-37: a facility that does not use 医療扶助 finds no 医療扶助 qualification.
    if let Outcome::Single(id, _) = outcome {
        if pop.qualification(id).is_medical_assistance()
            && !assistance::shown_at(pop, valid_header.medical_institution_code)
        {
            outcome = Outcome::NotFound;
        }
    }
    let options = ResultOptions {
        facility: valid_header.medical_institution_code,
        date,
        now,
        limit_consent: search.limit_consent,
        specific_disease_allowed: false,
        specific_disease_consent: false,
    };
    let found: &[QualificationId] = match &outcome {
        Outcome::NotFound => &[],
        Outcome::Multiple(ids) => ids,
        Outcome::Single(id, _) => std::slice::from_ref(id),
    };
    // Written where they lie in the list, not built and moved into it.
    let mut results = Vec::new();
    results.resize_with(found.len(), QualificationResult::default);
    for (r, &id) in results.iter_mut().zip(found) {
        fill_result(pop, id, &options, r);
        r.arbitrary_identifier = search.arbitrary_identifier.map(str::to_owned);
    }
    let mut validity = outcome.validity();
    if let (Outcome::Single(id, v), [r]) = (&outcome, results.as_slice()) {
        if pop.qualification(*id).is_medical_assistance() {
            validity = assistance::validity(*v, !r.medical_tickets.is_empty());
        }
    }
    let body = ResultBody {
        processing_result_status: ProcessingResultStatus::Normal,
        processing_result_code: None,
        processing_result_message: None,
        qualification_validity: Some(validity),
        prescription_issue_select: None,
        search_echo: Some(req_search.into_owned()),
        results,
    };
    Answer {
        response: SingleInquiryResponse {
            header,
            body: Some(body),
        },
        encoding,
        error: None,
    }
}

fn header_error(
    mut header: ResultHeader,
    encoding: TextEncoding,
    errors: &ErrorTable,
    e: FieldError,
) -> Answer {
    let entry = errors.entry(e.kind);
    header.segment_of_result = SegmentOfResult::Abnormal;
    header.error_code = Some(entry.code.clone());
    header.error_message = Some(entry.message.clone());
    Answer {
        response: SingleInquiryResponse { header, body: None },
        encoding,
        error: Some(e),
    }
}

/// A result for a request whose message structure is wrong (parsed, but not this message):
/// SegmentOfResult 9 with the `message-structure` row.
pub fn structure_error(
    now: DateTime<FixedOffset>,
    encoding: TextEncoding,
    errors: &ErrorTable,
) -> SingleInquiryResponse {
    let entry = errors.entry(ErrorKind::MessageStructure);
    SingleInquiryResponse {
        header: ResultHeader {
            process_execution_time: timestamp(now),
            qualification_confirmation_date: None,
            medical_institution_code: None,
            arbitrary_file_identifier: None,
            reference_classification: ReferenceClassification::InsuranceCard,
            segment_of_result: SegmentOfResult::Abnormal,
            error_code: Some(entry.code.clone()),
            error_message: Some(entry.message.clone()),
            character_code: character_code(encoding),
        },
        body: None,
    }
}

/// The validity a single-person result carries, for callers that need only that.
pub fn validity_of(answer: &Answer) -> Option<QualificationValidity> {
    answer
        .response
        .body
        .as_ref()
        .and_then(|b| b.qualification_validity)
}

#[cfg(test)]
mod timestamp_tests {
    use super::timestamp;
    use chrono::DateTime;

    /// The hand-written `YYYYMMDDHHmmss` is JST, like chrono's strftime on the JST time.
    #[test]
    fn timestamp_is_jst_digits() {
        for (rfc3339, expected) in [
            ("2021-01-06T10:00:00+09:00", "20210106100000"),
            ("2021-01-06T15:30:05Z", "20210107003005"),
            ("1999-12-31T23:59:59-05:00", "20000101135959"),
        ] {
            let t = DateTime::parse_from_rfc3339(rfc3339).expect("time");
            assert_eq!(timestamp(t), expected, "{rfc3339}");
            let jst = t.with_timezone(&super::jst());
            assert_eq!(timestamp(t), jst.format("%Y%m%d%H%M%S").to_string());
        }
    }
}
