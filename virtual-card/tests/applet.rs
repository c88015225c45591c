//! The JPKI applet from APDU vectors, the issued certificates, the profiles and the PIN state file.

use std::sync::OnceLock;

use chrono::NaiveDate;
use virtual_card::apdu::sw;
use virtual_card::applet::{JPKI_AID, JPKI_ATR};
use virtual_card::certificate::{issued_by, CertificateInfo, DigestAlgorithm};
use virtual_card::client::{self, JpkiError};
use virtual_card::state::{state_file, PinState};
use virtual_card::{issue, Card, CardChannel, IssuedCard, Profile, VirtualCard, VirtualReader};

const SEED: u64 = 20210106;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 1, 6).unwrap()
}

/// Issuing is deterministic, so each profile is issued once per test process.
fn issued(profile: Profile) -> (VirtualCard, IssuedCard) {
    static CARDS: OnceLock<std::sync::Mutex<Vec<(Profile, VirtualCard, IssuedCard)>>> =
        OnceLock::new();
    let cards = CARDS.get_or_init(Default::default);
    let mut cards = cards.lock().unwrap();
    if let Some((_, card, info)) = cards.iter().find(|(p, _, _)| *p == profile) {
        return (card.clone(), info.clone());
    }
    let (card, info) = issue(profile, SEED, day()).unwrap();
    cards.push((profile, card.clone(), info.clone()));
    (card, info)
}

fn powered(profile: Profile) -> VirtualCard {
    let (mut card, _) = issued(profile);
    assert_eq!(card.power_on(), JPKI_ATR.to_vec());
    card
}

fn select_aid() -> Vec<u8> {
    let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, 0x0A];
    apdu.extend_from_slice(&JPKI_AID);
    apdu
}

fn sw_of(resp: &[u8]) -> [u8; 2] {
    [resp[resp.len() - 2], resp[resp.len() - 1]]
}

fn run(card: &mut VirtualCard, apdu: &[u8]) -> [u8; 2] {
    sw_of(&card.process(apdu))
}

fn verify(pin: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0x00, 0x20, 0x00, 0x80, pin.len() as u8];
    apdu.extend_from_slice(pin);
    apdu
}

const SELECT_TOKEN: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x06];
const SELECT_KEY: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x17];
const SELECT_PIN: [u8; 7] = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18];
const TRIES: [u8; 4] = [0x00, 0x20, 0x00, 0x80];

fn sign_apdu(digest_info: &[u8]) -> Vec<u8> {
    let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
    apdu.extend_from_slice(digest_info);
    apdu.push(0x00);
    apdu
}

#[test]
fn select_applet_and_files() {
    let mut card = powered(Profile::Valid);
    // EF before the applet: not found.
    assert_eq!(run(&mut card, &SELECT_TOKEN), sw::NOT_FOUND);
    let mut other = select_aid();
    other[14] ^= 1;
    assert_eq!(run(&mut card, &other), sw::NOT_FOUND);
    assert_eq!(run(&mut card, &select_aid()), sw::OK);
    assert_eq!(run(&mut card, &SELECT_TOKEN), sw::OK);
    assert_eq!(
        run(&mut card, &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x99]),
        sw::NOT_FOUND
    );
    // Only P1=02 selects an EF.
    assert_eq!(
        run(&mut card, &[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x00, 0x06]),
        sw::WRONG_P1P2
    );
    assert_eq!(
        run(&mut card, &[0x00, 0xA4, 0x02, 0x0C, 0x01, 0x00]),
        sw::WRONG_LENGTH
    );
}

