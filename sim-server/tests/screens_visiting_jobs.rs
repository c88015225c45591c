//! SCR-25..28 over HTTP against the real binary, as a browser without script uses them: the
//! JOB-03 request (a file of any name, or the simulator's date conditions) → DLG-14 → SCR-26 per
//! 診療区分 → the zip / XML download (RULE-56), recorded under the operator's login id; SCR-27 →
//! SCR-28 → 《同意取消》 → DLG-18 → DLG-19 with the refreshed table (RULE-67), and the later
//! inquiry refused. Clock frozen at 2023-08-25 10:00 JST (the manual's screenshots).

mod common;

use common::binary::{start_server, Server};
use common::operator::{Operator, Page};

const NOW: &str = "2023-08-25T10:00:00+09:00";

fn start() -> Server {
    start_server(|c| {
        c.args(["--now", NOW, "--job-pacing", "instant"]);
    })
}

async fn logged_in(server: &Server) -> Operator {
    let mut op = Operator::new(&server.addr);
    let p = op.login("staff01", "Staff#Pass01").await;
    assert_eq!(p.status, 200, "{}", p.body);
    op
}

/// Waits until the first row of SCR-26 (for `kind`) offers 《ダウンロード》; the page and its href.
async fn downloadable(op: &mut Operator, kind: &str) -> (Page, String) {
    let list = format!("/visiting-bulk/results?kind={kind}");
    for _ in 0..100 {
        let p = op.get(&list).await;
        let key = r#"href="/visiting-bulk/results/"#;
        if let Some(i) = p.body.find(key) {
            let href: String = p.body[i + 6..].chars().take_while(|c| *c != '"').collect();
            return (p, href);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no downloadable job on {list}");
}

/// An OQSmuonq01req as a vendor's client writes it (UTF-8 here).
const ONLINE_FILE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode><ArbitraryFileIdentifier>scr25</ArbitraryFileIdentifier></MessageHeader><MessageBody><QualificationConfirmSearchInfo><ExaminationDateFrom>20230401</ExaminationDateFrom><ExaminationDateTo>20230430</ExaminationDateTo><MedicalTreatmentFlag>3</MedicalTreatmentFlag></QualificationConfirmSearchInfo></MessageBody></XmlMsg>\n";

#[tokio::test(flavor = "multi_thread")]
async fn visiting_bulk_request_results_and_download() {
    let server = start();
    let mut op = logged_in(&server).await;
    let menu = op.get("/menu").await;
    for p in [
        "/visiting-bulk",
        "/visiting-bulk/results",
        "/consent-cancel",
    ] {
        assert!(menu.has(&format!(r#"href="{p}""#)), "{p}: {}", menu.body);
    }
    // SCR-25: 診療区分 訪問診療等 and, without a file, the 同意年月日 range.
    let scr25 = op.get("/visiting-bulk").await;
    assert!(
        scr25.has("資格情報一括照会(訪問診療等・オンライン診療等)")
            && scr25.has("資格情報照会ファイル"),
        "{}",
        scr25.body
    );
    let csrf = scr25.csrf();
    // Neither a file nor a condition: nothing is sent.
    let empty = op
        .post_multipart("/visiting-bulk", &csrf, &[("kind", "訪問診療等")], None)
        .await;
    assert!(
        empty.dialog().is_none() && empty.has("ファイルが選択されていません"),
        "{}",
        empty.body
    );
    let p = op
        .post_multipart(
            "/visiting-bulk",
            &csrf,
            &[
                ("kind", "訪問診療等"),
                ("consent_from", "2023/01/01"),
                ("consent_to", "2023/08/31"),
            ],
            None,
        )
        .await;
    assert_eq!(p.dialog().as_deref(), Some("DLG-14"), "{}", p.body);
    assert!(
        p.has("受付番号：20230825100000000_staff01") && p.has("受付日時：2023/08/25 10:00:00"),
        "{}",
        p.body
    );
    // A stale CSRF token does nothing.
    let stale = op
        .post_multipart("/visiting-bulk", "0000", &[("kind", "訪問診療等")], None)
        .await;
    assert!(stale.dialog().is_none() && !stale.has("受付番号："));
    // SCR-26 (訪問診療等): the job, verbatim status, RULE-53/56, and the zip.
    let (list, href) = downloadable(&mut op, "訪問診療等").await;
    assert!(
        list.has(r#"<meta http-equiv="refresh" content="60">"#),
        "{}",
        list.body
    );
    assert!(
        list.has("20230825100000000_staff01") && list.has("照会完了"),
        "{}",
        list.body
    );
    assert!(
        list.has("資格情報一括照会では、医療情報（特定健診情報、薬剤情報等）の参照はできません。")
    );
    let zip = op.get(&href).await;
    assert_eq!(zip.status, 200);
    assert_eq!(zip.headers["content-type"], "application/zip");
    assert!(zip.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("OQSmuhvq02res_20230825100000000_staff01.zip"));
    // A stored zip: the XML is readable inside; the two consented patients, no medical info.
    assert!(zip.body.starts_with("PK"), "not a zip");
    assert!(
        zip.has("OQSmuhvq02res_20230825100000000_staff01.xml") && zip.has("XYZ010409"),
        "{}",
        zip.body
    );
    for medical in [
        "Pharmacists",
        "SpecificHealthCheckups",
        "Diagnosis",
        "Operation",
    ] {
        assert!(!zip.has(&format!("<{medical}")), "{medical} in the result");
    }
    // オンライン診療等: nothing listed until one is requested; a file of any name.
    let online = op.get("/visiting-bulk/results?kind=オンライン診療等").await;
    assert!(!online.has("_staff01"), "{}", online.body);
    let scr25 = op.get("/visiting-bulk").await;
    let p = op
        .post_multipart(
            "/visiting-bulk",
            &scr25.csrf(),
            &[("kind", "オンライン診療等")],
            Some(("宮崎さん.txt", ONLINE_FILE.as_bytes())),
        )
        .await;
    assert_eq!(p.dialog().as_deref(), Some("DLG-14"), "{}", p.body);
    let (_, href) = downloadable(&mut op, "オンライン診療等").await;
    let xml = op.get(&href).await;
    assert_eq!(xml.headers["content-type"], "application/xml");
    assert!(
        xml.has("<QualificationValidity>") && xml.body.starts_with("<?xml"),
        "{}",
        xml.body
    );
    // Another facility's job is not downloadable here (the list again instead).
    let other = op
        .get("/visiting-bulk/results/20230825100000000_0099")
        .await;
    assert!(other.has("<h1>資格情報一括照会結果(訪問診療等・オンライン診療等)</h1>"));
    // The rows in the history under the operator; the requests in the journal as screen:staff01.
    let (_, h) = op
        .admin(
            "GET",
            "/history?facility=1234567890&from=2023/08/25&to=2023/08/25",
            "",
        )
        .await;
    let v: serde_json::Value = serde_json::from_str(&h).expect("json");
    let records = v["records"].as_array().expect("records");
    assert!(
        records.len() >= 3 && records.iter().all(|r| r["login_id"] == "staff01"),
        "{v}"
    );
    let (_, j) = op.admin("GET", "/__admin/journal", "").await;
    assert!(
        j.contains("screen:staff01") && j.contains("OQSmuhvq01req") && j.contains("OQSmuonq01req"),
        "{j}"
    );
}

/// SCR-27 for 山田 隆子 (050013 hmtmList11 102 00, 昭和57年1月1日).
const YAMADA: &[(&str, &str)] = &[
    ("insurer", "050013"),
    ("symbol", "hmtmList11"),
    ("number", "102"),
    ("branch", "00"),
    ("era", "昭和"),
    ("year", "57"),
    ("month", "1"),
    ("day", "1"),
];

#[tokio::test(flavor = "multi_thread")]
async fn consent_cancellation_on_the_screens() {
    let server = start();
    let mut op = logged_in(&server).await;
    let scr27 = op.get("/consent-cancel").await;
    assert!(
        scr27.has("<h1>同意取消照会(訪問診療等)</h1>")
            && scr27.has("記号については設定上未設定のものがありません。")
            && scr27.has("※後期高齢者、医療扶助の場合以外は必須入力項目となります。"),
        "{}",
        scr27.body
    );
    let csrf = scr27.csrf();
    // RULE-33: 枝番 is required here.
    let mut no_branch: Vec<(&str, &str)> = YAMADA.to_vec();
    no_branch.retain(|(k, _)| *k != "branch");
    let p = op.post("/consent-cancel", &csrf, &no_branch).await;
    assert!(
        p.has("<h1>同意取消照会(訪問診療等)</h1>")
            && p.has("枝番は後期高齢者・医療扶助の場合以外は必須項目となります。"),
        "{}",
        p.body
    );
    // SCR-28: 被保険者情報 and the seven rows, all consented (none grey).
    let scr28 = op.post("/consent-cancel", &csrf, YAMADA).await;
    assert!(scr28.has("<h1>同意取消(訪問診療等)</h1>"), "{}", scr28.body);
    for s in [
        "XYZ010409",
        "秋田市",
        "山田　隆子",
        "昭和57年1月1日",
        "2023/01/08",
    ] {
        assert!(scr28.has(s), "{s}: {}", scr28.body);
    }
    assert_eq!(scr28.body.matches(r#"data-category="#).count(), 7);
    assert_eq!(scr28.body.matches(r#"<tr class="grey""#).count(), 0);
    // 《同意取消》 → DLG-18, its texts verbatim; 《キャンセル》 cancels nothing.
    let dlg18 = op.press(&scr28, "同意取消").await;
    assert_eq!(dlg18.dialog().as_deref(), Some("DLG-18"), "{}", dlg18.body);
    assert!(
        dlg18.has("同意取消(訪問診療等)")
            && dlg18
                .has("患者の資格確認および医療情報の閲覧ができなくなります。\nよろしいですか？"),
        "{}",
        dlg18.body
    );
    let back = op.press(&dlg18, "キャンセル").await;
    assert!(back.dialog().is_none() && back.has(r#"id="cancel-consent" type="submit""#));
    // 《OK》 → DLG-19 over the refreshed table (RULE-67): cancelled today, 同意なし as it was.
    let dlg18 = op.press(&back, "同意取消").await;
    let done = op.press(&dlg18, "OK").await;
    assert_eq!(done.dialog().as_deref(), Some("DLG-19"), "{}", done.body);
    assert!(done.has("処理が正常に完了しました。"));
    assert!(done.has(r##"href="#dlg-closed""##), "{}", done.body);
    assert_eq!(
        done.body.matches("医療機関による同意取り消し").count(),
        7,
        "{}",
        done.body
    );
    assert!(done.has("2023/08/25") && done.has("山田　隆子"));
    assert_eq!(done.body.matches(r#"<tr class="grey""#).count(), 7);
    // The cancellation in the journal under the operator.
    let (_, j) = op.admin("GET", "/__admin/journal", "").await;
    assert!(
        j.contains("OQSsihvd01req") && j.contains("screen:staff01"),
        "{j}"
    );
    // Later: the inquiry of the patient is refused (EQ0302), on the screen and over XML.
    let again = op.post("/consent-cancel", &csrf, YAMADA).await;
    assert!(
        again.has(
            "訪問診療等・オンライン診療等の閲覧同意が登録されていないか、取り消されています。"
        ) && again.has(r#"id="cancel-consent" type="button" disabled"#)
            && again.body.matches("医療機関による同意取り消し").count() == 7,
        "{}",
        again.body
    );
    let req = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>050013</InsurerNumber><InsuredCardSymbol>hmtmList11</InsuredCardSymbol><InsuredIdentificationNumber>102</InsuredIdentificationNumber><InsuredBranchNumber>00</InsuredBranchNumber><Birthdate>19820101</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo></MessageBody></XmlMsg>";
    let res = reqwest::Client::new()
        .post(format!("{}/xml/OQSsihvq01req", op.base))
        .body(req)
        .send()
        .await
        .expect("xml")
        .text()
        .await
        .expect("text");
    assert!(
        res.contains("<ProcessingResultCode>EQ0302</ProcessingResultCode>"),
        "{res}"
    );
    // A stale token cancels nothing (another patient stays consented).
    let stale = op.post("/consent-cancel/cancel", "0000", YAMADA).await;
    assert!(stale.dialog().is_none());
}
