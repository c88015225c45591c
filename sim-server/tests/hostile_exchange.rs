//! Issue 11, the file exchange attacked through the real `oqs-sim`: idle CPU after traffic, links
//! planted in `req/` and `res/`, unreadable and odd request files, a slow writer.

mod common;

use common::binary::{start_server, Server};
use common::raw::{self, cpu_ticks, is_root, ticks_per_second, wait_for};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn start(exchange: &Path) -> Server {
    start_server(|c| {
        c.args(["--now", "2021-01-06T10:00:00+09:00"])
            .arg("--exchange-dir")
            .arg(exchange);
    })
}

/// Writes a request the way a careful client does (temp name, then rename into `req/`).
fn put_request(ex: &Path, name: &str, bytes: &[u8]) {
    let tmp = ex.join(format!("{name}.writing"));
    std::fs::write(&tmp, bytes).expect("write");
    std::fs::rename(&tmp, ex.join("req").join(name)).expect("rename");
}

fn journal_text(s: &Server) -> String {
    raw::request(&s.addr, "GET", "/__admin/journal?limit=10000", &[], b"").text()
}

#[test]
fn an_idle_simulator_with_an_exchange_folder_uses_under_2_percent_of_a_core() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = dir.path().join("ex");
    let s = start(&ex);
    // Traffic first: a file exchange and an HTTP request.
    put_request(&ex, "OQSsiquc01req_idle.xml", raw::inquiry().as_bytes());
    assert!(wait_for(&ex.join("res/OQSsiquc01res_idle.xml"), WAIT));
    let r = raw::request(
        &s.addr,
        "POST",
        "/xml/OQSsiquc01req",
        &[],
        raw::inquiry().as_bytes(),
    );
    assert_eq!(r.status, 200);
    std::thread::sleep(Duration::from_millis(500));
    let before = cpu_ticks(s.pid());
    std::thread::sleep(Duration::from_secs(5));
    let used = cpu_ticks(s.pid()) - before;
    let budget = ticks_per_second() * 5 / 50; // 2 % of one core over 5 s
    assert!(
        used < budget,
        "idle simulator used {used} ticks in 5 s (budget {budget})"
    );
}

#[test]
fn a_request_linked_to_an_outside_file_is_refused_and_never_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = dir.path().join("ex");
    let secret = dir.path().join("secret.xml");
    std::fs::write(&secret, raw::inquiry().replace("9000", "SECRET7")).expect("secret");
    let s = start(&ex);
    symlink(&secret, ex.join("req/OQSsiquc01req_link.xml")).expect("link");
    symlink("/proc/self/environ", ex.join("req/OQSsiquc01req_env.xml")).expect("link");
    assert!(wait_for(&ex.join("res/OQSsiquc01req_link.err"), WAIT));
    assert!(wait_for(&ex.join("res/OQSsiquc01req_env.err"), WAIT));
    assert!(!ex.join("res/OQSsiquc01res_link.xml").exists());
    let err = std::fs::read_to_string(ex.join("res/OQSsiquc01req_link.err")).expect("err");
    assert!(err.contains("regular file"), "{err}");
    let journal = journal_text(&s);
    assert!(
        !journal.contains("SECRET7"),
        "the journal holds the outside file"
    );
    assert!(
        !journal.contains("PATH="),
        "the journal holds an environment"
    );
    assert!(secret.exists(), "the outside file is left alone");
    assert!(std::fs::symlink_metadata(ex.join("req/OQSsiquc01req_link.xml")).is_err());
}

#[test]
fn links_planted_in_res_are_never_written_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = dir.path().join("ex");
    let s = start(&ex);
    let victims: Vec<_> = ["tmp-res", "tmp-err", "final-res", "final-err"]
        .iter()
        .map(|n| {
            let p = dir.path().join(n);
            std::fs::write(&p, "VICTIM").expect("victim");
            p
        })
        .collect();
    let res = ex.join("res");
    // The temp names the simulator used, and the final names.
    symlink(&victims[0], res.join(".OQSsiquc01res_v.xml.tmp")).expect("link");
    symlink(&victims[1], res.join(".OQSsiquc01req_bad.err.tmp")).expect("link");
    symlink(&victims[2], res.join("OQSsiquc01res_w.xml")).expect("link");
    symlink(&victims[3], res.join("OQSsiquc01req_bad2.err")).expect("link");
    put_request(&ex, "OQSsiquc01req_v.xml", raw::inquiry().as_bytes());
    put_request(&ex, "OQSsiquc01req_bad.xml", b"<not xml");
    put_request(&ex, "OQSsiquc01req_w.xml", raw::inquiry().as_bytes());
    put_request(&ex, "OQSsiquc01req_bad2.xml", b"<not xml");
    for name in [
        "OQSsiquc01res_v.xml",
        "OQSsiquc01req_bad.err",
        "OQSsiquc01req_bad2.err",
    ] {
        assert!(wait_for(&res.join(name), WAIT), "{name}");
    }
    // The final-name link is replaced by a real file.
    let start = std::time::Instant::now();
    while std::fs::symlink_metadata(res.join("OQSsiquc01res_w.xml"))
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(true)
    {
        assert!(start.elapsed() < WAIT, "OQSsiquc01res_w.xml not answered");
        std::thread::sleep(Duration::from_millis(20));
    }
    for v in &victims {
        assert_eq!(
            std::fs::read_to_string(v).expect("victim"),
            "VICTIM",
            "{} was written through a link",
            v.display()
        );
    }
    let answer = std::fs::read_to_string(res.join("OQSsiquc01res_v.xml")).expect("answer");
    assert!(answer.contains("新橋　太郎"), "{answer}");
    drop(s);
}

