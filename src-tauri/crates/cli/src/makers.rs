//! `guestpass-cli makers`: whether guests may make Power Apps (and what else Microsoft requires),
//! switching that tenant setting, and giving a guest the Environment Maker role.

use crate::{connect, fail, print_steps, print_view};
use clap::Subcommand;
use guestpass_core::protect::MakersView;
use guestpass_core::GuestRef;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum MakersAction {
    /// Whether guests may make Power Apps, and what else that takes (reads only).
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Let guests make Power Apps (the Power Platform tenant setting enableGuestsToMake).
    Enable {
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Stop guests making Power Apps.
    Disable {
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Give a guest the Environment Maker role in an environment (its Dataverse URL).
    Grant {
        #[arg(long)]
        email: String,
        #[arg(long, value_name = "URL")]
        environment: String,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

pub async fn makers(action: MakersAction) -> ExitCode {
    match action {
        MakersAction::Show { json } => show(json).await,
        MakersAction::Enable { dry_run, json } => switch(true, dry_run, json).await,
        MakersAction::Disable { dry_run, json } => switch(false, dry_run, json).await,
        MakersAction::Grant {
            email,
            environment,
            dry_run,
            json,
        } => {
            let engine = match connect(dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, json),
            };
            match engine
                .grant_environment_maker(&GuestRef::email(&email), &environment)
                .await
            {
                Ok(o) => print_steps(&[o], json, None),
                Err(p) => fail(&p, json),
            }
        }
    }
}

async fn show(json: bool) -> ExitCode {
    let engine = match connect(false).await {
        Ok(e) => e,
        Err(p) => return fail(&p, json),
    };
    print_view(engine.makers().await, json, text)
}

async fn switch(enable: bool, dry_run: bool, json: bool) -> ExitCode {
    let engine = match connect(dry_run).await {
        Ok(e) => e,
        Err(p) => return fail(&p, json),
    };
    match engine.set_guest_makers(enable).await {
        Ok(o) => print_steps(&[o], json, None),
        Err(p) => fail(&p, json),
    }
}

fn text(v: &MakersView) -> String {
    let mut out = format!(
        "Guests may make Power Apps: {}\n",
        if v.guests_can_make { "yes" } else { "no" }
    );
    for note in &v.notes {
        out.push_str(&format!("Note: {note}\n"));
    }
    out
}
