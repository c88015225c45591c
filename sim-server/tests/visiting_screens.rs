//! The ch.3 check screens over HTTP against the real binary, as a browser without script uses
//! them: SCR-21 search, pager, grey rows and row → SCR-23 (FLOW-30); SCR-22 with RULE-33 and the
//! DLG-07 / DLG-08 boxes → SCR-23 with its certificates, consent table, 《情報表示》 (DLG-09),
//! 《ダウンロード》 and SCR-14 (FLOW-32); a pharmacy's 《処方箋取得へ》 → SCR-24 with DLG-20 and the
//! XML file (FLOW-31, RULE-25/27/28); each inquiry in the journal under the operator's login id.

mod common;

use common::binary::{start_server, Server};
use common::operator::{Operator, Page};

const NOW: &str = "2023-08-25T10:00:00+09:00";

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

/// The `data-consent` ids of the SCR-21 rows, in order, with whether each is grey.
fn rows(p: &Page) -> Vec<(String, bool)> {
    p.body
        .split("<tr")
        .skip(1)
        .filter_map(|tr| {
            let k = r#"data-consent=""#;
            let i = tr.find(k)?;
            let id = tr[i + k.len()..].split('"').next()?.to_owned();
            let tag = &tr[..tr.find('>')?];
            Some((id, tag.contains("grey")))
        })
        .collect()
}

