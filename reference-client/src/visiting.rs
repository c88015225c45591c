//! 訪問診療等・オンライン診療等 (ch.3, docs/interface.md §2.7): the individual inquiry
//! (`OQSsihvq01req` / `OQSsionq01req`, FLOW-32), the consent cancellation (`OQSsihvd01req`,
//! FLOW-35) and the JOB-03 bulk (`OQSmuhvq01/02req` / `OQSmuonq01/02req`, FLOW-33/34) whose
//! conditions are date ranges and the 診療区分 flag only: it asks for qualifications, never for
//! medical information (RULE-56).

use crate::{wire, Answer, Client, Mutant, NO_ANSWER};
use oqs_adapter_protocol::{BulkConclusion, Conclusion, InsuranceCard};
use oqs_protocol::texts::job_status;
use oqs_protocol::visiting::CANCEL_DONE;
use oqs_protocol::Element;

/// The search conditions of a JOB-03 bulk (dates YYYYMMDD as given).
#[derive(Debug, Clone, Default)]
pub struct BulkConditions {
    pub consent_from: Option<String>,
    pub consent_to: Option<String>,
    pub examination_from: Option<String>,
    pub examination_to: Option<String>,
}

/// `true` for オンライン診療等, `false` for 訪問診療等.
fn is_online(care: &str) -> Result<bool, String> {
    match care.trim() {
        "訪問診療等" => Ok(false),
        "オンライン診療等" => Ok(true),
        other => Err(format!(
            "診療区分 \"{other}\": 訪問診療等 or オンライン診療等"
        )),
    }
}

impl Client {
    /// One card message of ch.3 (the single inquiry's envelope and search info).
    fn card_message(
        &mut self,
        message: &str,
        card: &InsuranceCard,
        confirmation_date: Option<&str>,
    ) -> Result<(Conclusion, Option<Element>), String> {
        let style = self.style();
        let file_id = self.next_id();
        let header = style.header(self.facility(), confirmation_date, &file_id);
        let search = style.search_info(card, false, &format!("{file_id}-1"));
        let doc = style.document(&wire::message(&header, vec![search.to_element()]));
        let ex = self.send(message, &file_id, doc)?;
        let (mut c, root) = match ex.answer {
            Answer::Document(root) => (wire::conclusion_from_single(&root, style), Some(root)),
            Answer::Rejected(text) => (wire::rejection(&text), None),
            Answer::Missing => (
                Conclusion {
                    message: Some(NO_ANSWER.into()),
                    ..Conclusion::default()
                },
                None,
            ),
        };
        c.files = ex.files;
        Ok((c, root))
    }

    /// 資格情報照会 (訪問診療等・オンライン診療等): the message of the 診療区分; RULE-33 and the
    /// consent (RULE-67) are the simulator's to judge, and its refusal is shown as it comes.
    pub fn visiting_inquiry(
        &mut self,
        card: &InsuranceCard,
        care: &str,
        confirmation_date: Option<&str>,
    ) -> Result<Conclusion, String> {
        let online = is_online(care)? && !self.is(Mutant::VisitingWrongMessage);
        let message = match (online, self.is(Mutant::VisitingAsSingleInquiry)) {
            (_, true) => "OQSsiquc01req",
            (true, false) => "OQSsionq01req",
            (false, false) => "OQSsihvq01req",
        };
        let (c, _) = self.card_message(message, card, confirmation_date)?;
        if self.is(Mutant::VisitingBranchFallback) && c.error_code.as_deref() == Some("EQ0301") {
            // The mutant falls back to the ordinary inquiry, where 枝番 may be left out.
            return self.check_insurance_card(card, false, confirmation_date);
        }
        Ok(c)
    }

    /// 同意取消 (訪問診療等 only, RULE-64): the result's ProcessingResultMessage is what
    /// SCR-28 / DLG-19 shows.
    pub fn cancel_visiting_consent(&mut self, card: &InsuranceCard) -> Result<Conclusion, String> {
        if self.is(Mutant::ConsentCancelNotSent) {
            return Ok(Conclusion {
                message: Some(CANCEL_DONE.into()),
                ..Conclusion::default()
            });
        }
        let (mut c, root) = self.card_message("OQSsihvd01req", card, None)?;
        let body = root.as_ref().and_then(|r| r.child("MessageBody"));
        let done = body
            .and_then(|b| b.child_text("ProcessingResultStatus"))
            .map(str::trim)
            == Some("1");
        if done {
            c.message = body
                .and_then(|b| b.child_text("ProcessingResultMessage"))
                .map(|m| m.trim().to_owned());
        }
        Ok(c)
    }

    /// JOB-03: the conditions, then the job's rows (the polling of JOB-01).
    pub fn visiting_bulk_inquiry(
        &mut self,
        care: &str,
        conditions: &BulkConditions,
        confirmation_date: Option<&str>,
    ) -> Result<BulkConclusion, String> {
        let online = is_online(care)?;
        let style = self.style();
        let file_id = self.next_id();
        let header = style.header(self.facility(), confirmation_date, &file_id);
        let mut info = Element::new("QualificationConfirmSearchInfo");
        for (name, value) in [
            ("ConsentDateFrom", &conditions.consent_from),
            ("ConsentDateTo", &conditions.consent_to),
            ("ExaminationDateFrom", &conditions.examination_from),
            ("ExaminationDateTo", &conditions.examination_to),
        ] {
            info.push_opt(name, value.as_deref().map(|d| style.date(d)));
        }
        // MedicalTreatmentFlag: 2 訪問診療等, 3 オンライン診療等 (the mutant swaps them).
        let flag = online != self.is(Mutant::VisitingBulkWrongFlag);
        info.push_leaf("MedicalTreatmentFlag", if flag { "3" } else { "2" });
        if self.is(Mutant::VisitingBulkAsksMedical) {
            info.push_leaf("LimitApplicationCertificateRelatedConsFlg", "1");
            info.push_leaf("SpecificDiseasesCertificateRelatedConsFlg", "1");
        }
        let messages = if online {
            ("OQSmuonq01req", "OQSmuonq02req")
        } else {
            ("OQSmuhvq01req", "OQSmuhvq02req")
        };
        let mut b = self.bulk_job(messages, &file_id, &header, vec![info])?;
        if self.is(Mutant::VisitingBulkDropErrorRows) {
            b.rows.retain(|r| r.validity.is_some());
            if b.status == job_status::INQUIRY_DONE_CHECK {
                b.status = job_status::INQUIRY_DONE.into();
            }
        }
        Ok(b)
    }
}
