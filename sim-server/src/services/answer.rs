//! What a service answers: a result tree to write ([`Answered`]) or a request that could not be
//! read at all ([`Rejection`]). Below every service, so the job engine, the inquiry and every way
//! in share them without importing each other.

use bytes::Bytes;
use oqs_protocol::errors::ErrorKind;
use oqs_protocol::xml;
use oqs_protocol::{Element, TextEncoding};

/// A request that could not be read at all (HTTP 4xx, `.err` file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub kind: ErrorKind,
    pub code: String,
    pub message: String,
    /// The precise reason (position, field, limit).
    pub detail: String,
}

impl Rejection {
    /// The text of a `.err` file and of an HTTP rejection body.
    pub fn to_text(&self) -> String {
        format!("{} {}\n{}\n", self.code, self.message, self.detail)
    }
}

/// An answer: the result tree and the encoding to write it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    pub root: Element,
    pub encoding: TextEncoding,
    /// Bytes written before (a bulk job's stored result): sent as they are, so the fetched
    /// result is byte-identical to the download. `root` then holds its header only (a bulk
    /// result) or nothing (a single inquiry's result written directly, over XML only).
    pub raw: Option<Bytes>,
}

impl Answered {
    pub fn new(root: Element, encoding: TextEncoding) -> Self {
        Answered {
            root,
            encoding,
            raw: None,
        }
    }

    pub fn to_xml(&self) -> Vec<u8> {
        match &self.raw {
            Some(raw) => raw.to_vec(),
            None => xml::write_document(&self.root, self.encoding),
        }
    }

    /// The bytes to send, without copying a stored result.
    pub fn into_body(self) -> Bytes {
        match self.raw {
            Some(raw) => raw,
            None => xml::write_document(&self.root, self.encoding).into(),
        }
    }
}
