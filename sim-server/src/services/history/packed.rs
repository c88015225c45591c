//! A record as the memory store keeps it: its texts one after another in one allocation, so
//! that a record leaving the full store is one `free` of cold memory, not thirty (issue 16), and
//! a kept record takes a few hundred bytes instead of ~2 KB. A single inquiry's record keeps
//! the inputs of its texts (a few copies on every inquiry) and derives the texts when it is
//! read (see `derive`); a record given whole keeps its texts.

use super::derive::{
    record, Inputs, BIRTHDATE, CARD, FACILITY, FORM, INPUTS, INSURED, INSURER, IN_REFERENCE,
    LOGIN_ID, NAME, QUALIFICATION, REFERENCE, RESULT, SEX, STATUS, TEXTS,
};
use super::{ConfirmationKind, HistoryDetail, HistoryRecord, Recorded};
use crate::services::packed_texts::PackedTexts;
use chrono::{DateTime, FixedOffset};
use oqs_protocol::codes::QualificationValidity;
use oqs_protocol::message::{QualificationResult, SearchInfo};

/// Bits of [`Packed::present`].
const HAS_REFERENCE: u8 = 1;
const HAS_DETAIL: u8 = 2;
/// The inputs of one person found ([`Inputs::single`]).
const SINGLE: u8 = 4;

/// Input `i` of [`Inputs`] is text `INPUT_TEXT + i` of a packed record's inputs.
const INPUT_TEXT: usize = REFERENCE - IN_REFERENCE;
const _: () = assert!(INPUT_TEXT + INPUTS <= TEXTS);

pub(super) struct Packed {
    pub(super) id: u64,
    pub(super) confirmed_at: DateTime<FixedOffset>,
    pub(super) kind: ConfirmationKind,
    consent: [bool; 6],
    present: u8,
    /// `Some`: the texts are a result's [`Inputs`] (judged with this validity), derived when
    /// read; `None`: the texts are the record's own.
    inputs_of: Option<QualificationValidity>,
    texts: PackedTexts<TEXTS>,
}

impl Packed {
    pub(super) fn new(r: &HistoryRecord) -> Packed {
        let d = r.detail.as_ref();
        let mut texts: [&str; TEXTS] = [""; TEXTS];
        texts[FACILITY] = &r.facility;
        texts[LOGIN_ID] = &r.login_id;
        texts[REFERENCE] = r.reference_number.as_deref().unwrap_or_default();
        texts[RESULT] = &r.result;
        texts[INSURER] = &r.insurer_number;
        texts[CARD] = &r.card;
        texts[NAME] = &r.name;
        texts[SEX] = &r.sex;
        texts[BIRTHDATE] = &r.birthdate;
        if let Some(d) = d {
            texts[STATUS] = &d.status;
            texts[FORM] = &d.prescription_issue_form;
            for (i, t) in d.insured.iter().enumerate() {
                texts[INSURED + i] = t;
            }
            for (i, t) in d.qualification.iter().enumerate() {
                texts[QUALIFICATION + i] = t;
            }
        }
        let packed = PackedTexts::new(&texts);
        let mut present = 0;
        if r.reference_number.is_some() {
            present |= HAS_REFERENCE;
        }
        if d.is_some() {
            present |= HAS_DETAIL;
        }
        Packed {
            id: r.id,
            confirmed_at: r.confirmed_at,
            kind: r.kind,
            consent: d.map(|d| d.consent).unwrap_or_default(),
            present,
            inputs_of: None,
            texts: packed,
        }
    }

    /// A record of an answered result (see [`Inputs::of`]): its inputs packed, its texts
    /// derived when it is read.
    pub(super) fn from_result(
        meta: Recorded<'_>,
        validity: QualificationValidity,
        searched: Option<&SearchInfo>,
        results: &[QualificationResult],
        prescription_issue_select: Option<&str>,
    ) -> Packed {
        let inputs = Inputs::of(searched, results, prescription_issue_select);
        let mut texts = [""; INPUT_TEXT + INPUTS];
        texts[FACILITY] = meta.facility;
        texts[LOGIN_ID] = meta.login_id;
        texts[INPUT_TEXT..].copy_from_slice(&inputs.texts);
        // Kept derived, as the search compares it (RULE-60).
        let reference = inputs.texts[IN_REFERENCE].trim();
        texts[REFERENCE] = if inputs.single { reference } else { "" };
        let packed = PackedTexts::new(&texts);
        let mut present = 0;
        if !texts[REFERENCE].is_empty() {
            present |= HAS_REFERENCE;
        }
        if meta.kind.has_detail() {
            present |= HAS_DETAIL;
        }
        if inputs.single {
            present |= SINGLE;
        }
        Packed {
            id: 0,
            confirmed_at: super::from_millis(super::to_millis(meta.at)),
            kind: meta.kind,
            consent: inputs.consent,
            present,
            inputs_of: Some(validity),
            texts: packed,
        }
    }