#[test]
fn read_binary_token_any_offset_and_past_the_end() {
    let mut card = powered(Profile::Valid);
    run(&mut card, &select_aid());
    run(&mut card, &SELECT_TOKEN);
    assert_eq!(
        card.process(&[0x00, 0xB0, 0x00, 0x00, 0x00]),
        [
            b"JPKIAPICCTOKEN2                 ".as_slice(),
            &sw::END_OF_FILE
        ]
        .concat(),
        "Le 00 = 256 but the token EF has 32 bytes: what there is + 62 82"
    );
    assert_eq!(
        card.process(&[0x00, 0xB0, 0x00, 0x00, 0x20]),
        [b"JPKIAPICCTOKEN2                 ".as_slice(), &sw::OK].concat()
    );
    assert_eq!(
        card.process(&[0x00, 0xB0, 0x00, 0x03, 0x05]),
        [b"IAPIC".as_slice(), &sw::OK].concat(),
        "unaligned offset"
    );
    assert_eq!(
        card.process(&[0x00, 0xB0, 0x00, 0x1E, 0x04]),
        [b"  ".as_slice(), &sw::END_OF_FILE].concat()
    );
    assert_eq!(
        card.process(&[0x00, 0xB0, 0x00, 0x20, 0x01]),
        sw::OFFSET_OUTSIDE.to_vec()
    );
    assert_eq!(
        card.process(&[0x00, 0xB0, 0x00, 0x00]),
        sw::WRONG_LENGTH.to_vec(),
        "no Le"
    );
    assert_eq!(
        card.process(&[0x00, 0xB0, 0x81, 0x00, 0x01]),
        sw::WRONG_P1P2.to_vec(),
        "SFI addressing"
    );
}

#[test]
fn read_before_any_ef_and_key_is_never_readable() {
    let mut card = powered(Profile::Valid);
    assert_eq!(
        card.process(&[0x00, 0xB0, 0x00, 0x00, 0x10]),
        sw::NO_CURRENT_EF.to_vec()
    );
    run(&mut card, &select_aid());
    run(&mut card, &SELECT_PIN);
    run(&mut card, &verify(b"1234"));
    run(&mut card, &SELECT_KEY);
    assert_eq!(
        card.process(&[0x00, 0xB0, 0x00, 0x00, 0x00]),
        sw::INCOMPATIBLE_FILE.to_vec(),
        "even with the PIN verified"
    );
    run(&mut card, &SELECT_PIN);
    assert_eq!(
        card.process(&[0x00, 0xB0, 0x00, 0x00, 0x04]),
        sw::INCOMPATIBLE_FILE.to_vec()
    );
}

#[test]
fn certificate_and_ca_on_the_card_are_the_issued_ones() {
    let (card, info) = issued(Profile::Valid);
    let mut reader = VirtualReader::new("test");
    reader.insert(Box::new(card));
    reader.connect().unwrap();
    client::select_applet(&mut reader).unwrap();
    assert_eq!(client::read_token(&mut reader).unwrap(), "JPKIAPICCTOKEN2");
    let cert = client::read_auth_certificate(&mut reader).unwrap();
    assert_eq!(cert, info.certificate_der);
    let ca = client::read_auth_ca_certificate(&mut reader).unwrap();
    assert_eq!(ca, info.ca_der);
    issued_by(&cert, &ca).unwrap();
    let parsed = CertificateInfo::parse(&cert).unwrap();
    assert_eq!(parsed.serial, info.serial);
    assert_eq!(parsed.not_after, info.not_after);
    assert_eq!(parsed.not_before, info.not_before);
    assert_eq!(
        parsed.subject_common_name,
        format!("OQS-SIM-{}", info.serial)
    );
    assert_eq!(info.person_key, "shimbashi-taro");
    assert!(info.insurance_registered && !info.revoked);
    // The card's key did not sign the CA certificate.
    assert!(issued_by(&ca, &cert).is_err());
    // Unaligned chunked reads (myna continues from offset 7) give the same bytes.
    client::select_ef(&mut reader, [0x00, 0x0A]).unwrap();
    let mut pieced = client::read_binary(&mut reader, 0, 7).unwrap();
    while pieced.len() < cert.len() {
        let n = (cert.len() - pieced.len()).min(256);
        pieced.extend(client::read_binary(&mut reader, pieced.len() as u16, n).unwrap());
    }
    assert_eq!(pieced, cert);
}

