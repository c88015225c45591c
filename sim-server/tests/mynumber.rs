//! The My Number card inquiry through `POST /terminal/mynumber`, in-process with virtual cards:
//! the happy paths of FLOW-08..16 and every row of ERR-05..19 (texts verbatim from the catalogue).

mod common;

use common::{at, send, send_json, simulator, Reply};
use oqs_protocol::texts;
use oqs_protocol::xml::{read_document, ReadLimits};
use serde_json::{json, Value};
use sim_server::Simulator;
use std::sync::Arc;

async fn call(sim: &Arc<Simulator>, method: &str, uri: &str, body: Value) -> Reply {
    send_json(sim, method, uri, body).await
}

/// Puts a virtual card of `profile` into reader 0 (optionally for another person).
async fn insert(sim: &Arc<Simulator>, profile: &str, person: Option<&str>) {
    let mut body = json!({ "profile": profile });
    if let Some(p) = person {
        body["person"] = json!(p);
    }
    let r = call(sim, "PUT", "/__admin/terminal/readers/0/card", body).await;
    assert_eq!(r.status, 200, "{}", r.text());
}

async fn topology(sim: &Arc<Simulator>, name: &str) {
    let r = call(
        sim,
        "PUT",
        "/__admin/terminal/readers",
        json!({ "topology": name }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
}

async fn confirm(sim: &Arc<Simulator>, body: Value) -> Value {
    let r = call(sim, "POST", "/terminal/mynumber", body).await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

fn result_xml(v: &Value) -> oqs_protocol::Element {
    let xml = v["result_xml"]
        .as_str()
        .unwrap_or_else(|| panic!("no result: {v}"));
    read_document(xml.as_bytes(), ReadLimits::default())
        .expect("result XML")
        .root
}

fn first_result<'a>(root: &'a oqs_protocol::Element, leaf: &str) -> Option<&'a str> {
    at(
        root,
        &[
            "MessageBody",
            "ResultList",
            "ResultOfQualificationConfirmation",
            leaf,
        ],
    )
}

/// Asserts the dialog is the catalogue's row, verbatim.
fn assert_dialog(v: &Value, id: &str) {
    let d = &v["dialog"];
    assert_eq!(d["err"], json!(id), "{v}");
    let row = texts::card_dialog(id).expect("catalogue row");
    assert_eq!(d["title"].as_str(), row.shown_title(), "{v}");
    assert_eq!(d["event"], json!(row.event));
    assert_eq!(d["action"], json!(row.action));
    assert_eq!(d["alternative"], json!(row.alternative));
    assert!(v.get("result_xml").is_none(), "a dialog has no result: {v}");
}

#[tokio::test]
async fn flow08_visual_confirmation_shows_the_qualification() {
    let sim = simulator();
    insert(&sim, "valid", None).await;
    let v = confirm(&sim, json!({ "method": "目視確認" })).await;
    assert_eq!(v["method"], "目視確認");
    assert_eq!(v["person"], "shimbashi-taro");
    assert_eq!(v["banner"], texts::BANNER_VALID);
    assert_eq!(v["confirmation_date"], "2021/01/06");
    let x = result_xml(&v);
    assert_eq!(
        at(&x, &["MessageHeader", "ReferenceClassification"]),
        Some("1")
    );
    assert_eq!(at(&x, &["MessageHeader", "SegmentOfResult"]), Some("1"));
    assert_eq!(
        at(&x, &["MessageHeader", "QualificationConfirmationDate"]),
        Some("20210106")
    );
    assert_eq!(
        at(&x, &["MessageHeader", "MedicalInstitutionCode"]),
        Some("1234567890")
    );
    assert_eq!(at(&x, &["MessageBody", "QualificationValidity"]), Some("1"));
    assert_eq!(first_result(&x, "Name"), Some("新橋　太郎"));
    assert_eq!(first_result(&x, "InsurerNumber"), Some("06139000"));
    assert_eq!(first_result(&x, "InsuredBranchNumber"), Some("01"));
    // No search info on the My Number path.
    assert!(at(&x, &["MessageBody", "QualificationConfirmSearchInfo"]).is_none());
    // The journal knows the method.
    let j = sim.journal.since(0, 10);
    let last = j.last().expect("journalled");
    assert_eq!(last.method.as_deref(), Some("目視確認"));
    assert_eq!(last.validity.as_deref(), Some("1"));
    assert_eq!(last.outcome, "answered");
}

#[tokio::test]
async fn flow09_pin_signs_a_challenge_and_is_journalled() {
    let sim = simulator();
    insert(&sim, "valid", None).await;
    let v = confirm(&sim, json!({ "method": "pin", "pin": "1234" })).await;
    assert_eq!(v["method"], "暗証番号", "{v}");
    let x = result_xml(&v);
    assert_eq!(first_result(&x, "Name"), Some("新橋　太郎"));
    let j = sim.journal.since(0, 10);
    let last = j.last().expect("journalled");
    assert_eq!(last.method.as_deref(), Some("暗証番号"));
    assert!(!last.request.contains("1234"), "a PIN is never journalled");
}

#[tokio::test]
async fn wrong_pins_count_down_on_the_card_then_err13() {
    let sim = simulator();
    insert(&sim, "valid", None).await;
    for left in [2u64, 1] {
        let v = confirm(&sim, json!({ "method": "暗証番号", "pin": "9999" })).await;
        let d = &v["dialog"];
        assert_eq!(d["err"], Value::Null, "{v}");
        assert_eq!(d["simulator_defined"], true);
        assert_eq!(d["tries_left"], json!(left));
        assert_eq!(d["title"], texts::WRONG_PIN_TITLE);
        assert_eq!(d["message"], json!(texts::wrong_pin_message(left as u8)));
    }
    // The third wrong PIN locks the card: ERR-13 from then on, also with the right PIN.
    let v = confirm(&sim, json!({ "method": "暗証番号", "pin": "9999" })).await;
    assert_dialog(&v, "ERR-13");
    let v = confirm(&sim, json!({ "method": "暗証番号", "pin": "1234" })).await;
    assert_dialog(&v, "ERR-13");
    // ERR-13 tells staff to use 目視確認: that still works with the locked card.
    let v = confirm(&sim, json!({ "method": "目視確認" })).await;
    assert_eq!(v["banner"], texts::BANNER_VALID, "{v}");
}

/// RULE-18/19 (ENV-01 = 利用しない, one toggle: AMB-09): no consent or 特定疾病 box is shown, so
/// neither the first read nor a later 《更新》 may carry them; the SCR-10 already shown is kept.
#[tokio::test]
async fn rule18_and_rule19_boxes_follow_the_consent_usage_setting() {
    let sim = simulator();
    insert(&sim, "valid", None).await;
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/settings",
        json!({ "consent_usage": false }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let screen = call(&sim, "GET", "/terminal/mynumber", Value::Null)
        .await
        .json();
    assert_eq!(screen["consent_boxes"], json!([]), "{screen}");
    assert_eq!(screen["specific_disease_box"], Value::Null, "{screen}");
    assert_eq!(screen["limit_box"], json!("限度額適用認定証情報を表示"));

    let refused = call(
        &sim,
        "POST",
        "/terminal/mynumber",
        json!({ "consents": { "health_checkup": true } }),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(refused.text().contains("RULE-18"), "{}", refused.text());

    let v = confirm(&sim, json!({ "method": "visual", "show_limit": true })).await;
    assert_eq!(v["banner"], texts::BANNER_VALID, "{v}");
    let id = v["confirmation"].as_u64().expect("id");
    let uri = format!("/terminal/mynumber/{id}/update");
    for (body, rule) in [
        (json!({ "consents": { "operation": true } }), "RULE-18"),
        (json!({ "show_specific_disease": true }), "RULE-19"),
    ] {
        let r = call(&sim, "POST", &uri, body).await;
        assert_eq!(r.status, 422, "{}", r.text());
        assert!(r.text().contains(rule), "{}", r.text());
    }
    let kept = call(
        &sim,
        "GET",
        &format!("/terminal/mynumber/{id}"),
        Value::Null,
    )
    .await
    .json();
    assert_eq!(
        kept["consents"],
        json!([
            "手術情報の閲覧を同意する",
            "診療・薬剤情報の閲覧を同意する",
            "特定健診情報の閲覧を同意する"
        ]),
        "{kept}"
    );
    assert_eq!(kept["show_specific_disease"], json!(false), "{kept}");
}

#[tokio::test]
async fn flow10_and_flow11_consents_last_answer_wins() {
    let sim = simulator();
    insert(&sim, "valid", None).await;
    let v = confirm(
        &sim,
        json!({ "method": "visual", "consents": { "operation": true, "diagnosis_medication": true } }),
    )
    .await;
    assert_eq!(
        v["consents"],
        json!([
            "手術情報の閲覧は同意済み",
            "診療・薬剤情報の閲覧は同意済み",
            "特定健診情報の閲覧を同意する"
        ])
    );
    let x = result_xml(&v);
    assert_eq!(first_result(&x, "OperationInfoConsFlg"), Some("1"));
    assert_eq!(first_result(&x, "DiagnosisInfoConsFlg"), Some("1"));
    assert_eq!(first_result(&x, "PharmacistsInfoConsFlg"), Some("1"));
    assert_eq!(
        first_result(&x, "SpecificHealthCheckupsInfoConsFlg"),
        Some("0")
    );
    assert_eq!(
        first_result(&x, "OperationInfoConsTime"),
        Some("20210106100000")
    );
    // FLOW-11: correction on SCR-10 with 《更新》.
    let id = v["confirmation"].as_u64().expect("id");
    let r = call(
        &sim,
        "POST",
        &format!("/terminal/mynumber/{id}/update"),
        json!({ "consents": { "health_checkup": true } }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let u = r.json();
    assert_eq!(
        u["consents"],
        json!([
            "手術情報の閲覧を同意する",
            "診療・薬剤情報の閲覧を同意する",
            "特定健診情報の閲覧は同意済み"
        ])
    );
    let x = result_xml(&u);
    assert_eq!(first_result(&x, "OperationInfoConsFlg"), Some("0"));
    assert_eq!(
        first_result(&x, "SpecificHealthCheckupsInfoConsFlg"),
        Some("1")
    );
}

#[tokio::test]
async fn flow12_certificates_shown_with_consent_at_check_time() {
    let sim = simulator();
    // 後期高齢 二郎 has a 特定疾病療養受療証 from 2020-12-01.
    insert(&sim, "valid", Some("kouki-jiro")).await;
    let v = confirm(
        &sim,
        json!({ "method": "目視確認", "show_specific_disease": true }),
    )
    .await;
    let x = result_xml(&v);
    assert_eq!(
        first_result(&x, "SpecificDiseasesCertificateRelatedConsFlg"),
        Some("1")
    );
    let info = x
        .child("MessageBody")
        .and_then(|b| b.child("ResultList"))
        .and_then(|l| l.child("ResultOfQualificationConfirmation"))
        .and_then(|r| r.child("SpecificDiseasesCertificateList"))
        .expect("特定疾病 list");
    assert!(!info.children.is_empty());
    // 限度額: 限適　一郎 on a date of his qualification.
    let sim = simulator();
    insert(&sim, "valid", Some("gentekii-ichiro")).await;
    let v = confirm(
        &sim,
        json!({ "method": "目視確認", "show_limit": true, "資格確認日": "2023/01/10" }),
    )
    .await;
    let x = result_xml(&v);
    assert_eq!(
        first_result(&x, "LimitApplicationCertificateRelatedConsFlg"),
        Some("1")
    );
    assert!(first_result(&x, "LimitApplicationCertificateRelatedInfo").is_some());
    assert_eq!(
        at(&x, &["MessageHeader", "QualificationConfirmationDate"]),
        Some("20230110")
    );
}

#[tokio::test]
async fn flow13_certificates_after_the_check() {
    let sim = simulator();
    insert(&sim, "valid", Some("kouki-jiro")).await;
    let v = confirm(&sim, json!({ "method": "目視確認" })).await;
    let x = result_xml(&v);
    assert_eq!(
        first_result(&x, "SpecificDiseasesCertificateRelatedConsFlg"),
        Some("0")
    );
    assert!(first_result(&x, "SpecificDiseasesCertificateList").is_none());
    let id = v["confirmation"].as_u64().expect("id");
    let u = call(
        &sim,
        "POST",
        &format!("/terminal/mynumber/{id}/update"),
        json!({ "show_specific_disease": true }),
    )
    .await
    .json();
    let x = result_xml(&u);
    assert_eq!(
        first_result(&x, "SpecificDiseasesCertificateRelatedConsFlg"),
        Some("1")
    );
    assert!(first_result(&x, "SpecificDiseasesCertificateList").is_some());
}

#[tokio::test]
async fn flow14_prescription_issue_form() {
    let sim = simulator();
    insert(&sim, "valid", None).await;
    // RULE-23: one is always selected (電子 preselected, AMB-10).
    let v = confirm(&sim, json!({})).await;
    assert_eq!(v["prescription_form"], "電子");
    let x = result_xml(&v);
    assert_eq!(
        at(&x, &["MessageBody", "PrescriptionIssueSelect"]),
        Some("1")
    );
    let v = confirm(&sim, json!({ "prescription_form": "紙" })).await;
    assert_eq!(
        at(&result_xml(&v), &["MessageBody", "PrescriptionIssueSelect"]),
        Some("2")
    );
    // Changed after the check with 《更新》 (RULE-24).
    let id = v["confirmation"].as_u64().expect("id");
    let u = call(
        &sim,
        "POST",
        &format!("/terminal/mynumber/{id}/update"),
        json!({ "prescription_form": "電子処方箋を希望する" }),
    )
    .await
    .json();
    assert_eq!(u["prescription_form"], "電子");
    // A facility that does not use e-prescriptions shows no block: 未選択.
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/settings",
        json!({ "prescription_usage": "利用しない" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = confirm(&sim, json!({})).await;
    assert_eq!(v["prescription_form"], "未選択");
    assert!(at(&result_xml(&v), &["MessageBody", "PrescriptionIssueSelect"]).is_none());
    // 紙のみ refuses 電子.
    call(
        &sim,
        "PUT",
        "/__admin/terminal/settings",
        json!({ "prescription_usage": "紙の処方箋のみ" }),
    )
    .await;
    let r = call(
        &sim,
        "POST",
        "/terminal/mynumber",
        json!({ "prescription_form": "電子" }),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.text());
}

#[tokio::test]
async fn flow16_download_the_result_xml() {
    let sim = simulator();
    insert(&sim, "valid", None).await;
    let v = confirm(&sim, json!({})).await;
    let id = v["confirmation"].as_u64().expect("id");
    let r = send(
        &sim,
        "GET",
        &format!("/terminal/mynumber/{id}/xml"),
        &[],
        vec![],
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("application/xml"));
    assert_eq!(r.text(), v["result_xml"].as_str().expect("xml"));
    let r = send(&sim, "GET", "/terminal/mynumber/999/xml", &[], vec![]).await;
    assert_eq!(r.status, 404);
}

#[tokio::test]
async fn err05_revoked() {
    let sim = simulator();
    insert(&sim, "revoked", None).await;
    let v = confirm(&sim, json!({ "method": "暗証番号", "pin": "1234" })).await;
    assert_dialog(&v, "ERR-05");
    // Image-only in the manual: labelled as a placeholder.
    assert_eq!(v["dialog"]["placeholder"], true);
    assert_eq!(v["dialog"]["title"], texts::PLACEHOLDER_LABEL);
    assert_eq!(
        v["dialog"]["message"],
        format!(
            "{}利用者証明用電子証明書が失効したマイナンバーカードで資格確認を実施した。",
            texts::PLACEHOLDER_LABEL
        )
    );
}

#[tokio::test]
async fn err06_expired() {
    let sim = simulator();
    insert(&sim, "expired", None).await;
    let v = confirm(&sim, json!({ "method": "目視確認" })).await;
    assert_dialog(&v, "ERR-06");
    assert_eq!(v["dialog"]["placeholder"], true);
}

#[tokio::test]
async fn err07_injected_internal_error() {
    let sim = simulator();
    insert(&sim, "valid", None).await;
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/fault",
        json!({ "kind": "certificate-internal-error" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = confirm(&sim, json!({})).await;
    assert_dialog(&v, "ERR-07");
    // Cleared: back to normal.
    call(&sim, "DELETE", "/__admin/terminal/fault", json!({})).await;
    let v = confirm(&sim, json!({})).await;
    assert_eq!(v["banner"], texts::BANNER_VALID);
}

#[tokio::test]
async fn err08_expiring_soon_shows_the_date_and_goes_on() {
    let sim = simulator();
    insert(&sim, "expiring-soon", Some("shimbashi-taro")).await;
    let v = confirm(&sim, json!({ "method": "暗証番号", "pin": "1234" })).await;
    let n = &v["notice"];
    assert_eq!(n["err"], "ERR-08", "{v}");
    assert_eq!(n["title"], "患者へのお知らせ");
    // notAfter = 2021-01-06 + 45 days.
    assert_eq!(
        n["message"],
        "電子証明書の有効期限が3カ月以内となっています。\n市区町村の窓口で手続きが必要です。有効期限2021/02/20"
    );
    assert_eq!(n["alternative"], "—");
    // AMB-25: the check continues after 《OK》.
    assert_eq!(v["banner"], texts::BANNER_VALID);
    assert_eq!(first_result(&result_xml(&v), "Name"), Some("新橋　太郎"));
    // The profile's own holder (山田　隆子) has no qualification on 2021-01-06: the notice
    // comes first, then ERR-15.
    let sim = simulator();
    insert(&sim, "expiring-soon", None).await;
    let v = confirm(&sim, json!({})).await;
    assert_eq!(v["notice"]["err"], "ERR-08", "{v}");
    assert_eq!(v["dialog"]["err"], "ERR-15", "{v}");
}

#[tokio::test]
async fn err09_no_reader() {
    let sim = simulator();
    topology(&sim, "none").await;
    let v = confirm(&sim, json!({})).await;
    assert_dialog(&v, "ERR-09");
    assert_eq!(
        v["dialog"]["message"],
        "カードリーダーが接続されていません。\nカードリーダーを接続してから、資格情報照会(マイナンバーカード)画面を開いてください。"
    );
    assert_eq!(v["dialog"]["title"], "マイナンバーカード認証");
}

#[tokio::test]
async fn err10_read_failure_by_card_and_by_fault() {
    let sim = simulator();
    insert(&sim, "unreadable", None).await;
    let v = confirm(&sim, json!({})).await;
    assert_dialog(&v, "ERR-10");
    assert_eq!(
        v["dialog"]["message"],
        "読み取りに失敗しました。\nマイナンバーカードが正しく置かれているか確認してください。"
    );
    let sim = simulator();
    insert(&sim, "valid", None).await;
    call(
        &sim,
        "PUT",
        "/__admin/terminal/fault",
        json!({ "kind": "read-failure" }),
    )
    .await;
    assert_dialog(&confirm(&sim, json!({})).await, "ERR-10");
}

#[tokio::test]
async fn err11_not_a_mynumber_card_and_an_empty_reader() {
    let sim = simulator();
    insert(&sim, "not-mynumber", None).await;
    let v = confirm(&sim, json!({})).await;
    assert_dialog(&v, "ERR-11");
    assert_eq!(
        v["dialog"]["message"],
        "マイナンバーカードとして認識できません。\nマイナンバーカードが置かれているか確認してください。"
    );
    let sim = simulator();
    assert_dialog(&confirm(&sim, json!({})).await, "ERR-11");
}

#[tokio::test]
async fn err12_unsupported_card() {
    let sim = simulator();
    insert(&sim, "unsupported", None).await;
    let v = confirm(&sim, json!({})).await;
    assert_dialog(&v, "ERR-12");
    assert_eq!(
        v["dialog"]["message"],
        "ご使用のマイナンバーカードに対応していません。\n市区町村の窓口で手続きが必要です。"
    );
}

#[tokio::test]
async fn err13_pin_locked() {
    let sim = simulator();
    insert(&sim, "pin-locked", None).await;
    let v = confirm(&sim, json!({ "method": "暗証番号", "pin": "1234" })).await;
    assert_dialog(&v, "ERR-13");
    assert_eq!(
        v["dialog"]["message"],
        "利用者証明用電子証明書の暗証番号がロックされています。目視確認にて資格確認してください。\n市区町村の窓口で手続きが必要です。"
    );
}

#[tokio::test]
async fn err14_authentication_error_with_a_code() {
    // A card whose key does not match its certificate.
    let sim = simulator();
    insert(&sim, "bad-signature", None).await;
    let v = confirm(&sim, json!({ "method": "暗証番号", "pin": "1234" })).await;
    assert_dialog(&v, "ERR-14");
    assert_eq!(
        v["dialog"]["message"],
        "マイナンバーカード認証にてエラーが発生しました。\ncode:f0000002"
    );
    // Injected, with the manual's placeholder code or a chosen one.
    let sim = simulator();
    insert(&sim, "valid", None).await;
    call(
        &sim,
        "PUT",
        "/__admin/terminal/fault",
        json!({ "kind": "authentication-error" }),
    )
    .await;
    let v = confirm(&sim, json!({})).await;
    assert_dialog(&v, "ERR-14");
    assert_eq!(v["dialog"]["code"], "fxxxxxx1");
    call(
        &sim,
        "PUT",
        "/__admin/terminal/fault",
        json!({ "kind": "authentication-error", "code": "f1234561" }),
    )
    .await;
    let v = confirm(&sim, json!({})).await;
    assert_eq!(
        v["dialog"]["message"],
        "マイナンバーカード認証にてエラーが発生しました。\ncode:f1234561"
    );
}

#[tokio::test]
async fn err15_no_qualification_on_the_date() {
    let sim = simulator();
    insert(&sim, "uninsured", None).await;
    let v = confirm(&sim, json!({})).await;
    assert_dialog(&v, "ERR-15");
    assert_eq!(v["dialog"]["title"], "患者様へのお知らせ");
    assert_eq!(
        v["dialog"]["message"],
        "ご使用のマイナンバーカードで、資格確認日に該当する資格情報が存在しません。"
    );
    // Suppressed on every date, also one of the qualification.
    let v = confirm(&sim, json!({ "資格確認日": "2020/12/01" })).await;
    assert_dialog(&v, "ERR-15");
    // A holder whose qualification simply ended gets the 無効 result, not ERR-15: 資格 船子's
    // ended 2020-12-31 (SCR-10's invalid-result image).
    insert(&sim, "valid", Some("senin-funako")).await;
    let v = confirm(&sim, json!({})).await;
    assert!(v.get("dialog").is_none(), "{v}");
    assert_eq!(v["banner"], texts::BANNER_INVALID, "{v}");
    let x = result_xml(&v);
    assert_eq!(at(&x, &["MessageBody", "QualificationValidity"]), Some("2"));
    assert_eq!(
        first_result(&x, "InsuredCardExpirationDate"),
        Some("20201231")
    );
    // 新橋 一郎's first card ended 2021-01-31 and a newer one began: 無効（新しい資格あり） is
    // not reached on the My Number path, the newer one is valid.
    insert(&sim, "valid", Some("shimbashi-ichiro")).await;
    let v = confirm(&sim, json!({ "資格確認日": "2021/02/01" })).await;
    assert_eq!(v["banner"], texts::BANNER_VALID, "{v}");
}

#[tokio::test]
async fn err16_not_registered_for_insurance_use() {
    let sim = simulator();
    insert(&sim, "unregistered", None).await;
    let v = confirm(&sim, json!({})).await;
    assert_dialog(&v, "ERR-16");
    assert_eq!(
        v["dialog"]["message"],
        "ご使用のマイナンバーカードは、保険証として使用できません。\nマイポータルまたは顔認証付きカードリーダーで保険証利用の登録を行ってください。"
    );
}

#[tokio::test]
async fn err17_generic_and_face_reader() {
    let sim = simulator();
    topology(&sim, "generic+face").await;
    insert(&sim, "valid", None).await;
    let v = confirm(&sim, json!({})).await;
    assert_dialog(&v, "ERR-17");
    assert_eq!(v["dialog"]["title"], "顔認証付きカードリーダー接続エラー");
    assert_eq!(
        v["dialog"]["message"],
        "顔認証付きカードリーダーが接続されている端末ではご利用いただけません。"
    );
    // ERR-19's guidance comes with it.
    assert_eq!(v["guidance"], texts::ERR19_GUIDANCE);
    // Back to one generic reader: the check works again.
    let r = call(&sim, "DELETE", "/__admin/terminal", json!({})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["readers"].as_array().map(Vec::len), Some(1));
    insert(&sim, "valid", None).await;
    assert_eq!(
        confirm(&sim, json!({})).await["banner"],
        texts::BANNER_VALID
    );
}

#[tokio::test]
async fn err18_several_readers() {
    for t in ["generic*2", "face*2"] {
        let sim = simulator();
        topology(&sim, t).await;
        let v = confirm(&sim, json!({})).await;
        assert_dialog(&v, "ERR-18");
        assert_eq!(
            v["dialog"]["message"],
            "カードリーダーが複数接続されている端末ではご利用いただけません。"
        );
    }
}

#[tokio::test]
async fn err19_guidance_on_scr08() {
    let sim = simulator();
    let r = send(&sim, "GET", "/terminal/mynumber", &[], vec![]).await;
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(
        v["guidance"][2],
        "顔認証付きカードリーダーを接続している場合には取り外し、汎用カードリーダーに差し替えてご利用ください。"
    );
    assert_eq!(
        v["methods"],
        json!(["マイナンバーカードの券面で目視確認", "暗証番号を入力"])
    );
    assert_eq!(
        v["prescription_forms"],
        json!(["電子処方箋を希望する", "紙の処方箋を希望する"])
    );
}

#[tokio::test]
async fn a_face_reader_writes_its_result_into_face() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = simulator();
    sim.terminal.set_face_dir(Some(dir.path().to_path_buf()));
    topology(&sim, "face").await;
    // The patient places the card on the face reader: the reader checks on its own.
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/card",
        json!({ "profile": "valid" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    let name = v["confirmation"]["face_file"]
        .as_str()
        .expect("face file")
        .to_owned();
    assert!(
        name.starts_with("OQSsiquc01res_face_20210106100000_"),
        "{name}"
    );
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("face dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files,
        vec![name.clone()],
        "only the finished file, no temp file"
    );
    let bytes = std::fs::read(dir.path().join(&name)).expect("face file");
    let x = read_document(&bytes, ReadLimits::default())
        .expect("xml")
        .root;
    assert_eq!(
        at(&x, &["MessageHeader", "ReferenceClassification"]),
        Some("1")
    );
    assert_eq!(first_result(&x, "Name"), Some("新橋　太郎"));
    // 無人運転 without a PIN: the face match (simulated) is the method.
    assert_eq!(v["confirmation"]["method"], "顔認証");
    assert_eq!(
        sim.journal
            .since(0, 10)
            .last()
            .and_then(|e| e.method.clone())
            .as_deref(),
        Some("顔認証")
    );
    // Face-reader rows of §7.8: 保険証利用登録 not done → ERR-27, no file.
    call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/mode",
        json!({ "mode": "目視確認" }),
    )
    .await;
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/card",
        json!({ "profile": "unregistered" }),
    )
    .await;
    let v = r.json();
    assert_eq!(v["confirmation"]["dialog"]["err"], "ERR-27", "{v}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/card",
        json!({ "profile": "uninsured" }),
    )
    .await;
    assert_eq!(r.json()["confirmation"]["dialog"]["err"], "ERR-28");
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/card",
        json!({ "profile": "unreadable" }),
    )
    .await;
    assert_eq!(r.json()["confirmation"]["dialog"]["err"], "ERR-26");
    // SCR-31 with no face reader connected: ERR-25.
    topology(&sim, "generic").await;
    let v = confirm(&sim, json!({ "face_reader": true })).await;
    assert_dialog(&v, "ERR-25");
    assert_eq!(v["dialog"]["title"], "目視確認実行");
}

#[tokio::test]
async fn bad_requests_get_clear_errors() {
    let sim = simulator();
    let r = send(
        &sim,
        "POST",
        "/terminal/mynumber",
        &[],
        b"{not json".to_vec(),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["error"].as_str().expect("error").contains("JSON"));
    let r = call(
        &sim,
        "POST",
        "/terminal/mynumber",
        json!({ "method": "顔認証" }),
    )
    .await;
    assert_eq!(r.status, 400);
    let r = call(
        &sim,
        "POST",
        "/terminal/mynumber",
        json!({ "資格確認日": "2021/13/40" }),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.json()["error"]
        .as_str()
        .expect("error")
        .contains("資格確認日"));
    let r = call(&sim, "POST", "/terminal/mynumber", json!({ "reader": 7 })).await;
    assert_eq!(r.status, 422);
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/card",
        json!({ "profile": "nope" }),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.json()["error"].as_str().expect("error").contains("valid"));
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/readers",
        json!({ "topology": "three" }),
    )
    .await;
    assert_eq!(r.status, 422);
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/readers",
        json!({ "readers": [{ "kind": "generic", "pcsc": "Virtual PCD 00 00" }] }),
    )
    .await;
    // Without the feature: a clear refusal; with it, no pcscd in this test.
    assert_eq!(r.status, 422, "{}", r.text());
    // A PIN is 4 digits; a facility code 10 digits.
    for pin in ["12", "12345", "abcd", "１２３４"] {
        let r = call(
            &sim,
            "POST",
            "/terminal/mynumber",
            json!({ "method": "pin", "pin": pin }),
        )
        .await;
        assert_eq!(r.status, 422, "{pin}: {}", r.text());
    }
    let r = call(
        &sim,
        "POST",
        "/terminal/mynumber",
        json!({ "facility": "12345" }),
    )
    .await;
    assert_eq!(r.status, 422);
    // Bodies are bounded.
    let big = vec![b' '; sim_server::ways_in::terminal::MAX_TERMINAL_BODY + 1];
    let r = send(&sim, "POST", "/terminal/mynumber", &[], big).await;
    assert_eq!(r.status, 413);
    // A PIN path without a PIN.
    insert(&sim, "valid", None).await;
    let v = confirm(&sim, json!({ "method": "暗証番号" })).await;
    assert_eq!(v["dialog"]["simulator_defined"], true);
    assert_eq!(v["dialog"]["message"], texts::PIN_REQUIRED_MESSAGE);
}

#[tokio::test]
async fn flow15_prescription_issue_form_at_an_insurance_card_check() {
    let sim = simulator();
    let r = call(
        &sim,
        "POST",
        "/terminal/insurance-card",
        json!({
            "insurer_number": "06139000", "symbol": "9000", "number": "10001", "branch": "01",
            "birthdate": "1954/03/26", "prescription_form": "紙"
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["method"], "被保険者証");
    assert_eq!(v["prescription_form"], "紙");
    assert_eq!(v["banner"], texts::BANNER_VALID);
    let x = result_xml(&v);
    assert_eq!(
        at(&x, &["MessageHeader", "ReferenceClassification"]),
        Some("2")
    );
    assert_eq!(
        at(&x, &["MessageBody", "PrescriptionIssueSelect"]),
        Some("2")
    );
    assert_eq!(first_result(&x, "Name"), Some("新橋　太郎"));
    // Changed on SCR-10 with 《更新》 (RULE-24).
    let id = v["confirmation"].as_u64().expect("id");
    let uri = format!("/terminal/mynumber/{id}/update");
    let u = call(&sim, "POST", &uri, json!({ "prescription_form": "電子" })).await;
    assert_eq!(u.status, 200, "{}", u.text());
    let x = result_xml(&u.json());
    assert_eq!(
        at(&x, &["MessageBody", "PrescriptionIssueSelect"]),
        Some("1")
    );
    // Consents belong to My Number checks.
    let u = call(
        &sim,
        "POST",
        &uri,
        json!({ "consents": { "operation": true } }),
    )
    .await;
    assert_eq!(u.status, 422);
    let j = sim.journal.since(0, 10);
    assert_eq!(
        j.last().and_then(|e| e.method.as_deref()),
        Some("被保険者証")
    );
    // An input error is the inquiry's own (ProcessingResultStatus 2), with no form.
    let r = call(
        &sim,
        "POST",
        "/terminal/insurance-card",
        json!({ "insurer_number": "12", "number": "1", "birthdate": "19540326" }),
    )
    .await;
    let x = result_xml(&r.json());
    assert_eq!(
        at(&x, &["MessageBody", "ProcessingResultStatus"]),
        Some("2")
    );
    assert!(at(&x, &["MessageBody", "PrescriptionIssueSelect"]).is_none());
}

#[tokio::test]
async fn an_altered_certificate_with_a_known_serial_is_not_the_issued_one() {
    use virtual_card::applet::{Fault, VirtualCard};
    use virtual_card::state::PinState;
    let sim = simulator();
    let day = chrono::NaiveDate::from_ymd_opt(2021, 1, 6).expect("date");
    let (_, issued) = virtual_card::issue(virtual_card::Profile::Valid, 1, day).expect("issue");
    // The genuine card is known to the registry...
    insert(&sim, "valid", None).await;
    assert_eq!(
        confirm(&sim, json!({})).await["banner"],
        texts::BANNER_VALID
    );
    // ...a card with the same serial and key but altered certificate bytes is not.
    let mut der = issued.certificate_der.clone();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let card = VirtualCard::new(
        "JPKIAPICCTOKEN2",
        der,
        issued.ca_der.clone(),
        virtual_card::keys::key(1, "card-valid-shimbashi-taro"),
        PinState::issued(3),
        Fault::None,
    );
    sim.terminal
        .insert_card(0, Box::new(card), None)
        .expect("reader 0");
    let v = confirm(&sim, json!({ "method": "暗証番号", "pin": "1234" })).await;
    assert_dialog(&v, "ERR-14");
    assert_eq!(v["dialog"]["code"], "f0000003");
}

#[tokio::test]
async fn with_a_data_dir_a_locked_card_stays_locked_until_reset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = common::simulator_with(sim_server::Settings {
        data_dir: Some(dir.path().to_path_buf()),
        ..sim_server::Settings::default()
    });
    insert(&sim, "valid", None).await;
    for _ in 0..3 {
        confirm(&sim, json!({ "method": "暗証番号", "pin": "0000" })).await;
    }
    // The same card inserted again (a new simulator would read the same file): still locked.
    insert(&sim, "valid", None).await;
    let v = confirm(&sim, json!({ "method": "暗証番号", "pin": "1234" })).await;
    assert_dialog(&v, "ERR-13");
    let r = call(&sim, "DELETE", "/__admin/terminal/pin-states", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["reset"], 1);
    insert(&sim, "valid", None).await;
    let v = confirm(&sim, json!({ "method": "暗証番号", "pin": "1234" })).await;
    assert_eq!(v["banner"], texts::BANNER_VALID, "{v}");
}

/// RULE: a 照会番号 registered by the facility shows on later results, the My Number path included.
#[tokio::test]
async fn a_registered_reference_number_shows_on_the_my_number_result() {
    let sim = simulator();
    insert(&sim, "valid", None).await;
    let before = confirm(&sim, json!({ "method": "目視確認" })).await;
    assert_eq!(first_result(&result_xml(&before), "ReferenceNumber"), None);
    let register = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><ReferenceNumberRegistrationInfo><ReferenceNumber>KARUTE-0042</ReferenceNumber><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber></ReferenceNumberRegistrationInfo></MessageBody></XmlMsg>";
    let r = send(
        &sim,
        "POST",
        "/xml/OQSsiimm01req",
        &[],
        register.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        at(&r.xml(), &["MessageBody", "ProcessingResultStatus"]),
        Some("1")
    );
    let after = confirm(&sim, json!({ "method": "目視確認" })).await;
    assert_eq!(
        first_result(&result_xml(&after), "ReferenceNumber"),
        Some("KARUTE-0042")
    );
}

/// SCR-08's texts: the 本人確認 radios and the consent dialogs (DLG-05/06), verbatim.
#[tokio::test]
async fn scr08_radios_and_consent_dialogs_read_as_the_manual() {
    let sim = simulator();
    let r = call(&sim, "GET", "/terminal/mynumber", Value::Null).await;
    let v = r.json();
    assert_eq!(
        v["methods"],
        json!(["マイナンバーカードの券面で目視確認", "暗証番号を入力"]),
        "{v}"
    );
    assert_eq!(
        v["visual_done_box"],
        "目視で本人確認完了（スペースキーでチェック可能です。）"
    );
    let dialogs = v["consent_dialogs"].as_array().expect("consent dialogs");
    let by_box = |b: &str| {
        dialogs
            .iter()
            .find(|d| d["box"] == b)
            .map(|d| d["dialog"].clone())
            .unwrap_or_else(|| panic!("no dialog for {b}: {v}"))
    };
    let d = by_box("診療・薬剤情報の閲覧を同意する");
    assert_eq!(d["id"], "DLG-05");
    assert_eq!(d["title"], "診療・薬剤情報の閲覧に同意する");
    assert_eq!(
        d["lines"],
        json!([
            "患者の同意を得られましたら、「OK」を押してください。",
            "※プライバシーに関わる情報となります。",
            "※書面で患者の同意を得る必要があります。"
        ])
    );
    assert_eq!(d["buttons"], json!(["OK", "キャンセル"]));
    assert_eq!(
        by_box("特定健診情報の閲覧を同意する")["title"],
        "特定健診情報の閲覧に同意する"
    );
}

/// RULE-79 and DLG-27/28: one face reader in 目視確認; an empty one gives the face reader's
/// error; a visual check shows DLG-27, then DLG-28 when it succeeded.
#[tokio::test]
async fn rule79_face_reader_in_visual_mode() {
    let sim = simulator();
    topology(&sim, "face").await;
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/mode",
        json!({ "mode": "目視確認" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    // Empty face reader: ERR-26, not the generic reader's ERR-11.
    let v = confirm(&sim, json!({ "face_reader": true, "method": "目視確認" })).await;
    assert_dialog(&v, "ERR-26");
    let r = call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/card",
        json!({ "profile": "valid" }),
    )
    .await;
    let v = r.json();
    let c = &v["confirmation"];
    assert_eq!(c["banner"], texts::BANNER_VALID, "{v}");
    assert_eq!(c["dialogs"][0]["id"], "DLG-27", "{v}");
    assert_eq!(
        c["dialogs"][0]["lines"],
        json!([
            "目視確認による資格照会を行います。",
            "目視で本人確認を行いましたら「OK」ボタンを押してください。"
        ])
    );
    assert_eq!(c["dialogs"][1]["id"], "DLG-28");
    assert_eq!(
        c["dialogs"][1]["lines"],
        json!(["目視による資格確認が完了しました。"])
    );
    // A second face reader: 目視確認 is refused with ERR-18.
    topology(&sim, "face*2").await;
    call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/mode",
        json!({ "mode": "目視確認" }),
    )
    .await;
    let v = confirm(&sim, json!({ "reader": 0, "method": "目視確認" })).await;
    assert_dialog(&v, "ERR-18");
}

/// AMB-24: an insurance-card check shows no consent block.
#[tokio::test]
async fn no_consent_block_after_an_insurance_card_check() {
    let sim = simulator();
    let r = call(
        &sim,
        "POST",
        "/terminal/insurance-card",
        json!({
            "insurer_number": "06139000", "symbol": "9000", "number": "10001", "branch": "01",
            "birthdate": "1954/03/26"
        }),
    )
    .await;
    let v = r.json();
    assert_eq!(v["banner"], texts::BANNER_VALID, "{v}");
    assert!(v.get("consents").is_none(), "{v}");
    insert(&sim, "valid", None).await;
    let v = confirm(&sim, json!({ "method": "目視確認" })).await;
    assert!(v.get("consents").is_some(), "{v}");
}
