//! The terminal's side of the JPKI applet (公的個人認証AP): the APDUs a confirmation terminal
//! sends to read the 利用者証明用電子証明書 and to have the card sign a challenge
//! (card-protocol.md). Transport-free: everything goes through a [`CardChannel`].

use virtual_card::{CardChannel, ChannelError};

/// AID of the JPKI applet.
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];
/// EF of the token (`JPKIAPICCTOKEN2` on a My Number card).
pub const EF_TOKEN: u16 = 0x0006;
/// EF of the 利用者証明用電子証明書 (DER).
pub const EF_AUTH_CERTIFICATE: u16 = 0x000A;
/// EF of the user-authentication private key (selected before signing).
pub const EF_AUTH_KEY: u16 = 0x0017;
/// EF of the user-authentication PIN.
pub const EF_AUTH_PIN: u16 = 0x0018;

/// The token of a My Number card.
pub const TOKEN_MY_NUMBER_CARD: &str = "JPKIAPICCTOKEN2";

/// The largest certificate the terminal reads (a JPKI certificate is about 1.5 KB).
pub const MAX_CERTIFICATE_BYTES: usize = 8 * 1024;

/// SHA-256 DigestInfo prefix (PKCS#1 v1.5, RFC 8017 §9.2 note 1).
pub const SHA256_DIGEST_INFO_PREFIX: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// What went wrong talking to the card, in the terms the terminal judges.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// No card in the reader.
    #[error("no card in the reader")]
    NoCard,
    /// The card has no JPKI applet (not a My Number card).
    #[error("no JPKI applet (SELECT answered {0:04X})")]
    NotMyNumberCard(u16),
    /// A JPKI card of a kind the inquiry does not support (e.g. the old 住基カード token).
    #[error("unsupported JPKI token {0:?}")]
    Unsupported(String),
    /// Reading failed (link lost, unexpected status word, malformed data).
    #[error("read failure: {0}")]
    ReadFailure(String),
    /// The PIN is blocked (`69 83`, or no tries left).
    #[error("PIN locked")]
    PinLocked,
    /// Wrong PIN; the card reports this many tries left.
    #[error("wrong PIN, {0} tries left")]
    WrongPin(u8),
    /// The card refused or failed to sign.
    #[error("signing failed: status {0:04X}")]
    SigningFailed(u16),
}

impl From<ChannelError> for CardError {
    fn from(e: ChannelError) -> Self {
        match e {
            ChannelError::NoCard => CardError::NoCard,
            other => CardError::ReadFailure(other.to_string()),
        }
    }
}

/// Splits a response APDU into data and status word.
fn split(resp: &[u8]) -> Result<(&[u8], u16), CardError> {
    if resp.len() < 2 {
        return Err(CardError::ReadFailure(format!(
            "response of {} bytes has no status word",
            resp.len()
        )));
    }
    let (data, sw) = resp.split_at(resp.len() - 2);
    Ok((data, u16::from_be_bytes([sw[0], sw[1]])))
}

fn transmit(ch: &mut dyn CardChannel, apdu: &[u8]) -> Result<(Vec<u8>, u16), CardError> {
    let resp = ch.transmit(apdu)?;
    let (data, sw) = split(&resp)?;
    Ok((data.to_vec(), sw))
}

/// SELECT the JPKI applet by AID.
pub fn select_applet(ch: &mut dyn CardChannel) -> Result<(), CardError> {
    let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, JPKI_AID.len() as u8];
    apdu.extend_from_slice(&JPKI_AID);
    match transmit(ch, &apdu)? {
        (_, 0x9000) => Ok(()),
        (_, sw) => Err(CardError::NotMyNumberCard(sw)),
    }
}

/// SELECT an EF of the applet.
pub fn select_ef(ch: &mut dyn CardChannel, fid: u16) -> Result<(), CardError> {
    let [hi, lo] = fid.to_be_bytes();
    match transmit(ch, &[0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo])? {
        (_, 0x9000) => Ok(()),
        (_, sw) => Err(CardError::ReadFailure(format!(
            "SELECT EF {fid:04X} answered {sw:04X}"
        ))),
    }
}

