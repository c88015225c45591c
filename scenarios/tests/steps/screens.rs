//! The operator screens (ch.1) as a browser without script uses them: pages over HTTP with
//! cookies, links followed, forms sent with their hidden fields (the CSRF token) and what was
//! typed. Steps speak of buttons as the manual does (《ログイン》) and of what the screen shows.

use super::state::Browser;
use super::OqsWorld;
use axum::body::Body;
use axum::http::{header, Request};
use cucumber::{given, then, when};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

const MAIN: &str = "";
const OTHER: &str = "別のブラウザ";

/// Label on the screen → the field's name.
fn field(label: &str) -> &'static str {
    match label {
        "ユーザID" => "user_id",
        "パスワード" => "password",
        "旧パスワード" => "old",
        "新パスワード" => "new",
        "新パスワード(確認)" => "confirm",
        // The check screens (SCR-08, SCR-09, SCR-13, SCR-14).
        "目視で本人確認完了" => "visual_done",
        "手術情報の閲覧を同意する" => "operation",
        "診療・薬剤情報の閲覧を同意する" => "diagnosis",
        "特定健診情報の閲覧を同意する" => "checkup",
        "限度額適用認定証情報を表示" | "限度額適用認定証 表示する" => {
            "show_limit"
        }
        "特定疾病療養受療証情報を表示" => "show_sd",
        "暗証番号" => "pin",
        "保険者番号" => "insurer",
        "記号" => "symbol",
        "番号" => "number",
        "枝番" => "branch",
        "生年月日(元号)" => "era",
        "生年月日(年)" => "year",
        "生年月日(月)" => "month",
        "生年月日(日)" => "day",
        "資格確認日" => "date",
        "照会番号" => "reference_number",
        // SCR-21 / SCR-22 / SCR-25 / SCR-26 (訪問診療等・オンライン診療等).
        "診療区分" => "kind",
        "同意年月日(自)" => "consent_from",
        "同意年月日(至)" => "consent_to",
        "受診年月日(自)" => "examination_from",
        "受診年月日(至)" => "examination_to",
        "氏名(カナ)" => "name_kana",
        "性別" => "sex",
        "限度額適用認定証： 表示する" => "show_limit",
        "特定疾病療養受療証： 表示する" => "show_sd",
        // SCR-12 / SCR-24.
        "引換番号" => "exchange_number",
        // The later check after an outage (DM-23's items).
        "氏名（漢字）" => "name",
        "生年月日" => "birthdate",
        "氏名（カナ）" => "kana",
        // SCR-29 (its two lists).
        "診療年月" => "month",
        "出力ファイル形式" => "format",
        other => panic!("no field 「{other}」 on the screens"),
    }
}

/// Text as maud writes it into HTML.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An attribute's value, unescaped as a browser reads it.
pub(super) fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let i = tag.find(&key)? + key.len();
    let rest = &tag[i..];
    Some(unescape(&rest[..rest.find('"')?]))
}

/// `&amp;` etc. back to text (maud escapes `&<>"`).
pub(super) fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

impl OqsWorld {
    /// The HTML the current browser shows ("" before its first page).
    pub(super) fn page(&self) -> &str {
        self.screens
            .browsers
            .get(&self.screens.current)
            .map_or("", |b| b.page.as_str())
    }

    pub(super) fn browser(&mut self) -> &mut Browser {
        let name = self.screens.current.clone();
        self.screens.browsers.entry(name).or_default()
    }

    /// One request with the current browser's cookies; follows redirects; the page it ends on.
    async fn screen_request(&mut self, method: &str, path: &str, form: Option<String>) {
        let body = form.map(|f| {
            (
                "application/x-www-form-urlencoded".to_owned(),
                f.into_bytes(),
            )
        });
        self.screen_send(method, path, body).await;
    }

