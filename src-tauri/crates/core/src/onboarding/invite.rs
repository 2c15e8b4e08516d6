//! The Invite step: look the person up (an existing guest is never invited twice), send the
//! invitation, read the new guest back once Entra has replicated them. Undo blocks sign-in
//! (an invitation cannot be taken back), through the same runner.

use crate::action::{recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, Verified};
use crate::engine::Engine;
use crate::guests::MAX_SPONSORS;
use crate::problem::{FieldError, Problem, ProblemKind};
use crate::validate;
use guestpass_graph::models::{DirectoryObjectRef, Invitation, InvitationRequest, MessageInfo, User};
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    /// Who sponsors the guest: addresses of people of this organisation, at most five. Left
    /// empty, Microsoft stamps whoever is signed in — and nobody when an app invites.
    #[serde(default)]
    pub sponsors: Vec<String>,
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
    /// A guest who had not accepted was sent a new invitation.
    Resent,
    /// A dry run: a new invitation would be sent.
    WouldResend,
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
pub(crate) fn checked(req: &InviteRequest) -> Result<InvitationRequest, Problem> {
    let mut fields: Vec<FieldError> = Vec::new();
    let email = validate::email("email", &req.email).map_err(|e| fields.push(e)).ok();
    let redirect = validate::redirect_url("redirectUrl", &req.redirect_url)
        .map_err(|e| fields.push(e))
        .ok();
    let name = validate::display_name("displayName", req.display_name.as_deref())
        .map_err(|e| fields.push(e))
        .ok();
    let sponsors = checked_sponsors(&req.sponsors).map_err(|e| fields.push(e)).ok();
    let message = req
        .message
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string);
    match (email, redirect, name, sponsors) {
        (Some(email), Some(redirect), Some(name), Some(_)) if fields.is_empty() => Ok(InvitationRequest {
            invited_user_email_address: email,
            invite_redirect_url: redirect,
            invited_user_display_name: name,
            send_invitation_message: req.send_email,
            invited_user_message_info: message.map(|m| MessageInfo {
                customized_message_body: Some(m),
                message_language: None,
            }),
            invited_user_type: Some("Guest".into()),
            // Named in the plan, once each address is found in the directory.
            invited_user_sponsors: Vec::new(),
        }),
        _ => Err(Problem::invalid(fields)),
    }
}

/// Sponsor addresses, checked and lower-cased: at most five (Microsoft's limit), no repeats.
pub(crate) fn checked_sponsors(sponsors: &[String]) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for s in sponsors.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let address = validate::email("sponsors", s)?.to_lowercase();
        if !out.contains(&address) {
            out.push(address);
        }
    }
    if out.len() > MAX_SPONSORS {
        return Err(FieldError {
            field: "sponsors".into(),
            message: format!("{} sponsors given; Microsoft allows at most {MAX_SPONSORS}.", out.len()),
        });
    }
    Ok(out)
}

/// A guest's invitation as the change log records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InvitationState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_id: Option<String>,
    /// Microsoft's invitation status (`PendingAcceptance`, `Completed`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The guest's state (`PendingAcceptance`, `Accepted`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_user_state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_invitation_message: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_redeem_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_principal_name: Option<String>,
    /// The sponsors named at the invitation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sponsors: Vec<String>,
    /// Whether the guest could be read back (not recorded).
    #[serde(skip)]
    pub verified: bool,
}

impl InvitationState {
    pub(crate) fn of_guest(guest: &User) -> InvitationState {
        InvitationState {
            user_id: Some(guest.id.clone()),
            external_user_state: guest.external_user_state.clone(),
            display_name: guest.display_name.clone(),
            verified: true,
            ..Default::default()
        }
    }

    fn asked(body: &InvitationRequest) -> InvitationState {
        InvitationState {
            display_name: body.invited_user_display_name.clone(),
            redirect_url: Some(body.invite_redirect_url.clone()),
            send_invitation_message: Some(body.send_invitation_message),
            ..Default::default()
        }
    }
}

/// "invitation accepted", for summaries.
pub(crate) fn describe_state(state: Option<&str>) -> &'static str {
    match state {
        Some("Accepted") => "invitation accepted",
        Some("PendingAcceptance") => "invitation not yet accepted",
        _ => "state unknown",
    }
}

