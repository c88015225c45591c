//! Baseline for `compare.sh`: a wiremock-rs server answering `POST /xml/OQSsiquc01req` with one
//! canned response (the simulator's own answer, read from a file), as a vendor would mock the
//! national server. wiremock's defaults (request recording on), its own server thread.
//!
//! Usage: `wiremock-canned ADDR BODY_FILE CONTENT_TYPE`; prints `ready` once it listens.

use std::net::TcpListener;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, addr, body_file, content_type] = args.as_slice() else {
        eprintln!("usage: wiremock-canned ADDR BODY_FILE CONTENT_TYPE");
        std::process::exit(2);
    };
    let body = std::fs::read(body_file).unwrap_or_else(|e| {
        eprintln!("wiremock-canned: {body_file}: {e}");
        std::process::exit(2);
    });
    let listener = TcpListener::bind(addr).unwrap_or_else(|e| {
        eprintln!("wiremock-canned: cannot listen on {addr}: {e}");
        std::process::exit(2);
    });
    let server = MockServer::builder().listener(listener).start().await;
    Mock::given(method("POST"))
        .and(path("/xml/OQSsiquc01req"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, content_type))
        .mount(&server)
        .await;
    println!("ready");
    // The server runs on its own thread until the process is killed.
    std::future::pending::<()>().await;
}
