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

/// The whole HTTP surface: XML, WebAPI and admin routes, the admin API for loopback clients
/// without a token. A tower service (`oneshot` it in process; `axum::serve` it with
/// `axum::ServiceExt::into_make_service`).
pub fn router(sim: Arc<Simulator>) -> ways_in::front::Front {
    router_with(sim, ways_in::admin_guard::AdminAccess::loopback())
}

/// [`router`] with the admin API's access rule (`--admin-token`, the listen address).
pub fn router_with(
    sim: Arc<Simulator>,
    access: ways_in::admin_guard::AdminAccess,
) -> ways_in::front::Front {
    use ways_in::admin_guard;
    // Routes that extract their bodies (admin, terminal, history, screens, …) under one limit;
    // the XML and WebAPI routes read theirs with their own limits (--max-request-bytes,
    // --bulk-max-request-bytes) and go without this layer.
    let extracting = Router::new()
        .merge(admin::router())
        .merge(ways_in::jobs::router())
        .merge(ways_in::terminal::router())
        .merge(ways_in::history::router())
        .merge(ways_in::dispensing::router())
        .merge(ways_in::outage::router())
        .merge(ways_in::visiting::router())
        .merge(ways_in::pharmacy::router())
        .merge(exchange::router())
        .merge(ways_in::tray::router())
        .merge(ways_in::screens::router())
        .layer(axum::extract::DefaultBodyLimit::max(
            admin_guard::MAX_ADMIN_BODY_BYTES,
        ));
    let routes = Router::new()
        .merge(http::router())
        .merge(webapi::router())
        .merge(extracting)
        .with_state(sim.clone());
    // The admin and tray guard, システム障害 (ENV-15) and clipped 4xx answers, before any route.
    ways_in::front::Front::new(sim, access, routes)
}
