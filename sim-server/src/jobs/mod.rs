//! Asynchronous jobs (§6): the one job engine, the bulk qualification inquiry (JOB-01) and the
//! bulk reference-number registration (JOB-02). Subject of the bulk-jobs issue; nothing here yet.

/// Every asynchronous job of the simulator.
#[derive(Debug, Default)]
pub struct Jobs {}
