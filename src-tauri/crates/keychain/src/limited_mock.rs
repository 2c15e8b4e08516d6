//! The keychain tests use: an in-memory store that holds Windows Credential Manager's rule —
//! at most 2,560 bytes per secret, a text secret kept as UTF-16 — so every test on every
//! platform meets the tightest keychain Guestpass runs on.

use keyring_core::api::{Credential, CredentialApi, CredentialStore, CredentialStoreApi};
use keyring_core::{Entry, Error, Result};
use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

/// Windows' `CRED_MAX_CREDENTIAL_BLOB_SIZE`.
pub const WINDOWS_MAX_SECRET_BYTES: usize = 5 * 512;

#[derive(Debug)]
pub(crate) struct LimitedStore {
    inner: Arc<CredentialStore>,
}

impl LimitedStore {
    pub(crate) fn new() -> Arc<LimitedStore> {
        Arc::new(LimitedStore {
            inner: keyring_core::mock::Store::new().expect("mock keychain"),
        })
    }
}

impl CredentialStoreApi for LimitedStore {
    fn vendor(&self) -> String {
        "Guestpass test keychain (Windows' size limit)".into()
    }

    fn id(&self) -> String {
        self.inner.id()
    }

    fn build(&self, service: &str, user: &str, modifiers: Option<&HashMap<&str, &str>>) -> Result<Entry> {
        let inner = self.inner.build(service, user, modifiers)?;
        Ok(Entry::new_with_credential(Arc::new(LimitedCredential { inner })))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Debug)]
struct LimitedCredential {
    inner: Entry,
}

fn too_long() -> Error {
    Error::TooLong("secret".into(), WINDOWS_MAX_SECRET_BYTES as u32)
}

impl CredentialApi for LimitedCredential {
    fn set_password(&self, password: &str) -> Result<()> {
        if password.encode_utf16().count() * 2 > WINDOWS_MAX_SECRET_BYTES {
            return Err(too_long());
        }
        self.inner.set_password(password)
    }

    fn set_secret(&self, secret: &[u8]) -> Result<()> {
        if secret.len() > WINDOWS_MAX_SECRET_BYTES {
            return Err(too_long());
        }
        self.inner.set_secret(secret)
    }

    fn get_password(&self) -> Result<String> {
        self.inner.get_password()
    }

    fn get_secret(&self) -> Result<Vec<u8>> {
        self.inner.get_secret()
    }

    fn delete_credential(&self) -> Result<()> {
        self.inner.delete_credential()
    }

    fn get_credential(&self) -> Result<Option<Arc<Credential>>> {
        self.inner.get_secret().map(|_| None)
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        self.inner.get_specifiers()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
