//! A JPKI client over any [`CardChannel`]: the APDU sequences a confirmation terminal (or a
//! test) sends to read the token and certificates, check or verify the PIN, and sign.
//!
//! It reads EFs the way jpki-rs does (a short head, the DER length, then the whole object in
//! 256-byte chunks) and treats any status but `90 00` mid-read as a read failure.

use crate::apdu::{split_response, sw};
use crate::applet::JPKI_AID;
use crate::certificate::DigestAlgorithm;
use crate::{CardChannel, ChannelError};

/// Largest object read off a card (bounds memory on a misbehaving card).
pub const MAX_OBJECT_LEN: usize = 8 * 1024;

/// What went wrong talking JPKI to a card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JpkiError {
    /// The reader or link failed.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// SELECT of the JPKI applet was refused: not a My Number card.
    #[error("no JPKI applet on the card (SW {0:02X}{1:02X})")]
    NoApplet(u8, u8),
    /// A command answered an unexpected status word.
    #[error("{command} failed with SW {sw1:02X}{sw2:02X}")]
    Status {
        command: &'static str,
        sw1: u8,
        sw2: u8,
    },
    /// The data read is not what the EF should hold.
    #[error("unreadable data: {0}")]
    BadData(String),
    /// VERIFY with a wrong PIN; `tries_left` after this try.
    #[error("wrong PIN, {tries_left} tries left")]
    WrongPin { tries_left: u8 },
    /// The PIN is locked (`69 83`, or 0 tries left).
    #[error("PIN locked")]
    PinLocked,
}

fn exchange(
    channel: &mut dyn CardChannel,
    command: &'static str,
    apdu: &[u8],
) -> Result<(Vec<u8>, [u8; 2]), JpkiError> {
    let resp = channel.transmit(apdu)?;
    let (data, status) = split_response(&resp)
        .ok_or_else(|| JpkiError::BadData(format!("{command}: response without status")))?;
    Ok((data.to_vec(), status))
}

fn expect_ok(
    channel: &mut dyn CardChannel,
    command: &'static str,
    apdu: &[u8],
) -> Result<Vec<u8>, JpkiError> {
    let (data, status) = exchange(channel, command, apdu)?;
    if status == sw::OK {
        Ok(data)
    } else {
        Err(JpkiError::Status {
            command,
            sw1: status[0],
            sw2: status[1],
        })
    }
}

/// SELECT the JPKI applet (`00 A4 04 0C 0A <AID>`).
pub fn select_applet(channel: &mut dyn CardChannel) -> Result<(), JpkiError> {
    let mut apdu = vec![0x00, 0xA4, 0x04, 0x0C, JPKI_AID.len() as u8];
    apdu.extend_from_slice(&JPKI_AID);
    let (_, status) = exchange(channel, "SELECT AID", &apdu)?;
    if status == sw::OK {
        Ok(())
    } else {
        Err(JpkiError::NoApplet(status[0], status[1]))
    }
}

/// SELECT an EF by file id (`00 A4 02 0C 02 <FID>`).
pub fn select_ef(channel: &mut dyn CardChannel, fid: [u8; 2]) -> Result<(), JpkiError> {
    expect_ok(
        channel,
        "SELECT EF",
        &[0x00, 0xA4, 0x02, 0x0C, 0x02, fid[0], fid[1]],
    )
    .map(|_| ())
}

/// READ BINARY `len` bytes (1..=256) at `offset`; exactly that many bytes or an error.
pub fn read_binary(
    channel: &mut dyn CardChannel,
    offset: u16,
    len: usize,
) -> Result<Vec<u8>, JpkiError> {
    let le = if len >= 256 { 0 } else { len as u8 };
    let [hi, lo] = offset.to_be_bytes();
    let data = expect_ok(channel, "READ BINARY", &[0x00, 0xB0, hi, lo, le])?;
    if data.len() != len.min(256) {
        return Err(JpkiError::BadData(format!(
            "READ BINARY returned {} bytes, wanted {}",
            data.len(),
            len
        )));
    }
    Ok(data)
}

/// Length of a DER object from its first bytes (tag + length), if they hold a definite length.
fn der_total_len(head: &[u8]) -> Option<usize> {
    let first = *head.get(1)?;
    if first < 0x80 {
        return Some(2 + usize::from(first));
    }
    let n = usize::from(first & 0x7F);
    if n == 0 || n > 3 || head.len() < 2 + n {
        return None;
    }
    let len = head[2..2 + n]
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Some(2 + n + len)
}

