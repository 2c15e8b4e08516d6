//! The Graph client against the sandbox tenant over real HTTP: the same code that talks to
//! Microsoft, exercised through the errors Microsoft returns.

mod common;

use common::*;
use guestpass_graph::models::{AuthorizationPolicyPatch, User};
use guestpass_graph::{AppOnlyCredential, Endpoints, GraphClient, GraphError, RetryPolicy};
use guestpass_sandbox::{SandboxConfig, ThrottleConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

#[tokio::test]
async fn reads_the_organization_with_a_request_id() {
    let sb = sandbox(SandboxConfig::default()).await;
    let org = client(&sb).organization().await.unwrap();
    assert_eq!(org.body.id, guestpass_sandbox::TENANT_ID);
    assert_eq!(org.body.initial_domain(), Some(guestpass_sandbox::TENANT_DOMAIN));
    assert!(org.request_id.is_some());
}

#[tokio::test]
async fn follows_next_links_through_every_page() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb);
    let url = c.graph_url("v1.0/users?$top=3&$select=id,mail");
    let users: Vec<User> = c.list_all(url, None).await.unwrap();
    assert_eq!(users.len(), 14, "12 members and 2 guests are seeded");
    let mut ids: Vec<_> = users.iter().map(|u| u.id.clone()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 14);
    let limited: Vec<User> = c.list_all(c.graph_url("v1.0/users?$top=3"), Some(4)).await.unwrap();
    assert_eq!(limited.len(), 4);
}

#[tokio::test]
async fn finds_people_by_any_of_their_addresses_ignoring_case() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb);
    let found = c.find_users_by_email("ANA.SOUZA@fabrikam.example").await.unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].is_guest());
    assert!(c
        .find_users_by_email("nobody@nowhere.example")
        .await
        .unwrap()
        .is_empty());
    let guests = c.list_guests(None).await.unwrap();
    assert_eq!(guests.len(), 2);
}

#[tokio::test]
async fn invites_and_reinvites_as_the_same_user() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb);
    let first = c.invite(&invitation("new.partner@partner.example")).await.unwrap();
    assert_eq!(first.body.status, "PendingAcceptance");
    assert!(first
        .body
        .invite_redeem_url
        .as_deref()
        .unwrap()
        .starts_with("https://login.microsoftonline.com/redeem"));
    let again = c.invite(&invitation("New.Partner@partner.example")).await.unwrap();
    assert_eq!(again.body.invited_user.id, first.body.invited_user.id);
    assert_ne!(again.body.id, first.body.id, "each invitation is its own object");
    assert_eq!(sb.stats().guests_created, 1);
}

#[tokio::test]
async fn graph_refuses_forbidden_characters_and_a_missing_redirect() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb);
    let e = c.invite(&invitation("jane#doe@partner.example")).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.code(), Some("BadRequest"));
    assert!(e.request_id().is_some());
    let mut no_redirect = invitation("jane@partner.example");
    no_redirect.invite_redirect_url = String::new();
    let e = c.invite(&no_redirect).await.unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert!(e.to_string().contains("inviteRedirectUrl"), "{e}");
}

#[tokio::test]
async fn a_new_guest_404s_until_replicated() {
    let sb = sandbox(SandboxConfig {
        replication_delay_ms: 400,
        ..Default::default()
    })
    .await;
    let c = client(&sb);
    let inv = c.invite(&invitation("slow@partner.example")).await.unwrap();
    let e = c.get_user(&inv.body.invited_user.id).await.unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.code(), Some("Request_ResourceNotFound"));
    tokio::time::sleep(Duration::from_millis(450)).await;
    let user = c.get_user(&inv.body.invited_user.id).await.unwrap().body;
    assert_eq!(user.mail.as_deref(), Some("slow@partner.example"));
    assert!(user.user_principal_name.unwrap().contains("#EXT#"));
}

