//! The page every screen is drawn in: the common header (HDR: 「オンライン資格確認等システム」 and
//! the screen title on the left; 施設名, 利用者名, 権限区分 and 《ログアウト》 on the right), the
//! embedded style sheet (no CDN, no web fonts: the system's Japanese fonts) and the dialog layer.
//! Fits 1366×768; every control is a real link, button or field, so the keyboard reaches all.

use maud::{html, Markup, PreEscaped, DOCTYPE};
use oqs_protocol::texts::accounts as t;

/// What the header shows of the logged-in operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderInfo {
    /// 施設名.
    pub facility: String,
    /// 利用者名.
    pub user: String,
    /// 権限区分 (short form, AMB-74).
    pub role: String,
    /// Where 《キャンセル》 of the logout dialog returns to (the current screen).
    pub here: String,
}

/// A response extension: the answer is a page drawn by the simulator's own templates (an
/// operator screen, the tray), which escape what they show and take bounded forms, so
/// `admin_guard::clip_errors` lets it through whole whatever its status.
#[derive(Debug, Clone, Copy)]
pub struct WholePage;

/// Result lists reload themselves each minute (RULE-53: SCR-16, SCR-18, SCR-30).
pub const AUTO_REFRESH_SECS: u32 = 60;

/// One page: title, optional header info, optional extras, body, optional dialog on top.
#[derive(Debug, Default)]
pub struct Page<'a> {
    title: &'a str,
    header: Option<&'a HeaderInfo>,
    notices_link: bool,
    dialog: Option<Markup>,
    refresh_secs: Option<u32>,
}

