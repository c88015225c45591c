//! The confirmation history (資格確認履歴, ch.8, DM-17). Subject of the bulk-jobs issue;
//! nothing here yet.

/// Every confirmation, kept for the history screens.
#[derive(Debug, Default)]
pub struct History {}
