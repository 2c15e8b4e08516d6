//! `make bench`: how fast a bulk run onboards guests against Graph's identity write limit.
//!
//! Onboards N generated guests (invite, profile, licence, one group: four writes each) into the
//! sandbox with 100 ms latency per request and Graph's write limit (3,000 writes per 150 s per
//! app and tenant) with its windows compressed by `--time-scale` (the limit's shape is kept),
//! then does the same work as a one-request-at-a-time loop (what Microsoft's sample script
//! does), and times checking a 10,000-row file. Prints ratios measured in this one run.
//!
//! Then onboards 100, 300 and 1,000 guests against a write quota shaped as a token bucket (20
//! writes per second, a burst of 20, 100 ms latency), as some Graph-compatible servers enforce
//! it, and reports the time as a ratio to the least that quota allows.
//!
//! cargo run --release -p guestpass-core --example bulk_bench -- [--guests 1000] [--time-scale 1] [--sequential-guests N] [--bucket-guests 100,300,1000] [--only-bucket]

use guestpass_core::bulk::{plan, ImportDefaults, RunControl};
use guestpass_core::{Connection, ConnectionConfig, Engine};
use guestpass_graph::models::{InvitationRequest, UserPatch};
use guestpass_graph::{AppOnlyCredential, Endpoints, GraphClient};
use guestpass_sandbox::{SandboxConfig, SandboxHandle, Storage, ThrottleConfig, WriteBucket};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GROUP_ID: &str = "7d1c0b5e-0000-4000-8000-000000000003"; // Partner portal users
const GROUP_NAME: &str = "Partner portal users";
const SKU_ID: &str = "f30db892-07e9-47e9-837c-80727f46fd3d"; // FLOW_FREE: seats for everyone
const SKU: &str = "FLOW_FREE";
const WRITES_PER_GUEST: u64 = 4;
const WRITE_LIMIT: u64 = 3000;
const WRITE_WINDOW_S: f64 = 150.0;

fn arg(name: &str, default: f64) -> f64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn sandbox(time_scale: f64) -> SandboxHandle {
    sandbox_with(ThrottleConfig {
        enabled: true,
        resource_units: None,
        writes: WRITE_LIMIT as u32,
        time_scale,
        write_bucket: None,
    })
    .await
}

async fn sandbox_with(throttle: ThrottleConfig) -> SandboxHandle {
    let config = SandboxConfig {
        latency_ms: 100,
        throttle,
        ..Default::default()
    };
    guestpass_sandbox::start(Storage::Memory, 0, config)
        .await
        .expect("sandbox")
}

fn endpoints(sb: &SandboxHandle) -> Endpoints {
    Endpoints::loopback(&url::Url::parse(&sb.url()).unwrap())
}

/// The least time the write limit allows for `writes` writes: each full window of
/// `WRITE_LIMIT` writes beyond the first has to wait for the window to slide.
fn throttle_floor(writes: u64, time_scale: f64) -> Duration {
    let windows = writes.saturating_sub(1) / WRITE_LIMIT;
    Duration::from_secs_f64(windows as f64 * WRITE_WINDOW_S / time_scale)
}

fn guest_list(n: usize) -> String {
    let mut csv = String::from("Email,Display name,First name,Last name,Usage location,License,Groups\n");
    for i in 0..n {
        csv.push_str(&format!(
            "bench{i}@partner{}.example,Bench Guest {i},Bench,Guest {i},GB,{SKU},{GROUP_NAME}\n",
            i % 20
        ));
    }
    csv
}

fn duplicates_and_missing(sb: &SandboxHandle, n: usize) -> (usize, usize) {
    let mails = sb.user_mails();
    let mut dup = 0;
    let mut missing = 0;
    for i in 0..n {
        let want = format!("bench{i}@partner{}.example", i % 20);
        match mails.iter().filter(|m| **m == want).count() {
            0 => missing += 1,
            1 => {}
            c => dup += c - 1,
        }
    }
    (dup, missing)
}

async fn connect(sb: &SandboxHandle, dir: &std::path::Path) -> Engine {
    Engine::connect(ConnectionConfig {
        data_dir: dir.to_path_buf(),
        connection: Connection::AppOnly {
            tenant: guestpass_sandbox::TENANT_ID.into(),
            client_id: guestpass_sandbox::CLIENT_ID.into(),
            secret: guestpass_core::sign_in::AppOnlySecret::ClientSecret(guestpass_sandbox::CLIENT_SECRET.into()),
            endpoints: endpoints(sb),
            is_sandbox: true,
        },
    })
    .await
    .expect("connect")
}

