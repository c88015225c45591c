//! 訪問診療等・オンライン診療等 (ch.3 §4–§6) in a real browser at 2023-08-25 10:00 (the manual's
//! screenshots): FLOW-33/34 SCR-25 with a 「資格確認一括照会要求ファイル」 of any name → DLG-14 →
//! SCR-26 → the zip fetched by the page itself and read back (no medical information);
//! FLOW-35 SCR-27 → SCR-28 (山田 隆子) → 《同意取消》 → DLG-18 → DLG-19 over the refreshed table →
//! its 《OK》 closes it → a later search refused.

use browser_tests::*;
use fantoccini::{Client, Locator};

const NOW: &str = "2023-08-25T10:00:00+09:00";

/// OQSmuhvq01req: the consents of 2023 (the public client's shape), as a vendor's file.
const REQUEST_FILE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode><ArbitraryFileIdentifier>houmon0825</ArbitraryFileIdentifier></MessageHeader><MessageBody><QualificationConfirmSearchInfo><ConsentDateFrom>20230101</ConsentDateFrom><ConsentDateTo>20230831</ConsentDateTo><MedicalTreatmentFlag>2</MedicalTreatmentFlag></QualificationConfirmSearchInfo></MessageBody></XmlMsg>\n";

async fn select(c: &Client, id: &str, value: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no select #{id}: {e}"))
        .select_by_value(value)
        .await
        .expect("select");
}

