//! Bulk jobs (JOB-01 資格情報一括照会, JOB-02 照会番号一括登録) and the 照会番号 editor (SCR-14),
//! through XML/HTTP, the file exchange and the job routes (`/jobs…`, `/__admin/jobs/pacing`,
//! `/__admin/faults/jobs`).

use super::world::{input_date, OqsWorld, Reply, Transport, START};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use oqs_protocol::codes::{ProcessingResultStatus, QualificationValidity};
use oqs_protocol::Element;
use sim_server::exchange::Exchange;
use sim_server::jobs::JobSettings;
use sim_server::{Clock, Settings, Simulator};
use std::sync::Arc;
use std::time::{Duration, Instant};

const FACILITY: &str = "1234567890";

fn table(step: &Step) -> Vec<Vec<String>> {
    step.table
        .as_ref()
        .expect("the step needs a table")
        .rows
        .clone()
}

fn leaf(name: &str, value: &str) -> String {
    if value.is_empty() {
        String::new()
    } else {
        format!("<{name}>{value}</{name}>")
    }
}

fn message(facility: &str, body: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><QualificationConfirmationDate>20210106</QualificationConfirmationDate><MedicalInstitutionCode>{facility}</MedicalInstitutionCode></MessageHeader><MessageBody>{body}</MessageBody></XmlMsg>\n")
}

/// Rows of a bulk inquiry table: 保険者番号 | 記号 | 番号 | 枝番 | 生年月日.
fn inquiry_rows(rows: &[Vec<String>]) -> String {
    let head = &rows[0];
    rows[1..]
        .iter()
        .map(|r| {
            let get = |col: &str| {
                head.iter()
                    .position(|h| h == col)
                    .map(|i| r[i].clone())
                    .unwrap_or_default()
            };
            format!(
                "<QualificationConfirmSearchInfo>{}{}{}{}{}<LimitApplicationCertificateRelatedConsFlg>0</LimitApplicationCertificateRelatedConsFlg></QualificationConfirmSearchInfo>",
                leaf("InsurerNumber", &get("保険者番号")),
                leaf("InsuredCardSymbol", &get("記号")),
                leaf("InsuredIdentificationNumber", &get("番号")),
                leaf("InsuredBranchNumber", &get("枝番")),
                leaf("Birthdate", &input_date(&get("生年月日"))),
            )
        })
        .collect()
}

/// Rows of a registration table: 照会番号 | 保険者番号 | 記号 | 番号 | 枝番.
fn registration_rows(rows: &[Vec<String>]) -> String {
    let head = &rows[0];
    rows[1..]
        .iter()
        .map(|r| {
            let get = |col: &str| {
                head.iter()
                    .position(|h| h == col)
                    .map(|i| r[i].clone())
                    .unwrap_or_default()
            };
            format!(
                "<ReferenceNumberRegistrationInfo><ReferenceNumber>{}</ReferenceNumber>{}{}{}{}</ReferenceNumberRegistrationInfo>",
                get("照会番号"),
                leaf("InsurerNumber", &get("保険者番号")),
                leaf("InsuredCardSymbol", &get("記号")),
                leaf("InsuredIdentificationNumber", &get("番号")),
                leaf("InsuredBranchNumber", &get("枝番")),
            )
        })
        .collect()
}

