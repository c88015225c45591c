//! Virtual My Number cards: the JPKI applet as an APDU state machine, reachable in-process and
//! through PC/SC (vpcd).
//!
//! The boundary (shared with `sim-server`'s confirmation terminal) is two tiny traits:
//! - [`Card`]: the card side. It gets power events and command APDUs and returns response APDUs.
//!   The JPKI applet, vpcd (`vpicc`) and in-process readers all drive a `Box<dyn Card>`.
//! - [`CardChannel`]: the reader side, as a terminal sees it: send a command APDU, get the
//!   response. Implemented by the in-process reader (a `Card` in a slot) and, behind the `pcsc`
//!   feature, by a real PC/SC reader.

pub mod apdu;
pub mod applet;
pub mod certificate;
pub mod client;
pub mod keys;
#[cfg(feature = "pcsc")]
pub mod pcsc_reader;
pub mod profile;
pub mod reader;
pub mod state;
pub mod vpcd;

pub use applet::VirtualCard;
pub use certificate::{CertificateInfo, DigestAlgorithm};
#[cfg(feature = "pcsc")]
pub use pcsc_reader::{list_reader_names, wait_for_card, wait_until_empty, PcscReader};
pub use profile::{issue, issue_for, IssuedCard, Profile};
pub use reader::VirtualReader;

/// The card side of the APDU boundary. Never panics, whatever the bytes.
pub trait Card: Send {
    /// Power on (or warm reset): drops every verified state and returns the ATR.
    fn power_on(&mut self) -> Vec<u8>;
    /// Power off: drops every verified state.
    fn power_off(&mut self);
    /// A command APDU in, a response APDU (data + SW1 SW2) out.
    fn process(&mut self, command: &[u8]) -> Vec<u8>;
}

/// Why a reader could not exchange an APDU with a card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    /// No card in the reader.
    #[error("no card in the reader")]
    NoCard,
    /// The card stopped answering (removed, unreadable, link dropped).
    #[error("the card did not answer: {0}")]
    Lost(String),
    /// The reader itself failed (PC/SC service error, reader gone).
    #[error("reader error: {0}")]
    Reader(String),
}

/// The reader side of the APDU boundary: what a confirmation terminal talks to.
pub trait CardChannel: Send {
    /// The reader's name (PC/SC reader name, or the in-process slot's name).
    fn name(&self) -> &str;
    /// Connects to (powers) the card in the reader; returns its ATR.
    fn connect(&mut self) -> Result<Vec<u8>, ChannelError>;
    /// Sends a command APDU and returns the response APDU (data + SW1 SW2).
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, ChannelError>;
    /// Releases the card (powers it off).
    fn disconnect(&mut self);
}
