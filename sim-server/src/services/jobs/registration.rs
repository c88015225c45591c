//! 照会番号 (reference numbers, ch.7): the facilities' registrations, the single registration
//! (OQSsiimm01req, FLOW-23..25) and the bulk registration (JOB-02, OQSmuimm). The registrations
//! themselves are kept by [`crate::services::references::ReferenceNumbers`].

use super::{lock, Inner, Jobs, Outcome};
use crate::services::answer::Answered;
use crate::services::references::{RefKey, MAX_REFERENCE_NUMBERS};
use oqs_domain::inquiry::timestamp;
use oqs_domain::Population;
use oqs_protocol::codes::{CharacterCode, ProcessingResultStatus, SegmentOfResult};
use oqs_protocol::errors::{ErrorKind, ErrorTable};
use oqs_protocol::registration::{
    BulkRegistrationRequest, RegistrationInfo, RegistrationOutcome, RegistrationResponse,
    SingleRegistrationRequest,
};
use oqs_protocol::texts;
use oqs_protocol::{Element, TextEncoding};
use std::collections::HashSet;

/// What a registration did (the step texts of SCR-14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Registered,
    Updated,
    Deleted,
}

impl Change {
    /// 「照会番号が登録されました。」 etc.
    pub fn text(self) -> &'static str {
        match self {
            Change::Registered => texts::REFERENCE_NUMBER_REGISTERED,
            Change::Updated => texts::REFERENCE_NUMBER_UPDATED,
            Change::Deleted => texts::REFERENCE_NUMBER_DELETED,
        }
    }
}

fn row_error(errors: &ErrorTable, info: &RegistrationInfo, kind: ErrorKind) -> RegistrationOutcome {
    let e = errors.entry(kind);
    RegistrationOutcome {
        info: info.clone(),
        processing_result_status: ProcessingResultStatus::Error,
        processing_result_code: Some(e.code.clone()),
        processing_result_message: Some(e.message.clone()),
    }
}

/// The rows of a bulk registration file so far: the cards seen (a repeated card is a row
/// error) and the 照会番号 not yet written to the store (written in chunks by [`process`]).
#[derive(Default)]
pub(crate) struct BulkFile {
    seen: HashSet<RefKey>,
    unwritten: Vec<(RefKey, Option<Box<str>>)>,
}

/// Rows written to `jobs.sqlite` per transaction by a bulk registration.
const WRITE_CHUNK: usize = 1000;

/// One registration, single or bulk row: validate, find the card, register. A single
/// registration (`bulk` is `None`) is written to the store at once. This is the one place a
/// row's outcome is produced (the history hook goes here).
pub(crate) fn register_row(
    inner: &Inner,
    pop: &Population,
    facility: &str,
    info: &RegistrationInfo,
    bulk: Option<&mut BulkFile>,
) -> (RegistrationOutcome, Option<Change>, Option<String>) {
    let errors = &inner.errors;
    let v = match info.validate() {
        Ok(v) => v,
        Err(e) => return (row_error(errors, info, e.kind), None, Some(e.to_string())),
    };
    // The card: exactly this 枝番, or without 枝番 the one 枝番 the card key has.
    let ids: Vec<_> = pop
        .qualifications_by_card(v.insurer_number, v.symbol.as_deref(), &v.number)
        .filter(|&id| {
            v.branch.is_none() || pop.qualification(id).branch.as_deref() == v.branch.as_deref()
        })
        .collect();
    let mut branches: Vec<Option<&str>> = ids
        .iter()
        .map(|&id| pop.qualification(id).branch.as_deref())
        .collect();
    branches.sort();
    branches.dedup();
    let (id, branch) = match (ids.first(), branches.as_slice()) {
        (Some(&id), [b]) => (id, b.unwrap_or("")),
        (None, _) => {
            return (
                row_error(errors, info, ErrorKind::RegistrationNotFound),
                None,
                Some("no qualification has this card".into()),
            )
        }
        _ => {
            return (
                row_error(errors, info, ErrorKind::RegistrationMultiple),
                None,
                Some(format!(
                    "{} cards share this key; give 枝番",
                    branches.len()
                )),
            )
        }
    };
    let key = RefKey {
        facility: facility.into(),
        insurer: v.insurer_number.0,
        symbol: v.symbol.as_deref().unwrap_or("").into(),
        number: v.number.as_str().into(),
        branch: branch.into(),
    };
    let mut unwritten = None;
    if let Some(file) = bulk {
        unwritten = Some(&mut file.unwritten);
        if !file.seen.insert(key.clone()) {
            return (
                row_error(errors, info, ErrorKind::RegistrationDuplicate),
                None,
                Some("an earlier row of the file names the same card".into()),
            );
        }
    }
    let before = match inner.references.get(&key) {
        Some(v) => v,
        None => pop.reference_number(facility, id).map(str::to_owned),
    };
    let change = match (&before, &v.reference_number) {
        (_, None) => Change::Deleted,
        (None, Some(_)) => Change::Registered,
        (Some(_), Some(_)) => Change::Updated,
    };
    {
        let mut map = inner.references.write();
        if map.len() >= MAX_REFERENCE_NUMBERS && !map.contains_key(&key) {
            drop(map);
            return (
                row_error(errors, info, ErrorKind::SystemError),
                None,
                Some(format!("more than {MAX_REFERENCE_NUMBERS} registrations")),
            );
        }
        match (&inner.store, unwritten) {
            (Some(_), Some(rows)) => {
                rows.push((key.clone(), v.reference_number.as_deref().map(Into::into)));
            }
            (Some(store), None) => {
                if let Err(e) = lock(store).put_reference(&key, v.reference_number.as_deref()) {
                    return (
                        row_error(errors, info, ErrorKind::SystemError),
                        None,
                        Some(e.to_string()),
                    );
                }
            }
            (None, _) => {}
        }
        map.insert(key, v.reference_number.as_deref().map(Into::into));
    }
    (
        RegistrationOutcome {
            info: info.clone(),
            processing_result_status: ProcessingResultStatus::Normal,
            processing_result_code: None,
            processing_result_message: None,
        },
        Some(change),
        None,
    )
}