#[test]
fn issuing_is_deterministic() {
    let (_, a) = issued(Profile::Valid);
    let (_, b) = issue(Profile::Valid, SEED, day()).unwrap();
    assert_eq!(a, b);
    let (_, other_seed) = issue(Profile::Valid, SEED + 1, day()).unwrap();
    assert_ne!(a.serial, other_seed.serial);
    assert_ne!(a.certificate_der, other_seed.certificate_der);
}

#[test]
fn verify_counts_tries_then_blocks() {
    let mut card = powered(Profile::Valid);
    run(&mut card, &select_aid());
    run(&mut card, &SELECT_PIN);
    assert_eq!(run(&mut card, &TRIES), [0x63, 0xC3]);
    assert_eq!(run(&mut card, &verify(b"0000")), [0x63, 0xC2]);
    assert_eq!(run(&mut card, &TRIES), [0x63, 0xC2]);
    assert_eq!(run(&mut card, &verify(b"1111")), [0x63, 0xC1]);
    assert_eq!(run(&mut card, &verify(b"2222")), [0x63, 0xC0]);
    // No 4th try, even with the right PIN.
    assert_eq!(run(&mut card, &verify(b"1234")), sw::PIN_BLOCKED);
    assert_eq!(run(&mut card, &TRIES), [0x63, 0xC0]);
    assert_eq!(card.auth_tries_left(), 0);
    // Blocked survives a power cycle.
    card.power_off();
    card.power_on();
    run(&mut card, &select_aid());
    run(&mut card, &SELECT_PIN);
    assert_eq!(run(&mut card, &verify(b"1234")), sw::PIN_BLOCKED);
}

#[test]
fn good_verify_restores_tries_and_query_stays_63cx() {
    let mut card = powered(Profile::Valid);
    run(&mut card, &select_aid());
    run(&mut card, &SELECT_PIN);
    assert_eq!(run(&mut card, &verify(b"9999")), [0x63, 0xC2]);
    assert_eq!(run(&mut card, &verify(b"1234")), sw::OK);
    assert_eq!(
        run(&mut card, &TRIES),
        [0x63, 0xC3],
        "63 Cx even when verified"
    );
    assert_eq!(run(&mut card, &verify(b"12345")), sw::WRONG_LENGTH);
    assert_eq!(
        run(&mut card, &TRIES),
        [0x63, 0xC3],
        "a wrong length costs no try"
    );
    assert_eq!(
        run(
            &mut card,
            &[0x00, 0x20, 0x00, 0x81, 0x04, b'1', b'2', b'3', b'4']
        ),
        sw::WRONG_P1P2
    );
    run(&mut card, &SELECT_TOKEN);
    assert_eq!(run(&mut card, &verify(b"1234")), sw::NO_CURRENT_EF);
}

#[test]
fn sign_needs_verified_pin_and_key_ef_and_verifies_sha1_and_sha256() {
    let (_, info) = issued(Profile::Valid);
    let cert = CertificateInfo::parse(&info.certificate_der).unwrap();
    let mut card = powered(Profile::Valid);
    let challenge = b"fresh server challenge 0001";
    run(&mut card, &select_aid());
    run(&mut card, &SELECT_KEY);
    let di = DigestAlgorithm::Sha256.digest_info(challenge);
    assert_eq!(
        card.process(&sign_apdu(&di)),
        sw::SECURITY_NOT_SATISFIED.to_vec()
    );
    run(&mut card, &SELECT_PIN);
    assert_eq!(run(&mut card, &verify(b"1234")), sw::OK);
    assert_eq!(
        card.process(&sign_apdu(&di)),
        sw::NO_CURRENT_EF.to_vec(),
        "EF 0017 must be selected"
    );
    run(&mut card, &SELECT_KEY);
    for alg in [DigestAlgorithm::Sha256, DigestAlgorithm::Sha1] {
        let resp = card.process(&sign_apdu(&alg.digest_info(challenge)));
        assert_eq!(resp.len(), 258);
        assert_eq!(sw_of(&resp), sw::OK);
        cert.verify(alg, challenge, &resp[..256]).unwrap();
        assert!(cert.verify(alg, b"another message", &resp[..256]).is_err());
    }
    // Case 3 (no Le) works too; too long for the modulus does not.
    let mut case3 = sign_apdu(&di);
    case3.pop();
    assert_eq!(sw_of(&card.process(&case3)), sw::OK);
    assert_eq!(
        card.process(&sign_apdu(&[0xAB; 250])),
        sw::WRONG_DATA.to_vec()
    );
    // CLA 00 is not the signing class.
    let mut cla00 = sign_apdu(&di);
    cla00[0] = 0x00;
    assert_eq!(card.process(&cla00), sw::INS_NOT_SUPPORTED.to_vec());
}

