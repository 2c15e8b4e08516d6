//! Per-partner cross-tenant access settings (`/policies/crossTenantAccessPolicy/partners`) and
//! the tenant lookup by domain or id (`/tenantRelationships/findTenantInformationBy…`).
//! A partner configuration's settings are null when they inherit the default.

use super::external::default_cross_tenant;
use super::users::json_body;
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared, TENANT_DOMAIN, TENANT_ID, TENANT_NAME};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::sync::Arc;

const READ: &[&str] = &["Policy.Read.All", "Policy.ReadWrite.CrossTenantAccess"];
const WRITE: &[&str] = &["Policy.ReadWrite.CrossTenantAccess"];
const LOOKUP: &[&str] = &["CrossTenantInformation.ReadBasic.All"];
const DOCUMENT: &str = "crossTenantPartners";

/// Other organisations' tenants the sandbox knows: (a domain of theirs, tenant id, name, default domain).
pub(crate) const KNOWN_TENANTS: &[(&str, &str, &str, &str)] = &[
    (
        "fabrikam.example",
        "8e3b1d6a-2f4c-4a7e-9b1d-3c5e7f9a1b2c",
        "Fabrikam, Inc.",
        "fabrikam.example",
    ),
    (
        "contoso-partners.example",
        "4a7c9e1b-3d5f-4b6a-8c2e-9f1a3b5c7d9e",
        "Contoso Partners Ltd",
        "contoso-partners.example",
    ),
    (
        "adatum.example",
        "c2e4f6a8-1b3d-4e5f-a7b9-d1e3f5a7b9c1",
        "Adatum Corporation",
        "adatum.example",
    ),
    (
        "litware.example",
        "5d7f9b1c-3e5a-4c7e-b9d1-f3a5c7e9b1d3",
        "Litware, Inc.",
        "litware.example",
    ),
    (
        crate::seed::COMPANY_DOMAIN,
        TENANT_ID,
        TENANT_NAME,
        crate::seed::COMPANY_DOMAIN,
    ),
    (TENANT_DOMAIN, TENANT_ID, TENANT_NAME, crate::seed::COMPANY_DOMAIN),
];

/// The settings a partner configuration carries; all start inherited.
const SETTINGS: &[&str] = &[
    "inboundTrust",
    "b2bCollaborationInbound",
    "b2bCollaborationOutbound",
    "b2bDirectConnectInbound",
    "b2bDirectConnectOutbound",
    "automaticUserConsentSettings",
    "tenantRestrictions",
];

fn tenant_information(tenant_id: &str, name: &str, default_domain: &str, base: &str) -> Value {
    json!({
        "@odata.context": format!("{base}/v1.0/$metadata#microsoft.graph.tenantInformation"),
        "tenantId": tenant_id,
        "federationBrandName": null,
        "displayName": name,
        "defaultDomainName": default_domain,
    })
}

/// `GET /tenantRelationships/findTenantInformationByDomainName(domainName='…')` and
/// `…ByTenantId(tenantId='…')`.
pub(crate) async fn find_tenant(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(function): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(LOOKUP)?;
    let argument = |name: &str| {
        function
            .strip_prefix(&format!("findTenantInformationBy{name}("))
            .and_then(|rest| rest.strip_suffix(')'))
            .and_then(|arg| arg.split_once('='))
            .map(|(_, v)| v.trim_matches('\'').to_string())
    };
    let found = if let Some(domain) = argument("DomainName") {
        KNOWN_TENANTS.iter().find(|t| t.0.eq_ignore_ascii_case(&domain))
    } else if let Some(id) = argument("TenantId") {
        KNOWN_TENANTS.iter().find(|t| t.1.eq_ignore_ascii_case(&id))
    } else {
        return Err(ApiError::new(
            400,
            "BadRequest",
            format!("Resource not found for the segment '{function}'."),
        ));
    };
    // Modelled, not verified against Microsoft: an unknown domain or id answers 404.
    let (_, id, name, default_domain) = found.ok_or_else(|| {
        ApiError::new(
            404,
            "Request_ResourceNotFound",
            "No tenant was found for the given domain name or tenant id.",
        )
    })?;
    Ok(Json(tenant_information(id, name, default_domain, &shared.base_url)))
}

fn partners(shared: &Shared) -> Result<Vec<Value>, ApiError> {
    let doc = lock(&shared.dir).document(DOCUMENT)?.unwrap_or(json!([]));
    Ok(doc.as_array().cloned().unwrap_or_default())
}

fn save(shared: &Shared, all: &[Value]) -> Result<(), ApiError> {
    lock(&shared.dir).put_document(DOCUMENT, &Value::Array(all.to_vec()))?;
    Ok(())
}

