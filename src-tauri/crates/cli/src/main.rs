//! `guestpass-cli`: the Guestpass engine for scripts. Scripts depend on its flags, output and
//! exit codes: change them only compatibly.
//!
//! Exit codes: 0 success; 1 Microsoft refused or could not be reached, or the local store
//! failed; 2 bad input or usage (nothing was sent); 3 the change log is broken (`history verify`).

#![allow(clippy::result_large_err)] // see guestpass-core: `Problem` is passed by value on purpose

use clap::{Parser, Subcommand};
use guestpass_core::{Engine, InviteRequest, Problem, ProblemKind, Settings};
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
    /// Invite a guest (looks them up first: an existing guest is not invited again).
    Onboard {
        #[arg(long)]
        email: String,
        /// Where the guest lands after accepting, e.g. https://myapps.microsoft.com.
        #[arg(long)]
        redirect_url: String,
        #[arg(long)]
        display_name: Option<String>,
        /// Have Microsoft e-mail the invitation.
        #[arg(long)]
        send_email: bool,
        /// A personal note for the invitation e-mail.
        #[arg(long)]
        message: Option<String>,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the change log, newest first.
    History {
        #[command(subcommand)]
        action: Option<HistoryAction>,
        #[arg(long)]
        json: bool,
        /// How many rows to show.
        #[arg(long, default_value_t = 50)]
        limit: u32,
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
fn fail(p: &Problem, json: bool) -> ExitCode {
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

async fn engine() -> Result<Engine, Problem> {
    let settings = Settings::from_env().map_err(|message| Problem {
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
        Command::Onboard {
            email,
            redirect_url,
            display_name,
            send_email,
            message,
            json,
        } => {
            let engine = match engine().await {
                Ok(e) => e,
                Err(p) => return fail(&p, json),
            };
            let req = InviteRequest {
                email,
                display_name,
                redirect_url,
                send_email,
                message,
            };
            match engine.invite_guest(&req).await {
                Ok(outcome) if json => {
                    println!("{}", serde_json::to_string(&outcome).expect("outcome serialises"));
                    ExitCode::SUCCESS
                }
                Ok(outcome) => {
                    println!("{}", outcome.summary);
                    println!("user id: {}", outcome.user_id);
                    if let Some(url) = &outcome.redeem_url {
                        println!("invitation link: {url}");
                    }
                    if let Some(id) = &outcome.request_id {
                        println!("request-id: {id}");
                    }
                    ExitCode::SUCCESS
                }
                Err(p) => fail(&p, json),
            }
        }
        Command::History {
            action: Some(HistoryAction::Verify { json }),
            ..
        } => {
            let store = match local_store() {
                Ok(s) => s,
                Err(p) => return fail(&p, json),
            };
            match store.verify_chain() {
                Ok(report) => {
                    if json {
                        println!("{}", serde_json::to_string(&report).expect("report serialises"));
                    }
                    match &report.first_break {
                        None => {
                            if !json {
                                println!("change log intact: {} rows, hash chain verified", report.rows);
                            }
                            ExitCode::SUCCESS
                        }
                        Some(b) => {
                            eprintln!("error: the change log was altered at row {}: {}", b.seq, b.reason);
                            ExitCode::from(3)
                        }
                    }
                }
                Err(e) => fail(&Problem::local(e), json),
            }
        }
        Command::History {
            action: None,
            json,
            limit,
        } => {
            let store = match local_store() {
                Ok(s) => s,
                Err(p) => return fail(&p, json),
            };
            match store.recent_changes(limit) {
                Ok(rows) if json => {
                    println!("{}", serde_json::to_string(&rows).expect("rows serialise"));
                    ExitCode::SUCCESS
                }
                Ok(rows) => {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(
                        out,
                        "{:<24}  {:<36}  {:<14}  {:<36}  {:<9}  REQUEST-ID",
                        "TIME", "TENANT", "ACTION", "TARGET", "RESULT"
                    );
                    for r in rows {
                        let result = serde_json::to_value(r.result)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default();
                        let _ = writeln!(
                            out,
                            "{:<24}  {:<36}  {:<14}  {:<36}  {:<9}  {}",
                            r.at,
                            r.tenant,
                            r.action,
                            r.target,
                            result,
                            r.request_id.as_deref().unwrap_or("-")
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&Problem::local(e), json),
            }
        }
        Command::Sandbox {
            action:
                SandboxAction::Serve {
                    port,
                    memory,
                    latency_ms,
                    replication_delay_ms,
                },
        } => serve_sandbox(port, memory, latency_ms, replication_delay_ms).await,
    }
}

/// History needs only the local database, not a tenant.
fn local_store() -> Result<guestpass_core::Store, Problem> {
    let dir = guestpass_core::connect::default_data_dir(std::env::var(guestpass_core::connect::env::DATA_DIR).ok());
    std::fs::create_dir_all(&dir).map_err(|e| Problem::local(format!("cannot create {}: {e}", dir.display())))?;
    guestpass_core::Store::open(&dir.join("guestpass.sqlite")).map_err(Problem::local)
}

async fn serve_sandbox(port: u16, memory: bool, latency_ms: u64, replication_delay_ms: u64) -> ExitCode {
    let storage = if memory {
        guestpass_sandbox::Storage::Memory
    } else {
        let dir = guestpass_core::connect::default_data_dir(std::env::var(guestpass_core::connect::env::DATA_DIR).ok());
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
    println!("listening on {}", handle.url());
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
