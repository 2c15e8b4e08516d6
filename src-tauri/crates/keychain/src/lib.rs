//! Secrets (refresh tokens, client secrets) live in the OS keychain and nowhere else: Secret
//! Service on Linux, Keychain on macOS, Credential Manager on Windows. When no keychain can be
//! reached this says so — it never falls back to a file or to memory pretending to persist.
//! Keychain calls block, so they run on Tokio's blocking threads, off the async workers.

use keyring_core::Entry;
use std::sync::OnceLock;

/// The service name every Guestpass entry is filed under.
pub const SERVICE: &str = "Guestpass";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// No keychain to use (no Secret Service on this desktop, or it is locked).
    #[error("no keychain is available ({0}); the sign-in is kept for this session only")]
    Unavailable(String),
    #[error("the keychain refused: {0}")]
    Refused(String),
}

static STATUS: OnceLock<Result<&'static str, String>> = OnceLock::new();

/// Connects to the platform's keychain once (on a blocking thread). Returns its name, or why
/// there is none.
pub async fn init() -> Result<&'static str, KeychainError> {
    if let Some(s) = STATUS.get() {
        return s.clone().map_err(KeychainError::Unavailable);
    }
    let status = tokio::task::spawn_blocking(platform_store)
        .await
        .unwrap_or_else(|e| Err(e.to_string()));
    let status = STATUS.get_or_init(|| status).clone();
    status.map_err(KeychainError::Unavailable)
}

/// Uses an in-memory mock keychain (tests only: it forgets everything when the process ends).
/// Calling it again keeps the same mock, so tests running side by side share one.
pub fn use_mock_for_tests() {
    static MOCK: std::sync::Once = std::sync::Once::new();
    MOCK.call_once(|| {
        keyring_core::set_default_store(keyring_core::mock::Store::new().expect("mock keychain"));
        let _ = STATUS.set(Ok("mock keychain (tests)"));
    });
}

#[cfg(target_os = "linux")]
fn platform_store() -> Result<&'static str, String> {
    let store = zbus_secret_service_keyring_store::Store::new().map_err(|e| e.to_string())?;
    keyring_core::set_default_store(store);
    Ok("Secret Service")
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<&'static str, String> {
    let store = apple_native_keyring_store::keychain::Store::new().map_err(|e| e.to_string())?;
    keyring_core::set_default_store(store);
    Ok("macOS Keychain")
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<&'static str, String> {
    let store = windows_native_keyring_store::Store::new().map_err(|e| e.to_string())?;
    keyring_core::set_default_store(store);
    Ok("Windows Credential Manager")
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn platform_store() -> Result<&'static str, String> {
    Err("this platform has no supported keychain".into())
}

fn refused(e: keyring_core::Error) -> KeychainError {
    KeychainError::Refused(e.to_string())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, KeychainError> + Send + 'static,
) -> Result<T, KeychainError> {
    init().await?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| KeychainError::Refused(e.to_string()))?
}

/// Stores `secret` under `account` (replacing what was there).
pub async fn set(account: &str, secret: &str) -> Result<(), KeychainError> {
    let (account, secret) = (account.to_string(), secret.to_string());
    blocking(move || {
        Entry::new(SERVICE, &account)
            .and_then(|e| e.set_password(&secret))
            .map_err(refused)
    })
    .await
}

/// The secret stored under `account`, if any.
pub async fn get(account: &str) -> Result<Option<String>, KeychainError> {
    let account = account.to_string();
    blocking(
        move || match Entry::new(SERVICE, &account).and_then(|e| e.get_password()) {
            Ok(s) => Ok(Some(s)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(refused(e)),
        },
    )
    .await
}

/// Removes the secret stored under `account` (nothing stored is fine).
pub async fn delete(account: &str) -> Result<(), KeychainError> {
    let account = account.to_string();
    blocking(
        move || match Entry::new(SERVICE, &account).and_then(|e| e.delete_credential()) {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(refused(e)),
        },
    )
    .await
}
