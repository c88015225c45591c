//! The inquiry's own way through a connection (`ways_in::connection`, issue 16), over real TCP
//! against `serve`: a plain `POST /xml/{message-id}` is answered without hyper, byte for byte as
//! hyper answers it (the same request sent chunked goes through hyper); pipelined requests are
//! answered in order, and the connection goes to hyper with the unread bytes at the first
//! request of another shape; a head split across writes, a body over the limit and an idle
//! connection are handled as before.

mod common;

use common::*;
use sim_server::ways_in::serve::{serve, ServeLimits};
use sim_server::{Settings, Simulator};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

/// `serve` on a free loopback port, with `header_timeout` as the idle limit.
async fn start(sim: &Arc<Simulator>, header_timeout: Duration) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let limits = ServeLimits {
        header_timeout,
        ..ServeLimits::default()
    };
    tokio::spawn(serve(
        listener,
        sim_server::router(sim.clone()),
        limits,
        std::future::pending(),
    ));
    addr
}

fn connect(addr: &str) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    s
}

/// One answer read off `s`: its status line and headers (without `date`, which moves with
/// the second), and its body.
fn answer(s: &mut TcpStream) -> (String, Vec<u8>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = s.read(&mut byte).expect("read the head");
        assert_eq!(
            n,
            1,
            "closed mid-head: {:?}",
            String::from_utf8_lossy(&head)
        );
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).expect("ASCII head");
    let mut length = None;
    let mut kept = Vec::new();
    for line in head.trim_end().split("\r\n") {
        match line.split_once(": ") {
            Some(("date", value)) => {
                assert!(httpdate_ok(value), "date: {value}");
                continue;
            }
            Some(("content-length", value)) => length = value.parse::<usize>().ok(),
            _ => {}
        }
        kept.push(line);
    }
    let length = length.unwrap_or_else(|| panic!("no content-length: {head}"));
    let mut body = vec![0; length];
    s.read_exact(&mut body).expect("read the body");
    (kept.join("\n"), body)
}

fn httpdate_ok(value: &str) -> bool {
    value.ends_with(" GMT") && value.len() == 29
}

/// A plain request: what the own way takes.
fn plain(path: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r
}

/// The same request chunked: what only hyper takes.
fn chunked(path: &str, body: &[u8]) -> Vec<u8> {
    let mut r = format!(
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n",
        body.len()
    )
    .into_bytes();
    r.extend_from_slice(body);
    r.extend_from_slice(b"\r\n0\r\n\r\n");
    r
}

