//! JOB-05 保管調剤結果一括取得 (ch.11) on the job engine. A request for a period is checked at
//! once — the pharmacy uses 調剤済み処方箋の保存サービス (RULE-69), the period is at most 31 days
//! (RULE-70, ERR-31), not the same period again the same day (RULE-71, ERR-30) — and accepted
//! under its 24-digit 調剤結果一括取得ID (DLG-32); a worker then gathers the pharmacy's stored
//! results of the period into `<ID>.zip` (nothing is downloaded yet, RULE-75). The list pages
//! by 9, newest first (RULE-73); a row downloads while 照会完了, 件数 > 0 and today ≤ its
//! ダウンロード期限 (RULE-72/74).

use super::job::{Acquisition, Period};
use super::prepare::{owner_of, Work};
use super::status::{JobKind, JobState};
use super::{character_code, lock, Inner, Job, Jobs, Pending};
use crate::services::answer::Answered;
use base64::Engine as _;
use bytes::Bytes;
use chrono::NaiveDate;
use oqs_domain::dispensing::{self as rules, PeriodError};
use oqs_domain::inquiry::{jst, timestamp};
use oqs_domain::Population;
use oqs_protocol::codes::{ProcessingResultStatus, SegmentOfResult};
use oqs_protocol::dispensing::{
    AcquisitionInfo, AcquisitionRequest, AcquisitionResponse, DispensingHeader,
    DispensingResultRecord, ListRequest, ListResponse, Processing,
};
use oqs_protocol::errors::{ErrorKind, ErrorLevel};
use oqs_protocol::{xml, Element, TextEncoding};
use std::sync::Arc;

/// Why a request was not accepted: the error-table row and the precise reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: ErrorKind,
    pub detail: String,
}

/// One page of SCR-34.
#[derive(Debug, Clone)]
pub struct Page {
    /// Every acquisition of the pharmacy (検索結果： N 件).
    pub total: usize,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    pub rows: Vec<AcquisitionInfo>,
}

impl Page {
    /// The rows shown, 1-based and inclusive (「1-3件表示」); `None` when the page is empty.
    pub fn shown(&self) -> Option<(usize, usize)> {
        let first = (self.page - 1).saturating_mul(rules::PER_PAGE) + 1;
        (!self.rows.is_empty()).then(|| (first, first + self.rows.len() - 1))
    }
}

fn period_refusal(e: PeriodError) -> Refusal {
    let kind = match e {
        PeriodError::Missing(_) => ErrorKind::DispensingPeriodMissing,
        PeriodError::Format { .. } | PeriodError::Reversed { .. } => {
            ErrorKind::DispensingPeriodFormat
        }
        PeriodError::TooLong { .. } => ErrorKind::DispensingPeriodTooLong,
    };
    Refusal {
        kind,
        detail: e.to_string(),
    }
}

