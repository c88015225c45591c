//! # sim-server
//!
//! The mock OQS server. One [`Simulator`] (state + the answer function) is shared by every
//! transport: XML over HTTP ([`http`]), the WebAPI JSON mirror ([`webapi`]), the file exchange
//! ([`exchange`]) and the admin API ([`admin`]). Behaviour lives in `oqs-domain`; this crate
//! only moves bytes and keeps state.

pub mod services;
pub mod ways_in;

pub use services::{clock, history, jobs, journal, simulator, terminal};
pub use ways_in::{admin, exchange, webapi, xml_http as http};

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
        .merge(ways_in::jobs::router())
        .merge(ways_in::terminal::router())
        .merge(ways_in::history::router())
        .merge(exchange::router())
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(sim)
}
