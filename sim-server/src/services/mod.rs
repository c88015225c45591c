//! Services: the state and behaviour of the simulator, with no HTTP and no folders.

pub mod clock;
pub mod history;
pub mod jobs;
pub mod journal;
pub mod simulator;
pub mod terminal;
