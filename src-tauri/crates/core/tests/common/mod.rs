//! An engine connected to a fresh in-memory sandbox, with quick retries.
#![allow(dead_code)]

use guestpass_core::engine::VerifyPolicy;
use guestpass_core::{Connection, ConnectionConfig, Engine};
use guestpass_graph::{Endpoints, RetryPolicy};
use guestpass_sandbox::{SandboxConfig, SandboxHandle, Storage};
use std::time::Duration;

pub struct Setup {
    pub sb: SandboxHandle,
    pub engine: Engine,
    pub _dir: tempfile::TempDir,
}

pub async fn setup(config: SandboxConfig) -> Setup {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = url::Url::parse(&sb.url()).unwrap();
    let settings = ConnectionConfig {
        data_dir: dir.path().to_path_buf(),
        connection: Connection::AppOnly {
            tenant: guestpass_sandbox::TENANT_ID.into(),
            client_id: guestpass_sandbox::CLIENT_ID.into(),
            secret: guestpass_core::sign_in::AppOnlySecret::ClientSecret(guestpass_sandbox::CLIENT_SECRET.into()),
            endpoints: Endpoints::loopback(&root),
            is_sandbox: true,
        },
    };
    let engine = Engine::connect(settings)
        .await
        .unwrap()
        .with_retry_policy(RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            ..Default::default()
        })
        .with_sync_policy(guestpass_core::onboarding::dataverse::SyncPolicy {
            every: Duration::from_millis(50),
            give_up_after: Duration::from_secs(5),
        })
        .with_verify_policy(VerifyPolicy {
            attempts: 10,
            first_delay: Duration::from_millis(50),
            max_delay: Duration::from_millis(200),
        });
    Setup { sb, engine, _dir: dir }
}

/// Invites `email` (landing on My Apps) and returns the guest with their new id.
pub async fn invited(s: &Setup, email: &str) -> guestpass_core::GuestRef {
    let out = s
        .engine
        .invite_guest(&guestpass_core::InviteRequest {
            email: email.into(),
            redirect_url: "https://myapps.microsoft.com".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    guestpass_core::GuestRef {
        email: email.into(),
        user_id: Some(out.user_id),
    }
}

/// A second engine on the same data folder and sandbox, as after a restart.
pub async fn reconnect(s: &Setup) -> Engine {
    let root = url::Url::parse(&s.sb.url()).unwrap();
    Engine::connect(ConnectionConfig {
        data_dir: s._dir.path().to_path_buf(),
        connection: Connection::AppOnly {
            tenant: guestpass_sandbox::TENANT_ID.into(),
            client_id: guestpass_sandbox::CLIENT_ID.into(),
            secret: guestpass_core::sign_in::AppOnlySecret::ClientSecret(guestpass_sandbox::CLIENT_SECRET.into()),
            endpoints: Endpoints::loopback(&root),
            is_sandbox: true,
        },
    })
    .await
    .unwrap()
}
