//! What every Graph call goes through in the sandbox, in Graph's order: ids, latency,
//! bearer token, injected faults, throttling, then the handler; errors get their `innerError`.

use crate::error::ApiError;
use crate::throttle::{self, Decision};
use crate::{lock, Shared};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The app a request was made by, from its token.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub client_id: String,
    pub roles: Vec<String>,
    /// The signed-in user's object id, for delegated tokens.
    pub user: Option<String>,
}

impl Caller {
    /// 403 unless the token carries one of `any_of`.
    pub fn require(&self, any_of: &[&str]) -> Result<(), ApiError> {
        if any_of.iter().any(|r| self.roles.iter().any(|have| have == r)) {
            Ok(())
        } else {
            Err(ApiError::new(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ))
        }
    }
}

/// `GET /v1.0/users/{id}` for any user: what the stats count requests by.
fn route_of(method: &axum::http::Method, path: &str) -> String {
    let looks_like_id = |s: &str| s.len() >= 32 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let path: Vec<&str> = path
        .split('/')
        .map(|s| if looks_like_id(s) { "{id}" } else { s })
        .collect();
    format!("{method} {}", path.join("/"))
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

pub(crate) async fn graph(State(shared): State<Arc<Shared>>, mut req: Request, next: Next) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = header(req.headers(), "client-request-id").unwrap_or_else(|| request_id.clone());
    {
        let mut stats = lock(&shared.stats);
        stats.requests += 1;
        *stats
            .by_route
            .entry(route_of(req.method(), req.uri().path()))
            .or_default() += 1;
    }

    let (latency, throttle_cfg) = {
        let c = lock(&shared.config);
        (c.latency_ms, c.throttle.clone())
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }

    let mut cost = None;
    let outcome = async {
        let caller = authenticate(&shared, req.headers(), &expected_audience(req.uri().path()))?;
        let fault = take_fault(&shared, req.method(), req.uri().path());
        if let Some(f) = fault.as_ref().filter(|f| !f.after_apply) {
            return Err(fault_error(f));
        }

        let query = req.uri().query().unwrap_or("").to_ascii_lowercase();
        let segments = req.uri().path().trim_matches('/').split('/').count();
        // A `$batch` is only an envelope: the requests inside are charged one by one.
        let is_write = req.method() != Method::GET && !req.uri().path().ends_with("/$batch");
        let has = |opt: &str| query.contains(&format!("${opt}")) || query.contains(&format!("%24{opt}"));
        let c = throttle::cost(!is_write && segments == 2, has("select"), has("expand"));
        let users = lock(&shared.dir).user_count().unwrap_or(0);
        let decision = lock(&shared.throttle).charge(&caller.client_id, c, is_write, &throttle_cfg, users);
        let percentage = match decision {
            Decision::Throttled { retry_after } => {
                lock(&shared.stats).throttled += 1;
                let secs = retry_after.as_secs_f64().ceil().max(1.0) as u64;
                let (code, msg) = if is_write {
                    (
                        "Request_ThrottledTemporarily",
                        format!("Your request is throttled temporarily. Please try after {secs} seconds."),
                    )
                } else {
                    ("TooManyRequests", "Too many requests.".to_string())
                };
                let mut e = ApiError::new(429, code, msg);
                e.retry_after = Some(secs);
                return Err(e);
            }
            Decision::Allowed { percentage } => percentage,
        };
        cost = Some((c, percentage));
        req.extensions_mut().insert(caller.clone());
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        // A change is audited once it succeeded; reading its body here keeps every route honest.
        let audited = method != Method::GET && !path.ends_with("/$batch");
        let (req, body) = if audited {
            buffer_request(req).await?
        } else {
            (req, Value::Null)
        };
        let mut resp = next.run(req).await;
        if audited && resp.status().is_success() {
            let (back, answer) = buffer_response(resp).await;
            crate::routes::audit_change(&shared, &caller, &method, &path, &body, &answer);
            resp = back;
        }
        match fault {
            // The change happened, but the answer is lost on the way back.
            Some(f) => Err(fault_error(&f)),
            None => Ok(resp),
        }
    }
    .await;

    let mut resp = match outcome {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    };
    // Errors are rendered here, where the ids are known.
    if let Some(err) = resp.extensions().get::<ApiError>().cloned() {
        let mut fresh = (err.status, axum::Json(err.body(&request_id, &client_request_id))).into_response();
        for (k, v) in resp.headers() {
            if k == "retry-after" {
                fresh.headers_mut().insert(k.clone(), v.clone());
            }
        }
        resp = fresh;
    }
    let h = resp.headers_mut();
    h.insert("request-id", HeaderValue::from_str(&request_id).unwrap());
    if let Ok(v) = HeaderValue::from_str(&client_request_id) {
        h.insert("client-request-id", v);
    }
    if let Some((c, pct)) = cost {
        h.insert("x-ms-resource-unit", HeaderValue::from(c));
        if pct > 0.8 {
            h.insert(
                "x-ms-throttle-limit-percentage",
                HeaderValue::from_str(&format!("{:.1}", pct.min(1.8))).unwrap(),
            );
        }
    }
    resp
}

