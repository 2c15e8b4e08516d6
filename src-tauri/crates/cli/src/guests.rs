//! `guestpass-cli guests`: every guest with state, last sign-in (of any kind), licences and
//! groups, and who is stale or stuck; filters and a CSV export.

use crate::{connect, fail};
use clap::{Args, Subcommand};
use guestpass_core::guests::{GuestActionResult, GuestList, GuestRules, GuestVerb};
use std::process::ExitCode;

#[derive(Args)]
pub struct GuestsArgs {
    #[command(subcommand)]
    action: Option<GuestsAction>,
    /// A guest is stale after this many days without a sign-in of any kind.
    #[arg(long, default_value_t = 90, global = true)]
    stale_days: u32,
    /// An invitation is stuck after this many days unaccepted.
    #[arg(long, default_value_t = 30, global = true)]
    pending_days: u32,
    /// Only guests whose address is at this domain.
    #[arg(long)]
    domain: Option<String>,
    /// Only guests this person sponsors.
    #[arg(long, value_name = "E")]
    sponsor: Option<String>,
    /// Write the list as CSV to this file.
    #[arg(long, value_name = "FILE.csv")]
    export: Option<std::path::PathBuf>,
    #[arg(long)]
    json: bool,
}

/// What to do to some guests: those named, or every stale one.
#[derive(Args)]
struct Targets {
    /// A guest's address (repeat it).
    #[arg(long = "email", value_name = "E", required_unless_present = "stale")]
    emails: Vec<String>,
    /// Every guest the list calls stale (with --stale-days).
    #[arg(long)]
    stale: bool,
    /// Print what would change; change nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum GuestsAction {
    /// Block their sign-in (and end their sessions); undo from History.
    Block(Targets),
    /// Let them sign in again.
    Unblock(Targets),
    /// Remove them: Microsoft keeps them 30 days, and undo (or `restore`) brings them back.
    Remove(Targets),
    /// Bring back guests removed in the last 30 days, with their groups.
    Restore(Targets),
    /// Send a new invitation to those who have not accepted.
    Resend(Targets),
    /// Make someone of your organisation a sponsor of a guest (at most five per guest).
    Sponsor {
        #[arg(long)]
        email: String,
        #[arg(long, value_name = "E")]
        sponsor: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

pub async fn guests(args: GuestsArgs) -> ExitCode {
    let rules = GuestRules {
        stale_days: args.stale_days,
        pending_days: args.pending_days,
    };
    if let Some(GuestsAction::Sponsor {
        email,
        sponsor,
        dry_run,
        json,
    }) = args.action
    {
        let engine = match connect(dry_run).await {
            Ok(e) => e,
            Err(p) => return fail(&p, json),
        };
        return match engine.add_sponsor(&email, &sponsor).await {
            Ok(o) => crate::print_steps(&[o], json, None),
            Err(p) => fail(&p, json),
        };
    }
    if let Some(action) = args.action {
        let (verb, targets) = match action {
            GuestsAction::Block(t) => (GuestVerb::Block, t),
            GuestsAction::Unblock(t) => (GuestVerb::Unblock, t),
            GuestsAction::Remove(t) => (GuestVerb::Remove, t),
            GuestsAction::Restore(t) => (GuestVerb::Restore, t),
            GuestsAction::Resend(t) => (GuestVerb::Resend, t),
            GuestsAction::Sponsor { .. } => unreachable!("handled above"),
        };
        return act(verb, targets, rules).await;
    }
    let engine = match connect(false).await {
        Ok(e) => e,
        Err(p) => return fail(&p, args.json),
    };
    let mut list = match engine.guest_list(rules).await {
        Ok(l) => l,
        Err(p) => return fail(&p, args.json),
    };
    if let Some(domain) = &args.domain {
        let domain = domain.trim().trim_start_matches('@').to_lowercase();
        list.guests.retain(|g| g.home_domain == domain);
    }
    if let Some(sponsor) = &args.sponsor {
        let sponsor = sponsor.trim().to_lowercase();
        list.guests
            .retain(|g| g.sponsors.iter().any(|s| s.eq_ignore_ascii_case(&sponsor)));
    }
    if let Some(path) = &args.export {
        let written = list.to_csv().and_then(|csv| {
            std::fs::write(path, csv)
                .map_err(|e| guestpass_core::Problem::on_this_computer(format!("cannot write {}: {e}", path.display())))
        });
        if let Err(p) = written {
            return fail(&p, args.json);
        }
    }
    if args.json {
        println!("{}", serde_json::json!(list));
    } else {
        print!("{}", text(&list));
    }
    ExitCode::SUCCESS
}

fn text(l: &GuestList) -> String {
    let known = l.sign_in_activity == "available";
    let mut out = String::new();
    for g in &l.guests {
        let last = match (&g.last_sign_in, known) {
            (Some(t), _) => t.clone(),
            (None, true) => "never".into(),
            (None, false) => "unavailable".into(),
        };
        let mut flags = Vec::new();
        if g.stale {
            flags.push("STALE");
        }
        if g.pending_too_long {
            flags.push("PENDING TOO LONG");
        }
        if !g.enabled {
            flags.push("blocked");
        }
        out.push_str(&format!(
            "{}  {}  last sign-in {}{}\n",
            g.email,
            g.state,
            last,
            if flags.is_empty() {
                String::new()
            } else {
                format!("  [{}]", flags.join(", "))
            }
        ));
    }
    let count = |f: fn(&guestpass_core::guests::GuestRow) -> bool| l.guests.iter().filter(|g| f(g)).count();
    out.push_str(&format!(
        "{} guests: {} stale (no sign-in for {} days), {} pending for more than {} days.\n",
        l.guests.len(),
        count(|g| g.stale),
        l.rules.stale_days,
        count(|g| g.pending_too_long),
        l.rules.pending_days
    ));
    if !known {
        out.push_str(&format!("Sign-in activity: {}\n", l.sign_in_activity));
    }
    out
}

async fn act(verb: GuestVerb, t: Targets, rules: GuestRules) -> ExitCode {
    let engine = match connect(t.dry_run).await {
        Ok(e) => e,
        Err(p) => return fail(&p, t.json),
    };
    let mut emails = t.emails.clone();
    if t.stale {
        match engine.guest_list(rules).await {
            Ok(l) => emails.extend(l.guests.into_iter().filter(|g| g.stale).map(|g| g.email)),
            Err(p) => return fail(&p, t.json),
        }
        if emails.is_empty() {
            println!("No guest is stale (no sign-in for {} days).", rules.stale_days);
            return ExitCode::SUCCESS;
        }
    }
    let results = match engine.act_on_guests(verb, &emails).await {
        Ok(r) => r,
        Err(p) => return fail(&p, t.json),
    };
    print_results(&results, t.json)
}

/// One line per guest (or `{"results": […]}`); exit 1 when any of them failed.
fn print_results(results: &[GuestActionResult], json: bool) -> ExitCode {
    if json {
        println!("{}", serde_json::json!({ "results": results }));
    } else {
        for r in results {
            match (&r.outcome, &r.problem) {
                (Some(o), _) => println!("{}: {}", r.email, o.summary),
                (None, Some(p)) => println!("{}: FAILED {} {}", r.email, p.message, p.hint),
                (None, None) => {}
            }
        }
    }
    if results.iter().any(|r| r.problem.is_some()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
