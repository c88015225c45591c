//! Card profiles: one per condition of the manual's §7.8 matrix, each tied to a person of the
//! built-in population (`domain/fixtures/builtin.toml`), and the registry record the server keeps
//! for every issued card ([`IssuedCard`], keyed by certificate serial).
//!
//! Certificate validity is computed from a `reference_date` (the simulator's 資格確認日):
//! - every profile but the two below: from `reference_date - 365 days` to `reference_date + 4 years`;
//! - `expired`: notAfter = `reference_date - 30 days` (有効期限切れ, ERR-06);
//! - `expiring-soon`: notAfter = `reference_date + 45 days` (within 3 months, ERR-08).

use chrono::{Days, Months, NaiveDate};
use sha2::{Digest, Sha256};

use crate::applet::{Fault, VirtualCard, AUTH_PIN_TRIES, TOKEN_JUKI, TOKEN_MYNUMBER};
use crate::certificate::{hex_upper, CertificateAuthority, CertificateError};
use crate::keys;
use crate::state::PinState;

/// Bytes of the certificate EF the `unreadable` card delivers before it fails (`6F 00`).
pub const UNREADABLE_AFTER_BYTES: usize = 512;

/// A kind of virtual card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    Valid,
    Expired,
    Revoked,
    PinLocked,
    ExpiringSoon,
    Uninsured,
    Unregistered,
    Unsupported,
    Unreadable,
    NotMyNumber,
    BadSignature,
    MedicalAssistance,
}

impl Profile {
    /// Every profile, in table order.
    pub const ALL: [Profile; 12] = [
        Profile::Valid,
        Profile::Expired,
        Profile::Revoked,
        Profile::PinLocked,
        Profile::ExpiringSoon,
        Profile::Uninsured,
        Profile::Unregistered,
        Profile::Unsupported,
        Profile::Unreadable,
        Profile::NotMyNumber,
        Profile::BadSignature,
        Profile::MedicalAssistance,
    ];

