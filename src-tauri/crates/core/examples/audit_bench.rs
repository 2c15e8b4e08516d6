//! `make bench`: how close pulling Microsoft's audit log into the local store runs to Microsoft's
//! floor. The directory audit log answers 1,000 entries per page and the identity reports allow
//! 5 requests per 10 seconds per app; a pull also reads the guests (999 per page), the licences
//! (is there P1 for the sign-in log?) and the sign-in log. The floor is every request one after
//! the other at the sandbox's latency, plus a 10-second wait for each report read beyond each
//! burst of five.
//!
//! cargo run --release -p guestpass-core --example audit_bench -- [--events 5000]

mod common;

use guestpass_core::bulk::RunControl;
use guestpass_sandbox::{SandboxConfig, Storage};
use std::time::{Duration, Instant};

const LATENCY_MS: u64 = 50;
const GUESTS: usize = 200;
const AUDIT_PAGE: usize = 1000;
const BURST: usize = 5;
const WINDOW: Duration = Duration::from_secs(10);

#[tokio::main]
async fn main() {
    let events: usize = common::arg("--events", "5000").parse().unwrap();
    let config = SandboxConfig {
        latency_ms: LATENCY_MS,
        ..Default::default()
    };
    let sb = guestpass_sandbox::start(Storage::Memory, 0, config)
        .await
        .expect("sandbox");
    sb.add_guests(GUESTS).unwrap();
    let guests = sb.guest_ids();
    let now = chrono::Utc::now();
    for i in 0..events {
        let at = now - chrono::Duration::seconds(i as i64 * 60);
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        sb.record_audit("Update user", &guests[i % guests.len()], &at).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let engine = common::connect(&sb, dir.path()).await;
    println!("Audit pull benchmark: {events} directory audit events about {} guests, {LATENCY_MS} ms latency, Microsoft's 5 report reads per 10 s", guests.len());

    let before = sb.stats();
    let t = Instant::now();
    let report = engine
        .pull_audit_events(None, &|_| {}, &RunControl::new())
        .await
        .expect("the pull");
    let took = t.elapsed();
    let after = sb.stats();
    let audit_pages = events.div_ceil(AUDIT_PAGE).max(1);
    let report_reads = audit_pages + 1; // and one page of the sign-in log
    let requests = guests.len().div_ceil(999) + 1 + report_reads; // guests, licences, reports
    let floor = WINDOW * ((report_reads - 1) / BURST) as u32 + Duration::from_millis(LATENCY_MS) * requests as u32;
    println!(
        "  kept {} new events ({} read) in {:.2} s; the floor ({requests} requests, {report_reads} report reads at {BURST} per {} s) is {:.2} s: ratio {:.2}",
        report.directory_audits_new,
        report.directory_audits_read,
        took.as_secs_f64(),
        WINDOW.as_secs(),
        floor.as_secs_f64(),
        took.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "  requests sent: {} (least: {requests}); refused with 429: {}",
        after.requests - before.requests,
        after.throttled - before.throttled
    );
    assert_eq!(report.directory_audits_new as usize, events, "every event kept once");

    // The next pull reads only what is new since: one page.
    let t = Instant::now();
    let again = engine
        .pull_audit_events(None, &|_| {}, &RunControl::new())
        .await
        .expect("the second pull");
    println!(
        "  the next pull read {} events again (its overlap) and kept {} new, in {:.2} s",
        again.directory_audits_read,
        again.directory_audits_new,
        t.elapsed().as_secs_f64()
    );
}
