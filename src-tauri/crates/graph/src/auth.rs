//! Where access tokens come from: app-only sign-in (client secret or certificate) here;
//! delegated sign-in (browser, device code) in `signin`, the Azure CLI's in `azure_cli`.

use crate::endpoints::join;
use crate::error::GraphError;
use base64::Engine as _;
use serde::Deserialize;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};
use url::Url;

/// The scope every Graph token is asked for, whatever the configured base URL.
pub const GRAPH_SCOPE: &str = "https://graph.microsoft.com/.default";
/// The Power Platform admin API's scope (the double slash is Microsoft's).
pub const POWER_PLATFORM_SCOPE: &str = "https://service.powerapps.com//.default";

/// A bearer token held in memory only.
#[derive(Clone)]
pub struct AccessToken {
    pub secret: String,
    /// When to stop using it (a little before Microsoft's stated expiry).
    pub expires_at: Instant,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken").field("secret", &"<redacted>").finish()
    }
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait TokenSource: Send + Sync {
    /// A token for `scope` (e.g. [`GRAPH_SCOPE`]) valid for a few more minutes; `force_refresh`
    /// skips the cache (used after the service said the token expired).
    fn token<'a>(
        &'a self,
        http: &'a reqwest::Client,
        scope: &'a str,
        force_refresh: bool,
    ) -> BoxFuture<'a, Result<AccessToken, GraphError>>;

    /// Who is signed in, for the change log (the app id for app-only sign-in).
    fn actor(&self) -> String;

    /// Whether calls are made by an app on its own, with no person signed in (then Microsoft
    /// stamps no inviter as a new guest's sponsor, for one).
    fn is_app_only(&self) -> bool {
        false
    }
}

/// One token per scope (Graph, Power Platform, each Dataverse environment), in memory only.
#[derive(Default)]
pub(crate) struct TokenCache(tokio::sync::Mutex<std::collections::HashMap<String, AccessToken>>);

impl TokenCache {
    /// The cached token for `scope` while it is fresh, else the result of `fetch` (kept).
    pub(crate) async fn get_or_fetch(
        &self,
        scope: &str,
        force_refresh: bool,
        fetch: impl Future<Output = Result<AccessToken, GraphError>>,
    ) -> Result<AccessToken, GraphError> {
        let mut cached = self.0.lock().await;
        if let Some(t) = cached.get(scope) {
            if !force_refresh && t.expires_at > Instant::now() {
                return Ok(t.clone());
            }
        }
        let fresh = fetch.await?;
        cached.insert(scope.to_string(), fresh.clone());
        Ok(fresh)
    }

    pub(crate) async fn insert(&self, scope: &str, token: AccessToken) {
        self.0.lock().await.insert(scope.to_string(), token);
    }
}

/// How an app proves who it is to the token endpoint.
pub enum AppProof {
    Secret(String),
    Certificate(crate::certificate::ClientCertificate),
}

/// OAuth 2.0 client credentials (app-only), with a client secret or a certificate.
pub struct AppOnlyCredential {
    token_url: Url,
    client_id: String,
    proof: AppProof,
    cached: TokenCache,
}

impl std::fmt::Debug for AppOnlyCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let proof = match &self.proof {
            AppProof::Secret(_) => "client secret <redacted>".to_string(),
            AppProof::Certificate(c) => format!("certificate {}", c.thumbprint_sha1()),
        };
        f.debug_struct("AppOnlyCredential")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("proof", &proof)
            .finish()
    }
}

/// The `client_assertion_type` of a certificate's signed JWT (RFC 7523).
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Refresh this long before the token's stated expiry.
const EXPIRY_MARGIN: Duration = Duration::from_secs(300);

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
}

#[derive(Deserialize)]
struct TokenError {
    error: String,
    #[serde(default)]
    error_description: String,
}

/// Why a sign-in answer could not be read, without quoting it (serde's message can repeat a
/// value, and sign-in answers carry tokens and codes).
pub(crate) fn undisclosed(e: &serde_json::Error) -> String {
    format!(
        "not the JSON Microsoft documents (line {}, column {})",
        e.line(),
        e.column()
    )
}

