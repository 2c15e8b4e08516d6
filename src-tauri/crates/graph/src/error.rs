//! Errors from Microsoft's services, keeping what support and the admin need.

use std::time::Duration;

/// An error answer from Graph (or another Microsoft API speaking OData errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub status: u16,
    /// Microsoft's error `code`, e.g. `Request_ResourceNotFound`. Branch on this, never on `message`.
    pub code: String,
    pub message: String,
    /// The `request-id` Microsoft logged the call under (for support tickets).
    pub request_id: Option<String>,
    /// The `client-request-id` this client sent.
    pub client_request_id: String,
    /// How long the service asked us to wait, when it said.
    pub retry_after: Option<Duration>,
}

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Microsoft answered with an error.
    #[error("{} ({}, HTTP {}){}", .0.message, .0.code, .0.status, request_id_suffix(&.0.request_id))]
    Service(ServiceError),
    /// The sign-in endpoint refused to issue a token.
    #[error("sign-in failed: {description} ({error})")]
    SignIn {
        /// OAuth error, e.g. `invalid_client`.
        error: String,
        /// Entra's description, starting with its AADSTS code.
        description: String,
        status: u16,
    },
    /// The Azure CLI could not give a token (`reason`: `azure_cli_missing`,
    /// `azure_cli_not_signed_in` or `azure_cli_failed`; `said`: its own words).
    #[error("{said}")]
    AzureCli { reason: String, said: String },
    /// Azure's managed identity or workload identity federation could not give a token
    /// (`kind` names which; `said`: the identity library's words, which carry no secret).
    #[error("{kind}: {said}")]
    AzureIdentity { kind: String, said: String },
    /// The service could not be reached, or the connection broke before an answer came.
    #[error("could not reach {host}: {reason}")]
    Network { host: String, reason: String },
    /// The answer did not have the shape Microsoft documents.
    #[error("unexpected answer from {url}: {reason}")]
    Decode { url: String, reason: String },
}

fn request_id_suffix(id: &Option<String>) -> String {
    id.as_ref().map(|id| format!(" [request-id {id}]")).unwrap_or_default()
}

impl GraphError {
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            GraphError::Service(e) => Some(e),
            _ => None,
        }
    }

    /// Microsoft's error code (or the OAuth error for sign-in failures).
    pub fn code(&self) -> Option<&str> {
        match self {
            GraphError::Service(e) => Some(&e.code),
            GraphError::SignIn { error, .. } => Some(error),
            GraphError::AzureCli { reason, .. } => Some(reason),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            GraphError::Service(e) => Some(e.status),
            GraphError::SignIn { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        self.service().and_then(|e| e.request_id.as_deref())
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// What the admin can do about it, in plain words.
    pub fn hint(&self) -> String {
        match self {
            GraphError::SignIn { description, .. } if description.starts_with("AADSTS7000215") => {
                "The client secret was rejected. Check that it is the secret's value (not its id) and that it has not expired.".into()
            }
            GraphError::SignIn { description, .. } if description.starts_with("AADSTS700016") => {
                "The client id is not registered in this tenant. Check the application (client) id and the tenant.".into()
            }
            GraphError::SignIn { description, .. } if description.starts_with("AADSTS90002") => {
                "That tenant does not exist. Check the tenant id or domain.".into()
            }
            GraphError::SignIn { description, .. } if description.starts_with("AADSTS700027") => {
                "The certificate was not accepted: it is not (or no longer) listed under the app registration's Certificates & secrets, it has expired there, or this is not its private key. Upload the certificate's public part (.cer or PEM) there and sign with the matching key.".into()
            }
            GraphError::SignIn { description, .. } if description.starts_with("AADSTS700024") => {
                "The certificate's signed request was outside its valid time. Check this computer's clock, then try again.".into()
            }
            GraphError::AzureCli { reason, .. } if reason == "azure_cli_missing" => {
                "Install the Azure CLI and run `az login`, or sign in with the browser instead.".into()
            }
            GraphError::AzureCli { reason, .. } if reason == "azure_cli_not_signed_in" => {
                "Run `az login --tenant <your tenant>` in a terminal, then try again.".into()
            }
            GraphError::AzureCli { .. } => {
                "The Azure CLI could not give a token (see its message). Run `az login --tenant <your tenant>` again, or sign in with the browser.".into()
            }
            GraphError::AzureIdentity { kind, .. } if kind == "managed identity" => {
                "No managed identity answered. Run this on the Azure VM, Automation account, App Service or Function that has the identity (IMDS, or IDENTITY_ENDPOINT and IDENTITY_HEADER set), pass --client-id for a user-assigned identity, and grant the identity Graph's application permissions.".into()
            }
            GraphError::AzureIdentity { .. } => {
                "Workload identity federation needs AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE (set by AKS, or by your pipeline), and a federated credential on the app registration whose issuer, subject and audience (api://AzureADTokenExchange) match the token.".into()
            }
            GraphError::SignIn { description, .. } if description.starts_with("AADSTS70021") => {
                "No federated credential on the app registration matches this token: check its issuer, subject and audience (api://AzureADTokenExchange) under Certificates & secrets › Federated credentials.".into()
            }
            GraphError::SignIn { .. } => "Sign-in was refused. Check the tenant and the app's client id (to sign in as yourself, a public client with the redirect URI http://localhost), or the app's secret or certificate, then sign in again.".into(),
            GraphError::Service(e) => match (e.status, e.code.as_str()) {
                (401, _) => "The sign-in was not accepted (expired or revoked). Sign in again.".into(),
                (403, _) => "The signed-in account or app lacks the permission this step needs. Grant it (and admin consent) in Entra, then try again.".into(),
                (429, _) => format!(
                    "Microsoft is throttling this tenant. Wait {} and try again.",
                    e.retry_after.map(|d| format!("{} s", d.as_secs().max(1))).unwrap_or_else(|| "a minute".into())
                ),
                (500..=599, _) => "Microsoft had a temporary problem. Try again in a minute; if it persists, quote the request-id to Microsoft support.".into(),
                _ => "Check the values you entered against Microsoft's message.".into(),
            },
            GraphError::Network { .. } => "Check the network connection (and any proxy), then try again.".into(),
            GraphError::Decode { .. } => "Microsoft's answer was not understood. Try again; if it persists, report it with the request-id.".into(),
        }
    }
}
