//! `POST /$batch`: up to 20 calls in one round trip. The outer 200 says nothing about the calls
//! inside: each inner answer is handled on its own, and inner 429s (and, for reads, inner
//! 5xx) are sent again after their own `Retry-After`, with the rest of the client held back too.

use crate::client::GraphClient;
use crate::error::{GraphError, ServiceError};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// Graph's limit per `$batch`.
pub const MAX_BATCH: usize = 20;

/// `$batch` requests sent side by side (each is 20 calls against the same budgets).
const BATCHES_IN_FLIGHT: usize = 4;

/// One call inside a batch: a method and a URL relative to the version root (`users?$filter=…`).
#[derive(Debug, Clone)]
pub struct BatchCall {
    pub method: Method,
    pub url: String,
    pub body: Option<Value>,
}

impl BatchCall {
    pub fn get(url: impl Into<String>) -> BatchCall {
        BatchCall {
            method: Method::GET,
            url: url.into(),
            body: None,
        }
    }
}

#[derive(Debug, Deserialize)]
struct BatchBody {
    responses: Vec<InnerAnswer>,
}

#[derive(Debug, Deserialize)]
struct InnerAnswer {
    id: String,
    status: u16,
    #[serde(default)]
    headers: serde_json::Map<String, Value>,
    #[serde(default)]
    body: Value,
}

impl InnerAnswer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
    }

    fn into_result(self) -> Result<Value, GraphError> {
        if (200..300).contains(&self.status) {
            return Ok(self.body);
        }
        let retry_after = self
            .header("retry-after")
            .and_then(|v| v.trim().parse().ok())
            .map(Duration::from_secs);
        let request_id = self.header("request-id").map(str::to_string).or_else(|| {
            self.body["error"]["innerError"]["request-id"]
                .as_str()
                .map(str::to_string)
        });
        Err(GraphError::Service(ServiceError {
            status: self.status,
            code: self.body["error"]["code"]
                .as_str()
                .unwrap_or("BatchItemFailed")
                .to_string(),
            message: self.body["error"]["message"].as_str().unwrap_or_default().to_string(),
            request_id,
            client_request_id: String::new(),
            retry_after,
        }))
    }
}

impl GraphClient {
    /// Runs the calls through `$batch`, 20 at a time (a few batches in flight at once), and
    /// returns one result per call, in order. Fails as a whole only when a batch request
    /// itself fails.
    pub async fn batch(&self, calls: &[BatchCall]) -> Result<Vec<Result<Value, GraphError>>, GraphError> {
        let mut set = tokio::task::JoinSet::new();
        let mut chunks = calls.chunks(MAX_BATCH).map(<[BatchCall]>::to_vec).enumerate();
        let mut results: Vec<Vec<Result<Value, GraphError>>> =
            (0..calls.len().div_ceil(MAX_BATCH)).map(|_| Vec::new()).collect();
        loop {
            while set.len() < BATCHES_IN_FLIGHT {
                let Some((i, chunk)) = chunks.next() else { break };
                let client = self.clone();
                set.spawn(async move { (i, client.batch_chunk(&chunk).await) });
            }
            let Some(joined) = set.join_next().await else { break };
            let (i, answer) = joined.map_err(|e| GraphError::Decode {
                url: "$batch".into(),
                reason: e.to_string(),
            })?;
            results[i] = answer?;
        }
        Ok(results.into_iter().flatten().collect())
    }

    /// One `$batch` of at most 20 calls, sending throttled (and failed read) calls again.
    async fn batch_chunk(&self, chunk: &[BatchCall]) -> Result<Vec<Result<Value, GraphError>>, GraphError> {
        let mut results: Vec<Option<Result<Value, GraphError>>> = (0..chunk.len()).map(|_| None).collect();
        let mut pending: Vec<usize> = (0..chunk.len()).collect();
        let mut delay = self.retry_policy().base_delay;
        for attempt in 0..=self.retry_policy().max_retries {
            let requests: Vec<Value> = pending
                .iter()
                .map(|i| {
                    let c = &chunk[*i];
                    let mut r = json!({"id": i.to_string(), "method": c.method.as_str(), "url": format!("/{}", c.url.trim_start_matches('/'))});
                    if let Some(b) = &c.body {
                        r["body"] = b.clone();
                        r["headers"] = json!({"Content-Type": "application/json"});
                    }
                    r
                })
                .collect();
            let answer: crate::Answer<BatchBody> = self
                .send(
                    Method::POST,
                    self.graph_url("v1.0/$batch"),
                    Some(&json!({ "requests": requests })),
                )
                .await?;
            let last = attempt == self.retry_policy().max_retries;
            let mut again = Vec::new();
            let mut longest_wait = None::<Duration>;
            for inner in answer.body.responses {
                let Ok(i) = inner.id.parse::<usize>() else { continue };
                if i >= chunk.len() {
                    continue;
                }
                let retryable = inner.status == 429
                    || (chunk[i].method == Method::GET && matches!(inner.status, 500 | 502 | 503 | 504));
                if retryable && !last {
                    let wait = inner
                        .header("retry-after")
                        .and_then(|v| v.trim().parse().ok())
                        .map(Duration::from_secs);
                    if inner.status == 429 {
                        self.hold(wait.unwrap_or(delay));
                    }
                    longest_wait = longest_wait.max(wait);
                    again.push(i);
                } else {
                    results[i] = Some(inner.into_result());
                }
            }
            // Anything Graph left out of the answer is sent again too.
            for i in &pending {
                if results[*i].is_none() && !again.contains(i) {
                    again.push(*i);
                }
            }
            if again.is_empty() {
                break;
            }
            tracing::warn!(
                count = again.len(),
                "calls inside a $batch were throttled or failed; sending them again"
            );
            tokio::time::sleep(longest_wait.unwrap_or(delay)).await;
            delay = (delay * 2).min(self.retry_policy().max_delay);
            pending = again;
        }
        Ok(results
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                r.unwrap_or_else(|| {
                    Err(GraphError::Decode {
                        url: "$batch".into(),
                        reason: format!("no answer for call {} after retries", i + 1),
                    })
                })
            })
            .collect())
    }
}
