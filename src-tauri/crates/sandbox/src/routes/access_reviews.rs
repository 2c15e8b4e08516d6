//! Access reviews (`/identityGovernance/accessReviews/definitions`, v1.0) as Graph serves them for
//! the reviews Guestpass makes — the guests of one group: `AccessReview.ReadWrite.All` (or
//! `.Read.All` to read), Entra ID P2 or ID Governance in the tenant, the definition's required
//! parts checked, a group that must exist. A definition starts its first instance at once,
//! with one decision per guest in the group (`NotReviewed`); tests decide as a reviewer would
//! with [`SandboxHandle::decide_review`](crate::SandboxHandle::decide_review).
//!
//! Modelled where Microsoft documents no body: the refusal without P2 (403), the message for a
//! missing property.

use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};
use std::sync::Arc;

const DOCUMENT: &str = "accessReviews";
const READ: &[&str] = &["AccessReview.Read.All", "AccessReview.ReadWrite.All"];
const WRITE: &[&str] = &["AccessReview.ReadWrite.All"];
/// Service plans that carry access reviews: Entra ID P2 (also inside E5) and ID Governance.
const GOVERNANCE_PLANS: &[&str] = &["AAD_PREMIUM_P2", "Entra_Identity_Governance"];

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn tenant_has_governance(shared: &Shared) -> Result<bool, ApiError> {
    let skus = lock(&shared.dir).document("subscribedSkus")?.unwrap_or(json!([]));
    Ok(skus.as_array().into_iter().flatten().any(|sku| {
        sku["capabilityStatus"] == "Enabled"
            && sku["servicePlans"].as_array().into_iter().flatten().any(|p| {
                p["servicePlanName"]
                    .as_str()
                    .is_some_and(|n| GOVERNANCE_PLANS.contains(&n))
            })
    }))
}

/// 403 unless the tenant has Entra ID P2 or ID Governance; `feature` names what needs it.
pub(super) fn require_governance(shared: &Shared, feature: &str) -> Result<(), ApiError> {
    if tenant_has_governance(shared)? {
        return Ok(());
    }
    Err(ApiError::new(
        403,
        "Forbidden",
        format!("The tenant needs a Microsoft Entra ID P2 or Microsoft Entra ID Governance license to use {feature}."),
    ))
}

fn require_licence(shared: &Shared) -> Result<(), ApiError> {
    require_governance(shared, "access reviews")
}

fn all(shared: &Shared) -> Result<Vec<Value>, ApiError> {
    Ok(lock(&shared.dir)
        .document(DOCUMENT)?
        .and_then(|d| d.as_array().cloned())
        .unwrap_or_default())
}

fn save(shared: &Shared, defs: &[Value]) -> Result<(), ApiError> {
    lock(&shared.dir).put_document(DOCUMENT, &json!(defs))?;
    Ok(())
}

/// What Graph lists of a definition (its instances are read on their own path).
fn public(def: &Value) -> Value {
    let mut d = def.clone();
    if let Some(o) = d.as_object_mut() {
        o.remove("_instances");
    }
    d
}

fn missing(what: &str) -> ApiError {
    ApiError::new(400, "BadRequest", format!("The property '{what}' is required."))
}

/// The group a single-group guest scope names: `/groups/{id}/transitiveMembers/...`.
fn scoped_group(scope: &Value) -> Option<String> {
    let query = scope["query"].as_str()?;
    let rest = query.strip_prefix("/groups/")?;
    Some(rest.split('/').next()?.to_string())
}

fn user_identity(u: &Value) -> Value {
    json!({"@odata.type": "#microsoft.graph.userIdentity", "id": u["id"], "displayName": u["displayName"],
           "userPrincipalName": u["userPrincipalName"]})
}

/// The first instance: now until the instance's duration, a decision per guest of the group.
fn first_instance(shared: &Shared, def: &Value, group_id: &str) -> Result<Value, ApiError> {
    let days = def["settings"]["instanceDurationInDays"].as_i64().unwrap_or(14);
    let dir = lock(&shared.dir);
    let group = dir.group(group_id)?.unwrap_or_default();
    let mut decisions = Vec::new();
    for member in dir.members_of_group(group_id)? {
        let Some(u) = dir.user(&member)?.map(|u| u.doc) else {
            continue;
        };
        if u["userType"] != "Guest" {
            continue;
        }
        decisions.push(json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "accessReviewId": def["id"],
            "decision": "NotReviewed",
            "justification": null,
            "recommendation": "NoInfoAvailable",
            "applyResult": "New",
            "appliedBy": null,
            "appliedDateTime": null,
            "reviewedBy": null,
            "reviewedDateTime": null,
            "principal": user_identity(&u),
            "resource": {"id": group_id, "displayName": group["displayName"], "type": "group"},
            "principalLink": format!("https://graph.microsoft.com/v1.0/users/{member}"),
            "resourceLink": format!("https://graph.microsoft.com/v1.0/groups/{group_id}"),
        }));
    }
    let start = Utc::now();
    Ok(json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "startDateTime": start.to_rfc3339_opts(SecondsFormat::Millis, true),
        "endDateTime": (start + Duration::days(days)).to_rfc3339_opts(SecondsFormat::Millis, true),
        "status": "InProgress",
        "scope": def["scope"],
        "reviewers": def["reviewers"],
        "fallbackReviewers": def["fallbackReviewers"],
        "_decisions": decisions,
    }))
}

