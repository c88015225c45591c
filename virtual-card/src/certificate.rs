//! The simulated certificate authority for 利用者証明用電子証明書 (user-authentication
//! certificates), and reading a certificate back (serial, validity, public key, signature check).
//!
//! Certificates are real X.509 v3, RSA-2048 keys signed with sha256WithRSAEncryption by the
//! simulated CA (rcgen, with the `rsa` crate doing the signing). Like real 利用者証明用電子証明書,
//! the subject carries no personal data: the OQS side links a certificate to a person through its
//! serial number (the registry in [`crate::profile::IssuedCard`]).
//!
//! Validity is given as dates in Japan time: notBefore = 00:00:00 JST of the first day, notAfter
//! = 23:59:59 JST of the last day (`not_after` is the 有効期限 shown as 「有効期限2021/03/15」).

use chrono::{NaiveDate, NaiveTime};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyIdMethod, KeyPair,
    KeyUsagePurpose, RemoteKeyPair, SerialNumber, SignatureAlgorithm, PKCS_RSA_SHA256,
};
use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::{Pkcs1v15Sign, RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::keys;

/// Why a certificate could not be issued or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    #[error("certificate could not be issued: {0}")]
    Issue(String),
    #[error("not a readable X.509 certificate: {0}")]
    Parse(String),
    #[error("the certificate's key is not an RSA key: {0}")]
    NotRsa(String),
    #[error("signature does not verify with the certificate's public key")]
    BadSignature,
}

/// The CA's distinguished name (fictional, says it is the simulator's).
pub const CA_COMMON_NAME: &str = "OQS Simulator JPKI User Authentication CA (fictional)";
/// Organisation of the CA and of every subject.
pub const ORGANIZATION: &str = "OQS Simulator";

/// The CA's own validity: fixed, so the CA certificate is the same for every card of a seed.
const CA_VALID_FROM: (i32, u32, u32) = (2014, 1, 1);
const CA_VALID_UNTIL: (i32, u32, u32) = (2044, 12, 31);

/// Hash algorithms clients put in the DigestInfo they send to the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    Sha1,
    Sha256,
}

impl DigestAlgorithm {
    /// The DER DigestInfo prefix (RFC 8017 §9.2 note 1) before the hash value.
    pub fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            DigestAlgorithm::Sha1 => &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
                0x14,
            ],
            DigestAlgorithm::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
        }
    }

    /// Hash of `message`.
    pub fn hash(self, message: &[u8]) -> Vec<u8> {
        match self {
            DigestAlgorithm::Sha1 => Sha1::digest(message).to_vec(),
            DigestAlgorithm::Sha256 => Sha256::digest(message).to_vec(),
        }
    }

    /// The DigestInfo of `message`: what a client sends in COMPUTE DIGITAL SIGNATURE.
    pub fn digest_info(self, message: &[u8]) -> Vec<u8> {
        let mut out = self.digest_info_prefix().to_vec();
        out.extend_from_slice(&self.hash(message));
        out
    }

    fn scheme(self) -> Pkcs1v15Sign {
        match self {
            DigestAlgorithm::Sha1 => Pkcs1v15Sign::new::<Sha1>(),
            DigestAlgorithm::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
        }
    }
}

/// An RSA key held by this process that rcgen signs with (PKCS#1 v1.5, SHA-256).
struct RsaSigner {
    key: RsaPrivateKey,
    public_pkcs1: Vec<u8>,
}

impl RsaSigner {
    fn new(key: RsaPrivateKey) -> Result<Self, CertificateError> {
        let public_pkcs1 = RsaPublicKey::from(&key)
            .to_pkcs1_der()
            .map_err(|e| CertificateError::Issue(e.to_string()))?
            .into_vec();
        Ok(RsaSigner { key, public_pkcs1 })
    }
}

impl RemoteKeyPair for RsaSigner {
    fn public_key(&self) -> &[u8] {
        &self.public_pkcs1
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.key
            .sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(msg))
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &PKCS_RSA_SHA256
    }
}

fn key_pair(key: RsaPrivateKey) -> Result<(KeyPair, Vec<u8>), CertificateError> {
    let signer = RsaSigner::new(key)?;
    // Subject key identifier: SHA-1 of the public key (RFC 5280 §4.2.1.2 method 1).
    let ski = Sha1::digest(&signer.public_pkcs1).to_vec();
    let pair = KeyPair::from_remote(Box::new(signer))
        .map_err(|e| CertificateError::Issue(e.to_string()))?;
    Ok((pair, ski))
}

fn jst_start(date: NaiveDate) -> time::OffsetDateTime {
    jst(date, NaiveTime::MIN)
}

fn jst_end(date: NaiveDate) -> time::OffsetDateTime {
    jst(
        date,
        NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
    )
}

