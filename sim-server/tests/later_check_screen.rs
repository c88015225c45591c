//! The later check after an outage on the operator screens (RULE-92, FLOW-45 step 4; the
//! simulator's own screen `/later-check`) against the real binary: shown in the menu only to
//! 管理アカウント / 医療情報閲覧アカウント while the period is open, recorded under the
//! session's operator — a login id put into the form changes nothing.

mod common;

use common::binary::{start_server, Server};
use common::operator::{Operator, Page};
use oqs_protocol::texts::outage as t;

fn start() -> Server {
    start_server(|c| {
        c.args(["--now", "2021-01-06T10:00:00+09:00"]);
    })
}

async fn login(server: &Server, user: &str, password: &str) -> Operator {
    let mut op = Operator::new(&server.addr);
    assert_eq!(op.login(user, password).await.status, 200);
    op
}

/// 障害時 records of the facility today, as (login id, name).
async fn outage_records(op: &Operator) -> Vec<(String, String)> {
    let (status, body) = op
        .admin(
            "GET",
            "/history?facility=1234567890&from=2021/01/06&to=2021/01/06&kind=%E9%9A%9C%E5%AE%B3%E6%99%82",
            "",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let j: serde_json::Value = serde_json::from_str(&body).unwrap();
    j["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["login_id"].as_str().unwrap_or_default().to_owned(),
                r["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

const TARO: &[(&str, &str)] = &[
    ("name", "新橋　太郎"),
    ("sex", "男"),
    ("birthdate", "1954/03/26"),
    ("address", ""),
    ("kana", "シンバシ タロウ"),
    ("insurer_name", ""),
    ("visited_on", ""),
];

/// The one page a screen answers with when its menu item is hidden (RULE-90, RULE-92).
fn refused(p: &Page, rule: &str) -> bool {
    p.has(&format!(r#"id="not-available" data-rule="{rule}""#))
}

#[tokio::test]
async fn the_later_check_screen_records_the_sessions_operator() {
    let server = start();
    let mut admin = login(&server, "admin01", "Admin#Pass01").await;
    let item = r#"href="/later-check" data-screen="FLOW-45""#;
    // No outage yet: no menu item; the screen says so and records nothing.
    assert!(!admin.get("/menu").await.has(item));
    // RULE-92: nor by its URL (GET or POST), like any hidden item's screen.
    let form = admin.get("/later-check").await;
    assert!(
        refused(&form, "RULE-92") && !form.has(t::NOTE_NAME),
        "{}",
        form.body
    );
    let csrf = admin.get("/password").await.csrf();
    let p = admin.post("/later-check", &csrf, TARO).await;
    assert!(refused(&p, "RULE-92"), "{}", p.body);

    // During the outage the screens show RULE-91's fallback (503).
    let (s, _) = admin
        .admin(
            "PUT",
            "/__admin/faults/outage",
            r#"{"outage":true,"later_check_days":7}"#,
        )
        .await;
    assert_eq!(s, 200);
    let down = admin.get("/later-check").await;
    assert_eq!(down.status, 503);
    assert!(down.has(t::WITH_MY_NUMBER_CARD));

    // After recovery: the item is shown to 管理アカウント, the check is made and recorded under
    // the session's operator even with another login id slipped into the form.
    let (s, _) = admin.admin("DELETE", "/__admin/faults/outage", "").await;
    assert_eq!(s, 200);
    let menu = admin.get("/menu").await;
    assert!(menu.has(item), "{}", menu.body);
    let form = admin.get("/later-check").await;
    let mut fields = TARO.to_vec();
    fields.push(("login_id", "staff01"));
    fields.push(("facility", "1341234567"));
    let done = admin.post("/later-check", &form.csrf(), &fields).await;
    assert!(
        done.has(r#"data-validity="有効""#) && done.has("この資格は有効です。"),
        "{}",
        done.body
    );
    assert!(done.has("新橋　太郎"));
    assert_eq!(
        outage_records(&admin).await,
        [("admin01".to_owned(), "新橋　太郎".to_owned())]
    );

    // 一般アカウント: no menu item, and a post is refused with RULE-92's sentence.
    let mut staff = login(&server, "staff01", "Staff#Pass01").await;
    assert!(!staff.get("/menu").await.has(item));
    let form = staff.get("/later-check").await;
    assert!(
        refused(&form, "RULE-92") && form.has(t::AFTER_RECOVERY),
        "{}",
        form.body
    );
    let csrf = staff.get("/password").await.csrf();
    let p = staff.post("/later-check", &csrf, TARO).await;
    assert!(refused(&p, "RULE-92"), "{}", p.body);
    // 医療情報閲覧アカウント may.
    let mut viewer = login(&server, "viewer01", "Viewer#Pass01").await;
    assert!(viewer.get("/menu").await.has(item));
    let form = viewer.get("/later-check").await;
    let p = viewer.post("/later-check", &form.csrf(), TARO).await;
    assert!(p.has(r#"data-validity="有効""#));
    let logins: Vec<String> = outage_records(&admin)
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(logins, ["viewer01", "admin01"]);

    // After the set period (7 days): refused, and the item is gone.
    let (s, _) = admin
        .admin(
            "PUT",
            "/__admin/clock",
            r#"{"now":"2021-01-13T10:00:01+09:00"}"#,
        )
        .await;
    assert_eq!(s, 200);
    let mut admin = login(&server, "admin01", "Admin#Pass01").await;
    assert!(!admin.get("/menu").await.has(item));
    assert!(refused(&admin.get("/later-check").await, "RULE-92"));
    let csrf = admin.get("/password").await.csrf();
    let p = admin.post("/later-check", &csrf, TARO).await;
    assert!(refused(&p, "RULE-92"), "{}", p.body);
    assert_eq!(outage_records(&admin).await.len(), 2);
}

/// 災害時 records of the facility today, as login ids.
async fn disaster_logins(op: &Operator) -> Vec<String> {
    let (status, body) = op
        .admin(
            "GET",
            "/history?facility=1234567890&from=2021/01/06&to=2021/01/06&kind=%E7%81%BD%E5%AE%B3%E6%99%82",
            "",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let j: serde_json::Value = serde_json::from_str(&body).unwrap();
    j["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["login_id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

const TARO_CARD: &[(&str, &str)] = &[
    ("insurer", "06139000"),
    ("symbol", "9000"),
    ("number", "10001"),
    ("branch", "01"),
    ("birthdate", "1954/03/26"),
];

#[tokio::test]
async fn the_emergency_screen_opens_only_in_its_period_and_records_the_operator() {
    let server = start();
    let mut staff = login(&server, "staff01", "Staff#Pass01").await;
    let item = r#"href="/emergency-check" data-screen="ENV-14""#;
    // Outside the 対象期間 (RULE-90): no item, and the screen refuses.
    assert!(!staff.get("/menu").await.has(item));
    let form = staff.get("/emergency-check").await;
    assert!(
        refused(&form, "RULE-90") && form.has(t::EMERGENCY_CLOSED),
        "{}",
        form.body
    );
    assert!(!form.has(t::EMERGENCY_SIMULATOR_NOTE));
    let csrf = staff.get("/password").await.csrf();
    let p = staff.post("/emergency-check", &csrf, TARO_CARD).await;
    assert!(refused(&p, "RULE-90"), "{}", p.body);
    assert!(disaster_logins(&staff).await.is_empty());
    // Inside it: the item opens the screen; the card is checked and recorded as 災害時 under
    // the session's operator (a login id slipped into the form changes nothing).
    let (s, _) = staff
        .admin(
            "PUT",
            "/__admin/emergency-period",
            r#"{"from":"2021-01-01","until":"2021-01-06"}"#,
        )
        .await;
    assert_eq!(s, 200);
    assert!(staff.get("/menu").await.has(item));
    let form = staff.get("/emergency-check").await;
    let mut fields = TARO_CARD.to_vec();
    fields.push(("login_id", "admin01"));
    let p = staff.post("/emergency-check", &form.csrf(), &fields).await;
    assert!(
        p.has(r#"data-validity="有効""#) && p.has("この資格は有効です。"),
        "{}",
        p.body
    );
    assert!(p.has("災害時 2021/01/06"));
    assert_eq!(disaster_logins(&staff).await, ["staff01"]);
    // A birth date that is not a date: refused, nothing recorded.
    let mut bad = TARO_CARD.to_vec();
    bad[4] = ("birthdate", "1954/13/26");
    let p = staff.post("/emergency-check", &form.csrf(), &bad).await;
    assert_eq!(
        p.text_of("emergency-refused").as_deref(),
        Some(t::EMERGENCY_BAD_INPUT)
    );
    assert_eq!(disaster_logins(&staff).await.len(), 1);
}
