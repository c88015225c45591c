//! The face-reader operator screens (SCR-31 / SCR-32, ch.9/10) as a browser without script uses
//! them: a logged-in operator's cookies, forms with their hidden fields, redirects followed.

use super::screens::{attr, unescape};
use super::OqsWorld;
use cucumber::{given, then, when};
use serde_json::{json, Value};

/// Sends one request as the current browser of the screens' steps (`screens.rs`); the page
/// it ends on must be a 200.
async fn send(w: &mut OqsWorld, method: &str, path: &str, form: Option<Vec<(String, String)>>) {
    let body = form.map(|fields| {
        (
            "application/x-www-form-urlencoded".to_owned(),
            serde_urlencoded::to_string(&fields)
                .expect("form")
                .into_bytes(),
        )
    });
    let status = w.screen_send(method, path, body).await;
    assert_eq!(status, 200, "{method} {path}: {}", w.page());
}

/// The fields a form sends: its `<input>`s with a name and a value (hidden and text), up to `end`.
fn form_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<input") {
        let tag_end = rest[i..].find('>').map_or(rest.len(), |e| i + e);
        let tag = &rest[i..tag_end];
        let kind = attr(tag, "type").unwrap_or_default();
        if kind != "checkbox" {
            if let (Some(n), Some(v)) = (attr(tag, "name"), attr(tag, "value")) {
                out.push((n, v));
            }
        }
        rest = &rest[tag_end..];
    }
    out
}

/// Clicks the element whose markup holds `marker`: a link is followed, a form button sends its
/// form (action and fields) plus `extra`.
async fn click(w: &mut OqsWorld, marker: &str, extra: &[(&str, &str)]) {
    let page = w.page().to_owned();
    let at = page
        .find(marker)
        .unwrap_or_else(|| panic!("nothing with {marker} on the page: {page}"));
    let before = &page[..at];
    let form_at = before.rfind("<form");
    let link_at = before.rfind("<a ");
    let form_open = form_at.is_some_and(|f| !before[f..].contains("</form>"));
    if form_open && form_at > link_at {
        let f = form_at.unwrap_or_default();
        let open_end = page[f..].find('>').map_or(at, |e| f + e);
        let action = attr(&page[f..open_end], "action").expect("a form action");
        let mut fields = form_fields(&page[f..at]);
        for (k, v) in extra {
            fields.retain(|(n, _)| n != k);
            fields.push(((*k).to_owned(), (*v).to_owned()));
        }
        send(w, "POST", &action, Some(fields)).await;
    } else {
        let a = link_at.expect("a link or a form around the element");
        let tag_end = page[a..].find('>').map_or(at, |e| a + e);
        let href = attr(&page[a..tag_end], "href").expect("an href");
        send(w, "GET", &href, None).await;
    }
}

/// The dialog on the page: (id, message).
fn dialog(w: &OqsWorld) -> Option<(String, String)> {
    let page = w.page();
    let i = page.find("data-dialog=\"")?;
    let id = attr(&page[i - 1..], "data-dialog")?;
    let b = page[i..].find("<div class=\"dbody\">")? + i + "<div class=\"dbody\">".len();
    let end = page[b..]
        .find("<dl>")
        .into_iter()
        .chain(page[b..].find("</div>"))
        .min()?
        + b;
    Some((id, unescape(&page[b..end])))
}

/// The reader row `index` of SCR-31 / SCR-32.
fn reader_row(w: &OqsWorld, index: usize) -> String {
    let page = w.page();
    let key = format!("data-reader=\"{index}\"");
    let i = page
        .find(&key)
        .unwrap_or_else(|| panic!("no reader {index} on the page: {page}"));
    let end = page[i + key.len()..]
        .find("data-reader=")
        .map_or(page.len(), |e| i + key.len() + e);
    page[i..end].to_owned()
}

/// The text of the green (current) button in `html`.
fn current_button(html: &str) -> Option<String> {
    let i = html.find("class=\"mode current\"")?;
    let start = html[i..].find('>')? + i + 1;
    let end = html[start..].find('<')? + start;
    Some(unescape(&html[start..end]))
}

