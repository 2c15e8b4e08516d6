//! The first action: invite a guest. Plan (look the person up) -> apply (POST /invitations)
//! -> verify (read the new user back, riding out replication delay) -> log.

use crate::connect::Engine;
use crate::problem::{FieldError, Problem};
use crate::validate;
use guestpass_graph::models::{InvitationRequest, MessageInfo, User};
use guestpass_store::{ChangeResult, NewChange};
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

pub const ACTION: &str = "invite_guest";

/// What the admin asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteRequest {
    pub email: String,
    pub display_name: Option<String>,
    /// Where the guest lands after accepting (e.g. the Dynamics environment URL or My Apps).
    pub redirect_url: String,
    /// Have Microsoft e-mail the invitation (otherwise share the redeem link yourself).
    #[serde(default)]
    pub send_email: bool,
    /// A personal note in the invitation e-mail.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum InviteStatus {
    /// A new guest was invited.
    Invited,
    /// The person is already a guest: nothing was sent, nothing changed.
    AlreadyGuest,
    /// A dry run: they would be invited.
    WouldInvite,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct InviteOutcome {
    pub status: InviteStatus,
    pub email: String,
    pub user_id: String,
    pub display_name: Option<String>,
    /// Microsoft's invitation status (`PendingAcceptance`, `Completed`…) or the guest's state.
    pub state: Option<String>,
    /// The link the guest opens to accept (only when a new invitation was made).
    pub redeem_url: Option<String>,
    /// Whether the new guest could be read back from the directory yet.
    pub verified: bool,
    /// The outcome in plain words.
    pub summary: String,
    pub request_id: Option<String>,
    /// The change-log row written for this.
    #[ts(type = "number")]
    pub change_seq: i64,
}

/// Validates the request, naming every field that is wrong.
fn checked(req: &InviteRequest) -> Result<InvitationRequest, Problem> {
    let mut fields: Vec<FieldError> = Vec::new();
    let email = validate::email("email", &req.email).map_err(|e| fields.push(e)).ok();
    let redirect = validate::redirect_url("redirectUrl", &req.redirect_url)
        .map_err(|e| fields.push(e))
        .ok();
    let name = validate::display_name("displayName", req.display_name.as_deref())
        .map_err(|e| fields.push(e))
        .ok();
    let message = req
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string);
    match (email, redirect, name) {
        (Some(email), Some(redirect), Some(name)) if fields.is_empty() => Ok(InvitationRequest {
            invited_user_email_address: email,
            invite_redirect_url: redirect,
            invited_user_display_name: name,
            send_invitation_message: req.send_email,
            invited_user_message_info: message.map(|m| MessageInfo {
                customized_message_body: Some(m),
                message_language: None,
            }),
            invited_user_type: Some("Guest".into()),
        }),
        _ => Err(Problem::invalid(fields)),
    }
}

impl Engine {
    pub async fn invite_guest(&self, req: &InviteRequest) -> Result<InviteOutcome, Problem> {
        let body = checked(req)?;
        let email = body.invited_user_email_address.clone();

        // Plan: is this person already in the tenant?
        let existing = match self.graph.find_users_by_email(&email).await {
            Ok(users) => users,
            Err(e) => {
                return Err(self.log_failed(
                    ACTION,
                    &email,
                    &format!("Looking up {email}"),
                    &e,
                    serde_json::Value::Null,
                ))
            }
        };
        if let Some(member) = existing.iter().find(|u| !u.is_guest()) {
            let p = Problem {
                kind: crate::problem::ProblemKind::Invalid,
                message: format!(
                    "{email} already belongs to your organisation as {} (a member, not a guest).",
                    member.user_principal_name.as_deref().unwrap_or(&member.id)
                ),
                hint:
                    "Members already have access; no invitation is needed. Check the address if you meant someone else."
                        .into(),
                fields: vec![FieldError {
                    field: "email".into(),
                    message: "This address belongs to a member of your organisation.".into(),
                }],
                code: None,
                request_id: None,
            };
            return Err(p);
        }
        if let Some(guest) = existing.first() {
            return self.record_existing_guest(&email, guest);
        }

        if self.dry_run {
            return Ok(InviteOutcome {
                status: InviteStatus::WouldInvite,
                summary: format!("Would invite {email} (not in the tenant yet)."),
                email,
                user_id: String::new(),
                display_name: body.invited_user_display_name,
                state: None,
                redeem_url: None,
                verified: false,
                request_id: None,
                change_seq: 0,
            });
        }

        // Apply, with the intent written down first so a crash mid-call is never unrecorded.
        let attempted = json!({"redirectUrl": body.invite_redirect_url, "displayName": body.invited_user_display_name, "sendInvitationMessage": body.send_invitation_message});
        self.intend(ACTION, &email, &attempted)?;
        let answer = match self.graph.invite(&body).await {
            Ok(a) => a,
            Err(e) => return Err(self.log_failed(ACTION, &email, &format!("Inviting {email}"), &e, attempted)),
        };
        let invitation = answer.body;

        // Verify: trust the write, but read the user back once Entra has replicated it.
        let verified = self.wait_until_readable(&invitation.invited_user.id).await;
        // The name goes into the summary too, so History's search finds people by name.
        let who = match &body.invited_user_display_name {
            Some(name) => format!("{email} ({name})"),
            None => email.clone(),
        };
        let summary = match (&verified, body.send_invitation_message) {
            (Some(_), true) => format!("Invited {who}. Microsoft is e-mailing the invitation."),
            (Some(_), false) => format!("Invited {who}. No e-mail was sent: share the invitation link with them."),
            (None, _) => format!("Invited {who}. Microsoft accepted the invitation but the new guest is not readable yet (directory replication); it usually appears within a minute."),
        };
        let after = json!({
            "userId": invitation.invited_user.id,
            "invitationId": invitation.id,
            "status": invitation.status,
            "displayName": body.invited_user_display_name,
            "redirectUrl": body.invite_redirect_url,
            "sendInvitationMessage": body.send_invitation_message,
            "inviteRedeemUrl": invitation.invite_redeem_url,
            "userPrincipalName": verified.as_ref().and_then(|u| u.user_principal_name.clone()),
        });
        let record = self
            .store
            .append_change(&NewChange {
                after: Some(after),
                detail: Some(summary.clone()),
                request_id: answer.request_id.clone(),
                ..self.step_change(ACTION, &email, ChangeResult::Succeeded)
            })
            .map_err(|e| {
                Problem::local(format!(
                    "{email} was invited, but the change could not be recorded: {e}"
                ))
            })?;
        Ok(InviteOutcome {
            status: InviteStatus::Invited,
            email,
            user_id: invitation.invited_user.id,
            display_name: body.invited_user_display_name,
            state: Some(invitation.status),
            redeem_url: invitation.invite_redeem_url,
            verified: verified.is_some(),
            summary,
            request_id: answer.request_id,
            change_seq: record.seq,
        })
    }

