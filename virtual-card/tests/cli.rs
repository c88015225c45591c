//! The `oqs-vcard` binary's commands that need no PC/SC stack.

use std::process::Command;

use chrono::NaiveDate;
use virtual_card::{issue, Profile};

fn oqs_vcard(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_oqs-vcard"))
        .args(args)
        .output()
        .expect("oqs-vcard runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn profiles_lists_every_profile_with_its_person() {
    let (ok, out, _) = oqs_vcard(&["profiles"]);
    assert!(ok);
    for p in Profile::ALL {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(p.name()))
            .unwrap_or_else(|| panic!("{p} missing:\n{out}"));
        assert!(line.contains(p.person_key()) && line.contains(p.description_ja()));
    }
}

#[test]
fn cert_prints_the_issued_certificate_and_ca() {
    let day = NaiveDate::from_ymd_opt(2021, 1, 6).unwrap();
    let (_, issued) = issue(Profile::ExpiringSoon, 9, day).unwrap();
    let (ok, out, err) = oqs_vcard(&[
        "cert",
        "--profile",
        "expiring-soon",
        "--seed",
        "9",
        "--date",
        "2021-01-06",
    ]);
    assert!(ok, "{err}");
    assert!(out.starts_with("-----BEGIN CERTIFICATE-----\n") && !out.contains('\r'));
    assert_eq!(
        pem::parse(out.trim()).unwrap().contents(),
        issued.certificate_der
    );
    let (ok, out, _) = oqs_vcard(&[
        "cert",
        "--profile",
        "expiring-soon",
        "--seed",
        "9",
        "--date",
        "2021-01-06",
        "--ca",
    ]);
    assert!(ok);
    assert_eq!(pem::parse(out.trim()).unwrap().contents(), issued.ca_der);
}

#[test]
fn bad_arguments_are_refused_clearly() {
    let (ok, _, err) = oqs_vcard(&["cert", "--profile", "gold"]);
    assert!(!ok);
    assert!(err.contains("unknown profile \"gold\""), "{err}");
    let (ok, _, err) = oqs_vcard(&["cert", "--profile", "valid", "--date", "2021-13-01"]);
    assert!(!ok);
    assert!(err.contains("--date"), "{err}");
}

#[test]
fn reset_pin_removes_the_saved_counter() {
    let dir = tempfile::tempdir().unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    let (ok, out, _) = oqs_vcard(&["reset-pin", "--profile", "valid", "--state-dir", dir_arg]);
    assert!(ok);
    assert!(out.contains("no saved PIN state"), "{out}");
    let file = virtual_card::state::state_file(dir.path(), "valid", 1);
    virtual_card::state::PinState::issued(0)
        .save(&file)
        .unwrap();
    let (ok, out, _) = oqs_vcard(&["reset-pin", "--profile", "valid", "--state-dir", dir_arg]);
    assert!(ok);
    assert!(out.contains("PIN state reset"), "{out}");
    assert!(!file.exists());
}
