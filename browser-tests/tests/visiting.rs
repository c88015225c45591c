//! 訪問診療等・オンライン診療等 (ch.3) in a real browser: FLOW-30 SCR-21 → a row → SCR-23 →
//! 《ダウンロード》 (the XML fetched by the page itself and read back), FLOW-32 SCR-22 with the
//! 特定疾病 box (DLG-08 by the page's script) → SCR-23 → 《情報表示》 (DLG-09) and FLOW-31 a
//! pharmacy's SCR-23 → 《処方箋取得へ》 → SCR-24 → a row → DLG-20 → the XML. The clock is the
//! manual's 2023/08/25 (demo passwords count as set then).

use browser_tests::*;
use fantoccini::{Client, Locator};

const NOW: &str = "2023-08-25T10:00:00+09:00";

async fn dialog_id(c: &Client) -> Option<String> {
    let d = c.find(Locator::Css("[data-dialog]")).await.ok()?;
    d.attr("data-dialog").await.ok().flatten()
}

/// Chooses `value` in the `<select id=…>` as a user would (the change event fires).
async fn choose(c: &Client, id: &str, value: &str) {
    c.execute(
        "const s = document.getElementById(arguments[0]); s.value = arguments[1];
         s.dispatchEvent(new Event('change'));",
        vec![serde_json::json!(id), serde_json::json!(value)],
    )
    .await
    .expect("select");
}

/// Scrolls the element with this id into view (for the screenshot).
async fn scroll_to(c: &Client, id: &str) {
    c.execute(
        "document.getElementById(arguments[0]).scrollIntoView();",
        vec![serde_json::json!(id)],
    )
    .await
    .expect("scroll");
}

/// The page's own `fetch` of `href`: status, Content-Disposition, text.
async fn fetch_text(c: &Client, href: &str) -> (u64, String, String) {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.text().then(t =>
               done([r.status, r.headers.get('content-disposition') || '', t])))
               .catch(e => done([0, String(e), '']));",
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

#[tokio::test]
async fn flow30_consented_list_row_result_download() {
    let Some(f) = Flow::start_at("visiting-flow30", NOW).await else {
        return;
    };
    let c = &f.client;
    f.login("staff01", "Staff#Pass01").await;
    f.open("/menu").await;
    let menu = f.page_text().await;
    assert!(menu.contains("訪問診療等・オンライン診療等") && menu.contains("同意済資格情報取得"));
    f.shot("menu").await;
    f.click_text("同意済資格情報取得").await;
    let text = f.page_text().await;
    assert!(
        text.contains("同意済資格情報取得(訪問診療等・オンライン診療等)"),
        "{text}"
    );
    // ※2 受診年月日 is shown only for オンライン診療等 (RULE-65): the page's script.
    let exam = c.find(Locator::Id("examination")).await.expect("※2");
    assert!(!exam.is_displayed().await.expect("shown?"));
    choose(c, "kind", "オンライン診療等").await;
    assert!(exam.is_displayed().await.expect("shown?"));
    choose(c, "kind", "訪問診療等").await;
    f.fill("consent_from", "2023/01/01").await;
    f.fill("consent_to", "2023/12/31").await;
    f.shot("scr21").await;
    f.click_text("② 検索").await;
    let text = f.page_text().await;
    assert!(text.contains("検索結果：2 件 1-2件表示"), "{text}");
    assert!(
        text.contains("山田 隆子") && text.contains("2025/09/20 16:44"),
        "{text}"
    );
    f.shot("scr21-list").await;
    f.click_text("山田 隆子").await;
    let text = f.page_text().await;
    assert!(
        text.contains("資格情報確認(訪問診療等・オンライン診療等)"),
        "{text}"
    );
    assert!(text.contains("この資格は有効です。"), "{text}");
    assert!(text.contains("▼閲覧同意情報") && text.contains("特定疾病療養受療証提供同意区分"));
    f.shot("scr23").await;
    scroll_to(c, "consents").await;
    f.shot("scr23-consents").await;
    let href = c
        .find(Locator::Id("download"))
        .await
        .expect("《ダウンロード》")
        .attr("href")
        .await
        .expect("attr")
        .expect("href");
    let (status, disposition, xml) = fetch_text(c, &href).await;
    assert_eq!(status, 200);
    assert!(disposition.contains("OQSsihvq01res_"), "{disposition}");
    assert!(
        xml.contains("<ViewingConsentList>") && xml.contains("XYZ010409"),
        "{xml}"
    );
    f.finish().await;
}