/// READ BINARY of exactly `len` (1..=256) bytes at `offset`.
pub fn read_binary(
    ch: &mut dyn CardChannel,
    offset: usize,
    len: usize,
) -> Result<Vec<u8>, CardError> {
    if !(1..=256).contains(&len) || offset > 0x7FFF {
        return Err(CardError::ReadFailure(format!(
            "cannot read {len} bytes at offset {offset}"
        )));
    }
    let [hi, lo] = (offset as u16).to_be_bytes();
    let le = if len == 256 { 0 } else { len as u8 };
    match transmit(ch, &[0x00, 0xB0, hi, lo, le])? {
        (data, 0x9000) if data.len() == len => Ok(data),
        (data, 0x9000) => Err(CardError::ReadFailure(format!(
            "READ BINARY at {offset} gave {} bytes, expected {len}",
            data.len()
        ))),
        (_, sw) => Err(CardError::ReadFailure(format!(
            "READ BINARY at {offset} answered {sw:04X}"
        ))),
    }
}

/// Reads the token EF and checks it is a My Number card's.
pub fn read_token(ch: &mut dyn CardChannel) -> Result<String, CardError> {
    select_ef(ch, EF_TOKEN)?;
    let raw = read_binary(ch, 0, 0x20)?;
    let token = String::from_utf8_lossy(&raw)
        .trim_end_matches([' ', '\0'])
        .to_owned();
    if token == TOKEN_MY_NUMBER_CARD {
        Ok(token)
    } else {
        Err(CardError::Unsupported(token))
    }
}

/// The total length of a DER TLV from its first bytes (at least 4 needed for long forms).
fn der_total_length(head: &[u8]) -> Result<usize, CardError> {
    let bad = || CardError::ReadFailure(format!("not a DER certificate: {head:02X?}"));
    if head.len() < 2 || head[0] != 0x30 {
        return Err(bad());
    }
    let first = head[1] as usize;
    if first < 0x80 {
        return Ok(2 + first);
    }
    let n = first & 0x7F;
    if n == 0 || n > 2 || head.len() < 2 + n {
        return Err(bad());
    }
    let len = head[2..2 + n]
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | b as usize);
    Ok(2 + n + len)
}

/// Reads the 利用者証明用電子証明書 (DER): 4 bytes for the length, then 256-byte chunks.
pub fn read_auth_certificate(ch: &mut dyn CardChannel) -> Result<Vec<u8>, CardError> {
    select_ef(ch, EF_AUTH_CERTIFICATE)?;
    let head = read_binary(ch, 0, 4)?;
    let total = der_total_length(&head)?;
    if total > MAX_CERTIFICATE_BYTES {
        return Err(CardError::ReadFailure(format!(
            "certificate of {total} bytes is larger than {MAX_CERTIFICATE_BYTES}"
        )));
    }
    let mut der = head;
    der.truncate(total);
    while der.len() < total {
        let chunk = (total - der.len()).min(256);
        der.extend(read_binary(ch, der.len(), chunk)?);
    }
    Ok(der)
}

/// Selects the PIN EF as OpenSC does. Cards that verify by P2 alone may refuse the SELECT;
/// only a lost link counts as a failure here.
fn select_pin_ef(ch: &mut dyn CardChannel) -> Result<(), CardError> {
    let [hi, lo] = EF_AUTH_PIN.to_be_bytes();
    transmit(ch, &[0x00, 0xA4, 0x02, 0x0C, 0x02, hi, lo]).map(|_| ())
}

/// Tries left on the user-authentication PIN (`00 20 00 80` without data), `0` when blocked.
pub fn pin_tries_left(ch: &mut dyn CardChannel) -> Result<u8, CardError> {
    select_pin_ef(ch)?;
    match transmit(ch, &[0x00, 0x20, 0x00, 0x80])? {
        (_, sw) if sw & 0xFFF0 == 0x63C0 => Ok((sw & 0x000F) as u8),
        (_, 0x6983) => Ok(0),
        // Some cards answer 90 00 when no verification is pending; treat as "not blocked".
        (_, 0x9000) => Ok(1),
        (_, sw) => Err(CardError::ReadFailure(format!(
            "PIN status query answered {sw:04X}"
        ))),
    }
}

/// VERIFY the user-authentication PIN once. The terminal never retries on its own.
pub fn verify_pin(ch: &mut dyn CardChannel, pin: &str) -> Result<(), CardError> {
    select_pin_ef(ch)?;
    let bytes = pin.as_bytes();
    let mut apdu = vec![0x00, 0x20, 0x00, 0x80, bytes.len() as u8];
    apdu.extend_from_slice(bytes);
    match transmit(ch, &apdu)? {
        (_, 0x9000) => Ok(()),
        (_, 0x63C0) => Err(CardError::PinLocked),
        (_, sw) if sw & 0xFFF0 == 0x63C0 => Err(CardError::WrongPin((sw & 0x000F) as u8)),
        (_, 0x6983) => Err(CardError::PinLocked),
        (_, sw) => Err(CardError::ReadFailure(format!("VERIFY answered {sw:04X}"))),
    }
}

