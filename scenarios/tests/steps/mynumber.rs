//! My Number card inquiry (ch.2): SCR-08 choices, the card on the reader, SCR-09 PIN, SCR-10
//! and the dialogs of ERR-05..19, through `POST /terminal/mynumber` in-process.

use super::world::OqsWorld;
use cucumber::{given, then, when};
use oqs_protocol::texts;
use oqs_protocol::xml::{read_document, ReadLimits};
use oqs_protocol::Element;
use serde_json::{json, Value};

async fn call(w: &OqsWorld, method: &str, path: &str, body: Value) -> (u16, Value) {
    let (status, bytes) = w
        .http(
            method,
            path,
            &[("content-type", "application/json")],
            serde_json::to_vec(&body).expect("JSON"),
        )
        .await;
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| json!({ "text": String::from_utf8_lossy(&bytes).into_owned() }));
    (status, v)
}

fn last(w: &OqsWorld) -> &Value {
    w.mynumber
        .last
        .as_ref()
        .expect("no My Number confirmation yet")
}

fn result_root(w: &OqsWorld) -> Element {
    let v = last(w);
    let xml = v["result_xml"]
        .as_str()
        .unwrap_or_else(|| panic!("the check ended without SCR-10: {v}"));
    read_document(xml.as_bytes(), ReadLimits::default())
        .expect("the result is well-formed XML")
        .root
}

fn result_leaf(root: &Element, leaf: &str) -> Option<String> {
    root.child("MessageBody")?
        .child("ResultList")?
        .child("ResultOfQualificationConfirmation")?
        .child(leaf)
        .map(|e| e.text.clone())
}

fn topology_of(words: &str) -> &'static str {
    match words {
        "カードリーダーなし" => "none",
        "汎用カードリーダー1台" => "generic",
        "汎用カードリーダーと顔認証付きカードリーダー" => "generic+face",
        "汎用カードリーダー2台" => "generic*2",
        "顔認証付きカードリーダー1台" => "face",
        "顔認証付きカードリーダー2台" => "face*2",
        other => panic!("unknown reader configuration 「{other}」"),
    }
}

#[given(regex = r"^資格確認端末のカードリーダー構成は「([^」]*)」である$")]
async fn readers(w: &mut OqsWorld, words: String) {
    let (status, v) = call(
        w,
        "PUT",
        "/__admin/terminal/readers",
        json!({ "topology": topology_of(&words) }),
    )
    .await;
    assert_eq!(status, 200, "{v}");
}

async fn insert(w: &mut OqsWorld, profile: &str, person: Option<&str>) {
    let mut body = json!({ "profile": profile });
    if let Some(p) = person {
        body["person"] = json!(p);
    }
    let (status, v) = call(w, "PUT", "/__admin/terminal/readers/0/card", body).await;
    assert_eq!(status, 200, "{v}");
    if let Some(c) = v.get("confirmation") {
        w.mynumber.last = Some(c.clone());
    }
}

#[given(regex = r"^カードリーダーに「([^」]*)」のマイナンバーカードがある$")]
async fn card(w: &mut OqsWorld, profile: String) {
    insert(w, &profile, None).await;
}

#[given(regex = r"^カードリーダーに「([^」]*)」さんの「([^」]*)」のマイナンバーカードがある$")]
async fn card_of(w: &mut OqsWorld, person: String, profile: String) {
    insert(w, &profile, Some(&person)).await;
}

#[given(regex = r"^障害「([^」]*)」が注入されている$")]
async fn fault(w: &mut OqsWorld, kind: String) {
    let (status, v) = call(w, "PUT", "/__admin/terminal/fault", json!({ "kind": kind })).await;
    assert_eq!(status, 200, "{v}");
}

#[given(regex = r"^コード「([^」]*)」の認証エラーが注入されている$")]
async fn fault_code(w: &mut OqsWorld, code: String) {
    let (status, v) = call(
        w,
        "PUT",
        "/__admin/terminal/fault",
        json!({ "kind": "authentication-error", "code": code }),
    )
    .await;
    assert_eq!(status, 200, "{v}");
}

