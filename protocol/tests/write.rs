//! The direct writer of a single inquiry's answer (`SingleInquiryResponse::write_xml`, through
//! `sink::XmlOut`) against the general one (`xml::write_document` of `to_element`, through
//! `sink::TreeSink`): the same bytes for any answer — any field present or absent, empty, with
//! `<>&'"`, non-ASCII or unmappable in Shift_JIS, nested parts present or not — in both
//! encodings.

use oqs_protocol::codes::{
    CharacterCode, ProcessingResultStatus, QualificationValidity, ReferenceClassification,
    SegmentOfResult,
};
use oqs_protocol::message::{
    ElderlyRecipientInfo, LimitCertificateInfo, MedicalTicketInfo, QualificationResult, ResultBody,
    ResultHeader, SearchInfo, SingleInquiryResponse, SpecificDiseaseInfo,
};
use oqs_protocol::xml::write_document;
use oqs_protocol::TextEncoding;
use proptest::prelude::*;

/// A field's text: usually a code or a date, sometimes anything.
fn text() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.6,
        prop_oneof![
            "[0-9]{1,14}",
            "\\PC{0,12}",
            "[<>&'\"a 　]{0,4}",
            Just(String::new()),
            "[新橋太郎ｼﾝﾊﾞｼ①𠮷]{1,6}",
        ],
    )
}

/// Takes the next generated text, in whatever type the message keeps it.
struct Texts(std::vec::IntoIter<Option<String>>);

impl Texts {
    fn next<T: From<String>>(&mut self) -> Option<T> {
        self.0.next().flatten().map(T::from)
    }
}

fn result(t: &mut Texts, parts: &[bool]) -> QualificationResult {
    let mut r = QualificationResult {
        insured_card_classification: t.next(),
        insurer_number: t.next(),
        insured_card_symbol: t.next(),
        insured_identification_number: t.next(),
        insured_branch_number: t.next(),
        personal_family_classification: t.next(),
        insured_name: t.next(),
        name: t.next(),
        name_of_other: t.next(),
        name_kana: t.next(),
        name_of_other_kana: t.next(),
        sex1: t.next(),
        sex2: t.next(),
        birthdate: t.next(),
        address: t.next(),
        post_number: t.next(),
        qualification_date: t.next(),
        disqualification_date: t.next(),
        insured_certificate_issuance_date: t.next(),
        insured_card_valid_date: t.next(),
        insured_card_expiration_date: t.next(),
        insured_partial_contribution_ratio: t.next(),
        preschool_classification: t.next(),
        reason_of_loss: t.next(),
        insurer_name: t.next(),
        limit_cons_flg: t.next(),
        limit_cons_time: t.next(),
        specific_diseases_cons_flg: t.next(),
        specific_diseases_cons_time: t.next(),
        specific_health_checkups_cons_flg: t.next(),
        specific_health_checkups_cons_time: t.next(),
        specific_health_checkups_available_time: t.next(),
        pharmacists_cons_flg: t.next(),
        pharmacists_cons_time: t.next(),
        pharmacists_available_time: t.next(),
        diagnosis_cons_flg: t.next(),
        diagnosis_cons_time: t.next(),
        diagnosis_available_time: t.next(),
        operation_cons_flg: t.next(),
        operation_cons_time: t.next(),
        operation_available_time: t.next(),
        reference_number: t.next(),
        arbitrary_identifier: t.next(),
        ..QualificationResult::default()
    };
    if parts[0] {
        r.elderly_recipient = Some(ElderlyRecipientInfo {
            certificate_date: t.next(),
            valid_start_date: t.next(),
            valid_end_date: t.next(),
            contribution_ratio: t.next(),
        });
    }
    if parts[1] {
        r.limit_info = Some(LimitCertificateInfo {
            classification: t.next(),
            classification_flag: t.next(),
            certificate_date: t.next(),
            valid_start_date: t.next(),
            valid_end_date: t.next(),
            long_term_date: t.next(),
        });
    }
    for _ in 0..usize::from(parts[2]) + usize::from(parts[3]) {
        r.specific_diseases.push(SpecificDiseaseInfo {
            disease_category: t.next(),
            certificate_date: t.next(),
            valid_start_date: t.next(),
            valid_end_date: t.next(),
            self_pay: t.next(),
        });
    }
    if parts[4] {
        r.medical_tickets.push(MedicalTicketInfo {
            ticket_type: t.next(),
            valid_date: t.next(),
            issue_number: t.next(),
            designated_name: t.next(),
            injury_names: [t.next(), None, t.next()],
            prefectural_expenses: t.next(),
            ..MedicalTicketInfo::default()
        });
    }
    r
}

/// One of a code table's values.
fn pick<T: Copy>(all: &[T], k: u8) -> T {
    all[usize::from(k) % all.len()]
}

fn response(texts: Vec<Option<String>>, parts: Vec<bool>, codes: [u8; 5]) -> SingleInquiryResponse {
    let mut t = Texts(texts.into_iter());
    let header = ResultHeader {
        process_execution_time: t.next().unwrap_or_default(),
        qualification_confirmation_date: t.next(),
        medical_institution_code: t.next(),
        arbitrary_file_identifier: t.next(),
        reference_classification: pick(ReferenceClassification::ALL, codes[0]),
        segment_of_result: pick(SegmentOfResult::ALL, codes[1]),
        error_code: t.next(),
        error_message: t.next(),
        character_code: pick(CharacterCode::ALL, codes[2]),
    };
    // Some answers have no body (SegmentOfResult 9), some no results, some several.
    let body = (!parts[5]).then(|| ResultBody {
        processing_result_status: pick(ProcessingResultStatus::ALL, codes[3]),
        processing_result_code: t.next(),
        processing_result_message: t.next(),
        qualification_validity: parts[6].then(|| pick(QualificationValidity::ALL, codes[4])),
        prescription_issue_select: t.next(),
        search_echo: parts[7].then(|| SearchInfo {
            insurer_number: t.next(),
            insured_card_symbol: t.next(),
            insured_identification_number: t.next(),
            insured_branch_number: t.next(),
            birthdate: t.next(),
            limit_application_certificate_related_cons_flg: t.next(),
            arbitrary_identifier: t.next(),
        }),
        results: (0..usize::from(parts[8]) + usize::from(parts[9]))
            .map(|k| result(&mut t, &parts[10 + 5 * k..]))
            .collect(),
    });
    SingleInquiryResponse { header, body }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn an_answer_is_written_as_write_document_writes_its_tree(
        texts in prop::collection::vec(text(), 220),
        parts in prop::collection::vec(any::<bool>(), 20),
        codes in any::<[u8; 5]>(),
    ) {
        let res = response(texts, parts, codes);
        let tree = res.to_element();
        for enc in [TextEncoding::Utf8, TextEncoding::ShiftJis] {
            let (direct, general) = (res.write_xml(enc), write_document(&tree, enc));
            prop_assert_eq!(
                String::from_utf8_lossy(&direct),
                String::from_utf8_lossy(&general)
            );
            prop_assert_eq!(direct, general);
        }
    }
}
