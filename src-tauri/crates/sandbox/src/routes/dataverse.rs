//! A small Dataverse Web API (`/dataverse/{env}/api/data/v9.2/…`) per environment: business
//! units, security roles (one copy per business unit, as in Dataverse), system users (present
//! only once licensed and synced through the admin API's `addUser`), and role association.

use super::users::json_body;
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// A fresh organisation: a root business unit and a "Partners" child, each with its own copy
/// of every role of the environment.
pub(crate) fn seed_org(unique: &str) -> Value {
    let env_index = super::power::ENVIRONMENTS
        .iter()
        .position(|(_, _, u, _)| *u == unique)
        .unwrap_or(0);
    let roles = super::power::ENVIRONMENTS.get(env_index).map(|e| e.3).unwrap_or(&[]);
    let bu = |i: usize| format!("b0000000-0000-4000-8000-{:04}{:08}", env_index, i);
    let units = vec![
        json!({"businessunitid": bu(0), "name": unique, "_parentbusinessunitid_value": null}),
        json!({"businessunitid": bu(1), "name": "Partners", "_parentbusinessunitid_value": bu(0)}),
    ];
    let mut all_roles = Vec::new();
    for b in 0..units.len() {
        for (r, name) in roles.iter().enumerate() {
            all_roles.push(json!({
                "roleid": format!("d0000000-0000-4000-8000-{:02}{:02}{:08}", env_index, b, r),
                "name": name,
                "_businessunitid_value": bu(b),
            }));
        }
    }
    json!({"businessUnits": units, "roles": all_roles, "systemusers": []})
}

/// What `addUser` does: creates (or refreshes) the system user in the root business unit.
pub(crate) fn sync_user(org: &mut Value, user: &Value) {
    let oid = user["id"].as_str().unwrap_or_default();
    let root = org["businessUnits"][0]["businessunitid"].clone();
    let users = org["systemusers"].as_array_mut().expect("seeded");
    if users.iter().any(|u| u["azureactivedirectoryobjectid"] == oid) {
        return;
    }
    users.push(json!({
        "systemuserid": uuid::Uuid::new_v4().to_string(),
        "azureactivedirectoryobjectid": oid,
        "fullname": user["displayName"],
        "internalemailaddress": user["mail"],
        "_businessunitid_value": root,
        "isdisabled": false,
        "roles": []
    }));
}

fn dv_error(status: u16, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::new(status, code, message)
}

/// `systemusers(GUID)` -> Some(GUID).
fn key_of<'a>(segment: &'a str, entity: &str) -> Option<&'a str> {
    segment.strip_prefix(entity)?.strip_prefix('(')?.strip_suffix(')')
}

fn user_view(org: &Value, u: &Value, expand_roles: bool) -> Value {
    let mut v = json!({
        "systemuserid": u["systemuserid"],
        "fullname": u["fullname"],
        "azureactivedirectoryobjectid": u["azureactivedirectoryobjectid"],
        "internalemailaddress": u["internalemailaddress"],
        "_businessunitid_value": u["_businessunitid_value"],
    });
    if expand_roles {
        let roles: Vec<Value> = u["roles"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|rid| org["roles"].as_array()?.iter().find(|r| &r["roleid"] == rid))
            .map(|r| json!({"roleid": r["roleid"], "name": r["name"]}))
            .collect();
        v["systemuserroles_association"] = Value::Array(roles);
    }
    v
}

/// The few `$filter` shapes Guestpass sends: `prop eq 'text'`, `prop eq GUID`, joined by `and`.
fn filter_matches(filter: &str, row: &Value) -> Result<bool, ApiError> {
    for clause in filter.split(" and ") {
        let mut parts = clause.trim().splitn(3, ' ');
        let (Some(prop), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(dv_error(
                400,
                "0x80060888",
                format!("Syntax error in $filter: '{clause}'."),
            ));
        };
        if op != "eq" {
            return Err(dv_error(
                400,
                "0x80060888",
                format!("The operator '{op}' is not supported here."),
            ));
        }
        let want = value.trim().trim_matches('\'').replace("''", "'");
        let have = row[prop].as_str().unwrap_or_default();
        if !have.eq_ignore_ascii_case(&want) {
            return Ok(false);
        }
    }
    Ok(true)
}

fn select(v: Value, select: Option<&String>) -> Value {
    match (select, v) {
        (Some(sel), Value::Object(mut m)) => {
            let keep: Vec<&str> = sel.split(',').map(str::trim).collect();
            m.retain(|k, _| keep.contains(&k.as_str()) || k == "systemuserroles_association");
            Value::Object(m)
        }
        (_, v) => v,
    }
}

