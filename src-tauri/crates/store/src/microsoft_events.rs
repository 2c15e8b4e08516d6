//! Events copied from Microsoft's own logs (directory audits and sign-ins), kept once each under
//! Microsoft's id, and how far back each log has been read completely.

use crate::{ChangeFilter, Result, Store};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which of Microsoft's logs an event comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum EventSource {
    DirectoryAudit,
    SignIn,
}

impl EventSource {
    pub fn as_str(self) -> &'static str {
        match self {
            EventSource::DirectoryAudit => "directoryAudit",
            EventSource::SignIn => "signIn",
        }
    }

    fn parse(s: &str) -> EventSource {
        if s == "signIn" {
            EventSource::SignIn
        } else {
            EventSource::DirectoryAudit
        }
    }
}

/// One event of Microsoft's, as kept here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MicrosoftEvent {
    /// Microsoft's id for the event (the audit id, or the sign-in's id).
    pub audit_id: String,
    pub tenant: String,
    pub source: EventSource,
    /// When it happened (Microsoft's time, RFC 3339).
    pub at: String,
    /// "Invite external user", "Disable account", or "Sign-in" for a sign-in.
    pub activity: String,
    /// The guest it concerns.
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    /// Who did it (a person's sign-in name or an app's id).
    pub initiated_by: Option<String>,
    /// "success", "failure", or a sign-in's error code.
    pub result: Option<String>,
    /// Microsoft's record, whole.
    #[ts(type = "unknown")]
    pub raw: serde_json::Value,
}

impl Store {
    /// Keeps the events not kept yet (by Microsoft's id); returns how many were new.
    pub fn add_microsoft_events(&self, events: &[MicrosoftEvent]) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut added = 0;
        {
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO microsoft_events
                 (id, tenant, source, at, activity, user_id, user_email, initiated_by, result, raw, pulled_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for e in events {
                added += insert.execute(params![
                    e.audit_id,
                    e.tenant,
                    e.source.as_str(),
                    e.at,
                    e.activity,
                    e.user_id,
                    e.user_email,
                    e.initiated_by,
                    e.result,
                    e.raw.to_string(),
                    now
                ])?;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// The tenant's kept events, newest first: all of them, or those about one guest (by id, or
    /// by address or part of one, as History searches), since a time, at most `limit`.
    pub fn microsoft_events(
        &self,
        tenant: Option<&str>,
        guest: Option<&str>,
        since: Option<&str>,
        limit: u32,
    ) -> Result<Vec<MicrosoftEvent>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, tenant, source, at, activity, user_id, user_email, initiated_by, result, raw
             FROM microsoft_events
             WHERE (?1 IS NULL OR tenant = ?1)
               AND (?2 IS NULL OR user_id = ?2 OR instr(lower(user_email), lower(?2)) > 0)
               AND (?3 IS NULL OR at >= ?3)
             ORDER BY at DESC, id LIMIT ?4",
        )?;
        let rows = stmt.query_map(params![tenant, guest, since, limit], |r| {
            Ok(MicrosoftEvent {
                audit_id: r.get(0)?,
                tenant: r.get(1)?,
                source: EventSource::parse(&r.get::<_, String>(2)?),
                at: r.get(3)?,
                activity: r.get(4)?,
                user_id: r.get(5)?,
                user_email: r.get(6)?,
                initiated_by: r.get(7)?,
                result: r.get(8)?,
                raw: serde_json::from_str(&r.get::<_, String>(9)?).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The kept events a History filter selects: by tenant, guest words and time. A filter on
    /// Guestpass's own actions or results selects none of Microsoft's.
    pub fn microsoft_events_for(&self, f: &ChangeFilter) -> Result<Vec<MicrosoftEvent>> {
        if f.action.is_some() || f.result.is_some() {
            return Ok(Vec::new());
        }
        let limit = f.limit.unwrap_or(500);
        let mut events = self.microsoft_events(f.tenant.as_deref(), f.text.as_deref(), f.since.as_deref(), limit)?;
        if let Some(until) = &f.until {
            events.retain(|e| e.at < *until);
        }
        Ok(events)
    }

    /// How many events of the tenant are kept.
    pub fn count_microsoft_events(&self, tenant: &str) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM microsoft_events WHERE tenant = ?1",
            [tenant],
            |r| r.get(0),
        )?)
    }

    /// Up to when `source` was last read completely for the tenant.
    pub fn events_complete_until(&self, tenant: &str, source: EventSource) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT complete_until FROM microsoft_event_pulls WHERE tenant = ?1 AND source = ?2",
                [tenant, source.as_str()],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Records that `source` has been read completely up to `until` (only ever moves forward).
    pub fn set_events_complete_until(&self, tenant: &str, source: EventSource, until: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO microsoft_event_pulls (tenant, source, complete_until) VALUES (?1, ?2, ?3)
             ON CONFLICT(tenant, source) DO UPDATE SET complete_until = max(complete_until, excluded.complete_until)",
            [tenant, source.as_str(), until],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, at: &str, user: &str) -> MicrosoftEvent {
        MicrosoftEvent {
            audit_id: id.into(),
            tenant: "t".into(),
            source: EventSource::DirectoryAudit,
            at: at.into(),
            activity: "Update user".into(),
            user_id: Some(user.into()),
            user_email: Some(format!("{user}@x.example")),
            initiated_by: None,
            result: Some("success".into()),
            raw: serde_json::json!({"id": id}),
        }
    }

    #[test]
    fn each_event_is_kept_once_and_listed_newest_first() {
        let store = Store::open_in_memory().unwrap();
        let first = [
            event("a", "2026-11-01T00:00:00Z", "u1"),
            event("b", "2026-11-02T00:00:00Z", "u2"),
        ];
        assert_eq!(store.add_microsoft_events(&first).unwrap(), 2);
        let again = [
            event("b", "2026-11-02T00:00:00Z", "u2"),
            event("c", "2026-11-03T00:00:00Z", "u1"),
        ];
        assert_eq!(store.add_microsoft_events(&again).unwrap(), 1, "b was kept already");
        let all = store.microsoft_events(Some("t"), None, None, 10).unwrap();
        let ids: Vec<&str> = all.iter().map(|e| e.audit_id.as_str()).collect();
        assert_eq!(ids, ["c", "b", "a"]);
        let u1 = store
            .microsoft_events(Some("t"), Some("U1@x.example"), None, 10)
            .unwrap();
        assert_eq!(u1.len(), 2);
        assert_eq!(
            store
                .microsoft_events(Some("t"), None, Some("2026-11-02"), 10)
                .unwrap()
                .len(),
            2
        );
        assert_eq!(u1[0].raw["id"], "c");
    }

    #[test]
    fn the_pull_mark_only_moves_forward() {
        let store = Store::open_in_memory().unwrap();
        let src = EventSource::SignIn;
        assert_eq!(store.events_complete_until("t", src).unwrap(), None);
        store
            .set_events_complete_until("t", src, "2026-11-02T00:00:00Z")
            .unwrap();
        store
            .set_events_complete_until("t", src, "2026-11-01T00:00:00Z")
            .unwrap();
        assert_eq!(
            store.events_complete_until("t", src).unwrap().as_deref(),
            Some("2026-11-02T00:00:00Z")
        );
        assert_eq!(
            store.events_complete_until("t", EventSource::DirectoryAudit).unwrap(),
            None
        );
    }
}
