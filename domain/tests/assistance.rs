//! 医療扶助 (ch.6 §1) by the insurance-card search (FLOW-19: 保険者番号 ← 公費負担者番号,
//! 番号 ← 受給者番号): the 東北 family of the built-in population on 2023-09-15 (令和5年9月),
//! one person per display case. Each snapshot is the exact result document, reviewed against
//! manual-catalogue.md RULE-36..48, DM-10..12 and sample-population.md; the facts that make the
//! case are asserted as well, with the SCR-11 reading ([`Scr11`]) and its texts.

use chrono::DateTime;
use oqs_domain::assistance::Scr11;
use oqs_domain::inquiry::{answer_single_inquiry, Answer};
use oqs_domain::Population;
use oqs_protocol::codes::QualificationValidity;
use oqs_protocol::message::{
    MedicalTicketInfo, QualificationResult, RequestHeader, SearchInfo, SingleInquiryRequest,
};
use oqs_protocol::xml::write_document;
use oqs_protocol::{texts, ErrorTable, TextEncoding};
use std::sync::OnceLock;

const CLINIC: &str = "1234567890";
const PHARMACY: &str = "1341234567";
const OTHER: &str = "9999999999";
const DATE: &str = "20230915";

fn population() -> &'static Population {
    static POP: OnceLock<Population> = OnceLock::new();
    POP.get_or_init(oqs_domain::builtin_population)
}

fn ask_at(pop: &Population, facility: &str, number: &str, birthdate: &str) -> Answer {
    let req = SingleInquiryRequest {
        header: RequestHeader {
            qualification_confirmation_date: Some(DATE.into()),
            medical_institution_code: Some(facility.into()),
            arbitrary_file_identifier: None,
            character_code_identifier: None,
        },
        search: SearchInfo {
            insurer_number: Some("12374013".into()),
            insured_card_symbol: None,
            insured_identification_number: Some(number.into()),
            insured_branch_number: None,
            birthdate: Some(birthdate.into()),
            limit_application_certificate_related_cons_flg: Some("0".into()),
            arbitrary_identifier: None,
        },
    };
    let now = DateTime::parse_from_rfc3339("2023-09-15T10:00:00+09:00").expect("time");
    answer_single_inquiry(pop, &req, TextEncoding::Utf8, now, &ErrorTable::builtin())
}

fn ask(facility: &str, number: &str, birthdate: &str) -> Answer {
    ask_at(population(), facility, number, birthdate)
}

fn xml(a: &Answer) -> String {
    String::from_utf8(write_document(&a.response.to_element(), a.encoding)).expect("UTF-8")
}

fn validity(a: &Answer) -> Option<QualificationValidity> {
    a.response.body.as_ref()?.qualification_validity
}

fn only(a: &Answer) -> &QualificationResult {
    let body = a.response.body.as_ref().expect("a body");
    assert_eq!(body.results.len(), 1, "one result");
    &body.results[0]
}

fn scr11(a: &Answer) -> Scr11 {
    Scr11::of(a.response.body.as_ref().expect("a body")).expect("a 医療扶助 result")
}

fn o(x: &Option<String>) -> Option<&str> {
    x.as_deref()
}

fn issue_numbers(t: &[MedicalTicketInfo]) -> Vec<&str> {
    t.iter().filter_map(|t| t.issue_number.as_deref()).collect()
}

