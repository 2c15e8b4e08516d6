//! Every guest at a glance (issue 14, point 1) and which are stale or stuck (point 2's rules):
//! one paged read of the guests (500 per page with sign-in activity), one of the groups' members (a small
//! organisation has far fewer groups than guests), and the last sign-in as the latest of the
//! interactive, non-interactive and last successful ones — never only the interactive one.

use crate::engine::Engine;
use crate::problem::Problem;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use ts_rs::TS;

/// When a guest counts as stale or stuck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuestRules {
    /// No sign-in for this many days (and not created within them).
    pub stale_days: u32,
    /// Invitation not accepted after this many days.
    pub pending_days: u32,
}

impl Default for GuestRules {
    fn default() -> Self {
        GuestRules {
            stale_days: 90,
            pending_days: 30,
        }
    }
}

/// One guest, as the Guests list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuestRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// `PendingAcceptance` or `Accepted` (Microsoft's `externalUserState`).
    pub state: String,
    pub created_date_time: Option<String>,
    /// The latest sign-in of any kind; `None` when they never signed in or it cannot be read
    /// (then the list's `signInActivity` says why).
    pub last_sign_in: Option<String>,
    pub enabled: bool,
    pub home_domain: String,
    /// Their sponsors' addresses (or names, for a sponsor without one).
    pub sponsors: Vec<String>,
    pub licenses: Vec<String>,
    pub groups: Vec<String>,
    pub stale: bool,
    pub pending_too_long: bool,
}

/// The tenant's guests, and whether their sign-in activity could be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuestList {
    pub guests: Vec<GuestRow>,
    /// `available`, or `unavailable: <why>` (no Entra ID P1, or no `AuditLog.Read.All`).
    pub sign_in_activity: String,
    pub rules: GuestRules,
}

