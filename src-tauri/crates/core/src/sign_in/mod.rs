//! Signing in to real tenants the way Microsoft admins expect (the system browser with PKCE,
//! or a device code), remembering how in a tenant profile, and keeping the refresh token in
//! the OS keychain only. Access tokens stay in memory.

use crate::engine::Engine;
use crate::problem::{Problem, ProblemKind};
use guestpass_graph::azure_cli::{AzureCliCredential, AZURE_CLI_CLIENT_ID};
use guestpass_graph::signin::{self, Authority, BrowserSignIn, DelegatedCredential, TokenSet, SIGN_IN_SCOPE};
use guestpass_graph::{Endpoints, GraphClient, TokenSource, GRAPH_SCOPE};

use guestpass_store::TenantProfile;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;
use ts_rs::TS;

mod app_only;
mod azure_identity;
mod permission_report;
mod profiles;

use app_only::connect_app_only;
pub use app_only::{save_app_only, secret_account, AppOnlySecret};
pub use azure_identity::{save_azure_identity, SYSTEM_ASSIGNED};
pub use permission_report::{
    app_step_permissions, registration_guide, required_permissions, step_permissions, RegistrationGuide, StepPermission,
};
pub use profiles::{
    chosen_profile, find_profile, forget_practice_sign_ins, permission_report_of, profiles, remember_choice, sign_out,
};

/// How long the browser sign-in waits for the admin.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SignInWay {
    /// The system browser (authorization code with PKCE). The default.
    Browser,
    /// A code typed at Microsoft's device login page, for machines without a browser.
    DeviceCode,
    /// The admin's existing `az login` (the Azure CLI keeps the sign-in; Guestpass keeps nothing).
    AzureCli,
}

impl SignInWay {
    fn as_str(self) -> &'static str {
        match self {
            SignInWay::Browser => BROWSER,
            SignInWay::DeviceCode => DEVICE_CODE,
            SignInWay::AzureCli => AZURE_CLI,
        }
    }
}

/// A profile's `sign_in` value: how it signs in (migration 0007 lists the same).
pub const BROWSER: &str = "browser";
pub const DEVICE_CODE: &str = "deviceCode";
pub const AZURE_CLI: &str = "azureCli";
pub const CLIENT_SECRET: &str = "clientSecret";
pub const CLIENT_CERTIFICATE: &str = "clientCertificate";
pub const MANAGED_IDENTITY: &str = "managedIdentity";
pub const WORKLOAD_IDENTITY: &str = "workloadIdentity";

/// What the admin enters to sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    /// Tenant id or domain (e.g. `contoso.onmicrosoft.com`).
    pub tenant: String,
    /// The admin's own app registration (public client, redirect URI `http://localhost`);
    /// not used with the Azure CLI (its tokens are issued to the Azure CLI's own app).
    pub client_id: String,
    pub way: SignInWay,
}

/// What to show for a device-code sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodePrompt {
    pub user_code: String,
    pub verification_uri: String,
    pub message: String,
    pub expires_in_seconds: u32,
}

/// What the admin must do while a sign-in waits on them.
pub enum SignInPrompt {
    /// Open this URL in the system browser (never in the app's webview).
    OpenBrowser(String),
    ShowDeviceCode(DeviceCodePrompt),
}

/// The outcome of a sign-in: the profile, and where the refresh token went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    pub profile: TenantProfile,
    /// The keychain holding the refresh token, or why there is none (then the sign-in lasts
    /// for this session only).
    pub keychain: Result<String, String>,
}

/// The keychain entry of a profile's refresh token: one per sign-in service, tenant, app and
/// way of signing in (not the local row id, which another data folder may reuse).
pub fn refresh_account(p: &TenantProfile) -> String {
    let host = url::Url::parse(&p.login_url)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| format!("{h}{}", u.port().map(|p| format!(":{p}")).unwrap_or_default()))
        })
        .unwrap_or_default();
    format!("{host}/{}/{}/{}/refresh", p.tenant, p.client_id, p.sign_in)
}

/// Puts a secret in the keychain: the keychain's name, or why it could not be kept.
async fn keep_in_keychain(account: &str, secret: &str) -> Result<String, String> {
    guestpass_keychain::set(account, secret)
        .await
        .map_err(|e| e.to_string())?;
    guestpass_keychain::init()
        .await
        .map(str::to_string)
        .map_err(|e| e.to_string())
}

