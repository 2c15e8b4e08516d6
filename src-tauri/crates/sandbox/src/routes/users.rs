//! Users: list (`$filter`, `$select`, `$top`, paging), read, `PATCH`, `assignLicense`, `memberOf`.

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
    "User.Read.All",
    "User.ReadWrite.All",
    "User.ReadBasic.All",
    "User.Invite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE_ROLES: &[&str] = &["User.ReadWrite.All", "Directory.ReadWrite.All"];
const LICENSE_ROLES: &[&str] = &[
    "LicenseAssignment.ReadWrite.All",
    "User.ReadWrite.All",
    "Directory.ReadWrite.All",
];

pub(crate) const USERS: EntitySet = EntitySet {
    resource: "User",
    type_name: "microsoft.graph.user",
    filterable: odata::USER_FILTERABLE,
    schema: crate::schema::USER_PROPERTIES,
    sortable: &["displayName", "userPrincipalName"],
    expandable: &["manager", "sponsors"],
    // What Graph v1.0 returns for a user when no `$select` is given.
    default_props: &[
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
    ],
    searchable: &["displayName", "mail", "userPrincipalName"],
};

/// User properties Graph computes or keeps for itself: a `PATCH` that names one is refused.
const READ_ONLY: &[&str] = &[
    "id",
    "deletedDateTime",
    "assignedLicenses",
    "assignedPlans",
    "createdDateTime",
    "creationType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "lastPasswordChangeDateTime",
    "licenseAssignmentStates",
    "onPremisesDistinguishedName",
    "onPremisesDomainName",
    "onPremisesLastSyncDateTime",
    "onPremisesProvisioningErrors",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesSyncEnabled",
    "onPremisesUserPrincipalName",
    "provisionedPlans",
    "proxyAddresses",
    "securityIdentifier",
    "serviceProvisioningErrors",
    "signInActivity",
    "signInSessionsValidFromDateTime",
];

pub(crate) fn json_body(body: Result<Json<Value>, JsonRejection>) -> Result<Value, ApiError> {
    body.map(|Json(v)| v).map_err(|_| {
        ApiError::new(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
    })
}

/// The user, if reads can see it yet (a new guest 404s until replicated).
fn visible_user(shared: &Shared, key: &str) -> Result<Value, ApiError> {
    match lock(&shared.dir).user_by_key(key)? {
        Some(u) if u.is_visible(now_ms()) => Ok(u.doc),
        _ => Err(ApiError::not_found(key)),
    }
}

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ_ROLES)?;
    // A next page carries the first page's query in its token: the same checks apply to it.
    let select = match q.get("$skiptoken") {
        Some(t) => odata::PageCursor::decode(t)?.select,
        None => q.get("$select").cloned(),
    };
    check_sign_in_activity(&shared, &caller, select.as_ref())?;
    if selects_sign_in_activity(select.as_ref()) {
        // Listing users with their sign-in activity counts against the identity reports' limit.
        super::sign_in_log::pace(&shared, &caller.client_id)?;
    }
    let now = now_ms();
    let users = lock(&shared.dir).all_users()?;
    let docs: Vec<Value> = users
        .iter()
        .filter(|u| u.is_visible(now))
        .map(|u| with_identities(&u.doc))
        .collect();
    let docs: Vec<&Value> = docs.iter().collect();
    let expand_manager = |doc: &Value, e: &odata::Expand| expand_related(&shared, doc, e, now);
    Ok(Json(odata::list(
        &USERS,
        &shared.base_url,
        "users",
        &docs,
        &q,
        &headers,
        Some(&expand_manager),
    )?))
}

pub(crate) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ_ROLES)?;
    check_sign_in_activity(&shared, &caller, q.get("$select"))?;
    if selects_sign_in_activity(q.get("$select")) {
        super::sign_in_log::pace_single_user_activity(&shared, &caller.client_id)?;
    }
    let doc = visible_user(&shared, &id)?;
    one_user(&shared, &doc, &q)
}