    /// The profile's name on the command line (`--profile valid`).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Valid => "valid",
            Profile::Expired => "expired",
            Profile::Revoked => "revoked",
            Profile::PinLocked => "pin-locked",
            Profile::ExpiringSoon => "expiring-soon",
            Profile::Uninsured => "uninsured",
            Profile::Unregistered => "unregistered",
            Profile::Unsupported => "unsupported",
            Profile::Unreadable => "unreadable",
            Profile::NotMyNumber => "not-mynumber",
            Profile::BadSignature => "bad-signature",
            Profile::MedicalAssistance => "medical-assistance",
        }
    }

    /// The profile for a name.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The person of the built-in population the card belongs to (`[[person]] id`).
    pub fn person_key(self) -> &'static str {
        match self {
            Profile::Valid => "shimbashi-taro",
            Profile::Expired => "shimbashi-jiro",
            Profile::Revoked => "gentekii-ichiro",
            Profile::PinLocked => "kouki-jiro",
            Profile::ExpiringSoon => "yamada-ritsuko",
            // The insurer suppresses the qualification (`suppressed`, a DV protection flag):
            // ERR-15 / ERR-28 on every 資格確認日 (改定履歴 v1.17 of ERR-15).
            Profile::Uninsured => "hitoku-yasuko",
            Profile::Unregistered => "miyazaki-ichita",
            Profile::Unsupported => "shikaku-jurokuro",
            Profile::Unreadable => "shikaku-tomi",
            Profile::NotMyNumber => "kigounashi-saburo",
            Profile::BadSignature => "tohoku-ichiro",
            // 医療扶助 and 医療保険 both valid (ch.6 §1 case (6)); the other cases are his
            // variants (`tohoku-*`), reached with this profile and another person.
            Profile::MedicalAssistance => "tohoku-ichiro",
        }
    }

    /// What the card is, in Japanese.
    pub fn description_ja(self) -> &'static str {
        match self {
            Profile::Valid => "有効なマイナンバーカード（保険証利用登録済み）",
            Profile::Expired => "利用者証明用電子証明書の有効期限切れ",
            Profile::Revoked => "利用者証明用電子証明書が失効",
            Profile::PinLocked => "利用者証明用電子証明書の暗証番号がロック",
            Profile::ExpiringSoon => "利用者証明用電子証明書の有効期限が3カ月以内",
            Profile::Uninsured => "資格情報が表示されない（保険者等の都合、DV 等）",
            Profile::Unregistered => "保険証利用登録がされていない",
            Profile::Unsupported => "対応していないカード（住基カードのトークン）",
            Profile::Unreadable => "証明書の読み取り途中で失敗する",
            Profile::NotMyNumber => "マイナンバーカードではない（公的個人認証APなし）",
            Profile::BadSignature => "署名が証明書の公開鍵で検証できない（認証の内部エラー）",
            Profile::MedicalAssistance => "医療扶助の被保護者（医療保険と医療扶助の資格をもつ）",
        }
    }

    /// What the card is, in English.
    pub fn description_en(self) -> &'static str {
        match self {
            Profile::Valid => "valid card, registered for insurance use",
            Profile::Expired => {
                "user-authentication certificate expired (notAfter 30 days before the date)"
            }
            Profile::Revoked => "user-authentication certificate revoked (registry fact)",
            Profile::PinLocked => "PIN locked (0 tries left)",
            Profile::ExpiringSoon => {
                "certificate expires within 3 months (notAfter 45 days after the date)"
            }
            Profile::Uninsured => {
                "no qualification shown: the insurer suppresses it (DV protection flag)"
            }
            Profile::Unregistered => "not registered for insurance use (registry fact)",
            Profile::Unsupported => "old 住基カード token JPKIAPICCTOKEN",
            Profile::Unreadable => "certificate read fails with 6F 00 after 512 bytes",
            Profile::NotMyNumber => "no JPKI applet: SELECT AID answers 6A 82",
            Profile::BadSignature => "signs with a key that does not match its certificate",
            Profile::MedicalAssistance => {
                "valid card of a 被保護者 holding 医療扶助 and 医療保険 (SCR-11)"
            }
        }
    }

    /// The catalogue ids the profile reproduces (generic reader column of §7.8).
    pub fn catalogue_ids(self) -> &'static [&'static str] {
        match self {
            Profile::Valid => &["SCR-10", "SCR-11"],
            Profile::Expired => &["ERR-06"],
            Profile::Revoked => &["ERR-05"],
            Profile::PinLocked => &["ERR-13"],
            Profile::ExpiringSoon => &["ERR-08"],
            Profile::Uninsured => &["ERR-15"],
            Profile::Unregistered => &["ERR-16"],
            Profile::Unsupported => &["ERR-12"],
            Profile::Unreadable => &["ERR-10"],
            Profile::NotMyNumber => &["ERR-11"],
            Profile::BadSignature => &["ERR-07", "ERR-14"],
            Profile::MedicalAssistance => &["SCR-11", "FLOW-20"],
        }
    }

    /// The certificate's validity (Japan dates) for a 資格確認日.
    pub fn validity(self, reference_date: NaiveDate) -> (NaiveDate, NaiveDate) {
        let before = |days| reference_date.checked_sub_days(Days::new(days));
        let after = |days| reference_date.checked_add_days(Days::new(days));
        let (from, until) = match self {
            Profile::Expired => (
                reference_date.checked_sub_months(Months::new(60)),
                before(30),
            ),
            Profile::ExpiringSoon => (before(365 * 4), after(45)),
            _ => (
                before(365),
                reference_date.checked_add_months(Months::new(48)),
            ),
        };
        (
            from.unwrap_or(reference_date),
            until.unwrap_or(reference_date),
        )
    }

    fn fault(self) -> Fault {
        match self {
            Profile::NotMyNumber => Fault::NoJpkiApplet,
            Profile::Unreadable => Fault::ReadFailsAfter(UNREADABLE_AFTER_BYTES),
            _ => Fault::None,
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::from_name(s).ok_or_else(|| {
            let names: Vec<_> = Profile::ALL.iter().map(|p| p.name()).collect();
            format!("unknown profile {s:?} (one of: {})", names.join(", "))
        })
    }
}

/// The server-side facts about an issued card: what the OQS certificate registry keeps, keyed by
/// `serial`. Revocation and 保険証利用登録 are facts of the registry, not of the card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCard {
    pub profile: Profile,
    /// The card holder (`[[person]] id` in the population).
    pub person_key: String,
    /// Certificate serial, upper-case hex (as [`crate::CertificateInfo::serial`] reads it).
    pub serial: String,
    /// 利用者証明用電子証明書 (DER), as EF 000A holds it.
    pub certificate_der: Vec<u8>,
    /// The CA certificate (DER), as EF 000B holds it.
    pub ca_der: Vec<u8>,
    /// First valid day (Japan date).
    pub not_before: NaiveDate,
    /// Last valid day (Japan date): the 有効期限.
    pub not_after: NaiveDate,
    /// 失効: the certificate is revoked.
    pub revoked: bool,
    /// 保険証利用登録: registered for use as a health-insurance card.
    pub insurance_registered: bool,
    /// The card answers like a My Number card (has the JPKI applet).
    pub is_mynumber_card: bool,
    /// Token in EF 0006 (`JPKIAPICCTOKEN2`, or `JPKIAPICCTOKEN` for the unsupported card).
    pub token: String,
    /// 利用者証明用 PIN the card was issued with.
    pub pin: String,
    /// Tries left on the PIN at issue (0: locked).
    pub pin_tries_left: u8,
}