/// A configuration as Graph answers it: every setting present (null when inherited; tenant
/// restrictions show the default's).
fn shown(p: &Value) -> Value {
    let mut out = p.clone();
    for key in SETTINGS {
        if out.get(*key).is_none() {
            out[*key] = Value::Null;
        }
    }
    if out["tenantRestrictions"].is_null() {
        out["tenantRestrictions"] = default_cross_tenant()["tenantRestrictions"].clone();
    }
    if out["automaticUserConsentSettings"].is_null() {
        out["automaticUserConsentSettings"] = json!({"inboundAllowed": null, "outboundAllowed": null});
    }
    for (key, default) in [
        ("isServiceProvider", json!(false)),
        ("isInMultiTenantOrganization", json!(false)),
    ] {
        if out.get(key).is_none() {
            out[key] = default;
        }
    }
    out
}

fn not_configured(tenant_id: &str) -> ApiError {
    ApiError::new(
        404,
        "Request_ResourceNotFound",
        format!(
            "Resource '{tenant_id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

/// The settings of a create or update body, checked as Graph checks them.
fn checked_settings(body: &Value) -> Result<Vec<(String, Value)>, ApiError> {
    let properties =
        crate::odata::patch_properties(body, "microsoft.graph.crossTenantAccessPolicyConfigurationPartner")?;
    let mut out = Vec::new();
    for (k, v) in properties {
        if k == "tenantId" || k == "isServiceProvider" {
            continue;
        }
        if !SETTINGS.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Property '{k}' does not exist on type 'microsoft.graph.crossTenantAccessPolicyConfigurationPartner'."
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
        out.push((k.clone(), v.clone()));
    }
    Ok(out)
}

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ)?;
    let value: Vec<Value> = partners(&shared)?.iter().map(shown).collect();
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#policies/crossTenantAccessPolicy/partners", shared.base_url),
        "value": value
    })))
}

pub(crate) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(tenant_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ)?;
    partners(&shared)?
        .iter()
        .find(|p| {
            p["tenantId"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(&tenant_id))
        })
        .map(|p| Json(shown(p)))
        .ok_or_else(|| not_configured(&tenant_id))
}

pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    caller.require(WRITE)?;
    let body = json_body(body)?;
    let tenant_id = body["tenantId"].as_str().unwrap_or_default().to_lowercase();
    if uuid::Uuid::parse_str(&tenant_id).is_err() {
        return Err(ApiError::bad_request(
            "The tenantId property is required and must be a valid tenant id (a GUID).",
        ));
    }
    let settings = checked_settings(&body)?;
    // Modelled, not verified against Microsoft: an id no tenant has, and this tenant's own.
    if tenant_id == TENANT_ID {
        return Err(ApiError::bad_request(
            "A partner configuration cannot be created for your own tenant.",
        ));
    }
    if !KNOWN_TENANTS.iter().any(|t| t.1 == tenant_id) {
        return Err(ApiError::bad_request(format!(
            "The tenant '{tenant_id}' does not exist or is not a Microsoft Entra tenant."
        )));
    }
    let mut all = partners(&shared)?;
    if all.iter().any(|p| p["tenantId"] == tenant_id.as_str()) {
        return Err(ApiError::new(
            409,
            "Request_MultipleObjectsWithSameKeyValue",
            format!("A partner configuration for tenant '{tenant_id}' already exists."),
        ));
    }
    let mut partner = json!({"tenantId": tenant_id});
    for (k, v) in settings {
        partner[k] = v;
    }
    all.push(partner.clone());
    save(&shared, &all)?;
    let mut answer = shown(&partner);
    answer["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#policies/crossTenantAccessPolicy/partners/$entity",
        shared.base_url
    ));
    Ok((StatusCode::CREATED, Json(answer)))
}

pub(crate) async fn patch(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(tenant_id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    caller.require(WRITE)?;
    let body = json_body(body)?;
    let settings = checked_settings(&body)?;
    let mut all = partners(&shared)?;
    let partner = all
        .iter_mut()
        .find(|p| {
            p["tenantId"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(&tenant_id))
        })
        .ok_or_else(|| not_configured(&tenant_id))?;
    for (k, v) in settings {
        partner[k] = v;
    }
    save(&shared, &all)?;
    Ok(StatusCode::NO_CONTENT)
}

pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(tenant_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(WRITE)?;
    let mut all = partners(&shared)?;
    let before = all.len();
    all.retain(|p| {
        !p["tenantId"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case(&tenant_id))
    });
    if all.len() == before {
        return Err(not_configured(&tenant_id));
    }
    save(&shared, &all)?;
    Ok(StatusCode::NO_CONTENT)
}
