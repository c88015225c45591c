//! The My Number card inquiry's error rows ERR-05..19 through `POST /terminal/mynumber`,
//! in-process with virtual cards (texts verbatim from the catalogue), and the card checks behind
//! them (RULE-79, altered certificates, PIN counters kept with `--data-dir`).

mod common;

use common::terminal::{assert_dialog, call, confirm, first_result, insert, result_xml, topology};
use common::{at, send, simulator};
use oqs_protocol::texts;
use serde_json::json;

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
    // In 目視確認 the card waits for SCR-31's check.
    assert!(r.json().get("confirmation").is_none(), "{}", r.text());
    let v = confirm(&sim, json!({ "face_reader": true, "method": "目視確認" })).await;
    let c = &v;
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
