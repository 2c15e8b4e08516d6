//! Delegated sign-in as Entra does it: `/authorize` (a consent page that redirects back with a
//! code), `/devicecode` with a `/devicelogin` page, and the token endpoint's
//! `authorization_code` (PKCE checked), `refresh_token` and device-code grants, with Entra's
//! errors. The sandbox app registration is a public client with `http://localhost` as its
//! redirect URI (any port, as Entra allows for loopback).

use super::auth::{aad_error, audience_for, issue_access_token, random_token};
use crate::{lock, Shared, CLIENT_ID, TENANT_NAME};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Who can sign in to the sandbox: (user id, UPN, display name, directory role).
pub(crate) const ADMINS: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "1a2b3c4d-0000-4000-8000-000000000001",
        "megan.bowen@northwind.example",
        "Megan Bowen",
        Some("Global Administrator"),
    ),
    (
        "1a2b3c4d-0000-4000-8000-000000000004",
        "isaiah.langer@northwind.example",
        "Isaiah Langer",
        None,
    ),
];

/// Delegated permissions the sandbox app registration has been consented to.
pub(crate) fn delegated_scopes() -> Vec<String> {
    super::ALL_ROLES
        .iter()
        .map(|s| s.to_string())
        .chain(["User.Read".to_string()])
        .collect()
}

const CODE_LIFETIME: Duration = Duration::from_secs(600);
const REFRESH_LIFETIME: Duration = Duration::from_secs(90 * 24 * 3600);

struct AuthCode {
    client_id: String,
    redirect_uri: String,
    challenge: Option<String>,
    scope: String,
    user: String,
    expires: Instant,
    redeemed: bool,
}

struct RefreshGrant {
    client_id: String,
    user: String,
    expires: Instant,
}

struct DeviceGrant {
    client_id: String,
    user_code: String,
    scope: String,
    expires: Instant,
    interval: Duration,
    last_poll: Option<Instant>,
    approved_by: Option<String>,
    declined: bool,
}

#[derive(Default)]
pub(crate) struct SignIns {
    codes: HashMap<String, AuthCode>,
    refresh: HashMap<String, RefreshGrant>,
    devices: HashMap<String, DeviceGrant>,
}

