//! Profile, licence and group calls against the sandbox, through Microsoft's documented errors.

mod common;

use common::*;
use guestpass_graph::models::UserPatch;
use guestpass_sandbox::SandboxConfig;

async fn new_guest(c: &guestpass_graph::GraphClient, email: &str) -> String {
    c.invite(&invitation(email)).await.unwrap().body.invited_user.id
}

#[tokio::test]
async fn profile_patch_sets_fields_and_refuses_a_bad_country() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb);
    let id = new_guest(&c, "jo@partner.example").await;
    let patch = UserPatch {
        given_name: Some("Jo".into()),
        surname: Some("Bloggs".into()),
        usage_location: Some("IE".into()),
        ..Default::default()
    };
    c.update_user(&id, &patch).await.unwrap();
    let p = c.user_profile(&id).await.unwrap().body;
    assert_eq!(
        (
            p.given_name.as_deref(),
            p.surname.as_deref(),
            p.usage_location.as_deref()
        ),
        (Some("Jo"), Some("Bloggs"), Some("IE"))
    );
    let e = c
        .update_user(
            &id,
            &UserPatch {
                usage_location: Some("XX".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
    let e = c
        .update_user(
            &id,
            &UserPatch {
                surname: Some("x".repeat(65)),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
}

#[tokio::test]
async fn licences_need_a_usage_location_and_a_free_seat() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb);
    let skus = c.subscribed_skus().await.unwrap();
    let basic = skus
        .iter()
        .find(|s| s.sku_part_number == "O365_BUSINESS_ESSENTIALS")
        .unwrap();
    let sales = skus
        .iter()
        .find(|s| s.sku_part_number == "DYN365_ENTERPRISE_SALES")
        .unwrap();
    assert_eq!(basic.free_seats(), 13);
    assert_eq!(sales.free_seats(), 0);

    let id = new_guest(&c, "lic@partner.example").await;
    let e = c.assign_license(&id, &basic.sku_id).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(e.to_string().contains("invalid usage location"), "{e}");

    c.update_user(
        &id,
        &UserPatch {
            usage_location: Some("GB".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    c.assign_license(&id, &basic.sku_id).await.unwrap();
    let p = c.user_profile(&id).await.unwrap().body;
    assert_eq!(p.assigned_licenses[0].sku_id, basic.sku_id);
    let after = c.subscribed_skus().await.unwrap();
    assert_eq!(
        after.iter().find(|s| s.sku_id == basic.sku_id).unwrap().free_seats(),
        12
    );
    // Assigning again changes nothing and uses no seat.
    c.assign_license(&id, &basic.sku_id).await.unwrap();
    assert_eq!(
        c.subscribed_skus()
            .await
            .unwrap()
            .iter()
            .find(|s| s.sku_id == basic.sku_id)
            .unwrap()
            .free_seats(),
        12
    );

    let e = c.assign_license(&id, &sales.sku_id).await.unwrap_err();
    assert!(e.to_string().contains("does not have any available licenses"), "{e}");
    let e = c
        .assign_license(&id, "00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
}

#[tokio::test]
async fn groups_are_searched_by_word_and_joined_once() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb);
    let found = c.search_groups("sales", 10).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].display_name.as_deref(),
        Some("Dynamics 365 Sales - environment access")
    );
    assert_eq!(c.search_groups("environment", 10).await.unwrap().len(), 2);
    let exact = c.groups_named("Partner portal users").await.unwrap();
    assert_eq!(exact.len(), 1);

    let id = new_guest(&c, "grp@partner.example").await;
    c.add_group_member(&found[0].id, &id).await.unwrap();
    let e = c.add_group_member(&found[0].id, &id).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(e.to_string().contains("already exist"), "{e}");
    let groups = c.member_of(&id).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].id, found[0].id);
}

#[tokio::test]
async fn a_brand_new_guest_cannot_join_a_group_until_replicated() {
    let sb = sandbox(SandboxConfig {
        replication_delay_ms: 300,
        ..Default::default()
    })
    .await;
    let c = client(&sb);
    let id = new_guest(&c, "new@partner.example").await;
    let e = c
        .add_group_member("7d1c0b5e-0000-4000-8000-000000000003", &id)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(404));
    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
    c.add_group_member("7d1c0b5e-0000-4000-8000-000000000003", &id)
        .await
        .unwrap();
}
