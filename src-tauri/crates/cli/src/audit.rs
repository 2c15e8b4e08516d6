//! `guestpass-cli audit pull`: copies what Microsoft's logs hold about guests (directory audits,
//! and sign-ins where the tenant has Entra ID P1) into the local store, beyond Microsoft's 7 or
//! 30 days. `history` then lists them beside Guestpass's own changes.

use crate::{connect, fail};
use clap::Subcommand;
use guestpass_core::bulk::RunControl;
use guestpass_core::guests::{PullProgress, PullReport};
use guestpass_core::EventSource;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum AuditAction {
    /// Copy the guest-related events of Microsoft's logs not kept yet (continues from the last
    /// complete pull; Ctrl-C stops it, keeping what was read).
    Pull {
        /// Read from this date or time instead (e.g. 2026-11-01); Microsoft keeps 30 days at most.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub async fn audit(action: AuditAction) -> ExitCode {
    let AuditAction::Pull { since, json } = action;
    let engine = match connect(false).await {
        Ok(e) => e,
        Err(p) => return fail(&p, json),
    };
    let control = RunControl::new();
    let on_signal = control.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_signal.cancel();
        }
    });
    let progress = |p: PullProgress| {
        if !json {
            let log = match p.source {
                EventSource::DirectoryAudit => "directory audit log",
                EventSource::SignIn => "sign-in log",
            };
            eprint!(
                "\rReading Microsoft's {log}: {} page(s), {} about guests   ",
                p.pages, p.guest_events
            );
        }
    };
    let result = engine.pull_audit_events(since.as_deref(), &progress, &control).await;
    if !json {
        eprintln!();
    }
    match result {
        Ok(report) => {
            if json {
                println!("{}", serde_json::json!(report));
            } else {
                print!("{}", report_text(&report));
            }
            // A stopped pull is not a complete one: scripts must not take it for done.
            if report.stopped {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(p) => fail(&p, json),
    }
}

fn report_text(r: &PullReport) -> String {
    let mut out = format!(
        "Directory audit log since {}: {} event(s) about guests, {} new here.\n",
        r.since, r.directory_audits_read, r.directory_audits_new
    );
    if r.sign_ins == "available" {
        out += &format!(
            "Sign-in log: {} guest sign-in(s), {} new here.\n",
            r.sign_ins_read, r.sign_ins_new
        );
    } else {
        out += &format!("Sign-in log: {}\n", r.sign_ins);
    }
    out += &format!(
        "{} event(s) from Microsoft kept on this computer; see them with `history`.\n",
        r.kept
    );
    if r.stopped {
        out += "Stopped before the end: what was read is kept; run `audit pull` again to finish.\n";
    }
    out
}