/// The style sheet, embedded in every page.
const CSS: &str = r#"
*{box-sizing:border-box}
html{font-size:15px}
body{margin:0;font-family:"Noto Sans CJK JP","Noto Sans JP","Hiragino Sans","Yu Gothic","Meiryo",sans-serif;color:#1d2733;background:#eef2f6;min-width:1000px}
header.hdr{display:flex;justify-content:space-between;align-items:center;background:#1f4e79;color:#fff;padding:8px 20px;min-height:52px}
header.hdr .sys{font-size:13px;opacity:.9}
header.hdr h1{margin:0;font-size:20px;font-weight:600}
header.hdr .who{display:flex;gap:14px;align-items:center;font-size:14px}
header.hdr .who .role{border:1px solid #fff;border-radius:3px;padding:1px 8px}
header.hdr a.hbtn{color:#1f4e79;background:#fff;border-radius:4px;padding:5px 12px;text-decoration:none;font-weight:600}
main{max-width:1240px;margin:18px auto;padding:0 20px}
section.panel{background:#fff;border:1px solid #c9d3de;border-radius:6px;padding:16px 20px;margin-bottom:16px}
h2{font-size:17px;margin:0 0 12px;border-left:5px solid #1f4e79;padding-left:8px}
table.list{border-collapse:collapse;width:100%}
table.list th,table.list td{border:1px solid #c9d3de;padding:6px 8px;text-align:left;font-size:14px}
table.list th{background:#e3eaf2}
.pager{display:flex;justify-content:space-between;align-items:center;margin-bottom:8px;font-size:14px}
.pager nav a,.pager nav span{margin:0 4px}
.btn,button{display:inline-block;min-width:110px;padding:8px 16px;border-radius:4px;border:1px solid #1f4e79;background:#1f4e79;color:#fff;font-size:15px;text-decoration:none;text-align:center;cursor:pointer;font-family:inherit}
.btn.sub,button.sub{background:#fff;color:#1f4e79}
a:focus,button:focus,input:focus,select:focus{outline:3px solid #f0a30a;outline-offset:2px}
.actions{display:flex;gap:12px;margin-top:16px}
form.fields label{display:block;margin:10px 0 4px;font-weight:600}
form.fields input[type=text],form.fields input[type=password]{width:320px;padding:7px;font-size:15px;border:1px solid #8a99a8;border-radius:3px}
.note{font-size:13px;color:#44505c;white-space:pre-line}
.error{color:#b00020;font-weight:600;white-space:pre-line;margin:8px 0}
.ok{color:#0b6b2b;font-weight:600;margin:8px 0}
.rules{font-size:13px;background:#f6f8fa;border:1px solid #d5dde5;padding:10px 14px;white-space:pre-line;line-height:1.6}
.menu{display:grid;grid-template-columns:repeat(3,1fr);gap:14px}
.menu .group{background:#fff;border:1px solid #c9d3de;border-radius:6px;padding:12px 14px}
.menu .group h3{margin:0 0 8px;font-size:15px}
.menu a.item,.menu span.item{display:block;margin:6px 0;padding:9px 12px;border-radius:4px;text-decoration:none;font-weight:600}
.menu a.item{background:#1f4e79;color:#fff}
.menu span.item{background:#e5e8eb;color:#7a8590}
.menu span.item small{display:block;font-weight:400;font-size:12px}
.entry{text-align:center;margin-top:160px}
.login{width:460px;margin:70px auto}
.backdrop{position:fixed;inset:0;background:rgba(20,30,40,.45);display:flex;align-items:center;justify-content:center}
.dialog{background:#fff;border-radius:6px;min-width:460px;max-width:720px;box-shadow:0 8px 30px rgba(0,0,0,.35)}
.dialog .dtitle{background:#1f4e79;color:#fff;padding:10px 16px;border-radius:6px 6px 0 0;font-weight:600}
.dialog .dbody{padding:16px;white-space:pre-line;line-height:1.6}
.dialog .dbody dl{margin:10px 0 0;font-size:14px}
.dialog .dbody dt{font-weight:600}
.dialog .dbody dd{margin:0 0 6px 0}
.dialog .dbtns{display:flex;gap:12px;justify-content:center;padding:0 16px 16px}
.dialog .did{font-size:11px;color:#7a8590;padding:0 16px 8px;text-align:right}
"#;

/// A page drawn by [`Page::render`] with `dialog` laid over it (DLG-01 over the screen the
/// operator was on): the dialog goes last in `<body>` like [`Page::dialog`]'s, and the page's
/// header and `<main>` become `inert`, so the keyboard (and any `autofocus`) stays in the
/// dialog. `None` when `page` is not such a page.
pub fn over(page: &str, dialog: Markup) -> Option<String> {
    let end = page.rfind("</body>")?;
    let main = page.find("<main>")?;
    let header = page.find("<header class=\"hdr\"")?;
    if !(header < main && main < end) {
        return None;
    }
    let mut out = String::with_capacity(page.len() + 4096);
    out.push_str(&page[..header]);
    out.push_str("<header inert class=\"hdr\"");
    out.push_str(&page[header + "<header class=\"hdr\"".len()..main]);
    out.push_str("<main inert>");
    out.push_str(&page[main + "<main>".len()..end]);
    out.push_str(&dialog.into_string());
    out.push_str(&page[end..]);
    Some(out)
}

impl<'a> Page<'a> {
    pub fn new(title: &'a str) -> Self {
        Page {
            title,
            ..Page::default()
        }
    }

    /// The logged-in header (施設名, 利用者名, 権限区分, 《ログアウト》).
    pub fn header(mut self, h: &'a HeaderInfo) -> Self {
        self.header = Some(h);
        self
    }

    /// 《お知らせ一覧》 in the header (the menu's, ⑧).
    pub fn notices_link(mut self) -> Self {
        self.notices_link = true;
        self
    }

    /// The browser reloads the page every `secs` seconds (RULE-53: result lists each minute).
    pub fn refresh_every(mut self, secs: u32) -> Self {
        self.refresh_secs = Some(secs);
        self
    }

    /// A dialog over the page (see `dialog::render`).
    pub fn dialog(mut self, d: Markup) -> Self {
        self.dialog = Some(d);
        self
    }

    pub fn render(self, body: Markup) -> Markup {
        html! {
            (DOCTYPE)
            html lang="ja" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    @if let Some(secs) = self.refresh_secs {
                        meta http-equiv="refresh" content=(secs);
                    }
                    title { (self.title) " - " (t::SYSTEM_NAME) }
                    style { (PreEscaped(CSS)) }
                }
                body {
                    header.hdr {
                        div {
                            div.sys { (t::SYSTEM_NAME) }
                            h1 { (self.title) }
                        }
                        @if let Some(h) = self.header {
                            div.who {
                                @if self.notices_link {
                                    a.hbtn href=(super::paths::NOTICES) { (t::BUTTON_NOTICES) }
                                }
                                span.facility { (h.facility) }
                                span.user { (h.user) }
                                span.role { (h.role) }
                                a.hbtn #logout href={ (super::paths::LOGOUT) "?back=" (h.here) } { (t::BUTTON_LOGOUT) }
                            }
                        }
                    }
                    main { (body) }
                    @if let Some(d) = self.dialog { (d) }
                }
            }
        }
    }
}
