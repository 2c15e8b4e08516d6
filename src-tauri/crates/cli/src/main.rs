//! `guestpass-cli`: the Guestpass engine for scripts. Scripts depend on its flags, output and
//! exit codes: change them only compatibly.
//!
//! Exit codes: 0 success; 1 Microsoft refused or could not be reached, or the local store
//! failed; 2 bad input or usage (nothing was sent); 3 the change log is broken (`history verify`).

#![allow(clippy::result_large_err)] // see guestpass-core: `Problem` is passed by value on purpose

mod audit;
mod extranet;
mod guests;
mod history;
mod import;
mod login;
mod makers;
mod offboard;
mod onboard;
mod partners;
mod protect;
mod reviews;
mod tenant;

use clap::{Parser, Subcommand};
use guestpass_core::{ConnectionConfig, Engine, Problem, ProblemKind, StepOutcome};
use std::io::Write;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "guestpass-cli",
    version,
    about = "Bring external guests into a Microsoft Entra tenant, checked and recorded."
)]
#[command(
    after_help = "Environment: GUESTPASS_DATA_DIR, GUESTPASS_TENANT (tenant id or domain, or 'sandbox', the default), \
GUESTPASS_CLIENT_ID and GUESTPASS_CLIENT_SECRET (app-only sign-in), GUESTPASS_GRAPH_URL, GUESTPASS_LOGIN_URL, GUESTPASS_BAP_URL."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Onboard a guest: runs only the steps asked for, in order (invite, profile, licence, groups,
    /// Dataverse role).
    /// Every step is safe to re-run: what is already so is reported unchanged.
    Onboard(onboard::OnboardArgs),
    /// Send a guest who has not accepted a new invitation (with a new link). Not undoable:
    /// an e-mail cannot be unsent.
    Resend(onboard::ResendArgs),
    /// Onboard every guest of a list (CSV or Microsoft's bulk-invite template) as a bulk run
    /// that resumes after any stop. Options act as defaults for columns the file lacks.
    Import(import::ImportArgs),
    /// List the change log, newest first.
    History {
        #[command(subcommand)]
        action: Option<HistoryAction>,
        #[command(flatten)]
        list: history::ListArgs,
    },
    /// External collaboration settings: who may invite, guest access, domains, cross-tenant default.
    Settings {
        #[command(subcommand)]
        action: tenant::SettingsAction,
    },
    /// Partners you trust: the cross-tenant default and each partner's own settings (their MFA
    /// and devices, B2B collaboration, B2B direct connect, redemption without the consent prompt).
    Partners(partners::PartnersArgs),
    /// Protect guests: what Conditional Access does for them now and what is missing, the guest
    /// MFA policy, named locations, and the What-If pre-flight guest by guest.
    Protect {
        #[command(subcommand)]
        action: protect::ProtectAction,
    },
    /// Every guest with state, last sign-in, licences and groups; who is stale or stuck.
    Guests(guests::GuestsArgs),
    /// Evidence beyond Microsoft's retention: copy guest-related events of Microsoft's audit and
    /// sign-in logs into the local store.
    Audit {
        #[command(subcommand)]
        action: audit::AuditAction,
    },
    /// A partner's project ends: take its guests' groups and licences, block them, and remove
    /// their accounts after N days — a resumable run, recorded, with evidence for auditors.
    Offboard(offboard::OffboardArgs),
    /// Partner extranets: a partner's people ask for access in My Access, an approver decides,
    /// access expires (entitlement management; Entra ID P2 or ID Governance).
    Extranet {
        #[command(subcommand)]
        action: extranet::ExtranetAction,
    },
    /// Access reviews of the guests in chosen groups (Entra ID P2 or ID Governance).
    Reviews {
        #[command(subcommand)]
        action: reviews::ReviewsAction,
    },
    /// Power Apps guest makers: the tenant setting, and the Environment Maker role for a guest.
    Makers {
        #[command(subcommand)]
        action: makers::MakersAction,
    },
    /// Google federation for Gmail guests.
    Google {
        #[command(subcommand)]
        action: tenant::GoogleAction,
    },
    /// The readiness card of a guest: what is in place, what is missing, and the link to send.
    Check {
        #[arg(long)]
        email: String,
        /// The licence they should have (part number or id).
        #[arg(long)]
        license: Option<String>,
        /// A group they should be in (name or id); repeat for several.
        #[arg(long = "group")]
        groups: Vec<String>,
        /// An environment (Dataverse URL, name or id) where they should have --role.
        #[arg(long, requires = "role")]
        environment: Option<String>,
        /// The Dataverse security role they should have in --environment.
        #[arg(long, requires = "environment")]
        role: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Sign in to a tenant as yourself (system browser, or --device-code) and remember it;
    /// the refresh token goes to the OS keychain.
    Login(login::LoginArgs),
    /// Sign out of a tenant: removes its sign-in from the keychain and forgets the profile.
    Logout {
        /// Tenant id, domain or name (default: the most recently used).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// The tenants you are signed in to, most recently used first.
    Tenants {
        #[arg(long)]
        json: bool,
    },
    /// Run the sandbox tenant on its own.
    Sandbox {
        #[command(subcommand)]
        action: SandboxAction,
    },
}

#[derive(Subcommand)]
enum HistoryAction {
    /// Check the hash chain; exit 3 if any row was changed, removed or reordered.
    Verify {
        #[arg(long)]
        json: bool,
    },
    /// Undo change SEQ (see `history`): reads the tenant first and refuses if it changed since.
    Undo {
        seq: i64,
        /// Print what undo would do; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum SandboxAction {
    /// Serve the sandbox tenant on 127.0.0.1 until interrupted.
    Serve {
        /// Port to listen on (0 = any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Keep the tenant in memory only (otherwise in GUESTPASS_DATA_DIR/sandbox.sqlite).
        #[arg(long)]
        memory: bool,
        /// Delay added to every Graph answer.
        #[arg(long, default_value_t = 0)]
        latency_ms: u64,
        /// How long a new guest stays invisible to reads.
        #[arg(long, default_value_t = 0)]
        replication_delay_ms: u64,
        /// Upload this certificate (PEM) to the sandbox app, to try `login --app-only --certificate`.
        #[arg(long, value_name = "FILE")]
        app_certificate: Option<std::path::PathBuf>,
        /// Take the tenant's Entra ID P2 away, to try what needs it (access reviews) without it.
        #[arg(long)]
        without_governance: bool,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("GUESTPASS_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Runtime::new().expect("starting the async runtime");
    rt.block_on(run(cli.command))
}

/// One line on stderr (and the problem as JSON on stdout with `--json`); the exit code by kind.
pub(crate) fn fail(p: &Problem, json: bool) -> ExitCode {
    if json {
        println!("{}", serde_json::json!({ "error": p }));
    }
    let mut line = format!("error: {} {}", p.message, p.hint);
    if let Some(id) = &p.request_id {
        line.push_str(&format!(" (request-id {id})"));
    }
    eprintln!("{}", line.replace('\n', " "));
    match p.kind {
        ProblemKind::Invalid => ExitCode::from(2),
        _ => ExitCode::from(1),
    }
}

/// Prints what a read found: as JSON with `--json`, otherwise as `text` says; exit 0, or the
/// problem's exit code.
pub(crate) fn print_view<T: serde::Serialize>(
    found: Result<T, Problem>,
    json: bool,
    text: impl Fn(&T) -> String,
) -> ExitCode {
    match found {
        Ok(view) if json => {
            println!("{}", serde_json::json!(view));
            ExitCode::SUCCESS
        }
        Ok(view) => {
            print!("{}", text(&view));
            ExitCode::SUCCESS
        }
        Err(p) => fail(&p, json),
    }
}

/// Prints step outcomes (or, with `--json`, `extra` plus `steps`); exit 0.
fn print_steps(steps: &[StepOutcome], json: bool, extra: Option<serde_json::Value>) -> ExitCode {
    if json {
        let mut doc = extra.unwrap_or_else(|| serde_json::json!({}));
        doc["steps"] = serde_json::json!(steps);
        println!("{doc}");
    } else {
        for o in steps {
            println!("{}: {}", o.step, o.summary);
            if let Some(id) = &o.request_id {
                println!("  request-id: {id}");
            }
        }
    }
    ExitCode::SUCCESS
}

/// Connects to the configured tenant; a dry-run engine changes nothing.
async fn connect(dry_run: bool) -> Result<Engine, Problem> {
    Ok(engine().await?.with_dry_run(dry_run))
}

async fn engine() -> Result<Engine, Problem> {
    let settings = ConnectionConfig::from_env().map_err(|message| Problem {
        kind: ProblemKind::Invalid,
        message,
        hint: "See guestpass-cli --help for the environment variables.".into(),
        fields: vec![],
        code: None,
        request_id: None,
    })?;
    Engine::connect(settings).await
}

async fn run(command: Command) -> ExitCode {
    match command {
        Command::Onboard(args) => {
            let engine = match connect(args.dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, args.json),
            };
            onboard::onboard(&engine, args).await
        }
        Command::Resend(args) => {
            let engine = match connect(args.dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, args.json),
            };
            onboard::resend(&engine, args).await
        }
        Command::Import(args) => {
            let engine = match connect(false).await {
                Ok(e) => e,
                Err(p) => return fail(&p, args.json),
            };
            import::import(engine, args).await
        }
        Command::History {
            action: Some(HistoryAction::Verify { json }),
            ..
        } => history::verify(json),
        Command::History { action: None, list } => history::list(list),
        Command::History {
            action: Some(HistoryAction::Undo { seq, dry_run, json }),
            ..
        } => {
            let engine = match connect(dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, json),
            };
            match engine.undo_change(seq).await {
                Ok(o) => print_steps(&[o], json, None),
                Err(p) => fail(&p, json),
            }
        }
        Command::Login(args) => login::login(args).await,
        Command::Logout { tenant } => login::logout(tenant).await,
        Command::Tenants { json } => login::tenants(json),
        Command::Settings { action } => tenant::settings(action).await,
        Command::Google { action } => tenant::google(action).await,
        Command::Partners(args) => partners::partners(args).await,
        Command::Audit { action } => audit::audit(action).await,
        Command::Reviews { action } => reviews::reviews(action).await,
        Command::Extranet { action } => extranet::extranet(action).await,
        Command::Offboard(args) => offboard::offboard(args).await,
        Command::Makers { action } => makers::makers(action).await,
        Command::Guests(args) => guests::guests(args).await,
        Command::Protect { action } => protect::protect(action).await,
        Command::Check {
            email,
            license,
            groups,
            environment,
            role,
            json,
        } => {
            tenant::check(
                guestpass_core::ReadinessRequest {
                    email,
                    license,
                    groups,
                    environment,
                    role,
                },
                json,
            )
            .await
        }
        Command::Sandbox {
            action:
                SandboxAction::Serve {
                    port,
                    memory,
                    latency_ms,
                    replication_delay_ms,
                    app_certificate,
                    without_governance,
                },
        } => {
            serve_sandbox(
                port,
                memory,
                latency_ms,
                replication_delay_ms,
                app_certificate,
                without_governance,
            )
            .await
        }
    }
}

async fn serve_sandbox(
    port: u16,
    memory: bool,
    latency_ms: u64,
    replication_delay_ms: u64,
    app_certificate: Option<std::path::PathBuf>,
    without_governance: bool,
) -> ExitCode {
    let storage = if memory {
        guestpass_sandbox::Storage::Memory
    } else {
        let dir = guestpass_core::data_dir_from_env();
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            return ExitCode::from(1);
        }
        guestpass_sandbox::Storage::File(dir.join("sandbox.sqlite"))
    };
    let config = guestpass_sandbox::SandboxConfig {
        latency_ms,
        replication_delay_ms,
        ..Default::default()
    };
    let handle = match guestpass_sandbox::start(storage, port, config).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    if without_governance {
        if let Err(e) = handle.remove_subscription("AAD_PREMIUM_P2") {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    }
    if let Some(path) = app_certificate {
        let registered = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|pem| handle.add_app_certificate(&pem));
        match registered {
            Ok(thumbprint) => eprintln!("certificate {thumbprint} uploaded to the sandbox app"),
            Err(e) => {
                eprintln!("error: the certificate {} cannot be used: {e}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    println!("listening on {}", handle.url());
    // For admins' own Graph scripts: the practice app, whose secret only this sandbox accepts.
    // On stderr: scripts that read only the first line of stdout may close it.
    eprintln!(
        "practice app: tenant {} client-id {} client-secret {}",
        guestpass_sandbox::TENANT_DOMAIN,
        guestpass_sandbox::CLIENT_ID,
        guestpass_sandbox::CLIENT_SECRET
    );
    let _ = std::io::stdout().flush();
    eprintln!(
        "sandbox tenant {} ({}). Use it with: GUESTPASS_TENANT=sandbox GUESTPASS_GRAPH_URL={} guestpass-cli ...",
        guestpass_sandbox::TENANT_NAME,
        guestpass_sandbox::TENANT_ID,
        handle.url()
    );
    stop_signal().await;
    drop(handle);
    ExitCode::SUCCESS
}

/// Ctrl-C, or (on Unix) the SIGTERM a supervisor or test harness sends.
async fn stop_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
