//! End to end through the real PC/SC stack: the virtual card is presented to pcscd by vpcd
//! (vsmartcard), then read through `PcscReader` and by OpenSC, which nobody here wrote.
//!
//! Needs pcscd running (`pcscd -f`) with `vsmartcard-vpcd`, and OpenSC's `opensc-tool`,
//! `pkcs15-tool`, `pkcs11-tool`. `.ci/run` installs and starts them. Under the `pcsc` feature a
//! missing piece is a FAILURE, not a skip; `cargo test --workspace` does not compile this file.
#![cfg(feature = "pcsc")]

use std::process::{Child, Command};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use virtual_card::applet::{JPKI_ATR, OTHER_ATR};
use virtual_card::certificate::{CertificateInfo, DigestAlgorithm};
use virtual_card::client::{self, JpkiError};
use virtual_card::vpcd::{self, ServedCard, VPCD_READER_0, VPCD_READER_1};
use virtual_card::{
    issue, list_reader_names, wait_for_card, wait_until_empty, CardChannel, IssuedCard, PcscReader,
    Profile, VirtualCard,
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

/// A card served over vpcd (the library's `ServedCard`); on drop the test also waits until pcscd
/// has seen it go, so the next test's card on the same port is seen as a new card.
struct Served {
    card: Option<ServedCard>,
    reader: &'static str,
}

impl Drop for Served {
    fn drop(&mut self) {
        drop(self.card.take());
        wait_until_empty(self.reader, Duration::from_secs(10)).expect("card removed");
    }
}

fn serve(card: VirtualCard, addr: &'static str) -> Served {
    let reader = if addr.ends_with(":35964") {
        VPCD_READER_1
    } else {
        VPCD_READER_0
    };
    Served {
        card: Some(ServedCard::spawn(card, addr)),
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

/// Waits until a card with `atr` answers in `reader` (vpcd connects within about a second),
/// then opens it.
fn connected(reader: &str, atr: &[u8]) -> (PcscReader, Vec<u8>) {
    wait_for_card(reader, Some(atr), Duration::from_secs(15))
        .unwrap_or_else(|e| panic!("no card in {reader:?} after 15 s: {e}"));
    let mut handle = PcscReader::open(reader).unwrap();
    let atr = handle.connect().unwrap();
    (handle, atr)
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
    let (mut reader, atr) = connected(VPCD_READER_0, &JPKI_ATR);
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
    drop(connected(VPCD_READER_0, &JPKI_ATR));

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
    let (mut reader, atr) = connected(VPCD_READER_0, &OTHER_ATR);
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
    wait_until_empty(reader, Duration::from_secs(10)).expect("card removed");
}

#[test]
fn binary_keeps_a_locked_card_locked_across_restarts_until_reset_pin() {
    require_pcscd();
    let state = tempfile::tempdir().unwrap();
    {
        let _card = insert_binary(state.path());
        let (mut reader, _) = connected(VPCD_READER_1, &JPKI_ATR);
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
        let (mut reader, _) = connected(VPCD_READER_1, &JPKI_ATR);
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
        let (mut reader, _) = connected(VPCD_READER_1, &JPKI_ATR);
        client::select_applet(&mut reader).unwrap();
        assert_eq!(client::auth_pin_tries_left(&mut reader).unwrap(), 3);
        client::verify_auth_pin(&mut reader, "1234").unwrap();
    }
}
