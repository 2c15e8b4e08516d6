//! Which tenant Guestpass talks to, and the [`Engine`] bound to it.

use crate::problem::Problem;
use crate::sign_in::AppOnlySecret;
use guestpass_graph::{AppOnlyCredential, Endpoints, GraphClient, RetryPolicy};
use guestpass_sandbox::{SandboxConfig, SandboxHandle, Storage};
use guestpass_store::Store;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
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
pub struct Settings {
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

impl Settings {
    /// Reads the `GUESTPASS_*` variables through `get` (so tests need not touch the process env).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let data_dir = default_data_dir(get(env::DATA_DIR));
        let nonempty = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let tenant = nonempty(env::TENANT).unwrap_or_else(|| "sandbox".into());
        // Checked even when unused, so a mistyped address is reported at once.
        let endpoints = endpoints_from_vars(&get)?;

        if tenant.eq_ignore_ascii_case("sandbox") {
            if nonempty(env::GRAPH_URL).is_none() {
                return Ok(Settings {
                    data_dir,
                    connection: Connection::EmbeddedSandbox,
                });
            }
            return Ok(Settings {
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
            return Ok(Settings {
                data_dir,
                connection: Connection::SavedTenant(tenant),
            });
        };
        Ok(Settings {
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

    pub fn from_env() -> Result<Settings, String> {
        Settings::from_vars(|k| std::env::var(k).ok())
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

/// How long to wait for a new guest to become readable (Entra replicates in seconds to a minute).
#[derive(Debug, Clone)]
pub struct VerifyPolicy {
    pub attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for VerifyPolicy {
    fn default() -> Self {
        VerifyPolicy {
            attempts: 8,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(4),
        }
    }
}

/// What the rows of one bulk run look up once and share.
#[derive(Default)]
pub(crate) struct RunCache {
    pub skus: tokio::sync::Mutex<Option<Vec<guestpass_graph::models::SubscribedSku>>>,
    pub groups: tokio::sync::Mutex<std::collections::HashMap<String, guestpass_graph::models::Group>>,
}

/// The engine bound to one tenant and the local store. Cheap to clone: clones share the
/// store, the sign-in and the embedded sandbox.
#[derive(Clone)]
pub struct Engine {
    pub(crate) store: Arc<Store>,
    pub(crate) graph: GraphClient,
    pub(crate) info: ConnectionInfo,
    pub(crate) verify: VerifyPolicy,
    /// Plan and report, but change nothing (and log nothing).
    pub(crate) dry_run: bool,
    pub(crate) sync: crate::dataverse::SyncPolicy,
    pub(crate) bulk: crate::bulk::run::BulkPolicy,
    /// Lookups shared by the rows of one bulk run (licences, groups), so each is read once.
    pub(crate) run_cache: Option<Arc<RunCache>>,
    /// Keeps the embedded sandbox running for as long as the engine lives.
    _sandbox: Option<Arc<SandboxHandle>>,
}

pub(crate) fn open_store(data_dir: &Path) -> Result<Store, Problem> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| Problem::on_this_computer(format!("cannot create {}: {e}", data_dir.display())))?;
    Store::open(&data_dir.join("guestpass.sqlite")).map_err(Problem::local)
}

impl Engine {
    /// Opens the store, starts the embedded sandbox if asked, signs in and reads the organization.
    pub async fn connect(settings: Settings) -> Result<Engine, Problem> {
        let data_dir = settings.data_dir.clone();
        let (sandbox, tenant, client_id, secret, endpoints, is_sandbox) = match settings.connection {
            Connection::Profile(id) => return crate::sign_in::connect_profile(&data_dir, id).await,
            Connection::SavedTenant(tenant) => {
                return match crate::sign_in::find_profile(&data_dir, &tenant)? {
                    Some(p) => crate::sign_in::connect_profile(&data_dir, p.id).await,
                    None => Err(Problem {
                        kind: crate::ProblemKind::SignIn,
                        message: format!("Guestpass is not signed in to tenant '{tenant}'."),
                        hint: format!(
                            "Sign in first (`guestpass-cli login --tenant {tenant} --client-id YOUR_APP_ID`, or Tenant > Sign in in the app), or set {} and {} for app-only sign-in. Unset {} to use the sandbox tenant.",
                            env::CLIENT_ID, env::CLIENT_SECRET, env::TENANT
                        ),
                        fields: vec![],
                        code: None,
                        request_id: None,
                    }),
                };
            }
            Connection::EmbeddedSandbox => {
                std::fs::create_dir_all(&data_dir)
                    .map_err(|e| Problem::on_this_computer(format!("cannot create {}: {e}", data_dir.display())))?;
                let handle = guestpass_sandbox::start(
                    Storage::File(settings.data_dir.join("sandbox.sqlite")),
                    0,
                    SandboxConfig::realistic(),
                )
                .await
                .map_err(|e| Problem::on_this_computer(format!("the sandbox tenant could not start: {e}")))?;
                let root = url::Url::parse(&handle.url()).expect("sandbox URL");
                (
                    Some(handle),
                    guestpass_sandbox::TENANT_ID.to_string(),
                    guestpass_sandbox::CLIENT_ID.to_string(),
                    AppOnlySecret::ClientSecret(guestpass_sandbox::CLIENT_SECRET.to_string()),
                    Endpoints::loopback(&root),
                    true,
                )
            }
            Connection::AppOnly {
                tenant,
                client_id,
                secret,
                endpoints,
                is_sandbox,
            } => (None, tenant, client_id, secret, endpoints, is_sandbox),
        };
        let credential = AppOnlyCredential::new(&endpoints.login, &tenant, &client_id, secret.into_proof()?);
        let mut engine = Engine::connect_with(&data_dir, endpoints, Arc::new(credential), is_sandbox)
            .await
            .map_err(|mut p| {
                p.message = p
                    .message
                    .replace("Connecting to the tenant", &format!("Connecting to tenant '{tenant}'"));
                p
            })?;
        engine._sandbox = sandbox.map(Arc::new);
        Ok(engine)
    }

    /// Connects with any sign-in: reads the organization, and records changes a stopped run
    /// left unfinished.
    pub(crate) async fn connect_with(
        data_dir: &Path,
        endpoints: Endpoints,
        credential: Arc<dyn guestpass_graph::TokenSource>,
        is_sandbox: bool,
    ) -> Result<Engine, Problem> {
        let store = Arc::new(open_store(data_dir)?);
        let graph = GraphClient::new(endpoints.clone(), credential);
        let org = graph
            .organization()
            .await
            .map_err(|e| Problem::from_graph("Connecting to the tenant", &e))?
            .body;
        // A tenant is the sandbox when it is Guestpass's own (whatever URL serves it).
        let mode = if is_sandbox || org.id == guestpass_sandbox::TENANT_ID {
            ConnectionMode::Sandbox
        } else {
            ConnectionMode::Microsoft
        };
        let info = ConnectionInfo {
            mode,
            tenant_id: org.id.clone(),
            tenant_name: org.display_name.clone().unwrap_or_else(|| org.id.clone()),
            initial_domain: org.initial_domain().unwrap_or_default().to_string(),
            graph_url: endpoints.graph.to_string(),
            actor: graph.actor(),
            data_dir: data_dir.display().to_string(),
        };
        let engine = Engine {
            store,
            graph,
            info,
            verify: VerifyPolicy::default(),
            dry_run: false,
            sync: crate::dataverse::SyncPolicy::default(),
            bulk: crate::bulk::run::BulkPolicy::default(),
            run_cache: None,
            _sandbox: None,
        };
        let interrupted = engine.record_interrupted()?;
        if interrupted > 0 {
            tracing::warn!("{interrupted} change(s) from a stopped run recorded as interrupted");
        }
        Ok(engine)
    }

    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Engine {
        self.graph = self.graph.with_retry_policy(retry);
        self
    }

    pub fn with_verify_policy(mut self, verify: VerifyPolicy) -> Engine {
        self.verify = verify;
        self
    }

    pub fn with_bulk_policy(mut self, bulk: crate::bulk::run::BulkPolicy) -> Engine {
        self.bulk = bulk;
        self
    }

    /// The same engine, sharing licence and group lookups across the rows of one bulk run.
    pub(crate) fn with_run_cache(mut self) -> Engine {
        self.run_cache = Some(Arc::default());
        self
    }

    pub fn with_sync_policy(mut self, sync: crate::dataverse::SyncPolicy) -> Engine {
        self.sync = sync;
        self
    }

    /// The same engine in dry-run mode: every step reads the tenant and reports what it would
    /// change (the preview shown before Apply), changing and recording nothing.
    pub fn preview(&self) -> Engine {
        self.clone().with_dry_run(true)
    }

    /// A dry-run engine plans every step and reports what it would do, changing nothing.
    pub fn with_dry_run(mut self, dry_run: bool) -> Engine {
        self.dry_run = dry_run;
        self
    }

    pub fn info(&self) -> &ConnectionInfo {
        &self.info
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The newest changes, newest first.
    pub fn recent_changes(&self, limit: u32) -> Result<Vec<guestpass_store::ChangeRecord>, Problem> {
        self.store.recent_changes(limit).map_err(Problem::local)
    }

    pub fn query_changes(
        &self,
        filter: &guestpass_store::ChangeFilter,
    ) -> Result<Vec<guestpass_store::ChangeRecord>, Problem> {
        self.store.query_changes(filter).map_err(Problem::local)
    }

    pub fn count_changes(&self, filter: &guestpass_store::ChangeFilter) -> Result<i64, Problem> {
        self.store.count_changes(filter).map_err(Problem::local)
    }

    /// The tenants History has changes for.
    pub fn history_tenants(&self) -> Result<Vec<String>, Problem> {
        self.store.tenants().map_err(Problem::local)
    }

    /// Walks the change log's hash chain.
    pub fn verify_history(&self) -> Result<guestpass_store::ChainReport, Problem> {
        self.store.verify_chain().map_err(Problem::local)
    }

    /// Writes the filtered changes to a new file in the Downloads folder (else the data
    /// folder) and returns its path. `json` picks JSON over CSV.
    pub fn export_history(&self, filter: &guestpass_store::ChangeFilter, json: bool) -> Result<String, Problem> {
        let rows = self.query_changes(filter)?;
        let text = if json {
            guestpass_store::export::to_json(&rows)
        } else {
            guestpass_store::export::to_csv(&rows)
        }
        .map_err(Problem::local)?;
        let dir = dirs::download_dir()
            .filter(|d| d.is_dir())
            .unwrap_or_else(|| PathBuf::from(&self.info.data_dir));
        let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
        let path = dir.join(format!(
            "guestpass-history-{stamp}.{}",
            if json { "json" } else { "csv" }
        ));
        std::fs::write(&path, text)
            .map_err(|e| Problem::on_this_computer(format!("cannot write {}: {e}", path.display())))?;
        Ok(path.display().to_string())
    }
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
        let s = Settings::from_vars(vars(&[("GUESTPASS_DATA_DIR", "/tmp/gp")])).unwrap();
        assert!(matches!(s.connection, Connection::EmbeddedSandbox));
        assert_eq!(s.data_dir, PathBuf::from("/tmp/gp"));
    }

    #[test]
    fn sandbox_at_a_url_signs_in_there_with_sandbox_credentials() {
        let s = Settings::from_vars(vars(&[
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
        let s = Settings::from_vars(vars(&[("GUESTPASS_TENANT", "contoso.onmicrosoft.com")])).unwrap();
        assert!(matches!(s.connection, Connection::SavedTenant(ref t) if t == "contoso.onmicrosoft.com"));
        let s = Settings::from_vars(vars(&[
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
        let e = Settings::from_vars(vars(&[("GUESTPASS_GRAPH_URL", "http://graph.example.com")])).unwrap_err();
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
