//! The sandbox tenant's directory, kept in its own SQLite file: users (as Graph JSON
//! documents), the organization and the policies.

use crate::{now_ms, seed};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use std::path::Path;

pub(crate) struct Directory {
    conn: Connection,
}

/// A user document and when reads may first see it (replication delay).
#[derive(Debug, Clone)]
pub(crate) struct StoredUser {
    pub doc: Value,
    pub visible_at_ms: i64,
}

impl StoredUser {
    pub fn is_visible(&self, now: i64) -> bool {
        self.visible_at_ms <= now
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    seq           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    visible_at_ms INTEGER NOT NULL,
    doc           TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS groups (
    seq INTEGER PRIMARY KEY,
    id  TEXT NOT NULL UNIQUE,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS group_members (
    group_id  TEXT NOT NULL,
    member_id TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
CREATE TABLE IF NOT EXISTS audits (
    seq INTEGER PRIMARY KEY,
    at  TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    name TEXT PRIMARY KEY,
    doc  TEXT NOT NULL
);
";

impl Directory {
    pub fn open(path: &Path) -> rusqlite::Result<Directory> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Self::init(conn)
    }

    pub fn open_in_memory() -> rusqlite::Result<Directory> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> rusqlite::Result<Directory> {
        conn.execute_batch(SCHEMA)?;
        let mut dir = Directory { conn };
        seed::seed(&mut dir)?;
        Ok(dir)
    }

    pub fn document(&self, name: &str) -> rusqlite::Result<Option<Value>> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT doc FROM documents WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Appends one directory audit entry.
    pub fn add_audit(&self, entry: &Value) -> rusqlite::Result<()> {
        let at = entry["activityDateTime"].as_str().unwrap_or_default();
        self.conn.execute(
            "INSERT INTO audits (at, doc) VALUES (?1, ?2)",
            params![at, entry.to_string()],
        )?;
        Ok(())
    }

    /// Every directory audit entry, newest first (as Graph lists them).
    pub fn audits(&self) -> rusqlite::Result<Vec<Value>> {
        let mut stmt = self.conn.prepare("SELECT doc FROM audits ORDER BY at DESC, seq DESC")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for text in rows {
            if let Ok(v) = serde_json::from_str(&text?) {
                out.push(v);
            }
        }
        Ok(out)
    }

    pub fn put_document(&self, name: &str, doc: &Value) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT INTO documents (name, doc) VALUES (?1, ?2) ON CONFLICT(name) DO UPDATE SET doc = excluded.doc",
            params![name, doc.to_string()],
        )?;
        Ok(())
    }

    /// Every user, oldest first, visible or not.
    pub fn all_users(&self) -> rusqlite::Result<Vec<StoredUser>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT doc, visible_at_ms FROM users ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            let text: String = r.get(0)?;
            Ok(StoredUser {
                doc: serde_json::from_str(&text).unwrap_or(Value::Null),
                visible_at_ms: r.get(1)?,
            })
        })?;
        rows.collect()
    }

    pub fn user(&self, id: &str) -> rusqlite::Result<Option<StoredUser>> {
        self.conn
            .query_row("SELECT doc, visible_at_ms FROM users WHERE id = ?1", [id], |r| {
                let text: String = r.get(0)?;
                Ok(StoredUser {
                    doc: serde_json::from_str(&text).unwrap_or(Value::Null),
                    visible_at_ms: r.get(1)?,
                })
            })
            .optional()
    }

    /// The user whose `id` or `userPrincipalName` (case-insensitive) is `key`.
    pub fn user_by_key(&self, key: &str) -> rusqlite::Result<Option<StoredUser>> {
        if let Some(u) = self.user(key)? {
            return Ok(Some(u));
        }
        Ok(self.all_users()?.into_iter().find(|u| {
            u.doc["userPrincipalName"]
                .as_str()
                .is_some_and(|upn| upn.eq_ignore_ascii_case(key))
        }))
    }

    /// Anyone reachable at `email`: `mail`, `otherMails` or an SMTP proxy address.
    pub fn user_by_email(&self, email: &str) -> rusqlite::Result<Option<StoredUser>> {
        let smtp = format!("smtp:{email}");
        Ok(self.all_users()?.into_iter().find(|u| {
            let d = &u.doc;
            let eq = |v: &Value, s: &str| v.as_str().is_some_and(|x| x.eq_ignore_ascii_case(s));
            eq(&d["mail"], email)
                || d["otherMails"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|v| eq(v, email)))
                || d["proxyAddresses"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|v| eq(v, &smtp)))
        }))
    }

    pub fn insert_user(&self, doc: &Value, visible_after_ms: i64) -> rusqlite::Result<()> {
        let id = doc["id"].as_str().unwrap_or_default();
        self.conn.execute(
            "INSERT INTO users (id, visible_at_ms, doc) VALUES (?1, ?2, ?3)",
            params![id, now_ms() + visible_after_ms, doc.to_string()],
        )?;
        Ok(())
    }

    /// Replaces a user's document (its visibility is unchanged).
    pub fn update_user(&self, doc: &Value) -> rusqlite::Result<()> {
        let id = doc["id"].as_str().unwrap_or_default();
        self.conn
            .execute("UPDATE users SET doc = ?2 WHERE id = ?1", params![id, doc.to_string()])?;
        Ok(())
    }

    /// Removes a user and their group memberships (the caller keeps what a restore needs).
    pub fn delete_user(&self, id: &str) -> rusqlite::Result<bool> {
        self.conn
            .execute("DELETE FROM group_members WHERE member_id = ?1", [id])?;
        let n = self.conn.execute("DELETE FROM users WHERE id = ?1", [id])?;
        Ok(n == 1)
    }

    pub fn insert_group(&self, doc: &Value) -> rusqlite::Result<()> {
        let id = doc["id"].as_str().unwrap_or_default();
        self.conn.execute(
            "INSERT INTO groups (id, doc) VALUES (?1, ?2)",
            params![id, doc.to_string()],
        )?;
        Ok(())
    }

    pub fn all_groups(&self) -> rusqlite::Result<Vec<Value>> {
        let mut stmt = self.conn.prepare_cached("SELECT doc FROM groups ORDER BY seq")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.map(|t| t.map(|t| serde_json::from_str(&t).unwrap_or(Value::Null)))
            .collect()
    }

    pub fn group(&self, id: &str) -> rusqlite::Result<Option<Value>> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT doc FROM groups WHERE id = ?1", [id], |r| r.get(0))
            .optional()?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Adds a member; false when it already was one.
    pub fn add_member(&self, group_id: &str, member_id: &str) -> rusqlite::Result<bool> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO group_members (group_id, member_id) VALUES (?1, ?2)",
            params![group_id, member_id],
        )?;
        Ok(n == 1)
    }

    pub fn remove_member(&self, group_id: &str, member_id: &str) -> rusqlite::Result<bool> {
        let n = self.conn.execute(
            "DELETE FROM group_members WHERE group_id = ?1 AND member_id = ?2",
            params![group_id, member_id],
        )?;
        Ok(n == 1)
    }

    pub fn members_of_group(&self, group_id: &str) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT member_id FROM group_members WHERE group_id = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([group_id], |r| r.get(0))?;
        rows.collect()
    }

    pub fn groups_of_member(&self, member_id: &str) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT group_id FROM group_members WHERE member_id = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([member_id], |r| r.get(0))?;
        rows.collect()
    }

    pub fn user_count(&self) -> rusqlite::Result<usize> {
        self.conn
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
    }

    pub fn transaction<T>(&mut self, f: impl FnOnce(&Directory) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }
}