/// Case (1), FLOW-19, RULE-36/38/47/48: 東北 一郎 by his 公費 numbers at the clinic his 医療券 is
/// entrusted to: the 医療扶助 result only (no insurance, RULE-48), with the 医療券.
#[test]
fn case1_tohoku_ichiro_by_public_expense_numbers_at_the_clinic() {
    let a = ask(CLINIC, "9900028", "19800725");
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    let r = only(&a);
    assert_eq!(o(&r.insured_card_classification), Some("A1"));
    assert_eq!(o(&r.insurer_number), Some("12374013"));
    assert_eq!(o(&r.insured_identification_number), Some("9900028"));
    assert_eq!(o(&r.insurer_name), Some("サンプル福祉事務所"));
    assert_eq!(o(&r.name), Some("東北　一郎"));
    assert_eq!(issue_numbers(&r.medical_tickets), ["00001"]);
    let t = &r.medical_tickets[0];
    assert_eq!(o(&t.ticket_type), Some("01"));
    assert_eq!(o(&t.treatment_month), Some("202309"));
    assert_eq!(o(&t.treatment_type), Some("02"));
    assert_eq!(o(&t.single_or_combined), Some("02"));
    assert_eq!(o(&t.designated_name), Some("テスト医療機関（医科）"));
    assert_eq!(o(&t.self_pay_amount), Some("0"));
    assert_eq!(
        t.prescriber_name, None,
        "処方箋発行元 only on a 調剤券 (RULE-47)"
    );
    assert_eq!(t.consistency_flag, None, "社会保険 あり and he is insured");
    let v = scr11(&a);
    assert_eq!(v.tabs, [texts::MA_TAB_ASSISTANCE]);
    assert_eq!(v.public_expense_number.as_deref(), Some("12374013"));
    assert_eq!(v.beneficiary_number.as_deref(), Some("9900028"));
    assert!(v.messages.is_empty());
    assert_eq!(v.tickets[0].label, "医療券");
    assert_eq!(v.tickets[0].treatment, "入院外");
    assert_eq!(v.tickets[0].single_or_combined, "併用");
    assert_eq!(v.tickets[0].social_insurance, "あり");
    insta::assert_snapshot!("assistance_case1_clinic", xml(&a));
}

/// RULE-47: at the pharmacy the 調剤券 is shown, with its 処方箋発行元 and 診療区分 調剤.
#[test]
fn case1_tohoku_ichiro_at_the_pharmacy_gets_the_dispensing_ticket() {
    let a = ask(PHARMACY, "9900028", "19800725");
    let r = only(&a);
    assert_eq!(issue_numbers(&r.medical_tickets), ["00002"]);
    let v = scr11(&a);
    assert_eq!(v.tickets[0].label, "調剤券");
    assert_eq!(v.tickets[0].treatment, "調剤");
    assert_eq!(
        v.tickets[0].prescriber.as_deref(),
        Some("テスト医療機関（医科）")
    );
    insta::assert_snapshot!("assistance_case1_pharmacy", xml(&a));
}

/// Case (2), RULE-39, ERR-20: at a facility no ticket is entrusted to (未委託): 資格有効性 6
/// 有効（未登録）, numbers left out (shown 「(未委託のため非表示)」), the ERR-20 text.
#[test]
fn case2_not_entrusted_masks_the_numbers() {
    for (facility, number, birthdate) in [
        (OTHER, "9900028", "19800725"),
        (CLINIC, "9900029", "19820202"),
    ] {
        let a = ask(facility, number, birthdate);
        assert_eq!(
            validity(&a),
            Some(QualificationValidity::ValidUnregistered),
            "{facility} {number}"
        );
        let r = only(&a);
        assert_eq!(r.insurer_number, None);
        assert_eq!(r.insured_identification_number, None);
        assert!(r.medical_tickets.is_empty());
        let v = scr11(&a);
        assert_eq!(
            v.public_expense_number.as_deref(),
            Some(texts::MA_NOT_ENTRUSTED)
        );
        assert_eq!(
            v.beneficiary_number.as_deref(),
            Some(texts::MA_NOT_ENTRUSTED)
        );
        assert_eq!(v.messages, [texts::MA_NO_TICKET]);
    }
    insta::assert_snapshot!(
        "assistance_case2_not_entrusted",
        xml(&ask(CLINIC, "9900029", "19820202"))
    );
}

