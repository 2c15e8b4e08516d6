//! External collaboration: the domain allow/block list (beta `b2bManagementPolicies`), the
//! cross-tenant access default, and identity providers (Google federation).

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

const B2B_READ: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.B2BManagementPolicy"];
const B2B_WRITE: &[&str] = &["Policy.ReadWrite.B2BManagementPolicy"];
const CTA_READ: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"];
const CTA_WRITE: &[&str] = &["Policy.ReadWrite.CrossTenantAccess"];
const IDP_READ: &[&str] = &["IdentityProvider.Read.All", "IdentityProvider.ReadWrite.All"];
const IDP_WRITE: &[&str] = &["IdentityProvider.ReadWrite.All"];

/// The seeded default policy: no allow or block list, auto-redeem empty.
pub(crate) fn default_b2b_policy() -> Value {
    json!({
        "id": "b2bpolicy-0000-4000-8000-000000000001",
        "displayName": "B2BManagementPolicy",
        "type": "B2BManagementPolicy",
        "isOrganizationDefault": true,
        "definition": [
            "{\"B2BManagementPolicy\":{\"InvitationsAllowedAndBlockedDomainsPolicy\":{\"BlockedDomains\":[]},\"AutoRedeemPolicy\":{\"AdminConsentedForUsersIds\":[],\"NoAADConsentForUsersIds\":[]}}}"
        ]
    })
}

pub(crate) fn default_cross_tenant() -> Value {
    let all = |access: &str| {
        json!({
            "usersAndGroups": {"accessType": access, "targets": [{"target": "AllUsers", "targetType": "user"}]},
            "applications": {"accessType": access, "targets": [{"target": "AllApplications", "targetType": "application"}]}
        })
    };
    json!({
        "isServiceDefault": true,
        "inboundTrust": {"isMfaAccepted": false, "isCompliantDeviceAccepted": false, "isHybridAzureADJoinedDeviceAccepted": false},
        "b2bCollaborationOutbound": all("allowed"),
        "b2bCollaborationInbound": all("allowed"),
        "b2bDirectConnectOutbound": all("blocked"),
        "b2bDirectConnectInbound": all("blocked"),
        "tenantRestrictions": tenant_restrictions_default(),
        "invitationRedemptionIdentityProviderConfiguration": {
            "primaryIdentityProviderPrecedenceOrder": ["azureActiveDirectory", "externalFederation", "socialIdentityProviders"],
            "fallbackIdentityProvider": "defaultConfiguredIdp"
        },
        "automaticUserConsentSettings": {"inboundAllowed": false, "outboundAllowed": false}
    })
}

/// Tenant restrictions v2 as the service default has them: every user and app blocked (they act
/// only where a device or network enforces them).
fn tenant_restrictions_default() -> Value {
    json!({
        "devices": null,
        "usersAndGroups": {"accessType": "blocked", "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": "blocked", "targets": [{"target": "AllApplications", "targetType": "application"}]}
    })
}

/// The parsed `InvitationsAllowedAndBlockedDomainsPolicy` of the organisation default.
pub(crate) enum DomainRule {
    Allow(Vec<String>),
    Block(Vec<String>),
}

impl DomainRule {
    pub fn permits(&self, domain: &str) -> bool {
        let listed = |list: &[String]| list.iter().any(|d| d.eq_ignore_ascii_case(domain));
        match self {
            DomainRule::Allow(list) => listed(list),
            DomainRule::Block(list) => !listed(list),
        }
    }
}

