//! `<data-dir>/jobs.sqlite`: jobs (metadata as JSON, the request until the job is final, the
//! result once written) and the facilities' 照会番号. WAL journal: a killed process loses at most
//! the statement in flight, never a committed row.

use super::Job;
use crate::services::references::RefKey;
use rusqlite::{params, Connection, OptionalExtension};
use std::io;
use std::path::Path;

/// The file name inside `--data-dir`.
pub const FILE_NAME: &str = "jobs.sqlite";

/// A stored job and, while it is not final, its request.
pub type StoredJob = (Job, Option<Vec<u8>>);

#[derive(Debug)]
pub struct Store {
    conn: Connection,
}

/// A store error, with what was being done.
#[derive(Debug, thiserror::Error)]
#[error("{what}: {source}")]
pub struct StoreError {
    what: String,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

fn err<E: std::error::Error + Send + Sync + 'static>(
    what: &str,
) -> impl FnOnce(E) -> StoreError + '_ {
    move |e| StoreError {
        what: what.to_owned(),
        source: Box::new(e),
    }
}

impl Store {
    /// Opens (and creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(err(&format!("cannot create {}", dir.display())))?;
        let path = dir.join(FILE_NAME);
        crate::services::files::check_sqlite_file(&path)
            .map_err(io::Error::other)
            .map_err(err("job store"))?;
        let conn =
            Connection::open(&path).map_err(err(&format!("cannot open {}", path.display())))?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA busy_timeout = 5000;
             CREATE TABLE IF NOT EXISTS jobs (
                 seq INTEGER PRIMARY KEY,
                 meta TEXT NOT NULL,
                 request BLOB,
                 result BLOB
             );
             CREATE TABLE IF NOT EXISTS reference_numbers (
                 facility TEXT NOT NULL,
                 insurer INTEGER NOT NULL,
                 symbol TEXT NOT NULL,
                 number TEXT NOT NULL,
                 branch TEXT NOT NULL,
                 value TEXT,
                 PRIMARY KEY (facility, insurer, symbol, number, branch)
             );",
        )
        .map_err(err(&format!("cannot prepare {}", path.display())))?;
        Ok(Store { conn })
    }

    /// Every job, oldest first, with its request when the job is not final.
    pub fn load_jobs(&self) -> Result<Vec<StoredJob>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT meta, request FROM jobs ORDER BY seq")
            .map_err(err("reading jobs"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<Vec<u8>>>(1)?))
            })
            .map_err(err("reading jobs"))?;
        let mut out = Vec::new();
        for row in rows {
            let (meta, request) = row.map_err(err("reading a job"))?;
            let job: Job = serde_json::from_str(&meta).map_err(err("reading a job's record"))?;
            out.push((job, request));
        }
        Ok(out)
    }

    pub fn next_seq(&self) -> Result<u64, StoreError> {
        let max: Option<i64> = self
            .conn
            .query_row("SELECT MAX(seq) FROM jobs", [], |r| r.get(0))
            .map_err(err("reading the job sequence"))?;
        Ok(max.map_or(1, |m| m as u64 + 1))
    }

    pub fn insert_job(&self, job: &Job, request: &[u8]) -> Result<(), StoreError> {
        let meta = serde_json::to_string(job).map_err(err("writing a job"))?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO jobs (seq, meta, request, result) VALUES (?1, ?2, ?3, NULL)",
                params![job.seq as i64, meta, request],
            )
            .map_err(err("writing a job"))?;
        Ok(())
    }

    /// Updates a job's record; with `result`, stores it and drops the request (the job is final).
    pub fn update_job(&self, job: &Job, result: Option<&[u8]>) -> Result<(), StoreError> {
        let meta = serde_json::to_string(job).map_err(err("writing a job"))?;
        match result {
            Some(bytes) => self.conn.execute(
                "UPDATE jobs SET meta = ?2, result = ?3, request = NULL WHERE seq = ?1",
                params![job.seq as i64, meta, bytes],
            ),
            None if job.state.is_final() => self.conn.execute(
                "UPDATE jobs SET meta = ?2, request = NULL WHERE seq = ?1",
                params![job.seq as i64, meta],
            ),
            None => self.conn.execute(
                "UPDATE jobs SET meta = ?2 WHERE seq = ?1",
                params![job.seq as i64, meta],
            ),
        }
        .map_err(err("writing a job"))?;
        Ok(())
    }

    pub fn result(&self, seq: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.conn
            .query_row(
                "SELECT result FROM jobs WHERE seq = ?1",
                params![seq as i64],
                |r| r.get::<_, Option<Vec<u8>>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(err("reading a result"))
    }

    pub fn delete_job(&self, seq: u64) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM jobs WHERE seq = ?1", params![seq as i64])
            .map_err(err("deleting a job"))?;
        Ok(())
    }

    /// Every stored 照会番号 (`None`: deleted, hiding a fixture's number).
    pub fn load_references(&self) -> Result<Vec<(RefKey, Option<String>)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT facility, insurer, symbol, number, branch, value FROM reference_numbers",
            )
            .map_err(err("reading reference numbers"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    RefKey {
                        facility: r.get::<_, String>(0)?.into(),
                        insurer: r.get::<_, i64>(1)? as u32,
                        symbol: r.get::<_, String>(2)?.into(),
                        number: r.get::<_, String>(3)?.into(),
                        branch: r.get::<_, String>(4)?.into(),
                    },
                    r.get::<_, Option<String>>(5)?,
                ))
            })
            .map_err(err("reading reference numbers"))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(err("reading a reference number"))
    }

    /// Deletes every stored 照会番号.
    pub fn clear_references(&self) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM reference_numbers", [])
            .map_err(err("deleting reference numbers"))?;
        Ok(())
    }

    /// Writes many 照会番号 in one transaction (a bulk registration's rows: one commit per
    /// chunk instead of one per row; a 10,000-row JOB-02 went from 440 to 138 ms end to end,
    /// `cargo bench -p oqs-benches --bench registration`).
    pub fn put_references(&self, rows: &[(RefKey, Option<Box<str>>)]) -> Result<(), StoreError> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(err("starting a transaction"))?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO reference_numbers (facility, insurer, symbol, number, branch, value)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err("writing reference numbers"))?;
            for (key, value) in rows {
                put.execute(params![
                    &*key.facility,
                    i64::from(key.insurer),
                    &*key.symbol,
                    &*key.number,
                    &*key.branch,
                    value.as_deref()
                ])
                .map_err(err("writing a reference number"))?;
            }
        }
        tx.commit().map_err(err("committing reference numbers"))?;
        Ok(())
    }

    pub fn put_reference(&self, key: &RefKey, value: Option<&str>) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO reference_numbers (facility, insurer, symbol, number, branch, value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    &*key.facility,
                    i64::from(key.insurer),
                    &*key.symbol,
                    &*key.number,
                    &*key.branch,
                    value
                ],
            )
            .map_err(err("writing a reference number"))?;
        Ok(())
    }
}