/// Case (3), RULE-40: an ended 医療扶助 is 無効 with 資格喪失日 and 資格喪失事由 その他; the numbers
/// are masked as on the invalid screenshots (AMB-31); no ERR-20.
#[test]
fn case3_invalid_assistance() {
    let a = ask(CLINIC, "9900030", "19830303");
    assert_eq!(validity(&a), Some(QualificationValidity::Invalid));
    let r = only(&a);
    assert_eq!(o(&r.disqualification_date), Some("20230601"));
    assert_eq!(o(&r.reason_of_loss), Some("99"));
    let v = scr11(&a);
    assert_eq!(
        v.public_expense_number.as_deref(),
        Some(texts::MA_NOT_ENTRUSTED)
    );
    assert!(v.messages.is_empty());
    insta::assert_snapshot!("assistance_case3_invalid", xml(&a));
}

/// Case (7), RULE-44/46, ERR-21: 社会保険 あり without a valid insurance: ConsistencyFlag 1 on
/// every ticket, the ERR-21 text once, 「あり (不整合あり)」; two tickets newest 有効開始日 first.
#[test]
fn case7_mismatch_and_ticket_order() {
    let a = ask(CLINIC, "9900033", "19870707");
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
    let r = only(&a);
    assert_eq!(issue_numbers(&r.medical_tickets), ["00012", "00011"]);
    assert!(r
        .medical_tickets
        .iter()
        .all(|t| o(&t.consistency_flag) == Some("1")));
    let v = scr11(&a);
    assert_eq!(v.messages, [texts::MA_MISMATCH]);
    assert_eq!(v.tickets[0].treatment, "歯科診療");
    assert_eq!(v.tickets[0].social_insurance, "あり (不整合あり)");
    insta::assert_snapshot!("assistance_case7_mismatch", xml(&a));
}

/// RULE-46: a ticket is shown only on the days it is valid (the 10th for 00012).
#[test]
fn tickets_follow_the_confirmation_date() {
    let pop = population();
    let id = pop
        .find_qualification(
            oqs_protocol::message::InsurerNumber::parse("12374013").expect("number"),
            None,
            "9900033",
            None,
        )
        .expect("東北 七子");
    let on = |d| chrono::NaiveDate::from_ymd_opt(2023, 9, d).expect("date");
    let numbers = |d| -> Vec<String> {
        oqs_domain::assistance::tickets_for(pop, id, CLINIC, on(d))
            .iter()
            .map(|t| t.issue_number.to_string())
            .collect()
    };
    assert_eq!(numbers(9), ["00011"]);
    assert_eq!(numbers(10), ["00012", "00011"]);
    assert!(oqs_domain::assistance::tickets_for(pop, id, PHARMACY, on(10)).is_empty());
}

/// RULE-37 / ENV-07: a facility that does not use 医療扶助 finds no 医療扶助 qualification.
#[test]
fn facility_without_medical_assistance_finds_nothing() {
    let mut pop = oqs_domain::builtin_population();
    oqs_domain::fixtures::load_into(
        &mut pop,
        "env07.toml",
        "[[facility]]\ncode = \"1234567890\"\nname = \"サンプル医療機関\"\nmedical_assistance = false\n",
    )
    .expect("loads");
    let a = ask_at(&pop, CLINIC, "9900028", "19800725");
    assert_eq!(validity(&a), Some(QualificationValidity::NotFound));
    // The built-in サンプル医療機関 uses 医療扶助 and finds him.
    let a = ask(CLINIC, "9900028", "19800725");
    assert_eq!(validity(&a), Some(QualificationValidity::Valid));
}

