//! Scripts without secrets: Azure's managed identity (VMs, Automation, App Service, Functions)
//! and workload identity federation (AKS, GitHub Actions, Azure Pipelines) through Microsoft's
//! `azure_identity` crate, behind our [`TokenSource`]. The crate sends its requests through
//! [`SharedTransport`], i.e. our own reqwest client: one HTTP stack, rustls, no OpenSSL.

use crate::auth::{AccessToken, BoxFuture, TokenCache, TokenSource};
use crate::endpoints::Endpoints;
use crate::error::GraphError;
use azure_core::credentials::TokenCredential;
use azure_core::http::{AsyncRawResponse, ClientOptions, HttpClient, Request, Transport};
use azure_identity::{
    ClientAssertionCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
    WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Refresh this long before the token's stated expiry (as for our other credentials).
const EXPIRY_MARGIN: Duration = Duration::from_secs(300);

/// `azure_core`'s transport, answered by our reqwest client.
#[derive(Debug)]
struct SharedTransport(reqwest::Client);

#[async_trait::async_trait]
impl HttpClient for SharedTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        use azure_core::error::{Error, ErrorKind};
        let method = reqwest::Method::from_bytes(request.method().as_str().as_bytes())
            .map_err(|e| Error::with_error(ErrorKind::Other, e, "unknown HTTP method"))?;
        let mut req = self.0.request(method, request.url().as_str());
        for (name, value) in request.headers().iter() {
            req = req.header(name.as_str(), value.as_str());
        }
        // Identity requests are small forms and queries; the crate never streams a body to them.
        if let azure_core::http::request::Body::Bytes(bytes) = request.body() {
            req = req.body(bytes.to_vec());
        }
        let resp = req.send().await.map_err(|e| {
            let kind = if e.is_connect() {
                ErrorKind::Connection
            } else {
                ErrorKind::Io
            };
            Error::with_message(kind, crate::client::describe_reqwest(&e))
        })?;
        let status = resp.status().as_u16();
        let mut headers = azure_core::http::headers::Headers::new();
        for (name, value) in resp.headers() {
            if let Ok(value) = value.to_str() {
                headers.insert(name.as_str().to_owned(), value.to_owned());
            }
        }
        let body = resp
            .bytes()
            .await
            .map_err(|e| Error::with_message(ErrorKind::Io, crate::client::describe_reqwest(&e)))?;
        Ok(AsyncRawResponse::from_bytes(status.into(), headers, body.to_vec()))
    }
}

fn client_options(http: &reqwest::Client) -> ClientOptions {
    ClientOptions {
        transport: Some(Transport::new(Arc::new(SharedTransport(http.clone())))),
        ..Default::default()
    }
}

/// Which Azure identity signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AzureIdentityKind {
    /// The machine's managed identity; `client_id` picks a user-assigned one.
    ManagedIdentity { client_id: Option<String> },
    /// A federated token from the file named by `AZURE_FEDERATED_TOKEN_FILE`, exchanged for the
    /// app registration `client_id` (else `AZURE_CLIENT_ID`) in `tenant_id` (else `AZURE_TENANT_ID`).
    WorkloadIdentity {
        tenant_id: Option<String>,
        client_id: Option<String>,
    },
}

impl AzureIdentityKind {
    fn label(&self) -> &'static str {
        match self {
            AzureIdentityKind::ManagedIdentity { .. } => "managed identity",
            AzureIdentityKind::WorkloadIdentity { .. } => "workload identity",
        }
    }
}

/// App-only tokens from an Azure identity; nothing to store, nothing secret on disk.
pub struct AzureIdentityCredential {
    kind: AzureIdentityKind,
    inner: Arc<dyn TokenCredential>,
    actor: String,
    cached: TokenCache,
}

impl std::fmt::Debug for AzureIdentityCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AzureIdentityCredential")
            .field("kind", &self.kind)
            .finish()
    }
}

