//! Conditional Access calls keep Microsoft's 1 request per second per tenant: the client spaces
//! them itself (the 429 there carries no Retry-After), so concurrent reads are never refused.
//! The sandbox's clock runs 10× faster here: 100 ms stands for Microsoft's second.

mod common;

use common::{client, sandbox};
use guestpass_sandbox::{SandboxConfig, ThrottleConfig};
use std::time::{Duration, Instant};

fn fast_clock() -> SandboxConfig {
    SandboxConfig {
        throttle: ThrottleConfig {
            time_scale: 10.0,
            ..Default::default()
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn concurrent_conditional_access_reads_leave_one_interval_apart_and_none_is_refused() {
    let sb = sandbox(fast_clock()).await;
    let graph = client(&sb).with_conditional_access_spacing(Duration::from_millis(110));
    graph.organization().await.unwrap(); // the token, outside the timing
    let started = Instant::now();
    read_concurrently(&graph, 5).await;
    assert!(
        started.elapsed() >= Duration::from_millis(440),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(sb.stats().throttled, 0, "no call was refused");
    assert_eq!(graph.throttled_count(), 0);
}

#[tokio::test]
async fn without_spacing_the_bare_429s_come_and_the_client_backs_off_until_it_gets_through() {
    let sb = sandbox(fast_clock()).await;
    let graph = client(&sb).with_conditional_access_spacing(Duration::ZERO);
    graph.organization().await.unwrap();
    read_concurrently(&graph, 3).await;
    assert!(
        sb.stats().throttled > 0,
        "Microsoft's limit shows without the client's spacing"
    );
}

/// Reads the policies `n` times at once, each in its own task; all must succeed.
async fn read_concurrently(graph: &guestpass_graph::GraphClient, n: usize) {
    let mut reads = tokio::task::JoinSet::new();
    for _ in 0..n {
        let graph = graph.clone();
        reads.spawn(async move { graph.conditional_access_policies().await });
    }
    while let Some(read) = reads.join_next().await {
        read.unwrap().unwrap();
    }
}
