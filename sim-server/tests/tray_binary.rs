//! The trainer's card tray (`/__tray`, issue 13) against the real binary: each action of its
//! forms changes what a check then answers (the same services as the admin JSON routes), and
//! the tray keeps the admin API's guard (Host, Origin, CSRF token, admin token).

mod common;

use common::binary::{start_server, Server};
use common::tray::Tray;
use serde_json::{json, Value};

/// The simulator with its exchange folder (where face readers write) in a temporary folder.
fn start(extra: &[&str]) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start_server(|c| {
        c.args(["--now", "2021-01-06T10:00:00+09:00", "--exchange-dir"])
            .arg(dir.path())
            .args(extra);
    });
    (server, dir)
}

fn err_of(v: &Value) -> &str {
    v["dialog"]["err"].as_str().unwrap_or("")
}

/// The confirmation id a redirect names (a face reader ran a check).
fn confirmation_of(location: &str) -> u64 {
    location
        .split("confirmation=")
        .nth(1)
        .and_then(|s| s.split('#').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no confirmation in {location}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_is_the_simulators_and_lists_every_flow_and_dialog() {
    let (server, _dir) = start(&[]);
    let tray = Tray::open(&server).await;
    let page = tray.page("").await;
    assert!(page.contains("シミュレーター操作トレイ"));
    assert!(page.contains("オンライン資格確認等システムの画面ではありません"));
    for n in 1..=45 {
        assert!(page.contains(&format!("id=\"FLOW-{n:02}\"")), "FLOW-{n:02}");
    }
    for n in (1..=31).filter(|n| *n != 29) {
        assert!(page.contains(&format!("id=\"ERR-{n:02}\"")), "ERR-{n:02}");
    }
    // Every profile can be put on a reader; no script and nothing from another site.
    for p in [
        "valid",
        "revoked",
        "pin-locked",
        "unregistered",
        "not-mynumber",
    ] {
        assert!(page.contains(&format!("<option value=\"{p}\">")), "{p}");
    }
    assert!(!page.contains("<script") && !page.contains("https://"));
    // Each row links its operator screen once the simulator has it.
    assert!(page.contains(r#"<a href="/face-reader" target="oqs">SCR-31 を開く</a>"#));
    assert!(
        page.contains(r#"<a href="/login" target="oqs">"#)
            || page.contains(r#"<a href="/" target="oqs">"#)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn readers_cards_and_modes_change_what_the_check_answers() {
    let (server, _dir) = start(&[]);
    let tray = Tray::open(&server).await;

    tray.act("/__tray/topology", &[("topology", "none")]).await;
    assert_eq!(err_of(&tray.check(json!({})).await), "ERR-09");
    tray.act("/__tray/topology", &[("topology", "generic+face")])
        .await;
    let v = tray.check(json!({})).await;
    assert_eq!(err_of(&v), "ERR-17");
    assert!(v["guidance"].is_string(), "ERR-19 beside ERR-17: {v}");
    tray.act("/__tray/topology", &[("topology", "generic*2")])
        .await;
    assert_eq!(err_of(&tray.check(json!({})).await), "ERR-18");

    tray.act("/__tray/topology", &[("topology", "generic")])
        .await;
    tray.act("/__tray/readers/0/card", &[("profile", "revoked")])
        .await;
    assert_eq!(
        tray.get_json("/__admin/terminal").await["readers"][0]["card"],
        "revoked"
    );
    assert_eq!(err_of(&tray.check(json!({})).await), "ERR-05");

    // Another holder on a valid card: the check finds that person.
    tray.act(
        "/__tray/readers/0/card",
        &[("profile", "valid"), ("person", "kouki-jiro")],
    )
    .await;
    let v = tray.check(json!({"method": "visual"})).await;
    assert_eq!(v["person"], "kouki-jiro", "{v}");
    assert!(v["banner"].is_string(), "{v}");

    tray.act("/__tray/readers/0/remove", &[]).await;
    assert!(tray.get_json("/__admin/terminal").await["readers"][0]["card"].is_null());

    // A person who is not in the population, a reader that does not exist: refused, shown.
    let (status, _) = tray
        .post(
            "/__tray/readers/0/card",
            &[("profile", "valid"), ("person", "nobody")],
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = tray
        .post("/__tray/readers/7/card", &[("profile", "valid")])
        .await;
    assert_eq!(status, 422);

    // A face reader in 無人運転 runs its check when the card is put on it (ERR-27); the tray
    // shows it.
    tray.act("/__tray/topology", &[("topology", "face")]).await;
    let location = tray
        .act("/__tray/readers/0/card", &[("profile", "unregistered")])
        .await;
    let id = confirmation_of(&location);
    let c = tray.get_json(&format!("/terminal/mynumber/{id}")).await;
    assert_eq!(err_of(&c), "ERR-27");
    let page = tray.page(&format!("?done=card&confirmation={id}")).await;
    assert!(page.contains("マイナンバーカードを保険証として利用するための登録を開始します。"));
    // In 目視確認 the card waits for SCR-31's check.
    tray.act("/__tray/readers/0/mode", &[("mode", "目視確認")])
        .await;
    assert_eq!(
        tray.get_json("/__admin/terminal").await["readers"][0]["mode"],
        "目視確認"
    );
    let location = tray
        .act("/__tray/readers/0/card", &[("profile", "uninsured")])
        .await;
    assert!(!location.contains("confirmation="), "{location}");
    assert_eq!(
        err_of(&tray.check(json!({"face_reader": true})).await),
        "ERR-28"
    );

    // 日本語名称 and セットアップ済み (RULE-82, ERR-29's condition), as the admin route sets them.
    tray.act("/__tray/readers/0/face", &[("label", "外科受付用")])
        .await;
    let r = &tray.get_json("/__admin/terminal").await["readers"][0];
    assert_eq!(
        (r["label"].as_str(), r["set_up"].as_bool()),
        (Some("外科受付用"), Some(false))
    );
    tray.act("/__tray/readers/0/face", &[("label", ""), ("set_up", "on")])
        .await;
    let r = &tray.get_json("/__admin/terminal").await["readers"][0];
    assert_eq!(
        (r["label"].as_str(), r["set_up"].as_bool()),
        (None, Some(true))
    );
    tray.act("/__tray/topology", &[("topology", "generic")])
        .await;
    let (status, _) = tray.post("/__tray/readers/0/face", &[("label", "x")]).await;
    assert_eq!(status, 422, "a generic reader has no 日本語名称");
}

#[tokio::test(flavor = "multi_thread")]
async fn faults_are_injected_and_cleared() {
    let (server, _dir) = start(&[]);
    let tray = Tray::open(&server).await;
    tray.act("/__tray/readers/0/card", &[("profile", "valid")])
        .await;
    tray.act(
        "/__tray/faults/terminal",
        &[("kind", "authentication-error"), ("code", "f1234567")],
    )
    .await;
    let v = tray.check(json!({})).await;
    assert_eq!(err_of(&v), "ERR-14");
    assert!(
        v["dialog"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("code:f1234567"),
        "{v}"
    );
    tray.act("/__tray/faults/terminal", &[("kind", "read-failure")])
        .await;
    assert_eq!(err_of(&tray.check(json!({})).await), "ERR-10");
    tray.act("/__tray/faults/terminal", &[("kind", "")]).await;
    assert!(tray.check(json!({})).await["banner"].is_string());

    tray.act(
        "/__tray/faults/exchange",
        &[("reject", "system-error"), ("partial_write_ms", "300")],
    )
    .await;
    assert_eq!(
        tray.get_json("/__admin/faults/exchange").await,
        json!({"reject": "system-error", "partial_write_ms": 300})
    );
    // The admin route's bounds hold here too.
    let (status, _) = tray
        .post("/__tray/faults/exchange", &[("partial_write_ms", "10001")])
        .await;
    assert_eq!(status, 422);
    tray.act("/__tray/faults/exchange", &[]).await;
    assert_eq!(
        tray.get_json("/__admin/faults/exchange").await,
        json!({"reject": null, "partial_write_ms": null})
    );

    tray.act("/__tray/faults/jobs", &[("system_error", "on")])
        .await;
    assert_eq!(
        tray.get_json("/__admin/faults/jobs").await["systemError"],
        true
    );
    tray.act("/__tray/faults/jobs", &[]).await;
    assert_eq!(
        tray.get_json("/__admin/faults/jobs").await["systemError"],
        false
    );
    tray.act("/__tray/pacing", &[("pacing", "hold")]).await;
    assert_eq!(
        tray.get_json("/__admin/jobs/pacing").await["pacing"],
        "hold"
    );
    let (status, _) = tray.post("/__tray/pacing", &[("pacing", "soon")]).await;
    assert_eq!(status, 422);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_clock_is_set_frozen_and_given_back_and_reset_restores() {
    let (server, _dir) = start(&[]);
    let tray = Tray::open(&server).await;
    tray.act(
        "/__tray/clock",
        &[("action", "set"), ("now", "2022-04-01T09:30")],
    )
    .await;
    let clock = tray.get_json("/__admin/clock").await;
    assert_eq!(
        clock,
        json!({"now": "2022-04-01T09:30:00+09:00", "mode": "frozen"})
    );
    tray.act("/__tray/readers/0/card", &[("profile", "valid")])
        .await;
    assert_eq!(
        tray.check(json!({})).await["confirmation_date"],
        "2022/04/01"
    );
    tray.act(
        "/__tray/clock",
        &[
            ("action", "set"),
            ("now", "2022-04-01T09:30:15"),
            ("advance", "on"),
        ],
    )
    .await;
    assert_eq!(tray.get_json("/__admin/clock").await["mode"], "running");
    tray.act("/__tray/clock", &[("action", "freeze")]).await;
    assert_eq!(tray.get_json("/__admin/clock").await["mode"], "frozen");
    tray.act("/__tray/clock", &[("action", "system")]).await;
    assert_eq!(tray.get_json("/__admin/clock").await["mode"], "system");
    let (status, _) = tray
        .post("/__tray/clock", &[("action", "set"), ("now", "tomorrow")])
        .await;
    assert_eq!(status, 422);

    // Reset: a fixture loaded through the admin API is gone again; the terminal is back to one
    // empty generic reader.
    let before = tray.get_json("/__admin/population").await["persons"].as_u64();
    let fixture = "[[insurer]]\nnumber = \"06139999\"\nname = \"トレイ保険者\"\n\n[[person]]\nid = \"tray-person\"\nname = \"試験 花子\"\nkana = \"シケン ハナコ\"\nsex = \"女\"\nbirthdate = \"1980-01-01\"\n\n[[person.qualification]]\ninsurer = \"06139999\"\nnumber = \"1\"\nvalid_from = 2020-01-01\n";
    let r = tray
        .http
        .post(format!("{}/__admin/fixtures", tray.base))
        .header("content-type", "application/toml")
        .body(fixture)
        .send()
        .await
        .expect("fixtures");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    assert_ne!(
        tray.get_json("/__admin/population").await["persons"].as_u64(),
        before
    );
    tray.act("/__tray/topology", &[("topology", "face*2")])
        .await;
    tray.act("/__tray/reset", &[("what", "population")]).await;
    assert_eq!(
        tray.get_json("/__admin/population").await["persons"].as_u64(),
        before
    );
    assert_eq!(
        tray.get_json("/__admin/terminal").await["readers"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    tray.act("/__tray/reset", &[("what", "all")]).await;
    let t = tray.get_json("/__admin/terminal").await;
    assert_eq!(t["readers"].as_array().map(Vec::len), Some(1), "{t}");
    assert_eq!(t["readers"][0]["kind"], "generic");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_facility_settings_change_what_scr_08_offers() {
    let (server, _dir) = start(&[]);
    let tray = Tray::open(&server).await;
    tray.act(
        "/__tray/settings",
        &[
            ("facility", "1234567890"),
            ("prescription_usage", "紙の処方箋のみ"),
            ("prescription_at_check", "on"),
        ],
    )
    .await;
    let s = &tray.get_json("/__admin/terminal").await["settings"];
    assert_eq!(s["prescription_usage"], "紙の処方箋のみ");
    assert_eq!(
        (s["consent_usage"].as_bool(), s["reader_software"].as_bool()),
        (Some(false), Some(false))
    );
    // SCR-08 as data follows: no consent boxes, only the paper form.
    let screen = tray.get_json("/terminal/mynumber").await;
    assert_eq!(screen["consent_boxes"], json!([]));
    assert_eq!(
        screen["prescription_forms"],
        json!(["紙の処方箋を希望する"])
    );
    let (status, _) = tray
        .post(
            "/__tray/settings",
            &[("facility", "12345"), ("prescription_usage", "利用しない")],
        )
        .await;
    assert_eq!(status, 422);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_dialog_preset_reproduces_its_dialog() {
    let (server, _dir) = start(&[]);
    let tray = Tray::open(&server).await;
    for n in (5..=19).chain(25..=28) {
        let id = format!("ERR-{n:02}");
        let location = tray.act("/__tray/exercise", &[("id", &id)]).await;
        // A face reader in 目視確認 checks on SCR-31's request only.
        assert!(!location.contains("confirmation="), "{location}");
        let got = match n {
            25..=28 => tray.check(json!({"face_reader": true})).await,
            13 => tray.check(json!({"method": "pin", "pin": "1234"})).await,
            _ => tray.check(json!({})).await,
        };
        let shown = match n {
            // ERR-08 is a notice before the result; ERR-19 the guidance beside ERR-17.
            8 => got["notice"]["err"].as_str().unwrap_or(""),
            19 => {
                assert!(got["guidance"].is_string(), "{got}");
                "ERR-19"
            }
            _ => err_of(&got),
        };
        assert_eq!(shown, id, "{got}");
    }
    // ch.6: a 被保護者's card, checked on 2023/09/15 (ERR-20/21 are inline on SCR-11).
    for (id, shown) in [
        (
            "ERR-20",
            "医療券/調剤券情報が登録されていません。福祉事務所へ連絡してください。",
        ),
        (
            "ERR-21",
            "社会保険状況に不整合があります。患者に現在の加入資格を確認して下さい。",
        ),
        (
            "ERR-22",
            "ご使用のマイナンバーカードで、資格確認日に該当する資格情報が存在しません。",
        ),
    ] {
        tray.act("/__tray/exercise", &[("id", id)]).await;
        let v = tray.check(json!({"confirmation_date": "2023/09/15"})).await;
        assert!(v.to_string().contains(shown), "{id}: {v}");
    }
    // The flows with a preset end in a qualification (SCR-10).
    for id in ["FLOW-08", "FLOW-09", "FLOW-23"] {
        tray.act("/__tray/exercise", &[("id", id)]).await;
        let v = tray.check(json!({"method": "pin", "pin": "1234"})).await;
        assert!(v["banner"].is_string(), "{id}: {v}");
    }
    // The face-reader flows: the reader in the mode the flow starts from.
    tray.act("/__tray/exercise", &[("id", "FLOW-38")]).await;
    let r = &tray.get_json("/__admin/terminal").await["readers"];
    assert_eq!(
        (r[0]["kind"].as_str(), r[0]["mode"].as_str()),
        (Some("face"), Some("無人運転"))
    );
    tray.act("/__tray/exercise", &[("id", "FLOW-39")]).await;
    let c = tray.check(json!({"face_reader": true})).await;
    assert_eq!(c["banner"], "この資格は有効です。", "{c}");
    assert_eq!(c["method"], "目視確認");
    tray.act("/__tray/exercise", &[("id", "ERR-29")]).await;
    assert_eq!(
        tray.get_json("/__admin/terminal").await["readers"][0]["kind"],
        "generic"
    );
    let (status, _) = tray.post("/__tray/exercise", &[("id", "FLOW-01")]).await;
    assert_eq!(status, 422, "FLOW-01 has no preset");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_tray_keeps_the_admin_guard() {
    let (server, _dir) = start(&[]);
    let tray = Tray::open(&server).await;
    let url = format!("{}/__tray/topology", tray.base);
    let form = [("csrf", tray.csrf.as_str()), ("topology", "none")];
    let send =
        |r: reqwest::RequestBuilder| async move { r.send().await.expect("send").status().as_u16() };
    // Another site's page, a rebound DNS name, no Origin/Referer, a wrong token, JSON.
    assert_eq!(
        send(
            tray.http
                .post(&url)
                .header("origin", "http://evil.example")
                .form(&form)
        )
        .await,
        403
    );
    assert_eq!(
        send(tray.http.post(&url).header("origin", "null").form(&form)).await,
        403
    );
    assert_eq!(
        send(
            tray.http
                .post(&url)
                .header("host", "evil.example")
                .header("origin", "http://evil.example")
                .form(&form)
        )
        .await,
        403
    );
    assert_eq!(
        send(
            tray.http
                .get(format!("{}/__tray", tray.base))
                .header("host", "evil.example")
        )
        .await,
        403
    );
    assert_eq!(send(tray.http.post(&url).form(&form)).await, 403);
    assert_eq!(
        send(
            tray.http
                .post(&url)
                .header("origin", &tray.base)
                .form(&[("csrf", "0".repeat(32).as_str()), ("topology", "none")])
        )
        .await,
        403
    );
    assert_eq!(
        send(
            tray.http
                .post(&url)
                .header("origin", &tray.base)
                .header("content-type", "application/json")
                .body("{}")
        )
        .await,
        415
    );
    // Nothing of that changed the readers; the page's own Referer is enough.
    assert_eq!(
        tray.get_json("/__admin/terminal").await["readers"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(
        send(
            tray.http
                .post(&url)
                .header("referer", format!("{}/__tray", tray.base))
                .form(&form)
        )
        .await,
        303
    );
    assert_eq!(
        tray.get_json("/__admin/terminal").await["readers"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_an_admin_token_the_tray_is_unlocked_first() {
    let (server, _dir) = start(&["--admin-token", "s3cret-token"]);
    let mut tray = Tray::open(&server).await;
    // Locked: the unlock form only, and no action passes.
    let page = tray.page("").await;
    assert!(page.contains("トレイのロック解除") && !page.contains("カードを置く"));
    let (status, _) = tray.post("/__tray/topology", &[("topology", "none")]).await;
    assert_eq!(status, 401);
    let (status, _) = tray.post("/__tray/unlock", &[("token", "wrong")]).await;
    assert_eq!(status, 401);
    let r = tray
        .http
        .post(format!("{}/__tray/unlock", tray.base))
        .header("origin", &tray.base)
        .form(&[("csrf", tray.csrf.as_str()), ("token", "s3cret-token")])
        .send()
        .await
        .expect("unlock");
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    tray.cookie = cookie.split(';').next().map(str::to_owned);
    assert!(tray.page("").await.contains("カードを置く"));
    tray.act("/__tray/topology", &[("topology", "none")]).await;
    let readers = tray
        .http
        .get(format!("{}/__admin/terminal", tray.base))
        .bearer_auth("s3cret-token")
        .send()
        .await
        .expect("admin")
        .json::<Value>()
        .await
        .expect("json");
    assert_eq!(readers["readers"], json!([]));
    // A made-up cookie does not unlock.
    tray.cookie = Some("oqs_tray=00000000000000000000000000000000".into());
    let (status, _) = tray
        .post("/__tray/topology", &[("topology", "generic")])
        .await;
    assert_eq!(status, 401);
}
