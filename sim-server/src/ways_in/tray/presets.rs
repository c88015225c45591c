//! 《準備》 of an exercise ([`Setup`]): each through the service that owns the state — the
//! terminal (as the tray's own forms), the accounts, the clock, the job engine — so a dialog the
//! trainer then meets comes from the same rule as anywhere else; nothing here decides a dialog.

use super::exercises::{Preset, Setup};
use crate::journal::Transport;
use crate::services::accounts::sessions::IDLE_TIMEOUT;
use crate::simulator::Simulator;
use crate::terminal::{topology, ReaderKind, RequestError};
use crate::ways_in::terminal::{insert_card, CardBody};
use oqs_protocol::bulk::BulkInquiryRequest;
use oqs_protocol::errors::ErrorKind;
use oqs_protocol::header::RequestHeader;
use oqs_protocol::search::SearchInfo;
use oqs_protocol::{xml, TextEncoding};
use std::time::Duration;

/// Longest wait for the bulk inquiries of [`Setup::HistoryOverLimit`].
const JOB_WAIT: Duration = Duration::from_secs(60);
/// More bulk files than this (a tiny `--bulk-row-limit`) are not sent.
const MAX_JOBS: usize = 16;

/// Prepares `setup`; the confirmation a face reader ran, if any. Blocking (cards, jobs).
pub fn apply(sim: &Simulator, setup: &Setup) -> Result<Option<u64>, String> {
    let now = sim.clock.now();
    let account = |id: &str| {
        sim.accounts
            .restore(id)
            .then_some(())
            .ok_or_else(|| format!("no account {id}"))
    };
    match setup {
        Setup::Terminal(p) => terminal(sim, p).map_err(|e| e.0),
        Setup::LockedAccount(id) => {
            account(id)?;
            sim.accounts
                .lock_out(id, now)
                .map(|_| None)
                .ok_or_else(|| format!("{id} could not be locked"))
        }
        Setup::FixtureAccount(id) => account(id).map(|()| None),
        Setup::ExpiredPassword(id) => {
            account(id)?;
            match sim.accounts.password_expiry(id, now) {
                Some((true, _)) => Ok(None),
                Some((false, Some(at))) => {
                    sim.clock.move_to(at);
                    Ok(None)
                }
                _ => Err(format!("{id}'s password never expires")),
            }
        }
        Setup::IdleTimeout => {
            sim.clock.move_to(now + IDLE_TIMEOUT);
            Ok(None)
        }
        Setup::LoggedInElsewhere(id) => sim
            .accounts
            .log_in_elsewhere(id, now)
            .map(|_| None)
            .ok_or_else(|| format!("no account {id}")),
        Setup::ClockAt(at) => {
            sim.clock.set(crate::clock::parse_now(at)?, false);
            Ok(None)
        }
        Setup::Outage => {
            sim.outage.start(now, None);
            Ok(None)
        }
        Setup::HistoryOverLimit(facility) => history_over_limit(sim, facility).map(|()| None),
        Setup::DispensingRequested {
            pharmacy,
            start,
            end,
        } => {
            let day = |d: &str| d.replace('/', "");
            let requested = sim.request_dispensing(
                pharmacy,
                Some(&day(start)),
                Some(&day(end)),
                Transport::HttpXml,
                "tray",
                None,
            );
            match requested {
                Ok(_) => Ok(None),
                // Requested already today: the state ERR-30 needs is there.
                Err(r) if r.kind == ErrorKind::DispensingSameConditions => Ok(None),
                Err(r) => Err(r.detail),
            }
        }
    }
}

/// Readers, cards, mode and fault, as the tray's own forms set them.
fn terminal(s: &Simulator, preset: &Preset) -> Result<Option<u64>, RequestError> {
    let readers = topology(preset.topology)
        .ok_or_else(|| RequestError(format!("unknown topology {}", preset.topology)))?;
    s.terminal.set_fault(None);
    s.terminal.set_readers(readers);
    if let Some(mode) = preset.face_mode {
        for r in s.terminal.readers() {
            if r.kind == ReaderKind::Face {
                s.terminal.set_face_mode(r.index, mode)?;
            }
        }
    }
    s.terminal.set_fault(preset.fault.clone());
    let mut shown = None;
    for (index, profile) in preset.cards {
        let card = CardBody {
            person: preset.person.map(str::to_owned),
            ..CardBody::default()
        };
        let v = insert_card(s, *index, profile, card)?;
        shown = v["confirmation"]["confirmation"].as_u64().or(shown);
    }
    Ok(shown)
}

/// RULE-58's limit + 1 rows of bulk inquiry (JOB-01) for `facility`, sent as a 連携アプリケーション
/// sends them (`Simulator::handle_xml`) and answered by the job engine, which records each row
/// in the 資格確認履歴 (新橋 太郎's card, on the clock's day).
fn history_over_limit(sim: &Simulator, facility: &str) -> Result<(), String> {
    let wanted = crate::history::SEARCH_LIMIT + 1;
    let per_file = sim.jobs.settings().row_limit.clamp(1, wanted);
    if wanted.div_ceil(per_file) > MAX_JOBS {
        return Err(format!(
            "--bulk-row-limit {per_file} would need more than {MAX_JOBS} bulk files"
        ));
    }
    let row = SearchInfo {
        insurer_number: Some("06139000".into()),
        insured_card_symbol: Some("9000".into()),
        insured_identification_number: Some("10001".into()),
        insured_branch_number: Some("01".into()),
        birthdate: Some("19540326".into()),
        limit_application_certificate_related_cons_flg: Some("0".into()),
        arbitrary_identifier: None,
    };
    let mut numbers = Vec::new();
    let mut left = wanted;
    while left > 0 {
        let rows = left.min(per_file);
        left -= rows;
        let req = BulkInquiryRequest {
            header: RequestHeader {
                medical_institution_code: Some(facility.to_owned()),
                arbitrary_file_identifier: Some("tray".into()),
                ..RequestHeader::default()
            },
            rows: vec![row.clone(); rows],
        };
        let bytes = xml::write_document(&req.to_element(), TextEncoding::Utf8);
        let answered = sim
            .handle_xml("OQSmuquc01req", &bytes, Transport::HttpXml, "tray")
            .map_err(|r| format!("{} {}: {}", r.code, r.message, r.detail))?;
        let number = answered
            .root
            .child("MessageBody")
            .and_then(|b| b.child_text("ReceptionNumber"))
            .map(str::to_owned)
            .ok_or("the bulk inquiry was not accepted (システムエラー?)")?;
        numbers.push(number);
    }
    for n in numbers {
        let job = sim.jobs.wait(&n, JOB_WAIT).ok_or("the bulk job is gone")?;
        if !job.state.downloadable() {
            return Err(format!(
                "bulk job {n} is {:?} (job pacing or fault set on the tray?)",
                job.state
            ));
        }
    }
    Ok(())
}
