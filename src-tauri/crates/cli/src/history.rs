//! `history`: list, filter and export the change log, and verify its hash chain.

use crate::fail;
use clap::Args;
use guestpass_core::{ChangeFilter, Problem, Store};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ListArgs {
    #[arg(long)]
    json: bool,
    /// How many rows, newest first.
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Only changes on or after this date or time (e.g. 2026-11-01).
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only changes in this tenant (its id).
    #[arg(long)]
    tenant: Option<String>,
    /// Only changes about this guest (matches the target).
    #[arg(long)]
    email: Option<String>,
    /// Write the listed rows to FILE: CSV (safe to open in Excel) or, for a .json name, JSON.
    /// Both include the hash-chain fields.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
}

/// History needs only the local database, not a tenant.
fn local_store() -> Result<Store, Problem> {
    let dir = guestpass_core::data_dir_from_env();
    std::fs::create_dir_all(&dir)
        .map_err(|e| Problem::on_this_computer(format!("cannot create {}: {e}", dir.display())))?;
    Store::open(&dir.join("guestpass.sqlite")).map_err(Problem::local)
}

pub fn list(args: ListArgs) -> ExitCode {
    let store = match local_store() {
        Ok(s) => s,
        Err(p) => return fail(&p, args.json),
    };
    let filter = ChangeFilter {
        since: args.since.clone(),
        tenant: args.tenant.clone(),
        text: args.email.clone(),
        limit: Some(args.limit),
        ..Default::default()
    };
    let found = store
        .query_changes(&filter)
        .and_then(|rows| Ok((rows, store.microsoft_events_for(&filter)?)));
    let (rows, events) = match found {
        Ok(found) => found,
        Err(e) => return fail(&Problem::local(e), args.json),
    };
    if let Some(path) = &args.export {
        let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let text = if is_json {
            guestpass_core::export::to_json(&rows, &events)
        } else {
            guestpass_core::export::to_csv(&rows, &events)
        };
        let written = text.map_err(Problem::internal).and_then(|t| {
            std::fs::write(path, t)
                .map_err(|e| Problem::on_this_computer(format!("cannot write {}: {e}", path.display())))
        });
        if let Err(p) = written {
            return fail(&p, args.json);
        }
        eprintln!(
            "exported {} change(s) and {} event(s) from Microsoft's logs to {}",
            rows.len(),
            events.len(),
            path.display()
        );
        return ExitCode::SUCCESS;
    }
    // Newest first across both, at most --limit in all.
    let mut merged = match guestpass_core::export::merged(&rows, &events) {
        Ok(m) => m,
        Err(e) => return fail(&Problem::internal(e), args.json),
    };
    merged.truncate(args.limit as usize);
    if args.json {
        println!("{}", serde_json::Value::Array(merged));
        return ExitCode::SUCCESS;
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{:<24}  {:<36}  {:<22}  {:<36}  {:<9}  REQUEST-ID",
        "TIME", "TENANT", "ACTION", "TARGET", "RESULT"
    );
    for r in merged {
        let text = |k: &str| r[k].as_str().unwrap_or("-").to_string();
        // Microsoft's events are marked, with their audit id where Guestpass's have the request-id.
        let (action, id) = match r["source"].as_str() {
            Some("microsoft") => (format!("[Microsoft] {}", text("action")), text("auditId")),
            _ => (text("action"), text("requestId")),
        };
        let _ = writeln!(
            out,
            "{:<24}  {:<36}  {:<22}  {:<36}  {:<9}  {}",
            text("at"),
            text("tenant"),
            action,
            text("target"),
            text("result"),
            id
        );
    }
    ExitCode::SUCCESS
}

/// Exit 3 when the chain is broken, naming the first row that does not fit.
pub fn verify(json: bool) -> ExitCode {
    let store = match local_store() {
        Ok(s) => s,
        Err(p) => return fail(&p, json),
    };
    match store.verify_chain() {
        Ok(report) => {
            if json {
                println!("{}", serde_json::to_string(&report).expect("report serialises"));
            }
            match &report.first_break {
                None => {
                    if !json {
                        println!("change log intact: {} rows, hash chain verified", report.rows);
                    }
                    ExitCode::SUCCESS
                }
                Some(b) => {
                    eprintln!("error: the change log was altered at row {}: {}", b.seq, b.reason);
                    ExitCode::from(3)
                }
            }
        }
        Err(e) => fail(&Problem::local(e), json),
    }
}
