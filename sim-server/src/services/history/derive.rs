//! A record's texts derived from an answered result, in one place, written as they are made
//! into [`Texts`]: the Strings of a [`HistoryRecord`], or the memory store's one packed buffer
//! (a single inquiry's record then costs one allocation, not thirty: issue 16).

use super::{HistoryDetail, HistoryRecord, Recorded};
use chrono::Datelike;
use oqs_protocol::codes::{
    ContributionRatio, InsuredCardClassification, PersonalFamily, PrescriptionIssueForm,
    QualificationValidity, ReasonOfLoss, Sex,
};
use oqs_protocol::message::{QualificationResult, SearchInfo};
use oqs_protocol::texts;

// The texts of a record, in the order they are derived and packed.
pub(super) const FACILITY: usize = 0;
pub(super) const LOGIN_ID: usize = 1;
pub(super) const REFERENCE: usize = 2;
pub(super) const RESULT: usize = 3;
pub(super) const INSURER: usize = 4;
pub(super) const CARD: usize = 5;
pub(super) const NAME: usize = 6;
pub(super) const SEX: usize = 7;
pub(super) const BIRTHDATE: usize = 8;
pub(super) const STATUS: usize = 9;
pub(super) const FORM: usize = 10;
/// ③ 被保険者情報, 9 texts.
pub(super) const INSURED: usize = 11;
/// ④ 資格情報, 11 texts.
pub(super) const QUALIFICATION: usize = INSURED + 9;
pub(super) const TEXTS: usize = QUALIFICATION + 11;

/// Where derived texts go. Fields are written in ascending order, each at most once.
pub(super) trait Texts {
    /// The buffer to append text `field` to.
    fn text(&mut self, field: usize) -> &mut String;
}

/// What a record holds besides its texts.
pub(super) struct Derived {
    /// A 照会番号 was there (`REFERENCE` is then its text).
    pub(super) has_reference: bool,
    /// The consent grid, when the record has a 《詳細》.
    pub(super) detail: Option<[bool; 6]>,
}

fn trimmed(x: &Option<String>) -> Option<&str> {
    x.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn put(out: &mut impl Texts, field: usize, text: Option<&str>) {
    if let Some(t) = text {
        out.text(field).push_str(t);
    }
}

/// A code's label, or the code itself when it has none.
fn put_label(out: &mut impl Texts, field: usize, code: Option<&str>, label: Option<&'static str>) {
    put(out, field, label.or(code));
}

/// `YYYYMMDD` (wire) → `yyyy/mm/dd` (history screens, DM-24); other text unchanged.
fn put_display_date(out: &mut String, wire: &str) {
    match oqs_protocol::message::parse_date(wire) {
        Ok(d) => match u32::try_from(d.year()) {
            Ok(year @ 0..=9999) => {
                // Not format!: up to six dates per record, on every inquiry.
                use oqs_protocol::fields::push_padded;
                push_padded(out, year, 4);
                out.push('/');
                push_padded(out, d.month(), 2);
                out.push('/');
                push_padded(out, d.day(), 2);
            }
            _ => out.push_str(&format!("{:04}/{:02}/{:02}", d.year(), d.month(), d.day())),
        },
        Err(_) => out.push_str(wire),
    }
}

/// A date of SCR-20 (履歴詳細): 和暦, 「平成23年1月1日」 as the manual's screenshot shows.
fn put_detail_date(out: &mut impl Texts, field: usize, wire: Option<&str>) {
    if let Some(w) = wire {
        let out = out.text(field);
        match oqs_protocol::message::parse_date(w) {
            Ok(d) => oqs_domain::wareki::push(out, d),
            Err(_) => out.push_str(w),
        }
    }
}

/// 証記号番号枝番: the parts there, separated by spaces.
fn put_card(out: &mut String, parts: [Option<&str>; 3]) {
    for (i, p) in parts.into_iter().flatten().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(p);
    }
}

/// Derives a record from an answered result: the validity, the card searched (for the list
/// when no single person was found), the qualification results and the 処方箋発行形態 (code 1/2).
pub(super) fn derive(
    meta: Recorded<'_>,
    validity: QualificationValidity,
    searched: Option<&SearchInfo>,
    results: &[QualificationResult],
    prescription_issue_select: Option<&str>,
    out: &mut impl Texts,
) -> Derived {
    // One person: their card; several (複数該当) or none: the card that was searched.
    let single = match results {
        [one] => Some(one),
        _ => None,
    };
    let (insurer, card) = match (single, searched) {
        (Some(r), _) => (
            trimmed(&r.insurer_number),
            [
                trimmed(&r.insured_card_symbol),
                trimmed(&r.insured_identification_number),
                trimmed(&r.insured_branch_number),
            ],
        ),
        (None, Some(s)) => (
            trimmed(&s.insurer_number),
            [
                trimmed(&s.insured_card_symbol),
                trimmed(&s.insured_identification_number),
                trimmed(&s.insured_branch_number),
            ],
        ),
        (None, None) => (None, [None; 3]),
    };
    let reference = single.and_then(|r| trimmed(&r.reference_number));
    put(out, FACILITY, Some(meta.facility));
    put(out, LOGIN_ID, Some(meta.login_id));
    put(out, REFERENCE, reference);
    put(out, RESULT, Some(validity.label()));
    put(out, INSURER, insurer);
    put_card(out.text(CARD), card);
    put(out, NAME, single.and_then(|r| trimmed(&r.name)));
    let sex = single
        .and_then(|r| trimmed(&r.sex1))
        .and_then(Sex::from_code)
        .map(Sex::label);
    put(out, SEX, sex);
    if let Some(b) = single.and_then(|r| trimmed(&r.birthdate)) {
        put_display_date(out.text(BIRTHDATE), b);
    }
    let detail = meta
        .kind
        .has_detail()
        .then(|| detail(validity, single, prescription_issue_select, out));
    Derived {
        has_reference: reference.is_some(),
        detail,
    }
}

