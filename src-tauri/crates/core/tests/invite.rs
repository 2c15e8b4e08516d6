//! The invite action end to end against the sandbox tenant: plan, apply, verify, log.

mod common;

use common::setup;
use guestpass_core::{ChangeResult, InviteRequest, InviteStatus, ProblemKind};
use guestpass_sandbox::{Fault, SandboxConfig};

fn request(email: &str) -> InviteRequest {
    InviteRequest {
        email: email.into(),
        display_name: Some("Jane Partner".into()),
        redirect_url: "https://northwind.crm.dynamics.com".into(),
        send_email: false,
        message: None,
        ..Default::default()
    }
}

#[tokio::test]
async fn invites_verifies_and_logs() {
    let s = setup(SandboxConfig {
        replication_delay_ms: 300,
        ..Default::default()
    })
    .await;
    let out = s.engine.invite_guest(&request("jane@partner.example")).await.unwrap();
    assert_eq!(out.status, InviteStatus::Invited);
    assert!(out.verified, "the guest appears once replicated");
    assert!(out.redeem_url.is_some());
    let rows = s.engine.recent_changes(10).unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(
        (r.action.as_str(), r.target.as_str(), r.result),
        ("invite_guest", "jane@partner.example", ChangeResult::Succeeded)
    );
    assert_eq!(r.tenant, guestpass_sandbox::TENANT_ID);
    assert_eq!(r.actor, format!("app:{}", guestpass_sandbox::CLIENT_ID));
    assert_eq!(r.request_id, out.request_id);
    assert_eq!(r.after.as_ref().unwrap()["userId"], out.user_id.as_str());
    assert!(s.engine.store().verify_chain().unwrap().is_intact());
    // History's search finds the guest by name as well as by address.
    let by_name = guestpass_core::ChangeFilter {
        text: Some("jane partner".into()),
        ..Default::default()
    };
    assert_eq!(s.engine.query_changes(&by_name).unwrap().len(), 1);
}

#[tokio::test]
async fn an_existing_guest_is_not_invited_again() {
    let s = setup(SandboxConfig::default()).await;
    s.engine.invite_guest(&request("jane@partner.example")).await.unwrap();
    let again = s.engine.invite_guest(&request("Jane@Partner.example")).await.unwrap();
    assert_eq!(again.status, InviteStatus::AlreadyGuest);
    assert_eq!(s.sb.stats().invitations_created, 1, "no second POST /invitations");
    let rows = s.engine.recent_changes(10).unwrap();
    assert_eq!(rows[0].result, ChangeResult::Unchanged);
    // A seeded guest too.
    let seeded = s
        .engine
        .invite_guest(&request("ana.souza@fabrikam.example"))
        .await
        .unwrap();
    assert_eq!(seeded.status, InviteStatus::AlreadyGuest);
    assert_eq!(seeded.state.as_deref(), Some("Accepted"));
}

#[tokio::test]
async fn a_member_is_refused_without_calling_invitations() {
    let s = setup(SandboxConfig::default()).await;
    let p = s
        .engine
        .invite_guest(&request("megan.bowen@northwind.example"))
        .await
        .unwrap_err();
    assert_eq!(p.kind, ProblemKind::Invalid);
    assert!(p.message.contains("member"));
    assert_eq!(s.sb.stats().invitations_created, 0);
}

