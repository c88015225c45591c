//! 資格確認履歴 (ch.8): SCR-19 search conditions, the list, SCR-20 detail and the CSV download,
//! through the simulator's JSON/CSV routes (`/history`, `/history.csv`, `/history/{id}`).

use super::state::HistoryState;
use super::world::OqsWorld;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use oqs_protocol::codes::QualificationValidity;
use oqs_protocol::message::QualificationResult;
use oqs_protocol::texts;
use sim_server::history::{ConfirmationKind, HistoryRecord, Recorded};

impl HistoryState {
    fn set(&mut self, name: &str, value: &str) {
        self.conditions.retain(|(k, _)| k != name);
        self.conditions.push((name.to_owned(), value.to_owned()));
    }

    fn query(&self, facility: &str) -> String {
        let mut q: Vec<String> = vec![format!("facility={}", enc(facility))];
        q.extend(
            self.conditions
                .iter()
                .map(|(k, v)| format!("{k}={}", enc(v))),
        );
        q.join("&")
    }

    fn last_json(&self) -> serde_json::Value {
        let (status, body) = self.last.as_ref().expect("no history search was made yet");
        serde_json::from_slice(body).unwrap_or_else(|e| {
            panic!(
                "status {status}: not JSON ({e}): {}",
                String::from_utf8_lossy(body)
            )
        })
    }
}

/// Percent-encodes a query value (UTF-8).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The facility of SCR-13 (the 医療機関 the user works at), else the sample facility.
fn facility(w: &OqsWorld) -> String {
    w.request
        .header
        .medical_institution_code
        .clone()
        .unwrap_or_else(|| "1234567890".into())
}

#[given(regex = r"^資格確認履歴照会で資格確認対象期間を「([^」]*)」から「([^」]*)」とする$")]
#[when(regex = r"^資格確認履歴照会で資格確認対象期間を「([^」]*)」から「([^」]*)」とする$")]
fn period(w: &mut OqsWorld, from: String, to: String) {
    w.history.set("from", &from);
    w.history.set("to", &to);
}

#[given(regex = r"^資格確認履歴照会で資格確認区分「([^」]*)」を選ぶ$")]
#[when(regex = r"^資格確認履歴照会で資格確認区分「([^」]*)」を選ぶ$")]
fn choose_kind(w: &mut OqsWorld, kind: String) {
    w.history.set("kind", &kind);
}

#[when(regex = r"^資格確認履歴照会で資格確認区分絞込み「([^」]*)」を選ぶ$")]
fn narrowing(w: &mut OqsWorld, n: String) {
    w.history.set("narrowing", &n);
}

#[when(regex = r"^資格確認履歴照会でログインID「([^」]*)」を入力する$")]
fn login_id(w: &mut OqsWorld, id: String) {
    w.history.set("login_id", &id);
}

#[when(regex = r"^資格確認履歴照会で照会番号「([^」]*)」を入力する$")]
fn reference_number(w: &mut OqsWorld, n: String) {
    w.history.set("reference_number", &n);
}

#[when(regex = r"^資格確認履歴を検索する$")]
async fn search(w: &mut OqsWorld) {
    let uri = format!("/history?{}&per_page=10000", w.history.query(&facility(w)));
    let (status, body) = w.http("GET", &uri, &[], Vec::new()).await;
    w.history.last = Some((status, body));
}

#[when(regex = r"^資格確認履歴を(?: (UTF-8|Shift_JIS) で)?ダウンロードする$")]
async fn download(w: &mut OqsWorld, encoding: String) {
    let enc_param = if encoding == "Shift_JIS" {
        "&encoding=shift_jis"
    } else {
        ""
    };
    let uri = format!("/history.csv?{}{enc_param}", w.history.query(&facility(w)));
    let (status, body) = w.http("GET", &uri, &[], Vec::new()).await;
    w.history.last = Some((status, body));
}

