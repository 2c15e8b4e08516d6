//! "Guests must use MFA" (issue 12, point 2): one policy for every guest and external user
//! type from every external tenant, on all resources or on the Power Platform set Microsoft
//! says must be covered together, granting plain `mfa` (Google and one-time-passcode guests can
//! never satisfy an authentication strength). Always created report-only; switched on later.

use super::policy::{PolicySnapshot, PolicyState, SetPolicy};
use crate::action::{refuse, ActionKind, StepOutcome};
use crate::engine::Engine;
use crate::problem::Problem;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// The name Guestpass gives its guest MFA policy (and finds it by).
pub const GUEST_MFA_POLICY: &str = "Guestpass: guests must use MFA";

/// Every guest and external user type, as the flags string Microsoft expects.
pub(crate) const ALL_GUEST_TYPES: &str =
    "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider";

/// What Microsoft says a Power Platform policy must cover together: Dataverse, PowerApps
/// Service, Microsoft Flow Service, Power Platform API and Azure management (app ids).
pub const POWER_PLATFORM_APPS: [&str; 5] = [
    "00000007-0000-0000-c000-000000000000",
    "475226c6-020e-4fb2-8a90-7a972cbfc1d4",
    "7df0a125-d3be-4c96-aa54-591f83ff541c",
    "8578e004-a5c6-46e7-913e-12f58912df43",
    "797f4846-ba00-4fd7-ba43-dac1f8f63013",
];

/// Which resources the policy covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PolicyApps {
    /// Every resource (Microsoft's template; the simplest for a small organisation).
    All,
    /// Dataverse, Power Apps, Power Automate, Power Platform API and Azure management.
    PowerPlatform,
}

impl PolicyApps {
    pub(crate) fn ids(self) -> Vec<&'static str> {
        match self {
            PolicyApps::All => vec!["All"],
            PolicyApps::PowerPlatform => POWER_PLATFORM_APPS.to_vec(),
        }
    }
}

/// The policy body, with the emergency-access group left out.
fn guest_mfa_policy(apps: PolicyApps, emergency_group: &str) -> PolicySnapshot {
    PolicySnapshot {
        id: None,
        display_name: GUEST_MFA_POLICY.into(),
        state: PolicyState::ReportOnly.graph().into(),
        conditions: json!({
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": apps.ids()},
            "users": {
                "includeGuestsOrExternalUsers": {
                    "guestOrExternalUserTypes": ALL_GUEST_TYPES,
                    "externalTenants": {
                        "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants",
                        "membershipKind": "all"
                    }
                },
                "excludeGroups": [emergency_group]
            }
        }),
        grant_controls: json!({"operator": "OR", "builtInControls": ["mfa"]}),
    }
}

impl Engine {
    /// The tenant's policy named [`GUEST_MFA_POLICY`], if there is one.
    pub(crate) async fn guest_mfa_policy(&self) -> Result<Option<PolicySnapshot>, Problem> {
        let all = self
            .graph
            .conditional_access_policies()
            .await
            .map_err(|e| Problem::from_graph("Reading the Conditional Access policies", &e))?;
        Ok(all
            .iter()
            .find(|p| p["displayName"] == GUEST_MFA_POLICY)
            .map(PolicySnapshot::of))
    }

    /// The id of the guest MFA policy, if the tenant has one.
    pub async fn guest_mfa_policy_id(&self) -> Result<Option<String>, Problem> {
        Ok(self.guest_mfa_policy().await?.and_then(|p| p.id))
    }

    /// Creates the guest MFA policy, report-only, leaving out `emergency_group` (refused unless
    /// exactly one group has that name and someone in it is not a guest).
    pub async fn create_guest_mfa_policy(
        &self,
        apps: PolicyApps,
        emergency_group: &str,
    ) -> Result<StepOutcome, Problem> {
        self.conditional_access_ready().await?;
        let group_id = self.emergency_group(emergency_group).await?;
        let wanted = guest_mfa_policy(apps, &group_id);
        let existing = self.guest_mfa_policy().await?;
        if let Some(existing) = &existing {
            let same = existing.conditions["applications"]["includeApplications"]
                == wanted.conditions["applications"]["includeApplications"]
                && existing.conditions["users"]["excludeGroups"] == wanted.conditions["users"]["excludeGroups"];
            if !same {
                return Err(refuse(
                    format!("\"{GUEST_MFA_POLICY}\" already exists with other apps or another excluded group."),
                    "Delete it first (undo its creation in History, or delete it in Entra), or change it in Entra.",
                ));
            }
        }
        let action = SetPolicy {
            kind: ActionKind::CreateGuestPolicy,
            // An existing policy makes the plan "already so".
            to: existing.clone().or(Some(wanted)),
            from: existing,
            undoes: None,
        };
        self.run_step(&action).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_is_what_microsoft_expects() {
        let p = guest_mfa_policy(PolicyApps::PowerPlatform, "g1");
        assert_eq!(p.state, "enabledForReportingButNotEnforced");
        let guests = &p.conditions["users"]["includeGuestsOrExternalUsers"];
        assert!(
            guests["guestOrExternalUserTypes"].is_string(),
            "a flags string, not an array"
        );
        assert_eq!(guests["externalTenants"]["membershipKind"], "all");
        assert_eq!(p.conditions["users"]["excludeGroups"], json!(["g1"]));
        assert_eq!(
            p.conditions["applications"]["includeApplications"]
                .as_array()
                .unwrap()
                .len(),
            5
        );
        assert_eq!(p.grant_controls["builtInControls"], json!(["mfa"]));
    }
}
