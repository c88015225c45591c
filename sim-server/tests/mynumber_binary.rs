//! The real binary: a face reader's result appears unprompted in the exchange folder's `face/`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(exchange: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oqs-sim"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--now",
            "2021-01-06T10:00:00+09:00",
            "--exchange-dir",
        ])
        .arg(exchange)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start oqs-sim");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().expect("a line").expect("utf-8");
    let addr = first
        .rsplit("http://")
        .next()
        .expect("address")
        .trim()
        .to_owned();
    // Keep reading the banner on a thread so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_face_reader_result_appears_in_face() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = start(dir.path());
    let client = reqwest::Client::new();
    let base = format!("http://{}", server.addr);
    let r = client
        .put(format!("{base}/__admin/terminal/readers"))
        .body(r#"{"topology":"face"}"#)
        .send()
        .await
        .expect("readers");
    assert_eq!(r.status(), 200);
    let r = client
        .put(format!("{base}/__admin/terminal/readers/0/card"))
        .body(r#"{"profile":"valid"}"#)
        .send()
        .await
        .expect("card");
    assert_eq!(r.status(), 200);
    let v: serde_json::Value = r.json().await.expect("json");
    let name = v["confirmation"]["face_file"]
        .as_str()
        .unwrap_or_else(|| panic!("no face file: {v}"))
        .to_owned();
    let path = dir.path().join("face").join(&name);
    let text = std::fs::read_to_string(&path).expect("the face result");
    assert!(text.contains("<ReferenceClassification>1</ReferenceClassification>"));
    assert!(text.contains("<Name>新橋 太郎</Name>"));
    // Nothing half-written is left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path().join("face"))
        .expect("face/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![name]);
}
