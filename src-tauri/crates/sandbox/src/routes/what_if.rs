//! Conditional Access What-If (`POST /identity/conditionalAccess/evaluate`, v1.0), computed
//! from the stored policies: each policy with `policyApplies` and, when it does not apply, the
//! first condition that kept it out (`analysisReasons`). Report-only policies are evaluated like
//! enabled ones; disabled ones answer `policyNotEnabled`. A condition the request says nothing
//! about (a location without a country or IP address) answers `notEnoughInformation`, as the
//! What-If tool cannot evaluate it. Same permission, licence and 1-per-second limit as the rest.

use super::conditional_access::{admit, all, bad, LOCATIONS, POLICIES, READ};
use super::users::json_body;
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::net::IpAddr;
use std::sync::Arc;

/// Who signs in, as the request describes them, with what the directory knows of them.
pub(super) struct Identity {
    user_id: String,
    /// `b2bCollaborationGuest`, … (`None`: a member of this tenant).
    external_type: Option<String>,
    external_tenant: Option<String>,
    groups: Vec<String>,
}

/// Where and how they sign in.
pub(super) struct Conditions<'a> {
    pub apps: Vec<&'a str>,
    pub country: Option<&'a str>,
    pub ip: Option<IpAddr>,
    pub platform: Option<&'a str>,
    pub client_app: Option<&'a str>,
}

