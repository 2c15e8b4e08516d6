//! The tenants this computer signed in to: listing and finding them, signing out, forgetting
//! practice sign-ins, and the one the app reopens on.

use super::{refresh_account, secret_account, StepPermission, AZURE_CLI, CLIENT_CERTIFICATE, CLIENT_SECRET};
use crate::connection::{Connection, ConnectionConfig};
use crate::engine::Engine;
use crate::problem::{Problem, ProblemKind};
use guestpass_store::TenantProfile;

/// Whether a profile signed in to a sandbox tenant on this computer (whose tokens end when
/// that sandbox stops).
fn is_practice(p: &TenantProfile) -> bool {
    p.tenant == guestpass_sandbox::TENANT_ID
        && url::Url::parse(&p.login_url).is_ok_and(|u| u.host_str() == Some("127.0.0.1"))
}

/// Forgets practice sign-ins to the built-in sandbox (called when the app starts: the sandbox
/// that issued them has stopped, and its tokens with it).
pub async fn forget_practice_sign_ins(data_dir: &std::path::Path) -> Result<(), Problem> {
    for p in profiles(data_dir)?.into_iter().filter(is_practice) {
        sign_out(data_dir, p.id).await?;
    }
    Ok(())
}

/// The permission report of the profile in use (`None`: the sandbox or app-only from the
/// environment, which have no report).
pub async fn permission_report_of(
    engine: &Engine,
    data_dir: &std::path::Path,
    profile_id: Option<i64>,
) -> Result<Vec<StepPermission>, Problem> {
    let Some(id) = profile_id else { return Ok(vec![]) };
    match crate::engine::open_store(data_dir)?
        .profile(id)
        .map_err(Problem::local)?
    {
        Some(profile) => engine.permission_report(&profile).await,
        None => Ok(vec![]),
    }
}

/// Every saved profile, the most recently used first.
pub fn profiles(data_dir: &std::path::Path) -> Result<Vec<TenantProfile>, Problem> {
    crate::engine::open_store(data_dir)?.profiles().map_err(Problem::local)
}

/// The newest profile for a tenant given by id, domain or name.
pub fn find_profile(data_dir: &std::path::Path, tenant: &str) -> Result<Option<TenantProfile>, Problem> {
    let t = tenant.trim().to_lowercase();
    Ok(profiles(data_dir)?.into_iter().find(|p| {
        p.tenant.to_lowercase() == t
            || p.domain.as_deref().is_some_and(|d| d.to_lowercase() == t)
            || p.tenant_name.as_deref().is_some_and(|n| n.to_lowercase() == t)
            || p.username
                .as_deref()
                .is_some_and(|u| u.to_lowercase().ends_with(&format!("@{t}")))
    }))
}

/// Signs out: removes the tenant's secrets from the keychain, then the profile.
pub async fn sign_out(data_dir: &std::path::Path, profile_id: i64) -> Result<(), Problem> {
    let store = crate::engine::open_store(data_dir)?;
    let Some(profile) = store.profile(profile_id).map_err(Problem::local)? else {
        return Ok(());
    };
    let account = match profile.sign_in.as_str() {
        CLIENT_SECRET | CLIENT_CERTIFICATE => Some(secret_account(&profile)),
        // The Azure CLI keeps its own sign-in (`az logout` ends it).
        AZURE_CLI => None,
        _ => Some(refresh_account(&profile)),
    };
    if let Some(Err(e)) = match account {
        Some(account) => Some(guestpass_keychain::delete(&account).await),
        None => None,
    } {
        // No keychain means nothing was kept there; a refusal must be reported.
        if !matches!(e, guestpass_keychain::KeychainError::Unavailable(_)) {
            return Err(Problem {
                kind: ProblemKind::SignIn,
                message: format!("The sign-in could not be removed from the keychain: {e}."),
                hint: "Unlock the system keychain and sign out again (nothing was removed).".into(),
                fields: vec![],
                code: None,
                request_id: None,
            });
        }
    }
    store.delete_profile(profile_id).map_err(Problem::local)
}

/// The app-wide preference naming the tenant the admin last chose in the app.
const CHOSEN_PROFILE: &str = "chosenProfile";

/// Remembers the admin's choice in the app (a profile, or `None` for the sandbox), so the next
/// start opens on it.
pub fn remember_choice(data_dir: &std::path::Path, profile_id: Option<i64>) -> Result<(), Problem> {
    let value = profile_id.map(|id| id.to_string()).unwrap_or_default();
    crate::engine::open_store(data_dir)?
        .set_preference("", CHOSEN_PROFILE, &value)
        .map_err(Problem::local)
}

/// The profile the admin last chose in the app, while it still exists.
pub fn chosen_profile(data_dir: &std::path::Path) -> Option<i64> {
    let store = crate::engine::open_store(data_dir).ok()?;
    let id: i64 = store.preference("", CHOSEN_PROFILE).ok()??.parse().ok()?;
    store.profile(id).ok()?.map(|p| p.id)
}

impl ConnectionConfig {
    /// How the app connects when it starts: as the `GUESTPASS_*` variables say when they name
    /// a tenant, else the tenant the admin last chose (else the sandbox).
    pub fn for_app_start(get: impl Fn(&str) -> Option<String>) -> Result<ConnectionConfig, String> {
        let settings = ConnectionConfig::from_vars(&get)?;
        let tenant_given = get(crate::connection::env::TENANT).is_some_and(|t| !t.trim().is_empty());
        if tenant_given || !matches!(settings.connection, Connection::EmbeddedSandbox) {
            return Ok(settings);
        }
        Ok(match chosen_profile(&settings.data_dir) {
            Some(id) => ConnectionConfig::for_profile(settings.data_dir, id),
            None => settings,
        })
    }

    /// Connection settings that connect through a saved profile.
    pub fn for_profile(data_dir: std::path::PathBuf, profile_id: i64) -> ConnectionConfig {
        ConnectionConfig {
            data_dir,
            connection: Connection::Profile(profile_id),
        }
    }
}