#[tokio::test]
async fn invalid_input_sends_nothing_and_logs_nothing() {
    let s = setup(SandboxConfig::default()).await;
    let before = s.sb.stats().requests;
    let p = s
        .engine
        .invite_guest(&InviteRequest {
            email: "no-at-sign".into(),
            redirect_url: "ftp://x".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(p.kind, ProblemKind::Invalid);
    assert_eq!(p.fields.len(), 2);
    assert_eq!(s.sb.stats().requests, before);
    assert!(s.engine.recent_changes(10).unwrap().is_empty());
}

#[tokio::test]
async fn a_refusal_is_logged_as_a_failure_with_code_and_request_id() {
    let s = setup(SandboxConfig::default()).await;
    s.sb.push_fault(
        Fault::answer(403, "/v1.0/invitations")
            .code("Authorization_RequestDenied")
            .message("Insufficient privileges to complete the operation."),
    );
    let p = s
        .engine
        .invite_guest(&request("jane@partner.example"))
        .await
        .unwrap_err();
    assert_eq!(p.kind, ProblemKind::Microsoft);
    assert!(
        p.hint.contains("User.Invite.All") && p.hint.contains("Guest Inviter"),
        "{}",
        p.hint
    );
    assert!(p.request_id.is_some());
    let rows = s.engine.recent_changes(10).unwrap();
    assert_eq!(rows[0].result, ChangeResult::Failed);
    assert_eq!(rows[0].error_code.as_deref(), Some("Authorization_RequestDenied"));
    assert_eq!(rows[0].request_id, p.request_id);
}

#[tokio::test]
async fn a_lost_answer_then_a_rerun_does_not_invite_twice() {
    let s = setup(SandboxConfig::default()).await;
    // The invitation is made, but the answer never arrives.
    s.sb.push_fault(Fault::answer(504, "/v1.0/invitations").after_applying());
    assert!(s.engine.invite_guest(&request("jane@partner.example")).await.is_err());
    assert_eq!(s.sb.stats().guests_created, 1);
    // Re-running looks the person up first and finds them.
    let again = s.engine.invite_guest(&request("jane@partner.example")).await.unwrap();
    assert_eq!(again.status, InviteStatus::AlreadyGuest);
    assert_eq!(s.sb.stats().invitations_created, 1);
}

#[tokio::test]
async fn a_change_cut_off_by_a_crash_is_recorded_as_interrupted_on_the_next_start() {
    let s = setup(SandboxConfig::default()).await;
    // What a run killed between sending the invitation and logging the answer leaves behind.
    s.engine
        .store()
        .begin_change(
            &s.engine.info().actor,
            &s.engine.info().tenant_id,
            "invite_guest",
            "cut@partner.example",
            None,
        )
        .unwrap();
    // The next start of Guestpass on the same data folder.
    let again = common::reconnect(&s).await;
    let rows = again.recent_changes(10).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].result, ChangeResult::Failed);
    assert_eq!(rows[0].error_code.as_deref(), Some("Interrupted"));
    assert!(rows[0].detail.as_deref().unwrap().contains("Run the step again"));
    assert!(again.store().unfinished_changes().unwrap().is_empty());
    // And a normal change leaves nothing unfinished.
    again.invite_guest(&request("jane@partner.example")).await.unwrap();
    assert!(again.store().unfinished_changes().unwrap().is_empty());
}

#[tokio::test]
async fn onboarding_activity_counts_today_and_keeps_empty_days() {
    let s = setup(SandboxConfig::default()).await;
    s.engine.invite_guest(&request("a@partner.example")).await.unwrap();
    s.engine.invite_guest(&request("b@partner.example")).await.unwrap();
    let days = s.engine.onboarding_activity(7).await.unwrap();
    assert_eq!(days.len(), 7);
    assert_eq!(days.last().unwrap().invited, 2);
    assert!(days[..6].iter().all(|d| d.invited == 0 && d.licensed == 0));
}

#[tokio::test]
async fn a_pending_guest_gets_a_new_invitation_recorded_and_not_undoable() {
    let s = setup(SandboxConfig::default()).await;
    let pending = InviteRequest {
        email: "li.wei@contoso-partners.example".into(),
        send_email: true,
        ..request("li.wei@contoso-partners.example")
    };
    let before = s.sb.stats().invitations_created;
    let plan = s.engine.preview().resend_invitation(&pending).await.unwrap();
    assert_eq!(plan.status, InviteStatus::WouldResend);
    assert!(plan.summary.contains("Would send"), "{}", plan.summary);
    assert_eq!(s.sb.stats().invitations_created, before, "a preview sends nothing");
    assert!(s.engine.recent_changes(10).unwrap().is_empty(), "and records nothing");

    let out = s.engine.resend_invitation(&pending).await.unwrap();
    assert_eq!(out.status, InviteStatus::Resent);
    assert!(out.redeem_url.is_some(), "a new link comes back");
    assert_eq!(s.sb.stats().invitations_created, before + 1);
    assert_eq!(s.sb.stats().guests_created, 0, "the same guest, not a new one");
    let rows = s.engine.recent_changes(10).unwrap();
    assert_eq!(
        (rows[0].action.as_str(), rows[0].result),
        ("resend_invitation", ChangeResult::Succeeded)
    );
    assert_eq!(rows[0].request_id, out.request_id);
    assert_eq!(
        rows[0].before.as_ref().unwrap()["externalUserState"],
        "PendingAcceptance"
    );

    let refused = s.engine.undo_change(rows[0].seq).await.unwrap_err();
    assert_eq!(refused.kind, ProblemKind::Invalid);
    assert!(refused.message.contains("cannot undo"), "{}", refused.message);
}