async fn admin(w: &OqsWorld, method: &str, path: &str, body: Value) {
    let (status, bytes) = w
        .http(
            method,
            path,
            &[("content-type", "application/json")],
            serde_json::to_vec(&body).expect("JSON"),
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
}

#[given(regex = r"^職員「([^」]*)」がパスワード「([^」]*)」でログインしている$")]
async fn logged_in(w: &mut OqsWorld, user: String, password: String) {
    send(w, "GET", "/login", None).await;
    click(
        w,
        "id=\"login\"",
        &[("user_id", &user), ("password", &password)],
    )
    .await;
    assert!(
        !w.page().contains("<h1>ログイン</h1>"),
        "still on the login screen: {}",
        w.page()
    );
}

#[given(regex = r"^顔認証付きカードリーダー (\d+) の日本語名称は「([^」]*)」である$")]
async fn reader_label_is(w: &mut OqsWorld, index: usize, label: String) {
    admin(
        w,
        "PUT",
        &format!("/__admin/terminal/readers/{index}/face"),
        json!({ "label": label }),
    )
    .await;
}

#[given(regex = r"^顔認証付きカードリーダー (\d+) に「([^」]*)」のマイナンバーカードがある$")]
async fn face_card(w: &mut OqsWorld, index: usize, profile: String) {
    admin(
        w,
        "PUT",
        &format!("/__admin/terminal/readers/{index}/card"),
        json!({ "profile": profile }),
    )
    .await;
}

#[given(
    regex = r"^本人認証用カードリーダーソフトは「(導入済み|未導入)」、電子処方箋対応版は「(導入済み|未導入)」、電子処方箋利用区分は「([^」]*)」である$"
)]
async fn software(w: &mut OqsWorld, soft: String, version: String, usage: String) {
    admin(
        w,
        "PUT",
        "/__admin/terminal/settings",
        json!({
            "reader_software": soft == "導入済み",
            "prescription_reader_software": version == "導入済み",
            "prescription_usage": usage,
        }),
    )
    .await;
}

#[when(regex = r"^メニューを開く$")]
async fn open_menu(w: &mut OqsWorld) {
    send(w, "GET", "/menu", None).await;
}

#[when(regex = r"^メニューの「([^」]*)」をクリックする$")]
async fn menu_item(w: &mut OqsWorld, label: String) {
    send(w, "GET", "/menu", None).await;
    click(w, &format!(">{label}</a>"), &[]).await;
}

#[when(regex = r"^顔認証付きカードリーダー操作画面を開く$")]
async fn open_operation(w: &mut OqsWorld) {
    send(w, "GET", "/face-reader", None).await;
}

#[when(regex = r"^顔認証付きカードリーダー環境設定画面を開く$")]
async fn open_settings(w: &mut OqsWorld) {
    send(w, "GET", "/face-reader/settings", None).await;
}

fn mode_key(label: &str) -> &'static str {
    match label {
        "無人運転" => "unattended",
        "暗証番号認証固定" => "pin-only",
        "目視確認" => "visual",
        other => panic!("unknown mode 《{other}》"),
    }
}

#[when(regex = r"^《(無人運転|暗証番号認証固定|目視確認)》をクリックする$")]
async fn mode_button(w: &mut OqsWorld, label: String) {
    click(w, &format!("data-mode=\"{}\"", mode_key(&label)), &[]).await;
}

#[when(
    regex = r"^《(無人運転|暗証番号認証固定|目視確認)》をクリックし、確認メッセージで《OK》をクリックする$"
)]
async fn mode_button_ok(w: &mut OqsWorld, label: String) {
    mode_button(w, label).await;
    dialog_ok(w).await;
}

#[when(regex = r"^ダイアログの《OK》をクリックする$")]
async fn dialog_ok(w: &mut OqsWorld) {
    assert!(dialog(w).is_some(), "no dialog: {}", w.page());
    click(w, "data-button=\"OK\"", &[]).await;
}

#[when(regex = r"^資格確認日を「([^」]*)」にして《目視で本人確認完了》にチェックを付ける$")]
async fn visual_done_on(w: &mut OqsWorld, date: String) {
    click(w, "id=\"visual-done\"", &[("date", &date), ("done", "1")]).await;
}

#[when(regex = r"^《目視で本人確認完了》にチェックを付ける$")]
async fn visual_done(w: &mut OqsWorld) {
    click(w, "id=\"visual-done\"", &[("done", "1")]).await;
}

#[when(regex = r"^《目視で本人確認完了》にチェックを付け、確認メッセージで《OK》をクリックする$")]
async fn visual_done_ok(w: &mut OqsWorld) {
    visual_done(w).await;
    let (id, _) = dialog(w).unwrap_or_default();
    assert_eq!(id, "DLG-27", "{}", w.page());
    dialog_ok(w).await;
}

