//! Conditional Access as Graph v1.0 serves it: policies and named locations
//! (`/identity/conditionalAccess/…`) and the security-defaults switch
//! (`/policies/identitySecurityDefaultsEnforcementPolicy`), with Microsoft's rules:
//! Entra ID P1 required, security defaults and Conditional Access exclusive, the policy schema
//! checked (error 1007), and the 1 request per second per tenant limit whose 429 carries no
//! Retry-After (Graph's service-specific throttling limits, identity protection and CA).

use super::users::json_body;
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(super) const READ: &[&str] = &[
    "Policy.Read.All",
    "Policy.ReadWrite.ConditionalAccess",
    "Policy.Read.ConditionalAccess",
];
const WRITE: &[&str] = &["Policy.ReadWrite.ConditionalAccess"];
const DEFAULTS_READ: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.SecurityDefaults"];
const DEFAULTS_WRITE: &[&str] = &["Policy.ReadWrite.SecurityDefaults"];
pub(super) const POLICIES: &str = "conditionalAccessPolicies";
pub(super) const LOCATIONS: &str = "namedLocations";
const SECURITY_DEFAULTS: &str = "securityDefaults";
const STATES: &[&str] = &["enabled", "disabled", "enabledForReportingButNotEnforced"];
const GUEST_TYPES: &[&str] = &[
    "none",
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
    "unknownFutureValue",
];
const GRANTS: &[&str] = &[
    "block",
    "mfa",
    "compliantDevice",
    "domainJoinedDevice",
    "approvedApplication",
    "compliantApplication",
    "passwordChange",
    "unknownFutureValue",
];
/// Microsoft's limit on named locations per tenant.
const MAX_LOCATIONS: usize = 195;
/// Microsoft's limit on IP ranges in one named location.
const MAX_RANGES: usize = 2000;

/// Remembers when the tenant's last Conditional Access call was let through.
#[derive(Default)]
pub(crate) struct CaGate(Option<Instant>);

/// One request per second per tenant, for every app; a bare 429 (no Retry-After) otherwise.
fn pace(shared: &Shared) -> Result<(), ApiError> {
    let cfg = lock(&shared.config).throttle.clone();
    if !cfg.enabled {
        return Ok(());
    }
    let scale = if cfg.time_scale > 0.0 { cfg.time_scale } else { 1.0 };
    let spacing = Duration::from_secs(1).div_f64(scale);
    let mut gate = lock(&shared.ca_gate);
    let now = Instant::now();
    if gate.0.is_some_and(|last| now.duration_since(last) < spacing) {
        lock(&shared.stats).throttled += 1;
        // Modelled: Microsoft documents the limit and that no Retry-After comes, not the body.
        return Err(ApiError::new(429, "TooManyRequests", "Too many requests."));
    }
    gate.0 = Some(now);
    Ok(())
}

/// What every Conditional Access call passes first, in Graph's order: the permission, the
/// tenant's one call per second, the P1 licence.
pub(super) fn admit(shared: &Shared, caller: &Caller, scopes: &[&str]) -> Result<(), ApiError> {
    caller.require(scopes)?;
    pace(shared)?;
    require_premium(shared)
}

/// Conditional Access needs Entra ID P1 (or P2) in the tenant.
fn require_premium(shared: &Shared) -> Result<(), ApiError> {
    if super::skus::tenant_has_premium(shared)? {
        return Ok(());
    }
    // Modelled on Graph's answer for premium-only features in a free tenant.
    Err(ApiError::new(
        403,
        "AadPremiumLicenseRequired",
        "The tenant needs a Microsoft Entra ID P1 or P2 licence to use Conditional Access.",
    ))
}

pub(super) fn all(shared: &Shared, name: &str) -> Result<Vec<Value>, ApiError> {
    let doc = lock(&shared.dir).document(name)?.unwrap_or(json!([]));
    Ok(doc.as_array().cloned().unwrap_or_default())
}

fn save(shared: &Shared, name: &str, items: &[Value]) -> Result<(), ApiError> {
    lock(&shared.dir).put_document(name, &Value::Array(items.to_vec()))?;
    Ok(())
}

/// Stores a new policy or location and answers 201 with it, as Graph does.
fn add(shared: &Shared, document: &str, set: &str, item: Value) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut items = all(shared, document)?;
    items.push(item.clone());
    save(shared, document, &items)?;
    let mut answer = item;
    answer["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#identity/conditionalAccess/{set}/$entity",
        shared.base_url
    ));
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Deletes the policy or location `id`; 404 when there is none.
fn remove(shared: &Shared, document: &str, id: &str) -> Result<StatusCode, ApiError> {
    let mut items = all(shared, document)?;
    let before = items.len();
    items.retain(|i| i["id"] != id);
    if items.len() == before {
        return Err(not_found(id));
    }
    save(shared, document, &items)?;
    Ok(StatusCode::NO_CONTENT)
}

