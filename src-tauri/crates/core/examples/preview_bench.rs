//! `make bench`: how many requests, and how long, the import preview takes to find who of a
//! big guest list is already in the tenant.
//!
//! Previews lists of 10,000 and 100,000 valid new guests against a sandbox tenant of 2,000
//! users with Graph's identity limits on and 50 ms latency per request, and reports the round
//! trips that looked addresses up as a ratio to the least Graph needs: the directory's users
//! read once, 999 per page.
//!
//! cargo run --release -p guestpass-core --example preview_bench -- [--rows 10000,100000] [--users 2000]

mod common;

use guestpass_core::bulk::{ImportDefaults, RunControl};
use guestpass_sandbox::{SandboxConfig, Storage};
use std::time::Instant;

fn guest_list(n: usize) -> String {
    let mut csv = String::from("Email,Display name\n");
    for i in 0..n {
        csv.push_str(&format!("bench{i}@partner{}.example,Bench Guest {i}\n", i % 50));
    }
    csv
}

#[tokio::main]
async fn main() {
    let users: usize = common::arg("--users", "2000").parse().unwrap();
    let rows: Vec<usize> = common::arg("--rows", "10000,100000")
        .split(',')
        .map(|n| n.trim().parse().unwrap())
        .collect();
    let config = SandboxConfig {
        latency_ms: 50,
        ..Default::default()
    };
    assert!(config.throttle.enabled, "Graph's identity limits on");
    let sb = guestpass_sandbox::start(Storage::Memory, 0, config)
        .await
        .expect("sandbox");
    let seeded = sb.user_mails().len();
    sb.add_members(users.saturating_sub(seeded)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = common::connect(&sb, dir.path()).await;
    let defaults = ImportDefaults {
        redirect_url: Some("https://myapps.microsoft.com".into()),
        ..Default::default()
    };
    let least = users.div_ceil(999) as u64;
    println!("Import preview benchmark: a {users}-user tenant, 50 ms latency, Graph's identity limits on");
    println!("  least round trips Graph needs to know who is here: {least} (the directory, 999 users per page)");
    for n in rows {
        let counts = || {
            let stats = sb.stats();
            let by = |k: &str| stats.by_route.get(k).copied().unwrap_or(0);
            (by("POST /v1.0/$batch"), by("GET /v1.0/users"), stats.throttled)
        };
        let (b0, u0, t0) = counts();
        let list = guest_list(n);
        let t = Instant::now();
        let preview = engine
            .preview_import_with("bench.csv", list.as_bytes(), &defaults, &|_| {}, &RunControl::default())
            .await
            .expect("preview");
        let wall = t.elapsed();
        let (b, u, throttled) = counts();
        assert_eq!(preview.ready as usize, n, "every generated row is valid and new");
        // A page of the directory is one round trip; a batch is one round trip of 20 lookups.
        let batches = b - b0;
        let round_trips = batches + (u - u0) - batches * 20;
        println!("\n{n} rows");
        println!("  wall time                {:>8.2} s", wall.as_secs_f64());
        println!(
            "  lookup round trips       {round_trips:>8}   (one address at a time, 20 per $batch: {})",
            n.div_ceil(20)
        );
        println!("  ratio to the least       {:>8.2}x", round_trips as f64 / least as f64);
        println!("  429s received            {:>8}", throttled - t0);
    }
}
