//! Ways in: thin adapters. Each reads its transport's input, calls the services (through the
//! shared [`crate::Simulator`]) and renders the answer; no state or rule of its own.
//!
//! - [`xml_http`]: `POST /xml/{message-id}`; [`webapi`]: token auth + the JSON mirror;
//! - [`exchange`]: the `req/` → `res/` folder bridge;
//! - [`admin`]: `/__admin/…` (clock, fixtures, journal, faults) and its guard;
//! - [`front`]: what every request passes first (admin guard, outage, clipped errors), and
//!   the inquiry's direct way to [`xml_http`];
//! - [`serve`]: the HTTP server loop (timeouts, connection cap, body limits), with
//!   `body_timeout` and `connection` (the inquiry's own way through a connection, before hyper);
//! - [`terminal`], [`jobs`], [`history`]: the routes of those services;
//! - [`tray`]: the trainer's card tray `/__tray` (the simulator's page, not an OQS screen).
//! - [`screens`]: the operator screens (Japanese HTML, sessions, CSRF) at `/`.
//! - [`visiting`]: the consented list / detail / download of ch.3 (`/visiting/…`);
//!   [`pharmacy`]: prescription retrieval by 引換番号 (`/pharmacy/…`).

pub mod admin;
pub mod admin_guard;
mod attachment;
pub(crate) use attachment::attachment;
mod body_timeout;
mod connection;
pub mod dispensing;
pub mod exchange;
pub mod front;
pub mod history;
pub mod jobs;
pub mod outage;
pub mod pharmacy;
mod plain_head;
pub mod screens;
pub mod serve;
pub mod terminal;
pub mod tray;
pub mod visiting;
pub mod webapi;
pub mod xml_http;
