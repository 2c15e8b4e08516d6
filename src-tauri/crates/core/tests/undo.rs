//! Undo against the sandbox: each reversible kind, the preview, and the refusals (changed since,
//! already undone, irreversible).

mod common;

use common::{invited, setup};
use guestpass_core::{InviteAuthority, ProfileRequest, SettingsRequest, StepStatus};
use guestpass_sandbox::SandboxConfig;

fn last_seq(s: &common::Setup, action: &str) -> i64 {
    s.engine
        .recent_changes(50)
        .unwrap()
        .into_iter()
        .find(|r| r.action == action)
        .unwrap()
        .seq
}

#[tokio::test]
async fn group_and_licence_are_undone_once_with_a_preview_first() {
    let s = setup(SandboxConfig::default()).await;
    let g = invited(&s, "jane@partner.example").await;
    s.engine
        .set_profile(&ProfileRequest {
            guest: g.clone(),
            usage_location: Some("GB".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    s.engine.assign_license(&g, "O365_BUSINESS_ESSENTIALS").await.unwrap();
    s.engine.add_to_group(&g, "Partner portal users").await.unwrap();
    let group_seq = last_seq(&s, "add_to_group");
    let licence_seq = last_seq(&s, "assign_license");

    let preview = s.engine.preview().undo_change(group_seq).await.unwrap();
    assert_eq!(preview.status, StepStatus::WouldChange);
    assert!(
        s.engine.guest_summary(&g).await.unwrap().groups.len() == 1,
        "a preview changes nothing"
    );

    let out = s.engine.undo_change(group_seq).await.unwrap();
    assert_eq!(out.status, StepStatus::Changed);
    assert!(s.engine.guest_summary(&g).await.unwrap().groups.is_empty());
    let undo_row = &s.engine.recent_changes(1).unwrap()[0];
    assert_eq!(undo_row.action, "undo_add_to_group");
    assert_eq!(undo_row.before.as_ref().unwrap()["undoes"], group_seq);
    let again = s.engine.undo_change(group_seq).await.unwrap_err();
    assert!(again.message.contains("already undone"), "{}", again.message);

    s.engine.undo_change(licence_seq).await.unwrap();
    let seats = s.engine.license_options().await.unwrap();
    assert_eq!(
        seats
            .iter()
            .find(|l| l.sku_part_number == "O365_BUSINESS_ESSENTIALS")
            .unwrap()
            .free_seats,
        13,
        "the seat is free again"
    );
}

#[tokio::test]
async fn undo_refuses_when_the_object_changed_since() {
    let s = setup(SandboxConfig::default()).await;
    s.engine
        .apply_settings(&SettingsRequest {
            invites_from: Some(InviteAuthority::Everyone),
            ..Default::default()
        })
        .await
        .unwrap();
    let first = last_seq(&s, "update_authorization_policy");
    s.engine
        .apply_settings(&SettingsRequest {
            invites_from: Some(InviteAuthority::None),
            ..Default::default()
        })
        .await
        .unwrap();
    let p = s.engine.undo_change(first).await.unwrap_err();
    assert!(p.message.contains("changed again"), "{}", p.message);
    // The newest change can be undone, restoring what was there before it.
    s.engine
        .undo_change(last_seq(&s, "update_authorization_policy"))
        .await
        .unwrap();
    assert_eq!(
        s.engine.read_settings().await.unwrap().invites_from,
        InviteAuthority::Everyone
    );
}

#[tokio::test]
async fn google_and_dataverse_role_are_undone_and_invitations_cannot_be() {
    let s = setup(SandboxConfig::default()).await;
    s.engine
        .set_up_google("1-a.apps.googleusercontent.com", "secret")
        .await
        .unwrap();
    s.engine
        .undo_change(last_seq(&s, "create_google_federation"))
        .await
        .unwrap();
    assert!(!s.engine.google_federation().await.unwrap().configured);

    let g = invited(&s, "maker@partner.example").await;
    s.engine
        .set_profile(&ProfileRequest {
            guest: g.clone(),
            usage_location: Some("GB".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    s.engine.assign_license(&g, "POWERAPPS_PER_USER").await.unwrap();
    s.engine
        .assign_dataverse_role(&g, "Northwind Sales", "Basic User")
        .await
        .unwrap();
    s.engine
        .undo_change(last_seq(&s, "assign_dataverse_role"))
        .await
        .unwrap();
    let card = s
        .engine
        .check_guest(&guestpass_core::ReadinessRequest {
            email: g.email.clone(),
            environment: Some("Northwind Sales".into()),
            role: Some("Basic User".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(card.items.iter().any(|i| i.label == "Role in Northwind Sales" && !i.ok));

    let invite = last_seq(&s, "invite_guest");
    let preview = s.engine.preview().undo_change(invite).await.unwrap();
    assert!(
        preview.summary.contains("Would block maker@partner.example"),
        "{}",
        preview.summary
    );
    s.engine.undo_change(invite).await.unwrap();
    let p = s.engine.undo_change(invite).await.unwrap_err();
    assert!(p.message.contains("already undone"), "{}", p.message);
}

#[tokio::test]
async fn profile_and_domain_list_are_restored() {
    let s = setup(SandboxConfig::default()).await;
    let g = invited(&s, "jane@partner.example").await;
    let p = ProfileRequest {
        guest: g.clone(),
        given_name: Some("Jane".into()),
        usage_location: Some("GB".into()),
        ..Default::default()
    };
    s.engine.set_profile(&p).await.unwrap();
    let profile_seq = last_seq(&s, "set_profile");
    s.engine.assign_license(&g, "O365_BUSINESS_ESSENTIALS").await.unwrap();
    let refused = s.engine.undo_change(profile_seq).await.unwrap_err();
    assert!(refused.hint.contains("Remove the licence first"), "{}", refused.hint);
    s.engine.undo_change(last_seq(&s, "assign_license")).await.unwrap();
    s.engine.undo_change(profile_seq).await.unwrap();
    let now = s.engine.guest_summary(&g).await.unwrap();
    assert_eq!((now.given_name, now.usage_location), (None, None));

    let allow = guestpass_core::DomainList {
        mode: guestpass_core::DomainMode::AllowOnly,
        domains: vec!["partner.example".into()],
    };
    s.engine
        .apply_settings(&SettingsRequest {
            domains: Some(allow),
            ..Default::default()
        })
        .await
        .unwrap();
    s.engine.undo_change(last_seq(&s, "update_domain_list")).await.unwrap();
    assert_eq!(
        s.engine.read_settings().await.unwrap().domains.mode,
        guestpass_core::DomainMode::AnyDomain
    );
}

#[tokio::test]
async fn the_cross_tenant_default_is_restored() {
    let s = setup(SandboxConfig::default()).await;
    s.engine
        .apply_settings(&SettingsRequest {
            trust_home_mfa: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(s.engine.read_settings().await.unwrap().trust_home_mfa);
    s.engine
        .undo_change(last_seq(&s, "update_cross_tenant_default"))
        .await
        .unwrap();
    assert!(!s.engine.read_settings().await.unwrap().trust_home_mfa);
}
