//! The JPKI applet (公的個人認証AP) as an APDU state machine: [`VirtualCard`] implements [`Card`].
//!
//! Behaviour (see `../shared/spec/card-protocol.md` and the crate README for the choices):
//! - SELECT by AID (`00 A4 04 0C`) of the JPKI applet; any other AID `6A 82`. SELECT EF by file id
//!   (`00 A4 02 0C`, the only P1 real cards accept; other P1 `6A 86`); unknown EF `6A 82`.
//! - READ BINARY at any offset: exactly Le bytes + `90 00` while the EF has them; a read that runs
//!   past the end returns the bytes that exist + `62 82` (ISO 7816-4 "end of file reached before
//!   Le bytes", which OpenSC treats as a short read); an offset at or past the end `6B 00`.
//! - VERIFY the 利用者証明用 PIN (EF 0018, 4 digits, 3 tries): `90 00`; wrong `63 Cx` with x tries
//!   left (the third wrong one answers `63 C0`); when no try is left `69 83` without comparing.
//!   VERIFY without data: `63 Cx` always, even right after a good VERIFY. Every VERIFY counts (a
//!   client that sends every APDU twice spends two tries).
//! - COMPUTE DIGITAL SIGNATURE `80 2A 00 80` with EF 0017 selected and the PIN verified: the card
//!   pads what it is sent (PKCS#1 v1.5 type 1) and signs it with its RSA-2048 key.
//! - Verified state is dropped on power-off, reset and re-selection of the applet.
//! - The private key is never readable (`69 81`); nothing is signed without a verified PIN.
//!
//! The 署名用 (signature) side: only its PIN EF 001B exists (6–16 characters, 5 tries) because
//! PC/SC middleware (OpenSC) asks for its tries counter; the signature certificate and key are
//! not on the virtual card (`6A 82`): OQS never uses them.

use rsa::{Pkcs1v15Sign, RsaPrivateKey};

use crate::apdu::{response, sw, Command};
use crate::state::PinState;
pub use crate::state::{AUTH_PIN_TRIES, SIGN_PIN_TRIES};
use crate::Card;

/// AID of the JPKI applet (公的個人認証AP).
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// OpenSC's JPKI ATR: makes OpenSC pick its `jpki` driver.
pub const JPKI_ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];
/// ATR of a card that is not a My Number card (a generic contact card).
pub const OTHER_ATR: [u8; 11] = [
    0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B,
];

/// Length of the token EF 0006.
pub const TOKEN_LEN: usize = 0x20;

/// Token of a My Number card.
pub const TOKEN_MYNUMBER: &str = "JPKIAPICCTOKEN2";
/// Token of the old 住基カード (not supported by OQS).
pub const TOKEN_JUKI: &str = "JPKIAPICCTOKEN";

/// Elementary files of the JPKI applet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ef {
    /// 0006: token.
    Token,
    /// 000A: 利用者証明用電子証明書.
    AuthCertificate,
    /// 000B: its CA certificate.
    AuthCaCertificate,
    /// 0017: 利用者証明用 private key (select before signing).
    AuthKey,
    /// 0018: 利用者証明用 PIN.
    AuthPin,
    /// 001B: 署名用 PIN.
    SignPin,
}

impl Ef {
    /// The EF for a file id, if the virtual card has it.
    pub fn from_id(id: [u8; 2]) -> Option<Ef> {
        Some(match id {
            [0x00, 0x06] => Ef::Token,
            [0x00, 0x0A] => Ef::AuthCertificate,
            [0x00, 0x0B] => Ef::AuthCaCertificate,
            [0x00, 0x17] => Ef::AuthKey,
            [0x00, 0x18] => Ef::AuthPin,
            [0x00, 0x1B] => Ef::SignPin,
            _ => return None,
        })
    }
}

/// How a card deviates from a healthy My Number card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// A healthy card.
    #[default]
    None,
    /// No JPKI applet: SELECT by AID answers `6A 82` (not a My Number card).
    NoJpkiApplet,
    /// Reading the certificate EF fails with `6F 00` once a read reaches past this many bytes
    /// (the card "stops answering" mid-read).
    ReadFailsAfter(usize),
}

/// The session state a power cycle, reset or re-selection clears.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Session {
    applet_selected: bool,
    current: Option<Ef>,
    auth_verified: bool,
    sign_verified: bool,
}

/// A virtual My Number card: the JPKI applet with its files, key and PIN counters. A clone is an
/// independent card with the same contents (tests start many sessions from one issue).
#[derive(Clone)]
pub struct VirtualCard {
    atr: Vec<u8>,
    fault: Fault,
    token: [u8; TOKEN_LEN],
    auth_certificate: Vec<u8>,
    auth_ca_certificate: Vec<u8>,
    auth_key: RsaPrivateKey,
    pins: PinState,
    /// Where the PIN counters persist (None: in memory only).
    state_file: Option<std::path::PathBuf>,
    session: Session,
}