fn list(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn has(v: &Value, item: &str) -> bool {
    list(v).iter().any(|x| x.eq_ignore_ascii_case(item))
}

/// Whether a guests-or-external-users condition names this identity.
fn guest_condition_matches(condition: &Value, who: &Identity) -> bool {
    let Some(kind) = &who.external_type else {
        return false;
    };
    let types = condition["guestOrExternalUserTypes"].as_str().unwrap_or_default();
    if !types.split(',').any(|t| t.trim() == kind) {
        return false;
    }
    let tenants = &condition["externalTenants"];
    match tenants["membershipKind"].as_str() {
        Some("enumerated") => who
            .external_tenant
            .as_deref()
            .is_some_and(|t| has(&tenants["members"], t)),
        _ => true,
    }
}

fn users_match(users: &Value, who: &Identity) -> bool {
    let in_groups = |key: &str| who.groups.iter().any(|g| has(&users[key], g));
    let guest = who.external_type.is_some();
    let included = has(&users["includeUsers"], "All")
        || has(&users["includeUsers"], &who.user_id)
        || (guest && has(&users["includeUsers"], "GuestsOrExternalUsers"))
        || guest_condition_matches(&users["includeGuestsOrExternalUsers"], who)
        || in_groups("includeGroups");
    let excluded = has(&users["excludeUsers"], &who.user_id)
        || (guest && has(&users["excludeUsers"], "GuestsOrExternalUsers"))
        || guest_condition_matches(&users["excludeGuestsOrExternalUsers"], who)
        || in_groups("excludeGroups");
    included && !excluded
}

fn apps_match(apps: &Value, signing_into: &[&str]) -> bool {
    let included =
        has(&apps["includeApplications"], "All") || signing_into.iter().any(|a| has(&apps["includeApplications"], a));
    let excluded = signing_into.iter().any(|a| has(&apps["excludeApplications"], a));
    included && !excluded
}

/// Whether `ip` lies in `cidr` (a malformed range never matches).
fn in_range(ip: IpAddr, cidr: &str) -> bool {
    let Some((net, bits)) = cidr.split_once('/') else {
        return false;
    };
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    let (a, b, width) = match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    if bits == 0 || bits > width {
        return bits == 0;
    }
    let shift = width - bits;
    (a >> shift) == (b >> shift)
}

/// Whether the sign-in comes from named location `id`; `None` when the request does not say
/// enough to tell.
fn at_location(id: &str, locations: &[Value], c: &Conditions) -> Option<bool> {
    let location = locations.iter().find(|l| l["id"] == id)?;
    if location["@odata.type"] == "#microsoft.graph.countryNamedLocation" {
        let country = c.country?;
        return Some(has(&location["countriesAndRegions"], country));
    }
    let ip = c.ip?;
    Some(
        location["ipRanges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["cidrAddress"].as_str())
            .any(|r| in_range(ip, r)),
    )
}

/// Whether the location condition holds; `None` when it cannot be told.
fn locations_match(condition: &Value, locations: &[Value], c: &Conditions) -> Option<bool> {
    let matches_any = |key: &str| -> Option<bool> {
        let mut any = false;
        for id in list(&condition[key]) {
            if id == "All" {
                return Some(true);
            }
            let trusted = id == "AllTrusted";
            if trusted {
                // Trusted locations are IP ranges marked trusted.
                let trusted_ids: Vec<&Value> = locations.iter().filter(|l| l["isTrusted"] == true).collect();
                for l in trusted_ids {
                    any |= at_location(l["id"].as_str().unwrap_or_default(), locations, c)?;
                }
                continue;
            }
            any |= at_location(id, locations, c)?;
        }
        Some(any)
    };
    Some(matches_any("includeLocations")? && !matches_any("excludeLocations")?)
}

/// Why `policy` does not apply to this sign-in (`None`: it applies).
pub(super) fn why_not(policy: &Value, who: &Identity, c: &Conditions, locations: &[Value]) -> Option<&'static str> {
    if policy["state"] == "disabled" {
        return Some("policyNotEnabled");
    }
    let conditions = &policy["conditions"];
    if !users_match(&conditions["users"], who) {
        return Some("users");
    }
    if !apps_match(&conditions["applications"], &c.apps) {
        return Some("application");
    }
    let platforms = &conditions["platforms"];
    if !platforms.is_null() {
        let Some(platform) = c.platform else {
            return Some("notEnoughInformation");
        };
        let included = has(&platforms["includePlatforms"], "all") || has(&platforms["includePlatforms"], platform);
        if !included || has(&platforms["excludePlatforms"], platform) {
            return Some("devicePlatform");
        }
    }
    let client_apps = list(&conditions["clientAppTypes"]);
    if !client_apps.is_empty() && !client_apps.contains(&"all") {
        match c.client_app {
            None => return Some("notEnoughInformation"),
            Some(app) if !client_apps.contains(&app) => return Some("clientApps"),
            _ => {}
        }
    }
    if !conditions["locations"].is_null() {
        match locations_match(&conditions["locations"], locations, c) {
            None => return Some("notEnoughInformation"),
            Some(false) => return Some("location"),
            Some(true) => {}
        }
    }
    None
}

/// The identity the request names, checked against the directory.
pub(super) fn identity(shared: &Shared, v: &Value) -> Result<Identity, ApiError> {
    if v["@odata.type"] != "#microsoft.graph.userSignIn" {
        return Err(bad(
            "signInIdentity must be a #microsoft.graph.userSignIn (or a service principal sign-in).",
        ));
    }
    let user_id = v["userId"].as_str().unwrap_or_default().to_string();
    let dir = lock(&shared.dir);
    let user = dir
        .user(&user_id)?
        .ok_or_else(|| bad(format!("The user '{user_id}' was not found in the tenant.")))?;
    let external_type = v["externalUserType"]
        .as_str()
        .map(str::to_string)
        .or_else(|| (user.doc["userType"] == "Guest").then(|| "b2bCollaborationGuest".to_string()));
    Ok(Identity {
        groups: dir.groups_of_member(&user_id)?,
        external_tenant: v["externalTenantId"].as_str().map(str::to_string),
        external_type,
        user_id,
    })
}

/// `POST /identity/conditionalAccess/evaluate`.
pub(crate) async fn evaluate(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    admit(&shared, &caller, READ)?;
    let body = json_body(body)?;
    if body["signInIdentity"].is_null() || body["signInContext"].is_null() {
        return Err(bad("signInIdentity and signInContext are required."));
    }
    let who = identity(&shared, &body["signInIdentity"])?;
    let context = &body["signInContext"];
    if context["@odata.type"] != "#microsoft.graph.applicationContext" {
        return Err(bad("Only an applicationContext sign-in context can be evaluated here."));
    }
    let sign_in = &body["signInConditions"];
    let conditions = Conditions {
        apps: list(&context["includeApplications"]),
        country: sign_in["country"].as_str(),
        ip: sign_in["ipAddress"].as_str().and_then(|ip| ip.parse().ok()),
        platform: sign_in["devicePlatform"].as_str(),
        client_app: sign_in["clientAppType"].as_str(),
    };
    let applied_only = body["appliedPoliciesOnly"] == true;
    let locations = all(&shared, LOCATIONS)?;
    let mut value = Vec::new();
    for policy in all(&shared, POLICIES)? {
        let reason = why_not(&policy, &who, &conditions, &locations);
        if applied_only && reason.is_some() {
            continue;
        }
        let mut result = policy;
        result["@odata.type"] = json!("#microsoft.graph.whatIfAnalysisResult");
        result["policyApplies"] = json!(reason.is_none());
        result["analysisReasons"] = json!(reason.unwrap_or("notSet"));
        value.push(result);
    }
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#Collection(microsoft.graph.whatIfAnalysisResult)", shared.base_url),
        "value": value
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_contain_what_they_should() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert!(in_range(ip("12.34.221.11"), "12.34.220.0/22"));
        assert!(!in_range(ip("12.34.224.1"), "12.34.220.0/22"));
        assert!(in_range(ip("2001:db8::1"), "2001:db8::/32"));
        assert!(!in_range(ip("12.34.221.11"), "2001:db8::/32"));
        assert!(!in_range(ip("12.34.221.11"), "not-a-range"));
    }
}
