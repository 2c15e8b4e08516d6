//! Finding the guest a step acts on (riding out replication right after an invitation), and
//! the summary the wizard shows before changing them.

use super::groups::GroupOption;
use crate::engine::Engine;
use crate::problem::Problem;
use crate::validate;
use guestpass_graph::models::UserProfile;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Which guest a step acts on: their address, and their object id when already known
/// (right after an invitation the directory may not find them by address yet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuestRef {
    pub email: String,
    pub user_id: Option<String>,
}

impl GuestRef {
    pub fn email(email: &str) -> GuestRef {
        GuestRef {
            email: email.to_string(),
            user_id: None,
        }
    }

    /// The same guest with a checked, trimmed address.
    pub(crate) fn checked(&self) -> Result<GuestRef, Problem> {
        let email = validate::email("email", &self.email).map_err(|e| Problem::invalid(vec![e]))?;
        Ok(GuestRef {
            email,
            user_id: self.user_id.clone(),
        })
    }
}

/// What the wizard shows about a guest before changing them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuestSummary {
    pub email: String,
    pub user_id: String,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub usage_location: Option<String>,
    /// `PendingAcceptance` or `Accepted`.
    pub state: Option<String>,
    /// Licence part numbers.
    pub licenses: Vec<String>,
    pub groups: Vec<GroupOption>,
}

impl Engine {
    /// The guest's current profile, riding out replication right after an invitation.
    pub(crate) async fn guest_profile(&self, guest: &GuestRef) -> Result<UserProfile, Problem> {
        let id = match &guest.user_id {
            Some(id) => id.clone(),
            None => {
                let found = self
                    .graph
                    .find_users_by_email(&guest.email)
                    .await
                    .map_err(|e| Problem::from_graph(&format!("Looking up {}", guest.email), &e))?;
                match found.into_iter().next() {
                    Some(u) => u.id,
                    None => {
                        return Err(Problem::field(
                            "email",
                            format!("{} is not in this tenant yet.", guest.email),
                            "Invite them first (give a redirect URL), then run this step again.",
                        ))
                    }
                }
            }
        };
        self.until_replicated(
            || self.graph.user_profile(&id),
            |r| matches!(r, Err(e) if e.is_not_found()),
        )
        .await
        .map(|a| a.body)
        .map_err(|e| Problem::from_graph(&format!("Reading {}", guest.email), &e))
    }

    pub async fn guest_summary(&self, guest: &GuestRef) -> Result<GuestSummary, Problem> {
        let guest = guest.checked()?;
        let p = self.guest_profile(&guest).await?;
        let skus = self
            .graph
            .subscribed_skus()
            .await
            .map_err(|e| Problem::from_graph("Reading the tenant's licences", &e))?;
        let groups = self
            .graph
            .member_of(&p.id)
            .await
            .map_err(|e| Problem::from_graph("Reading group memberships", &e))?;
        let licenses = p
            .assigned_licenses
            .iter()
            .map(|l| {
                skus.iter()
                    .find(|s| s.sku_id.eq_ignore_ascii_case(&l.sku_id))
                    .map(|s| s.sku_part_number.clone())
                    .unwrap_or_else(|| l.sku_id.clone())
            })
            .collect();
        Ok(GuestSummary {
            email: guest.email,
            user_id: p.id,
            display_name: p.display_name,
            given_name: p.given_name,
            surname: p.surname,
            usage_location: p.usage_location,
            state: p.external_user_state,
            licenses,
            groups: groups.into_iter().map(GroupOption::from).collect(),
        })
    }
}
