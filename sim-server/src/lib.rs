//! # sim-server
//!
//! The mock OQS server, in two layers (imports point down only; `scripts/module-graph` checks):
//!
//! - [`services`]: state and behaviour, no HTTP and no folders. One [`Simulator`] holds them all
//!   and answers a request whatever way it came in. Rules live in `oqs-domain`.
//! - [`ways_in`]: thin adapters: XML over HTTP, the WebAPI JSON mirror, the file exchange, the
//!   admin API and the terminal / jobs / history routes. Each turns its input into a service
//!   call and renders the answer.
//!
//! The modules are also reachable at the crate root under their short names
//! (`sim_server::journal`, `sim_server::exchange`, …): the paths tests and other crates use.

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
