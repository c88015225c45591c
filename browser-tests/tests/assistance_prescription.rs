//! FLOW-20, FLOW-19 and FLOW-17 in a real browser: a 被保護者's My Number card → SCR-11 with
//! both tabs, switched by clicking, and the other display cases (ERR-20 inline, ERR-22's
//! dialog); the insurance-card screen with 公費負担者番号 / 受給者番号 → the 医療扶助 tab only
//! (RULE-48); a pharmacy's SCR-10 《処方箋取得へ》 → SCR-12 → a refused 引換番号, then the
//! prescription file fetched by the page itself, and no 《処方箋取得へ》 once ENV-04 is
//! 「利用しない」 (RULE-25).

use browser_tests::*;
use fantoccini::{Client, Locator};

fn card(f: &Flow, body: &str) {
    let (s, b) = f.admin("PUT", "/__admin/terminal/readers/0/card", body);
    assert_eq!(s, 200, "{b}");
}

async fn dialog_id(c: &Client) -> Option<String> {
    let d = c.find(Locator::Css("[data-dialog]")).await.ok()?;
    d.attr("data-dialog").await.ok().flatten()
}

/// The names of SCR-11's tabs and the one shown.
async fn tabs(c: &Client) -> (Vec<String>, Option<String>) {
    let mut names = Vec::new();
    let mut on = None;
    for a in c.find_all(Locator::Css("#ma-tabs a")).await.expect("tabs") {
        let name = a.text().await.expect("tab text");
        if a.attr("class").await.ok().flatten().as_deref() == Some("on") {
            on = Some(name.clone());
        }
        names.push(name);
    }
    (names, on)
}

/// SCR-08 with 資格確認日 2023/09/15 and 《目視で本人確認完了》, then the card read.
async fn read_on(f: &Flow, date: &str) {
    f.open("/check/mynumber").await;
    f.fill("date", date).await;
    f.client
        .find(Locator::Id("visual_done"))
        .await
        .expect("box")
        .click()
        .await
        .expect("tick");
    f.click_text("カードを読み取る（シミュレータ）").await;
}

/// SCR-13 with these field values (記号 / 枝番 may be empty), 昭和 birth date.
async fn search(f: &Flow, fields: &[(&str, &str)]) {
    f.open("/check/insurance-card").await;
    for (id, v) in fields {
        f.fill(id, v).await;
    }
    f.click_text("③ 検索").await;
}

