//! Onboarding one guest: the tenant's collaboration settings and Google federation, then the
//! guest's own steps in the one order Microsoft needs — declared here, and followed by the
//! CLI's `onboard` and by bulk runs (the wizard's screens follow it too).

pub mod collaboration;
mod collaboration_apply;
pub mod dataverse;
pub mod google;
pub mod groups;
pub mod guest;
pub mod invite;
pub mod license;
pub mod profile;
pub mod readiness;
mod resend;

use crate::action::{ActionKind, StepOutcome, StepStatus};
use crate::engine::Engine;
use crate::problem::Problem;
use guest::GuestRef;
use invite::{InviteGuest, InviteOutcome, InviteRequest, InviteStatus};
use profile::ProfileRequest;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A guest's onboarding steps, in the order Microsoft needs them: the guest exists before
/// their profile is set, a usage location comes before a licence, and Dataverse admits only
/// licensed users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnboardingStep {
    Invite,
    Profile,
    License,
    Group,
    Role,
}

impl OnboardingStep {
    pub const ORDER: [OnboardingStep; 5] = [
        OnboardingStep::Invite,
        OnboardingStep::Profile,
        OnboardingStep::License,
        OnboardingStep::Group,
        OnboardingStep::Role,
    ];

    pub fn kind(self) -> ActionKind {
        match self {
            OnboardingStep::Invite => ActionKind::InviteGuest,
            OnboardingStep::Profile => ActionKind::SetProfile,
            OnboardingStep::License => ActionKind::AssignLicense,
            OnboardingStep::Group => ActionKind::AddToGroup,
            OnboardingStep::Role => ActionKind::AssignDataverseRole,
        }
    }

    /// The step's name as outcomes and bulk runs store it (`invite`, `license`…).
    pub fn name(self) -> &'static str {
        self.kind().step()
    }

    pub fn parse(name: &str) -> Option<OnboardingStep> {
        Self::ORDER.into_iter().find(|s| s.name() == name)
    }

    /// The column of a bulk run's results file.
    pub fn column(self) -> &'static str {
        match self {
            OnboardingStep::Invite => "Invite",
            OnboardingStep::Profile => "Profile",
            OnboardingStep::License => "License",
            OnboardingStep::Group => "Groups",
            OnboardingStep::Role => "Role",
        }
    }
}

/// The order for the UI's wizard, which lays its guest screens out by it.
pub fn typescript_order() -> String {
    let names: Vec<String> = OnboardingStep::ORDER
        .iter()
        .map(|s| format!("{:?}", s.name()))
        .collect();
    format!(
        "/** A guest's onboarding steps, in the order Microsoft needs them (the wizard follows it). */\nexport const ONBOARDING_ORDER: readonly string[] = [{}];",
        names.join(", ")
    )
}

/// One guest as onboarding will take them (a list's row with defaults filled in, or the
/// CLI's `onboard` arguments).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedGuest {
    pub email: String,
    pub display_name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub usage_location: Option<String>,
    pub license: Option<String>,
    pub groups: Vec<String>,
    pub environment: Option<String>,
    pub role: Option<String>,
    pub redirect_url: Option<String>,
    pub send_email: bool,
    pub message: Option<String>,
    /// Sponsors named at the invitation (addresses; at most five).
    #[serde(default)]
    pub sponsors: Vec<String>,
}

impl PlannedGuest {
    /// The steps this guest needs, in [`OnboardingStep::ORDER`], each with its target (the
    /// licence, the group, the role). The invitation comes first always: for someone already a
    /// guest it only confirms so.
    pub fn steps(&self) -> Vec<(OnboardingStep, Option<String>)> {
        let mut out = Vec::new();
        for step in OnboardingStep::ORDER {
            match step {
                OnboardingStep::Invite => out.push((step, None)),
                OnboardingStep::Profile => {
                    if self.first_name.is_some() || self.last_name.is_some() || self.usage_location.is_some() {
                        out.push((step, None));
                    }
                }
                OnboardingStep::License => out.extend(self.license.clone().map(|l| (step, Some(l)))),
                OnboardingStep::Group => out.extend(self.groups.iter().map(|g| (step, Some(g.clone())))),
                OnboardingStep::Role => {
                    if self.environment.is_some() {
                        out.extend(self.role.clone().map(|r| (step, Some(r))));
                    }
                }
            }
        }
        out
    }
}

/// What one onboarding step did; for the invitation, its outcome in full (the guest's id,
/// the redeem link).
pub struct StepDone {
    pub outcome: StepOutcome,
    pub invite: Option<InviteOutcome>,
}

impl Engine {
    /// Runs one of a guest's onboarding steps — the same action the wizard's step runs.
    pub async fn onboarding_step(
        &self,
        guest: &PlannedGuest,
        who: &GuestRef,
        step: OnboardingStep,
        target: Option<&str>,
    ) -> Result<StepDone, Problem> {
        let outcome = match step {
            OnboardingStep::Invite => {
                let invited = match &guest.redirect_url {
                    Some(redirect) => {
                        self.invite_guest(&InviteRequest {
                            email: guest.email.clone(),
                            display_name: guest.display_name.clone(),
                            redirect_url: redirect.clone(),
                            send_email: guest.send_email,
                            message: guest.message.clone(),
                            sponsors: guest.sponsors.clone(),
                        })
                        .await?
                    }
                    // No invitation to send: only someone already a guest can go on.
                    None => {
                        let email = who.checked()?.email;
                        let action = InviteGuest {
                            email: email.clone(),
                            body: None,
                            sponsors: Vec::new(),
                        };
                        InviteOutcome::from_done(email, self.run(&action).await?, false)
                    }
                };
                let status = match invited.status {
                    InviteStatus::Invited | InviteStatus::Resent => StepStatus::Changed,
                    InviteStatus::AlreadyGuest => StepStatus::Unchanged,
                    InviteStatus::WouldInvite | InviteStatus::WouldResend => StepStatus::WouldChange,
                };
                return Ok(StepDone {
                    outcome: StepOutcome {
                        step: step.name().into(),
                        status,
                        summary: invited.summary.clone(),
                        request_id: invited.request_id.clone(),
                        change_seq: invited.change_seq,
                    },
                    invite: Some(invited),
                });
            }
            OnboardingStep::Profile => {
                self.set_profile(&ProfileRequest {
                    guest: who.clone(),
                    given_name: guest.first_name.clone(),
                    surname: guest.last_name.clone(),
                    usage_location: guest.usage_location.clone(),
                })
                .await?
            }
            OnboardingStep::License => self.assign_license(who, target.unwrap_or_default()).await?,
            OnboardingStep::Group => self.add_to_group(who, target.unwrap_or_default()).await?,
            OnboardingStep::Role => {
                let env = guest.environment.clone().unwrap_or_default();
                self.assign_dataverse_role(who, &env, target.unwrap_or_default())
                    .await?
            }
        };
        Ok(StepDone { outcome, invite: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_follow_the_one_order_whatever_the_fields() {
        let g = PlannedGuest {
            email: "a@x.example".into(),
            role: Some("Basic User".into()),
            environment: Some("Sales".into()),
            groups: vec!["A".into(), "B".into()],
            license: Some("E3".into()),
            usage_location: Some("GB".into()),
            ..Default::default()
        };
        let names: Vec<_> = g.steps().iter().map(|(s, _)| s.name()).collect();
        assert_eq!(names, ["invite", "profile", "license", "group", "group", "role"]);
        for step in OnboardingStep::ORDER {
            assert_eq!(OnboardingStep::parse(step.name()), Some(step));
        }
    }
}
