//! The sign-in log (`GET /auditLogs/signIns`, v1.0) as Graph serves it: Entra ID P1 required
//! (403 `Authentication_RequestFromNonPremiumTenantOrB2CTenant` otherwise), newest first, at most
//! 1,000 per page, `$filter` on `createdDateTime ge …` and `userId eq '…'`, the identity reports'
//! limit of 5 requests per 10 seconds per app (429 with Retry-After; users listed with their
//! `signInActivity` count against it too), and each sign-in's
//! `appliedConditionalAccessPolicies` — whose report-only results are members of an evolvable
//! enum, answered as `unknownFutureValue` unless the caller sends
//! `Prefer: include-unknown-enum-members`.
//!
//! Sign-ins happen outside Graph; tests and demos record them with
//! [`SandboxHandle::record_sign_in`](crate::SandboxHandle::record_sign_in), which evaluates the
//! tenant's policies at that moment as Entra would.

use super::conditional_access::{all, LOCATIONS, POLICIES};
use super::what_if::{why_not, Conditions, Identity};
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::{lock, Shared};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

const DOCUMENT: &str = "signInLog";
const READ: &[&str] = &["AuditLog.Read.All"];
const MAX_PAGE: usize = 1000;
/// The identity reports' limit: 5 requests per 10 seconds per app per tenant.
const REPORT_CALLS: usize = 5;
const REPORT_WINDOW: Duration = Duration::from_secs(10);
const REPORT_ONLY: &[&str] = &[
    "reportOnlySuccess",
    "reportOnlyFailure",
    "reportOnlyNotApplied",
    "reportOnlyInterrupted",
];

/// When each app's recent report calls were let through.
#[derive(Default)]
pub(crate) struct ReportGate(HashMap<String, VecDeque<Instant>>);

/// The identity reports' limit for `app`: 5 requests per 10 seconds.
pub(super) fn pace(shared: &Shared, app: &str) -> Result<(), ApiError> {
    pace_key(shared, app, REPORT_CALLS, REPORT_WINDOW)
}

/// Reading one user's `signInActivity` has a limit of its own: 10 requests per minute per app
/// (undocumented until reported: microsoft-graph-docs-contrib#8653).
pub(super) fn pace_single_user_activity(shared: &Shared, app: &str) -> Result<(), ApiError> {
    pace_key(shared, &format!("{app}/signInActivity"), 10, Duration::from_secs(60))
}

fn pace_key(shared: &Shared, key: &str, limit: usize, per: Duration) -> Result<(), ApiError> {
    let cfg = lock(&shared.config).throttle.clone();
    if !cfg.enabled {
        return Ok(());
    }
    let scale = if cfg.time_scale > 0.0 { cfg.time_scale } else { 1.0 };
    let window = per.div_f64(scale);
    let mut gate = lock(&shared.report_gate);
    let calls = gate.0.entry(key.to_string()).or_default();
    let now = Instant::now();
    while calls.front().is_some_and(|t| now.duration_since(*t) >= window) {
        calls.pop_front();
    }
    if calls.len() >= limit {
        lock(&shared.stats).throttled += 1;
        let wait = window.saturating_sub(now.duration_since(calls[0])).as_secs().max(1);
        let mut e = ApiError::new(
            429,
            "TooManyRequests",
            "This request is throttled. Please try again after the value specified in the Retry-After header.",
        );
        e.retry_after = Some(wait);
        return Err(e);
    }
    calls.push_back(now);
    Ok(())
}

/// One page of a report (`$top` at most 1,000, `$skiptoken` to go on), with its nextLink
/// carrying the filter, as the sign-in and directory audit logs answer.
pub(super) fn report_page(
    shared: &Shared,
    path: &str,
    q: &HashMap<String, String>,
    found: Vec<Value>,
) -> Result<Value, ApiError> {
    let top = match q.get("$top") {
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .ok_or_else(|| {
                ApiError::new(
                    400,
                    "Request_BadRequest",
                    format!("Invalid page size {t}: at most {MAX_PAGE}."),
                )
            })?,
        None => MAX_PAGE,
    };
    let skip: usize = q.get("$skiptoken").and_then(|s| s.parse().ok()).unwrap_or(0);
    let more = found.len() > skip + top;
    let value: Vec<Value> = found.into_iter().skip(skip).take(top).collect();
    let mut body = json!({
        "@odata.context": format!("{}/v1.0/$metadata#{path}", shared.base_url),
        "value": value
    });
    if more {
        let mut next = format!("{}/v1.0/{path}?$top={top}&$skiptoken={}", shared.base_url, skip + top);
        if let Some(f) = q.get("$filter") {
            let encoded: String = url::form_urlencoded::byte_serialize(f.as_bytes()).collect();
            next.push_str(&format!("&$filter={encoded}"));
        }
        body["@odata.nextLink"] = json!(next);
    }
    Ok(body)
}

