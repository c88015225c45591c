//! Property tests of the JPKI applet: random APDU sequences never panic, never reveal the private
//! key, never sign without a verified PIN and never allow a 4th VERIFY try.

use std::sync::OnceLock;

use chrono::NaiveDate;
use proptest::prelude::*;
use virtual_card::applet::JPKI_AID;
use virtual_card::certificate::{CertificateInfo, DigestAlgorithm};
use virtual_card::{issue, Card, IssuedCard, Profile, VirtualCard};

fn base() -> &'static (VirtualCard, IssuedCard) {
    static CARD: OnceLock<(VirtualCard, IssuedCard)> = OnceLock::new();
    CARD.get_or_init(|| {
        issue(
            Profile::Valid,
            7,
            NaiveDate::from_ymd_opt(2021, 1, 6).unwrap(),
        )
        .unwrap()
    })
}

/// Byte strings that would betray the private key: the private exponent and primes, big-endian.
fn secrets() -> &'static Vec<Vec<u8>> {
    static SECRETS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SECRETS.get_or_init(|| {
        // The card's key is the cached key of (seed 7, its label); rebuild it the same way.
        let key = virtual_card::keys::key(7, "card-valid-shimbashi-taro");
        // It must be the card's key, or the leak check would prove nothing.
        let certified = CertificateInfo::parse(&base().1.certificate_der)
            .unwrap()
            .public_key;
        assert_eq!(rsa::RsaPublicKey::from(&key), certified);
        use rsa::traits::PrivateKeyParts;
        let mut out = vec![key.d().to_bytes_be()];
        out.extend(key.primes().iter().map(|p| p.to_bytes_be()));
        // A 16-byte window of each is enough to recognise a leak.
        out.into_iter().map(|v| v[..16].to_vec()).collect()
    })
}

#[derive(Debug, Clone)]
enum Op {
    PowerOn,
    PowerOff,
    Apdu(Vec<u8>),
    /// Several APDUs in a row (reaches deep states: applet + PIN EF selected).
    Apdus(Vec<Vec<u8>>),
}

fn select_ef(fid: u8) -> Vec<u8> {
    vec![0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, fid]
}

