//! Resending the invitation to a guest who has not accepted it. Microsoft keeps no way to
//! fetch an invitation again: inviting the same address again sends a new one and answers
//! with a fresh redeem link, for the same guest.

use super::invite::{checked, find_guest, InvitationState, InviteOutcome, InviteRequest};
use crate::action::{refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, Verified};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::models::{Invitation, InvitationRequest};

struct ResendInvitation {
    body: InvitationRequest,
}

impl Action for ResendInvitation {
    type State = InvitationState;
    type Context = ();
    type Answer = Invitation;

    fn logged(&self) -> Logged {
        Logged::Did(ActionKind::ResendInvitation)
    }

    fn target(&self) -> String {
        self.body.invited_user_email_address.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<InvitationState, ()>, Problem> {
        let email = &self.body.invited_user_email_address;
        let Some(guest) = find_guest(engine, email).await? else {
            return Err(Problem::field(
                "email",
                format!("{email} is not a guest of this tenant."),
                "Invite them instead (Invite step, or `guestpass-cli onboard`).",
            ));
        };
        if guest.external_user_state.as_deref() == Some("Accepted") {
            return Err(refuse(
                format!("{email} has already accepted the invitation."),
                "Nothing to resend: they can sign in with the link from the Check step.",
            ));
        }
        let before = InvitationState::of_guest(&guest);
        let after = InvitationState {
            redirect_url: Some(self.body.invite_redirect_url.clone()),
            send_invitation_message: Some(self.body.send_invitation_message),
            ..before.clone()
        };
        let by = if self.body.send_invitation_message {
            "Microsoft would e-mail it"
        } else {
            "no e-mail; you would share the new link"
        };
        Ok(Plan::Change(Change {
            before,
            after,
            would: format!("Would send {email} a new invitation ({by})."),
            done: if self.body.send_invitation_message {
                format!("Sent {email} a new invitation. Microsoft is e-mailing it.")
            } else {
                format!(
                    "Made a new invitation for {email}. No e-mail was sent: share the new invitation link with them."
                )
            },
            failure: format!("Resending the invitation to {email}"),
            blocked: None,
            undoes: None,
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, _: &Change<InvitationState, ()>) -> Result<Applied<Invitation>, Failure> {
        let answer = engine.graph.invite(&self.body).await?;
        Ok(Applied {
            answer: answer.body,
            request_id: answer.request_id,
        })
    }

    async fn verify(
        &self,
        _: &Engine,
        change: Change<InvitationState, ()>,
        invitation: &Invitation,
    ) -> Verified<InvitationState> {
        Verified {
            summary: change.done,
            after: InvitationState {
                invitation_id: Some(invitation.id.clone()),
                status: Some(invitation.status.clone()),
                invite_redeem_url: invitation.invite_redeem_url.clone(),
                ..change.after
            },
        }
    }
}

impl Engine {
    /// Sends a guest who has not accepted yet a new invitation (and a new redeem link).
    /// Not undoable: an e-mail cannot be unsent.
    pub async fn resend_invitation(&self, req: &InviteRequest) -> Result<InviteOutcome, Problem> {
        let action = ResendInvitation { body: checked(req)? };
        let email = action.target();
        let done = self.run(&action).await?;
        Ok(InviteOutcome::from_done(email, done, true))
    }
}
