//! 医療扶助 (ch.6): SCR-11 as the reference reading of the last result shows it (tabs, numbers,
//! ERR-20/21 texts, tickets), and JOB-04 委託先資格情報一括取得 (OQSmutic, SCR-29's route, the
//! DM-20 CSV).

use super::world::OqsWorld;
use cucumber::gherkin::Step;
use cucumber::{then, when};
use oqs_domain::assistance::Scr11;
use oqs_protocol::xml::{read_document, ReadLimits};
use oqs_protocol::Element;

/// SCR-11 of the last check: the My Number card's, else the last insurance-card answer.
fn scr11(w: &OqsWorld) -> Option<Scr11> {
    let root: Element = match &w.mynumber.last {
        Some(v) => {
            let xml = v["result_xml"]
                .as_str()
                .unwrap_or_else(|| panic!("no result: {v}"));
            read_document(xml.as_bytes(), ReadLimits::default())
                .expect("result XML")
                .root
        }
        None => w.last().root(),
    };
    Scr11::of_tree(root.child("MessageBody")?)
}

fn shown(w: &OqsWorld) -> Scr11 {
    scr11(w).expect("the result has no 医療扶助 (no 医療扶助 tab)")
}

#[then(regex = r"^資格情報確認のタブは「([^」]*)」である$")]
fn tabs(w: &mut OqsWorld, expected: String) {
    let got = scr11(w).map(|v| v.tabs.join("、"));
    // No 医療扶助 result: SCR-10, the 医療保険 only.
    let got = got.unwrap_or_else(|| oqs_protocol::texts::MA_TAB_INSURANCE.to_owned());
    assert_eq!(got, expected);
}

#[then(regex = r"^「公費負担者番号」は「([^」]*)」、「受給者番号」は「([^」]*)」と表示される$")]
fn numbers(w: &mut OqsWorld, public_expense: String, beneficiary: String) {
    let v = shown(w);
    assert_eq!(
        v.public_expense_number.as_deref(),
        Some(public_expense.as_str())
    );
    assert_eq!(v.beneficiary_number.as_deref(), Some(beneficiary.as_str()));
}

#[then(regex = r"^医療扶助タブに「([^」]*)」と表示される$")]
fn message(w: &mut OqsWorld, text: String) {
    let v = shown(w);
    assert!(v.messages.contains(&text.as_str()), "{:?}", v.messages);
}

#[then(regex = r"^医療扶助タブにメッセージは表示されない$")]
fn no_message(w: &mut OqsWorld) {
    assert_eq!(shown(w).messages, Vec::<&str>::new());
}

#[then(regex = r"^医療券・調剤券は表示されない$")]
fn no_tickets(w: &mut OqsWorld) {
    assert!(shown(w).tickets.is_empty());
}

/// Columns: 種別, 交付番号, 診療区分, 単独・併用, 社会保険, 処方箋発行元 (any subset, by name).
#[then(regex = r"^医療券・調剤券は次の順に表示される:?$")]
fn tickets(w: &mut OqsWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table");
    let head = &table.rows[0];
    let v = shown(w);
    assert_eq!(v.tickets.len(), table.rows.len() - 1, "{:?}", v.tickets);
    for (row, t) in table.rows[1..].iter().zip(&v.tickets) {
        for (col, want) in head.iter().zip(row) {
            let got = match col.as_str() {
                "種別" => t.label.to_owned(),
                "交付番号" => t.issue_number.clone(),
                "診療区分" => t.treatment.to_owned(),
                "単独・併用" => t.single_or_combined.to_owned(),
                "社会保険" => t.social_insurance.clone(),
                "処方箋発行元" => t.prescriber.clone().unwrap_or_default(),
                other => panic!("no ticket column 「{other}」"),
            };
            assert_eq!(&got, want, "{col}");
        }
    }
}

// ------------------------------------------------------------------ JOB-04

#[when(
    regex = r"^医療機関コード「([^」]*)」の医療機関が診療年月「([^」]*)」の委託先資格情報一括取得要求を (XML/HTTP|ファイル連携) ?で送る$"
)]
async fn submit(w: &mut OqsWorld, facility: String, month: String, transport: String) {
    let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{facility}</MedicalInstitutionCode><ArbitraryFileIdentifier>scenario</ArbitraryFileIdentifier></MessageHeader><MessageBody><QualificationConfirmSearchInfo><MedicalTreatmentMonth>{month}</MedicalTreatmentMonth></QualificationConfirmSearchInfo></MessageBody></XmlMsg>");
    w.submit(&transport, "OQSmutic01req", body.into_bytes())
        .await;
}

