//! # sim-server
//!
//! The mock OQS server. One [`Simulator`] (state + the answer function) is shared by every
//! transport: XML over HTTP ([`http`]), the WebAPI JSON mirror ([`webapi`]), the file exchange
//! ([`exchange`]) and the admin API ([`admin`]). Behaviour lives in `oqs-domain`; this crate
//! only moves bytes and keeps state.

pub mod admin;
pub mod clock;
pub mod exchange;
pub mod history;
pub mod http;
pub mod jobs;
pub mod journal;
pub mod simulator;
pub mod terminal;
pub mod webapi;

pub use clock::Clock;
pub use simulator::{Settings, Simulator};

use axum::Router;
use std::sync::Arc;

/// The whole HTTP surface: XML, WebAPI and admin routes.
pub fn router(sim: Arc<Simulator>) -> Router {
    Router::new()
        .merge(http::router())
        .merge(webapi::router())
        .merge(admin::router())
        .merge(jobs::http::router())
        .merge(terminal::http::router())
        .merge(history::router())
        .merge(exchange::router())
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(sim)
}
