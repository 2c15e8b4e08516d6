//! The HTTP pipeline every Graph call goes through: token, `client-request-id`,
//! retries that honour `Retry-After`, error mapping, paging.

use crate::auth::TokenSource;
use crate::endpoints::{join, Endpoints};
use crate::error::{GraphError, ServiceError};
use backon::{ExponentialBuilder, Retryable};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// How hard to try before giving up on a call.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: usize,
    /// First backoff when the service gave no `Retry-After`; doubles each time, with jitter.
    pub base_delay: Duration,
    /// The longest backoff we compute ourselves.
    pub max_delay: Duration,
    /// The longest `Retry-After` we are willing to sleep through; longer ones fail at once
    /// (with the wait in the error) so the admin is not left looking at a frozen screen.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    /// The client's own back-off (when Microsoft sends no `Retry-After`).
    pub fn backoff(&self) -> Backoff {
        Backoff {
            attempts: self.max_retries as u32 + 1,
            first_delay: self.base_delay,
            max_delay: self.max_delay,
        }
    }
}

/// One back-off shape for every wait: doubling from `first_delay` up to `max_delay`, with
/// jitter, for at most `attempts` tries in all. The client's retries and the engine's waits
/// for Entra's replication both use it.
#[derive(Debug, Clone)]
pub struct Backoff {
    pub attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Backoff {
    pub fn builder(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.first_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.attempts.saturating_sub(1) as usize)
            .with_jitter()
    }

    /// The waits between tries (one fewer than the tries).
    pub fn delays(&self) -> impl Iterator<Item = Duration> {
        use backon::BackoffBuilder;
        self.builder().build()
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            // Worst case without Retry-After: about 1 + 2 + 4 + 8 s, so an admin waiting on
            // a dead network hears about it in seconds, not minutes.
            max_retries: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

/// A Graph client bound to one tenant's sign-in.
#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    endpoints: Endpoints,
    tokens: Arc<dyn TokenSource>,
    retry: RetryPolicy,
    /// The token scope for this client's calls (Graph unless made with [`GraphClient::for_scope`]).
    scope: String,
    /// Shared by clones for the same resource: one throttled answer holds back every call.
    gate: Arc<ThrottleGate>,
    /// The interval between Conditional Access calls ([`CONDITIONAL_ACCESS_SPACING`]).
    ca_spacing: Duration,
    /// The window the identity reports' five calls must fit in ([`REPORT_WINDOW`]).
    report_window: Duration,
}

/// When Microsoft throttles one call, every concurrent call to the same resource waits out the
/// same `Retry-After` instead of hammering the tenant and collecting 429s of its own.
#[derive(Default)]
pub struct ThrottleGate {
    until: std::sync::Mutex<Option<tokio::time::Instant>>,
    throttled: std::sync::atomic::AtomicU64,
    /// Once writes have been throttled, they leave at a learned pace.
    writes: crate::pacer::WritePacer,
    /// Conditional Access calls, one per second per tenant (Microsoft's limit, 429s without Retry-After).
    conditional_access: Spacer,
    /// The identity reports (audit logs, sign-in activity): five per ten seconds per app.
    reports: Window,
}

/// Keeps calls at least a fixed interval apart, in the order they asked.
#[derive(Default)]
struct Spacer(tokio::sync::Mutex<Option<tokio::time::Instant>>);

impl Spacer {
    async fn wait_turn(&self, every: Duration) {
        // Held across the sleep: callers queue and leave one interval apart.
        let mut next = self.0.lock().await;
        if let Some(at) = *next {
            tokio::time::sleep_until(at).await;
        }
        *next = Some(tokio::time::Instant::now() + every);
    }
}

/// Lets at most `calls` requests leave in any `per`, in the order they asked.
#[derive(Default)]
struct Window(tokio::sync::Mutex<std::collections::VecDeque<tokio::time::Instant>>);

impl Window {
    async fn wait_turn(&self, calls: usize, per: Duration) {
        // Held across the sleep, like the spacer: callers queue.
        let mut sent = self.0.lock().await;
        let now = tokio::time::Instant::now();
        while sent.front().is_some_and(|t| now.duration_since(*t) >= per) {
            sent.pop_front();
        }
        if sent.len() >= calls {
            if let Some(oldest) = sent.pop_front() {
                tokio::time::sleep_until(oldest + per).await;
            }
        }
        sent.push_back(tokio::time::Instant::now());
    }
}

/// Microsoft's limit for the identity reports (directory audits, sign-ins, sign-in activity):
/// 5 requests per 10 seconds per app per tenant. A little margin covers clock and network jitter.
pub const REPORT_CALLS: usize = 5;
pub const REPORT_WINDOW: Duration = Duration::from_millis(10_250);

fn is_report(url: &Url) -> bool {
    url.path().contains("/auditLogs/")
        || (url.path().ends_with("/users") && url.query().is_some_and(|q| q.contains("signInActivity")))
}

/// Microsoft's documented limit for Conditional Access and named locations: 1 request per
/// second per tenant, for all apps together.
pub const CONDITIONAL_ACCESS_SPACING: Duration = Duration::from_secs(1);

fn is_conditional_access(url: &Url) -> bool {
    url.path().contains("/identity/conditionalAccess/")
}

impl ThrottleGate {
    /// Waits until the latest `Retry-After` has passed.
    async fn pass(&self) {
        loop {
            let until = *self.until.lock().unwrap_or_else(|p| p.into_inner());
            match until {
                Some(t) if t > tokio::time::Instant::now() => tokio::time::sleep_until(t).await,
                _ => return,
            }
        }
    }

