//! The sandbox tenant: a loopback HTTP server that answers like Microsoft Graph v1.0 and the
//! Entra token endpoint, so Guestpass can be tried and tested with no Azure tenant.
//!
//! It is faithful, not friendly: OData error bodies with `request-id`, 429s with
//! `Retry-After` from a resource-unit budget shaped like Graph's identity limits, replication
//! delay for new guests, expiring tokens, and injectable faults. State lives in its own SQLite
//! file. Control endpoints under `/_sandbox/` (not part of Microsoft's API) let tests switch
//! faults, latency and throttling on.

mod directory;
mod error;
mod middleware;
mod odata;
mod routes;
mod schema;
mod seed;
mod throttle;
mod tls;

pub use routes::TOKEN_EXCHANGE_AUDIENCE;

pub use throttle::{ThrottleConfig, WriteBucket};

use directory::Directory;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The sandbox tenant's id (a fixed GUID, so scripts and docs can name it).
pub const TENANT_ID: &str = "5b1e0f0c-6a3d-4c3e-9f1a-2d7c8e4b9a10";
/// The sandbox tenant's initial domain.
pub const TENANT_DOMAIN: &str = "northwindsandbox.onmicrosoft.com";
pub const TENANT_NAME: &str = "Northwind Traders (sandbox)";
/// The app registration the sandbox knows. Its secret is not a secret: the sandbox is local.
pub const CLIENT_ID: &str = "3f6c1d2e-8b7a-4e59-a1c0-9d2b4f6e8a71";
pub const CLIENT_SECRET: &str = "sandbox-only-not-a-secret";
/// The sandbox's managed identity (system-assigned), as App Service or Automation would have.
pub const MANAGED_IDENTITY_CLIENT_ID: &str = "9d4b7c2a-1e6f-4a83-b5d0-6c2e8f1a3b47";
/// The value Azure puts in `IDENTITY_HEADER` for the managed-identity endpoint.
pub const MANAGED_IDENTITY_HEADER: &str = "sandbox-identity-header";

/// What the sandbox should be like. Everything can also be changed while it runs
/// (`PUT /_sandbox/config`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SandboxConfig {
    /// Added to every Graph answer.
    pub latency_ms: u64,
    /// How long a new guest stays invisible to reads after it is created.
    pub replication_delay_ms: u64,
    /// Lifetime of issued access tokens.
    pub token_lifetime_s: u64,
    /// How long after a licence is assigned the admin API's `addUser` still says `userNotLicensed`.
    pub license_sync_delay_ms: u64,
    pub throttle: ThrottleConfig,
    /// The application permissions (roles) tokens carry.
    pub roles: Vec<String>,
    /// The least seconds between device-code polls (Entra says 5).
    pub device_poll_interval_s: u64,
    /// How long a device code can be used (Entra: 15 minutes).
    pub device_code_lifetime_s: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            latency_ms: 0,
            replication_delay_ms: 0,
            token_lifetime_s: 3599,
            license_sync_delay_ms: 0,
            throttle: ThrottleConfig::default(),
            roles: routes::ALL_ROLES.iter().map(|s| s.to_string()).collect(),
            device_poll_interval_s: 5,
            device_code_lifetime_s: 900,
        }
    }
}

impl SandboxConfig {
    /// A believable default for people trying the app: a little latency, and a new guest
    /// takes a moment to appear and a licence a moment to reach Dataverse, as in a real tenant.
    pub fn realistic() -> Self {
        SandboxConfig {
            latency_ms: 60,
            replication_delay_ms: 1500,
            license_sync_delay_ms: 3000,
            ..Default::default()
        }
    }
}

/// A fault to answer instead of the real thing, for the next `count` matching requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Applies to requests whose path starts with this (e.g. `/v1.0/invitations`).
    pub path_prefix: String,
    /// Only for this method, when given.
    #[serde(default)]
    pub method: Option<String>,
    pub status: u16,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// Seconds, sent as `Retry-After` when given.
    #[serde(default)]
    pub retry_after: Option<u64>,
    #[serde(default = "one")]
    pub count: u32,
    /// Apply the request, then answer the fault (a lost answer: the change happened).
    #[serde(default)]
    pub after_apply: bool,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// Answers the next request under `path_prefix` with `status` (Graph's usual code and
    /// message for it); the methods below narrow or extend that.
    pub fn answer(status: u16, path_prefix: &str) -> Fault {
        Fault {
            path_prefix: path_prefix.into(),
            method: None,
            status,
            code: None,
            message: None,
            retry_after: None,
            count: 1,
            after_apply: false,
        }
    }

    /// Only requests with this method.
    pub fn on(mut self, method: &str) -> Fault {
        self.method = Some(method.into());
        self
    }

    /// For this many matching requests.
    pub fn times(mut self, count: u32) -> Fault {
        self.count = count;
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Fault {
        self.retry_after = Some(seconds);
        self
    }

    /// Graph's error code in the answer (instead of the usual one for the status).
    pub fn code(mut self, code: &str) -> Fault {
        self.code = Some(code.into());
        self
    }

    pub fn message(mut self, message: &str) -> Fault {
        self.message = Some(message.into());
        self
    }

    /// The request is applied, then its answer is lost.
    pub fn after_applying(mut self) -> Fault {
        self.after_apply = true;
        self
    }
}

