//! Secrets (refresh tokens, client secrets) live in the OS keychain and nowhere else: Secret
//! Service on Linux, Keychain on macOS, Credential Manager on Windows. When no keychain can be
//! reached this says so — it never falls back to a file or to memory pretending to persist.
//! Keychain calls block, so they run on Tokio's blocking threads, off the async workers.
//!
//! Windows keeps at most 2,560 bytes per entry, and a text secret as UTF-16: refresh tokens and
//! PEM private keys are longer. A longer secret is split over numbered entries (`account#2`,
//! `account#3`…), the first holding a header with their count; a short one stays one entry,
//! as before.

mod limited_mock;

use keyring_core::Entry;
use std::sync::OnceLock;

pub use limited_mock::WINDOWS_MAX_SECRET_BYTES;

/// UTF-16 code units per entry: 2,400 bytes, under Windows' 2,560.
const CHUNK_UNITS: usize = 1_200;
/// Starts the first entry of a secret split over several.
const SPLIT_HEADER: &str = "guestpass-split-secret:v1:";

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

/// Uses an in-memory mock keychain with Windows' size rule (tests only: it forgets everything
/// when the process ends). Calling it again keeps the same mock, so tests running side by side
/// share one.
pub fn use_mock_for_tests() {
    static MOCK: std::sync::Once = std::sync::Once::new();
    MOCK.call_once(|| {
        keyring_core::set_default_store(limited_mock::LimitedStore::new());
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

/// `secret` in pieces that each fit one entry.
fn chunks(secret: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut units = 0;
    for c in secret.chars() {
        if units + c.len_utf16() > CHUNK_UNITS {
            out.push(String::new());
            units = 0;
        }
        units += c.len_utf16();
        out.last_mut().expect("never empty").push(c);
    }
    out
}

fn entry(account: &str, part: usize) -> Result<Entry, KeychainError> {
    let name = if part <= 1 {
        account.to_string()
    } else {
        format!("{account}#{part}")
    };
    Entry::new(SERVICE, &name).map_err(refused)
}

/// How many entries the secret under `account` spans now (0: none stored).
fn parts_stored(account: &str) -> Result<usize, KeychainError> {
    match entry(account, 1)?.get_password() {
        Ok(first) => Ok(split_count(&first).unwrap_or(1)),
        Err(keyring_core::Error::NoEntry) => Ok(0),
        Err(e) => Err(refused(e)),
    }
}

/// The number of pieces a split secret's first entry announces.
fn split_count(first: &str) -> Option<usize> {
    let rest = first.strip_prefix(SPLIT_HEADER)?;
    rest.split(':').next()?.parse().ok()
}

fn delete_parts(account: &str, from: usize, to: usize) -> Result<(), KeychainError> {
    for part in from..=to {
        match entry(account, part)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => {}
            Err(e) => return Err(refused(e)),
        }
    }
    Ok(())
}

/// Stores `secret` under `account` (replacing what was there), split when one entry cannot
/// hold it. The pieces are written before the header that names them, so a secret is never
/// read half-written.
pub async fn set(account: &str, secret: &str) -> Result<(), KeychainError> {
    let (account, secret) = (account.to_string(), secret.to_string());
    blocking(move || {
        let before = parts_stored(&account)?;
        let pieces = chunks(&secret);
        if pieces.len() == 1 {
            entry(&account, 1)?.set_password(&secret).map_err(refused)?;
        } else {
            for (i, piece) in pieces.iter().enumerate().skip(1) {
                entry(&account, i + 1)?.set_password(piece).map_err(refused)?;
            }
            let first = format!("{SPLIT_HEADER}{}:{}", pieces.len(), pieces[0]);
            entry(&account, 1)?.set_password(&first).map_err(refused)?;
        }
        delete_parts(&account, pieces.len() + 1, before)
    })
    .await
}

/// The secret stored under `account`, if any.
pub async fn get(account: &str) -> Result<Option<String>, KeychainError> {
    let account = account.to_string();
    blocking(move || {
        let first = match entry(&account, 1)?.get_password() {
            Ok(s) => s,
            Err(keyring_core::Error::NoEntry) => return Ok(None),
            Err(e) => return Err(refused(e)),
        };
        let Some(count) = split_count(&first) else {
            return Ok(Some(first));
        };
        let header_len = format!("{SPLIT_HEADER}{count}:").len();
        let mut secret = first[header_len..].to_string();
        for part in 2..=count {
            match entry(&account, part)?.get_password() {
                Ok(piece) => secret.push_str(&piece),
                Err(keyring_core::Error::NoEntry) => {
                    return Err(KeychainError::Refused(format!(
                        "part {part} of {count} of the secret is missing; sign in again"
                    )))
                }
                Err(e) => return Err(refused(e)),
            }
        }
        Ok(Some(secret))
    })
    .await
}

/// Removes the secret stored under `account`, every piece of it (nothing stored is fine).
pub async fn delete(account: &str) -> Result<(), KeychainError> {
    let account = account.to_string();
    blocking(move || {
        let parts = parts_stored(&account)?;
        delete_parts(&account, 2, parts)?;
        delete_parts(&account, 1, 1)
    })
    .await
}
