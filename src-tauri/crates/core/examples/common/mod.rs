//! What the benches share: their command-line options and an engine signed in to the sandbox.

use guestpass_core::{Connection, ConnectionConfig, Engine};
use guestpass_graph::Endpoints;
use guestpass_sandbox::SandboxHandle;

/// The value after `name` on the command line, or `default`.
pub fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}

/// An engine signed in to the sandbox as its app, keeping its history in `dir`.
pub async fn connect(sb: &SandboxHandle, dir: &std::path::Path) -> Engine {
    Engine::connect(ConnectionConfig {
        data_dir: dir.to_path_buf(),
        connection: Connection::AppOnly {
            tenant: guestpass_sandbox::TENANT_ID.into(),
            client_id: guestpass_sandbox::CLIENT_ID.into(),
            secret: guestpass_core::sign_in::AppOnlySecret::ClientSecret(guestpass_sandbox::CLIENT_SECRET.into()),
            endpoints: Endpoints::loopback(&url::Url::parse(&sb.url()).expect("the sandbox's URL")),
            is_sandbox: true,
        },
    })
    .await
    .expect("connect")
}
