//! SCR-11 資格情報確認 (医療扶助 / 医療保険・医療扶助, ch.6 §1 (1)..(8), §3): the 「医療保険」 /
//! 「医療扶助」 tabs above the 被保険者／被保護者情報 area and the 医療扶助 tab itself — ②
//! 被保護者情報 (the numbers or 「(未委託のため非表示)」, RULE-39), ③ 資格情報, the inline
//! ERR-20 / ERR-21, ④ 医療券・調剤券 newest first (RULE-46/47), grey when the qualification is not
//! valid (RULE-40/42). What to show is `oqs_domain::assistance::Scr11`'s reading of the result
//! (`scr11_at`); this module only draws it. SCR-10 (`result.rs`) composes it.

use super::view::{self, coded, dated, opt, sex};
use maud::{html, Markup};
use oqs_domain::assistance::Scr11;
use oqs_domain::display;
use oqs_protocol::codes::{Applicable, InsuredCardClassification, ReasonOfLoss};
use oqs_protocol::message::{MedicalTicketInfo, QualificationResult};
use oqs_protocol::texts::{self, assistance as ta, checks as t};

/// What SCR-11 adds to the check screens' style sheet.
pub const CSS: &str = r#"
.matabs{display:flex;gap:2px;margin:0 0 -1px 0}
.matabs a{padding:7px 22px;border:1px solid #c9d3de;border-bottom:0;border-radius:6px 6px 0 0;background:#e3eaf2;color:#1f4e79;text-decoration:none;font-weight:600}
.matabs a.on{background:#fff;color:#1d2733;border-top:4px solid #1f4e79;padding-top:4px}
.grey section.panel,.grey table.kv td,.grey table.kv th{background:#e5e8eb;color:#6b7480}
.ticket{position:relative;border:1px solid #8a99a8;border-radius:4px;padding:10px 14px;margin:10px 0}
.ticket .kind{position:absolute;top:6px;right:10px;border:1px solid #1f4e79;border-radius:3px;padding:1px 10px;font-weight:700;color:#1f4e79}
"#;

/// Whether a result is the 医療扶助 one (証区分 医療扶助).
pub fn is_assistance(r: &QualificationResult) -> bool {
    r.insured_card_classification.as_deref()
        == Some(InsuredCardClassification::MedicalAssistance.code())
}

/// The tab row 「医療保険」「医療扶助」 (RULE-41..43): `on` is the shown tab; each tab links
/// `href(i)`.
pub fn tab_bar(v: &Scr11, on: usize, href: impl Fn(usize) -> String) -> Markup {
    html! {
        nav.matabs #ma-tabs aria-label="被保険者／被保護者情報" {
            @for (i, name) in v.tabs.iter().enumerate() {
                a.on[i == on] href=(href(i)) data-tab=(name) aria-current=[(i == on).then_some("page")] { (name) }
            }
        }
    }
}

/// The index of the tab named `name`, if shown.
pub fn tab_index(v: &Scr11, name: &str) -> Option<usize> {
    v.tabs.iter().position(|t| *t == name)
}

/// ERR-20 / ERR-21 inline (RULE-39/44), with their catalogue ids for the tests.
fn messages(v: &Scr11) -> Markup {
    html! {
        @for m in &v.messages {
            @let id = if *m == texts::MA_NO_TICKET { "ERR-20" } else { "ERR-21" };
            p.error.ma-message data-err=(id) { (m) }
        }
    }
}

fn yes_no(v: &Option<String>) -> String {
    coded(v, Applicable::from_code, |a| a.label().into())
}

/// ④ one ticket: the type label top right, the rows of RULE-47 (処方箋発行元 only on a
/// 調剤券), the 「あり」/「なし」 table with RULE-44's 「(不整合あり)」.
fn ticket(i: usize, shown: &oqs_domain::assistance::TicketView, x: &MedicalTicketInfo) -> Markup {
    let l = ta::TICKET_LABELS;
    let month = opt(&x.treatment_month);
    let month = chrono::NaiveDate::parse_from_str(&format!("{month}01"), "%Y%m%d")
        .map(oqs_domain::wareki::format_month)
        .unwrap_or_else(|_| month.to_owned());
    let mut rows = vec![
        (l[0], month),
        (l[1], shown.single_or_combined.to_owned()),
        (l[2], dated(&x.valid_date)),
        (l[3], dated(&x.expiration_date)),
        (l[4], shown.issue_number.clone()),
        (l[5], opt(&x.designated_name).to_owned()),
    ];
    if let Some(p) = &shown.prescriber {
        rows.push((l[6], p.clone()));
    }
    for (k, name) in x.injury_names.iter().enumerate() {
        if let Some(n) = name {
            rows.push((l[7 + k], n.clone()));
        }
    }
    rows.push((l[10], shown.treatment.to_owned()));
    rows.push((l[11], display::yen(opt(&x.self_pay_amount))));
    rows.push((l[12], opt(&x.district_contact_name).to_owned()));
    rows.push((l[13], opt(&x.handling_contact_name).to_owned()));
    let table = [
        shown.social_insurance.clone(),
        yes_no(&x.infection),
        yes_no(&x.elderly_medical_care),
        yes_no(&x.prefectural_expenses),
    ];
    html! {
        div.ticket id={ "ticket-" (i) } data-kind=(shown.label) {
            span.kind { (shown.label) }
            (view::rows(&format!("ticket-rows-{i}"), &rows))
            table.list {
                tr { @for h in ta::TICKET_TABLE { th { (h) } } }
                tr { @for (h, v) in ta::TICKET_TABLE.iter().zip(&table) { td data-label=(h) { (v) } } }
            }
        }
    }
}

/// The 医療扶助 tab of result `r`: `editor` is SCR-14's 照会番号 line (drawn by SCR-10).
pub fn assistance_tab(r: &QualificationResult, v: &Scr11, editor: Markup) -> Markup {
    let b = ta::BENEFICIARY_LABELS;
    let shown_number = |n: &Option<String>| n.clone().unwrap_or_default();
    let beneficiary = vec![
        (b[0], shown_number(&v.public_expense_number)),
        (b[1], opt(&r.insurer_name).to_owned()),
        (b[2], shown_number(&v.beneficiary_number)),
        (b[3], opt(&r.name).to_owned()),
        (b[4], sex(&r.sex1)),
        (b[5], dated(&r.birthdate)),
    ];
    let q = ta::QUALIFICATION_LABELS;
    let qualification = vec![
        (q[0], dated(&r.qualification_date)),
        (q[1], dated(&r.disqualification_date)),
        (
            q[2],
            coded(&r.reason_of_loss, ReasonOfLoss::from_code, |x| {
                x.label().into()
            }),
        ),
        (q[3], opt(&r.post_number).to_owned()),
        (q[4], opt(&r.address).to_owned()),
    ];
    html! {
        div #ma-assistance {
            (messages(v))
            div.cols {
                section.panel {
                    h2 { "② " (ta::BENEFICIARY_HEADING) }
                    (editor)
                    @if let Some(l) = view::preschool(r) { p.ok #preschool { (l) } }
                    (view::rows("beneficiary", &beneficiary))
                }
                section.panel {
                    h2 { "③ " (t::QUALIFICATION_HEADING) }
                    (view::rows("ma-qualification", &qualification))
                }
            }
            @if !v.tickets.is_empty() {
                section.panel #tickets {
                    h2 { "④ " (texts::MA_TICKETS_HEADING) }
                    @for (i, (shown, x)) in v.tickets.iter().zip(&r.medical_tickets).enumerate() {
                        (ticket(i, shown, x))
                    }
                }
            }
        }
    }
}