impl AzureIdentityCredential {
    /// Reads the variables Azure's tools set (`IDENTITY_ENDPOINT`/`IDENTITY_HEADER` or IMDS for
    /// managed identity; `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_FEDERATED_TOKEN_FILE` for
    /// workload identity). Federated tokens are exchanged at `endpoints.login`, which the crate
    /// accepts only over https.
    pub fn new(
        kind: AzureIdentityKind,
        endpoints: &Endpoints,
        http: &reqwest::Client,
    ) -> Result<AzureIdentityCredential, GraphError> {
        let refused = |e: azure_core::Error| GraphError::AzureIdentity {
            kind: kind.label().into(),
            said: e.to_string(),
        };
        let (inner, actor): (Arc<dyn TokenCredential>, String) = match &kind {
            AzureIdentityKind::ManagedIdentity { client_id } => {
                let options = ManagedIdentityCredentialOptions {
                    user_assigned_id: client_id.clone().map(UserAssignedId::ClientId),
                    client_options: client_options(http),
                };
                let actor = match client_id {
                    Some(id) => format!("managed identity {id}"),
                    None => "managed identity (system-assigned)".into(),
                };
                (ManagedIdentityCredential::new(Some(options)).map_err(refused)?, actor)
            }
            AzureIdentityKind::WorkloadIdentity { tenant_id, client_id } => {
                let mut cloud = azure_core::cloud::CustomConfiguration::default();
                cloud.authority_host = endpoints.login.as_str().trim_end_matches('/').to_string();
                let mut client_options = client_options(http);
                client_options.cloud = Some(Arc::new(cloud.into()));
                let options = WorkloadIdentityCredentialOptions {
                    credential_options: ClientAssertionCredentialOptions { client_options },
                    tenant_id: tenant_id.clone(),
                    client_id: client_id.clone(),
                    token_file_path: None, // AZURE_FEDERATED_TOKEN_FILE, re-read as it rotates
                };
                let app = client_id.clone().or_else(|| std::env::var("AZURE_CLIENT_ID").ok());
                let actor = format!("workload identity {}", app.unwrap_or_default());
                (WorkloadIdentityCredential::new(Some(options)).map_err(refused)?, actor)
            }
        };
        Ok(AzureIdentityCredential {
            kind,
            inner,
            actor,
            cached: TokenCache::default(),
        })
    }

    /// The app (client) id tokens are issued to, when known before the first token.
    pub fn client_id(&self) -> Option<String> {
        match &self.kind {
            AzureIdentityKind::ManagedIdentity { client_id } => client_id.clone(),
            AzureIdentityKind::WorkloadIdentity { client_id, .. } => {
                client_id.clone().or_else(|| std::env::var("AZURE_CLIENT_ID").ok())
            }
        }
    }

    async fn fetch(&self, scope: &str) -> Result<AccessToken, GraphError> {
        let token = self.inner.get_token(&[scope], None).await.map_err(|e| {
            // The token endpoint's own refusal (AADSTS…) is kept as a sign-in error.
            match sign_in_refusal(&e) {
                Some(err) => err,
                None => GraphError::AzureIdentity {
                    kind: self.kind.label().into(),
                    said: e.to_string(),
                },
            }
        })?;
        let left = token.expires_on - azure_core::time::OffsetDateTime::now_utc();
        let left = Duration::from_secs(left.whole_seconds().max(0) as u64);
        Ok(AccessToken {
            secret: token.token.secret().to_string(),
            expires_at: Instant::now() + left.saturating_sub(EXPIRY_MARGIN).max(Duration::from_secs(30)),
        })
    }
}

/// Entra's `{"error","error_description"}` answer inside the crate's error, if that is what it is.
fn sign_in_refusal(e: &azure_core::Error) -> Option<GraphError> {
    let said = e.to_string();
    let start = said.find("AADSTS")?;
    let description = said[start..].to_string();
    let error = if description.starts_with("AADSTS7000") || description.starts_with("AADSTS70021") {
        "invalid_client"
    } else {
        "invalid_request"
    };
    Some(GraphError::SignIn {
        error: error.into(),
        description,
        status: 400,
    })
}

impl TokenSource for AzureIdentityCredential {
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

    /// Managed and workload identities are apps: nobody is signed in.
    fn is_app_only(&self) -> bool {
        true
    }
}