/// An error answer from Entra's sign-in endpoints, keeping its `error` and AADSTS description.
pub(crate) fn sign_in_error(status: u16, body: &[u8]) -> GraphError {
    match serde_json::from_slice::<TokenError>(body) {
        Ok(e) => GraphError::SignIn {
            error: e.error,
            description: e.error_description,
            status,
        },
        Err(_) => GraphError::SignIn {
            error: "unexpected_response".into(),
            description: format!("the sign-in endpoint answered HTTP {status}"),
            status,
        },
    }
}

impl AppOnlyCredential {
    pub fn new(login: &Url, tenant: &str, client_id: &str, proof: AppProof) -> AppOnlyCredential {
        let tenant = url::form_urlencoded::byte_serialize(tenant.as_bytes()).collect::<String>();
        AppOnlyCredential {
            token_url: join(login, &format!("{tenant}/oauth2/v2.0/token")),
            client_id: client_id.to_string(),
            proof,
            cached: TokenCache::default(),
        }
    }

    pub fn with_secret(login: &Url, tenant: &str, client_id: &str, client_secret: &str) -> AppOnlyCredential {
        Self::new(login, tenant, client_id, AppProof::Secret(client_secret.to_string()))
    }

    async fn fetch(&self, http: &reqwest::Client, scope: &str) -> Result<AccessToken, GraphError> {
        let mut form = vec![
            ("client_id", self.client_id.clone()),
            ("scope", scope.to_string()),
            ("grant_type", "client_credentials".to_string()),
        ];
        match &self.proof {
            AppProof::Secret(secret) => form.push(("client_secret", secret.clone())),
            AppProof::Certificate(cert) => {
                form.push(("client_assertion_type", CLIENT_ASSERTION_TYPE.to_string()));
                // A fresh assertion per request: each carries its own id and short lifetime.
                form.push((
                    "client_assertion",
                    cert.client_assertion(self.token_url.as_str(), &self.client_id),
                ));
            }
        }
        let host = self.token_url.host_str().unwrap_or_default().to_string();
        let resp = http
            .post(self.token_url.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| GraphError::Network {
                host: host.clone(),
                reason: crate::client::describe_reqwest(&e),
            })?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| GraphError::Network {
            host,
            reason: crate::client::describe_reqwest(&e),
        })?;
        if status == 200 {
            let t: TokenResponse = serde_json::from_slice(&body).map_err(|e| GraphError::Decode {
                url: self.token_url.to_string(),
                reason: crate::auth::undisclosed(&e),
            })?;
            // Treat the token as expired a little early, so a call never starts with a token
            // about to lapse.
            let lifetime = Duration::from_secs(t.expires_in);
            let margin = EXPIRY_MARGIN.min(lifetime / 2);
            return Ok(AccessToken {
                secret: t.access_token,
                expires_at: Instant::now() + lifetime - margin,
            });
        }
        Err(sign_in_error(status, &body))
    }
}

impl TokenSource for AppOnlyCredential {
    fn token<'a>(
        &'a self,
        http: &'a reqwest::Client,
        scope: &'a str,
        force_refresh: bool,
    ) -> BoxFuture<'a, Result<AccessToken, GraphError>> {
        Box::pin(self.cached.get_or_fetch(scope, force_refresh, self.fetch(http, scope)))
    }

    fn actor(&self) -> String {
        format!("app:{}", self.client_id)
    }

    fn is_app_only(&self) -> bool {
        true
    }
}

/// The permissions an access token issued by Entra carries: its `scp` claim (delegated,
/// space-separated) or its `roles` claim (app-only), when the token is a JWT. Read for display
/// only; the token is not validated here (the service does that).
pub fn granted_permissions(access_token: &str) -> Option<String> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims = access_token.split('.').nth(1)?;
    let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).ok()?).ok()?;
    if let Some(scp) = claims["scp"].as_str() {
        return Some(scp.to_string());
    }
    let roles: Vec<&str> = claims["roles"].as_array()?.iter().filter_map(|r| r.as_str()).collect();
    Some(roles.join(" "))
}