#[tokio::test]
async fn flow32_individual_inquiry_with_the_specific_disease_box() {
    let Some(f) = Flow::start_at("visiting-flow32", NOW).await else {
        return;
    };
    let c = &f.client;
    f.login("staff01", "Staff#Pass01").await;
    f.open("/menu").await;
    f.click_text("資格情報照会").await;
    let text = f.page_text().await;
    assert!(
        text.contains("資格情報照会(訪問診療等・オンライン診療等)"),
        "{text}"
    );
    assert!(text.contains("枝番は後期高齢者・医療扶助の場合以外は必須項目となります。"));
    for (id, v) in [
        ("insurer", "00050013"),
        ("symbol", "hmtmList11"),
        ("number", "102"),
        ("year", "57"),
        ("month", "1"),
        ("day", "1"),
    ] {
        f.fill(id, v).await;
    }
    // RULE-33: without 枝番 the inquiry refuses.
    f.click_text("② 検索").await;
    let err = c.find(Locator::Id("check-error")).await.expect("error");
    assert_eq!(
        err.text().await.expect("text"),
        "枝番は後期高齢者・医療扶助の場合以外は必須項目となります。"
    );
    f.shot("scr22-rule33").await;
    f.fill("branch", "00").await;
    // The 特定疾病 box: DLG-08 (the page posts the tick).
    let old = c.find(Locator::Css("body")).await.expect("body");
    c.find(Locator::Id("show_sd"))
        .await
        .expect("box")
        .click()
        .await
        .expect("tick");
    wait_for_new_page(c, old).await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-08"));
    let text = f.page_text().await;
    assert!(
        text.contains("閲覧する場合は、「OK」を押してください。"),
        "{text}"
    );
    f.shot("dlg08").await;
    f.click_text("OK").await;
    assert_eq!(dialog_id(c).await, None);
    f.click_text("② 検索").await;
    let text = f.page_text().await;
    assert!(
        text.contains("資格情報確認(訪問診療等・オンライン診療等)"),
        "{text}"
    );
    assert!(text.contains("秋田市"), "{text}");
    f.shot("scr23").await;
    // 限度額 was not consented on SCR-22: 《情報表示》 → DLG-09 → 《OK》.
    click_css(c, "#show-limit").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-09"));
    f.click_text("OK").await;
    let text = f.page_text().await;
    assert!(
        text.contains("適用区分") && text.contains("長期入院該当日"),
        "{text}"
    );
    scroll_to(c, "cert-limit").await;
    f.shot("scr23-limit").await;
    f.finish().await;
}

#[tokio::test]
async fn flow31_a_pharmacy_retrieves_a_listed_prescription() {
    let Some(f) = Flow::start_at("visiting-flow31", NOW).await else {
        return;
    };
    let c = &f.client;
    f.login("yaku01", "Yaku#Pass01").await;
    f.open("/menu").await;
    f.click_text("同意済資格情報取得").await;
    choose(c, "kind", "オンライン診療等").await;
    f.fill("consent_from", "2023/01/01").await;
    f.click_text("② 検索").await;
    let text = f.page_text().await;
    assert!(text.contains("宮崎 一太"), "{text}");
    f.click_text("宮崎 一太").await;
    let text = f.page_text().await;
    assert!(
        text.contains("資格情報確認(訪問診療等・オンライン診療等)"),
        "{text}"
    );
    scroll_to(c, "consents").await;
    f.shot("scr23-pharmacy").await;
    // RULE-25: a pharmacy with 「電子処方箋」 利用する has 《処方箋取得へ》.
    f.click_text("処方箋取得へ").await;
    let text = f.page_text().await;
    assert!(
        text.contains("処方箋情報取得(訪問診療等・オンライン診療等)"),
        "{text}"
    );
    assert!(text.contains("000001") && text.contains("2024/11/13") && text.contains("000002"));
    assert!(text.contains(
        "一覧に表示されている処方箋を取得する場合は、1行ずつ選択して処方箋を取得してください。"
    ));
    f.shot("scr24").await;
    // A row's 《処方箋取得》 → DLG-20 → 《OK》: the browser saves the XML and stays on SCR-24.
    click_css(c, "button[data-row='000001']").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-20"));
    f.shot("dlg20").await;
    c.find(Locator::Css("[data-dialog] button[data-button='OK']"))
        .await
        .expect("《OK》")
        .click()
        .await
        .expect("click");
    // The download leaves the page as it is; then the same prescription typed is refused
    // (RULE-28): proof that the retrieval happened.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let here = c.current_url().await.expect("url");
    f.open(here.path()).await;
    f.fill("exchange_number", "000001").await;
    click_css(c, "#retrieve-button").await;
    let text = f.page_text().await;
    assert!(
        text.contains("※一度取得処理が完了すると、再取得するためには取消処理が必要です。"),
        "{text}"
    );
    let err = c
        .find(Locator::Id("retrieval-error"))
        .await
        .expect("reason");
    assert!(err
        .text()
        .await
        .expect("text")
        .contains("再取得するためには取消処理が必要です"));
    f.shot("scr24-rule28").await;
    f.finish().await;
}
