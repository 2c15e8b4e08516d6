//! The hash-chained change log.

use crate::{Result, Store};
use chrono::{SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How a change ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ChangeResult {
    /// The change was made and verified (or trusted from Microsoft's answer).
    Succeeded,
    /// Microsoft refused or could not be reached; nothing (or not all) was changed.
    Failed,
    /// The tenant was already as asked; no call that changes anything was made.
    Unchanged,
}

impl ChangeResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeResult::Succeeded => "succeeded",
            ChangeResult::Failed => "failed",
            ChangeResult::Unchanged => "unchanged",
        }
    }

    fn parse(s: &str) -> rusqlite::Result<Self> {
        match s {
            "succeeded" => Ok(ChangeResult::Succeeded),
            "failed" => Ok(ChangeResult::Failed),
            "unchanged" => Ok(ChangeResult::Unchanged),
            other => Err(rusqlite::Error::InvalidColumnType(
                0,
                format!("result '{other}'"),
                rusqlite::types::Type::Text,
            )),
        }
    }
}

/// A change about to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewChange {
    /// Who was signed in (user principal name, or the app id for app-only sign-in).
    pub actor: String,
    /// Tenant id (or the sandbox's).
    pub tenant: String,
    /// What was done, e.g. `invite_guest`.
    pub action: String,
    /// What it was done to, e.g. the guest's e-mail address.
    pub target: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub result: ChangeResult,
    /// Microsoft's error `code` when the change failed.
    pub error_code: Option<String>,
    /// The outcome in plain words.
    pub detail: Option<String>,
    /// Microsoft's `request-id` of the call that made (or refused) the change.
    pub request_id: Option<String>,
}

/// A change sent (or about to be sent) to Microsoft whose outcome is not recorded yet.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingChange {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub tenant: String,
    pub action: String,
    pub target: String,
    pub attempt: Option<serde_json::Value>,
}

/// One row of the change log, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChangeRecord {
    #[ts(type = "number")]
    pub seq: i64,
    /// RFC 3339, UTC, milliseconds.
    pub at: String,
    pub actor: String,
    pub tenant: String,
    pub action: String,
    pub target: String,
    #[ts(type = "unknown")]
    pub before: Option<serde_json::Value>,
    #[ts(type = "unknown")]
    pub after: Option<serde_json::Value>,
    pub result: ChangeResult,
    pub error_code: Option<String>,
    pub detail: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Which changes to list. Empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct ChangeFilter {
    /// On or after this time (RFC 3339, or a date like `2026-11-01`).
    pub since: Option<String>,
    /// Before this time.
    pub until: Option<String>,
    pub tenant: Option<String>,
    pub action: Option<String>,
    pub result: Option<ChangeResult>,
    /// Words found in the target, the actor, the outcome, the error code or the request-id.
    pub text: Option<String>,
    /// At most this many rows (default 500).
    pub limit: Option<u32>,
    /// Skip this many rows first (for paging through a long list).
    pub offset: Option<u32>,
    /// Order by this column (default: time); ties keep the log's order.
    pub sort: Option<SortKey>,
    /// Oldest (or A to Z) first; default newest first.
    pub ascending: bool,
}

/// Columns the History list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SortKey {
    At,
    Tenant,
    Action,
    Target,
    Result,
    RequestId,
}

impl SortKey {
    fn column(self) -> &'static str {
        match self {
            SortKey::At => "seq",
            SortKey::Tenant => "tenant",
            SortKey::Action => "action",
            SortKey::Target => "target COLLATE NOCASE",
            SortKey::Result => "result",
            SortKey::RequestId => "request_id",
        }
    }
}

/// Where the chain is broken, the first place found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChainBreak {
    /// The row at which verification failed (for a removed tail: the last row still present).
    #[ts(type = "number")]
    pub seq: i64,
    pub reason: String,
}

/// The result of walking the whole chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChainReport {
    #[ts(type = "number")]
    pub rows: i64,
    pub first_break: Option<ChainBreak>,
}

impl ChainReport {
    pub fn is_intact(&self) -> bool {
        self.first_break.is_none()
    }
}