/// SCR-29 《取得》 through the simulator's route for the screen (`POST /jobs/entrusted`).
#[when(
    regex = r"^委託先資格情報一括取得で診療年月「([^」]*)」、出力ファイル形式「(XML|CSV)」を選び《取得》をクリックする$"
)]
async fn request_on_screen(w: &mut OqsWorld, month: String, format: String) {
    let body = serde_json::json!({ "month": month, "format": format });
    let (status, bytes) = w
        .http(
            "POST",
            "/jobs/entrusted",
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("JSON");
    let number = v["receptionNumber"].as_str().expect("受付番号").to_owned();
    w.bulk.numbers.push(number);
    w.bulk.screen = Some(v);
}

#[then(regex = r"^受付番号と受付日時が示され、「([^」]*)」となる$")]
fn accepted(w: &mut OqsWorld, text: String) {
    let v = w.bulk.screen.as_ref().expect("a request on SCR-29");
    assert!(
        v["receptionNumber"]
            .as_str()
            .is_some_and(|n| n.contains('_')),
        "{v}"
    );
    assert!(v["receptionDateTime"].as_str().is_some(), "{v}");
    assert_eq!(v["message"], text.as_str());
}

/// The fetched OQSmutic02res: one row per ticket (受給者番号, 交付番号, 種別), in order.
#[then(regex = r"^取得結果の医療券・調剤券は次のとおりである:?$")]
fn fetched_tickets(w: &mut OqsWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table");
    let root = w.bulk.fetched.as_ref().expect("no result was fetched");
    let mut got = vec![table.rows[0].clone()];
    for unit in root
        .child("MessageBody")
        .map(|b| b.children_named("BulkConfirmUnit").collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let r = unit
            .child("ResultOfQualificationConfirmation")
            .expect("a result per unit");
        for t in r
            .child("PublicExpenseResultList")
            .map(|l| l.children_named("MedicalTicketInfo").collect::<Vec<_>>())
            .unwrap_or_default()
        {
            let kind = t
                .child_text("TicketType")
                .and_then(oqs_protocol::codes::TicketType::from_code)
                .map_or("", |k| k.label());
            got.push(vec![
                r.child_text("InsuredIdentificationNumber")
                    .unwrap_or("")
                    .to_owned(),
                t.child_text("IssueNumber").unwrap_or("").to_owned(),
                kind.to_owned(),
            ]);
        }
    }
    assert_eq!(got, table.rows);
}

/// The downloaded DM-20 CSV: its header starts with the given columns and it has these lines
/// (only the columns named in the table's first row are compared).
#[then(regex = r"^ダウンロードした CSV は次のとおりである:?$")]
fn csv_lines(w: &mut OqsWorld, step: &Step) {
    let table = step.table.as_ref().expect("a table");
    let (status, name, bytes) = w.bulk.download.as_ref().expect("nothing was downloaded");
    assert_eq!(*status, 200, "{}", String::from_utf8_lossy(bytes));
    assert!(name.ends_with(".csv"), "{name}");
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a BOM");
    let rows: Vec<Vec<String>> = text
        .lines()
        .map(|l| {
            l.trim_matches('"')
                .split("\",\"")
                .map(str::to_owned)
                .collect()
        })
        .collect();
    let header = &rows[0];
    let cols: Vec<usize> = table.rows[0]
        .iter()
        .map(|c| {
            header
                .iter()
                .position(|h| h == c)
                .unwrap_or_else(|| panic!("no column 「{c}」 in {header:?}"))
        })
        .collect();
    let got: Vec<Vec<String>> = rows[1..]
        .iter()
        .map(|r| cols.iter().map(|&i| r[i].clone()).collect())
        .collect();
    assert_eq!(got, table.rows[1..].to_vec());
}

/// The workers are asynchronous: waits until every JOB-04 job has finished.
#[when(regex = r"^委託先資格情報一括取得の処理が終わるまで待つ$")]
async fn wait_entrusted(w: &mut OqsWorld) {
    for j in w
        .sim
        .jobs
        .list(sim_server::jobs::JobKind::Entrusted, None, usize::MAX)
    {
        let done = w
            .sim
            .jobs
            .wait(&j.reception_number, std::time::Duration::from_secs(10))
            .expect("the job");
        assert!(done.state.is_final(), "{:?}", done.state);
    }
}