/// Reads a DER object (certificate) from the selected EF.
pub fn read_der_object(channel: &mut dyn CardChannel) -> Result<Vec<u8>, JpkiError> {
    let head = read_binary(channel, 0, 7)?;
    let total = der_total_len(&head)
        .ok_or_else(|| JpkiError::BadData("no DER length at the start of the EF".into()))?;
    if total > MAX_OBJECT_LEN {
        return Err(JpkiError::BadData(format!("object of {total} bytes")));
    }
    let mut out = Vec::with_capacity(total);
    while out.len() < total {
        let chunk = (total - out.len()).min(256);
        let offset = u16::try_from(out.len())
            .map_err(|_| JpkiError::BadData("offset beyond 64 KiB".into()))?;
        out.extend(read_binary(channel, offset, chunk)?);
    }
    Ok(out)
}

/// The token (EF 0006), trailing spaces removed: `JPKIAPICCTOKEN2` on a My Number card.
pub fn read_token(channel: &mut dyn CardChannel) -> Result<String, JpkiError> {
    select_ef(channel, [0x00, 0x06])?;
    let raw = read_binary(channel, 0, 0x20)?;
    Ok(String::from_utf8_lossy(&raw).trim_end().to_string())
}

/// The 利用者証明用電子証明書 (EF 000A).
pub fn read_auth_certificate(channel: &mut dyn CardChannel) -> Result<Vec<u8>, JpkiError> {
    select_ef(channel, [0x00, 0x0A])?;
    read_der_object(channel)
}

/// Its CA certificate (EF 000B).
pub fn read_auth_ca_certificate(channel: &mut dyn CardChannel) -> Result<Vec<u8>, JpkiError> {
    select_ef(channel, [0x00, 0x0B])?;
    read_der_object(channel)
}

/// Tries left on the 利用者証明用 PIN (`00 20 00 80` without data → `63 Cx`).
pub fn auth_pin_tries_left(channel: &mut dyn CardChannel) -> Result<u8, JpkiError> {
    select_ef(channel, [0x00, 0x18])?;
    let (_, status) = exchange(channel, "VERIFY (tries)", &[0x00, 0x20, 0x00, 0x80])?;
    match status {
        [0x63, x] if x & 0xF0 == 0xC0 => Ok(x & 0x0F),
        [sw1, sw2] => Err(JpkiError::Status {
            command: "VERIFY (tries)",
            sw1,
            sw2,
        }),
    }
}

/// VERIFY the 利用者証明用 PIN.
pub fn verify_auth_pin(channel: &mut dyn CardChannel, pin: &str) -> Result<(), JpkiError> {
    select_ef(channel, [0x00, 0x18])?;
    let pin = pin.as_bytes();
    let lc = u8::try_from(pin.len()).map_err(|_| JpkiError::BadData("PIN too long".into()))?;
    let mut apdu = vec![0x00, 0x20, 0x00, 0x80, lc];
    apdu.extend_from_slice(pin);
    let (_, status) = exchange(channel, "VERIFY", &apdu)?;
    match status {
        s if s == sw::OK => Ok(()),
        s if s == sw::PIN_BLOCKED => Err(JpkiError::PinLocked),
        [0x63, 0xC0] => Err(JpkiError::PinLocked),
        [0x63, x] if x & 0xF0 == 0xC0 => Err(JpkiError::WrongPin {
            tries_left: x & 0x0F,
        }),
        [sw1, sw2] => Err(JpkiError::Status {
            command: "VERIFY",
            sw1,
            sw2,
        }),
    }
}

/// Signs `message` with the user-authentication key (PIN verified first): selects EF 0017 and
/// sends `80 2A 00 80 <DigestInfo> 00`. Returns the 256-byte signature.
pub fn sign(
    channel: &mut dyn CardChannel,
    alg: DigestAlgorithm,
    message: &[u8],
) -> Result<Vec<u8>, JpkiError> {
    select_ef(channel, [0x00, 0x17])?;
    let digest_info = alg.digest_info(message);
    let mut apdu = vec![0x80, 0x2A, 0x00, 0x80, digest_info.len() as u8];
    apdu.extend_from_slice(&digest_info);
    apdu.push(0x00);
    expect_ok(channel, "COMPUTE DIGITAL SIGNATURE", &apdu)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths() {
        assert_eq!(
            der_total_len(&[0x30, 0x82, 0x04, 0x00, 0, 0, 0]),
            Some(4 + 1024)
        );
        assert_eq!(der_total_len(&[0x30, 0x10]), Some(18));
        assert_eq!(der_total_len(&[0x30, 0x80]), None);
        assert_eq!(der_total_len(&[0x30]), None);
    }
}