#[test]
fn an_unreadable_request_is_answered_with_err_and_the_scan_goes_on_also_on_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = dir.path().join("ex");
    // Mode 000 stops any user but root: as root, run the simulator as `nobody`.
    let as_nobody = is_root();
    let start_as = |ex: &Path| {
        start_server(|c| {
            c.args(["--now", "2021-01-06T10:00:00+09:00"])
                .arg("--exchange-dir")
                .arg(ex);
            if as_nobody {
                use std::os::unix::process::CommandExt;
                c.uid(65534).gid(65534);
            }
        })
    };
    let open_up = |p: &Path| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o777)).expect("chmod")
    };
    open_up(dir.path());
    for d in ["", "req", "res", "face", ".oqs-sim", ".oqs-sim/processing"] {
        std::fs::create_dir_all(ex.join(d)).expect("mkdir");
        open_up(&ex.join(d));
    }
    // Left over from a stop: an unreadable claimed file, a folder, then a valid one.
    let processing = ex.join(".oqs-sim/processing");
    std::fs::write(processing.join("OQSsiquc01req_a.xml"), raw::inquiry()).expect("write");
    std::fs::set_permissions(
        processing.join("OQSsiquc01req_a.xml"),
        std::fs::Permissions::from_mode(0o000),
    )
    .expect("chmod");
    std::fs::create_dir(processing.join("OQSsiquc01req_b.xml")).expect("mkdir");
    open_up(&processing.join("OQSsiquc01req_b.xml")); // a folder moves only with write access
    std::fs::write(processing.join("OQSsiquc01req_c.xml"), raw::inquiry()).expect("write");
    let s = start_as(&ex);
    let res = ex.join("res");
    assert!(wait_for(&res.join("OQSsiquc01req_a.err"), WAIT), "a");
    assert!(wait_for(&res.join("OQSsiquc01req_b.err"), WAIT), "b");
    assert!(wait_for(&res.join("OQSsiquc01res_c.xml"), WAIT), "c");

    // While running: an unreadable file, then a valid one.
    let unreadable = ex.join("OQSsiquc01req_d.xml.writing");
    std::fs::write(&unreadable, raw::inquiry()).expect("write");
    std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    std::fs::rename(&unreadable, ex.join("req/OQSsiquc01req_d.xml")).expect("rename");
    put_request(&ex, "OQSsiquc01req_e.xml", raw::inquiry().as_bytes());
    assert!(wait_for(&res.join("OQSsiquc01req_d.err"), WAIT), "d");
    assert!(wait_for(&res.join("OQSsiquc01res_e.xml"), WAIT), "e");
    let err = std::fs::read_to_string(res.join("OQSsiquc01req_d.err")).expect("err");
    assert!(err.contains("could not be read"), "{err}");
    // A claim is removed right after its answer is written.
    let start = std::time::Instant::now();
    while std::fs::read_dir(&processing).expect("processing").count() > 0 {
        let left: Vec<_> = std::fs::read_dir(&processing)
            .expect("processing")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert!(
            start.elapsed() < WAIT,
            "claimed files left behind: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(s);
}

#[test]
fn odd_names_and_non_files_in_req_get_err_and_leave_req() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = dir.path().join("ex");
    let s = start(&ex);
    let req = ex.join("req");
    let res = ex.join("res");
    // A name that is not UTF-8, a link to a folder, a folder, a FIFO.
    let bad_name = OsStr::from_bytes(b"OQSsiquc01req_\xff.xml");
    let tmp = ex.join("bad.writing");
    std::fs::write(&tmp, raw::inquiry()).expect("write");
    std::fs::rename(&tmp, req.join(bad_name)).expect("rename");
    symlink(dir.path(), req.join("OQSsiquc01req_dirlink.xml")).expect("link");
    std::fs::create_dir(req.join("OQSsiquc01req_dir.xml")).expect("mkdir");
    let fifo = std::process::Command::new("mkfifo")
        .arg(req.join("OQSsiquc01req_fifo.xml"))
        .status()
        .expect("mkfifo");
    assert!(fifo.success());
    put_request(&ex, "OQSsiquc01req_ok.xml", raw::inquiry().as_bytes());
    for name in [
        "OQSsiquc01req_\u{fffd}.err",
        "OQSsiquc01req_dirlink.err",
        "OQSsiquc01req_dir.err",
        "OQSsiquc01req_fifo.err",
        "OQSsiquc01res_ok.xml",
    ] {
        assert!(wait_for(&res.join(name), WAIT), "{name}");
    }
    std::thread::sleep(Duration::from_millis(300));
    let left: Vec<_> = std::fs::read_dir(&req)
        .expect("req")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "left in req/: {left:?}");
    let err = std::fs::read_to_string(res.join("OQSsiquc01req_\u{fffd}.err")).expect("err");
    assert!(err.contains("not UTF-8"), "{err}");
    assert!(!res.join("OQSsiquc01res_\u{fffd}.xml").exists());
    assert!(dir.path().exists(), "the linked folder is left alone");
    drop(s);
}

#[test]
fn a_writer_pausing_mid_file_gets_an_answer_not_an_err() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let ex = dir.path().join("ex");
    let s = start(&ex);
    let xml = raw::inquiry();
    let (first, rest) = xml.split_at(xml.len() / 2);
    let mut f = std::fs::File::create(ex.join("req/OQSsiquc01req_slow.xml")).expect("create");
    f.write_all(first.as_bytes()).expect("write");
    f.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(600));
    f.write_all(rest.as_bytes()).expect("write");
    drop(f);
    let res = ex.join("res");
    assert!(wait_for(&res.join("OQSsiquc01res_slow.xml"), WAIT));
    assert!(!res.join("OQSsiquc01req_slow.err").exists());
    drop(s);
}
