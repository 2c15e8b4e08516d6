//! External collaboration settings, Google federation and the readiness card against the sandbox.

mod common;

use common::setup;
use guestpass_core::{
    ChangeResult, DomainList, DomainMode, FixStep, GuestAccess, GuestRef, InviteAuthority, InviteRequest, ProblemKind,
    ProfileRequest, ReadinessRequest, SettingsRequest, StepStatus,
};
use guestpass_sandbox::SandboxConfig;

fn allow(domains: &[&str]) -> DomainList {
    DomainList {
        mode: DomainMode::AllowOnly,
        domains: domains.iter().map(|d| d.to_string()).collect(),
    }
}

#[tokio::test]
async fn settings_preview_apply_verify_and_rerun() {
    let s = setup(SandboxConfig::default()).await;
    let current = s.engine.read_settings().await.unwrap();
    assert_eq!(current.invites_from, InviteAuthority::AdminsAndGuestInviters);
    assert_eq!(current.guest_access, GuestAccess::Limited);
    assert_eq!(current.domains.mode, DomainMode::AnyDomain);
    assert!(current.inbound_b2b_allowed && !current.trust_home_mfa);

    let req = SettingsRequest {
        guest_access: Some(GuestAccess::SameAsMembers),
        domains: Some(allow(&["Partner.example", "fabrikam.example"])),
        trust_home_mfa: Some(true),
        ..Default::default()
    };
    let plan = s.engine.plan_settings(&req).await.unwrap();
    assert_eq!(plan.changes.len(), 3, "{:?}", plan.changes);
    assert_eq!(
        s.engine.recent_changes(10).unwrap().len(),
        0,
        "a preview changes nothing"
    );

    let out = s.engine.apply_settings(&req).await.unwrap();
    assert_eq!(out.len(), 3);
    assert!(out.iter().all(|o| o.status == StepStatus::Changed));
    let now = s.engine.read_settings().await.unwrap();
    assert_eq!(now.guest_access, GuestAccess::SameAsMembers);
    assert_eq!(now.domains.domains, vec!["partner.example", "fabrikam.example"]);
    assert!(now.trust_home_mfa);

    let again = s.engine.apply_settings(&req).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].status, StepStatus::Unchanged);
    assert_eq!(s.engine.recent_changes(10).unwrap()[0].result, ChangeResult::Unchanged);

    // The allow list now blocks other domains at Microsoft's end too.
    let p = s
        .engine
        .invite_guest(&InviteRequest {
            email: "x@elsewhere.example".into(),
            redirect_url: "https://myapps.microsoft.com".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(p.kind, ProblemKind::Microsoft);
    assert!(p.message.contains("not allowed"), "{}", p.message);
}

#[tokio::test]
async fn the_auto_redeem_part_of_the_policy_survives() {
    let s = setup(SandboxConfig::default()).await;
    s.engine
        .apply_settings(&SettingsRequest {
            domains: Some(allow(&["partner.example"])),
            ..Default::default()
        })
        .await
        .unwrap();
    let rows = s.engine.recent_changes(1).unwrap();
    let def = rows[0].after.as_ref().unwrap()["definition"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert!(def.contains("AutoRedeemPolicy"), "{def}");
}

#[tokio::test]
async fn a_dry_run_changes_and_logs_nothing() {
    let s = setup(SandboxConfig::default()).await;
    let engine = s.engine.with_dry_run(true);
    let out = engine
        .apply_settings(&SettingsRequest {
            invites_from: Some(InviteAuthority::Everyone),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(out[0].status, StepStatus::WouldChange);
    assert_eq!(
        engine.read_settings().await.unwrap().invites_from,
        InviteAuthority::AdminsAndGuestInviters
    );
    assert!(engine.recent_changes(10).unwrap().is_empty());
}

#[tokio::test]
async fn google_federation_is_created_once_and_the_secret_is_never_logged() {
    let s = setup(SandboxConfig::default()).await;
    let before = s.engine.google_federation().await.unwrap();
    assert!(!before.configured);
    assert!(before.redirect_uris[1].contains(guestpass_sandbox::TENANT_ID));
    let p = s.engine.set_up_google("not-a-google-id", "").await.unwrap_err();
    assert_eq!(p.fields.len(), 2);

    let id = "1234-abc.apps.googleusercontent.com";
    let secret = "GOCSPX-very-secret-value";
    let out = s.engine.set_up_google(id, secret).await.unwrap();
    assert_eq!(out.status, StepStatus::Changed);
    assert!(s.engine.google_federation().await.unwrap().configured);
    assert_eq!(
        s.engine.set_up_google(id, secret).await.unwrap().status,
        StepStatus::Unchanged
    );
    let other = s
        .engine
        .set_up_google("999-other.apps.googleusercontent.com", secret)
        .await
        .unwrap_err();
    assert!(other.hint.contains("remove"), "{}", other.hint);

    let log = serde_json::to_string(&s.engine.recent_changes(100).unwrap()).unwrap();
    assert!(!log.contains(secret), "the secret must not reach the change log");
    let db = std::fs::read(s._dir.path().join("guestpass.sqlite")).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains(secret), "nor the database file");
}

#[tokio::test]
async fn readiness_turns_green_step_by_step() {
    let s = setup(SandboxConfig::default()).await;
    let req = ReadinessRequest {
        email: "jane@gmail.com".into(),
        license: Some("O365_BUSINESS_ESSENTIALS".into()),
        groups: vec!["Partner portal users".into()],
        ..Default::default()
    };
    let card = s.engine.check_guest(&req).await.unwrap();
    assert!(!card.ready);
    assert_eq!(card.items[0].fix, Some(FixStep::Invite));
    assert!(card.items.iter().any(|i| i.label == "Google sign-in" && !i.ok));

    let inv = s
        .engine
        .invite_guest(&InviteRequest {
            email: "jane@gmail.com".into(),
            redirect_url: "https://myapps.microsoft.com".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let g = GuestRef {
        email: "jane@gmail.com".into(),
        user_id: Some(inv.user_id),
    };
    let card = s.engine.check_guest(&req).await.unwrap();
    let fixes: Vec<_> = card.items.iter().filter(|i| !i.ok).filter_map(|i| i.fix).collect();
    assert_eq!(
        fixes,
        vec![
            FixStep::Guest,
            FixStep::Profile,
            FixStep::License,
            FixStep::Groups,
            FixStep::Google
        ]
    );

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
    s.engine
        .set_up_google("1-a.apps.googleusercontent.com", "secret")
        .await
        .unwrap();
    let card = s.engine.check_guest(&req).await.unwrap();
    let red: Vec<_> = card.items.iter().filter(|i| !i.ok).map(|i| i.label.as_str()).collect();
    assert_eq!(red, vec!["Invitation accepted"], "only the guest's own step is left");
    assert!(card.sign_in_link.contains(guestpass_sandbox::TENANT_ID));
}

#[tokio::test]
async fn a_missing_permission_names_what_to_grant() {
    let mut config = SandboxConfig::default();
    config.roles.retain(|r| r != "Policy.ReadWrite.Authorization");
    let s = setup(config).await;
    let p = s
        .engine
        .apply_settings(&SettingsRequest {
            invites_from: Some(InviteAuthority::Everyone),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(p.code.as_deref(), Some("Authorization_RequestDenied"));
    assert!(
        p.hint.contains("Policy.ReadWrite.Authorization") && p.hint.contains("Privileged Role Administrator"),
        "{}",
        p.hint
    );
    assert_eq!(s.engine.recent_changes(1).unwrap()[0].result, ChangeResult::Failed);
}
