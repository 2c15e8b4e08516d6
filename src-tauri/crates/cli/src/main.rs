//! `guestpass-cli`: the Guestpass engine for scripts. Scripts depend on its flags, output and
//! exit codes: change them only compatibly.
//!
//! Exit codes: 0 success; 1 Microsoft refused or could not be reached, or the local store
//! failed; 2 bad input or usage (nothing was sent); 3 the change log is broken (`history verify`).

#![allow(clippy::result_large_err)] // see guestpass-core: `Problem` is passed by value on purpose

mod history;
mod import;
mod login;
mod tenant;

use clap::{Parser, Subcommand};
use guestpass_core::{Engine, GuestRef, InviteRequest, Problem, ProblemKind, ProfileRequest, Settings, StepOutcome};
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
    Onboard(OnboardArgs),
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
    },
}

/// What `onboard` is asked to do.
#[derive(clap::Args)]
struct OnboardArgs {
    #[arg(long)]
    email: String,
    /// Invite them, landing here after accepting (e.g. https://myapps.microsoft.com).
    /// An existing guest is not invited again.
    #[arg(long)]
    redirect_url: Option<String>,
    #[arg(long)]
    display_name: Option<String>,
    /// Have Microsoft e-mail the invitation.
    #[arg(long)]
    send_email: bool,
    /// A personal note for the invitation e-mail.
    #[arg(long)]
    message: Option<String>,
    #[arg(long)]
    first_name: Option<String>,
    #[arg(long)]
    last_name: Option<String>,
    /// Two-letter country code (ISO 3166-1), needed before a licence.
    #[arg(long, value_name = "CC")]
    usage_location: Option<String>,
    /// A licence by part number (e.g. O365_BUSINESS_ESSENTIALS) or SKU id.
    #[arg(long, value_name = "SKU_PART_NUMBER_OR_ID")]
    license: Option<String>,
    /// A group by exact name or id; repeat for several.
    #[arg(long = "group", value_name = "NAME_OR_ID")]
    groups: Vec<String>,
    /// A Power Platform environment (its Dataverse URL, name or id), with --role.
    #[arg(long, value_name = "DATAVERSE_URL", requires = "role")]
    environment: Option<String>,
    /// A Dataverse security role by name (e.g. "Basic User"), given in --environment.
    #[arg(long, value_name = "ROLE_NAME", requires = "environment")]
    role: Option<String>,
    /// Print the plan only; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the outcome as JSON.
    #[arg(long)]
    json: bool,
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
        Command::Onboard(args) => {
            let engine = match connect(args.dry_run).await {
                Ok(e) => e,
                Err(p) => return fail(&p, args.json),
            };
            onboard(&engine, args).await
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
                },
        } => serve_sandbox(port, memory, latency_ms, replication_delay_ms, app_certificate).await,
    }
}

impl OnboardArgs {
    fn profile_asked(&self) -> bool {
        self.first_name.is_some() || self.last_name.is_some() || self.usage_location.is_some()
    }
}

/// Collects step outcomes for the terminal or for `--json`.
struct Report {
    json: bool,
    top: serde_json::Map<String, serde_json::Value>,
    steps: Vec<serde_json::Value>,
}

impl Report {
    fn step(&mut self, o: StepOutcome) {
        if !self.json {
            println!("{}: {}", o.step, o.summary);
            if let Some(id) = &o.request_id {
                println!("  request-id: {id}");
            }
        }
        self.steps.push(serde_json::json!(o));
    }

    /// Prints the JSON document (if asked) and turns the outcome into the exit code.
    fn finish(mut self, email: &str, error: Option<Problem>) -> ExitCode {
        if self.json {
            self.top.entry("email").or_insert_with(|| serde_json::json!(email));
            self.top.insert("steps".into(), serde_json::Value::Array(self.steps));
            if let Some(p) = &error {
                self.top.insert("error".into(), serde_json::json!(p));
            }
            println!("{}", serde_json::Value::Object(self.top));
        }
        match error {
            None => ExitCode::SUCCESS,
            Some(p) => fail(&p, false),
        }
    }
}