pub(crate) async fn handle(
    State(shared): State<Arc<Shared>>,
    Extension(_caller): Extension<Caller>,
    method: Method,
    Path((env, rest)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Response, ApiError> {
    if !super::power::ENVIRONMENTS.iter().any(|(_, _, u, _)| *u == env) {
        return Err(dv_error(
            404,
            "0x80040217",
            format!("The environment '{env}' does not exist."),
        ));
    }
    let key = format!("dataverse:{env}");
    let dir = lock(&shared.dir);
    let mut org = dir.document(&key)?.unwrap_or_else(|| seed_org(&env));
    let base = format!("{}/dataverse/{env}/api/data/v9.2", shared.base_url);
    let segments: Vec<&str> = rest.trim_matches('/').split('/').collect();
    let expand_roles = q
        .get("$expand")
        .is_some_and(|e| e.starts_with("systemuserroles_association"));

    match (method.clone(), segments.as_slice()) {
        (Method::GET, ["roles"]) => {
            let mut out = Vec::new();
            for r in org["roles"].as_array().into_iter().flatten() {
                if q.get("$filter")
                    .map(|f| filter_matches(f, r))
                    .transpose()?
                    .unwrap_or(true)
                {
                    out.push(select(r.clone(), q.get("$select")));
                }
            }
            Ok(Json(json!({"@odata.context": format!("{base}/$metadata#roles"), "value": out})).into_response())
        }
        (Method::GET, ["businessunits"]) => Ok(Json(
            json!({"@odata.context": format!("{base}/$metadata#businessunits"), "value": org["businessUnits"]}),
        )
        .into_response()),
        (Method::GET, ["systemusers"]) => {
            let mut out = Vec::new();
            for u in org["systemusers"].as_array().into_iter().flatten() {
                if q.get("$filter")
                    .map(|f| filter_matches(f, u))
                    .transpose()?
                    .unwrap_or(true)
                {
                    out.push(select(user_view(&org, u, expand_roles), q.get("$select")));
                }
            }
            Ok(Json(json!({"@odata.context": format!("{base}/$metadata#systemusers"), "value": out})).into_response())
        }
        (Method::GET, [one]) if key_of(one, "systemusers").is_some() => {
            let id = key_of(one, "systemusers").unwrap_or_default();
            let u = org["systemusers"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|u| u["systemuserid"] == id)
                .cloned();
            match u {
                Some(u) => Ok(Json(select(user_view(&org, &u, expand_roles), q.get("$select"))).into_response()),
                None => Err(dv_error(
                    404,
                    "0x80040217",
                    format!("systemuser With Id = {id} Does Not Exist"),
                )),
            }
        }
        (Method::POST | Method::DELETE, [one, "systemuserroles_association", "$ref"])
            if key_of(one, "systemusers").is_some() =>
        {
            let user_id = key_of(one, "systemusers").unwrap_or_default().to_string();
            let reference = if method == Method::POST {
                json_body(body)?["@odata.id"].as_str().unwrap_or_default().to_string()
            } else {
                q.get("$id").cloned().unwrap_or_default()
            };
            let role_id = reference
                .rsplit('/')
                .next()
                .and_then(|s| key_of(s, "roles"))
                .unwrap_or_default()
                .to_string();
            let users = org["systemusers"].as_array_mut().expect("seeded");
            let Some(user) = users.iter_mut().find(|u| u["systemuserid"] == user_id.as_str()) else {
                return Err(dv_error(
                    404,
                    "0x80040217",
                    format!("systemuser With Id = {user_id} Does Not Exist"),
                ));
            };
            let role = org_role(&dir, &key, &env, &role_id)?;
            if method == Method::POST {
                if role["_businessunitid_value"] != user["_businessunitid_value"] {
                    return Err(dv_error(400, "0x80060888", format!("Role id {role_id} is not valid for this user: use the copy of the role that belongs to the user's business unit.")));
                }
                let roles = user["roles"].as_array_mut().expect("seeded");
                if roles.iter().any(|r| r == role_id.as_str()) {
                    return Err(dv_error(400, "0x80040237", "Cannot insert duplicate key."));
                }
                roles.push(json!(role_id));
            } else {
                user["roles"]
                    .as_array_mut()
                    .expect("seeded")
                    .retain(|r| r != role_id.as_str());
            }
            dir.put_document(&key, &org)?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(dv_error(
            404,
            "0x80060888",
            format!(
                "Resource not found for the segment '{}'.",
                segments.last().unwrap_or(&"")
            ),
        )),
    }
}

/// A role of this environment by id, or Dataverse's invalid-role error.
fn org_role(dir: &crate::directory::Directory, key: &str, env: &str, role_id: &str) -> Result<Value, ApiError> {
    let org = dir.document(key)?.unwrap_or_else(|| seed_org(env));
    org["roles"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["roleid"] == role_id)
        .cloned()
        .ok_or_else(|| dv_error(400, "0x80060888", format!("Role id {role_id} is not valid.")))
}
