//! SCR-11 (医療扶助 tab), RULE-48 on SCR-13 and SCR-12 (処方箋情報取得) over HTTP against the real
//! binary, as a browser without script uses them: ch.6 §1 cases (1)..(8) on the My Number path
//! (card profile `medical-assistance` and the 東北 variants) and on the insurance-card path (公費
//! 12374013 / 受給者番号), then FLOW-17 at サンプル薬局 with RULE-25..28 and ENV-04/05.

mod common;

use common::binary::{start_server, Server};
use common::operator::{Operator, Page};

const NOW: &str = "2023-09-15T10:00:00+09:00";

fn start() -> Server {
    start_server(|c| {
        c.args(["--now", NOW]);
    })
}

async fn logged_in(server: &Server, user: &str, password: &str) -> Operator {
    let mut op = Operator::new(&server.addr);
    let p = op.login(user, password).await;
    assert_eq!(p.status, 200, "{}", p.body);
    op
}

/// The `medical-assistance` card of `person` (default 東北 一郎) on reader 0, read visually.
async fn mynumber(op: &mut Operator, person: Option<&str>) -> Page {
    let body = match person {
        Some(p) => format!(r#"{{"profile":"medical-assistance","person":"{p}"}}"#),
        None => r#"{"profile":"medical-assistance"}"#.to_owned(),
    };
    let (s, b) = op
        .admin("PUT", "/__admin/terminal/readers/0/card", &body)
        .await;
    assert_eq!(s, 200, "{b}");
    read_visually(op, "2023/09/15").await
}

/// SCR-13 《検索》 with these numbers (記号/枝番 may be empty) and a 西暦 birth date.
async fn search(op: &mut Operator, fields: &[(&str, &str)], birth: (&str, &str, &str)) -> Page {
    let scr13 = op.get("/check/insurance-card").await;
    let csrf = scr13.csrf();
    let mut all = vec![
        ("era", "西暦"),
        ("year", birth.0),
        ("month", birth.1),
        ("day", birth.2),
        ("date", "2023/09/15"),
        ("step", "search"),
    ];
    all.extend_from_slice(fields);
    op.post("/check/insurance-card", &csrf, &all).await
}

/// The tab names shown, in order, and the one that is on.
fn tabs(p: &Page) -> (Vec<String>, Option<String>) {
    let Some(i) = p.body.find(r#"id="ma-tabs""#) else {
        return (Vec::new(), None);
    };
    let nav = &p.body[i..i + p.body[i..].find("</nav>").expect("nav end")];
    let mut names = Vec::new();
    let mut on = None;
    for a in nav.split("<a ").skip(1) {
        let k = r#"data-tab=""#;
        let s = a.find(k).expect("data-tab") + k.len();
        let name = a[s..s + a[s..].find('"').expect("quote")].to_owned();
        if a.starts_with(r#"class="on""#) {
            on = Some(name.clone());
        }
        names.push(name);
    }
    (names, on)
}

fn cell(p: &Page, label: &str) -> Option<String> {
    let k = format!(r#"data-label="{label}">"#);
    let i = p.body.find(&k)? + k.len();
    Some(p.body[i..i + p.body[i..].find('<')?].to_owned())
}

/// A tab's link (`?tab=n`) of the page.
fn tab_link(p: &Page, name: &str) -> String {
    let k = format!(r#"data-tab="{name}""#);
    let i = p.body.find(&k).expect("tab");
    let start = p.body[..i].rfind("<a ").expect("a");
    let tag = &p.body[start..i];
    let h = tag.find(r#"href=""#).expect("href") + 6;
    tag[h..h + tag[h..].find('"').expect("quote")].replace("&amp;", "&")
}

#[tokio::test(flavor = "multi_thread")]
async fn scr11_cases_on_the_my_number_path() {
    let server = start();
    let mut op = logged_in(&server, "staff01", "Staff#Pass01").await;
    // (6) both valid: both tabs, 医療保険 first; the 医療扶助 tab by clicking (RULE-43).
    let p = mynumber(&mut op, None).await;
    assert_eq!(p.text_of("banner").as_deref(), Some("この資格は有効です。"));
    let (names, on) = tabs(&p);
    assert_eq!(names, ["医療保険", "医療扶助"], "{}", p.body);
    assert_eq!(on.as_deref(), Some("医療保険"));
    assert!(p.has("福運テ記号00001") && !p.has(r#"id="tickets""#));
    let ma = op.get(&tab_link(&p, "医療扶助")).await;
    assert_eq!(tabs(&ma).1.as_deref(), Some("医療扶助"));
    assert_eq!(cell(&ma, "公費負担者番号").as_deref(), Some("12374013"));
    assert_eq!(cell(&ma, "受給者番号").as_deref(), Some("9900028"));
    assert_eq!(
        cell(&ma, "福祉事務所名").as_deref(),
        Some("サンプル福祉事務所")
    );
    assert_eq!(cell(&ma, "氏名(券面)").as_deref(), Some("東北　一郎"));
    // (1) the 医療券 entrusted to サンプル医療機関 (RULE-47): label, rows, the table.
    assert!(ma.has(r#"data-kind="医療券""#) && !ma.has(r#"data-kind="調剤券""#));
    assert_eq!(cell(&ma, "診療年月").as_deref(), Some("令和5年9月"));
    assert_eq!(cell(&ma, "交付番号").as_deref(), Some("00001"));
    assert_eq!(cell(&ma, "傷病名3").as_deref(), Some("アレルギー性鼻炎"));
    assert_eq!(cell(&ma, "自己負担額").as_deref(), Some("0 円"));
    assert_eq!(cell(&ma, "社会保険").as_deref(), Some("あり"));
    assert!(!ma.has("処方箋発行元"), "処方箋発行元 only on a 調剤券");
    assert!(!ma.has("ma-message"), "no ERR-20/21");
    // (2) 未委託: ERR-20, masked numbers, banner valid (RULE-39).
    let p = mynumber(&mut op, Some("tohoku-jiro")).await;
    assert_eq!(
        tabs(&p),
        (vec!["医療扶助".to_owned()], Some("医療扶助".to_owned()))
    );
    assert_eq!(p.text_of("banner").as_deref(), Some("この資格は有効です。"));
    assert!(
        p.has(r#"<p class="banner" id="banner">"#),
        "有効（未登録） is not drawn as invalid"
    );
    assert!(p.has(r#"data-err="ERR-20""#));
    assert!(p.has("医療券/調剤券情報が登録されていません。福祉事務所へ連絡してください。"));
    assert_eq!(
        cell(&p, "公費負担者番号").as_deref(),
        Some("(未委託のため非表示)")
    );
    assert_eq!(
        cell(&p, "受給者番号").as_deref(),
        Some("(未委託のため非表示)")
    );
    assert!(p.has(r#"<div id="ma-area">"#) && !p.has(r#"class="grey""#));
    // (3) 医療扶助 invalid: grey, 資格喪失日 / 事由 (RULE-40).
    let p = mynumber(&mut op, Some("tohoku-saburo")).await;
    assert_eq!(p.text_of("banner").as_deref(), Some("この資格は無効です。"));
    assert_eq!(tabs(&p).0, ["医療扶助"]);
    assert!(p.has(r#"class="grey""#), "{}", p.body);
    assert_eq!(cell(&p, "資格喪失日").as_deref(), Some("令和5年6月1日"));
    assert_eq!(cell(&p, "資格喪失事由").as_deref(), Some("その他"));
    // (4) / (5) 医療保険 only: the 医療保険 tab alone (RULE-41/42), grey when invalid.
    let p = mynumber(&mut op, Some("tohoku-shiro")).await;
    assert_eq!(
        tabs(&p),
        (vec!["医療保険".to_owned()], Some("医療保険".to_owned()))
    );
    assert!(!p.has(r#"class="grey""#) && p.has("福運テ記号00004"));
    let p = mynumber(&mut op, Some("tohoku-goro")).await;
    assert_eq!(tabs(&p).0, ["医療保険"]);
    assert_eq!(p.text_of("banner").as_deref(), Some("この資格は無効です。"));
    assert!(p.has(r#"class="grey""#));
    // (7) mismatch: ERR-21 and 「あり (不整合あり)」, newest 有効開始日 first (RULE-44/46).
    let p = mynumber(&mut op, Some("tohoku-nanako")).await;
    assert!(p.has(r#"data-err="ERR-21""#));
    assert!(p.has("社会保険状況に不整合があります。患者に現在の加入資格を確認して下さい。"));
    let first = p.body.find(r#"id="ticket-0""#).expect("ticket 0");
    let second = p.body.find(r#"id="ticket-1""#).expect("ticket 1");
    assert!(p.body[first..second].contains(">00012<") && p.body[second..].contains(">00011<"));
    assert_eq!(cell(&p, "社会保険").as_deref(), Some("あり (不整合あり)"));
    // (8) neither: ERR-22's dialog (RULE-45).
    let p = mynumber(&mut op, Some("tohoku-hachiro")).await;
    assert_eq!(p.dialog().as_deref(), Some("ERR-22"), "{}", p.body);
    assert!(
        p.has("患者へのお知らせ")
            && p.has("ご使用のマイナンバーカードで、資格確認日に該当する資格情報が存在しません。")
    );
    // A plain SCR-10 has no tabs.
    let (s, b) = op
        .admin(
            "PUT",
            "/__admin/terminal/readers/0/card",
            r#"{"profile":"valid"}"#,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let p = read_visually(&mut op, "2021/01/06").await;
    assert!(
        p.has("この資格は有効です。") && tabs(&p).0.is_empty(),
        "{}",
        p.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rule_48_the_search_decides_the_tab_and_the_pharmacy_sees_its_dispensing_ticket() {
    let server = start();
    let mut op = logged_in(&server, "staff01", "Staff#Pass01").await;
    let scr13 = op.get("/check/insurance-card").await;
    assert!(
        scr13.has("公費負担者番号（半角数字 8 桁）") && scr13.has("受給者番号（半角数字 7 桁）")
    );
    assert!(scr13.has("医療扶助の場合、「保険者番号」には「公費負担者番号」、「番号」には「受給者番号」を入力し、「検索」をクリックしてください。"));
    // By 公費負担者番号 / 受給者番号: the 医療扶助 tab only (FLOW-19).
    let p = search(
        &mut op,
        &[("insurer", "12374013"), ("number", "9900028")],
        ("1980", "7", "25"),
    )
    .await;
    assert_eq!(
        tabs(&p),
        (vec!["医療扶助".to_owned()], Some("医療扶助".to_owned())),
        "{}",
        p.body
    );
    assert_eq!(cell(&p, "受給者番号").as_deref(), Some("9900028"));
    assert!(!p.has("福運テ記号00001"), "no 医療保険 result");
    // By the 医療保険 numbers: the 医療保険 tab only.
    let p = search(
        &mut op,
        &[
            ("insurer", "06140156"),
            ("symbol", "福運テ記号00001"),
            ("number", "福運テ番号00001"),
            ("branch", "01"),
        ],
        ("1980", "7", "25"),
    )
    .await;
    assert_eq!(
        tabs(&p),
        (vec!["医療保険".to_owned()], Some("医療保険".to_owned()))
    );
    assert!(p.has("福運テ記号00001") && !p.has("9900028"));
    // The same search at the pharmacy: its 調剤券 with 処方箋発行元.
    let mut yaku = logged_in(&server, "yaku01", "Yaku#Pass01").await;
    let p = search(
        &mut yaku,
        &[("insurer", "12374013"), ("number", "9900028")],
        ("1980", "7", "25"),
    )
    .await;
    assert!(
        p.has(r#"data-kind="調剤券""#) && !p.has(r#"data-kind="医療券""#),
        "{}",
        p.body
    );
    assert_eq!(
        cell(&p, "処方箋発行元").as_deref(),
        Some("テスト医療機関（医科）")
    );
    assert_eq!(cell(&p, "診療区分").as_deref(), Some("調剤"));
}

/// `/check/result/{id}` of a result page (from its 《ダウンロード》 link).
fn result_path(p: &Page) -> String {
    let k = r#"id="download" href=""#;
    let i = p.body.find(k).expect("download link") + k.len();
    let href = &p.body[i..i + p.body[i..].find('"').expect("quote")];
    href.trim_end_matches("/xml").to_owned()
}

/// 宮崎 一太 (06270001 / 77 / 1234 / 01) checked by insurance card at the logged-in facility.
async fn miyazaki(op: &mut Operator) -> Page {
    search(
        op,
        &[
            ("insurer", "06270001"),
            ("symbol", "77"),
            ("number", "1234"),
            ("branch", "01"),
        ],
        ("1970", "11", "30"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn scr12_retrieves_by_exchange_number_under_rule_25() {
    let server = start();
    // A clinic: no 《処方箋取得へ》, and SCR-12 refuses (RULE-25).
    let mut clinic = logged_in(&server, "staff01", "Staff#Pass01").await;
    let p = miyazaki(&mut clinic).await;
    assert!(p.has("この資格は有効です。"), "{}", p.body);
    assert!(!p.has("処方箋取得へ"));
    let clinic_scr12 = format!("{}/prescription", result_path(&p));
    // The pharmacy (ENV-04 利用する by default): the button, SCR-12, the file.
    let mut op = logged_in(&server, "yaku01", "Yaku#Pass01").await;
    let p = miyazaki(&mut op).await;
    let k = r#"id="to-prescription" href=""#;
    let i = p
        .body
        .find(k)
        .unwrap_or_else(|| panic!("no 《処方箋取得へ》: {}", p.body))
        + k.len();
    let href = p.body[i..i + p.body[i..].find('"').expect("quote")].to_owned();
    assert!(p.has(">処方箋取得へ<"));
    let scr12 = op.get(&href).await;
    assert!(scr12.has("<h1>処方箋情報取得</h1>") && scr12.has("引換番号:"));
    assert!(scr12.has("処方箋の引換番号を入力してください。"));
    assert_eq!(cell(&scr12, "保険者番号").as_deref(), Some("06270001"));
    assert_eq!(cell(&scr12, "氏名(表面)").as_deref(), Some("宮崎　一太"));
    // The clinic reaching SCR-12 by hand is refused with RULE-25's text; another facility's
    // confirmation is not shown at all.
    let refused = clinic.get(&clinic_scr12).await;
    assert!(
        refused
            .text_of("retrieval-error")
            .is_some_and(|e| e.contains("遷移できません")),
        "{}",
        refused.body
    );
    assert!(clinic
        .get(&href)
        .await
        .has("この資格確認結果は表示できません"));
    // RULE-27: half-width digits.
    let csrf = scr12.csrf();
    let p = op
        .post(&href, &csrf, &[("exchange_number", "０００００２")])
        .await;
    assert_eq!(
        p.text_of("retrieval-error").as_deref(),
        Some("引換番号は半角数字で入力してください。")
    );
    // The file.
    let p = op
        .post(&href, &csrf, &[("exchange_number", "000002")])
        .await;
    assert_eq!(p.status, 200);
    let cd = p
        .headers
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(cd.contains("prescription_000002.xml"), "{cd}");
    assert!(
        p.has("<ExchangeNumber>000002</ExchangeNumber>") && p.has("サンプル医院"),
        "{}",
        p.body
    );
    // RULE-28: once retrieved, not again.
    let p = op
        .post(&href, &csrf, &[("exchange_number", "000002")])
        .await;
    assert!(
        p.text_of("retrieval-error")
            .is_some_and(|e| e.contains("再取得するためには取消処理が必要です")),
        "{}",
        p.body
    );
    // No such prescription: the simulator's text (AMB-70).
    let p = op
        .post(&href, &csrf, &[("exchange_number", "999999")])
        .await;
    assert_eq!(
        p.text_of("retrieval-error").as_deref(),
        Some("この引換番号の処方箋はありません。（シミュレータ）")
    );
    // RULE-26 / ENV-05: the refill prescription only with 「リフィル処方箋」 利用する.
    let (s, b) = op
        .admin(
            "PUT",
            "/__admin/pharmacy/settings",
            r#"{"refill":"利用しない"}"#,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let p = op
        .post(&href, &csrf, &[("exchange_number", "000003")])
        .await;
    assert!(
        p.text_of("retrieval-error")
            .is_some_and(|e| e.starts_with("リフィル処方箋は")),
        "{}",
        p.body
    );
    // ENV-04 利用しない: no button, SCR-12 closed (RULE-25); the SCR-32 menu item goes too (RULE-77).
    let menu = op.get("/menu").await;
    assert!(
        menu.has(">顔認証付きカードリーダー環境設定<"),
        "{}",
        menu.body
    );
    let (s, b) = op
        .admin(
            "PUT",
            "/__admin/pharmacy/settings",
            r#"{"e_prescription":"利用しない"}"#,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let p = miyazaki(&mut op).await;
    assert!(p.has("この資格は有効です。") && !p.has("処方箋取得へ"));
    let closed = op.get(&href).await;
    assert!(
        closed
            .text_of("retrieval-error")
            .is_some_and(|e| e.contains("「利用しない」とした場合には遷移できません。")),
        "{}",
        closed.body
    );
    let menu = op.get("/menu").await;
    assert!(
        !menu.has(">顔認証付きカードリーダー環境設定<"),
        "RULE-77: a pharmacy with 電子処方箋 利用しない"
    );
}

/// SCR-08 → the card already on reader 0 read visually on 資格確認日 `date`.
async fn read_visually(op: &mut Operator, date: &str) -> Page {
    let scr08 = op.get("/check/mynumber").await;
    let csrf = scr08.csrf();
    op.post(
        "/check/mynumber",
        &csrf,
        &[
            ("step", "read"),
            ("date", date),
            ("method", "visual"),
            ("visual_done", "on"),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_trays_flow_17_and_flow_20_presets_lead_to_scr12_and_scr11() {
    let server = start();
    let tray = common::tray::Tray::open(&server).await;
    let page = tray.page("").await;
    for id in ["FLOW-17", "FLOW-19", "FLOW-20"] {
        assert!(page.contains(id), "{id} on the tray");
    }
    // FLOW-20: 東北 一郎's card → both tabs.
    tray.act("/__tray/exercise", &[("id", "FLOW-20")]).await;
    let mut op = logged_in(&server, "staff01", "Staff#Pass01").await;
    let p = read_visually(&mut op, "2023/09/15").await;
    assert_eq!(tabs(&p).0, ["医療保険", "医療扶助"], "{}", p.body);
    // FLOW-17: 宮崎 一太's card → the pharmacy's 《処方箋取得へ》.
    tray.act("/__tray/exercise", &[("id", "FLOW-17")]).await;
    let mut yaku = logged_in(&server, "yaku01", "Yaku#Pass01").await;
    let p = read_visually(&mut yaku, "2023/09/15").await;
    assert!(
        p.has("宮崎　一太") && p.has(r#"id="to-prescription""#),
        "{}",
        p.body
    );
    // The tray's facility settings carry ENV-04/05: 「電子処方箋」 unticked → no button (RULE-25).
    assert!(tray
        .page("")
        .await
        .contains(r#"name="e_prescription" checked"#));
    let defaults = [
        ("facility", "1234567890"),
        ("prescription_usage", "電子処方箋＋紙の処方箋併用"),
        ("prescription_at_check", "on"),
        ("consent_usage", "on"),
        ("reader_software", "on"),
        ("prescription_reader_software", "on"),
        ("refill", "on"),
    ];
    tray.act("/__tray/settings", &defaults).await;
    let page = tray.page("").await;
    assert!(
        !page.contains(r#"name="e_prescription" checked"#)
            && page.contains(r#"name="refill" checked"#)
    );
    let p = read_visually(&mut yaku, "2023/09/15").await;
    assert!(
        p.has("宮崎　一太") && !p.has(r#"id="to-prescription""#),
        "{}",
        p.body
    );
}
