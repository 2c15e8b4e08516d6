//! `guestpass-cli offboard --domain D`: a partner's project ends. Lists the partner's guests and
//! what they hold, then (unless `--dry-run`) takes groups and licences away, blocks sign-in and
//! revokes sessions, and removes the accounts after `--delete-after-days`. It is a bulk run:
//! Ctrl-C stops it, running the command again resumes it (and makes removals that fell due).

use crate::{connect, fail};
use guestpass_core::bulk::{RunControl, RunProgress};
use guestpass_core::guests::OffboardPlan;
use guestpass_core::{Engine, StepState};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct OffboardArgs {
    /// The partner's e-mail domain (the part after @ in their guests' addresses).
    #[arg(long, value_name = "D")]
    domain: String,
    /// Remove the accounts this many days after blocking them (0: at once). Without it the
    /// accounts stay, blocked. Microsoft keeps a removed account 30 days (restorable).
    #[arg(long, value_name = "N")]
    delete_after_days: Option<u32>,
    /// Write the run's evidence (each step, Microsoft's request-ids, the change-log hashes and
    /// the chain's verification) to this JSON file.
    #[arg(long, value_name = "FILE.json")]
    evidence: Option<std::path::PathBuf>,
    /// List the guests and what would be taken; change nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
}

pub async fn offboard(args: OffboardArgs) -> ExitCode {
    let engine = match connect(args.dry_run).await {
        Ok(e) => e,
        Err(p) => return fail(&p, args.json),
    };
    // A run of this partner with steps left (a stop, a removal now due) is resumed, not redone.
    let resumed = match engine.unfinished_offboarding(&args.domain) {
        Ok(r) => r,
        Err(p) => return fail(&p, args.json),
    };
    let run = match resumed {
        Some(run) if !args.dry_run => {
            eprintln!("Resuming off-boarding run #{run} for {}.", args.domain);
            run
        }
        _ => {
            let plan = match engine.offboarding_plan(&args.domain, args.delete_after_days).await {
                Ok(p) => p,
                Err(p) => return fail(&p, args.json),
            };
            if args.dry_run {
                if args.json {
                    println!("{}", serde_json::json!({ "plan": plan }));
                } else {
                    print!("{}", plan_text(&plan));
                }
                return ExitCode::SUCCESS;
            }
            match engine.start_offboarding(&plan) {
                Ok(run) => run,
                Err(p) => return fail(&p, args.json),
            }
        }
    };
    execute(&engine, run, &args).await
}

async fn execute(engine: &Engine, run: i64, args: &OffboardArgs) -> ExitCode {
    let control = RunControl::new();
    let on_signal = control.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("\nStopping after the steps in flight (run the same command again to resume)...");
            on_signal.cancel();
        }
    });
    let json = args.json;
    let show = move |p: RunProgress| {
        if !json {
            eprint!(
                "\rOff-boarding: {} of {} guests settled, {} failed   ",
                p.done + p.failed,
                p.total,
                p.failed
            );
        }
    };
    let progress = match engine.run_import(run, Arc::clone(&control), &show).await {
        Ok(p) => p,
        Err(p) => return fail(&p, json),
    };
    if !json {
        eprintln!();
    }
    let rows = match engine.run_rows(run) {
        Ok(r) => r,
        Err(p) => return fail(&p, json),
    };
    if let Some(path) = &args.evidence {
        if let Err(p) = engine.write_offboarding_evidence(run, path) {
            return fail(&p, json);
        }
        if !json {
            eprintln!("Evidence written to {}.", path.display());
        }
    }
    let failed = rows
        .iter()
        .any(|r| r.steps.iter().any(|s| s.state == StepState::Failed));
    if json {
        println!(
            "{}",
            serde_json::json!({ "run": run, "progress": progress, "rows": rows })
        );
    } else {
        for r in &rows {
            println!("{}", r.email);
            for s in &r.steps {
                println!(
                    "  {:<15} {:<9} {}",
                    s.kind,
                    format!("{:?}", s.state).to_lowercase(),
                    s.summary.as_deref().unwrap_or("")
                );
            }
        }
    }
    if control.is_cancelled() || failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn plan_text(plan: &OffboardPlan) -> String {
    if plan.guests.is_empty() {
        return format!("No guest of this tenant has an address at {}.\n", plan.domain);
    }
    let mut out = format!(
        "{} guest(s) at {}; off-boarding would:\n",
        plan.guests.len(),
        plan.domain
    );
    for g in &plan.guests {
        out += &format!(
            "{} ({})\n",
            g.email,
            if g.enabled { "can sign in" } else { "blocked already" }
        );
        for (_, name) in &g.groups {
            out += &format!("  take the group {name}\n");
        }
        for (_, name) in &g.access_packages {
            out += &format!("  end the access package {name}\n");
        }
        for (_, name) in &g.dataverse_roles {
            out += &format!("  take the Dataverse role {name}\n");
        }
        for (_, name) in &g.licenses {
            out += &format!("  take the licence {name}\n");
        }
        out += "  block sign-in and end their sessions\n";
        match plan.delete_after_days {
            Some(0) => out += "  remove the account (restorable for 30 days)\n",
            Some(n) => out += &format!("  remove the account {n} day(s) later (restorable for 30 days after)\n"),
            None => {}
        }
    }
    for n in &plan.notes {
        out += &format!("Note: {n}\n");
    }
    out
}
