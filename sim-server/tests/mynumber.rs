//! The My Number card inquiry through `POST /terminal/mynumber`, in-process with virtual cards:
//! the happy paths of FLOW-08..16, the face reader's folder, SCR-08 as the manual reads, and the
//! insurance-card check of SCR-13. The error rows ERR-05..19 are in `mynumber_errors.rs`.

mod common;

use common::terminal::{assert_dialog, call, confirm, first_result, insert, result_xml, topology};
use common::{at, send, simulator};
use oqs_protocol::texts;
use oqs_protocol::xml::{read_document, ReadLimits};
use serde_json::{json, Value};

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
    // The time last, as public clients match it (`OQSsiquc01res_face_.+_(\d{14})\.xml`).
    assert!(
        name.starts_with("OQSsiquc01res_face_") && name.ends_with("_20210106100000.xml"),
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
    // Face-reader rows of §7.8: 保険証利用登録 not done → ERR-27, no file. In 目視確認 the card
    // waits on the reader for SCR-31's check (ch.9 §3: after 《OK》 on DLG-27).
    call(
        &sim,
        "PUT",
        "/__admin/terminal/readers/0/mode",
        json!({ "mode": "目視確認" }),
    )
    .await;
    for (profile, err) in [
        ("unregistered", "ERR-27"),
        ("uninsured", "ERR-28"),
        ("unreadable", "ERR-26"),
    ] {
        let r = call(
            &sim,
            "PUT",
            "/__admin/terminal/readers/0/card",
            json!({ "profile": profile }),
        )
        .await;
        let v = r.json();
        assert!(
            v.get("confirmation").is_none(),
            "no check before SCR-31's: {v}"
        );
        let v = confirm(&sim, json!({ "face_reader": true })).await;
        assert_dialog(&v, err);
    }
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
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

/// SCR-14 on SCR-10: 《登録》 of a 照会番号 shows DLG-10 「照会番号を登録しました。」, the number
/// shows on later results; an empty value deletes it (RULE-49..51).
#[tokio::test]
async fn dlg10_registering_a_reference_number_from_the_result_screen() {
    let sim = simulator();
    insert(&sim, "valid", None).await;
    let v = confirm(&sim, json!({})).await;
    let id = v["confirmation"].as_u64().expect("id");
    let uri = format!("/terminal/mynumber/{id}/reference-number");
    let r = call(&sim, "POST", &uri, json!({"reference_number": "KARUTE-7"})).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["dialog"]["id"], "DLG-10");
    assert_eq!(v["dialog"]["title"], "照会番号登録");
    assert_eq!(v["dialog"]["lines"], json!(["照会番号を登録しました。"]));
    assert_eq!(v["message"], texts::REFERENCE_NUMBER_REGISTERED);
    let v = confirm(&sim, json!({})).await;
    assert_eq!(
        first_result(&result_xml(&v), "ReferenceNumber"),
        Some("KARUTE-7")
    );
    let id = v["confirmation"].as_u64().expect("id");
    let uri = format!("/terminal/mynumber/{id}/reference-number");
    let r = call(&sim, "POST", &uri, json!({"reference_number": ""})).await;
    assert_eq!(r.json()["message"], texts::REFERENCE_NUMBER_DELETED);
    let v = confirm(&sim, json!({})).await;
    assert_eq!(first_result(&result_xml(&v), "ReferenceNumber"), None);
    // A confirmation that shows no qualification has no number to give.
    insert(&sim, "uninsured", None).await;
    let v = confirm(&sim, json!({})).await;
    let id = v["confirmation"].as_u64().expect("id");
    let uri = format!("/terminal/mynumber/{id}/reference-number");
    let r = call(&sim, "POST", &uri, json!({"reference_number": "X"})).await;
    assert_eq!(r.status, 422, "{}", r.text());
}
