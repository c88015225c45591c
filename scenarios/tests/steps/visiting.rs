//! Visiting / online care (ch.3) over the machine interface: SCR-22's inputs (診療区分, the
//! 特定疾病 box; the card fields are SCR-13's steps), the individual inquiry OQSsihvq01req /
//! OQSsionq01req, the cancellation OQSsihvd01req, and the consent table of SCR-23 / SCR-28.

use super::world::{OqsWorld, Transport};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use oqs_protocol::visiting::{ConsentRow, VisitingInquiryRequest, CONSENT_INFO, CONSENT_LIST};

/// A new search on SCR-22 / SCR-27 at the facility (the same fields as SCR-13).
#[given(
    regex = r"^医療機関コード「([^」]*)」の医療機関で(?:資格情報照会\(訪問診療等・オンライン診療等\)|同意取消照会\(訪問診療等\))を開く$"
)]
#[when(
    regex = r"^医療機関コード「([^」]*)」の医療機関で(?:資格情報照会\(訪問診療等・オンライン診療等\)|同意取消照会\(訪問診療等\))を開く$"
)]
fn open_scr22(w: &mut OqsWorld, code: String) {
    w.request = Default::default();
    w.request.header.medical_institution_code = Some(code);
    w.request
        .search
        .limit_application_certificate_related_cons_flg = Some("0".into());
    w.visiting = Default::default();
}

/// 「* 診療区分」 ▼.
#[given(regex = r"^「診療区分」で「(訪問診療等|オンライン診療等)」を選ぶ$")]
#[when(regex = r"^「診療区分」で「(訪問診療等|オンライン診療等)」を選ぶ$")]
fn choose_kind(w: &mut OqsWorld, kind: String) {
    w.visiting.online = kind == "オンライン診療等";
}

/// 「特定疾病療養受療証： ☐ 表示する」 (DLG-08 answered 《OK》: written consent).
#[given(regex = r"^特定疾病療養受療証の「表示する」にチェックを(付ける|付けない)$")]
#[when(regex = r"^特定疾病療養受療証の「表示する」にチェックを(付ける|付けない)$")]
fn tick_specific(w: &mut OqsWorld, tick: String) {
    w.visiting.specific_disease = tick == "付ける";
}

fn visiting_xml(w: &OqsWorld) -> Vec<u8> {
    let req = VisitingInquiryRequest {
        inquiry: w.request.clone(),
        specific_disease_consent: w.visiting.specific_disease,
    };
    oqs_protocol::xml::write_document(&req.to_element(), w.encoding)
}

/// SCR-22 《検索》 as the machine message of the chosen 診療区分.
#[when(regex = r"^訪問診療等・オンライン診療等の資格情報照会を (XML/HTTP|ファイル連携) ?で行う$")]
async fn inquire(w: &mut OqsWorld, transport: String) {
    let message = if w.visiting.online {
        "OQSsionq01req"
    } else {
        "OQSsihvq01req"
    };
    let body = visiting_xml(w);
    w.send_as(Transport::from_words(&transport), message, Some(body))
        .await;
}

/// SCR-28 《同意取消》 → DLG-18 《OK》, as OQSsihvd01req.
#[when(regex = r"^同意取消\(訪問診療等\)を (XML/HTTP|ファイル連携) ?で行う$")]
async fn cancel(w: &mut OqsWorld, transport: String) {
    let body = visiting_xml(w);
    w.send_as(
        Transport::from_words(&transport),
        "OQSsihvd01req",
        Some(body),
    )
    .await;
}

fn rows(w: &OqsWorld) -> Option<Vec<ConsentRow>> {
    let root = w.last().root();
    let list = root.child("MessageBody")?.child(CONSENT_LIST)?;
    Some(
        list.children_named(CONSENT_INFO)
            .map(|e| ConsentRow::from_element(e).expect("a consent row the simulator wrote"))
            .collect(),
    )
}

