//! Reading jobs: one by 受付番号, the newest of a kind (RULE-52), the result file (RULE-54), and
//! the fetch message (OQSmuquc02 / OQSmuimm02).

use super::character_code;
use super::job::Job;
use super::lock;
use super::prepare::owner_of;
use super::status::{JobKind, JobState};
use super::Jobs;
use crate::services::answer::Answered;
use bytes::Bytes;
use oqs_domain::inquiry::timestamp;
use oqs_protocol::bulk::{BulkResultHeader, FetchRequest};
use oqs_protocol::codes::SegmentOfResult;
use oqs_protocol::errors::ErrorKind;
use oqs_protocol::{Element, TextEncoding};
use std::time::{Duration, Instant};

/// Reading jobs: by 受付番号, the newest of a kind, the result file, the fetch message.
impl Jobs {
    /// A job by 受付番号.
    pub fn job(&self, reception_number: &str) -> Option<Job> {
        lock(&self.inner.state)
            .jobs
            .values()
            .find(|j| j.reception_number == reception_number)
            .cloned()
    }

    /// The newest jobs of a kind, newest first, at most `limit` (RULE-52: 3), for one facility
    /// or all.
    pub fn list(&self, kind: JobKind, facility: Option<&str>, limit: usize) -> Vec<Job> {
        lock(&self.inner.state)
            .jobs
            .values()
            .rev()
            .filter(|j| j.kind == kind && facility.is_none_or(|f| j.facility == f))
            .take(limit)
            .cloned()
            .collect()
    }

    /// The downloadable result of a job (RULE-54): its file name and bytes. `Err` says why not.
    pub fn result(&self, reception_number: &str) -> Result<(String, Bytes), ResultError> {
        let job = self.job(reception_number).ok_or(ResultError::NotFound)?;
        if !self.downloadable_now(&job) {
            return Err(ResultError::NotDownloadable(Box::new(job)));
        }
        let name = job.result_name.clone().unwrap_or_default();
        let stored = lock(&self.inner.state).results.get(&job.seq).cloned();
        let bytes = match (stored, &self.inner.store) {
            (Some(r), _) => r,
            (None, Some(store)) => match lock(store).result(job.seq) {
                Ok(Some(bytes)) => bytes.into(),
                Ok(None) => return Err(ResultError::Store("the result is missing".into())),
                Err(e) => return Err(ResultError::Store(e.to_string())),
            },
            (None, None) => return Err(ResultError::Store("the result is missing".into())),
        };
        Ok((name, bytes))
    }

    /// The result as the download saves it (RULE-54): [`Jobs::result`], except that JOB-03
    /// 訪問診療等 (`….zip`, §6.6) is a zip holding the result XML (`<処理ID>_<受付番号>.xml`).
    pub fn download(&self, reception_number: &str) -> Result<(String, Bytes), ResultError> {
        let (name, bytes) = self.result(reception_number)?;
        let visiting = self
            .job(reception_number)
            .is_some_and(|j| j.kind == JobKind::VisitingBulk);
        match name.strip_suffix(".zip").filter(|_| visiting) {
            Some(base) => {
                let stamp = self
                    .job(reception_number)
                    .and_then(|j| j.finished_at)
                    .map(timestamp)
                    .unwrap_or_default();
                let inner = format!("{base}.xml");
                let zip = oqs_protocol::zip::stored_zip(&[(inner.as_str(), &bytes)], &stamp);
                Ok((name, Bytes::from(zip)))
            }
            None => Ok((name, bytes)),
        }
    }