#[tokio::test]
async fn guest_upn_with_hash_reads_back() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb);
    let upn = format!("ana.souza_fabrikam.example#EXT#@{}", guestpass_sandbox::TENANT_DOMAIN);
    let user = c.get_user(&upn).await.unwrap().body;
    assert_eq!(user.mail.as_deref(), Some("ana.souza@fabrikam.example"));
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let sb = sandbox(SandboxConfig::default()).await;
    sb.push_fault(fault("/v1.0/organization", 429, 2, Some(1)));
    let started = Instant::now();
    let org = client(&sb).organization().await.unwrap();
    assert_eq!(org.body.id, guestpass_sandbox::TENANT_ID);
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited {:?}, the service asked for 2 × 1 s",
        started.elapsed()
    );
    assert_eq!(sb.stats().requests, 3);
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_fails_at_once_with_the_wait() {
    let sb = sandbox(SandboxConfig::default()).await;
    sb.push_fault(fault("/v1.0/organization", 429, 1, Some(600)));
    let e = client(&sb).organization().await.unwrap_err();
    let s = e.service().unwrap();
    assert_eq!(s.status, 429);
    assert_eq!(s.retry_after, Some(Duration::from_secs(600)));
    assert!(e.hint().contains("600 s"), "{}", e.hint());
    assert_eq!(sb.stats().requests, 1);
}

#[tokio::test]
async fn the_resource_unit_budget_throttles_and_the_client_rides_it_out() {
    // Budget of 4 units per (time-compressed) window: 1 s instead of 10 s.
    let throttle = ThrottleConfig {
        resource_units: Some(4),
        time_scale: 10.0,
        ..Default::default()
    };
    let sb = sandbox(SandboxConfig {
        throttle,
        ..Default::default()
    })
    .await;
    let c = client(&sb);
    for _ in 0..6 {
        c.organization().await.unwrap();
    }
    assert!(sb.stats().throttled >= 1, "{:?}", sb.stats());
}

#[tokio::test]
async fn server_errors_are_retried_for_reads() {
    let sb = sandbox(SandboxConfig::default()).await;
    sb.push_fault(fault("/v1.0/users", 503, 2, None));
    let guests = client(&sb).list_guests(None).await.unwrap();
    assert_eq!(guests.len(), 2);
}

#[tokio::test]
async fn server_errors_are_not_blindly_retried_for_invitations() {
    let sb = sandbox(SandboxConfig::default()).await;
    sb.push_fault(fault("/v1.0/invitations", 500, 1, None));
    let e = client(&sb)
        .invite(&invitation("once@partner.example"))
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert_eq!(e.code(), Some("InternalServerError"));
    assert_eq!(sb.stats().invitations_created, 0);
}

#[tokio::test]
async fn an_expired_token_is_renewed_once() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb);
    c.organization().await.unwrap();
    sb.expire_tokens();
    c.organization().await.unwrap();
    assert_eq!(sb.stats().token_requests, 2);
}

#[tokio::test]
async fn a_token_that_keeps_failing_is_reported_as_sign_in_trouble() {
    // Tokens that expire the moment they are issued: the one renewal does not help.
    let sb = sandbox(SandboxConfig {
        token_lifetime_s: 0,
        ..Default::default()
    })
    .await;
    let e = client(&sb).organization().await.unwrap_err();
    assert_eq!(e.status(), Some(401));
    assert_eq!(e.code(), Some("InvalidAuthenticationToken"));
    assert!(e.hint().contains("Sign in again"));
}