fn read(bytes: &[u8]) -> Element {
    oqs_protocol::xml::read_document(
        bytes,
        oqs_protocol::xml::ReadLimits {
            max_elements: usize::MAX,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("not XML ({e}): {}", String::from_utf8_lossy(bytes)))
    .root
}

impl OqsWorld {
    /// Sends a message over XML/HTTP or the file exchange; returns the answer bytes.
    pub(crate) async fn send_message(
        &mut self,
        transport: &str,
        message: &str,
        body: Vec<u8>,
    ) -> Vec<u8> {
        match Transport::from_words(transport) {
            Transport::Http => {
                let (status, bytes) = self
                    .http(
                        "POST",
                        &format!("/xml/{message}"),
                        &[("content-type", "application/xml")],
                        body,
                    )
                    .await;
                assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
                bytes
            }
            Transport::Exchange => {
                if self.bulk.exchange.is_none() {
                    let dir = tempfile::tempdir().expect("a temporary folder");
                    let ex = Exchange::open(dir.path(), self.sim.clone()).expect("exchange");
                    self.bulk.exchange = Some((dir, ex));
                }
                self.bulk.files += 1;
                let id = format!("bulk{:04}", self.bulk.files);
                let (_, ex) = self.bulk.exchange.as_ref().expect("opened above");
                std::fs::write(ex.req_dir().join(format!("{message}_{id}.xml")), body)
                    .expect("write the request file");
                let res = ex.res_dir().join(format!(
                    "{}res_{id}.xml",
                    message.strip_suffix("req").expect("a request id")
                ));
                for _ in 0..100 {
                    ex.scan_once().expect("scan");
                    if res.exists() {
                        return std::fs::read(&res).expect("read the answer");
                    }
                    tokio::time::sleep(Duration::from_millis(30)).await;
                }
                panic!("no {} appeared", res.display());
            }
            Transport::WebApi => panic!("bulk files go over XML/HTTP or the file exchange"),
        }
    }

    pub(crate) async fn submit(&mut self, transport: &str, message: &str, body: Vec<u8>) {
        let bytes = self.send_message(transport, message, body).await;
        let root = read(&bytes);
        if let Some(n) = root
            .child("MessageBody")
            .and_then(|b| b.child_text("ReceptionNumber"))
        {
            self.bulk.numbers.push(n.to_owned());
        }
        self.bulk.submitted = Some(root);
    }

    pub(crate) fn number(&self) -> String {
        self.bulk
            .numbers
            .last()
            .expect("no file was registered yet")
            .clone()
    }

    async fn job_view(&self) -> serde_json::Value {
        let (status, bytes) = self
            .http("GET", &format!("/jobs/{}", self.number()), &[], vec![])
            .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
        serde_json::from_slice(&bytes).expect("JSON")
    }

    fn rebuild(&mut self, jobs: JobSettings) {
        let t = sim_server::clock::parse_now(START).expect("START");
        self.sim = Arc::new(Simulator::new(
            Clock::frozen(t),
            oqs_protocol::ErrorTable::builtin(),
            Settings {
                jobs,
                ..Settings::default()
            },
        ));
    }

    fn units(&self, name: &str) -> Vec<Element> {
        self.bulk
            .fetched
            .as_ref()
            .expect("no result was fetched yet")
            .child("MessageBody")
            .map(|b| b.children_named(name).cloned().collect())
            .unwrap_or_default()
    }
}

// ------------------------------------------------------------------ settings

#[given(regex = r"^一括処理の処理上限は (\d+) 件である$")]
fn row_limit(w: &mut OqsWorld, n: usize) {
    w.rebuild(JobSettings {
        row_limit: n,
        ..JobSettings::default()
    });
}

/// `hold`: jobs stay 待ち; `500ms/row`: 中 lasts; `instant`.
#[given(regex = r"^一括処理の速度は「([^」]*)」である$")]
#[when(regex = r"^一括処理の速度を「([^」]*)」にする$")]
async fn pacing(w: &mut OqsWorld, speed: String) {
    let body = serde_json::json!({ "pacing": speed })
        .to_string()
        .into_bytes();
    let (status, bytes) = w
        .http(
            "PUT",
            "/__admin/jobs/pacing",
            &[("content-type", "application/json")],
            body,
        )
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
}

#[given(regex = r"^管理 API で一括処理にシステムエラーを起こす$")]
async fn system_fault(w: &mut OqsWorld) {
    let (status, _) = w
        .http(
            "PUT",
            "/__admin/faults/jobs",
            &[("content-type", "application/json")],
            br#"{"systemError":true}"#.to_vec(),
        )
        .await;
    assert_eq!(status, 200);
}

// ------------------------------------------------------------------ submitting

#[when(regex = r"^次の資格確認一括照会要求ファイルを (XML/HTTP|ファイル連携) ?で登録する:?$")]
async fn submit_inquiry(w: &mut OqsWorld, transport: String, step: &Step) {
    let body = message(FACILITY, &inquiry_rows(&table(step)));
    w.submit(&transport, "OQSmuquc01req", body.into_bytes())
        .await;
}

#[when(regex = r"^医療機関コード「([^」]*)」の資格確認一括照会要求ファイルを登録する:?$")]
async fn submit_inquiry_from(w: &mut OqsWorld, facility: String, step: &Step) {
    let body = message(&facility, &inquiry_rows(&table(step)));
    w.submit("XML/HTTP", "OQSmuquc01req", body.into_bytes())
        .await;
}

#[when(regex = r"^次の照会番号一括登録要求ファイルを (XML/HTTP|ファイル連携) ?で登録する:?$")]
async fn submit_registration(w: &mut OqsWorld, transport: String, step: &Step) {
    let body = message(FACILITY, &registration_rows(&table(step)));
    w.submit(&transport, "OQSmuimm01req", body.into_bytes())
        .await;
}

/// A file that is not what the manual asks for: the docstring is sent as it is.
#[when(regex = r"^次の内容の(資格確認一括照会要求|照会番号一括登録要求)ファイルを登録する:?$")]
async fn submit_raw(w: &mut OqsWorld, kind: String, step: &Step) {
    let body = step.docstring.clone().unwrap_or_default();
    let message = if kind.starts_with("資格") {
        "OQSmuquc01req"
    } else {
        "OQSmuimm01req"
    };
    w.submit("XML/HTTP", message, body.trim().as_bytes().to_vec())
        .await;
}

#[then(regex = r"^受付番号と受付日時が返る$")]
fn reception_returned(w: &mut OqsWorld) {
    let root = w.bulk.submitted.as_ref().expect("nothing was registered");
    let body = root.child("MessageBody").expect("MessageBody");
    let number = body.child_text("ReceptionNumber").expect("ReceptionNumber");
    let time = body
        .child_text("ReceptionDateTime")
        .expect("ReceptionDateTime");
    // 17-digit yyyymmddhhmmssSSS, '_', suffix; 受付日時 = the same instant cut to seconds.
    let (stamp, suffix) = number.split_once('_').expect("受付番号 has a '_'");
    assert_eq!(stamp.len(), 17, "{number}");
    assert!(stamp.bytes().all(|b| b.is_ascii_digit()), "{number}");
    assert!(!suffix.is_empty(), "{number}");
    assert_eq!(&stamp[..14], time, "受付日時 does not match the 受付番号");
}

#[then(regex = r"^受付番号は「([^」]*)」、受付日時は「([^」]*)」である$")]
async fn reception_is(w: &mut OqsWorld, number: String, shown: String) {
    assert_eq!(w.number(), number);
    let v = w.job_view().await;
    assert_eq!(v["receptionDateTime"], shown.as_str());
}

// ------------------------------------------------------------------ statuses (SCR-16, SCR-18)

/// 照会状況 (JOB-01) / 処理状況 (JOB-02) of the last file. A final status is waited for; 待ち and
/// 中 are watched for (up to 10 s).
#[then(regex = r"^(?:照会状況|処理状況|取得状況)は「([^」]*)」(?:である|になる)$")]
async fn status_is(w: &mut OqsWorld, expected: String) {
    let number = w.number();
    let start = Instant::now();
    loop {
        let job = w.sim.jobs.job(&number).expect("the job exists");
        let status = job.state.status(job.kind);
        if status == expected {
            let v = w.job_view().await;
            assert_eq!(v["status"], expected.as_str());
            assert_eq!(v["description"], job.state.description(job.kind));
            return;
        }
        assert!(
            !job.state.is_final() && start.elapsed() < Duration::from_secs(10),
            "the job is 「{status}」, not 「{expected}」 ({:?})",
            job.error_detail
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[then(regex = r"^(?:照会件数|処理件数|資格取得件数)は (\d+) 件である$")]
async fn count_is(w: &mut OqsWorld, n: u64) {
    let v = w.job_view().await;
    assert_eq!(v["count"], n, "{v}");
}

#[then(regex = r"^完了日時は「([^」]*)」である$")]
async fn completed_at(w: &mut OqsWorld, shown: String) {
    let v = w.job_view().await;
    assert_eq!(v["completionDateTime"], shown.as_str());
}

#[then(
    regex = r"^(資格情報一括照会結果|照会番号一括登録結果)の一覧には最後に登録した (\d+) 件が新しい順に表示される$"
)]
async fn listing(w: &mut OqsWorld, screen: String, n: usize) {
    let kind = if screen.starts_with("資格") {
        "bulk-inquiry"
    } else {
        "bulk-registration"
    };
    for number in w.bulk.numbers.clone() {
        w.sim.jobs.wait(&number, Duration::from_secs(10));
    }
    let (status, bytes) = w
        .http(
            "GET",
            &format!("/jobs?kind={kind}&facility={FACILITY}"),
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
    let expected: Vec<String> = w.bulk.numbers.iter().rev().take(n).cloned().collect();
    assert_eq!(listed, expected);
}

// ------------------------------------------------------------------ download (RULE-54)

#[when(regex = r"^《ダウンロード》をクリックする$")]
async fn download(w: &mut OqsWorld) {
    let number = w.number();
    let (status, bytes) = w
        .http("GET", &format!("/jobs/{number}/result"), &[], vec![])
        .await;
    let name = w
        .sim
        .jobs
        .job(&number)
        .and_then(|j| j.result_name)
        .unwrap_or_default();
    w.bulk.download = Some((status, name, bytes));
}

#[then(regex = r"^ファイル「([^」]*)」がダウンロードされる$")]
fn downloaded(w: &mut OqsWorld, name: String) {
    let (status, got, bytes) = w.bulk.download.as_ref().expect("nothing was downloaded");
    assert_eq!(*status, 200, "{}", String::from_utf8_lossy(bytes));
    assert_eq!(got, &name);
}

#[then(regex = r"^ダウンロードできない$")]
fn not_downloadable(w: &mut OqsWorld) {
    let (status, _, _) = w.bulk.download.as_ref().expect("no download was tried");
    assert_eq!(*status, 409);
}

#[then(regex = r"^ダウンロードしたファイルは取得した照会結果とバイト単位で同じである$")]
fn download_equals_fetch(w: &mut OqsWorld) {
    let (_, _, bytes) = w.bulk.download.as_ref().expect("nothing was downloaded");
    let fetched = &w.last().bytes;
    assert_eq!(bytes, fetched);
}

// ------------------------------------------------------------------ fetching (02req / 02res)

#[when(
    regex = r"^受付番号で(照会|登録|委託先資格情報一括取得)結果を (XML/HTTP|ファイル連携) ?で取得する$"
)]
async fn fetch(w: &mut OqsWorld, what: String, transport: String) {
    let message = match what.as_str() {
        "照会" => "OQSmuquc02req",
        "登録" => "OQSmuimm02req",
        _ => "OQSmutic02req",
    };
    let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{FACILITY}</MedicalInstitutionCode></MessageHeader><MessageBody><ReceptionNumber>{}</ReceptionNumber></MessageBody></XmlMsg>", w.number());
    let bytes = w.send_message(&transport, message, body.into_bytes()).await;
    w.bulk.fetched = Some(read(&bytes));
    // Kept as the last answer so the common checks (処理結果区分, エラーコード) read it.
    w.replies.push(Reply {
        transport: Transport::from_words(&transport),
        status: 200,
        bytes,
        file_name: None,
        request_name: None,
    });
}

#[then(regex = r"^件数は処理 (\d+) 件、正常 (\d+) 件、エラー (\d+) 件である$")]
fn numbers(w: &mut OqsWorld, all: String, normal: String, errors: String) {
    let root = w.bulk.fetched.as_ref().expect("no result was fetched");
    let h = root.child("MessageHeader").expect("header");
    assert_eq!(h.child_text("NumberOfProcessingResult"), Some(all.as_str()));
    assert_eq!(
        h.child_text("NumberOfNormalProcessing"),
        Some(normal.as_str())
    );
    assert_eq!(h.child_text("NumberOfError"), Some(errors.as_str()));
}

fn unit(w: &OqsWorld, n: usize, name: &str) -> Element {
    w.units(name)
        .get(n - 1)
        .unwrap_or_else(|| panic!("the result has no row {n}"))
        .clone()
}

#[then(regex = r"^照会結果の (\d+) 行目の資格有効性は「([^」]*)」である$")]
fn row_validity(w: &mut OqsWorld, n: usize, label: String) {
    let u = unit(w, n, "BulkConfirmUnit");
    let want = QualificationValidity::from_label(&label).expect("table 006");
    assert_eq!(u.child_text("QualificationValidity"), Some(want.code()));
}

#[then(regex = r"^(照会|登録)結果の (\d+) 行目の処理結果状況は「([^」]*)」である$")]
fn row_status(w: &mut OqsWorld, what: String, n: usize, label: String) {
    let name = if what == "照会" {
        "BulkConfirmUnit"
    } else {
        "BulkRegistrationUnit"
    };
    let u = unit(w, n, name);
    let want = ProcessingResultStatus::from_label(&label).expect("table 004");
    assert_eq!(u.child_text("ProcessingResultStatus"), Some(want.code()));
}

#[then(
    regex = r"^(照会|登録)結果の (\d+) 行目の処理結果コードは「([^」]*)」、処理結果メッセージは「(.*)」である$"
)]
fn row_error(w: &mut OqsWorld, what: String, n: usize, code: String, msg: String) {
    let name = if what == "照会" {
        "BulkConfirmUnit"
    } else {
        "BulkRegistrationUnit"
    };
    let u = unit(w, n, name);
    assert_eq!(u.child_text("ProcessingResultCode"), Some(code.as_str()));
    assert_eq!(u.child_text("ProcessingResultMessage"), Some(msg.as_str()));
}

