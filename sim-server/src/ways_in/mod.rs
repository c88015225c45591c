//! Ways in: thin adapters that turn a transport's input into service calls and render answers.

pub mod admin;
pub mod exchange;
pub mod history;
pub mod jobs;
pub mod terminal;
pub mod webapi;
pub mod xml_http;
