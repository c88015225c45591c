//! # oqs-protocol
//!
//! The wire formats of the Online Qualification Confirmation System as the simulator speaks
//! them: message types, the XML and JSON codecs, the code tables (OQSCD), the error-code table
//! and file naming. No I/O and no behaviour: the simulator, the conformance runner and client
//! adapters all build on this crate.

pub mod bulk;
pub mod codes;
pub mod dispensing;
pub mod dom;
pub mod entrusted;
pub mod errors;
pub mod fields;
pub mod header;
pub mod json;
pub mod message;
pub mod names;
pub mod naming;
pub mod plain;
pub mod registration;
pub mod result_read;
pub mod search;
pub mod sink;
pub mod texts;
pub mod visiting;
pub mod visiting_bulk;
pub mod xml;
pub mod zip;

pub use dom::Element;
pub use errors::{ErrorKind, ErrorLevel, ErrorTable};
pub use xml::TextEncoding;
