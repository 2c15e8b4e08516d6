//! Entitlement management's access-package assignments (`/identityGovernance/entitlementManagement`,
//! v1.0), as far as a partner's off-boarding needs them: list assignments (`$filter` on the
//! target's object id or the state, `$expand=accessPackage,target`), and an admin's request to
//! remove one (`POST assignmentRequests` with `requestType: adminRemove`), which Microsoft
//! accepts as `submitted` and then carries out — the assignment ends (`expired`).
//! `EntitlementManagement.Read.All`/`ReadWrite.All`; Entra ID P2 or ID Governance.
//! Requests are listed (`GET assignmentRequests`, `$filter` on state or package). A partner's
//! user asks for a package as they would in My Access with
//! [`SandboxHandle::request_access_package`](crate::SandboxHandle::request_access_package): the
//! package's policy must cover their organisation (a domain no connected organisation names
//! makes a *proposed* one under an all-external-users policy, as Microsoft does); with approval
//! the request waits (`pendingApproval`) until
//! [`SandboxHandle::approve_access_request`](crate::SandboxHandle::approve_access_request), then
//! the guest is made (if new) and the assignment delivered, expiring as the policy says.
//! Tests also make assignments directly with
//! [`SandboxHandle::add_access_package_assignment`](crate::SandboxHandle::add_access_package_assignment).

use super::access_reviews::require_governance;
use super::entitlement_setup::{items, ORGS, PACKAGES, POLICIES};
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
const REQUESTS: &str = "accessPackageAssignmentRequests";
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
    // A package made through the API, else one only assignments name (as in a demo tenant).
    let package_id = items(shared, PACKAGES)?
        .iter()
        .chain(list.iter().map(|a| &a["accessPackage"]))
        .find(|p| p["displayName"] == package_name)
        .map(|p| p["id"].clone())
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

/// Whether package `package_id` has a delivered assignment.
pub(crate) fn has_assignments(shared: &Shared, package_id: &str) -> Result<bool, ApiError> {
    Ok(all(shared)?
        .iter()
        .any(|a| a["accessPackage"]["id"] == package_id && a["state"] == "delivered"))
}

/// Whether someone holds group `group_id` through a delivered assignment of a package using it.
pub(crate) fn entitled_to_group(shared: &Shared, group_id: &str) -> Result<bool, ApiError> {
    let member = format!("Member_{group_id}");
    let owner = format!("Owner_{group_id}");
    for package in items(shared, PACKAGES)? {
        let uses = package["resourceRoleScopes"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| r["role"]["originId"] == member.as_str() || r["role"]["originId"] == owner.as_str());
        if uses && has_assignments(shared, package["id"].as_str().unwrap_or_default())? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn domain_of(email: &str) -> String {
    email.rsplit('@').next().unwrap_or_default().to_lowercase()
}

/// The connected organisation that names `domain` as an identity source.
fn org_of_domain<'a>(orgs: &'a [Value], domain: &str) -> Option<&'a Value> {
    orgs.iter().find(|o| {
        o["identitySources"].as_array().into_iter().flatten().any(|src| {
            src["domainName"]
                .as_str()
                .is_some_and(|d| d.eq_ignore_ascii_case(domain))
        })
    })
}

/// Days in an ISO 8601 duration such as `P180D` (what Guestpass and the portal send).
fn days(duration: &Value) -> Option<i64> {
    duration.as_str()?.strip_prefix('P')?.strip_suffix('D')?.parse().ok()
}

/// A partner's user asks for package `package_id` in My Access (`userAdd`): refused unless a
/// policy of the package covers them; waits for approval when the policy asks for it.
pub(crate) fn request_as_user(shared: &Shared, email: &str, package_id: &str) -> Result<Value, ApiError> {
    let package = items(shared, PACKAGES)?
        .into_iter()
        .find(|p| p["id"] == package_id)
        .ok_or_else(|| ApiError::not_found(package_id))?;
    let domain = domain_of(email);
    let orgs = items(shared, ORGS)?;
    let policies: Vec<Value> = items(shared, POLICIES)?
        .into_iter()
        .filter(|p| p["accessPackage"]["id"] == package_id)
        .collect();
    let known = org_of_domain(&orgs, &domain).cloned();
    let covers = |p: &Value| match p["allowedTargetScope"].as_str().unwrap_or_default() {
        "allExternalUsers" => true,
        "allConfiguredConnectedOrganizationUsers" => known.as_ref().is_some_and(|o| o["state"] == "configured"),
        "specificConnectedOrganizationUsers" => known.as_ref().is_some_and(|o| {
            p["specificAllowedTargets"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|t| t["connectedOrganizationId"] == o["id"])
        }),
        _ => false,
    };
    let policy = policies.iter().find(|p| covers(p)).cloned().ok_or_else(|| {
        ApiError::new(
            403,
            "Forbidden",
            format!(
                "No policy of the access package '{}' lets {email} request it.",
                package["displayName"].as_str().unwrap_or(package_id)
            ),
        )
    })?;
    let org = match known {
        Some(o) => o,
        // Microsoft records an organisation it has not met as proposed.
        None => propose(shared, &domain)?,
    };
    let approval = policy["requestApprovalSettings"]["isApprovalRequiredForAdd"] == true;
    let mut request = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "requestType": "userAdd",
        "state": "pendingApproval",
        "status": "PendingApproval",
        "createdDateTime": chrono::Utc::now().to_rfc3339(),
        "accessPackage": {"id": package_id, "displayName": package["displayName"]},
        "assignmentPolicy": {"id": policy["id"]},
        "requestor": {"email": email, "displayName": email, "subjectType": "user",
                      "connectedOrganization": {"id": org["id"], "displayName": org["displayName"]}},
    });
    let mut requests = items(shared, REQUESTS)?;
    requests.push(request.clone());
    lock(&shared.dir).put_document(REQUESTS, &json!(requests))?;
    if !approval {
        request = approve(shared, request["id"].as_str().unwrap_or_default())?;
    }
    Ok(request)
}