/// Keeps rotated refresh tokens in the keychain (best effort: a failure is logged, never shown
/// with the token).
fn keep_rotated(profile: &TenantProfile) -> signin::OnRefresh {
    let account = refresh_account(profile);
    Arc::new(move |token: &str| {
        let (account, token) = (account.clone(), token.to_string());
        tokio::spawn(async move {
            if let Err(e) = guestpass_keychain::set(&account, &token).await {
                tracing::warn!("the renewed sign-in could not be kept in the keychain: {e}");
            }
        });
    })
}

/// Signs in (waiting on the admin through `prompt`), reads who signed in and the tenant,
/// saves the profile and puts the refresh token in the keychain. Returns the connected engine.
pub async fn sign_in(
    data_dir: &std::path::Path,
    endpoints: Endpoints,
    req: &SignInRequest,
    prompt: impl FnOnce(SignInPrompt),
) -> Result<(SignedIn, Engine), Problem> {
    let tenant = crate::validate::tenant("tenant", &req.tenant);
    let client_id = match req.way {
        SignInWay::AzureCli => Ok(AZURE_CLI_CLIENT_ID.to_string()),
        _ => crate::validate::client_id("clientId", &req.client_id),
    };
    let (tenant, client_id) = match (tenant, client_id) {
        (Ok(t), Ok(c)) => (t, c),
        (t, c) => {
            let fields = [t.err(), c.err()].into_iter().flatten().collect();
            return Err(Problem::invalid(fields));
        }
    };
    let (tenant, client_id) = (tenant.as_str(), client_id.as_str());
    if req.way == SignInWay::AzureCli {
        return sign_in_with_azure_cli(data_dir, endpoints, tenant).await;
    }
    let authority = Authority {
        login: endpoints.login.clone(),
        tenant: tenant.to_string(),
        client_id: client_id.to_string(),
    };
    let http = reqwest::Client::new();
    let tokens: TokenSet = match req.way {
        SignInWay::Browser => {
            let flow = BrowserSignIn::start(&authority, SIGN_IN_SCOPE)
                .await
                .map_err(|e| Problem::from_graph("Starting the sign-in", &e))?;
            prompt(SignInPrompt::OpenBrowser(flow.authorize_url.to_string()));
            flow.finish(&http, BROWSER_TIMEOUT)
                .await
                .map_err(|e| Problem::from_graph("Signing in", &e))?
        }
        SignInWay::DeviceCode => {
            let code = signin::request_device_code(&http, &authority, SIGN_IN_SCOPE)
                .await
                .map_err(|e| Problem::from_graph("Asking Microsoft for a device code", &e))?;
            prompt(SignInPrompt::ShowDeviceCode(DeviceCodePrompt {
                user_code: code.user_code.clone(),
                verification_uri: code.verification_uri.clone(),
                message: code.message.clone(),
                expires_in_seconds: code.expires_in.as_secs() as u32,
            }));
            signin::poll_device_code(&http, &authority, &code)
                .await
                .map_err(|e| Problem::from_graph("Signing in with the device code", &e))?
        }
        SignInWay::AzureCli => unreachable!("handled above"),
    };

    // Who signed in, to which tenant (with the fresh access token; nothing is renewed yet).
    let probe = DelegatedCredential::new(authority.clone(), "", &tokens.refresh_token, Arc::new(|_| {}))
        .with_access_token(GRAPH_SCOPE, tokens.access.clone())
        .await;
    let (tenant_id, profile) = save_signed_in_profile(
        data_dir,
        &endpoints,
        Arc::new(probe),
        req.way.as_str(),
        client_id,
        Some(tokens.scope.clone()),
    )
    .await?;
    let keychain = keep_in_keychain(&refresh_account(&profile), &tokens.refresh_token).await;
    let credential = DelegatedCredential::new(
        Authority {
            tenant: tenant_id,
            ..authority
        },
        profile.username.as_deref().unwrap_or(&profile.client_id),
        &tokens.refresh_token,
        keep_rotated(&profile),
    )
    .with_access_token(GRAPH_SCOPE, tokens.access)
    .await;
    let engine = Engine::connect_with(data_dir, endpoints, Arc::new(credential), false).await?;
    Ok((SignedIn { profile, keychain }, engine))
}