/// The consent table of SCR-23: (同意区分, 同意有無, grey).
fn consent_table(p: &Page) -> Vec<(String, String, bool)> {
    let i = p.body.find(r#"id="consent-table""#).expect("consent table");
    let table = &p.body[i..p.body[i..].find("</table>").expect("end") + i];
    table
        .split("<tr")
        .skip(2)
        .map(|tr| {
            let cells: Vec<String> = tr
                .split("<td")
                .skip(1)
                .map(|td| {
                    let s = &td[td.find('>').expect(">") + 1..];
                    s[..s.find("</td>").expect("</td>")].to_owned()
                })
                .collect();
            let tag = &tr[..tr.find('>').expect(">")];
            (cells[0].clone(), cells[1].clone(), tag.contains("grey"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn consented_list_row_result_download_and_reference_number() {
    let server = start();
    let mut op = logged_in(&server, "staff01", "Staff#Pass01").await;
    // RULE-63: the menu items are enabled.
    let menu = op.get("/menu").await;
    assert!(
        menu.has(r#"href="/visiting-care/consented""#),
        "{}",
        menu.body
    );
    assert!(menu.has(r#"href="/visiting-care/inquiry""#));
    let scr21 = op.get("/visiting-care/consented").await;
    assert!(scr21.has("同意済資格情報取得(訪問診療等・オンライン診療等)"));
    assert!(scr21.has("※1, ※2 選択必須項目(どちらか一方はご入力ください)"));
    // RULE-65: no date range → refused, nothing listed.
    let p = op
        .get("/visiting-care/consented?search=1&kind=訪問診療等&name_kana=ヤマダ")
        .await;
    assert!(p.has("どちらか一方はご入力ください"), "{}", p.body);
    assert!(!p.has(r#"id="consented""#));
    // A 同意年月日 range: 山田 隆子 and 新橋 太郎.
    let p = op
        .get("/visiting-care/consented?search=1&kind=訪問診療等&consent_from=2023/01/01&consent_to=2023/12/31")
        .await;
    assert_eq!(
        p.text_of("pager").as_deref(),
        Some("検索結果：2 件 1-2件表示")
    );
    assert!(
        p.has("山田 隆子") && p.has("2025/09/20 16:44"),
        "{}",
        p.body
    );
    assert_eq!(rows(&p).len(), 2);
    assert!(rows(&p).iter().all(|(_, grey)| !grey));
    // The optional filters: 生年月日 (BIRTH, 昭和57年1月1日) and 性別.
    let born = op
        .get("/visiting-care/consented?search=1&kind=訪問診療等&consent_from=2023/01/01&era=昭和&year=57&month=1&day=1")
        .await;
    assert_eq!(
        born.text_of("pager").as_deref(),
        Some("検索結果：1 件 1-1件表示")
    );
    assert!(born.has("山田 隆子") && !born.has("新橋 太郎"));
    let men = op
        .get("/visiting-care/consented?search=1&kind=訪問診療等&consent_from=2023/01/01&sex=男")
        .await;
    assert!(
        men.has("新橋 太郎") && !men.has("山田 隆子"),
        "{}",
        men.body
    );
    let bad = op
        .get("/visiting-care/consented?search=1&kind=訪問診療等&consent_from=2023/01/01&era=昭和&year=57&month=13&day=1")
        .await;
    assert_eq!(
        bad.text_of("search-error").as_deref(),
        Some("日付を正しく入力してください。（シミュレータ）")
    );
    // オンライン診療等 by 受診年月日 and 氏名(カナ): 宮崎 一太, with the オンライン header.
    let online = op
        .get("/visiting-care/consented?search=1&kind=オンライン診療等&examination_from=2023/04/01&examination_to=2023/04/30&name_kana=ミヤザキ")
        .await;
    assert!(online.has("宮崎 一太") && online.has("同意有効期限(受診年月日)"));
    // RULE-66: 新橋 太郎's consent cancelled (FLOW-35 over XML/HTTP): his row turns grey.
    let cancel = common::request_xml(
        "UTF-8",
        Some("20230825"),
        &[
            ("InsurerNumber", "06139000"),
            ("InsuredCardSymbol", "9000"),
            ("InsuredIdentificationNumber", "10001"),
            ("InsuredBranchNumber", "01"),
            ("Birthdate", "19540326"),
            ("LimitApplicationCertificateRelatedConsFlg", "0"),
        ],
    );
    let (s, body) = op.admin("POST", "/xml/OQSsihvd01req", &cancel).await;
    assert!(
        s == 200 && body.contains("処理が正常に完了しました。"),
        "{body}"
    );
    let p = op
        .get("/visiting-care/consented?search=1&kind=訪問診療等&consent_from=2023/01/01&consent_to=2023/12/31")
        .await;
    assert_eq!(
        rows(&p).iter().map(|r| r.1).collect::<Vec<_>>(),
        [false, true],
        "{}",
        p.body
    );
    // The grey row opens nothing: the inquiry's EQ0302 text over the same list.
    let (grey, _) = rows(&p)[1].clone();
    let csrf = p.csrf();
    let search = p
        .body
        .split(&format!(r#"name="consent" value="{grey}""#))
        .nth(1)
        .and_then(|s| s.split(r#"name="search" value=""#).nth(1))
        .and_then(|s| s.split('"').next())
        .expect("the row's search")
        .replace("&amp;", "&");
    let refused = op
        .post(
            "/visiting-care/consented/open",
            &csrf,
            &[("consent", &grey), ("search", &search)],
        )
        .await;
    assert_eq!(
        refused.text_of("search-error").as_deref(),
        Some("訪問診療等・オンライン診療等の閲覧同意が登録されていないか、取り消されています。"),
        "{}",
        refused.body
    );
    assert_eq!(rows(&refused).len(), 2, "the list stays");
    // Row 1 (山田 隆子) → SCR-23.
    let (first, _) = rows(&p)[0].clone();
    let csrf = p.csrf();
    let scr23 = op
        .post(
            "/visiting-care/consented/open",
            &csrf,
            &[("consent", &first)],
        )
        .await;
    assert!(
        scr23.has("資格情報確認(訪問診療等・オンライン診療等)"),
        "{}",
        scr23.body
    );
    assert!(scr23.has("この資格は有効です。"));
    assert!(scr23.has("山田　隆子") || scr23.has("山田 隆子"));
    let table = consent_table(&scr23);
    assert_eq!(table.len(), 7, "{table:?}");
    assert_eq!(table[0].0, "資格情報提供同意区分");
    assert!(table.iter().all(|(_, m, grey)| m == "○" && !grey));
    // Not consented on SCR-21: 《情報表示》 for both certificates; no 《処方箋取得へ》 at a clinic.
    assert!(scr23.has(r#"id="show-limit""#) && scr23.has(r#"id="show-sd""#));
    assert!(
        !scr23.has("処方箋取得へ"),
        "RULE-25: a clinic has no 《処方箋取得へ》"
    );
    let here = scr23
        .body
        .split(r#"href="/visiting-care/result/"#)
        .nth(1)
        .and_then(|s| s.split(['"', '/', '?']).next())
        .expect("result id")
        .to_owned();
    let base = format!("/visiting-care/result/{here}");
    // 《ダウンロード》: the answer as XML (RULE-95).
    let xml = op.get(&format!("{base}/xml")).await;
    assert_eq!(xml.status, 200);
    assert!(xml.headers["content-disposition"]
        .to_str()
        .expect("ascii")
        .contains("OQSsihvq01res_"));
    assert!(
        xml.has("<ViewingConsentList>") && xml.has("XYZ010409"),
        "{}",
        xml.body
    );
    // 《情報表示》 → DLG-09 → 《OK》: asked again with the consent; the 限度額 details show.
    let csrf = scr23.csrf();
    let d = op
        .post(&format!("{base}/show"), &csrf, &[("cert", "limit")])
        .await;
    assert_eq!(d.dialog().as_deref(), Some("DLG-09"));
    let shown = op.press(&d, "OK").await;
    assert!(!shown.has(r#"id="show-limit""#), "{}", shown.body);
    assert!(shown.has("適用区分"), "{}", shown.body);
    // SCR-14 inline: update the 照会番号 → DLG-11 → the step text, the new value shown.
    let edit = op.get(&format!("{base}?edit=0")).await;
    assert!(edit.has(r#"id="reference-editor""#));
    let csrf = edit.csrf();
    let done = op
        .post(
            &format!("{base}/reference"),
            &csrf,
            &[("index", "0"), ("reference_number", "YMD0825")],
        )
        .await;
    assert_eq!(done.dialog().as_deref(), Some("DLG-11"), "{}", done.body);
    let after = op.get(&format!("{base}?step=DLG-11")).await;
    assert!(after.has("照会番号が更新されました。") && after.has("YMD0825"));
    // The journal: the row's inquiry, 《情報表示》's and SCR-14's, each under the operator.
    let (_, j) = op.admin("GET", "/__admin/journal", "").await;
    assert!(j.contains("screen:staff01 SCR-21"), "{j}");
    assert!(j.contains("screen:staff01 SCR-23"), "{j}");
    assert!(j.contains("screen:staff01 SCR-14"), "{j}");
}

#[tokio::test(flavor = "multi_thread")]
async fn individual_inquiry_with_rule_33_and_the_box_dialogs() {
    let server = start();
    let mut op = logged_in(&server, "staff01", "Staff#Pass01").await;
    let scr22 = op.get("/visiting-care/inquiry").await;
    assert!(scr22.has("資格情報照会(訪問診療等・オンライン診療等)"));
    assert!(scr22.has("枝番は後期高齢者・医療扶助の場合以外は必須項目となります。"));
    assert!(scr22.has("資格情報照会では、医療情報（特定健診情報、薬剤情報等）の参照はできません。"));
    let csrf = scr22.csrf();
    let card = |branch: &'static str| {
        vec![
            ("kind", "訪問診療等"),
            ("insurer", "00050013"),
            ("symbol", "hmtmList11"),
            ("number", "102"),
            ("branch", branch),
            ("era", "昭和"),
            ("year", "57"),
            ("month", "1"),
            ("day", "1"),
            ("date", "2023/08/25"),
            ("step", "search"),
        ]
    };
    // RULE-33: without 枝番 (an 国保 card, not 後期高齢者 / 医療扶助) → the inquiry's EQ0301 text.
    let p = op.post("/visiting-care/inquiry", &csrf, &card("")).await;
    assert_eq!(
        p.text_of("check-error").as_deref(),
        Some("枝番は後期高齢者・医療扶助の場合以外は必須項目となります。"),
        "{}",
        p.body
    );
    // 「限度額適用認定証： 表示する」 → DLG-07; 「特定疾病療養受療証： 表示する」 → DLG-08.
    let mut f = card("00");
    f.retain(|(k, _)| *k != "step");
    f.push(("step", "box"));
    f.push(("show_limit", "on"));
    let d7 = op.post("/visiting-care/inquiry", &csrf, &f).await;
    assert_eq!(d7.dialog().as_deref(), Some("DLG-07"), "{}", d7.body);
    let back = op.press(&d7, "OK").await;
    assert_eq!(back.dialog(), None);
    let mut f2 = f.clone();
    f2.push(("ack_limit", "DLG-07"));
    f2.push(("show_sd", "on"));
    let d8 = op.post("/visiting-care/inquiry", &csrf, &f2).await;
    assert_eq!(d8.dialog().as_deref(), Some("DLG-08"), "{}", d8.body);
    assert!(
        d8.has("特定疾病療養受療証情報を表示")
            && d8.has("閲覧する場合は、「OK」を押してください。")
    );
    // 《キャンセル》 unticks 特定疾病.
    let cancelled = op.press(&d8, "キャンセル").await;
    assert!(!cancelled.has(r#"name="show_sd" data-dialog-box="DLG-08" checked"#));
    // Both consented, 《検索》 → SCR-23 with both certificates shown.
    let mut f3 = f2.clone();
    f3.retain(|(k, _)| *k != "step");
    f3.push(("ack_sd", "DLG-08"));
    f3.push(("step", "search"));
    let scr23 = op.post("/visiting-care/inquiry", &csrf, &f3).await;
    assert!(
        scr23.has("資格情報確認(訪問診療等・オンライン診療等)"),
        "{}",
        scr23.body
    );
    assert!(!scr23.has(r#"id="show-limit""#) && !scr23.has(r#"id="show-sd""#));
    // 山田 隆子 holds a 限度額適用認定証 and no 特定疾病療養受療証 (shown empty once consented).
    assert!(
        scr23.has("適用区分") && scr23.has(r#"id="cert-sd""#),
        "{}",
        scr23.body
    );
    assert_eq!(consent_table(&scr23).len(), 7);
    // 《戻る》 returns to SCR-22 (AMB-55).
    assert!(scr23.has(r#"id="back" href="/visiting-care/inquiry""#));
    // RULE-33's exception: a 後期高齢者 card (法別 39) without 枝番 is not refused for it (this
    // patient has no consent here, so the answer is EQ0302's text, not EQ0301's).
    let kouki = [
        ("kind", "訪問診療等"),
        ("insurer", "39499912"),
        ("number", "75302001"),
        ("era", "昭和"),
        ("year", "22"),
        ("month", "1"),
        ("day", "1"),
        ("date", "2023/08/25"),
        ("step", "search"),
    ];
    let p = op.post("/visiting-care/inquiry", &csrf, &kouki).await;
    assert_eq!(
        p.text_of("check-error").as_deref(),
        Some("訪問診療等・オンライン診療等の閲覧同意が登録されていないか、取り消されています。"),
        "{}",
        p.body
    );
    // No consent of this facility for オンライン診療等 → EQ0302's text, no SCR-23.
    let mut f4 = card("00");
    f4[0] = ("kind", "オンライン診療等");
    let p = op.post("/visiting-care/inquiry", &csrf, &f4).await;
    assert_eq!(
        p.text_of("check-error").as_deref(),
        Some("訪問診療等・オンライン診療等の閲覧同意が登録されていないか、取り消されています。"),
        "{}",
        p.body
    );
    let (_, j) = op.admin("GET", "/__admin/journal", "").await;
    assert!(
        j.contains("screen:staff01 SCR-22") && j.contains("OQSsihvq01req"),
        "{j}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pharmacy_retrieves_prescriptions_from_scr23() {
    let server = start();
    let mut op = logged_in(&server, "yaku01", "Yaku#Pass01").await;
    let (s, body) = op.admin("DELETE", "/__admin/pharmacy/retrieved", "").await;
    assert_eq!(s, 200, "{body}");
    // FLOW-30 at サンプル薬局: 宮崎 一太's オンライン consent → SCR-23.
    let p = op
        .get("/visiting-care/consented?search=1&kind=オンライン診療等&consent_from=2023/01/01")
        .await;
    let r = rows(&p);
    assert_eq!(r.len(), 1, "{}", p.body);
    let csrf = p.csrf();
    let scr23 = op
        .post(
            "/visiting-care/consented/open",
            &csrf,
            &[("consent", &r[0].0)],
        )
        .await;
    assert!(scr23.has(r#"id="to-prescriptions""#), "{}", scr23.body);
    let to = scr23
        .body
        .split(r#"id="to-prescriptions" href=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("link")
        .to_owned();
    // SCR-24: the selected prescriptions listed (RULE-28).
    let scr24 = op.get(&to).await;
    assert!(scr24.has("処方箋情報取得(訪問診療等・オンライン診療等)"));
    assert!(scr24.has("000001") && scr24.has("2024/11/13") && scr24.has("000002"));
    assert!(scr24.has("※一度取得処理が完了すると、再取得するためには取消処理が必要です。"));
    // A row's 《処方箋取得》 → DLG-20 → 《OK》 → the XML file.
    let csrf = scr24.csrf();
    let d = op
        .post(&to, &csrf, &[("exchange_number", "000001"), ("row", "1")])
        .await;
    assert_eq!(d.dialog().as_deref(), Some("DLG-20"), "{}", d.body);
    let file = op.press(&d, "OK").await;
    assert!(file.headers["content-disposition"]
        .to_str()
        .expect("ascii")
        .contains("prescription_000001.xml"));
    assert!(
        file.has("<ExchangeNumber>000001</ExchangeNumber>"),
        "{}",
        file.body
    );
    // Typed: no dialog; retrieved before → RULE-28's text; not digits → RULE-27's.
    let again = op.post(&to, &csrf, &[("exchange_number", "000001")]).await;
    assert!(
        again.has("再取得するためには取消処理が必要です"),
        "{}",
        again.body
    );
    let bad = op
        .post(&to, &csrf, &[("exchange_number", "０００００２")])
        .await;
    assert_eq!(
        bad.text_of("retrieval-error").as_deref(),
        Some("引換番号は半角数字で入力してください。")
    );
    let typed = op.post(&to, &csrf, &[("exchange_number", "000002")]).await;
    assert!(typed.has("<ExchangeNumber>000002</ExchangeNumber>"));
    // RULE-25: ENV-04 「利用しない」 → no 《処方箋取得へ》, SCR-24 refused.
    let (s, _) = op
        .admin(
            "PUT",
            "/__admin/pharmacy/settings",
            r#"{"e_prescription":"利用しない"}"#,
        )
        .await;
    assert_eq!(s, 200);
    let back = to.trim_end_matches("/prescriptions").to_owned();
    let scr23 = op.get(&back).await;
    assert!(!scr23.has(r#"id="to-prescriptions""#));
    let refused = op.get(&to).await;
    assert!(
        refused.has("「利用しない」とした場合には遷移できません。"),
        "{}",
        refused.body
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_scr21_pager_walks_ten_rows_a_page() {
    let server = start();
    let mut op = logged_in(&server, "staff01", "Staff#Pass01").await;
    // 11 more オンライン診療等 consents at サンプル医療機関: 12 rows with 宮崎 一太.
    let cards = [
        ("06139000", "9000", "10001", "02"),
        ("06139000", "9000", "10001", "03"),
        ("06130001", "500", "77", "01"),
        ("06139000", "9000", "10001", "04"),
        ("01270016", "10", "003", "01"),
        ("139931", "世ん10", "016", "01"),
        ("32270415", "10", "001", "03"),
        ("02199990", "102000", "1020001", "01"),
        ("06140156", "福運テ記号00001", "福運テ番号00001", "01"),
        ("06140156", "福運テ記号00004", "福運テ番号00004", "01"),
        ("06140156", "福運テ記号00005", "福運テ番号00005", "01"),
    ];
    let fixture: String = cards
        .iter()
        .map(|(i, s, n, b)| {
            format!(
                "[[consent]]\ninsurer = \"{i}\"\nsymbol = \"{s}\"\nnumber = \"{n}\"\nbranch = \"{b}\"\nkind = \"オンライン診療等\"\nconsented_on = 2023-05-01\nvalid_until = 2025-05-01\nexamination_date = 2023-05-01\n\n"
            )
        })
        .collect();
    let (s, body) = op.admin("POST", "/__admin/fixtures", &fixture).await;
    assert_eq!(s, 200, "{body}");
    let first = op
        .get("/visiting-care/consented?search=1&kind=オンライン診療等&consent_from=2023/01/01")
        .await;
    assert_eq!(
        first.text_of("pager").as_deref(),
        Some("検索結果：12 件 1-10件表示"),
        "{}",
        first.body
    );
    assert_eq!(rows(&first).len(), 10);
    // 《次へ>>》 keeps the conditions and shows the last two.
    let next = first
        .body
        .split(r#"id="next" href=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("次へ>>")
        .replace("&amp;", "&");
    let second = op.get(&next).await;
    assert_eq!(
        second.text_of("pager").as_deref(),
        Some("検索結果：12 件 11-12件表示"),
        "{}",
        second.body
    );
    assert_eq!(rows(&second).len(), 2);
    assert!(second.has(r#"id="prev""#) && !second.has(r#"id="next""#));
    let all: Vec<String> = rows(&first)
        .into_iter()
        .chain(rows(&second))
        .map(|r| r.0)
        .collect();
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 12, "no row twice: {all:?}");
}