/// SCR-20's texts (RULE-62: the state at the time of the check); returns the consent grid.
fn detail(
    validity: QualificationValidity,
    single: Option<&QualificationResult>,
    prescription_issue_select: Option<&str>,
    out: &mut impl Texts,
) -> [bool; 6] {
    let empty = QualificationResult::default();
    let r = single.unwrap_or(&empty);
    put(
        out,
        STATUS,
        Some(texts::banner(validity).unwrap_or(validity.label())),
    );
    let form = prescription_issue_select
        .map(str::trim)
        .and_then(PrescriptionIssueForm::from_code)
        .map_or(texts::HISTORY_PRESCRIPTION_UNSELECTED, |f| f.label());
    put(out, FORM, Some(form));
    // ③ 被保険者情報, in the order of `texts::HISTORY_INSURED_LABELS`.
    put(out, INSURED, trimmed(&r.reference_number));
    put(out, INSURED + 1, trimmed(&r.insurer_number));
    put(out, INSURED + 2, trimmed(&r.insurer_name));
    put(out, INSURED + 3, trimmed(&r.insured_card_symbol));
    put(out, INSURED + 4, trimmed(&r.insured_identification_number));
    put(out, INSURED + 5, trimmed(&r.insured_branch_number));
    put(out, INSURED + 6, trimmed(&r.name));
    let sex = trimmed(&r.sex1);
    put_label(
        out,
        INSURED + 7,
        sex,
        sex.and_then(Sex::from_code).map(Sex::label),
    );
    put_detail_date(out, INSURED + 8, trimmed(&r.birthdate));
    // ④ 資格情報, in the order of `texts::HISTORY_QUALIFICATION_LABELS`.
    let q = QUALIFICATION;
    let class = trimmed(&r.insured_card_classification);
    put_label(
        out,
        q,
        class,
        class
            .and_then(InsuredCardClassification::from_code)
            .map(InsuredCardClassification::label),
    );
    if let Some(c) = trimmed(&r.insured_partial_contribution_ratio) {
        let text = out.text(q + 1);
        match ContributionRatio::parse(c) {
            Some(x) => x.push_label(text),
            None => text.push_str(c),
        }
    }
    put_detail_date(out, q + 2, trimmed(&r.qualification_date));
    put_detail_date(out, q + 3, trimmed(&r.disqualification_date));
    put_detail_date(out, q + 4, trimmed(&r.insured_card_valid_date));
    put_detail_date(out, q + 5, trimmed(&r.insured_card_expiration_date));
    let family = trimmed(&r.personal_family_classification);
    put_label(
        out,
        q + 6,
        family,
        family
            .and_then(PersonalFamily::from_code)
            .map(PersonalFamily::label),
    );
    // 被保険者氏名: real 本人 answers carry no InsuredName; the screen shows the person's own
    // name there, as the manual's screenshot does (docs/interface.md, 本人).
    let insured_name = trimmed(&r.insured_name).or_else(|| {
        (family == Some(PersonalFamily::Insured.code()))
            .then(|| trimmed(&r.name))
            .flatten()
    });
    put(out, q + 7, insured_name);
    let loss = trimmed(&r.reason_of_loss);
    put_label(
        out,
        q + 8,
        loss,
        loss.and_then(ReasonOfLoss::from_code)
            .map(ReasonOfLoss::label),
    );
    put(out, q + 9, trimmed(&r.post_number));
    put(out, q + 10, trimmed(&r.address));
    [
        &r.limit_cons_flg,
        &r.specific_diseases_cons_flg,
        &r.operation_cons_flg,
        &r.specific_health_checkups_cons_flg,
        &r.pharmacists_cons_flg,
        &r.diagnosis_cons_flg,
    ]
    .map(|f| trimmed(f) == Some("1"))
}

/// The texts as a record's own Strings.
struct Owned([String; TEXTS]);

impl Texts for Owned {
    fn text(&mut self, field: usize) -> &mut String {
        &mut self.0[field]
    }
}

impl HistoryRecord {
    /// A record from an answered result (see [`derive`]).
    pub fn from_result(
        meta: Recorded<'_>,
        validity: QualificationValidity,
        searched: Option<&SearchInfo>,
        results: &[QualificationResult],
        prescription_issue_select: Option<&str>,
    ) -> HistoryRecord {
        let mut t = Owned(std::array::from_fn(|_| String::new()));
        let d = derive(
            meta,
            validity,
            searched,
            results,
            prescription_issue_select,
            &mut t,
        );
        let mut take = |i: usize| std::mem::take(&mut t.0[i]);
        HistoryRecord {
            id: 0,
            facility: take(FACILITY),
            confirmed_at: super::from_millis(super::to_millis(meta.at)),
            login_id: take(LOGIN_ID),
            reference_number: d.has_reference.then(|| take(REFERENCE)),
            kind: meta.kind,
            result: take(RESULT),
            insurer_number: take(INSURER),
            card: take(CARD),
            name: take(NAME),
            sex: take(SEX),
            birthdate: take(BIRTHDATE),
            detail: d.detail.map(|consent| HistoryDetail {
                status: take(STATUS),
                consent,
                prescription_issue_form: take(FORM),
                insured: std::array::from_fn(|i| take(INSURED + i)),
                qualification: std::array::from_fn(|i| take(QUALIFICATION + i)),
            }),
        }
    }
}
