//! Delegated sign-in, as Microsoft admins know it: the authorization code flow with PKCE in
//! the system browser (a loopback listener on 127.0.0.1 waits for the answer carrying this
//! sign-in's `state`), the device-code flow for machines without a browser, and a [`TokenSource`] that
//! keeps access tokens in memory and renews them with the refresh token.
//!
//! Written over the app's own reqwest client rather than the `oauth2` crate: one HTTP stack,
//! and Entra's error bodies (AADSTS codes) reach the admin unchanged.

use crate::auth::{AccessToken, BoxFuture, TokenCache, TokenSource};
use crate::endpoints::join;
use crate::error::GraphError;
use base64::Engine as _;
use rand::Rng;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

/// The scopes Guestpass signs in with: everything consented for the app, plus a refresh token.
pub const SIGN_IN_SCOPE: &str = "https://graph.microsoft.com/.default offline_access";

/// Where and as which app to sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    pub login: Url,
    pub tenant: String,
    pub client_id: String,
}

impl Authority {
    fn endpoint(&self, name: &str) -> Url {
        let tenant = url::form_urlencoded::byte_serialize(self.tenant.as_bytes()).collect::<String>();
        join(&self.login, &format!("{tenant}/oauth2/v2.0/{name}"))
    }
}

/// What a sign-in yields. The refresh token belongs in the OS keychain, nowhere else.
#[derive(Clone)]
pub struct TokenSet {
    pub access: AccessToken,
    pub refresh_token: String,
    /// The permissions granted, space-separated (e.g. `User.Invite.All User.Read`).
    pub scope: String,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: u64,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: String,
}

fn random_string(len: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

fn network(host: &str, e: &reqwest::Error) -> GraphError {
    GraphError::Network {
        host: host.to_string(),
        reason: crate::client::describe_reqwest(e),
    }
}

/// Posts a token request; a refusal keeps Entra's `error` and AADSTS description.
async fn post_token(
    http: &reqwest::Client,
    url: Url,
    form: &[(&str, &str)],
    keep_refresh: Option<&str>,
) -> Result<TokenSet, GraphError> {
    let host = url.host_str().unwrap_or_default().to_string();
    let resp = http
        .post(url.clone())
        .form(form)
        .send()
        .await
        .map_err(|e| network(&host, &e))?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.map_err(|e| network(&host, &e))?;
    if status == 200 {
        let t: TokenAnswer = serde_json::from_slice(&body).map_err(|e| GraphError::Decode {
            url: url.to_string(),
            reason: crate::auth::undisclosed(&e),
        })?;
        let lifetime = Duration::from_secs(t.expires_in);
        let refresh_token = t
            .refresh_token
            .or(keep_refresh.map(str::to_string))
            .ok_or_else(|| GraphError::SignIn {
                error: "no_refresh_token".into(),
                description: "Microsoft issued no refresh token; the app must ask for offline_access.".into(),
                status,
            })?;
        return Ok(TokenSet {
            access: AccessToken {
                secret: t.access_token,
                expires_at: Instant::now() + lifetime - (lifetime / 10).min(Duration::from_secs(300)),
            },
            refresh_token,
            scope: t.scope,
        });
    }
    Err(crate::auth::sign_in_error(status, &body))
}

/// A browser sign-in in progress: open [`BrowserSignIn::authorize_url`] in the system browser
/// (never in the app's webview), then [`BrowserSignIn::finish`].
pub struct BrowserSignIn {
    pub authorize_url: Url,
    listener: tokio::net::TcpListener,
    authority: Authority,
    redirect_uri: String,
    state: String,
    verifier: String,
}

impl BrowserSignIn {
    /// Listens on a random loopback port and builds the authorize URL (PKCE S256, random state).
    pub async fn start(authority: &Authority, scope: &str) -> Result<BrowserSignIn, GraphError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| GraphError::Network {
                host: "127.0.0.1".into(),
                reason: format!("cannot listen for the sign-in answer: {e}"),
            })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let redirect_uri = format!("http://localhost:{port}/");
        let state = random_string(32);
        let verifier = random_string(64);
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let mut authorize_url = authority.endpoint("authorize");
        authorize_url
            .query_pairs_mut()
            .append_pair("client_id", &authority.client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("response_mode", "query")
            .append_pair("scope", scope)
            .append_pair("state", &state)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("prompt", "select_account");
        Ok(BrowserSignIn {
            authorize_url,
            listener,
            authority: authority.clone(),
            redirect_uri,
            state,
            verifier,
        })
    }

    /// Waits (up to `timeout`) for this sign-in's answer — ignoring the browser's other
    /// requests and answers for another sign-in — then closes the listener and redeems the code.
    pub async fn finish(self, http: &reqwest::Client, timeout: Duration) -> Result<TokenSet, GraphError> {
        let answer = tokio::time::timeout(timeout, crate::loopback::wait_for_answer(self.listener, &self.state)).await;
        let Ok(outcome) = answer else {
            return Err(GraphError::SignIn {
                error: "timeout".into(),
                description: format!(
                    "No answer from the browser within {} seconds. Start the sign-in again.",
                    timeout.as_secs()
                ),
                status: 0,
            });
        };
        let code = outcome?;
        post_token(
            http,
            self.authority.endpoint("token"),
            &[
                ("client_id", self.authority.client_id.as_str()),
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &self.redirect_uri),
                ("code_verifier", &self.verifier),
            ],
            None,
        )
        .await
    }
}

