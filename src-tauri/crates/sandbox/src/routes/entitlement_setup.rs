//! Entitlement management's building blocks (`/identityGovernance/entitlementManagement`, v1.0),
//! with the order Microsoft enforces: connected organisations (`configured` or `proposed`),
//! catalogs, resources added to a catalog by an `adminAdd` resource request (a group brings its
//! Member and Owner roles), access packages in a catalog, resource role scopes that only take a
//! role of a resource already in the package's catalog, assignment policies that must name an
//! existing package and existing connected organisations, and the external-user lifecycle
//! settings. Entra ID P2 or ID Governance; `EntitlementManagement.ReadWrite.All`.
//!
//! Modelled where Microsoft documents no body: the refusals for a role outside the catalog, a
//! missing connected organisation ("Connected Organization Not Found", the words admins report),
//! deleting what is still in use, and a resource added twice.

use super::access_reviews::require_governance;
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::sync::Arc;

const READ: &[&str] = &["EntitlementManagement.Read.All", "EntitlementManagement.ReadWrite.All"];
const WRITE: &[&str] = &["EntitlementManagement.ReadWrite.All"];
pub(super) const ORGS: &str = "emConnectedOrganizations";
const CATALOGS: &str = "emCatalogs";
pub(super) const PACKAGES: &str = "emAccessPackages";
pub(super) const POLICIES: &str = "emAssignmentPolicies";
const SETTINGS: &str = "emSettings";
const TARGET_SCOPES: &[&str] = &[
    "notSpecified",
    "specificDirectoryUsers",
    "specificConnectedOrganizationUsers",
    "specificDirectoryServicePrincipals",
    "allMemberUsers",
    "allDirectoryUsers",
    "allDirectoryServicePrincipals",
    "allConfiguredConnectedOrganizationUsers",
    "allExternalUsers",
];

fn gate(shared: &Shared, caller: &Caller, write: bool) -> Result<(), ApiError> {
    caller.require(if write { WRITE } else { READ })?;
    require_governance(shared, "entitlement management")
}

pub(super) fn items(shared: &Shared, name: &str) -> Result<Vec<Value>, ApiError> {
    Ok(lock(&shared.dir)
        .document(name)?
        .and_then(|d| d.as_array().cloned())
        .unwrap_or_default())
}

fn save(shared: &Shared, name: &str, list: &[Value]) -> Result<(), ApiError> {
    lock(&shared.dir).put_document(name, &json!(list))?;
    Ok(())
}

fn find(shared: &Shared, name: &str, id: &str) -> Result<Value, ApiError> {
    items(shared, name)?
        .into_iter()
        .find(|x| x["id"] == id)
        .ok_or_else(|| ApiError::not_found(id))
}

fn body_of(body: Result<Json<Value>, JsonRejection>) -> Result<Value, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|_| ApiError::bad_request("Unable to read JSON request payload."))
}

fn required_name(body: &Value) -> Result<(), ApiError> {
    match body["displayName"].as_str() {
        Some(n) if !n.trim().is_empty() => Ok(()),
        _ => Err(ApiError::bad_request("The property 'displayName' is required.")),
    }
}

fn created(shared: &Shared, name: &str, mut item: Value) -> Result<(StatusCode, Json<Value>), ApiError> {
    item["id"] = json!(uuid::Uuid::new_v4().to_string());
    item["createdDateTime"] = json!(chrono::Utc::now().to_rfc3339());
    let mut list = items(shared, name)?;
    list.push(item.clone());
    save(shared, name, &list)?;
    Ok((StatusCode::CREATED, Json(item)))
}

fn listed(shared: &Shared, name: &str) -> Result<Json<Value>, ApiError> {
    let value: Vec<Value> = items(shared, name)?.into_iter().map(shown).collect();
    Ok(Json(json!({"value": value})))
}

/// What Graph returns of a stored object: the sandbox's own bookkeeping (`_…` keys) left out.
pub(super) fn shown(mut item: Value) -> Value {
    if let Some(o) = item.as_object_mut() {
        o.retain(|k, _| !k.starts_with('_'));
    }
    item
}