/// What a sign-in's policies did, as the log records it.
fn applied_policies(shared: &Shared, who: &Identity, c: &Conditions) -> Result<Vec<Value>, ApiError> {
    let locations = all(shared, LOCATIONS)?;
    let mut out = Vec::new();
    for p in all(shared, POLICIES)? {
        let state = p["state"].as_str().unwrap_or_default();
        let applies = why_not(&p, who, c, &locations).is_none();
        let controls: Vec<&str> = p["grantControls"]["builtInControls"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let blocks = controls.contains(&"block");
        let result = match (state, applies) {
            ("disabled", _) => "notEnabled",
            ("enabledForReportingButNotEnforced", false) => "reportOnlyNotApplied",
            // Would it have stopped them (block) or asked them for something (MFA…)?
            ("enabledForReportingButNotEnforced", true) if blocks => "reportOnlyFailure",
            ("enabledForReportingButNotEnforced", true) if controls.is_empty() => "reportOnlySuccess",
            ("enabledForReportingButNotEnforced", true) => "reportOnlyInterrupted",
            (_, false) => "notApplied",
            (_, true) if blocks => "failure",
            // Enforced and met: the recorded sign-in completed what was asked.
            (_, true) => "success",
        };
        out.push(json!({
            "id": p["id"],
            "displayName": p["displayName"],
            "enforcedGrantControls": if applies && state == "enabled" { json!(controls) } else { json!([]) },
            "enforcedSessionControls": [],
            "result": result
        }));
    }
    Ok(out)
}

/// Records one interactive sign-in of `user_id` to `app_id` from `country`, `at` (RFC 3339),
/// with what the tenant's policies made of it. Returns the record.
pub(crate) fn record(shared: &Shared, user_id: &str, app_id: &str, country: &str, at: &str) -> Result<Value, ApiError> {
    let who = super::what_if::identity(
        shared,
        &json!({"@odata.type": "#microsoft.graph.userSignIn", "userId": user_id}),
    )?;
    let conditions = Conditions {
        apps: vec![app_id],
        country: Some(country),
        ip: None,
        platform: None,
        client_app: Some("browser"),
    };
    let policies = applied_policies(shared, &who, &conditions)?;
    let failed = policies.iter().any(|p| p["result"] == "failure");
    let user = lock(&shared.dir).user(user_id)?.map(|u| u.doc).unwrap_or_default();
    let entry = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "createdDateTime": at,
        "userId": user_id,
        "userDisplayName": user["displayName"],
        "userPrincipalName": user["userPrincipalName"],
        "appId": app_id,
        "appDisplayName": null,
        "clientAppUsed": "Browser",
        "isInteractive": true,
        "location": {"countryOrRegion": country},
        "status": if failed {
            json!({"errorCode": 53003, "failureReason": "Access has been blocked by Conditional Access policies."})
        } else {
            json!({"errorCode": 0, "failureReason": null})
        },
        "conditionalAccessStatus": if failed { "failure" } else if policies.iter().any(|p| p["result"] == "success") { "success" } else { "notApplied" },
        "appliedConditionalAccessPolicies": policies,
    });
    let dir = lock(&shared.dir);
    // The user's signInActivity follows, as Entra keeps it.
    if let Some(mut u) = dir.user(user_id)?.map(|u| u.doc) {
        let mut activity = u["signInActivity"].clone();
        if !activity.is_object() {
            activity = json!({"lastNonInteractiveSignInDateTime": null, "lastSuccessfulSignInDateTime": null});
        }
        activity["lastSignInDateTime"] = json!(at);
        if !failed {
            activity["lastSuccessfulSignInDateTime"] = json!(at);
        }
        u["signInActivity"] = activity;
        dir.update_user(&u)?;
    }
    let mut log = dir.document(DOCUMENT)?.unwrap_or(json!([]));
    let items = log.as_array_mut().expect("the sign-in log is a list");
    items.push(entry.clone());
    items.sort_by(|a, b| b["createdDateTime"].as_str().cmp(&a["createdDateTime"].as_str()));
    dir.put_document(DOCUMENT, &log)?;
    Ok(entry)
}

/// One `$filter` clause Guestpass (and most scripts) use; clauses are joined with `and`.
enum Clause {
    /// `createdDateTime ge T`
    Since(String),
    /// `userId eq 'ID'`
    User(String),
}

fn parse_filter(filter: &str) -> Result<Vec<Clause>, ApiError> {
    filter
        .split(" and ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| {
            if let Some(t) = c.strip_prefix("createdDateTime ge ") {
                Ok(Clause::Since(t.trim_matches('\'').to_string()))
            } else if let Some(id) = c.strip_prefix("userId eq ") {
                Ok(Clause::User(id.trim_matches('\'').to_string()))
            } else {
                Err(ApiError::unsupported_query(format!("Unsupported filter: {c}")))
            }
        })
        .collect()
}

fn keep(clauses: &[Clause], entry: &Value) -> bool {
    clauses.iter().all(|c| match c {
        Clause::Since(t) => entry["createdDateTime"].as_str().unwrap_or_default() >= t.as_str(),
        Clause::User(id) => entry["userId"] == id.as_str(),
    })
}

/// Report-only results hidden behind the evolvable enum unless the caller opted in.
fn without_unknown_members(mut entry: Value) -> Value {
    for p in entry["appliedConditionalAccessPolicies"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if p["result"].as_str().is_some_and(|r| REPORT_ONLY.contains(&r)) {
            p["result"] = json!("unknownFutureValue");
        }
    }
    entry
}

/// `GET /auditLogs/signIns`.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    caller.require(READ)?;
    pace(&shared, &caller.client_id)?;
    if !super::skus::tenant_has_premium(&shared)? {
        return Err(ApiError::new(
            403,
            "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            "Neither tenant is B2C or tenant doesn't have premium license",
        ));
    }
    let opted_in = headers
        .get_all("Prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|p| p.trim() == "include-unknown-enum-members"));
    let clauses = parse_filter(q.get("$filter").map(String::as_str).unwrap_or(""))?;
    let log = lock(&shared.dir).document(DOCUMENT)?.unwrap_or(json!([]));
    let found: Vec<Value> = log
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| keep(&clauses, e))
        .map(|e| {
            if opted_in {
                e.clone()
            } else {
                without_unknown_members(e.clone())
            }
        })
        .collect();
    let body = report_page(&shared, "auditLogs/signIns", &q, found)?;
    Ok(Json(body))
}