#[tokio::test]
async fn resending_is_refused_for_accepted_guests_and_strangers() {
    let s = setup(SandboxConfig::default()).await;
    let before = s.sb.stats().invitations_created;
    let accepted = s
        .engine
        .resend_invitation(&request("ana.souza@fabrikam.example"))
        .await
        .unwrap_err();
    assert!(accepted.message.contains("already accepted"), "{}", accepted.message);
    let stranger = s
        .engine
        .resend_invitation(&request("nobody@partner.example"))
        .await
        .unwrap_err();
    assert_eq!(stranger.fields[0].field, "email");
    assert!(stranger.hint.contains("Invite them"), "{}", stranger.hint);
    assert_eq!(s.sb.stats().invitations_created, before, "nothing was sent");
    assert!(s.engine.recent_changes(10).unwrap().is_empty());
}

#[tokio::test]
async fn sponsors_are_named_at_the_invitation_and_an_unsponsored_app_invite_is_warned() {
    let s = setup(SandboxConfig::default()).await;
    let mut req = request("pat@partner.example");
    req.sponsors = vec![
        "Diego.Siciliani@northwind.example".into(),
        "megan.bowen@northwind.example".into(),
    ];
    let preview = s.engine.clone().with_dry_run(true).invite_guest(&req).await.unwrap();
    assert!(
        preview
            .summary
            .contains("Sponsored by diego.siciliani@northwind.example, megan.bowen@northwind.example"),
        "{}",
        preview.summary
    );
    let out = s.engine.invite_guest(&req).await.unwrap();
    assert_eq!(out.status, InviteStatus::Invited);
    let list = s
        .engine
        .guest_list(guestpass_core::guests::GuestRules::default())
        .await
        .unwrap();
    let pat = list.guests.iter().find(|g| g.email == "pat@partner.example").unwrap();
    assert_eq!(pat.sponsors.len(), 2, "{pat:?}");
    assert!(pat.sponsors.contains(&"diego.siciliani@northwind.example".to_string()));
    let row = &s.engine.recent_changes(1).unwrap()[0];
    assert_eq!(
        row.after.as_ref().unwrap()["sponsors"][0],
        "diego.siciliani@northwind.example"
    );

    // The app signs in on its own here: without a sponsor the outcome says nobody answers for them.
    let alone = s.engine.invite_guest(&request("sam@partner.example")).await.unwrap();
    assert!(alone.summary.contains("No sponsor"), "{}", alone.summary);

    // Refused before anything is sent: six sponsors, a guest as sponsor, nobody at the address.
    let mut six = request("lee@partner.example");
    six.sponsors = (0..6).map(|i| format!("s{i}@northwind.example")).collect();
    let p = s.engine.invite_guest(&six).await.unwrap_err();
    assert_eq!((p.kind, p.fields[0].field.as_str()), (ProblemKind::Invalid, "sponsors"));
    assert!(p.message.contains("at most 5"), "{}", p.message);
    for (sponsor, says) in [
        ("ana.souza@fabrikam.example", "a guest too"),
        ("nobody@northwind.example", "Nobody in this tenant"),
    ] {
        let mut r = request("lee@partner.example");
        r.sponsors = vec![sponsor.into()];
        let p = s.engine.invite_guest(&r).await.unwrap_err();
        assert!(p.message.contains(says), "{}", p.message);
    }
    assert!(
        !s.sb.user_mails().iter().any(|m| m == "lee@partner.example"),
        "nothing was sent"
    );
}
