//! The Power Platform admin API (api.bap.microsoft.com): environments, forcing a user into an
//! environment's Dataverse (`addUser`), and tenant settings. Errors follow its `{"error":{code,message}}` shape.

use super::users::json_body;
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, now_ms, Shared};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// (environment id, display name, unique name, Dataverse roles).
pub(crate) const ENVIRONMENTS: &[(&str, &str, &str, &[&str])] = &[
    (
        "a7f3c2d1-5e4b-4c6a-9d8e-0f1a2b3c4d01",
        "Northwind Sales",
        "northwindsales",
        &[
            "System Administrator",
            "Basic User",
            "Salesperson",
            "Environment Maker",
            "External Users",
        ],
    ),
    (
        "a7f3c2d1-5e4b-4c6a-9d8e-0f1a2b3c4d02",
        "Northwind Service",
        "northwindservice",
        &[
            "System Administrator",
            "Basic User",
            "Customer Service Representative",
            "Environment Maker",
            "External Users",
        ],
    ),
];

fn require_api_version(q: &HashMap<String, String>) -> Result<(), ApiError> {
    if q.get("api-version").is_none_or(|v| v.is_empty()) {
        return Err(ApiError::new(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    Ok(())
}

/// The environment as the admin API lists it.
pub(crate) fn environment_doc(base: &str, id: &str, name: &str, unique: &str) -> Value {
    json!({
        "id": format!("/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/{id}"),
        "type": "Microsoft.BusinessAppPlatform/scopes/environments",
        "location": "europe",
        "name": id,
        "properties": {
            "displayName": name,
            "environmentSku": "Production",
            "provisioningState": "Succeeded",
            "linkedEnvironmentMetadata": {
                "type": "Dynamics365Instance",
                "uniqueName": unique,
                "domainName": unique,
                // The organisation URL people open (and tokens are issued for)...
                "instanceUrl": format!("{}/", org_url(unique)),
                // ...and where its Web API answers: here, inside the sandbox.
                "instanceApiUrl": format!("{base}/dataverse/{unique}"),
                "version": "9.2.24101.00194"
            }
        }
    })
}

/// An environment's organisation URL, as Microsoft would name it. Nothing is served there:
/// it is the token audience and the link guests open.
pub(crate) fn org_url(unique: &str) -> String {
    format!("https://{unique}.crm4.dynamics.com")
}

pub(crate) async fn environments(
    State(shared): State<Arc<Shared>>,
    Extension(_caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    require_api_version(&q)?;
    let value: Vec<Value> = ENVIRONMENTS
        .iter()
        .map(|(id, name, unique, _)| environment_doc(&shared.base_url, id, name, unique))
        .collect();
    Ok(Json(json!({ "value": value })))
}

/// `POST …/environments/{id}/addUser`: syncs an Entra user into the environment's Dataverse.
/// Like the real service, it refuses users without a licence (`userNotLicensed`).
pub(crate) async fn add_user(
    State(shared): State<Arc<Shared>>,
    Extension(_caller): Extension<Caller>,
    Path(env_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    require_api_version(&q)?;
    let body = json_body(body)?;
    let Some((_, _, unique, _)) = ENVIRONMENTS.iter().find(|(id, ..)| id.eq_ignore_ascii_case(&env_id)) else {
        return Err(ApiError::new(
            404,
            "EnvironmentNotFound",
            format!("The environment '{env_id}' could not be found in the tenant."),
        ));
    };
    let object_id = body["objectId"].as_str().unwrap_or_default().to_string();
    let mut dir = lock(&shared.dir);
    let user = match dir.user(&object_id)? {
        Some(u) if u.is_visible(now_ms()) => u.doc,
        _ => {
            return Err(ApiError::new(
                404,
                "UserNotFound",
                format!("The user with object id '{object_id}' was not found in the tenant."),
            ))
        }
    };
    let propagated_at =
        user["licenseAssignedAtMs"].as_i64().unwrap_or(0) + lock(&shared.config).license_sync_delay_ms as i64;
    if user["assignedLicenses"].as_array().is_none_or(|a| a.is_empty()) || now_ms() < propagated_at {
        return Err(ApiError::new(400, "userNotLicensed", format!("The user {object_id} does not have a valid license for this environment. Assign a license and try again.")));
    }
    let key = format!("dataverse:{unique}");
    let mut org = dir
        .document(&key)?
        .unwrap_or_else(|| super::dataverse::seed_org(unique));
    super::dataverse::sync_user(&mut org, &user);
    dir.transaction(|d| d.put_document(&key, &org))?;
    Ok(Json(json!({})))
}

pub(crate) async fn list_tenant_settings(
    State(shared): State<Arc<Shared>>,
    Extension(_caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    require_api_version(&q)?;
    Ok(Json(tenant_settings(&shared)?))
}

fn tenant_settings(shared: &Shared) -> Result<Value, ApiError> {
    Ok(lock(&shared.dir)
        .document("powerPlatformTenantSettings")?
        .unwrap_or_else(|| {
            json!({
                "walkMeOptOut": false,
                "disableNPSCommentsReachout": false,
                "disableTrialEnvironmentCreationByNonAdminUsers": false,
                "powerPlatform": {
                    "powerApps": {"enableGuestsToMake": false, "disableShareWithEveryone": false},
                    "environments": {"disablePreferredDataLocationForTeamsEnvironment": false}
                }
            })
        }))
}

/// Merges the given settings into the current ones (the admin API's behaviour) and returns them.
pub(crate) async fn update_tenant_settings(
    State(shared): State<Arc<Shared>>,
    Extension(_caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    require_api_version(&q)?;
    let patch = json_body(body)?;
    let mut current = tenant_settings(&shared)?;
    merge(&mut current, &patch);
    lock(&shared.dir).put_document("powerPlatformTenantSettings", &current)?;
    Ok(Json(current))
}

fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}
