//! End to end through the real PC/SC stack: the virtual card is presented to pcscd by vpcd
//! (vsmartcard), then read through `PcscReader` and by OpenSC, which nobody here wrote.
//!
//! Needs pcscd running (`pcscd -f`) with `vsmartcard-vpcd`, and OpenSC's `opensc-tool`,
//! `pkcs15-tool`, `pkcs11-tool`. `.ci/run` installs and starts them. Under the `pcsc` feature a
//! missing piece is a FAILURE, not a skip; `cargo test --workspace` does not compile this file.
#![cfg(feature = "pcsc")]

use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use virtual_card::applet::JPKI_ATR;
use virtual_card::certificate::{CertificateInfo, DigestAlgorithm};
use virtual_card::client::{self, JpkiError};
use virtual_card::vpcd::{self, VPCD_READER_0, VPCD_READER_1};
use virtual_card::{
    issue, list_reader_names, CardChannel, ChannelError, IssuedCard, PcscReader, Profile,
    VirtualCard,
};

const SEED: u64 = 4242;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 1, 6).unwrap()
}

/// Tests share vpcd's slot 0: one at a time.
fn slot0() -> MutexGuard<'static, ()> {
    static SLOT: Mutex<()> = Mutex::new(());
    SLOT.lock().unwrap_or_else(|p| p.into_inner())
}

/// A card served over vpcd by a thread; on drop it is stopped, joined, and the test waits until
/// pcscd has seen it go (vpcd only notices a dropped card on its next poll; a card inserted
/// before that would be taken for the old one).
struct Served {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    reader: &'static str,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        wait_removed(self.reader);
        std::thread::sleep(Duration::from_millis(1500));
    }
}

fn serve(mut card: VirtualCard, addr: &'static str) -> Served {
    let reader = if addr.ends_with(":35964") {
        VPCD_READER_1
    } else {
        VPCD_READER_0
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::spawn(move || {
        vpcd::serve(&mut card, addr, Duration::from_millis(200), &flag, |e| {
            eprintln!("vpcd session on {addr}: {e:?}")
        });
    });
    Served {
        stop,
        thread: Some(thread),
        reader,
    }
}

fn require_pcscd() {
    match list_reader_names() {
        Ok(names) if names.iter().any(|n| n == VPCD_READER_0) => {}
        Ok(names) => panic!(
            "pcscd runs but has no vpcd reader {VPCD_READER_0:?} (readers: {names:?}); \
             install vsmartcard-vpcd and restart pcscd"
        ),
        Err(e) => {
            panic!("PC/SC is not available ({e}); start `pcscd -f` (see virtual-card/README.md)")
        }
    }
}

/// Opens `reader` and waits until a card is in it (vpcd connects within about a second).
fn connected(reader: &str) -> (PcscReader, Vec<u8>) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = String::new();
    loop {
        // Connected AND answering: right after a card swap pcscd may still hold the old one.
        let attempt = PcscReader::open(reader).and_then(|mut r| {
            let atr = r.connect()?;
            r.transmit(&[0x00, 0x20, 0x00, 0x80])?;
            Ok((r, atr))
        });
        match attempt {
            Ok(ok) => return ok,
            Err(e) if Instant::now() > deadline => panic!("no card in {reader:?} after 15 s: {e}"),
            Err(e) => {
                if e.to_string() != last {
                    eprintln!("waiting for a card in {reader:?}: {e}");
                    last = e.to_string();
                }
                std::thread::sleep(Duration::from_millis(100))
            }
        }
    }
}

fn issued(profile: Profile) -> (VirtualCard, IssuedCard) {
    issue(profile, SEED, day()).unwrap()
}

fn tool(program: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} could not run ({e}); install opensc"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn pem_der(text: &str) -> Vec<u8> {
    pem::parse(text.trim())
        .unwrap_or_else(|e| panic!("not PEM ({e}): {text}"))
        .into_contents()
}

