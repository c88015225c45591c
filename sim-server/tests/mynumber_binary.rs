//! The real binary: a face reader's result appears unprompted in the exchange folder's `face/`.

mod common;

use common::binary::{start_server, Server};

fn start(exchange: &std::path::Path) -> Server {
    start_server(|c| {
        c.args(["--now", "2021-01-06T10:00:00+09:00", "--exchange-dir"])
            .arg(exchange);
    })
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
    assert!(text.contains("<Name>新橋　太郎</Name>"));
    // Nothing half-written is left beside it.
    let names: Vec<String> = std::fs::read_dir(dir.path().join("face"))
        .expect("face/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec![name]);
}