/// One user as `GET /users/{id}` and `GET /me` answer it: `$select` and `$expand=manager`.
fn one_user(shared: &Shared, doc: &Value, q: &HashMap<String, String>) -> Result<Json<Value>, ApiError> {
    let select = odata::parse_select(q.get("$select").map(String::as_str), USERS.schema, USERS.type_name)?;
    let expand = odata::parse_expand(q.get("$expand").map(String::as_str), &USERS)?;
    let doc = with_identities(doc);
    let mut body = odata::project(&doc, select.as_deref(), &USERS);
    if let Some(e) = &expand {
        body[e.nav.as_str()] = expand_related(shared, &doc, e, now_ms())?;
    }
    body["@odata.context"] = json!(format!("{}/v1.0/$metadata#users/$entity", shared.base_url));
    Ok(Json(body))
}

/// Graph fills `identities` for every user: a member signs in with their UPN at this tenant, a
/// guest through a federated identity provider.
fn with_identities(doc: &Value) -> Value {
    let mut doc = doc.clone();
    if doc.get("identities").is_none_or(Value::is_null) {
        let identity = if doc["userType"] == "Guest" {
            json!({"signInType": "federated", "issuer": "ExternalAzureAD", "issuerAssignedId": null})
        } else {
            json!({"signInType": "userPrincipalName", "issuer": crate::TENANT_DOMAIN, "issuerAssignedId": doc["userPrincipalName"]})
        };
        doc["identities"] = json!([identity]);
    }
    doc
}

/// What `$expand` names: the manager chain, or the sponsors.
fn expand_related(shared: &Shared, doc: &Value, e: &odata::Expand, now: i64) -> Result<Value, ApiError> {
    match e.nav.as_str() {
        "sponsors" => Ok(Value::Array(
            sponsor_docs(shared, doc)?
                .iter()
                .map(|u| odata::project(u, e.select.as_deref(), &USERS))
                .collect(),
        )),
        _ => manager_chain(shared, doc, e, now),
    }
}

/// The users who sponsor `doc` (kept as ids under [`SPONSORS`]).
pub(crate) fn sponsor_docs(shared: &Shared, doc: &Value) -> Result<Vec<Value>, ApiError> {
    let dir = lock(&shared.dir);
    let mut out = Vec::new();
    for id in doc[SPONSORS].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if let Some(u) = dir.user(id)? {
            let mut u = u.doc;
            u["@odata.type"] = json!("#microsoft.graph.user");
            out.push(u);
        }
    }
    Ok(out)
}

/// Where the sandbox keeps a user's sponsors (a relationship in Graph, hidden from `$select`).
pub(crate) const SPONSORS: &str = "_sponsorIds";

/// `$expand=manager`: the user's manager (and theirs, up the chain, as `$levels=max` asks; the
/// sandbox always answers the whole chain), with the expansion's `$select`. Null when none.
fn manager_chain(shared: &Shared, doc: &Value, e: &odata::Expand, now: i64) -> Result<Value, ApiError> {
    let mut seen = vec![doc["id"].clone()];
    let mut chain = Vec::new();
    let mut next = doc.get(MANAGER).cloned();
    while let Some(Value::String(id)) = next {
        let Some(m) = lock(&shared.dir).user_by_key(&id)?.filter(|u| u.is_visible(now)) else {
            break;
        };
        if seen.contains(&m.doc["id"]) {
            break;
        }
        seen.push(m.doc["id"].clone());
        next = m.doc.get(MANAGER).cloned();
        chain.push(odata::project(&m.doc, e.select.as_deref(), &USERS));
    }
    let mut answer = Value::Null;
    for mut m in chain.into_iter().rev() {
        if !answer.is_null() {
            m["manager"] = answer;
        }
        answer = m;
    }
    Ok(answer)
}

/// Where the sandbox keeps a user's manager (a relationship in Graph, not a property, so
/// `$select` never shows it).
pub(crate) const MANAGER: &str = "_managerId";

/// `signInActivity` is read only with `AuditLog.Read.All` and in a tenant with Entra ID P1 or P2.
fn selects_sign_in_activity(select: Option<&String>) -> bool {
    select.is_some_and(|s| s.split(',').any(|p| p.trim().eq_ignore_ascii_case("signInActivity")))
}