fn jst(date: NaiveDate, at: NaiveTime) -> time::OffsetDateTime {
    // Japan has no daylight saving: JST is always UTC+9.
    let stamp = date.and_time(at).and_utc().timestamp() - 9 * 3600;
    time::OffsetDateTime::from_unix_timestamp(stamp).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

fn date(ymd: (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(ymd.0, ymd.1, ymd.2).unwrap_or_default()
}

/// The simulated CA of one seed: its key and self-signed certificate.
pub struct CertificateAuthority {
    seed: u64,
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl std::fmt::Debug for CertificateAuthority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateAuthority")
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

impl CertificateAuthority {
    /// The CA for `seed` (its key from the key cache).
    pub fn new(seed: u64) -> Result<Self, CertificateError> {
        let (key, ski) = key_pair(keys::key(seed, "ca"))?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "JP");
        dn.push(DnType::OrganizationName, ORGANIZATION);
        dn.push(DnType::CommonName, CA_COMMON_NAME);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = jst_start(date(CA_VALID_FROM));
        params.not_after = jst_end(date(CA_VALID_UNTIL));
        params.serial_number = Some(SerialNumber::from_slice(&[0x01]));
        params.key_identifier_method = KeyIdMethod::PreSpecified(ski);
        let cert = params
            .self_signed(&key)
            .map_err(|e| CertificateError::Issue(e.to_string()))?;
        Ok(CertificateAuthority { seed, cert, key })
    }

    /// The CA certificate (DER), as EF 000B holds it.
    pub fn der(&self) -> Vec<u8> {
        self.cert.der().to_vec()
    }

    /// Issues a user-authentication certificate for `subject_key`, valid from `not_before`
    /// through `not_after` (Japan dates), with the given serial (big-endian, positive).
    pub fn issue(
        &self,
        subject_key: &RsaPrivateKey,
        serial: &[u8],
        not_before: NaiveDate,
        not_after: NaiveDate,
    ) -> Result<Vec<u8>, CertificateError> {
        let (subject, ski) = key_pair(subject_key.clone())?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "JP");
        dn.push(DnType::OrganizationName, ORGANIZATION);
        // No name, no address: a 利用者証明用電子証明書 identifies a card, not a person.
        dn.push(DnType::CommonName, format!("OQS-SIM-{}", hex_upper(serial)));
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.not_before = jst_start(not_before);
        params.not_after = jst_end(not_after);
        params.serial_number = Some(SerialNumber::from_slice(serial));
        params.key_identifier_method = KeyIdMethod::PreSpecified(ski);
        params.use_authority_key_identifier_extension = true;
        let cert = params
            .signed_by(&subject, &self.cert, &self.key)
            .map_err(|e| CertificateError::Issue(e.to_string()))?;
        Ok(cert.der().to_vec())
    }
}

/// Upper-case hex without separators (the registry's serial format).
pub fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// What the OQS side needs from a certificate read off a card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Serial number, upper-case hex (the registry key).
    pub serial: String,
    /// Subject common name.
    pub subject_common_name: String,
    /// Issuer common name.
    pub issuer_common_name: String,
    /// notBefore as a Japan date.
    pub not_before: NaiveDate,
    /// notAfter as a Japan date (the 有効期限).
    pub not_after: NaiveDate,
    /// The subject's RSA public key.
    pub public_key: RsaPublicKey,
}

impl CertificateInfo {
    /// Reads a DER certificate. Any bytes: a typed error, never a panic.
    pub fn parse(der: &[u8]) -> Result<Self, CertificateError> {
        let (rest, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|e| CertificateError::Parse(e.to_string()))?;
        if !rest.is_empty() {
            return Err(CertificateError::Parse(format!(
                "{} bytes after the certificate",
                rest.len()
            )));
        }
        let cn = |name: &x509_parser::x509::X509Name| {
            name.iter_common_name()
                .next()
                .and_then(|a| a.as_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let spki = cert.public_key();
        let public_key = RsaPublicKey::from_pkcs1_der(&spki.subject_public_key.data)
            .map_err(|e| CertificateError::NotRsa(e.to_string()))?;
        let to_jst = |t: x509_parser::time::ASN1Time| {
            let secs = t.timestamp() + 9 * 3600;
            chrono::DateTime::from_timestamp(secs, 0)
                .map(|d| d.date_naive())
                .unwrap_or_default()
        };
        Ok(CertificateInfo {
            serial: hex_upper(cert.raw_serial()),
            subject_common_name: cn(cert.subject()),
            issuer_common_name: cn(cert.issuer()),
            not_before: to_jst(cert.validity().not_before),
            not_after: to_jst(cert.validity().not_after),
            public_key,
        })
    }

    /// Checks a card's signature over `message` (the card signed `alg`'s DigestInfo of it).
    pub fn verify(
        &self,
        alg: DigestAlgorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CertificateError> {
        self.public_key
            .verify(alg.scheme(), &alg.hash(message), signature)
            .map_err(|_| CertificateError::BadSignature)
    }
}

/// Checks that `cert_der` was signed by the CA certificate `ca_der`.
pub fn issued_by(cert_der: &[u8], ca_der: &[u8]) -> Result<(), CertificateError> {
    let (_, cert) = x509_parser::parse_x509_certificate(cert_der)
        .map_err(|e| CertificateError::Parse(e.to_string()))?;
    let (_, ca) = x509_parser::parse_x509_certificate(ca_der)
        .map_err(|e| CertificateError::Parse(e.to_string()))?;
    let ca_key = RsaPublicKey::from_pkcs1_der(&ca.public_key().subject_public_key.data)
        .map_err(|e| CertificateError::NotRsa(e.to_string()))?;
    ca_key
        .verify(
            Pkcs1v15Sign::new::<Sha256>(),
            &Sha256::digest(cert.tbs_certificate.as_ref()),
            &cert.signature_value.data,
        )
        .map_err(|_| CertificateError::BadSignature)
}
