//! 保管調剤結果一括取得 (JOB-05, ch.11): the simulator's own messages OQSmudsp01/02 over XML/HTTP
//! and the file exchange, and the screens SCR-33/34 through the screens' browser.

use super::world::{input_date, OqsWorld, Transport};
use base64::Engine as _;
use cucumber::{given, then, when};
use oqs_protocol::dispensing::AcquisitionInfo;
use oqs_protocol::Element;
use std::time::Duration;

/// 保存サービス利用サンプル薬局 (the built-in storage-service pharmacy).
pub const PHARMACY: &str = "9940000076";

fn xml(facility: &str, body: &str) -> Vec<u8> {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{facility}</MedicalInstitutionCode></MessageHeader><MessageBody>{body}</MessageBody></XmlMsg>").into_bytes()
}

fn root_of(w: &OqsWorld) -> Element {
    w.last().root()
}

fn text<'a>(e: &'a Element, path: &[&str]) -> Option<&'a str> {
    let mut cur = e;
    for p in path {
        cur = cur.child(p)?;
    }
    Some(cur.text.as_str())
}

fn rows(e: &Element) -> Vec<AcquisitionInfo> {
    e.child("MessageBody")
        .and_then(|b| b.child("AcquisitionList"))
        .map(|l| {
            l.children
                .iter()
                .filter_map(AcquisitionInfo::from_element)
                .collect()
        })
        .unwrap_or_default()
}

#[when(
    regex = r"^薬局「(\d+)」が調剤結果取得期間「([^」]*)」～「([^」]*)」を (XML/HTTP|ファイル連携) ?で取得する$"
)]
async fn request(w: &mut OqsWorld, facility: String, start: String, end: String, t: String) {
    let body = format!(
        "<AcquisitionStartDate>{}</AcquisitionStartDate><AcquisitionEndDate>{}</AcquisitionEndDate>",
        input_date(&start),
        input_date(&end)
    );
    w.send_as(
        Transport::from_words(&t),
        "OQSmudsp01req",
        Some(xml(&facility, &body)),
    )
    .await;
    let root = root_of(w);
    if let Some(id) = text(&root, &["MessageBody", "DispensingResultAcquisitionId"]) {
        w.dispensing.ids.push(id.to_owned());
    }
    w.dispensing.requested = Some(root);
}

fn requested(w: &OqsWorld) -> &Element {
    w.dispensing
        .requested
        .as_ref()
        .expect("no OQSmudsp01req was sent yet")
}

#[then(regex = r"^調剤結果一括取得IDは「(\d{24})」である$")]
fn id_is(w: &mut OqsWorld, id: String) {
    let r = requested(w);
    assert_eq!(
        text(r, &["MessageBody", "DispensingResultAcquisitionId"]),
        Some(id.as_str()),
        "{r:?}"
    );
}

#[then(regex = r"^ダウンロード期限は「([^」]*)」である$")]
fn deadline_is(w: &mut OqsWorld, day: String) {
    assert_eq!(
        text(requested(w), &["MessageBody", "DownloadDeadline"]),
        Some(input_date(&day).as_str())
    );
}

#[then(regex = r"^保管調剤の取得は「(.*)」で断られる$")]
fn refused(w: &mut OqsWorld, message: String) {
    let r = requested(w);
    let shown = text(r, &["MessageBody", "ProcessingResultMessage"])
        .or_else(|| text(r, &["MessageHeader", "ErrorMessage"]));
    assert_eq!(shown, Some(message.as_str()), "{r:?}");
    assert_eq!(
        text(r, &["MessageBody", "DispensingResultAcquisitionId"]),
        None,
        "a refused request has no ID"
    );
}

#[then(regex = r"^保管調剤の取得は受け付けられ、(?:まだ)?何もダウンロードされていない$")]
fn accepted_nothing_downloaded(w: &mut OqsWorld) {
    let r = requested(w);
    assert_eq!(
        text(r, &["MessageBody", "ProcessingResultStatus"]),
        Some("1")
    );
    assert!(text(r, &["MessageBody", "DispensingResultAcquisitionId"]).is_some());
    assert_eq!(text(r, &["MessageBody", "ResultFile"]), None);
}

