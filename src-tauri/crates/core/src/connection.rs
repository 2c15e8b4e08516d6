//! Which tenant Guestpass talks to, from the `GUESTPASS_*` variables or a saved profile:
//! the connection settings, not the tenant's collaboration settings
//! ([`crate::onboarding::collaboration`]).

use crate::sign_in::AppOnlySecret;
use guestpass_graph::Endpoints;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

/// How to reach a tenant.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // built once per run; boxing would only add noise
pub enum Connection {
    /// The sandbox tenant, served inside this process on a loopback port. The default.
    EmbeddedSandbox,
    /// App-only sign-in with a client secret, at the given endpoints (Microsoft's, or a
    /// sandbox started with `guestpass-cli sandbox serve`).
    AppOnly {
        tenant: String,
        client_id: String,
        secret: AppOnlySecret,
        endpoints: Endpoints,
        is_sandbox: bool,
    },
    /// A saved tenant profile (delegated sign-in; the refresh token is in the keychain).
    Profile(i64),
    /// The newest saved profile for this tenant (id, domain or name).
    SavedTenant(String),
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Connection::EmbeddedSandbox => write!(f, "EmbeddedSandbox"),
            Connection::AppOnly {
                tenant,
                client_id,
                endpoints,
                is_sandbox,
                ..
            } => f
                .debug_struct("AppOnly")
                .field("tenant", tenant)
                .field("client_id", client_id)
                .field("secret", &"<redacted>")
                .field("graph", &endpoints.graph.as_str())
                .field("is_sandbox", is_sandbox)
                .finish(),
            Connection::Profile(id) => write!(f, "Profile({id})"),
            Connection::SavedTenant(t) => write!(f, "SavedTenant({t})"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    /// Where the SQLite files live.
    pub data_dir: PathBuf,
    pub connection: Connection,
}

/// The environment variables scripts use (a stable contract; see README).
pub mod env {
    pub const DATA_DIR: &str = "GUESTPASS_DATA_DIR";
    pub const TENANT: &str = "GUESTPASS_TENANT";
    pub const CLIENT_ID: &str = "GUESTPASS_CLIENT_ID";
    pub const CLIENT_SECRET: &str = "GUESTPASS_CLIENT_SECRET";
    /// A PEM file with the app's certificate and private key (instead of a client secret).
    pub const CLIENT_CERTIFICATE: &str = "GUESTPASS_CLIENT_CERTIFICATE";
    pub const GRAPH_URL: &str = "GUESTPASS_GRAPH_URL";
    pub const LOGIN_URL: &str = "GUESTPASS_LOGIN_URL";
    pub const BAP_URL: &str = "GUESTPASS_BAP_URL";
}

/// The app-only proof the variables give: `GUESTPASS_CLIENT_SECRET`, or the PEM file named by
/// `GUESTPASS_CLIENT_CERTIFICATE` (read now, so a wrong path is reported before any call).
fn app_secret_from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Option<AppOnlySecret>, String> {
    if let Some(path) = get(env::CLIENT_CERTIFICATE).filter(|p| !p.trim().is_empty()) {
        let pem = std::fs::read(path.trim()).map_err(|e| {
            format!(
                "{}: the certificate file {path} cannot be read: {e}",
                env::CLIENT_CERTIFICATE
            )
        })?;
        return Ok(Some(AppOnlySecret::CertificatePem(pem)));
    }
    Ok(get(env::CLIENT_SECRET)
        .filter(|s| !s.is_empty())
        .map(AppOnlySecret::ClientSecret))
}

/// The default data folder: `GUESTPASS_DATA_DIR`, else the platform's data folder.
pub fn default_data_dir(var: Option<String>) -> PathBuf {
    match var.filter(|v| !v.trim().is_empty()) {
        Some(v) => PathBuf::from(v),
        None => dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("guestpass"),
    }
}

/// The data folder this process's environment names (see [`default_data_dir`]).
pub fn data_dir_from_env() -> PathBuf {
    default_data_dir(std::env::var(env::DATA_DIR).ok())
}

/// The hosts the `GUESTPASS_*_URL` variables name. When only the Graph root is given, sign-in
/// and the admin API go there too (a sandbox serves every API at one root, and sign-in must
/// never go to Microsoft then); with none given, Microsoft's.
pub fn endpoints_from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Endpoints, String> {
    let url = |k: &str| {
        get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .map(|v| Endpoints::parse_base(k, &v).map_err(|e| e.to_string()))
            .transpose()
    };
    let ms = Endpoints::microsoft();
    let graph = url(env::GRAPH_URL)?;
    Ok(Endpoints {
        login: url(env::LOGIN_URL)?.or_else(|| graph.clone()).unwrap_or(ms.login),
        bap: url(env::BAP_URL)?.or_else(|| graph.clone()).unwrap_or(ms.bap),
        graph: graph.unwrap_or(ms.graph),
    })
}

impl ConnectionConfig {
    /// Reads the `GUESTPASS_*` variables through `get` (so tests need not touch the process env).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<ConnectionConfig, String> {
        let data_dir = default_data_dir(get(env::DATA_DIR));
        let nonempty = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let tenant = nonempty(env::TENANT).unwrap_or_else(|| "sandbox".into());
        // Checked even when unused, so a mistyped address is reported at once.
        let endpoints = endpoints_from_vars(&get)?;

