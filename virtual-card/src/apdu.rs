//! Short command APDUs (ISO/IEC 7816-4) and the status words the JPKI applet answers with.
//!
//! Only short APDUs exist on the JPKI applet (Lc and Le one byte each); an extended-length APDU is
//! a wrong length (`67 00`).

/// Status words (SW1 SW2) the virtual card uses.
pub mod sw {
    /// 正常終了: success.
    pub const OK: [u8; 2] = [0x90, 0x00];
    /// End of file reached before reading Le bytes (the data that exists is returned with it).
    pub const END_OF_FILE: [u8; 2] = [0x62, 0x82];
    /// Wrong length (Lc/Le, or the command's shape).
    pub const WRONG_LENGTH: [u8; 2] = [0x67, 0x00];
    /// Command incompatible with the file structure (READ BINARY on a PIN or key EF).
    pub const INCOMPATIBLE_FILE: [u8; 2] = [0x69, 0x81];
    /// Security status not satisfied (PIN not verified).
    pub const SECURITY_NOT_SATISFIED: [u8; 2] = [0x69, 0x82];
    /// Authentication method blocked (PIN locked).
    pub const PIN_BLOCKED: [u8; 2] = [0x69, 0x83];
    /// Command not allowed: no current EF (or the wrong kind of EF selected).
    pub const NO_CURRENT_EF: [u8; 2] = [0x69, 0x86];
    /// Incorrect data in the command (e.g. a new PIN that is not 4 digits).
    pub const WRONG_DATA: [u8; 2] = [0x6A, 0x80];
    /// File or application not found.
    pub const NOT_FOUND: [u8; 2] = [0x6A, 0x82];
    /// Incorrect P1 P2.
    pub const WRONG_P1P2: [u8; 2] = [0x6A, 0x86];
    /// Wrong parameters P1 P2: offset outside the EF.
    pub const OFFSET_OUTSIDE: [u8; 2] = [0x6B, 0x00];
    /// Instruction not supported.
    pub const INS_NOT_SUPPORTED: [u8; 2] = [0x6D, 0x00];
    /// Class not supported.
    pub const CLA_NOT_SUPPORTED: [u8; 2] = [0x6E, 0x00];
    /// No precise diagnosis (used by the `unreadable` card mid-read).
    pub const NO_DIAGNOSIS: [u8; 2] = [0x6F, 0x00];

    /// `63 Cx`: verification failed / query, x tries left (0..=15).
    pub fn tries_left(tries: u8) -> [u8; 2] {
        [0x63, 0xC0 | (tries & 0x0F)]
    }
}

/// A parsed short command APDU. `data` borrows from the raw bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command<'a> {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    /// Command data (empty for cases 1 and 2).
    pub data: &'a [u8],
    /// Expected response length; `Some(256)` for Le = 00. `None` for cases 1 and 3.
    pub le: Option<usize>,
}

impl<'a> Command<'a> {
    /// Parses a short APDU (cases 1–4). `None` if the bytes are not a well-formed short APDU
    /// (too short, Lc disagreeing with the length, extended length): the card answers `67 00`.
    pub fn parse(bytes: &'a [u8]) -> Option<Self> {
        let [cla, ins, p1, p2, rest @ ..] = bytes else {
            return None;
        };
        let (data, le): (&[u8], Option<usize>) = match rest {
            [] => (&[], None),
            [le] => (&[], Some(short_le(*le))),
            [0, ..] => return None, // Lc = 0 with more bytes: extended length, not supported
            [lc, body @ ..] => {
                let lc = usize::from(*lc);
                if body.len() == lc {
                    (body, None)
                } else if body.len() == lc + 1 {
                    (&body[..lc], Some(short_le(body[lc])))
                } else {
                    return None;
                }
            }
        };
        Some(Command {
            cla: *cla,
            ins: *ins,
            p1: *p1,
            p2: *p2,
            data,
            le,
        })
    }
}

fn short_le(byte: u8) -> usize {
    if byte == 0 {
        256
    } else {
        usize::from(byte)
    }
}

/// A response APDU: data followed by SW1 SW2.
pub fn response(data: &[u8], status: [u8; 2]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 2);
    out.extend_from_slice(data);
    out.extend_from_slice(&status);
    out
}

/// Splits a response APDU into (data, SW). A response shorter than 2 bytes has no status word.
pub fn split_response(resp: &[u8]) -> Option<(&[u8], [u8; 2])> {
    if resp.len() < 2 {
        return None;
    }
    let (data, sw) = resp.split_at(resp.len() - 2);
    Some((data, [sw[0], sw[1]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_four_cases() {
        let c = Command::parse(&[0, 0x20, 0, 0x80]).unwrap();
        assert_eq!((c.data, c.le), (&[][..], None));
        let c = Command::parse(&[0, 0xB0, 1, 2, 0]).unwrap();
        assert_eq!((c.p1, c.p2, c.le), (1, 2, Some(256)));
        let c = Command::parse(&[0, 0xA4, 2, 0x0C, 2, 0, 0x0A]).unwrap();
        assert_eq!((c.data, c.le), (&[0, 0x0A][..], None));
        let c = Command::parse(&[0x80, 0x2A, 0, 0x80, 2, 9, 9, 0]).unwrap();
        assert_eq!((c.data, c.le), (&[9, 9][..], Some(256)));
    }

    #[test]
    fn rejects_bad_lengths() {
        assert_eq!(Command::parse(&[]), None);
        assert_eq!(Command::parse(&[0, 0xA4, 2]), None);
        assert_eq!(Command::parse(&[0, 0xA4, 2, 0x0C, 3, 0, 0x0A]), None);
        assert_eq!(Command::parse(&[0, 0xA4, 2, 0x0C, 1, 0, 0x0A, 1]), None);
        assert_eq!(Command::parse(&[0, 0xB0, 0, 0, 0, 1, 0]), None);
    }

    #[test]
    fn splits_responses() {
        assert_eq!(split_response(&[1, 0x90, 0]), Some((&[1][..], sw::OK)));
        assert_eq!(split_response(&[0x90]), None);
        assert_eq!(sw::tries_left(3), [0x63, 0xC3]);
    }
}