/// What the journal keeps of a single registration.
#[derive(Debug, Clone, Default)]
pub struct RegistrationNote {
    pub error_code: Option<String>,
    pub detail: Option<String>,
    pub change: Option<Change>,
}

impl Jobs {
    /// OQSsiimm01req: registers, updates or (empty value) deletes one 照会番号 at once, also for a
    /// qualification that is no longer valid (RULE-50).
    pub fn register_single(
        &self,
        pop: &Population,
        root: &Element,
        encoding: TextEncoding,
    ) -> (Answered, RegistrationNote) {
        let inner = &self.inner;
        let now = inner.clock.now();
        let header = oqs_protocol::header::header_of(root);
        let mut res = RegistrationResponse {
            process_execution_time: timestamp(now),
            medical_institution_code: header.medical_institution_code.clone(),
            arbitrary_file_identifier: header.arbitrary_file_identifier.clone(),
            segment_of_result: SegmentOfResult::Normal,
            error_code: None,
            error_message: None,
            character_code: match encoding {
                TextEncoding::Utf8 => CharacterCode::Utf8,
                TextEncoding::ShiftJis => CharacterCode::ShiftJis,
            },
            body: None,
        };
        let header_error = |res: &mut RegistrationResponse, kind: ErrorKind, detail: String| {
            let e = inner.errors.entry(kind);
            res.segment_of_result = SegmentOfResult::Abnormal;
            res.error_code = Some(e.code.clone());
            res.error_message = Some(e.message.clone());
            RegistrationNote {
                error_code: res.error_code.clone(),
                detail: Some(detail),
                change: None,
            }
        };
        let req = match SingleRegistrationRequest::from_element(root) {
            Ok(r) => r,
            Err(e) => {
                let note = header_error(&mut res, ErrorKind::MessageStructure, e.to_string());
                return (Answered::new(res.to_element(), encoding), note);
            }
        };
        let valid = match req.header.validate() {
            Ok(v) => v,
            Err(e) => {
                let note = header_error(&mut res, e.kind, e.to_string());
                return (Answered::new(res.to_element(), encoding), note);
            }
        };
        let encoding = match valid.character_code {
            Some(CharacterCode::Utf8) => TextEncoding::Utf8,
            Some(CharacterCode::ShiftJis) => TextEncoding::ShiftJis,
            None => encoding,
        };
        if let Some(c) = valid.character_code {
            res.character_code = c;
        }
        let (outcome, change, detail) =
            register_row(inner, pop, valid.medical_institution_code, &req.info, None);
        let note = RegistrationNote {
            error_code: outcome.processing_result_code.clone(),
            detail: detail.or_else(|| change.map(|c| c.text().to_owned())),
            change,
        };
        res.body = Some(outcome);
        (Answered::new(res.to_element(), encoding), note)
    }
}

/// JOB-02: every row registered in file order; a row that cannot be registered makes the job
/// 登録完了（要確認）. `None` when a fault stopped the job.
pub(crate) fn process(
    inner: &Inner,
    job: &super::Job,
    req: &BulkRegistrationRequest,
    pop: &Population,
    facility: &str,
) -> Option<Outcome> {
    let mut file = BulkFile::default();
    // Rows are registered in memory at once and written to the store in chunks: a failed write
    // fails the job (システムエラー); a job cut short is run again from its first row on restart.
    let write = |file: &mut BulkFile| match &inner.store {
        Some(store) if !file.unwritten.is_empty() => {
            let r = lock(store).put_references(&file.unwritten);
            file.unwritten.clear();
            r.is_ok()
        }
        _ => true,
    };
    let mut out = Outcome {
        fragments: Vec::with_capacity(req.rows.len()),
        normal: 0,
        errors: 0,
        needs_check: false,
    };
    for (i, row) in req.rows.iter().enumerate() {
        let (outcome, _, _) = register_row(inner, pop, facility, row, Some(&mut file));
        if outcome.needs_check() {
            out.errors += 1;
            out.needs_check = true;
        } else {
            out.normal += 1;
        }
        out.fragments
            .push(super::fragment(outcome.to_unit_element()));
        if file.unwritten.len() >= WRITE_CHUNK && !write(&mut file) {
            return None;
        }
        if !inner.row_done(job.seq, i + 1) {
            // Memory and store agree on the rows done before the fault.
            write(&mut file);
            return None;
        }
    }
    write(&mut file).then_some(out)
}
