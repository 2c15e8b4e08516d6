//! `guestpass-cli extranet`: a partner's people ask for access themselves in My Access, an
//! approver decides, access ends on its own (entitlement management; Entra ID P2 or ID
//! Governance). Create one, list them, set what happens to external users at the end, remove
//! an assignment or a whole extranet.

use crate::{connect, fail, print_steps, print_view};
use clap::{Subcommand, ValueEnum};
use guestpass_core::extranet::{ExternalLifecycle, ExtranetOverview, ExtranetRequest};
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum)]
pub enum LifecycleChoice {
    /// Keep them as guests.
    None,
    /// Block their sign-in.
    Block,
    /// Block their sign-in, then delete them after --delete-after-days.
    BlockAndDelete,
}

#[derive(Subcommand)]
pub enum ExtranetAction {
    /// Connect the partner's domain, put the groups in a catalog open to external users, and
    /// make an access package its people ask for with the printed My Access link.
    Create {
        #[arg(long, value_name = "D")]
        partner_domain: String,
        /// The access package's name, as the partner's people see it.
        #[arg(long, value_name = "N")]
        name: String,
        /// A group by name or id (repeat for several); the package gives its Member role.
        #[arg(long = "group", value_name = "G")]
        groups: Vec<String>,
        /// Who approves requests (someone of your organisation); default: the partner's sponsors.
        #[arg(long, value_name = "EMAIL")]
        approver: Option<String>,
        /// Who decides when the approvers cannot (needed with sponsors approving).
        #[arg(long, value_name = "EMAIL")]
        fallback_approver: Option<String>,
        /// A sponsor of the partner: one of your people (internal) or the partner's guest here
        /// (external). Repeat for several.
        #[arg(long = "sponsor", value_name = "EMAIL")]
        sponsors: Vec<String>,
        /// Access ends this many days after approval.
        #[arg(long, default_value_t = 180, value_name = "N")]
        expire_days: u32,
        /// A request nobody answers is denied after this many days (at most 14).
        #[arg(long, default_value_t = 14, value_name = "N")]
        auto_deny_days: u32,
        /// Review who has the package every N months.
        #[arg(long, value_name = "N")]
        review_every_months: Option<u32>,
        /// Hide the package in My Access: only the link reaches it.
        #[arg(long)]
        hidden: bool,
        /// An existing catalog enabled for external users (default: Guestpass's own).
        #[arg(long, value_name = "NAME")]
        catalog: Option<String>,
        /// Print what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Connected partners, their packages and links, pending requests and assignments.
    List {
        #[arg(long)]
        json: bool,
    },
    /// What entitlement management does with external users whose last package ends. Covers
    /// only people who came in through a package, not guests invited directly.
    Lifecycle {
        #[arg(long, value_enum)]
        action: LifecycleChoice,
        #[arg(long, default_value_t = 30, value_name = "N")]
        delete_after_days: u32,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// End one person's assignment of a package (see `extranet list --json` for the ids).
    RemoveAssignment {
        #[arg(long, value_name = "ID")]
        package: String,
        #[arg(long, value_name = "ID")]
        assignment: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Remove an extranet Guestpass made, newest piece first, keeping what others still use.
    Remove {
        #[arg(long, value_name = "ID")]
        package: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

pub async fn extranet(action: ExtranetAction) -> ExitCode {
    match action {
        ExtranetAction::Create {
            partner_domain,
            name,
            groups,
            approver,
            fallback_approver,
            sponsors,
            expire_days,
            auto_deny_days,
            review_every_months,
            hidden,
            catalog,
            dry_run,
            json,
        } => {
            let engine = match connect(dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, json),
            };
            let req = ExtranetRequest {
                partner_domain,
                name,
                groups,
                approver,
                fallback_approver,
                sponsors,
                expire_days,
                auto_deny_days,
                review_every_months,
                hidden,
                catalog,
            };
            match engine.create_extranet(&req).await {
                Ok(made) => {
                    let extra = serde_json::json!({
                        "myAccessLink": made.my_access_link,
                        "packageId": made.package_id,
                        "messageForPartner": made.message_for_partner,
                        "billing": made.billing,
                    });
                    let code = print_steps(&made.steps, json, Some(extra));
                    if !json {
                        match &made.my_access_link {
                            Some(link) => println!("\nMy Access link: {link}\n\n{}", made.message_for_partner),
                            None => println!("\nThe My Access link is made with the access package."),
                        }
                        for note in &made.billing {
                            println!("Billing: {note}");
                        }
                    }
                    code
                }
                Err(p) => fail(&p, json),
            }
        }
        ExtranetAction::List { json } => {
            let found = match connect(false).await {
                Ok(e) => e.extranet_overview().await,
                Err(p) => Err(p),
            };
            print_view(found, json, list_text)
        }
        ExtranetAction::Lifecycle {
            action,
            delete_after_days,
            dry_run,
            json,
        } => {
            let to = ExternalLifecycle {
                action: match action {
                    LifecycleChoice::None => "none",
                    LifecycleChoice::Block => "blockSignIn",
                    LifecycleChoice::BlockAndDelete => "blockSignInAndDelete",
                }
                .into(),
                delete_after_days,
            };
            let done = match connect(dry_run).await {
                Ok(e) => e.set_external_lifecycle(&to).await,
                Err(p) => Err(p),
            };
            match done {
                Ok(step) => {
                    let code = print_steps(&[step], json, None);
                    if !json {
                        println!("Note: {}", guestpass_core::extranet::LIFECYCLE_CAVEAT);
                    }
                    code
                }
                Err(p) => fail(&p, json),
            }
        }
        ExtranetAction::RemoveAssignment {
            package,
            assignment,
            dry_run,
            json,
        } => match connect(dry_run).await {
            Ok(e) => match e.remove_extranet_assignment(&package, &assignment).await {
                Ok(step) => print_steps(&[step], json, None),
                Err(p) => fail(&p, json),
            },
            Err(p) => fail(&p, json),
        },
        ExtranetAction::Remove { package, dry_run, json } => match connect(dry_run).await {
            Ok(e) => match e.remove_extranet(&package).await {
                Ok(steps) => print_steps(&steps, json, None),
                Err(p) => fail(&p, json),
            },
            Err(p) => fail(&p, json),
        },
    }
}

fn list_text(view: &ExtranetOverview) -> String {
    if !view.licensed {
        return format!("{}\n", view.licence_note);
    }
    let mut out = String::new();
    if let Some(l) = &view.lifecycle {
        out += &format!(
            "At the end, entitlement management will {}.\n  ({})\n\n",
            l.in_words(),
            view.lifecycle_caveat
        );
    }
    if view.partners.is_empty() {
        out += "No connected partners yet. Create one with `extranet create --partner-domain D --name N --group G --approver EMAIL`.\n";
    }
    for p in &view.partners {
        out += &format!("{} ({}) — {}\n", p.name, p.domains.join(", "), p.state);
        if !p.internal_sponsors.is_empty() || !p.external_sponsors.is_empty() {
            out += &format!(
                "  sponsors: {}\n",
                p.internal_sponsors
                    .iter()
                    .map(|s| format!("{s} (internal)"))
                    .chain(p.external_sponsors.iter().map(|s| format!("{s} (external)")))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        for k in &p.packages {
            out += &format!(
                "  {}{} — {}\n    {}\n",
                k.name,
                if k.hidden { " (hidden)" } else { "" },
                k.policy,
                k.my_access_link
            );
            for r in &k.pending {
                out += &format!("    waiting: {} since {}\n", r.who, r.since.as_deref().unwrap_or("?"));
            }
            for a in &k.assignments {
                out += &format!(
                    "    has it: {} since {}, until {}\n",
                    a.who,
                    a.since.as_deref().unwrap_or("?"),
                    a.expires.as_deref().unwrap_or("no end")
                );
            }
        }
    }
    out
}