#[tokio::test]
async fn flow_20_medical_assistance_by_my_number_card() {
    let Some(f) = Flow::start("ma-flow20").await else {
        return;
    };
    let c = &f.client;
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    // (6) 東北 一郎: 医療保険 and 医療扶助 both valid.
    card(&f, r#"{"profile":"medical-assistance"}"#);
    read_on(&f, "2023/09/15").await;
    let text = f.page_text().await;
    assert!(text.contains("この資格は有効です。"), "{text}");
    assert_eq!(
        tabs(c).await,
        (
            vec!["医療保険".to_owned(), "医療扶助".to_owned()],
            Some("医療保険".to_owned())
        )
    );
    assert!(text.contains("福運テ記号00001"));
    f.shot("scr11-insurance-tab").await;
    f.click_text("医療扶助").await;
    assert_eq!(tabs(c).await.1.as_deref(), Some("医療扶助"));
    let text = f.page_text().await;
    for s in [
        "被保護者情報",
        "12374013",
        "サンプル福祉事務所",
        "9900028",
        "医療券・調剤券",
        "胃の悪性新生物",
        "テスト医療機関（医科）",
        "感染症の予防及び感染症の患者に対する医療に関する法律第37条の2",
    ] {
        assert!(text.contains(s), "{s}: {text}");
    }
    f.shot("scr11-assistance-tab").await;
    c.execute(
        "document.getElementById('tickets').scrollIntoView()",
        vec![],
    )
    .await
    .expect("scroll");
    f.shot("scr11-ticket").await;
    // (2) 東北 二郎: no ticket → ERR-20 inline, numbers masked.
    card(
        &f,
        r#"{"profile":"medical-assistance","person":"tohoku-jiro"}"#,
    );
    read_on(&f, "2023/09/15").await;
    let text = f.page_text().await;
    assert!(
        text.contains("医療券/調剤券情報が登録されていません。福祉事務所へ連絡してください。"),
        "{text}"
    );
    assert!(text.contains("(未委託のため非表示)"));
    assert_eq!(tabs(c).await.0, ["医療扶助"]);
    f.shot("scr11-err20").await;
    // (7) 東北 七子: ERR-21 and 「あり (不整合あり)」.
    card(
        &f,
        r#"{"profile":"medical-assistance","person":"tohoku-nanako"}"#,
    );
    read_on(&f, "2023/09/15").await;
    let text = f.page_text().await;
    assert!(
        text.contains("社会保険状況に不整合があります。患者に現在の加入資格を確認して下さい。"),
        "{text}"
    );
    assert!(text.contains("あり (不整合あり)"));
    f.shot("scr11-err21").await;
    // (3) 東北 三郎: invalid, grey.
    card(
        &f,
        r#"{"profile":"medical-assistance","person":"tohoku-saburo"}"#,
    );
    read_on(&f, "2023/09/15").await;
    assert!(f.page_text().await.contains("この資格は無効です。"));
    let grey = c
        .find(Locator::Id("ma-area"))
        .await
        .expect("area")
        .attr("class")
        .await
        .expect("class");
    assert_eq!(grey.as_deref(), Some("grey"));
    f.shot("scr11-invalid-grey").await;
    // (8) 東北 八郎: ERR-22.
    card(
        &f,
        r#"{"profile":"medical-assistance","person":"tohoku-hachiro"}"#,
    );
    read_on(&f, "2023/09/15").await;
    assert_eq!(dialog_id(c).await.as_deref(), Some("ERR-22"));
    let text = f.page_text().await;
    assert!(text.contains("患者へのお知らせ"), "{text}");
    assert!(
        text.contains("ご使用のマイナンバーカードで、資格確認日に該当する資格情報が存在しません。")
    );
    f.shot("err22").await;
    f.finish().await;
}

#[tokio::test]
async fn flow_19_medical_assistance_by_the_insurance_card_screen() {
    let Some(f) = Flow::start("ma-flow19").await else {
        return;
    };
    let c = &f.client;
    f.login(DEMO_STAFF.0, DEMO_STAFF.1).await;
    f.open("/check/insurance-card").await;
    let text = f.page_text().await;
    assert!(text.contains("公費負担者番号（半角数字 8 桁）"), "{text}");
    f.shot("scr13-hints").await;
    search(
        &f,
        &[
            ("insurer", "12374013"),
            ("number", "9900028"),
            ("year", "55"),
            ("month", "7"),
            ("day", "25"),
            ("date", "2023/09/15"),
        ],
    )
    .await;
    assert_eq!(
        tabs(c).await,
        (vec!["医療扶助".to_owned()], Some("医療扶助".to_owned()))
    );
    let text = f.page_text().await;
    assert!(
        text.contains("9900028") && !text.contains("福運テ記号00001"),
        "{text}"
    );
    f.shot("scr11-assistance-only").await;
    // RULE-48: the same person by the 医療保険 numbers → the 医療保険 tab only.
    search(
        &f,
        &[
            ("insurer", "06140156"),
            ("symbol", "福運テ記号00001"),
            ("number", "福運テ番号00001"),
            ("branch", "01"),
            ("year", "55"),
            ("month", "7"),
            ("day", "25"),
            ("date", "2023/09/15"),
        ],
    )
    .await;
    assert_eq!(
        tabs(c).await,
        (vec!["医療保険".to_owned()], Some("医療保険".to_owned()))
    );
    assert!(!f.page_text().await.contains("9900028"));
    f.shot("scr11-insurance-only").await;
    f.finish().await;
}

/// 《処方箋取得》 sent by the page itself (the browser would save the answer as a download):
/// status, Content-Disposition, text.
async fn retrieve(c: &Client, number: &str) -> (u64, String, String) {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const form = document.getElementById('retrieve');
             const body = new URLSearchParams(new FormData(form));
             body.set('exchange_number', arguments[0]);
             fetch(form.action, {method: 'POST', body})
               .then(r => r.text().then(t => done([r.status, r.headers.get('content-disposition') || '', t])))
               .catch(e => done([0, '', String(e)]));",
            vec![serde_json::json!(number)],
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
async fn flow_17_pharmacy_retrieves_a_prescription_by_exchange_number() {
    let Some(f) = Flow::start("rx-flow17").await else {
        return;
    };
    let c = &f.client;
    f.login(DEMO_PHARMACY.0, DEMO_PHARMACY.1).await;
    // 宮崎 一太's card on the reader (the tray's FLOW-17 preset does the same).
    card(&f, r#"{"profile":"valid","person":"miyazaki-ichita"}"#);
    read_on(&f, "2021/01/06").await;
    let text = f.page_text().await;
    assert!(
        text.contains("この資格は有効です。") && text.contains("宮崎　一太"),
        "{text}"
    );
    assert!(text.contains("処方箋取得へ"));
    f.shot("scr10-pharmacy").await;
    f.click_text("処方箋取得へ").await;
    let text = f.page_text().await;
    assert!(
        text.contains("処方箋情報取得") && text.contains("引換番号:"),
        "{text}"
    );
    assert!(text.contains("処方箋が複数ある場合でも、引換番号は1つずつ入力してください。"));
    f.shot("scr12").await;
    // RULE-27: full-width digits are refused on the screen.
    f.fill("exchange_number", "０００００２").await;
    f.click_text("処方箋取得").await;
    let text = f.page_text().await;
    assert!(
        text.contains("引換番号は半角数字で入力してください。"),
        "{text}"
    );
    f.shot("scr12-rule27").await;
    // The file.
    let (status, disposition, xml) = retrieve(c, "000002").await;
    assert_eq!(status, 200, "{xml}");
    assert!(
        disposition.contains("prescription_000002.xml"),
        "{disposition}"
    );
    assert!(
        xml.contains("<ExchangeNumber>000002</ExchangeNumber>"),
        "{xml}"
    );
    // RULE-28: not twice.
    f.fill("exchange_number", "000002").await;
    f.click_text("処方箋取得").await;
    assert!(f
        .page_text()
        .await
        .contains("再取得するためには取消処理が必要です"));
    f.shot("scr12-rule28").await;
    // ENV-04 「利用しない」: no 《処方箋取得へ》 (RULE-25).
    let (s, b) = f.admin(
        "PUT",
        "/__admin/pharmacy/settings",
        r#"{"e_prescription":"利用しない"}"#,
    );
    assert_eq!(s, 200, "{b}");
    f.click_text("戻る").await;
    let text = f.page_text().await;
    assert!(
        text.contains("この資格は有効です。") && !text.contains("処方箋取得へ"),
        "{text}"
    );
    f.shot("scr10-env04-off").await;
    f.finish().await;
}