#[tokio::test]
async fn flow33_34_request_then_download() {
    let Some(f) = Flow::start_at("visiting-flow33-34", NOW).await else {
        return;
    };
    let c = &f.client;
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.open("/menu").await;
    f.shot("menu").await;
    click_css(c, r#"a[data-screen="SCR-25"]"#).await;
    let text = f.page_text().await;
    assert!(
        text.contains("資格情報一括照会(訪問診療等・オンライン診療等)")
            && text.contains("資格情報照会ファイル"),
        "{text}"
    );
    select(c, "kind", "訪問診療等").await;
    // Any file name (RULE-55): the screen, not the name, says what the file is.
    let dir = std::env::temp_dir().join(format!("oqs-visiting-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("きょうの訪問患者.txt");
    std::fs::write(&file, REQUEST_FILE).expect("request file");
    c.find(Locator::Id("file"))
        .await
        .expect("file input")
        .send_keys(&file.to_string_lossy())
        .await
        .expect("choose the file");
    f.shot("scr25-file-chosen").await;
    f.click_text("③ 照会").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-14"));
    let text = f.page_text().await;
    assert!(
        text.contains("受付番号：20230825100000000_staff01")
            && text.contains("受付日時：2023/08/25 10:00:00"),
        "{text}"
    );
    f.shot("dlg14").await;
    f.click_text("OK").await;
    assert_eq!(dialog_id(c).await, None);
    let _ = std::fs::remove_dir_all(&dir);

    // SCR-26: the 訪問診療等 list, 《更新》 until the job is done.
    f.open("/menu").await;
    click_css(c, r#"a[data-screen="SCR-26"]"#).await;
    let mut href = None;
    for _ in 0..40 {
        if let Ok(a) = c.find(Locator::Css("#jobs a[download]")).await {
            href = a.attr("href").await.expect("href");
            break;
        }
        f.click_text("更新").await;
    }
    let href = href.expect("a downloadable job on SCR-26");
    let text = f.page_text().await;
    assert!(
        text.contains("20230825100000000_staff01")
            && text.contains("照会完了")
            && text.contains(
                "資格情報一括照会では、医療情報（特定健診情報、薬剤情報等）の参照はできません。"
            ),
        "{text}"
    );
    f.shot("scr26").await;
    let (status, disposition, zip) = fetch_bytes(c, &href).await;
    assert_eq!(status, 200);
    assert!(
        disposition.contains("OQSmuhvq02res_20230825100000000_staff01.zip"),
        "{disposition}"
    );
    // A stored zip: the result XML is in it as written.
    assert_eq!(&zip[..2], b"PK");
    let inside = String::from_utf8_lossy(&zip);
    assert!(
        inside.contains("OQSmuhvq02res_20230825100000000_staff01.xml")
            && inside.contains("<ReferenceNumber>XYZ010409</ReferenceNumber>"),
        "{inside}"
    );
    for medical in [
        "SpecificHealthCheckups",
        "Pharmacists",
        "Diagnosis",
        "Operation",
    ] {
        assert!(!inside.contains(&format!("<{medical}")), "{medical}");
    }
    // オンライン診療等: its own list, empty.
    select(c, "kind", "オンライン診療等").await;
    f.click_text("更新").await;
    assert!(c.find(Locator::Css("#jobs a[download]")).await.is_err());
    assert!(!f.page_text().await.contains("_staff01"));
    f.shot("scr26-online-empty").await;
    f.finish().await;
}

/// SCR-27 with 山田 隆子's card (the manual's example), 《検索》.
async fn search_yamada(f: &Flow) {
    for (id, v) in [
        ("insurer", "050013"),
        ("symbol", "hmtmList11"),
        ("number", "102"),
        ("branch", "00"),
        ("year", "57"),
        ("month", "1"),
        ("day", "1"),
    ] {
        f.fill(id, v).await;
    }
    f.click_text("② 検索").await;
}

#[tokio::test]
async fn flow35_cancel_then_later_inquiry_refused() {
    let Some(f) = Flow::start_at("visiting-flow35", NOW).await else {
        return;
    };
    let c = &f.client;
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.open("/menu").await;
    click_css(c, r#"a[data-screen="SCR-27"]"#).await;
    let text = f.page_text().await;
    assert!(
        text.contains("同意取消照会(訪問診療等)")
            && text.contains("記号については設定上未設定のものがありません。"),
        "{text}"
    );
    f.shot("scr27").await;
    search_yamada(&f).await;
    let text = f.page_text().await;
    for want in [
        "XYZ010409",
        "秋田市",
        "山田　隆子",
        "昭和57年1月1日",
        "2025/09/20",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    f.shot("scr28").await;
    f.click_text("③ 同意取消").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-18"));
    let d = c
        .find(Locator::Css("[data-dialog]"))
        .await
        .expect("dialog")
        .text()
        .await
        .expect("text");
    assert!(
        d.contains("同意取消(訪問診療等)")
            && d.contains(
                "患者の資格確認および医療情報の閲覧ができなくなります。\nよろしいですか？"
            )
            && d.contains("OK")
            && d.contains("キャンセル"),
        "{d}"
    );
    f.shot("dlg18").await;
    f.click_text("OK").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-19"));
    assert!(f.page_text().await.contains("処理が正常に完了しました。"));
    f.shot("dlg19").await;
    // 《OK》 closes the dialog in the page: the refreshed table (RULE-67) is there.
    c.find(Locator::Css(r#"[data-dialog="DLG-19"] a"#))
        .await
        .expect("OK")
        .click()
        .await
        .expect("click OK");
    let dialog = c
        .find(Locator::Css("[data-dialog]"))
        .await
        .expect("the dialog's markup");
    assert!(!dialog.is_displayed().await.expect("displayed?"));
    let text = f.page_text().await;
    assert_eq!(
        text.matches("医療機関による同意取り消し").count(),
        7,
        "{text}"
    );
    assert!(
        text.contains("2023/08/25") && text.contains("山田　隆子"),
        "{text}"
    );
    f.shot("scr28-cancelled").await;
    // Later: 《戻る》 → SCR-27 → the same patient is refused; nothing left to cancel.
    f.click_text("戻る").await;
    search_yamada(&f).await;
    let text = f.page_text().await;
    assert!(
        text.contains(
            "訪問診療等・オンライン診療等の閲覧同意が登録されていないか、取り消されています。"
        ),
        "{text}"
    );
    let button = c
        .find(Locator::Id("cancel-consent"))
        .await
        .expect("《同意取消》");
    assert!(!button.is_enabled().await.expect("enabled?"));
    f.shot("scr28-refused").await;
    f.finish().await;
}
