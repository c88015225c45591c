//! The ch.3 check screens' own steps (SCR-21 grey rows, SCR-23 《ダウンロード》); the rest is said
//! with the screen steps of `screens.rs`.

use super::screens::attr;
use super::OqsWorld;
use cucumber::{then, when};

/// The `<tr …>` tag of the SCR-21 row whose name button says `name`.
fn row_tag(page: &str, name: &str) -> String {
    let at = page
        .find(&format!(">{name}</button>"))
        .unwrap_or_else(|| panic!("no row 「{name}」 on the screen:\n{page}"));
    let start = page[..at].rfind("<tr").expect("the row");
    page[start..start + page[start..].find('>').expect("tag end")].to_owned()
}

#[then(regex = r"^一覧の「([^」]*)」の行は灰色で表示される$")]
async fn row_grey(w: &mut OqsWorld, name: String) {
    let tag = row_tag(&w.browser().page, &name);
    assert!(tag.contains("grey"), "not grey: {tag}");
}

#[then(regex = r"^一覧の「([^」]*)」の行は灰色で表示されない$")]
async fn row_not_grey(w: &mut OqsWorld, name: String) {
    let tag = row_tag(&w.browser().page, &name);
    assert!(!tag.contains("grey"), "grey: {tag}");
}

#[then(regex = r"^閲覧同意情報の「([^」]*)」の行は灰色で表示(される|されない)$")]
async fn consent_row_grey(w: &mut OqsWorld, label: String, shown: String) {
    let page = w.browser().page.clone();
    let at = page
        .find(&format!("<td>{label}</td>"))
        .unwrap_or_else(|| panic!("no row 「{label}」:\n{page}"));
    let start = page[..at].rfind("<tr").expect("the row");
    let tag = &page[start..at];
    assert_eq!(tag.contains("grey"), shown == "される", "{tag}");
}

#[when(regex = r"^資格情報確認\(訪問診療等・オンライン診療等\)の《ダウンロード》をクリックする$")]
async fn download(w: &mut OqsWorld) {
    let page = w.browser().page.clone();
    let at = page
        .find(r#"id="download""#)
        .unwrap_or_else(|| panic!("no 《ダウンロード》:\n{page}"));
    let start = page[..at].rfind('<').expect("tag");
    let tag = &page[start..start + page[start..].find('>').expect("tag end")];
    let href = attr(tag, "href").expect("href");
    let (status, bytes) = w.screen_bytes(&href).await;
    assert_eq!(status, 200);
    w.visiting.download = Some(String::from_utf8(bytes).expect("UTF-8 XML"));
}

#[then(regex = r"^保存された XML には「(.*)」がある$")]
async fn downloaded_has(w: &mut OqsWorld, text: String) {
    let xml = w.visiting.download.as_deref().expect("a download");
    assert!(xml.contains(&text), "「{text}」 not in:\n{xml}");
}