/// Changes the stored item `id` of list `name` with `change`, saving only if it succeeds.
fn edited<T>(
    shared: &Shared,
    name: &str,
    id: &str,
    change: impl FnOnce(&mut Value) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut list = items(shared, name)?;
    let item = list
        .iter_mut()
        .find(|x| x["id"] == id)
        .ok_or_else(|| ApiError::not_found(id))?;
    let answer = change(item)?;
    save(shared, name, &list)?;
    Ok(answer)
}

fn deleted(shared: &Shared, name: &str, id: &str) -> Result<StatusCode, ApiError> {
    let mut list = items(shared, name)?;
    let before = list.len();
    list.retain(|x| x["id"] != id);
    if list.len() == before {
        return Err(ApiError::not_found(id));
    }
    save(shared, name, &list)?;
    Ok(StatusCode::NO_CONTENT)
}

// --- connected organisations ---

pub(crate) async fn list_orgs(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    gate(&s, &c, false)?;
    listed(&s, ORGS)
}

pub(crate) async fn create_org(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    gate(&s, &c, true)?;
    let mut body = body_of(body)?;
    required_name(&body)?;
    let sources = body["identitySources"].as_array().cloned().unwrap_or_default();
    let valid = |src: &Value| match src["@odata.type"].as_str() {
        Some("#microsoft.graph.domainIdentitySource") => src["domainName"].as_str().is_some_and(|d| d.contains('.')),
        Some("#microsoft.graph.azureActiveDirectoryTenant") => src["tenantId"].is_string(),
        Some("#microsoft.graph.externalDomainFederation") => src["domainName"].is_string(),
        _ => false,
    };
    if sources.is_empty() || !sources.iter().all(valid) {
        return Err(ApiError::bad_request(
            "The property 'identitySources' needs at least one domain, tenant or federation identity source.",
        ));
    }
    match body["state"].as_str() {
        None => body["state"] = json!("configured"),
        Some("configured" | "proposed") => {}
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Invalid value '{other}' for property 'state'."
            )))
        }
    }
    created(&s, ORGS, body)
}

pub(crate) async fn get_org(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    gate(&s, &c, false)?;
    Ok(Json(shown(find(&s, ORGS, &id)?)))
}

/// `PATCH connectedOrganizations/{id}`: its name, description or state (`proposed` to `configured`).
pub(crate) async fn patch_org(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    gate(&s, &c, true)?;
    let body = body_of(body)?;
    edited(&s, ORGS, &id, |org| {
        for (key, value) in body.as_object().into_iter().flatten() {
            match (key.as_str(), value.as_str()) {
                ("state", Some("configured" | "proposed")) | ("displayName" | "description", Some(_)) => {
                    org[key] = value.clone();
                }
                ("state", _) => {
                    return Err(ApiError::bad_request(format!(
                        "Invalid value '{value}' for property 'state'."
                    )))
                }
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "Property '{key}' cannot be changed on a connected organization."
                    )))
                }
            }
        }
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn delete_org(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    gate(&s, &c, true)?;
    let used = items(&s, POLICIES)?.iter().any(|p| {
        p["specificAllowedTargets"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["connectedOrganizationId"] == id.as_str())
    });
    if used {
        return Err(ApiError::bad_request(
            "The connected organization is used by an assignment policy; change or delete the policy first.",
        ));
    }
    deleted(&s, ORGS, &id)
}

/// `internalSponsors` or `externalSponsors`, as the path names them.
fn sponsor_key(kind: &str) -> Result<&'static str, ApiError> {
    match kind {
        "internalSponsors" => Ok("_internalSponsors"),
        "externalSponsors" => Ok("_externalSponsors"),
        other => Err(ApiError::bad_request(format!(
            "Resource not found for the segment '{other}'."
        ))),
    }
}

/// `GET connectedOrganizations/{id}/internalSponsors` (or `externalSponsors`): the users.
pub(crate) async fn list_sponsors(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path((id, kind)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    gate(&s, &c, false)?;
    let key = sponsor_key(&kind)?;
    let org = find(&s, ORGS, &id)?;
    let dir = lock(&s.dir);
    let mut value = Vec::new();
    for user in org[key].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if let Some(u) = dir.user(user)? {
            value.push(json!({"@odata.type": "#microsoft.graph.user", "id": user,
                              "displayName": u.doc["displayName"], "mail": u.doc["mail"]}));
        }
    }
    Ok(Json(json!({"value": value})))
}