/// The person behind an address, refusing members (they need no invitation).
pub(crate) async fn find_guest(engine: &Engine, email: &str) -> Result<Option<User>, Problem> {
    let existing = engine
        .graph
        .find_users_by_email(email)
        .await
        .map_err(|e| Problem::from_graph(&format!("Looking up {email}"), &e))?;
    if let Some(member) = existing.iter().find(|u| !u.is_guest()) {
        return Err(Problem {
            kind: ProblemKind::Invalid,
            message: format!(
                "{email} already belongs to your organisation as {} (a member, not a guest).",
                member.user_principal_name.as_deref().unwrap_or(&member.id)
            ),
            hint: "Members already have access; no invitation is needed. Check the address if you meant someone else."
                .into(),
            fields: vec![FieldError {
                field: "email".into(),
                message: "This address belongs to a member of your organisation.".into(),
            }],
            code: None,
            request_id: None,
        });
    }
    Ok(existing.into_iter().next())
}

/// Invites a person not yet in the tenant; with no invitation to send (`body` is `None`),
/// only confirms they are a guest already (a bulk row for an existing guest).
pub(crate) struct InviteGuest {
    pub email: String,
    pub body: Option<InvitationRequest>,
    /// The sponsors' addresses (checked); found in the directory when planned.
    pub sponsors: Vec<String>,
}

impl Action for InviteGuest {
    type State = InvitationState;
    /// The sponsors, by directory id.
    type Context = Vec<DirectoryObjectRef>;
    type Answer = Invitation;

    fn logged(&self) -> Logged {
        Logged::Did(ActionKind::InviteGuest)
    }

    fn target(&self) -> String {
        self.email.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<InvitationState, Vec<DirectoryObjectRef>>, Problem> {
        let email = &self.email;
        if let Some(guest) = find_guest(engine, email).await? {
            let state = guest.external_user_state.as_deref();
            return Ok(Plan::AlreadySo {
                summary: format!(
                    "{email} is already a guest ({}). Nothing was sent and nothing changed.",
                    describe_state(state)
                ),
                state: InvitationState::of_guest(&guest),
            });
        }
        let Some(body) = &self.body else {
            return Err(Problem::field(
                "redirectUrl",
                format!("{email} is not a guest yet and the row has no redirect URL."),
                "Give a redirect URL for this row (or for all rows) and retry the failed rows.",
            ));
        };
        // The name goes into the summary too, so History's search finds people by name.
        let who = match &body.invited_user_display_name {
            Some(name) => format!("{email} ({name})"),
            None => email.clone(),
        };
        let mut sponsor_ids = Vec::new();
        for sponsor in &self.sponsors {
            let found = engine.find_sponsor(sponsor, "sponsors").await?;
            sponsor_ids.push(DirectoryObjectRef { id: found.id });
        }
        // An app inviting on its own is stamped as nobody's sponsor: say so before it happens.
        let sponsored = match (self.sponsors.as_slice(), engine.graph.is_app_only()) {
            ([], true) => " No sponsor: Guestpass signs in as an app here, so Microsoft records no person as their sponsor — name one (a sponsor answers for the guest and is asked in reviews).".to_string(),
            ([], false) => String::new(),
            (names, _) => format!(" Sponsored by {}.", names.join(", ")),
        };
        let mut after = InvitationState::asked(body);
        after.sponsors = self.sponsors.clone();
        Ok(Plan::Change(Change {
            before: InvitationState::default(),
            after,
            would: format!("Would invite {email} (not in the tenant yet).{sponsored}"),
            done: format!("Invited {who}.{sponsored}"),
            failure: format!("Inviting {email}"),
            blocked: None,
            undoes: None,
            context: sponsor_ids,
        }))
    }

    async fn apply(
        &self,
        engine: &Engine,
        change: &Change<InvitationState, Vec<DirectoryObjectRef>>,
    ) -> Result<Applied<Invitation>, Failure> {
        let Some(body) = &self.body else {
            unreachable!("a change is planned only with an invitation to send")
        };
        let mut body = body.clone();
        body.invited_user_sponsors = change.context.clone();
        let answer = engine.graph.invite(&body).await?;
        Ok(Applied {
            answer: answer.body,
            request_id: answer.request_id,
        })
    }

    async fn verify(
        &self,
        engine: &Engine,
        change: Change<InvitationState, Vec<DirectoryObjectRef>>,
        invitation: &Invitation,
    ) -> Verified<InvitationState> {
        let read = engine
            .until_replicated(
                || engine.graph.get_user(&invitation.invited_user.id),
                |r| matches!(r, Err(e) if e.is_not_found()),
            )
            .await;
        let readable = match read {
            Ok(a) => Some(a.body),
            Err(e) => {
                tracing::warn!("could not verify the new guest: {e}");
                None
            }
        };
        let sent = change.after.send_invitation_message == Some(true);
        let then = match (&readable, sent) {
            (Some(_), true) => "Microsoft is e-mailing the invitation.",
            (Some(_), false) => "No e-mail was sent: share the invitation link with them.",
            (None, _) => "Microsoft accepted the invitation but the new guest is not readable yet (directory replication); it usually appears within a minute.",
        };
        let summary = format!("{} {then}", change.done);
        Verified {
            summary,
            after: InvitationState {
                user_id: Some(invitation.invited_user.id.clone()),
                invitation_id: Some(invitation.id.clone()),
                status: Some(invitation.status.clone()),
                invite_redeem_url: invitation.invite_redeem_url.clone(),
                user_principal_name: readable.as_ref().and_then(|u| u.user_principal_name.clone()),
                verified: readable.is_some(),
                ..change.after
            },
        }
    }
}

/// Undo: an invitation cannot be taken back (an e-mail may be out), so sign-in is blocked
/// instead, which an admin can reverse.
struct BlockInvitedGuest {
    row: ChangeRecord,
}

/// Whether a guest may sign in, as an undo records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SignInState {
    pub user_id: String,
    pub account_enabled: bool,
}