    fn hold(&self, wait: Duration) {
        self.throttled.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = tokio::time::Instant::now() + wait;
        let mut until = self.until.lock().unwrap_or_else(|p| p.into_inner());
        if until.is_none_or(|u| u < t) {
            *until = Some(t);
        }
    }
}

/// A successful answer: the decoded body plus the ids that identify the call.
#[derive(Debug, Clone)]
pub struct Answer<T> {
    pub body: T,
    pub request_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ODataErrorBody {
    error: ODataError,
}

#[derive(Debug, Deserialize)]
struct ODataError {
    code: String,
    #[serde(default)]
    message: String,
    #[serde(rename = "innerError", default)]
    inner_error: Option<InnerError>,
}

#[derive(Debug, Deserialize)]
struct InnerError {
    #[serde(rename = "request-id")]
    request_id: Option<String>,
}

/// One page of a collection.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    pub value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    pub next_link: Option<String>,
}

pub(crate) fn describe_reqwest(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".into()
    } else if e.is_connect() {
        "the connection was refused or could not be made".into()
    } else {
        // The innermost cause says the most (e.g. "connection reset by peer").
        let mut src: &dyn std::error::Error = e;
        while let Some(next) = src.source() {
            src = next;
        }
        src.to_string()
    }
}

/// Was the failure one where trying again can help?
fn is_transient(e: &GraphError, idempotent: bool) -> bool {
    match e {
        GraphError::Service(s) => match s.status {
            // Throttled: Microsoft did not process the request.
            429 => true,
            // Server errors: the request may have been processed; only repeat what is safe to repeat.
            500 | 502 | 503 | 504 => idempotent,
            _ => false,
        },
        GraphError::Network { .. } => idempotent,
        _ => false,
    }
}

