//! The World: one simulator per scenario (in-process, frozen clock), the request being typed on
//! SCR-13 and every answer received, over whichever transport.

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt as _;
use oqs_domain::wareki;
use oqs_protocol::message::{format_date, parse_date, SingleInquiryRequest};
use oqs_protocol::naming::RequestFileName;
use oqs_protocol::{Element, TextEncoding};
use sim_server::exchange::Exchange;
use sim_server::{Clock, Settings, Simulator};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt as _;

/// The instant every scenario starts at (a feature may move it with 「現在日時は…である」).
pub const START: &str = "2021-01-06T10:00:00+09:00";

/// The three machine transports of interface.md §1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Http,
    Exchange,
    WebApi,
}

impl Transport {
    /// The words the features use.
    pub fn from_words(s: &str) -> Self {
        match s.trim() {
            "XML/HTTP" => Transport::Http,
            "ファイル連携" => Transport::Exchange,
            "WebAPI" => Transport::WebApi,
            other => panic!("unknown transport 「{other}」 (XML/HTTP, ファイル連携 or WebAPI)"),
        }
    }
}

/// One answer as received.
#[derive(Debug, Clone)]
pub struct Reply {
    pub transport: Transport,
    /// HTTP status; for the file exchange 200 for a result file, 400 for a `.err` file.
    pub status: u16,
    pub bytes: Vec<u8>,
    /// File exchange: the name of the file that appeared in `res/`.
    pub file_name: Option<String>,
    /// File exchange: the name of the request file.
    pub request_name: Option<String>,
}

impl Reply {
    /// A reply that came back over HTTP (no files involved).
    fn over_http(transport: Transport, status: u16, bytes: Vec<u8>) -> Self {
        Reply {
            transport,
            status,
            bytes,
            file_name: None,
            request_name: None,
        }
    }

    /// The answer as an element tree (XML result, or the WebAPI JSON mirror read back).
    pub fn root(&self) -> Element {
        assert_eq!(
            self.status,
            200,
            "expected a result message, got status {} ({:?}): {}",
            self.status,
            self.file_name,
            String::from_utf8_lossy(&self.bytes)
        );
        match self.transport {
            Transport::Http | Transport::Exchange => {
                oqs_protocol::xml::read_document(&self.bytes, Default::default())
                    .expect("the result is well-formed XML")
                    .root
            }
            Transport::WebApi => oqs_protocol::json::from_json(&self.json())
                .expect("the WebAPI answer mirrors a message"),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes).expect("the WebAPI answer is JSON")
    }

    /// The encoding the XML result was written in.
    pub fn encoding(&self) -> TextEncoding {
        oqs_protocol::xml::read_document(&self.bytes, Default::default())
            .expect("the result is well-formed XML")
            .encoding
    }
}

#[derive(Debug, cucumber::World)]
#[world(init = Self::new)]
pub struct OqsWorld {
    pub sim: Arc<Simulator>,
    /// What is typed on SCR-13 (header and search condition).
    pub request: SingleInquiryRequest,
    /// Encoding of the request XML.
    pub encoding: TextEncoding,
    /// Every answer, oldest first.
    pub replies: Vec<Reply>,
    /// 資格確認履歴 (SCR-19/20): search conditions and the last answers.
    pub history: super::state::HistoryState,
    /// My Number card inquiry (SCR-08/09/10): choices, the last answer, downloads.
    pub mynumber: super::state::MyNumberState,
    /// Bulk jobs (JOB-01/02) and 照会番号 registrations: the last job, fetch, download.
    pub bulk: super::state::BulkState,
    /// Visiting / online care (ch.3): 診療区分, the 特定疾病 box.
    pub visiting: super::state::VisitingState,
    /// The operator screens (ch.1): browsers, pages, what is typed.
    pub screens: super::state::ScreenState,
    /// 保管調剤結果一括取得 (ch.11): IDs, the last 01res / 02res, the screens' actions.
    pub dispensing: super::state::DispensingState,
    /// システム障害 (ch.12): the last answer of the terminal or a recovery route.
    pub outage: super::state::OutageState,
    exchange: Option<(tempfile::TempDir, Exchange)>,
    file_seq: u32,
}

impl OqsWorld {
    fn new() -> Self {
        let t = sim_server::clock::parse_now(START).expect("START is RFC 3339");
        let sim = Arc::new(Simulator::new(
            Clock::frozen(t),
            oqs_protocol::ErrorTable::builtin(),
            Settings::default(),
        ));
        OqsWorld {
            sim,
            request: SingleInquiryRequest::default(),
            encoding: TextEncoding::Utf8,
            replies: Vec::new(),
            history: Default::default(),
            mynumber: Default::default(),
            bulk: Default::default(),
            visiting: Default::default(),
            screens: Default::default(),
            dispensing: Default::default(),
            outage: Default::default(),
            exchange: None,
            file_seq: 0,
        }
    }

    /// The request as XML bytes in the chosen encoding.
    pub fn request_xml(&self) -> Vec<u8> {
        oqs_protocol::xml::write_document(&self.request.to_element(), self.encoding)
    }

    /// The latest answer.
    pub fn last(&self) -> &Reply {
        self.replies.last().expect("no request was sent yet")
    }

