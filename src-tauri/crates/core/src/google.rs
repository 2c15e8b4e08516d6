//! Google federation: lets people with Gmail addresses redeem invitations with their Google
//! sign-in. Guestpass shows the redirect URIs for the Google Cloud console, creates the Google
//! identity provider in Entra and checks it is listed. The client secret is sent to Microsoft
//! and nowhere else: never logged, never stored.

use crate::connect::Engine;
use crate::problem::{FieldError, Problem, ProblemKind};
use crate::steps::StepOutcome;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// Microsoft's id for the Google provider.
pub const GOOGLE_PROVIDER_ID: &str = "Google-OAUTH";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GoogleFederation {
    /// The URIs to add to the Google OAuth client ("Authorized redirect URIs").
    pub redirect_uris: Vec<String>,
    /// Whether the tenant already has the Google provider.
    pub configured: bool,
    /// Its client id, when configured (the secret is never readable).
    pub client_id: Option<String>,
}

/// The redirect URIs Google must accept, for this tenant.
pub fn redirect_uris(tenant_id: &str, initial_domain: &str) -> Vec<String> {
    vec![
        "https://login.microsoftonline.com".into(),
        format!("https://login.microsoftonline.com/te/{tenant_id}/oauth2/authresp"),
        format!("https://login.microsoftonline.com/te/{initial_domain}/oauth2/authresp"),
    ]
}

/// Gmail addresses are what Google federation covers; Google Workspace domains are not.
pub fn is_gmail(email: &str) -> bool {
    let domain = email.rsplit('@').next().unwrap_or_default().to_ascii_lowercase();
    domain == "gmail.com" || domain == "googlemail.com"
}

impl Engine {
    pub async fn google_federation(&self) -> Result<GoogleFederation, Problem> {
        let idps = self
            .graph
            .identity_providers()
            .await
            .map_err(|e| Problem::from_graph("Reading identity providers", &e))?;
        let google = idps
            .into_iter()
            .find(|p| p.id == GOOGLE_PROVIDER_ID || p.identity_provider_type.as_deref() == Some("Google"));
        Ok(GoogleFederation {
            redirect_uris: redirect_uris(&self.info.tenant_id, &self.info.initial_domain),
            configured: google.is_some(),
            client_id: google.and_then(|g| g.client_id),
        })
    }

    /// Creates the Google provider. Already there with the same client id: unchanged.
    pub async fn set_up_google(&self, client_id: &str, client_secret: &str) -> Result<StepOutcome, Problem> {
        let client_id = client_id.trim();
        let mut fields = Vec::new();
        if !client_id.ends_with(".apps.googleusercontent.com") {
            fields.push(FieldError {
                field: "clientId".into(),
                message: "A Google OAuth client id ends with .apps.googleusercontent.com; copy it from the Google Cloud console's Credentials page.".into(),
            });
        }
        if client_secret.trim().is_empty() {
            fields.push(FieldError {
                field: "clientSecret".into(),
                message: "Enter the OAuth client's secret.".into(),
            });
        }
        if !fields.is_empty() {
            return Err(Problem::invalid(fields));
        }
        let target = format!("tenant {}", self.info.tenant_name);
        let current = self.google_federation().await?;
        let before = json!({"configured": current.configured, "clientId": current.client_id});
        if current.configured {
            if current.client_id.as_deref() == Some(client_id) {
                return self.log_unchanged(
                    "google",
                    "create_google_federation",
                    &target,
                    before,
                    "Google federation is already set up with this client id.".into(),
                );
            }
            return Err(Problem {
                kind: ProblemKind::Invalid,
                message: format!(
                    "Google federation is already set up, with client id {}.",
                    current.client_id.unwrap_or_default()
                ),
                hint: "To use another Google client, remove the existing Google identity provider first.".into(),
                fields: vec![FieldError {
                    field: "clientId".into(),
                    message: "A different Google client is already configured.".into(),
                }],
                code: None,
                request_id: None,
            });
        }
        if self.dry_run {
            return Ok(StepOutcome::would(
                "google",
                format!("Would create the Google identity provider with client id {client_id}."),
            ));
        }
        // The secret appears in the request only: the log gets the client id and a redaction mark.
        let attempted =
            json!({"identityProviderType": "Google", "clientId": client_id, "clientSecret": "(not recorded)"});
        self.intend("create_google_federation", &target, &attempted)?;
        let answer = self
            .graph
            .create_google_provider(client_id, client_secret)
            .await
            .map_err(|e| {
                self.log_failed(
                    "create_google_federation",
                    &target,
                    "Creating the Google identity provider",
                    &e,
                    attempted.clone(),
                )
            })?;
        let listed = self.google_federation().await?;
        let summary = if listed.configured {
            "Google federation is set up: people with Gmail addresses can now redeem invitations with their Google account.".to_string()
        } else {
            "Microsoft accepted the Google identity provider, but it is not listed yet; check again in a minute."
                .to_string()
        };
        let after = json!({"configured": listed.configured, "id": answer.body.id, "clientId": client_id, "clientSecret": "(not recorded)"});
        self.log_changed(
            "google",
            "create_google_federation",
            &target,
            before,
            after,
            summary,
            answer.request_id,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_carry_the_tenant() {
        let u = redirect_uris("t-id", "contoso.onmicrosoft.com");
        assert_eq!(u[1], "https://login.microsoftonline.com/te/t-id/oauth2/authresp");
        assert_eq!(
            u[2],
            "https://login.microsoftonline.com/te/contoso.onmicrosoft.com/oauth2/authresp"
        );
    }

    #[test]
    fn gmail_only() {
        assert!(is_gmail("Someone@GMAIL.com"));
        assert!(!is_gmail("someone@workspace-company.com"));
    }
}
