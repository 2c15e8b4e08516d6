//! `GET /v1.0/subscribedSkus`: the tenant's licences and how many seats are used.

use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::State;
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::sync::Arc;

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[
        "LicenseAssignment.Read.All",
        "Organization.Read.All",
        "Directory.Read.All",
        "LicenseAssignment.ReadWrite.All",
    ])?;
    let skus = lock(&shared.dir).document("subscribedSkus")?.unwrap_or(json!([]));
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#subscribedSkus", shared.base_url),
        "value": skus
    })))
}
