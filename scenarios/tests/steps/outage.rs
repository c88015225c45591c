//! システム障害 (ch.12, ENV-15, RULE-91/92, FLOW-45) and 緊急時医療情報・資格確認機能 (RULE-90,
//! ENV-14) through the admin fault, every way in, the later check and the emergency routes.

use super::world::{OqsWorld, Reply, Transport};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};

/// 新橋 太郎's card (the manual's first sample person).
fn taro_xml() -> Vec<u8> {
    b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>1234567890</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo><InsurerNumber>06139000</InsurerNumber><InsuredCardSymbol>9000</InsuredCardSymbol><InsuredIdentificationNumber>10001</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber><Birthdate>19540326</Birthdate><LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo></MessageBody></XmlMsg>".to_vec()
}

async fn admin(w: &mut OqsWorld, method: &str, uri: &str, body: serde_json::Value) {
    let (status, bytes) = w
        .http(
            method,
            uri,
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(status, 200, "{uri}: {}", String::from_utf8_lossy(&bytes));
}

#[given(regex = r"^システム障害が発生している$")]
#[when(regex = r"^システム障害が発生する$")]
async fn outage(w: &mut OqsWorld) {
    admin(
        w,
        "PUT",
        "/__admin/faults/outage",
        serde_json::json!({"outage": true}),
    )
    .await;
}

#[given(regex = r"^システム障害が発生し、後日の確認期間は (\d+) 日である$")]
async fn outage_with_period(w: &mut OqsWorld, days: u32) {
    admin(
        w,
        "PUT",
        "/__admin/faults/outage",
        serde_json::json!({"outage": true, "later_check_days": days}),
    )
    .await;
}

#[given(regex = r"^システムが復旧した$")]
#[when(regex = r"^システムが復旧する$")]
async fn recover(w: &mut OqsWorld) {
    admin(
        w,
        "DELETE",
        "/__admin/faults/outage",
        serde_json::Value::Null,
    )
    .await;
}

#[when(regex = r"^新橋 太郎の被保険者証で (XML/HTTP|ファイル連携|WebAPI) ?から資格確認する$")]
async fn check_taro(w: &mut OqsWorld, t: String) {
    match Transport::from_words(&t) {
        Transport::WebApi => {
            // The WebAPI client authenticates first; during an outage that is already refused.
            let (status, bytes) = w
                .http(
                    "POST",
                    sim_server::webapi::AUTH_PATH,
                    &[("content-type", "application/json")],
                    br#"{"userId":"webapi01","password":"Demo#Pass2021"}"#.to_vec(),
                )
                .await;
            w.replies.push(Reply {
                transport: Transport::WebApi,
                status,
                bytes,
                file_name: None,
                request_name: None,
            });
        }
        other => w.send(other, Some(taro_xml())).await,
    }
}

#[then(regex = r"^システム障害として「(.*)」で断られる$")]
fn refused_as_outage(w: &mut OqsWorld, message: String) {
    let r = w.last();
    let text = String::from_utf8_lossy(&r.bytes).into_owned();
    match r.transport {
        Transport::Http => {
            assert_eq!(r.status, 503, "{text}");
            assert!(text.starts_with(&format!("EQ0901 {message}\n")), "{text}");
        }
        Transport::Exchange => {
            assert_eq!(r.status, 400, "a .err file: {text}");
            assert!(r.file_name.as_deref().is_some_and(|n| n.ends_with(".err")));
            assert!(text.starts_with(&format!("EQ0901 {message}\n")), "{text}");
        }
        Transport::WebApi => {
            assert_eq!(r.status, 503, "{text}");
            let j = r.json();
            assert_eq!(j["msg"], message.as_str(), "{j}");
            assert_eq!(j["errorCode"], "EQ0901", "{j}");
        }
    }
}

#[then(regex = r"^要求ジャーナルには障害中の要求が (\d+) 件、すべて「([^」]*)」で記録されている$")]
fn journalled(w: &mut OqsWorld, n: usize, code: String) {
    let all = w.sim.journal.since(0, usize::MAX);
    let during: Vec<_> = all
        .iter()
        .filter(|e| e.error_code.as_deref() == Some(code.as_str()))
        .collect();
    assert_eq!(during.len(), n, "{all:?}");
}

#[when(regex = r"^資格確認端末で(被保険者証|マイナンバーカード)の資格確認をしようとする$")]
async fn terminal_try(w: &mut OqsWorld, card: String) {
    let (uri, body) = if card == "被保険者証" {
        (
            "/terminal/insurance-card",
            serde_json::json!({"insurer_number": "06139000", "symbol": "9000", "number": "10001", "branch": "01", "birthdate": "19540326"}),
        )
    } else {
        (
            "/terminal/mynumber",
            serde_json::json!({"method": "pin", "pin": "1234"}),
        )
    };
    let (status, bytes) = w
        .http(
            "POST",
            uri,
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await;
    w.outage.last = Some((
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    ));
}

fn terminal_answer(w: &OqsWorld) -> &(u16, serde_json::Value) {
    w.outage.last.as_ref().expect("no answer yet")
}

#[then(
    regex = r"^資格確認端末は確認できず、(被保険者証|マイナンバーカード)を持参した患者には「(.*)」と示す$"
)]
fn terminal_fallback(w: &mut OqsWorld, card: String, text: String) {
    let (status, j) = terminal_answer(w);
    assert_eq!(*status, 503, "{j}");
    assert_eq!(j["error"], "ENV-15", "{j}");
    let key = if card == "被保険者証" {
        "insuranceCard"
    } else {
        "myNumberCard"
    };
    assert_eq!(j["fallback"][key], text.as_str(), "{j}");
}

