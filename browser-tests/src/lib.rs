//! # browser-tests
//!
//! The operator screens driven through whole flows in a real browser: headless Chromium over
//! WebDriver (Debian's `chromium` and `chromium-driver`), at 1366×768, against the real
//! `oqs-sim` binary on a free loopback port with a frozen clock. Each flow saves screenshots of
//! its key steps under `reports/screenshots/` (not committed; CI keeps them as artifacts).
//!
//! Without `chromedriver` or `chromium` the tests print a skip message and pass, so
//! `cargo test --workspace` needs only Rust. With `OQS_BROWSER_TESTS=required` (set by `.ci/run`)
//! a missing browser fails them instead.
//!
//! Helpers for a new flow (e.g. `tests/checks.rs`):
//!
//! ```no_run
//! # async fn flow() {
//! use browser_tests::{Flow, DEMO_STAFF};
//! // None when no browser is installed (the skip message is printed): return then.
//! let Some(flow) = Flow::start("my-flow").await else { return };
//! flow.login(DEMO_STAFF.0, DEMO_STAFF.1).await;          // SCR-02 → SCR-03 → SCR-05
//! flow.open("/menu").await;                              // any path of the simulator
//! flow.click_text("パスワード変更").await;                 // a link or button by its text
//! flow.shot("menu").await;                               // reports/screenshots/my-flow-01-menu.png
//! assert!(flow.page_text().await.contains("メニュー"));
//! flow.admin("PUT", "/__admin/clock", r#"{"now":"2021-01-06T11:00:00+09:00"}"#);
//! flow.finish().await;                                   // closes the browser, stops the server
//! # }
//! ```
//!
//! - [`Server::start`]: `oqs-sim --listen 127.0.0.1:0 --now …` with a temporary exchange
//!   folder (built first with `cargo build -p sim-server --bin oqs-sim` when missing).
//! - [`Flow::start`]: a server, a `chromedriver` on a free port and a headless session; a
//!   second browser on the same server: [`Flow::second_browser`].
//! - [`DEMO_STAFF`] and the other demo accounts (README "Operator screens").

use fantoccini::{Client, ClientBuilder, Locator};
#[allow(dead_code)]
#[path = "../../sim-server/tests/common/launch.rs"]
mod launch;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The frozen clock every flow starts at.
pub const NOW: &str = "2021-01-06T10:00:00+09:00";
/// Demo accounts (user, password) of the README.
pub const DEMO_STAFF: (&str, &str) = ("staff01", "Staff#Pass01");
pub const DEMO_ADMIN: (&str, &str) = ("admin01", "Admin#Pass01");
pub const DEMO_INITIAL: (&str, &str) = ("newstaff", "Init#Pass01");
pub const DEMO_EXPIRED: (&str, &str) = ("oldstaff", "Old#Pass2020");
pub const DEMO_PHARMACY: (&str, &str) = ("yaku01", "Yaku#Pass01");
pub const DEMO_BEFORE_START: (&str, &str) = ("shika01", "Shika#Pass01");

/// The environment variable that makes a missing browser a failure (CI).
pub const REQUIRED_ENV: &str = "OQS_BROWSER_TESTS";

/// The workspace root (screenshots go to its `reports/screenshots/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// `chromedriver` and the Chromium binary, when both are installed.
pub fn browser() -> Option<(PathBuf, PathBuf)> {
    let driver = find_program(&["chromedriver"])?;
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"])?;
    Some((driver, chromium))
}

/// Browser flows share the machine: one at a time per test binary.
async fn serial() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

/// A free loopback port.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The `oqs-sim` binary beside this test binary (`target/debug/oqs-sim`), built when missing.
fn sim_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/debug")
        .to_path_buf();
    let bin = dir.join("oqs-sim");
    if !bin.is_file() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "sim-server", "--bin", "oqs-sim"])
            .current_dir(workspace_root())
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build -p sim-server failed");
    }
    bin
}

/// The real `oqs-sim` (started as sim-server's tests start it), killed when dropped.
pub struct Server {
    process: launch::Server,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    exchange: PathBuf,
}

