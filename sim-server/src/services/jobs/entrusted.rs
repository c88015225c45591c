//! 委託先資格情報一括取得 (JOB-04, ch.6 §2, FLOW-36/37): every 医療券・調剤券 of one 診療年月
//! entrusted to the facility, with the 医療扶助 qualification it belongs to. Submitted as
//! OQSmutic01req (or from SCR-29's route), fetched as OQSmutic02req; the result is one
//! `BulkConfirmUnit` per 被保護者 (as the public client that reads OQSmutic02res expects), or the
//! DM-20 CSV when SCR-29's 「出力ファイル形式」 was CSV.

use super::{Inner, Job, Outcome};
use oqs_domain::assistance;
use oqs_domain::inquiry::{qualification_result, timestamp, ResultOptions};
use oqs_domain::Population;
use oqs_protocol::codes::{
    Applicable, ConsentFlag, InsuredCardClassification, MedicalTreatmentType,
    ProcessingResultStatus, QualificationValidity, Sex, SingleOrCombined, TicketType,
};
use oqs_protocol::entrusted::OutputFormat;
use oqs_protocol::message::QualificationResult;
use oqs_protocol::{texts, Element};

use super::prepare::EntrustedWork;

/// The result units (XML), and the CSV text when CSV was asked for. 照会完了（要確認） when a
/// ticket's 社会保険 does not match (RULE-44: 「確認の必要なデータ」).
pub(crate) fn process(
    inner: &Inner,
    job: &Job,
    work: &EntrustedWork,
    pop: &Population,
) -> Option<(Outcome, Option<String>)> {
    let now = inner.clock.now();
    let facility = job.facility.as_str();
    let found = assistance::entrusted(pop, facility, work.month);
    let mut out = Outcome {
        fragments: Vec::with_capacity(found.len()),
        normal: 0,
        errors: 0,
        needs_check: false,
    };
    let mut results = Vec::with_capacity(found.len());
    for (i, (id, tickets)) in found.iter().enumerate() {
        // The qualification as on the first day its newest ticket is valid.
        let date = tickets.first().map_or(work.month, |t| t.valid_from);
        let options = ResultOptions {
            facility,
            date,
            now,
            limit_consent: ConsentFlag::NotConsented,
            specific_disease_allowed: false,
            specific_disease_consent: false,
        };
        let mut r = qualification_result(pop, *id, &options);
        r.limit_cons_flg = None;
        assistance::fill_with(pop, *id, tickets, date, &mut r);
        let mut one = [r];
        inner.references.patch(facility, &mut one);
        let [r] = one;
        let validity = oqs_domain::judgement::validity_on(pop, *id, date);
        out.needs_check |= r
            .medical_tickets
            .iter()
            .any(|t| t.consistency_flag.is_some());
        out.normal += 1;
        out.fragments.push(super::fragment(unit(&r, validity)));
        results.push(r);
        if !inner.row_done(job.seq, i + 1) {
            return None;
        }
    }
    let csv = (work.format == OutputFormat::Csv).then(|| csv_text(&results, &timestamp(now)));
    Some((out, csv))
}

/// One `BulkConfirmUnit` of OQSmutic02res.
fn unit(r: &QualificationResult, validity: QualificationValidity) -> Element {
    let mut u = Element::new("BulkConfirmUnit");
    u.push_leaf(
        "ProcessingResultStatus",
        ProcessingResultStatus::Normal.code(),
    );
    u.push_leaf("QualificationValidity", validity.code());
    u.children.push(r.to_element());
    u.push_opt("ReferenceNumber", r.reference_number.clone());
    u
}

/// DM-20: the columns the manual shows (A–G, verbatim), then the simulator's own (the manual's
/// image cuts the rest off), one line per ticket.
pub const CSV_HEADERS: [&str; 22] = [
    "オン資登録（更新）日時",
    "公費負担者番号",
    "受給者番号",
    "照会番号",
    "氏名（券面）",
    "氏名カナ（券面）",
    "性別（表面）",
    "生年月日",
    "医療券・調剤券",
    "診療年月",
    "交付番号",
    "有効開始日",
    "有効終了日",
    "指定医療機関名",
    "処方箋発行元",
    "傷病名1",
    "傷病名2",
    "傷病名3",
    "診療区分",
    "単独・併用",
    "自己負担額",
    "社会保険",
];