#[then(regex = r"^控える情報として次が示される:?$")]
fn notes_shown(w: &mut OqsWorld, step: &Step) {
    let (_, j) = terminal_answer(w);
    let wanted: Vec<String> = step
        .table
        .as_ref()
        .expect("a table")
        .rows
        .iter()
        .map(|r| r[0].clone())
        .collect();
    let shown: Vec<String> = j["fallback"]["note"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(shown, wanted, "{j}");
}

/// `Authorization: Basic` of a demo account (README "Operator screens"): the recovery routes
/// take their operator from the authenticated caller, never from the body.
fn basic(login_id: &str) -> String {
    use base64::Engine as _;
    let password = match login_id {
        "admin01" => "Admin#Pass01",
        "viewer01" => "Viewer#Pass01",
        "staff01" => "Staff#Pass01",
        other => panic!("no demo password for 「{other}」"),
    };
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{login_id}:{password}"))
    )
}

#[when(regex = r"^「([^」]*)」が控えた券面情報で資格を確認する:?$")]
async fn later_check(w: &mut OqsWorld, login_id: String, step: &Step) {
    let mut body = serde_json::json!({});
    for row in &step.table.as_ref().expect("a table").rows {
        let key = match row[0].as_str() {
            "氏名（漢字）" => "name",
            "性別" => "sex",
            "生年月日" => "birthdate",
            "住所" => "address",
            "氏名（カナ）" => "kana",
            "加入している保険者名" => "insurer_name",
            "来院日" => "visited_on",
            other => panic!("「{other}」 is not an item of the noted data (DM-23)"),
        };
        body[key] = serde_json::json!(row[1]);
    }
    let auth = basic(&login_id);
    let (status, bytes) = w
        .http(
            "POST",
            "/outage/later-check",
            &[
                ("content-type", "application/json"),
                ("authorization", auth.as_str()),
            ],
            body.to_string().into_bytes(),
        )
        .await;
    w.outage.last = Some((
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    ));
}

#[then(regex = r"^後日の資格確認の結果は「([^」]*)」で、バナー「([^」]*)」が表示される$")]
fn later_result(w: &mut OqsWorld, validity: String, banner: String) {
    let (status, j) = terminal_answer(w);
    assert_eq!(*status, 200, "{j}");
    assert_eq!(j["validity"], validity.as_str(), "{j}");
    assert_eq!(j["banner"], banner.as_str(), "{j}");
}

#[then(regex = r"^後日の資格確認の結果は「([^」]*)」である$")]
fn later_validity(w: &mut OqsWorld, validity: String) {
    let (status, j) = terminal_answer(w);
    assert_eq!(*status, 200, "{j}");
    assert_eq!(j["validity"], validity.as_str(), "{j}");
}

#[then(regex = r"^後日の資格確認はできない（HTTP (\d+)）$")]
fn later_refused(w: &mut OqsWorld, status: u16) {
    let (s, j) = terminal_answer(w);
    assert_eq!(*s, status, "{j}");
}

#[given(regex = r"^緊急時医療情報・資格確認機能の対象期間は「([^」]*)」から「([^」]*)」である$")]
async fn emergency_period(w: &mut OqsWorld, from: String, until: String) {
    admin(
        w,
        "PUT",
        "/__admin/emergency-period",
        serde_json::json!({"from": from, "until": until}),
    )
    .await;
}

#[then(regex = r"^メニューに《緊急時医療情報・資格確認機能》が(表示される|表示されない)$")]
async fn emergency_menu(w: &mut OqsWorld, which: String) {
    let (status, bytes) = w.http("GET", "/emergency", &[], Vec::new()).await;
    assert_eq!(status, 200);
    let j: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    let shown = which == "表示される";
    assert_eq!(j["shown"], shown, "{j}");
    if shown {
        assert_eq!(j["menu"], "緊急時医療情報・資格確認機能");
    } else {
        assert_eq!(
            j["note"],
            "※ 緊急時医療情報・資格確認機能のメニューは対象期間以外は表示されません。"
        );
    }
}

#[when(regex = r"^緊急時医療情報・資格確認機能で新橋 太郎の被保険者証を確認する$")]
async fn emergency_check(w: &mut OqsWorld) {
    let body = serde_json::json!({
        "insurer_number": "06139000",
        "symbol": "9000", "number": "10001", "branch": "01", "birthdate": "19540326"
    });
    let auth = basic("staff01");
    let (status, bytes) = w
        .http(
            "POST",
            "/emergency/check",
            &[
                ("content-type", "application/json"),
                ("authorization", auth.as_str()),
            ],
            body.to_string().into_bytes(),
        )
        .await;
    w.outage.last = Some((
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    ));
}

#[then(regex = r"^緊急時の確認の結果は「([^」]*)」である$")]
fn emergency_result(w: &mut OqsWorld, validity: String) {
    let (status, j) = terminal_answer(w);
    assert_eq!(*status, 200, "{j}");
    assert_eq!(j["validity"], validity.as_str(), "{j}");
}

#[then(regex = r"^緊急時の確認はできない$")]
fn emergency_closed(w: &mut OqsWorld) {
    let (status, j) = terminal_answer(w);
    assert_eq!(*status, 404, "{j}");
}
