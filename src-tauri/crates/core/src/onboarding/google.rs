//! Google federation: lets people with Gmail addresses redeem invitations with their Google
//! sign-in. Guestpass shows the redirect URIs for the Google Cloud console, creates the Google
//! identity provider in Entra and checks it is listed. The client secret is sent to Microsoft
//! and nowhere else: never logged, never stored.

use crate::action::{
    recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, Verified, CHANGED_SINCE,
};
use crate::engine::Engine;
use crate::problem::{FieldError, Problem, ProblemKind};
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
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
        let action = CreateGoogle {
            target: format!("tenant {}", self.info.tenant_name),
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
        };
        self.run_step(&action).await
    }

    pub(crate) async fn undo_google(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        self.run_step(&RemoveGoogle { row }).await
    }
}

/// The Google provider as the change log records it. The secret appears in the request only:
/// the log gets a redaction mark.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GoogleState {
    pub configured: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

const NOT_RECORDED: &str = "(not recorded)";

struct CreateGoogle {
    target: String,
    client_id: String,
    client_secret: String,
}

impl Action for CreateGoogle {
    type State = GoogleState;
    type Context = ();
    type Answer = String;

    fn logged(&self) -> Logged {
        Logged::Did(ActionKind::CreateGoogleFederation)
    }

    fn target(&self) -> String {
        self.target.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<GoogleState, ()>, Problem> {
        let current = engine.google_federation().await?;
        let before = GoogleState {
            configured: current.configured,
            client_id: current.client_id.clone(),
            ..Default::default()
        };
        let client_id = self.client_id.as_str();
        if current.configured {
            if current.client_id.as_deref() == Some(client_id) {
                return Ok(Plan::AlreadySo {
                    state: before,
                    summary: "Google federation is already set up with this client id.".into(),
                });
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
        Ok(Plan::Change(Change {
            before,
            after: GoogleState {
                configured: true,
                id: None,
                client_id: Some(client_id.to_string()),
                client_secret: Some(NOT_RECORDED.into()),
            },
            would: format!("Would create the Google identity provider with client id {client_id}."),
            done: "Google federation is set up: people with Gmail addresses can now redeem invitations with their Google account.".into(),
            failure: "Creating the Google identity provider".into(),
            blocked: None,
            undoes: None,
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, _: &Change<GoogleState, ()>) -> Result<Applied<String>, Failure> {
        let answer = engine
            .graph
            .create_google_provider(&self.client_id, &self.client_secret)
            .await?;
        Ok(Applied {
            answer: answer.body.id,
            request_id: answer.request_id,
        })
    }

    async fn verify(&self, engine: &Engine, change: Change<GoogleState, ()>, id: &String) -> Verified<GoogleState> {
        let listed = engine.google_federation().await.map(|g| g.configured).unwrap_or(false);
        let summary = if listed {
            change.done.clone()
        } else {
            "Microsoft accepted the Google identity provider, but it is not listed yet; check again in a minute."
                .to_string()
        };
        Verified {
            summary,
            after: GoogleState {
                configured: listed,
                id: Some(id.clone()),
                ..change.after
            },
        }
    }
}

/// Undo: removes the Google provider, if it still uses the client the change set up.
struct RemoveGoogle {
    row: ChangeRecord,
}

impl Action for RemoveGoogle {
    type State = GoogleState;
    type Context = ();
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::Undid(ActionKind::CreateGoogleFederation)
    }

    fn target(&self) -> String {
        self.row.target.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<GoogleState, ()>, Problem> {
        let seq = self.row.seq;
        let made = recorded::<GoogleState>(self.row.after.as_ref()).unwrap_or_default();
        let now = engine.google_federation().await?;
        if !now.configured || now.client_id != made.client_id {
            return Err(refuse(
                "The Google identity provider is gone or uses another client now.".into(),
                CHANGED_SINCE,
            ));
        }
        Ok(Plan::Change(Change {
            before: GoogleState {
                configured: true,
                client_id: made.client_id,
                ..Default::default()
            },
            after: GoogleState::default(),
            would: format!("Would remove the Google identity provider (undoing change #{seq}). Gmail guests would sign in with one-time passcodes again."),
            done: format!("Removed the Google identity provider (undid change #{seq})."),
            failure: "Removing the Google identity provider".into(),
            blocked: None,
            undoes: Some(seq),
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, _: &Change<GoogleState, ()>) -> Result<Applied<()>, Failure> {
        Ok(Applied::id(
            engine.graph.delete_identity_provider(GOOGLE_PROVIDER_ID).await?,
        ))
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
