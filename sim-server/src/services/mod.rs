//! Services: the state and behaviour of the simulator. None of them knows HTTP (axum) or the
//! exchange folder; each imports only the ones below it:
//!
//! ```text
//! simulator   the composition: population + clock, the inquiry (handle_xml / handle_json)
//!   terminal  confirmations at the 資格確認端末 (My Number card, insurance card)
//!   jobs      bulk inquiry and registration (JOB-01/02), 照会番号
//!   history   資格確認履歴 (records, search, CSV)
//!   journal, clock, faults, tokens, files, answer   (below all)
//! ```

pub mod answer;
pub mod clock;
pub mod faults;
pub mod files;
pub mod history;
pub mod jobs;
pub mod journal;
pub mod references;
pub mod simulator;
pub mod terminal;
pub mod tokens;
