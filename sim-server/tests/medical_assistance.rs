//! 医療扶助 (ch.6 §1) through the simulator's ways in: FLOW-20 by the My Number card (virtual
//! card profile `medical-assistance` and the 東北 variants, `POST /terminal/mynumber`) with its
//! SCR-11 reading (`assistance`: tabs, masked numbers, ERR-20/21 texts, tickets), ERR-22, and
//! FLOW-19 by the insurance-card inquiry over XML/HTTP (RULE-48: 医療扶助 only). All on
//! 資格確認日 2023-09-15 at サンプル医療機関.

mod common;

use common::terminal::{assert_dialog, confirm, insert, result_xml};
use common::{at, post_xml, request_xml, simulator};
use oqs_protocol::texts;
use oqs_protocol::Element;
use serde_json::{json, Value};

const DATE: &str = "2023/09/15";

async fn check(person: Option<&str>) -> Value {
    let sim = simulator();
    insert(&sim, "medical-assistance", person).await;
    confirm(&sim, json!({ "confirmation_date": DATE })).await
}

fn cards(root: &Element) -> Vec<String> {
    root.child("MessageBody")
        .and_then(|b| b.child("ResultList"))
        .map(|l| {
            l.children
                .iter()
                .filter_map(|r| r.child("InsuredCardClassification"))
                .map(|c| c.text.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn validity(root: &Element) -> Option<&str> {
    at(root, &["MessageBody", "QualificationValidity"])
}

/// Case (6), RULE-43: 東北 一郎 holds both: two results, both tabs, his 医療券 (FLOW-20).
#[tokio::test]
async fn case6_both_valid_by_my_number_card() {
    let v = check(None).await;
    let x = result_xml(&v);
    assert_eq!(validity(&x), Some("1"));
    assert_eq!(cards(&x), ["01", "A1"]);
    assert_eq!(v["banner"], texts::BANNER_VALID);
    let a = &v["assistance"];
    assert_eq!(
        a["tabs"],
        json!([texts::MA_TAB_INSURANCE, texts::MA_TAB_ASSISTANCE])
    );
    assert_eq!(a["public_expense_number"], "12374013");
    assert_eq!(a["beneficiary_number"], "9900028");
    assert_eq!(a["messages"], json!([]));
    assert_eq!(a["tickets"][0]["label"], "医療券");
    assert_eq!(a["tickets"][0]["issue_number"], "00001");
    assert_eq!(a["tickets"].as_array().map(Vec::len), Some(1));
}

/// Case (2), RULE-39, ERR-20: valid 医療扶助 without a ticket: 有効（未登録）, 「この資格は有効です。」,
/// masked numbers, the ERR-20 text.
#[tokio::test]
async fn case2_no_ticket() {
    let v = check(Some("tohoku-jiro")).await;
    let x = result_xml(&v);
    assert_eq!(validity(&x), Some("6"));
    assert_eq!(v["banner"], texts::BANNER_VALID);
    let a = &v["assistance"];
    assert_eq!(a["tabs"], json!([texts::MA_TAB_ASSISTANCE]));
    assert_eq!(a["public_expense_number"], texts::MA_NOT_ENTRUSTED);
    assert_eq!(a["beneficiary_number"], texts::MA_NOT_ENTRUSTED);
    assert_eq!(a["messages"], json!([texts::MA_NO_TICKET]));
}

/// Case (3), RULE-40: ended 医療扶助 only: 無効, the 医療扶助 tab.
#[tokio::test]
async fn case3_assistance_invalid() {
    let v = check(Some("tohoku-saburo")).await;
    let x = result_xml(&v);
    assert_eq!(validity(&x), Some("2"));
    assert_eq!(cards(&x), ["A1"]);
    assert_eq!(v["banner"], texts::BANNER_INVALID);
    assert_eq!(v["assistance"]["messages"], json!([]));
}

/// Case (4), RULE-41: the valid insurance only: the 医療保険 tab, no 医療扶助 reading.
#[tokio::test]
async fn case4_insurance_valid() {
    let v = check(Some("tohoku-shiro")).await;
    let x = result_xml(&v);
    assert_eq!(validity(&x), Some("1"));
    assert_eq!(cards(&x), ["01"]);
    assert!(v.get("assistance").is_none(), "{v}");
}

/// Case (5), RULE-42: the insurance ended: shown invalid (grey).
#[tokio::test]
async fn case5_insurance_invalid() {
    let v = check(Some("tohoku-goro")).await;
    let x = result_xml(&v);
    assert_eq!(validity(&x), Some("2"));
    assert_eq!(cards(&x), ["01"]);
    assert_eq!(v["banner"], texts::BANNER_INVALID);
}

/// Case (7), RULE-44, ERR-21: 社会保険 あり without insurance; tickets newest first (RULE-46).
#[tokio::test]
async fn case7_mismatch() {
    let v = check(Some("tohoku-nanako")).await;
    let a = &v["assistance"];
    assert_eq!(a["messages"], json!([texts::MA_MISMATCH]));
    assert_eq!(a["tickets"][0]["issue_number"], "00012");
    assert_eq!(a["tickets"][1]["issue_number"], "00011");
    assert_eq!(a["tickets"][0]["social_insurance"], "あり (不整合あり)");
}

/// Case (8), RULE-45: neither qualification: ERR-22 (「患者へのお知らせ」), not ERR-15.
#[tokio::test]
async fn case8_neither_gives_err22() {
    let v = check(Some("tohoku-hachiro")).await;
    assert_dialog(&v, "ERR-22");
    assert_eq!(v["dialog"]["title"], "患者へのお知らせ");
    // A person without 医療扶助 whose qualification is not shown still gets ERR-15.
    let v = check(Some("hitoku-yasuko")).await;
    assert_dialog(&v, "ERR-15");
}

/// FLOW-19, RULE-36/48: the insurance-card inquiry with his 公費 numbers answers the 医療扶助
/// result only (not his insurance), with the 医療券, over XML/HTTP.
#[tokio::test]
async fn flow19_insurance_card_path_answers_assistance_only() {
    let sim = simulator();
    let body = request_xml(
        "UTF-8",
        Some("20230915"),
        &[
            ("InsurerNumber", "12374013"),
            ("InsuredIdentificationNumber", "9900028"),
            ("Birthdate", "19800725"),
            ("LimitApplicationCertificateRelatedConsFlg", "0"),
        ],
    );
    let r = post_xml(&sim, body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let x = r.xml();
    assert_eq!(validity(&x), Some("1"));
    assert_eq!(cards(&x), ["A1"]);
    let ticket = [
        "MessageBody",
        "ResultList",
        "ResultOfQualificationConfirmation",
        "PublicExpenseResultList",
        "MedicalTicketInfo",
        "IssueNumber",
    ];
    assert_eq!(at(&x, &ticket), Some("00001"));
}
