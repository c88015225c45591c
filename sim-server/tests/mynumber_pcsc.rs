//! End to end through the real PC/SC stack (feature `pcsc`; needs pcscd running with vpcd, see
//! `.ci/run`): a virtual card served over vpcd on a thread, the terminal configured with the
//! PC/SC reader `Virtual PCD 00 00`, and `POST /terminal/mynumber` answering the person's result.
#![cfg(feature = "pcsc")]

mod common;

use common::{send_json, simulator};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use virtual_card::vpcd::{self, DEFAULT_VPCD, VPCD_READER_0};
use virtual_card::Profile;

/// Serves a card over vpcd until dropped.
struct Served {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Served {
    fn start(profile: Profile) -> Served {
        let day = chrono::NaiveDate::from_ymd_opt(2021, 1, 6).expect("date");
        // Seed 1: the simulator's default issuer, as `oqs-vcard insert` would use.
        let (mut card, _) = virtual_card::issue(profile, 1, day).expect("issue");
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let thread = std::thread::spawn(move || {
            vpcd::serve(
                &mut card,
                DEFAULT_VPCD,
                Duration::from_millis(200),
                &s,
                |_| {},
            );
        });
        Served {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn call(
    sim: &Arc<sim_server::Simulator>,
    method: &str,
    uri: &str,
    body: Value,
) -> (u16, Value) {
    let r = send_json(sim, method, uri, body).await;
    (r.status.as_u16(), r.json())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_over_vpcd_answers_through_the_pcsc_reader() {
    let _card = Served::start(Profile::Valid);
    let sim = simulator();
    let (status, v) = call(
        &sim,
        "PUT",
        "/__admin/terminal/readers",
        json!({ "readers": [{ "kind": "generic", "pcsc": VPCD_READER_0 }] }),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["readers"][0]["name"], VPCD_READER_0);
    assert_eq!(v["readers"][0]["transport"], "external");
    // vpcd polls about every 400 ms: wait until the card is there (ERR-11 = empty reader).
    let deadline = Instant::now() + Duration::from_secs(20);
    let v = loop {
        let (status, v) = call(
            &sim,
            "POST",
            "/terminal/mynumber",
            json!({ "method": "暗証番号", "pin": "1234" }),
        )
        .await;
        assert_eq!(status, 200, "{v}");
        let waiting = v["dialog"]["err"] == "ERR-11" || v["dialog"]["err"] == "ERR-10";
        if !waiting || Instant::now() > deadline {
            break v;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(v.get("dialog").is_none(), "{v}");
    assert_eq!(v["person"], "shimbashi-taro");
    assert_eq!(v["banner"], "この資格は有効です。");
    let xml = v["result_xml"].as_str().expect("result");
    assert!(xml.contains("<ReferenceClassification>1</ReferenceClassification>"));
    assert!(xml.contains("<Name>新橋　太郎</Name>"));
    let journal = sim.journal.since(0, 100);
    assert_eq!(
        journal.last().and_then(|e| e.method.as_deref()),
        Some("暗証番号")
    );
}
