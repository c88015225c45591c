//! The `simulator` target: requests through the simulator's own entry points, as HTTP, the
//! exchange and the WebAPI deliver them. Input layout: byte 0 picks XML or JSON, byte 1 the
//! request message id, the rest is the body.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use oqs_protocol::bulk::FetchRequest;
use oqs_protocol::naming::MessageId;
use oqs_protocol::xml::{read_document, write_document};
use oqs_protocol::{json, Element, ErrorTable};
use sim_server::journal::Transport;
use sim_server::{Clock, Settings, Simulator};

use super::{self as targets, Target, UNLIMITED};

/// The request message ids, in the order byte 1 picks them.
pub fn request_ids() -> Vec<MessageId> {
    MessageId::ALL
        .iter()
        .copied()
        .filter(|m| m.response().is_some())
        .collect()
}

/// The message ids a request tree could be sent as (by its body's shape).
pub fn ids_for(tree: &Element) -> Vec<MessageId> {
    let body = tree.child("MessageBody");
    let has = |n: &str| body.is_some_and(|b| b.child(n).is_some());
    if has("ReceptionNumber") {
        vec![
            MessageId::BulkInquiryFetchRequest,
            MessageId::BulkRegistrationFetchRequest,
            MessageId::VisitingBulkFetchRequest,
            MessageId::OnlineBulkFetchRequest,
        ]
    } else if has("ReferenceNumberRegistrationInfo") {
        vec![
            MessageId::ReferenceNumberRequest,
            MessageId::BulkRegistrationSubmitRequest,
        ]
    } else {
        vec![
            MessageId::SingleInquiryRequest,
            MessageId::BulkInquirySubmitRequest,
            MessageId::VisitingInquiryRequest,
            MessageId::OnlineInquiryRequest,
            MessageId::ConsentCancelRequest,
            MessageId::VisitingBulkSubmitRequest,
            MessageId::OnlineBulkSubmitRequest,
        ]
    }
}

/// One simulator for the whole run, on a frozen clock; history kept small.
pub fn simulator() -> &'static Arc<Simulator> {
    static SIM: OnceLock<Arc<Simulator>> = OnceLock::new();
    SIM.get_or_init(|| {
        let settings = Settings {
            history_capacity: Some(1_000),
            journal_capacity: 1_000,
            ..Settings::default()
        };
        Arc::new(Simulator::new(
            Clock::frozen(targets::now()),
            ErrorTable::builtin(),
            settings,
        ))
    })
}

/// How long a bulk job may take before the harness calls it stuck.
const JOB_PATIENCE: Duration = Duration::from_secs(30);

pub(crate) fn run(data: &[u8]) {
    let [transport, pick, body @ ..] = data else {
        return;
    };
    let ids = request_ids();
    let message = ids[usize::from(*pick) % ids.len()];
    let sim = simulator();
    let as_json = transport % 2 == 1;
    let answered = if as_json {
        sim.handle_json(message, body, "fuzz")
    } else {
        sim.handle_xml(message.as_str(), body, Transport::HttpXml, "fuzz")
    };
    let Ok(answered) = answered else {
        return;
    };
    // Every answer is a message the simulator itself can read.
    if as_json {
        let mirrored = json::to_json(&answered.root);
        json::from_json(&mirrored)
            .unwrap_or_else(|e| panic!("a JSON answer does not read back: {e}"));
    } else {
        let bytes = match &answered.raw {
            Some(raw) => raw.to_vec(),
            None => write_document(&answered.root, answered.encoding),
        };
        read_document(&bytes, UNLIMITED)
            .unwrap_or_else(|e| panic!("an XML answer does not read back: {e}"));
    }
    // A bulk job accepted: fetch it until it is final.
    let fetch = match message {
        MessageId::BulkInquirySubmitRequest => MessageId::BulkInquiryFetchRequest,
        MessageId::BulkRegistrationSubmitRequest => MessageId::BulkRegistrationFetchRequest,
        MessageId::VisitingBulkSubmitRequest => MessageId::VisitingBulkFetchRequest,
        MessageId::OnlineBulkSubmitRequest => MessageId::OnlineBulkFetchRequest,
        _ => return,
    };
    let body = answered.root.child("MessageBody");
    let Some(reception) = body.and_then(|b| b.child_text("ReceptionNumber")) else {
        return;
    };
    let header = answered.root.child("MessageHeader");
    let request = FetchRequest {
        header: oqs_protocol::message::RequestHeader {
            medical_institution_code: header
                .and_then(|h| h.child_text("MedicalInstitutionCode"))
                .map(str::to_owned),
            ..Default::default()
        },
        reception_number: Some(reception.to_owned()),
    };
    let bytes = write_document(&request.to_element(), oqs_protocol::TextEncoding::Utf8);
    let started = Instant::now();
    loop {
        let answer = sim
            .handle_xml(fetch.as_str(), &bytes, Transport::HttpXml, "fuzz")
            .unwrap_or_else(|r| panic!("fetching an accepted job was rejected: {}", r.detail));
        let segment = answer
            .root
            .child("MessageHeader")
            .and_then(|h| h.child_text("SegmentOfResult"))
            .unwrap_or("")
            .to_owned();
        if segment != "2" {
            targets::reached(Target::Simulator);
            if let Some(raw) = &answer.raw {
                read_document(raw, UNLIMITED)
                    .unwrap_or_else(|e| panic!("a bulk result does not read back: {e}"));
            }
            return;
        }
        assert!(
            started.elapsed() < JOB_PATIENCE,
            "a bulk job is still being processed after {JOB_PATIENCE:?}"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}