    /// Blocks until the job is final or `timeout` passes; returns the job as it then is.
    pub fn wait(&self, reception_number: &str, timeout: Duration) -> Option<Job> {
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.inner.state);
        loop {
            let job = st
                .jobs
                .values()
                .find(|j| j.reception_number == reception_number)
                .cloned()?;
            let now = Instant::now();
            if job.state.is_final() || now >= deadline {
                return Some(job);
            }
            st = self
                .inner
                .changed
                .wait_timeout(st, deadline - now)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// OQSmuquc02req / OQSmuimm02req: 2 while 待ち/中, 9 with the failure's error when failed, the
    /// stored result (byte-identical to the download) when done.
    pub fn fetch(
        &self,
        kind: JobKind,
        root: &Element,
        encoding: TextEncoding,
    ) -> (Answered, FetchNote) {
        let now = self.inner.clock.now();
        let req = FetchRequest::from_element(root);
        let header = oqs_protocol::header::header_of(root);
        let mut res = BulkResultHeader {
            process_execution_time: timestamp(now),
            qualification_confirmation_date: header.qualification_confirmation_date.clone(),
            medical_institution_code: header.medical_institution_code.clone(),
            arbitrary_file_identifier: header.arbitrary_file_identifier.clone(),
            reception_number: req.as_ref().ok().and_then(|r| r.reception_number.clone()),
            segment_of_result: SegmentOfResult::Abnormal,
            error_code: None,
            error_message: None,
            character_code: character_code(encoding),
            number_of_processing_result: None,
            number_of_normal_processing: None,
            number_of_error: None,
        };
        let fail = |res: &mut BulkResultHeader, k: ErrorKind| {
            let e = self.inner.errors.entry(k);
            res.segment_of_result = SegmentOfResult::Abnormal;
            res.error_code = Some(e.code.clone());
            res.error_message = Some(e.message.clone());
        };
        let req = match req {
            Ok(r) => r,
            Err(e) => {
                fail(&mut res, ErrorKind::MessageStructure);
                return (
                    Answered::new(res.to_document(Vec::new()), encoding),
                    FetchNote::error(res.error_code.clone(), e.to_string()),
                );
            }
        };
        if let Err(e) = req.header.validate() {
            fail(&mut res, e.kind);
            return (
                Answered::new(res.to_document(Vec::new()), encoding),
                FetchNote::error(res.error_code.clone(), e.to_string()),
            );
        }
        let facility = owner_of(&req.header);
        let number = req.reception_number.clone().unwrap_or_default();
        let job = self
            .job(&number)
            .filter(|j| j.kind == kind && j.facility == facility);
        let Some(job) = job else {
            fail(&mut res, ErrorKind::ReceptionNumber);
            return (
                Answered::new(res.to_document(Vec::new()), encoding),
                FetchNote::error(
                    res.error_code.clone(),
                    format!("no {} job \"{number}\" of facility {facility}", kind.key()),
                ),
            );
        };
        let note = FetchNote {
            error_code: job.error_code.clone(),
            detail: Some(format!(
                "{} {}",
                job.reception_number,
                job.state.status(kind)
            )),
        };
        match job.state {
            JobState::Waiting | JobState::Processing => {
                res.segment_of_result = SegmentOfResult::Processing;
                (Answered::new(res.to_document(Vec::new()), encoding), note)
            }
            JobState::Failed(_) => {
                res.segment_of_result = SegmentOfResult::Abnormal;
                res.error_code = job.error_code.clone();
                res.error_message = job.error_message.clone();
                (Answered::new(res.to_document(Vec::new()), encoding), note)
            }
            JobState::Done | JobState::DoneNeedsCheck => match self.result(&number) {
                Ok((_, bytes)) => {
                    res.segment_of_result = SegmentOfResult::Normal;
                    res.reception_number = Some(job.reception_number.clone());
                    res.number_of_processing_result = Some(job.processed);
                    res.number_of_normal_processing = Some(job.normal);
                    res.number_of_error = Some(job.errors);
                    let mut a = Answered::new(res.to_document(Vec::new()), job.encoding);
                    a.raw = Some(bytes);
                    (a, note)
                }
                Err(e) => {
                    fail(&mut res, ErrorKind::SystemError);
                    (
                        Answered::new(res.to_document(Vec::new()), encoding),
                        FetchNote::error(res.error_code.clone(), e.to_string()),
                    )
                }
            },
        }
    }
}

/// Why a result cannot be downloaded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ResultError {
    #[error("no such job")]
    NotFound,
    /// Not in 完了 / 完了（要確認）.
    #[error("the job is not finished")]
    NotDownloadable(Box<Job>),
    #[error("{0}")]
    Store(String),
}

/// What the journal keeps of a fetch.
#[derive(Debug, Clone, Default)]
pub struct FetchNote {
    pub error_code: Option<String>,
    pub detail: Option<String>,
}

impl FetchNote {
    fn error(code: Option<String>, detail: String) -> Self {
        FetchNote {
            error_code: code,
            detail: Some(detail),
        }
    }
}
