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

const PROPS: &[&str] = &[
    "id",
    "displayName",
    "verifiedDomains",
    "tenantType",
    "countryLetterCode",
    "preferredLanguage",
    "createdDateTime",
];

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
        PROPS,
        "microsoft.graph.organization",
    )?;
    let org = lock(&shared.dir).document("organization")?.unwrap_or(Value::Null);
    let mut item = odata::project(&org, select.as_deref(), PROPS);
    if select.is_none() {
        item["@odata.type"] = json!("#microsoft.graph.organization");
    }
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#organization", shared.base_url),
        "value": [item]
    })))
}
