//! RULE-77 over HTTP against the real binary: where the terminal's settings hide the
//! 《顔認証付きカードリーダー環境設定》 menu item, SCR-32 cannot be opened or posted to by its URL
//! either; it answers like SCR-33 for a non-storage pharmacy (RULE-69): the refusal and a way
//! back to the menu.

mod common;

use common::binary::start_server;
use common::operator::Operator;
use oqs_protocol::texts::face as f;

const SCR32: &str = "/face-reader/settings";
const ITEM: &str = ">顔認証付きカードリーダー環境設定<";

#[tokio::test]
async fn rule77_hidden_item_means_closed_screen() {
    let server = start_server(|c| {
        c.args(["--now", "2023-09-15T10:00:00+09:00"]);
    });
    let mut op = Operator::new(&server.addr);
    let p = op.login("staff01", "Staff#Pass01").await;
    assert_eq!(p.status, 200, "{}", p.body);
    // Two face readers, so SCR-32 has settings to post.
    let (s, b) = op
        .admin(
            "PUT",
            "/__admin/terminal/readers",
            r#"{"topology":"face*2"}"#,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    // Default settings: the item is shown and the screen opens.
    assert!(op.get("/menu").await.has(ITEM));
    let open = op.get(SCR32).await;
    assert!(open.has(f::SCR32_HEADING), "{}", open.body);
    assert!(!open.has(r#"id="not-available""#));
    let csrf = open.csrf();

    // ENV-09: the 電子処方箋対応版 software is not installed → no item (RULE-77) …
    let (s, b) = op
        .admin(
            "PUT",
            "/__admin/terminal/settings",
            r#"{"prescription_reader_software":false}"#,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(!op.get("/menu").await.has(ITEM));
    // … and no screen by its URL.
    let p = op.get(SCR32).await;
    assert!(
        p.has(r#"id="not-available" data-rule="RULE-77""#),
        "{}",
        p.body
    );
    assert!(p.has(f::SETTINGS_NOT_AVAILABLE));
    assert!(!p.has(f::SCR32_HEADING), "{}", p.body);
    // Nor does a setting posted by hand reach the terminal.
    let before = op.admin("GET", "/__admin/terminal", "").await.1;
    for confirmed in [None, Some("1")] {
        let mut fields = vec![("reader", "0"), ("show", "0")];
        fields.extend(confirmed.map(|c| ("confirmed", c)));
        let p = op.post(SCR32, &csrf, &fields).await;
        assert!(p.has(r#"data-rule="RULE-77""#), "{}", p.body);
        assert!(p.dialog().is_none(), "{}", p.body);
    }
    assert_eq!(op.admin("GET", "/__admin/terminal", "").await.1, before);

    // ENV-03 資格確認時以外に確認する (医科) hides it as well (software installed).
    let (s, b) = op
        .admin(
            "PUT",
            "/__admin/terminal/settings",
            r#"{"prescription_at_check":false}"#,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(op.get(SCR32).await.has(r#"data-rule="RULE-77""#));

    // Back to the defaults: the screen opens again.
    let (s, b) = op.admin("PUT", "/__admin/terminal/settings", "{}").await;
    assert_eq!(s, 200, "{b}");
    assert!(op.get(SCR32).await.has(f::SCR32_HEADING));
}