/// The 閲覧同意情報 table (SCR-23 ⑤ / SCR-28 ②), with the manual's column headers.
#[then(regex = r"^閲覧同意情報は次のとおりである:?$")]
fn consent_table(w: &mut OqsWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table");
    let header = &table.rows[0];
    assert_eq!(
        header,
        &[
            "同意区分",
            "同意有無",
            "同意年月日",
            "同意有効期限",
            "閲覧同意有効期限切れ理由"
        ],
        "columns as on SCR-23"
    );
    let got: Vec<Vec<String>> = rows(w)
        .expect("the answer carries the consent table")
        .into_iter()
        .map(|r| {
            vec![
                r.category.label().to_owned(),
                r.consented.to_owned(),
                r.consent_date,
                r.expiry_date,
                r.expiry_reason.to_owned(),
            ]
        })
        .collect();
    assert_eq!(got, table.rows[1..].to_vec());
}

#[then(regex = r"^閲覧同意情報は返らない$")]
fn no_consent_table(w: &mut OqsWorld) {
    assert!(rows(w).is_none(), "a consent table was answered");
}

/// A normal answer's message (the cancellation answers DLG-19's text).
#[then(regex = r"^処理結果メッセージは「(.*)」である$")]
fn message_is(w: &mut OqsWorld, expected: String) {
    let root = w.last().root();
    let got = root
        .child("MessageBody")
        .and_then(|b| b.child_text("ProcessingResultMessage"))
        .map(str::to_owned);
    assert_eq!(got.as_deref(), Some(expected.as_str()));
}

// ------------------------------------------------------------------ JOB-03 (SCR-25 / SCR-26)

const FACILITY: &str = "1234567890";

/// SCR-25 《照会》 as OQSmuhvq01req / OQSmuonq01req: one row of conditions (診療区分, the
/// 同意年月日 and 受診年月日 ranges, dates as yyyy/mm/dd; empty cells are left out).
#[when(
    regex = r"^訪問診療等・オンライン診療等の資格情報一括照会を (XML/HTTP|ファイル連携) ?で登録する:?$"
)]
async fn submit_bulk(w: &mut OqsWorld, transport: String, step: &Step) {
    let table = step.table.as_ref().expect("a table of conditions");
    let (head, row) = (&table.rows[0], &table.rows[1]);
    let cell = |label: &str| {
        head.iter()
            .position(|h| h == label)
            .map(|i| row[i].trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let kind = cell("診療区分").expect("「診療区分」 column");
    let (message, flag) = match kind.as_str() {
        "訪問診療等" => ("OQSmuhvq01req", "2"),
        "オンライン診療等" => ("OQSmuonq01req", "3"),
        other => panic!("「{other}」 is not a 診療区分"),
    };
    let flag = cell("MedicalTreatmentFlag").unwrap_or_else(|| flag.to_owned());
    let date = |label: &str| cell(label).map(|d| d.replace('/', ""));
    let req = oqs_protocol::visiting_bulk::ConsentedBulkRequest {
        header: oqs_protocol::message::RequestHeader {
            medical_institution_code: Some(FACILITY.into()),
            arbitrary_file_identifier: Some("scenario".into()),
            ..Default::default()
        },
        consent_date_from: date("同意年月日(自)"),
        consent_date_to: date("同意年月日(至)"),
        examination_date_from: date("受診年月日(自)"),
        examination_date_to: date("受診年月日(至)"),
        medical_treatment_flag: Some(flag),
    };
    let body =
        oqs_protocol::xml::write_document(&req.to_element(), oqs_protocol::TextEncoding::ShiftJis);
    w.submit(&transport, message, body).await;
}

/// The fetch of the last JOB-03 job (02req of its 診療区分).
#[when(
    regex = r"^受付番号で訪問診療等・オンライン診療等の照会結果を (XML/HTTP|ファイル連携) ?で取得する$"
)]
async fn fetch_bulk(w: &mut OqsWorld, transport: String) {
    let number = w.number();
    let job = w.sim.jobs.job(&number).expect("the job exists");
    let message = match job.kind.key() {
        "visiting-bulk" => "OQSmuhvq02req",
        "online-bulk" => "OQSmuonq02req",
        other => panic!("job {number} is a {other} job"),
    };
    let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{FACILITY}</MedicalInstitutionCode></MessageHeader><MessageBody><ReceptionNumber>{number}</ReceptionNumber></MessageBody></XmlMsg>");
    let bytes = w.send_message(&transport, message, body.into_bytes()).await;
    let doc = oqs_protocol::xml::read_document(&bytes, Default::default()).expect("02res is XML");
    w.bulk.fetched = Some(doc.root);
    w.replies.push(super::world::Reply {
        transport: Transport::from_words(&transport),
        status: 200,
        bytes,
        file_name: None,
        request_name: None,
    });
}