/// Counters tests read to prove what reached the "tenant".
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub requests: u64,
    pub token_requests: u64,
    pub invitations_created: u64,
    pub guests_created: u64,
    pub throttled: u64,
    /// Requests by method and path, ids shown as `{id}` (e.g. `GET /v1.0/users`); the requests
    /// inside a `$batch` count under their own paths too.
    #[serde(default)]
    pub by_route: std::collections::BTreeMap<String, u64>,
}

struct IssuedToken {
    client_id: String,
    /// The resource the token is for: Graph, the Power Platform admin API, or one Dataverse environment.
    audience: String,
    expires_at: Instant,
    roles: Vec<String>,
    /// The signed-in user (delegated tokens), by object id.
    user: Option<String>,
}

pub(crate) struct Shared {
    base_url: String,
    dir: Mutex<Directory>,
    config: Mutex<SandboxConfig>,
    faults: Mutex<VecDeque<Fault>>,
    tokens: Mutex<HashMap<String, IssuedToken>>,
    throttle: Mutex<throttle::Budgets>,
    stats: Mutex<Stats>,
    sign_ins: Mutex<routes::SignIns>,
    /// Certificates uploaded to the sandbox app (public parts), for client assertions.
    app_certificates: Mutex<Vec<rustls_pki_types::CertificateDer<'static>>>,
    /// Federated identity credentials on the sandbox app (workload identity federation).
    federated_credentials: Mutex<Vec<routes::FederatedCredential>>,
    /// When the tenant's last Conditional Access call was let through (1 per second).
    ca_gate: Mutex<routes::CaGate>,
    /// When each app's recent sign-in log reads were let through (5 per 10 seconds).
    report_gate: Mutex<routes::ReportGate>,
}

/// Locks a mutex, reusing it after a panic elsewhere (sandbox state stays consistent per call).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("sandbox database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("sandbox could not listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
}