impl Server {
    /// Starts `oqs-sim --listen 127.0.0.1:0 --now <now>` with a temporary exchange folder; returns
    /// once it has printed its banner.
    pub fn start(now: &str) -> Server {
        let exchange = std::env::temp_dir().join(format!(
            "oqs-browser-{}-{}",
            std::process::id(),
            free_port()
        ));
        let mut cmd = Command::new(sim_binary());
        cmd.args(["--listen", "127.0.0.1:0", "--now", now, "--exchange-dir"])
            .arg(&exchange);
        let process = launch::launch(cmd);
        Server {
            base: format!("http://{}", process.addr),
            process,
            exchange,
        }
    }

    /// A request to the simulator's own API (e.g. the admin clock): status and body.
    pub fn request(&self, method: &str, path: &str, json_body: &str) -> (u16, String) {
        let addr = self.base.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).expect("connect to oqs-sim");
        let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json_body}",
            json_body.len()
        );
        s.write_all(req.as_bytes()).expect("send");
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        let status = answer
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.process.stop();
        let _ = std::fs::remove_dir_all(&self.exchange);
    }
}

/// `chromedriver` on a free port, killed when dropped.
pub struct Driver {
    child: Child,
    pub url: String,
    chromium: PathBuf,
}

impl Driver {
    fn start(driver: &Path, chromium: PathBuf) -> Driver {
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
            chromium,
        }
    }

    /// A new headless Chromium session, 1366×768, Japanese.
    pub async fn session(&self) -> Client {
        let caps = serde_json::json!({
            "goog:chromeOptions": {
                "binary": self.chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1366,768", "--lang=ja", "--no-first-run",
                    "--disable-extensions", "--force-device-scale-factor=1"
                ]
            }
        });
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!("an object"),
        };
        ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a WebDriver session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser flow: a server, a driver, a session and its screenshots.
pub struct Flow {
    pub server: Server,
    pub driver: Driver,
    pub client: Client,
    name: String,
    shots: Mutex<usize>,
    _serial: tokio::sync::MutexGuard<'static, ()>,
}

impl Flow {
    /// Starts a flow named `name` (screenshot prefix) at [`NOW`]; `None` after printing a skip
    /// message when no browser is installed (a failure when [`REQUIRED_ENV`] is `required`).
    pub async fn start(name: &str) -> Option<Flow> {
        Flow::start_at(name, NOW).await
    }

    /// [`Flow::start`] with the simulator's clock frozen at `now` from its start (demo passwords
    /// count as set then, so a later date does not expire them).
    pub async fn start_at(name: &str, now: &str) -> Option<Flow> {
        let Some((driver, chromium)) = browser() else {
            let msg = format!(
                "browser flow {name}: SKIPPED — no chromedriver/chromium on PATH \
                 (apt-get install chromium chromium-driver fonts-noto-cjk)"
            );
            assert!(
                std::env::var(REQUIRED_ENV).as_deref() != Ok("required"),
                "{msg}, but {REQUIRED_ENV}=required"
            );
            // Straight to stderr: the test harness captures eprintln! of passing tests.
            let _ = writeln!(std::io::stderr(), "{msg}");
            return None;
        };
        let serial = serial().await;
        let server = Server::start(now);
        let driver = Driver::start(&driver, chromium);
        let client = driver.session().await;
        Some(Flow {
            server,
            driver,
            client,
            name: name.to_owned(),
            shots: Mutex::new(0),
            _serial: serial,
        })
    }

    /// Another headless browser (its own cookies) on the same server.
    pub async fn second_browser(&self) -> Client {
        self.driver.session().await
    }

    /// Opens a path of the simulator.
    pub async fn open(&self, path: &str) {
        self.open_in(&self.client, path).await;
    }

    pub async fn open_in(&self, c: &Client, path: &str) {
        c.goto(&format!("{}{path}", self.server.base))
            .await
            .expect("navigate");
    }

    /// The visible text of the page.
    pub async fn page_text(&self) -> String {
        text_of(&self.client).await
    }

    /// Clicks the link or button whose text is `text`.
    pub async fn click_text(&self, text: &str) {
        click_text_in(&self.client, text).await;
    }

    /// Types into the field with this id.
    pub async fn fill(&self, id: &str, value: &str) {
        fill_in(&self.client, id, value).await;
    }

    /// SCR-01 → SCR-02 → 《ログイン》 as `user`; stops on whatever follows (SCR-03 or a dialog).
    pub async fn login(&self, user: &str, password: &str) {
        login_in(self, &self.client, user, password).await;
    }

