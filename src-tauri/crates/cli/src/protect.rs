//! `guestpass-cli protect`: what protects guests now (`show`), the guest MFA policy (`mfa`),
//! named locations with an optional block outside them (`locations`), and the What-If
//! pre-flight of every policy, guest by guest (`what-if`).

use crate::{connect, fail, print_steps, print_view};
use clap::{Subcommand, ValueEnum};
use guestpass_core::bulk::RunControl;
use guestpass_core::protect::{
    state_words, GuestProtection, LocationRequest, PolicyApps, PolicyState, Preflight, PreflightScope, Verdict,
    GUEST_MFA_POLICY,
};
use guestpass_core::StepOutcome;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ProtectAction {
    /// What protects guests now, and what is missing (reads only).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// "Guests must use MFA": creates the policy report-only (leaving out the emergency-access
    /// group), or switches it with --state. Switching it on needs a pre-flight of every guest
    /// first (`protect what-if`), or --without-pre-flight.
    Mfa {
        /// The emergency-access (break-glass) group to leave out; it must hold someone who is not a guest.
        #[arg(long, value_name = "NAME")]
        exclude_group: String,
        /// Which resources: all of them, or the Power Platform set Microsoft lists.
        #[arg(long, value_enum, default_value = "all")]
        apps: AppsArg,
        /// The state to leave it in (a new policy is always created report-only first).
        #[arg(long, value_enum, default_value = "report-only")]
        state: StateArg,
        /// Switch it on although no pre-flight of every guest was made.
        #[arg(long)]
        without_pre_flight: bool,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// A named location — countries (ISO codes) or public IP ranges (CIDR) — and, with
    /// --block-guests-outside, a report-only policy blocking guests who sign in from elsewhere.
    Locations {
        #[arg(long)]
        name: String,
        /// Two-letter country codes, e.g. GB,IE.
        #[arg(
            long,
            value_delimiter = ',',
            conflicts_with = "ip_ranges",
            required_unless_present = "ip_ranges"
        )]
        countries: Vec<String>,
        /// Public IP ranges in CIDR, e.g. 203.0.113.0/24.
        #[arg(long, value_delimiter = ',')]
        ip_ranges: Vec<String>,
        /// Also create "Guestpass: block guests outside NAME", report-only.
        #[arg(long)]
        block_guests_outside: bool,
        /// What that policy covers: all resources (which also blocks redemption from outside) or
        /// the Power Platform set.
        #[arg(long, value_enum, default_value = "all")]
        apps: AppsArg,
        /// An emergency-access group that policy leaves out.
        #[arg(long, value_name = "NAME")]
        exclude_group: Option<String>,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Asks Microsoft's What-If, guest by guest, what every policy (report-only ones included)
    /// would do: unaffected, asked for MFA, or blocked, and why. Reads only; one call per
    /// guest at Microsoft's limit of one per second.
    WhatIf {
        /// Only these guests (repeat it); without it and --domain, every guest.
        #[arg(long = "email", value_name = "E")]
        emails: Vec<String>,
        /// Only the guests at this domain (one partner's people).
        #[arg(long)]
        domain: Option<String>,
        /// Accepted for symmetry with the other commands: a pre-flight changes nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum AppsArg {
    All,
    PowerPlatform,
}

impl From<AppsArg> for PolicyApps {
    fn from(a: AppsArg) -> PolicyApps {
        match a {
            AppsArg::All => PolicyApps::All,
            AppsArg::PowerPlatform => PolicyApps::PowerPlatform,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StateArg {
    ReportOnly,
    On,
    Off,
}

pub async fn protect(action: ProtectAction) -> ExitCode {
    match action {
        ProtectAction::Show { json } => show(json).await,
        ProtectAction::Mfa {
            exclude_group,
            apps,
            state,
            without_pre_flight,
            dry_run,
            json,
        } => {
            let apps = apps.into();
            let state = match state {
                StateArg::ReportOnly => PolicyState::ReportOnly,
                StateArg::On => PolicyState::On,
                StateArg::Off => PolicyState::Off,
            };
            mfa(&exclude_group, apps, state, without_pre_flight, dry_run, json).await
        }
        ProtectAction::Locations {
            name,
            countries,
            ip_ranges,
            block_guests_outside,
            apps,
            exclude_group,
            dry_run,
            json,
        } => {
            let request = LocationRequest {
                name,
                countries,
                ip_ranges,
                block_guests_outside,
                apps: Some(apps.into()),
                exclude_group,
            };
            let engine = match connect(dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, json),
            };
            match engine.create_named_location(&request).await {
                Ok(steps) => print_steps(&steps, json, None),
                Err(p) => fail(&p, json),
            }
        }
        ProtectAction::WhatIf {
            emails,
            domain,
            dry_run: _,
            json,
        } => what_if(PreflightScope { emails, domain }, json).await,
    }
}

async fn show(json: bool) -> ExitCode {
    let engine = match connect(false).await {
        Ok(e) => e,
        Err(p) => return fail(&p, json),
    };
    print_view(engine.guest_protection().await, json, text)
}

async fn mfa(
    group: &str,
    apps: PolicyApps,
    state: PolicyState,
    without_preflight: bool,
    dry_run: bool,
    json: bool,
) -> ExitCode {
    let engine = match connect(dry_run).await {
        Ok(e) => e,
        Err(p) => return fail(&p, json),
    };
    // Refused before anything is sent: a policy is switched on only after a pre-flight.
    if state == PolicyState::On && !without_preflight {
        let existing = match engine.guest_mfa_policy_id().await {
            Ok(id) => id,
            Err(p) => return fail(&p, json),
        };
        if let Err(p) = engine.require_preflight(existing.as_deref(), GUEST_MFA_POLICY) {
            return fail(&p, json);
        }
    }
    let mut steps: Vec<StepOutcome> = Vec::new();
    match engine.create_guest_mfa_policy(apps, group).await {
        Ok(o) => steps.push(o),
        Err(p) => return fail(&p, json),
    }
    if state != PolicyState::ReportOnly {
        match engine.guest_mfa_policy_id().await {
            Ok(Some(id)) => match engine.switch_policy(&id, state, without_preflight).await {
                Ok(o) => steps.push(o),
                Err(p) => return fail(&p, json),
            },
            // Only a dry run gets here: the policy it would create does not exist yet.
            Ok(None) => steps.push(StepOutcome::would(
                "protect",
                format!("Would then switch it {}.", state.words()),
            )),
            Err(p) => return fail(&p, json),
        }
    }
    print_steps(&steps, json, None)
}

async fn what_if(scope: PreflightScope, json: bool) -> ExitCode {
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
    let progress = |p: guestpass_core::protect::PreflightProgress| {
        if !json {
            eprint!("\rAsking Microsoft's What-If: {}/{} guests", p.done, p.total);
        }
    };
    let result = engine.preflight(&scope, &progress, &control).await;
    if !json {
        eprintln!();
    }
    match result {
        Ok(preflight) if json => {
            println!("{}", serde_json::json!(preflight));
            if preflight.complete {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Ok(preflight) => {
            print!("{}", preflight_text(&preflight));
            if preflight.complete {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(p) => fail(&p, json),
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Unaffected => "unaffected",
        Verdict::Mfa => "asked for MFA",
        Verdict::Blocked => "BLOCKED",
    }
}

fn preflight_text(p: &Preflight) -> String {
    let mut out = String::new();
    for g in &p.guests {
        out.push_str(&format!("{}: {}\n", g.email, verdict_word(g.verdict)));
        for policy in g.policies.iter().filter(|x| x.applies) {
            out.push_str(&format!(
                "  {} ({}): {}\n",
                policy.display_name,
                state_words(&policy.state),
                policy.reasons.join("; ")
            ));
        }
    }
    let count = |v: Verdict| p.guests.iter().filter(|g| g.verdict == v).count();
    out.push_str(&format!(
        "{} guests: {} unaffected, {} asked for MFA, {} blocked.{}\n",
        p.guests.len(),
        count(Verdict::Unaffected),
        count(Verdict::Mfa),
        count(Verdict::Blocked),
        if p.complete { "" } else { " Stopped before the end." }
    ));
    for a in &p.assumptions {
        out.push_str(&format!("Assumed: {a}\n"));
    }
    out
}

fn text(v: &GuestProtection) -> String {
    let mut out = String::new();
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    out.push_str(&format!("Entra ID P1 (Conditional Access): {}\n", yes_no(v.has_p1)));
    let defaults = v
        .security_defaults
        .map_or("unknown", |on| if on { "on" } else { "off" });
    out.push_str(&format!("Security defaults: {defaults}\n"));
    if v.policies.is_empty() {
        out.push_str("Conditional Access policies for guests: none\n");
    } else {
        out.push_str("Conditional Access policies for guests:\n");
        for p in &v.policies {
            out.push_str(&format!(
                "  {:<11} {}  — {}; {}; requires {}\n",
                state_words(&p.state),
                p.display_name,
                p.guests,
                p.apps,
                if p.requires.is_empty() {
                    "nothing".to_string()
                } else {
                    p.requires.join(", ")
                }
            ));
        }
    }
    if !v.named_locations.is_empty() {
        out.push_str("Named locations:\n");
        for l in &v.named_locations {
            out.push_str(&format!("  {}  — {}\n", l.display_name, l.what));
        }
    }
    for gap in &v.gaps {
        out.push_str(&format!("Missing: {gap}\n"));
    }
    for why in &v.unreadable {
        out.push_str(&format!("Not read: {why}\n"));
    }
    out
}