/// The SHA-256 of a row: its content (as a JSON array, so field boundaries are unambiguous)
/// chained to the previous row's hash.
fn row_hash(seq: i64, at: &str, c: &ContentRef<'_>, prev_hash: &str) -> String {
    let content = serde_json::json!([
        seq,
        at,
        c.actor,
        c.tenant,
        c.action,
        c.target,
        c.before,
        c.after,
        c.result.as_str(),
        c.error_code,
        c.detail,
        c.request_id,
    ]);
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(content.to_string().as_bytes());
    hex::encode(h.finalize())
}

/// The hashed fields, borrowed from either a new change or a stored record.
struct ContentRef<'a> {
    actor: &'a str,
    tenant: &'a str,
    action: &'a str,
    target: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
    result: ChangeResult,
    error_code: Option<&'a str>,
    detail: Option<&'a str>,
    request_id: Option<&'a str>,
}

const COLUMNS: &str = "seq, at, actor, tenant, action, target, before_json, after_json, result, \
                       error_code, detail, request_id, prev_hash, hash";

/// A stored row with the JSON columns still as text, exactly as hashed.
struct RawRow {
    seq: i64,
    at: String,
    actor: String,
    tenant: String,
    action: String,
    target: String,
    before: Option<String>,
    after: Option<String>,
    result: ChangeResult,
    error_code: Option<String>,
    detail: Option<String>,
    request_id: Option<String>,
    prev_hash: String,
    hash: String,
}

impl RawRow {
    fn from_row(r: &Row<'_>) -> rusqlite::Result<RawRow> {
        Ok(RawRow {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            tenant: r.get(3)?,
            action: r.get(4)?,
            target: r.get(5)?,
            before: r.get(6)?,
            after: r.get(7)?,
            result: ChangeResult::parse(&r.get::<_, String>(8)?)?,
            error_code: r.get(9)?,
            detail: r.get(10)?,
            request_id: r.get(11)?,
            prev_hash: r.get(12)?,
            hash: r.get(13)?,
        })
    }

