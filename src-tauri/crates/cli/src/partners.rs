//! `guestpass-cli partners`: the cross-tenant default and every partner's own settings; `set`
//! and `remove` change one partner's, recorded and undoable like every change.

use crate::{connect, fail, print_steps, print_view};
use clap::{Args, Subcommand};
use guestpass_core::partners::{PartnerSettings, PartnersOverview};
use std::process::ExitCode;

#[derive(Args)]
pub struct PartnersArgs {
    #[command(subcommand)]
    action: Option<PartnersAction>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum PartnersAction {
    /// Give the partner behind --domain its own settings (those not given stay as they are;
    /// a partner without settings yet gets them added).
    Set {
        /// The partner's e-mail domain, e.g. contoso.com (its tenant is looked up).
        #[arg(long)]
        domain: String,
        /// Accept their MFA as this tenant's.
        #[arg(long, value_name = "true|false")]
        trust_mfa: Option<bool>,
        /// Accept their compliant devices (and hybrid-joined ones) as this tenant's.
        #[arg(long, value_name = "true|false")]
        trust_compliant_devices: Option<bool>,
        /// Let their people be invited as B2B collaboration guests.
        #[arg(long, value_name = "true|false")]
        collaboration: Option<bool>,
        /// B2B direct connect (Teams shared channels) both ways; they must allow it too.
        #[arg(long, value_name = "true|false")]
        direct_connect: Option<bool>,
        /// Their people redeem invitations without the consent prompt; they must allow it outbound.
        #[arg(long, value_name = "true|false")]
        auto_redeem: Option<bool>,
        /// Print what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Remove the partner's own settings: its people get the default's again.
    Remove {
        #[arg(long)]
        domain: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

pub async fn partners(args: PartnersArgs) -> ExitCode {
    match args.action {
        None => list(args.json).await,
        Some(PartnersAction::Set {
            domain,
            trust_mfa,
            trust_compliant_devices,
            collaboration,
            direct_connect,
            auto_redeem,
            dry_run,
            json,
        }) => {
            let engine = match connect(dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, json),
            };
            let current = match engine.partner(&domain).await {
                Ok(found) => found.settings.unwrap_or_default(),
                Err(p) => return fail(&p, json),
            };
            let keep = |asked: Option<bool>, was: Option<bool>| asked.or(was);
            let wanted = PartnerSettings {
                trust_mfa: keep(trust_mfa, current.trust_mfa),
                trust_compliant_devices: keep(trust_compliant_devices, current.trust_compliant_devices),
                trust_hybrid_joined_devices: keep(trust_compliant_devices, current.trust_hybrid_joined_devices),
                collaboration_inbound: keep(collaboration, current.collaboration_inbound),
                // Groups chosen in the app or the portal stay unless collaboration is switched.
                collaboration_groups: match collaboration {
                    Some(_) => vec![],
                    None => current.collaboration_groups.clone(),
                },
                direct_connect_inbound: keep(direct_connect, current.direct_connect_inbound),
                direct_connect_outbound: keep(direct_connect, current.direct_connect_outbound),
                auto_redeem: keep(auto_redeem, current.auto_redeem),
            };
            match engine.set_partner(&domain, &wanted).await {
                Ok(o) => print_steps(&[o], json, None),
                Err(p) => fail(&p, json),
            }
        }
        Some(PartnersAction::Remove { domain, dry_run, json }) => {
            let engine = match connect(dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, json),
            };
            match engine.remove_partner(&domain).await {
                Ok(o) => print_steps(&[o], json, None),
                Err(p) => fail(&p, json),
            }
        }
    }
}

async fn list(json: bool) -> ExitCode {
    let engine = match connect(false).await {
        Ok(e) => e,
        Err(p) => return fail(&p, json),
    };
    print_view(engine.partners_overview().await, json, overview_text)
}

fn word(own: Option<bool>, effective: Option<bool>) -> String {
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    };
    match own {
        Some(_) => yes_no(own).to_string(),
        None => format!("{} (default)", yes_no(effective)),
    }
}

fn overview_text(o: &PartnersOverview) -> String {
    let d = &o.default;
    let mut out = format!(
        "Default for everyone: trust MFA {}, compliant devices {}, B2B collaboration in {}, direct connect in {} / out {}, redeem without prompt {}\n",
        word(d.trust_mfa, d.trust_mfa),
        word(d.trust_compliant_devices, d.trust_compliant_devices),
        word(d.collaboration_inbound, d.collaboration_inbound),
        word(d.direct_connect_inbound, d.direct_connect_inbound),
        word(d.direct_connect_outbound, d.direct_connect_outbound),
        word(d.auto_redeem, d.auto_redeem),
    );
    if o.partners.is_empty() {
        out.push_str("No partner has settings of its own: everyone gets the default.\n");
    }
    for p in &o.partners {
        let (s, e) = (&p.settings, &p.effective);
        out.push_str(&format!(
            "\n{} ({}, tenant {})\n  trust MFA {}, compliant devices {}, hybrid-joined devices {}\n  B2B collaboration in {}, direct connect in {} / out {}, redeem without prompt {}\n  guests here: {}\n",
            p.tenant.name,
            if p.tenant.default_domain.is_empty() { "domain unknown" } else { &p.tenant.default_domain },
            p.tenant.tenant_id,
            word(s.trust_mfa, e.trust_mfa),
            word(s.trust_compliant_devices, e.trust_compliant_devices),
            word(s.trust_hybrid_joined_devices, e.trust_hybrid_joined_devices),
            word(s.collaboration_inbound, e.collaboration_inbound),
            word(s.direct_connect_inbound, e.direct_connect_inbound),
            word(s.direct_connect_outbound, e.direct_connect_outbound),
            word(s.auto_redeem, e.auto_redeem),
            if p.guests.is_empty() { "none".to_string() } else { p.guests.join(", ") },
        ));
    }
    out
}
