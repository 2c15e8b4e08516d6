//! `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant, with Entra's errors.

use crate::{lock, IssuedToken, Shared, CLIENT_ID, CLIENT_SECRET, TENANT_DOMAIN, TENANT_ID};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use rand::Rng;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Deserialize)]
pub(crate) struct TokenForm {
    grant_type: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

/// Entra's error shape: `error`, `error_description` (starting with the AADSTS code), and ids.
fn aad_error(status: StatusCode, error: &str, code: u32, text: &str) -> Response {
    let trace = uuid::Uuid::new_v4();
    let correlation = uuid::Uuid::new_v4();
    let now = chrono::Utc::now();
    let description = format!(
        "AADSTS{code}: {text} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {}",
        now.format("%Y-%m-%d %H:%M:%SZ")
    );
    (
        status,
        Json(json!({
            "error": error,
            "error_description": description,
            "error_codes": [code],
            "timestamp": now.format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}")
        })),
    )
        .into_response()
}

fn is_this_tenant(t: &str) -> bool {
    t.eq_ignore_ascii_case(TENANT_ID)
        || t.eq_ignore_ascii_case(TENANT_DOMAIN)
        || t.eq_ignore_ascii_case(crate::seed::COMPANY_DOMAIN)
}

pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Form(form): Form<TokenForm>,
) -> Response {
    lock(&shared.stats).token_requests += 1;
    if tenant.eq_ignore_ascii_case("common") || tenant.eq_ignore_ascii_case("organizations") {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90133,
            "Use a tenant-specific endpoint or configure the application to be multi-tenant.",
        );
    }
    if !is_this_tenant(&tenant) {
        return aad_error(StatusCode::BAD_REQUEST, "invalid_tenant", 90002, &format!(
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."));
    }
    match form.grant_type.as_deref() {
        Some("client_credentials") => {}
        None => {
            return aad_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                900144,
                "The request body must contain the following parameter: 'grant_type'.",
            )
        }
        Some(other) => {
            return aad_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                70003,
                &format!("The app requested an unsupported grant type '{other}'."),
            )
        }
    }
    let client_id = form.client_id.unwrap_or_default();
    if client_id.is_empty() {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    }
    if !client_id.eq_ignore_ascii_case(CLIENT_ID) {
        return aad_error(StatusCode::BAD_REQUEST, "unauthorized_client", 700016, &format!(
            "Application with identifier '{client_id}' was not found in the directory '{TENANT_DOMAIN}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant."));
    }
    match form.client_secret.as_deref() {
        None | Some("") => return aad_error(StatusCode::UNAUTHORIZED, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
        Some(s) if s != CLIENT_SECRET => return aad_error(StatusCode::UNAUTHORIZED, "invalid_client", 7000215, &format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{CLIENT_ID}'.")),
        Some(_) => {}
    }
    let scope = form.scope.unwrap_or_default();
    let dataverse = |s: &str| {
        super::power::ENVIRONMENTS
            .iter()
            .map(|(_, _, unique, _)| super::power::org_url(unique))
            .find(|url| s == format!("{url}/.default"))
    };
    let audience = match scope.as_str() {
        "https://graph.microsoft.com/.default" | "00000003-0000-0000-c000-000000000000/.default" => {
            Some(GRAPH_AUDIENCE.to_string())
        }
        "https://service.powerapps.com//.default" => Some(POWER_PLATFORM_AUDIENCE.to_string()),
        s => dataverse(s),
    };
    let Some(audience) = audience else {
        return aad_error(StatusCode::BAD_REQUEST, "invalid_scope", 1002012, &format!(
            "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."));
    };
    let (lifetime, roles) = {
        let c = lock(&shared.config);
        (c.token_lifetime_s, c.roles.clone())
    };
    let secret: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(48)
        .map(char::from)
        .collect();
    let access_token = format!("sbx.{secret}");
    lock(&shared.tokens).insert(
        access_token.clone(),
        IssuedToken {
            client_id: client_id.clone(),
            audience,
            expires_at: Instant::now() + Duration::from_secs(lifetime),
            roles,
        },
    );
    Json(json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token
    }))
    .into_response()
}

pub(crate) const GRAPH_AUDIENCE: &str = "https://graph.microsoft.com";
pub(crate) const POWER_PLATFORM_AUDIENCE: &str = "https://service.powerapps.com/";

pub(crate) fn expire_all_tokens(shared: &Shared) {
    let now = Instant::now();
    let mut tokens = lock(&shared.tokens);
    for t in tokens.values_mut() {
        t.expires_at = now;
    }
}
