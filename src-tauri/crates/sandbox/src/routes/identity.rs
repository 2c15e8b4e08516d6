//! Sign-in without secrets, as Azure offers it:
//! - the managed-identity endpoint of App Service, Functions and Automation (`IDENTITY_ENDPOINT`
//!   with the `X-IDENTITY-HEADER` secret, api-version 2019-08-01; `expires_on` is a string of
//!   Unix seconds), issuing app-only tokens for the sandbox's managed identity;
//! - workload identity federation: a token from an outside issuer (Kubernetes, GitHub, Azure
//!   Pipelines) presented as the client assertion, accepted when a federated credential on the
//!   app matches its issuer, subject and audience and the issuer's key signed it.
//!
//! Entra fetches an issuer's keys from its OpenID metadata; the sandbox is told them instead.

use super::auth::{aad_error, audience_for, issue_access_token};
use crate::{lock, Shared, MANAGED_IDENTITY_CLIENT_ID, MANAGED_IDENTITY_HEADER};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// The audience Entra expects in federated tokens unless a credential names another.
pub const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";

/// A federated identity credential on the sandbox app, with the issuer's signing certificate.
#[derive(Clone)]
pub(crate) struct FederatedCredential {
    issuer: String,
    subject: String,
    audience: String,
    signer: CertificateDer<'static>,
}

/// Adds a federated credential (as "Certificates & secrets › Federated credentials" does) and
/// trusts `issuer_certificate_pem` as the issuer's signing key.
pub(crate) fn add_federated_credential(
    shared: &Shared,
    issuer: &str,
    subject: &str,
    issuer_certificate_pem: &[u8],
) -> Result<(), String> {
    let signer = CertificateDer::from_pem_slice(issuer_certificate_pem)
        .map_err(|_| "no PEM certificate for the issuer's key".to_string())?;
    lock(&shared.federated_credentials).push(FederatedCredential {
        issuer: issuer.into(),
        subject: subject.into(),
        audience: TOKEN_EXCHANGE_AUDIENCE.into(),
        signer,
    });
    Ok(())
}

fn invalid_client(code: u32, text: &str) -> Response {
    aad_error(StatusCode::UNAUTHORIZED, "invalid_client", code, text)
}

/// Checks a federated token presented as the client assertion; `Err` is Entra's answer.
#[allow(clippy::result_large_err)] // the refusal is the HTTP answer itself, sent once
pub(crate) fn check_federated(
    shared: &Shared,
    header: &serde_json::Value,
    claims: &serde_json::Value,
    signed: &str,
    signature: &[u8],
) -> Result<(), Response> {
    let text = |c: &str| claims[c].as_str().unwrap_or_default().to_string();
    let (issuer, subject) = (text("iss"), text("sub"));
    let audience = match &claims["aud"] {
        serde_json::Value::Array(a) => a.first().and_then(|v| v.as_str()).unwrap_or_default().to_string(),
        v => v.as_str().unwrap_or_default().to_string(),
    };
    let credentials = lock(&shared.federated_credentials).clone();
    let by_issuer: Vec<_> = credentials.iter().filter(|c| c.issuer == issuer).collect();
    if by_issuer.is_empty() {
        return Err(invalid_client(700211, &format!(
            "No matching federated identity record found for presented assertion issuer '{issuer}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.")));
    }
    let Some(credential) = by_issuer.iter().find(|c| c.subject == subject) else {
        return Err(invalid_client(700213, &format!(
            "No matching federated identity record found for presented assertion subject '{subject}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.")));
    };
    if credential.audience != audience {
        return Err(invalid_client(700212, &format!(
            "No matching federated identity record found for presented assertion audience '{audience}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion.")));
    }
    let algorithm = match header["alg"].as_str() {
        Some("RS256") => webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
        Some("PS256") => webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        _ => return Err(invalid_client(700027, "Client assertion failed signature validation. [Reason - The provided signature algorithm is not supported.]")),
    };
    let verified = webpki::EndEntityCert::try_from(&credential.signer)
        .ok()
        .is_some_and(|c| c.verify_signature(algorithm, signed.as_bytes(), signature).is_ok());
    if !verified {
        return Err(invalid_client(
            700027,
            "Client assertion failed signature validation. [Reason - The key was not found.]",
        ));
    }
    let now = chrono::Utc::now().timestamp();
    if claims["exp"].as_i64().is_none_or(|exp| exp < now) {
        return Err(invalid_client(
            700024,
            "Client assertion is not within its valid time range.",
        ));
    }
    Ok(())
}

fn msi_error(text: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"statusCode": 400, "message": text, "correlationId": uuid::Uuid::new_v4()})),
    )
        .into_response()
}

/// `GET /msi/token?api-version=2019-08-01&resource=…[&client_id=…]`.
pub(crate) async fn managed_identity_token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    lock(&shared.stats).token_requests += 1;
    if headers.get("x-identity-header").and_then(|v| v.to_str().ok()) != Some(MANAGED_IDENTITY_HEADER) {
        return msi_error("The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.");
    }
    if q.get("api-version").map(String::as_str) != Some("2019-08-01") {
        return msi_error("Unsupported api-version; use 2019-08-01.");
    }
    if let Some(id) = q.get("client_id").or(q.get("object_id")).or(q.get("mi_res_id")) {
        if !id.eq_ignore_ascii_case(MANAGED_IDENTITY_CLIENT_ID) {
            return msi_error("Unable to load the proper Managed Identity.");
        }
    }
    let resource = q.get("resource").cloned().unwrap_or_default();
    let Some(audience) = audience_for(&format!("{}/.default", resource.trim_end_matches('/'))) else {
        return msi_error(&format!("The resource '{resource}' is not known."));
    };
    let roles = lock(&shared.config).roles.clone();
    let (access_token, lifetime) = issue_access_token(&shared, MANAGED_IDENTITY_CLIENT_ID, audience, roles, None);
    let expires_on = chrono::Utc::now().timestamp() + lifetime as i64;
    Json(json!({
        "access_token": access_token,
        "expires_on": expires_on.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": MANAGED_IDENTITY_CLIENT_ID,
    }))
    .into_response()
}