    fn get(&self, i: usize) -> &str {
        self.texts.get(i)
    }

    pub(super) fn facility(&self) -> &str {
        self.get(FACILITY)
    }

    pub(super) fn login_id(&self) -> &str {
        self.get(LOGIN_ID)
    }

    pub(super) fn reference_number(&self) -> Option<&str> {
        (self.present & HAS_REFERENCE != 0).then(|| self.get(REFERENCE))
    }

    pub(super) fn has_detail(&self) -> bool {
        self.present & HAS_DETAIL != 0
    }

    /// The record, with its detail or without (the list of SCR-19).
    pub(super) fn record(&self, with_detail: bool) -> HistoryRecord {
        if let Some(validity) = self.inputs_of {
            let meta = Recorded {
                facility: self.facility(),
                at: self.confirmed_at,
                login_id: self.login_id(),
                kind: self.kind,
            };
            let inputs = Inputs {
                single: self.present & SINGLE != 0,
                texts: std::array::from_fn(|i| self.get(INPUT_TEXT + i)),
                consent: self.consent,
            };
            return record(self.id, meta, validity, &inputs, with_detail);
        }
        let owned = |i| self.get(i).to_owned();
        HistoryRecord {
            id: self.id,
            facility: owned(FACILITY),
            confirmed_at: self.confirmed_at,
            login_id: owned(LOGIN_ID),
            reference_number: self.reference_number().map(str::to_owned),
            kind: self.kind,
            result: owned(RESULT),
            insurer_number: owned(INSURER),
            card: owned(CARD),
            name: owned(NAME),
            sex: owned(SEX),
            birthdate: owned(BIRTHDATE),
            detail: (with_detail && self.has_detail()).then(|| HistoryDetail {
                status: owned(STATUS),
                consent: self.consent,
                prescription_issue_form: owned(FORM),
                insured: std::array::from_fn(|i| owned(INSURED + i)),
                qualification: std::array::from_fn(|i| owned(QUALIFICATION + i)),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(detail: bool, reference: Option<&str>) -> HistoryRecord {
        HistoryRecord {
            id: 7,
            facility: "1234567890".into(),
            confirmed_at: DateTime::parse_from_rfc3339("2021-01-06T10:00:01.250+09:00")
                .expect("time"),
            login_id: "renkei01".into(),
            reference_number: reference.map(str::to_owned),
            kind: ConfirmationKind::MyNumberPin,
            result: "有効".into(),
            insurer_number: "06139000".into(),
            card: "9000 10001 01".into(),
            name: "新橋　太郎".into(),
            sex: "男".into(),
            birthdate: "1954/03/26".into(),
            detail: detail.then(|| HistoryDetail {
                status: "この資格は有効です。".into(),
                consent: [true, false, true, false, false, true],
                prescription_issue_form: "紙".into(),
                insured: std::array::from_fn(|i| format!("被保険者{i}")),
                qualification: std::array::from_fn(|i| "資格".repeat(i)),
            }),
        }
    }

    #[test]
    fn every_field_reads_back_as_it_went_in() {
        for detail in [true, false] {
            for reference in [None, Some(""), Some("JIKO3")] {
                let r = record(detail, reference);
                let p = Packed::new(&r);
                assert_eq!(p.record(true), r);
                assert_eq!(
                    p.record(false),
                    HistoryRecord {
                        detail: None,
                        ..r.clone()
                    }
                );
                assert_eq!(p.facility(), "1234567890");
                assert_eq!(p.login_id(), "renkei01");
                assert_eq!(p.reference_number(), reference);
            }
        }
    }

    /// Unusual values: unknown codes (shown as they came), an unparseable ratio and dates, a
    /// 家族 without 被保険者氏名, padded texts; several results (the searched card is listed).
    fn results() -> Vec<Vec<QualificationResult>> {
        let some = |s: &str| Some(s.to_owned());
        let full = QualificationResult {
            insured_card_classification: some("99"),
            insurer_number: some(" 06139000 "),
            insured_card_symbol: some("記号"),
            insured_identification_number: some("10001"),
            insured_branch_number: None,
            personal_family_classification: some("2"),
            name: some("新橋　花子"),
            sex1: some("3"),
            birthdate: some("19550230"),
            address: some("東京都"),
            post_number: some("105-0004"),
            qualification_date: some("18000101"),
            disqualification_date: some("20201231"),
            insured_card_valid_date: some("x"),
            insured_partial_contribution_ratio: some("abc"),
            reason_of_loss: some("1"),
            insurer_name: some("保険者"),
            limit_cons_flg: some("1"),
            diagnosis_cons_flg: some(" 1 "),
            reference_number: some(" JIKO3 "),
            ..QualificationResult::default()
        };
        let ratio = QualificationResult {
            insured_partial_contribution_ratio: some("030"),
            personal_family_classification: some("1"),
            sex1: some("1"),
            ..full.clone()
        };
        vec![
            vec![full.clone()],
            vec![ratio],
            vec![],
            vec![full.clone(), full],
        ]
    }

    #[test]
    fn derived_straight_into_the_buffer_is_the_record_derived_into_strings() {
        let searched = SearchInfo {
            insurer_number: Some("12345678".into()),
            insured_identification_number: Some("1".into()),
            ..SearchInfo::default()
        };
        for kind in [ConfirmationKind::InsuranceCard, ConfirmationKind::Bulk] {
            for results in results() {
                for (validity, form) in [
                    (QualificationValidity::Valid, Some("2")),
                    (QualificationValidity::Invalid, None),
                ] {
                    let meta = Recorded {
                        facility: "1234567890",
                        at: DateTime::parse_from_rfc3339("2021-01-06T10:00:01.2509+09:00")
                            .expect("time"),
                        login_id: "renkei01",
                        kind,
                    };
                    let owned =
                        HistoryRecord::from_result(meta, validity, Some(&searched), &results, form);
                    let packed =
                        Packed::from_result(meta, validity, Some(&searched), &results, form);
                    assert_eq!(packed.record(true), owned);
                    assert_eq!(Packed::new(&owned).record(true), owned);
                }
            }
        }
    }

    /// Records of unusual results as SCR-19/20 and the CSV read them, every field: a snapshot
    /// taken of the derivation before the memory store kept inputs instead of texts (issue 16),
    /// so that deriving the texts later changes none of them.
    #[test]
    fn unusual_records_read_back_as_derived_at_the_check() {
        let some = |s: &str| Some(s.to_owned());
        let mut cases = results();
        let padded = QualificationResult {
            insured_card_classification: some(" 01 "),
            insurer_number: some("\u{3000}138057\u{3000}"),
            insured_card_symbol: some(" "),
            insured_identification_number: some(" 1 2 "),
            insured_branch_number: some("\t02"),
            personal_family_classification: some(" 1"),
            name: some(" 新橋　太郎\u{3000}"),
            sex1: some("2 "),
            birthdate: some(" 19540326 "),
            address: some(""),
            post_number: some("   "),
            qualification_date: some("20190401"),
            disqualification_date: some("00000000"),
            insured_card_valid_date: some("99991231"),
            insured_card_expiration_date: some("2021013"),
            insured_partial_contribution_ratio: some(" 010 "),
            reason_of_loss: some("9"),
            insurer_name: some(" "),
            limit_cons_flg: some("0"),
            specific_diseases_cons_flg: some("1"),
            operation_cons_flg: some("1 "),
            specific_health_checkups_cons_flg: some("11"),
            pharmacists_cons_flg: some("\u{3000}1"),
            reference_number: some("\u{3000}"),
            ..QualificationResult::default()
        };
        let family_named = QualificationResult {
            personal_family_classification: some("2"),
            insured_name: some("新橋　一郎"),
            reference_number: some("R-1"),
            ..padded.clone()
        };
        cases.push(vec![padded.clone()]);
        cases.push(vec![family_named]);
        cases.push(vec![QualificationResult::default()]);
        let searched = [
            None,
            Some(SearchInfo {
                insurer_number: Some(" 12345678 ".into()),
                insured_card_symbol: Some("記号".into()),
                insured_identification_number: Some("1".into()),
                insured_branch_number: Some(" ".into()),
                ..SearchInfo::default()
            }),
        ];
        let mut seen = Vec::new();
        for kind in [ConfirmationKind::MyNumberPin, ConfirmationKind::Bulk] {
            for results in &cases {
                for s in &searched {
                    for (validity, form) in [
                        (QualificationValidity::Valid, Some("2")),
                        (QualificationValidity::Invalid, None),
                        (QualificationValidity::NotFound, Some(" 1 ")),
                        (QualificationValidity::Valid, Some("")),
                        (QualificationValidity::Valid, Some("x")),
                    ] {
                        let meta = Recorded {
                            facility: "1234567890",
                            at: DateTime::parse_from_rfc3339("2021-01-06T10:00:01.2509+09:00")
                                .expect("time"),
                            login_id: "renkei01",
                            kind,
                        };
                        let r =
                            HistoryRecord::from_result(meta, validity, s.as_ref(), results, form);
                        let packed = Packed::from_result(meta, validity, s.as_ref(), results, form);
                        assert_eq!(packed.record(true), r);
                        assert_eq!(
                            packed.record(false),
                            HistoryRecord {
                                detail: None,
                                ..r.clone()
                            }
                        );
                        assert_eq!(packed.facility(), "1234567890");
                        assert_eq!(packed.login_id(), "renkei01");
                        assert_eq!(packed.reference_number(), r.reference_number.as_deref());
                        assert_eq!(packed.has_detail(), r.detail.is_some());
                        if !seen.contains(&r) {
                            seen.push(r);
                        }
                    }
                }
            }
        }
        insta::assert_debug_snapshot!(seen);
    }
}