/// RULE-56: no element of a medical-information kind anywhere in the fetched result.
#[then(regex = r"^照会結果に医療情報（特定健診情報、薬剤情報等）は含まれない$")]
fn no_medical_information(w: &mut OqsWorld) {
    fn walk(e: &oqs_protocol::Element, found: &mut Vec<String>) {
        if [
            "Pharmacists",
            "Diagnosis",
            "Operation",
            "SpecificHealthCheckups",
        ]
        .iter()
        .any(|p| e.name.starts_with(p))
        {
            found.push(e.name.clone());
        }
        for c in &e.children {
            walk(c, found);
        }
    }
    let root = w.bulk.fetched.as_ref().expect("no result was fetched");
    let units = root
        .child("MessageBody")
        .map(|b| b.children_named("BulkConfirmUnit").count())
        .unwrap_or(0);
    assert!(units > 0, "the result has no rows to look into");
    let mut found = Vec::new();
    walk(root, &mut found);
    assert!(
        found.is_empty(),
        "medical information in the result: {found:?}"
    );
}

/// The 訪問診療等 download is a zip holding the fetched result under `name`.
#[then(
    regex = r"^ダウンロードした zip にはファイル「([^」]*)」が入っていて、取得した照会結果とバイト単位で同じである$"
)]
fn zip_holds_the_result(w: &mut OqsWorld, name: String) {
    let (_, _, bytes) = w.bulk.download.as_ref().expect("nothing was downloaded");
    let files = oqs_protocol::zip::read_stored_zip(bytes).expect("the download is a zip");
    assert_eq!(files.len(), 1, "one file in the zip");
    assert_eq!(files[0].0, name);
    assert_eq!(
        files[0].1,
        w.last().bytes,
        "the zipped XML is the fetched result"
    );
}

