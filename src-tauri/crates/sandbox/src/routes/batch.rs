//! `POST /v1.0/$batch`: up to 20 requests in one round trip. Each inner request goes through
//! the whole sandbox again (token, faults, throttling), so each can fail or be throttled on its
//! own while the outer answer is 200, exactly the contract Graph documents. `dependsOn` orders
//! requests; a request whose dependency failed gets 424.

use super::users::json_body;
use crate::error::ApiError;
use crate::middleware::Caller;
use crate::Shared;
use axum::body::Body;
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{HeaderMap, Request};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

const MAX_REQUESTS: usize = 20;

pub(crate) async fn batch(
    State(shared): State<Arc<Shared>>,
    Extension(_caller): Extension<Caller>,
    headers: HeaderMap,
    body: Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(body)?;
    let requests = body["requests"]
        .as_array()
        .ok_or_else(|| ApiError::bad_request("Invalid batch payload format: 'requests' is missing."))?;
    if requests.len() > MAX_REQUESTS {
        return Err(ApiError::bad_request(format!(
            "The number of batch requests exceeds the limit of {MAX_REQUESTS}."
        )));
    }
    let mut ids = std::collections::HashSet::new();
    for r in requests {
        let id = r["id"].as_str().unwrap_or_default();
        if id.is_empty() || !ids.insert(id.to_string()) {
            return Err(ApiError::bad_request(format!(
                "Batch request ids must be present and unique; '{id}' is not."
            )));
        }
        if r.get("body").is_some_and(|b| !b.is_null()) {
            let has_type = r["headers"]
                .as_object()
                .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("content-type")));
            if !has_type {
                return Err(ApiError::bad_request(format!(
                    "Request '{id}' has a body but no Content-Type header."
                )));
            }
        }
    }
    // The whole sandbox again (built per batch: cheap, and no reference cycle through `Shared`).
    let router = super::router(shared.clone());
    let auth = headers.get("authorization").cloned();
    // Graph runs calls without `dependsOn` side by side, in no set order; with `dependsOn`
    // in the order given.
    let ordered = requests
        .iter()
        .any(|r| r.get("dependsOn").is_some_and(|d| !d.is_null()));
    let mut responses = Vec::new();
    if !ordered {
        let mut set = tokio::task::JoinSet::new();
        for (i, r) in requests.iter().enumerate() {
            let (router, auth, r) = (router.clone(), auth.clone(), r.clone());
            set.spawn(async move { (i, run_one(router, auth, &r).await) });
        }
        let mut done: Vec<(usize, Value)> = Vec::new();
        while let Some(joined) = set.join_next().await {
            let (i, item) = joined.map_err(ApiError::internal)?;
            done.push((i, item?));
        }
        done.sort_by_key(|(i, _)| *i);
        responses = done.into_iter().map(|(_, v)| v).collect();
        return Ok(Json(json!({ "responses": responses })));
    }
    let mut statuses: HashMap<String, u16> = HashMap::new();
    for r in requests {
        let id = r["id"].as_str().unwrap_or_default().to_string();
        let depends: Vec<String> = r["dependsOn"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str().map(str::to_string))
            .collect();
        if depends.iter().any(|d| statuses.get(d).is_none_or(|s| *s >= 400)) {
            statuses.insert(id.clone(), 424);
            responses.push(json!({
                "id": id,
                "status": 424,
                "body": {"error": {"code": "FailedDependency", "message": "The request was not run because a request it depends on failed."}}
            }));
            continue;
        }
        let item = run_one(router.clone(), auth.clone(), r).await?;
        statuses.insert(id, item["status"].as_u64().unwrap_or(500) as u16);
        responses.push(item);
    }
    Ok(Json(json!({ "responses": responses })))
}

/// Sends one inner call through the whole sandbox and shapes its answer as a batch item.
async fn run_one(router: axum::Router, auth: Option<axum::http::HeaderValue>, r: &Value) -> Result<Value, ApiError> {
    let id = r["id"].as_str().unwrap_or_default().to_string();
    let url = r["url"].as_str().unwrap_or_default();
    let path = format!("/v1.0/{}", url.trim_start_matches('/').trim_start_matches("v1.0/"));
    let method = r["method"].as_str().unwrap_or("GET").to_ascii_uppercase();
    let mut builder = Request::builder().method(method.as_str()).uri(path);
    if let Some(a) = &auth {
        builder = builder.header("authorization", a.clone());
    }
    for (k, v) in r["headers"].as_object().into_iter().flatten() {
        if let Some(v) = v.as_str() {
            builder = builder.header(k.as_str(), v);
        }
    }
    let inner_body = match r.get("body") {
        Some(b) if !b.is_null() => Body::from(b.to_string()),
        _ => Body::empty(),
    };
    let request = builder
        .body(inner_body)
        .map_err(|e| ApiError::bad_request(format!("Request '{id}' is malformed: {e}.")))?;
    let answer = router.oneshot(request).await.map_err(ApiError::internal)?;
    let status = answer.status().as_u16();
    let mut out_headers = Map::new();
    for (k, v) in answer.headers() {
        if let Ok(v) = v.to_str() {
            out_headers.insert(k.as_str().to_string(), json!(v));
        }
    }
    let bytes = axum::body::to_bytes(answer.into_body(), 1 << 20)
        .await
        .map_err(ApiError::internal)?;
    let body: Value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    let mut item = json!({"id": id, "status": status, "headers": out_headers});
    if !body.is_null() {
        item["body"] = body;
    }
    Ok(item)
}