/// Reads who signed in (`/me`) and the tenant with `credential`, and saves the profile.
/// Returns the tenant's id and the profile.
async fn save_signed_in_profile(
    data_dir: &std::path::Path,
    endpoints: &Endpoints,
    credential: Arc<dyn guestpass_graph::TokenSource>,
    way: &str,
    client_id: &str,
    scopes: Option<String>,
) -> Result<(String, TenantProfile), Problem> {
    let graph = GraphClient::new(endpoints.clone(), credential);
    let me: serde_json::Value = graph
        .send::<(), _>(
            reqwest::Method::GET,
            graph.graph_url("v1.0/me?$select=id,userPrincipalName,displayName"),
            None,
        )
        .await
        .map_err(|e| Problem::from_graph("Reading who signed in", &e))?
        .body;
    let org = graph
        .organization()
        .await
        .map_err(|e| Problem::from_graph("Reading the tenant", &e))?
        .body;
    let store = crate::engine::open_store(data_dir)?;
    let profile = store
        .save_profile(&TenantProfile {
            id: 0,
            tenant: org.id.clone(),
            tenant_name: org.display_name.clone(),
            domain: org.initial_domain().map(str::to_string),
            sign_in: way.into(),
            client_id: client_id.to_string(),
            username: me["userPrincipalName"].as_str().map(str::to_string),
            scopes,
            login_url: endpoints.login.to_string(),
            graph_url: endpoints.graph.to_string(),
            bap_url: endpoints.bap.to_string(),
            last_used: String::new(),
            certificate: None,
        })
        .map_err(Problem::local)?;
    Ok((org.id, profile))
}

/// Saves the profile of an app-only sign-in (a secret, a certificate or an Azure identity)
/// for the tenant `engine` connected to.
fn save_app_profile(
    data_dir: &std::path::Path,
    engine: &Engine,
    endpoints: &Endpoints,
    way: &str,
    client_id: &str,
    certificate: Option<String>,
) -> Result<TenantProfile, Problem> {
    let info = engine.info();
    crate::engine::open_store(data_dir)?
        .save_profile(&TenantProfile {
            id: 0,
            tenant: info.tenant_id.clone(),
            tenant_name: Some(info.tenant_name.clone()),
            domain: Some(info.initial_domain.clone()).filter(|d| !d.is_empty()),
            sign_in: way.into(),
            client_id: client_id.to_string(),
            username: None,
            scopes: None,
            login_url: endpoints.login.to_string(),
            graph_url: endpoints.graph.to_string(),
            bap_url: endpoints.bap.to_string(),
            last_used: String::new(),
            certificate,
        })
        .map_err(Problem::local)
}

/// Reuses the admin's `az login`: reads who is signed in, saves the profile (nothing goes in
/// the keychain: the Azure CLI keeps its own sign-in).
async fn sign_in_with_azure_cli(
    data_dir: &std::path::Path,
    endpoints: Endpoints,
    tenant: &str,
) -> Result<(SignedIn, Engine), Problem> {
    let probe = AzureCliCredential::new(tenant, "");
    // The token's `scp` claim says what the Azure CLI's app may do in this tenant.
    let token = probe
        .token(&reqwest::Client::new(), GRAPH_SCOPE, false)
        .await
        .map_err(|e| Problem::from_graph("Getting a token from the Azure CLI", &e))?;
    let scopes = guestpass_graph::granted_permissions(&token.secret);
    let probe = probe.with_access_token(GRAPH_SCOPE, token.clone()).await;
    let (tenant_id, profile) = save_signed_in_profile(
        data_dir,
        &endpoints,
        Arc::new(probe),
        AZURE_CLI,
        AZURE_CLI_CLIENT_ID,
        scopes,
    )
    .await?;
    // The same token serves the engine: `az` is not asked again until it lapses.
    let credential = AzureCliCredential::new(&tenant_id, profile.username.as_deref().unwrap_or(AZURE_CLI))
        .with_access_token(GRAPH_SCOPE, token)
        .await;
    let engine = Engine::connect_with(data_dir, endpoints, Arc::new(credential), false).await?;
    let signed = SignedIn {
        profile,
        keychain: Ok("Azure CLI (Guestpass keeps no secret for it)".into()),
    };
    Ok((signed, engine))
}

