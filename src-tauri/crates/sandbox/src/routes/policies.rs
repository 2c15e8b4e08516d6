//! `GET`/`PATCH /v1.0/policies/authorizationPolicy`.

use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::sync::Arc;

const INVITES_FROM: &[&str] = &[
    "none",
    "adminsAndGuestInviters",
    "adminsGuestInvitersAndAllMembers",
    "everyone",
];
pub(crate) const GUEST_ROLES: &[&str] = &[
    "a0b1b346-4d3e-4e8b-98f8-753987be4970",
    "10dae51f-b6af-4016-8d66-8c2a99b929b3",
    "2af84b1e-32c8-42b7-82bc-daa82404023b",
];
/// Properties a PATCH may change (the ones Graph documents as writable).
const WRITABLE: &[&str] = &[
    "allowInvitesFrom",
    "guestUserRoleId",
    "allowedToSignUpEmailBasedSubscriptions",
    "allowedToUseSSPR",
    "allowEmailVerifiedUsersToJoinOrganization",
    "allowUserConsentForRiskyApps",
    "blockMsolPowerShell",
    "displayName",
    "description",
    "defaultUserRolePermissions",
];

pub(crate) async fn get_authorization(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&["Policy.Read.All", "Policy.ReadWrite.Authorization"])?;
    let mut doc = lock(&shared.dir)
        .document("authorizationPolicy")?
        .unwrap_or(Value::Null);
    doc["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#policies/authorizationPolicy/$entity",
        shared.base_url
    ));
    Ok(Json(doc))
}

pub(crate) async fn patch_authorization(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, axum::extract::rejection::JsonRejection>,
) -> Result<StatusCode, ApiError> {
    caller.require(&["Policy.ReadWrite.Authorization"])?;
    let Json(body) = body.map_err(|_| ApiError::new(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."))?;
    let patch = crate::odata::patch_properties(&body, "microsoft.graph.authorizationPolicy")?;
    for &(k, v) in &patch {
        if !WRITABLE.contains(&k.as_str()) {
            return Err(ApiError::new(400, "BadRequest", format!("Invalid property '{k}'.")));
        }
        let bad = match k.as_str() {
            "allowInvitesFrom" => !v.as_str().is_some_and(|s| INVITES_FROM.contains(&s)),
            "guestUserRoleId" => !v
                .as_str()
                .is_some_and(|s| GUEST_ROLES.contains(&s.to_ascii_lowercase().as_str())),
            _ => false,
        };
        if bad {
            return Err(ApiError::new(
                400,
                "Request_BadRequest",
                format!("Invalid value specified for property '{k}' of resource 'AuthorizationPolicy'."),
            ));
        }
    }
    let dir = lock(&shared.dir);
    let mut doc = dir.document("authorizationPolicy")?.unwrap_or_else(|| json!({}));
    for (k, v) in patch {
        doc[k] = v.clone();
    }
    dir.put_document("authorizationPolicy", &doc)?;
    Ok(StatusCode::NO_CONTENT)
}