/// The fixture format refuses tickets that break DM-12 / RULE-47.
#[test]
fn fixture_tickets_are_checked() {
    let base = |ticket: &str| {
        format!(
            "[[insurer]]\nnumber = \"12374013\"\nname = \"x\"\n[[person]]\nid = \"p\"\nname = \"a b\"\nkana = \"ア イ\"\nsex = \"男\"\nbirthdate = 1980-01-01\n[[person.qualification]]\ninsurer = \"12374013\"\nnumber = \"1234567\"\ncard = \"医療扶助\"\nvalid_from = 2020-01-01\n[[person.qualification.ticket]]\n{ticket}"
        )
    };
    let ok = "kind = \"医療券\"\nmonth = \"2023-09\"\nvalid_from = 2023-09-01\nissue_number = \"1\"\nfacility = \"1234567890\"\nfacility_name = \"x\"\ntreatment = \"入院\"\n";
    let mut pop = Population::new();
    oqs_domain::fixtures::load_into(&mut pop, "t.toml", &base(ok)).expect("a good ticket loads");
    for (bad, field) in [
        (ok.replace("入院", "調剤"), "treatment"),
        (ok.replace("1234567890", "12345"), "facility"),
        (ok.replace("2023-09\"", "2023-13\""), "month"),
        (
            format!("{ok}injuries = [\"a\", \"b\", \"c\", \"d\"]\n"),
            "injuries",
        ),
        (
            format!("{ok}prescriber = \"1234567890\"\nprescriber_name = \"x\"\n"),
            "prescriber",
        ),
    ] {
        let e = oqs_domain::fixtures::load_into(&mut Population::new(), "t.toml", &base(&bad))
            .expect_err("refused");
        assert_eq!(e.field, field, "{e}");
    }
    // A 医療扶助 card needs a 公費負担者番号, and a 7-digit 受給者番号.
    let wrong_number = base(ok).replace("number = \"1234567\"", "number = \"12345\"");
    let e = oqs_domain::fixtures::load_into(&mut Population::new(), "t.toml", &wrong_number)
        .expect_err("refused");
    assert_eq!(e.field, "number");
}

/// An OQSsiquc01 answer for a card of the 医療保険 (not 医療扶助) at the clinic on 2023-09-15.
fn ask_insurance(symbol: &str, number: &str, branch: &str, birthdate: &str) -> Answer {
    let req = SingleInquiryRequest {
        header: RequestHeader {
            qualification_confirmation_date: Some(DATE.into()),
            medical_institution_code: Some(CLINIC.into()),
            arbitrary_file_identifier: None,
            character_code_identifier: None,
        },
        search: SearchInfo {
            insurer_number: Some(
                if symbol == "9000" {
                    "06139000"
                } else {
                    "06140156"
                }
                .into(),
            ),
            insured_card_symbol: Some(symbol.into()),
            insured_identification_number: Some(number.into()),
            insured_branch_number: Some(branch.into()),
            birthdate: Some(birthdate.into()),
            limit_application_certificate_related_cons_flg: Some("0".into()),
            arbitrary_identifier: None,
        },
    };
    let now = DateTime::parse_from_rfc3339("2023-09-15T10:00:00+09:00").expect("now");
    answer_single_inquiry(
        population(),
        &req,
        TextEncoding::Utf8,
        now,
        &ErrorTable::builtin(),
    )
}

#[test]
fn rule_48_a_beneficiary_found_by_the_insurance_numbers_gets_the_insurance_tab_alone() {
    use oqs_domain::assistance::scr11_at;
    let pop = population();
    // 東北 一郎 by his 医療保険 card: SCR-11 with the 「医療保険」 tab only (RULE-48).
    let a = ask_insurance("福運テ記号00001", "福運テ番号00001", "01", "19800725");
    let body = a.response.body.as_ref().expect("body");
    assert!(
        Scr11::of(body).is_none(),
        "no 医療扶助 result in the answer"
    );
    let v = scr11_at(pop, body, CLINIC).expect("a 被保護者: tabs");
    assert_eq!(v.tabs, [texts::MA_TAB_INSURANCE]);
    assert!(v.tickets.is_empty() && v.messages.is_empty());
    // By 公費負担者番号 / 受給者番号: the 医療扶助 reading itself.
    let a = ask(CLINIC, "9900028", "19800725");
    let body = a.response.body.as_ref().expect("body");
    assert_eq!(scr11_at(pop, body, CLINIC), Scr11::of(body));
    // Someone who is not a 被保護者: the plain SCR-10.
    let a = ask_insurance("9000", "10001", "01", "19540326");
    let body = a.response.body.as_ref().expect("body");
    assert_eq!(body.results.len(), 1, "新橋 太郎 found");
    assert_eq!(scr11_at(pop, body, CLINIC), None);
}
