//! Groups: list and search, read, members (`$ref` add and remove, list).

use super::users::json_body;
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::odata::{self, EntitySet};
use crate::{lock, now_ms, Shared};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

const READ_ROLES: &[&str] = &[
    "GroupMember.Read.All",
    "Group.Read.All",
    "Group.ReadWrite.All",
    "Directory.Read.All",
];
const WRITE_ROLES: &[&str] = &[
    "GroupMember.ReadWrite.All",
    "Group.ReadWrite.All",
    "Directory.ReadWrite.All",
];

pub(crate) const GROUPS: EntitySet = EntitySet {
    resource: "Group",
    type_name: "microsoft.graph.group",
    filterable: &[
        ("id", false),
        ("displayName", false),
        ("mailEnabled", false),
        ("securityEnabled", false),
        ("mailNickname", false),
        ("groupTypes", true),
    ],
    props: &[
        "id",
        "displayName",
        "description",
        "mailEnabled",
        "securityEnabled",
        "groupTypes",
        "mailNickname",
        "createdDateTime",
        "visibility",
    ],
    default_props: &[
        "id",
        "displayName",
        "description",
        "mailEnabled",
        "securityEnabled",
        "groupTypes",
        "mailNickname",
        "createdDateTime",
        "visibility",
    ],
    searchable: &["displayName", "description", "mailNickname"],
};

fn group(shared: &Shared, id: &str) -> Result<Value, ApiError> {
    lock(&shared.dir).group(id)?.ok_or_else(|| ApiError::not_found(id))
}

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ_ROLES)?;
    let groups = lock(&shared.dir).all_groups()?;
    let docs: Vec<&Value> = groups.iter().collect();
    Ok(Json(odata::list(
        &GROUPS,
        &shared.base_url,
        "groups",
        &docs,
        &q,
        &headers,
    )?))
}

pub(crate) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ_ROLES)?;
    let mut g = group(&shared, &id)?;
    g["@odata.context"] = json!(format!("{}/v1.0/$metadata#groups/$entity", shared.base_url));
    Ok(Json(g))
}

/// `POST /groups/{id}/members/$ref` with `{"@odata.id": ".../directoryObjects/{uid}"}`.
pub(crate) async fn add_member(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    caller.require(WRITE_ROLES)?;
    let body = json_body(body)?;
    let reference = body["@odata.id"].as_str().unwrap_or_default();
    let member_id = reference
        .rsplit_once('/')
        .filter(|(prefix, _)| {
            prefix.ends_with("/directoryObjects") || prefix.ends_with("/users") || prefix.ends_with("/groups")
        })
        .map(|(_, id)| id.trim_matches(|c| c == '{' || c == '}' || c == '\''))
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::bad_request("Invalid object identifier '@odata.id'."))?;
    group(&shared, &id)?;
    let dir = lock(&shared.dir);
    match dir.user(member_id)? {
        Some(u) if u.is_visible(now_ms()) => {}
        // Right after an invitation the new user is not replicated yet: Graph says it does not exist.
        _ => {
            return Err(ApiError::new(
                404,
                "Request_ResourceNotFound",
                format!("Resource '{member_id}' does not exist or one of its queried reference-property objects are not present."),
            ))
        }
    }
    if !dir.add_member(&id, member_id)? {
        return Err(ApiError::bad_request(
            "One or more added object references already exist for the following modified properties: 'members'.",
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /groups/{id}/members/{uid}/$ref`.
pub(crate) async fn remove_member(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path((id, member_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(WRITE_ROLES)?;
    group(&shared, &id)?;
    if !lock(&shared.dir).remove_member(&id, &member_id)? {
        return Err(ApiError::not_found(&member_id));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /groups/{id}/members`.
pub(crate) async fn members(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ_ROLES)?;
    group(&shared, &id)?;
    let dir = lock(&shared.dir);
    let mut users = Vec::new();
    for uid in dir.members_of_group(&id)? {
        if let Some(u) = dir.user(&uid)? {
            users.push(u.doc);
        }
    }
    drop(dir);
    let docs: Vec<&Value> = users.iter().collect();
    Ok(Json(odata::list(
        &super::users::USERS,
        &shared.base_url,
        &format!("groups/{id}/members"),
        &docs,
        &q,
        &headers,
    )?))
}