#[tokio::test]
async fn wrong_secret_and_unknown_tenant_fail_sign_in_with_entra_codes() {
    let sb = sandbox(SandboxConfig::default()).await;
    let e = client_with(&sb, "wrong", guestpass_sandbox::TENANT_ID)
        .organization()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GraphError::SignIn { error, description, .. } if error == "invalid_client" && description.starts_with("AADSTS7000215")),
        "{e:?}"
    );
    assert!(e.hint().contains("secret"));
    let e = client_with(&sb, guestpass_sandbox::CLIENT_SECRET, "nope.onmicrosoft.com")
        .organization()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GraphError::SignIn { description, .. } if description.starts_with("AADSTS90002")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_missing_permission_is_a_403() {
    let sb = sandbox(SandboxConfig {
        roles: vec!["User.Read.All".into()],
        ..Default::default()
    })
    .await;
    let e = client(&sb).invite(&invitation("x@partner.example")).await.unwrap_err();
    assert_eq!(e.status(), Some(403));
    assert_eq!(e.code(), Some("Authorization_RequestDenied"));
}

#[tokio::test]
async fn an_unreachable_service_is_a_network_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let root = Url::parse(&format!("http://127.0.0.1:{port}")).unwrap();
    let endpoints = Endpoints::loopback(&root);
    let cred = AppOnlyCredential::with_secret(&endpoints.login, "t", "c", "s");
    let fast = RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
        ..Default::default()
    };
    let e = GraphClient::new(endpoints, Arc::new(cred))
        .with_retry_policy(fast)
        .organization()
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::Network { .. }), "{e:?}");
    assert!(e.hint().contains("network"));
}

#[tokio::test]
async fn authorization_policy_reads_and_patches_with_graph_validation() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb);
    let p = c.authorization_policy().await.unwrap().body;
    assert_eq!(p.allow_invites_from, "adminsAndGuestInviters");
    c.update_authorization_policy(&AuthorizationPolicyPatch {
        allow_invites_from: Some("everyone".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    assert_eq!(
        c.authorization_policy().await.unwrap().body.allow_invites_from,
        "everyone"
    );
    let e = c
        .update_authorization_policy(&AuthorizationPolicyPatch {
            guest_user_role_id: Some("not-a-role".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400));
}

#[tokio::test]
async fn batch_lookups_answer_each_address_and_resend_inner_429s() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb).with_retry_policy(RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        ..Default::default()
    });
    // Two inner calls throttled with Retry-After: 1 s; the outer 200 hides them.
    sb.push_fault(
        guestpass_sandbox::Fault::answer(429, "/v1.0/users")
            .on("GET")
            .code("TooManyRequests")
            .message("Too many requests")
            .retry_after(1)
            .times(2),
    );
    let mut emails: Vec<String> = (0..23).map(|i| format!("nobody{i}@nowhere.example")).collect();
    emails.insert(5, "ana.souza@fabrikam.example".into());
    let started = Instant::now();
    let found = c.find_users_by_emails(&emails).await.unwrap();
    assert_eq!(found.len(), 24, "one answer per address, in order, across two batches");
    assert_eq!(found[5].as_ref().unwrap().len(), 1);
    assert!(found
        .iter()
        .enumerate()
        .all(|(i, f)| i == 5 || f.as_ref().unwrap().is_empty()));
    assert!(c.throttled_count() >= 1, "the inner 429s were seen");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "their Retry-After was honoured"
    );
}

#[tokio::test]
async fn one_throttled_call_holds_back_the_others() {
    let sb = sandbox(SandboxConfig::default()).await;
    let c = client(&sb);
    sb.push_fault(
        guestpass_sandbox::Fault::answer(429, "/v1.0/organization")
            .code("TooManyRequests")
            .retry_after(1),
    );
    let started = Instant::now();
    let first = c.clone();
    let a = tokio::spawn(async move { first.organization().await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A different call made while the first waits out its Retry-After waits too, instead of
    // adding load to a throttled tenant.
    let b = c.find_users_by_email("x@y.example").await;
    let b_done = started.elapsed();
    b.unwrap();
    a.await.unwrap().unwrap();
    assert!(
        b_done >= Duration::from_millis(900),
        "the second call went out after {b_done:?}"
    );
    assert_eq!(c.throttled_count(), 1);
}