/// `POST /identityGovernance/accessReviews/definitions`.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(WRITE)?;
    require_licence(&shared)?;
    let Json(body) = body.map_err(|_| ApiError::bad_request("Unable to read JSON request payload."))?;
    if body["displayName"].as_str().is_none_or(|n| n.trim().is_empty()) {
        return Err(missing("displayName"));
    }
    if !body["scope"].is_object() || body["scope"]["query"].as_str().is_none() {
        return Err(missing("scope"));
    }
    if body["settings"]["recurrence"].is_null() {
        return Err(missing("settings.recurrence"));
    }
    for list in ["reviewers", "fallbackReviewers"] {
        let ok = body[list].is_null()
            || body[list].as_array().is_some_and(|r| {
                r.iter()
                    .all(|x| x["query"].is_string() && x["queryType"] == "MicrosoftGraph")
            });
        if !ok {
            return Err(ApiError::bad_request(format!(
                "Invalid value for '{list}': each reviewer needs a query and queryType 'MicrosoftGraph'."
            )));
        }
    }
    let group_id = scoped_group(&body["scope"]).ok_or_else(|| {
        ApiError::bad_request("The scope's query is not supported here: review the members of one group (/groups/{id}/transitiveMembers/...).")
    })?;
    if lock(&shared.dir).group(&group_id)?.is_none() {
        return Err(ApiError::not_found(&group_id));
    }
    let created_by = match &caller.user {
        Some(id) => lock(&shared.dir)
            .user(id)?
            .map(|u| user_identity(&u.doc))
            .unwrap_or(json!(null)),
        None => json!({"id": caller.client_id, "displayName": "Guestpass sandbox app", "userPrincipalName": null}),
    };
    let mut def = body.clone();
    def["id"] = json!(uuid::Uuid::new_v4().to_string());
    def["createdDateTime"] = json!(now());
    def["lastModifiedDateTime"] = json!(now());
    def["status"] = json!("InProgress");
    def["createdBy"] = created_by;
    for list in ["reviewers", "fallbackReviewers", "backupReviewers"] {
        if def[list].is_null() {
            def[list] = json!([]);
        }
    }
    def["_instances"] = json!([first_instance(&shared, &def, &group_id)?]);
    let mut defs = all(&shared)?;
    defs.push(def.clone());
    save(&shared, &defs)?;
    let mut answer = public(&def);
    answer["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#identityGovernance/accessReviews/definitions/$entity",
        shared.base_url
    ));
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `GET /identityGovernance/accessReviews/definitions`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ)?;
    require_licence(&shared)?;
    let value: Vec<Value> = all(&shared)?.iter().map(public).collect();
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#identityGovernance/accessReviews/definitions", shared.base_url),
        "value": value
    })))
}

fn find(shared: &Shared, id: &str) -> Result<Value, ApiError> {
    all(shared)?
        .into_iter()
        .find(|d| d["id"] == id)
        .ok_or_else(|| ApiError::not_found(id))
}

/// `GET /identityGovernance/accessReviews/definitions/{id}`.
pub(crate) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ)?;
    require_licence(&shared)?;
    Ok(Json(public(&find(&shared, &id)?)))
}

/// `DELETE /identityGovernance/accessReviews/definitions/{id}`: the review and its instances go.
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(WRITE)?;
    require_licence(&shared)?;
    let mut defs = all(&shared)?;
    let before = defs.len();
    defs.retain(|d| d["id"] != id.as_str());
    if defs.len() == before {
        return Err(ApiError::not_found(&id));
    }
    save(&shared, &defs)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /identityGovernance/accessReviews/definitions/{id}/instances`.
pub(crate) async fn instances(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ)?;
    require_licence(&shared)?;
    let def = find(&shared, &id)?;
    let value: Vec<Value> = def["_instances"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let mut i = i.clone();
            if let Some(o) = i.as_object_mut() {
                o.remove("_decisions");
            }
            i
        })
        .collect();
    Ok(Json(json!({"value": value})))
}

/// `GET /identityGovernance/accessReviews/definitions/{id}/instances/{instance}/decisions`.
pub(crate) async fn decisions(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path((id, instance)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ)?;
    require_licence(&shared)?;
    let def = find(&shared, &id)?;
    let inst = def["_instances"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["id"] == instance.as_str())
        .ok_or_else(|| ApiError::not_found(&instance))?;
    Ok(Json(json!({"value": inst["_decisions"].clone()})))
}

/// A reviewer decides about one guest in a review's current instance (tests and demos).
pub(crate) fn decide(
    shared: &Shared,
    definition: &str,
    user_id: &str,
    decision: &str,
    reviewer: &str,
) -> Result<(), ApiError> {
    let mut defs = all(shared)?;
    let def = defs
        .iter_mut()
        .find(|d| d["id"] == definition)
        .ok_or_else(|| ApiError::not_found(definition))?;
    let reviewer_doc = lock(&shared.dir).user(reviewer)?.map(|u| u.doc).unwrap_or_default();
    let item = def["_instances"]
        .as_array_mut()
        .and_then(|i| i.last_mut())
        .and_then(|i| i["_decisions"].as_array_mut())
        .and_then(|d| d.iter_mut().find(|x| x["principal"]["id"] == user_id))
        .ok_or_else(|| ApiError::not_found(user_id))?;
    item["decision"] = json!(decision);
    item["reviewedBy"] = json!({"id": reviewer, "displayName": reviewer_doc["displayName"],
                                 "userPrincipalName": reviewer_doc["userPrincipalName"]});
    item["reviewedDateTime"] = json!(now());
    item["justification"] = json!(format!("{decision} by the reviewer"));
    save(shared, &defs)
}
