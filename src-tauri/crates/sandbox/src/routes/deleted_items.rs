//! Deleting a user and restoring them, as Graph v1.0 does: `DELETE /users/{id}` moves the user
//! to the directory's deleted items for 30 days (`deletedDateTime` set), where
//! `GET /directory/deletedItems/microsoft.graph.user` lists them and
//! `POST /directory/deletedItems/{id}/restore` brings them back with their group memberships;
//! after 30 days they are gone for good (404).

use super::users::USERS;
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use std::sync::Arc;

const DOCUMENT: &str = "deletedUsers";
/// `User.DeleteRestore.All` is the least privileged; the broader ones also allow it.
const ROLES: &[&str] = &[
    "User.DeleteRestore.All",
    "User.ReadWrite.All",
    "Directory.ReadWrite.All",
];
const READ_ROLES: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
    "User.DeleteRestore.All",
];
const KEPT_DAYS: i64 = 30;

/// The deleted users still restorable (older ones are dropped, as Entra purges them).
fn kept(shared: &Shared) -> Result<Vec<Value>, ApiError> {
    let doc = lock(&shared.dir).document(DOCUMENT)?.unwrap_or(json!([]));
    let now = Utc::now();
    Ok(doc
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| {
            d["user"]["deletedDateTime"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .is_some_and(|t| now - t.with_timezone(&Utc) < Duration::days(KEPT_DAYS))
        })
        .cloned()
        .collect())
}

/// `DELETE /users/{id}`.
pub(crate) async fn delete_user(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require(ROLES)?;
    let mut entries = kept(&shared)?;
    let mut dir = lock(&shared.dir);
    let user = dir.user_by_key(&id)?.ok_or_else(|| ApiError::not_found(&id))?;
    let user_id = user.doc["id"].as_str().unwrap_or_default().to_string();
    let groups = dir.groups_of_member(&user_id)?;
    let mut doc = user.doc;
    doc["deletedDateTime"] = json!(Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    entries.push(json!({"user": doc, "groups": groups}));
    dir.transaction(|d| {
        d.delete_user(&user_id)?;
        d.put_document(DOCUMENT, &Value::Array(entries.clone()))
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /directory/deletedItems/microsoft.graph.user`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ_ROLES)?;
    let value: Vec<Value> = kept(&shared)?
        .into_iter()
        .map(|e| {
            let mut u = e["user"].clone();
            u["@odata.type"] = json!(format!("#{}", USERS.type_name));
            u
        })
        .collect();
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#directoryObjects/microsoft.graph.user", shared.base_url),
        "value": value
    })))
}

/// `POST /directory/deletedItems/{id}/restore`: the user back, with their groups.
pub(crate) async fn restore(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(ROLES)?;
    let mut entries = kept(&shared)?;
    let at = entries
        .iter()
        .position(|e| e["user"]["id"] == id.as_str())
        .ok_or_else(|| ApiError::not_found(&id))?;
    let entry = entries.remove(at);
    let mut user = entry["user"].clone();
    user["deletedDateTime"] = Value::Null;
    let mut dir = lock(&shared.dir);
    dir.transaction(|d| {
        d.insert_user(&user, 0)?;
        for g in entry["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            d.add_member(g, &id)?;
        }
        d.put_document(DOCUMENT, &Value::Array(entries.clone()))
    })?;
    let mut answer = user;
    answer["@odata.context"] = json!(format!("{}/v1.0/$metadata#directoryObjects/$entity", shared.base_url));
    answer["@odata.type"] = json!(format!("#{}", USERS.type_name));
    Ok(Json(answer))
}