fn exchange(addr: &str, request: &[u8]) -> (String, Vec<u8>) {
    let mut s = connect(addr);
    s.write_all(request).expect("write");
    answer(&mut s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_own_way_answers_as_hyper_does() {
    let sim = simulator();
    let addr = start(&sim, Duration::from_secs(10)).await;
    let good = request_xml("UTF-8", Some("20210106"), &taro()).into_bytes();
    let shift_jis = request_xml("Shift_JIS", Some("20210106"), &taro()).into_bytes();
    let long = format!("/xml/{}", "A".repeat(5_000));
    let cases: Vec<(&str, &[u8])> = vec![
        ("/xml/OQSsiquc01req", &good),
        ("/xml/OQSsiquc01req", &shift_jis),
        ("/xml/OQSsiquc01req", b"junk"),
        ("/xml/OQSsiquc01req", b""),
        ("/xml/OQSunknown", b"<XmlMsg/>"),
        // A 4xx naming a long message id, clipped on both ways.
        (&long, b"<XmlMsg/>"),
    ];
    let mut statuses = Vec::new();
    for (path, body) in &cases {
        let own = exchange(&addr, &plain(path, body));
        let hyper = exchange(&addr, &chunked(path, body));
        assert_eq!(own.0, hyper.0, "{path}");
        assert_eq!(own.1, hyper.1, "{path}");
        statuses.push(own.0.lines().next().unwrap_or_default().to_owned());
    }
    assert_eq!(
        statuses,
        [
            "HTTP/1.1 200 OK",
            "HTTP/1.1 200 OK",
            "HTTP/1.1 400 Bad Request",
            "HTTP/1.1 400 Bad Request",
            "HTTP/1.1 404 Not Found",
            "HTTP/1.1 404 Not Found",
        ]
    );
    // Both ways journal alike: the source as the client wrote it, twice per case.
    let journal = sim.journal.since(0, 100);
    assert_eq!(journal.len(), 2 * cases.len());
    for pair in journal.chunks(2) {
        assert_eq!(pair[0].source, pair[1].source);
        assert_eq!(pair[0].outcome, pair[1].outcome);
    }
    // システム障害 (ENV-15) refuses on both ways alike.
    sim.outage.start(sim.clock.now(), None);
    let own = exchange(&addr, &plain("/xml/OQSsiquc01req", &good));
    let hyper = exchange(&addr, &chunked("/xml/OQSsiquc01req", &good));
    assert_eq!(own, hyper);
    assert!(
        own.0.starts_with("HTTP/1.1 503 Service Unavailable"),
        "{}",
        own.0
    );
    let text = String::from_utf8_lossy(&own.1);
    assert!(
        text.contains(oqs_protocol::texts::outage::SITUATION),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_requests_are_answered_in_order_and_the_rest_goes_to_hyper() {
    let sim = simulator();
    let addr = start(&sim, Duration::from_secs(10)).await;
    let good = request_xml("UTF-8", Some("20210106"), &taro()).into_bytes();
    let mut s = connect(&addr);
    let mut burst = plain("/xml/OQSsiquc01req", &good);
    burst.extend(plain("/xml/OQSsiquc01req", b"junk"));
    // Another shape: hyper answers it, and everything after it on this connection.
    burst.extend_from_slice(b"GET /__admin/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    burst.extend(plain("/xml/OQSsiquc01req", &good));
    s.write_all(&burst).expect("write");
    let first = answer(&mut s);
    let second = answer(&mut s);
    let clock = answer(&mut s);
    let fourth = answer(&mut s);
    assert!(first.0.starts_with("HTTP/1.1 200 OK"), "{}", first.0);
    assert!(second.0.starts_with("HTTP/1.1 400"), "{}", second.0);
    assert!(clock.0.contains("application/json"), "{}", clock.0);
    assert!(String::from_utf8_lossy(&clock.1).contains("2021-01-06"));
    assert_eq!(fourth, first);
    // Still open, now hyper's: one more request on it.
    s.write_all(&plain("/xml/OQSsiquc01req", &good))
        .expect("write");
    assert_eq!(answer(&mut s), first);
    let outcomes: Vec<String> = sim
        .journal
        .since(0, 10)
        .iter()
        .map(|e| e.source.clone())
        .collect();
    assert_eq!(outcomes.len(), 4, "four inquiries journalled: {outcomes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_split_across_writes_is_answered() {
    let sim = simulator();
    let addr = start(&sim, Duration::from_secs(10)).await;
    let good = request_xml("UTF-8", Some("20210106"), &taro()).into_bytes();
    let whole = exchange(&addr, &plain("/xml/OQSsiquc01req", &good));
    let request = plain("/xml/OQSsiquc01req", &good);
    for cut in [10, request.len() - good.len() - 3, request.len() - 5] {
        let mut s = connect(&addr);
        s.write_all(&request[..cut]).expect("write");
        s.flush().expect("flush");
        tokio::time::sleep(Duration::from_millis(100)).await;
        s.write_all(&request[cut..]).expect("write");
        assert_eq!(answer(&mut s), whole, "cut at {cut}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_refused_as_before() {
    let sim = simulator_with(Settings {
        max_request_bytes: 600,
        ..Settings::default()
    });
    let addr = start(&sim, Duration::from_secs(10)).await;
    let good = request_xml("UTF-8", Some("20210106"), &taro()).into_bytes();
    assert!(good.len() > 600);
    let (head, body) = exchange(&addr, &plain("/xml/OQSsiquc01req", &good));
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(String::from_utf8_lossy(&body).contains("600"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed_after_the_header_timeout() {
    let sim = simulator();
    let addr = start(&sim, Duration::from_secs(1)).await;
    let good = request_xml("UTF-8", Some("20210106"), &taro()).into_bytes();
    let mut s = connect(&addr);
    // Answered on the own way, then left idle: closed, not held.
    s.write_all(&plain("/xml/OQSsiquc01req", &good))
        .expect("write");
    let (head, _) = answer(&mut s);
    assert!(head.starts_with("HTTP/1.1 200 OK"));
    let mut rest = Vec::new();
    let closed = s.read_to_end(&mut rest);
    assert!(
        matches!(closed, Ok(0)),
        "the server closed the idle connection: {closed:?}"
    );
}