/// Runs the asked steps in the order Microsoft needs (invite, profile, licence, groups, role),
/// printing each outcome, and stops at the first failure. With `--json` the invitation's
/// outcome stays at the top level (as in the first version) and every step is under `steps`.
async fn onboard(engine: &Engine, plan: OnboardArgs) -> ExitCode {
    let json = plan.json;
    let mut report = Report {
        json,
        top: serde_json::Map::new(),
        steps: Vec::new(),
    };
    let mut guest = GuestRef {
        email: plan.email.clone(),
        user_id: None,
    };
    if plan.redirect_url.is_none()
        && !plan.profile_asked()
        && plan.license.is_none()
        && plan.groups.is_empty()
        && plan.role.is_none()
    {
        let p = Problem::invalid(vec![guestpass_core::FieldError {
            field: "redirectUrl".into(),
            message: "Nothing to do: give --redirect-url to invite, and/or --first-name, --last-name, --usage-location, --license, --group, --environment with --role.".into(),
        }]);
        return report.finish(&plan.email, Some(p));
    }

    if let Some(redirect_url) = plan.redirect_url.clone() {
        let req = InviteRequest {
            email: plan.email.clone(),
            display_name: plan.display_name.clone(),
            redirect_url,
            send_email: plan.send_email,
            message: plan.message.clone(),
        };
        let would_invite = match engine.invite_guest(&req).await {
            Ok(o) => {
                let would_invite = o.status == guestpass_core::InviteStatus::WouldInvite;
                if !json {
                    println!("invite: {}", o.summary);
                    if let Some(url) = &o.redeem_url {
                        println!("  invitation link: {url}");
                    }
                    println!("  user id: {}", o.user_id);
                    if let Some(id) = &o.request_id {
                        println!("  request-id: {id}");
                    }
                }
                guest = GuestRef {
                    email: o.email.clone(),
                    user_id: Some(o.user_id.clone()),
                };
                if let serde_json::Value::Object(m) = serde_json::json!(o) {
                    report.top.extend(m.clone());
                    let mut step = m;
                    step.insert("step".into(), "invite".into());
                    report.steps.push(serde_json::Value::Object(step));
                }
                would_invite
            }
            Err(p) => return report.finish(&plan.email, Some(p)),
        };
        if would_invite {
            // A dry run cannot read a guest who does not exist yet: the later steps follow the invitation.
            let later = [("profile", plan.profile_asked()), ("license", plan.license.is_some())]
                .into_iter()
                .filter(|(_, asked)| *asked)
                .map(|(step, _)| step)
                .chain(plan.groups.iter().map(|_| "group"))
                .chain(plan.role.iter().map(|_| "role"));
            for step in later {
                report.step(StepOutcome::would(
                    step,
                    format!("Would run after the invitation ({step})."),
                ));
            }
            return report.finish(&plan.email, None);
        }
    }
    if plan.profile_asked() {
        let req = ProfileRequest {
            guest: guest.clone(),
            given_name: plan.first_name.clone(),
            surname: plan.last_name.clone(),
            usage_location: plan.usage_location.clone(),
        };
        match engine.set_profile(&req).await {
            Ok(o) => report.step(o),
            Err(p) => return report.finish(&plan.email, Some(p)),
        }
    }
    if let Some(sku) = &plan.license {
        match engine.assign_license(&guest, sku).await {
            Ok(o) => report.step(o),
            Err(p) => return report.finish(&plan.email, Some(p)),
        }
    }
    for group in &plan.groups {
        match engine.add_to_group(&guest, group).await {
            Ok(o) => report.step(o),
            Err(p) => return report.finish(&plan.email, Some(p)),
        }
    }
    if let (Some(environment), Some(role)) = (&plan.environment, &plan.role) {
        match engine.assign_dataverse_role(&guest, environment, role).await {
            Ok(o) => report.step(o),
            Err(p) => return report.finish(&plan.email, Some(p)),
        }
    }
    report.finish(&plan.email, None)
}

async fn serve_sandbox(
    port: u16,
    memory: bool,
    latency_ms: u64,
    replication_delay_ms: u64,
    app_certificate: Option<std::path::PathBuf>,
) -> ExitCode {
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