/// `POST connectedOrganizations/{id}/internalSponsors/$ref` with `{"@odata.id": ".../users/{id}"}`.
pub(crate) async fn add_sponsor(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path((id, kind)): Path<(String, String)>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    gate(&s, &c, true)?;
    let key = sponsor_key(&kind)?;
    let body = body_of(body)?;
    let reference = body["@odata.id"].as_str().unwrap_or_default();
    let user = reference.rsplit('/').next().unwrap_or_default().to_string();
    if !reference.contains("/users/") && !reference.contains("/directoryObjects/") {
        return Err(ApiError::bad_request(
            "The '@odata.id' must reference a user or directory object.",
        ));
    }
    if lock(&s.dir).user(&user)?.is_none() {
        return Err(ApiError::not_found(&user));
    }
    edited(&s, ORGS, &id, |org| {
        if org[key].is_null() {
            org[key] = json!([]);
        }
        let list = org[key].as_array_mut().expect("sponsors are a list");
        if list.iter().any(|u| u == user.as_str()) {
            return Err(ApiError::bad_request(
                "One or more added object references already exist for the following modified properties: 'sponsors'.",
            ));
        }
        list.push(json!(user));
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE connectedOrganizations/{id}/internalSponsors/{userId}/$ref`.
pub(crate) async fn remove_sponsor(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path((id, kind, user)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    gate(&s, &c, true)?;
    let key = sponsor_key(&kind)?;
    edited(&s, ORGS, &id, |org| {
        let list = org[key].as_array_mut().ok_or_else(|| ApiError::not_found(&user))?;
        let before = list.len();
        list.retain(|u| u != user.as_str());
        if list.len() == before {
            return Err(ApiError::not_found(&user));
        }
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

// --- catalogs and their resources ---

pub(crate) async fn list_catalogs(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    gate(&s, &c, false)?;
    listed(&s, CATALOGS)
}

pub(crate) async fn create_catalog(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    gate(&s, &c, true)?;
    let mut body = body_of(body)?;
    required_name(&body)?;
    for (key, default) in [
        ("state", json!("published")),
        ("isExternallyVisible", json!(false)),
        ("catalogType", json!("userManaged")),
    ] {
        if body[key].is_null() {
            body[key] = default;
        }
    }
    body["_resources"] = json!([]);
    let (status, Json(made)) = created(&s, CATALOGS, body)?;
    Ok((status, Json(shown(made))))
}

pub(crate) async fn delete_catalog(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    gate(&s, &c, true)?;
    if items(&s, PACKAGES)?.iter().any(|p| p["catalog"]["id"] == id.as_str()) {
        return Err(ApiError::bad_request(
            "The catalog still has access packages; delete them first.",
        ));
    }
    deleted(&s, CATALOGS, &id)
}

pub(crate) async fn catalog_resources(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    gate(&s, &c, false)?;
    let catalog = find(&s, CATALOGS, &id)?;
    Ok(Json(json!({"value": catalog["_resources"].clone()})))
}

/// `POST resourceRequests`: `adminAdd` (or `adminRemove`) of a group in a catalog.
pub(crate) async fn resource_request(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    gate(&s, &c, true)?;
    let body = body_of(body)?;
    let kind = body["requestType"].as_str().unwrap_or_default();
    if !matches!(kind, "adminAdd" | "adminRemove") {
        return Err(ApiError::bad_request(format!(
            "Invalid value '{kind}' for property 'requestType'."
        )));
    }
    if body["resource"]["originSystem"] != "AadGroup" {
        return Err(ApiError::bad_request(
            "The sandbox tenant adds groups to catalogs (originSystem 'AadGroup').",
        ));
    }
    // An app (no signed-in user) adding a group must also be allowed to write groups.
    if c.user.is_none() && kind == "adminAdd" {
        c.require(&["Group.ReadWrite.All"])?;
    }
    let group_id = body["resource"]["originId"].as_str().unwrap_or_default().to_string();
    let group = lock(&s.dir)
        .group(&group_id)?
        .ok_or_else(|| ApiError::bad_request(format!("Resource '{group_id}' was not found.")))?;
    let catalog_id = body["catalog"]["id"].as_str().unwrap_or_default().to_string();
    edited(&s, CATALOGS, &catalog_id, |catalog| {
        let resources = catalog["_resources"]
            .as_array_mut()
            .expect("a catalog keeps a list of resources");
        let present = resources.iter().position(|r| r["originId"] == group_id.as_str());
        match (kind, present) {
            ("adminAdd", Some(_)) => {
                return Err(ApiError::bad_request("The resource is already in the catalog."));
            }
            ("adminAdd", None) => {
                let role = |name: &str| {
                    json!({"id": uuid::Uuid::new_v4().to_string(), "displayName": name,
                       "originId": format!("{name}_{group_id}"), "originSystem": "AadGroup"})
                };
                resources.push(json!({
                "id": uuid::Uuid::new_v4().to_string(),
                "displayName": group["displayName"],
                "originId": group_id,
                "originSystem": "AadGroup",
                "roles": [role("Member"), role("Owner")],
                "scopes": [{"id": uuid::Uuid::new_v4().to_string(), "originId": group_id, "originSystem": "AadGroup", "isRootScope": true}],
            }));
            }
            (_, Some(i)) => {
                if super::entitlement::entitled_to_group(&s, &group_id)? {
                    return Err(ApiError::new(
                        400,
                        "InvalidDeleteResourceHasEntitlements",
                        format!(
                            "The resource: {} can not be deleted because there are active entitlements.",
                            group["displayName"].as_str().unwrap_or(&group_id)
                        ),
                    ));
                }
                resources.remove(i);
            }
            (_, None) => return Err(ApiError::bad_request("The resource is not in the catalog.")),
        }
        Ok(())
    })?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": uuid::Uuid::new_v4().to_string(), "requestType": kind, "state": "delivered"})),
    ))
}

// --- access packages and their role scopes ---

pub(crate) async fn list_packages(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    gate(&s, &c, false)?;
    listed(&s, PACKAGES)
}

pub(crate) async fn create_package(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    gate(&s, &c, true)?;
    let mut body = body_of(body)?;
    required_name(&body)?;
    let catalog = body["catalog"]["id"].as_str().unwrap_or_default().to_string();
    find(&s, CATALOGS, &catalog)
        .map_err(|_| ApiError::bad_request(format!("The catalog '{catalog}' was not found.")))?;
    if body["isHidden"].is_null() {
        body["isHidden"] = json!(false);
    }
    body["resourceRoleScopes"] = json!([]);
    created(&s, PACKAGES, body)
}

pub(crate) async fn get_package(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    gate(&s, &c, false)?;
    Ok(Json(shown(find(&s, PACKAGES, &id)?)))
}

pub(crate) async fn delete_package(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    gate(&s, &c, true)?;
    if items(&s, POLICIES)?
        .iter()
        .any(|p| p["accessPackage"]["id"] == id.as_str())
    {
        return Err(ApiError::bad_request(
            "The access package still has assignment policies; delete them first.",
        ));
    }
    if super::entitlement::has_assignments(&s, &id)? {
        return Err(ApiError::bad_request(
            "The access package has assignments; remove them (adminRemove requests) before deleting it.",
        ));
    }
    deleted(&s, PACKAGES, &id)
}

/// `POST accessPackages/{id}/resourceRoleScopes`: only a role of a resource in the package's catalog.
pub(crate) async fn add_role_scope(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    gate(&s, &c, true)?;
    let body = body_of(body)?;
    let scope = edited(&s, PACKAGES, &id, |package| {
        let catalog = find(&s, CATALOGS, package["catalog"]["id"].as_str().unwrap_or_default())?;
        let role_origin = body["role"]["originId"].as_str().unwrap_or_default();
        let in_catalog = catalog["_resources"].as_array().into_iter().flatten().any(|r| {
            r["roles"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| x["originId"] == role_origin)
        });
        if !in_catalog {
            return Err(ApiError::bad_request(format!(
            "The role '{role_origin}' is not a role of a resource in the access package's catalog; add the resource to the catalog first."
        )));
        }
        let scope = json!({"id": uuid::Uuid::new_v4().to_string(), "role": body["role"], "scope": body["scope"],
                       "createdDateTime": chrono::Utc::now().to_rfc3339()});
        package["resourceRoleScopes"]
            .as_array_mut()
            .expect("a package keeps its role scopes")
            .push(scope.clone());
        Ok(scope)
    })?;
    Ok((StatusCode::CREATED, Json(scope)))
}

// --- assignment policies ---

pub(crate) async fn list_policies(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    gate(&s, &c, false)?;
    listed(&s, POLICIES)
}

pub(crate) async fn create_policy(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    gate(&s, &c, true)?;
    let body = body_of(body)?;
    required_name(&body)?;
    let package = body["accessPackage"]["id"].as_str().unwrap_or_default().to_string();
    find(&s, PACKAGES, &package)
        .map_err(|_| ApiError::bad_request(format!("The access package '{package}' was not found.")))?;
    let scope = body["allowedTargetScope"].as_str().unwrap_or("notSpecified");
    if !TARGET_SCOPES.contains(&scope) {
        return Err(ApiError::bad_request(format!(
            "Invalid value '{scope}' for property 'allowedTargetScope'."
        )));
    }
    let orgs = items(&s, ORGS)?;
    for target in body["specificAllowedTargets"].as_array().into_iter().flatten() {
        if target["@odata.type"] == "#microsoft.graph.connectedOrganizationMembers" {
            let org = target["connectedOrganizationId"].as_str().unwrap_or_default();
            if !orgs.iter().any(|o| o["id"] == org) {
                return Err(ApiError::new(404, "NotFound", "Connected Organization Not Found"));
            }
        }
    }
    if scope == "specificConnectedOrganizationUsers"
        && body["specificAllowedTargets"].as_array().is_none_or(Vec::is_empty)
    {
        return Err(ApiError::bad_request(
            "specificConnectedOrganizationUsers needs specificAllowedTargets naming connected organizations.",
        ));
    }
    created(&s, POLICIES, body)
}

pub(crate) async fn delete_policy(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    gate(&s, &c, true)?;
    deleted(&s, POLICIES, &id)
}

// --- settings ---

fn current_settings(shared: &Shared) -> Result<Value, ApiError> {
    Ok(lock(&shared.dir).document(SETTINGS)?.unwrap_or(json!({
        "id": uuid::Uuid::nil().to_string(),
        "externalUserLifecycleAction": "none",
        "durationUntilExternalUserDeletedAfterBlocked": "P30D"
    })))
}

pub(crate) async fn get_settings(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    gate(&s, &c, false)?;
    Ok(Json(current_settings(&s)?))
}

pub(crate) async fn patch_settings(
    State(s): State<Arc<Shared>>,
    Extension(c): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    gate(&s, &c, true)?;
    let body = body_of(body)?;
    let mut settings = current_settings(&s)?;
    if let Some(action) = body.get("externalUserLifecycleAction") {
        if !matches!(action.as_str(), Some("none" | "blockSignIn" | "blockSignInAndDelete")) {
            return Err(ApiError::bad_request(format!(
                "Invalid value '{action}' for property 'externalUserLifecycleAction'."
            )));
        }
        settings["externalUserLifecycleAction"] = action.clone();
    }
    if let Some(d) = body.get("durationUntilExternalUserDeletedAfterBlocked") {
        let ok = d
            .as_str()
            .is_some_and(|d| d.starts_with('P') && d.ends_with('D') && d[1..d.len() - 1].parse::<u32>().is_ok());
        if !ok {
            return Err(ApiError::bad_request(
                "durationUntilExternalUserDeletedAfterBlocked must be a number of days such as P30D.",
            ));
        }
        settings["durationUntilExternalUserDeletedAfterBlocked"] = d.clone();
    }
    lock(&s.dir).put_document(SETTINGS, &settings)?;
    Ok(StatusCode::NO_CONTENT)
}