/// A running sandbox. Dropping it stops the server.
pub struct SandboxHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// Stops the https listener, if one was started (dropping it stops it too).
    tls_shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT` (Graph at `/v1.0`, sign-in at `/{tenant}/oauth2/v2.0/token`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn set_config(&self, config: SandboxConfig) {
        *lock(&self.shared.config) = config;
    }

    pub fn config(&self) -> SandboxConfig {
        lock(&self.shared.config).clone()
    }

    pub fn push_fault(&self, fault: Fault) {
        lock(&self.shared.faults).push_back(fault);
    }

    /// Registers a certificate (PEM) on the sandbox app; returns its SHA-1 thumbprint.
    pub fn add_app_certificate(&self, pem: &[u8]) -> Result<String, String> {
        routes::register_certificate(&self.shared, pem)
    }

    /// Adds a federated identity credential to the sandbox app: tokens from `issuer` about
    /// `subject`, for the audience `api://AzureADTokenExchange`, signed by the key of
    /// `issuer_certificate_pem`, sign the app in.
    pub fn add_federated_credential(
        &self,
        issuer: &str,
        subject: &str,
        issuer_certificate_pem: &[u8],
    ) -> Result<(), String> {
        routes::add_federated_credential(&self.shared, issuer, subject, issuer_certificate_pem)
    }

    /// Also serves the sandbox over https on another loopback port, with the given certificate
    /// chain and key (PEM); returns its root URL (`https://127.0.0.1:PORT`). Stops with the sandbox.
    pub async fn serve_tls(&mut self, cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<String, String> {
        let tcp = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| e.to_string())?;
        let addr = tcp.local_addr().map_err(|e| e.to_string())?;
        let listener = tls::TlsListener::new(tcp, cert_chain_pem, key_pem)?;
        let app = routes::router(self.shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        self.tls_shutdown = Some(tx);
        tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            let _ = serve.await;
        });
        Ok(format!("https://{addr}"))
    }

    /// What Azure sets in `IDENTITY_ENDPOINT` for the sandbox's managed identity.
    pub fn managed_identity_endpoint(&self) -> String {
        format!("{}/msi/token", self.url())
    }

    /// Every access token issued so far (tests scan logs and files for them).
    pub fn issued_access_tokens(&self) -> Vec<String> {
        lock(&self.shared.tokens).keys().cloned().collect()
    }

    /// Makes every issued token expired, as after a long pause.
    pub fn expire_tokens(&self) {
        routes::expire_all_tokens(&self.shared);
    }

    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).clone()
    }

    /// Grows the company by `n` members (`person{i}@northwind.example`, numbered on from the
    /// users already there), for tests and benchmarks that need a directory of a given size.
    pub fn add_members(&self, n: usize) -> Result<(), String> {
        let mut dir = lock(&self.shared.dir);
        dir.transaction(|d| {
            let start = d.all_users()?.len();
            for i in start..start + n {
                let mail = format!("person{i}@{}", seed::COMPANY_DOMAIN);
                d.insert_user(
                    &serde_json::json!({
                        "id": uuid::Uuid::new_v4().to_string(),
                        "displayName": format!("Person {i}"),
                        "mail": mail,
                        "userPrincipalName": mail,
                        "userType": "Member",
                        "otherMails": [],
                        "proxyAddresses": [format!("SMTP:{mail}")],
                        "accountEnabled": true,
                        "createdDateTime": "2024-03-04T10:00:00Z"
                    }),
                    0,
                )?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())
    }

    /// Adds `n` guests who accepted their invitation (`guest{i}@partner{i % 10}.example`), for
    /// benchmarks that need many guests.
    pub fn add_guests(&self, n: usize) -> Result<(), String> {
        let mut dir = lock(&self.shared.dir);
        dir.transaction(|d| {
            for i in 0..n {
                let mail = format!("guest{i}@partner{}.example", i % 10);
                let id = uuid::Uuid::new_v4().to_string();
                let doc = routes::new_guest_doc(&id, &mail, None, "Accepted", "2025-01-06T09:00:00Z");
                d.insert_user(&doc, 0)?;
            }
            Ok(())
        })
        .map_err(|e| e.to_string())
    }

    /// Records an interactive browser sign-in of user `user_id` to app `app_id` from `country`
    /// (ISO code) at `at` (RFC 3339), with what the tenant's Conditional Access policies make of
    /// it now — report-only ones included — as `GET /auditLogs/signIns` will show it.
    pub fn record_sign_in(
        &self,
        user_id: &str,
        app_id: &str,
        country: &str,
        at: &str,
    ) -> Result<serde_json::Value, String> {
        routes::record_sign_in(&self.shared, user_id, app_id, country, at).map_err(|e| e.message)
    }

    /// The guest `user_id` accepts their invitation at `at` (RFC 3339), as the redemption page
    /// would: their state becomes `Accepted` and the audit log says "Redeem external user invite".
    pub fn redeem_invitation(&self, user_id: &str, at: &str) -> Result<(), String> {
        {
            let dir = lock(&self.shared.dir);
            let mut user = dir
                .user(user_id)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no user {user_id}"))?
                .doc;
            user["externalUserState"] = serde_json::json!("Accepted");
            user["externalUserStateChangeDateTime"] = serde_json::json!(at);
            dir.update_user(&user).map_err(|e| e.to_string())?;
        }
        routes::audit_event(&self.shared, "Redeem external user invite", user_id, at)
            .map(|_| ())
            .map_err(|e| e.message)
    }

    /// Writes `activity` about `user_id` at `at` into the directory audit log, as if an admin
    /// had done it in the portal (for tests and benchmarks of reading the log).
    pub fn record_audit(&self, activity: &str, user_id: &str, at: &str) -> Result<serde_json::Value, String> {
        routes::audit_event(&self.shared, activity, user_id, at).map_err(|e| e.message)
    }

    /// A reviewer (`reviewer`, a user id) decides `decision` (`Approve` or `Deny`) about guest
    /// `user_id` in access review `definition`'s current instance, as on the My Access page.
    pub fn decide_review(&self, definition: &str, user_id: &str, decision: &str, reviewer: &str) -> Result<(), String> {
        routes::decide_review(&self.shared, definition, user_id, decision, reviewer).map_err(|e| e.message)
    }

    /// Assigns access package `package_name` (made if new) to user `user_id`, delivered, as if
    /// they had requested it and been approved. Returns the assignment.
    pub fn add_access_package_assignment(
        &self,
        user_id: &str,
        package_name: &str,
    ) -> Result<serde_json::Value, String> {
        routes::add_access_package_assignment(&self.shared, user_id, package_name).map_err(|e| e.message)
    }

    /// A partner's user at `email` asks for access package `package_id` in My Access; answers
    /// the request (`pendingApproval`, or `delivered` when the policy needs no approval).
    pub fn request_access_package(&self, email: &str, package_id: &str) -> Result<serde_json::Value, String> {
        routes::request_access_package(&self.shared, email, package_id).map_err(|e| e.message)
    }

    /// A *proposed* connected organisation for `domain`, as if someone from it had asked for
    /// access before anyone connected it. Answers it (with its id).
    pub fn propose_organization(&self, domain: &str) -> Result<serde_json::Value, String> {
        routes::propose_organization(&self.shared, domain).map_err(|e| e.message)
    }

    /// The approver approves request `request_id` in My Access: the assignment is delivered.
    pub fn approve_access_request(&self, request_id: &str) -> Result<serde_json::Value, String> {
        routes::approve_access_request(&self.shared, request_id).map_err(|e| e.message)
    }

    /// Adds a subscription carrying `service_plan` (e.g. `AAD_PREMIUM_P2`) to the tenant, as if
    /// the organisation had bought it.
    pub fn add_subscription(&self, sku_part_number: &str, service_plan: &str) -> Result<(), String> {
        let dir = lock(&self.shared.dir);
        let mut skus = dir
            .document("subscribedSkus")
            .map_err(|e| e.to_string())?
            .unwrap_or(serde_json::json!([]));
        let sku = serde_json::json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "skuId": uuid::Uuid::new_v4().to_string(),
            "skuPartNumber": sku_part_number,
            "capabilityStatus": "Enabled",
            "appliesTo": "User",
            "consumedUnits": 0,
            "prepaidUnits": {"enabled": 25, "suspended": 0, "warning": 0, "lockedOut": 0},
            "servicePlans": [{"servicePlanId": uuid::Uuid::new_v4().to_string(), "servicePlanName": service_plan,
                              "provisioningStatus": "Success", "appliesTo": "User"}],
        });
        if let Some(list) = skus.as_array_mut() {
            list.push(sku);
        }
        dir.put_document("subscribedSkus", &skus).map_err(|e| e.to_string())
    }

    /// Removes the tenant's subscriptions with this part number (e.g. `AAD_PREMIUM_P2`), as if
    /// they had lapsed, to try what Guestpass does without them.
    pub fn remove_subscription(&self, sku_part_number: &str) -> Result<(), String> {
        let dir = lock(&self.shared.dir);
        let mut skus = dir
            .document("subscribedSkus")
            .map_err(|e| e.to_string())?
            .unwrap_or(serde_json::json!([]));
        if let Some(list) = skus.as_array_mut() {
            list.retain(|s| s["skuPartNumber"] != sku_part_number);
        }
        dir.put_document("subscribedSkus", &skus).map_err(|e| e.to_string())
    }

    /// The object id of every guest in the tenant (for benchmarks that act on many).
    pub fn guest_ids(&self) -> Vec<String> {
        lock(&self.shared.dir)
            .all_users()
            .unwrap_or_default()
            .iter()
            .filter(|u| u.doc["userType"] == "Guest")
            .filter_map(|u| u.doc["id"].as_str().map(str::to_string))
            .collect()
    }

    /// The `mail` of every user in the tenant (for tests proving nobody was created twice).
    pub fn user_mails(&self) -> Vec<String> {
        lock(&self.shared.dir)
            .all_users()
            .unwrap_or_default()
            .iter()
            .filter_map(|u| u.doc["mail"].as_str().map(str::to_string))
            .collect()
    }

    /// Waits until the server stops (for `guestpass-cli sandbox serve`).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Where the sandbox keeps its state.