/// Onboards `n` guests against a token-bucket write quota; prints the time next to the least
/// the quota allows: every write after the burst at the refill rate.
async fn against_a_token_bucket(n: usize) {
    const RATE: f64 = 20.0;
    const BURST: u32 = 20;
    let sb = sandbox_with(ThrottleConfig {
        write_bucket: Some(WriteBucket {
            per_second: RATE,
            burst: BURST,
        }),
        ..Default::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let engine = connect(&sb, dir.path()).await;
    let defaults = ImportDefaults {
        redirect_url: Some("https://myapps.microsoft.com".into()),
        ..Default::default()
    };
    let preview = engine
        .preview_import("bench.csv", guest_list(n).as_bytes(), &defaults)
        .await
        .expect("preview");
    let run = engine.start_import(&preview).expect("start");
    let before = sb.stats();
    let t = Instant::now();
    let done = engine.run_import(run, RunControl::new(), &|_| {}).await.expect("run");
    let wall = t.elapsed();
    let after = sb.stats();
    let writes = n as u64 * WRITES_PER_GUEST;
    let floor = (writes - u64::from(BURST)) as f64 / RATE;
    let count = |s: &guestpass_sandbox::Stats, k: &str| s.by_route.get(k).copied().unwrap_or(0);
    let reads: u64 = after
        .by_route
        .iter()
        .filter(|(k, _)| k.starts_with("GET "))
        .map(|(k, v)| v - count(&before, k))
        .sum();
    println!(
        "  {n:>5} guests: {:>6.1} s, least {:>6.1} s, ratio {:.2}x (target: within 1.10x); {} answers of 429, {reads} reads; done {} failed {}",
        wall.as_secs_f64(),
        floor,
        wall.as_secs_f64() / floor,
        after.throttled - before.throttled,
        done.done,
        done.failed
    );
}

#[tokio::main]
async fn main() {
    let bucket_guests: Vec<usize> = std::env::args()
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| w[0] == "--bucket-guests")
        .map(|w| w[1].split(',').map(|n| n.parse().unwrap()).collect())
        .unwrap_or(vec![100, 300, 1000]);
    println!(
        "Bulk onboarding against a token-bucket write quota: 20 writes/s, burst 20, 100 ms latency, 4 writes per guest"
    );
    for n in bucket_guests {
        against_a_token_bucket(n).await;
    }
    if std::env::args().any(|a| a == "--only-bucket") {
        return;
    }
    println!();
    let n = arg("--guests", 1000.0) as usize;
    let time_scale = arg("--time-scale", 1.0);
    let sequential_n = arg("--sequential-guests", n as f64) as usize;
    let writes = n as u64 * WRITES_PER_GUEST;
    let floor = throttle_floor(writes, time_scale);
    println!("Bulk onboarding benchmark: {n} guests x 4 writes, 100 ms latency, write limit {WRITE_LIMIT} per {:.0} s (Graph's 150 s / {time_scale})", WRITE_WINDOW_S / time_scale);

    // Guestpass's bulk run.
    let sb = sandbox(time_scale).await;
    let dir = tempfile::tempdir().unwrap();
    let engine = connect(&sb, dir.path()).await;
    let defaults = ImportDefaults {
        redirect_url: Some("https://myapps.microsoft.com".into()),
        ..Default::default()
    };
    let t = Instant::now();
    let preview = engine
        .preview_import("bench.csv", guest_list(n).as_bytes(), &defaults)
        .await
        .expect("preview");
    let preview_time = t.elapsed();
    assert_eq!(preview.ready as usize, n, "every generated row is valid");
    let run = engine.start_import(&preview).expect("start");
    let throttled_before = sb.stats().throttled;
    let t = Instant::now();
    // Rows settled every 5 seconds, to see where the time goes.
    let timeline = std::sync::Mutex::new(Vec::<(u64, u32, u64)>::new());
    let done = engine
        .run_import(run, RunControl::new(), &|p| {
            let bucket = t.elapsed().as_secs() / 5;
            let mut tl = timeline.lock().unwrap();
            if tl.last().is_none_or(|(b, _, _)| *b < bucket) {
                tl.push((bucket, p.done + p.failed, p.throttled));
            }
        })
        .await
        .expect("run");
    let wall = t.elapsed();
    let throttled = sb.stats().throttled - throttled_before;
    let (dup, missing) = duplicates_and_missing(&sb, n);
    let lost = n - done.done as usize;
    println!(
        "\nGuestpass bulk run (preview with tenant checks took {:.1} s, not counted)",
        preview_time.as_secs_f64()
    );
    println!("  wall time            {:>8.1} s", wall.as_secs_f64());
    println!("  throttle floor       {:>8.1} s", floor.as_secs_f64());
    if !floor.is_zero() {
        println!(
            "  wall / floor         {:>8.2}x   (target: within 1.15x)",
            wall.as_secs_f64() / floor.as_secs_f64()
        );
    }
    println!("  429s received        {throttled:>8}");
    println!("  rows done / failed   {:>5} / {}", done.done, done.failed);
    println!("  duplicates / lost    {dup:>5} / {}", lost.max(missing));
    let tl: Vec<String> = timeline
        .lock()
        .unwrap()
        .iter()
        .map(|(b, rows, throttled)| {
            format!(
                "{}s:{rows}{}",
                b * 5,
                if *throttled > 0 {
                    format!("({throttled}x429)")
                } else {
                    String::new()
                }
            )
        })
        .collect();
    println!("  rows settled by time {}", tl.join(" "));
    drop(engine);
    drop(sb);

    // The same work, one request at a time (no lookups: the sample script does not look first).
    let sb = sandbox(time_scale).await;
    let credential = AppOnlyCredential::with_secret(
        &endpoints(&sb).login,
        guestpass_sandbox::TENANT_ID,
        guestpass_sandbox::CLIENT_ID,
        guestpass_sandbox::CLIENT_SECRET,
    );
    let graph = GraphClient::new(endpoints(&sb), Arc::new(credential));
    let t = Instant::now();
    for i in 0..sequential_n {
        let email = format!("bench{i}@partner{}.example", i % 20);
        let invited = graph
            .invite(&InvitationRequest {
                invited_user_email_address: email,
                invite_redirect_url: "https://myapps.microsoft.com".into(),
                invited_user_display_name: Some(format!("Bench Guest {i}")),
                send_invitation_message: false,
                invited_user_message_info: None,
                invited_user_type: Some("Guest".into()),
                invited_user_sponsors: Vec::new(),
            })
            .await
            .expect("invite");
        let id = invited.body.invited_user.id;
        let patch = UserPatch {
            given_name: Some("Bench".into()),
            surname: Some(format!("Guest {i}")),
            usage_location: Some("GB".into()),
            display_name: None,
        };
        graph.update_user(&id, &patch).await.expect("profile");
        graph.assign_license(&id, SKU_ID).await.expect("licence");
        graph.add_group_member(GROUP_ID, &id).await.expect("group");
    }
    let sequential = t.elapsed();
    let sequential_full = sequential.mul_f64(n as f64 / sequential_n.max(1) as f64);
    println!(
        "\nSequential loop, one request at a time{}",
        if sequential_n < n {
            format!(" ({sequential_n} guests, scaled to {n})")
        } else {
            String::new()
        }
    );
    println!("  wall time            {:>8.1} s", sequential_full.as_secs_f64());
    println!(
        "  sequential / bulk    {:>8.2}x",
        sequential_full.as_secs_f64() / wall.as_secs_f64()
    );

    // Checking a big file (no tenant): parse and validate every row.
    let mut big = String::from("Email,First name,Last name,Country,Groups\n");
    for i in 0..10_000 {
        big.push_str(&format!(
            "guest{i}@partner{}.example,First{i},Last{i},GB,Sales; Partners\n",
            i % 200
        ));
    }
    let t = Instant::now();
    let checked = plan::read_file("big.csv", big.as_bytes(), &defaults).expect("read");
    let validate = t.elapsed();
    println!(
        "\nChecking a 10,000-row file: {:.0} ms for {} rows (target: under 500 ms)",
        validate.as_secs_f64() * 1000.0,
        checked.rows.len()
    );
}
