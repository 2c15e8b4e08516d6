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

/// Service plans that make a tenant "premium" for Entra features such as sign-in activity and
/// Conditional Access: Entra ID P1 (also inside P2, EMS and Microsoft 365 E3/E5/Business Premium).
const PREMIUM_PLANS: &[&str] = &["AAD_PREMIUM", "AAD_PREMIUM_P2"];

/// Whether a subscription of the tenant carries Entra ID P1 or P2.
pub(crate) fn tenant_has_premium(shared: &Shared) -> Result<bool, ApiError> {
    let skus = lock(&shared.dir).document("subscribedSkus")?.unwrap_or(json!([]));
    Ok(skus.as_array().into_iter().flatten().any(|sku| {
        sku["capabilityStatus"] == "Enabled"
            && sku["servicePlans"].as_array().into_iter().flatten().any(|plan| {
                plan["servicePlanName"]
                    .as_str()
                    .is_some_and(|n| PREMIUM_PLANS.contains(&n))
            })
    }))
}
