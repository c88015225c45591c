//! The check screens in a real browser: a My Number check per card profile (SCR-08 → SCR-09 →
//! SCR-10 or the profile's dialog), the box dialogs with the keyboard, an insurance-card check
//! with 複数該当 (SCR-13 ④), a bulk file upload → DLG-13 → SCR-16 → the result file, and a
//! history search → SCR-20 → CSV. Downloads are fetched by the page itself (same cookies) and
//! read back.

use browser_tests::*;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

/// The page's own `fetch` of `href` (its session cookie): status and text.
async fn fetch(c: &Client, href: &str) -> (u64, String, String) {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.text().then(t => done([r.status, r.headers.get('content-disposition') || '', t])))
               .catch(e => done([0, '', String(e)]));",
            vec![serde_json::json!(href)],
        )
        .await
        .expect("fetch");
    (
        v[0].as_u64().unwrap_or(0),
        v[1].as_str().unwrap_or_default().to_owned(),
        v[2].as_str().unwrap_or_default().to_owned(),
    )
}

/// 《ダウンロード》 (`#download`) fetched by the page: status, Content-Disposition, text.
async fn download(c: &Client) -> (u64, String, String) {
    let href = c
        .find(Locator::Id("download"))
        .await
        .expect("download")
        .attr("href")
        .await
        .expect("href")
        .expect("an href");
    fetch(c, &href).await
}

/// Scrolls the element with this id into view (for the screenshot).
async fn scroll_to(c: &Client, id: &str) {
    c.execute(
        "document.getElementById(arguments[0]).scrollIntoView()",
        vec![serde_json::json!(id)],
    )
    .await
    .expect("scroll");
}

/// SCR-08 with 《目視で本人確認完了》 ticked, then the card on reader 0 read.
async fn read_visually(f: &Flow) {
    f.open("/check/mynumber").await;
    f.client
        .find(Locator::Id("visual_done"))
        .await
        .expect("box")
        .click()
        .await
        .expect("tick");
    f.click_text("カードを読み取る（シミュレータ）").await;
}