fn security_defaults_on(shared: &Shared) -> Result<bool, ApiError> {
    let doc = lock(&shared.dir).document(SECURITY_DEFAULTS)?;
    Ok(doc.and_then(|d| d["isEnabled"].as_bool()).unwrap_or(false))
}

/// Conditional Access answers `BadRequest` (not the directory's `Request_BadRequest`).
pub(super) fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "BadRequest", message)
}

fn schema_error() -> ApiError {
    bad(
        "1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type. For examples, please see API documentation at https://learn.microsoft.com/en-us/graph/api/conditionalaccessroot-post-policies?view=graph-rest-1.0.",
    )
}

fn strings(v: &Value) -> Option<Vec<&str>> {
    v.as_array()?.iter().map(Value::as_str).collect()
}

/// Checks a guests-or-external-users condition (`includeGuestsOrExternalUsers` and its exclude twin).
fn check_guests(v: &Value) -> Result<(), ApiError> {
    if v.is_null() {
        return Ok(());
    }
    // A flags enum serialised as one comma-separated string, not an array.
    let types = v["guestOrExternalUserTypes"].as_str().ok_or_else(schema_error)?;
    let listed: Vec<&str> = types.split(',').map(str::trim).collect();
    if listed.iter().any(|t| !GUEST_TYPES.contains(t)) {
        return Err(bad(format!("Invalid value '{types}' for guestOrExternalUserTypes.")));
    }
    let tenants = &v["externalTenants"];
    if tenants.is_null() {
        return Ok(());
    }
    match (tenants["@odata.type"].as_str(), tenants["membershipKind"].as_str()) {
        (Some("#microsoft.graph.conditionalAccessAllExternalTenants"), Some("all")) => Ok(()),
        (Some("#microsoft.graph.conditionalAccessEnumeratedExternalTenants"), Some("enumerated"))
            if strings(&tenants["members"]).is_some_and(|m| !m.is_empty()) =>
        {
            Ok(())
        }
        (None | Some(""), _) => Err(bad("Invalid OData type specified.")),
        _ => Err(schema_error()),
    }
}

/// The policy a create body describes, checked as Graph checks it.
fn checked_policy(body: &Value) -> Result<Value, ApiError> {
    let name = body["displayName"].as_str().unwrap_or_default();
    if name.trim().is_empty() {
        return Err(schema_error());
    }
    let state = body["state"].as_str().unwrap_or("enabled");
    if !STATES.contains(&state) {
        return Err(schema_error());
    }
    let conditions = &body["conditions"];
    let users = &conditions["users"];
    let apps = &conditions["applications"];
    let targets_users = ["includeUsers", "includeGroups", "includeRoles"]
        .iter()
        .any(|k| strings(&users[*k]).is_some_and(|v| !v.is_empty()))
        || !users["includeGuestsOrExternalUsers"].is_null();
    let targets_apps = [
        "includeApplications",
        "includeUserActions",
        "includeAuthenticationContextClassReferences",
    ]
    .iter()
    .any(|k| strings(&apps[*k]).is_some_and(|v| !v.is_empty()));
    // A policy needs whom, what, and a grant or session control.
    let grant = &body["grantControls"];
    let has_control = !grant.is_null() || !body["sessionControls"].is_null();
    if !targets_users || !targets_apps || !has_control {
        return Err(schema_error());
    }
    check_guests(&users["includeGuestsOrExternalUsers"])?;
    check_guests(&users["excludeGuestsOrExternalUsers"])?;
    if !grant.is_null() {
        if !matches!(grant["operator"].as_str(), Some("AND" | "OR")) {
            return Err(schema_error());
        }
        let controls = strings(&grant["builtInControls"]).unwrap_or_default();
        if let Some(unknown) = controls.iter().find(|c| !GRANTS.contains(c)) {
            return Err(bad(format!("Invalid value '{unknown}' for builtInControls.")));
        }
        if controls.is_empty() && grant["authenticationStrength"].is_null() && grant["termsOfUse"].is_null() {
            return Err(schema_error());
        }
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut policy = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "templateId": null,
        "displayName": name,
        "description": body["description"].clone(),
        "createdDateTime": now,
        "modifiedDateTime": null,
        "state": state,
        "conditions": conditions.clone(),
        "grantControls": grant.clone(),
        "sessionControls": body["sessionControls"].clone(),
    });
    if policy["description"].is_null() {
        policy["description"] = Value::Null;
    }
    Ok(policy)
}