#[given(regex = r"^施設の電子処方箋利用区分は「([^」]*)」である$")]
async fn prescription_usage(w: &mut OqsWorld, usage: String) {
    let (status, v) = call(
        w,
        "PUT",
        "/__admin/terminal/settings",
        json!({ "prescription_usage": usage }),
    )
    .await;
    assert_eq!(status, 200, "{v}");
}

#[given(regex = r"^施設の閲覧同意の利用有無は「(利用する|利用しない)」である$")]
async fn consent_usage(w: &mut OqsWorld, usage: String) {
    let (status, v) = call(
        w,
        "PUT",
        "/__admin/terminal/settings",
        json!({ "consent_usage": usage == "利用する" }),
    )
    .await;
    assert_eq!(status, 200, "{v}");
}

#[given(regex = r"^顔認証付きカードリーダーの結果は face フォルダに書かれる$")]
fn face_folder(w: &mut OqsWorld) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    w.sim.terminal.set_face_dir(Some(dir.path().to_path_buf()));
    w.mynumber.face_dir = Some(dir);
}

#[given(regex = r"^顔認証付きカードリーダーのモードは「([^」]*)」である$")]
async fn face_mode(w: &mut OqsWorld, mode: String) {
    let (status, v) = call(
        w,
        "PUT",
        "/__admin/terminal/readers/0/mode",
        json!({ "mode": mode }),
    )
    .await;
    assert_eq!(status, 200, "{v}");
}

#[when(regex = r"^患者が顔認証付きカードリーダーに「([^」]*)」のマイナンバーカードを置く$")]
async fn face_card(w: &mut OqsWorld, profile: String) {
    insert(w, &profile, None).await;
}

#[given(
    regex = r"^「マイナンバーカードの券面で目視確認」を選び、《目視で本人確認完了》にチェックを付ける$"
)]
#[when(
    regex = r"^「マイナンバーカードの券面で目視確認」を選び、《目視で本人確認完了》にチェックを付ける$"
)]
fn choose_visual(w: &mut OqsWorld) {
    w.mynumber
        .request
        .insert("method".into(), json!(texts::METHOD_VISUAL));
}

#[given(regex = r"^「暗証番号を入力」を選ぶ$")]
#[when(regex = r"^「暗証番号を入力」を選ぶ$")]
fn choose_pin(w: &mut OqsWorld) {
    w.mynumber
        .request
        .insert("method".into(), json!(texts::METHOD_PIN));
}

/// SCR-08 ② / ③ checkboxes, by their labels.
fn tick(request: &mut serde_json::Map<String, Value>, label: &str) {
    let consent = |request: &mut serde_json::Map<String, Value>, key: &str| {
        let c = request.entry("consents").or_insert_with(|| json!({}));
        c[key] = json!(true);
    };
    match label {
        l if l == texts::CONSENT_OPERATION[0] => consent(request, "operation"),
        l if l == texts::CONSENT_DIAGNOSIS_MEDICATION[0] => {
            consent(request, "diagnosis_medication")
        }
        l if l == texts::CONSENT_HEALTH_CHECKUP[0] => consent(request, "health_checkup"),
        "限度額適用認定証情報を表示" => {
            request.insert("show_limit".into(), json!(true));
        }
        "特定疾病療養受療証情報を表示" => {
            request.insert("show_specific_disease".into(), json!(true));
        }
        other => panic!("no checkbox 「{other}」 on SCR-08"),
    }
}

#[given(regex = r"^「([^」]*)」にチェックを付け、確認メッセージで《OK》をクリックする$")]
#[when(regex = r"^「([^」]*)」にチェックを付け、確認メッセージで《OK》をクリックする$")]
fn tick_box(w: &mut OqsWorld, label: String) {
    tick(&mut w.mynumber.request, &label);
}