impl BlockInvitedGuest {
    fn note(&self) -> &'static str {
        let sent = recorded::<InvitationState>(self.row.after.as_ref()).and_then(|s| s.send_invitation_message);
        if sent == Some(true) {
            " The invitation e-mail Microsoft sent cannot be taken back; the link in it will no longer let them in."
        } else {
            ""
        }
    }
}

impl Action for BlockInvitedGuest {
    type State = SignInState;
    type Context = ();
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::Undid(ActionKind::InviteGuest)
    }

    fn target(&self) -> String {
        self.row.target.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<SignInState, ()>, Problem> {
        let (who, seq) = (&self.row.target, self.row.seq);
        let user_id = recorded::<InvitationState>(self.row.after.as_ref())
            .and_then(|s| s.user_id)
            .unwrap_or_default();
        let user = match engine.graph.get_user(&user_id).await {
            Ok(a) => a.body,
            Err(e) if e.is_not_found() => {
                return Err(refuse(
                    format!("{who} is no longer in the tenant."),
                    "Nothing left to undo.",
                ))
            }
            Err(e) => return Err(Problem::from_graph(&format!("Reading {who}"), &e)),
        };
        if user.account_enabled == Some(false) {
            return Err(refuse(
                format!("{who} is already blocked from signing in."),
                "Nothing left to undo.",
            ));
        }
        let note = self.note();
        let state = |account_enabled| SignInState {
            user_id: user_id.clone(),
            account_enabled,
        };
        Ok(Plan::Change(Change {
            before: state(true),
            after: state(false),
            would: format!("Would block {who} from signing in and end their sessions (undoing change #{seq}).{note} To delete the account, use the Entra admin center (restorable for 30 days)."),
            done: format!("Blocked {who} from signing in (undid change #{seq}).{note}"),
            failure: format!("Blocking {who}"),
            blocked: None,
            undoes: Some(seq),
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<SignInState, ()>) -> Result<Applied<()>, Failure> {
        Ok(Applied::id(engine.graph.block_user(&change.after.user_id).await?))
    }
}

impl InviteOutcome {
    /// The outcome of an invite (or resend) run, in the shape the app and the CLI show.
    pub(crate) fn from_done(
        email: String,
        done: crate::action::Done<InvitationState, Invitation>,
        resend: bool,
    ) -> InviteOutcome {
        use crate::action::StepStatus;
        let status = match (done.outcome.status, resend) {
            (StepStatus::Changed, false) => InviteStatus::Invited,
            (StepStatus::Changed, true) => InviteStatus::Resent,
            (StepStatus::WouldChange, false) => InviteStatus::WouldInvite,
            (StepStatus::WouldChange, true) => InviteStatus::WouldResend,
            (StepStatus::Unchanged, _) => InviteStatus::AlreadyGuest,
        };
        let state = done.state;
        InviteOutcome {
            status,
            email,
            user_id: state.user_id.unwrap_or_default(),
            display_name: state.display_name,
            state: state.status.or(state.external_user_state),
            redeem_url: done.answer.and_then(|i| i.invite_redeem_url),
            verified: state.verified,
            summary: done.outcome.summary,
            request_id: done.outcome.request_id,
            change_seq: done.outcome.change_seq,
        }
    }
}

impl Engine {
    pub async fn invite_guest(&self, req: &InviteRequest) -> Result<InviteOutcome, Problem> {
        let body = checked(req)?;
        let action = InviteGuest {
            email: body.invited_user_email_address.clone(),
            body: Some(body),
            sponsors: checked_sponsors(&req.sponsors).map_err(|e| Problem::invalid(vec![e]))?,
        };
        let done = self.run(&action).await?;
        Ok(InviteOutcome::from_done(action.email, done, false))
    }

    pub(crate) async fn undo_invitation(&self, row: ChangeRecord) -> Result<crate::action::StepOutcome, Problem> {
        self.run_step(&BlockInvitedGuest { row }).await
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
            sponsors: vec![],
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
