//! What an admin does about stale and stuck guests (issue 14, point 2), each an action of the
//! one runner: block or unblock sign-in (undo switches it back), remove (a soft delete; undo
//! restores within Microsoft's 30 days) and restore (undo removes again). Several guests at
//! once run one after the other, each recorded on its own; one that fails does not stop the rest.

use super::list::email_of;
use crate::action::{recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome};
use crate::engine::Engine;
use crate::problem::Problem;
use crate::InviteRequest;
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

/// What to do to the chosen guests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum GuestVerb {
    Block,
    Unblock,
    Remove,
    Restore,
    Resend,
}

/// One guest's outcome in a bulk action: what was done, or why not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GuestActionResult {
    pub email: String,
    pub outcome: Option<StepOutcome>,
    pub problem: Option<Problem>,
}

/// Whether a guest can sign in, as the change log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInState {
    account_enabled: bool,
}

/// Blocks or unblocks one guest's sign-in.
struct SetSignIn {
    id: String,
    email: String,
    from: bool,
    to: bool,
    undoes: Option<i64>,
}

impl Action for SetSignIn {
    type State = SignInState;
    type Context = ();
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::of(ActionKind::SetGuestSignIn, self.undoes)
    }

    fn target(&self) -> String {
        self.email.clone()
    }

    async fn plan(&self, _: &Engine) -> Result<Plan<SignInState, ()>, Problem> {
        let state = |on| SignInState { account_enabled: on };
        let words = |on: bool| {
            if on {
                "can sign in"
            } else {
                "is blocked from signing in"
            }
        };
        if self.from == self.to && self.undoes.is_none() {
            return Ok(Plan::AlreadySo {
                state: state(self.to),
                summary: format!("{} already {}.", self.email, words(self.to)),
            });
        }
        let verb = if self.to { "Unblock" } else { "Block" };
        let undid = self.undoes.map(|s| format!(" (undid change #{s})")).unwrap_or_default();
        Ok(Plan::Change(Change {
            before: state(self.from),
            after: state(self.to),
            would: format!("Would {} {}'s sign-in.", verb.to_lowercase(), self.email),
            done: format!("{} now {}{undid}.", self.email, words(self.to)),
            failure: format!("{verb}ing {}'s sign-in", self.email),
            blocked: None,
            undoes: self.undoes,
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<SignInState, ()>) -> Result<Applied<()>, Failure> {
        let request_id = match change.after.account_enabled {
            // Blocking also ends the sessions they have.
            false => engine.graph.block_user(&self.id).await?,
            true => {
                engine
                    .graph
                    .update_user_json(&self.id, &json!({"accountEnabled": true}))
                    .await?
            }
        };
        Ok(Applied::id(request_id))
    }
}

/// Whether a guest exists or sits in the deleted items, as the change log records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Presence {
    deleted: bool,
}

/// Removes a guest (soft delete) or restores them.
struct SetPresence {
    kind: ActionKind,
    id: String,
    email: String,
    delete: bool,
    undoes: Option<i64>,
}

impl Action for SetPresence {
    type State = Presence;
    type Context = ();
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::of(self.kind, self.undoes)
    }

    fn target(&self) -> String {
        self.email.clone()
    }

    async fn plan(&self, _: &Engine) -> Result<Plan<Presence, ()>, Problem> {
        let undid = self.undoes.map(|s| format!(" (undid change #{s})")).unwrap_or_default();
        let (would, done, failure) = match self.delete {
            true => (
                format!("Would remove {} (restorable for 30 days).", self.email),
                format!("Removed {}: restorable for 30 days{undid}.", self.email),
                format!("Removing {}", self.email),
            ),
            false => (
                format!("Would restore {} with their groups.", self.email),
                format!("Restored {} with their groups{undid}.", self.email),
                format!("Restoring {}", self.email),
            ),
        };
        Ok(Plan::Change(Change {
            before: Presence { deleted: !self.delete },
            after: Presence { deleted: self.delete },
            would,
            done,
            failure,
            blocked: None,
            undoes: self.undoes,
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, _: &Change<Presence, ()>) -> Result<Applied<()>, Failure> {
        let request_id = match self.delete {
            true => engine.graph.delete_user(&self.id).await?,
            false => engine.graph.restore_deleted_user(&self.id).await?,
        };
        Ok(Applied::id(request_id))
    }
}

impl Engine {
    /// Does `verb` to each guest in `emails`, one after the other; a dry-run engine previews.
    pub async fn act_on_guests(&self, verb: GuestVerb, emails: &[String]) -> Result<Vec<GuestActionResult>, Problem> {
        if emails.is_empty() {
            return Err(Problem::field(
                "email",
                "Name at least one guest.".into(),
                "Give their addresses, or choose the stale ones.",
            ));
        }
        let pool = match verb {
            GuestVerb::Restore => self
                .graph
                .deleted_users()
                .await
                .map_err(|e| Problem::from_graph("Reading the deleted users", &e))?,
            _ => self
                .graph
                .guests_for_list(false)
                .await
                .map_err(|e| Problem::from_graph("Reading the tenant's guests", &e))?,
        };
        let mut out = Vec::new();
        for email in emails {
            let email = email.trim().to_lowercase();
            let found = pool.iter().find(|u| email_of(u) == email);
            let result = match found {
                None => Err(Problem::field(
                    "email",
                    match verb {
                        GuestVerb::Restore => format!("{email} is not among the users deleted in the last 30 days."),
                        _ => format!("{email} is not a guest of this tenant."),
                    },
                    "Check the address.",
                )),
                Some(u) => self.act_on_guest(verb, u, &email).await,
            };
            out.push(match result {
                Ok(outcome) => GuestActionResult {
                    email,
                    outcome: Some(outcome),
                    problem: None,
                },
                Err(p) => GuestActionResult {
                    email,
                    outcome: None,
                    problem: Some(p),
                },
            });
        }
        Ok(out)
    }

    pub(super) async fn act_on_guest(&self, verb: GuestVerb, u: &Value, email: &str) -> Result<StepOutcome, Problem> {
        let id = u["id"].as_str().unwrap_or_default().to_string();
        let enabled = u["accountEnabled"].as_bool().unwrap_or(true);
        let email = email.to_string();
        match verb {
            GuestVerb::Block | GuestVerb::Unblock => {
                self.run_step(&SetSignIn {
                    id,
                    email,
                    from: enabled,
                    to: verb == GuestVerb::Unblock,
                    undoes: None,
                })
                .await
            }
            GuestVerb::Remove | GuestVerb::Restore => {
                let delete = verb == GuestVerb::Remove;
                self.run_step(&SetPresence {
                    kind: if delete {
                        ActionKind::RemoveGuest
                    } else {
                        ActionKind::RestoreGuest
                    },
                    id,
                    email,
                    delete,
                    undoes: None,
                })
                .await
            }
            GuestVerb::Resend => {
                if u["externalUserState"] != "PendingAcceptance" {
                    return Err(refuse(
                        format!("{email} has already accepted the invitation."),
                        "Nothing to resend: send them the sign-in link instead.",
                    ));
                }
                let invite = InviteRequest {
                    email: email.clone(),
                    redirect_url: "https://myapps.microsoft.com".into(),
                    ..Default::default()
                };
                let sent = self.resend_invitation(&invite).await?;
                Ok(StepOutcome {
                    step: ActionKind::ResendInvitation.step().into(),
                    status: match sent.status {
                        crate::InviteStatus::WouldResend | crate::InviteStatus::WouldInvite => {
                            crate::StepStatus::WouldChange
                        }
                        _ => crate::StepStatus::Changed,
                    },
                    summary: sent.summary,
                    request_id: sent.request_id,
                    change_seq: sent.change_seq,
                })
            }
        }
    }

    /// Undoes a block or unblock, unless the guest's sign-in was changed since.
    pub(crate) async fn undo_guest_sign_in(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        let (Some(was), Some(made)) = (
            recorded::<SignInState>(row.before.as_ref()),
            recorded::<SignInState>(row.after.as_ref()),
        ) else {
            return Err(refuse(
                format!("Change #{} does not record the sign-in state.", row.seq),
                "Change it back by hand in Entra.",
            ));
        };
        let u = self
            .graph
            .find_users_by_email(&row.target)
            .await
            .map_err(|e| Problem::from_graph("Looking the guest up", &e))?
            .into_iter()
            .find(|u| u.is_guest())
            .ok_or_else(|| {
                refuse(
                    format!("{} is no longer a guest here.", row.target),
                    "Nothing left to undo.",
                )
            })?;
        let now = u.account_enabled.unwrap_or(true);
        if now != made.account_enabled {
            return Err(refuse(
                format!("{}'s sign-in was changed again since.", row.target),
                crate::action::CHANGED_SINCE,
            ));
        }
        self.run_step(&SetSignIn {
            id: u.id,
            email: row.target.clone(),
            from: now,
            to: was.account_enabled,
            undoes: Some(row.seq),
        })
        .await
    }

    /// Undoes a removal (restores) or a restore (removes again), within Microsoft's 30 days.
    pub(crate) async fn undo_guest_presence(
        &self,
        row: ChangeRecord,
        kind: ActionKind,
    ) -> Result<StepOutcome, Problem> {
        let removed = kind == ActionKind::RemoveGuest;
        let email = row.target.to_lowercase();
        let pool = match removed {
            true => self.graph.deleted_users().await,
            false => self.graph.guests_for_list(false).await,
        }
        .map_err(|e| Problem::from_graph("Reading the guest", &e))?;
        let Some(u) = pool.iter().find(|u| email_of(u) == email) else {
            return Err(refuse(
                match removed {
                    true => format!("{email} is no longer in the deleted items (Microsoft keeps them 30 days)."),
                    false => format!("{email} is no longer a guest here."),
                },
                "Nothing left to undo.",
            ));
        };
        self.run_step(&SetPresence {
            kind,
            id: u["id"].as_str().unwrap_or_default().into(),
            email,
            delete: !removed,
            undoes: Some(row.seq),
        })
        .await
    }
}