/// What to show the admin for a device-code sign-in.
#[derive(Clone)]
pub struct DeviceCode {
    pub user_code: String,
    pub verification_uri: String,
    pub message: String,
    pub expires_in: Duration,
    pub interval: Duration,
    device_code: String,
}

impl std::fmt::Debug for DeviceCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCode")
            .field("user_code", &self.user_code)
            .field("verification_uri", &self.verification_uri)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct DeviceAnswer {
    device_code: String,
    user_code: String,
    verification_uri: String,
    expires_in: u64,
    #[serde(default = "five")]
    interval: u64,
    #[serde(default)]
    message: String,
}

fn five() -> u64 {
    5
}

/// Asks for a device code (the admin types it at the verification page on any device).
pub async fn request_device_code(
    http: &reqwest::Client,
    authority: &Authority,
    scope: &str,
) -> Result<DeviceCode, GraphError> {
    let url = authority.endpoint("devicecode");
    let host = url.host_str().unwrap_or_default().to_string();
    let resp = http
        .post(url.clone())
        .form(&[("client_id", authority.client_id.as_str()), ("scope", scope)])
        .send()
        .await
        .map_err(|e| network(&host, &e))?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.map_err(|e| network(&host, &e))?;
    if status != 200 {
        return Err(crate::auth::sign_in_error(status, &body));
    }
    let d: DeviceAnswer = serde_json::from_slice(&body).map_err(|e| GraphError::Decode {
        url: url.to_string(),
        reason: crate::auth::undisclosed(&e),
    })?;
    Ok(DeviceCode {
        user_code: d.user_code,
        verification_uri: d.verification_uri,
        message: d.message,
        expires_in: Duration::from_secs(d.expires_in),
        interval: Duration::from_secs(d.interval.max(1)),
        device_code: d.device_code,
    })
}

/// Polls until the admin approves, declines, or the code expires: waits `interval` between
/// polls, five seconds more after each `slow_down`, as RFC 8628 says.
pub async fn poll_device_code(
    http: &reqwest::Client,
    authority: &Authority,
    code: &DeviceCode,
) -> Result<TokenSet, GraphError> {
    let deadline = Instant::now() + code.expires_in;
    let mut interval = code.interval;
    loop {
        tokio::time::sleep(interval).await;
        let answer = post_token(
            http,
            authority.endpoint("token"),
            &[
                ("client_id", authority.client_id.as_str()),
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", &code.device_code),
            ],
            None,
        )
        .await;
        match answer {
            Err(GraphError::SignIn { error, .. }) if error == "authorization_pending" => {}
            Err(GraphError::SignIn { error, .. }) if error == "slow_down" => interval += Duration::from_secs(5),
            // A blip (network, Entra briefly unavailable) must not end a wait of many minutes:
            // keep asking until the code expires.
            Err(GraphError::Network { .. }) => {}
            Err(GraphError::SignIn { status, .. }) if status >= 500 => {}
            other => return other,
        }
        if Instant::now() >= deadline {
            return Err(GraphError::SignIn {
                error: "expired_token".into(),
                description: "The code expired before anyone signed in with it. Start the sign-in again.".into(),
                status: 400,
            });
        }
    }
}

/// Called with each new refresh token (Entra rotates them), to keep it in the keychain.
pub type OnRefresh = Arc<dyn Fn(&str) + Send + Sync>;

/// Delegated tokens: access tokens per resource in memory, renewed with the refresh token.
pub struct DelegatedCredential {
    authority: Authority,
    actor: String,
    refresh_token: tokio::sync::Mutex<String>,
    cached: TokenCache,
    on_refresh: OnRefresh,
}

impl std::fmt::Debug for DelegatedCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DelegatedCredential")
            .field("authority", &self.authority)
            .field("actor", &self.actor)
            .finish_non_exhaustive()
    }
}

impl DelegatedCredential {
    /// `actor` names the signed-in admin in the change log (e.g. their UPN).
    pub fn new(authority: Authority, actor: &str, refresh_token: &str, on_refresh: OnRefresh) -> DelegatedCredential {
        DelegatedCredential {
            authority,
            actor: actor.to_string(),
            refresh_token: tokio::sync::Mutex::new(refresh_token.to_string()),
            cached: TokenCache::default(),
            on_refresh,
        }
    }

    /// Seeds the cache with the access token a sign-in just returned.
    pub async fn with_access_token(self, scope: &str, token: AccessToken) -> DelegatedCredential {
        self.cached.insert(scope, token).await;
        self
    }

    /// A new access token for `scope` from the refresh token, keeping the rotated one.
    async fn renew(&self, http: &reqwest::Client, scope: &str) -> Result<AccessToken, GraphError> {
        let mut refresh = self.refresh_token.lock().await;
        let full_scope = format!("{scope} offline_access");
        let fresh = post_token(
            http,
            self.authority.endpoint("token"),
            &[
                ("client_id", self.authority.client_id.as_str()),
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.as_str()),
                ("scope", &full_scope),
            ],
            Some(refresh.as_str()),
        )
        .await?;
        if fresh.refresh_token != *refresh {
            *refresh = fresh.refresh_token.clone();
            (self.on_refresh)(&fresh.refresh_token);
        }
        Ok(fresh.access)
    }
}

impl TokenSource for DelegatedCredential {
    fn token<'a>(
        &'a self,
        http: &'a reqwest::Client,
        scope: &'a str,
        force_refresh: bool,
    ) -> BoxFuture<'a, Result<AccessToken, GraphError>> {
        Box::pin(self.cached.get_or_fetch(scope, force_refresh, self.renew(http, scope)))
    }

    fn actor(&self) -> String {
        self.actor.clone()
    }
}