/// Security defaults and Conditional Access cannot both be on.
fn refuse_with_security_defaults(shared: &Shared, state: &str) -> Result<(), ApiError> {
    if state != "disabled" && security_defaults_on(shared)? {
        return Err(bad(
            "Security Defaults is enabled in the tenant. You must disable Security defaults before enabling a Conditional Access policy.",
        ));
    }
    Ok(())
}

fn collection(shared: &Shared, what: &str, value: Vec<Value>) -> Json<Value> {
    Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#identity/conditionalAccess/{what}", shared.base_url),
        "value": value
    }))
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(404, "ResourceNotFound", format!("Resource '{id}' not found."))
}

pub(crate) async fn list_policies(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    admit(&shared, &caller, READ)?;
    Ok(collection(&shared, "policies", all(&shared, POLICIES)?))
}

pub(crate) async fn get_policy(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    admit(&shared, &caller, READ)?;
    all(&shared, POLICIES)?
        .into_iter()
        .find(|p| p["id"] == id.as_str())
        .map(Json)
        .ok_or_else(|| not_found(&id))
}

pub(crate) async fn create_policy(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    admit(&shared, &caller, WRITE)?;
    let policy = checked_policy(&json_body(body)?)?;
    refuse_with_security_defaults(&shared, policy["state"].as_str().unwrap_or_default())?;
    add(&shared, POLICIES, "policies", policy)
}

