//! The simulated confirmation terminal (資格確認端末, DM-03) with its card readers, and the My
//! Number card inquiry of ch.2 (SCR-08 → SCR-09 → SCR-10, FLOW-08..16, ERR-05..19).
//!
//! - Readers: in-process virtual readers holding a virtual card ([`virtual_card::VirtualReader`]), or any other
//!   [`virtual_card::CardChannel`] (a PC/SC reader behind the `pcsc` feature). The topology (none, one
//!   generic, generic + face reader, several) is set from the admin API and produces
//!   ERR-09/17/18.
//! - The inquiry ([`confirm`]): read the 利用者証明用電子証明書 over APDUs; on the 暗証番号 path
//!   VERIFY once (the card keeps the retry counter; the terminal never retries) and have the card
//!   sign a fresh challenge, verified against the certificate; then the server-side judgement
//!   of the certificate (registry: revoked, 保険証利用登録; notAfter: expired, expiring within
//!   3 months) and of the qualification (`oqs_domain::inquiry::qualification_result`).
//! - Every confirmation is journalled with its method (目視確認 / 暗証番号), and its outcome is
//!   one value ([`Confirmation`]) returned by one function ([`confirm`]).
//! - A face reader writes its results unprompted into the exchange folder's `face/`.

pub mod certs;
pub mod jpki;

mod cards;
mod confirm;
mod confirmation;
mod dialog;
mod face;
mod insurance_card;
mod readers;
mod request;
mod settings;
mod state;
mod update;

#[cfg(feature = "pcsc")]
pub use cards::pcsc_channel;
pub use cards::{
    card_state_dir, reset_pin_states, CardIssuer, IssuedCard, ProfileIssuer, DEFAULT_CARD_SEED,
};
pub use confirm::{confirm, mynumber_result, Context};
pub use confirmation::{Choices, Confirmation};
pub use dialog::Dialog;
pub use face::{face_operation_menu, face_settings_menu, face_settings_notice, MAX_LABEL_CHARS};
pub use insurance_card::{confirm_insurance_card, InsuranceCardRequest};
pub use readers::{
    topology, FaceMode, Reader, ReaderKind, ReaderLink, ReaderSummary, FACE_READER_NAMES,
    GENERIC_READER_NAME, TOPOLOGIES,
};
pub use request::{
    parse_confirmation_date, parse_prescription_form, Consents, Method, MyNumberRequest,
    RequestError,
};
pub use settings::{Fault, PrescriptionUsage, TerminalSettings, DEFAULT_FACILITY};
pub use state::{Terminal, DEFAULT_CHALLENGE_SEED, RECENT_CONFIRMATIONS};
pub use update::{refresh_reference_numbers, update, Update};