    pub(crate) fn record_existing_guest(&self, email: &str, guest: &User) -> Result<InviteOutcome, Problem> {
        let change_seq = |summary: &str, snapshot: serde_json::Value| -> Result<i64, Problem> {
            if self.dry_run {
                return Ok(0);
            }
            let record = self
                .store
                .append_change(&NewChange {
                    before: Some(snapshot.clone()),
                    after: Some(snapshot),
                    detail: Some(summary.to_string()),
                    ..self.step_change(ACTION, email, ChangeResult::Unchanged)
                })
                .map_err(Problem::local)?;
            Ok(record.seq)
        };
        let state = guest.external_user_state.clone();
        let summary = format!(
            "{email} is already a guest ({}). Nothing was sent and nothing changed.",
            match state.as_deref() {
                Some("Accepted") => "invitation accepted",
                Some("PendingAcceptance") => "invitation not yet accepted",
                _ => "state unknown",
            }
        );
        let snapshot = json!({"userId": guest.id, "externalUserState": state, "displayName": guest.display_name});
        let change_seq = change_seq(&summary, snapshot)?;
        Ok(InviteOutcome {
            status: InviteStatus::AlreadyGuest,
            email: email.to_string(),
            user_id: guest.id.clone(),
            display_name: guest.display_name.clone(),
            state,
            redeem_url: None,
            verified: true,
            summary,
            request_id: None,
            change_seq,
        })
    }

    /// Reads the new user until it appears, backing off; `None` if it never did in time.
    async fn wait_until_readable(&self, user_id: &str) -> Option<User> {
        let mut delay = self.verify.first_delay;
        for attempt in 0..self.verify.attempts {
            match self.graph.get_user(user_id).await {
                Ok(a) => return Some(a.body),
                Err(e) if e.is_not_found() => {
                    tracing::debug!(attempt, "new guest not readable yet; waiting {delay:?}");
                }
                Err(e) => {
                    tracing::warn!("could not verify the new guest: {e}");
                    return None;
                }
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.verify.max_delay);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_named_at_once() {
        let p = checked(&InviteRequest {
            email: "bad#mail@x.com".into(),
            redirect_url: "http://x.com".into(),
            display_name: Some("x".repeat(300)),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<_> = p.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["email", "redirectUrl", "displayName"]);
        assert_eq!(p.kind, crate::problem::ProblemKind::Invalid);
    }

    #[test]
    fn good_request_becomes_graph_body() {
        let b = checked(&InviteRequest {
            email: " jane@partner.example ".into(),
            redirect_url: "https://myapps.microsoft.com".into(),
            display_name: Some("Jane".into()),
            send_email: true,
            message: Some("  Welcome  ".into()),
        })
        .unwrap();
        assert_eq!(b.invited_user_email_address, "jane@partner.example");
        assert!(b.send_invitation_message);
        assert_eq!(
            b.invited_user_message_info.unwrap().customized_message_body.as_deref(),
            Some("Welcome")
        );
    }
}
