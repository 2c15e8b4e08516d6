//! Evidence kept beyond Microsoft's retention (issue 14, point 6): guest-related directory audit
//! events and, where the tenant has Entra ID P1, guests' sign-ins, copied into the local store —
//! each event once (by Microsoft's id), incrementally (from where the last complete read ended),
//! page by page within the identity reports' limit (the Graph client keeps five reads per ten
//! seconds). A stopped or failed pull keeps what it read and starts over its window next time.

use crate::bulk::run::RunControl;
use crate::engine::Engine;
use crate::problem::{Problem, ProblemKind};
use chrono::{Duration, NaiveDate, SecondsFormat, Utc};
use guestpass_store::{EventSource, MicrosoftEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use ts_rs::TS;

/// Read again from a little before the last complete read: Microsoft's logs can land late.
const OVERLAP_MINUTES: i64 = 15;
/// Microsoft keeps 30 days at most (7 without P1): a first pull asks for that much.
const FIRST_PULL_DAYS: i64 = 30;

/// What a pull is doing, streamed while it works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PullProgress {
    pub source: EventSource,
    /// Pages read from this log so far.
    pub pages: u32,
    /// Entries on them about guests.
    pub guest_events: u32,
}

/// What a pull found and kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PullReport {
    /// Directory audit events about guests read, and how many of them were new here.
    pub directory_audits_read: u32,
    pub directory_audits_new: u32,
    pub sign_ins_read: u32,
    pub sign_ins_new: u32,
    /// `available`, or `unavailable: <why>` (no Entra ID P1, no permission).
    pub sign_ins: String,
    /// Where this pull started reading (RFC 3339).
    pub since: String,
    /// All events of this tenant kept here now.
    #[ts(type = "number")]
    pub kept: i64,
    /// Stopped before the end: what was read is kept; the next pull reads the window again.
    pub stopped: bool,
}

/// Turns one log entry into the event kept, when it concerns a guest.
type PickEvent = fn(&str, &Value, &GuestIndex) -> Option<MicrosoftEvent>;

/// A guest of the tenant, as the logs name them.
struct GuestIndex {
    by_id: HashMap<String, String>,
}

