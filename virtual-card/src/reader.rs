//! The in-process reader: a named slot holding a `Box<dyn Card>`. No system packages needed.

use crate::{Card, CardChannel, ChannelError};

/// An in-process card reader (汎用カードリーダー as the terminal sees it).
pub struct VirtualReader {
    name: String,
    card: Option<Box<dyn Card>>,
    powered: bool,
}

impl std::fmt::Debug for VirtualReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualReader")
            .field("name", &self.name)
            .field("has_card", &self.card.is_some())
            .field("powered", &self.powered)
            .finish()
    }
}

impl VirtualReader {
    /// An empty reader.
    pub fn new(name: impl Into<String>) -> Self {
        VirtualReader {
            name: name.into(),
            card: None,
            powered: false,
        }
    }

    /// Places a card (replacing and returning any card already there).
    pub fn insert(&mut self, card: Box<dyn Card>) -> Option<Box<dyn Card>> {
        let old = self.remove();
        self.card = Some(card);
        old
    }

    /// Takes the card out (it is powered off first).
    pub fn remove(&mut self) -> Option<Box<dyn Card>> {
        let mut card = self.card.take()?;
        if self.powered {
            card.power_off();
        }
        self.powered = false;
        Some(card)
    }

    /// Whether a card is in the reader.
    pub fn has_card(&self) -> bool {
        self.card.is_some()
    }
}

impl CardChannel for VirtualReader {
    fn name(&self) -> &str {
        &self.name
    }

    fn connect(&mut self) -> Result<Vec<u8>, ChannelError> {
        let card = self.card.as_mut().ok_or(ChannelError::NoCard)?;
        self.powered = true;
        Ok(card.power_on())
    }

    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, ChannelError> {
        let card = self.card.as_mut().ok_or(ChannelError::NoCard)?;
        if !self.powered {
            return Err(ChannelError::Lost("card not connected".into()));
        }
        let response = card.process(command);
        if response.len() < 2 {
            return Err(ChannelError::Lost("response without a status word".into()));
        }
        Ok(response)
    }

    fn disconnect(&mut self) {
        if let Some(card) = self.card.as_mut() {
            if self.powered {
                card.power_off();
            }
        }
        self.powered = false;
    }
}