async fn list(w: &mut OqsWorld, t: &str, body: String) {
    w.send_as(
        Transport::from_words(t),
        "OQSmudsp02req",
        Some(xml(PHARMACY, &body)),
    )
    .await;
    w.dispensing.listed = Some(root_of(w));
}

#[when(regex = r"^調剤結果一括取得IDで取得結果を (XML/HTTP|ファイル連携) ?で照会する$")]
async fn read_one(w: &mut OqsWorld, t: String) {
    let id = w.dispensing.ids.last().cloned().expect("no ID yet");
    list(
        w,
        &t,
        format!("<DispensingResultAcquisitionId>{id}</DispensingResultAcquisitionId>"),
    )
    .await;
}

#[when(
    regex = r"^保管調剤結果一括取得結果の (\d+) ページ目を (XML/HTTP|ファイル連携) ?で照会する$"
)]
async fn read_page(w: &mut OqsWorld, page: usize, t: String) {
    list(w, &t, format!("<PageNumber>{page}</PageNumber>")).await;
}

fn listed(w: &OqsWorld) -> &Element {
    w.dispensing
        .listed
        .as_ref()
        .expect("no OQSmudsp02req was sent yet")
}

fn first_row(w: &OqsWorld) -> AcquisitionInfo {
    rows(listed(w))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no row: {:?}", listed(w)))
}

#[then(regex = r"^保管調剤の照会状況は「([^」]*)」(である|になる)$")]
async fn status_is(w: &mut OqsWorld, status: String, how: String) {
    if how == "になる" {
        let id = w.dispensing.ids.last().cloned().expect("no ID yet");
        w.sim.jobs.wait(&id, Duration::from_secs(10));
        read_one(w, "XML/HTTP".into()).await;
    }
    assert_eq!(first_row(w).status, status);
}

#[then(regex = r"^保管調剤の件数は (\d+) 件である$")]
fn count_is(w: &mut OqsWorld, n: usize) {
    assert_eq!(first_row(w).count, Some(n));
}

#[then(regex = r"^保管調剤の取得結果は(ダウンロードできる|ダウンロードできない)$")]
fn downloadable(w: &mut OqsWorld, which: String) {
    let yes = which == "ダウンロードできる";
    let row = first_row(w);
    assert_eq!(row.downloadable, yes, "{row:?}");
    assert_eq!(
        text(listed(w), &["MessageBody", "ResultFile"]).is_some(),
        yes,
        "the zip comes with a downloadable row only"
    );
    if !yes {
        let id = row.acquisition_id;
        assert!(w.sim.jobs.result(&id).is_err(), "{id} must not download");
    }
}

#[then(regex = r"^ダウンロード期限「([^」]*)」が表示される$")]
fn row_deadline(w: &mut OqsWorld, day: String) {
    assert_eq!(first_row(w).download_deadline, Some(input_date(&day)));
}

#[then(regex = r"^ダウンロード期限は表示されない$")]
fn no_row_deadline(w: &mut OqsWorld) {
    assert_eq!(first_row(w).download_deadline, None);
}

#[then(
    regex = r"^ダウンロードした「([^」]*)」には (\d+) 件の調剤結果があり、1 件目の氏名は「([^」]*)」である$"
)]
fn zip_holds(w: &mut OqsWorld, name: String, n: usize, first: String) {
    let row = first_row(w);
    assert_eq!(row.file_name.as_deref(), Some(name.as_str()));
    let b64 = text(listed(w), &["MessageBody", "ResultFile"]).expect("the zip");
    let zip = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64");
    let files = oqs_protocol::zip::read_stored_zip(&zip).expect("a zip");
    assert_eq!(files.len(), n);
    let first_xml = String::from_utf8(files[0].1.clone()).expect("UTF-8");
    let wanted = format!("<Name>{}</Name>", oqs_protocol::names::wire_name(&first));
    assert!(first_xml.contains(&wanted), "{first_xml}");
}

