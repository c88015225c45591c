//! The face-reader operator screens (SCR-31 / SCR-32, ch.9/10) as a browser without script uses
//! them: a logged-in operator's cookies, forms with their hidden fields, redirects followed.

use super::OqsWorld;
use axum::body::Body;
use axum::http::{header, Request};
use cucumber::{given, then, when};
use http_body_util::BodyExt as _;
use serde_json::{json, Value};
use tower::ServiceExt as _;

/// Sends one request with the browser's cookies; follows 303s like a browser. Returns the page.
async fn send(w: &mut OqsWorld, method: &str, path: &str, form: Option<Vec<(String, String)>>) {
    let mut method = method.to_owned();
    let mut path = path.to_owned();
    let mut form = form;
    for _ in 0..6 {
        let mut req = Request::builder()
            .method(method.as_str())
            .uri(path.as_str())
            .header(header::COOKIE, w.screen.cookie_header());
        let body = match form.take() {
            Some(fields) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(serde_urlencoded_pairs(&fields))
            }
            None => Body::empty(),
        };
        let res = sim_server::router(w.sim.clone())
            .oneshot(req.body(body).expect("a valid request"))
            .await
            .expect("the router is infallible");
        for v in res.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap_or("");
            let kv = v.split(';').next().unwrap_or("");
            if let Some((k, val)) = kv.split_once('=') {
                if val.is_empty() {
                    w.screen.cookies.remove(k);
                } else {
                    w.screen.cookies.insert(k.to_owned(), val.to_owned());
                }
            }
        }
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = res.into_body().collect().await.expect("a body").to_bytes();
        match (status, location) {
            (301..=303, Some(to)) => {
                method = "GET".into();
                path = to;
            }
            _ => {
                assert_eq!(
                    status,
                    200,
                    "{method} {path}: {}",
                    String::from_utf8_lossy(&bytes)
                );
                w.screen.page = String::from_utf8_lossy(&bytes).into_owned();
                return;
            }
        }
    }
    panic!("too many redirects from {path}");
}

fn serde_urlencoded_pairs(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// application/x-www-form-urlencoded.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `&amp;` etc. back to text (maud escapes `&<>"`).
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let i = tag.find(&key)? + key.len();
    let end = tag[i..].find('"')? + i;
    Some(unescape(&tag[i..end]))
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
    let page = w.screen.page.clone();
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
    let page = &w.screen.page;
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
    let page = &w.screen.page;
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
        !w.screen.page.contains("<h1>ログイン</h1>"),
        "still on the login screen: {}",
        w.screen.page
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
    assert!(dialog(w).is_some(), "no dialog: {}", w.screen.page);
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
    assert_eq!(id, "DLG-27", "{}", w.screen.page);
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
    let offset = w.screen.page.find(&row).expect("the row is on the page");
    let in_row = row
        .find(&format!("data-show=\"{show}\""))
        .expect("the button in the row");
    let page = w.screen.page.clone();
    // Click by position: cut the page so the first marker is this row's button.
    w.screen.page = page[..offset + in_row].to_owned() + "data-clicked" + &page[offset + in_row..];
    click(w, "data-clickeddata-show", &[]).await;
    let (id, _) = dialog(w).unwrap_or_default();
    assert_eq!(id, "DLG-29", "{}", w.screen.page);
    dialog_ok(w).await;
}

#[then(regex = r"^画面「([^」]*)」が表示される$")]
fn screen_title(w: &mut OqsWorld, title: String) {
    assert!(
        w.screen.page.contains(&format!("<h1>{title}</h1>")),
        "{}",
        w.screen.page
    );
}

#[then(regex = r"^カードリーダー「([^」]*)」の日本語名称「([^」]*)」が表示される$")]
fn reader_label(w: &mut OqsWorld, id: String, label: String) {
    let want = format!("<div class=\"devid\">{id}</div><div class=\"jname\">{label}</div>");
    assert!(w.screen.page.contains(&want), "{}", w.screen.page);
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
    let (got_id, message) = dialog(w).unwrap_or_else(|| panic!("no dialog: {}", w.screen.page));
    assert_eq!(got_id, id);
    assert_eq!(message.trim(), want);
}

#[then(regex = r"^ダイアログ「([^」]*)」が表示される$")]
fn dialog_shown(w: &mut OqsWorld, id: String) {
    let (got, _) = dialog(w).unwrap_or_else(|| panic!("no dialog: {}", w.screen.page));
    assert_eq!(got, id);
}

#[then(regex = r"^モードのボタンはすべて押せない$")]
fn modes_disabled(w: &mut OqsWorld) {
    let page = &w.screen.page;
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
    assert!(w.screen.page.contains(&text), "{}", w.screen.page);
}

#[then(regex = r"^メニューに「([^」]*)」は(表示される|表示されない)$")]
fn menu_has(w: &mut OqsWorld, label: String, shown: String) {
    let has = w.screen.page.contains(&format!(">{label}</a>"))
        || w.screen.page.contains(&format!(">{label}<small>"));
    assert_eq!(has, shown == "表示される", "{}", w.screen.page);
}

#[then(
    regex = r"^資格確認履歴の最新の記録は資格確認区分「([^」]*)」、ログインID「([^」]*)」である$"
)]
async fn latest_history(w: &mut OqsWorld, kind: String, login_id: String) {
    let (status, bytes) = w
        .http(
            "GET",
            "/history?facility=1234567890&from=2021/01/01%2000:00&to=2021/01/31%2024:00",
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let v: Value = serde_json::from_slice(&bytes).expect("JSON");
    let newest = &v["records"][0];
    assert_eq!(newest["kind"], kind.as_str(), "{v}");
    assert_eq!(newest["login_id"], login_id.as_str(), "{v}");
}

#[then(regex = r"^資格確認履歴に記録はない$")]
async fn no_history(w: &mut OqsWorld) {
    let (status, bytes) = w
        .http(
            "GET",
            "/history?facility=1234567890&from=2021/01/01%2000:00&to=2021/01/31%2024:00",
            &[],
            Vec::new(),
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let v: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(v["records"], json!([]), "{v}");
}
