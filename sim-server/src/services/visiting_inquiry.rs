//! The visiting/online messages (ch.3), whatever way they came in: OQSsihvq01req (訪問診療等)
//! and OQSsionq01req (オンライン診療等) individual inquiries (FLOW-32), OQSsihvd01req consent
//! cancellation (FLOW-35, 訪問診療等 only, RULE-64). Judged by `oqs_domain::visiting_inquiry`;
//! the result is the single inquiry's layout with the facility's 照会番号 and the consent table
//! (`ViewingConsentList`) appended to its body, and no medical information (RULE-56). A judged
//! inquiry is recorded in the 資格確認履歴 like the single inquiry (被保険者証・医療券/調剤券: the
//! card was typed, DM-17); a cancellation is not a confirmation and is not recorded.

use crate::journal::Transport;
use crate::services::answer::Answered;
use crate::services::inquiry::JournalNote;
use crate::services::simulator::Simulator;
use oqs_domain::inquiry::{self, today};
use oqs_domain::visiting_inquiry::answer_visiting_inquiry;
use oqs_protocol::message::BODY;
use oqs_protocol::naming::MessageId;
use oqs_protocol::visiting::{consent_list, CareKind, VisitingInquiryRequest, CANCEL_DONE};
use oqs_protocol::{Element, ErrorKind, TextEncoding};

impl Simulator {
    /// Answers a visiting/online request tree (`message` is one of the three request ids).
    pub(crate) fn answer_visiting(
        &self,
        message: MessageId,
        root: &Element,
        encoding: TextEncoding,
        transport: Transport,
        login_id: Option<&str>,
    ) -> (Answered, JournalNote) {
        let now = self.clock.now();
        let req = match VisitingInquiryRequest::from_element(root) {
            Ok(r) => r,
            Err(e) => {
                let res = inquiry::structure_error(now, encoding, &self.errors);
                let note = JournalNote::error(res.header.error_code.clone(), e.to_string());
                return (Answered::new(res.to_element(), encoding), note);
            }
        };
        let kind = match message {
            MessageId::OnlineInquiryRequest => CareKind::Online,
            _ => CareKind::Visiting,
        };
        let pop = self.population();
        let cancellations = self.jobs.cancellations();
        let mut v = answer_visiting_inquiry(&pop, &req, kind, encoding, now, &self.errors, &|id| {
            cancellations.cancelled_on(&pop, id)
        });
        let ok = v.answer.error.is_none()
            && v.answer.response.header.error_code.is_none()
            && v.consent.is_some();
        if message == MessageId::ConsentCancelRequest && ok {
            if let Some(id) = v.consent {
                let day = today(now);
                if cancellations.cancel(&pop, id, day) {
                    v.rows = pop.consent(id).rows(Some(day), day);
                    if let Some(body) = v.answer.response.body.as_mut() {
                        body.processing_result_message = Some(CANCEL_DONE.to_owned());
                    }
                } else {
                    let res = inquiry::structure_error(now, encoding, &self.errors);
                    let e = self.errors.entry(ErrorKind::SystemError);
                    let mut res = res;
                    res.header.error_code = Some(e.code.clone());
                    res.header.error_message = Some(e.message.clone());
                    let note = JournalNote::error(
                        Some(e.code.clone()),
                        "too many consent cancellations kept".into(),
                    );
                    return (Answered::new(res.to_element(), encoding), note);
                }
            }
        }
        if let (Some(body), Some(facility)) = (
            v.answer.response.body.as_mut(),
            v.answer.response.header.medical_institution_code.as_deref(),
        ) {
            // The facility's registered 照会番号 (SCR-23 / SCR-28 show it).
            self.jobs
                .references()
                .patch(facility.trim(), &mut body.results);
        }
        if message != MessageId::ConsentCancelRequest {
            let login_id = login_id.unwrap_or_else(|| {
                crate::history::login_id_for(transport, &self.settings.webapi_user)
            });
            self.history
                .record_single_inquiry(&v.answer.response, now, login_id);
        }
        let code = v.answer.response.header.error_code.clone().or_else(|| {
            v.answer
                .response
                .body
                .as_ref()
                .and_then(|b| b.processing_result_code.clone())
        });
        let note = JournalNote {
            error_code: code,
            error_detail: v.answer.error.as_ref().map(|e| e.to_string()),
            validity: inquiry::validity_of(&v.answer).map(|c| c.code()),
        };
        let mut root = v.answer.response.to_element();
        if !v.rows.is_empty() {
            if let Some(body) = root.children.iter_mut().find(|c| c.name == BODY) {
                body.children.push(consent_list(&v.rows));
            }
        }
        (Answered::new(root, v.answer.encoding), note)
    }
}