/// The HTTP client every Guestpass call goes through (also Azure identity's token requests).
pub fn standard_http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(100))
        .user_agent(concat!("Guestpass/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("building the HTTP client")
}

impl GraphClient {
    pub fn new(endpoints: Endpoints, tokens: Arc<dyn TokenSource>) -> GraphClient {
        let http = standard_http_client();
        GraphClient {
            http,
            endpoints,
            tokens,
            retry: RetryPolicy::default(),
            scope: crate::auth::GRAPH_SCOPE.to_string(),
            gate: Arc::default(),
            ca_spacing: CONDITIONAL_ACCESS_SPACING,
            report_window: REPORT_WINDOW,
        }
    }

    /// For a sandbox whose clock runs faster (tests, benchmarks): Conditional Access calls this far apart.
    pub fn with_conditional_access_spacing(mut self, every: Duration) -> GraphClient {
        self.ca_spacing = every;
        self
    }

    /// For a sandbox whose clock runs faster: the identity reports' five calls fit in this window.
    pub fn with_report_window(mut self, per: Duration) -> GraphClient {
        self.report_window = per;
        self
    }

    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> GraphClient {
        self.retry = retry;
        self
    }

    /// The same sign-in and pipeline, with tokens for another resource (the Power Platform
    /// admin API, a Dataverse environment).
    pub fn for_scope(&self, scope: &str) -> GraphClient {
        GraphClient {
            scope: scope.to_string(),
            gate: Arc::default(),
            ..self.clone()
        }
    }

    /// How many 429 answers this client (and its clones for the same resource) has received.
    pub fn throttled_count(&self) -> u64 {
        self.gate.throttled.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Holds back every call for `wait` (a `Retry-After` seen outside the normal pipeline,
    /// e.g. inside a `$batch` answer).
    pub(crate) fn hold(&self, wait: Duration) {
        self.gate.hold(wait);
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Sends one call with extra headers (e.g. Dataverse's `OData-Version`).
    pub async fn send_with<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        extra: &[(&str, &str)],
    ) -> Result<Answer<T>, GraphError> {
        let (bytes, request_id) = self.send_raw(method, url.clone(), body, extra).await?;
        // An empty success body (204) decodes as JSON null.
        let bytes = if bytes.is_empty() { b"null".to_vec() } else { bytes };
        let body = serde_json::from_slice(&bytes).map_err(|e| GraphError::Decode {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        Ok(Answer { body, request_id })
    }

    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The permissions this sign-in's token for the client's resource carries (see
    /// [`crate::auth::granted_permissions`]); `None` when the token is not a readable JWT.
    pub async fn granted_permissions(&self) -> Result<Option<String>, GraphError> {
        let token = self.tokens.token(&self.http, &self.scope, false).await?;
        Ok(crate::auth::granted_permissions(&token.secret))
    }

    /// Who is signed in, for the change log.
    pub fn actor(&self) -> String {
        self.tokens.actor()
    }

    /// Whether an app acts on its own (no person signed in).
    pub fn is_app_only(&self) -> bool {
        self.tokens.is_app_only()
    }

    /// The absolute URL of a Graph path such as `v1.0/users`.
    pub fn graph_url(&self, path_and_query: &str) -> Url {
        join(&self.endpoints.graph, path_and_query)
    }

    /// Sends one call with retries, returning the decoded answer (`()` for 204s via [`Self::send_no_content`]).
    pub async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<Answer<T>, GraphError> {
        let (bytes, request_id) = self.send_raw(method, url.clone(), body, &[]).await?;
        let body = serde_json::from_slice(&bytes).map_err(|e| GraphError::Decode {
            url: url.to_string(),
            reason: e.to_string(),
        })?;
        Ok(Answer { body, request_id })
    }

    /// Sends a call whose success answer has no body (204). Returns Graph's request-id.
    pub async fn send_no_content<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<Option<String>, GraphError> {
        Ok(self.send_raw(method, url, body, &[]).await?.1)
    }

    /// `extra` headers go on every attempt (e.g. `ConsistencyLevel: eventual` for advanced queries).
    pub(crate) async fn send_raw<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        extra: &[(&str, &str)],
    ) -> Result<(Vec<u8>, Option<String>), GraphError> {
        let report = is_report(&url);
        self.send_paced(method, url, body, extra, report).await
    }

    /// [`Self::send_raw`], saying whether the call counts against the identity reports' limit
    /// (a next page's link is opaque: its first page tells).
    pub(crate) async fn send_paced<B: Serialize + ?Sized>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
        extra: &[(&str, &str)],
        report: bool,
    ) -> Result<(Vec<u8>, Option<String>), GraphError> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| GraphError::Decode {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
        let idempotent = method != Method::POST;
        let backoff = self.retry.backoff().builder();
        let max_retry_after = self.retry.max_retry_after;
        (|| self.attempt(method.clone(), url.clone(), body.clone(), extra, report))
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(|e| is_transient(e, idempotent))
            .adjust(move |e, computed| {
                // `computed` is None once our own retries are used up: stop then, whatever
                // the service says. Otherwise the service's Retry-After wins over our guess.
                let computed = computed?;
                match e.service().and_then(|s| s.retry_after) {
                    Some(wait) if wait > max_retry_after => None,
                    Some(wait) => Some(wait),
                    None => Some(computed),
                }
            })
            .notify(|e, wait| tracing::warn!(error = %e, ?wait, "retrying Microsoft call"))
            .await
    }

    /// One attempt. A 401 saying the token expired is answered by one fresh token and one resend.
    async fn attempt(
        &self,
        method: Method,
        url: Url,
        body: Option<Vec<u8>>,
        extra: &[(&str, &str)],
        report: bool,
    ) -> Result<(Vec<u8>, Option<String>), GraphError> {
        let mut force_refresh = false;
        // A `$batch` is an envelope (Guestpass batches only reads); What-If is a POST that reads.
        let is_write = method != Method::GET
            && !url.path().ends_with("/$batch")
            && !url.path().ends_with("/conditionalAccess/evaluate");
        loop {
            self.gate.pass().await;
            if is_conditional_access(&url) {
                self.gate.conditional_access.wait_turn(self.ca_spacing).await;
            }
            if report {
                self.gate.reports.wait_turn(REPORT_CALLS, self.report_window).await;
            }
            if is_write {
                self.gate.writes.wait_turn().await;
            }
            let token = self.tokens.token(&self.http, &self.scope, force_refresh).await?;
            let client_request_id = uuid::Uuid::new_v4().to_string();
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(&token.secret)
                .header("client-request-id", &client_request_id)
                .header("return-client-request-id", "true")
                .header("Accept", "application/json");
            for (k, v) in extra {
                req = req.header(*k, *v);
            }
            if let Some(b) = &body {
                req = req.header("Content-Type", "application/json").body(b.clone());
            }
            let host = url.host_str().unwrap_or_default().to_string();
            let resp = req.send().await.map_err(|e| GraphError::Network {
                host: host.clone(),
                reason: describe_reqwest(&e),
            })?;
            let status = resp.status();
            let headers = resp.headers().clone();
            if status == StatusCode::TOO_MANY_REQUESTS {
                // Hold the others back now, before the body is read: reading it hands the
                // connection back to the pool, and a waiting call would leave on it at once.
                // Without Retry-After, briefly; this call backs off on its own.
                let wait = retry_after(&headers).unwrap_or(self.retry.base_delay);
                self.gate.hold(wait);
                if is_write {
                    self.gate.writes.throttled(wait);
                }
            } else if is_write {
                self.gate.writes.accepted();
            }
            let request_id = header(&headers, "request-id");
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| GraphError::Network {
                    host,
                    reason: describe_reqwest(&e),
                })?
                .to_vec();
            if status.is_success() {
                return Ok((bytes, request_id));
            }
            let err = service_error(status, &headers, &bytes, request_id, client_request_id);
            if status == StatusCode::UNAUTHORIZED && !force_refresh {
                force_refresh = true;
                tracing::info!(code = %err.code, "token refused; signing in again once");
                continue;
            }
            return Err(GraphError::Service(err));
        }
    }

    /// Follows `@odata.nextLink` until the collection is exhausted (or `limit` items are read).
    pub async fn list_all<T: DeserializeOwned>(&self, first: Url, limit: Option<usize>) -> Result<Vec<T>, GraphError> {
        self.list_pages(first, limit, &[]).await
    }

    /// [`Self::list_all`] for advanced queries (`$search`, `$count`, `ne`…), which Graph
    /// answers only with `ConsistencyLevel: eventual`.
    pub async fn list_all_eventual<T: DeserializeOwned>(
        &self,
        first: Url,
        limit: Option<usize>,
    ) -> Result<Vec<T>, GraphError> {
        self.list_pages(first, limit, &[("ConsistencyLevel", "eventual")]).await
    }

    pub(crate) async fn list_pages<T: DeserializeOwned>(
        &self,
        first: Url,
        limit: Option<usize>,
        extra: &[(&str, &str)],
    ) -> Result<Vec<T>, GraphError> {
        let mut out = Vec::new();
        let report = is_report(&first);
        let mut next = Some(first);
        while let Some(url) = next.take() {
            let (bytes, _) = self
                .send_paced::<()>(Method::GET, url.clone(), None, extra, report)
                .await?;
            let page: Page<T> = serde_json::from_slice(&bytes).map_err(|e| GraphError::Decode {
                url: url.to_string(),
                reason: e.to_string(),
            })?;
            let page = Answer {
                body: page,
                request_id: None,
            };
            out.extend(page.body.value);
            if let Some(limit) = limit.filter(|l| out.len() >= *l) {
                out.truncate(limit);
                break;
            }
            if let Some(link) = page.body.next_link {
                next = Some(self.checked_next_link(&link)?);
            }
        }
        Ok(out)
    }

    /// A nextLink is opaque, but our token must only ever go to the Graph host we were given.
    pub(crate) fn checked_next_link(&self, link: &str) -> Result<Url, GraphError> {
        let url = Url::parse(link).map_err(|e| GraphError::Decode {
            url: link.into(),
            reason: e.to_string(),
        })?;
        let base = &self.endpoints.graph;
        if url.scheme() != base.scheme()
            || url.host_str() != base.host_str()
            || url.port_or_known_default() != base.port_or_known_default()
        {
            return Err(GraphError::Decode {
                url: link.into(),
                reason: "the next-page link points to another host; not following it".into(),
            });
        }
        Ok(url)
    }
}

fn header(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// Reads `Retry-After` in its seconds form (the form Microsoft sends).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    header(headers, "retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

fn service_error(
    status: StatusCode,
    headers: &reqwest::header::HeaderMap,
    bytes: &[u8],
    request_id: Option<String>,
    client_request_id: String,
) -> ServiceError {
    let parsed = serde_json::from_slice::<ODataErrorBody>(bytes).ok();
    let (code, message, inner_id) = match parsed {
        Some(b) => (
            b.error.code,
            b.error.message,
            b.error.inner_error.and_then(|i| i.request_id),
        ),
        None => (
            status.canonical_reason().unwrap_or("HttpError").replace(' ', ""),
            format!("HTTP {} with no error details", status.as_u16()),
            None,
        ),
    };
    ServiceError {
        status: status.as_u16(),
        code,
        message,
        request_id: request_id.or(inner_id),
        client_request_id,
        retry_after: retry_after(headers),
    }
}
