//! Onboarding over time, for the History chart: invitations and licences from the change log,
//! redemptions from the tenant (only Microsoft knows when a guest accepted).

use crate::connect::Engine;
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
        let count = |action: &str| {
            self.store
                .daily_counts(&self.info.tenant_id, action, &since)
                .map_err(Problem::local)
        };
        for (day, n) in count("invite_guest")? {
            if let Some(d) = out.iter_mut().find(|d| d.day == day) {
                d.invited = n as u32;
            }
        }
        for (day, n) in count("assign_license")? {
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
}