/// A *proposed* connected organisation for `domain`, as Microsoft makes when someone from an
/// organisation nobody connected asks for a package.
pub(crate) fn propose(shared: &Shared, domain: &str) -> Result<Value, ApiError> {
    let org = json!({"id": uuid::Uuid::new_v4().to_string(), "displayName": domain, "state": "proposed",
                     "description": "Proposed by Microsoft Entra when a user requested access.",
                     "identitySources": [{"@odata.type": "#microsoft.graph.domainIdentitySource", "domainName": domain, "displayName": domain}],
                     "createdDateTime": chrono::Utc::now().to_rfc3339()});
    let mut orgs = items(shared, ORGS)?;
    orgs.push(org.clone());
    lock(&shared.dir).put_document(ORGS, &json!(orgs))?;
    Ok(org)
}

/// The approver says yes (My Access): the requester becomes a guest if new, and the assignment
/// is delivered with the policy's expiry.
pub(crate) fn approve(shared: &Shared, request_id: &str) -> Result<Value, ApiError> {
    let mut requests = items(shared, REQUESTS)?;
    let request = requests
        .iter_mut()
        .find(|r| r["id"] == request_id && r["state"] == "pendingApproval")
        .ok_or_else(|| ApiError::not_found(request_id))?;
    let email = request["requestor"]["email"].as_str().unwrap_or_default().to_string();
    let policy = items(shared, POLICIES)?
        .into_iter()
        .find(|p| p["id"] == request["assignmentPolicy"]["id"])
        .unwrap_or_default();
    let user_id = {
        let dir = lock(&shared.dir);
        match dir.user_by_email(&email)? {
            Some(u) => u.doc["id"].as_str().unwrap_or_default().to_string(),
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                let now = chrono::Utc::now().to_rfc3339();
                let doc = super::new_guest_doc(&id, &email, None, "Accepted", &now);
                dir.insert_user(&doc, 0)?;
                id
            }
        }
    };
    let now = chrono::Utc::now();
    let end = days(&policy["expiration"]["duration"]).map(|d| (now + chrono::Duration::days(d)).to_rfc3339());
    let assignment = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "state": "delivered",
        "status": "Delivered",
        "expiredDateTime": null,
        "schedule": {"startDateTime": now.to_rfc3339(),
                     "expiration": {"type": policy["expiration"]["type"], "duration": policy["expiration"]["duration"], "endDateTime": end}},
        "accessPackage": request["accessPackage"].clone(),
        "assignmentPolicy": {"id": policy["id"]},
        "target": {"id": uuid::Uuid::new_v4().to_string(), "objectId": user_id, "displayName": email,
                   "email": email, "subjectType": "user",
                   "connectedOrganization": request["requestor"]["connectedOrganization"].clone()},
    });
    request["state"] = json!("delivered");
    request["status"] = json!("Delivered");
    request["assignment"] = json!({"id": assignment["id"]});
    let answered = request.clone();
    let mut list = all(shared)?;
    list.push(assignment);
    let dir = lock(&shared.dir);
    dir.put_document(DOCUMENT, &json!(list))?;
    dir.put_document(REQUESTS, &json!(requests))?;
    Ok(answered)
}

/// `GET /identityGovernance/entitlementManagement/assignmentRequests` (`$filter` on `state` or
/// `accessPackage/id`).
pub(crate) async fn list_requests(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let navigations = ["accessPackage", "requestor", "assignment"];
    filtered(&shared, &caller, &q, (REQUESTS, "assignmentRequests"), &navigations)
}

/// A stored list (`document`) as Graph lists its entity set: licence and permission checked, `$filter`ed, navigation
/// properties only when `$expand`ed.
fn filtered(
    shared: &Shared,
    caller: &Caller,
    q: &HashMap<String, String>,
    (document, entity_set): (&str, &str),
    navigations: &[&str],
) -> Result<Json<Value>, ApiError> {
    caller.require(READ)?;
    require_licence(shared)?;
    let filter = q.get("$filter").map(String::as_str).unwrap_or("");
    let expand = q.get("$expand").map(String::as_str).unwrap_or("");
    let mut value = Vec::new();
    for item in items(shared, document)? {
        if keep(filter, &item)? {
            value.push(expanded(item, expand, navigations));
        }
    }
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#identityGovernance/entitlementManagement/{entity_set}", shared.base_url),
        "value": value
    })))
}

/// Navigation properties come only when expanded, as Graph does.
fn expanded(mut item: Value, expand: &str, navigations: &[&str]) -> Value {
    for nav in navigations {
        if !expand.split(',').any(|e| e.trim() == *nav) {
            if let Some(o) = item.as_object_mut() {
                o.remove(*nav);
            }
        }
    }
    item
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
    let navigations = ["accessPackage", "target", "assignmentPolicy"];
    filtered(&shared, &caller, &q, (DOCUMENT, "assignments"), &navigations)
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
