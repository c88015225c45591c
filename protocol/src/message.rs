//! Typed messages of the single inquiry (OQSsiquc01req / OQSsiquc01res) and their mapping to
//! and from the element tree. The envelope and header are in [`crate::header`], the search and
//! its input rules in [`crate::search`], shared field formats in [`crate::fields`] (re-exported
//! here for the message's users).

use crate::codes::{
    CharacterCode, ProcessingResultStatus, QualificationValidity, ReferenceClassification,
    SegmentOfResult,
};
use crate::dom::Element;
use crate::header::{header_and_body, scan_plain_request, PlainRow, ResultHeaderFields};
use crate::plain;
use crate::sink::{Sink, TreeSink, XmlOut};
use crate::tag;
use crate::xml::{ReadLimits, TextEncoding};

pub use crate::fields::{
    format_date, parse_date, FieldError, InsurerNumber, StructureError, MAX_IDENTIFIER_CHARS,
    MAX_SYMBOL_CHARS,
};
pub use crate::header::{RequestHeader, ValidHeader, BODY, HEADER, ROOT};
use crate::header::{BODY_TAG, ROOT_TAG};
pub use crate::search::{SearchInfo, ValidSearch, SEARCH_INFO};

/// OQSsiquc01req.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SingleInquiryRequest {
    pub header: RequestHeader,
    pub search: SearchInfo,
}

impl SingleInquiryRequest {
    /// Reads the message shape from a tree.
    pub fn from_element(root: &Element) -> Result<Self, StructureError> {
        let (header, body) = header_and_body(root)?;
        let search = body
            .child(SEARCH_INFO)
            .ok_or_else(|| StructureError(format!("<{BODY}/{SEARCH_INFO}> is missing")))?;
        if body.children_named(SEARCH_INFO).count() > 1 {
            return Err(StructureError(format!(
                "<{BODY}> has several <{SEARCH_INFO}>; a single inquiry takes one (use OQSmuquc01req for bulk)"
            )));
        }
        Ok(SingleInquiryRequest {
            header: RequestHeader::from_element(header),
            search: SearchInfo::from_element(search),
        })
    }

    pub fn to_element(&self) -> Element {
        self.header
            .document(Element::new(BODY).with(self.search.to_element()))
    }

    /// Reads a plain OQSsiquc01req ([`crate::plain`]) without building a tree. `None` when the
    /// document is not plain or not of this shape (a part missing or repeated, another element
    /// beside them): then `xml::read_document` and [`Self::from_element`] read it and give the
    /// errors. Whatever this reads, they read alike (the same request, encoding UTF-8).
    pub fn read_plain(bytes: &[u8], limits: ReadLimits) -> Option<Self> {
        if bytes.len() > limits.max_bytes {
            return None;
        }
        Self::read_plain_text(std::str::from_utf8(bytes).ok()?, limits)
    }

    /// [`Self::read_plain`] of a request whose bytes are already known to be UTF-8 (the
    /// journal decodes every request: one check of the bytes, not two).
    pub fn read_plain_text(text: &str, limits: ReadLimits) -> Option<Self> {
        if text.len() > limits.max_bytes
            || limits.max_depth < plain::MAX_DEPTH
            || limits.max_elements < plain::MAX_ELEMENTS
        {
            return None;
        }
        Self::read_expected(text).or_else(|| Self::read_scanned(text))
    }

    /// The usual request, its elements in their usual order ([`plain::Expected`]): read the
    /// cheap way. `None`: read it with [`Self::read_scanned`].
    fn read_expected(text: &str) -> Option<Self> {
        let mut e = plain::Expected::new(text);
        let mut req = SingleInquiryRequest::default();
        let read = e.open(ROOT)
            && req.header.read_expected(&mut e)
            && e.open(BODY)
            && req.search.read_expected(&mut e)
            && e.close(BODY)
            && e.close(ROOT)
            && e.at_end();
        read.then_some(req)
    }

