//! Baseline for `compare.sh`: the framework floor, an axum server answering
//! `POST /xml/OQSsiquc01req` with a static body (the simulator's own answer, read from a file)
//! on the same runtime the simulator uses (multi-threaded tokio, sized by the CPUs it may use).
//!
//! Usage: `axum-static ADDR BODY_FILE CONTENT_TYPE`; prints `ready` once it listens.

use axum::body::Bytes;
use axum::http::header;
use axum::routing::post;
use axum::Router;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, addr, body_file, content_type] = args.as_slice() else {
        eprintln!("usage: axum-static ADDR BODY_FILE CONTENT_TYPE");
        std::process::exit(2);
    };
    let body = Bytes::from(std::fs::read(body_file).unwrap_or_else(|e| {
        eprintln!("axum-static: {body_file}: {e}");
        std::process::exit(2);
    }));
    let content_type = content_type.clone();
    let app = Router::new().route(
        "/xml/OQSsiquc01req",
        post(move |_req: Bytes| {
            let body = body.clone();
            let content_type = content_type.clone();
            async move { ([(header::CONTENT_TYPE, content_type)], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| {
            eprintln!("axum-static: cannot listen on {addr}: {e}");
            std::process::exit(2);
        });
    println!("ready");
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("axum-static: {e}");
        std::process::exit(1);
    }
}
