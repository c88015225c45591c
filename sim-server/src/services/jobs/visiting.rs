//! JOB-03 訪問診療等・オンライン診療等 資格情報一括照会 (FLOW-33/34): the facility's consents of the
//! job's 診療区分 whose 同意年月日 / 受診年月日 fall in the requested ranges (RULE-65, RULE-68),
//! each answered as a bulk row — the card of the consent judged on the 資格確認日 (today unless
//! the header gives one) by [`super::inquiry::answer_row`], the one place a row's result is
//! made — with no medical information (RULE-56). A consent that no longer lets the facility
//! confirm the patient (cancelled, past its end: RULE-67) is a row in error (`EQ0302`), so the
//! job ends 照会完了（要確認）. The rows are judged and written like JOB-01's
//! ([`super::inquiry::judge_rows`]: threads at `instant` pacing, the direct unit writer).

use super::inquiry::{answer_row, judge_rows};
use super::{Failure, Inner, Job, Outcome};
use chrono::{DateTime, FixedOffset};
use oqs_domain::inquiry::today;
use oqs_domain::visiting::ConsentSearch;
use oqs_domain::Population;
use oqs_protocol::bulk::BulkConfirmUnit;
use oqs_protocol::codes::ProcessingResultStatus;
use oqs_protocol::errors::ErrorKind;
use oqs_protocol::message::{format_date, RequestHeader, SearchInfo, SingleInquiryRequest};
use oqs_protocol::visiting_bulk::ConsentedBulkConditions;

/// Why a JOB-03 job failed while it ran.
pub(crate) type Failed = (Failure, ErrorKind, String);

/// The bulk row of one consent.
fn consent_row(
    inner: &Inner,
    job: &Job,
    pop: &Population,
    id: oqs_domain::visiting::ConsentId,
    now: DateTime<FixedOffset>,
) -> BulkConfirmUnit {
    let c = pop.consent(id);
    let q = pop.qualification(c.qualification);
    let p = pop.person(q.person);
    let row = SearchInfo {
        insurer_number: Some(q.insurer.wire().trim().to_owned()),
        insured_card_symbol: q.symbol.as_deref().map(str::to_owned),
        insured_identification_number: Some(q.number.to_string()),
        insured_branch_number: q.branch.as_deref().map(str::to_owned),
        birthdate: Some(format_date(p.birthdate)),
        limit_application_certificate_related_cons_flg: Some("0".into()),
        arbitrary_identifier: None,
    };
    let header = RequestHeader {
        qualification_confirmation_date: job.confirmation_date.clone(),
        medical_institution_code: Some(job.facility.clone()),
        arbitrary_file_identifier: job.arbitrary_file_identifier.clone(),
        ..Default::default()
    };
    let req = SingleInquiryRequest {
        header,
        search: row,
    };
    let mut unit = answer_row(
        pop,
        req,
        job.encoding,
        now,
        &inner.errors,
        &inner.references,
    );
    let day = today(now);
    if !c.is_active(inner.cancellations.cancelled_on(pop, id), day) {
        let e = inner.errors.entry(ErrorKind::NoViewingConsent);
        unit.processing_result_status = ProcessingResultStatus::Error;
        unit.processing_result_code = Some(e.code.clone());
        unit.processing_result_message = Some(e.message.clone());
        unit.qualification_validity = None;
        unit.results.clear();
        unit.reference_number = None;
    }
    unit
}

/// Answers every consent found, in 同意年月日 order. `Err` when more consents match than the
/// 処理上限 (処理上限エラー); `Ok(None)` when a fault stopped the job.
pub(crate) fn process(
    inner: &Inner,
    job: &Job,
    conditions: &ConsentedBulkConditions,
    pop: &Population,
) -> Result<Option<Outcome>, Failed> {
    let now = inner.clock.now();
    let search = ConsentSearch {
        consent_from: conditions.consent_from,
        consent_to: conditions.consent_to,
        examination_from: conditions.examination_from,
        examination_to: conditions.examination_to,
        ..Default::default()
    };
    let ids = pop.search_consents(&job.facility, conditions.kind, &search);
    let limit = inner.row_limit();
    if ids.len() > limit {
        return Err((
            Failure::Limit,
            ErrorKind::BulkRowLimit,
            format!(
                "{} consents match; at most {limit} are processed in one job",
                ids.len()
            ),
        ));
    }
    Ok(judge_rows(inner, job, ids, now, |id| {
        consent_row(inner, job, pop, id, now)
    }))
}
