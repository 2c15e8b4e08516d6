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
