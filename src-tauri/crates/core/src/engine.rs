//! The [`Engine`]: one tenant's Graph client, the local store, and how patiently to wait.

use crate::connection::{env, Connection, ConnectionConfig, ConnectionInfo, ConnectionMode};
use crate::problem::Problem;
use crate::sign_in::AppOnlySecret;
use guestpass_graph::{AppOnlyCredential, Backoff, Endpoints, GraphClient, RetryPolicy};
use guestpass_sandbox::{SandboxConfig, SandboxHandle, Storage};
use guestpass_store::Store;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How long to wait for what Entra accepted but has not replicated yet (a new guest, a synced
/// Dataverse user): the same back-off shape as the Graph client's retries.
pub type VerifyPolicy = Backoff;

/// Entra replicates in seconds to a minute: about 25 s in all.
fn default_verify_policy() -> VerifyPolicy {
    Backoff {
        attempts: 8,
        first_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(4),
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
    pub(crate) sync: crate::onboarding::dataverse::SyncPolicy,
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
    pub async fn connect(settings: ConnectionConfig) -> Result<Engine, Problem> {
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
            verify: default_verify_policy(),
            dry_run: false,
            sync: crate::onboarding::dataverse::SyncPolicy::default(),
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

    /// Spaces Conditional Access calls `every` apart instead of Microsoft's second (tests with
    /// a faster sandbox clock).
    pub fn with_conditional_access_spacing(mut self, every: std::time::Duration) -> Engine {
        self.graph = self.graph.with_conditional_access_spacing(every);
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

    pub fn with_sync_policy(mut self, sync: crate::onboarding::dataverse::SyncPolicy) -> Engine {
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
}