#[then(regex = r"^照会結果の (\d+) 行目の照会番号は「([^」]*)」である$")]
fn row_reference(w: &mut OqsWorld, n: usize, value: String) {
    let u = unit(w, n, "BulkConfirmUnit");
    assert_eq!(u.child_text("ReferenceNumber"), Some(value.as_str()));
}

/// Each row carries exactly what a single inquiry with the same search answers.
#[then(regex = r"^照会結果の各行は同じ条件の単独照会の答えと同じである$")]
async fn rows_equal_single(w: &mut OqsWorld) {
    for u in w.units("BulkConfirmUnit") {
        let search = u
            .child("QualificationConfirmSearchInfo")
            .expect("the row echoes its search")
            .clone();
        let single = Element::new("XmlMsg")
            .with(
                Element::new("MessageHeader")
                    .with(Element::leaf("QualificationConfirmationDate", "20210106"))
                    .with(Element::leaf("MedicalInstitutionCode", FACILITY)),
            )
            .with(Element::new("MessageBody").with(search));
        let bytes = oqs_protocol::xml::write_document(&single, oqs_protocol::TextEncoding::Utf8);
        let (status, answer) = w.http("POST", "/xml/OQSsiquc01req", &[], bytes).await;
        assert_eq!(status, 200);
        let answer = read(&answer);
        let body = answer.child("MessageBody").expect("body");
        for leaf in [
            "ProcessingResultStatus",
            "ProcessingResultCode",
            "ProcessingResultMessage",
            "QualificationValidity",
        ] {
            assert_eq!(u.child_text(leaf), body.child_text(leaf), "{leaf}");
        }
        let single_results: Vec<&Element> = body
            .child("ResultList")
            .map(|l| l.children.iter().collect())
            .unwrap_or_default();
        let unit_results: Vec<&Element> = u
            .children_named("ResultOfQualificationConfirmation")
            .collect();
        assert_eq!(unit_results, single_results);
    }
}