/// The OQSmudsp01req a request made another way (SCR-33, the JSON route) stands for: what the
/// job store keeps and the journal shows.
pub fn acquisition_request_xml(pharmacy: &str, start: Option<&str>, end: Option<&str>) -> Vec<u8> {
    xml::write_document(
        &AcquisitionRequest {
            header: oqs_protocol::message::RequestHeader {
                medical_institution_code: Some(pharmacy.to_owned()),
                ..Default::default()
            },
            start: start.map(str::to_owned),
            end: end.map(str::to_owned),
        }
        .to_element(),
        TextEncoding::Utf8,
    )
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

impl Jobs {
    fn today(&self) -> NaiveDate {
        self.inner.clock.now().with_timezone(&jst()).date_naive()
    }

    /// RULE-69: only a pharmacy using 調剤済み処方箋の保存サービス sees ch.11.
    pub fn check_dispensing_facility(
        &self,
        population: &Population,
        facility: &str,
    ) -> Result<(), Refusal> {
        match population.facility(facility) {
            Some(f) if f.dispensing_storage => Ok(()),
            Some(f) => Err(Refusal {
                kind: ErrorKind::DispensingNotAvailable,
                detail: format!(
                    "{facility} ({}) does not use 調剤済み処方箋の保存サービス (RULE-69)",
                    f.name
                ),
            }),
            None => Err(Refusal {
                kind: ErrorKind::DispensingNotAvailable,
                detail: format!("{facility} is not a facility of the population (RULE-69)"),
            }),
        }
    }

    /// 《調剤結果取得》 (FLOW-43): checks the request and accepts it under its 24-digit ID.
    /// `operator`: the login id when asked on SCR-33 (none for the machine routes). Every way in
    /// goes through [`crate::simulator::Simulator::request_dispensing`] or the OQSmudsp01req
    /// message, which journal it.
    pub(crate) fn request_dispensing(
        &self,
        population: Arc<Population>,
        pharmacy: &str,
        start: Option<&str>,
        end: Option<&str>,
        arbitrary_file_identifier: Option<String>,
        operator: Option<&str>,
    ) -> Result<Job, Refusal> {
        self.check_dispensing_facility(&population, pharmacy)?;
        let (start, end) = rules::check_period(start, end).map_err(period_refusal)?;
        let now = self.inner.clock.now();
        let today = now.with_timezone(&jst()).date_naive();
        let mut st = lock(&self.inner.state);
        // RULE-71: the same period the same day is refused (ERR-30).
        let same = st.jobs.values().any(|j| {
            j.kind == JobKind::StoredDispensing
                && j.facility == pharmacy
                && j.accepted_at.with_timezone(&jst()).date_naive() == today
                && j.dispensing
                    .is_some_and(|a| a.period == Period { start, end })
        });
        if same {
            return Err(Refusal {
                kind: ErrorKind::DispensingSameConditions,
                detail: format!(
                    "{start}..{end} was already requested on {today} (RULE-71); change the period or request another day"
                ),
            });
        }
        if st.queue.len() >= super::MAX_PENDING {
            return Err(Refusal {
                kind: ErrorKind::SystemError,
                detail: "too many jobs waiting".into(),
            });
        }
        // The ID is the request's second and the pharmacy: a second request within the same
        // second takes the next free second (IDs stay unique and 24 digits).
        let mut at = now.with_timezone(&jst()).naive_local();
        let mut id = rules::acquisition_id(at, pharmacy);
        while st.jobs.values().any(|j| j.reception_number == id) {
            at += chrono::Duration::seconds(1);
            id = rules::acquisition_id(at, pharmacy);
        }
        let seq = st.next_seq.max(1);
        st.next_seq = seq + 1;
        let job = Job {
            seq,
            reception_number: id,
            kind: JobKind::StoredDispensing,
            facility: pharmacy.to_owned(),
            arbitrary_file_identifier,
            confirmation_date: None,
            state: JobState::Waiting,
            accepted_at: now,
            finished_at: None,
            rows: 0,
            processed: 0,
            normal: 0,
            errors: 0,
            error_code: None,
            error_message: None,
            error_detail: None,
            encoding: TextEncoding::Utf8,
            result_name: None,
            dispensing: Some(Acquisition {
                period: Period { start, end },
                deadline: rules::download_deadline(today),
            }),
            operator: operator.filter(|s| !s.is_empty()).map(str::to_owned),
        };
        if let Some(store) = &self.inner.store {
            // Kept as an OQSmudsp01req, whatever way it came, for a restart.
            let raw = acquisition_request_xml(pharmacy, Some(&ymd(start)), Some(&ymd(end)));
            if let Err(e) = lock(store).insert_job(&job, &raw) {
                return Err(Refusal {
                    kind: ErrorKind::SystemError,
                    detail: format!("job store: {e}"),
                });
            }
        }
        st.jobs.insert(seq, job.clone());
        st.queue.push_back(Pending {
            seq,
            work: Work::Dispensing(Period { start, end }),
            population,
        });
        self.evict(&mut st);
        drop(st);
        self.ensure_workers();
        self.inner.changed.notify_all();
        Ok(job)
    }

    /// A row of SCR-34 as of today (the clock's JST date).
    pub fn dispensing_info(&self, job: &Job) -> AcquisitionInfo {
        let today = self.today();
        let a = job.dispensing.unwrap_or(Acquisition {
            period: Period {
                start: today,
                end: today,
            },
            deadline: today,
        });
        let done = matches!(job.state, JobState::Done | JobState::DoneNeedsCheck);
        let count = done.then_some(job.processed);
        AcquisitionInfo {
            acquisition_id: job.reception_number.clone(),
            status: job.state.status(job.kind).to_owned(),
            start: ymd(a.period.start),
            end: ymd(a.period.end),
            count,
            download_deadline: (done && job.processed > 0).then(|| ymd(a.deadline)),
            downloadable: done && rules::downloadable(job.processed, a.deadline, today),
            file_name: job.result_name.clone(),
        }
    }

    /// Whether a JOB-05 job can be downloaded now (RULE-72/74); other kinds: RULE-54.
    pub(super) fn downloadable_now(&self, job: &Job) -> bool {
        match (job.kind, job.dispensing) {
            (JobKind::StoredDispensing, Some(a)) => {
                job.state.downloadable()
                    && rules::downloadable(job.processed, a.deadline, self.today())
            }
            (JobKind::StoredDispensing, None) => false,
            _ => job.state.downloadable(),
        }
    }

    /// SCR-34: the pharmacy's acquisitions, newest first, 9 per page (RULE-73).
    pub fn dispensing_page(&self, pharmacy: &str, page: usize) -> Page {
        let all = self.list(JobKind::StoredDispensing, Some(pharmacy), usize::MAX);
        let total = all.len();
        let pages = total.div_ceil(rules::PER_PAGE).max(1);
        let page = page.max(1);
        let rows = all
            .iter()
            .skip((page - 1).saturating_mul(rules::PER_PAGE))
            .take(rules::PER_PAGE)
            .map(|j| self.dispensing_info(j))
            .collect();
        Page {
            total,
            page,
            pages,
            rows,
        }
    }

    /// One acquisition of the pharmacy by its ID.
    pub fn dispensing_job(&self, pharmacy: &str, id: &str) -> Option<Job> {
        self.job(id)
            .filter(|j| j.kind == JobKind::StoredDispensing && j.facility == pharmacy)
    }

    /// 《ダウンロード》 of one of the pharmacy's acquisitions (FLOW-44): its zip, `NotFound` for
    /// an ID that is not the pharmacy's, `NotDownloadable` where RULE-72/74 say no.
    pub fn dispensing_download(
        &self,
        pharmacy: &str,
        id: &str,
    ) -> Result<(String, Bytes), super::ResultError> {
        self.dispensing_job(pharmacy, id)
            .ok_or(super::ResultError::NotFound)?;
        self.result(id)
    }

    /// OQSmudsp01req (FLOW-43): accepted → the ID (DLG-32); refused → ERR-30/31 in the body,
    /// RULE-69 and header errors in the header.
    pub fn answer_dispensing_request(
        &self,
        population: Arc<Population>,
        root: &Element,
        encoding: TextEncoding,
        operator: Option<&str>,
    ) -> (Answered, Result<Job, Refusal>) {
        let now = self.inner.clock.now();
        let header = oqs_protocol::header::header_of(root);
        let mut res = AcquisitionResponse {
            header: self.dispensing_header(&header, encoding),
            processing: None,
            start: None,
            end: None,
            acquisition_id: None,
            download_deadline: None,
        };
        let outcome = AcquisitionRequest::from_element(root)
            .map_err(|e| Refusal {
                kind: ErrorKind::MessageStructure,
                detail: e.to_string(),
            })
            .and_then(|req| {
                let valid = req.header.validate().map_err(|e| Refusal {
                    kind: e.kind,
                    detail: e.to_string(),
                })?;
                res.start = req.start.clone().filter(|s| !s.trim().is_empty());
                res.end = req.end.clone().filter(|s| !s.trim().is_empty());
                self.request_dispensing(
                    population,
                    valid.medical_institution_code,
                    req.start.as_deref(),
                    req.end.as_deref(),
                    valid.arbitrary_file_identifier.map(str::to_owned),
                    operator,
                )
            });
        res.header.process_execution_time = timestamp(now);
        match &outcome {
            Ok(job) => {
                res.processing = Some(Processing::normal());
                res.acquisition_id = Some(job.reception_number.clone());
                res.download_deadline = job.dispensing.map(|a| ymd(a.deadline));
            }
            Err(r) => self.refuse(&mut res.header, &mut res.processing, r),
        }
        (Answered::new(res.to_element(), encoding), outcome)
    }

    /// OQSmudsp02req (FLOW-44): one acquisition (with its zip when downloadable) or a page.
    pub fn answer_dispensing_list(
        &self,
        population: &Population,
        root: &Element,
        encoding: TextEncoding,
    ) -> (Answered, Result<Option<Job>, Refusal>) {
        let header = oqs_protocol::header::header_of(root);
        let mut res = ListResponse {
            header: self.dispensing_header(&header, encoding),
            processing: None,
            total: 0,
            page: 1,
            pages: 1,
            rows: Vec::new(),
            result_file: None,
        };
        let outcome = ListRequest::from_element(root)
            .map_err(|e| Refusal {
                kind: ErrorKind::MessageStructure,
                detail: e.to_string(),
            })
            .and_then(|req| {
                let valid = req.header.validate().map_err(|e| Refusal {
                    kind: e.kind,
                    detail: e.to_string(),
                })?;
                let pharmacy = valid.medical_institution_code;
                self.check_dispensing_facility(population, pharmacy)?;
                if let Some(id) = &req.acquisition_id {
                    let job = self.dispensing_job(pharmacy, id).ok_or_else(|| Refusal {
                        kind: ErrorKind::DispensingUnknownId,
                        detail: format!("no acquisition \"{id}\" of pharmacy {pharmacy}"),
                    })?;
                    let info = self.dispensing_info(&job);
                    if info.downloadable {
                        match self.result(&job.reception_number) {
                            Ok((_, bytes)) => {
                                res.result_file =
                                    Some(base64::engine::general_purpose::STANDARD.encode(&bytes))
                            }
                            Err(e) => {
                                return Err(Refusal {
                                    kind: ErrorKind::SystemError,
                                    detail: e.to_string(),
                                })
                            }
                        }
                    }
                    res.total = 1;
                    res.rows = vec![info];
                    return Ok(Some(job));
                }
                let page = match req.page.as_deref() {
                    None => 1,
                    Some(p) => p
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=10_000).contains(n))
                        .ok_or_else(|| Refusal {
                            kind: ErrorKind::MessageStructure,
                            detail: format!(
                                "MessageBody/PageNumber: \"{}\" is not a page number 1..10000",
                                p.chars().take(20).collect::<String>()
                            ),
                        })?,
                };
                let p = self.dispensing_page(pharmacy, page);
                res.total = p.total;
                res.page = p.page;
                res.pages = p.pages;
                res.rows = p.rows;
                Ok(None)
            });
        match &outcome {
            Ok(_) => res.processing = Some(Processing::normal()),
            Err(r) => self.refuse(&mut res.header, &mut res.processing, r),
        }
        (Answered::new(res.to_element(), encoding), outcome)
    }

    fn dispensing_header(
        &self,
        h: &oqs_protocol::message::RequestHeader,
        encoding: TextEncoding,
    ) -> DispensingHeader {
        let encoding = match h.validate().ok().and_then(|v| v.character_code) {
            Some(oqs_protocol::codes::CharacterCode::ShiftJis) => TextEncoding::ShiftJis,
            Some(oqs_protocol::codes::CharacterCode::Utf8) => TextEncoding::Utf8,
            None => encoding,
        };
        DispensingHeader {
            process_execution_time: timestamp(self.inner.clock.now()),
            medical_institution_code: Some(owner_of(h)).filter(|s| !s.is_empty()),
            arbitrary_file_identifier: h.arbitrary_file_identifier.clone(),
            segment_of_result: SegmentOfResult::Normal,
            error_code: None,
            error_message: None,
            character_code: character_code(encoding),
        }
    }

    /// A refusal in the header (SegmentOfResult 9) or the body (ProcessingResultStatus 2), as
    /// its row's level says.
    fn refuse(&self, h: &mut DispensingHeader, body: &mut Option<Processing>, r: &Refusal) {
        let e = self.inner.errors.entry(r.kind);
        if e.level == ErrorLevel::Body {
            *body = Some(Processing {
                status: ProcessingResultStatus::Error,
                code: Some(e.code.clone()),
                message: Some(e.message.clone()),
            });
        } else {
            h.segment_of_result = SegmentOfResult::Abnormal;
            h.error_code = Some(e.code.clone());
            h.error_message = Some(e.message.clone());
            *body = None;
        }
    }
}

