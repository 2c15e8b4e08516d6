//! `make bench`: how close reading every guest with their sign-in activity runs to Microsoft's
//! floor. Lists of users with `signInActivity` count against the identity reports' limit of 5
//! requests per 10 seconds per app, 500 users per page; the floor for 10,000 guests is 20 pages
//! (and, when someone would be stale, one read of the audit log for the re-enabled rule) in
//! 5-request bursts 10 seconds apart (plus the latency of each).
//!
//! cargo run --release -p guestpass-core --example guests_bench -- [--guests 10000]

mod common;

use guestpass_core::guests::GuestRules;
use guestpass_sandbox::{SandboxConfig, Storage};
use std::time::{Duration, Instant};

const LATENCY_MS: u64 = 50;
const PAGE: usize = 500;
const BURST: usize = 5;
const WINDOW: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() {
    let guests: usize = common::arg("--guests", "10000").parse().unwrap();
    let config = SandboxConfig {
        latency_ms: LATENCY_MS,
        ..Default::default()
    };
    let sb = guestpass_sandbox::start(Storage::Memory, 0, config)
        .await
        .expect("sandbox");
    sb.add_guests(guests.saturating_sub(2)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = common::connect(&sb, dir.path()).await;
    println!("Guests list benchmark: {guests} guests with sign-in activity, {LATENCY_MS} ms latency, Microsoft's 5 report reads per 10 s");
    let before = sb.stats();
    let t = Instant::now();
    let list = engine.guest_list(GuestRules::default()).await.expect("the list");
    let took = t.elapsed();
    let after = sb.stats();
    let pages = list.guests.len().div_ceil(PAGE);
    // When anyone would be called stale, one read of the audit log checks who was enabled again
    // lately (the re-enabled rule); it counts against the same limit.
    let reads = pages + usize::from(list.guests.iter().any(|g| g.stale));
    let floor = WINDOW * ((reads.saturating_sub(1)) / BURST) as u32 + Duration::from_millis(LATENCY_MS) * reads as u32;
    println!(
        "  {} guests ({}) read in {:.1} s; the floor ({pages} pages of {PAGE} and {} audit read, {BURST} per {} s) is {:.1} s: ratio {:.2}",
        list.guests.len(),
        list.sign_in_activity,
        took.as_secs_f64(),
        reads - pages,
        WINDOW.as_secs(),
        floor.as_secs_f64(),
        took.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "  refused with 429 and waited out: {}",
        after.throttled - before.throttled
    );
}