#[given(regex = r"^この医療機関で「([^」]*)」の資格確認が (\d+) 件記録されている$")]
#[when(regex = r"^この医療機関で「([^」]*)」の資格確認が (\d+) 件記録されている$")]
fn recorded(w: &mut OqsWorld, kind: String, n: usize) {
    let kind = ConfirmationKind::ALL
        .into_iter()
        .find(|k| k.display() == kind)
        .unwrap_or_else(|| panic!("「{kind}」 is not a 資格確認区分 display text"));
    let now = w.sim.clock.now();
    let facility = facility(w);
    let one = QualificationResult {
        insurer_number: Some("06139000".into()),
        insured_identification_number: Some("90001".into()),
        name: Some("一括 照会子".into()),
        ..QualificationResult::default()
    };
    let mut rs: Vec<_> = (0..n)
        .map(|i| {
            HistoryRecord::from_result(
                Recorded {
                    facility: &facility,
                    at: now - chrono::Duration::seconds(i as i64 + 1),
                    login_id: "staff11",
                    kind,
                },
                QualificationValidity::Valid,
                None,
                std::slice::from_ref(&one),
                None,
            )
        })
        .collect();
    w.sim.history.record_many(&mut rs).expect("recorded");
}

#[then(regex = r"^履歴の検索結果は (\d+) 件である$")]
fn total_is(w: &mut OqsWorld, n: usize) {
    let v = w.history.last_json();
    assert_eq!(w.history.last.as_ref().map(|l| l.0), Some(200), "{v}");
    assert_eq!(v["total"], n, "{v}");
    assert_eq!(v["records"].as_array().map(Vec::len), Some(n));
}

/// A list column (SCR-19 ③) → the JSON key.
fn column(label: &str) -> &'static str {
    match label {
        "通番" => "seq",
        "資格確認日時" => "confirmed_at",
        "ログインID" => "login_id",
        "照会番号" => "reference_number",
        "確認区分" | "照会区分" => "kind",
        "資格確認結果" => "result",
        "保険者番号" => "insurer_number",
        "証記号番号枝番" => "card",
        "氏名" => "name",
        "性別" => "sex",
        "生年月日" => "birthdate",
        other => panic!("「{other}」 is not a column of the history list"),
    }
}

fn row(w: &OqsWorld, n: usize) -> serde_json::Value {
    let v = w.history.last_json();
    v["records"]
        .get(n - 1)
        .cloned()
        .unwrap_or_else(|| panic!("the list has no row {n}: {v}"))
}

/// Names are shown as they came over the wire (a full-width space); features write them as
/// fixtures do.
fn shown_name(label: &str, value: String) -> String {
    match label {
        "氏名" | "氏名(券面)" | "被保険者氏名" => {
            oqs_protocol::names::wire_name(&value)
        }
        _ => value,
    }
}

#[then(regex = r"^履歴の (\d+) 件目の「([^」]*)」は「([^」]*)」である$")]
fn cell_is(w: &mut OqsWorld, n: usize, label: String, value: String) {
    let r = row(w, n);
    let cell = match &r[column(&label)] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    assert_eq!(cell, shown_name(&label, value), "row {n}, 「{label}」: {r}");
}

#[then(regex = r"^履歴の (\d+) 件目に《詳細》(がある|がない)$")]
fn has_detail(w: &mut OqsWorld, n: usize, which: String) {
    let r = row(w, n);
    assert_eq!(r["detail"], which == "がある", "{r}");
}

#[when(regex = r"^履歴の (\d+) 件目の《詳細》をクリックする$")]
async fn open_detail(w: &mut OqsWorld, n: usize) {
    let id = row(w, n)["id"].as_u64().expect("record id");
    let uri = format!("/history/{id}?facility={}", enc(&facility(w)));
    let (status, body) = w.http("GET", &uri, &[], Vec::new()).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    w.history.detail = Some(serde_json::from_slice(&body).expect("detail JSON"));
}

#[then(regex = r"^履歴詳細の資格状況は「([^」]*)」である$")]
fn detail_status(w: &mut OqsWorld, status: String) {
    let d = w.history.detail.as_ref().expect("no detail opened");
    assert_eq!(d["status"], status.as_str(), "{d}");
}