/// The worker's part: the pharmacy's stored results of the period into `<ID>.zip`.
pub(super) fn process(inner: &Inner, job: &Job, period: &Period, pop: &Population) {
    let results: Vec<_> = pop
        .dispensing()
        .in_period(&job.facility, period.start, period.end)
        .collect();
    let count = results.len();
    let bytes = (count > 0).then(|| Bytes::from(zip_of(job, &results, pop)));
    if !inner.row_done(job.seq, count) {
        return inner.fail(
            job.seq,
            super::Failure::System,
            ErrorKind::SystemError,
            "stopped while processing (fault injected by PUT /__admin/faults/jobs)".into(),
        );
    }
    let mut done = job.clone();
    done.state = JobState::Done;
    done.finished_at = Some(inner.clock.now());
    done.processed = count;
    done.normal = count;
    done.result_name = bytes
        .as_ref()
        .map(|_| format!("{}.zip", job.reception_number));
    // The result is stored before the job says it is downloadable.
    if let Some(store) = &inner.store {
        if let Err(e) = lock(store).update_job(&done, bytes.as_deref()) {
            return inner.fail(
                job.seq,
                super::Failure::System,
                ErrorKind::SystemError,
                format!("the result could not be stored: {e}"),
            );
        }
    } else if let Some(b) = bytes {
        let mut st = lock(&inner.state);
        st.result_bytes += b.len();
        st.results.insert(job.seq, b);
    }
    inner.update(job.seq, |j| *j = done);
}

