//! 《調剤結果取得》 (FLOW-43) as the operator screen (SCR-33), the JSON route and the tray ask it:
//! the one [`Jobs::request_dispensing`] and a journal entry for it, as the OQSmudsp01req it stands
//! for (the message itself is journalled by [`Simulator::handle_xml`]). On SCR-33 the source is
//! `screen:<login id> SCR-33` and the job carries the operator's login id (issue 13: a request
//! made on a screen appears in the journal like any other).
//!
//! [`Jobs::request_dispensing`]: crate::jobs::Jobs

use crate::jobs::dispensing::{acquisition_request_xml, Refusal};
use crate::jobs::Job;
use crate::journal::Transport;
use crate::services::simulator::Simulator;
use oqs_protocol::naming::MessageId;
use oqs_protocol::TextEncoding;

impl Simulator {
    /// Requests the acquisition of `pharmacy`'s stored results of `start..end` (as typed,
    /// `YYYYMMDD`), journalled from `source`; `login_id`: the operator on SCR-33.
    pub fn request_dispensing(
        &self,
        pharmacy: &str,
        start: Option<&str>,
        end: Option<&str>,
        transport: Transport,
        source: &str,
        login_id: Option<&str>,
    ) -> Result<Job, Refusal> {
        let bytes = acquisition_request_xml(pharmacy, start, end);
        let message = MessageId::DispensingAcquisitionRequest.as_str();
        let mut entry = self.entry(transport, message, source, &bytes);
        entry.encoding = Some(TextEncoding::Utf8.label());
        let outcome =
            self.jobs
                .request_dispensing(self.population(), pharmacy, start, end, None, login_id);
        let (code, detail) = match &outcome {
            Ok(job) => (None, format!("accepted as {}", job.reception_number)),
            Err(r) => (
                Some(self.errors.entry(r.kind).code.as_str()),
                r.detail.clone(),
            ),
        };
        entry.close(&self.journal, "answered", code, Some(&detail), None);
        outcome
    }
}
