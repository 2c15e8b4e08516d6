//! Profile, licence and group steps against the sandbox: order, idempotence, refusals, log.

mod common;

use common::{invited, setup};
use guestpass_core::{ChangeResult, GuestRef, ProblemKind, ProfileRequest, StepStatus};
use guestpass_sandbox::SandboxConfig;

fn profile(guest: &GuestRef, location: Option<&str>) -> ProfileRequest {
    ProfileRequest {
        guest: guest.clone(),
        given_name: Some("Jane".into()),
        surname: Some("Partner".into()),
        usage_location: location.map(Into::into),
    }
}

#[tokio::test]
async fn profile_is_set_once_then_unchanged() {
    let s = setup(SandboxConfig {
        replication_delay_ms: 200,
        ..Default::default()
    })
    .await;
    let g = invited(&s, "jane@partner.example").await;
    let out = s.engine.set_profile(&profile(&g, Some("ie"))).await.unwrap();
    assert_eq!(out.status, StepStatus::Changed);
    assert!(out.summary.contains("usage location IE"), "{}", out.summary);
    // By address alone, as a later run would.
    let again = s
        .engine
        .set_profile(&profile(
            &GuestRef {
                email: g.email.clone(),
                user_id: None,
            },
            Some("IE"),
        ))
        .await
        .unwrap();
    assert_eq!(again.status, StepStatus::Unchanged);
    let rows = s.engine.recent_changes(10).unwrap();
    assert_eq!(rows[0].action, "set_profile");
    assert_eq!(rows[0].result, ChangeResult::Unchanged);
    assert_eq!(rows[1].result, ChangeResult::Succeeded);
    assert_eq!(
        rows[1].before.as_ref().unwrap()["usageLocation"],
        serde_json::Value::Null
    );
    assert_eq!(rows[1].after.as_ref().unwrap()["usageLocation"], "IE");
}

#[tokio::test]
async fn a_bad_country_is_refused_before_calling_microsoft() {
    let s = setup(SandboxConfig::default()).await;
    let g = invited(&s, "jane@partner.example").await;
    let before = s.sb.stats().requests;
    let p = s.engine.set_profile(&profile(&g, Some("UK"))).await.unwrap_err();
    assert_eq!(p.kind, ProblemKind::Invalid);
    assert_eq!(p.fields[0].field, "usageLocation");
    assert_eq!(s.sb.stats().requests, before);
}

#[tokio::test]
async fn a_licence_needs_usage_location_first_then_is_assigned_once() {
    let s = setup(SandboxConfig::default()).await;
    let g = invited(&s, "jane@partner.example").await;
    let p = s
        .engine
        .assign_license(&g, "O365_BUSINESS_ESSENTIALS")
        .await
        .unwrap_err();
    assert_eq!(p.fields[0].field, "usageLocation");
    assert!(p.hint.contains("usage location"), "{}", p.hint);

    s.engine.set_profile(&profile(&g, Some("GB"))).await.unwrap();
    let out = s.engine.assign_license(&g, "o365_business_essentials").await.unwrap();
    assert_eq!(out.status, StepStatus::Changed);
    assert!(out.request_id.is_some());
    let again = s
        .engine
        .assign_license(&g, "3b555118-da6a-4418-894f-7df1e2096870")
        .await
        .unwrap();
    assert_eq!(again.status, StepStatus::Unchanged);
    let seats = s.engine.license_options().await.unwrap();
    assert_eq!(
        seats
            .iter()
            .find(|l| l.sku_part_number == "O365_BUSINESS_ESSENTIALS")
            .unwrap()
            .free_seats,
        12
    );
}

#[tokio::test]
async fn no_free_seat_and_unknown_licences_are_refused_with_the_fix() {
    let s = setup(SandboxConfig::default()).await;
    let g = invited(&s, "jane@partner.example").await;
    s.engine.set_profile(&profile(&g, Some("GB"))).await.unwrap();
    let p = s
        .engine
        .assign_license(&g, "DYN365_ENTERPRISE_SALES")
        .await
        .unwrap_err();
    assert!(p.message.contains("All 10 seats"), "{}", p.message);
    let p = s.engine.assign_license(&g, "E5").await.unwrap_err();
    assert!(p.hint.contains("O365_BUSINESS_ESSENTIALS"), "{}", p.hint);
}

#[tokio::test]
async fn groups_by_name_or_id_right_after_invite_and_only_once() {
    let s = setup(SandboxConfig {
        replication_delay_ms: 300,
        ..Default::default()
    })
    .await;
    let g = invited(&s, "jane@partner.example").await;
    let out = s.engine.add_to_group(&g, "Partner portal users").await.unwrap();
    assert_eq!(out.status, StepStatus::Changed);
    let again = s
        .engine
        .add_to_group(&g, "7d1c0b5e-0000-4000-8000-000000000003")
        .await
        .unwrap();
    assert_eq!(again.status, StepStatus::Unchanged);
    let p = s.engine.add_to_group(&g, "No such group").await.unwrap_err();
    assert_eq!(p.fields[0].field, "group");
    let found = s.engine.search_groups("dynamics").await.unwrap();
    assert_eq!(found.len(), 2);
}

#[tokio::test]
async fn a_step_for_someone_not_invited_says_to_invite_first() {
    let s = setup(SandboxConfig::default()).await;
    let p = s
        .engine
        .set_profile(&profile(
            &GuestRef {
                email: "nobody@partner.example".into(),
                user_id: None,
            },
            Some("GB"),
        ))
        .await
        .unwrap_err();
    assert!(p.hint.contains("Invite them first"), "{}", p.hint);
}
