//! Reading what protects guests now (issue 12, point 1).

use crate::engine::Engine;
use crate::problem::Problem;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// The six guest and external user types; all of them is "every guest".
const ALL_GUEST_TYPES: &[&str] = &[
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
];
/// Dataverse's app id: a policy covering it (or all resources) covers the guests' Power Apps.
const DATAVERSE: &str = "00000007-0000-0000-c000-000000000000";
/// Service plans that bring Conditional Access (Entra ID P1, also in P2).
const P1_PLANS: &[&str] = &["AAD_PREMIUM", "AAD_PREMIUM_P2"];

/// One Conditional Access policy that applies to guests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuestPolicy {
    pub id: String,
    pub display_name: String,
    /// `enabled`, `disabled` or `enabledForReportingButNotEnforced` (report-only).
    pub state: String,
    /// Which guests, in words ("every guest and external user type", "B2B collaboration guests"…).
    pub guests: String,
    /// Which apps, in words ("all resources", "Dataverse", "3 apps").
    pub apps: String,
    /// What it asks for: `mfa`, `block`, `compliantDevice`, "authentication strength", …
    pub requires: Vec<String>,
    /// Whether it covers the guests' Dataverse and Power Apps.
    pub covers_dataverse: bool,
}

/// A named location, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NamedLocationSummary {
    pub id: String,
    pub display_name: String,
    /// "countries: GB, IE" or "3 IP ranges (trusted)".
    pub what: String,
}

/// What protects guests now, and what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuestProtection {
    /// The tenant has Entra ID P1 or P2 (Conditional Access needs it).
    pub has_p1: bool,
    /// Security defaults are on (then no Conditional Access policy can be switched on).
    pub security_defaults: Option<bool>,
    pub policies: Vec<GuestPolicy>,
    pub named_locations: Vec<NamedLocationSummary>,
    /// Plain statements of what is missing or at risk, most important first.
    pub gaps: Vec<String>,
    /// Why part of the picture could not be read (a missing permission, no licence).
    pub unreadable: Vec<String>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// Which guests a policy's user condition includes, in words; `None` when it includes none.
/// Microsoft stores guests two ways: the legacy `GuestsOrExternalUsers` value in `includeUsers`
/// and the structured `includeGuestsOrExternalUsers`.
fn guests_included(users: &Value) -> Option<String> {
    let include_users = strings(&users["includeUsers"]);
    if include_users.iter().any(|u| u == "All") {
        return Some("everyone (guests included)".into());
    }
    if include_users.iter().any(|u| u == "GuestsOrExternalUsers") {
        return Some("every guest and external user (older setting)".into());
    }
    let types = users["includeGuestsOrExternalUsers"]["guestOrExternalUserTypes"].as_str()?;
    let types: Vec<&str> = types.split(',').map(str::trim).filter(|t| *t != "none").collect();
    if types.is_empty() {
        return None;
    }
    let all = ALL_GUEST_TYPES.iter().all(|t| types.contains(t));
    let tenants = &users["includeGuestsOrExternalUsers"]["externalTenants"];
    let from = match tenants["membershipKind"].as_str() {
        Some("enumerated") => format!(" from {} named tenant(s)", strings(&tenants["members"]).len()),
        _ => String::new(),
    };
    Some(if all {
        format!("every guest and external user type{from}")
    } else {
        format!("{}{from}", types.join(", "))
    })
}

impl GuestPolicy {
    fn of(p: &Value) -> Option<GuestPolicy> {
        let conditions = &p["conditions"];
        let guests = guests_included(&conditions["users"])?;
        let apps = strings(&conditions["applications"]["includeApplications"]);
        let covers_dataverse = apps.iter().any(|a| a == "All" || a.eq_ignore_ascii_case(DATAVERSE));
        let power_platform = crate::protect::POWER_PLATFORM_APPS
            .iter()
            .all(|id| apps.iter().any(|a| a.eq_ignore_ascii_case(id)));
        let apps_words = match apps.as_slice() {
            [one] if one == "All" => "all resources".to_string(),
            _ if power_platform && apps.len() == 5 => "the Power Platform apps".to_string(),
            [one] if one.eq_ignore_ascii_case(DATAVERSE) => "Dataverse".to_string(),
            [] => "user actions or authentication contexts".to_string(),
            more => format!("{} apps", more.len()),
        };
        let mut requires = strings(&p["grantControls"]["builtInControls"]);
        if !p["grantControls"]["authenticationStrength"].is_null() {
            requires.push("authentication strength".into());
        }
        if !p["sessionControls"].is_null() {
            requires.push("session controls".into());
        }
        Some(GuestPolicy {
            id: p["id"].as_str().unwrap_or_default().into(),
            display_name: p["displayName"].as_str().unwrap_or_default().into(),
            state: p["state"].as_str().unwrap_or_default().into(),
            guests,
            apps: apps_words,
            requires,
            covers_dataverse,
        })
    }

    fn asks_for_mfa(&self) -> bool {
        self.requires
            .iter()
            .any(|r| r == "mfa" || r == "block" || r == "authentication strength")
    }
}

fn location_summary(l: &Value) -> NamedLocationSummary {
    let what = if l["@odata.type"] == "#microsoft.graph.countryNamedLocation" {
        format!("countries: {}", strings(&l["countriesAndRegions"]).join(", "))
    } else {
        let n = l["ipRanges"].as_array().map_or(0, Vec::len);
        let trusted = if l["isTrusted"] == true { " (trusted)" } else { "" };
        format!("{n} IP range{}{trusted}", if n == 1 { "" } else { "s" })
    };
    NamedLocationSummary {
        id: l["id"].as_str().unwrap_or_default().into(),
        display_name: l["displayName"].as_str().unwrap_or_default().into(),
        what,
    }
}

