//! `make bench`: how close the Protect pre-flight runs to Microsoft's floor for Conditional
//! Access — one call per second per tenant, whose 429 carries no Retry-After.
//!
//! Tries every guest of a sandbox tenant with 200 guests (Graph's limits on, 50 ms latency per
//! request) against one report-only policy and reports the time as a ratio to the floor (one
//! What-If call per guest, one second apart), and how many calls Microsoft refused.
//!
//! cargo run --release -p guestpass-core --example preflight_bench -- [--guests 200] [--scale 1]
//! (`--scale 10` runs the sandbox's clock and the client's spacing 10× faster, for a quick look.)

mod common;

use guestpass_core::bulk::RunControl;
use guestpass_core::protect::{PolicyApps, PreflightScope};
use guestpass_sandbox::{SandboxConfig, Storage, ThrottleConfig};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let guests: usize = common::arg("--guests", "200").parse().unwrap();
    let scale: f64 = common::arg("--scale", "1").parse().unwrap();
    let config = SandboxConfig {
        latency_ms: 50,
        throttle: ThrottleConfig {
            time_scale: scale,
            ..Default::default()
        },
        ..Default::default()
    };
    let sb = guestpass_sandbox::start(Storage::Memory, 0, config)
        .await
        .expect("sandbox");
    let seeded_guests = 2;
    sb.add_guests(guests.saturating_sub(seeded_guests)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spacing = Duration::from_secs(1).div_f64(scale);
    let engine = common::connect(&sb, dir.path())
        .await
        .with_conditional_access_spacing(spacing + Duration::from_millis(5));
    engine
        .create_guest_mfa_policy(PolicyApps::All, "Emergency access accounts")
        .await
        .expect("the guest MFA policy");
    println!(
        "Protect pre-flight benchmark: {guests} guests, 50 ms latency, Microsoft's 1 Conditional Access call per second{}",
        if scale == 1.0 { String::new() } else { format!(" (clock {scale}× faster)") }
    );
    let before = sb.stats();
    let evaluate = |s: &guestpass_sandbox::Stats| {
        s.by_route
            .get("POST /v1.0/identity/conditionalAccess/evaluate")
            .copied()
            .unwrap_or(0)
    };
    let t = Instant::now();
    let result = engine
        .preflight(&PreflightScope::default(), &|_| {}, &RunControl::default())
        .await
        .expect("pre-flight");
    let took = t.elapsed();
    let after = sb.stats();
    let floor = spacing.mul_f64(result.guests.len() as f64);
    println!(
        "  {} guests tried in {:.1} s; the floor (one What-If call per guest, {:.0} ms apart) is {:.1} s: ratio {:.2}",
        result.guests.len(),
        took.as_secs_f64(),
        spacing.as_secs_f64() * 1000.0,
        floor.as_secs_f64(),
        took.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "  What-If calls: {}; refused with a bare 429: {}",
        evaluate(&after) - evaluate(&before),
        after.throttled - before.throttled
    );
}
