//! `guestpass-cli protect show`: what protects guests now — Conditional Access policies that
//! touch guests, named locations, security defaults, Entra ID P1 — and what is missing.

use crate::{connect, fail};
use clap::Subcommand;
use guestpass_core::protect::GuestProtection;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ProtectAction {
    /// What protects guests now, and what is missing (reads only).
    Show {
        #[arg(long)]
        json: bool,
    },
}

pub async fn protect(action: ProtectAction) -> ExitCode {
    let ProtectAction::Show { json } = action;
    let engine = match connect(false).await {
        Ok(e) => e,
        Err(p) => return fail(&p, json),
    };
    match engine.guest_protection().await {
        Ok(view) if json => {
            println!("{}", serde_json::json!(view));
            ExitCode::SUCCESS
        }
        Ok(view) => {
            print!("{}", text(&view));
            ExitCode::SUCCESS
        }
        Err(p) => fail(&p, json),
    }
}

fn state_word(state: &str) -> &str {
    match state {
        "enabledForReportingButNotEnforced" => "report-only",
        "enabled" => "on",
        "disabled" => "off",
        other => other,
    }
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
                state_word(&p.state),
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