fn card(f: &Flow, profile: &str) {
    let (s, b) = f.admin(
        "PUT",
        "/__admin/terminal/readers/0/card",
        &format!(r#"{{"profile":"{profile}"}}"#),
    );
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn mynumber_check_per_card_profile() {
    let Some(f) = Flow::start("checks-mynumber").await else {
        return;
    };
    let c = &f.client;
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.open("/menu").await;
    f.click_text("マイナンバーカードで確認").await;
    let text = f.page_text().await;
    assert!(text.contains("資格情報照会(マイナンバーカード)"), "{text}");
    assert!(text.contains("マイナンバーカード認証前に本人確認をしてください。"));
    // 「スペースキーでチェック可能」: focus the box and press Space.
    let done = c.find(Locator::Id("visual_done")).await.expect("box");
    done.send_keys(" ").await.expect("space");
    assert!(
        done.is_selected().await.expect("state"),
        "Space ticks the box"
    );
    // Ticking 「診療・薬剤情報の閲覧を同意する」 shows DLG-05; 《OK》 with Enter.
    click_css(c, "#diagnosis").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-05"));
    assert!(f
        .page_text()
        .await
        .contains("※書面で患者の同意を得る必要があります。"));
    f.shot("dlg05").await;
    let ok = c.active_element().await.expect("focus on OK");
    let old = c.find(Locator::Css("html")).await.expect("page");
    ok.send_keys(&String::from(char::from(Key::Enter)))
        .await
        .expect("enter");
    wait_for_new_page(c, old).await;
    assert_eq!(dialog_id(c).await, None);
    f.shot("scr08").await;
    // The card event with the choices made: SCR-10 with the consent.
    card(&f, "valid");
    f.click_text("カードを読み取る（シミュレータ）").await;
    let text = f.page_text().await;
    assert!(text.contains("この資格は有効です。"), "{text}");
    assert!(text.contains("新橋　太郎") && text.contains("昭和29年3月26日"));
    assert!(text.contains("診療・薬剤情報の閲覧は同意済み"), "{text}");
    f.shot("scr10").await;
    // The visual path, one profile after another.
    let cases = [
        ("valid", None),
        ("expired", Some("ERR-06")),
        ("revoked", Some("ERR-05")),
        ("uninsured", Some("ERR-15")),
        ("unregistered", Some("ERR-16")),
        ("unsupported", Some("ERR-12")),
        ("unreadable", Some("ERR-10")),
        ("not-mynumber", Some("ERR-11")),
        ("expiring-soon", Some("ERR-08")),
    ];
    for (profile, expected) in cases {
        card(&f, profile);
        read_visually(&f).await;
        match expected {
            None => {
                let text = f.page_text().await;
                assert!(text.contains("この資格は有効です。"), "{profile}: {text}");
                assert!(text.contains("新橋　太郎"));
            }
            Some(id) => assert_eq!(dialog_id(c).await.as_deref(), Some(id), "{profile}"),
        }
        f.shot(profile).await;
    }
    // The PIN path: SCR-09, then SCR-10; ERR-13 / ERR-14 for their profiles.
    for (profile, expected) in [
        ("valid", None),
        ("pin-locked", Some("ERR-13")),
        ("bad-signature", Some("ERR-14")),
    ] {
        card(&f, profile);
        f.open("/check/mynumber").await;
        c.find(Locator::Css("input[name=method][value=pin]"))
            .await
            .expect("radio")
            .click()
            .await
            .expect("pin radio");
        f.click_text("カードを読み取る（シミュレータ）").await;
        match dialog_id(c).await.as_deref() {
            Some("SCR-09") => {
                f.shot(&format!("{profile}-scr09")).await;
                f.fill("pin", "1234").await;
                f.click_text("OK").await;
            }
            other => assert_eq!(other, expected, "{profile}: no PIN asked"),
        }
        match expected {
            None => {
                let text = f.page_text().await;
                assert!(text.contains("この資格は有効です。"), "{text}");
            }
            Some(id) => assert_eq!(dialog_id(c).await.as_deref(), Some(id), "{profile}"),
        }
        f.shot(&format!("{profile}-pin")).await;
    }
    // SCR-10: 《情報表示》 → DLG-09 → the 特定疾病 block; 《ダウンロード》 is the result XML.
    card(&f, "valid");
    read_visually(&f).await;
    click_css(c, "#show-sd").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-09"));
    f.shot("dlg09").await;
    f.click_text("OK").await;
    assert!(c.find(Locator::Css("#show-sd")).await.is_err());
    f.shot("scr10-certificates").await;
    let (status, disposition, xml) = download(c).await;
    assert_eq!(status, 200);
    assert!(disposition.contains("attachment"));
    assert!(xml.contains("<Name>新橋　太郎</Name>"), "{xml}");
    f.finish().await;
}

#[tokio::test]
async fn insurance_card_check_with_multiple_matches() {
    let Some(f) = Flow::start("checks-insurance-card").await else {
        return;
    };
    let c = &f.client;
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.open("/menu").await;
    f.click_text("保険証／処方箋で確認").await;
    assert!(f.page_text().await.contains("検索条件：保険証情報"));
    for (id, v) in [
        ("insurer", "06139000"),
        ("symbol", "9000"),
        ("number", "10001"),
        ("year", "59"),
        ("month", "4"),
        ("day", "1"),
    ] {
        f.fill(id, v).await;
    }
    f.shot("scr13").await;
    f.click_text("③ 検索").await;
    let text = f.page_text().await;
    assert!(
        text.contains(
            "複数の資格該当者が見つかりました。資格確認の該当者を以下から選択してください。"
        ),
        "{text}"
    );
    assert!(text.contains("検索結果: 2 件") && text.contains("新橋　二郎"));
    scroll_to(c, "matches").await;
    f.shot("multiple").await;
    click_css(c, "button[data-branch='03']").await;
    let text = f.page_text().await;
    assert!(
        text.contains("新橋　一郎") && !text.contains("新橋　二郎"),
        "{text}"
    );
    assert!(text.contains("資格情報確認"));
    f.shot("scr10").await;
    f.finish().await;
}

/// OQSmuquc01req with 新橋 太郎 and 新橋 花子.
const BULK_FILE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><QualificationConfirmationDate>20210106</QualificationConfirmationDate><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber><Birthdate>19540326</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo><QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>02</InsuredBranchNumber><Birthdate>19550118</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo></MessageBody></XmlMsg>\n";

#[tokio::test]
async fn bulk_upload_then_result_download() {
    let Some(f) = Flow::start("checks-bulk").await else {
        return;
    };
    let c = &f.client;
    let (s, b) = f.admin("PUT", "/__admin/jobs/pacing", r#"{"pacing":"instant"}"#);
    assert_eq!(s, 200, "{b}");
    // RULE-55: any file name.
    let dir = std::env::temp_dir().join(format!("oqs-bulk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("きょうの患者さん.txt");
    std::fs::write(&file, BULK_FILE).expect("bulk file");
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.open("/menu").await;
    f.click_text("資格情報一括照会").await;
    assert!(f.page_text().await.contains("資格情報照会ファイル"));
    c.find(Locator::Id("file"))
        .await
        .expect("file input")
        .send_keys(file.to_str().expect("utf-8 path"))
        .await
        .expect("choose file");
    f.shot("scr15").await;
    f.click_text("② 照会").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-13"));
    let text = f.page_text().await;
    assert!(
        text.contains("受付番号は20210106100000000_staff01です。"),
        "{text}"
    );
    assert!(text.contains("(受付時刻：01月06日 10時00分)"));
    f.shot("dlg13").await;
    f.click_text("OK").await;
    f.open("/menu").await;
    f.click_text("資格情報一括照会結果").await;
    let mut href = None;
    for _ in 0..100 {
        if let Ok(a) = c
            .find(Locator::Css("a[href^='/bulk-inquiry/results/']"))
            .await
        {
            href = a.attr("href").await.expect("href");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        f.click_text("更新").await;
    }
    let href = href.expect("the job became downloadable");
    let text = f.page_text().await;
    assert!(
        text.contains("20210106100000000_staff01") && text.contains("照会完了"),
        "{text}"
    );
    f.shot("scr16").await;
    let (status, disposition, xml) = fetch(c, &href).await;
    assert_eq!(status, 200);
    assert!(disposition.contains(".xml"), "{disposition}");
    assert_eq!(xml.matches("<QualificationValidity>").count(), 2, "{xml}");
    let _ = std::fs::remove_dir_all(&dir);
    f.finish().await;
}

#[tokio::test]
async fn history_search_then_csv() {
    let Some(f) = Flow::start("checks-history").await else {
        return;
    };
    let c = &f.client;
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    // Two checks: one by card, one by insurance card.
    card(&f, "valid");
    read_visually(&f).await;
    f.click_text("次の患者へ(保険証)").await;
    for (id, v) in [
        ("insurer", "06139000"),
        ("symbol", "9000"),
        ("number", "10001"),
        ("branch", "01"),
        ("year", "29"),
        ("month", "3"),
        ("day", "26"),
    ] {
        f.fill(id, v).await;
    }
    f.click_text("③ 検索").await;
    assert!(f.page_text().await.contains("この資格は有効です。"));
    f.open("/menu").await;
    f.click_text("資格確認履歴照会").await;
    f.shot("scr19").await;
    f.click_text("② 検索").await;
    let text = f.page_text().await;
    assert!(text.contains("検索結果: 2 件 1-2件表示"), "{text}");
    assert!(text.contains("staff01") && text.contains("マイナンバーカード(目視確認)"));
    scroll_to(c, "results").await;
    f.shot("scr19-list").await;
    let (status, disposition, csv) = download(c).await;
    assert_eq!(status, 200);
    assert!(disposition.contains(".csv"), "{disposition}");
    assert_eq!(csv.lines().count(), 3, "{csv}");
    f.click_text("詳細").await;
    assert!(f.page_text().await.contains("資格確認履歴詳細"));
    f.shot("scr20").await;
    f.click_text("戻る").await;
    f.click_text("クリア").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-17"));
    f.shot("dlg17").await;
    f.finish().await;
}