/// What is missing, from what was read.
fn gaps(p: &GuestProtection) -> Vec<String> {
    let mut out = Vec::new();
    if !p.has_p1 {
        out.push("The tenant has no Entra ID P1: Conditional Access cannot protect guests (security defaults are the only MFA).".into());
    }
    if p.security_defaults == Some(true) {
        out.push("Security defaults are on: they ask everyone for MFA, but no Conditional Access policy can be switched on until they are off.".into());
    }
    let guarding: Vec<&GuestPolicy> = p
        .policies
        .iter()
        .filter(|x| x.covers_dataverse && x.asks_for_mfa())
        .collect();
    let enforced = guarding.iter().any(|x| x.state == "enabled");
    if p.has_p1 && p.security_defaults != Some(true) && !enforced {
        match guarding.iter().find(|x| x.state == "enabledForReportingButNotEnforced") {
            Some(x) => out.push(format!(
                "Guests can reach Dataverse without MFA: \"{}\" only reports (report-only) and enforces nothing yet.",
                x.display_name
            )),
            None => out.push(
                "Guests can reach Dataverse without MFA: no policy asks guests for MFA on Dataverse or all resources."
                    .into(),
            ),
        }
    }
    for x in &p.policies {
        if x.requires.iter().any(|r| r == "authentication strength") {
            out.push(format!("\"{}\" asks guests for an authentication strength, which Google and e-mail one-time-passcode guests can never satisfy; use the plain MFA grant for guests.", x.display_name));
        }
    }
    out
}

impl Engine {
    /// Whether the tenant has Entra ID P1 or P2 (from its subscriptions' service plans).
    pub(crate) async fn has_p1(&self) -> Result<bool, Problem> {
        self.has_service_plan(P1_PLANS).await
    }

    /// Whether a subscription of the tenant that is not suspended carries one of `plans`.
    pub(crate) async fn has_service_plan(&self, plans: &[&str]) -> Result<bool, Problem> {
        let skus = self
            .graph
            .subscribed_skus()
            .await
            .map_err(|e| Problem::from_graph("Reading the tenant's licences", &e))?;
        Ok(skus.iter().any(|s| {
            s.capability_status.as_deref() != Some("Suspended")
                && s.service_plans
                    .iter()
                    .any(|p| plans.contains(&p.service_plan_name.as_str()))
        }))
    }

    /// What protects guests now. Reads only; each part that cannot be read is named, not guessed.
    pub async fn guest_protection(&self) -> Result<GuestProtection, Problem> {
        let has_p1 = self.has_p1().await?;
        let mut unreadable = Vec::new();
        let security_defaults = match self.graph.security_defaults_enabled().await {
            Ok(on) => Some(on),
            Err(e) => {
                unreadable.push(format!("Security defaults: {} ({})", e, e.hint()));
                None
            }
        };
        let (mut policies, mut named_locations) = (Vec::new(), Vec::new());
        if has_p1 {
            match self.graph.conditional_access_policies().await {
                Ok(all) => policies = all.iter().filter_map(GuestPolicy::of).collect(),
                Err(e) => unreadable.push(format!("Conditional Access policies: {} ({})", e, e.hint())),
            }
            match self.graph.named_locations().await {
                Ok(all) => named_locations = all.iter().map(location_summary).collect(),
                Err(e) => unreadable.push(format!("Named locations: {} ({})", e, e.hint())),
            }
        }
        let mut view = GuestProtection {
            has_p1,
            security_defaults,
            policies,
            named_locations,
            gaps: vec![],
            unreadable,
        };
        view.gaps = gaps(&view);
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_forms_of_guests_are_read() {
        let legacy = json!({"includeUsers": ["GuestsOrExternalUsers"]});
        assert!(guests_included(&legacy).unwrap().contains("older setting"));
        let structured = json!({"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": ALL_GUEST_TYPES.join(","),
            "externalTenants": {"membershipKind": "all"}}});
        assert_eq!(
            guests_included(&structured).unwrap(),
            "every guest and external user type"
        );
        let some = json!({"includeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "b2bCollaborationGuest",
            "externalTenants": {"membershipKind": "enumerated", "members": ["t1", "t2"]}}});
        assert_eq!(
            guests_included(&some).unwrap(),
            "b2bCollaborationGuest from 2 named tenant(s)"
        );
        assert!(guests_included(&json!({"includeUsers": ["a-user-id"]})).is_none());
    }

    fn view(policies: Vec<GuestPolicy>) -> GuestProtection {
        GuestProtection {
            has_p1: true,
            security_defaults: Some(false),
            policies,
            named_locations: vec![],
            gaps: vec![],
            unreadable: vec![],
        }
    }

    fn mfa_policy(state: &str, requires: &str) -> GuestPolicy {
        GuestPolicy::of(&json!({"id": "p", "displayName": "Guests MFA", "state": state,
            "conditions": {"users": {"includeUsers": ["GuestsOrExternalUsers"]}, "applications": {"includeApplications": ["All"]}},
            "grantControls": {"operator": "OR", "builtInControls": [requires]}}))
        .unwrap()
    }

    #[test]
    fn the_gap_is_said_plainly() {
        assert!(gaps(&view(vec![]))[0].starts_with("Guests can reach Dataverse without MFA"));
        let report_only = gaps(&view(vec![mfa_policy("enabledForReportingButNotEnforced", "mfa")]));
        assert!(report_only[0].contains("only reports"), "{report_only:?}");
        assert!(gaps(&view(vec![mfa_policy("enabled", "mfa")])).is_empty());
        let mut defaults_on = view(vec![]);
        defaults_on.security_defaults = Some(true);
        assert!(gaps(&defaults_on)[0].starts_with("Security defaults are on"));
    }
}