/// The DigestInfo of a SHA-256 hash.
pub fn sha256_digest_info(hash: &[u8; 32]) -> Vec<u8> {
    let mut d = SHA256_DIGEST_INFO_PREFIX.to_vec();
    d.extend_from_slice(hash);
    d
}

/// COMPUTE DIGITAL SIGNATURE with the user-authentication key over a DigestInfo.
pub fn sign(ch: &mut dyn CardChannel, digest_info: &[u8]) -> Result<Vec<u8>, CardError> {
    select_ef(ch, EF_AUTH_KEY)?;
    let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
    apdu.extend_from_slice(digest_info);
    apdu.push(0x00);
    match transmit(ch, &apdu)? {
        (sig, 0x9000) if !sig.is_empty() => Ok(sig),
        (_, sw) => Err(CardError::SigningFailed(sw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        assert_eq!(der_total_length(&[0x30, 0x82, 0x05, 0xDC]), Ok(4 + 0x5DC));
        assert_eq!(der_total_length(&[0x30, 0x10, 0, 0]), Ok(0x12));
        assert!(der_total_length(&[0x31, 0x82, 0x05, 0xDC]).is_err());
        assert!(der_total_length(&[0x30, 0x85, 0, 0]).is_err());
    }

    /// A reader whose card answers with random bytes (seeded).
    struct Noise(rand_chacha::ChaCha8Rng);

    impl CardChannel for Noise {
        fn name(&self) -> &str {
            "noise"
        }
        fn connect(&mut self) -> Result<Vec<u8>, ChannelError> {
            Ok(vec![0x3B])
        }
        fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, ChannelError> {
            use rand::Rng;
            let len = self.0.gen_range(0..300);
            let mut v: Vec<u8> = (0..len).map(|_| self.0.gen()).collect();
            // Often a plausible status word, so the reads get further.
            if self.0.gen_bool(0.7) && v.len() >= 2 {
                let n = v.len();
                v[n - 2] = 0x90;
                v[n - 1] = 0x00;
            }
            Ok(v)
        }
        fn disconnect(&mut self) {}
    }

    #[test]
    fn random_card_answers_never_panic() {
        use rand::SeedableRng;
        let mut ch = Noise(rand_chacha::ChaCha8Rng::seed_from_u64(7));
        for _ in 0..2000 {
            let _ = select_applet(&mut ch);
            let _ = read_token(&mut ch);
            let _ = read_auth_certificate(&mut ch);
            let _ = pin_tries_left(&mut ch);
            let _ = verify_pin(&mut ch, "1234");
            let _ = sign(&mut ch, &sha256_digest_info(&[0; 32]));
        }
    }

    #[test]
    fn status_words_map_to_the_manual_conditions() {
        struct Fixed(Vec<u8>);
        impl CardChannel for Fixed {
            fn name(&self) -> &str {
                "fixed"
            }
            fn connect(&mut self) -> Result<Vec<u8>, ChannelError> {
                Ok(vec![])
            }
            fn transmit(&mut self, _: &[u8]) -> Result<Vec<u8>, ChannelError> {
                Ok(self.0.clone())
            }
            fn disconnect(&mut self) {}
        }
        assert_eq!(
            select_applet(&mut Fixed(vec![0x6A, 0x82])),
            Err(CardError::NotMyNumberCard(0x6A82))
        );
        assert_eq!(
            verify_pin(&mut Fixed(vec![0x63, 0xC2]), "0000"),
            Err(CardError::WrongPin(2))
        );
        assert_eq!(
            verify_pin(&mut Fixed(vec![0x63, 0xC0]), "0000"),
            Err(CardError::PinLocked)
        );
        assert_eq!(
            verify_pin(&mut Fixed(vec![0x69, 0x83]), "0000"),
            Err(CardError::PinLocked)
        );
        assert_eq!(pin_tries_left(&mut Fixed(vec![0x63, 0xC3])), Ok(3));
        let mut token = b"JPKIAPICCTOKEN".to_vec();
        token.resize(0x20, b' ');
        token.extend([0x90, 0x00]);
        assert_eq!(
            read_token(&mut Fixed(token)),
            Err(CardError::Unsupported("JPKIAPICCTOKEN".into()))
        );
    }

    #[test]
    fn short_responses_are_read_failures() {
        assert!(matches!(split(&[0x90]), Err(CardError::ReadFailure(_))));
        assert_eq!(split(&[1, 0x90, 0x00]), Ok((&[1u8][..], 0x9000)));
    }
}