// ------------------------------------------------------------------ 照会番号 (SCR-14)

/// 《編集》 → value → 《登録》/《更新》 on the qualification shown (the last single inquiry):
/// sent as OQSsiimm01req over XML/HTTP. An empty value deletes (RULE-51).
#[when(regex = r"^表示中の資格の照会番号を「([^」]*)」にして《(登録|更新)》をクリックする$")]
async fn register_shown(w: &mut OqsWorld, value: String, _button: String) {
    let root = w.last().root();
    let r = root
        .child("MessageBody")
        .and_then(|b| b.child("ResultList"))
        .and_then(|l| l.child("ResultOfQualificationConfirmation"))
        .expect("a qualification is shown")
        .clone();
    let field = |n: &str| r.child_text(n).unwrap_or_default().to_owned();
    let info = format!(
        "<ReferenceNumberRegistrationInfo><ReferenceNumber>{value}</ReferenceNumber>{}{}{}{}</ReferenceNumberRegistrationInfo>",
        leaf("InsurerNumber", &field("InsurerNumber")),
        leaf("InsuredCardSymbol", &field("InsuredCardSymbol")),
        leaf("InsuredIdentificationNumber", &field("InsuredIdentificationNumber")),
        leaf("InsuredBranchNumber", &field("InsuredBranchNumber")),
    );
    register(w, &info).await;
}

