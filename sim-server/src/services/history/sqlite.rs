//! The durable store (`--data-dir`): `<data-dir>/history.sqlite`, WAL, one table indexed by
//! (facility, 資格確認日時) — the rowid (= id, recording order) completes the order.

use super::query::SearchConditions;
use super::{
    from_millis, to_millis, ConfirmationKind, HistoryError, HistoryRecord, OverLimit, SearchPage,
    SEARCH_LIMIT, SQLITE_FILE,
};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::path::Path;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS history (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    facility         TEXT    NOT NULL,
    confirmed_at     INTEGER NOT NULL, -- ms since the epoch
    login_id         TEXT    NOT NULL,
    reference_number TEXT,
    kind             INTEGER NOT NULL, -- ConfirmationKind::code
    result           TEXT    NOT NULL,
    insurer_number   TEXT    NOT NULL,
    card             TEXT    NOT NULL,
    name             TEXT    NOT NULL,
    sex              TEXT    NOT NULL,
    birthdate        TEXT    NOT NULL,
    detail           TEXT              -- HistoryDetail as JSON, NULL without 《詳細》
);
CREATE INDEX IF NOT EXISTS history_by_facility_time ON history (facility, confirmed_at);
";

const LIST_COLUMNS: &str = "id, facility, confirmed_at, login_id, reference_number, kind, result, \
     insurer_number, card, name, sex, birthdate";

const WHERE: &str = "facility = ?1 AND confirmed_at >= ?2 AND confirmed_at < ?3 \
     AND ((1 << kind) & ?4) != 0 AND (?5 IS NULL OR login_id = ?5) \
     AND (?6 IS NULL OR reference_number = ?6)";

pub(super) struct SqliteStore {
    conn: Connection,
    path: String,
    /// Records kept; older ones (by recording order) are deleted after each insert.
    capacity: usize,
}