    /// A plain request in any order ([`scan_plain_request`]).
    fn read_scanned(text: &str) -> Option<Self> {
        let mut req = SingleInquiryRequest::default();
        let mut search = false;
        let fields = &mut req.search;
        scan_plain_request(text, plain::MAX_ELEMENTS, &mut req.header, |event| {
            match event {
                // One row only: a second declines the document.
                PlainRow::Start if search => return false,
                PlainRow::Start => search = true,
                PlainRow::Field(i, text) => fields.take_field_at(i, text),
            }
            true
        })?;
        search.then_some(req)
    }

    /// [`Self::read_plain`] of a request in UTF-8 or in Shift_JIS (declared in its prolog,
    /// [`plain::shift_jis_text`]), and the encoding it was in: what `xml::read_document` and
    /// [`Self::from_element`] read alike, with the encoding they find.
    pub fn read_plain_encoded(bytes: &[u8], limits: ReadLimits) -> Option<(Self, TextEncoding)> {
        if let Some(req) = Self::read_plain(bytes, limits) {
            return Some((req, TextEncoding::Utf8));
        }
        if bytes.len() > limits.max_bytes {
            return None;
        }
        let text = plain::shift_jis_text(bytes)?;
        Self::read_plain(text.as_bytes(), limits).map(|req| (req, TextEncoding::ShiftJis))
    }
}

/// A request lent to the answer (its search copied into the result's echo)…
impl<'a> From<&'a SingleInquiryRequest> for std::borrow::Cow<'a, SingleInquiryRequest> {
    fn from(req: &'a SingleInquiryRequest) -> Self {
        std::borrow::Cow::Borrowed(req)
    }
}

/// …or given to it (its search moved into the echo).
impl From<SingleInquiryRequest> for std::borrow::Cow<'_, SingleInquiryRequest> {
    fn from(req: SingleInquiryRequest) -> Self {
        std::borrow::Cow::Owned(req)
    }
}

/// MessageHeader of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultHeader {
    /// `YYYYMMDDHHmmss`.
    pub process_execution_time: String,
    pub qualification_confirmation_date: Option<String>,
    pub medical_institution_code: Option<String>,
    pub arbitrary_file_identifier: Option<String>,
    pub reference_classification: ReferenceClassification,
    pub segment_of_result: SegmentOfResult,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub character_code: CharacterCode,
}

impl ResultHeader {
    pub fn to_element(&self) -> Element {
        let mut t = TreeSink::new();
        self.emit(&mut t);
        t.finish()
    }

    pub fn emit<S: Sink>(&self, s: &mut S) {
        ResultHeaderFields {
            process_execution_time: &self.process_execution_time,
            qualification_confirmation_date: self.qualification_confirmation_date.as_deref(),
            medical_institution_code: self.medical_institution_code.as_deref(),
            arbitrary_file_identifier: self.arbitrary_file_identifier.as_deref(),
            segment_of_result: self.segment_of_result,
            error_code: self.error_code.as_deref(),
            error_message: self.error_message.as_deref(),
            character_code: self.character_code,
        }
        .emit(s, |s| {
            s.code(
                tag!("ReferenceClassification"),
                self.reference_classification,
            )
        })
    }
}

/// ElderlyRecipientCertificateInfo (高齢受給者証).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElderlyRecipientInfo {
    pub certificate_date: Option<String>,
    pub valid_start_date: Option<String>,
    pub valid_end_date: Option<String>,
    pub contribution_ratio: Option<String>,
}

/// LimitApplicationCertificateRelatedInfo (限度額適用認定証).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LimitCertificateInfo {
    pub classification: Option<String>,
    pub classification_flag: Option<String>,
    pub certificate_date: Option<String>,
    pub valid_start_date: Option<String>,
    pub valid_end_date: Option<String>,
    pub long_term_date: Option<String>,
}

/// SpecificDiseasesCertificateInfo (特定疾病療養受療証).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecificDiseaseInfo {
    pub disease_category: Option<String>,
    pub certificate_date: Option<String>,
    pub valid_start_date: Option<String>,
    pub valid_end_date: Option<String>,
    pub self_pay: Option<String>,
}

