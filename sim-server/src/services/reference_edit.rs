//! SCR-14 照会番号 editor on SCR-10 (ch.7 §2): 《登録》 / 《更新》 of the 照会番号 of a recent
//! confirmation's card, an empty value deleting it. The one decision for the terminal's JSON
//! route and the operator screen: registered as OQSsiimm01 through [`Simulator::handle_xml`]
//! (journalled, stored by the job engine's registration), then the kept confirmation shows the
//! new value (RULE-51). 「※資格無効の情報でも照会番号の登録はできます。」 (RULE-50).

use crate::journal::Transport;
use crate::services::simulator::Simulator;
use crate::terminal::{refresh_reference_numbers, RequestError};
use oqs_protocol::header::RequestHeader;
use oqs_protocol::message::QualificationResult;
use oqs_protocol::registration::{RegistrationInfo, SingleRegistrationRequest};
use oqs_protocol::texts;

/// What an edit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceEdited {
    pub confirmation: u64,
    /// The value now registered (empty: deleted).
    pub reference_number: String,
    /// DLG-10 (登録), DLG-11 (更新) or DLG-12 (削除); all three show DLG-10's text (AMB-68).
    pub dialog: &'static str,
    /// The step text after 《OK》 (「照会番号が登録されました。」 …).
    pub message: &'static str,
}

/// Why an edit was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditRefused {
    /// No recent confirmation with this number.
    NotFound(u64),
    /// The confirmation shows no qualification, or the registration was refused.
    Refused(RequestError),
}

impl Simulator {
    /// Registers `value` (trimmed; empty deletes) as the 照会番号 of result `index` of recent
    /// confirmation `id`. `login_id`: the operator's, when made on a screen (journal source).
    pub fn edit_reference_number(
        &self,
        id: u64,
        index: usize,
        value: &str,
        login_id: Option<&str>,
    ) -> Result<ReferenceEdited, EditRefused> {
        let refused = |m: String| EditRefused::Refused(RequestError(m));
        let c = self
            .terminal
            .confirmation(id)
            .ok_or(EditRefused::NotFound(id))?;
        let r = c
            .result
            .as_ref()
            .and_then(|res| res.body.as_ref())
            .and_then(|b| b.results.get(index))
            .ok_or_else(|| {
                refused("this confirmation shows no qualification to give a 照会番号".into())
            })?;
        let source = match login_id {
            Some(l) => format!("screen:{l} SCR-14"),
            None => "SCR-14".to_owned(),
        };
        let (dialog, message) = self
            .register_reference_number(&c.facility, r, value, &source)
            .map_err(EditRefused::Refused)?;
        refresh_reference_numbers(&self.terminal_context(), id);
        Ok(ReferenceEdited {
            confirmation: id,
            reference_number: value.trim().to_owned(),
            dialog,
            message,
        })
    }

    /// Registers `value` (trimmed; empty deletes) as the facility's 照会番号 of the card of
    /// result `r` (OQSsiimm01 through [`Simulator::handle_xml`], journalled from `source`):
    /// the dialog (DLG-10 / DLG-11 / DLG-12) and the step text after its 《OK》. SCR-10's and
    /// SCR-23's editors both come here.
    pub fn register_reference_number(
        &self,
        facility: &str,
        r: &QualificationResult,
        value: &str,
        source: &str,
    ) -> Result<(&'static str, &'static str), RequestError> {
        let value = value.trim();
        let trimmed = |v: &Option<String>| v.as_deref().map(|v| v.trim().to_owned());
        let request = SingleRegistrationRequest {
            header: RequestHeader {
                medical_institution_code: Some(facility.to_owned()),
                ..Default::default()
            },
            info: RegistrationInfo {
                reference_number: Some(value.to_owned()),
                insurer_number: trimmed(&r.insurer_number),
                insured_card_symbol: trimmed(&r.insured_card_symbol),
                insured_identification_number: trimmed(&r.insured_identification_number),
                insured_branch_number: trimmed(&r.insured_branch_number),
            },
        };
        let xml = oqs_protocol::xml::write_document(
            &request.to_element(),
            oqs_protocol::TextEncoding::Utf8,
        );
        let answered = self
            .handle_xml("OQSsiimm01req", &xml, Transport::Terminal, source)
            .map_err(|e| RequestError(format!("{} {}", e.code, e.message)))?;
        let body = answered.root.child("MessageBody");
        if body.and_then(|b| b.child_text("ProcessingResultStatus")) != Some("1") {
            let msg = body
                .and_then(|b| b.child_text("ProcessingResultMessage"))
                .unwrap_or_default();
            return Err(RequestError(msg.to_owned()));
        }
        let before = r.reference_number.as_deref().unwrap_or_default();
        Ok(if value.is_empty() {
            ("DLG-12", texts::REFERENCE_NUMBER_DELETED)
        } else if before.is_empty() {
            ("DLG-10", texts::REFERENCE_NUMBER_REGISTERED)
        } else {
            ("DLG-11", texts::REFERENCE_NUMBER_UPDATED)
        })
    }
}