const MAX_BODY: usize = 64 * 1024 * 1024;

async fn buffer_request(req: Request) -> Result<(Request, Value), ApiError> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(ApiError::internal)?;
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok((Request::from_parts(parts, Body::from(bytes)), json))
}

async fn buffer_response(resp: Response) -> (Response, Value) {
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (Response::from_parts(parts, Body::from(bytes)), json)
}

/// Which resource a path belongs to, as a token's audience names it.
fn expected_audience(path: &str) -> String {
    if path.starts_with("/providers/") {
        return crate::routes::POWER_PLATFORM_AUDIENCE.to_string();
    }
    if let Some(rest) = path.strip_prefix("/dataverse/") {
        let env = rest.split('/').next().unwrap_or_default();
        return crate::routes::org_url(env);
    }
    crate::routes::GRAPH_AUDIENCE.to_string()
}

fn authenticate(shared: &Shared, headers: &HeaderMap, audience: &str) -> Result<Caller, ApiError> {
    let auth = header(headers, "authorization").unwrap_or_default();
    let token = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("bearer "))
        .unwrap_or("")
        .trim();
    if token.is_empty() {
        return Err(ApiError::new(
            401,
            "InvalidAuthenticationToken",
            "Access token is empty.",
        ));
    }
    let tokens = lock(&shared.tokens);
    match tokens.get(token) {
        None => Err(ApiError::new(
            401,
            "InvalidAuthenticationToken",
            "IDX14100: JWT is not well formed, there are no dots (.).",
        )),
        Some(t) if t.audience != audience => Err(ApiError::new(
            401,
            "InvalidAuthenticationToken",
            "Access token validation failure. Invalid audience.",
        )),
        Some(t) if t.expires_at <= Instant::now() => Err(ApiError::new(
            401,
            "InvalidAuthenticationToken",
            "Lifetime validation failed, the token is expired.",
        )),
        Some(t) => Ok(Caller {
            client_id: t.client_id.clone(),
            roles: t.roles.clone(),
            user: t.user.clone(),
        }),
    }
}

pub(crate) fn take_fault(shared: &Shared, method: &Method, path: &str) -> Option<crate::Fault> {
    let mut faults = lock(&shared.faults);
    let idx = faults.iter().position(|f| {
        path.starts_with(&f.path_prefix)
            && f.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
    })?;
    let f = &mut faults[idx];
    let out = f.clone();
    f.count = f.count.saturating_sub(1);
    if f.count == 0 {
        faults.remove(idx);
    }
    Some(out)
}

fn fault_error(f: &crate::Fault) -> ApiError {
    let code = f.code.clone().unwrap_or_else(|| match f.status {
        429 => "TooManyRequests".into(),
        503 => "ServiceUnavailable".into(),
        504 => "GatewayTimeout".into(),
        _ => "InternalServerError".into(),
    });
    let message = f.message.clone().unwrap_or_else(|| match f.status {
        429 => "Too many requests.".into(),
        503 => "The service is currently unavailable. Please try again later.".into(),
        _ => "An internal server error occurred.".into(),
    });
    let mut e = ApiError::new(f.status, &code, message);
    e.retry_after = f.retry_after;
    e
}
