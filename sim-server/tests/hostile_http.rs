//! Issue 11, the HTTP surface attacked through the real `oqs-sim`: foreign Host/Origin and
//! form-typed bodies on the admin API, the admin token, body limits, slow and idle connections,
//! the connection cap, and the WebAPI's tokens and lockout.

mod common;

use common::binary::{start_server, Server};
use common::raw::{self, open_files};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const NOW: &str = "2021-01-06T10:00:00+09:00";

fn start(extra: &[&str]) -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = start_server(|c| {
        c.args(["--now", NOW])
            .arg("--exchange-dir")
            .arg(dir.path().join("ex"))
            .args(extra);
    });
    (dir, s)
}

fn persons(s: &Server) -> u64 {
    raw::request(&s.addr, "GET", "/__admin/population", &[], b"").json()["persons"]
        .as_u64()
        .expect("persons")
}

#[test]
fn the_admin_api_refuses_foreign_hosts_origins_and_form_bodies() {
    let (_dir, s) = start(&[]);
    let before = persons(&s);
    assert!(before > 0);
    let fixture = b"# an empty population\n";
    let wipe = |headers: &[(&str, &str)]| {
        raw::request(
            &s.addr,
            "POST",
            "/__admin/fixtures?mode=replace",
            headers,
            fixture,
        )
    };
    // DNS rebinding: the browser sends the attacker's host name.
    let r = wipe(&[
        ("Host", "evil.example:8080"),
        ("Content-Type", "application/toml"),
    ]);
    assert_eq!(r.status, 403, "{}", r.short());
    // A page's cross-site request carries its Origin.
    let r = wipe(&[
        ("Origin", "http://evil.example"),
        ("Content-Type", "application/toml"),
    ]);
    assert_eq!(r.status, 403, "{}", r.short());
    // A form or text/plain body needs no CORS preflight.
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let r = wipe(&[("Content-Type", ct)]);
        assert_eq!(r.status, 415, "{ct}: {}", r.short());
    }
    let r = raw::request(
        &s.addr,
        "POST",
        "/__admin/reset",
        &[("Origin", "null")],
        b"",
    );
    assert_eq!(r.status, 403, "{}", r.short());
    assert_eq!(persons(&s), before, "the population was changed");
    // The simulator's own names pass.
    let port = s.addr.rsplit(':').next().expect("port");
    for host in [format!("localhost:{port}"), s.addr.clone()] {
        let r = raw::request(
            &s.addr,
            "GET",
            "/__admin/clock",
            &[("Host", &host), ("Origin", &format!("http://{host}"))],
            b"",
        );
        assert_eq!(r.status, 200, "{host}: {}", r.short());
    }
    let r = raw::json(
        &s.addr,
        "PUT",
        "/__admin/clock",
        &format!("{{\"now\":\"{NOW}\"}}"),
    );
    assert_eq!(r.status, 200, "{}", r.short());
}

