//! `settings`, `google` and `check`: the tenant-wide steps and the readiness card.

use crate::{connect, fail, print_steps};
use clap::{Args, Subcommand, ValueEnum};
use guestpass_core::{
    DomainList, DomainMode, GuestAccess, InviteAuthority, Problem, ReadinessRequest, SettingsRequest,
};
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum SettingsAction {
    /// Show the external collaboration settings.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Change them: only the options given; prints the preview, then applies it.
    Apply(SettingsArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum InvitesFrom {
    None,
    AdminsAndGuestInviters,
    AdminsGuestInvitersAndAllMembers,
    Everyone,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Access {
    SameAsMembers,
    Limited,
    MostRestrictive,
}

#[derive(Args)]
pub struct SettingsArgs {
    /// Who may invite guests.
    #[arg(long, value_enum)]
    invites_from: Option<InvitesFrom>,
    /// What guests can see in the directory.
    #[arg(long, value_enum)]
    guest_access: Option<Access>,
    /// Allow invitations only to these domains (comma-separated).
    #[arg(long, value_delimiter = ',', conflicts_with_all = ["block_domains", "any_domain"])]
    allow_domains: Vec<String>,
    /// Allow invitations to every domain but these (comma-separated).
    #[arg(long, value_delimiter = ',', conflicts_with = "any_domain")]
    block_domains: Vec<String>,
    /// Remove any allow or block list.
    #[arg(long)]
    any_domain: bool,
    /// Cross-tenant default: allow inbound B2B collaboration (true or false).
    #[arg(long)]
    inbound_b2b: Option<bool>,
    /// Cross-tenant default: trust MFA done in the guest's home tenant (true or false).
    #[arg(long)]
    trust_home_mfa: Option<bool>,
    /// Print the preview only; change nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
}

impl SettingsArgs {
    fn request(&self) -> SettingsRequest {
        let domains = if self.any_domain {
            Some(DomainList {
                mode: DomainMode::AnyDomain,
                domains: vec![],
            })
        } else if !self.allow_domains.is_empty() {
            Some(DomainList {
                mode: DomainMode::AllowOnly,
                domains: self.allow_domains.clone(),
            })
        } else if !self.block_domains.is_empty() {
            Some(DomainList {
                mode: DomainMode::BlockListed,
                domains: self.block_domains.clone(),
            })
        } else {
            None
        };
        SettingsRequest {
            invites_from: self.invites_from.map(|i| match i {
                InvitesFrom::None => InviteAuthority::None,
                InvitesFrom::AdminsAndGuestInviters => InviteAuthority::AdminsAndGuestInviters,
                InvitesFrom::AdminsGuestInvitersAndAllMembers => InviteAuthority::AdminsGuestInvitersAndAllMembers,
                InvitesFrom::Everyone => InviteAuthority::Everyone,
            }),
            guest_access: self.guest_access.map(|a| match a {
                Access::SameAsMembers => GuestAccess::SameAsMembers,
                Access::Limited => GuestAccess::Limited,
                Access::MostRestrictive => GuestAccess::MostRestrictive,
            }),
            domains,
            inbound_b2b_allowed: self.inbound_b2b,
            trust_home_mfa: self.trust_home_mfa,
        }
    }
}

#[derive(Subcommand)]
pub enum GoogleAction {
    /// Show the redirect URIs to add to the Google OAuth client, and whether federation is set up.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Create the Google identity provider. The secret comes from GUESTPASS_GOOGLE_CLIENT_SECRET
    /// or a prompt, never from the command line (where other users could see it).
    Setup {
        #[arg(long)]
        client_id: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

pub async fn settings(action: SettingsAction) -> ExitCode {
    match action {
        SettingsAction::Show { json } => {
            let engine = match connect(false).await {
                Ok(e) => e,
                Err(p) => return fail(&p, json),
            };
            match engine.read_settings().await {
                Ok(s) if json => {
                    println!("{}", serde_json::json!(s));
                    ExitCode::SUCCESS
                }
                Ok(s) => {
                    println!("Who can invite guests:          {}", s.invites_from.label());
                    println!("What guests can see:            {}", s.guest_access.label());
                    let domains = match s.domains.mode {
                        DomainMode::AnyDomain => "any domain".to_string(),
                        DomainMode::AllowOnly => format!("only {}", s.domains.domains.join(", ")),
                        DomainMode::BlockListed => format!("any domain except {}", s.domains.domains.join(", ")),
                    };
                    println!("Domains that can be invited:    {domains}");
                    println!(
                        "Inbound B2B collaboration:      {}",
                        if s.inbound_b2b_allowed { "allowed" } else { "blocked" }
                    );
                    println!(
                        "Trust MFA from home tenant:     {}",
                        if s.trust_home_mfa { "yes" } else { "no" }
                    );
                    ExitCode::SUCCESS
                }
                Err(p) => fail(&p, json),
            }
        }
        SettingsAction::Apply(args) => {
            let engine = match connect(args.dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, args.json),
            };
            let req = args.request();
            let plan = match engine.plan_settings(&req).await {
                Ok(p) => p,
                Err(p) => return fail(&p, args.json),
            };
            if !args.json {
                if plan.changes.is_empty() {
                    println!("Nothing to change: the settings are already as asked.");
                }
                for c in &plan.changes {
                    println!("{}: {} -> {}", c.setting, c.from, c.to);
                }
            }
            match engine.apply_settings(&req).await {
                Ok(steps) => print_steps(&steps, args.json, Some(serde_json::json!({"changes": plan.changes}))),
                Err(p) => fail(&p, args.json),
            }
        }
    }
}

/// The Google client secret: from the environment, else asked for without echo.
fn google_secret() -> Result<String, Problem> {
    if let Ok(s) = std::env::var("GUESTPASS_GOOGLE_CLIENT_SECRET") {
        if !s.trim().is_empty() {
            return Ok(s);
        }
    }
    let missing = || {
        Problem::invalid(vec![guestpass_core::FieldError {
            field: "clientSecret".into(),
            message: "No client secret: set GUESTPASS_GOOGLE_CLIENT_SECRET, or run in a terminal to be asked for it."
                .into(),
        }])
    };
    if !std::io::stdin().is_terminal() {
        return Err(missing());
    }
    rpassword::prompt_password("Google OAuth client secret: ").map_err(|_| missing())
}

pub async fn google(action: GoogleAction) -> ExitCode {
    match action {
        GoogleAction::Show { json } => {
            let engine = match connect(false).await {
                Ok(e) => e,
                Err(p) => return fail(&p, json),
            };
            match engine.google_federation().await {
                Ok(g) if json => {
                    println!("{}", serde_json::json!(g));
                    ExitCode::SUCCESS
                }
                Ok(g) => {
                    match &g.client_id {
                        Some(id) => println!("Google federation is set up (client id {id})."),
                        None => println!("Google federation is not set up."),
                    }
                    println!("Authorized redirect URIs for the Google OAuth client:");
                    for u in &g.redirect_uris {
                        println!("  {u}");
                    }
                    println!("It covers Gmail addresses only; Google Workspace domains need SAML/WS-Fed federation.");
                    ExitCode::SUCCESS
                }
                Err(p) => fail(&p, json),
            }
        }
        GoogleAction::Setup {
            client_id,
            dry_run,
            json,
        } => {
            let secret = match google_secret() {
                Ok(s) => s,
                Err(p) => return fail(&p, json),
            };
            let engine = match connect(dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, json),
            };
            match engine.set_up_google(&client_id, &secret).await {
                Ok(o) => print_steps(&[o], json, None),
                Err(p) => fail(&p, json),
            }
        }
    }
}

pub async fn check(request: ReadinessRequest, json: bool) -> ExitCode {
    let engine = match connect(false).await {
        Ok(e) => e,
        Err(p) => return fail(&p, json),
    };
    match engine.check_guest(&request).await {
        Ok(card) => {
            if json {
                println!("{}", serde_json::json!(card));
            } else {
                println!(
                    "{}{}",
                    card.email,
                    card.display_name
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                );
                for i in &card.items {
                    println!("  [{}] {}: {}", if i.ok { "ok" } else { "!!" }, i.label, i.detail);
                }
                println!("{}", if card.ready { "Ready." } else { "Not ready yet." });
                println!("Sign-in link to send: {}", card.sign_in_link);
            }
            // The card itself is the answer; exit 0 means "checked", not "ready".
            ExitCode::SUCCESS
        }
        Err(p) => fail(&p, json),
    }
}