#[test]
fn pcsc_reader_reads_token_certificate_and_signs() {
    require_pcscd();
    let _slot = slot0();
    let (card, info) = issued(Profile::Valid);
    let _served = serve(card, vpcd::DEFAULT_VPCD);
    let (mut reader, atr) = connected(VPCD_READER_0);
    assert_eq!(atr, JPKI_ATR.to_vec());

    client::select_applet(&mut reader).unwrap();
    assert_eq!(client::read_token(&mut reader).unwrap(), "JPKIAPICCTOKEN2");
    let cert = client::read_auth_certificate(&mut reader).unwrap();
    assert_eq!(cert, info.certificate_der);
    assert_eq!(
        client::read_auth_ca_certificate(&mut reader).unwrap(),
        info.ca_der
    );
    assert_eq!(client::auth_pin_tries_left(&mut reader).unwrap(), 3);

    // Signing needs the PIN, over PC/SC as in process.
    assert_eq!(
        client::sign(&mut reader, DigestAlgorithm::Sha256, b"c"),
        Err(JpkiError::Status {
            command: "COMPUTE DIGITAL SIGNATURE",
            sw1: 0x69,
            sw2: 0x82
        })
    );
    client::verify_auth_pin(&mut reader, "1234").unwrap();
    let parsed = CertificateInfo::parse(&cert).unwrap();
    for alg in [DigestAlgorithm::Sha256, DigestAlgorithm::Sha1] {
        let challenge = b"server challenge over pcsc";
        let sig = client::sign(&mut reader, alg, challenge).unwrap();
        parsed.verify(alg, challenge, &sig).unwrap();
    }

    // APDU round trip through pcscd + vpcd (TCP_QUICKACK keeps it far below vpcd's 40 ms).
    let mut times: Vec<Duration> = (0..50)
        .map(|_| {
            let t = Instant::now();
            reader.transmit(&[0x00, 0x20, 0x00, 0x80]).unwrap();
            t.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "pcsc+vpcd APDU round trip: median {median:?}, max {:?}",
        times[times.len() - 1]
    );
    assert!(median < Duration::from_millis(20), "median APDU {median:?}");

    // Releasing the card (power off) and connecting again drops the verified state.
    reader.disconnect();
    reader.connect().unwrap();
    client::select_applet(&mut reader).unwrap();
    assert!(matches!(
        client::sign(&mut reader, DigestAlgorithm::Sha256, b"c"),
        Err(JpkiError::Status {
            sw1: 0x69,
            sw2: 0x82,
            ..
        })
    ));
}

#[test]
fn opensc_sees_a_jpki_card_and_the_issued_certificate() {
    require_pcscd();
    let _slot = slot0();
    let (card, info) = issued(Profile::Valid);
    let _served = serve(card, vpcd::DEFAULT_VPCD);
    drop(connected(VPCD_READER_0));

    let (ok, out, err) = tool("opensc-tool", &["--reader", VPCD_READER_0, "--name"]);
    assert!(ok, "opensc-tool failed: {err}");
    assert_eq!(out.trim(), "jpki");

    let (ok, out, err) = tool(
        "pkcs15-tool",
        &["--reader", VPCD_READER_0, "--read-certificate", "01"],
    );
    assert!(ok, "pkcs15-tool failed: {err}");
    assert_eq!(
        pem_der(&out),
        info.certificate_der,
        "user-authentication certificate"
    );
    let (ok, out, err) = tool(
        "pkcs15-tool",
        &["--reader", VPCD_READER_0, "--read-certificate", "03"],
    );
    assert!(ok, "pkcs15-tool failed: {err}");
    assert_eq!(pem_der(&out), info.ca_der, "CA certificate");

    // PKCS#11 signing with the PIN; the signature verifies with the issued certificate.
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("message");
    let output = dir.path().join("signature");
    std::fs::write(&input, b"signed through opensc-pkcs11").unwrap();
    let module = [
        "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
        "/usr/lib/opensc-pkcs11.so",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .expect("opensc-pkcs11.so not found; install opensc");
    let (ok, _, err) = tool(
        "pkcs11-tool",
        &[
            "--module",
            module,
            "--slot-index",
            "0",
            "--login",
            "--pin",
            "1234",
            "--sign",
            "--id",
            "01",
            "-m",
            "SHA256-RSA-PKCS",
            "-i",
            input.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
        ],
    );
    assert!(ok, "pkcs11-tool failed: {err}");
    let signature = std::fs::read(&output).unwrap();
    CertificateInfo::parse(&info.certificate_der)
        .unwrap()
        .verify(
            DigestAlgorithm::Sha256,
            b"signed through opensc-pkcs11",
            &signature,
        )
        .unwrap();
}

#[test]
fn opensc_does_not_take_the_other_card_for_jpki() {
    require_pcscd();
    let _slot = slot0();
    let (card, _) = issued(Profile::NotMyNumber);
    let _served = serve(card, vpcd::DEFAULT_VPCD);
    let (mut reader, atr) = connected(VPCD_READER_0);
    assert_ne!(atr, JPKI_ATR.to_vec());
    assert_eq!(
        client::select_applet(&mut reader),
        Err(JpkiError::NoApplet(0x6A, 0x82))
    );
    drop(reader);
    let (_, out, _) = tool("opensc-tool", &["--reader", VPCD_READER_0, "--name"]);
    assert!(!out.contains("jpki"), "opensc-tool named it: {out}");
}

struct Binary(Child);

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn insert_binary(state_dir: &std::path::Path) -> Binary {
    Binary(
        Command::new(env!("CARGO_BIN_EXE_oqs-vcard"))
            .args([
                "insert",
                "--profile",
                "valid",
                "--seed",
                "4242",
                "--date",
                "2021-01-06",
            ])
            .args(["--vpcd", "127.0.0.1:35964", "--state-dir"])
            .arg(state_dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("oqs-vcard runs"),
    )
}

/// Waits until the reader has no card (the binary was stopped).
fn wait_removed(reader: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let gone = PcscReader::open(reader).and_then(|mut r| r.connect());
        if matches!(
            gone,
            Err(ChannelError::NoCard) | Err(ChannelError::Reader(_))
        ) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("card still in {reader:?}");
}

#[test]
fn binary_keeps_a_locked_card_locked_across_restarts_until_reset_pin() {
    require_pcscd();
    let state = tempfile::tempdir().unwrap();
    {
        let _card = insert_binary(state.path());
        let (mut reader, _) = connected(VPCD_READER_1);
        client::select_applet(&mut reader).unwrap();
        for left in [2u8, 1] {
            assert_eq!(
                client::verify_auth_pin(&mut reader, "0000"),
                Err(JpkiError::WrongPin { tries_left: left })
            );
        }
        assert_eq!(
            client::verify_auth_pin(&mut reader, "0000"),
            Err(JpkiError::PinLocked)
        );
    }
    wait_removed(VPCD_READER_1);
    {
        let _card = insert_binary(state.path());
        let (mut reader, _) = connected(VPCD_READER_1);
        client::select_applet(&mut reader).unwrap();
        assert_eq!(
            client::auth_pin_tries_left(&mut reader).unwrap(),
            0,
            "still locked"
        );
        assert_eq!(
            client::verify_auth_pin(&mut reader, "1234"),
            Err(JpkiError::PinLocked)
        );
    }
    wait_removed(VPCD_READER_1);
    let out = Command::new(env!("CARGO_BIN_EXE_oqs-vcard"))
        .args([
            "reset-pin",
            "--profile",
            "valid",
            "--seed",
            "4242",
            "--state-dir",
        ])
        .arg(state.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    {
        let _card = insert_binary(state.path());
        let (mut reader, _) = connected(VPCD_READER_1);
        client::select_applet(&mut reader).unwrap();
        assert_eq!(client::auth_pin_tries_left(&mut reader).unwrap(), 3);
        client::verify_auth_pin(&mut reader, "1234").unwrap();
    }
}