/// `http://localhost[:port][/]` or `http://127.0.0.1[:port][/]`, as registered.
fn redirect_allowed(uri: &str) -> bool {
    url::Url::parse(uri).is_ok_and(|u| {
        u.scheme() == "http"
            && matches!(u.host_str(), Some("localhost" | "127.0.0.1"))
            && matches!(u.path(), "" | "/")
            && u.query().is_none()
    })
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:520px;margin:40px auto;color:#1b2430}}\
         .card{{border:1px solid #dde3ea;border-radius:10px;padding:24px}}button{{font:inherit;padding:8px 16px;margin-right:8px}}\
         .muted{{color:#5d6b7a;font-size:14px}}</style></head><body><div class=\"card\">\
         <p class=\"muted\">Sandbox sign-in for {TENANT_NAME} (not Microsoft)</p><h1>{title}</h1>{body}</div></body></html>"
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn account_choices() -> String {
    ADMINS
        .iter()
        .enumerate()
        .map(|(i, (id, upn, name, role))| {
            format!(
                "<p><label><input type=\"radio\" name=\"user\" value=\"{id}\"{}> {name} ({upn}){}</label></p>",
                if i == 0 { " checked" } else { "" },
                role.map(|r| format!(" — {r}")).unwrap_or_default()
            )
        })
        .collect()
}

#[derive(Deserialize)]
pub(crate) struct AuthorizeQuery {
    client_id: Option<String>,
    response_type: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

/// `GET /{tenant}/oauth2/v2.0/authorize`: the consent page (or Entra's error page).
pub(crate) async fn authorize(Path(tenant): Path<String>, Query(q): Query<AuthorizeQuery>) -> Response {
    if !super::auth::is_this_tenant(&tenant) {
        return page(
            "Sign-in failed",
            &format!("<p>AADSTS90002: Tenant '{}' not found.</p>", escape(&tenant)),
        )
        .into_response();
    }
    let client_id = q.client_id.clone().unwrap_or_default();
    if !client_id.eq_ignore_ascii_case(CLIENT_ID) {
        return page(
            "Sign-in failed",
            &format!(
                "<p>AADSTS700016: Application with identifier '{}' was not found in the directory.</p>",
                escape(&client_id)
            ),
        )
        .into_response();
    }
    let redirect = q.redirect_uri.clone().unwrap_or_default();
    if !redirect_allowed(&redirect) {
        return page("Sign-in failed", &format!("<p>AADSTS50011: The redirect URI '{}' specified in the request does not match the redirect URIs configured for the application '{CLIENT_ID}'. Add http://localhost as a mobile and desktop redirect URI.</p>", escape(&redirect))).into_response();
    }
    if q.response_type.as_deref() != Some("code") {
        return redirect_error(
            &redirect,
            q.state.as_deref(),
            "unsupported_response_type",
            "AADSTS700054: response_type 'code' is expected.",
        );
    }
    if q.code_challenge.is_some() && q.code_challenge_method.as_deref() != Some("S256") {
        return redirect_error(
            &redirect,
            q.state.as_deref(),
            "invalid_request",
            "AADSTS501481: The code_challenge_method must be S256.",
        );
    }
    let hidden = |name: &str, v: &Option<String>| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(v.as_deref().unwrap_or_default())
        )
    };
    let body = format!(
        "<p>Guestpass wants to act on your behalf in {TENANT_NAME}: <span class=\"muted\">{}</span></p>\
         <form method=\"post\" action=\"authorize\">{}{}{}{}{}<h2>Pick an account</h2>{}\
         <button type=\"submit\" name=\"decision\" value=\"accept\" id=\"accept\">Accept</button>\
         <button type=\"submit\" name=\"decision\" value=\"cancel\" id=\"cancel\">Cancel</button></form>",
        escape(q.scope.as_deref().unwrap_or_default()),
        hidden("client_id", &q.client_id),
        hidden("redirect_uri", &q.redirect_uri),
        hidden("scope", &q.scope),
        hidden("state", &q.state),
        hidden("code_challenge", &q.code_challenge),
        account_choices()
    );
    page("Permissions requested", &body).into_response()
}

fn redirect_error(redirect: &str, state: Option<&str>, error: &str, description: &str) -> Response {
    let mut u = url::Url::parse(redirect).expect("checked redirect");
    u.query_pairs_mut()
        .append_pair("error", error)
        .append_pair("error_description", description);
    if let Some(s) = state {
        u.query_pairs_mut().append_pair("state", s);
    }
    Redirect::to(u.as_str()).into_response()
}

#[derive(Deserialize)]
pub(crate) struct ConsentForm {
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    code_challenge: Option<String>,
    user: Option<String>,
    decision: String,
}

/// `POST /{tenant}/oauth2/v2.0/authorize`: the account's answer; back to the app with a code.
pub(crate) async fn consent(State(shared): State<Arc<Shared>>, Form(f): Form<ConsentForm>) -> Response {
    if !redirect_allowed(&f.redirect_uri) {
        return (StatusCode::BAD_REQUEST, "redirect_uri not allowed").into_response();
    }
    let state = f.state.as_deref().filter(|s| !s.is_empty());
    if f.decision != "accept" {
        return redirect_error(
            &f.redirect_uri,
            state,
            "access_denied",
            "AADSTS65004: User declined to consent to access the app.",
        );
    }
    let user = f.user.unwrap_or_else(|| ADMINS[0].0.to_string());
    let code = random_token("code", 64);
    lock(&shared.sign_ins).codes.insert(
        code.clone(),
        AuthCode {
            client_id: f.client_id,
            redirect_uri: f.redirect_uri.clone(),
            challenge: f.code_challenge.filter(|c| !c.is_empty()),
            scope: f.scope,
            user,
            expires: Instant::now() + CODE_LIFETIME,
            redeemed: false,
        },
    );
    let mut u = url::Url::parse(&f.redirect_uri).expect("checked redirect");
    u.query_pairs_mut().append_pair("code", &code);
    if let Some(s) = state {
        u.query_pairs_mut().append_pair("state", s);
    }
    Redirect::to(u.as_str()).into_response()
}

#[derive(Deserialize)]
pub(crate) struct DeviceCodeForm {
    client_id: Option<String>,
    scope: Option<String>,
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
pub(crate) async fn device_code(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    Form(f): Form<DeviceCodeForm>,
) -> Response {
    if !super::auth::is_this_tenant(&tenant) {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_tenant",
            90002,
            &format!("Tenant '{tenant}' not found."),
        );
    }
    let client_id = f.client_id.unwrap_or_default();
    if !client_id.eq_ignore_ascii_case(CLIENT_ID) {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory."),
        );
    }
    let (interval, lifetime) = {
        let c = lock(&shared.config);
        (
            c.device_poll_interval_s.max(1),
            Duration::from_secs(c.device_code_lifetime_s),
        )
    };
    let device_code = random_token("dc", 64);
    let user_code: String = random_token("", 9)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(9)
        .collect::<String>()
        .to_uppercase();
    let verification_uri = format!("{}/devicelogin", shared.base_url);
    lock(&shared.sign_ins).devices.insert(
        device_code.clone(),
        DeviceGrant {
            client_id,
            user_code: user_code.clone(),
            scope: f.scope.unwrap_or_default(),
            expires: Instant::now() + lifetime,
            interval: Duration::from_secs(interval),
            last_poll: None,
            approved_by: None,
            declined: false,
        },
    );
    Json(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "expires_in": lifetime.as_secs(),
        "interval": interval,
        "message": format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate."),
    }))
    .into_response()
}

/// `GET /devicelogin`: where the admin types the code.
pub(crate) async fn device_login_page() -> Html<String> {
    page(
        "Enter code",
        &format!(
            "<form method=\"post\" action=\"devicelogin\"><p><label>Code <input name=\"user_code\" id=\"user_code\" autofocus></label></p>\
             <h2>Pick an account</h2>{}<button type=\"submit\" name=\"decision\" value=\"accept\" id=\"accept\">Sign in</button>\
             <button type=\"submit\" name=\"decision\" value=\"cancel\" id=\"cancel\">Cancel</button></form>",
            account_choices()
        ),
    )
}

#[derive(Deserialize)]
pub(crate) struct DeviceLoginForm {
    user_code: String,
    user: Option<String>,
    decision: String,
}

/// `POST /devicelogin`: approves (or declines) the device code's sign-in.
pub(crate) async fn device_login(State(shared): State<Arc<Shared>>, Form(f): Form<DeviceLoginForm>) -> Html<String> {
    let mut sign_ins = lock(&shared.sign_ins);
    let code = f.user_code.trim().to_uppercase();
    let Some(grant) = sign_ins
        .devices
        .values_mut()
        .find(|g| g.user_code == code && g.expires > Instant::now())
    else {
        return page(
            "Code not recognised",
            "<p>AADSTS70000: The code is wrong or has expired. Check it and try again.</p>",
        );
    };
    if f.decision == "accept" {
        grant.approved_by = Some(f.user.unwrap_or_else(|| ADMINS[0].0.to_string()));
        page(
            "You're signed in",
            "<p>Return to Guestpass. You can close this window.</p>",
        )
    } else {
        grant.declined = true;
        page("Sign-in cancelled", "<p>You can close this window.</p>")
    }
}

fn s256(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The `authorization_code`, `refresh_token` and device-code grants (called by `auth::token`).
pub(crate) fn delegated_grant(shared: &Shared, grant: &str, form: &HashMap<String, String>) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let client_id = get("client_id").to_string();
    if !client_id.eq_ignore_ascii_case(CLIENT_ID) {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            &format!("Application with identifier '{client_id}' was not found in the directory."),
        );
    }
    let now = Instant::now();
    let (user, scope) = match grant {
        "authorization_code" => {
            let mut sign_ins = lock(&shared.sign_ins);
            let Some(code) = sign_ins.codes.get_mut(get("code")) else {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    9002313,
                    "Invalid request. Request is malformed or invalid.",
                );
            };
            if code.redeemed {
                return aad_error(StatusCode::BAD_REQUEST, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.");
            }
            if code.expires <= now {
                return aad_error(StatusCode::BAD_REQUEST, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.");
            }
            if code.client_id != client_id || code.redirect_uri != get("redirect_uri") {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    50148,
                    "The redirect URI or client does not match the one the authorization code was issued to.",
                );
            }
            if let Some(challenge) = &code.challenge {
                let verifier = get("code_verifier");
                if verifier.is_empty() || s256(verifier) != *challenge {
                    return aad_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        501481,
                        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
                    );
                }
            }
            code.redeemed = true;
            (
                code.user.clone(),
                form.get("scope").cloned().unwrap_or_else(|| code.scope.clone()),
            )
        }
        "refresh_token" => {
            let mut sign_ins = lock(&shared.sign_ins);
            let Some(old) = sign_ins.refresh.remove(get("refresh_token")) else {
                return aad_error(StatusCode::BAD_REQUEST, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid. The refresh token is not valid (it was revoked, rotated or never issued).");
            };
            if old.expires <= now {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    700082,
                    "The refresh token has expired due to inactivity.",
                );
            }
            if old.client_id != client_id {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    70000,
                    "The refresh token was issued to another client.",
                );
            }
            (old.user, get("scope").to_string())
        }
        _ => {
            // urn:ietf:params:oauth:grant-type:device_code
            let mut sign_ins = lock(&shared.sign_ins);
            let Some(d) = sign_ins.devices.get_mut(get("device_code")) else {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    9002313,
                    "Invalid request. The device_code is not valid.",
                );
            };
            if d.expires <= now {
                return aad_error(StatusCode::BAD_REQUEST, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");
            }
            if d.declined {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "authorization_declined",
                    70000,
                    "The user declined the sign-in.",
                );
            }
            let too_soon = d.last_poll.is_some_and(|t| now.duration_since(t) < d.interval);
            d.last_poll = Some(now);
            if too_soon {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "slow_down",
                    70016,
                    "Polling too fast: wait the interval (plus five seconds) between requests.",
                );
            }
            let Some(user) = d.approved_by.clone() else {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                );
            };
            if d.client_id != client_id {
                return aad_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    70000,
                    "The device code was issued to another client.",
                );
            }
            let scope = d.scope.clone();
            sign_ins.devices.remove(get("device_code"));
            (user, scope)
        }
    };
    let Some(audience) = audience_for(&scope) else {
        return aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            &format!(
                "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid."
            ),
        );
    };
    // Graph scopes named one by one are granted as asked (when consented); `.default` gives all.
    let consented = delegated_scopes();
    let granted: Vec<String> = if scope.contains("/.default") {
        consented.clone()
    } else {
        scope
            .split_whitespace()
            .filter_map(|s| s.rsplit('/').next())
            .filter(|s| consented.iter().any(|c| c.eq_ignore_ascii_case(s)))
            .map(str::to_string)
            .collect()
    };
    let (access_token, lifetime) =
        issue_access_token(shared, &client_id, audience, granted.clone(), Some(user.clone()));
    let refresh_token = random_token("rt", 96);
    lock(&shared.sign_ins).refresh.insert(
        refresh_token.clone(),
        RefreshGrant {
            client_id,
            user,
            expires: now + REFRESH_LIFETIME,
        },
    );
    Json(json!({
        "token_type": "Bearer",
        "scope": granted.join(" "),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
        "refresh_token": refresh_token,
    }))
    .into_response()
}