impl std::fmt::Debug for VirtualCard {
    // The key is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualCard")
            .field("atr", &self.atr)
            .field("fault", &self.fault)
            .field("token", &String::from_utf8_lossy(&self.token))
            .field("auth_tries_left", &self.pins.auth_tries_left)
            .field("state_file", &self.state_file)
            .finish_non_exhaustive()
    }
}

impl VirtualCard {
    /// A card with these contents. `token` is space-padded to 32 bytes (longer is cut).
    pub fn new(
        token: &str,
        auth_certificate: Vec<u8>,
        auth_ca_certificate: Vec<u8>,
        auth_key: RsaPrivateKey,
        pins: PinState,
        fault: Fault,
    ) -> Self {
        let mut padded = [b' '; TOKEN_LEN];
        for (slot, byte) in padded.iter_mut().zip(token.bytes()) {
            *slot = byte;
        }
        let atr = if fault == Fault::NoJpkiApplet {
            OTHER_ATR.to_vec()
        } else {
            JPKI_ATR.to_vec()
        };
        VirtualCard {
            atr,
            fault,
            token: padded,
            auth_certificate,
            auth_ca_certificate,
            auth_key,
            pins,
            state_file: None,
            session: Session::default(),
        }
    }

    /// Persists the PIN counters in `path` from now on; if the file exists its counters replace
    /// the card's (a card locked before a restart stays locked).
    pub fn with_state_file(mut self, path: std::path::PathBuf) -> Self {
        if let Some(saved) = PinState::load(&path) {
            self.pins = saved;
        }
        self.state_file = Some(path);
        self
    }

    /// The ATR the card answers power-on with.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    /// Tries left on the 利用者証明用 PIN.
    pub fn auth_tries_left(&self) -> u8 {
        self.pins.auth_tries_left
    }

    /// The card's PIN counters.
    pub fn pin_state(&self) -> &PinState {
        &self.pins
    }

    fn persist(&self) {
        if let Some(path) = &self.state_file {
            // A state dir that cannot be written must not break the card; the counter still
            // holds in memory for this run.
            let _ = self.pins.save(path);
        }
    }

    fn drop_session(&mut self) {
        self.session = Session::default();
    }

    fn select(&mut self, cmd: &Command) -> [u8; 2] {
        if cmd.p2 != 0x0C && cmd.p2 != 0x00 {
            return sw::WRONG_P1P2;
        }
        match cmd.p1 {
            0x04 => {
                if cmd.data.is_empty() || cmd.data.len() > 16 {
                    return sw::WRONG_LENGTH;
                }
                if self.fault == Fault::NoJpkiApplet || cmd.data != JPKI_AID {
                    return sw::NOT_FOUND;
                }
                // Re-selection drops verified state.
                self.session = Session {
                    applet_selected: true,
                    ..Session::default()
                };
                sw::OK
            }
            0x02 => {
                let [hi, lo] = cmd.data else {
                    return sw::WRONG_LENGTH;
                };
                if !self.session.applet_selected {
                    return sw::NOT_FOUND;
                }
                match Ef::from_id([*hi, *lo]) {
                    Some(ef) => {
                        self.session.current = Some(ef);
                        sw::OK
                    }
                    None => sw::NOT_FOUND,
                }
            }
            _ => sw::WRONG_P1P2,
        }
    }

    fn read_binary(&self, cmd: &Command) -> Vec<u8> {
        let Some(le) = cmd.le else {
            return response(&[], sw::WRONG_LENGTH);
        };
        if !cmd.data.is_empty() {
            return response(&[], sw::WRONG_LENGTH);
        }
        if cmd.p1 & 0x80 != 0 {
            // Short-EF-identifier addressing is not offered.
            return response(&[], sw::WRONG_P1P2);
        }
        let Some(ef) = self.session.current else {
            return response(&[], sw::NO_CURRENT_EF);
        };
        let contents: &[u8] = match ef {
            Ef::Token => &self.token,
            Ef::AuthCertificate => &self.auth_certificate,
            Ef::AuthCaCertificate => &self.auth_ca_certificate,
            Ef::AuthKey | Ef::AuthPin | Ef::SignPin => return response(&[], sw::INCOMPATIBLE_FILE),
        };
        let offset = usize::from(cmd.p1) << 8 | usize::from(cmd.p2);
        if offset >= contents.len() {
            return response(&[], sw::OFFSET_OUTSIDE);
        }
        let end = offset.saturating_add(le);
        if let (Fault::ReadFailsAfter(limit), Ef::AuthCertificate) = (self.fault, ef) {
            if end > limit {
                return response(&[], sw::NO_DIAGNOSIS);
            }
        }
        if end <= contents.len() {
            response(&contents[offset..end], sw::OK)
        } else {
            response(&contents[offset..], sw::END_OF_FILE)
        }
    }

