//! Guestpass's local store: one SQLite file (WAL) holding the change log and bulk runs.
//!
//! The change log is append-only and hash-chained: every row carries a SHA-256 over its
//! own content and the previous row's hash, so [`Store::verify_chain`] finds any row that
//! was edited, deleted or inserted out of order.

mod bulk;
mod change_log;
pub mod export;
mod microsoft_events;
mod profiles;

pub use bulk::{NewRunRow, RunCounts, RunInfo, RunRow, RunState, RunStep, StepState, StepUpdate};
pub use change_log::{
    ChainBreak, ChainReport, ChangeFilter, ChangeRecord, ChangeResult, NewChange, PendingChange, SortKey, GENESIS_HASH,
};
pub use microsoft_events::{EventSource, MicrosoftEvent};
pub use profiles::TenantProfile;

use rusqlite::Connection;
use rusqlite_migration::{Migrations, M};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the local database could not be used: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the local database could not be upgraded: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("a change-log value could not be encoded: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the export could not be written: {0}")]
    Export(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../migrations/0001_change_log.sql")),
        M::up(include_str!("../migrations/0002_preferences.sql")),
        M::up(include_str!("../migrations/0003_pending_changes.sql")),
        M::up(include_str!("../migrations/0004_change_search.sql")),
        M::up(include_str!("../migrations/0005_bulk_runs.sql")),
        M::up(include_str!("../migrations/0006_tenant_profiles.sql")),
        M::up(include_str!("../migrations/0007_more_sign_in_ways.sql")),
        M::up(include_str!("../migrations/0008_azure_identity_sign_in.sql")),
        M::up(include_str!("../migrations/0009_microsoft_events.sql")),
    ])
}

/// The app's SQLite database. Cheap to share behind an `Arc`; calls are short and serialised.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database at `path`, in WAL mode, migrated to the latest version.
    pub fn open(path: &Path) -> Result<Store> {
        let mut conn = Connection::open(path)?;
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        debug_assert_eq!(mode.to_ascii_lowercase(), "wal");
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations().to_latest(&mut conn)?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    /// A private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        migrations().to_latest(&mut conn)?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    /// A per-tenant preference, if set.
    pub fn preference(&self, tenant: &str, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn()
            .query_row(
                "SELECT value FROM preferences WHERE tenant = ?1 AND key = ?2",
                [tenant, key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn set_preference(&self, tenant: &str, key: &str, value: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO preferences (tenant, key, value) VALUES (?1, ?2, ?3)
             ON CONFLICT(tenant, key) DO UPDATE SET value = excluded.value",
            [tenant, key, value],
        )?;
        Ok(())
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions roll
        // back), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn preferences_are_per_tenant() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.preference("t1", "usageLocation").unwrap(), None);
        store.set_preference("t1", "usageLocation", "GB").unwrap();
        store.set_preference("t1", "usageLocation", "IE").unwrap();
        assert_eq!(store.preference("t1", "usageLocation").unwrap().as_deref(), Some("IE"));
        assert_eq!(store.preference("t2", "usageLocation").unwrap(), None);
    }

    #[test]
    fn file_database_uses_wal() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("g.sqlite")).unwrap();
        let mode: String = store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }
}