#[given(regex = r"^処方箋の発行形態で「([^」]*)」を選ぶ$")]
#[when(regex = r"^処方箋の発行形態で「([^」]*)」を選ぶ$")]
fn choose_form(w: &mut OqsWorld, form: String) {
    w.mynumber
        .request
        .insert("prescription_form".into(), json!(form));
}

#[given(regex = r"^資格確認日を「([^」]*)」にする$")]
#[when(regex = r"^資格確認日を「([^」]*)」にする$")]
fn set_date(w: &mut OqsWorld, date: String) {
    w.mynumber
        .request
        .insert("confirmation_date".into(), json!(date));
}

async fn read_card(w: &mut OqsWorld, pin: Option<String>) {
    let mut body = w.mynumber.request.clone();
    if let Some(p) = pin {
        body.insert("pin".into(), json!(p));
    }
    let (status, v) = call(w, "POST", "/terminal/mynumber", Value::Object(body)).await;
    assert_eq!(status, 200, "{v}");
    w.mynumber.last = Some(v);
}

/// A request the screen would not let the operator make (a box that is not shown).
#[when(regex = r"^患者がマイナンバーカードをカードリーダーに置こうとする$")]
async fn try_place_card(w: &mut OqsWorld) {
    let body = Value::Object(w.mynumber.request.clone());
    let (status, v) = call(w, "POST", "/terminal/mynumber", body).await;
    assert_ne!(status, 200, "the terminal read the card: {v}");
    w.mynumber.refused = Some((status, v));
}

#[then(regex = r"^読み取りは行われず、理由として「([^」]*)」が示される$")]
fn refused_for(w: &mut OqsWorld, rule: String) {
    let (status, v) = w.mynumber.refused.as_ref().expect("a refused request");
    assert_eq!(*status, 422, "{v}");
    let why = v["error"].as_str().unwrap_or_default();
    assert!(why.contains(&rule), "{v}");
}

#[when(regex = r"^患者がマイナンバーカードをカードリーダーに置く$")]
async fn place_card(w: &mut OqsWorld) {
    read_card(w, None).await;
}

#[when(
    regex = r"^患者がマイナンバーカードをカードリーダーに置き、暗証番号「([^」]*)」を入力して《OK》をクリックする$"
)]
async fn place_card_with_pin(w: &mut OqsWorld, pin: String) {
    read_card(w, Some(pin)).await;
}

async fn update(w: &mut OqsWorld, body: Value) {
    let id = last(w)["confirmation"].as_u64().expect("a confirmation id");
    let (status, v) = call(w, "POST", &format!("/terminal/mynumber/{id}/update"), body).await;
    assert_eq!(status, 200, "{v}");
    w.mynumber.last = Some(v);
}

#[when(regex = r"^資格情報確認で閲覧同意を「([^」]*)」だけにして《更新》をクリックする$")]
async fn correct_consents(w: &mut OqsWorld, labels: String) {
    let mut req = serde_json::Map::new();
    req.insert("consents".into(), json!({}));
    for l in labels.split('、').filter(|l| !l.is_empty() && *l != "なし") {
        tick(&mut req, l);
    }
    update(w, json!({ "consents": req["consents"] })).await;
}

#[when(
    regex = r"^資格情報確認で「(限度額適用認定証|特定疾病療養受療証)」を選んで《情報表示》をクリックし、《OK》をクリックする$"
)]
async fn show_certificate(w: &mut OqsWorld, which: String) {
    let key = if which == "限度額適用認定証" {
        "show_limit"
    } else {
        "show_specific_disease"
    };
    update(w, json!({ key: true })).await;
}

#[when(regex = r"^資格情報確認で処方箋の発行形態を「([^」]*)」に変えて《更新》をクリックする$")]
async fn change_form(w: &mut OqsWorld, form: String) {
    update(w, json!({ "prescription_form": form })).await;
}