#[derive(Debug, Clone)]
pub enum Storage {
    File(PathBuf),
    Memory,
}

/// Starts the sandbox on 127.0.0.1:`port` (0 = any free port), on the current Tokio runtime.
pub async fn start(storage: Storage, port: u16, config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| SandboxError::Bind {
            addr: format!("127.0.0.1:{port}"),
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
        addr: format!("127.0.0.1:{port}"),
        source,
    })?;
    let base_url = format!("http://{addr}");
    let dir = match storage {
        Storage::File(path) => Directory::open(&path)?,
        Storage::Memory => Directory::open_in_memory()?,
    };
    let shared = Arc::new(Shared {
        base_url,
        dir: Mutex::new(dir),
        config: Mutex::new(config),
        faults: Mutex::new(VecDeque::new()),
        tokens: Mutex::new(HashMap::new()),
        throttle: Mutex::new(throttle::Budgets::default()),
        stats: Mutex::new(Stats::default()),
        sign_ins: Mutex::default(),
        app_certificates: Mutex::default(),
        federated_credentials: Mutex::default(),
        ca_gate: Mutex::default(),
        report_gate: Mutex::default(),
    });
    let app = routes::router(shared.clone());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("sandbox server stopped: {e}");
        }
    });
    Ok(SandboxHandle {
        addr,
        shared,
        shutdown: Some(tx),
        task: Some(task),
        tls_shutdown: None,
    })
}

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
