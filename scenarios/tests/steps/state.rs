//! What a scenario keeps between steps, per area (the World holds one of each); the steps of
//! each area work on theirs in `history.rs`, `mynumber.rs` and `bulk.rs`.

use oqs_protocol::Element;
use serde_json::Value;
use sim_server::exchange::Exchange;

/// The SCR-19 inputs and the last answers of the history routes.
#[derive(Debug, Default)]
pub struct HistoryState {
    /// Query parameters typed on SCR-19 (name, value).
    pub conditions: Vec<(String, String)>,
    /// Last search or download: status and body.
    pub last: Option<(u16, Vec<u8>)>,
    /// Last SCR-20 detail opened.
    pub detail: Option<serde_json::Value>,
}

/// What the My Number scenarios keep between steps.
#[derive(Debug, Default)]
pub struct MyNumberState {
    /// The SCR-08 choices typed so far (the body of the next `POST /terminal/mynumber`).
    pub request: serde_json::Map<String, Value>,
    /// The latest answer of the terminal.
    pub last: Option<Value>,
    /// The latest 《ダウンロード》.
    pub download: Option<String>,
    /// The exchange folder's `face/` (a temporary folder).
    pub face_dir: Option<tempfile::TempDir>,
    /// A request the terminal refused (HTTP status, answer).
    pub refused: Option<(u16, Value)>,
}

/// The bulk side of a scenario: the last job, fetch and listing.
#[derive(Default)]
pub struct BulkState {
    /// 受付番号 of the files registered, oldest first.
    pub numbers: Vec<String>,
    /// The last OQSmuquc01res / OQSmuimm01res.
    pub submitted: Option<Element>,
    /// The last 02res.
    pub fetched: Option<Element>,
    /// The last download: status, file name, bytes.
    pub download: Option<(u16, String, Vec<u8>)>,
    /// The last single 照会番号 registration: what it did.
    pub change: Option<String>,
    pub exchange: Option<(tempfile::TempDir, Exchange)>,
    pub files: u32,
    /// The last answer of a job screen's own route (SCR-29 《取得》).
    pub screen: Option<serde_json::Value>,
}

impl std::fmt::Debug for BulkState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BulkState")
            .field("numbers", &self.numbers)
            .finish_non_exhaustive()
    }
}

/// Visiting / online care (ch.3): what SCR-22 / SCR-27 hold besides the card.
#[derive(Debug, Default)]
pub struct VisitingState {
    /// 診療区分: 「訪問診療等」 (default) or 「オンライン診療等」.
    pub online: bool,
    /// 「特定疾病療養受療証 ☐ 表示する」.
    pub specific_disease: bool,
    /// The last SCR-21 search: status and page.
    pub list: Option<(u16, serde_json::Value)>,
    /// The SCR-21 row opened on SCR-23.
    pub opened: Option<u64>,
    /// The patient of SCR-12 / SCR-24 (by name).
    pub patient: Option<String>,
    /// The last 《処方箋取得》: status and body.
    pub retrieved: Option<(u16, Vec<u8>)>,
    /// The file SCR-23's 《ダウンロード》 saved (the screens).
    pub download: Option<String>,
}

/// What the dispensing scenarios keep between steps.
#[derive(Debug, Default)]
pub struct DispensingState {
    /// Accepted 調剤結果一括取得IDs, oldest first.
    pub ids: Vec<String>,
    /// The last OQSmudsp01res.
    pub requested: Option<oqs_protocol::Element>,
    /// The last OQSmudsp02res.
    pub listed: Option<oqs_protocol::Element>,
    /// The last download from SCR-34: status and what it held.
    pub screen: Option<(u16, serde_json::Value)>,
}

/// What the outage scenarios keep: the last answer of a terminal or recovery route.
#[derive(Debug, Default)]
pub struct OutageState {
    pub last: Option<(u16, serde_json::Value)>,
}

/// One browser: cookies, the page shown, what is typed into its form.
#[derive(Debug, Default, Clone)]
pub struct Browser {
    pub cookies: std::collections::BTreeMap<String, String>,
    /// The HTML of the page shown.
    pub page: String,
    pub typed: Vec<(String, String)>,
}

/// The screens' side of a scenario: the browsers by name (「別のブラウザ」) and the one in use.
#[derive(Debug, Default)]
pub struct ScreenState {
    pub browsers: std::collections::BTreeMap<String, Browser>,
    pub current: String,
}
