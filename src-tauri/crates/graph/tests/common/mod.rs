//! Shared by the client's tests against the sandbox.
#![allow(dead_code)] // each test file uses its own subset

use guestpass_graph::models::InvitationRequest;
use guestpass_graph::{AppOnlyCredential, Endpoints, GraphClient, RetryPolicy};
use guestpass_sandbox::{Fault, SandboxConfig, SandboxHandle, Storage};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

pub async fn sandbox(config: SandboxConfig) -> SandboxHandle {
    guestpass_sandbox::start(Storage::Memory, 0, config).await.unwrap()
}

pub fn client_with(sb: &SandboxHandle, secret: &str, tenant: &str) -> GraphClient {
    let root = Url::parse(&sb.url()).unwrap();
    let endpoints = Endpoints::loopback(&root);
    let cred = AppOnlyCredential::with_secret(&endpoints.login, tenant, guestpass_sandbox::CLIENT_ID, secret);
    GraphClient::new(endpoints, Arc::new(cred)).with_retry_policy(RetryPolicy {
        max_retries: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        max_retry_after: Duration::from_secs(5),
    })
}

pub fn client(sb: &SandboxHandle) -> GraphClient {
    client_with(sb, guestpass_sandbox::CLIENT_SECRET, guestpass_sandbox::TENANT_ID)
}

pub fn invitation(email: &str) -> InvitationRequest {
    InvitationRequest {
        invited_user_email_address: email.into(),
        invite_redirect_url: "https://myapps.microsoft.com".into(),
        invited_user_display_name: Some("Test Guest".into()),
        ..Default::default()
    }
}

pub fn fault(prefix: &str, status: u16, count: u32, retry_after: Option<u64>) -> Fault {
    let fault = Fault::answer(status, prefix).times(count);
    match retry_after {
        Some(s) => fault.retry_after(s),
        None => fault,
    }
}