#[test]
fn verified_state_dropped_on_power_off_reset_and_reselect() {
    let di = DigestAlgorithm::Sha256.digest_info(b"x");
    let unlock = |card: &mut VirtualCard| {
        assert_eq!(run(card, &select_aid()), sw::OK);
        run(card, &SELECT_PIN);
        assert_eq!(run(card, &verify(b"1234")), sw::OK);
        run(card, &SELECT_KEY);
        assert_eq!(sw_of(&card.process(&sign_apdu(&di))), sw::OK);
    };
    let mut card = powered(Profile::Valid);
    // Re-selection of the applet.
    unlock(&mut card);
    assert_eq!(run(&mut card, &select_aid()), sw::OK);
    run(&mut card, &SELECT_KEY);
    assert_eq!(
        card.process(&sign_apdu(&di)),
        sw::SECURITY_NOT_SATISFIED.to_vec()
    );
    // Warm reset (power_on again).
    unlock(&mut card);
    card.power_on();
    assert_eq!(card.process(&sign_apdu(&di)), sw::NO_CURRENT_EF.to_vec());
    run(&mut card, &select_aid());
    run(&mut card, &SELECT_KEY);
    assert_eq!(
        card.process(&sign_apdu(&di)),
        sw::SECURITY_NOT_SATISFIED.to_vec()
    );
    // Power off.
    unlock(&mut card);
    card.power_off();
    card.power_on();
    run(&mut card, &select_aid());
    run(&mut card, &SELECT_KEY);
    assert_eq!(
        card.process(&sign_apdu(&di)),
        sw::SECURITY_NOT_SATISFIED.to_vec()
    );
}

#[test]
fn unknown_class_instruction_and_bad_lengths() {
    let mut card = powered(Profile::Valid);
    assert_eq!(
        card.process(&[0x00, 0xCA, 0x00, 0x00, 0x00]),
        sw::INS_NOT_SUPPORTED.to_vec()
    );
    assert_eq!(
        card.process(&[0x80, 0xB0, 0x00, 0x00, 0x00]),
        sw::INS_NOT_SUPPORTED.to_vec()
    );
    assert_eq!(
        card.process(&[0xA0, 0xA4, 0x04, 0x0C]),
        sw::CLA_NOT_SUPPORTED.to_vec()
    );
    assert_eq!(
        card.process(&[0x0C, 0xB0, 0x00, 0x00, 0x00]),
        sw::CLA_NOT_SUPPORTED.to_vec()
    );
    assert_eq!(card.process(&[]), sw::WRONG_LENGTH.to_vec());
    assert_eq!(card.process(&[0x00, 0xA4, 0x04]), sw::WRONG_LENGTH.to_vec());
    assert_eq!(
        card.process(&[0x00, 0xA4, 0x04, 0x0C, 0x0B, 0xD3]),
        sw::WRONG_LENGTH.to_vec(),
        "Lc larger than the data"
    );
    assert_eq!(
        card.process(&[0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x00]),
        sw::WRONG_LENGTH.to_vec(),
        "extended length"
    );
}