#[then(regex = r"^保管調剤の一覧は全 (\d+) 件、このページに (\d+) 件あり、新しい順である$")]
fn page_is(w: &mut OqsWorld, total: usize, here: usize) {
    let l = listed(w);
    assert_eq!(
        text(l, &["MessageBody", "NumberOfAcquisitions"]),
        Some(total.to_string().as_str())
    );
    let ids: Vec<String> = rows(l).into_iter().map(|r| r.acquisition_id).collect();
    assert_eq!(ids.len(), here);
    let mut sorted = ids.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first");
}

#[then(regex = r"^保管調剤の一覧の (\d+) 件目は (\d+) 番目に取得したものである$")]
fn row_is_nth(w: &mut OqsWorld, row: usize, nth: usize) {
    let r = rows(listed(w));
    assert_eq!(
        r.get(row - 1).map(|r| r.acquisition_id.clone()),
        w.dispensing.ids.get(nth - 1).cloned()
    );
}

// ---- the screens SCR-33/34 with DLG-31/32, as the screens' browser uses them ----

/// The simulator started afresh at `now` (`oqs-sim --now`): the demo accounts' passwords count
/// as set then, so a scenario far from the default date can log in. The first step of a scenario.
#[given(regex = r"^シミュレーターを「([^」]*)」の時計で起動する$")]
fn start_at(w: &mut OqsWorld, now: String) {
    let t = sim_server::clock::parse_now(&now).expect("RFC 3339");
    w.sim = std::sync::Arc::new(sim_server::Simulator::new(
        sim_server::Clock::frozen(t),
        oqs_protocol::ErrorTable::builtin(),
        sim_server::Settings::default(),
    ));
}

