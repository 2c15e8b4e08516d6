//! Reusing the admin's `az login`: tokens come from `az account get-access-token`, so the
//! Azure CLI keeps the sign-in and Guestpass stores nothing.

use crate::auth::{AccessToken, BoxFuture, TokenCache, TokenSource};
use crate::error::GraphError;
use serde::Deserialize;
use std::time::{Duration, Instant};

/// The Azure CLI's own app registration (Microsoft's first-party public client): the app the
/// tokens are issued to, recorded as the profile's client id.
pub const AZURE_CLI_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/// `az` can be slow to start (Python); past this it is treated as hung.
const AZ_TIMEOUT: Duration = Duration::from_secs(60);

/// Which program to run: `az`, or the one named in `GUESTPASS_AZ` (tests use a stand-in).
pub fn az_program() -> String {
    std::env::var("GUESTPASS_AZ").unwrap_or_else(|_| if cfg!(windows) { "az.cmd".into() } else { "az".into() })
}

pub struct AzureCliCredential {
    tenant: String,
    program: String,
    actor: String,
    cached: TokenCache,
}

impl std::fmt::Debug for AzureCliCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AzureCliCredential")
            .field("tenant", &self.tenant)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzToken {
    access_token: String,
    /// Unix seconds (az 2.54 and later).
    #[serde(default, rename = "expires_on")]
    expires_on: Option<i64>,
}

impl AzureCliCredential {
    /// Tokens for `tenant` (id or domain) from the Azure CLI; `actor` names who is signed in
    /// for the change log (known after the first call to `/me`).
    pub fn new(tenant: &str, actor: &str) -> AzureCliCredential {
        AzureCliCredential {
            tenant: tenant.trim().to_string(),
            program: az_program(),
            actor: actor.to_string(),
            cached: Default::default(),
        }
    }

    /// Seeds the cache with a token already asked of `az` (it is slow to start).
    pub async fn with_access_token(self, scope: &str, token: AccessToken) -> AzureCliCredential {
        self.cached.insert(scope, token).await;
        self
    }

    async fn fetch(&self, scope: &str) -> Result<AccessToken, GraphError> {
        let failed = |reason: &str, said: String| GraphError::AzureCli {
            reason: reason.into(),
            said,
        };
        let run = tokio::process::Command::new(&self.program)
            .args([
                "account",
                "get-access-token",
                "--output",
                "json",
                "--scope",
                scope,
                "--tenant",
                &self.tenant,
            ])
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output();
        let out = match tokio::time::timeout(AZ_TIMEOUT, run).await {
            Err(_) => {
                return Err(failed(
                    "azure_cli_failed",
                    format!(
                        "`az account get-access-token` did not answer within {} s.",
                        AZ_TIMEOUT.as_secs()
                    ),
                ))
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(failed(
                    "azure_cli_missing",
                    "The Azure CLI (az) is not installed, or not on this computer's PATH.".into(),
                ))
            }
            Ok(Err(e)) => {
                return Err(failed(
                    "azure_cli_failed",
                    format!("the Azure CLI could not be started: {e}"),
                ))
            }
            Ok(Ok(out)) => out,
        };
        if !out.status.success() {
            // az's own words (they never include a token), without its "ERROR: " prefix.
            let said = String::from_utf8_lossy(&out.stderr)
                .lines()
                .map(|l| l.trim().trim_start_matches("ERROR:").trim())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let error = if said.contains("az login") {
                "azure_cli_not_signed_in"
            } else {
                "azure_cli_failed"
            };
            return Err(failed(error, format!("The Azure CLI says: {said}")));
        }
        let token: AzToken = serde_json::from_slice(&out.stdout).map_err(|e| GraphError::Decode {
            url: "az account get-access-token".into(),
            reason: crate::auth::undisclosed(&e),
        })?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        // Without `expires_on` (older az), ask again after five minutes.
        let lifetime = token.expires_on.map(|e| (e - now).max(0) as u64).unwrap_or(300);
        let margin = (lifetime / 10).min(120);
        Ok(AccessToken {
            secret: token.access_token,
            expires_at: Instant::now() + Duration::from_secs(lifetime - margin),
        })
    }
}

impl TokenSource for AzureCliCredential {
    fn token<'a>(
        &'a self,
        _http: &'a reqwest::Client,
        scope: &'a str,
        force_refresh: bool,
    ) -> BoxFuture<'a, Result<AccessToken, GraphError>> {
        Box::pin(self.cached.get_or_fetch(scope, force_refresh, self.fetch(scope)))
    }

    fn actor(&self) -> String {
        self.actor.clone()
    }
}