impl GuestIndex {
    /// The guest's address, if `id` is a guest (or a UPN that says it is one).
    fn email(&self, id: &str, upn: Option<&str>) -> Option<String> {
        if let Some(mail) = self.by_id.get(id) {
            return Some(mail.clone());
        }
        // A guest removed since still shows as one in the log: `name_domain#EXT#@tenant`.
        let upn = upn?;
        let local = upn.split_once("#EXT#")?.0;
        let (name, domain) = local.rsplit_once('_')?;
        Some(format!("{name}@{domain}").to_lowercase())
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A date (`2026-11-01`) or a time, as the logs' filters want it.
fn as_time(since: &str) -> Result<String, Problem> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(since) {
        return Ok(t.with_timezone(&Utc).to_rfc3339_opts(SecondsFormat::Secs, true));
    }
    NaiveDate::parse_from_str(since, "%Y-%m-%d")
        .map(|d| format!("{}T00:00:00Z", d.format("%Y-%m-%d")))
        .map_err(|_| {
            Problem::field(
                "since",
                format!("\"{since}\" is not a date"),
                "Give a date like 2026-11-01 or a time like 2026-11-01T09:00:00Z.",
            )
        })
}

/// The directory audit entry as kept, when it concerns a guest.
fn audit_event(tenant: &str, entry: &Value, guests: &GuestIndex) -> Option<MicrosoftEvent> {
    let (user_id, email) = entry["targetResources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| t["type"] == "User")
        .find_map(|t| {
            let id = t["id"].as_str()?;
            guests
                .email(id, t["userPrincipalName"].as_str())
                .map(|e| (id.to_string(), e))
        })?;
    let by = &entry["initiatedBy"];
    let initiated_by = by["user"]["userPrincipalName"]
        .as_str()
        .or_else(|| by["user"]["id"].as_str())
        .or_else(|| by["app"]["displayName"].as_str())
        .or_else(|| by["app"]["appId"].as_str())
        .map(str::to_string);
    Some(MicrosoftEvent {
        audit_id: entry["id"].as_str()?.to_string(),
        tenant: tenant.to_string(),
        source: EventSource::DirectoryAudit,
        at: entry["activityDateTime"].as_str()?.to_string(),
        activity: entry["activityDisplayName"].as_str().unwrap_or("Unknown").to_string(),
        user_id: Some(user_id),
        user_email: Some(email),
        initiated_by,
        result: entry["result"].as_str().map(str::to_string),
        raw: entry.clone(),
    })
}

/// The sign-in as kept, when a guest made it.
fn sign_in_event(tenant: &str, entry: &Value, guests: &GuestIndex) -> Option<MicrosoftEvent> {
    let user_id = entry["userId"].as_str()?;
    let email = guests.email(user_id, entry["userPrincipalName"].as_str())?;
    let app = entry["appDisplayName"]
        .as_str()
        .or(entry["appId"].as_str())
        .unwrap_or("an app");
    let code = entry["status"]["errorCode"].as_i64().unwrap_or(0);
    Some(MicrosoftEvent {
        audit_id: entry["id"].as_str()?.to_string(),
        tenant: tenant.to_string(),
        source: EventSource::SignIn,
        at: entry["createdDateTime"].as_str()?.to_string(),
        activity: format!("Sign-in to {app}"),
        user_id: Some(user_id.to_string()),
        user_email: Some(email),
        initiated_by: entry["userPrincipalName"].as_str().map(str::to_string),
        result: Some(if code == 0 {
            "success".into()
        } else {
            format!("failure {code}")
        }),
        raw: entry.clone(),
    })
}

impl Engine {
    /// Copies what Microsoft's logs hold about guests into the local store. `since` (a date or
    /// time) overrides where the pull starts; otherwise it continues from the last complete one.
    pub async fn pull_audit_events(
        &self,
        since: Option<&str>,
        on_progress: &(dyn Fn(PullProgress) + Send + Sync),
        control: &RunControl,
    ) -> Result<PullReport, Problem> {
        let asked = since.map(as_time).transpose()?;
        let tenant = self.info.tenant_id.clone();
        let guests = self
            .graph
            .list_guests(None)
            .await
            .map_err(|e| Problem::from_graph("Reading the tenant's guests", &e))?;
        let guests = GuestIndex {
            by_id: guests
                .iter()
                .map(|g| {
                    let mail = g
                        .mail
                        .clone()
                        .or_else(|| g.user_principal_name.clone())
                        .unwrap_or_default();
                    (g.id.clone(), mail.to_lowercase())
                })
                .collect(),
        };
        let start_of = |source: EventSource| -> Result<String, Problem> {
            if let Some(s) = &asked {
                return Ok(s.clone());
            }
            let mark = self
                .store
                .events_complete_until(&tenant, source)
                .map_err(Problem::local)?;
            let first = Utc::now() - Duration::days(FIRST_PULL_DAYS);
            let from = mark
                .and_then(|m| chrono::DateTime::parse_from_rfc3339(&m).ok())
                .map(|m| m.with_timezone(&Utc) - Duration::minutes(OVERLAP_MINUTES))
                .map_or(first, |m| m.max(first));
            Ok(from.to_rfc3339_opts(SecondsFormat::Secs, true))
        };
        let audit_since = start_of(EventSource::DirectoryAudit)?;
        let mut report = PullReport {
            directory_audits_read: 0,
            directory_audits_new: 0,
            sign_ins_read: 0,
            sign_ins_new: 0,
            sign_ins: "available".into(),
            since: audit_since.clone(),
            kept: 0,
            stopped: false,
        };

        let window_end = now();
        let (read, new, complete) = self
            .pull_log(EventSource::DirectoryAudit, &audit_since, &guests, on_progress, control)
            .await?;
        report.directory_audits_read = read;
        report.directory_audits_new = new;
        report.stopped = !complete;
        if complete {
            self.store
                .set_events_complete_until(&tenant, EventSource::DirectoryAudit, &window_end)
                .map_err(Problem::local)?;
        }

        if complete {
            if !self.has_p1().await? {
                report.sign_ins = "unavailable: the sign-in log needs Microsoft Entra ID P1 or P2".into();
            } else {
                let window_end = now();
                let since = start_of(EventSource::SignIn)?;
                match self
                    .pull_log(EventSource::SignIn, &since, &guests, on_progress, control)
                    .await
                {
                    Ok((read, new, complete)) => {
                        report.sign_ins_read = read;
                        report.sign_ins_new = new;
                        report.stopped = !complete;
                        if complete {
                            self.store
                                .set_events_complete_until(&tenant, EventSource::SignIn, &window_end)
                                .map_err(Problem::local)?;
                        }
                    }
                    // Refused (no permission, a licence Microsoft does not see): say why, keep the rest.
                    Err(p) if p.kind == ProblemKind::Microsoft => {
                        report.sign_ins = format!("unavailable: {} {}", p.message, p.hint);
                    }
                    Err(p) => return Err(p),
                }
            }
        }
        report.kept = self.store.count_microsoft_events(&tenant).map_err(Problem::local)?;
        Ok(report)
    }

    /// Reads one log from `since`, page by page, keeping each page's guest events as it goes.
    /// Returns (guest events read, new here, whether the whole window was read).
    async fn pull_log(
        &self,
        source: EventSource,
        since: &str,
        guests: &GuestIndex,
        on_progress: &(dyn Fn(PullProgress) + Send + Sync),
        control: &RunControl,
    ) -> Result<(u32, u32, bool), Problem> {
        let tenant = &self.info.tenant_id;
        let (what, pick): (&str, PickEvent) = match source {
            EventSource::DirectoryAudit => ("Reading the directory audit log", audit_event),
            EventSource::SignIn => ("Reading the sign-in log", sign_in_event),
        };
        let (mut pages, mut read, mut new) = (0u32, 0u32, 0u32);
        let mut next: Option<String> = None;
        loop {
            if control.is_cancelled() {
                return Ok((read, new, false));
            }
            let page = match source {
                EventSource::DirectoryAudit => self.graph.directory_audits_page(since, next.as_deref()).await,
                EventSource::SignIn => self.graph.sign_ins_page(since, next.as_deref()).await,
            }
            .map_err(|e| Problem::from_graph(what, &e))?;
            let events: Vec<MicrosoftEvent> = page.value.iter().filter_map(|e| pick(tenant, e, guests)).collect();
            new += self.store.add_microsoft_events(&events).map_err(Problem::local)? as u32;
            read += events.len() as u32;
            pages += 1;
            on_progress(PullProgress {
                source,
                pages,
                guest_events: read,
            });
            match page.next {
                Some(link) => next = Some(link),
                None => return Ok((read, new, true)),
            }
        }
    }

    /// What Microsoft's logs said about one guest (by id or address), as kept here, newest first.
    pub fn guest_microsoft_events(&self, guest: &str, limit: u32) -> Result<Vec<MicrosoftEvent>, Problem> {
        self.store
            .microsoft_events(Some(&self.info.tenant_id), Some(guest), None, limit)
            .map_err(Problem::local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn index() -> GuestIndex {
        GuestIndex {
            by_id: [("g1".to_string(), "ana@fabrikam.example".to_string())].into(),
        }
    }

    #[test]
    fn only_events_about_guests_are_kept_and_removed_guests_are_known_by_their_upn() {
        let about = |id: &str, upn: &str| {
            json!({"id": "a1", "activityDisplayName": "Update user", "activityDateTime": "2026-11-01T00:00:00Z",
                   "result": "success", "initiatedBy": {"app": {"appId": "app-1", "displayName": null}, "user": null},
                   "targetResources": [{"id": id, "type": "User", "userPrincipalName": upn}]})
        };
        let ana = audit_event("t", &about("g1", "x"), &index()).unwrap();
        assert_eq!(ana.user_email.as_deref(), Some("ana@fabrikam.example"));
        assert_eq!(ana.initiated_by.as_deref(), Some("app-1"));
        let gone = audit_event("t", &about("g9", "li_contoso.example#EXT#@northwind.example"), &index()).unwrap();
        assert_eq!(gone.user_email.as_deref(), Some("li@contoso.example"));
        assert!(
            audit_event("t", &about("m1", "megan@northwind.example"), &index()).is_none(),
            "a member is not a guest"
        );
    }

    #[test]
    fn a_since_is_a_date_or_a_time() {
        assert_eq!(as_time("2026-11-01").unwrap(), "2026-11-01T00:00:00Z");
        assert_eq!(as_time("2026-11-01T10:00:00+01:00").unwrap(), "2026-11-01T09:00:00Z");
        assert!(as_time("last week").is_err());
    }
}
