//! A real PC/SC reader (feature `pcsc`): any reader pcscd knows, e.g. vpcd's "Virtual PCD 00 00".
//! Needs libpcsclite (build: libpcsclite-dev + pkg-config) and a running pcscd.

use std::ffi::CString;

use crate::{CardChannel, ChannelError};

fn reader_error(e: pcsc::Error) -> ChannelError {
    match e {
        pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard => ChannelError::NoCard,
        other => ChannelError::Reader(other.to_string()),
    }
}

fn context() -> Result<pcsc::Context, ChannelError> {
    pcsc::Context::establish(pcsc::Scope::User)
        .map_err(|e| ChannelError::Reader(format!("PC/SC service (pcscd): {e}")))
}

/// Names of the readers pcscd knows now (empty when it has none).
pub fn list_reader_names() -> Result<Vec<String>, ChannelError> {
    let ctx = context()?;
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names
            .into_iter()
            .map(|n| n.to_string_lossy().into_owned())
            .collect()),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e) => Err(reader_error(e)),
    }
}

/// A PC/SC reader opened by name.
pub struct PcscReader {
    name: String,
    c_name: CString,
    ctx: pcsc::Context,
    card: Option<pcsc::Card>,
}

impl std::fmt::Debug for PcscReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcscReader")
            .field("name", &self.name)
            .field("connected", &self.card.is_some())
            .finish()
    }
}

impl PcscReader {
    /// Opens the reader called `name` (it must be listed by [`list_reader_names`]).
    pub fn open(name: &str) -> Result<Self, ChannelError> {
        let ctx = context()?;
        let names = list_reader_names()?;
        if !names.iter().any(|n| n == name) {
            return Err(ChannelError::Reader(format!(
                "no PC/SC reader named {name:?} (readers: {names:?})"
            )));
        }
        let c_name = CString::new(name)
            .map_err(|_| ChannelError::Reader("reader name with a NUL byte".into()))?;
        Ok(PcscReader {
            name: name.to_string(),
            c_name,
            ctx,
            card: None,
        })
    }
}

impl CardChannel for PcscReader {
    fn name(&self) -> &str {
        &self.name
    }

    fn connect(&mut self) -> Result<Vec<u8>, ChannelError> {
        self.disconnect();
        let card = self
            .ctx
            .connect(&self.c_name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
            .map_err(reader_error)?;
        let atr = card
            .status2_owned()
            .map(|s| s.atr().to_vec())
            .map_err(reader_error)?;
        self.card = Some(card);
        Ok(atr)
    }

    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, ChannelError> {
        let card = self.card.as_ref().ok_or(ChannelError::NoCard)?;
        let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        match card.transmit(command, &mut buf) {
            Ok(resp) if resp.len() >= 2 => Ok(resp.to_vec()),
            Ok(_) => Err(ChannelError::Lost("response without a status word".into())),
            Err(e @ (pcsc::Error::RemovedCard | pcsc::Error::NoSmartcard)) => {
                self.card = None;
                Err(ChannelError::Lost(e.to_string()))
            }
            Err(e) => Err(ChannelError::Lost(e.to_string())),
        }
    }

    fn disconnect(&mut self) {
        if let Some(card) = self.card.take() {
            // Reset drops the card's verified state, like pulling it out.
            let _ = card.disconnect(pcsc::Disposition::UnpowerCard);
        }
    }
}

impl Drop for PcscReader {
    fn drop(&mut self) {
        self.disconnect();
    }
}

/// Waits until `reader` holds a card that answers an APDU and, when `expected_atr` is given,
/// presents that ATR (right after a card swap over vpcd pcscd may still report the old card's
/// ATR; a power cycle, which each retry does, makes it read the new one). Returns the ATR.
pub fn wait_for_card(
    reader: &str,
    expected_atr: Option<&[u8]>,
    timeout: std::time::Duration,
) -> Result<Vec<u8>, ChannelError> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let attempt = PcscReader::open(reader).and_then(|mut r| {
            let atr = r.connect()?;
            // The tries-left query: harmless on any card, answered by every card.
            r.transmit(&[0x00, 0x20, 0x00, 0x80])?;
            match expected_atr {
                Some(expected) if expected != atr.as_slice() => Err(ChannelError::Reader(format!(
                    "ATR {atr:02X?} is not the expected {expected:02X?}"
                ))),
                _ => Ok(atr),
            }
        });
        match attempt {
            Ok(atr) => return Ok(atr),
            Err(e) if std::time::Instant::now() >= deadline => return Err(e),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
}

/// Waits until pcscd's state of `reader` is EMPTY (a failed connect is not proof enough: right
/// after a card swap pcscd may still hold the old card and its ATR), then half a second more
/// for vpcd to drop the old link, so the next card served on its port is seen as a new card.
pub fn wait_until_empty(reader: &str, timeout: std::time::Duration) -> Result<(), ChannelError> {
    let ctx = context()?;
    let name = CString::new(reader)
        .map_err(|_| ChannelError::Reader("reader name with a NUL byte".into()))?;
    let deadline = std::time::Instant::now() + timeout;
    let mut states = [pcsc::ReaderState::new(name, pcsc::State::UNAWARE)];
    loop {
        match ctx.get_status_change(std::time::Duration::from_millis(200), &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) => return Err(reader_error(e)),
        }
        let state = states[0].event_state();
        if state.contains(pcsc::State::EMPTY) {
            break;
        }
        if std::time::Instant::now() >= deadline {
            return Err(ChannelError::Reader(format!(
                "a card is still in {reader:?}"
            )));
        }
        states[0].sync_current_state();
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    Ok(())
}
