//! システム障害 (ch.12 §1, ENV-15): the simulator refuses every request with its outage row
//! (docs/interface.md §2.9: HTTP 503, a `.err` file, the WebAPI's 503). The client shows that
//! text and falls back as the manual says (RULE-91); it never retries in a loop.

use crate::wire::WireStyle;
use crate::{Answer, Client, Exchanged, Mutant, Transport};
use oqs_protocol::Element;
use std::time::Duration;

/// Whether a rejection's text is the outage's (the `system-outage` row's message names
/// システム障害; its code is the simulator's and may be overridden).
pub(crate) fn is_outage(text: &str) -> bool {
    text.lines()
        .next()
        .is_some_and(|l| l.contains("システム障害"))
}

/// How often the retry-storm mutant sends the same request again.
pub(crate) const STORM_RETRIES: usize = 20;

impl Client {
    /// What the client does with an answer that says the system is down: the reference client
    /// shows it (the caller concludes from the rejection); the outage mutants stop with an error
    /// of their own, or retry in a loop.
    pub(crate) fn on_outage(
        &mut self,
        ex: Exchanged,
        request: &Element,
        file_id: &str,
        style: WireStyle,
    ) -> Result<Exchanged, String> {
        let Answer::Rejected(text) = &ex.answer else {
            return Ok(ex);
        };
        if !is_outage(text) {
            return Ok(ex);
        }
        match self.mutant {
            Some(Mutant::OutageCrash) => Err(format!("the client stopped on the answer: {text}")),
            Some(Mutant::OutageRetryStorm) => self.retry_storm(request, file_id, style),
            _ => Ok(ex),
        }
    }

    /// The mutant that retries in a loop while the system is down (RULE-91 asks for the
    /// fallback instead): the same request again and again, without a pause worth the name.
    fn retry_storm(
        &mut self,
        request: &Element,
        file_id: &str,
        style: WireStyle,
    ) -> Result<Exchanged, String> {
        let mut last = None;
        for n in 0..STORM_RETRIES {
            let id = format!("{file_id}r{n}");
            let ex = if self.transport == Transport::WebApi {
                self.send_webapi(request)?
            } else {
                self.send("OQSsiquc01req", &id, style.document(request))?
            };
            let down = matches!(&ex.answer, Answer::Rejected(t) if is_outage(t));
            last = Some(ex);
            if !down {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        last.ok_or_else(|| "no retry was made".to_owned())
    }
}