    /// The latest answer over `t`.
    pub fn last_over(&self, t: Transport) -> &Reply {
        self.replies
            .iter()
            .rev()
            .find(|r| r.transport == t)
            .unwrap_or_else(|| panic!("nothing was sent over {t:?} yet"))
    }

    /// One HTTP request through the router, in-process.
    pub async fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req.body(Body::from(body)).expect("a valid HTTP request");
        let res = sim_server::router(self.sim.clone())
            .oneshot(req)
            .await
            .expect("the router is infallible");
        let status = res.status().as_u16();
        let bytes = res
            .into_body()
            .collect()
            .await
            .expect("the body can be read")
            .to_bytes()
            .to_vec();
        (status, bytes)
    }

    /// Sends `body` (request XML, or `None` for the typed request) over `t` and keeps the answer.
    pub async fn send(&mut self, t: Transport, body: Option<Vec<u8>>) {
        self.send_as(t, "OQSsiquc01req", body).await;
    }

    /// Sends `body` as the request message `message` (XML/HTTP and the exchange).
    pub async fn send_as(&mut self, t: Transport, message: &str, body: Option<Vec<u8>>) {
        let reply = match t {
            Transport::Http => {
                let body = body.unwrap_or_else(|| self.request_xml());
                let (status, bytes) = self
                    .http(
                        "POST",
                        &format!("/xml/{message}"),
                        &[("content-type", "application/xml")],
                        body,
                    )
                    .await;
                Reply::over_http(t, status, bytes)
            }
            Transport::Exchange => {
                let body = body.unwrap_or_else(|| self.request_xml());
                self.exchange_round_trip(message, body).await
            }
            Transport::WebApi => {
                let body = match body {
                    Some(b) => b,
                    None => {
                        serde_json::to_vec(&oqs_protocol::json::to_json(&self.request.to_element()))
                            .expect("JSON")
                    }
                };
                let token = self.webapi_token().await;
                let (status, bytes) = self
                    .http(
                        "POST",
                        sim_server::webapi::SEARCH_PATH,
                        &[
                            ("content-type", "application/json"),
                            ("authorization", &token),
                        ],
                        body,
                    )
                    .await;
                Reply::over_http(t, status, bytes)
            }
        };
        self.replies.push(reply);
    }

    async fn webapi_token(&self) -> String {
        let (status, bytes) = self
            .http(
                "POST",
                sim_server::webapi::AUTH_PATH,
                &[("content-type", "application/json")],
                br#"{"userId":"webapi01","password":"Demo#Pass2021"}"#.to_vec(),
            )
            .await;
        assert_eq!(
            status,
            200,
            "WebAPI auth: {}",
            String::from_utf8_lossy(&bytes)
        );
        let v: serde_json::Value = serde_json::from_slice(&bytes).expect("auth answer is JSON");
        assert_eq!(v["status"], "0", "WebAPI auth refused: {v}");
        v["result"]["idToken"]
            .as_str()
            .expect("auth answer has result.idToken")
            .to_owned()
    }

    /// Writes `req/OQSsiquc01req_<id>.xml`, scans until `res/` holds the answer or `.err`.
    async fn exchange_round_trip(&mut self, message: &str, body: Vec<u8>) -> Reply {
        if self.exchange.is_none() {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let ex = Exchange::open(dir.path(), self.sim.clone()).expect("the exchange opens");
            self.exchange = Some((dir, ex));
        }
        self.file_seq += 1;
        let request_name = format!("{message}_scenario{:04}.xml", self.file_seq);
        let parsed = RequestFileName::parse(&request_name).expect("a valid request file name");
        let res_name = parsed.response_name();
        let err_name = RequestFileName::error_name(&request_name);
        let (_, ex) = self.exchange.as_ref().expect("opened above");
        std::fs::write(ex.req_dir().join(&request_name), body).expect("write the request file");
        for _ in 0..100 {
            ex.scan_once().expect("scan the exchange folder");
            for (name, status) in [(&res_name, 200), (&err_name, 400)] {
                let path = ex.res_dir().join(name);
                if path.exists() {
                    return Reply {
                        transport: Transport::Exchange,
                        status,
                        bytes: std::fs::read(&path).expect("read the answer file"),
                        file_name: Some(name.clone()),
                        request_name: Some(request_name),
                    };
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no {res_name} nor {err_name} appeared in res/ after 100 scans");
    }
}

/// A date as typed in a feature — 和暦 (「昭和29年3月26日」), `yyyy/mm/dd` or `yyyy-mm-dd` —
/// as the wire's `YYYYMMDD`. Anything else is sent as written (for the error cases).
pub fn input_date(s: &str) -> String {
    if let Some(d) = wareki::parse(s) {
        return format_date(d);
    }
    let parts: Vec<&str> = s.split(['/', '-']).collect();
    if let [y, m, d] = parts.as_slice() {
        if y.len() == 4
            && m.len() == 2
            && d.len() == 2
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        {
            return format!("{y}{m}{d}");
        }
    }
    s.to_owned()
}

/// A wire date (`YYYYMMDD`) as the screens show it (和暦).
pub fn shown_date(wire: &str) -> String {
    parse_date(wire)
        .map(wareki::format)
        .unwrap_or_else(|e| panic!("the result holds a bad date: {e}"))
}
