//! A user's sponsors (`/users/{id}/sponsors`, v1.0): list them, add one by reference, remove
//! one; at most five, users only here (Graph also takes groups).

use super::users::{sponsor_docs, SPONSORS, USERS};
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::sync::Arc;

const READ: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE: &[&str] = &["User.ReadWrite.All", "Directory.ReadWrite.All"];
const MAX_SPONSORS: usize = 5;

fn user(shared: &Shared, id: &str) -> Result<Value, ApiError> {
    Ok(lock(&shared.dir)
        .user_by_key(id)?
        .ok_or_else(|| ApiError::not_found(id))?
        .doc)
}

/// `GET /users/{id}/sponsors`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ)?;
    let doc = user(&shared, &id)?;
    let value: Vec<Value> = sponsor_docs(&shared, &doc)?
        .iter()
        .map(|u| crate::odata::project(u, None, &USERS))
        .collect();
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#directoryObjects", shared.base_url),
        "value": value
    })))
}

/// `POST /users/{id}/sponsors/$ref` with `{"@odata.id": ".../users/{sponsorId}"}`.
pub(crate) async fn add(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    caller.require(WRITE)?;
    let body = super::users::json_body(body)?;
    let reference = body["@odata.id"].as_str().unwrap_or_default();
    let sponsor_id = reference.rsplit('/').next().unwrap_or_default().to_string();
    let sponsor = user(&shared, &sponsor_id)
        .map_err(|_| ApiError::bad_request(format!("Invalid object identifier '{sponsor_id}'.")))?;
    let mut doc = user(&shared, &id)?;
    let mut ids: Vec<Value> = doc[SPONSORS].as_array().cloned().unwrap_or_default();
    if ids.iter().any(|s| s == &sponsor["id"]) {
        return Err(ApiError::bad_request(
            "One or more added object references already exist for the following modified properties: 'sponsors'.",
        ));
    }
    if ids.len() >= MAX_SPONSORS {
        return Err(ApiError::bad_request(format!(
            "A user can have at most {MAX_SPONSORS} sponsors."
        )));
    }
    ids.push(sponsor["id"].clone());
    doc[SPONSORS] = Value::Array(ids);
    lock(&shared.dir).update_user(&doc)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /users/{id}/sponsors/{sponsorId}/$ref`.
pub(crate) async fn remove(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path((id, sponsor_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(WRITE)?;
    let mut doc = user(&shared, &id)?;
    let mut ids: Vec<Value> = doc[SPONSORS].as_array().cloned().unwrap_or_default();
    let before = ids.len();
    ids.retain(|s| s != sponsor_id.as_str());
    if ids.len() == before {
        return Err(ApiError::not_found(&sponsor_id));
    }
    doc[SPONSORS] = Value::Array(ids);
    lock(&shared.dir).update_user(&doc)?;
    Ok(StatusCode::NO_CONTENT)
}