/// The page's dialog: its `data-dialog` id and its markup.
fn dialog(w: &OqsWorld) -> Option<(String, String)> {
    let page = w.page();
    let i = page.find(r#"data-dialog=""#)?;
    let rest = &page[i + r#"data-dialog=""#.len()..];
    let id = rest[..rest.find('"')?].to_owned();
    let end = rest.find(r#"class="did""#).unwrap_or(rest.len());
    Some((id, rest[..end].to_owned()))
}

#[when(
    regex = r"^保管調剤結果一括取得画面で調剤結果取得期間「([^」]*)」～「([^」]*)」を入力し《調剤結果取得》をクリックする$"
)]
async fn click_request(w: &mut OqsWorld, start: String, end: String) {
    w.open_menu_item("保管調剤結果一括取得").await;
    let typed = &mut w.browser().typed;
    typed.push(("start".into(), start));
    typed.push(("end".into(), end));
    w.click(&format!(
        "② {}",
        oqs_protocol::texts::dispensing::BUTTON_ACQUIRE
    ))
    .await;
}

#[when(regex = r"^確認メッセージで《(OK|キャンセル)》をクリックする$")]
async fn answer(w: &mut OqsWorld, button: String) {
    assert_eq!(dialog(w).map(|d| d.0).as_deref(), Some("DLG-31"));
    w.click(&button).await;
    let label = oqs_protocol::texts::dispensing::ID_LABEL;
    if let Some(i) = w.page().find(label) {
        let id: String = w.page()[i + label.len()..].chars().take(24).collect();
        w.dispensing.ids.push(id);
    }
}

#[then(regex = r"^(DLG-\d+) 「([^」]*)」が表示される$")]
fn dialog_shown(w: &mut OqsWorld, id: String, title: String) {
    let (shown, markup) = dialog(w).unwrap_or_else(|| panic!("no dialog:\n{}", w.page()));
    assert_eq!(shown, id);
    assert!(
        markup.contains(&format!(r#"class="dtitle" id="dlg-{id}">{title}<"#)),
        "{markup}"
    );
}

#[then(regex = r"^ダイアログに「(.*)」と表示される$")]
fn dialog_line(w: &mut OqsWorld, line: String) {
    let (_, markup) = dialog(w).expect("a dialog");
    assert!(
        markup.lines().any(|l| l.contains(&line)) || markup.contains(&line),
        "{markup}"
    );
}

#[then(regex = r"^注意「(.*)」が表示される$")]
fn notice_shown(w: &mut OqsWorld, notice: String) {
    let (_, markup) = dialog(w).expect("a dialog");
    let caution = oqs_protocol::texts::dispensing::CAUTION;
    assert!(
        markup.contains(&format!("<dt>{caution}</dt><dd>{notice}</dd>")),
        "{markup}"
    );
}

#[then(regex = r"^何も取得されない$")]
fn nothing_requested(w: &mut OqsWorld) {
    assert!(dialog(w).is_none(), "{}", w.page());
    assert!(w.page().contains(r#"id="acquire""#), "SCR-33 again");
    assert_eq!(w.sim.jobs.dispensing_page(PHARMACY, 1).total, 0);
}

#[then(regex = r"^画面に (ERR-\d+) 「(.*)」が表示される$")]
fn screen_error(w: &mut OqsWorld, id: String, message: String) {
    let page = w.page();
    let i = page
        .find(&format!(r#"data-error="{id}""#))
        .unwrap_or_else(|| panic!("no {id} on SCR-33:\n{page}"));
    let shown = &page[i..i + page[i..].find("</div>").expect("its end")];
    assert!(shown.contains(&message), "{shown}");
}

#[when(regex = r"^保管調剤結果一括取得結果画面を開く$")]
async fn open_results(w: &mut OqsWorld) {
    w.open_menu_item("保管調剤結果一括取得結果").await;
}

#[then(regex = r"^保管調剤結果一括取得結果画面に「(.*)」と表示される$")]
fn results_screen_shows(w: &mut OqsWorld, shown: String) {
    assert!(
        w.page()
            .contains(oqs_protocol::texts::dispensing::RESULTS_TITLE),
        "not SCR-34"
    );
    assert!(w.page().contains(&shown), "「{shown}」 not on SCR-34");
}

/// The cells of SCR-34's `n`-th row (1-based): texts, and the row's markup.
fn listed_row(w: &OqsWorld, n: usize) -> (Vec<String>, String) {
    let page = w.page();
    let row = page
        .split("<tr data-id=")
        .nth(n)
        .unwrap_or_else(|| panic!("no row {n} on SCR-34:\n{page}"));
    let row = &row[..row.find("</tr>").expect("row end")];
    let cells = row
        .split("<td")
        .skip(1)
        .map(|c| {
            let inner = &c[c.find('>').map_or(0, |i| i + 1)..];
            let mut text = String::new();
            let mut in_tag = false;
            for ch in inner.chars() {
                match ch {
                    '<' => in_tag = true,
                    '>' => in_tag = false,
                    c if !in_tag => text.push(c),
                    _ => {}
                }
            }
            text.trim().to_owned()
        })
        .collect();
    (cells, row.to_owned())
}

#[then(
    regex = r"^一覧の (\d+) 件目は「([^」]*)」、期間「([^」]*)」～「([^」]*)」、件数 (\d+)、《ダウンロード》(あり|なし)$"
)]
fn results_row(
    w: &mut OqsWorld,
    n: usize,
    status: String,
    start: String,
    end: String,
    count: u64,
    button: String,
) {
    let (cells, _) = listed_row(w, n);
    assert_eq!(cells[1], status, "{cells:?}");
    assert_eq!((cells[2].as_str(), cells[3].as_str()), (&*start, &*end));
    assert_eq!(cells[4], count.to_string(), "{cells:?}");
    assert_eq!(cells[5] == "ダウンロード", button == "あり", "{cells:?}");
}

#[when(regex = r"^一覧の (\d+) 件目の《ダウンロード》をクリックする$")]
async fn click_download(w: &mut OqsWorld, n: usize) {
    let (_, row) = listed_row(w, n);
    let href = super::screens::attr(&row[row.find("<a ").expect("《ダウンロード》")..], "href")
        .expect("href");
    let (status, bytes) = w.screen_bytes(&href).await;
    let files = oqs_protocol::zip::read_stored_zip(&bytes).map(|f| f.len());
    w.dispensing.screen = Some((status, serde_json::json!({ "files": files, "href": href })));
}

#[then(regex = r"^(\d+) 件の調剤結果の zip が保存される$")]
fn zip_saved(w: &mut OqsWorld, n: usize) {
    let (status, j) = w.dispensing.screen.as_ref().expect("no download");
    assert_eq!(*status, 200, "{j}");
    assert_eq!(j["files"], n, "{j}");
}
