//! `/_sandbox/…`: switches for tests and demos. Not part of any Microsoft API.

use crate::{lock, Fault, SandboxConfig, Shared, Stats};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use std::sync::Arc;

pub(crate) async fn get_config(State(shared): State<Arc<Shared>>) -> Json<SandboxConfig> {
    Json(lock(&shared.config).clone())
}

pub(crate) async fn put_config(State(shared): State<Arc<Shared>>, Json(cfg): Json<SandboxConfig>) -> StatusCode {
    *lock(&shared.config) = cfg;
    StatusCode::NO_CONTENT
}

pub(crate) async fn push_fault(State(shared): State<Arc<Shared>>, Json(fault): Json<Fault>) -> StatusCode {
    lock(&shared.faults).push_back(fault);
    StatusCode::NO_CONTENT
}

pub(crate) async fn expire_tokens(State(shared): State<Arc<Shared>>) -> StatusCode {
    super::expire_all_tokens(&shared);
    StatusCode::NO_CONTENT
}

pub(crate) async fn stats(State(shared): State<Arc<Shared>>) -> Json<Stats> {
    Json(lock(&shared.stats).clone())
}

/// Uploads a certificate (PEM, public part) to the sandbox app, like "Certificates & secrets".
pub(crate) async fn add_app_certificate(
    State(shared): State<Arc<Shared>>,
    body: axum::body::Bytes,
) -> (StatusCode, String) {
    match super::assertion::register(&shared, &body) {
        Ok(thumbprint) => (StatusCode::CREATED, thumbprint),
        Err(e) => (StatusCode::BAD_REQUEST, e),
    }
}

/// A partner's user asks for an access package in My Access: `{"email", "accessPackageId"}`.
pub(crate) async fn request_access_package(
    State(shared): State<Arc<Shared>>,
    Json(body): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<serde_json::Value>), crate::error::ApiError> {
    let email = body["email"].as_str().unwrap_or_default();
    let package = body["accessPackageId"].as_str().unwrap_or_default();
    let request = super::entitlement::request_as_user(&shared, email, package)?;
    Ok((StatusCode::CREATED, Json(request)))
}

/// The approver approves a waiting request in My Access: `{"requestId"}`.
pub(crate) async fn approve_access_request(
    State(shared): State<Arc<Shared>>,
    Json(body): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>, crate::error::ApiError> {
    let id = body["requestId"].as_str().unwrap_or_default();
    Ok(Json(super::entitlement::approve(&shared, id)?))
}