fn op() -> impl Strategy<Value = Op> {
    let pin = prop_oneof![
        Just(b"1234".to_vec()),
        Just(b"0000".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ];
    prop_oneof![
        1 => Just(Op::PowerOn),
        1 => Just(Op::PowerOff),
        3 => Just(Op::Apdu([vec![0x00, 0xA4, 0x04, 0x0C, 0x0A], JPKI_AID.to_vec()].concat())),
        4 => prop_oneof![Just(0x06u8), Just(0x0A), Just(0x0B), Just(0x17), Just(0x18), Just(0x1B), any::<u8>()]
            .prop_map(|fid| Op::Apdu(select_ef(fid))),
        3 => (any::<u8>(), any::<u8>(), any::<u8>())
            .prop_map(|(hi, lo, le)| Op::Apdu(vec![0x00, 0xB0, hi & 0x7F, lo, le])),
        4 => pin.clone().prop_map(|p| Op::Apdu([vec![0x00, 0x20, 0x00, 0x80, p.len() as u8], p].concat())),
        1 => Just(Op::Apdu(vec![0x00, 0x20, 0x00, 0x80])),
        1 => pin.prop_map(|p| Op::Apdu([vec![0x00, 0x24, 0x01, 0x80, p.len() as u8], p].concat())),
        3 => proptest::collection::vec(any::<u8>(), 1..60)
            .prop_map(|d| Op::Apdu([vec![0x80, 0x2A, 0x00, 0x80, d.len() as u8], d, vec![0]].concat())),
        2 => proptest::collection::vec(any::<u8>(), 0..300).prop_map(Op::Apdu),
        3 => Just(Op::Apdus(vec![
            [vec![0x00, 0xA4, 0x04, 0x0C, 0x0A], JPKI_AID.to_vec()].concat(),
            select_ef(0x18),
        ])),
        3 => Just(Op::Apdus(vec![
            select_ef(0x18),
            vec![0x00, 0x20, 0x00, 0x80, 4, b'9', b'9', b'9', b'9'],
            vec![0x00, 0x20, 0x00, 0x80, 4, b'9', b'9', b'9', b'8'],
            vec![0x00, 0x20, 0x00, 0x80, 4, b'9', b'9', b'9', b'7'],
        ])),
    ]
}

/// What the test knows the card must obey, tracked from the answers it gave.
#[derive(Debug)]
struct Model {
    pin: Vec<u8>,
    wrong_in_a_row: u8,
    verified: bool,
    current_is_auth_pin: bool,
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_apdu_sequences_keep_the_card_safe(ops in proptest::collection::vec(op(), 1..40)) {
        let (card, _) = base();
        let mut card = card.clone();
        let mut model = Model { pin: b"1234".to_vec(), wrong_in_a_row: 0, verified: false, current_is_auth_pin: false };
        let apdus = ops.into_iter().flat_map(|op| match op {
            Op::Apdus(list) => list.into_iter().map(Op::Apdu).collect(),
            other => vec![other],
        });
        for op in apdus {
            let apdu = match op {
                Op::PowerOn => { card.power_on(); model.verified = false; model.current_is_auth_pin = false; continue; }
                Op::PowerOff => { card.power_off(); model.verified = false; model.current_is_auth_pin = false; continue; }
                Op::Apdu(apdu) => apdu,
                Op::Apdus(_) => continue,
            };
            let resp = card.process(&apdu);
            prop_assert!(resp.len() >= 2, "every answer has a status word");
            let sw = [resp[resp.len() - 2], resp[resp.len() - 1]];
            for secret in secrets() {
                prop_assert!(!resp.windows(secret.len()).any(|w| w == secret.as_slice()), "key material leaked");
            }
            match (apdu.first(), apdu.get(1), apdu.get(2)) {
                (Some(0x00), Some(0xA4), Some(0x04)) if sw == [0x90, 0x00] => {
                    model.verified = false;
                    model.current_is_auth_pin = false;
                }
                (Some(0x00), Some(0xA4), Some(0x02)) if sw == [0x90, 0x00] => {
                    model.current_is_auth_pin = apdu.get(5..7) == Some(&[0x00, 0x18][..]);
                }
                (Some(0x00), Some(0x20), _) if model.current_is_auth_pin && apdu.len() > 5 => {
                    if model.wrong_in_a_row >= 3 {
                        prop_assert_eq!(sw, [0x69, 0x83], "no 4th try");
                    } else if sw == [0x90, 0x00] {
                        prop_assert_eq!(&apdu[5..], model.pin.as_slice());
                        model.wrong_in_a_row = 0;
                        model.verified = true;
                    } else if sw[0] == 0x63 {
                        model.wrong_in_a_row += 1;
                        model.verified = false;
                        prop_assert_eq!(sw[1], 0xC0 | (3 - model.wrong_in_a_row));
                    }
                }
                (Some(0x00), Some(0x24), _) if sw == [0x90, 0x00] => {
                    prop_assert!(model.verified, "PIN changed without VERIFY");
                    model.pin = apdu[5..].to_vec();
                }
                (Some(0x80), Some(0x2A), _) if sw == [0x90, 0x00] => {
                    prop_assert!(model.verified, "signed without a verified PIN");
                    prop_assert_eq!(resp.len(), 258);
                }
                _ => {}
            }
            prop_assert!(card.auth_tries_left() <= 3);
        }
    }

    #[test]
    fn signatures_verify_with_the_certificate(message in proptest::collection::vec(any::<u8>(), 0..100), sha1 in any::<bool>()) {
        let (card, info) = base();
        let mut card = card.clone();
        let alg = if sha1 { DigestAlgorithm::Sha1 } else { DigestAlgorithm::Sha256 };
        card.power_on();
        card.process(&[vec![0x00, 0xA4, 0x04, 0x0C, 0x0A], JPKI_AID.to_vec()].concat());
        card.process(&select_ef(0x18));
        prop_assert_eq!(card.process(&[0x00, 0x20, 0x00, 0x80, 4, b'1', b'2', b'3', b'4']), vec![0x90, 0x00]);
        card.process(&select_ef(0x17));
        let di = alg.digest_info(&message);
        let resp = card.process(&[vec![0x80, 0x2A, 0x00, 0x80, di.len() as u8], di, vec![0]].concat());
        prop_assert_eq!(&resp[256..], &[0x90, 0x00]);
        let cert = CertificateInfo::parse(&info.certificate_der).unwrap();
        prop_assert!(cert.verify(alg, &message, &resp[..256]).is_ok());
    }

    #[test]
    fn certificate_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = CertificateInfo::parse(&bytes);
    }
}