fn check_sign_in_activity(shared: &Shared, caller: &Caller, select: Option<&String>) -> Result<(), ApiError> {
    if !selects_sign_in_activity(select) {
        return Ok(());
    }
    caller.require(&["AuditLog.Read.All"])?;
    if !super::skus::tenant_has_premium(shared)? {
        return Err(ApiError::new(
            403,
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            "Neither tenant is B2C or tenant doesn't have premium license",
        ));
    }
    Ok(())
}

pub(crate) async fn patch(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    caller.require(WRITE_ROLES)?;
    let body = json_body(body)?;
    let patch = odata::patch_properties(&body, USERS.type_name)?;
    for &(k, v) in &patch {
        let known = USERS.schema.iter().any(|(p, _)| p == k);
        if !known || READ_ONLY.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Property '{k}' is read-only or does not exist on type 'microsoft.graph.user'."
            )));
        }
        let invalid = || {
            ApiError::bad_request(format!(
                "Invalid value specified for property '{k}' of resource 'User'."
            ))
        };
        let valid = match k.as_str() {
            "usageLocation" => {
                v.is_null()
                    || v.as_str()
                        .is_some_and(|c| c.len() == 2 && isocountry::CountryCode::for_alpha2(c).is_ok())
            }
            "givenName" | "surname" => v.is_null() || v.as_str().is_some_and(|s| s.chars().count() <= 64),
            "displayName" => v
                .as_str()
                .is_some_and(|s| !s.trim().is_empty() && s.chars().count() <= 256),
            "accountEnabled" => v.is_boolean(),
            _ => true,
        };
        if !valid {
            return Err(invalid());
        }
    }
    let mut doc = visible_user(&shared, &id)?;
    for (k, v) in patch {
        doc[k] = v.clone();
    }
    lock(&shared.dir).update_user(&doc)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /users/{id}/assignLicense`, with the errors real tenants return.
pub(crate) async fn assign_license(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    caller.require(LICENSE_ROLES)?;
    let body = json_body(body)?;
    let (Some(add), Some(remove)) = (body["addLicenses"].as_array(), body["removeLicenses"].as_array()) else {
        return Err(ApiError::bad_request(
            "Invalid request: both addLicenses and removeLicenses are required (either may be empty).",
        ));
    };
    let mut dir = lock(&shared.dir);
    let mut user = match dir.user_by_key(&id)? {
        Some(u) if u.is_visible(now_ms()) => u.doc,
        _ => return Err(ApiError::not_found(&id)),
    };
    let mut skus = dir.document("subscribedSkus")?.unwrap_or(json!([]));
    let add_ids: Vec<String> = add
        .iter()
        .filter_map(|l| l["skuId"].as_str().map(str::to_lowercase))
        .collect();
    let remove_ids: Vec<String> = remove
        .iter()
        .filter_map(|r| r.as_str().map(str::to_lowercase))
        .collect();
    let sku_index = |skus: &Value, sku: &str| {
        skus.as_array().and_then(|a| {
            a.iter()
                .position(|s| s["skuId"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(sku)))
        })
    };
    for sku in add_ids.iter().chain(&remove_ids) {
        if sku_index(&skus, sku).is_none() {
            return Err(ApiError::bad_request(format!(
                "License {sku} does not correspond to a valid company License."
            )));
        }
    }
    let mut assigned: Vec<Value> = user["assignedLicenses"].as_array().cloned().unwrap_or_default();
    let has = |assigned: &[Value], sku: &str| {
        assigned
            .iter()
            .any(|a| a["skuId"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(sku)))
    };
    let new: Vec<&String> = add_ids.iter().filter(|s| !has(&assigned, s)).collect();
    if !new.is_empty() && user["usageLocation"].as_str().is_none_or(|u| u.is_empty()) {
        return Err(ApiError::bad_request(
            "License assignment cannot be done for user with invalid usage location.",
        ));
    }
    for sku in &new {
        let i = sku_index(&skus, sku).expect("checked above");
        let s = &skus[i];
        let free = s["prepaidUnits"]["enabled"].as_i64().unwrap_or(0) - s["consumedUnits"].as_i64().unwrap_or(0);
        if free <= 0 {
            return Err(ApiError::bad_request(format!(
                "Subscription {sku} does not have any available licenses."
            )));
        }
    }
    for sku in &new {
        let i = sku_index(&skus, sku).expect("checked above");
        skus[i]["consumedUnits"] = json!(skus[i]["consumedUnits"].as_i64().unwrap_or(0) + 1);
        assigned.push(json!({"disabledPlans": [], "skuId": sku}));
    }
    for sku in &remove_ids {
        if has(&assigned, sku) {
            assigned.retain(|a| !a["skuId"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(sku)));
            let i = sku_index(&skus, sku).expect("checked above");
            skus[i]["consumedUnits"] = json!((skus[i]["consumedUnits"].as_i64().unwrap_or(0) - 1).max(0));
        }
    }
    user["assignedLicenses"] = Value::Array(assigned);
    if !new.is_empty() {
        // When the licence reached the user: the admin API's addUser waits for it to propagate.
        user["licenseAssignedAtMs"] = json!(now_ms());
    }
    dir.transaction(|d| {
        d.update_user(&user)?;
        d.put_document("subscribedSkus", &skus)
    })?;
    let mut body = odata::project(&user, None, &USERS);
    body["@odata.context"] = json!(format!("{}/v1.0/$metadata#users/$entity", shared.base_url));
    Ok(Json(body))
}

/// `GET /users/{id}/memberOf`: the groups the user is a direct member of.
pub(crate) async fn member_of(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(&[
        "GroupMember.Read.All",
        "Group.Read.All",
        "Directory.Read.All",
        "User.Read.All",
        "User.ReadWrite.All",
    ])?;
    let user = visible_user(&shared, &id)?;
    let uid = user["id"].as_str().unwrap_or_default().to_string();
    let groups = groups_of(&shared, &uid)?;
    let docs: Vec<&Value> = groups.iter().collect();
    Ok(Json(odata::list(
        &super::groups::GROUPS,
        &shared.base_url,
        &format!("users/{uid}/memberOf"),
        &docs,
        &q,
        &headers,
        None,
    )?))
}

/// `POST /users/{id}/revokeSignInSessions`: ends the user's sessions (here: nothing to end).
pub(crate) async fn revoke_sign_in_sessions(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(WRITE_ROLES)?;
    visible_user(&shared, &id)?;
    Ok(Json(
        json!({"@odata.context": format!("{}/v1.0/$metadata#Edm.Boolean", shared.base_url), "value": true}),
    ))
}

fn signed_in_user(caller: &Caller) -> Result<&str, ApiError> {
    caller.user.as_deref().ok_or_else(|| {
        ApiError::new(
            400,
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        )
    })
}

/// `GET /me`: the signed-in user (delegated tokens only).
pub(crate) async fn me(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let id = signed_in_user(&caller)?;
    let doc = visible_user(&shared, id)?;
    one_user(&shared, &doc, &q)
}

/// `GET /me/memberOf`: the signed-in user's directory roles (and groups).
pub(crate) async fn my_roles(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    let id = signed_in_user(&caller)?.to_string();
    let mut value: Vec<Value> = super::signin::ADMINS
        .iter()
        .filter(|(uid, _, _, role)| *uid == id && role.is_some())
        .map(|(_, _, _, role)| {
            json!({
                "@odata.type": "#microsoft.graph.directoryRole",
                "id": "5d6b6bb7-de71-4623-b4af-96380a352509",
                "displayName": role,
                "roleTemplateId": "62e90394-69f5-4237-9190-012177145e10"
            })
        })
        .collect();
    value.extend(groups_of(&shared, &id)?);
    Ok(Json(json!({
        "@odata.context": format!("{}/v1.0/$metadata#directoryObjects", shared.base_url),
        "value": value
    })))
}

/// The groups a user belongs to, typed as `memberOf` lists them.
fn groups_of(shared: &Shared, user_id: &str) -> Result<Vec<Value>, ApiError> {
    let dir = lock(&shared.dir);
    let mut groups = Vec::new();
    for gid in dir.groups_of_member(user_id)? {
        if let Some(mut g) = dir.group(&gid)? {
            g["@odata.type"] = json!("#microsoft.graph.group");
            groups.push(g);
        }
    }
    Ok(groups)
}
