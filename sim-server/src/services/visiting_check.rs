//! The visiting/online individual inquiry as the operator screens make it (SCR-21 row, SCR-22
//! 《検索》 → SCR-23): the same OQSsihvq01req / OQSsionq01req through [`Simulator::handle_xml_by`]
//! as over XML/HTTP (journalled from `screen:<login id> SCR-2x`, recorded under the operator's
//! login id), the answer read back and kept for SCR-23 ([`VisitingResults`]). 《情報表示》 asks
//! again with the display consent (RULE-14: consent first); SCR-14's editor registers through
//! the one [`Simulator::register_reference_number`].
//!
//! [`VisitingResults`]: crate::services::visiting_results::VisitingResults

use crate::journal::Transport;
use crate::services::answer::Rejection;
use crate::services::simulator::Simulator;
use crate::services::visiting_list::message_of;
use crate::services::visiting_results::{AskedFrom, VisitingShown};
use crate::terminal::RequestError;
use oqs_protocol::result_read::read_result;
use oqs_protocol::visiting::{CareKind, VisitingInquiryRequest};

/// Which certificate 《情報表示》 shows (SCR-23 ④).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certificate {
    /// 限度額適用認定証.
    Limit,
    /// 特定疾病療養受療証.
    SpecificDisease,
}

impl Simulator {
    /// Asks `request` of `kind` for the operator `login_id` of `facility`; a result with a
    /// qualification is kept for SCR-23 (its `id` is then non-zero).
    pub fn visiting_check(
        &self,
        facility: &str,
        kind: CareKind,
        request: VisitingInquiryRequest,
        from: AskedFrom,
        login_id: &str,
    ) -> Result<VisitingShown, Rejection> {
        let screen = match from {
            AskedFrom::Consented => "SCR-21",
            AskedFrom::Inquiry => "SCR-22",
        };
        let shown = self.ask(facility, kind, request, from, login_id, screen)?;
        Ok(if shown.read.results.is_empty() {
            shown
        } else {
            self.visiting_results.keep(shown)
        })
    }

    fn ask(
        &self,
        facility: &str,
        kind: CareKind,
        request: VisitingInquiryRequest,
        from: AskedFrom,
        login_id: &str,
        screen: &str,
    ) -> Result<VisitingShown, Rejection> {
        let bytes = oqs_protocol::xml::write_document(
            &request.to_element(),
            oqs_protocol::TextEncoding::Utf8,
        );
        let source = format!("screen:{login_id} {screen}");
        let answered = self.handle_xml_by(
            message_of(kind),
            &bytes,
            Transport::Terminal,
            &source,
            Some(login_id),
        )?;
        Ok(VisitingShown {
            id: 0,
            facility: facility.to_owned(),
            kind,
            from,
            read: read_result(&answered.root),
            xml: answered.to_xml(),
            request,
        })
    }

    /// SCR-21: a row clicked (consent `consent` of `facility`). `None`: no such consent.
    pub fn consented_check(
        &self,
        facility: &str,
        consent: u32,
        login_id: &str,
    ) -> Option<Result<VisitingShown, Rejection>> {
        let (kind, req) = self.consent_request(facility, consent)?;
        Some(self.visiting_check(facility, kind, req, AskedFrom::Consented, login_id))
    }

    /// SCR-23 《情報表示》 → DLG-09 《OK》: result `id` asked again with the certificate's
    /// display consent (and the consents given before). `None`: no such kept result.
    pub fn visiting_show_certificate(
        &self,
        facility: &str,
        id: u64,
        which: Certificate,
        login_id: &str,
    ) -> Option<Result<VisitingShown, Rejection>> {
        let kept = self.visiting_results.get(facility, id)?;
        let mut req = kept.request.clone();
        match which {
            Certificate::Limit => {
                req.inquiry
                    .search
                    .limit_application_certificate_related_cons_flg = Some("1".into())
            }
            Certificate::SpecificDisease => req.specific_disease_consent = true,
        }
        Some(
            self.ask(facility, kept.kind, req, kept.from, login_id, "SCR-23")
                .map(|mut again| {
                    again.id = id;
                    self.visiting_results.replace(&again);
                    again
                }),
        )
    }

    /// SCR-14 on SCR-23: registers `value` as the 照会番号 of result `index` of kept result
    /// `id`; the kept result shows the new value. `Ok((dialog, step text))`.
    pub fn edit_visiting_reference(
        &self,
        facility: &str,
        id: u64,
        index: usize,
        value: &str,
        login_id: &str,
    ) -> Option<Result<(&'static str, &'static str), RequestError>> {
        let mut kept = self.visiting_results.get(facility, id)?;
        let r = kept.read.results.get(index)?.clone();
        let source = format!("screen:{login_id} SCR-14");
        Some(
            self.register_reference_number(facility, &r, value, &source)
                .inspect(|_| {
                    self.jobs
                        .references()
                        .patch(facility, &mut kept.read.results);
                    self.visiting_results.replace(&kept);
                }),
        )
    }
}
