//! Entitlement management's access-package assignments (`/identityGovernance/entitlementManagement`,
//! v1.0), as far as a partner's off-boarding needs them: list assignments (`$filter` on the
//! target's object id or the state, `$expand=accessPackage,target`), and an admin's request to
//! remove one (`POST assignmentRequests` with `requestType: adminRemove`), which Microsoft
//! accepts as `submitted` and then carries out — the assignment ends (`expired`).
//! `EntitlementManagement.Read.All`/`ReadWrite.All`; Entra ID P2 or ID Governance.
//! Tests make assignments with [`SandboxHandle::add_access_package_assignment`](crate::SandboxHandle::add_access_package_assignment).

use super::access_reviews::require_governance;
use super::entitlement_setup::items;
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

const DOCUMENT: &str = "accessPackageAssignments";
const READ: &[&str] = &["EntitlementManagement.Read.All", "EntitlementManagement.ReadWrite.All"];
const WRITE: &[&str] = &["EntitlementManagement.ReadWrite.All"];

fn require_licence(shared: &Shared) -> Result<(), ApiError> {
    require_governance(shared, "entitlement management")
}

fn all(shared: &Shared) -> Result<Vec<Value>, ApiError> {
    items(shared, DOCUMENT)
}

/// Makes a delivered assignment of package `package_name` to user `user_id` (tests, demos).
pub(crate) fn add(shared: &Shared, user_id: &str, package_name: &str) -> Result<Value, ApiError> {
    let user = lock(&shared.dir)
        .user(user_id)?
        .ok_or_else(|| ApiError::not_found(user_id))?
        .doc;
    let mut list = all(shared)?;
    let package_id = list
        .iter()
        .find(|a| a["accessPackage"]["displayName"] == package_name)
        .map(|a| a["accessPackage"]["id"].clone())
        .unwrap_or_else(|| json!(uuid::Uuid::new_v4().to_string()));
    let assignment = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "state": "delivered",
        "status": "Delivered",
        "expiredDateTime": null,
        "schedule": {"startDateTime": chrono::Utc::now().to_rfc3339(), "expiration": {"type": "afterDuration", "duration": "P180D"}},
        "accessPackage": {"id": package_id, "displayName": package_name},
        "assignmentPolicy": {"id": uuid::Uuid::new_v4().to_string()},
        "target": {"id": uuid::Uuid::new_v4().to_string(), "objectId": user_id,
                   "displayName": user["displayName"], "email": user["mail"], "subjectType": "user"},
    });
    list.push(assignment.clone());
    lock(&shared.dir).put_document(DOCUMENT, &json!(list))?;
    Ok(assignment)
}

/// `targetId eq '…'`, `target/objectId eq '…'` and `state eq '…'`, joined by `and`.
fn keep(filter: &str, a: &Value) -> Result<bool, ApiError> {
    for clause in filter.split(" and ").map(str::trim).filter(|c| !c.is_empty()) {
        let (field, value) = clause
            .split_once(" eq ")
            .ok_or_else(|| ApiError::unsupported_query(format!("Unsupported filter: {clause}")))?;
        let value = value.trim().trim_matches('\'');
        let got = match field.trim() {
            "target/objectId" => &a["target"]["objectId"],
            "state" => &a["state"],
            "accessPackage/id" => &a["accessPackage"]["id"],
            other => {
                return Err(ApiError::unsupported_query(format!(
                    "Unsupported filter property: {other}"
                )))
            }
        };
        if got.as_str() != Some(value) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `GET /identityGovernance/entitlementManagement/assignments`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ)?;
    require_licence(&shared)?;
    let filter = q.get("$filter").map(String::as_str).unwrap_or("");
    let expand = q.get("$expand").map(String::as_str).unwrap_or("");
    let mut value = Vec::new();
    for a in all(&shared)? {
        if !keep(filter, &a)? {
            continue;
        }
        let mut shown = a.clone();
        // Navigation properties come only when expanded, as Graph does.
        for nav in ["accessPackage", "target", "assignmentPolicy"] {
            if !expand.split(',').any(|e| e.trim() == nav) {
                if let Some(o) = shown.as_object_mut() {
                    o.remove(nav);
                }
            }
        }
        value.push(shown);
    }
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#identityGovernance/entitlementManagement/assignments", shared.base_url),
        "value": value
    })))
}

/// `POST /identityGovernance/entitlementManagement/assignmentRequests` — `adminRemove` only here.
pub(crate) async fn request(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(WRITE)?;
    require_licence(&shared)?;
    let Json(body) = body.map_err(|_| ApiError::bad_request("Unable to read JSON request payload."))?;
    let kind = body["requestType"].as_str().unwrap_or_default();
    if kind != "adminRemove" {
        return Err(ApiError::bad_request(format!(
            "The request type '{kind}' is not supported by the sandbox tenant yet (adminRemove is)."
        )));
    }
    let id = body["assignment"]["id"].as_str().unwrap_or_default().to_string();
    let mut list = all(&shared)?;
    let assignment = list
        .iter_mut()
        .find(|a| a["id"] == id.as_str() && a["state"] == "delivered")
        .ok_or_else(|| {
            ApiError::new(
                400,
                "BadRequest",
                format!("The assignment '{id}' was not found or is not delivered."),
            )
        })?;
    assignment["state"] = json!("expired");
    assignment["status"] = json!("Expired");
    assignment["expiredDateTime"] = json!(chrono::Utc::now().to_rfc3339());
    let target = assignment["target"]["objectId"].clone();
    lock(&shared.dir).put_document(DOCUMENT, &json!(list))?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "requestType": "adminRemove",
            "state": "submitted",
            "status": "Accepted",
            "createdDateTime": chrono::Utc::now().to_rfc3339(),
            "assignment": {"id": id},
            "requestor": {"objectId": caller.user.clone().unwrap_or(caller.client_id.clone())},
            "target": {"objectId": target},
        })),
    ))
}
