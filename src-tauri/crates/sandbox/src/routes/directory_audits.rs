//! The directory audit log (`GET /auditLogs/directoryAudits`, v1.0) and what writes to it: every
//! change the sandbox performs through Graph leaves one entry, as Entra's services do, with the
//! activity names Microsoft's audit reference uses ("Invite external user", "Disable account",
//! "Add member to group"…), who did it (the app, or the signed-in user) and what it touched.
//!
//! Reading follows Microsoft's contract: `AuditLog.Read.All`; the identity reports' limit (5 per
//! 10 seconds per app, shared with the sign-in log); retention of 7 days without Entra ID P1 and
//! 30 days with it; newest first, at most 1,000 per page; `$filter` with `eq`, `ge`, `le` and
//! `startswith` on the fields scripts use.

use super::sign_in_log::{pace, report_page};
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::{Query, State};
use axum::http::Method;
use axum::{Extension, Json};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

const READ: &[&str] = &["AuditLog.Read.All"];

/// What one change was, in the audit log's words.
struct Activity {
    name: String,
    category: &'static str,
    service: &'static str,
    operation: &'static str,
    targets: Vec<Value>,
}

fn user_target(shared: &Shared, id: &str, modified: Vec<Value>) -> Value {
    let user = lock(&shared.dir)
        .user(id)
        .ok()
        .flatten()
        .map(|u| u.doc)
        .unwrap_or_default();
    json!({
        "id": id, "displayName": user["displayName"], "type": "User",
        "userPrincipalName": user["userPrincipalName"], "groupType": null,
        "modifiedProperties": modified,
    })
}

fn group_target(shared: &Shared, id: &str) -> Value {
    let group = lock(&shared.dir).group(id).ok().flatten().unwrap_or_default();
    json!({"id": id, "displayName": group["displayName"], "type": "Group",
           "userPrincipalName": null, "groupType": null, "modifiedProperties": []})
}

fn policy_target(id: &str, name: &Value) -> Value {
    json!({"id": id, "displayName": name, "type": "Policy",
           "userPrincipalName": null, "groupType": null, "modifiedProperties": []})
}

/// The id at the end of an `@odata.id` reference.
fn referenced(body: &Value) -> String {
    body["@odata.id"]
        .as_str()
        .and_then(|r| r.trim_end_matches('/').rsplit('/').next())
        .unwrap_or_default()
        .to_string()
}

fn modified(body: &Value) -> Vec<Value> {
    body.as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !k.starts_with('@'))
        .map(|(k, v)| json!({"displayName": k, "oldValue": null, "newValue": v.to_string()}))
        .collect()
}