    fn verify(&mut self, cmd: &Command) -> [u8; 2] {
        if cmd.p1 != 0x00 || cmd.p2 != 0x80 {
            return sw::WRONG_P1P2;
        }
        if cmd.le.is_some() {
            return sw::WRONG_LENGTH;
        }
        let (expected_len, sign) = match self.session.current {
            Some(Ef::AuthPin) => (4..=4, false),
            Some(Ef::SignPin) => (6..=16, true),
            _ => return sw::NO_CURRENT_EF,
        };
        let (pin, tries) = if sign {
            (&self.pins.sign_pin, self.pins.sign_tries_left)
        } else {
            (&self.pins.auth_pin, self.pins.auth_tries_left)
        };
        if cmd.data.is_empty() {
            // The tries query: always 63 Cx, whatever the verified state.
            return sw::tries_left(tries);
        }
        if tries == 0 {
            return sw::PIN_BLOCKED;
        }
        if !expected_len.contains(&cmd.data.len()) {
            return sw::WRONG_LENGTH;
        }
        let good = constant_time_eq(pin.as_bytes(), cmd.data);
        let max = if sign { SIGN_PIN_TRIES } else { AUTH_PIN_TRIES };
        let left = if good { max } else { tries - 1 };
        if sign {
            self.pins.sign_tries_left = left;
            self.session.sign_verified = good;
        } else {
            self.pins.auth_tries_left = left;
            self.session.auth_verified = good;
        }
        if left != tries {
            self.persist();
        }
        if good {
            sw::OK
        } else {
            sw::tries_left(left)
        }
    }

    fn change_pin(&mut self, cmd: &Command) -> [u8; 2] {
        if cmd.p1 != 0x01 || cmd.p2 != 0x80 {
            return sw::WRONG_P1P2;
        }
        if cmd.le.is_some() || cmd.data.is_empty() {
            return sw::WRONG_LENGTH;
        }
        if self.session.current != Some(Ef::AuthPin) {
            return sw::NO_CURRENT_EF;
        }
        if !self.session.auth_verified {
            return sw::SECURITY_NOT_SATISFIED;
        }
        if cmd.data.len() != 4 || !cmd.data.iter().all(u8::is_ascii_digit) {
            return sw::WRONG_DATA;
        }
        self.pins.auth_pin = String::from_utf8_lossy(cmd.data).into_owned();
        self.persist();
        sw::OK
    }

    fn sign(&self, cmd: &Command) -> Vec<u8> {
        if cmd.p1 != 0x00 || cmd.p2 != 0x80 {
            return response(&[], sw::WRONG_P1P2);
        }
        if cmd.data.is_empty() {
            return response(&[], sw::WRONG_LENGTH);
        }
        if self.session.current != Some(Ef::AuthKey) {
            return response(&[], sw::NO_CURRENT_EF);
        }
        if !self.session.auth_verified {
            return response(&[], sw::SECURITY_NOT_SATISFIED);
        }
        // PKCS#1 v1.5 type 1 padding of the data as sent (the client built the DigestInfo).
        match self.auth_key.sign(Pkcs1v15Sign::new_unprefixed(), cmd.data) {
            Ok(signature) => response(&signature, sw::OK),
            // Data too long for the modulus (more than 245 bytes).
            Err(_) => response(&[], sw::WRONG_DATA),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Card for VirtualCard {
    fn power_on(&mut self) -> Vec<u8> {
        self.drop_session();
        self.atr.clone()
    }

    fn power_off(&mut self) {
        self.drop_session();
    }

    fn process(&mut self, command: &[u8]) -> Vec<u8> {
        let Some(cmd) = Command::parse(command) else {
            return response(&[], sw::WRONG_LENGTH);
        };
        if self.fault == Fault::NoJpkiApplet {
            return match (cmd.cla, cmd.ins) {
                (0x00, 0xA4) => response(&[], sw::NOT_FOUND),
                (0x00 | 0x80, _) => response(&[], sw::INS_NOT_SUPPORTED),
                _ => response(&[], sw::CLA_NOT_SUPPORTED),
            };
        }
        match (cmd.cla, cmd.ins) {
            (0x00, 0xA4) => response(&[], self.select(&cmd)),
            (0x00, 0xB0) => self.read_binary(&cmd),
            (0x00, 0x20) => response(&[], self.verify(&cmd)),
            (0x00, 0x24) => response(&[], self.change_pin(&cmd)),
            (0x80, 0x2A) => self.sign(&cmd),
            (0x00 | 0x80, _) => response(&[], sw::INS_NOT_SUPPORTED),
            _ => response(&[], sw::CLA_NOT_SUPPORTED),
        }
    }
}