#[when(
    regex = r"^顔認証付きカードリーダー (\d+) の《(表示する|表示しない)》をクリックし、確認メッセージで《OK》をクリックする$"
)]
async fn setting_ok(w: &mut OqsWorld, index: usize, label: String) {
    let row = reader_row(w, index);
    let show = if label == "表示する" {
        "true"
    } else {
        "false"
    };
    // The marker is unique on the page: this row's button.
    let offset = w.page().find(&row).expect("the row is on the page");
    let in_row = row
        .find(&format!("data-show=\"{show}\""))
        .expect("the button in the row");
    let page = w.page().to_owned();
    // Click by position: cut the page so the first marker is this row's button.
    w.browser().page =
        page[..offset + in_row].to_owned() + "data-clicked" + &page[offset + in_row..];
    click(w, "data-clickeddata-show", &[]).await;
    let (id, _) = dialog(w).unwrap_or_default();
    assert_eq!(id, "DLG-29", "{}", w.page());
    dialog_ok(w).await;
}

#[then(regex = r"^画面「([^」]*)」が表示される$")]
fn screen_title(w: &mut OqsWorld, title: String) {
    assert!(
        w.page().contains(&format!("<h1>{title}</h1>")),
        "{}",
        w.page()
    );
}

#[then(regex = r"^カードリーダー「([^」]*)」の日本語名称「([^」]*)」が表示される$")]
fn reader_label(w: &mut OqsWorld, id: String, label: String) {
    let want = format!("<div class=\"devid\">{id}</div><div class=\"jname\">{label}</div>");
    assert!(w.page().contains(&want), "{}", w.page());
}

#[then(regex = r"^現在のモードは「([^」]*)」である$")]
fn current_mode(w: &mut OqsWorld, mode: String) {
    let row = reader_row(w, 0);
    assert_eq!(
        current_button(&row).as_deref(),
        Some(mode.as_str()),
        "{row}"
    );
}

#[then(regex = r"^ダイアログ「([^」]*)」が表示され、メッセージは次のとおりである:?$")]
fn dialog_text(w: &mut OqsWorld, id: String, step: &cucumber::gherkin::Step) {
    let want = step.docstring.as_deref().unwrap_or_default().trim();
    let (got_id, message) = dialog(w).unwrap_or_else(|| panic!("no dialog: {}", w.page()));
    assert_eq!(got_id, id);
    assert_eq!(message.trim(), want);
}

#[then(regex = r"^ダイアログ「([^」]*)」が表示される$")]
fn dialog_shown(w: &mut OqsWorld, id: String) {
    let (got, _) = dialog(w).unwrap_or_else(|| panic!("no dialog: {}", w.page()));
    assert_eq!(got, id);
}

#[then(regex = r"^モードのボタンはすべて押せない$")]
fn modes_disabled(w: &mut OqsWorld) {
    let page = w.page();
    assert!(!page.contains("data-mode="), "{page}");
    assert_eq!(
        page.matches("class=\"mode\" type=\"button\" disabled")
            .count(),
        3,
        "{page}"
    );
}

#[then(
    regex = r"^顔認証付きカードリーダー (\d+) の電子処方箋関連画面の表示有無は「([^」]*)」である$"
)]
fn setting_is(w: &mut OqsWorld, index: usize, label: String) {
    // After a switch the page still shows DLG-30: read the screen again (《再読み込み》).
    let row = reader_row(w, index);
    assert_eq!(
        current_button(&row).as_deref(),
        Some(label.as_str()),
        "{row}"
    );
}

#[then(regex = r"^画面に「([^」]*)」と表示される$")]
fn shown(w: &mut OqsWorld, text: String) {
    assert!(w.page().contains(&text), "{}", w.page());
}

#[then(regex = r"^メニューに「([^」]*)」は(表示される|表示されない)$")]
fn menu_has(w: &mut OqsWorld, label: String, shown: String) {
    let has = w.page().contains(&format!(">{label}</a>"))
        || w.page().contains(&format!(">{label}<small>"));
    assert_eq!(has, shown == "表示される", "{}", w.page());
}

/// The facility's 資格確認履歴 of January 2021 (the history route), newest first.
async fn january_history(w: &OqsWorld) -> Value {
    let (status, bytes) = w
        .http(
            "GET",
            "/history?facility=1234567890&from=2021/01/01%2000:00&to=2021/01/31%2024:00",
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    serde_json::from_slice(&bytes).expect("JSON")
}

#[then(
    regex = r"^資格確認履歴の最新の記録は資格確認区分「([^」]*)」、ログインID「([^」]*)」である$"
)]
async fn latest_history(w: &mut OqsWorld, kind: String, login_id: String) {
    let v = january_history(w).await;
    let newest = &v["records"][0];
    assert_eq!(newest["kind"], kind.as_str(), "{v}");
    assert_eq!(newest["login_id"], login_id.as_str(), "{v}");
}

#[then(regex = r"^資格確認履歴に記録はない$")]
async fn no_history(w: &mut OqsWorld) {
    let v = january_history(w).await;
    assert_eq!(v["records"], json!([]), "{v}");
}