    /// Saves `reports/screenshots/<flow>-<nn>-<step>.png` of the main browser.
    pub async fn shot(&self, step: &str) {
        let n = {
            let mut g = self.shots.lock().unwrap_or_else(|p| p.into_inner());
            *g += 1;
            *g
        };
        save_shot(&self.client, &format!("{}-{n:02}-{step}", self.name)).await;
    }

    /// The simulator's own API (admin clock, faults …): status and body.
    pub fn admin(&self, method: &str, path: &str, json_body: &str) -> (u16, String) {
        self.server.request(method, path, json_body)
    }

    /// Closes the browser; the server and driver stop when the flow is dropped.
    pub async fn finish(self) {
        let _ = self.client.clone().close().await;
    }
}

/// The visible text of `c`'s page.
pub async fn text_of(c: &Client) -> String {
    c.find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text")
}

/// Clicks the link or button of `c` whose text is `text`, and waits for the page it leads to
/// (every link and button of the screens loads a new page).
pub async fn click_text_in(c: &Client, text: &str) {
    let xpath = format!("//*[self::a or self::button][normalize-space(.)='{text}']");
    click_and_wait(
        c,
        Locator::XPath(&xpath),
        &format!("link or button 「{text}」"),
    )
    .await;
}

/// Clicks the element of `c` matched by `css`, and waits for the page it leads to.
pub async fn click_css(c: &Client, css: &str) {
    click_and_wait(c, Locator::Css(css), &format!("element {css}")).await;
}

async fn click_and_wait(c: &Client, at: Locator<'_>, what: &str) {
    let old = c.find(Locator::Css("html")).await.expect("a page");
    c.find(at)
        .await
        .unwrap_or_else(|e| panic!("no {what}: {e}"))
        .click()
        .await
        .expect("click");
    wait_for_new_page(c, old).await;
}

/// Waits until `old` (the previous page's root) is gone and the new page has loaded.
pub async fn wait_for_new_page(c: &Client, old: fantoccini::elements::Element) {
    let deadline = Instant::now() + Duration::from_secs(15);
    // A stale element answers any question with an error.
    while old.tag_name().await.is_ok() {
        assert!(Instant::now() < deadline, "the page did not change");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    while c
        .execute("return document.readyState", vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .as_deref()
        != Some("complete")
    {
        assert!(Instant::now() < deadline, "the page did not load");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Types `value` into the field with id `id`.
pub async fn fill_in(c: &Client, id: &str, value: &str) {
    let f = c
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("no field #{id}: {e}"));
    f.clear().await.expect("clear");
    f.send_keys(value).await.expect("type");
}

/// SCR-01 → SCR-02 → 《ログイン》 in browser `c`.
pub async fn login_in(flow: &Flow, c: &Client, user: &str, password: &str) {
    flow.open_in(c, "/").await;
    click_text_in(c, "システムの利用を始める").await;
    fill_in(c, "user_id", user).await;
    fill_in(c, "password", password).await;
    click_text_in(c, "ログイン").await;
}

/// The page's own `fetch` of `href` as bytes: status, Content-Disposition, the bytes.
pub async fn fetch_bytes(c: &Client, href: &str) -> (u64, String, Vec<u8>) {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer().then(b =>
               done([r.status, r.headers.get('content-disposition') || '', Array.from(new Uint8Array(b))])))
               .catch(e => done([0, String(e), []]));",
            vec![serde_json::json!(href)],
        )
        .await
        .expect("fetch");
    let bytes = v[2]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|b| b.as_u64())
                .map(|b| b as u8)
                .collect()
        })
        .unwrap_or_default();
    (
        v[0].as_u64().unwrap_or(0),
        v[1].as_str().unwrap_or_default().to_owned(),
        bytes,
    )
}

/// The catalogue id of the dialog `c` shows (`data-dialog`), if any.
pub async fn dialog_id(c: &Client) -> Option<String> {
    let d = c.find(Locator::Css("[data-dialog]")).await.ok()?;
    d.attr("data-dialog").await.ok().flatten()
}

/// Saves a PNG of `c` as `reports/screenshots/<name>.png`.
pub async fn save_shot(c: &Client, name: &str) {
    let dir = workspace_root().join("reports").join("screenshots");
    std::fs::create_dir_all(&dir).expect("reports/screenshots");
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}
