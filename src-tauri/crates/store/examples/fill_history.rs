//! Fills a data folder's change log with N generated rows, to see the History screen with a
//! large log: `cargo run -p guestpass-store --example fill_history -- DATA_DIR 100000 TENANT_ID`.

use guestpass_store::{ChangeResult, NewChange, Store};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("DATA_DIR"));
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let tenant = args.next().unwrap_or_else(|| "tenant".into());
    std::fs::create_dir_all(&dir).expect("data folder");
    let store = Store::open(&dir.join("guestpass.sqlite")).expect("store");
    let actions = ["invite_guest", "set_profile", "assign_license", "add_to_group"];
    for i in 0..n {
        store
            .append_change(&NewChange {
                actor: "app:generated".into(),
                tenant: tenant.clone(),
                action: actions[i % actions.len()].into(),
                target: format!("guest{:06}@partner{}.example", i / 4, i % 7),
                before: None,
                after: Some(serde_json::json!({"n": i})),
                result: if i % 41 == 0 {
                    ChangeResult::Failed
                } else {
                    ChangeResult::Succeeded
                },
                error_code: (i % 41 == 0).then(|| "Request_BadRequest".into()),
                detail: Some(format!("Generated row {i}.")),
                request_id: Some(format!("{i:08x}-0000-4000-8000-000000000000")),
            })
            .expect("append");
    }
    println!("{n} rows in {}", dir.join("guestpass.sqlite").display());
}