#[test]
fn change_pin_after_verify() {
    let mut card = powered(Profile::Valid);
    run(&mut card, &select_aid());
    run(&mut card, &SELECT_PIN);
    assert_eq!(
        run(
            &mut card,
            &[0x00, 0x24, 0x01, 0x80, 0x04, b'4', b'3', b'2', b'1']
        ),
        sw::SECURITY_NOT_SATISFIED
    );
    assert_eq!(run(&mut card, &verify(b"1234")), sw::OK);
    assert_eq!(
        run(
            &mut card,
            &[0x00, 0x24, 0x01, 0x80, 0x04, b'4', b'3', b'2', b'X']
        ),
        sw::WRONG_DATA
    );
    assert_eq!(
        run(
            &mut card,
            &[0x00, 0x24, 0x01, 0x80, 0x04, b'4', b'3', b'2', b'1']
        ),
        sw::OK
    );
    assert_eq!(run(&mut card, &verify(b"1234")), [0x63, 0xC2]);
    assert_eq!(run(&mut card, &verify(b"4321")), sw::OK);
}

#[test]
fn pin_locked_profile() {
    let (mut card, info) = issued(Profile::PinLocked);
    assert_eq!(info.pin_tries_left, 0);
    card.power_on();
    run(&mut card, &select_aid());
    run(&mut card, &SELECT_PIN);
    assert_eq!(run(&mut card, &TRIES), [0x63, 0xC0]);
    assert_eq!(run(&mut card, &verify(b"1234")), sw::PIN_BLOCKED);
    let mut reader = VirtualReader::new("r");
    reader.insert(Box::new(issued(Profile::PinLocked).0));
    reader.connect().unwrap();
    client::select_applet(&mut reader).unwrap();
    assert_eq!(client::auth_pin_tries_left(&mut reader).unwrap(), 0);
    assert_eq!(
        client::verify_auth_pin(&mut reader, "1234"),
        Err(JpkiError::PinLocked)
    );
}

#[test]
fn not_mynumber_has_no_jpki_applet() {
    let (mut card, info) = issued(Profile::NotMyNumber);
    assert!(!info.is_mynumber_card);
    assert_ne!(card.power_on(), JPKI_ATR.to_vec());
    assert_eq!(run(&mut card, &select_aid()), sw::NOT_FOUND);
    assert_eq!(run(&mut card, &SELECT_TOKEN), sw::NOT_FOUND);
    assert_eq!(
        card.process(&[0x00, 0xB0, 0, 0, 0]),
        sw::INS_NOT_SUPPORTED.to_vec()
    );
    let mut reader = VirtualReader::new("r");
    reader.insert(Box::new(card));
    reader.connect().unwrap();
    assert_eq!(
        client::select_applet(&mut reader),
        Err(JpkiError::NoApplet(0x6A, 0x82))
    );
}

#[test]
fn unreadable_fails_mid_certificate() {
    let (card, _) = issued(Profile::Unreadable);
    let mut reader = VirtualReader::new("r");
    reader.insert(Box::new(card));
    reader.connect().unwrap();
    client::select_applet(&mut reader).unwrap();
    assert_eq!(client::read_token(&mut reader).unwrap(), "JPKIAPICCTOKEN2");
    client::select_ef(&mut reader, [0x00, 0x0A]).unwrap();
    // The head reads fine (OpenSC's 4 bytes, jpki-rs's 7) ...
    assert_eq!(client::read_binary(&mut reader, 0, 7).unwrap()[0], 0x30);
    // ... the whole certificate does not.
    assert_eq!(
        client::read_auth_certificate(&mut reader),
        Err(JpkiError::Status {
            command: "READ BINARY",
            sw1: 0x6F,
            sw2: 0x00
        })
    );
}

#[test]
fn unsupported_card_has_the_juki_token() {
    let (card, info) = issued(Profile::Unsupported);
    assert_eq!(info.token, "JPKIAPICCTOKEN");
    let mut reader = VirtualReader::new("r");
    reader.insert(Box::new(card));
    reader.connect().unwrap();
    client::select_applet(&mut reader).unwrap();
    assert_eq!(client::read_token(&mut reader).unwrap(), "JPKIAPICCTOKEN");
}

#[test]
fn bad_signature_card_signs_with_another_key() {
    let (card, info) = issued(Profile::BadSignature);
    let cert = CertificateInfo::parse(&info.certificate_der).unwrap();
    let mut reader = VirtualReader::new("r");
    reader.insert(Box::new(card));
    reader.connect().unwrap();
    client::select_applet(&mut reader).unwrap();
    client::verify_auth_pin(&mut reader, "1234").unwrap();
    let sig = client::sign(&mut reader, DigestAlgorithm::Sha256, b"challenge").unwrap();
    assert_eq!(sig.len(), 256);
    assert!(cert
        .verify(DigestAlgorithm::Sha256, b"challenge", &sig)
        .is_err());
}