    fn content(&self) -> ContentRef<'_> {
        ContentRef {
            actor: &self.actor,
            tenant: &self.tenant,
            action: &self.action,
            target: &self.target,
            before: self.before.as_deref(),
            after: self.after.as_deref(),
            result: self.result,
            error_code: self.error_code.as_deref(),
            detail: self.detail.as_deref(),
            request_id: self.request_id.as_deref(),
        }
    }

    fn into_record(self) -> ChangeRecord {
        // Stored JSON was written by `append`; unreadable JSON (a tampered row) is shown as text.
        let parse = |s: Option<String>| s.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)));
        ChangeRecord {
            seq: self.seq,
            at: self.at,
            actor: self.actor,
            tenant: self.tenant,
            action: self.action,
            target: self.target,
            before: parse(self.before),
            after: parse(self.after),
            result: self.result,
            error_code: self.error_code,
            detail: self.detail,
            request_id: self.request_id,
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

impl Store {
    /// Appends one change, chained to the newest row, in one transaction.
    pub fn append_change(&self, change: &NewChange) -> Result<ChangeRecord> {
        let before = change.before.as_ref().map(serde_json::to_string).transpose()?;
        let after = change.after.as_ref().map(serde_json::to_string).transpose()?;
        let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);

        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let head: Option<(i64, String)> = tx
            .query_row("SELECT last_seq, last_hash FROM chain_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let (seq, prev_hash) = match head {
            Some((last, hash)) => (last + 1, hash),
            None => (1, GENESIS_HASH.to_string()),
        };
        let content = ContentRef {
            actor: &change.actor,
            tenant: &change.tenant,
            action: &change.action,
            target: &change.target,
            before: before.as_deref(),
            after: after.as_deref(),
            result: change.result,
            error_code: change.error_code.as_deref(),
            detail: change.detail.as_deref(),
            request_id: change.request_id.as_deref(),
        };
        let hash = row_hash(seq, &at, &content, &prev_hash);
        tx.execute(
            &format!("INSERT INTO change_log ({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)"),
            params![
                seq,
                at,
                change.actor,
                change.tenant,
                change.action,
                change.target,
                before,
                after,
                change.result.as_str(),
                change.error_code,
                change.detail,
                change.request_id,
                prev_hash,
                hash
            ],
        )?;
        tx.execute(
            "INSERT INTO chain_head (id, last_seq, last_hash) VALUES (1, ?1, ?2)
             ON CONFLICT(id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash",
            params![seq, hash],
        )?;
        // The outcome is recorded: the intent written before the call is done with.
        tx.execute(
            "DELETE FROM pending_changes WHERE tenant = ?1 AND action = ?2 AND target = ?3",
            params![change.tenant, change.action, change.target],
        )?;
        tx.commit()?;
        Ok(ChangeRecord {
            seq,
            at,
            actor: change.actor.clone(),
            tenant: change.tenant.clone(),
            action: change.action.clone(),
            target: change.target.clone(),
            before: change.before.clone(),
            after: change.after.clone(),
            result: change.result,
            error_code: change.error_code.clone(),
            detail: change.detail.clone(),
            request_id: change.request_id.clone(),
            prev_hash,
            hash,
        })
    }

    /// Writes down a change before it is sent to Microsoft. Appending its outcome (same tenant,
    /// action and target) removes it; one left over means the process stopped mid-call.
    pub fn begin_change(
        &self,
        actor: &str,
        tenant: &str,
        action: &str,
        target: &str,
        attempt: Option<&serde_json::Value>,
    ) -> Result<i64> {
        let attempt = attempt.map(serde_json::to_string).transpose()?;
        let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
        let conn = self.conn();
        conn.execute(
            "INSERT INTO pending_changes (at, actor, tenant, action, target, attempt) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![at, actor, tenant, action, target, attempt],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// Changes begun but never recorded, oldest first.
    pub fn unfinished_changes(&self) -> Result<Vec<PendingChange>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare("SELECT id, at, actor, tenant, action, target, attempt FROM pending_changes ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            let attempt: Option<String> = r.get(6)?;
            Ok(PendingChange {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                tenant: r.get(3)?,
                action: r.get(4)?,
                target: r.get(5)?,
                attempt: attempt.and_then(|a| serde_json::from_str(&a).ok()),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The newest `limit` changes, newest first.
    pub fn recent_changes(&self, limit: u32) -> Result<Vec<ChangeRecord>> {
        self.query_changes(&ChangeFilter {
            limit: Some(limit),
            ..Default::default()
        })
    }

    /// Succeeded changes of `action` in `tenant` per UTC day (`YYYY-MM-DD`) since `since_day`.
    pub fn daily_counts(&self, tenant: &str, action: &str, since_day: &str) -> Result<Vec<(String, i64)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT substr(at, 1, 10) AS day, COUNT(*) FROM change_log
             WHERE tenant = ?1 AND action = ?2 AND result = 'succeeded' AND at >= ?3
             GROUP BY day ORDER BY day",
        )?;
        let rows = stmt.query_map(params![tenant, action, since_day], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every tenant the log has changes for.
    pub fn tenants(&self) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT DISTINCT tenant FROM change_log ORDER BY tenant")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One row by its number.
    pub fn change(&self, seq: i64) -> Result<Option<ChangeRecord>> {
        let conn = self.conn();
        let row = conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM change_log WHERE seq = ?1"),
                [seq],
                RawRow::from_row,
            )
            .optional()?;
        Ok(row.map(RawRow::into_record))
    }

    /// The row that undid row `seq`, if one did (undo rows carry `{"undoes": seq}` in `before`).
    pub fn undone_by(&self, seq: i64) -> Result<Option<i64>> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT seq FROM change_log WHERE action LIKE 'undo_%' AND result = 'succeeded'
                 AND json_extract(before_json, '$.undoes') = ?1 LIMIT 1",
                [seq],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The `WHERE` clause and its arguments for a filter.
    fn filter_sql(f: &ChangeFilter) -> (String, Vec<String>) {
        let mut clauses: Vec<&str> = Vec::new();
        let mut args: Vec<String> = Vec::new();
        let nonempty = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        if let Some(v) = nonempty(&f.since) {
            clauses.push("at >= ?");
            args.push(v);
        }
        if let Some(v) = nonempty(&f.until) {
            clauses.push("at < ?");
            args.push(v);
        }
        if let Some(v) = nonempty(&f.tenant) {
            clauses.push("tenant = ?");
            args.push(v);
        }
        if let Some(v) = nonempty(&f.action) {
            clauses.push("action = ?");
            args.push(v);
        }
        if let Some(r) = f.result {
            clauses.push("result = ?");
            args.push(r.as_str().to_string());
        }
        if let Some(v) = nonempty(&f.text) {
            if v.chars().count() >= 3 {
                // The trigram index finds any substring of three or more characters, ignoring case.
                clauses.push("seq IN (SELECT rowid FROM change_search WHERE change_search MATCH ?)");
                args.push(format!("\"{}\"", v.replace('"', "\"\"")));
            } else {
                clauses.push(
                    "(target LIKE ? ESCAPE '\\' OR actor LIKE ? ESCAPE '\\' OR detail LIKE ? ESCAPE '\\' \
                     OR error_code LIKE ? ESCAPE '\\' OR request_id LIKE ? ESCAPE '\\')",
                );
                let pattern = format!("%{}%", v.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
                args.extend(std::iter::repeat_n(pattern, 5));
            }
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        (filter, args)
    }

    /// Changes matching the filter, newest first unless asked otherwise.
    pub fn query_changes(&self, f: &ChangeFilter) -> Result<Vec<ChangeRecord>> {
        let (filter, args) = Self::filter_sql(f);
        let column = f.sort.unwrap_or(SortKey::At).column();
        let dir = if f.ascending { "ASC" } else { "DESC" };
        let sql = format!(
            "SELECT {COLUMNS} FROM change_log {filter} ORDER BY {column} {dir}, seq {dir} LIMIT {} OFFSET {}",
            f.limit.unwrap_or(500),
            f.offset.unwrap_or(0)
        );
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args.iter()), RawRow::from_row)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row?.into_record());
        }
        Ok(out)
    }

    /// How many changes match the filter (limit and offset aside).
    pub fn count_changes(&self, f: &ChangeFilter) -> Result<i64> {
        let (filter, args) = Self::filter_sql(f);
        let conn = self.conn();
        Ok(conn.query_row(
            &format!("SELECT COUNT(*) FROM change_log {filter}"),
            rusqlite::params_from_iter(args.iter()),
            |r| r.get(0),
        )?)
    }

    /// Walks the whole chain from the first row and reports the first row that does not fit.
    pub fn verify_chain(&self) -> Result<ChainReport> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM change_log ORDER BY seq"))?;
        let mut rows = stmt.query([])?;
        let mut expected_seq = 1i64;
        let mut prev_hash = GENESIS_HASH.to_string();
        let mut count = 0i64;
        let broken = |seq, reason: String| ChainReport {
            rows: 0,
            first_break: Some(ChainBreak { seq, reason }),
        };
        while let Some(r) = rows.next()? {
            let row = RawRow::from_row(r)?;
            count += 1;
            if row.seq != expected_seq {
                let reason = format!("row {expected_seq} is missing (the next row is {})", row.seq);
                return Ok(ChainReport {
                    rows: count,
                    ..broken(expected_seq, reason)
                });
            }
            if row.prev_hash != prev_hash {
                let reason = "does not follow the row before it (rows removed or reordered)".into();
                return Ok(ChainReport {
                    rows: count,
                    ..broken(row.seq, reason)
                });
            }
            if row_hash(row.seq, &row.at, &row.content(), &row.prev_hash) != row.hash {
                let reason = "its content was changed after it was written".into();
                return Ok(ChainReport {
                    rows: count,
                    ..broken(row.seq, reason)
                });
            }
            prev_hash = row.hash;
            expected_seq += 1;
        }
        drop(rows);
        let head: Option<(i64, String)> = conn
            .query_row("SELECT last_seq, last_hash FROM chain_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let last_seq = expected_seq - 1;
        match head {
            None if count == 0 => {}
            Some((seq, hash)) if seq == last_seq && hash == prev_hash => {}
            Some((seq, _)) if seq > last_seq => {
                let reason = format!("rows {} to {seq} were removed from the end", last_seq + 1);
                return Ok(ChainReport {
                    rows: count,
                    ..broken(last_seq, reason)
                });
            }
            _ => {
                let reason = "the newest row does not match the recorded end of the log".into();
                return Ok(ChainReport {
                    rows: count,
                    ..broken(last_seq, reason)
                });
            }
        }
        Ok(ChainReport {
            rows: count,
            first_break: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(target: &str) -> NewChange {
        NewChange {
            actor: "app:1234".into(),
            tenant: "tenant-1".into(),
            action: "invite_guest".into(),
            target: target.into(),
            before: None,
            after: Some(serde_json::json!({"userId": "u-1", "status": "PendingAcceptance"})),
            result: ChangeResult::Succeeded,
            error_code: None,
            detail: Some("invited".into()),
            request_id: Some("req-1".into()),
        }
    }

    fn store_with(n: usize) -> (tempfile::TempDir, std::path::PathBuf, Store) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sqlite");
        let store = Store::open(&path).unwrap();
        for i in 0..n {
            store
                .append_change(&change(&format!("guest{i}@partner.example")))
                .unwrap();
        }
        (dir, path, store)
    }

    /// Tampering goes through a second, plain SQLite connection, as an attacker would.
    fn tamper(path: &std::path::Path, sql: &str) {
        let conn = rusqlite::Connection::open(path).unwrap();
        conn.execute_batch(sql).unwrap();
    }

    #[test]
    fn appended_rows_chain_and_read_back_newest_first() {
        let (_d, _p, store) = store_with(3);
        let rows = store.recent_changes(10).unwrap();
        assert_eq!(rows.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![3, 2, 1]);
        assert_eq!(rows[2].prev_hash, GENESIS_HASH);
        assert_eq!(rows[1].prev_hash, rows[2].hash);
        assert_eq!(rows[0].prev_hash, rows[1].hash);
        assert_eq!(rows[0].after, change("x").after);
        let report = store.verify_chain().unwrap();
        assert_eq!(
            report,
            ChainReport {
                rows: 3,
                first_break: None
            }
        );
    }

    #[test]
    fn empty_log_is_intact() {
        let store = Store::open_in_memory().unwrap();
        assert!(store.verify_chain().unwrap().is_intact());
    }

    #[test]
    fn edited_row_is_detected() {
        let (_d, path, store) = store_with(4);
        tamper(&path, "UPDATE change_log SET result = 'failed' WHERE seq = 2");
        let b = store.verify_chain().unwrap().first_break.unwrap();
        assert_eq!(b.seq, 2);
        assert!(b.reason.contains("changed"), "{}", b.reason);
    }

    #[test]
    fn edited_row_with_recomputed_hash_breaks_the_next_link() {
        let (_d, path, store) = store_with(3);
        // Rewrite row 2 and give it a self-consistent new hash: row 3 no longer follows it.
        let rows = store.recent_changes(10).unwrap();
        let r2 = rows.iter().find(|r| r.seq == 2).unwrap();
        let mut forged = change("guest1@partner.example");
        forged.target = "someone-else@partner.example".into();
        let content = ContentRef {
            actor: &forged.actor,
            tenant: &forged.tenant,
            action: &forged.action,
            target: &forged.target,
            before: None,
            after: Some(r#"{"status":"PendingAcceptance","userId":"u-1"}"#),
            result: forged.result,
            error_code: None,
            detail: forged.detail.as_deref(),
            request_id: forged.request_id.as_deref(),
        };
        let new_hash = row_hash(2, &r2.at, &content, &r2.prev_hash);
        tamper(
            &path,
            &format!(
                "UPDATE change_log SET target = 'someone-else@partner.example', hash = '{new_hash}' WHERE seq = 2"
            ),
        );
        let b = store.verify_chain().unwrap().first_break.unwrap();
        assert_eq!(b.seq, 3);
    }

    #[test]
    fn deleted_middle_row_is_detected() {
        let (_d, path, store) = store_with(5);
        tamper(&path, "DELETE FROM change_log WHERE seq = 3");
        let b = store.verify_chain().unwrap().first_break.unwrap();
        assert_eq!(b.seq, 3);
        assert!(b.reason.contains("missing"), "{}", b.reason);
    }

    #[test]
    fn deleted_last_rows_are_detected() {
        let (_d, path, store) = store_with(5);
        tamper(&path, "DELETE FROM change_log WHERE seq >= 4");
        let b = store.verify_chain().unwrap().first_break.unwrap();
        assert_eq!(b.seq, 3);
        assert!(b.reason.contains("removed from the end"), "{}", b.reason);
    }

    #[test]
    fn reordered_rows_are_detected() {
        let (_d, path, store) = store_with(4);
        // Swap the content of rows 2 and 3, hashes included.
        tamper(
            &path,
            "UPDATE change_log SET seq = -2 WHERE seq = 2;
             UPDATE change_log SET seq = 2 WHERE seq = 3;
             UPDATE change_log SET seq = 3 WHERE seq = -2;",
        );
        let b = store.verify_chain().unwrap().first_break.unwrap();
        assert_eq!(b.seq, 2);
    }

    #[test]
    fn a_begun_change_is_resolved_by_its_outcome_and_survives_a_crash_otherwise() {
        let (_d, path, store) = store_with(0);
        store
            .begin_change("app:1", "tenant-1", "invite_guest", "a@x.example", None)
            .unwrap();
        store
            .begin_change(
                "app:1",
                "tenant-1",
                "invite_guest",
                "b@x.example",
                Some(&serde_json::json!({"k": 1})),
            )
            .unwrap();
        store.append_change(&change("a@x.example")).unwrap();
        drop(store);
        // "Crash": reopen; only b's change is still unresolved.
        let store = Store::open(&path).unwrap();
        let left = store.unfinished_changes().unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].target, "b@x.example");
        assert_eq!(left[0].attempt, Some(serde_json::json!({"k": 1})));
    }

    #[test]
    fn filters_narrow_the_list() {
        let (_d, _p, store) = store_with(3);
        let mut failed = change("odd_name%@x.example");
        failed.result = ChangeResult::Failed;
        failed.request_id = Some("abc-123".into());
        store.append_change(&failed).unwrap();
        let q = |f: ChangeFilter| {
            store
                .query_changes(&f)
                .unwrap()
                .iter()
                .map(|r| r.target.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            q(ChangeFilter {
                result: Some(ChangeResult::Failed),
                ..Default::default()
            }),
            ["odd_name%@x.example"]
        );
        assert_eq!(
            q(ChangeFilter {
                text: Some("ABC-1".into()),
                ..Default::default()
            })
            .len(),
            1,
            "request-id, any case"
        );
        assert_eq!(
            q(ChangeFilter {
                text: Some("name%".into()),
                ..Default::default()
            })
            .len(),
            1,
            "% is literal"
        );
        assert_eq!(
            q(ChangeFilter {
                text: Some("guest1".into()),
                ..Default::default()
            }),
            ["guest1@partner.example"]
        );
        assert_eq!(
            q(ChangeFilter {
                since: Some("2000-01-01".into()),
                limit: Some(2),
                ..Default::default()
            })
            .len(),
            2
        );
        assert!(q(ChangeFilter {
            since: Some("2999-01-01".into()),
            ..Default::default()
        })
        .is_empty());
        assert!(q(ChangeFilter {
            tenant: Some("other".into()),
            ..Default::default()
        })
        .is_empty());
    }

    #[test]
    fn rows_survive_reopening() {
        let (_d, path, store) = store_with(2);
        drop(store);
        let store = Store::open(&path).unwrap();
        store.append_change(&change("late@partner.example")).unwrap();
        assert_eq!(store.recent_changes(10).unwrap().len(), 3);
        assert!(store.verify_chain().unwrap().is_intact());
    }
}