        if tenant.eq_ignore_ascii_case("sandbox") {
            if nonempty(env::GRAPH_URL).is_none() {
                return Ok(ConnectionConfig {
                    data_dir,
                    connection: Connection::EmbeddedSandbox,
                });
            }
            return Ok(ConnectionConfig {
                data_dir,
                connection: Connection::AppOnly {
                    tenant: guestpass_sandbox::TENANT_ID.into(),
                    client_id: nonempty(env::CLIENT_ID).unwrap_or_else(|| guestpass_sandbox::CLIENT_ID.into()),
                    secret: app_secret_from_vars(&get)?
                        .unwrap_or_else(|| AppOnlySecret::ClientSecret(guestpass_sandbox::CLIENT_SECRET.into())),
                    endpoints,
                    is_sandbox: true,
                },
            });
        }
        let (Some(client_id), Some(secret)) = (nonempty(env::CLIENT_ID), app_secret_from_vars(&get)?) else {
            // No app secret: use the admin's saved sign-in to that tenant.
            return Ok(ConnectionConfig {
                data_dir,
                connection: Connection::SavedTenant(tenant),
            });
        };
        Ok(ConnectionConfig {
            data_dir,
            connection: Connection::AppOnly {
                tenant,
                client_id,
                secret,
                endpoints,
                is_sandbox: false,
            },
        })
    }

    pub fn from_env() -> Result<ConnectionConfig, String> {
        ConnectionConfig::from_vars(|k| std::env::var(k).ok())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionMode {
    /// The built-in sandbox tenant: nothing leaves this computer.
    Sandbox,
    /// A real Microsoft Entra tenant.
    Microsoft,
}

/// What the app shows about the connected tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInfo {
    pub mode: ConnectionMode,
    pub tenant_id: String,
    pub tenant_name: String,
    pub initial_domain: String,
    pub graph_url: String,
    /// Who changes are recorded as.
    pub actor: String,
    /// Where the change log lives on this computer.
    pub data_dir: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn nothing_set_means_embedded_sandbox() {
        let s = ConnectionConfig::from_vars(vars(&[("GUESTPASS_DATA_DIR", "/tmp/gp")])).unwrap();
        assert!(matches!(s.connection, Connection::EmbeddedSandbox));
        assert_eq!(s.data_dir, PathBuf::from("/tmp/gp"));
    }

    #[test]
    fn sandbox_at_a_url_signs_in_there_with_sandbox_credentials() {
        let s = ConnectionConfig::from_vars(vars(&[
            ("GUESTPASS_TENANT", "sandbox"),
            ("GUESTPASS_GRAPH_URL", "http://127.0.0.1:4000"),
        ]))
        .unwrap();
        match s.connection {
            Connection::AppOnly {
                endpoints,
                tenant,
                is_sandbox,
                ..
            } => {
                assert_eq!(endpoints.login.as_str(), "http://127.0.0.1:4000/");
                assert_eq!(tenant, guestpass_sandbox::TENANT_ID);
                assert!(is_sandbox);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn real_tenant_uses_a_saved_sign_in_or_app_credentials() {
        let s = ConnectionConfig::from_vars(vars(&[("GUESTPASS_TENANT", "contoso.onmicrosoft.com")])).unwrap();
        assert!(matches!(s.connection, Connection::SavedTenant(ref t) if t == "contoso.onmicrosoft.com"));
        let s = ConnectionConfig::from_vars(vars(&[
            ("GUESTPASS_TENANT", "contoso.onmicrosoft.com"),
            ("GUESTPASS_CLIENT_ID", "abc"),
            ("GUESTPASS_CLIENT_SECRET", "s"),
        ]))
        .unwrap();
        match s.connection {
            Connection::AppOnly {
                endpoints, is_sandbox, ..
            } => {
                assert_eq!(endpoints, Endpoints::microsoft());
                assert!(!is_sandbox);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn insecure_remote_url_is_refused() {
        let e = ConnectionConfig::from_vars(vars(&[("GUESTPASS_GRAPH_URL", "http://graph.example.com")])).unwrap_err();
        assert!(e.contains("https"), "{e}");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let c = Connection::AppOnly {
            tenant: "t".into(),
            client_id: "c".into(),
            secret: AppOnlySecret::ClientSecret("hunter2-very-secret".into()),
            endpoints: Endpoints::microsoft(),
            is_sandbox: false,
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
