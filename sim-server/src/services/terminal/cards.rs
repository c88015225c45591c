//! Cards for the terminal: virtual cards issued by profile, their saved PIN states, PC/SC readers.

use super::certs::CertificateRecord;
use chrono::{DateTime, FixedOffset};
use oqs_domain::inquiry;
use std::path::PathBuf;
use virtual_card::Card;

/// A card issued for the terminal: the card itself and the server-side facts of its certificate.
pub struct IssuedCard {
    pub card: Box<dyn Card>,
    /// The 利用者証明用電子証明書 (DER), when the card has one.
    pub certificate: Option<Vec<u8>>,
    pub record: Option<CertificateRecord>,
}

/// Issues virtual cards by profile name (the virtual-card crate's profiles).
pub trait CardIssuer: Send + Sync {
    /// The profile names.
    fn profiles(&self) -> Vec<String>;
    /// Every card this issuer would issue by default (certificate DER and registry facts), so
    /// cards presented from outside (e.g. `oqs-vcard insert` over vpcd) are known too.
    fn known_certificates(&self, now: DateTime<FixedOffset>) -> Vec<(Vec<u8>, CertificateRecord)> {
        let _ = now;
        Vec::new()
    }
    /// A new card of this profile, for a simulator whose clock says `now`; `person` overrides
    /// the profile's card holder (a person key of the population).
    ///
    /// With `state_dir` the card keeps its PIN counters in a state file there (the card crate's
    /// persistence): a card locked stays locked when it is inserted again, also after a restart,
    /// until the state is reset.
    fn issue(
        &self,
        profile: &str,
        person: Option<&str>,
        now: DateTime<FixedOffset>,
        state_dir: Option<&std::path::Path>,
    ) -> Result<IssuedCard, String>;
}

/// The virtual-card crate's profiles (`valid`, `expired`, `revoked`, `pin-locked`, …), issued
/// for the simulator's date.
#[derive(Debug, Clone, Copy)]
pub struct ProfileIssuer {
    /// Seed of the simulated CA and card keys (the same seed gives the same certificates).
    pub seed: u64,
}

/// The card seed the simulator and `oqs-vcard` use unless told otherwise.
pub const DEFAULT_CARD_SEED: u64 = 1;
impl CardIssuer for ProfileIssuer {
    fn profiles(&self) -> Vec<String> {
        virtual_card::Profile::ALL
            .iter()
            .map(|p| p.name().to_owned())
            .collect()
    }

    fn known_certificates(&self, now: DateTime<FixedOffset>) -> Vec<(Vec<u8>, CertificateRecord)> {
        virtual_card::Profile::ALL
            .iter()
            .filter_map(|&p| virtual_card::issue(p, self.seed, inquiry::today(now)).ok())
            .filter(|(_, i)| i.is_mynumber_card)
            .map(|(_, i)| {
                (
                    i.certificate_der,
                    CertificateRecord {
                        person_key: i.person_key,
                        revoked: i.revoked,
                        insurance_registered: i.insurance_registered,
                    },
                )
            })
            .collect()
    }

    fn issue(
        &self,
        profile: &str,
        person: Option<&str>,
        now: DateTime<FixedOffset>,
        state_dir: Option<&std::path::Path>,
    ) -> Result<IssuedCard, String> {
        let p: virtual_card::Profile = profile.parse()?;
        let holder = person.unwrap_or(p.person_key());
        let (mut card, issued) = virtual_card::issue_for(p, holder, self.seed, inquiry::today(now))
            .map_err(|e| e.to_string())?;
        if let Some(dir) = state_dir {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("card state folder {}: {e}", dir.display()))?;
            let name = match person {
                Some(k) if k != p.person_key() => format!("{}-{}", p.name(), file_name_part(k)),
                _ => p.name().to_owned(),
            };
            card = card.with_state_file(virtual_card::state::state_file(dir, &name, self.seed));
        }
        Ok(IssuedCard {
            card: Box::new(card),
            certificate: issued.is_mynumber_card.then_some(issued.certificate_der),
            record: Some(CertificateRecord {
                person_key: issued.person_key,
                revoked: issued.revoked,
                insurance_registered: issued.insurance_registered,
            }),
        })
    }
}

/// Where the in-process cards keep their PIN counters: `<data-dir>/cards` (none in memory).
pub fn card_state_dir(data_dir: Option<&std::path::Path>) -> Option<PathBuf> {
    data_dir.map(|d| d.join("cards"))
}

/// Resets every saved PIN state (the cards are issued fresh the next time); returns how many.
pub fn reset_pin_states(data_dir: Option<&std::path::Path>) -> std::io::Result<usize> {
    let Some(dir) = card_state_dir(data_dir) else {
        return Ok(0);
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut n = 0;
    for e in entries {
        let path = e?.path();
        if path.extension().is_some_and(|x| x == "json") {
            std::fs::remove_file(&path)?;
            n += 1;
        }
    }
    Ok(n)
}

/// A PC/SC reader by name (e.g. vpcd's `Virtual PCD 00 00`) as a terminal reader channel.
#[cfg(feature = "pcsc")]
pub fn pcsc_channel(name: &str) -> Result<Box<dyn virtual_card::CardChannel>, String> {
    virtual_card::PcscReader::open(name)
        .map(|r| Box::new(r) as Box<dyn virtual_card::CardChannel>)
        .map_err(|e| e.to_string())
}

/// A person key as part of a file name: letters, digits, `-` and `_` kept; any other key is
/// written as `x` + the hex of its UTF-8 bytes, so no key can name a path (a `/`, `..`).
fn file_name_part(key: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= 64
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        key.to_owned()
    } else {
        let hex: String = key.bytes().take(64).map(|b| format!("{b:02x}")).collect();
        format!("x{hex}")
    }
}

#[cfg(test)]
mod file_name_tests {
    use super::file_name_part;

    #[test]
    fn a_person_key_never_names_a_path() {
        assert_eq!(file_name_part("kouki-jiro"), "kouki-jiro");
        assert_eq!(file_name_part("../x"), "x2e2e2f78");
        assert!(!file_name_part("/../../etc/pwned").contains('/'));
        assert!(file_name_part(&"a/".repeat(100)).len() <= 129);
    }
}