#[when(regex = r"^資格情報確認で《ダウンロード》をクリックする$")]
async fn download(w: &mut OqsWorld) {
    let id = last(w)["confirmation"].as_u64().expect("a confirmation id");
    let (status, bytes) = w
        .http("GET", &format!("/terminal/mynumber/{id}/xml"), &[], vec![])
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    w.mynumber.download = Some(String::from_utf8(bytes).expect("UTF-8 XML"));
}

#[then(regex = r"^「(ERR-\d+)」のダイアログが表示される$")]
fn dialog_shown(w: &mut OqsWorld, id: String) {
    let v = last(w);
    let d = &v["dialog"];
    assert_eq!(d["err"], json!(id), "{v}");
    let row = texts::card_dialog(&id).expect("a catalogue row");
    assert_eq!(d["title"].as_str(), row.shown_title());
    assert_eq!(d["event"], json!(row.event));
    assert_eq!(d["action"], json!(row.action));
    assert_eq!(d["alternative"], json!(row.alternative));
    assert!(
        v.get("result_xml").is_none(),
        "no SCR-10 after a dialog: {v}"
    );
}

#[then(regex = r"^ダイアログのタイトルは「([^」]*)」である$")]
fn dialog_title(w: &mut OqsWorld, title: String) {
    assert_eq!(last(w)["dialog"]["title"], json!(title), "{}", last(w));
}

#[then(regex = r"^ダイアログのメッセージは次のとおりである:?$")]
fn dialog_message(w: &mut OqsWorld, step: &cucumber::gherkin::Step) {
    let expected = step.docstring.as_deref().expect("a docstring").trim();
    assert_eq!(last(w)["dialog"]["message"], json!(expected), "{}", last(w));
}

#[then(regex = r"^ダイアログは画像のみのためプレースホルダーと明示される$")]
fn dialog_placeholder(w: &mut OqsWorld) {
    let d = &last(w)["dialog"];
    assert_eq!(d["placeholder"], true, "{d}");
    assert_eq!(d["title"], texts::PLACEHOLDER_LABEL);
    assert!(d["message"]
        .as_str()
        .expect("message")
        .starts_with(texts::PLACEHOLDER_LABEL));
}

#[then(regex = r"^暗証番号の誤りが表示され、残り回数は (\d+) 回である$")]
fn wrong_pin(w: &mut OqsWorld, left: u8) {
    let d = &last(w)["dialog"];
    assert_eq!(d["simulator_defined"], true, "{d}");
    assert_eq!(d["tries_left"], json!(left));
    assert_eq!(d["message"], json!(texts::wrong_pin_message(left)));
}

#[then(regex = r"^お知らせ「ERR-08」が表示され、メッセージは次のとおりである:?$")]
fn expiring_notice(w: &mut OqsWorld, step: &cucumber::gherkin::Step) {
    let n = &last(w)["notice"];
    assert_eq!(n["err"], "ERR-08", "{}", last(w));
    assert_eq!(n["title"], "患者へのお知らせ");
    let expected = step.docstring.as_deref().expect("a docstring").trim();
    assert_eq!(n["message"], json!(expected));
}

#[then(regex = r"^資格情報確認\(医療保険\)に「([^」]*)」と表示される$")]
fn scr10_banner(w: &mut OqsWorld, banner: String) {
    assert_eq!(last(w)["banner"], json!(banner), "{}", last(w));
}

fn leaf_of(label: &str) -> &'static str {
    match label {
        "氏名" => "Name",
        "保険者番号" => "InsurerNumber",
        "記号" => "InsuredCardSymbol",
        "番号" => "InsuredIdentificationNumber",
        "枝番" => "InsuredBranchNumber",
        "手術情報閲覧同意フラグ" => "OperationInfoConsFlg",
        "診療情報閲覧同意フラグ" => "DiagnosisInfoConsFlg",
        "薬剤情報閲覧同意フラグ" => "PharmacistsInfoConsFlg",
        "特定健診情報閲覧同意フラグ" => "SpecificHealthCheckupsInfoConsFlg",
        "限度額適用認定証関連情報同意フラグ" => {
            "LimitApplicationCertificateRelatedConsFlg"
        }
        "特定疾病療養受療証関連情報同意フラグ" => {
            "SpecificDiseasesCertificateRelatedConsFlg"
        }
        other => panic!("no result item 「{other}」"),
    }
}

