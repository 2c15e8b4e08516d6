//! `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant, with Entra's errors. The
//! delegated grants (code with PKCE, refresh token, device code) are in `signin`.

use crate::{lock, IssuedToken, Shared, CLIENT_ID, CLIENT_SECRET, TENANT_DOMAIN, TENANT_ID};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use rand::Rng;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Entra's error shape: `error`, `error_description` (starting with the AADSTS code), and ids.
pub(crate) fn aad_error(status: StatusCode, error: &str, code: u32, text: &str) -> Response {
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

pub(crate) fn is_this_tenant(t: &str) -> bool {
    t.eq_ignore_ascii_case(TENANT_ID)
        || t.eq_ignore_ascii_case(TENANT_DOMAIN)
        || t.eq_ignore_ascii_case(crate::seed::COMPANY_DOMAIN)
}

pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| fields.get(k).cloned();
    lock(&shared.stats).token_requests += 1;
    // An injected outage of the sign-in service, in Entra's shape.
    let path = format!("/{tenant}/oauth2/v2.0/token");
    if let Some(f) = crate::middleware::take_fault(&shared, &axum::http::Method::POST, &path) {
        let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let text = f
            .message
            .as_deref()
            .unwrap_or("A transient error has occurred. Please try again.");
        return aad_error(status, "temporarily_unavailable", 90033, text);
    }
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
    match field("grant_type").as_deref() {
        Some("client_credentials") => {}
        Some(g @ ("authorization_code" | "refresh_token" | "urn:ietf:params:oauth:grant-type:device_code")) => {
            return super::signin::delegated_grant(&shared, g, &fields)
        }
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
    let client_id = field("client_id").unwrap_or_default();
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
    let assertion = field("client_assertion").filter(|a| !a.is_empty());
    match (field("client_secret").filter(|s| !s.is_empty()), assertion) {
        (Some(s), _) if s != CLIENT_SECRET => return aad_error(StatusCode::UNAUTHORIZED, "invalid_client", 7000215, &format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{CLIENT_ID}'.")),
        (Some(_), _) => {}
        (None, Some(assertion)) => {
            let token_url = format!("{}/{tenant}/oauth2/v2.0/token", shared.base_url);
            if let Err(refusal) =
                super::assertion::check(&shared, &token_url, field("client_assertion_type").as_deref(), &assertion)
            {
                return refusal;
            }
        }
        (None, None) => return aad_error(StatusCode::UNAUTHORIZED, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
    }
    let scope = field("scope").unwrap_or_default();
    let audience = if scope.ends_with("/.default") {
        audience_for(&scope)
    } else {
        None
    };
    let Some(audience) = audience else {
        return aad_error(StatusCode::BAD_REQUEST, "invalid_scope", 1002012, &format!(
            "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."));
    };
    let roles = lock(&shared.config).roles.clone();
    let (access_token, lifetime) = issue_access_token(&shared, &client_id, audience, roles, None);
    Json(json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token
    }))
    .into_response()
}

/// The resource a scope list asks for: Graph (also for bare names such as `User.Read`), the
/// Power Platform admin API, or one Dataverse environment. OpenID scopes are ignored.
pub(crate) fn audience_for(scope: &str) -> Option<String> {
    let first = scope
        .split_whitespace()
        .find(|s| !matches!(*s, "openid" | "profile" | "offline_access" | "email"))?;
    if first.starts_with("https://graph.microsoft.com/")
        || first.starts_with("00000003-0000-0000-c000-000000000000/")
        || !first.contains('/')
    {
        return Some(GRAPH_AUDIENCE.to_string());
    }
    if first.starts_with("https://service.powerapps.com/") {
        return Some(POWER_PLATFORM_AUDIENCE.to_string());
    }
    super::power::ENVIRONMENTS
        .iter()
        .map(|(_, _, unique, _)| super::power::org_url(unique))
        .find(|url| first.starts_with(&format!("{url}/")))
}

/// An opaque random value such as a token or a code.
pub(crate) fn random_token(prefix: &str, len: usize) -> String {
    let secret: String = rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect();
    if prefix.is_empty() {
        secret
    } else {
        format!("{prefix}.{secret}")
    }
}

/// Issues an access token for `audience`; returns it and its lifetime in seconds.
pub(crate) fn issue_access_token(
    shared: &Shared,
    client_id: &str,
    audience: String,
    roles: Vec<String>,
    user: Option<String>,
) -> (String, u64) {
    let lifetime = lock(&shared.config).token_lifetime_s;
    let access_token = jwt_shaped(client_id, &audience, &roles, user.as_deref(), lifetime);
    lock(&shared.tokens).insert(
        access_token.clone(),
        IssuedToken {
            client_id: client_id.to_string(),
            audience,
            expires_at: Instant::now() + Duration::from_secs(lifetime),
            roles,
            user,
        },
    );
    (access_token, lifetime)
}

/// A token shaped like Entra's (header.claims.signature, base64url), so clients can read its
/// claims (`scp` for delegated tokens, `roles` for app-only) as they do with real ones. The
/// signature is random: the sandbox recognises its tokens by their whole value.
fn jwt_shaped(client_id: &str, audience: &str, roles: &[String], user: Option<&str>, lifetime: u64) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine as _;
    let now = chrono::Utc::now().timestamp();
    let mut claims = json!({
        "aud": audience,
        "iss": format!("https://sts.windows.net/{TENANT_ID}/"),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime as i64,
        "appid": client_id,
        "tid": TENANT_ID,
        "ver": "1.0",
    });
    match user {
        Some(oid) => {
            claims["oid"] = json!(oid);
            claims["scp"] = json!(roles.join(" "));
        }
        None => claims["roles"] = json!(roles),
    }
    let header = json!({"typ": "JWT", "alg": "RS256", "kid": "sandbox"});
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        random_token("", 43)
    )
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