#[when(
    regex = r"^保険者番号「([^」]*)」記号「([^」]*)」番号「([^」]*)」枝番「([^」]*)」に照会番号「([^」]*)」を登録する$"
)]
async fn register_card(
    w: &mut OqsWorld,
    insurer: String,
    symbol: String,
    number: String,
    branch: String,
    value: String,
) {
    let info = format!(
        "<ReferenceNumberRegistrationInfo><ReferenceNumber>{value}</ReferenceNumber>{}{}{}{}</ReferenceNumberRegistrationInfo>",
        leaf("InsurerNumber", &insurer),
        leaf("InsuredCardSymbol", &symbol),
        leaf("InsuredIdentificationNumber", &number),
        leaf("InsuredBranchNumber", &branch),
    );
    register(w, &info).await;
}

async fn register(w: &mut OqsWorld, info: &str) {
    let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>{FACILITY}</MedicalInstitutionCode></MessageHeader><MessageBody>{info}</MessageBody></XmlMsg>");
    let (status, bytes) = w
        .http("POST", "/xml/OQSsiimm01req", &[], body.into_bytes())
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    // What the registration did, as the simulator journals it (the SCR-14 step text).
    let entries = w.sim.journal.since(0, usize::MAX);
    w.bulk.change = entries.last().and_then(|e| e.error_detail.clone());
    w.replies.push(Reply {
        transport: Transport::Http,
        status,
        bytes,
        file_name: None,
        request_name: None,
    });
}

#[then(regex = r"^照会番号の登録は正常終了し「([^」]*)」となる$")]
fn registered(w: &mut OqsWorld, text: String) {
    let root = w.last().root();
    assert_eq!(
        root.child("MessageBody")
            .and_then(|b| b.child_text("ProcessingResultStatus")),
        Some(ProcessingResultStatus::Normal.code())
    );
    assert_eq!(w.bulk.change.as_deref(), Some(text.as_str()));
}