#[then(regex = r"^資格情報の「([^」]*)」は「([^」]*)」である$")]
fn result_item(w: &mut OqsWorld, label: String, expected: String) {
    let root = result_root(w);
    // Names as on the wire: the feature writes them as fixtures do (half-width space).
    let expected = if label == "氏名" {
        oqs_protocol::names::wire_name(&expected)
    } else {
        expected
    };
    assert_eq!(
        result_leaf(&root, leaf_of(&label)).as_deref(),
        Some(expected.as_str())
    );
}

#[then(regex = r"^結果の照会区分は「([^」]*)」である$")]
fn reference_classification(w: &mut OqsWorld, expected: String) {
    let root = result_root(w);
    let got = root
        .child("MessageHeader")
        .and_then(|h| h.child("ReferenceClassification"))
        .map(|e| e.text.clone());
    assert_eq!(got.as_deref(), Some(expected.as_str()));
}

#[then(regex = r"^閲覧同意は次のとおり表示される:?$")]
fn consents_shown(w: &mut OqsWorld, step: &cucumber::gherkin::Step) {
    let table = step.table.as_ref().expect("a table");
    let expected: Vec<Value> = table.rows.iter().map(|r| json!(r[0])).collect();
    assert_eq!(last(w)["consents"], json!(expected), "{}", last(w));
}

#[then(
    regex = r"^資格情報確認に(限度額適用認定証|特定疾病療養受療証)の情報(が表示される|は表示されない)$"
)]
fn certificate_shown(w: &mut OqsWorld, which: String, shown: String) {
    let root = result_root(w);
    let leaf = if which == "限度額適用認定証" {
        "LimitApplicationCertificateRelatedInfo"
    } else {
        "SpecificDiseasesCertificateList"
    };
    assert_eq!(
        result_leaf(&root, leaf).is_some(),
        shown == "が表示される",
        "{which}: {}",
        last(w)
    );
}

#[then(regex = r"^処方箋発行形態は「([^」]*)」である$")]
fn form_is(w: &mut OqsWorld, label: String) {
    assert_eq!(last(w)["prescription_form"], json!(label), "{}", last(w));
    let root = result_root(w);
    let wire = root
        .child("MessageBody")
        .and_then(|b| b.child("PrescriptionIssueSelect"))
        .map(|e| e.text.clone());
    let expected =
        oqs_protocol::codes::PrescriptionIssueForm::from_label(&label).map(|f| f.code().to_owned());
    assert_eq!(wire, expected);
}

#[then(regex = r"^要求ジャーナルに資格確認区分「([^」]*)」の資格確認が記録される$")]
fn journal_method(w: &mut OqsWorld, method: String) {
    let entries = w.sim.journal.since(0, usize::MAX);
    let e = entries.last().expect("a journal entry");
    assert_eq!(e.method.as_deref(), Some(method.as_str()), "{e:?}");
}

#[then(regex = r"^ダウンロードした XML は画面の資格情報と同じで、照会区分は「([^」]*)」である$")]
fn downloaded(w: &mut OqsWorld, expected: String) {
    let xml = w.mynumber.download.clone().expect("a download");
    assert_eq!(Some(xml.as_str()), last(w)["result_xml"].as_str());
    let root = read_document(xml.as_bytes(), ReadLimits::default())
        .expect("XML")
        .root;
    let got = root
        .child("MessageHeader")
        .and_then(|h| h.child("ReferenceClassification"))
        .map(|e| e.text.clone());
    assert_eq!(got.as_deref(), Some(expected.as_str()));
}

async fn scr08(w: &OqsWorld) -> Value {
    let (status, bytes) = w.http("GET", "/terminal/mynumber", &[], vec![]).await;
    assert_eq!(status, 200);
    serde_json::from_slice(&bytes).expect("JSON")
}