fn line(fields: &[&str], out: &mut String) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(&f.replace('"', "\"\""));
        out.push('"');
    }
    out.push_str("\r\n");
}

/// The CSV (UTF-8 with a BOM, every field quoted, CRLF, as the SCR-19 CSV). オン資登録（更新）日時
/// is the time the job ran: the simulator keeps no registration time per ticket.
pub(crate) fn csv_text(results: &[QualificationResult], stamp: &str) -> String {
    let mut out = String::from('\u{feff}');
    line(&CSV_HEADERS, &mut out);
    let label = |code: &Option<String>, f: fn(&str) -> Option<&'static str>| {
        code.as_deref().and_then(f).unwrap_or("")
    };
    for r in results {
        debug_assert_eq!(
            r.insured_card_classification.as_deref(),
            Some(InsuredCardClassification::MedicalAssistance.code())
        );
        let s = |x: &Option<String>| x.clone().unwrap_or_default();
        let sex = label(&r.sex1, |c| Sex::from_code(c).map(Sex::label));
        for t in &r.medical_tickets {
            let social = label(&t.social_insurance, |c| {
                Applicable::from_code(c).map(Applicable::label)
            });
            let social = if t.consistency_flag.is_some() {
                format!("{social} {}", texts::MA_MISMATCH_SUFFIX)
            } else {
                social.to_owned()
            };
            let [i1, i2, i3] = &t.injury_names;
            line(
                &[
                    stamp,
                    &s(&r.insurer_number),
                    &s(&r.insured_identification_number),
                    &s(&r.reference_number),
                    &s(&r.name),
                    &s(&r.name_kana),
                    sex,
                    &s(&r.birthdate),
                    label(&t.ticket_type, |c| {
                        TicketType::from_code(c).map(TicketType::label)
                    }),
                    &s(&t.treatment_month),
                    &s(&t.issue_number),
                    &s(&t.valid_date),
                    &s(&t.expiration_date),
                    &s(&t.designated_name),
                    &s(&t.prescriber_name),
                    &s(i1),
                    &s(i2),
                    &s(i3),
                    label(&t.treatment_type, |c| {
                        MedicalTreatmentType::from_code(c).map(MedicalTreatmentType::label)
                    }),
                    label(&t.single_or_combined, |c| {
                        SingleOrCombined::from_code(c).map(SingleOrCombined::label)
                    }),
                    &s(&t.self_pay_amount),
                    &social,
                ],
                &mut out,
            );
        }
    }
    out
}

impl super::Jobs {
    /// SCR-29 《取得》 (FLOW-36): submits the OQSmutic01req the screen stands for — the facility,
    /// 診療年月 (`2023-09`, `202309` or 「令和5年9月」; anything else goes to the job as written,
    /// which fails it with 要求情報項目エラー) and 出力ファイル形式 (the simulator's own element).
    /// `suffix`: the 受付番号's part after `_` (the login ID on the screens, AMB-33). `None` when
    /// the engine refused the job (too many waiting, the store failed).
    pub fn submit_entrusted(
        &self,
        facility: &str,
        month: &str,
        format: Option<&str>,
        population: std::sync::Arc<Population>,
        suffix: Option<&str>,
    ) -> Option<Job> {
        let month = oqs_domain::fixtures::parse_month(month)
            .map(|d| d.format("%Y%m").to_string())
            .unwrap_or_else(|| month.to_owned());
        let req = oqs_protocol::entrusted::EntrustedRequest {
            header: oqs_protocol::message::RequestHeader {
                medical_institution_code: Some(facility.to_owned()),
                ..Default::default()
            },
            month: Some(month),
            format: format.map(str::to_owned),
        };
        let root = req.to_element();
        self.submit(
            super::JobKind::Entrusted,
            super::Submitted::Tree {
                root: &root,
                encoding: oqs_protocol::TextEncoding::Utf8,
                raw: None,
            },
            population,
            suffix,
        )
        .1
    }
}