/// The audit entry a successful change makes, or `None` for what Entra does not audit here.
fn activity(shared: &Shared, method: &Method, path: &str, body: &Value, answer: &Value) -> Option<Activity> {
    let path = path.strip_prefix("/v1.0").or_else(|| path.strip_prefix("/beta"))?;
    let s: Vec<&str> = path.trim_matches('/').split('/').collect();
    let user = |name: &str, operation, targets| {
        Some(Activity {
            name: name.into(),
            category: "UserManagement",
            service: "Core Directory",
            operation,
            targets,
        })
    };
    let policy = |name: String, service, operation, target| {
        Some(Activity {
            name,
            category: "Policy",
            service,
            operation,
            targets: vec![target],
        })
    };
    let verb = match *method {
        Method::POST => "Add",
        Method::DELETE => "Delete",
        _ => "Update",
    };
    match (method.as_str(), s.as_slice()) {
        ("POST", ["invitations"]) => {
            let id = answer["invitedUser"]["id"].as_str().unwrap_or_default();
            Some(Activity {
                name: "Invite external user".into(),
                category: "UserManagement",
                service: "Invited Users",
                operation: "Add",
                targets: vec![user_target(shared, id, vec![])],
            })
        }
        ("PATCH", ["users", id]) => {
            let name = match body["accountEnabled"].as_bool() {
                Some(false) => "Disable account",
                Some(true) => "Enable account",
                None => "Update user",
            };
            user(name, "Update", vec![user_target(shared, id, modified(body))])
        }
        ("DELETE", ["users", id]) => user("Delete user", "Delete", vec![user_target(shared, id, vec![])]),
        ("POST", ["directory", "deletedItems", id, "restore"]) => {
            user("Restore user", "Update", vec![user_target(shared, id, vec![])])
        }
        ("POST", ["users", id, "assignLicense"]) => user(
            "Change user license",
            "Update",
            vec![user_target(shared, id, modified(body))],
        ),
        ("POST", ["users", id, "revokeSignInSessions"]) => user(
            "Invalidate all refresh tokens for user",
            "Update",
            vec![user_target(shared, id, vec![])],
        ),
        ("POST" | "DELETE", ["users", id, "sponsors", ..]) => {
            let sponsor = if *method == Method::POST {
                referenced(body)
            } else {
                s[3].to_string()
            };
            let change = json!({"displayName": "Sponsors", "oldValue": null,
                                 "newValue": format!("[{verb} {sponsor}]")});
            user("Update user", "Update", vec![user_target(shared, id, vec![change])])
        }
        ("POST", ["groups", group, "members", "$ref"]) => Some(Activity {
            name: "Add member to group".into(),
            category: "GroupManagement",
            service: "Core Directory",
            operation: "Assign",
            targets: vec![
                group_target(shared, group),
                user_target(shared, &referenced(body), vec![]),
            ],
        }),
        ("DELETE", ["groups", group, "members", member, "$ref"]) => Some(Activity {
            name: "Remove member from group".into(),
            category: "GroupManagement",
            service: "Core Directory",
            operation: "Unassign",
            targets: vec![group_target(shared, group), user_target(shared, member, vec![])],
        }),
        (_, ["identity", "conditionalAccess", "policies", rest @ ..]) => {
            let id = rest.first().copied().or(answer["id"].as_str()).unwrap_or_default();
            let name = format!("{verb} conditional access policy");
            policy(
                name,
                "Conditional Access",
                verb,
                policy_target(id, &answer["displayName"]),
            )
        }
        (_, ["identity", "conditionalAccess", "namedLocations", rest @ ..]) => {
            let id = rest.first().copied().or(answer["id"].as_str()).unwrap_or_default();
            let name = format!("{verb} named location");
            policy(
                name,
                "Conditional Access",
                verb,
                policy_target(id, &answer["displayName"]),
            )
        }
        (_, ["policies", "crossTenantAccessPolicy", "partners", rest @ ..]) => {
            let id = rest
                .first()
                .copied()
                .or(answer["tenantId"].as_str())
                .unwrap_or_default();
            let name = match *method {
                Method::POST => "Add a partner to cross-tenant access setting",
                Method::DELETE => "Delete partner specific cross-tenant access setting",
                _ => "Update a partner cross-tenant access setting",
            };
            policy(name.into(), "Core Directory", verb, policy_target(id, &json!(null)))
        }
        (_, ["policies", rest @ ..]) => {
            let what = rest.join("/");
            let name = format!("{verb} policy");
            policy(name, "Core Directory", verb, policy_target(&what, &json!(what)))
        }
        (_, ["identityGovernance", "accessReviews", "definitions", rest @ ..]) => {
            let id = rest.first().copied().or(answer["id"].as_str()).unwrap_or_default();
            let name = match *method {
                Method::POST => "Create access review",
                Method::DELETE => "Delete access review",
                _ => "Update access review",
            };
            Some(Activity {
                name: name.into(),
                category: "AccessReviews",
                service: "Access Reviews",
                operation: verb,
                targets: vec![policy_target(id, &answer["displayName"])],
            })
        }
        ("POST", ["identityGovernance", "entitlementManagement", "assignmentRequests"]) => {
            let user = answer["target"]["objectId"].as_str().unwrap_or_default();
            Some(Activity {
                name: "Remove access package assignment for user".into(),
                category: "EntitlementManagement",
                service: "Entitlement Management",
                operation: "Remove",
                targets: vec![user_target(shared, user, vec![])],
            })
        }
        (_, ["identityGovernance", "entitlementManagement", what, rest @ ..]) => {
            let id = rest.first().copied().or(answer["id"].as_str()).unwrap_or_default();
            Some(Activity {
                name: format!("{verb} {what}"),
                category: "EntitlementManagement",
                service: "Entitlement Management",
                operation: verb,
                targets: vec![policy_target(id, &answer["displayName"])],
            })
        }
        (_, ["identity", "identityProviders", rest @ ..]) => {
            let id = rest.first().copied().or(answer["id"].as_str()).unwrap_or_default();
            let name = format!("{verb} identity provider");
            policy(name, "Core Directory", verb, policy_target(id, &answer["displayName"]))
        }
        _ => None,
    }
}