#[then(regex = r"^履歴詳細の「([^」]*)」は「([^」]*)」である$")]
fn detail_item(w: &mut OqsWorld, label: String, value: String) {
    let d = w.history.detail.as_ref().expect("no detail opened");
    let shown = match label.as_str() {
        l if l == texts::HISTORY_DETAIL_KIND => d["kind"].as_str().map(str::to_owned),
        l if l == texts::HISTORY_DETAIL_CONFIRMED_AT => {
            d["confirmed_at"].as_str().map(str::to_owned)
        }
        _ => {
            let mut items: Vec<&serde_json::Value> = vec![&d["prescription_issue_form"]];
            for block in ["consent", "insured", "qualification"] {
                items.extend(d[block].as_array().into_iter().flatten());
            }
            items
                .into_iter()
                .find(|i| i["label"] == label.as_str())
                .and_then(|i| i["value"].as_str().map(str::to_owned))
        }
    };
    assert_eq!(
        shown.as_deref(),
        Some(shown_name(&label, value).as_str()),
        "「{label}」 in {d}"
    );
}

#[then(
    regex = r"^(ERR-23|ERR-24) の確認メッセージが表示され、(?:検索結果は表示されない|ダウンロードできない)$"
)]
fn over_limit(w: &mut OqsWorld, id: String) {
    let (status, _) = w.history.last.as_ref().expect("nothing searched");
    assert_eq!(*status, 422);
    let v = w.history.last_json();
    let dialog = if id == "ERR-23" {
        texts::ERR_23
    } else {
        texts::ERR_24
    };
    assert_eq!(v["error"]["id"], id.as_str(), "{v}");
    assert_eq!(v["error"]["event"], dialog.event);
    assert_eq!(v["error"]["action"], dialog.action);
    assert_eq!(v["records"], serde_json::json!([]), "nothing is shown");
}

#[then(regex = r"^【事象】「([^」]*)」$")]
fn event_text(w: &mut OqsWorld, text: String) {
    let v = w.history.last_json();
    assert_eq!(v["error"]["event"], text.as_str(), "{v}");
}

#[then(regex = r"^履歴検索は「([^」]*)」の入力誤りとして拒否される$")]
fn refused(w: &mut OqsWorld, label: String) {
    let field = match label.as_str() {
        "資格確認区分絞込み" => "narrowing",
        "資格確認区分" => "kind",
        "資格確認対象期間(自)" => "from",
        "資格確認対象期間(至)" => "to",
        "ログインID" => "login_id",
        other => panic!("「{other}」 is not a SCR-19 input"),
    };
    let (status, _) = w.history.last.as_ref().expect("nothing searched");
    assert_eq!(*status, 400);
    assert_eq!(w.history.last_json()["error"]["field"], field);
}

fn csv_text(w: &OqsWorld) -> String {
    let (status, body) = w.history.last.as_ref().expect("nothing downloaded");
    assert_eq!(*status, 200, "{}", String::from_utf8_lossy(body));
    match body.strip_prefix(b"\xEF\xBB\xBF") {
        Some(utf8) => String::from_utf8(utf8.to_vec()).expect("UTF-8 after the BOM"),
        None => {
            let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(body);
            assert!(!bad, "neither UTF-8 with BOM nor Shift_JIS");
            text.into_owned()
        }
    }
}

#[then(regex = r"^CSV は (BOM 付き UTF-8|Shift_JIS) である$")]
fn csv_encoding(w: &mut OqsWorld, which: String) {
    let (_, body) = w.history.last.as_ref().expect("nothing downloaded");
    let bom = body.starts_with(b"\xEF\xBB\xBF");
    assert_eq!(bom, which == "BOM 付き UTF-8");
    if !bom {
        assert!(
            std::str::from_utf8(body).is_err(),
            "Japanese text is not UTF-8 here"
        );
    }
}

#[then(regex = r"^CSV は次のとおりである:?$")]
fn csv_is(w: &mut OqsWorld, step: &Step) {
    let want = step
        .docstring
        .as_ref()
        .expect("this step takes the CSV as a docstring");
    let want: Vec<&str> = want
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let text = csv_text(w);
    assert!(text.ends_with("\r\n"), "CRLF line ends");
    let got: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(got, want);
}