pub(crate) fn domain_rule(policies: &Value) -> DomainRule {
    let default = policies
        .as_array()
        .and_then(|a| a.iter().find(|p| p["isOrganizationDefault"] == true));
    let definition: Value = default
        .and_then(|p| p["definition"][0].as_str())
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    let rule = &definition["B2BManagementPolicy"]["InvitationsAllowedAndBlockedDomainsPolicy"];
    let list = |v: &Value| {
        v.as_array()
            .map(|a| a.iter().filter_map(|d| d.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    match rule.get("AllowedDomains") {
        Some(allowed) => DomainRule::Allow(list(allowed)),
        None => DomainRule::Block(list(&rule["BlockedDomains"])),
    }
}

/// Checks a policy's `definition` the way Graph does.
fn check_definition(body: &Value) -> Result<(), ApiError> {
    let Some(def) = body.get("definition") else {
        return Ok(());
    };
    let text = def
        .as_array()
        .filter(|a| a.len() == 1)
        .and_then(|a| a[0].as_str())
        .ok_or_else(|| ApiError::bad_request("The definition must be an array holding exactly one JSON string."))?;
    if text.len() > 25 * 1024 {
        return Err(ApiError::bad_request(
            "The policy definition is larger than the 25 KB limit.",
        ));
    }
    let parsed: Value =
        serde_json::from_str(text).map_err(|_| ApiError::bad_request("The policy definition is not valid JSON."))?;
    let rule = &parsed["B2BManagementPolicy"]["InvitationsAllowedAndBlockedDomainsPolicy"];
    if rule.get("AllowedDomains").is_some() && rule.get("BlockedDomains").is_some() {
        return Err(ApiError::bad_request(
            "AllowedDomains and BlockedDomains cannot both be set.",
        ));
    }
    Ok(())
}

pub(crate) async fn list_b2b(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(B2B_READ)?;
    let policies = lock(&shared.dir)
        .document("b2bManagementPolicies")?
        .unwrap_or(json!([]));
    Ok(Json(
        json!({"@odata.context": format!("{}/beta/$metadata#policies/b2bManagementPolicies", shared.base_url), "value": policies}),
    ))
}

pub(crate) async fn create_b2b(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(B2B_WRITE)?;
    let mut body = json_body(body)?;
    check_definition(&body)?;
    let dir = lock(&shared.dir);
    let mut policies = dir.document("b2bManagementPolicies")?.unwrap_or(json!([]));
    if body["isOrganizationDefault"] == true
        && policies
            .as_array()
            .is_some_and(|a| a.iter().any(|p| p["isOrganizationDefault"] == true))
    {
        return Err(ApiError::new(
            409,
            "Request_MultipleObjectsWithSameKeyValue",
            "An organization default B2B management policy already exists.",
        ));
    }
    body["id"] = json!(uuid::Uuid::new_v4().to_string());
    if let Some(a) = policies.as_array_mut() {
        a.push(body.clone());
    }
    dir.put_document("b2bManagementPolicies", &policies)?;
    Ok((StatusCode::CREATED, Json(body)))
}

pub(crate) async fn patch_b2b(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    caller.require(B2B_WRITE)?;
    let body = json_body(body)?;
    check_definition(&body)?;
    let dir = lock(&shared.dir);
    let mut policies = dir.document("b2bManagementPolicies")?.unwrap_or(json!([]));
    let policy = policies
        .as_array_mut()
        .and_then(|a| a.iter_mut().find(|p| p["id"] == id.as_str()))
        .ok_or_else(|| ApiError::not_found(&id))?;
    for (k, v) in body.as_object().into_iter().flatten() {
        if k != "id" {
            policy[k] = v.clone();
        }
    }
    dir.put_document("b2bManagementPolicies", &policies)?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn get_cross_tenant(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(CTA_READ)?;
    let mut doc = lock(&shared.dir)
        .document("crossTenantAccessDefault")?
        .unwrap_or_else(default_cross_tenant);
    if doc.get("tenantRestrictions").is_none() {
        // Kept by sandboxes made before it was modelled.
        doc["tenantRestrictions"] = tenant_restrictions_default();
    }
    doc["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity",
        shared.base_url
    ));
    Ok(Json(doc))
}

const CTA_WRITABLE: &[&str] = &[
    "inboundTrust",
    "b2bCollaborationOutbound",
    "b2bCollaborationInbound",
    "b2bDirectConnectOutbound",
    "b2bDirectConnectInbound",
    "tenantRestrictions",
    "invitationRedemptionIdentityProviderConfiguration",
    "automaticUserConsentSettings",
];

pub(crate) async fn patch_cross_tenant(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    caller.require(CTA_WRITE)?;
    let body = json_body(body)?;
    let patch = crate::odata::patch_properties(&body, "microsoft.graph.crossTenantAccessPolicyConfigurationDefault")?;
    for &(k, v) in &patch {
        if !CTA_WRITABLE.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Property '{k}' does not exist on type 'microsoft.graph.crossTenantAccessPolicyConfigurationDefault'."
            )));
        }
        for side in ["usersAndGroups", "applications"] {
            if let Some(access) = v.get(side).and_then(|s| s.get("accessType")) {
                if !matches!(access.as_str(), Some("allowed" | "blocked")) {
                    return Err(ApiError::bad_request(format!(
                        "Invalid value for '{k}.{side}.accessType'."
                    )));
                }
            }
        }
    }
    let dir = lock(&shared.dir);
    let mut doc = dir
        .document("crossTenantAccessDefault")?
        .unwrap_or_else(default_cross_tenant);
    for (k, v) in patch {
        doc[k] = v.clone();
    }
    doc["isServiceDefault"] = json!(false);
    dir.put_document("crossTenantAccessDefault", &doc)?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a read shows of a provider: the secret never comes back.
