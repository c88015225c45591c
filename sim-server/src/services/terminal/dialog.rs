//! The dialogs a confirmation can show (ERR-05..19, the expiry notice, a wrong PIN).

use super::jpki::CardError;
use chrono::NaiveDate;
use oqs_protocol::codes::CardAuthErrorCode;
use oqs_protocol::texts;
use serde::Serialize;

/// A dialog shown instead of (or, for a notice, before) the qualification screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dialog {
    /// Catalogue id (`ERR-06`); `None` for the simulator's own dialogs (wrong PIN, AMB-27).
    pub err: Option<String>,
    pub title: Option<String>,
    pub message: String,
    /// 【事象】.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// 【対処】.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// 【代替】.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternative: Option<String>,
    /// The manual shows this dialog only as an image (§10.2): title and message are labelled.
    pub placeholder: bool,
    /// The text is the simulator's own (the manual has none).
    pub simulator_defined: bool,
    /// ERR-14's code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Wrong PIN: tries the card reports left.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tries_left: Option<u8>,
}

impl Dialog {
    /// The catalogue's dialog `id`.
    pub fn catalogue(id: &str) -> Dialog {
        match texts::card_dialog(id) {
            Some(d) => Dialog {
                err: Some(d.id.to_owned()),
                title: d.shown_title().map(str::to_owned),
                message: d.shown_message(),
                event: Some(d.event.to_owned()),
                action: Some(d.action.to_owned()),
                alternative: Some(d.alternative.to_owned()),
                placeholder: d.is_placeholder(),
                simulator_defined: false,
                code: None,
                tries_left: None,
            },
            None => Dialog {
                err: Some(id.to_owned()),
                title: None,
                message: String::new(),
                event: None,
                action: None,
                alternative: None,
                placeholder: true,
                simulator_defined: true,
                code: None,
                tries_left: None,
            },
        }
    }

    /// ERR-08 with the certificate's expiry date.
    pub fn expiring(not_after: NaiveDate) -> Dialog {
        Dialog {
            message: texts::err08_message(&not_after.format("%Y/%m/%d").to_string()),
            ..Dialog::catalogue("ERR-08")
        }
    }

    /// ERR-14 with a code.
    pub fn auth_error(code: &str) -> Dialog {
        Dialog {
            message: texts::err14_message(code),
            code: Some(code.to_owned()),
            ..Dialog::catalogue("ERR-14")
        }
    }

    pub(super) fn simulator(title: &str, message: String) -> Dialog {
        Dialog {
            err: None,
            title: Some(title.to_owned()),
            message,
            event: None,
            action: None,
            alternative: None,
            placeholder: false,
            simulator_defined: true,
            code: None,
            tries_left: None,
        }
    }

    /// Wrong PIN, tries left (AMB-27: the manual has no text).
    pub fn wrong_pin(tries_left: u8) -> Dialog {
        Dialog {
            tries_left: Some(tries_left),
            ..Dialog::simulator(texts::WRONG_PIN_TITLE, texts::wrong_pin_message(tries_left))
        }
    }
}

/// Card errors as the manual's dialogs (generic reader, or face reader in 目視確認).
pub(super) fn card_error_dialog(e: &CardError, face: bool) -> Dialog {
    match e {
        // RULE-79: an empty face reader answers with the face reader's read error (ERR-26),
        // not the generic reader's ERR-11.
        CardError::NoCard if face => Dialog::catalogue("ERR-26"),
        CardError::NoCard | CardError::NotMyNumberCard(_) => Dialog::catalogue("ERR-11"),
        CardError::Unsupported(_) => Dialog::catalogue("ERR-12"),
        CardError::ReadFailure(_) => Dialog::catalogue(if face { "ERR-26" } else { "ERR-10" }),
        CardError::PinLocked => Dialog::catalogue("ERR-13"),
        CardError::WrongPin(n) => Dialog::wrong_pin(*n),
        CardError::SigningFailed(_) => Dialog::auth_error(CardAuthErrorCode::SigningFailed.code()),
    }
}
