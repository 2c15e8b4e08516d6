//! `onboard` and `resend`: a guest's onboarding steps, in the order the engine declares,
//! printed one by one (or as JSON), stopping at the first failure.

use crate::fail;
use guestpass_core::{
    Engine, GuestRef, InviteOutcome, InviteRequest, InviteStatus, OnboardingStep, PlannedGuest, Problem, StepOutcome,
};
use std::process::ExitCode;

/// What `onboard` is asked to do.
#[derive(clap::Args)]
pub struct OnboardArgs {
    #[arg(long)]
    email: String,
    /// Invite them, landing here after accepting (e.g. https://myapps.microsoft.com).
    /// An existing guest is not invited again.
    #[arg(long)]
    redirect_url: Option<String>,
    #[arg(long)]
    display_name: Option<String>,
    /// Have Microsoft e-mail the invitation.
    #[arg(long)]
    send_email: bool,
    /// A personal note for the invitation e-mail.
    #[arg(long)]
    message: Option<String>,
    /// Someone of your organisation who answers for the guest (their address); repeat for
    /// several, at most five. Without one, an app-only sign-in leaves the guest unsponsored.
    #[arg(long = "sponsor", value_name = "EMAIL")]
    sponsors: Vec<String>,
    #[arg(long)]
    first_name: Option<String>,
    #[arg(long)]
    last_name: Option<String>,
    /// Two-letter country code (ISO 3166-1), needed before a licence.
    #[arg(long, value_name = "CC")]
    usage_location: Option<String>,
    /// A licence by part number (e.g. O365_BUSINESS_ESSENTIALS) or SKU id.
    #[arg(long, value_name = "SKU_PART_NUMBER_OR_ID")]
    license: Option<String>,
    /// A group by exact name or id; repeat for several.
    #[arg(long = "group", value_name = "NAME_OR_ID")]
    groups: Vec<String>,
    /// A Power Platform environment (its Dataverse URL, name or id), with --role.
    #[arg(long, value_name = "DATAVERSE_URL", requires = "role")]
    environment: Option<String>,
    /// A Dataverse security role by name (e.g. "Basic User"), given in --environment.
    #[arg(long, value_name = "ROLE_NAME", requires = "environment")]
    role: Option<String>,
    /// Print the plan only; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

impl OnboardArgs {
    fn planned(&self) -> PlannedGuest {
        PlannedGuest {
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            usage_location: self.usage_location.clone(),
            license: self.license.clone(),
            groups: self.groups.clone(),
            environment: self.environment.clone(),
            role: self.role.clone(),
            redirect_url: self.redirect_url.clone(),
            send_email: self.send_email,
            message: self.message.clone(),
            sponsors: self.sponsors.clone(),
        }
    }
}

/// Collects step outcomes for the terminal or for `--json`.
struct Report {
    json: bool,
    top: serde_json::Map<String, serde_json::Value>,
    steps: Vec<serde_json::Value>,
}

impl Report {
    fn step(&mut self, o: StepOutcome) {
        if !self.json {
            println!("{}: {}", o.step, o.summary);
            if let Some(id) = &o.request_id {
                println!("  request-id: {id}");
            }
        }
        self.steps.push(serde_json::json!(o));
    }

    /// An invitation's outcome: its fields also stay at the top level of `--json` (as in the
    /// first version), and the terminal gets the link and the guest's id.
    fn invitation(&mut self, step: &str, o: &InviteOutcome) {
        if !self.json {
            println!("{step}: {}", o.summary);
            if let Some(url) = &o.redeem_url {
                println!("  invitation link: {url}");
            }
            println!("  user id: {}", o.user_id);
            if let Some(id) = &o.request_id {
                println!("  request-id: {id}");
            }
        }
        if let serde_json::Value::Object(m) = serde_json::json!(o) {
            self.top.extend(m.clone());
            let mut step_doc = m;
            step_doc.insert("step".into(), step.into());
            self.steps.push(serde_json::Value::Object(step_doc));
        }
    }

    /// Prints the JSON document (if asked) and turns the outcome into the exit code.
    fn finish(mut self, email: &str, error: Option<Problem>) -> ExitCode {
        if self.json {
            self.top.entry("email").or_insert_with(|| serde_json::json!(email));
            self.top.insert("steps".into(), serde_json::Value::Array(self.steps));
            if let Some(p) = &error {
                self.top.insert("error".into(), serde_json::json!(p));
            }
            println!("{}", serde_json::Value::Object(self.top));
        }
        match error {
            None => ExitCode::SUCCESS,
            Some(p) => fail(&p, false),
        }
    }
}

/// Runs the steps asked for, in the engine's onboarding order, printing each outcome, and
/// stops at the first failure.
pub async fn onboard(engine: &Engine, args: OnboardArgs) -> ExitCode {
    let mut report = Report {
        json: args.json,
        top: serde_json::Map::new(),
        steps: Vec::new(),
    };
    let guest = args.planned();
    // Without --redirect-url, onboard works on someone already a guest: no invitation step.
    let steps: Vec<_> = guest
        .steps()
        .into_iter()
        .filter(|(step, _)| *step != OnboardingStep::Invite || guest.redirect_url.is_some())
        .collect();
    if steps.is_empty() {
        let p = Problem::invalid(vec![guestpass_core::FieldError {
            field: "redirectUrl".into(),
            message: "Nothing to do: give --redirect-url to invite, and/or --first-name, --last-name, --usage-location, --license, --group, --environment with --role.".into(),
        }]);
        return report.finish(&args.email, Some(p));
    }
    let mut who = GuestRef::email(&args.email);
    // A dry run cannot read a guest who does not exist yet: the later steps follow the invitation.
    let mut not_invited_yet = false;
    for (step, target) in steps {
        if not_invited_yet {
            report.step(StepOutcome::would(
                step.name(),
                format!("Would run after the invitation ({}).", step.name()),
            ));
            continue;
        }
        match engine.onboarding_step(&guest, &who, step, target.as_deref()).await {
            Ok(done) => match done.invite {
                Some(invited) => {
                    report.invitation(step.name(), &invited);
                    not_invited_yet = invited.status == InviteStatus::WouldInvite;
                    who = GuestRef {
                        email: invited.email,
                        user_id: Some(invited.user_id),
                    };
                }
                None => report.step(done.outcome),
            },
            Err(p) => return report.finish(&args.email, Some(p)),
        }
    }
    report.finish(&args.email, None)
}

/// What `resend` is asked to do.
#[derive(clap::Args)]
pub struct ResendArgs {
    #[arg(long)]
    email: String,
    /// Where they land after accepting (Microsoft asks for it with every invitation).
    #[arg(long, default_value = "https://myapps.microsoft.com")]
    redirect_url: String,
    /// Do not have Microsoft e-mail it: share the new link yourself.
    #[arg(long)]
    no_email: bool,
    /// A personal note for the invitation e-mail.
    #[arg(long)]
    message: Option<String>,
    /// Print what would be sent; send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn resend(engine: &Engine, args: ResendArgs) -> ExitCode {
    let request = InviteRequest {
        email: args.email.clone(),
        display_name: None,
        redirect_url: args.redirect_url,
        send_email: !args.no_email,
        message: args.message,
        sponsors: Vec::new(),
    };
    let mut report = Report {
        json: args.json,
        top: serde_json::Map::new(),
        steps: Vec::new(),
    };
    match engine.resend_invitation(&request).await {
        Ok(o) => {
            report.invitation("resend", &o);
            report.finish(&args.email, None)
        }
        Err(p) => report.finish(&args.email, Some(p)),
    }
}
