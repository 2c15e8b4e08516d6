//! History: the change log's queries, integrity check and exports, and onboarding over time
//! for its chart (invitations and licences from the change log, redemptions from the tenant:
//! only Microsoft knows when a guest accepted).

use crate::action::ActionKind;
use crate::engine::Engine;
use crate::problem::Problem;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DayActivity {
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub invited: u32,
    pub redeemed: u32,
    pub licensed: u32,
}

impl Engine {
    /// One entry per day for the last `days` days, oldest first.
    pub async fn onboarding_activity(&self, days: u32) -> Result<Vec<DayActivity>, Problem> {
        let today = chrono::Utc::now().date_naive();
        let first = today - chrono::Days::new(u64::from(days.max(1)) - 1);
        let mut out: Vec<DayActivity> = first
            .iter_days()
            .take_while(|d| *d <= today)
            .map(|d| DayActivity {
                day: d.format("%Y-%m-%d").to_string(),
                invited: 0,
                redeemed: 0,
                licensed: 0,
            })
            .collect();
        let since = first.format("%Y-%m-%d").to_string();
        let count = |action: ActionKind| {
            self.store
                .daily_counts(&self.info.tenant_id, action.name(), &since)
                .map_err(Problem::local)
        };
        for (day, n) in count(ActionKind::InviteGuest)? {
            if let Some(d) = out.iter_mut().find(|d| d.day == day) {
                d.invited = n as u32;
            }
        }
        for (day, n) in count(ActionKind::AssignLicense)? {
            if let Some(d) = out.iter_mut().find(|d| d.day == day) {
                d.licensed = n as u32;
            }
        }
        let guests = self
            .graph
            .list_guests(None)
            .await
            .map_err(|e| Problem::from_graph("Reading the tenant's guests", &e))?;
        for g in guests
            .iter()
            .filter(|g| g.external_user_state.as_deref() == Some("Accepted"))
        {
            let day = g
                .external_user_state_change_date_time
                .as_deref()
                .unwrap_or_default()
                .get(..10)
                .unwrap_or_default();
            if let Some(d) = out.iter_mut().find(|d| d.day == day) {
                d.redeemed += 1;
            }
        }
        Ok(out)
    }

    /// The newest changes, newest first.
    pub fn recent_changes(&self, limit: u32) -> Result<Vec<guestpass_store::ChangeRecord>, Problem> {
        self.store.recent_changes(limit).map_err(Problem::local)
    }

    pub fn query_changes(
        &self,
        filter: &guestpass_store::ChangeFilter,
    ) -> Result<Vec<guestpass_store::ChangeRecord>, Problem> {
        self.store.query_changes(filter).map_err(Problem::local)
    }

    pub fn count_changes(&self, filter: &guestpass_store::ChangeFilter) -> Result<i64, Problem> {
        self.store.count_changes(filter).map_err(Problem::local)
    }

    /// The tenants History has changes for.
    pub fn history_tenants(&self) -> Result<Vec<String>, Problem> {
        self.store.tenants().map_err(Problem::local)
    }

    /// Walks the change log's hash chain.
    pub fn verify_history(&self) -> Result<guestpass_store::ChainReport, Problem> {
        self.store.verify_chain().map_err(Problem::local)
    }

    /// Writes the filtered changes, and the events pulled from Microsoft's logs that match, to `path` (the admin chose it) and returns the path.
    /// `json` picks JSON over CSV.
    pub fn export_history(
        &self,
        filter: &guestpass_store::ChangeFilter,
        json: bool,
        path: &std::path::Path,
    ) -> Result<String, Problem> {
        let rows = self.query_changes(filter)?;
        let events = self.store.microsoft_events_for(filter).map_err(Problem::local)?;
        let text = if json {
            guestpass_store::export::to_json(&rows, &events)
        } else {
            guestpass_store::export::to_csv(&rows, &events)
        }
        .map_err(Problem::internal)?;
        std::fs::write(path, text)
            .map_err(|e| Problem::on_this_computer(format!("cannot write {}: {e}", path.display())))?;
        Ok(path.display().to_string())
    }

    /// The name an export is suggested under, e.g. `guestpass-history-20261130-1830.csv`.
    pub fn history_export_name(json: bool) -> String {
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        format!("guestpass-history-{stamp}.{}", if json { "json" } else { "csv" })
    }
}