#[test]
fn the_admin_token_guards_the_admin_api_and_is_required_off_loopback() {
    let (_dir, s) = start(&["--admin-token", "s3cret-token"]);
    let get = |headers: &[(&str, &str)]| {
        raw::request(&s.addr, "GET", "/__admin/journal", headers, b"").status
    };
    assert_eq!(get(&[]), 401);
    assert_eq!(get(&[("Authorization", "Bearer wrong")]), 401);
    assert_eq!(get(&[("Authorization", "Bearer s3cret-token")]), 200);
    // The ways in stay open.
    let r = raw::request(
        &s.addr,
        "POST",
        "/xml/OQSsiquc01req",
        &[],
        raw::inquiry().as_bytes(),
    );
    assert_eq!(r.status, 200);
    drop(s);

    // From a file (not visible in the process list).
    let file = _dir.path().join("token");
    std::fs::write(&file, "from-a-file\n").expect("write");
    let s = start_server(|c| {
        c.args(["--now", NOW])
            .arg("--exchange-dir")
            .arg(_dir.path().join("ex3"))
            .arg("--admin-token-file")
            .arg(&file);
    });
    let status = raw::request(
        &s.addr,
        "GET",
        "/__admin/journal",
        &[("Authorization", "Bearer from-a-file")],
        b"",
    )
    .status;
    assert_eq!(status, 200);
    drop(s);

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_oqs-sim"))
        .args(["--listen", "0.0.0.0:0", "--exchange-dir"])
        .arg(_dir.path().join("ex2"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--admin-token"), "{err}");
}

fn vm_hwm_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .expect("status")
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .expect("VmHWM")
}

#[test]
fn admin_bodies_are_limited_and_errors_never_echo_them() {
    let (_dir, s) = start(&[]);
    let huge = vec![b'A'; 100 << 20];
    let r = raw::request(
        &s.addr,
        "POST",
        "/__admin/fixtures",
        &[("Content-Type", "application/toml")],
        &huge,
    );
    assert_eq!(r.status, 413, "{}", r.short());
    assert!(r.body.len() < 4096);
    let peak = vm_hwm_kib(s.pid());
    assert!(
        peak < 90 << 10,
        "peak RSS {peak} KiB for a refused 100 MiB body"
    );
    // Half a megabyte inside each admin body: the 400 names the problem, not the value.
    let long = "A".repeat(500_000);
    for (method, path, body) in [
        ("PUT", "/__admin/clock", format!("{{\"now\":\"{long}\"}}")),
        (
            "PUT",
            "/__admin/jobs/pacing",
            format!("{{\"pacing\":\"{long}\"}}"),
        ),
        (
            "PUT",
            "/__admin/terminal/settings",
            format!("{{\"prescription_usage\":\"{long}\"}}"),
        ),
        (
            "PUT",
            "/__admin/terminal/readers",
            format!("{{\"topology\":\"{long}\"}}"),
        ),
        (
            "PUT",
            "/__admin/terminal/readers/0/card",
            format!("{{\"profile\":\"{long}\"}}"),
        ),
        (
            "PUT",
            "/__admin/faults/exchange",
            format!("{{\"reject\":\"{long}\"}}"),
        ),
        (
            "PUT",
            "/__admin/faults/jobs",
            format!("{{\"{long}\":true}}"),
        ),
        (
            "PUT",
            "/__admin/terminal/fault",
            format!("{{\"kind\":\"{long}\"}}"),
        ),
        ("POST", "/__admin/fixtures", format!("x = {long}")),
        (
            "POST",
            "/__admin/fixtures",
            format!("[[person]]\nkey = \"{long}\"\n"),
        ),
        ("POST", "/xml/OQSsiquc01req", long.clone()),
    ] {
        let ct = if path == "/__admin/fixtures" {
            "application/toml"
        } else {
            "application/json"
        };
        let r = raw::request(
            &s.addr,
            method,
            path,
            &[("Content-Type", ct)],
            body.as_bytes(),
        );
        assert!((400..500).contains(&r.status), "{path}: {}", r.status);
        assert!(
            r.body.len() < 4096,
            "{path}: a {} byte answer",
            r.body.len()
        );
    }
}

/// Reads until the server closes or `limit` passes; returns how long that took and what came.
fn until_closed(mut c: TcpStream, limit: Duration) -> (Duration, Vec<u8>) {
    c.set_read_timeout(Some(limit)).expect("timeout");
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => return (start.elapsed(), got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
        if start.elapsed() >= limit {
            return (start.elapsed(), got);
        }
    }
}

#[test]
fn slow_headers_slow_bodies_and_idle_connections_are_closed() {
    let (_dir, s) = start(&["--header-timeout", "1", "--body-timeout", "1"]);
    let limit = Duration::from_secs(8);
    // Headers that never end.
    let mut c = TcpStream::connect(&s.addr).expect("connect");
    c.write_all(b"POST /xml/OQSsiquc01req HTTP/1.1\r\nHost: x\r\n")
        .expect("write");
    let (t, _) = until_closed(c, limit);
    assert!(t < Duration::from_secs(5), "slow headers held {t:?}");
    // A body that never completes.
    let mut c = TcpStream::connect(&s.addr).expect("connect");
    c.write_all(
        b"POST /xml/OQSsiquc01req HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n<?xml",
    )
    .expect("write");
    let (t, _) = until_closed(c, limit);
    assert!(t < Duration::from_secs(5), "slow body held {t:?}");
    // An idle kept-alive connection after a request.
    let mut c = TcpStream::connect(&s.addr).expect("connect");
    c.write_all(b"GET /__admin/clock HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("write");
    let (t, got) = until_closed(c, limit);
    assert!(String::from_utf8_lossy(&got).starts_with("HTTP/1.1 200"));
    assert!(t < Duration::from_secs(5), "idle connection held {t:?}");
}

#[test]
fn connections_are_capped_and_the_server_recovers() {
    let (dir, s) = start(&["--max-connections", "16", "--header-timeout", "1"]);
    let base = open_files(s.pid());
    let held: Vec<TcpStream> = (0..200)
        .map(|_| TcpStream::connect(&s.addr).expect("connect"))
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let open = open_files(s.pid());
    assert!(
        open <= base + 16 + 4,
        "{open} files open with 200 idle connections (base {base}, cap 16)"
    );
    // The exchange still has files to work with.
    let ex = dir.path().join("ex");
    std::fs::write(ex.join("r.tmp"), raw::inquiry()).expect("write");
    std::fs::rename(ex.join("r.tmp"), ex.join("req/OQSsiquc01req_cap.xml")).expect("rename");
    assert!(raw::wait_for(
        &ex.join("res/OQSsiquc01res_cap.xml"),
        Duration::from_secs(10)
    ));
    drop(held);
    let r = raw::request(&s.addr, "GET", "/__admin/clock", &[], b"");
    assert_eq!(r.status, 200);
}

fn auth(s: &Server, password: &str) -> raw::RawReply {
    raw::json(
        &s.addr,
        "POST",
        sim_server::webapi::AUTH_PATH,
        &format!("{{\"userId\":\"webapi01\",\"password\":\"{password}\"}}"),
    )
}

fn set_clock(s: &Server, now: &str) {
    let r = raw::json(
        &s.addr,
        "PUT",
        "/__admin/clock",
        &format!("{{\"now\":\"{now}\"}}"),
    );
    assert_eq!(r.status, 200, "{}", r.short());
}

fn search(s: &Server, token: &str) -> u16 {
    let json = oqs_protocol::json::to_json(
        &oqs_protocol::xml::read_document(raw::inquiry().as_bytes(), Default::default())
            .expect("xml")
            .root,
    );
    raw::request(
        &s.addr,
        "POST",
        sim_server::webapi::SEARCH_PATH,
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Content-Type", "application/json"),
        ],
        json.to_string().as_bytes(),
    )
    .status
}

#[test]
fn webapi_tokens_are_random_and_expire() {
    let (_dir, s) = start(&[]);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..20 {
        let r = auth(&s, sim_server::webapi::DEMO_PASSWORD);
        assert_eq!(r.status, 200, "{}", r.short());
        for kind in ["accessToken", "refreshToken", "idToken"] {
            let t = r.json()["result"][kind].as_str().expect("token").to_owned();
            let random = t.rsplit('-').next().expect("token");
            assert!(random.len() >= 32, "{t}: fewer than 128 bits");
            assert!(random.chars().all(|c| c.is_ascii_hexdigit()), "{t}");
            // No two share a 64-bit half (a counter or a fixed-key hash would).
            assert!(seen.insert(random[..16].to_owned()), "{t} repeats");
            assert!(seen.insert(random[16..32].to_owned()), "{t} repeats");
        }
    }
    let token = auth(&s, sim_server::webapi::DEMO_PASSWORD).json()["result"]["idToken"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(search(&s, &token), 200);
    assert_eq!(search(&s, "id-00000000000000000000000000000000"), 401);
    // Used every 20 minutes it stays valid; 30 minutes unused, it is gone (AUTH-13).
    set_clock(&s, "2021-01-06T10:20:00+09:00");
    assert_eq!(search(&s, &token), 200);
    set_clock(&s, "2021-01-06T10:40:00+09:00");
    assert_eq!(search(&s, &token), 200);
    set_clock(&s, "2021-01-06T11:10:01+09:00");
    assert_eq!(search(&s, &token), 401);
    let fresh = auth(&s, sim_server::webapi::DEMO_PASSWORD).json()["result"]["idToken"]
        .as_str()
        .expect("token")
        .to_owned();
    set_clock(&s, "2022-02-10T11:10:00+09:00");
    assert_eq!(search(&s, &fresh), 401, "valid 400 days later");
}

#[test]
fn five_wrong_webapi_passwords_lock_the_account_for_30_minutes() {
    let (_dir, s) = start(&[]);
    for _ in 0..4 {
        assert_eq!(auth(&s, "Wrong#Pass1").status, 401);
    }
    // The 5th wrong password locks the account and says so (ERR-01).
    assert_eq!(auth(&s, "Wrong#Pass1").status, 403);
    let r = auth(&s, sim_server::webapi::DEMO_PASSWORD);
    assert_eq!(r.status, 403, "{}", r.short());
    assert!(r.text().contains("30"), "{}", r.short());
    set_clock(&s, "2021-01-06T10:29:59+09:00");
    assert_eq!(auth(&s, sim_server::webapi::DEMO_PASSWORD).status, 403);
    set_clock(&s, "2021-01-06T10:30:00+09:00");
    assert_eq!(auth(&s, sim_server::webapi::DEMO_PASSWORD).status, 200);
    // 1,000 wrong passwords do not find a way around the lock.
    for _ in 0..1000 {
        let st = auth(&s, "Wrong#Pass1").status;
        assert!(st == 401 || st == 403);
    }
    assert_eq!(auth(&s, sim_server::webapi::DEMO_PASSWORD).status, 403);
}
