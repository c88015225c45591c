//! Step definitions, in the words of the manual (SCR-13 labels, banners, code-table names).

pub mod assistance;
pub mod bulk;
pub mod check;
pub mod check_screens;
pub mod dispensing;
pub mod face_screens;
pub mod history;
pub mod input;
pub mod mynumber;
pub mod outage;
pub mod screens;
pub mod send;
pub mod state;
pub mod visiting;
pub mod visiting_job_screens;
pub mod visiting_screens;
pub mod world;

pub use world::OqsWorld;