/// A file name part from a free-text id: letters, digits, `-` and `_` kept.
fn safe_name(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `<n>_<調剤結果ID>.xml` per result (UTF-8, the simulator's own layout), in 調剤年月日 order,
/// stored in a zip (`protocol::zip`); every entry is dated with the ID's 処理年月日時分秒, so the
/// same acquisition gives the same bytes.
fn zip_of(
    job: &Job,
    results: &[&oqs_domain::dispensing::StoredDispensingResult],
    pop: &Population,
) -> Vec<u8> {
    let files: Vec<(String, Vec<u8>)> = results
        .iter()
        .enumerate()
        .map(|(n, r)| {
            let p = pop.person(r.person);
            let record = DispensingResultRecord {
                id: r.id.to_string(),
                pharmacy: r.pharmacy.to_string(),
                dispensed_on: ymd(r.dispensed_on),
                name: oqs_protocol::names::wire_name(&p.name),
                name_kana: oqs_protocol::names::half_width_kana(&p.name_kana),
                sex: p.sex.code().to_owned(),
                birthdate: ymd(p.birthdate),
                prescriber: r.prescriber.as_deref().map(str::to_owned),
                medicines: r.medicines.iter().map(|m| m.to_string()).collect(),
            };
            (
                format!("{:04}_{}.xml", n + 1, safe_name(&r.id)),
                xml::write_document(&record.to_element(), TextEncoding::Utf8),
            )
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    oqs_protocol::zip::stored_zip(
        &refs,
        &job.reception_number[..14.min(job.reception_number.len())],
    )
}
