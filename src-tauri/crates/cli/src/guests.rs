//! `guestpass-cli guests`: every guest with state, last sign-in (of any kind), licences and
//! groups, and who is stale or stuck; filters and a CSV export.

use crate::{connect, fail};
use clap::Args;
use guestpass_core::guests::{GuestList, GuestRules};
use std::process::ExitCode;

#[derive(Args)]
pub struct GuestsArgs {
    /// A guest is stale after this many days without a sign-in of any kind.
    #[arg(long, default_value_t = 90)]
    stale_days: u32,
    /// An invitation is stuck after this many days unaccepted.
    #[arg(long, default_value_t = 30)]
    pending_days: u32,
    /// Only guests whose address is at this domain.
    #[arg(long)]
    domain: Option<String>,
    /// Only guests this person sponsors (sponsors are not read yet: nobody matches).
    #[arg(long, value_name = "E")]
    sponsor: Option<String>,
    /// Write the list as CSV to this file.
    #[arg(long, value_name = "FILE.csv")]
    export: Option<std::path::PathBuf>,
    #[arg(long)]
    json: bool,
}

pub async fn guests(args: GuestsArgs) -> ExitCode {
    let engine = match connect(false).await {
        Ok(e) => e,
        Err(p) => return fail(&p, args.json),
    };
    let rules = GuestRules {
        stale_days: args.stale_days,
        pending_days: args.pending_days,
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