/// Writes the audit entry for a change Graph just completed (2xx) — from the middleware, so no
/// route can forget it.
pub(crate) fn record_change(
    shared: &Shared,
    caller: &Caller,
    method: &Method,
    path: &str,
    body: &Value,
    answer: &Value,
) {
    let Some(a) = activity(shared, method, path, body, answer) else {
        return;
    };
    let initiated_by = match &caller.user {
        Some(id) => {
            let u = lock(&shared.dir)
                .user(id)
                .ok()
                .flatten()
                .map(|u| u.doc)
                .unwrap_or_default();
            json!({"app": null, "user": {"id": id, "displayName": u["displayName"],
                   "userPrincipalName": u["userPrincipalName"], "ipAddress": "127.0.0.1",
                   "userType": null, "homeTenantId": null, "homeTenantName": null}})
        }
        None => json!({"user": null, "app": {"appId": caller.client_id, "displayName": "Guestpass sandbox app",
                        "servicePrincipalId": caller.client_id, "servicePrincipalName": null}}),
    };
    let entry = json!({
        "id": format!("Directory_{}", uuid::Uuid::new_v4()),
        "category": a.category,
        "correlationId": uuid::Uuid::new_v4().to_string(),
        "result": "success",
        "resultReason": "",
        "activityDisplayName": a.name,
        "activityDateTime": Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true),
        "loggedByService": a.service,
        "operationType": a.operation,
        "initiatedBy": initiated_by,
        "targetResources": a.targets,
        "additionalDetails": [],
    });
    if let Err(e) = lock(&shared.dir).add_audit(&entry) {
        tracing::error!("sandbox could not write an audit entry: {e}");
    }
}

/// Writes a ready-made entry (a redemption, seeded history); `at` is RFC 3339.
pub(crate) fn record_event(shared: &Shared, name: &str, user_id: &str, at: &str) -> Result<Value, ApiError> {
    let entry = json!({
        "id": format!("Directory_{}", uuid::Uuid::new_v4()),
        "category": "UserManagement",
        "correlationId": uuid::Uuid::new_v4().to_string(),
        "result": "success",
        "resultReason": "",
        "activityDisplayName": name,
        "activityDateTime": at,
        "loggedByService": "Invited Users",
        "operationType": "Update",
        "initiatedBy": {"app": null, "user": {"id": user_id, "displayName": null, "userPrincipalName": null,
                         "ipAddress": null, "userType": null, "homeTenantId": null, "homeTenantName": null}},
        "targetResources": [user_target(shared, user_id, vec![])],
        "additionalDetails": [],
    });
    lock(&shared.dir).add_audit(&entry)?;
    Ok(entry)
}

