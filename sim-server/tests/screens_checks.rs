//! The check screens over HTTP against the real binary, as a browser without script uses them:
//! SCR-08/09/10 per card profile (ERR-05..16, ERR-08's notice, SCR-09 and the PIN), the box
//! dialogs DLG-04..08, SCR-10's 《更新》 / 《情報表示》 (DLG-09) / 《ダウンロード》, SCR-13 with
//! 複数該当; each check in the journal and the history with the operator's login id.

mod common;

use common::binary::{start_server, Server};
use common::operator::{Operator, Page};

const NOW: &str = "2021-01-06T10:00:00+09:00";

fn start() -> Server {
    start_server(|c| {
        c.args(["--now", NOW]);
    })
}

async fn logged_in(server: &Server) -> Operator {
    let mut op = Operator::new(&server.addr);
    let p = op.login("staff01", "Staff#Pass01").await;
    assert_eq!(p.status, 200, "{}", p.body);
    op
}

async fn card(op: &Operator, profile: &str) {
    let (s, body) = op
        .admin(
            "PUT",
            "/__admin/terminal/readers/0/card",
            &format!(r#"{{"profile":"{profile}"}}"#),
        )
        .await;
    assert_eq!(s, 200, "{body}");
}

/// SCR-08 → the card event with these extra fields.
async fn read_card(op: &mut Operator, extra: &[(&str, &str)]) -> Page {
    let scr08 = op.get("/check/mynumber").await;
    assert!(scr08.has("資格情報照会(マイナンバーカード)"));
    let csrf = scr08.csrf();
    let mut fields = vec![("step", "read"), ("date", "2021/01/06")];
    fields.extend_from_slice(extra);
    op.post("/check/mynumber", &csrf, &fields).await
}

/// Form fields of a request.
type Fields = &'static [(&'static str, &'static str)];

const VISUAL: Fields = &[("method", "visual"), ("visual_done", "on")];

#[tokio::test(flavor = "multi_thread")]
async fn a_mynumber_check_per_card_profile() {
    let server = start();
    let mut op = logged_in(&server).await;
    let menu = op.get("/menu").await;
    assert!(menu.has(r#"href="/check/mynumber""#) && menu.has(r#"href="/check/insurance-card""#));
    // (profile, method, expected dialog or None for SCR-10)
    let cases: &[(&str, Fields, Option<&str>)] = &[
        ("valid", VISUAL, None),
        ("expired", VISUAL, Some("ERR-06")),
        ("revoked", VISUAL, Some("ERR-05")),
        ("uninsured", VISUAL, Some("ERR-15")),
        ("unregistered", VISUAL, Some("ERR-16")),
        ("unsupported", VISUAL, Some("ERR-12")),
        ("unreadable", VISUAL, Some("ERR-10")),
        ("not-mynumber", VISUAL, Some("ERR-11")),
        (
            "pin-locked",
            &[("method", "pin"), ("pin", "1234")],
            Some("ERR-13"),
        ),
        (
            "bad-signature",
            &[("method", "pin"), ("pin", "1234")],
            Some("ERR-14"),
        ),
    ];
    for (profile, fields, expected) in cases {
        card(&op, profile).await;
        let p = read_card(&mut op, fields).await;
        match expected {
            None => {
                assert!(p.has("資格情報確認"), "{profile}: {}", p.body);
                assert_eq!(
                    p.text_of("banner").as_deref(),
                    Some("この資格は有効です。"),
                    "{profile}"
                );
            }
            Some(id) => {
                assert_eq!(p.dialog().as_deref(), Some(*id), "{profile}: {}", p.body);
                // 《OK》 returns to SCR-08 with the choices kept.
                let back = op.press(&p, "OK").await;
                assert!(back.has("資格情報照会(マイナンバーカード)") && back.dialog().is_none());
            }
        }
    }
    // ERR-08: a notice, then SCR-10 (新橋 太郎's card) …
    let (s, b) = op
        .admin(
            "PUT",
            "/__admin/terminal/readers/0/card",
            r#"{"profile":"expiring-soon","person":"shimbashi-taro"}"#,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let p = read_card(&mut op, VISUAL).await;
    assert_eq!(p.dialog().as_deref(), Some("ERR-08"), "{}", p.body);
    assert!(p.has("この資格は有効です。"));
    // … or then ERR-15 (the profile's own holder has no qualification on the date).
    card(&op, "expiring-soon").await;
    let p = read_card(&mut op, VISUAL).await;
    assert_eq!(p.dialog().as_deref(), Some("ERR-08"), "{}", p.body);
    let i = p
        .body
        .find("?dialog=")
        .expect("OK leads to the next dialog");
    let href: String = p.body[..i].rsplit('"').next().unwrap().to_owned()
        + &p.body[i..]
            .chars()
            .take_while(|c| *c != '"')
            .collect::<String>();
    let next = op.get(&href).await;
    assert_eq!(next.dialog().as_deref(), Some("ERR-15"), "{}", next.body);
    // History: every check that reached a result, with the operator's login id.
    let (s, h) = op
        .admin(
            "GET",
            "/history?facility=1234567890&from=2021/01/06%2000:00&to=2021/01/06%2023:59",
            "",
        )
        .await;
    assert_eq!(s, 200, "{h}");
    let v: serde_json::Value = serde_json::from_str(&h).expect("json");
    let records = v["records"].as_array().expect("records");
    assert!(records.len() >= 2, "{v}");
    assert!(records.iter().all(|r| r["login_id"] == "staff01"), "{v}");
    // The journal names the screen's account.
    let (_, j) = op.admin("GET", "/__admin/journal", "").await;
    assert!(j.contains("screen:staff01"), "{j}");
}

#[tokio::test(flavor = "multi_thread")]
async fn pin_path_box_dialogs_and_scr10_follow_ups() {
    let server = start();
    let mut op = logged_in(&server).await;
    card(&op, "valid").await;
    // RULE-87 and the guidance on SCR-08.
    let scr08 = op.get("/check/mynumber").await;
    assert!(scr08
        .has("医療機関・薬局の窓口にて原則患者がマイナンバーカードを置くように案内してください。"));
    assert!(scr08.has("目視で本人確認完了（スペースキーでチェック可能です。）"));
    // 目視 without the tick: refused before the card is read (AMB-26).
    let csrf = scr08.csrf();
    let p = op
        .post(
            "/check/mynumber",
            &csrf,
            &[
                ("step", "read"),
                ("method", "visual"),
                ("date", "2021/01/06"),
            ],
        )
        .await;
    assert!(p.has("「目視で本人確認完了」にチェックを付けてから"));
    // Ticking boxes: DLG-05, then DLG-07 (one at a time); 《キャンセル》 unticks.
    let p = op
        .post(
            "/check/mynumber",
            &csrf,
            &[
                ("step", "box"),
                ("method", "pin"),
                ("diagnosis", "on"),
                ("show_limit", "on"),
                ("date", "2021/01/06"),
            ],
        )
        .await;
    assert_eq!(p.dialog().as_deref(), Some("DLG-05"), "{}", p.body);
    assert!(
        p.has("診療・薬剤情報の閲覧に同意する") && p.has("※書面で患者の同意を得る必要があります。")
    );
    let p = op.press(&p, "OK").await;
    assert_eq!(p.dialog().as_deref(), Some("DLG-07"));
    let cancelled = op.press(&p, "キャンセル").await;
    assert!(cancelled.dialog().is_none());
    assert!(!cancelled.has(r#"name="show_limit" data-dialog-box="DLG-07" checked"#));
    let p = op.press(&p, "OK").await;
    assert!(p.dialog().is_none(), "both answered");
    // The card event on the PIN path: SCR-09.
    let fields: Vec<(String, String)> = common::operator::hidden_fields(&p.body)
        .into_iter()
        .filter(|(k, _)| k != "csrf")
        .collect();
    let mut f: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    f.retain(|(k, _)| *k != "step");
    f.extend([
        ("step", "read"),
        ("method", "pin"),
        ("diagnosis", "on"),
        ("show_limit", "on"),
    ]);
    let scr09 = op.post("/check/mynumber", &csrf, &f).await;
    assert_eq!(scr09.dialog().as_deref(), Some("SCR-09"), "{}", scr09.body);
    assert!(scr09.has("利用者電子証明書の暗証番号（4桁の数字）"));
    // A wrong PIN: the simulator's dialog with the tries left, back to SCR-08.
    let mut wrong = scr09.button_form("OK");
    wrong.push(("pin".into(), "9999".into()));
    let w: Vec<(&str, &str)> = wrong
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let p = op.post("/check/mynumber", &csrf, &w).await;
    assert!(p.has("暗証番号入力") && p.has("残り"), "{}", p.body);
    let mut right = scr09.button_form("OK");
    right.push(("pin".into(), "1234".into()));
    let r: Vec<(&str, &str)> = right
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let scr10 = op.post("/check/mynumber", &csrf, &r).await;
    assert_eq!(
        scr10.text_of("banner").as_deref(),
        Some("この資格は有効です。"),
        "{}",
        scr10.body
    );
    // ⑦: 診療・薬剤 consented, 手術 not; 限度額 shown directly (RULE-15); 特定疾病 behind 《情報表示》.
    assert!(scr10.has("診療・薬剤情報の閲覧は同意済み") && scr10.has("手術情報の閲覧を同意する"));
    assert!(scr10.has(r#"id="cert-limit""#) && !scr10.has(r#"id="show-limit""#));
    assert!(scr10.has(r#"id="show-sd""#));
    assert!(scr10.has("新橋　太郎") && scr10.has("昭和29年3月26日"));
    let url = scr10_url(&scr10);
    // 《情報表示》 → DLG-09 → 《OK》 → the 特定疾病 block without the button.
    let c = scr10.csrf();
    let d = op.post(&format!("{url}/show"), &c, &[("cert", "sd")]).await;
    assert_eq!(d.dialog().as_deref(), Some("DLG-09"));
    let shown = op.press(&d, "OK").await;
    assert!(!shown.has(r#"id="show-sd""#), "{}", shown.body);
    // ⑦ 《更新》 (FLOW-11): 手術 too.
    let u = op
        .post(
            &format!("{url}/update"),
            &c,
            &[
                ("what", "consents"),
                ("operation", "on"),
                ("diagnosis", "on"),
            ],
        )
        .await;
    assert!(u.has("手術情報の閲覧は同意済み"), "{}", u.body);
    // 《ダウンロード》: the result XML.
    let x = op.get(&format!("{url}/xml")).await;
    assert_eq!(x.status, 200);
    assert!(x.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    assert!(
        x.has("<ReferenceClassification>1</ReferenceClassification>")
            && x.has("<Name>新橋　太郎</Name>")
    );
    // Another operator's facility cannot open it.
    let mut other = Operator::new(&server.addr);
    other.login("yaku01", "Yaku#Pass01").await;
    let o = other.get(&url).await;
    assert!(!o.has("新橋　太郎"));
}

fn scr10_url(p: &Page) -> String {
    let k = r#"action="/check/result/"#;
    let i = p.body.find(k).expect("an SCR-10 form");
    let id: String = p.body[i + k.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    format!("/check/result/{id}")
}

#[tokio::test(flavor = "multi_thread")]
async fn insurance_card_check_with_multiple_matches() {
    let server = start();
    let mut op = logged_in(&server).await;
    let scr13 = op.get("/check/insurance-card").await;
    assert!(scr13.has("資格情報照会(被保険者証)") && scr13.has("検索条件：保険証情報"));
    let csrf = scr13.csrf();
    let taro = [
        ("insurer", "06139000"),
        ("symbol", "9000"),
        ("number", "10001"),
        ("era", "昭和"),
        ("year", "29"),
        ("month", "3"),
        ("day", "26"),
        ("date", "2021/01/06"),
        ("step", "search"),
    ];
    let mut with_branch = taro.to_vec();
    with_branch.push(("branch", "01"));
    let p = op.post("/check/insurance-card", &csrf, &with_branch).await;
    assert_eq!(
        p.text_of("banner").as_deref(),
        Some("この資格は有効です。"),
        "{}",
        p.body
    );
    assert!(p.has("新橋　太郎") && p.has("被保険者証（一般）"));
    assert!(
        !p.has(r#"id="cert-sd""#),
        "no 特定疾病 after an insurance-card check (RULE-13)"
    );
    // 複数該当 (RULE-32): the manual's 新橋 一郎 / 二郎 share a birth date; no 枝番.
    let ichiro = [
        ("insurer", "06139000"),
        ("symbol", "9000"),
        ("number", "10001"),
        ("era", "昭和"),
        ("year", "59"),
        ("month", "4"),
        ("day", "1"),
        ("date", "2021/01/06"),
        ("step", "search"),
    ];
    let list = op.post("/check/insurance-card", &csrf, &ichiro).await;
    assert!(
        list.has("複数の資格該当者が見つかりました。資格確認の該当者を以下から選択してください。"),
        "{}",
        list.body
    );
    assert!(list.has("検索結果: 2 件") && list.has("新橋　一郎") && list.has("新橋　二郎"));
    // A row: the 03 row searches with 枝番 03.
    let i = list.body.find(r#"data-branch="03""#).expect("row 03");
    let start = list.body[..i].rfind("<form").unwrap();
    let fields = common::operator::hidden_fields(&list.body[start..i]);
    let f: Vec<(&str, &str)> = fields
        .iter()
        .filter(|(k, _)| k != "csrf")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let one = op.post("/check/insurance-card", &csrf, &f).await;
    assert!(
        one.has("新橋　一郎") && !one.has("新橋　二郎"),
        "{}",
        one.body
    );
    assert!(one.text_of("banner").is_some());
    // DLG-07 when 「表示する」 is ticked.
    let mut limit = with_branch.clone();
    limit.push(("show_limit", "on"));
    let d = op.post("/check/insurance-card", &csrf, &limit).await;
    assert_eq!(d.dialog().as_deref(), Some("DLG-07"));
    let r = op.press(&d, "OK").await;
    assert!(
        r.has(r#"id="cert-limit""#) && !r.has(r#"id="show-limit""#),
        "{}",
        r.body
    );
    // A bad birth date and a search without a match.
    let mut bad = taro.to_vec();
    bad[5] = ("month", "13");
    let e = op.post("/check/insurance-card", &csrf, &bad).await;
    assert!(e.has("生年月日を正しく入力してください。"));
    let mut none = with_branch.clone();
    none[2] = ("number", "99999");
    let n = op.post("/check/insurance-card", &csrf, &none).await;
    assert!(n.has(r#"id="check-error""#), "{}", n.body);
    // History: 被保険者証 checks with the operator's login id.
    let (_, h) = op
        .admin(
            "GET",
            "/history?facility=1234567890&from=2021/01/06&to=2021/01/06&kind=被保険者証",
            "",
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&h).expect("json");
    let records = v["records"].as_array().expect("records");
    assert!(
        !records.is_empty() && records.iter().all(|r| r["login_id"] == "staff01"),
        "{v}"
    );
}

/// SCR-13 《検索》 for 新橋 太郎 (枝番 01, 昭和29年3月26日): the page it ends on.
async fn check_taro_by_insurance_card(op: &mut Operator) -> Page {
    let scr13 = op.get("/check/insurance-card").await;
    let csrf = scr13.csrf();
    op.post(
        "/check/insurance-card",
        &csrf,
        &[
            ("insurer", "06139000"),
            ("symbol", "9000"),
            ("number", "10001"),
            ("branch", "01"),
            ("era", "昭和"),
            ("year", "29"),
            ("month", "3"),
            ("day", "26"),
            ("date", "2021/01/06"),
            ("step", "search"),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn history_search_list_detail_and_csv() {
    let server = start();
    let mut op = logged_in(&server).await;
    // Two checks on the screens: a My Number check and an insurance-card check.
    card(&op, "valid").await;
    let p = read_card(&mut op, VISUAL).await;
    assert!(p.text_of("banner").is_some(), "{}", p.body);
    let p = check_taro_by_insurance_card(&mut op).await;
    assert!(p.text_of("banner").is_some(), "{}", p.body);
    // SCR-19 from the menu, with today's period filled in.
    let menu = op.get("/menu").await;
    assert!(menu.has(r#"href="/history-search""#));
    let form = op.get("/history-search").await;
    assert!(form.has("検索条件: 資格確認履歴照会") && form.has(r#"value="2021/01/06""#));
    let q = "from_date=2021%2F01%2F06&from_time=00%3A00&to_date=2021%2F01%2F06&to_time=23%3A59&narrowing=%E5%85%A8%E3%81%A6%E8%A1%A8%E7%A4%BA&search=1";
    let all = op
        .get(&format!("/history-search?{q}&kind=%E5%85%A8%E3%81%A6"))
        .await;
    assert_eq!(
        all.text_of("count").as_deref(),
        Some("検索結果: 2 件 1-2件表示"),
        "{}",
        all.body
    );
    assert_eq!(
        all.body
            .matches(r#"<td class="login">staff01</td>"#)
            .count(),
        2
    );
    assert!(all.has("マイナンバーカード(目視確認)") && all.has("被保険者証・医療券/調剤券"));
    // 《詳細》 → SCR-20.
    let i = all
        .body
        .find(r#"href="/history-search/"#)
        .expect("a 詳細 link");
    let href: String = all.body[i + 6..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let detail = op.get(&href).await;
    assert!(
        detail.has("資格確認履歴詳細") && detail.has("資格確認区分："),
        "{}",
        detail.body
    );
    assert!(detail.has("処方箋発行形態選択"));
    // 被保険者証 only: one hit opens SCR-20 directly (AMB-42).
    let one = op
        .get(&format!(
            "/history-search?{q}&kind=%E8%A2%AB%E4%BF%9D%E9%99%BA%E8%80%85%E8%A8%BC"
        ))
        .await;
    assert!(
        one.has("資格確認区分：被保険者証・医療券/調剤券"),
        "{}",
        one.body
    );
    // 《ダウンロード》: CSV of the whole list.
    let csv = op
        .get(&format!("/history-search.csv?{q}&kind=%E5%85%A8%E3%81%A6"))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("history_1234567890_"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 3, "{}", csv.body);
    assert!(lines[0].contains(oqs_protocol::texts::HISTORY_CSV_HEADERS[0]));
    assert!(lines[1..].iter().all(|l| l.contains("staff01")));
    // 《クリア》 → DLG-17; 《キャンセル》 keeps the conditions.
    let clear = op
        .get(&format!(
            "/history-search?{q}&kind=%E5%85%A8%E3%81%A6&clear=1"
        ))
        .await;
    assert_eq!(clear.dialog().as_deref(), Some("DLG-17"));
    assert!(clear.has("検索条件をクリアします。"));
    // A bad period is refused with its reason, nothing searched.
    let bad = op
        .get("/history-search?from_date=2021%2F13%2F01&to_date=2021%2F01%2F06&search=1")
        .await;
    assert!(bad.has(r#"id="check-error""#) && !bad.has(r#"id="count""#));
}

/// OQSmuquc01req with 新橋 太郎 and 新橋 花子 (無効 on 2021-01-06).
const BULK_FILE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><QualificationConfirmationDate>20210106</QualificationConfirmationDate><MedicalInstitutionCode>1234567890</MedicalInstitutionCode><ArbitraryFileIdentifier>bulk-1</ArbitraryFileIdentifier></MessageHeader><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber><Birthdate>19540326</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo><QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>02</InsuredBranchNumber><Birthdate>19550118</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo></MessageBody></XmlMsg>\n";

/// OQSmuimm01req registering 照会番号 B13_1234567890 for 新橋 太郎.
const REGISTRATION_FILE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><ReferenceNumberRegistrationInfo><ReferenceNumber>B13_1234567890</ReferenceNumber><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber></ReferenceNumberRegistrationInfo></MessageBody></XmlMsg>\n";

/// Waits until the first row of a result list offers 《ダウンロード》; its href.
async fn downloadable(op: &mut Operator, list: &str) -> String {
    for _ in 0..100 {
        let p = op.get(list).await;
        let key = format!(r#"href="{list}/"#);
        if let Some(i) = p.body.find(&key) {
            return p.body[i + 6..].chars().take_while(|c| *c != '"').collect();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no downloadable job on {list}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bulk_upload_then_result_download() {
    let server = start_server(|c| {
        c.args(["--now", NOW, "--job-pacing", "instant"]);
    });
    let mut op = logged_in(&server).await;
    let menu = op.get("/menu").await;
    for p in [
        "/bulk-inquiry",
        "/bulk-inquiry/results",
        "/reference-registration",
        "/reference-registration/results",
    ] {
        assert!(menu.has(&format!(r#"href="{p}""#)), "{p}");
    }
    // SCR-15: any file name (RULE-55) → DLG-13 with the 受付番号 ending in the login id.
    let scr15 = op.get("/bulk-inquiry").await;
    assert!(scr15.has("資格情報照会ファイル") && scr15.has("ファイルが選択されていません"));
    let csrf = scr15.csrf();
    let p = op
        .post_file(
            "/bulk-inquiry",
            &csrf,
            "今日の患者さん.txt",
            BULK_FILE.as_bytes(),
        )
        .await;
    assert_eq!(p.dialog().as_deref(), Some("DLG-13"), "{}", p.body);
    assert!(
        p.has("受付番号は20210106100000000_staff01です。"),
        "{}",
        p.body
    );
    assert!(p.has("(受付時刻：01月06日 10時00分)"));
    // A stale CSRF token does nothing.
    let stale = op
        .post_file("/bulk-inquiry", "0000", "x.xml", BULK_FILE.as_bytes())
        .await;
    assert!(stale.dialog().is_none() && !stale.has("受付番号は"));
    // SCR-16: the job and its result file (both rows answered).
    let href = downloadable(&mut op, "/bulk-inquiry/results").await;
    let list = op.get("/bulk-inquiry/results").await;
    // RULE-53: the list reloads itself each minute.
    assert!(
        list.has(r#"<meta http-equiv="refresh" content="60">"#),
        "{}",
        list.body
    );
    assert!(
        list.has("20210106100000000_staff01") && list.has("受付番号"),
        "{}",
        list.body
    );
    let file = op.get(&href).await;
    assert_eq!(file.status, 200);
    assert!(file.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".xml"));
    assert!(
        file.has("<ReceptionNumber>20210106100000000_staff01</ReceptionNumber>"),
        "{}",
        file.body
    );
    assert_eq!(
        file.body.matches("<QualificationValidity>").count(),
        2,
        "{}",
        file.body
    );
    // History: the bulk rows under the operator who uploaded the file, not 連携アプリケーション.
    let (_, h) = op
        .admin(
            "GET",
            "/history?facility=1234567890&from=2021/01/06&to=2021/01/06&kind=一括照会",
            "",
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&h).expect("json");
    let records = v["records"].as_array().expect("records");
    assert!(
        records.len() == 2 && records.iter().all(|r| r["login_id"] == "staff01"),
        "{v}"
    );
    // SCR-17 → DLG-15, SCR-18 → its result; the 照会番号 then shows on an insurance-card check.
    let scr17 = op.get("/reference-registration").await;
    let csrf = scr17.csrf();
    let p = op
        .post_file(
            "/reference-registration",
            &csrf,
            "renkei",
            REGISTRATION_FILE.as_bytes(),
        )
        .await;
    assert_eq!(p.dialog().as_deref(), Some("DLG-15"), "{}", p.body);
    let href = downloadable(&mut op, "/reference-registration/results").await;
    let file = op.get(&href).await;
    assert_eq!(file.status, 200, "{}", file.body);
    assert!(
        file.has("<NumberOfNormalProcessing>1</NumberOfNormalProcessing>"),
        "{}",
        file.body
    );
    let r = check_taro_by_insurance_card(&mut op).await;
    assert!(r.has("B13_1234567890"), "{}", r.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn reference_number_editor_registers_updates_and_deletes() {
    let server = start();
    let mut op = logged_in(&server).await;
    card(&op, "valid").await;
    let scr10 = read_card(&mut op, VISUAL).await;
    let url = scr10_url(&scr10);
    assert!(scr10.has(r#"id="reference-edit""#), "{}", scr10.body);
    // 《編集》 → the field with 《登録》 (nothing registered yet).
    let edit = op.get(&format!("{url}?edit=0")).await;
    assert_eq!(edit.text_of("reference-save").as_deref(), Some("登録"));
    let csrf = edit.csrf();
    let steps = [
        ("JIKO3", "DLG-10", "照会番号が登録されました。", "更新"),
        (
            "B13_1234567890",
            "DLG-11",
            "照会番号が更新されました。",
            "更新",
        ),
        ("", "DLG-12", "照会番号が削除されました。", "登録"),
    ];
    for (value, dialog, step, next_button) in steps {
        let d = op
            .post(
                &format!("{url}/reference"),
                &csrf,
                &[("index", "0"), ("reference_number", value)],
            )
            .await;
        assert_eq!(d.dialog().as_deref(), Some(dialog), "{}", d.body);
        assert!(d.has("照会番号登録") && d.has("照会番号を登録しました。"));
        let after = op.get(&format!("{url}?step={dialog}")).await;
        assert_eq!(after.text_of("reference-step").as_deref(), Some(step));
        assert!(
            after.has(&format!(r#"<span data-label="照会番号">{value}</span>"#)),
            "{}",
            after.body
        );
        let edit = op.get(&format!("{url}?edit=0")).await;
        assert_eq!(edit.text_of("reference-save").as_deref(), Some(next_button));
    }
    // Journalled as OQSsiimm01 from the screen's account.
    let (_, j) = op.admin("GET", "/__admin/journal", "").await;
    assert!(
        j.contains("screen:staff01 SCR-14") && j.contains("OQSsiimm01req"),
        "{j}"
    );
}