/// Why a card could not be issued.
pub type IssueError = CertificateError;

/// Issues the card of `profile` for its default person. Deterministic in (profile, seed,
/// reference_date); keys come from the key cache.
pub fn issue(
    profile: Profile,
    seed: u64,
    reference_date: NaiveDate,
) -> Result<(VirtualCard, IssuedCard), IssueError> {
    issue_for(profile, profile.person_key(), seed, reference_date)
}

/// Issues a card of `profile` for any person of the population.
pub fn issue_for(
    profile: Profile,
    person_key: &str,
    seed: u64,
    reference_date: NaiveDate,
) -> Result<(VirtualCard, IssuedCard), IssueError> {
    let ca = CertificateAuthority::new(seed)?;
    let label = format!("card-{}-{}", profile.name(), person_key);
    let card_key = keys::key(seed, &label);
    let serial = serial_for(seed, &label);
    let (not_before, not_after) = profile.validity(reference_date);
    let certificate_der = ca.issue(&card_key, &serial, not_before, not_after)?;
    let ca_der = ca.der();
    // The bad-signature card holds another key than the one certified.
    let signing_key = if profile == Profile::BadSignature {
        keys::key(seed, &format!("{label}-wrong"))
    } else {
        card_key
    };
    let pin_tries_left = if profile == Profile::PinLocked {
        0
    } else {
        AUTH_PIN_TRIES
    };
    let pins = PinState::issued(pin_tries_left);
    let token = if profile == Profile::Unsupported {
        TOKEN_JUKI
    } else {
        TOKEN_MYNUMBER
    };
    let card = VirtualCard::new(
        token,
        certificate_der.clone(),
        ca_der.clone(),
        signing_key,
        pins.clone(),
        profile.fault(),
    );
    let issued = IssuedCard {
        profile,
        person_key: person_key.to_string(),
        serial: hex_upper(&serial),
        certificate_der,
        ca_der,
        not_before,
        not_after,
        revoked: profile == Profile::Revoked,
        insurance_registered: profile != Profile::Unregistered,
        is_mynumber_card: profile != Profile::NotMyNumber,
        token: token.to_string(),
        pin: pins.auth_pin,
        pin_tries_left,
    };
    Ok((card, issued))
}

/// 8 serial bytes from (seed, label); the top bit cleared so the DER INTEGER stays positive and
/// 8 bytes long, the first byte never 0 so the hex form keeps its length.
fn serial_for(seed: u64, label: &str) -> [u8; 8] {
    let digest = Sha256::new()
        .chain_update(b"oqs-vcard-serial-v1")
        .chain_update(seed.to_be_bytes())
        .chain_update(label.as_bytes())
        .finalize();
    let mut serial = [0u8; 8];
    serial.copy_from_slice(&digest[..8]);
    serial[0] = (serial[0] & 0x7F) | 0x10;
    serial
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for p in Profile::ALL {
            assert_eq!(p.name().parse::<Profile>(), Ok(p));
        }
        assert!("nope".parse::<Profile>().unwrap_err().contains("valid"));
    }

    #[test]
    fn validity_around_the_reference_date() {
        let day = NaiveDate::from_ymd_opt(2021, 1, 6).unwrap();
        let (_, until) = Profile::Expired.validity(day);
        assert_eq!(until, NaiveDate::from_ymd_opt(2020, 12, 7).unwrap());
        let (_, until) = Profile::ExpiringSoon.validity(day);
        assert_eq!(until, NaiveDate::from_ymd_opt(2021, 2, 20).unwrap());
        let (from, until) = Profile::Valid.validity(day);
        assert!(from < day && until > NaiveDate::from_ymd_opt(2024, 12, 31).unwrap());
    }

    #[test]
    fn serials_are_positive_and_distinct() {
        let a = serial_for(1, "card-valid-x");
        assert!(a[0] & 0x80 == 0 && a[0] != 0);
        assert_ne!(a, serial_for(2, "card-valid-x"));
        assert_ne!(a, serial_for(1, "card-expired-x"));
    }
}