/// One `$filter` clause; clauses are joined with `and`.
enum Clause {
    /// `field op 'value'` on a top-level or nested string (`initiatedBy/user/id`).
    Compare { field: Vec<String>, op: Op, value: String },
    /// `targetResources/any(t:t/id eq 'ID')`
    TargetId(String),
}

#[derive(Clone, Copy)]
enum Op {
    Eq,
    Ge,
    Le,
    StartsWith,
}

const FILTERABLE: &[&str] = &[
    "activityDateTime",
    "activityDisplayName",
    "category",
    "loggedByService",
    "result",
    "correlationId",
    "id",
    "initiatedBy/user/id",
    "initiatedBy/user/userPrincipalName",
    "initiatedBy/app/appId",
];

fn parse_filter(filter: &str) -> Result<Vec<Clause>, ApiError> {
    let bad = |c: &str| ApiError::new(400, "BadRequest", format!("Invalid filter clause: {c}"));
    filter
        .split(" and ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            let unquote = |v: &str| v.trim().trim_matches('\'').to_string();
            if let Some(rest) = c.strip_prefix("targetResources/any(") {
                let (_, cond) = rest.split_once(':').ok_or_else(|| bad(c))?;
                let value = cond.split_once(" eq ").ok_or_else(|| bad(c))?.1.trim_end_matches(')');
                return Ok(Clause::TargetId(unquote(value)));
            }
            if let Some(rest) = c.strip_prefix("startswith(") {
                let (field, value) = rest.trim_end_matches(')').split_once(',').ok_or_else(|| bad(c))?;
                return compare(field.trim(), Op::StartsWith, &unquote(value), c);
            }
            let mut parts = c.splitn(3, ' ');
            let (field, op, value) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().ok_or_else(|| bad(c))?,
            );
            let op = match op {
                "eq" => Op::Eq,
                "ge" => Op::Ge,
                "le" => Op::Le,
                _ => {
                    return Err(ApiError::unsupported_query(format!(
                        "Unsupported operator '{op}' in {c}"
                    )))
                }
            };
            compare(field, op, &unquote(value), c)
        })
        .collect()
}

fn compare(field: &str, op: Op, value: &str, clause: &str) -> Result<Clause, ApiError> {
    if !FILTERABLE.contains(&field) {
        return Err(ApiError::unsupported_query(format!("Unsupported filter: {clause}")));
    }
    Ok(Clause::Compare {
        field: field.split('/').map(str::to_string).collect(),
        op,
        value: value.to_string(),
    })
}

fn keep(clauses: &[Clause], entry: &Value) -> bool {
    clauses.iter().all(|c| match c {
        Clause::TargetId(id) => entry["targetResources"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|t| t["id"] == id.as_str()),
        Clause::Compare { field, op, value } => {
            let got = field
                .iter()
                .fold(entry, |v, k| &v[k.as_str()])
                .as_str()
                .unwrap_or_default();
            match op {
                Op::Eq => got == value,
                Op::Ge => got >= value.as_str(),
                Op::Le => got <= value.as_str(),
                Op::StartsWith => got.starts_with(value.as_str()),
            }
        }
    })
}

/// `GET /auditLogs/directoryAudits`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ)?;
    pace(&shared, &caller.client_id)?;
    let clauses = parse_filter(q.get("$filter").map(String::as_str).unwrap_or(""))?;
    let days = if super::skus::tenant_has_premium(&shared)? {
        30
    } else {
        7
    };
    let kept_since: DateTime<Utc> = Utc::now() - Duration::days(days);
    let kept_since = kept_since.to_rfc3339_opts(SecondsFormat::Micros, true);
    let found: Vec<Value> = lock(&shared.dir)
        .audits()?
        .into_iter()
        .filter(|e| e["activityDateTime"].as_str().unwrap_or_default() >= kept_since.as_str())
        .filter(|e| keep(&clauses, e))
        .collect();
    let body = report_page(&shared, "auditLogs/directoryAudits", &q, found)?;
    Ok(Json(body))
}
