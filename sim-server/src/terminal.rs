//! The simulated confirmation terminal (資格確認端末) with its card readers, and the My Number
//! card inquiry (ch.2). Subject of the virtual-card issue; nothing here yet.

/// The confirmation terminal: reader topology and the My Number inquiry.
#[derive(Debug, Default)]
pub struct Terminal {}