#[test]
fn registry_facts_and_validity_per_profile() {
    let date = day();
    for profile in Profile::ALL {
        let (_, info) = issued(profile);
        let cert = CertificateInfo::parse(&info.certificate_der).unwrap();
        assert_eq!(cert.serial, info.serial, "{profile}");
        assert_eq!(cert.not_after, info.not_after, "{profile}");
        assert_eq!(info.revoked, profile == Profile::Revoked, "{profile}");
        assert_eq!(
            info.insurance_registered,
            profile != Profile::Unregistered,
            "{profile}"
        );
        match profile {
            Profile::Expired => assert!(info.not_after < date),
            Profile::ExpiringSoon => {
                assert!(info.not_after >= date);
                assert!(info.not_after <= date.checked_add_months(chrono::Months::new(3)).unwrap());
            }
            _ => assert!(
                info.not_after > date.checked_add_months(chrono::Months::new(3)).unwrap(),
                "{profile}"
            ),
        }
    }
    let serials: std::collections::BTreeSet<_> =
        Profile::ALL.iter().map(|p| issued(*p).1.serial).collect();
    assert_eq!(serials.len(), Profile::ALL.len(), "one serial per card");
}

#[test]
fn profiles_tie_to_people_of_the_builtin_population() {
    let builtin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../domain/fixtures/builtin.toml"
    ))
    .unwrap();
    for profile in Profile::ALL {
        assert!(
            builtin.contains(&format!("id = \"{}\"", profile.person_key())),
            "{profile}: {} not in builtin.toml",
            profile.person_key()
        );
        assert!(!profile.description_ja().is_empty() && !profile.description_en().is_empty());
    }
}

#[test]
fn locked_card_stays_locked_across_restart_with_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = state_file(dir.path(), "valid", SEED);
    let (card, _) = issued(Profile::Valid);
    let mut card = card.with_state_file(path.clone());
    card.power_on();
    run(&mut card, &select_aid());
    run(&mut card, &SELECT_PIN);
    for _ in 0..3 {
        run(&mut card, &verify(b"0000"));
    }
    assert_eq!(PinState::load(&path).unwrap().auth_tries_left, 0);
    drop(card);
    // "Restart": a fresh card of the same profile picks the counter up.
    let (fresh, _) = issued(Profile::Valid);
    let mut fresh = fresh.with_state_file(path.clone());
    fresh.power_on();
    run(&mut fresh, &select_aid());
    run(&mut fresh, &SELECT_PIN);
    assert_eq!(run(&mut fresh, &verify(b"1234")), sw::PIN_BLOCKED);
    // reset-pin removes the state: back to the issued counter.
    std::fs::remove_file(&path).unwrap();
    let (again, _) = issued(Profile::Valid);
    let mut again = again.with_state_file(path);
    again.power_on();
    run(&mut again, &select_aid());
    run(&mut again, &SELECT_PIN);
    assert_eq!(run(&mut again, &verify(b"1234")), sw::OK);
}

#[test]
fn reader_without_card_and_removal() {
    let mut reader = VirtualReader::new("slot");
    assert_eq!(reader.name(), "slot");
    assert_eq!(reader.connect(), Err(virtual_card::ChannelError::NoCard));
    assert_eq!(
        reader.transmit(&TRIES),
        Err(virtual_card::ChannelError::NoCard)
    );
    reader.insert(Box::new(issued(Profile::Valid).0));
    assert!(matches!(
        reader.transmit(&select_aid()),
        Err(virtual_card::ChannelError::Lost(_))
    ));
    reader.connect().unwrap();
    assert_eq!(reader.transmit(&select_aid()).unwrap(), sw::OK.to_vec());
    assert!(reader.remove().is_some());
    assert!(!reader.has_card());
}
