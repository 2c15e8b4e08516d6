//! `GET /v1.0/organization`.

use crate::error::ApiError;
use crate::middleware::Caller;
use crate::odata;
use crate::{lock, Shared};
use axum::extract::{Query, State};
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

const ORGANIZATION: odata::EntitySet = odata::EntitySet {
    resource: "Organization",
    type_name: "microsoft.graph.organization",
    filterable: &[],
    schema: crate::schema::ORGANIZATION_PROPERTIES,
    sortable: &[],
    expandable: &[],
    // Graph answers every property of the organization when no `$select` is given.
    default_props: &[
        "id",
        "deletedDateTime",
        "assignedPlans",
        "businessPhones",
        "city",
        "country",
        "countryLetterCode",
        "createdDateTime",
        "defaultUsageLocation",
        "displayName",
        "marketingNotificationEmails",
        "mobileDeviceManagementAuthority",
        "onPremisesLastSyncDateTime",
        "onPremisesSyncEnabled",
        "partnerTenantType",
        "postalCode",
        "preferredLanguage",
        "privacyProfile",
        "provisionedPlans",
        "securityComplianceNotificationMails",
        "securityComplianceNotificationPhones",
        "state",
        "street",
        "technicalNotificationMails",
        "tenantType",
        "verifiedDomains",
    ],
    searchable: &[],
};

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    // As Microsoft's permissions reference lists them for GET /organization (User.Read is a
    // delegated permission only).
    caller.require(&[
        "Organization.Read.All",
        "Organization.ReadWrite.All",
        "Directory.Read.All",
        "Directory.ReadWrite.All",
        "User.Read",
        "User.Read.All",
        "User.ReadWrite.All",
        "DeviceManagementServiceConfig.Read.All",
        "DeviceManagementServiceConfig.ReadWrite.All",
        "DeviceManagementConfiguration.Read.All",
        "DeviceManagementConfiguration.ReadWrite.All",
    ])?;
    let select = odata::parse_select(
        q.get("$select").map(String::as_str),
        ORGANIZATION.schema,
        ORGANIZATION.type_name,
    )?;
    let mut org = lock(&shared.dir).document("organization")?.unwrap_or(Value::Null);
    if org.get("mobileDeviceManagementAuthority").is_none() {
        // No Intune or other device management in the sandbox company.
        org["mobileDeviceManagementAuthority"] = json!("unknown");
    }
    let mut item = odata::project(&org, select.as_deref(), &ORGANIZATION);
    if select.is_none() {
        item["@odata.type"] = json!("#microsoft.graph.organization");
    }
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#organization", shared.base_url),
        "value": [item]
    })))
}
