//! A record's texts derived from an answered result, in one place. The derivation reads
//! [`Inputs`]: the texts of the result a record needs, as they came. A [`HistoryRecord`] built
//! from a result derives them at once; the memory store keeps a single inquiry's inputs packed
//! and derives its texts only when the record is read (issue 16: the 和暦 dates, labels and
//! trimming were ≈ 15 % of an inquiry's instructions, for records mostly never shown).

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

// The inputs of a record, in the order the memory store packs them (after the facility and
// the login id, so that input `IN_REFERENCE` is text `REFERENCE`).
pub(super) const IN_REFERENCE: usize = 0;
const IN_INSURER: usize = 1;
const IN_SYMBOL: usize = 2;
const IN_NUMBER: usize = 3;
const IN_BRANCH: usize = 4;
const IN_NAME: usize = 5;
const IN_SEX: usize = 6;
const IN_BIRTHDATE: usize = 7;
const IN_INSURER_NAME: usize = 8;
const IN_CLASS: usize = 9;
const IN_RATIO: usize = 10;
const IN_QUALIFIED: usize = 11;
const IN_DISQUALIFIED: usize = 12;
const IN_VALID_FROM: usize = 13;
const IN_VALID_UNTIL: usize = 14;
const IN_FAMILY: usize = 15;
const IN_INSURED_NAME: usize = 16;
const IN_LOSS: usize = 17;
const IN_POST: usize = 18;
const IN_ADDRESS: usize = 19;
const IN_FORM: usize = 20;
pub(super) const INPUTS: usize = 21;

/// What a record is derived from: the texts of an answered result it needs, untrimmed, ""
/// where the result has none (every text is trimmed and an empty one counts as absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Inputs<'a> {
    /// One person was found: the texts are theirs. Else (複数該当, none) the card texts are
    /// the card that was searched and the others are empty.
    pub(super) single: bool,
    pub(super) texts: [&'a str; INPUTS],
    /// The consent grid (RULE-61), in the order of `texts::HISTORY_CONSENT_LABELS`.
    pub(super) consent: [bool; 6],
}

fn raw(x: &Option<String>) -> &str {
    x.as_deref().unwrap_or_default()
}

/// A consent flag given (「1」, spaces around it allowed); trimmed only when it could matter.
fn is_one(flag: &str) -> bool {
    match flag.len() {
        0 => false,
        1 => flag == "1",
        _ => flag.trim() == "1",
    }
}

impl<'a> Inputs<'a> {
    /// The inputs of an answered result: the validity, the card searched (for the list when no
    /// single person was found), the qualification results and the 処方箋発行形態 (code 1/2).
    pub(super) fn of(
        searched: Option<&'a SearchInfo>,
        results: &'a [QualificationResult],
        prescription_issue_select: Option<&'a str>,
    ) -> Inputs<'a> {
        let mut t = [""; INPUTS];
        t[IN_FORM] = prescription_issue_select.unwrap_or_default();
        let mut consent = [false; 6];
        // One person: their card; several (複数該当) or none: the card that was searched.
        let single = match (results, searched) {
            ([r], _) => {
                t[IN_REFERENCE] = raw(&r.reference_number);
                t[IN_INSURER] = raw(&r.insurer_number);
                t[IN_SYMBOL] = raw(&r.insured_card_symbol);
                t[IN_NUMBER] = raw(&r.insured_identification_number);
                t[IN_BRANCH] = raw(&r.insured_branch_number);
                t[IN_NAME] = raw(&r.name);
                t[IN_SEX] = raw(&r.sex1);
                t[IN_BIRTHDATE] = raw(&r.birthdate);
                t[IN_INSURER_NAME] = raw(&r.insurer_name);
                t[IN_CLASS] = raw(&r.insured_card_classification);
                t[IN_RATIO] = raw(&r.insured_partial_contribution_ratio);
                t[IN_QUALIFIED] = raw(&r.qualification_date);
                t[IN_DISQUALIFIED] = raw(&r.disqualification_date);
                t[IN_VALID_FROM] = raw(&r.insured_card_valid_date);
                t[IN_VALID_UNTIL] = raw(&r.insured_card_expiration_date);
                t[IN_FAMILY] = raw(&r.personal_family_classification);
                t[IN_INSURED_NAME] = raw(&r.insured_name);
                t[IN_LOSS] = raw(&r.reason_of_loss);
                t[IN_POST] = raw(&r.post_number);
                t[IN_ADDRESS] = raw(&r.address);
                consent = [
                    &r.limit_cons_flg,
                    &r.specific_diseases_cons_flg,
                    &r.operation_cons_flg,
                    &r.specific_health_checkups_cons_flg,
                    &r.pharmacists_cons_flg,
                    &r.diagnosis_cons_flg,
                ]
                .map(|f| is_one(raw(f)));
                true
            }
            (_, Some(s)) => {
                t[IN_INSURER] = raw(&s.insurer_number);
                t[IN_SYMBOL] = raw(&s.insured_card_symbol);
                t[IN_NUMBER] = raw(&s.insured_identification_number);
                t[IN_BRANCH] = raw(&s.insured_branch_number);
                false
            }
            (_, None) => false,
        };
        Inputs {
            single,
            texts: t,
            consent,
        }
    }

    /// Input `i`, trimmed; `None` when empty.
    fn get(&self, i: usize) -> Option<&'a str> {
        Some(self.texts[i].trim()).filter(|s| !s.is_empty())
    }

    /// Input `i` of the single person found (`None` when there is none).
    fn person(&self, i: usize) -> Option<&'a str> {
        self.get(i).filter(|_| self.single)
    }
}