/// SCR-26: 《診療区分》 → 《更新》 lists the newest jobs of that 診療区分 (RULE-52: at most 3).
#[then(
    regex = r"^資格情報一括照会結果\(訪問診療等・オンライン診療等\)で「(訪問診療等|オンライン診療等)」を選ぶと最後に登録した (\d+) 件が新しい順に表示される$"
)]
async fn listing(w: &mut OqsWorld, kind: String, n: usize) {
    let key = if kind == "訪問診療等" {
        "visiting-bulk"
    } else {
        "online-bulk"
    };
    let mine: Vec<String> = w
        .bulk
        .numbers
        .iter()
        .filter(|number| w.sim.jobs.job(number).is_some_and(|j| j.kind.key() == key))
        .cloned()
        .collect();
    for number in &mine {
        w.sim.jobs.wait(number, std::time::Duration::from_secs(10));
    }
    let (status, bytes) = w
        .http(
            "GET",
            &format!("/jobs?kind={key}&facility={FACILITY}"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    let listed: Vec<String> = v["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| j["receptionNumber"].as_str().expect("number").to_owned())
        .collect();
    let expected: Vec<String> = mine.iter().rev().take(n).cloned().collect();
    assert_eq!(listed, expected);
}

// ------------------------------------------------------------------ ENV-02 / ENV-03

/// 環境設定情報: 「電子処方箋利用区分」 (ENV-02) and 「発行形態選択タイミング」 (ENV-03) together
/// (the admin route replaces the facility settings whole).
#[given(
    regex = r"^施設の電子処方箋利用区分は「([^」]*)」、発行形態選択タイミングは「(資格確認時に確認する|資格確認時以外に確認する)」である$"
)]
async fn prescription_settings(w: &mut OqsWorld, usage: String, timing: String) {
    let body = serde_json::json!({
        "prescription_usage": usage,
        "prescription_at_check": timing == "資格確認時に確認する",
    })
    .to_string()
    .into_bytes();
    let (status, bytes) = w
        .http(
            "PUT",
            "/__admin/terminal/settings",
            &[("content-type", "application/json")],
            body,
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
}

// ------------------------------------------------------------------ SCR-21 (FLOW-30)

/// SCR-21 《検索》 with the given conditions (one row of a table; empty cells are left out).
#[when(regex = r"^同意済資格情報取得で次の条件で検索する:?$")]
async fn search_consented(w: &mut OqsWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table of conditions");
    let (head, row) = (&table.rows[0], &table.rows[1]);
    let param = |label: &str| match label {
        "診療区分" => "kind",
        "同意年月日(自)" => "consent_from",
        "同意年月日(至)" => "consent_to",
        "受診年月日(自)" => "examination_from",
        "受診年月日(至)" => "examination_to",
        "照会番号" => "reference_number",
        "生年月日" => "birthdate",
        "氏名(カナ)" => "name_kana",
        "性別" => "sex",
        other => panic!("no condition 「{other}」 on SCR-21"),
    };
    let mut uri = format!("/visiting/consents?facility={FACILITY}");
    for (h, v) in head.iter().zip(row) {
        if !v.trim().is_empty() {
            uri.push_str(&format!("&{}={}", param(h), v.trim()));
        }
    }
    let (status, bytes) = w.http("GET", &uri, &[], vec![]).await;
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    w.visiting.list = Some((status, v));
}

fn page(w: &OqsWorld) -> &serde_json::Value {
    let (status, v) = w.visiting.list.as_ref().expect("no search was made");
    assert_eq!(*status, 200, "{v}");
    v
}

#[then(regex = r"^「(検索結果：.*)」と表示される$")]
fn pager_is(w: &mut OqsWorld, text: String) {
    assert_eq!(page(w)["pager"], text.as_str());
}

/// The list with the SCR-21 columns shown (氏名, 照会番号, 同意年月日, 同意有効期限, 灰色 …).
#[then(regex = r"^同意済資格情報の一覧は次のとおりである:?$")]
fn list_is(w: &mut OqsWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table");
    let key = |label: &str| match label {
        "氏名" => "name",
        "氏名(カナ)" => "nameKana",
        "生年月日" => "birthdate",
        "性別" => "sex",
        "照会番号" => "referenceNumber",
        "手術" => "operation",
        "診療" => "diagnosis",
        "薬剤" => "medication",
        "同意年月日" => "consentDate",
        "同意有効期限" => "validUntil",
        "受診年月日" => "examinationDate",
        "灰色" => "grey",
        other => panic!("no column 「{other}」 on SCR-21"),
    };
    let rows = page(w)["rows"].as_array().expect("rows").clone();
    let head = &table.rows[0];
    let got: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            head.iter()
                .map(|h| match &r[key(h)] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Bool(b) => if *b { "はい" } else { "いいえ" }.to_owned(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(got, table.rows[1..].to_vec());
}

#[then(regex = r"^検索は「(.*)」として拒否される$")]
fn search_refused(w: &mut OqsWorld, text: String) {
    let (status, v) = w.visiting.list.as_ref().expect("no search was made");
    assert_eq!(*status, 422, "{v}");
    assert!(
        v["error"].as_str().is_some_and(|e| e.contains(&text)),
        "{v}"
    );
}

/// Clicking a row opens SCR-23 (the visiting inquiry of its card) — kept as the last answer.
#[when(regex = r"^一覧の (\d+) 行目をクリックする$")]
async fn open_row(w: &mut OqsWorld, n: usize) {
    let id = page(w)["rows"][n - 1]["id"].as_u64().expect("a row id");
    let (status, bytes) = w
        .http(
            "GET",
            &format!("/visiting/consents/{id}?facility={FACILITY}"),
            &[],
            vec![],
        )
        .await;
    w.replies.push(super::world::Reply {
        transport: Transport::Http,
        status,
        bytes,
        file_name: None,
        request_name: None,
    });
    w.visiting.opened = Some(id);
}

/// SCR-23 《ダウンロード》: the XML saved is what SCR-23 shows.
#[then(
    regex = r"^資格情報確認で《ダウンロード》をクリックすると画面と同じ資格情報の XML が保存される$"
)]
async fn download_detail(w: &mut OqsWorld) {
    let id = w.visiting.opened.expect("no row was opened");
    let (status, bytes) = w
        .http(
            "GET",
            &format!("/visiting/consents/{id}/download?facility={FACILITY}"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(bytes, w.last().bytes, "the download is the shown result");
}

// ------------------------------------------------------------------ prescriptions (SCR-12 / SCR-24)

const PHARMACY: &str = "1341234567";

/// ENV-04 「電子処方箋」 and ENV-05 「リフィル処方箋」 of the pharmacy.
#[given(
    regex = r"^薬局の環境設定情報は「電子処方箋」が「(利用する|利用しない)」、「リフィル処方箋」が「(利用する|利用しない)」である$"
)]
async fn pharmacy_settings(w: &mut OqsWorld, e: String, refill: String) {
    let body = serde_json::json!({ "e_prescription": e, "refill": refill })
        .to_string()
        .into_bytes();
    let (status, bytes) = w
        .http(
            "PUT",
            "/__admin/pharmacy/settings",
            &[("content-type", "application/json")],
            body,
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
}

/// The card fields of the built-in person called `name`, as the pharmacy types them.
fn patient(w: &OqsWorld, name: &str) -> serde_json::Value {
    let pop = w.sim.population();
    let id = (0..pop.person_count() as u32)
        .find(|&i| &*pop.person(i).name == name)
        .unwrap_or_else(|| panic!("no person 「{name}」"));
    let q = pop.qualification(pop.qualifications_of(id).next().expect("a card"));
    serde_json::json!({
        "facility": PHARMACY,
        "insurer": q.insurer.wire().trim(),
        "symbol": q.symbol.as_deref().unwrap_or(""),
        "number": &*q.number,
        "branch": q.branch.as_deref().unwrap_or(""),
        "birthdate": pop.person(id).birthdate.format("%Y-%m-%d").to_string(),
    })
}

/// SCR-24 opened for a patient confirmed under a 診療区分 (the list of RULE-28).
#[when(
    regex = r"^薬局で「([^」]*)」さんの処方箋情報取得\(訪問診療等・オンライン診療等\)を「(訪問診療等|オンライン診療等)」で開く$"
)]
async fn open_scr24(w: &mut OqsWorld, name: String, kind: String) {
    let p = patient(w, &name);
    let uri = format!(
        "/pharmacy/prescriptions?facility={PHARMACY}&kind={kind}&insurer={}&symbol={}&number={}&branch={}&birthdate={}",
        p["insurer"].as_str().unwrap_or(""),
        p["symbol"].as_str().unwrap_or(""),
        p["number"].as_str().unwrap_or(""),
        p["branch"].as_str().unwrap_or(""),
        p["birthdate"].as_str().unwrap_or("")
    );
    let (status, bytes) = w.http("GET", &uri, &[], vec![]).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    w.visiting.list = Some((status, serde_json::from_slice(&bytes).expect("JSON")));
    w.visiting.patient = Some(name);
}

#[then(regex = r"^処方箋の一覧に次の処方箋が表示される:?$")]
fn prescription_list(w: &mut OqsWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table");
    let v = &w.visiting.list.as_ref().expect("SCR-24 was not opened").1;
    assert_eq!(v["listShown"], true, "{v}");
    let got: Vec<Vec<String>> = v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            ["exchangeNumber", "issuedOn", "issuer", "reservation"]
                .iter()
                .map(|k| r[*k].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .collect();
    assert_eq!(
        table.rows[0],
        ["引換番号", "発行年月日", "発行元医療機関名", "予約日"]
    );
    assert_eq!(got, table.rows[1..].to_vec());
}

#[then(regex = r"^処方箋の一覧は表示されない$")]
fn no_prescription_list(w: &mut OqsWorld) {
    let v = &w.visiting.list.as_ref().expect("SCR-24 was not opened").1;
    assert_eq!(v["listShown"], false, "{v}");
}

/// 《処方箋取得》 for 引換番号 `number` of the patient (typed on SCR-12 / SCR-24, or a list row).
#[when(regex = r"^(?:「([^」]*)」さんの)?引換番号「([^」]*)」で《処方箋取得》をクリックする$")]
async fn retrieve_prescription(w: &mut OqsWorld, name: String, number: String) {
    let name = if name.is_empty() {
        w.visiting.patient.clone().expect("no patient chosen")
    } else {
        name
    };
    let mut body = patient(w, &name);
    body["exchange_number"] = serde_json::json!(number);
    let (status, bytes) = w
        .http(
            "POST",
            "/pharmacy/prescriptions/retrieve",
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await;
    w.visiting.patient = Some(name);
    w.visiting.retrieved = Some((status, bytes));
}

#[then(
    regex = r"^処方箋の XML ファイルが保存され、その引換番号は「([^」]*)」、発行元医療機関名は「([^」]*)」である$"
)]
fn prescription_saved(w: &mut OqsWorld, number: String, issuer: String) {
    let (status, bytes) = w
        .visiting
        .retrieved
        .as_ref()
        .expect("nothing was retrieved");
    assert_eq!(*status, 200, "{}", String::from_utf8_lossy(bytes));
    let doc = oqs_protocol::xml::read_document(bytes, Default::default()).expect("XML");
    let info = doc
        .root
        .child("MessageBody")
        .and_then(|b| b.child("PrescriptionInfo"))
        .expect("PrescriptionInfo");
    assert_eq!(info.child_text("ExchangeNumber"), Some(number.as_str()));
    assert_eq!(
        info.child_text("IssuerMedicalInstitutionName"),
        Some(issuer.as_str())
    );
}

#[then(regex = r"^処方箋は取得できず、「(.*)」と示される$")]
fn prescription_refused(w: &mut OqsWorld, text: String) {
    let (status, bytes) = w
        .visiting
        .retrieved
        .as_ref()
        .expect("nothing was retrieved");
    assert_ne!(*status, 200);
    let v: serde_json::Value = serde_json::from_slice(bytes).expect("JSON");
    assert!(
        v["error"].as_str().is_some_and(|e| e.contains(&text)),
        "{v}"
    );
}

/// ENV-06 「訪問診療等・オンライン診療等管理サービス関連項目」 (RULE-63: the menu).
#[given(
    regex = r"^環境設定情報の「訪問診療等・オンライン診療等管理サービス関連項目」を「(利用する|利用しない)」とする$"
)]
#[when(
    regex = r"^環境設定情報の「訪問診療等・オンライン診療等管理サービス関連項目」を「(利用する|利用しない)」とする$"
)]
fn visiting_service(w: &mut OqsWorld, value: String) {
    let mut s = w.sim.terminal.settings();
    s.visiting_service = value == "利用する";
    w.sim.terminal.set_settings(s);
}