/// One ResultOfQualificationConfirmation, in the element order of interface.md §3.
/// 医療券・調剤券情報 (`PublicExpenseResultList/MedicalTicketInfo`, DM-12): element names and
/// order as the public transcription of the layout (別紙3-1) lists them (docs/interface.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MedicalTicketInfo {
    pub ticket_type: Option<String>,
    pub valid_date: Option<String>,
    pub expiration_date: Option<String>,
    pub issue_number: Option<String>,
    /// 診療年月, `YYYYMM`.
    pub treatment_month: Option<String>,
    pub designated_code: Option<String>,
    pub designated_flag: Option<String>,
    pub designated_name: Option<String>,
    pub prescriber_code: Option<String>,
    pub prescriber_name: Option<String>,
    pub injury_names: [Option<String>; 3],
    pub treatment_type: Option<String>,
    pub self_pay_amount: Option<String>,
    pub district_contact_name: Option<String>,
    pub handling_contact_name: Option<String>,
    pub single_or_combined: Option<String>,
    pub social_insurance: Option<String>,
    pub consistency_flag: Option<String>,
    pub infection: Option<String>,
    pub elderly_medical_care: Option<String>,
    pub prefectural_expenses: Option<String>,
}

impl MedicalTicketInfo {
    pub fn to_element(&self) -> Element {
        let mut el = Element::new("MedicalTicketInfo");
        let [i1, i2, i3] = &self.injury_names;
        let leaves: [(&str, &Option<String>); 23] = [
            ("TicketType", &self.ticket_type),
            ("MedicalTicketValidDate", &self.valid_date),
            ("MedicalTicketExpirationDate", &self.expiration_date),
            ("IssueNumber", &self.issue_number),
            ("MedicalTreatmentMonth", &self.treatment_month),
            ("DesignatedMedicalInstitutionCode", &self.designated_code),
            ("DesignatedMedicalInstitutionFlag", &self.designated_flag),
            ("DesignatedMedicalInstitutionName", &self.designated_name),
            (
                "PrescriptionIssuerMedicalInstitutionCode",
                &self.prescriber_code,
            ),
            (
                "PrescriptionIssuerMedicalInstitutionName",
                &self.prescriber_name,
            ),
            ("InjuryName1", i1),
            ("InjuryName2", i2),
            ("InjuryName3", i3),
            ("MedicalTreatmentType", &self.treatment_type),
            ("SelfPayAmount", &self.self_pay_amount),
            ("DistrictContactName", &self.district_contact_name),
            ("HandlingContactName", &self.handling_contact_name),
            ("SingleOrCombinedUse", &self.single_or_combined),
            ("StatusOfSocialInsurance", &self.social_insurance),
            ("ConsistencyFlag", &self.consistency_flag),
            // sic: the layout's spelling.
            ("StatusOfInfecton", &self.infection),
            ("StatusOfElderlyMedicalCare", &self.elderly_medical_care),
            ("StatusOfPrefecturalExpenses", &self.prefectural_expenses),
        ];
        for (n, v) in leaves {
            el.push_opt(n, v.clone());
        }
        el
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QualificationResult {
    pub insured_card_classification: Option<String>,
    pub insurer_number: Option<String>,
    pub insured_card_symbol: Option<String>,
    pub insured_identification_number: Option<String>,
    pub insured_branch_number: Option<String>,
    pub personal_family_classification: Option<String>,
    pub insured_name: Option<String>,
    pub name: Option<String>,
    pub name_of_other: Option<String>,
    pub name_kana: Option<String>,
    pub name_of_other_kana: Option<String>,
    pub sex1: Option<String>,
    pub sex2: Option<String>,
    pub birthdate: Option<String>,
    pub address: Option<String>,
    pub post_number: Option<String>,
    pub qualification_date: Option<String>,
    pub disqualification_date: Option<String>,
    pub insured_certificate_issuance_date: Option<String>,
    pub insured_card_valid_date: Option<String>,
    pub insured_card_expiration_date: Option<String>,
    pub insured_partial_contribution_ratio: Option<String>,
    pub preschool_classification: Option<String>,
    pub reason_of_loss: Option<String>,
    pub insurer_name: Option<String>,
    pub elderly_recipient: Option<ElderlyRecipientInfo>,
    pub limit_cons_flg: Option<String>,
    pub limit_cons_time: Option<String>,
    pub limit_info: Option<LimitCertificateInfo>,
    pub specific_diseases_cons_flg: Option<String>,
    pub specific_diseases_cons_time: Option<String>,
    pub specific_diseases: Vec<SpecificDiseaseInfo>,
    /// 医療扶助: the tickets shown (`PublicExpenseResultList`), newest 有効開始日 first.
    pub medical_tickets: Vec<MedicalTicketInfo>,
    pub specific_health_checkups_cons_flg: Option<String>,
    pub specific_health_checkups_cons_time: Option<String>,
    pub specific_health_checkups_available_time: Option<String>,
    pub pharmacists_cons_flg: Option<String>,
    pub pharmacists_cons_time: Option<String>,
    pub pharmacists_available_time: Option<String>,
    pub diagnosis_cons_flg: Option<String>,
    pub diagnosis_cons_time: Option<String>,
    pub diagnosis_available_time: Option<String>,
    pub operation_cons_flg: Option<String>,
    pub operation_cons_time: Option<String>,
    pub operation_available_time: Option<String>,
    pub reference_number: Option<String>,
    pub arbitrary_identifier: Option<String>,
}

impl QualificationResult {
    pub fn to_element(&self) -> Element {
        let mut t = TreeSink::new();
        self.emit(&mut t);
        t.finish()
    }

    pub fn emit<S: Sink>(&self, r: &mut S) {
        r.element(tag!("ResultOfQualificationConfirmation"), |r| {
            self.emit_fields(r)
        });
    }

    /// The elements inside ResultOfQualificationConfirmation.
    #[inline(always)]
    fn emit_fields<S: Sink>(&self, r: &mut S) {
        r.opt(
            tag!("InsuredCardClassification"),
            self.insured_card_classification.as_deref(),
        );
        r.opt(tag!("InsurerNumber"), self.insurer_number.as_deref());
        r.opt(
            tag!("InsuredCardSymbol"),
            self.insured_card_symbol.as_deref(),
        );
        r.opt(
            tag!("InsuredIdentificationNumber"),
            self.insured_identification_number.as_deref(),
        );
        r.opt(
            tag!("InsuredBranchNumber"),
            self.insured_branch_number.as_deref(),
        );
        r.opt(
            tag!("PersonalFamilyClassification"),
            self.personal_family_classification.as_deref(),
        );
        r.opt(tag!("InsuredName"), self.insured_name.as_deref());
        r.opt(tag!("Name"), self.name.as_deref());
        r.opt(tag!("NameOfOther"), self.name_of_other.as_deref());
        r.opt(tag!("NameKana"), self.name_kana.as_deref());
        r.opt(tag!("NameOfOtherKana"), self.name_of_other_kana.as_deref());
        r.opt(tag!("Sex1"), self.sex1.as_deref());
        r.opt(tag!("Sex2"), self.sex2.as_deref());
        r.opt(tag!("Birthdate"), self.birthdate.as_deref());
        r.opt(tag!("Address"), self.address.as_deref());
        r.opt(tag!("PostNumber"), self.post_number.as_deref());
        r.opt(
            tag!("QualificationDate"),
            self.qualification_date.as_deref(),
        );
        r.opt(
            tag!("DisqualificationDate"),
            self.disqualification_date.as_deref(),
        );
        r.opt(
            tag!("InsuredCertificateIssuanceDate"),
            self.insured_certificate_issuance_date.as_deref(),
        );
        r.opt(
            tag!("InsuredCardValidDate"),
            self.insured_card_valid_date.as_deref(),
        );
        r.opt(
            tag!("InsuredCardExpirationDate"),
            self.insured_card_expiration_date.as_deref(),
        );
        r.opt(
            tag!("InsuredPartialContributionRatio"),
            self.insured_partial_contribution_ratio.as_deref(),
        );
        r.opt(
            tag!("PreschoolClassification"),
            self.preschool_classification.as_deref(),
        );
        r.opt(tag!("ReasonOfLoss"), self.reason_of_loss.as_deref());
        r.opt(tag!("InsurerName"), self.insurer_name.as_deref());
        if let Some(e) = &self.elderly_recipient {
            r.element(tag!("ElderlyRecipientCertificateInfo"), |r| {
                r.opt(
                    tag!("ElderlyRecipientCertificateDate"),
                    e.certificate_date.as_deref(),
                );
                r.opt(
                    tag!("ElderlyRecipientValidStartDate"),
                    e.valid_start_date.as_deref(),
                );
                r.opt(
                    tag!("ElderlyRecipientValidEndDate"),
                    e.valid_end_date.as_deref(),
                );
                r.opt(
                    tag!("ElderlyRecipientContributionRatio"),
                    e.contribution_ratio.as_deref(),
                );
            });
        }
        r.opt(
            tag!("LimitApplicationCertificateRelatedConsFlg"),
            self.limit_cons_flg.as_deref(),
        );
        r.opt(
            tag!("LimitApplicationCertificateRelatedConsTime"),
            self.limit_cons_time.as_deref(),
        );
        if let Some(l) = &self.limit_info {
            r.element(tag!("LimitApplicationCertificateRelatedInfo"), |r| {
                r.opt(
                    tag!("LimitApplicationCertificateClassification"),
                    l.classification.as_deref(),
                );
                r.opt(
                    tag!("LimitApplicationCertificateClassificationFlag"),
                    l.classification_flag.as_deref(),
                );
                r.opt(
                    tag!("LimitApplicationCertificateDate"),
                    l.certificate_date.as_deref(),
                );
                r.opt(
                    tag!("LimitApplicationCertificateValidStartDate"),
                    l.valid_start_date.as_deref(),
                );
                r.opt(
                    tag!("LimitApplicationCertificateValidEndDate"),
                    l.valid_end_date.as_deref(),
                );
                r.opt(
                    tag!("LimitApplicationCertificateLongTermDate"),
                    l.long_term_date.as_deref(),
                );
            });
        }
        r.opt(
            tag!("SpecificDiseasesCertificateRelatedConsFlg"),
            self.specific_diseases_cons_flg.as_deref(),
        );
        r.opt(
            tag!("SpecificDiseasesCertificateRelatedConsTime"),
            self.specific_diseases_cons_time.as_deref(),
        );
        if !self.specific_diseases.is_empty() {
            r.element(tag!("SpecificDiseasesCertificateList"), |r| {
                for s in &self.specific_diseases {
                    r.element(tag!("SpecificDiseasesCertificateInfo"), |r| {
                        r.opt(
                            tag!("SpecificDiseasesDiseaseCategory"),
                            s.disease_category.as_deref(),
                        );
                        r.opt(
                            tag!("SpecificDiseasesCertificateDate"),
                            s.certificate_date.as_deref(),
                        );
                        r.opt(
                            tag!("SpecificDiseasesValidStartDate"),
                            s.valid_start_date.as_deref(),
                        );
                        r.opt(
                            tag!("SpecificDiseasesValidEndDate"),
                            s.valid_end_date.as_deref(),
                        );
                        r.opt(tag!("SpecificDiseasesSelfPay"), s.self_pay.as_deref());
                    });
                }
            });
        }
        if !self.medical_tickets.is_empty() {
            r.element(tag!("PublicExpenseResultList"), |r| {
                for t in &self.medical_tickets {
                    r.tree(&t.to_element());
                }
            });
        }
        r.opt(
            tag!("SpecificHealthCheckupsInfoConsFlg"),
            self.specific_health_checkups_cons_flg.as_deref(),
        );
        r.opt(
            tag!("SpecificHealthCheckupsInfoConsTime"),
            self.specific_health_checkups_cons_time.as_deref(),
        );
        r.opt(
            tag!("SpecificHealthCheckupsInfoAvailableTime"),
            self.specific_health_checkups_available_time.as_deref(),
        );
        r.opt(
            tag!("PharmacistsInfoConsFlg"),
            self.pharmacists_cons_flg.as_deref(),
        );
        r.opt(
            tag!("PharmacistsInfoConsTime"),
            self.pharmacists_cons_time.as_deref(),
        );
        r.opt(
            tag!("PharmacistsInfoAvailableTime"),
            self.pharmacists_available_time.as_deref(),
        );
        r.opt(
            tag!("DiagnosisInfoConsFlg"),
            self.diagnosis_cons_flg.as_deref(),
        );
        r.opt(
            tag!("DiagnosisInfoConsTime"),
            self.diagnosis_cons_time.as_deref(),
        );
        r.opt(
            tag!("DiagnosisInfoAvailableTime"),
            self.diagnosis_available_time.as_deref(),
        );
        r.opt(
            tag!("OperationInfoConsFlg"),
            self.operation_cons_flg.as_deref(),
        );
        r.opt(
            tag!("OperationInfoConsTime"),
            self.operation_cons_time.as_deref(),
        );
        r.opt(
            tag!("OperationInfoAvailableTime"),
            self.operation_available_time.as_deref(),
        );
        r.opt(tag!("ReferenceNumber"), self.reference_number.as_deref());
        r.opt(
            tag!("ArbitraryIdentifier"),
            self.arbitrary_identifier.as_deref(),
        );
    }
}

/// MessageBody of a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultBody {
    pub processing_result_status: ProcessingResultStatus,
    pub processing_result_code: Option<String>,
    pub processing_result_message: Option<String>,
    pub qualification_validity: Option<QualificationValidity>,
    pub prescription_issue_select: Option<String>,
    pub search_echo: Option<SearchInfo>,
    pub results: Vec<QualificationResult>,
}

/// 処理結果区分, its code and message, and 資格有効性: how a result body and a bulk result's
/// unit both begin.
pub(crate) fn emit_outcome<S: Sink>(
    s: &mut S,
    status: ProcessingResultStatus,
    code: Option<&str>,
    message: Option<&str>,
    validity: Option<QualificationValidity>,
) {
    s.code(tag!("ProcessingResultStatus"), status);
    s.opt(tag!("ProcessingResultCode"), code);
    s.opt(tag!("ProcessingResultMessage"), message);
    if let Some(v) = validity {
        s.code(tag!("QualificationValidity"), v);
    }
}

impl ResultBody {
    pub fn to_element(&self) -> Element {
        let mut t = TreeSink::new();
        self.emit(&mut t);
        t.finish()
    }