fn redacted(p: &Value) -> Value {
    let mut p = p.clone();
    if p.get("clientSecret").is_some() {
        p["clientSecret"] = json!("******");
    }
    p
}

pub(crate) async fn list_idps(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(IDP_READ)?;
    let idps = lock(&shared.dir).document("identityProviders")?.unwrap_or(json!([]));
    let shown: Vec<Value> = idps.as_array().into_iter().flatten().map(redacted).collect();
    Ok(Json(
        json!({"@odata.context": format!("{}/v1.0/$metadata#identity/identityProviders", shared.base_url), "value": shown}),
    ))
}

/// `GET /identity/identityProviders/availableProviderTypes`: the kinds of identity provider the
/// tenant may add, as Microsoft's docs list them for a workforce tenant.
pub(crate) async fn available_provider_types(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(IDP_READ)?;
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#Collection(Edm.String)", shared.base_url),
        "value": ["MicrosoftAccount", "EmailOTP", "Facebook", "Google"]
    })))
}

pub(crate) async fn create_idp(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(IDP_WRITE)?;
    let body = json_body(body)?;
    if body["@odata.type"].as_str().map(|t| t.trim_start_matches('#')) != Some("microsoft.graph.socialIdentityProvider")
    {
        return Err(ApiError::bad_request(
            "The @odata.type must be '#microsoft.graph.socialIdentityProvider'.",
        ));
    }
    let kind = body["identityProviderType"].as_str().unwrap_or_default();
    if ![
        "Google",
        "Facebook",
        "Amazon",
        "LinkedIn",
        "Microsoft",
        "Twitter",
        "Weibo",
        "QQ",
        "WeChat",
    ]
    .contains(&kind)
    {
        return Err(ApiError::bad_request(format!(
            "Invalid value '{kind}' for property 'identityProviderType'."
        )));
    }
    for field in ["clientId", "clientSecret", "displayName"] {
        if body[field].as_str().is_none_or(|s| s.trim().is_empty()) {
            return Err(ApiError::bad_request(format!("The {field} property is required.")));
        }
    }
    let id = format!("{kind}-OAUTH");
    let dir = lock(&shared.dir);
    let mut idps = dir.document("identityProviders")?.unwrap_or(json!([]));
    if idps
        .as_array()
        .is_some_and(|a| a.iter().any(|p| p["id"] == id.as_str()))
    {
        return Err(ApiError::new(
            409,
            "Request_MultipleObjectsWithSameKeyValue",
            format!("An identity provider with id '{id}' already exists."),
        ));
    }
    let stored = json!({
        "@odata.type": "#microsoft.graph.socialIdentityProvider",
        "id": id,
        "displayName": body["displayName"],
        "identityProviderType": kind,
        "clientId": body["clientId"],
        "clientSecret": body["clientSecret"],
    });
    if let Some(a) = idps.as_array_mut() {
        a.push(stored.clone());
    }
    dir.put_document("identityProviders", &idps)?;
    Ok((StatusCode::CREATED, Json(redacted(&stored))))
}

pub(crate) async fn delete_idp(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(IDP_WRITE)?;
    let dir = lock(&shared.dir);
    let mut idps = dir.document("identityProviders")?.unwrap_or(json!([]));
    let before = idps.as_array().map_or(0, Vec::len);
    if let Some(a) = idps.as_array_mut() {
        a.retain(|p| p["id"] != id.as_str());
    }
    if idps.as_array().map_or(0, Vec::len) == before {
        return Err(ApiError::not_found(&id));
    }
    dir.put_document("identityProviders", &idps)?;
    Ok(StatusCode::NO_CONTENT)
}
