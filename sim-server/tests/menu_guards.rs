//! RULE-76 and RULE-63 over HTTP against the real binary: where the terminal's settings hide a
//! menu item, its screen cannot be opened or posted to by its URL either. Like SCR-32 (RULE-77)
//! and SCR-33/34 (RULE-69), the screen answers with the one refusal page and a way back to the
//! menu, and a posted form changes nothing. RULE-90 and RULE-92: later_check_screen.rs.

mod common;

use common::binary::{start_server, Server};
use common::operator::Operator;
use oqs_protocol::texts::face as f;
use oqs_protocol::texts::visiting_check as v;

const NOW: &str = "2023-08-25T10:00:00+09:00";

async fn start() -> (Server, Operator) {
    let server = start_server(|c| {
        c.args(["--now", NOW]);
    });
    let mut op = Operator::new(&server.addr);
    let p = op.login("staff01", "Staff#Pass01").await;
    assert_eq!(p.status, 200, "{}", p.body);
    (server, op)
}

async fn set_terminal(op: &Operator, json: &str) {
    let (s, b) = op.admin("PUT", "/__admin/terminal/settings", json).await;
    assert_eq!(s, 200, "{b}");
}

fn refused(p: &common::operator::Page, rule: &str) -> bool {
    p.has(&format!(r#"id="not-available" data-rule="{rule}""#)) && p.dialog().is_none()
}

#[tokio::test(flavor = "multi_thread")]
async fn rule76_hidden_item_means_closed_scr31() {
    let (_server, mut op) = start().await;
    let (s, b) = op
        .admin(
            "PUT",
            "/__admin/terminal/readers",
            r#"{"topology":"face*2"}"#,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    const ITEM: &str = ">顔認証付きカードリーダー操作<";
    const SCR31: &str = "/face-reader";
    let switch = [("reader", "0"), ("mode", "pin-only"), ("confirmed", "1")];
    // Default settings (ENV-08 installed): the item, the screen and its switch work.
    assert!(op.get("/menu").await.has(ITEM));
    let open = op.get(SCR31).await;
    assert!(open.has(f::SCR31_READER_HEADING), "{}", open.body);
    assert!(!open.has(r#"id="not-available""#));
    let csrf = open.csrf();
    let before = op.admin("GET", "/__admin/terminal", "").await.1;
    let p = op.post("/face-reader/mode", &csrf, &switch).await;
    assert!(p.dialog().is_some(), "{}", p.body);
    let switched = op.admin("GET", "/__admin/terminal", "").await.1;
    assert_ne!(
        switched, before,
        "the switch reaches the terminal when shown"
    );

    // ENV-08 not installed → no item (RULE-76) and no screen by its URL.
    set_terminal(&op, r#"{"reader_software":false}"#).await;
    assert!(!op.get("/menu").await.has(ITEM));
    let p = op.get(SCR31).await;
    assert!(refused(&p, "RULE-76"), "{}", p.body);
    assert!(p.has(f::OPERATION_NOT_AVAILABLE));
    assert!(!p.has(f::SCR31_READER_HEADING));
    // Its posts change nothing on the terminal.
    let before = op.admin("GET", "/__admin/terminal", "").await.1;
    let back = [("reader", "0"), ("mode", "unattended"), ("confirmed", "1")];
    let p = op.post("/face-reader/mode", &csrf, &back).await;
    assert!(refused(&p, "RULE-76"), "{}", p.body);
    let p = op
        .post(
            "/face-reader/visual",
            &csrf,
            &[("date", "2023/08/25"), ("done", "on"), ("confirmed", "1")],
        )
        .await;
    assert!(refused(&p, "RULE-76"), "{}", p.body);
    assert_eq!(op.admin("GET", "/__admin/terminal", "").await.1, before);

    // Installed again: the screen opens again.
    set_terminal(&op, "{}").await;
    assert!(op.get(SCR31).await.has(f::SCR31_READER_HEADING));
}

/// An SCR-22 《検索》 that reaches SCR-23 when the screen is shown.
const INQUIRY: [(&str, &str); 11] = [
    ("kind", "訪問診療等"),
    ("insurer", "00050013"),
    ("symbol", "hmtmList11"),
    ("number", "102"),
    ("branch", "00"),
    ("era", "昭和"),
    ("year", "57"),
    ("month", "1"),
    ("day", "1"),
    ("date", "2023/08/25"),
    ("step", "search"),
];

#[tokio::test(flavor = "multi_thread")]
async fn rule63_hidden_items_mean_closed_visiting_screens() {
    let (_server, mut op) = start().await;
    // (item's path on the menu, a screen reached by GET, what that screen shows)
    let screens = [
        (
            "/visiting-care/consented",
            "/visiting-care/consented",
            v::TITLE_CONSENTED,
        ),
        (
            "/visiting-care/inquiry",
            "/visiting-care/inquiry",
            v::TITLE_INQUIRY,
        ),
        (
            "/visiting-bulk",
            "/visiting-bulk",
            "資格情報一括照会(訪問診療等・オンライン診療等)",
        ),
        (
            "/visiting-bulk/results",
            "/visiting-bulk/results",
            "資格情報一括照会結果(訪問診療等・オンライン診療等)",
        ),
        (
            "/consent-cancel",
            "/consent-cancel",
            "同意取消照会(訪問診療等)",
        ),
    ];
    // ENV-06 = 利用する (the default): every item and screen.
    let menu = op.get("/menu").await;
    for (item, path, shows) in screens {
        assert!(menu.has(&format!(r#"href="{item}""#)), "{item}");
        let p = op.get(path).await;
        assert!(p.has(shows), "{path}: {}", p.body);
        assert!(!p.has(r#"id="not-available""#), "{path}");
    }
    let scr22 = op.get("/visiting-care/inquiry").await;
    let csrf = scr22.csrf();
    let journal = op.admin("GET", "/__admin/journal", "").await.1;
    let scr23 = op.post("/visiting-care/inquiry", &csrf, &INQUIRY).await;
    assert!(scr23.has(v::TITLE_RESULT), "{}", scr23.body);
    let result = scr23
        .body
        .split("/visiting-care/result/")
        .nth(1)
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .map(|id| format!("/visiting-care/result/{id}"))
        .expect("SCR-23 links its result");
    assert!(op.get(&result).await.has(v::TITLE_RESULT));
    let after = op.admin("GET", "/__admin/journal", "").await.1;
    assert_ne!(after, journal, "a shown SCR-22 journals its inquiry");

    // ENV-06 = 利用しない: no item (RULE-63) and no screen by its URL, SCR-23 included.
    set_terminal(&op, r#"{"visiting_service":false}"#).await;
    let menu = op.get("/menu").await;
    for (item, path, shows) in screens {
        assert!(!menu.has(&format!(r#"href="{item}""#)), "{item}");
        let p = op.get(path).await;
        assert!(refused(&p, "RULE-63"), "{path}: {}", p.body);
        assert!(p.has(v::VISITING_NOT_AVAILABLE), "{path}");
        assert!(!p.has(shows), "{path}");
    }
    let p = op.get(&result).await;
    assert!(refused(&p, "RULE-63"), "{}", p.body);
    // Posts change nothing: no inquiry is sent, no consent cancelled.
    let journal = op.admin("GET", "/__admin/journal", "").await.1;
    let p = op.post("/visiting-care/inquiry", &csrf, &INQUIRY).await;
    assert!(refused(&p, "RULE-63"), "{}", p.body);
    assert!(!p.has(v::TITLE_RESULT));
    for path in [
        "/consent-cancel",
        "/consent-cancel/confirm",
        "/consent-cancel/cancel",
    ] {
        let p = op.post(path, &csrf, &INQUIRY).await;
        assert!(refused(&p, "RULE-63"), "{path}: {}", p.body);
    }
    let p = op
        .post(
            "/visiting-care/consented/open",
            &csrf,
            &[("consent", "1"), ("search", "")],
        )
        .await;
    assert!(refused(&p, "RULE-63"), "{}", p.body);
    assert_eq!(op.admin("GET", "/__admin/journal", "").await.1, journal);

    // 利用する again: the screens open again.
    set_terminal(&op, "{}").await;
    assert!(op.get("/visiting-care/inquiry").await.has(v::TITLE_INQUIRY));
}
