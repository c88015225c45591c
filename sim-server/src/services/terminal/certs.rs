//! The server's side of a card's certificate: the registry of issued 利用者証明用電子証明書
//! (keyed by serial; revocation, 保険証利用登録 and the person are server-side facts), parsing
//! the certificate a card presents, and verifying the card's signature over a challenge.

use chrono::{DateTime, FixedOffset, TimeZone};
use oqs_domain::inquiry::jst;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// What the OQS side knows about one issued certificate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertificateRecord {
    /// The card holder: a person key of the population (fixture id).
    pub person_key: String,
    /// 失効 (ERR-05).
    pub revoked: bool,
    /// 保険証利用登録 done (else ERR-16 / ERR-27).
    pub insurance_registered: bool,
}

/// The registry is capped: one row per issued card, and cards are issued by hand.
pub const MAX_REGISTERED_CERTIFICATES: usize = 10_000;

/// Issued certificates by serial (lower-case hex without separators), each with the SHA-256 of
/// the certificate issued: a certificate whose serial is known but whose bytes differ (forged or
/// altered) is not the issued one.
#[derive(Debug, Default)]
pub struct Registry {
    rows: BTreeMap<String, (CertificateRecord, [u8; 32])>,
}

impl Registry {
    /// Adds or replaces a row. Beyond the cap the smallest serial is dropped (bounded memory).
    pub fn insert(&mut self, serial: String, record: CertificateRecord, fingerprint: [u8; 32]) {
        self.rows.insert(serial, (record, fingerprint));
        while self.rows.len() > MAX_REGISTERED_CERTIFICATES {
            let Some(first) = self.rows.keys().next().cloned() else {
                break;
            };
            self.rows.remove(&first);
        }
    }

    /// The row of a serial, whatever the certificate's bytes.
    pub fn get(&self, serial: &str) -> Option<&CertificateRecord> {
        self.rows.get(serial).map(|(r, _)| r)
    }

    /// The row of exactly this certificate (serial and bytes).
    pub fn get_issued(&self, cert: &PresentedCertificate) -> Option<&CertificateRecord> {
        self.rows
            .get(&cert.serial)
            .filter(|(_, f)| *f == cert.fingerprint)
            .map(|(r, _)| r)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn rows(&self) -> impl Iterator<Item = (&String, &CertificateRecord)> {
        self.rows.iter().map(|(k, (r, _))| (k, r))
    }
}

/// The facts the terminal needs from a presented certificate.
#[derive(Debug, Clone)]
pub struct PresentedCertificate {
    /// Serial, lower-case hex.
    pub serial: String,
    /// notAfter, in JST.
    pub not_after: DateTime<FixedOffset>,
    pub public_key: RsaPublicKey,
    /// SHA-256 of the DER bytes.
    pub fingerprint: [u8; 32],
}

/// Serial bytes as the registry key.
pub fn serial_key(raw: &[u8]) -> String {
    match raw.iter().position(|&b| b != 0) {
        Some(i) => raw[i..].iter().map(|b| format!("{b:02x}")).collect(),
        None => "0".to_owned(),
    }
}

/// Parses a DER certificate read from a card. Errors name what is wrong.
pub fn parse(der: &[u8]) -> Result<PresentedCertificate, String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| format!("not an X.509 certificate: {e}"))?;
    let not_after = jst()
        .timestamp_opt(cert.validity().not_after.timestamp(), 0)
        .single()
        .ok_or_else(|| "notAfter out of range".to_owned())?;
    let public_key = RsaPublicKey::from_public_key_der(cert.public_key().raw)
        .map_err(|e| format!("not an RSA public key: {e}"))?;
    Ok(PresentedCertificate {
        serial: serial_key(cert.raw_serial()),
        not_after,
        public_key,
        fingerprint: Sha256::digest(der).into(),
    })
}

/// SHA-256 of a challenge.
pub fn challenge_hash(challenge: &[u8]) -> [u8; 32] {
    Sha256::digest(challenge).into()
}

/// Verifies an RSA PKCS#1 v1.5 signature over the SHA-256 of `challenge`.
pub fn verify_signature(key: &RsaPublicKey, challenge: &[u8], signature: &[u8]) -> bool {
    key.verify(
        Pkcs1v15Sign::new::<Sha256>(),
        &challenge_hash(challenge),
        signature,
    )
    .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_keys_drop_leading_zeros() {
        assert_eq!(serial_key(&[0x00, 0x1a, 0xff]), "1aff");
        assert_eq!(serial_key(&[0x00]), "0");
        assert_eq!(serial_key(&[]), "0");
    }

    #[test]
    fn the_registry_is_capped() {
        let mut r = Registry::default();
        for i in 0..(MAX_REGISTERED_CERTIFICATES + 5) {
            r.insert(
                format!("{i:08x}"),
                CertificateRecord {
                    person_key: "p".into(),
                    revoked: false,
                    insurance_registered: true,
                },
                [0; 32],
            );
        }
        assert_eq!(r.len(), MAX_REGISTERED_CERTIFICATES);
        assert!(r.get("00000000").is_none());
    }

    #[test]
    fn garbage_is_not_a_certificate() {
        assert!(parse(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_err());
        assert!(parse(b"").is_err());
    }
}
