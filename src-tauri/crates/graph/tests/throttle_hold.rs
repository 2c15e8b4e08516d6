//! A 429's hold is in force as soon as its status arrives — before its body is read and the
//! connection goes back to the pool — so no other call leaves in the meantime.

use guestpass_graph::{AccessToken, Endpoints, GraphClient, GraphError, RetryPolicy, TokenSource};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

struct FixedToken;

impl TokenSource for FixedToken {
    fn token<'a>(
        &'a self,
        _: &'a reqwest::Client,
        _: &'a str,
        _: bool,
    ) -> Pin<Box<dyn Future<Output = Result<AccessToken, GraphError>> + Send + 'a>> {
        Box::pin(async {
            Ok(AccessToken {
                secret: "test-token".into(),
                expires_at: Instant::now() + Duration::from_secs(3600),
            })
        })
    }

    fn actor(&self) -> String {
        "test".into()
    }
}

/// A server whose `/v1.0/slow` answers 429 (Retry-After: 1) and sends the body 400 ms after
/// the status; every other path answers 200. It notes when each request arrived.
async fn server() -> (Url, Arc<Mutex<Vec<(String, Instant)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let log = log.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                let head = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                log.lock().unwrap().push((path.clone(), Instant::now()));
                if path.starts_with("/v1.0/slow") {
                    let body = r#"{"error":{"code":"TooManyRequests","message":"Slow down."}}"#;
                    let head = format!(
                        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.flush().await;
                    tokio::time::sleep(Duration::from_millis(400)).await;
                    let _ = stream.write_all(body.as_bytes()).await;
                } else {
                    let body = r#"{"value":[]}"#;
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(head.as_bytes()).await;
                }
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn no_call_leaves_while_a_429s_body_is_still_arriving() {
    let (root, seen) = server().await;
    let graph = GraphClient::new(Endpoints::loopback(&root), Arc::new(FixedToken)).with_retry_policy(RetryPolicy {
        max_retries: 0,
        ..RetryPolicy::default()
    });
    let throttled = {
        let graph = graph.clone();
        tokio::spawn(async move {
            graph
                .send::<(), serde_json::Value>(reqwest::Method::GET, graph.graph_url("v1.0/slow"), None)
                .await
        })
    };
    // The 429's status is out; its body takes 400 ms more. Another call starts meanwhile.
    tokio::time::sleep(Duration::from_millis(150)).await;
    graph
        .send::<(), serde_json::Value>(reqwest::Method::GET, graph.graph_url("v1.0/other"), None)
        .await
        .unwrap();
    assert!(throttled.await.unwrap().is_err());
    let seen = seen.lock().unwrap().clone();
    let at = |p: &str| seen.iter().find(|(path, _)| path.starts_with(p)).unwrap().1;
    let gap = at("/v1.0/other") - at("/v1.0/slow");
    assert!(
        gap >= Duration::from_millis(900),
        "the second call left {gap:?} after the 429, before its Retry-After of 1 s"
    );
}