    /// [`Self::screen_request`] with a body of any type (a file upload: multipart/form-data);
    /// the status of the page it ends on.
    pub(super) async fn screen_send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<(String, Vec<u8>)>,
    ) -> u16 {
        let (mut method, mut path, mut form) = (method.to_owned(), path.to_owned(), body);
        for _ in 0..10 {
            let cookies: String = self
                .browser()
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let mut req = Request::builder()
                .method(method.as_str())
                .uri(path.as_str())
                .header(header::COOKIE, cookies);
            let (content_type, bytes) = form.take().unwrap_or_default();
            if !content_type.is_empty() {
                req = req.header(header::CONTENT_TYPE, content_type);
            }
            let req = req.body(Body::from(bytes)).expect("request");
            let res = sim_server::router(self.sim.clone())
                .oneshot(req)
                .await
                .expect("answer");
            for v in res.headers().get_all(header::SET_COOKIE) {
                let v = v.to_str().expect("ASCII cookie");
                let kv = v.split(';').next().unwrap_or("");
                if let Some((k, val)) = kv.split_once('=') {
                    if val.is_empty() {
                        self.browser().cookies.remove(k);
                    } else {
                        self.browser().cookies.insert(k.into(), val.into());
                    }
                }
            }
            let status = res.status().as_u16();
            let location = res
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = res.into_body().collect().await.expect("body").to_bytes();
            match location {
                Some(to) => {
                    method = "GET".into();
                    path = to;
                }
                None => {
                    self.browser().page = String::from_utf8_lossy(&bytes).into_owned();
                    return status;
                }
            }
        }
        panic!("more than 10 redirects from {path}");
    }

    /// Clicks the link or button whose text is `label`.
    pub(super) async fn click(&mut self, label: &str) {
        let page = self.browser().page.clone();
        let needle = format!(">{}<", escaped(label));
        // The first occurrence whose own tag is a link or a button.
        let (tag_start, at) = page
            .match_indices(needle.as_str())
            .filter_map(|(at, _)| {
                let start = page[..at].rfind('<')?;
                let tag = &page[start..at];
                (tag.starts_with("<a ") || tag.starts_with("<button")).then_some((start, at))
            })
            .next()
            .unwrap_or_else(|| panic!("no 《{label}》 on the screen:\n{page}"));
        let tag = &page[tag_start..at];
        if tag.starts_with("<a ") {
            let href = attr(tag, "href").expect("a link with href");
            self.screen_request("GET", &href, None).await;
            return;
        }
        let start = page[..tag_start].rfind("<form").expect("the button's form");
        let form_tag = &page[start..start + page[start..].find('>').expect("form tag")];
        let action = attr(form_tag, "action").expect("form action");
        let mut fields: Vec<(String, String)> = page[start..tag_start]
            .split("<input ")
            .skip(1)
            .filter(|t| t.contains(r#"type="hidden""#))
            .filter_map(|t| Some((attr(t, "name")?, attr(t, "value")?)))
            .collect();
        fields.extend(std::mem::take(&mut self.browser().typed));
        if attr(form_tag, "method").as_deref() == Some("get") {
            let query = serde_urlencoded::to_string(&fields).expect("query");
            self.screen_request("GET", &format!("{action}?{query}"), None)
                .await;
        } else if form_tag.contains(r#"enctype="multipart/form-data""#) {
            // No file chosen: the file input goes as an empty part, as browsers send it.
            let b = "----oqs-scenario-form";
            let mut body = String::new();
            for (k, v) in &fields {
                body.push_str(&format!(
                    "--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                ));
            }
            body.push_str(&format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n--{b}--\r\n"));
            let ct = format!("multipart/form-data; boundary={b}");
            self.screen_send("POST", &action, Some((ct, body.into_bytes())))
                .await;
        } else {
            let body = serde_urlencoded::to_string(&fields).expect("form");
            self.screen_request("POST", &action, Some(body)).await;
        }
    }

    /// The menu (SCR-05), then its item `label`.
    pub(super) async fn open_menu_item(&mut self, label: &str) {
        self.screen_request("GET", "/menu", None).await;
        self.click(label).await;
    }

    /// A download (GET `path` with the browser's cookies): status and bytes; the page shown
    /// stays as it was, as in a browser.
    pub(super) async fn screen_bytes(&mut self, path: &str) -> (u16, Vec<u8>) {
        let cookies: String = self
            .browser()
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = Request::get(path)
            .header(header::COOKIE, cookies)
            .body(Body::empty())
            .expect("request");
        let res = sim_server::router(self.sim.clone())
            .oneshot(req)
            .await
            .expect("answer");
        let status = res.status().as_u16();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        (status, bytes.to_vec())
    }

    fn screen_shows(&mut self, text: &str) -> bool {
        let page = &self.browser().page;
        page.contains(&escaped(text)) || page.contains(text)
    }
}

#[given(regex = r"^ブラウザでオンライン資格確認等システムに接続する$")]
#[when(regex = r"^ブラウザでオンライン資格確認等システムに接続する$")]
async fn connect(w: &mut OqsWorld) {
    w.screens.current = MAIN.into();
    w.screen_request("GET", "/", None).await;
}

#[when(regex = r"^別のブラウザでオンライン資格確認等システムに接続する$")]
async fn connect_other(w: &mut OqsWorld) {
    w.screens.current = OTHER.into();
    w.screen_request("GET", "/", None).await;
}

#[when(regex = r"^元のブラウザに戻る$")]
async fn back_to_main(w: &mut OqsWorld) {
    w.screens.current = MAIN.into();
}

#[when(regex = r"^画面の《([^》]*)》をクリックする$")]
async fn click(w: &mut OqsWorld, label: String) {
    w.click(&label).await;
}

#[when(regex = r"^画面の「([^」]*)」に「([^」]*)」を入力する$")]
async fn type_into(w: &mut OqsWorld, label: String, value: String) {
    let name = field(&label).to_owned();
    let typed = &mut w.browser().typed;
    typed.retain(|(k, _)| *k != name);
    typed.push((name, value));
}

#[given(regex = r"^ユーザID「([^」]*)」とパスワード「([^」]*)」でログインする$")]
#[when(regex = r"^ユーザID「([^」]*)」とパスワード「([^」]*)」でログインする$")]
async fn login(w: &mut OqsWorld, user: String, password: String) {
    w.screen_request("GET", "/login", None).await;
    type_into(w, "ユーザID".into(), user).await;
    type_into(w, "パスワード".into(), password).await;
    w.click("ログイン").await;
}

#[when(regex = r"^時計を (\d+) 分進める$")]
async fn advance(w: &mut OqsWorld, minutes: i64) {
    w.sim.clock.set(
        w.sim.clock.now() + chrono::Duration::minutes(minutes),
        false,
    );
}

#[when(regex = r"^時計を (\d+) 日進める$")]
async fn advance_days(w: &mut OqsWorld, days: i64) {
    w.sim
        .clock
        .set(w.sim.clock.now() + chrono::Duration::days(days), false);
}

#[when(regex = r"^管理者がユーザID「([^」]*)」のパスワードを「([^」]*)」に初期化する$")]
async fn admin_reset(w: &mut OqsWorld, user: String, password: String) {
    let body = serde_json::json!({ "password": password })
        .to_string()
        .into_bytes();
    let (status, bytes) = w
        .http(
            "POST",
            &format!("/__admin/accounts/{user}/reset"),
            &[("content-type", "application/json")],
            body,
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
}

#[then(regex = r"^「([^」]*)」画面が表示される$")]
async fn screen_is(w: &mut OqsWorld, title: String) {
    let page = &w.browser().page;
    assert!(
        page.contains(&format!("<h1>{}</h1>", escaped(&title))),
        "not on 「{title}」:\n{page}"
    );
}

#[then(regex = r"^画面に「(.*)」が表示される$")]
async fn shows(w: &mut OqsWorld, text: String) {
    assert!(
        w.screen_shows(&text),
        "「{text}」 not on:\n{}",
        w.browser().page
    );
}

#[then(regex = r"^画面に「(.*)」が表示されない$")]
async fn does_not_show(w: &mut OqsWorld, text: String) {
    assert!(
        !w.screen_shows(&text),
        "「{text}」 on:\n{}",
        w.browser().page
    );
}

#[then(regex = r"^([A-Z]+-\d+) のダイアログが表示される$")]
async fn dialog_shown(w: &mut OqsWorld, id: String) {
    let page = &w.browser().page;
    assert!(
        page.contains(&format!(r#"data-dialog="{id}""#)),
        "no {id} dialog:\n{page}"
    );
}

#[then(regex = r"^ダイアログは表示されない$")]
async fn no_dialog(w: &mut OqsWorld) {
    assert!(!w.browser().page.contains("data-dialog="));
}

#[then(regex = r"^メニューに《([^》]*)》だけが表示される$")]
async fn only_item(w: &mut OqsWorld, label: String) {
    let page = w.browser().page.clone();
    let items = page.matches(r#"class="item""#).count();
    assert_eq!(items, 1, "{page}");
    assert!(page.contains(&format!(">{}<", escaped(&label))));
}

#[when(regex = r"^メニューを表示しなおす$")]
async fn reload_menu(w: &mut OqsWorld) {
    w.screen_request("GET", "/menu", None).await;
}

/// 環境設定情報 and the terminal's software (ENV-02, ENV-03, ENV-08, ENV-09), as the tray and
/// `PUT /__admin/terminal/settings` set them.
#[given(regex = r"^環境設定の「([^」]*)」を「([^」]*)」とする$")]
#[when(regex = r"^環境設定の「([^」]*)」を「([^」]*)」とする$")]
async fn set_environment(w: &mut OqsWorld, item: String, value: String) {
    let mut s = w.sim.terminal.settings();
    let installed = || match value.as_str() {
        "インストール済" => true,
        "未インストール" => false,
        other => panic!("「{other}」: インストール済 or 未インストール"),
    };
    match item.as_str() {
        "本人認証用カードリーダーソフト" => s.reader_software = installed(),
        "電子処方箋対応版の本人認証用カードリーダーソフト" => {
            s.prescription_reader_software = installed()
        }
        "電子処方箋利用区分" => {
            s.prescription_usage = serde_json::from_value(serde_json::Value::String(value.clone()))
                .unwrap_or_else(|e| panic!("電子処方箋利用区分 「{value}」: {e}"))
        }
        "発行形態選択タイミング" => {
            s.prescription_at_check = match value.as_str() {
                "資格確認時に確認する" => true,
                "資格確認時以外に確認する" => false,
                other => panic!("発行形態選択タイミング 「{other}」"),
            }
        }
        other => panic!("no setting 「{other}」"),
    }
    w.sim.terminal.set_settings(s);
}

/// ENV-14: the 緊急時医療情報・資格確認機能 対象期間 (as `PUT /__admin/faults/outage` sets it).
#[given(regex = r"^緊急時医療情報・資格確認機能の対象期間を「([^」]*)」から「([^」]*)」とする$")]
#[when(regex = r"^緊急時医療情報・資格確認機能の対象期間を「([^」]*)」から「([^」]*)」とする$")]
async fn emergency_period(w: &mut OqsWorld, from: String, until: String) {
    let day = |s: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y/%m/%d").unwrap_or_else(|e| panic!("{s}: {e}"))
    };
    w.sim
        .outage
        .set_emergency_period(Some(sim_server::services::outage::DayRange {
            from: day(&from),
            until: day(&until),
        }));
}