    pub fn emit<S: Sink>(&self, b: &mut S) {
        b.element(BODY_TAG, |b| {
            emit_outcome(
                b,
                self.processing_result_status,
                self.processing_result_code.as_deref(),
                self.processing_result_message.as_deref(),
                self.qualification_validity,
            );
            b.opt(
                tag!("PrescriptionIssueSelect"),
                self.prescription_issue_select.as_deref(),
            );
            if let Some(s) = &self.search_echo {
                s.emit(b);
            }
            if !self.results.is_empty() {
                b.element(tag!("ResultList"), |b| {
                    for r in &self.results {
                        r.emit(b);
                    }
                });
            }
        });
    }
}

/// OQSsiquc01res. A result with SegmentOfResult 9 has no body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SingleInquiryResponse {
    pub header: ResultHeader,
    pub body: Option<ResultBody>,
}

impl SingleInquiryResponse {
    pub fn to_element(&self) -> Element {
        let mut t = TreeSink::new();
        self.emit(&mut t);
        t.finish()
    }

    pub fn emit<S: Sink>(&self, s: &mut S) {
        s.element(ROOT_TAG, |s| {
            self.header.emit(s);
            if let Some(b) = &self.body {
                b.emit(s);
            }
        });
    }

    /// The result as XML bytes in `encoding`, written directly (the same bytes as
    /// `xml::write_document(&self.to_element(), encoding)`).
    pub fn write_xml(&self, encoding: TextEncoding) -> Vec<u8> {
        let mut out = XmlOut::new(encoding, 4096);
        self.emit(&mut out);
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::tests::search;

    /// Requests as clients write them: indented, on one line, without a prolog, with every
    /// header field.
    fn usual_documents() -> Vec<String> {
        let mut req = SingleInquiryRequest {
            header: RequestHeader {
                qualification_confirmation_date: Some("20210106".into()),
                medical_institution_code: Some("1234567890".into()),
                ..RequestHeader::default()
            },
            search: search(),
        };
        let write = |req: &SingleInquiryRequest| {
            String::from_utf8(crate::xml::write_document(
                &req.to_element(),
                TextEncoding::Utf8,
            ))
            .expect("UTF-8")
        };
        let indented = write(&req);
        req.header.arbitrary_file_identifier = Some("新橋 a-b".into());
        req.header.character_code_identifier = Some("0".into());
        req.search.arbitrary_identifier = Some(" x\ty ".into());
        let full = write(&req);
        let one_line: String = full.lines().map(str::trim_start).collect();
        let no_prolog = indented.split_once('\n').expect("a prolog").1.to_owned();
        vec![indented, full, one_line, no_prolog]
    }

    #[test]
    fn usual_requests_are_read_the_cheap_way_as_the_scanner_reads_them() {
        for doc in usual_documents() {
            let read = SingleInquiryRequest::read_expected(&doc);
            assert!(read.is_some(), "{doc}");
            assert_eq!(read, SingleInquiryRequest::read_scanned(&doc), "{doc}");
        }
        // Plain, but not in the usual order or shape: left to the scanner.
        let doc = &usual_documents()[0];
        for other in [
            doc.replace("<InsurerNumber>", "<Birthdate>").replacen(
                "</InsurerNumber>",
                "</Birthdate>",
                1,
            ),
            doc.replace("<Birthdate>", "<X/><Birthdate>"),
            doc.replace("</MessageHeader>", "<X>1</X></MessageHeader>"),
            doc.replace(
                "</QualificationConfirmSearchInfo>",
                "<InsurerNumber>1</InsurerNumber></QualificationConfirmSearchInfo>",
            ),
        ] {
            assert_eq!(SingleInquiryRequest::read_expected(&other), None, "{other}");
            assert!(
                SingleInquiryRequest::read_scanned(&other).is_some(),
                "{other}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// Whatever the cheap way reads, the scanner reads alike (which the tests of
        /// `tests/plain.rs` hold against the general reader).
        #[test]
        fn the_cheap_way_reads_what_the_scanner_reads(
            which in 0usize..4,
            edits in proptest::collection::vec(
                (0usize..=1000, 0usize..4, "[<>/&\" \t\r\nA-Za-z0-9あ-]{0,3}"),
                1..4,
            ),
        ) {
            let mut doc = usual_documents()[which].clone().into_bytes();
            for (at, len, with) in &edits {
                let at = at * doc.len() / 1000;
                let end = (at + len).min(doc.len());
                doc = [&doc[..at], with.as_bytes(), &doc[end..]].concat();
            }
            let text = String::from_utf8_lossy(&doc);
            if let Some(read) = SingleInquiryRequest::read_expected(&text) {
                proptest::prop_assert_eq!(Some(read), SingleInquiryRequest::read_scanned(&text));
            }
        }
    }

    #[test]
    fn request_structure() {
        let req = SingleInquiryRequest {
            header: RequestHeader::default(),
            search: search(),
        };
        assert_eq!(
            SingleInquiryRequest::from_element(&req.to_element()).unwrap(),
            req
        );
        let wrong = Element::new("Other");
        assert!(SingleInquiryRequest::from_element(&wrong)
            .unwrap_err()
            .0
            .contains("<Other>"));
        let no_body = Element::new(ROOT).with(Element::new(HEADER));
        assert!(SingleInquiryRequest::from_element(&no_body)
            .unwrap_err()
            .0
            .contains("MessageBody"));
    }
}