#[then(
    regex = r"^資格情報照会\(マイナンバーカード\)画面の閲覧同意のチェックボックスは次のとおりである:?$"
)]
async fn scr08_consent_boxes(w: &mut OqsWorld, step: &cucumber::gherkin::Step) {
    let table = step.table.as_ref().expect("a table");
    let expected: Vec<Value> = table.rows.iter().map(|r| json!(r[0])).collect();
    let v = scr08(w).await;
    assert_eq!(v["consent_boxes"], json!(expected), "{v}");
}

#[then(
    regex = r"^資格情報照会\(マイナンバーカード\)画面に閲覧同意のチェックボックスは表示されない$"
)]
async fn scr08_no_consent_boxes(w: &mut OqsWorld) {
    let v = scr08(w).await;
    assert_eq!(v["consent_boxes"], json!([]), "{v}");
}

#[then(
    regex = r"^資格情報照会\(マイナンバーカード\)画面に「([^」]*)」のチェックボックスが(表示される|表示されない)$"
)]
async fn scr08_display_box(w: &mut OqsWorld, label: String, shown: String) {
    let v = scr08(w).await;
    let boxes = [&v["limit_box"], &v["specific_disease_box"]];
    assert_eq!(
        boxes.contains(&&json!(label)),
        shown == "表示される",
        "{label}: {v}"
    );
}

#[then(regex = r"^資格情報照会\(マイナンバーカード\)画面に「([^」]*)」と表示される$")]
async fn scr08_guidance(w: &mut OqsWorld, text: String) {
    let (status, bytes) = w.http("GET", "/terminal/mynumber", &[], vec![]).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert!(
        v["guidance"]
            .as_array()
            .expect("guidance")
            .contains(&json!(text)),
        "{v}"
    );
}

#[then(
    regex = r"^face フォルダに「OQSsiquc01res_face_」で始まる結果ファイルが 1 つ書かれ、照会区分は「([^」]*)」である$"
)]
fn face_file(w: &mut OqsWorld, expected: String) {
    let dir = w.mynumber.face_dir.as_ref().expect("a face folder");
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .expect("face folder")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("OQSsiquc01res_face_") && name.ends_with(".xml"),
        "{name}"
    );
    let bytes = std::fs::read(&files[0]).expect("read");
    let root = read_document(&bytes, ReadLimits::default())
        .expect("XML")
        .root;
    let got = root
        .child("MessageHeader")
        .and_then(|h| h.child("ReferenceClassification"))
        .map(|e| e.text.clone());
    assert_eq!(got.as_deref(), Some(expected.as_str()));
}

#[then(regex = r"^face フォルダには何も書かれない$")]
fn face_empty(w: &mut OqsWorld) {
    let dir = w.mynumber.face_dir.as_ref().expect("a face folder");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

#[when(
    regex = r"^資格確認端末で被保険者証「([^」]*)」「([^」]*)」「([^」]*)」「([^」]*)」生年月日「([^」]*)」を処方箋の発行形態「([^」]*)」で検索する$"
)]
async fn insurance_card_check(
    w: &mut OqsWorld,
    insurer: String,
    symbol: String,
    number: String,
    branch: String,
    birthdate: String,
    form: String,
) {
    let body = json!({
        "insurer_number": insurer, "symbol": symbol, "number": number, "branch": branch,
        "birthdate": birthdate, "prescription_form": form,
    });
    let (status, v) = call(w, "POST", "/terminal/insurance-card", body).await;
    assert_eq!(status, 200, "{v}");
    w.mynumber.last = Some(v);
}

#[when(regex = r"^顔認証付きカードリーダー操作画面で目視確認による資格確認を実行する$")]
async fn face_visual_check(w: &mut OqsWorld) {
    let (status, v) = call(
        w,
        "POST",
        "/terminal/mynumber",
        json!({ "face_reader": true, "method": texts::METHOD_VISUAL }),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    w.mynumber.last = Some(v);
}
