//! 保管調剤結果一括取得 (ch.11) in a real browser, as the storage-service pharmacy's staff
//! (`hozon01`, 9940000076): FLOW-43 SCR-33 → DLG-31 → DLG-32 with its ID, then ERR-30 (the same
//! period again the same day) and ERR-31 (32 days) on SCR-33; FLOW-44 SCR-34 → 《ダウンロード》,
//! the zip fetched by the page itself (same cookies) and read back.

use browser_tests::*;
use fantoccini::Locator;

const HOZON: (&str, &str) = ("hozon01", "Hozon#Pass01");
/// The manual's first SCR-34 example was requested at 2024/01/18 15:36:27.
const NOW: &str = "2024-01-18T15:36:27+09:00";

/// SCR-33 from the menu, the period typed, 《調剤結果取得》 pressed: DLG-31 is up.
async fn acquire(f: &Flow, start: &str, end: &str) {
    f.open("/menu").await;
    f.click_text("保管調剤結果一括取得").await;
    f.fill("start", start).await;
    f.fill("end", end).await;
    f.click_text("② 調剤結果取得").await;
    assert_eq!(dialog_id(&f.client).await.as_deref(), Some("DLG-31"));
}

#[tokio::test]
async fn flow43_request_then_err30_and_err31() {
    let Some(f) = Flow::start_at("dispensing-flow43", NOW).await else {
        return;
    };
    let c = &f.client;
    f.login(HOZON.0, HOZON.1).await;
    f.open("/menu").await;
    let menu = f.page_text().await;
    assert!(menu.contains("保管調剤結果一括取得結果"), "{menu}");
    f.shot("menu").await;

    f.click_text("保管調剤結果一括取得").await;
    let text = f.page_text().await;
    for want in [
        "調剤結果取得期間（開始）",
        "調剤結果取得期間（終了）",
        "注意 調剤結果取得期間（開始）と調剤結果取得期間（終了）は一カ月以内の期間で入力してください。",
        "注意 取得条件の項目について全て入力してください。",
        "同日に同じ取得条件での一括取得はできません。",
        "取得可能な最長期間は1ヶ月（31日）です。",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    f.fill("start", "2024/01/01").await;
    f.fill("end", "2024/01/01").await;
    f.shot("scr33").await;
    f.click_text("② 調剤結果取得").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-31"));
    let text = f.page_text().await;
    assert!(text.contains("取得します。よろしいですか？"), "{text}");
    f.shot("dlg31").await;
    f.click_text("OK").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-32"));
    let text = f.page_text().await;
    assert!(text.contains("保管調剤結果取得に成功しました。"), "{text}");
    assert!(
        text.contains("調剤結果一括取得ID：202401181536279940000076"),
        "{text}"
    );
    assert!(text.contains("この時点ではオンライン資格確認端末にダウンロードされていません。保管調剤結果一括取得結果画面からダウンロードしてください。"));
    f.shot("dlg32").await;
    f.click_text("OK").await;
    assert_eq!(dialog_id(c).await, None);

    // ERR-30 (RULE-71): the same period again today.
    acquire(&f, "2024/01/01", "2024/01/01").await;
    f.click_text("OK").await;
    let refused = c.find(Locator::Id("refused")).await.expect("the refusal");
    assert_eq!(
        refused.attr("data-error").await.expect("attr").as_deref(),
        Some("ERR-30")
    );
    let text = refused.text().await.expect("text");
    assert!(
        text.contains("同日に同じ取得条件での一括取得はできません。"),
        "{text}"
    );
    assert!(text.contains("別日（2024年7月2日等）に《調剤結果取得》を実施してください。"));
    f.shot("err30").await;

    // ERR-31 (RULE-70): 2023/12/01–2024/01/01 is 32 days.
    acquire(&f, "2023/12/01", "2024/01/01").await;
    f.click_text("OK").await;
    let refused = c.find(Locator::Id("refused")).await.expect("the refusal");
    assert_eq!(
        refused.attr("data-error").await.expect("attr").as_deref(),
        Some("ERR-31")
    );
    assert!(refused
        .text()
        .await
        .expect("text")
        .contains("取得可能な最長期間は1ヶ月（31日）です。"));
    f.shot("err31").await;
    f.finish().await;
}

#[tokio::test]
async fn flow44_list_then_download() {
    let Some(f) = Flow::start_at("dispensing-flow44", NOW).await else {
        return;
    };
    let c = &f.client;
    f.login(HOZON.0, HOZON.1).await;
    for (start, end) in [
        ("2023/11/01", "2023/11/14"),
        ("2023/12/01", "2023/12/30"),
        ("2024/01/01", "2024/01/01"),
    ] {
        acquire(&f, start, end).await;
        f.click_text("OK").await;
        assert_eq!(dialog_id(c).await.as_deref(), Some("DLG-32"));
    }
    f.open("/menu").await;
    f.click_text("保管調剤結果一括取得結果").await;
    for _ in 0..50 {
        if !f.page_text().await.contains("照会中") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        f.click_text("② 更新").await;
    }
    let text = f.page_text().await;
    for want in [
        "ダウンロード期限までにダウンロードを完了してください",
        "検索結果： 3 件1-3件表示",
        "調剤結果一括取得ID",
        "202401181536299940000076 照会完了 2024/01/01 2024/01/01 1 ダウンロード 2024/01/24",
        "202401181536279940000076 照会完了 2023/11/01 2023/11/14 3 ダウンロード 2024/01/24",
        "202401181536289940000076 照会完了 2023/12/01 2023/12/30 0",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // Newest first (RULE-73).
    assert!(text.find("202401181536299940000076") < text.find("202401181536289940000076"));
    f.shot("scr34").await;

    // 《ダウンロード》 of the 2023/11 row: the zip of its three stored results.
    let id = "202401181536279940000076";
    let link = c
        .find(Locator::Css(&format!("tr[data-id='{id}'] a")))
        .await
        .expect("《ダウンロード》");
    assert_eq!(link.text().await.expect("text"), "ダウンロード");
    let href = link.attr("href").await.expect("href").expect("an href");
    let (status, disposition, zip) = fetch_bytes(c, &href).await;
    assert_eq!(status, 200);
    assert_eq!(disposition, format!("attachment; filename=\"{id}.zip\""));
    assert_eq!(&zip[..4], b"PK\x03\x04");
    // Three local file headers, one per stored result of 2023/11/01–14.
    assert_eq!(zip.windows(4).filter(|w| w == b"PK\x03\x04").count(), 3);
    // The 件数 0 row has no 《ダウンロード》 (RULE-74).
    assert!(c
        .find(Locator::Css("tr[data-id='202401181536289940000076'] a"))
        .await
        .is_err());
    f.finish().await;
}
