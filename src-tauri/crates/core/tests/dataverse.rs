//! The Dataverse role step against the sandbox: order (licence first), the userNotLicensed
//! retry while a licence propagates, business units, idempotence.

mod common;

use common::{invited, setup};
use guestpass_core::{GuestRef, InviteRequest, ProfileRequest, StepStatus};
use guestpass_sandbox::SandboxConfig;

async fn licensed_guest(s: &common::Setup, email: &str) -> GuestRef {
    let g = invited(s, email).await;
    s.engine
        .set_profile(&ProfileRequest {
            guest: g.clone(),
            usage_location: Some("GB".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    s.engine.assign_license(&g, "POWERAPPS_PER_USER").await.unwrap();
    g
}

#[tokio::test]
async fn environments_and_their_roles_are_listed() {
    let s = setup(SandboxConfig::default()).await;
    let envs = s.engine.environments().await.unwrap();
    assert_eq!(envs.len(), 2);
    assert_eq!(envs[0].url, "https://northwindsales.crm4.dynamics.com");
    let roles = s.engine.environment_roles("Northwind Sales").await.unwrap();
    assert!(roles.contains(&"External Users".to_string()));
}

#[tokio::test]
async fn a_role_is_given_after_the_licence_reaches_dataverse_then_unchanged() {
    // addUser says userNotLicensed for 300 ms after the licence: the engine keeps retrying.
    let s = setup(SandboxConfig {
        license_sync_delay_ms: 300,
        ..Default::default()
    })
    .await;
    let g = licensed_guest(&s, "maker@partner.example").await;
    let env_url = s.engine.environments().await.unwrap()[0].url.clone();
    let out = s
        .engine
        .assign_dataverse_role(&g, &env_url, "Environment Maker")
        .await
        .unwrap();
    assert_eq!(out.status, StepStatus::Changed, "{}", out.summary);
    let again = s
        .engine
        .assign_dataverse_role(&g, "Northwind Sales", "environment maker")
        .await
        .unwrap();
    assert_eq!(again.status, StepStatus::Unchanged);
    let card = s
        .engine
        .check_guest(&guestpass_core::ReadinessRequest {
            email: g.email.clone(),
            environment: Some("Northwind Sales".into()),
            role: Some("Environment Maker".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        card.items.iter().any(|i| i.label == "Role in Northwind Sales" && i.ok),
        "{:?}",
        card.items
    );
    let rows = s.engine.recent_changes(2).unwrap();
    assert_eq!(rows[1].action, "assign_dataverse_role");
    assert_eq!(
        rows[1].after.as_ref().unwrap()["roles"],
        serde_json::json!(["Environment Maker"])
    );
}

#[tokio::test]
async fn without_a_licence_the_role_step_is_refused_first() {
    let s = setup(SandboxConfig::default()).await;
    let out = s
        .engine
        .invite_guest(&InviteRequest {
            email: "x@partner.example".into(),
            redirect_url: "https://myapps.microsoft.com".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let g = GuestRef {
        email: "x@partner.example".into(),
        user_id: Some(out.user_id),
    };
    let p = s
        .engine
        .assign_dataverse_role(&g, "Northwind Sales", "Basic User")
        .await
        .unwrap_err();
    assert_eq!(p.fields[0].field, "license");
}

#[tokio::test]
async fn unknown_roles_and_environments_name_the_choices() {
    let s = setup(SandboxConfig::default()).await;
    let g = licensed_guest(&s, "y@partner.example").await;
    let p = s
        .engine
        .assign_dataverse_role(&g, "Northwind Sales", "Pirate")
        .await
        .unwrap_err();
    assert!(p.hint.contains("External Users"), "{}", p.hint);
    let p = s
        .engine
        .assign_dataverse_role(&g, "https://nowhere.crm.dynamics.com", "Basic User")
        .await
        .unwrap_err();
    assert!(p.hint.contains("Northwind Service"), "{}", p.hint);
}