pub(crate) async fn patch_policy(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    admit(&shared, &caller, WRITE)?;
    let body = json_body(body)?;
    let mut policies = all(&shared, POLICIES)?;
    let policy = policies
        .iter_mut()
        .find(|p| p["id"] == id.as_str())
        .ok_or_else(|| not_found(&id))?;
    let mut merged = policy.clone();
    for (k, v) in body.as_object().ok_or_else(schema_error)? {
        if matches!(k.as_str(), "id" | "createdDateTime" | "modifiedDateTime") {
            continue;
        }
        merged[k.as_str()] = v.clone();
    }
    let checked = checked_policy(&merged)?;
    refuse_with_security_defaults(&shared, checked["state"].as_str().unwrap_or_default())?;
    for key in [
        "displayName",
        "description",
        "state",
        "conditions",
        "grantControls",
        "sessionControls",
    ] {
        merged[key] = checked[key].clone();
    }
    merged["modifiedDateTime"] = json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    *policy = merged;
    save(&shared, POLICIES, &policies)?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn delete_policy(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    admit(&shared, &caller, WRITE)?;
    remove(&shared, POLICIES, &id)
}

/// An IP range Microsoft accepts in a named location: valid CIDR, not private, narrower than /8.
fn check_range(cidr: &str) -> Result<(), String> {
    let (addr, bits) = cidr
        .split_once('/')
        .ok_or_else(|| format!("'{cidr}' is not in CIDR notation"))?;
    let bits: u8 = bits
        .parse()
        .map_err(|_| format!("'{cidr}' has no valid prefix length"))?;
    let ip: std::net::IpAddr = addr.parse().map_err(|_| format!("'{cidr}' is not an IP address"))?;
    let (max, private) = match ip {
        std::net::IpAddr::V4(v4) => (32, v4.is_private() || v4.is_loopback() || v4.is_link_local()),
        std::net::IpAddr::V6(v6) => (128, v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00),
    };
    if bits > max {
        return Err(format!("'{cidr}' has a prefix longer than {max}"));
    }
    if bits <= 8 {
        return Err(format!("'{cidr}' is too wide: the mask must be longer than /8"));
    }
    if private {
        return Err(format!("'{cidr}' is a private range"));
    }
    Ok(())
}

fn checked_location(body: &Value) -> Result<Value, ApiError> {
    let name = body["displayName"].as_str().unwrap_or_default();
    if name.trim().is_empty() {
        return Err(bad("The displayName property is required."));
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let common = |extra: Value| {
        let mut v = json!({"id": uuid::Uuid::new_v4().to_string(), "displayName": name,
            "createdDateTime": now, "modifiedDateTime": now});
        for (k, x) in extra.as_object().into_iter().flatten() {
            v[k.as_str()] = x.clone();
        }
        v
    };
    match body["@odata.type"].as_str() {
        Some("#microsoft.graph.countryNamedLocation") => {
            let countries = strings(&body["countriesAndRegions"]).unwrap_or_default();
            if countries.is_empty() {
                return Err(bad("countriesAndRegions must name at least one country."));
            }
            if let Some(unknown) = countries
                .iter()
                .find(|c| c.len() != 2 || isocountry::CountryCode::for_alpha2(c).is_err())
            {
                return Err(bad(format!("'{unknown}' is not an ISO 3166-1 alpha-2 country code.")));
            }
            let lookup = body["countryLookupMethod"].as_str().unwrap_or("clientIpAddress");
            if !matches!(lookup, "clientIpAddress" | "authenticatorAppGps") {
                return Err(bad(format!("Invalid value '{lookup}' for countryLookupMethod.")));
            }
            Ok(common(json!({
                "@odata.type": "#microsoft.graph.countryNamedLocation",
                "countriesAndRegions": countries,
                "includeUnknownCountriesAndRegions": body["includeUnknownCountriesAndRegions"].as_bool().unwrap_or(false),
                "countryLookupMethod": lookup,
            })))
        }
        Some("#microsoft.graph.ipNamedLocation") => {
            let ranges = body["ipRanges"].as_array().cloned().unwrap_or_default();
            if ranges.is_empty() || ranges.len() > MAX_RANGES {
                return Err(bad(format!("ipRanges must hold between 1 and {MAX_RANGES} ranges.")));
            }
            for r in &ranges {
                let cidr = r["cidrAddress"].as_str().unwrap_or_default();
                check_range(cidr).map_err(|why| bad(format!("Invalid IP range: {why}.")))?;
            }
            Ok(common(json!({
                "@odata.type": "#microsoft.graph.ipNamedLocation",
                "isTrusted": body["isTrusted"].as_bool().unwrap_or(false),
                "ipRanges": ranges,
            })))
        }
        _ => Err(bad("Invalid OData type specified.")),
    }
}

pub(crate) async fn list_locations(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    admit(&shared, &caller, READ)?;
    Ok(collection(&shared, "namedLocations", all(&shared, LOCATIONS)?))
}

pub(crate) async fn create_location(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    admit(&shared, &caller, WRITE)?;
    let location = checked_location(&json_body(body)?)?;
    if all(&shared, LOCATIONS)?.len() >= MAX_LOCATIONS {
        return Err(bad(format!(
            "The tenant already has {MAX_LOCATIONS} named locations, Microsoft's limit."
        )));
    }
    add(&shared, LOCATIONS, "namedLocations", location)
}

pub(crate) async fn delete_location(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    admit(&shared, &caller, WRITE)?;
    let in_use = all(&shared, POLICIES)?.iter().any(|p| {
        let l = &p["conditions"]["locations"];
        [&l["includeLocations"], &l["excludeLocations"]]
            .iter()
            .any(|v| strings(v).is_some_and(|ids| ids.contains(&id.as_str())))
    });
    if in_use {
        // Modelled: the portal refuses to delete a location a policy uses.
        return Err(bad(format!(
            "The named location '{id}' is used by a Conditional Access policy; remove it there first."
        )));
    }
    remove(&shared, LOCATIONS, &id)
}

/// `GET /policies/identitySecurityDefaultsEnforcementPolicy`.
pub(crate) async fn get_security_defaults(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(DEFAULTS_READ)?;
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity", shared.base_url),
        "id": "00000000-0000-0000-0000-000000000005",
        "displayName": "Security Defaults",
        "description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft. When enabled, these recommendations will be automatically enforced in your organization. Administrators and users will be better protected from common identity related attacks.",
        "isEnabled": security_defaults_on(&shared)?,
    })))
}

/// `PATCH /policies/identitySecurityDefaultsEnforcementPolicy` with `isEnabled`.
pub(crate) async fn patch_security_defaults(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    caller.require(DEFAULTS_WRITE)?;
    let body = json_body(body)?;
    let on = body["isEnabled"]
        .as_bool()
        .ok_or_else(|| bad("isEnabled must be true or false."))?;
    let enforced = all(&shared, POLICIES)?.iter().any(|p| p["state"] != "disabled");
    if on && enforced {
        // Modelled: the portal will not turn security defaults on while CA policies are on.
        return Err(bad(
            "Security defaults cannot be enabled while Conditional Access policies are enabled or in report-only mode.",
        ));
    }
    lock(&shared.dir).put_document(SECURITY_DEFAULTS, &json!({"isEnabled": on}))?;
    Ok(StatusCode::NO_CONTENT)
}