/// [`sign_in`], unless `cancel` finishes first (the admin pressed Cancel): then the browser
/// listener or the device-code polling stops and `None` is returned.
pub async fn sign_in_unless_cancelled(
    data_dir: &std::path::Path,
    endpoints: Endpoints,
    req: &SignInRequest,
    prompt: impl FnOnce(SignInPrompt),
    cancel: impl std::future::Future<Output = ()>,
) -> Result<Option<(SignedIn, Engine)>, Problem> {
    tokio::select! {
        outcome = sign_in(data_dir, endpoints, req, prompt) => outcome.map(Some),
        () = cancel => Ok(None),
    }
}

/// The profile's endpoints, as saved.
fn endpoints_of(p: &TenantProfile) -> Result<Endpoints, Problem> {
    let parse = |name: &str, v: &str| {
        Endpoints::parse_base(name, v)
            .map_err(|e| Problem::on_this_computer(format!("the saved tenant profile has an invalid address: {e}")))
    };
    Ok(Endpoints {
        graph: parse("graph", &p.graph_url)?,
        login: parse("login", &p.login_url)?,
        bap: parse("bap", &p.bap_url)?,
    })
}

/// Connects with a saved profile, renewing the sign-in from the keychain.
pub async fn connect_profile(data_dir: &std::path::Path, profile_id: i64) -> Result<Engine, Problem> {
    let store = crate::engine::open_store(data_dir)?;
    let profile = store.profile(profile_id).map_err(Problem::local)?.ok_or_else(|| {
        Problem::field(
            "profile",
            format!("There is no tenant profile #{profile_id}."),
            "Sign in to the tenant again.",
        )
    })?;
    match profile.sign_in.as_str() {
        CLIENT_SECRET | CLIENT_CERTIFICATE => return connect_app_only(data_dir, &store, &profile).await,
        MANAGED_IDENTITY | WORKLOAD_IDENTITY => {
            return azure_identity::connect_azure_identity(data_dir, &store, &profile).await
        }
        AZURE_CLI => {
            let credential = AzureCliCredential::new(&profile.tenant, profile.username.as_deref().unwrap_or(AZURE_CLI));
            store.touch_profile(profile.id).map_err(Problem::local)?;
            drop(store);
            return Engine::connect_with(data_dir, endpoints_of(&profile)?, Arc::new(credential), false).await;
        }
        _ => {}
    }
    let refresh = guestpass_keychain::get(&refresh_account(&profile))
        .await
        .map_err(|e| Problem {
            kind: ProblemKind::SignIn,
            message: format!(
                "The sign-in to {} cannot be read from the keychain: {e}.",
                profile.tenant_name.as_deref().unwrap_or(&profile.tenant)
            ),
            hint: "Unlock the keychain (or sign in again; without a keychain the sign-in lasts for one session)."
                .into(),
            fields: vec![],
            code: None,
            request_id: None,
        })?;
    let Some(refresh) = refresh else {
        return Err(Problem {
            kind: ProblemKind::SignIn,
            message: format!(
                "Guestpass is not signed in to {} any more.",
                profile.tenant_name.as_deref().unwrap_or(&profile.tenant)
            ),
            hint: "Sign in again.".into(),
            fields: vec![],
            code: None,
            request_id: None,
        });
    };
    let endpoints = endpoints_of(&profile)?;
    let credential = DelegatedCredential::new(
        Authority {
            login: endpoints.login.clone(),
            tenant: profile.tenant.clone(),
            client_id: profile.client_id.clone(),
        },
        profile.username.as_deref().unwrap_or(&profile.client_id),
        &refresh,
        keep_rotated(&profile),
    );
    store.touch_profile(profile.id).map_err(Problem::local)?;
    drop(store);
    Engine::connect_with(data_dir, endpoints, Arc::new(credential), false).await
}

/// Where to sign in: on the built-in sandbox tenant, its own practice Entra; otherwise
/// Microsoft's.
pub fn sign_in_endpoints(current: Option<&crate::ConnectionInfo>) -> Result<Endpoints, Problem> {
    match current {
        Some(info) if info.mode == crate::ConnectionMode::Sandbox => {
            let root = Endpoints::parse_base("sandbox", &info.graph_url).map_err(Problem::on_this_computer)?;
            Ok(Endpoints::loopback(&root))
        }
        _ => Ok(Endpoints::microsoft()),
    }
}

/// What a sign-in in progress tells the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum SignInNotice {
    /// The system browser was asked to open the sign-in page; `url` is given only when it
    /// could not be opened (to copy into a browser by hand).
    Browser {
        url: Option<String>,
    },
    DeviceCode {
        prompt: DeviceCodePrompt,
    },
}
