//! システム障害 (ch.12, FLOW-45) in a real browser: during the outage the screens show RULE-91's
//! fallback; after recovery a 管理アカウント finds 「システム障害時の資格確認」 (the simulator's own
//! screen, RULE-92) in the menu and checks the noted data of 新橋 太郎.

use browser_tests::*;
use fantoccini::Locator;

#[tokio::test]
async fn flow45_fallback_page_then_later_check_after_recovery() {
    let Some(f) = Flow::start("outage-flow45").await else {
        return;
    };
    let c = &f.client;
    let (s, b) = f.admin(
        "PUT",
        "/__admin/faults/outage",
        r#"{"outage":true,"later_check_days":7}"#,
    );
    assert_eq!(s, 200, "{b}");
    f.open("/").await;
    let text = f.page_text().await;
    assert!(
        text.contains("＜患者がマイナンバーカードを持参して来院した場合＞"),
        "{text}"
    );
    assert!(text
        .contains("【マイナンバーカードの券面から控える情報】氏名（漢字）、性別、生年月日、住所"));
    f.shot("fallback").await;

    let (s, b) = f.admin("DELETE", "/__admin/faults/outage", "");
    assert_eq!(s, 200, "{b}");
    f.login("admin01", "Admin#Pass01").await;
    f.open("/menu").await;
    f.click_text("システム障害時の資格確認").await;
    let text = f.page_text().await;
    assert!(
        text.contains("この画面はシミュレータ独自のものです"),
        "{text}"
    );
    f.fill("name", "新橋 太郎").await;
    f.fill("birthdate", "1954/03/26").await;
    f.shot("later-check").await;
    f.click_text("資格確認").await;
    let result = c
        .find(Locator::Id("later-result"))
        .await
        .expect("the result");
    assert_eq!(
        result.attr("data-validity").await.expect("attr").as_deref(),
        Some("有効")
    );
    let text = f.page_text().await;
    assert!(text.contains("この資格は有効です。"), "{text}");
    assert!(text.contains("新橋　太郎"), "{text}");
    c.execute(
        "document.getElementById('later-result').scrollIntoView()",
        vec![],
    )
    .await
    .expect("scroll");
    f.shot("later-check-result").await;
    f.finish().await;
}