impl SqliteStore {
    pub(super) fn open(dir: &Path, capacity: usize) -> Result<Self, HistoryError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| HistoryError::Io(format!("{}: {e}", dir.display())))?;
        let file = dir.join(SQLITE_FILE);
        let path = file.display().to_string();
        let wrap = |source| HistoryError::Sqlite {
            path: path.clone(),
            source,
        };
        crate::services::files::check_sqlite_file(&file).map_err(HistoryError::Io)?;
        let conn = Connection::open(&file).map_err(wrap)?;
        // WAL: readers never wait for the writer; NORMAL: a committed record survives a
        // process crash (a power loss may take the last transactions).
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
            .map_err(wrap)?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;")
            .map_err(wrap)?;
        conn.execute_batch(SCHEMA).map_err(wrap)?;
        Ok(SqliteStore {
            conn,
            path,
            capacity: capacity.max(1),
        })
    }

    fn wrap(&self, source: rusqlite::Error) -> HistoryError {
        HistoryError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    pub(super) fn insert_many(&mut self, batch: &mut [HistoryRecord]) -> Result<(), HistoryError> {
        let tx = self.conn.transaction().map_err(|e| HistoryError::Sqlite {
            path: self.path.clone(),
            source: e,
        })?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO history (facility, confirmed_at, login_id, reference_number, \
                     kind, result, insurer_number, card, name, sex, birthdate, detail) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(|e| HistoryError::Sqlite {
                    path: self.path.clone(),
                    source: e,
                })?;
            for r in batch.iter_mut() {
                let detail = match &r.detail {
                    None => None,
                    Some(d) => Some(
                        serde_json::to_string(d)
                            .map_err(|e| HistoryError::Io(format!("detail: {e}")))?,
                    ),
                };
                stmt.execute(params![
                    r.facility,
                    to_millis(r.confirmed_at),
                    r.login_id,
                    r.reference_number,
                    r.kind.code(),
                    r.result,
                    r.insurer_number,
                    r.card,
                    r.name,
                    r.sex,
                    r.birthdate,
                    detail,
                ])
                .map_err(|e| HistoryError::Sqlite {
                    path: self.path.clone(),
                    source: e,
                })?;
                r.id = u64::try_from(tx.last_insert_rowid()).unwrap_or_default();
            }
        }
        // Bounded disk: ids only grow (AUTOINCREMENT), so keeping ids above `last - capacity`
        // keeps the newest `capacity` records; the primary key makes this a range delete.
        let last = tx.last_insert_rowid();
        let keep = i64::try_from(self.capacity).unwrap_or(i64::MAX);
        if last > keep {
            tx.execute("DELETE FROM history WHERE id <= ?1", params![last - keep])
                .map_err(|e| HistoryError::Sqlite {
                    path: self.path.clone(),
                    source: e,
                })?;
        }
        tx.commit().map_err(|e| self.wrap(e))
    }

    pub(super) fn len(&self) -> Result<usize, HistoryError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM history", [], |r| r.get::<_, i64>(0))
            .map(|n| usize::try_from(n).unwrap_or_default())
            .map_err(|e| self.wrap(e))
    }

    pub(super) fn set_prescription_form(
        &mut self,
        id: u64,
        label: &str,
    ) -> Result<bool, HistoryError> {
        let Some(mut detail) = self.get(id)?.and_then(|r| r.detail) else {
            return Ok(false);
        };
        detail.prescription_issue_form = label.to_owned();
        let text =
            serde_json::to_string(&detail).map_err(|e| HistoryError::Io(format!("detail: {e}")))?;
        let id = i64::try_from(id).unwrap_or(i64::MAX);
        self.conn
            .execute(
                "UPDATE history SET detail = ?2 WHERE id = ?1",
                params![id, text],
            )
            .map_err(|e| self.wrap(e))?;
        Ok(true)
    }

    pub(super) fn get(&self, id: u64) -> Result<Option<HistoryRecord>, HistoryError> {
        let Ok(id) = i64::try_from(id) else {
            return Ok(None);
        };
        let sql = format!("SELECT {LIST_COLUMNS}, detail FROM history WHERE id = ?1");
        let found = self
            .conn
            .query_row(&sql, [id], |row| {
                let mut r = list_row(row)?;
                let detail: Option<String> = row.get(12)?;
                // A detail that cannot be read is an error, not a record without 《詳細》.
                r.detail = match detail {
                    None => None,
                    Some(d) => Some(serde_json::from_str(&d).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            12,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?),
                };
                Ok(r)
            })
            .optional()
            .map_err(|e| self.wrap(e))?;
        Ok(found)
    }

    pub(super) fn search(
        &self,
        c: &SearchConditions,
        offset: usize,
        limit: usize,
    ) -> Result<Result<SearchPage, OverLimit>, HistoryError> {
        let mut page = SearchPage {
            total: 0,
            first_seq: offset + 1,
            records: Vec::new(),
        };
        if c.from_ms >= c.until_ms {
            return Ok(Ok(page));
        }
        // Counting stops one past the limit: an over-wide search costs no more than a full one.
        let count_sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM history WHERE {WHERE} LIMIT {})",
            SEARCH_LIMIT + 1
        );
        let total: i64 = self
            .conn
            .prepare_cached(&count_sql)
            .and_then(|mut s| {
                s.query_row(
                    params![
                        c.facility,
                        c.from_ms,
                        c.until_ms,
                        c.kinds,
                        c.login_id,
                        c.reference_number
                    ],
                    |r| r.get(0),
                )
            })
            .map_err(|e| self.wrap(e))?;
        let total = usize::try_from(total).unwrap_or_default();
        if total > SEARCH_LIMIT {
            return Ok(Err(OverLimit));
        }
        page.total = total;
        if limit == 0 || offset >= total {
            return Ok(Ok(page));
        }
        let sql = format!(
            "SELECT {LIST_COLUMNS} FROM history WHERE {WHERE} \
             ORDER BY confirmed_at DESC, id DESC LIMIT ?7 OFFSET ?8"
        );
        let records = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                let rows = s.query_map(
                    params![
                        c.facility,
                        c.from_ms,
                        c.until_ms,
                        c.kinds,
                        c.login_id,
                        c.reference_number,
                        i64::try_from(limit).unwrap_or(i64::MAX),
                        i64::try_from(offset).unwrap_or(i64::MAX),
                    ],
                    list_row,
                )?;
                rows.collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| self.wrap(e))?;
        page.records = records;
        Ok(Ok(page))
    }
}

/// A list row (no detail).
fn list_row(row: &Row<'_>) -> rusqlite::Result<HistoryRecord> {
    let kind: u8 = row.get(5)?;
    let kind = ConfirmationKind::from_code(kind).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            5,
            rusqlite::types::Type::Integer,
            format!("unknown 資格確認区分 code {kind}").into(),
        )
    })?;
    Ok(HistoryRecord {
        id: u64::try_from(row.get::<_, i64>(0)?).unwrap_or_default(),
        facility: row.get(1)?,
        confirmed_at: from_millis(row.get(2)?),
        login_id: row.get(3)?,
        reference_number: row.get(4)?,
        kind,
        result: row.get(6)?,
        insurer_number: row.get(7)?,
        card: row.get(8)?,
        name: row.get(9)?,
        sex: row.get(10)?,
        birthdate: row.get(11)?,
        detail: None,
    })
}
