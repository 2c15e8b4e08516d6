//! `GET /v1.0/users` (with `$filter`, `$select`, `$top`, paging) and `GET /v1.0/users/{id}`.

use crate::error::ApiError;
use crate::middleware::Caller;
use crate::odata::{self, PageCursor};
use crate::{lock, now_ms, Shared};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

const READ_ROLES: &[&str] = &[
    "User.Read.All",
    "User.ReadWrite.All",
    "User.ReadBasic.All",
    "User.Invite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];

/// What Graph v1.0 returns for a user when no `$select` is given.
const DEFAULT_PROPS: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

const PROPS: &[&str] = &[
    "id",
    "displayName",
    "givenName",
    "surname",
    "jobTitle",
    "mail",
    "userPrincipalName",
    "userType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "otherMails",
    "proxyAddresses",
    "createdDateTime",
    "accountEnabled",
    "usageLocation",
    "creationType",
    "businessPhones",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "assignedLicenses",
];

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ_ROLES)?;
    let cursor = match q.get("$skiptoken") {
        Some(t) => PageCursor::decode(t)?,
        None => PageCursor {
            filter: q.get("$filter").cloned(),
            select: q.get("$select").cloned(),
            top: odata::parse_top(q.get("$top").map(String::as_str))?,
            offset: 0,
        },
    };
    let filter = cursor.filter.as_deref().map(odata::parse_filter).transpose()?;
    if let Some(f) = &filter {
        let eventual = headers
            .get("consistencylevel")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
        if odata::is_advanced(f) && !eventual {
            return Err(ApiError::unsupported_query(
                "Unsupported query. This query needs the ConsistencyLevel header set to 'eventual' and $count=true.",
            ));
        }
    }
    let select = odata::parse_select(cursor.select.as_deref(), PROPS, "microsoft.graph.user")?;

    let now = now_ms();
    let users = lock(&shared.dir).all_users()?;
    let matching: Vec<&Value> = users
        .iter()
        .filter(|u| u.is_visible(now))
        .map(|u| &u.doc)
        .filter(|d| filter.as_ref().is_none_or(|f| odata::matches(f, d)))
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(cursor.offset)
        .take(cursor.top)
        .map(|d| odata::project(d, select.as_deref(), DEFAULT_PROPS))
        .collect();

    let context = match &select {
        Some(s) => format!("{}/v1.0/$metadata#users({})", shared.base_url, s.join(",")),
        None => format!("{}/v1.0/$metadata#users", shared.base_url),
    };
    let mut body = json!({ "@odata.context": context });
    if q.get("$count").is_some_and(|c| c == "true") {
        body["@odata.count"] = json!(matching.len());
    }
    let next_offset = cursor.offset + cursor.top;
    if next_offset < matching.len() {
        let next = PageCursor {
            offset: next_offset,
            ..cursor
        };
        body["@odata.nextLink"] = json!(format!("{}/v1.0/users?$skiptoken={}", shared.base_url, next.encode()));
    }
    body["value"] = Value::Array(page);
    Ok(Json(body))
}

pub(crate) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ_ROLES)?;
    let select = odata::parse_select(q.get("$select").map(String::as_str), PROPS, "microsoft.graph.user")?;
    let user = lock(&shared.dir).user_by_key(&id)?;
    match user {
        Some(u) if u.is_visible(now_ms()) => {
            let mut body = odata::project(&u.doc, select.as_deref(), DEFAULT_PROPS);
            body["@odata.context"] = json!(format!("{}/v1.0/$metadata#users/$entity", shared.base_url));
            Ok(Json(body))
        }
        // Not there yet (replication delay) looks exactly like not there at all.
        _ => Err(ApiError::not_found(&id)),
    }
}