fn put(out: &mut String, text: Option<&str>) {
    if let Some(t) = text {
        out.push_str(t);
    }
}

/// A code's label, or the code itself when it has none.
fn put_label(out: &mut String, code: Option<&str>, label: Option<&'static str>) {
    put(out, label.or(code));
}

/// `YYYYMMDD` (wire) → `yyyy/mm/dd` (history screens, DM-24); other text unchanged.
fn put_display_date(out: &mut String, wire: &str) {
    match oqs_protocol::message::parse_date(wire) {
        Ok(d) => match u32::try_from(d.year()) {
            Ok(year @ 0..=9999) => {
                // Not format!: up to six dates per record.
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
fn put_detail_date(out: &mut String, wire: Option<&str>) {
    if let Some(w) = wire {
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

/// A record derived from its inputs, with its 《詳細》 when `with_detail` (and its kind has
/// one, RULE-59).
pub(super) fn record(
    id: u64,
    meta: Recorded<'_>,
    validity: QualificationValidity,
    inputs: &Inputs<'_>,
    with_detail: bool,
) -> HistoryRecord {
    let mut t: [String; TEXTS] = std::array::from_fn(|_| String::new());
    let reference = inputs.person(IN_REFERENCE);
    put(&mut t[REFERENCE], reference);
    t[RESULT].push_str(validity.label());
    put(&mut t[INSURER], inputs.get(IN_INSURER));
    put_card(
        &mut t[CARD],
        [
            inputs.get(IN_SYMBOL),
            inputs.get(IN_NUMBER),
            inputs.get(IN_BRANCH),
        ],
    );
    put(&mut t[NAME], inputs.person(IN_NAME));
    let sex = inputs
        .person(IN_SEX)
        .and_then(Sex::from_code)
        .map(Sex::label);
    put(&mut t[SEX], sex);
    if let Some(b) = inputs.person(IN_BIRTHDATE) {
        put_display_date(&mut t[BIRTHDATE], b);
    }
    let detail = (with_detail && meta.kind.has_detail()).then(|| {
        derive_detail(validity, inputs, &mut t);
        inputs.consent
    });
    let mut take = |i: usize| std::mem::take(&mut t[i]);
    HistoryRecord {
        id,
        facility: meta.facility.to_owned(),
        confirmed_at: super::from_millis(super::to_millis(meta.at)),
        login_id: meta.login_id.to_owned(),
        reference_number: reference.is_some().then(|| take(REFERENCE)),
        kind: meta.kind,
        result: take(RESULT),
        insurer_number: take(INSURER),
        card: take(CARD),
        name: take(NAME),
        sex: take(SEX),
        birthdate: take(BIRTHDATE),
        detail: detail.map(|consent| HistoryDetail {
            status: take(STATUS),
            consent,
            prescription_issue_form: take(FORM),
            insured: std::array::from_fn(|i| take(INSURED + i)),
            qualification: std::array::from_fn(|i| take(QUALIFICATION + i)),
        }),
    }
}

/// SCR-20's texts (RULE-62: the state at the time of the check).
fn derive_detail(validity: QualificationValidity, inputs: &Inputs<'_>, t: &mut [String; TEXTS]) {
    let p = |i| inputs.person(i);
    t[STATUS].push_str(texts::banner(validity).unwrap_or(validity.label()));
    let form = inputs
        .get(IN_FORM)
        .and_then(PrescriptionIssueForm::from_code)
        .map_or(texts::HISTORY_PRESCRIPTION_UNSELECTED, |f| f.label());
    t[FORM].push_str(form);
    // ③ 被保険者情報, in the order of `texts::HISTORY_INSURED_LABELS`.
    put(&mut t[INSURED], p(IN_REFERENCE));
    put(&mut t[INSURED + 1], p(IN_INSURER));
    put(&mut t[INSURED + 2], p(IN_INSURER_NAME));
    put(&mut t[INSURED + 3], p(IN_SYMBOL));
    put(&mut t[INSURED + 4], p(IN_NUMBER));
    put(&mut t[INSURED + 5], p(IN_BRANCH));
    put(&mut t[INSURED + 6], p(IN_NAME));
    let sex = p(IN_SEX);
    put_label(
        &mut t[INSURED + 7],
        sex,
        sex.and_then(Sex::from_code).map(Sex::label),
    );
    put_detail_date(&mut t[INSURED + 8], p(IN_BIRTHDATE));
    // ④ 資格情報, in the order of `texts::HISTORY_QUALIFICATION_LABELS`.
    let q = QUALIFICATION;
    let class = p(IN_CLASS);
    put_label(
        &mut t[q],
        class,
        class
            .and_then(InsuredCardClassification::from_code)
            .map(InsuredCardClassification::label),
    );
    if let Some(c) = p(IN_RATIO) {
        match ContributionRatio::parse(c) {
            Some(x) => x.push_label(&mut t[q + 1]),
            None => t[q + 1].push_str(c),
        }
    }
    put_detail_date(&mut t[q + 2], p(IN_QUALIFIED));
    put_detail_date(&mut t[q + 3], p(IN_DISQUALIFIED));
    put_detail_date(&mut t[q + 4], p(IN_VALID_FROM));
    put_detail_date(&mut t[q + 5], p(IN_VALID_UNTIL));
    let family = p(IN_FAMILY);
    put_label(
        &mut t[q + 6],
        family,
        family
            .and_then(PersonalFamily::from_code)
            .map(PersonalFamily::label),
    );
    // 被保険者氏名: real 本人 answers carry no InsuredName; the screen shows the person's own
    // name there, as the manual's screenshot does (docs/interface.md, 本人).
    let insured_name = p(IN_INSURED_NAME).or_else(|| {
        (family == Some(PersonalFamily::Insured.code()))
            .then(|| p(IN_NAME))
            .flatten()
    });
    put(&mut t[q + 7], insured_name);
    let loss = p(IN_LOSS);
    put_label(
        &mut t[q + 8],
        loss,
        loss.and_then(ReasonOfLoss::from_code)
            .map(ReasonOfLoss::label),
    );
    put(&mut t[q + 9], p(IN_POST));
    put(&mut t[q + 10], p(IN_ADDRESS));
}

impl HistoryRecord {
    /// A record from an answered result (see [`Inputs::of`]).
    pub fn from_result(
        meta: Recorded<'_>,
        validity: QualificationValidity,
        searched: Option<&SearchInfo>,
        results: &[QualificationResult],
        prescription_issue_select: Option<&str>,
    ) -> HistoryRecord {
        let inputs = Inputs::of(searched, results, prescription_issue_select);
        record(0, meta, validity, &inputs, true)
    }
}