impl GuestList {
    /// One line per guest, for a spreadsheet (cells Excel would run as formulas neutralised).
    pub fn to_csv(&self) -> Result<String, Problem> {
        use guestpass_store::export::neutralise;
        let mut w = csv::Writer::from_writer(Vec::new());
        let failed = |e: csv::Error| Problem::internal(e);
        w.write_record([
            "email",
            "display name",
            "state",
            "created",
            "last sign-in",
            "enabled",
            "home domain",
            "licences",
            "groups",
            "stale",
            "pending too long",
        ])
        .map_err(failed)?;
        let activity_known = self.sign_in_activity == "available";
        for g in &self.guests {
            let last = match (&g.last_sign_in, activity_known) {
                (Some(t), _) => t.clone(),
                (None, true) => "never".into(),
                (None, false) => "unavailable".into(),
            };
            let yes = |b: bool| if b { "yes" } else { "no" }.to_string();
            let cells = [
                g.email.clone(),
                g.display_name.clone(),
                g.state.clone(),
                g.created_date_time.clone().unwrap_or_default(),
                last,
                yes(g.enabled),
                g.home_domain.clone(),
                g.licenses.join("; "),
                g.groups.join("; "),
                yes(g.stale),
                yes(g.pending_too_long),
            ];
            w.write_record(cells.iter().map(|c| neutralise(c))).map_err(failed)?;
        }
        let bytes = w.into_inner().map_err(|e| Problem::internal(e.to_string()))?;
        String::from_utf8(bytes).map_err(Problem::internal)
    }
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// The latest of the three sign-in times Microsoft keeps.
fn last_sign_in(activity: &Value) -> Option<DateTime<Utc>> {
    [
        "lastSignInDateTime",
        "lastNonInteractiveSignInDateTime",
        "lastSuccessfulSignInDateTime",
    ]
    .iter()
    .filter_map(|k| time(&activity[*k]))
    .max()
}

/// A guest's address as the list shows it: `mail`, else the first other mail, else the UPN.
pub(super) fn email_of(u: &Value) -> String {
    u["mail"]
        .as_str()
        .or_else(|| u["otherMails"][0].as_str())
        .or_else(|| u["userPrincipalName"].as_str())
        .unwrap_or_default()
        .to_lowercase()
}

/// A guest's row; `activity_known` says whether `signInActivity` was read at all.
fn row(
    u: &Value,
    activity_known: bool,
    rules: GuestRules,
    now: DateTime<Utc>,
    licenses: Vec<String>,
    groups: Vec<String>,
) -> GuestRow {
    let email = email_of(u);
    let state = u["externalUserState"].as_str().unwrap_or("Accepted").to_string();
    let created = time(&u["createdDateTime"]);
    let last = last_sign_in(&u["signInActivity"]);
    let older_than = |t: Option<DateTime<Utc>>, days: u32| t.is_some_and(|t| now - t > Duration::days(days.into()));
    // Stale only when we know: activity read, accepted, not created recently, no recent sign-in.
    let stale = activity_known
        && state == "Accepted"
        && older_than(created, rules.stale_days)
        && (last.is_none() || older_than(last, rules.stale_days));
    let invited = time(&u["externalUserStateChangeDateTime"]).or(created);
    let pending_too_long = state == "PendingAcceptance" && older_than(invited, rules.pending_days);
    GuestRow {
        id: u["id"].as_str().unwrap_or_default().into(),
        display_name: u["displayName"].as_str().unwrap_or_default().into(),
        home_domain: email.rsplit_once('@').map(|(_, d)| d.to_string()).unwrap_or_default(),
        email,
        state,
        created_date_time: u["createdDateTime"].as_str().map(str::to_string),
        last_sign_in: last.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        enabled: u["accountEnabled"].as_bool().unwrap_or(true),
        sponsors: u["sponsors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["mail"].as_str().or_else(|| s["displayName"].as_str()))
            .map(str::to_lowercase)
            .collect(),
        licenses,
        groups,
        stale,
        pending_too_long,
    }
}

impl Engine {
    /// Every guest with their state, last sign-in, licences and groups, and who is stale or
    /// stuck under `rules`. Reads only.
    pub async fn guest_list(&self, rules: GuestRules) -> Result<GuestList, Problem> {
        let read = |e: guestpass_graph::GraphError| Problem::from_graph("Reading the tenant's guests", &e);
        let (users, sign_in_activity) = match self.graph.guests_for_list(true).await {
            Ok(users) => (users, "available".to_string()),
            Err(e) if matches!(e.status(), Some(400 | 403)) => {
                let why = format!("unavailable: {} ({})", e, e.hint());
                (self.graph.guests_for_list(false).await.map_err(read)?, why)
            }
            Err(e) => return Err(read(e)),
        };
        let skus = self
            .graph
            .subscribed_skus()
            .await
            .map_err(|e| Problem::from_graph("Reading the tenant's licences", &e))?;
        let sku_name: HashMap<String, String> = skus
            .iter()
            .map(|s| (s.sku_id.to_lowercase(), s.sku_part_number.clone()))
            .collect();
        let groups_of = self.group_names_by_member().await?;
        let now = Utc::now();
        let known = sign_in_activity == "available";
        let mut guests: Vec<GuestRow> = users
            .iter()
            .map(|u| {
                let licenses = u["assignedLicenses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|l| l["skuId"].as_str())
                    .map(|id| {
                        sku_name
                            .get(&id.to_lowercase())
                            .cloned()
                            .unwrap_or_else(|| id.to_string())
                    })
                    .collect();
                let id = u["id"].as_str().unwrap_or_default();
                let groups = groups_of.get(id).cloned().unwrap_or_default();
                row(u, known, rules, now, licenses, groups)
            })
            .collect();
        // Someone an admin enabled again within the window has been decided on: not stale. The
        // audit log is asked only when someone would be called stale (it costs a report read).
        if guests.iter().any(|g| g.stale) {
            let re_enabled = self
                .enabled_again_since(now - Duration::days(rules.stale_days.into()))
                .await;
            for g in guests.iter_mut().filter(|g| re_enabled.contains(&g.id)) {
                g.stale = false;
            }
        }
        guests.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(GuestList {
            guests,
            sign_in_activity,
            rules,
        })
    }

    /// Who had their account enabled again since `since`: from the directory audit log (it keeps
    /// 30 days at most) and from the events pulled into the local store before.
    async fn enabled_again_since(&self, since: DateTime<Utc>) -> HashSet<String> {
        let since = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut ids: HashSet<String> = match self.graph.accounts_enabled_since(&since).await {
            Ok(ids) => ids.into_iter().collect(),
            Err(e) => {
                tracing::warn!(error = %e, "the directory audit log could not be read; using pulled events only");
                HashSet::new()
            }
        };
        let kept = self
            .store
            .microsoft_events(Some(&self.info.tenant_id), None, Some(&since), u32::MAX)
            .unwrap_or_default();
        ids.extend(
            kept.into_iter()
                .filter(|e| e.activity == "Enable account")
                .filter_map(|e| e.user_id),
        );
        ids
    }

    /// Each member's groups, by name: one read of the groups, one of each group's members.
    async fn group_names_by_member(&self) -> Result<HashMap<String, Vec<String>>, Problem> {
        let read = |e: guestpass_graph::GraphError| Problem::from_graph("Reading the groups", &e);
        let groups = self.graph.all_groups().await.map_err(read)?;
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for g in groups {
            let name = g.display_name.clone().unwrap_or_else(|| g.id.clone());
            for m in self.graph.group_members(&g.id).await.map_err(read)? {
                out.entry(m.id).or_default().push(name.clone());
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn stale_means_no_sign_in_of_any_kind_and_pending_means_too_long_unaccepted() {
        let now = at("2026-11-30T00:00:00Z");
        let rules = GuestRules::default();
        let guest = |state: &str, created: &str, activity: Value| {
            json!({"id": "g", "mail": "A@Fabrikam.example", "externalUserState": state,
                   "createdDateTime": created, "externalUserStateChangeDateTime": created, "signInActivity": activity})
        };
        let old = "2025-01-01T00:00:00Z";
        let interactive_only_old =
            json!({"lastSignInDateTime": old, "lastNonInteractiveSignInDateTime": "2026-11-20T00:00:00Z"});
        let r = row(
            &guest("Accepted", old, interactive_only_old),
            true,
            rules,
            now,
            vec![],
            vec![],
        );
        assert!(!r.stale, "active non-interactively is not stale");
        assert_eq!(r.last_sign_in.as_deref(), Some("2026-11-20T00:00:00Z"));
        assert_eq!(
            (r.email.as_str(), r.home_domain.as_str()),
            ("a@fabrikam.example", "fabrikam.example")
        );
        let r = row(
            &guest("Accepted", old, json!({"lastSignInDateTime": old})),
            true,
            rules,
            now,
            vec![],
            vec![],
        );
        assert!(r.stale);
        let r = row(
            &guest("Accepted", "2026-11-01T00:00:00Z", Value::Null),
            true,
            rules,
            now,
            vec![],
            vec![],
        );
        assert!(!r.stale, "created recently");
        let r = row(&guest("Accepted", old, Value::Null), false, rules, now, vec![], vec![]);
        assert!(!r.stale, "unknown activity is never called stale");
        let r = row(
            &guest("PendingAcceptance", old, Value::Null),
            true,
            rules,
            now,
            vec![],
            vec![],
        );
        assert!(r.pending_too_long && !r.stale);
    }
}
