//! `guestpass-cli login | logout | tenants`: signing in from a terminal (browser, device code,
//! the Azure CLI's sign-in, app-only with a client secret or certificate, or an Azure managed
//! identity or workload identity federation — the last two with no secret at all).

use crate::fail;
use guestpass_core::connection::env;
use guestpass_core::sign_in::{self, AppOnlySecret, SignInPrompt, SignInRequest, SignInWay};
use guestpass_core::{Problem, ProblemKind};
use guestpass_graph::azure_identity::AzureIdentityKind;
use guestpass_graph::Endpoints;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct LoginArgs {
    /// Tenant id or domain, e.g. contoso.onmicrosoft.com (a managed identity knows its own;
    /// workload identity reads AZURE_TENANT_ID when it is not given).
    #[arg(long, required_unless_present_any = ["managed_identity", "workload_identity"])]
    tenant: Option<String>,
    /// Your app registration's client id (a public client with redirect URI http://localhost).
    /// With --managed-identity: a user-assigned identity's client id. With --workload-identity:
    /// the app registration (else AZURE_CLIENT_ID).
    #[arg(long, required_unless_present_any = ["azure_cli", "managed_identity", "workload_identity"])]
    client_id: Option<String>,
    /// Show a code to type at Microsoft's device login page instead of opening a browser.
    #[arg(long, conflicts_with_all = ["app_only", "azure_cli", "managed_identity", "workload_identity"])]
    device_code: bool,
    /// App-only sign-in for unattended scripts: the app's client secret (from
    /// GUESTPASS_CLIENT_SECRET, or typed at a hidden prompt) or its certificate (--certificate)
    /// is checked, then kept in the keychain.
    #[arg(long, conflicts_with_all = ["azure_cli", "managed_identity", "workload_identity"])]
    app_only: bool,
    /// With --app-only: a PEM file with the app's certificate and its unencrypted private key
    /// (the key is then kept in the keychain; the file is no longer needed).
    #[arg(long, requires = "app_only", value_name = "FILE")]
    certificate: Option<std::path::PathBuf>,
    /// Reuse the Azure CLI's sign-in (`az login`); Guestpass keeps nothing.
    #[arg(long, conflicts_with_all = ["client_id", "managed_identity", "workload_identity"])]
    azure_cli: bool,
    /// App-only sign-in as this Azure VM's, Automation account's, App Service's or Function's
    /// managed identity (IMDS, or IDENTITY_ENDPOINT and IDENTITY_HEADER); no secret anywhere.
    #[arg(long, conflicts_with = "workload_identity")]
    managed_identity: bool,
    /// App-only sign-in by workload identity federation (AKS, GitHub Actions, Azure Pipelines):
    /// the token in AZURE_FEDERATED_TOKEN_FILE is exchanged for the app AZURE_CLIENT_ID in
    /// AZURE_TENANT_ID; no secret anywhere.
    #[arg(long)]
    workload_identity: bool,
}

/// Microsoft's hosts, or the ones GUESTPASS_*_URL name (a sandbox serves all at one root).
fn endpoints() -> Result<Endpoints, Problem> {
    guestpass_core::connection::endpoints_from_vars(|k| std::env::var(k).ok())
        .map_err(|e| Problem::field("url", e, "Fix the GUESTPASS_*_URL variable."))
}

pub async fn login(args: LoginArgs) -> ExitCode {
    let endpoints = match endpoints() {
        Ok(e) => e,
        Err(p) => return fail(&p, false),
    };
    if args.managed_identity || args.workload_identity {
        let kind = if args.managed_identity {
            AzureIdentityKind::ManagedIdentity {
                client_id: args.client_id,
            }
        } else {
            AzureIdentityKind::WorkloadIdentity {
                tenant_id: args.tenant,
                client_id: args.client_id,
            }
        };
        return login_azure_identity(endpoints, kind).await;
    }
    let client_id = args.client_id.unwrap_or_default();
    let tenant = args.tenant.unwrap_or_default();
    if args.app_only {
        return login_app_only(endpoints, &tenant, &client_id, args.certificate.as_deref()).await;
    }
    let req = SignInRequest {
        tenant,
        client_id,
        way: if args.azure_cli {
            SignInWay::AzureCli
        } else if args.device_code {
            SignInWay::DeviceCode
        } else {
            SignInWay::Browser
        },
    };
    let prompt = |p: SignInPrompt| match p {
        SignInPrompt::OpenBrowser(url) => {
            eprintln!("Sign in in your browser. If it does not open, open this address:\n{url}");
            if std::env::var_os("GUESTPASS_NO_BROWSER").is_none() {
                if let Err(e) = open::that_detached(&url) {
                    eprintln!("(The browser could not be opened: {e}. Use --device-code on machines without one.)");
                }
            }
        }
        SignInPrompt::ShowDeviceCode(code) => {
            eprintln!(
                "To sign in, open {} and enter the code {}",
                code.verification_uri, code.user_code
            );
        }
    };
    match sign_in::sign_in(&guestpass_core::data_dir_from_env(), endpoints, &req, prompt).await {
        Ok((signed, engine)) => {
            let p = &signed.profile;
            println!(
                "Signed in to {} as {}.",
                p.tenant_name.as_deref().unwrap_or(&p.tenant),
                p.username.as_deref().unwrap_or("?")
            );
            print_permissions(&engine, p).await;
            match &signed.keychain {
                Ok(name) => println!(
                    "The sign-in is kept in the {name}; use it with GUESTPASS_TENANT={}.",
                    p.domain.as_deref().unwrap_or(&p.tenant)
                ),
                Err(why) => {
                    eprintln!("warning: {why}. The CLI cannot keep this sign-in; for scripts use app-only sign-in ({} and {}).", env::CLIENT_ID, env::CLIENT_SECRET);
                    return ExitCode::from(1);
                }
            }
            ExitCode::SUCCESS
        }
        Err(p) => fail(&p, false),
    }
}

async fn login_azure_identity(endpoints: Endpoints, kind: AzureIdentityKind) -> ExitCode {
    match sign_in::save_azure_identity(&guestpass_core::data_dir_from_env(), endpoints, kind).await {
        Ok((signed, engine)) => {
            let p = &signed.profile;
            let who = if p.sign_in == sign_in::MANAGED_IDENTITY {
                format!("the managed identity ({})", p.client_id)
            } else {
                format!("the app {} (workload identity federation)", p.client_id)
            };
            println!(
                "Signed in to {} as {who}.",
                p.tenant_name.as_deref().unwrap_or(&p.tenant)
            );
            print_permissions(&engine, p).await;
            println!(
                "Nothing secret is kept: Azure gives the identity each time. Use it with GUESTPASS_TENANT={}.",
                p.domain.as_deref().unwrap_or(&p.tenant)
            );
            ExitCode::SUCCESS
        }
        Err(p) => fail(&p, false),
    }
}

/// What this sign-in can do, per wizard step (before anything is started).
async fn print_permissions(engine: &guestpass_core::Engine, profile: &guestpass_store::TenantProfile) {
    match engine.permission_report(profile).await {
        Ok(report) => {
            for step in report {
                let status = if step.ready {
                    "ready".to_string()
                } else {
                    let mut missing = step.missing_permissions.join(", ");
                    if !step.needs_one_of_roles.is_empty() {
                        if !missing.is_empty() {
                            missing.push_str("; ");
                        }
                        missing.push_str(&format!("a role: {}", step.needs_one_of_roles.join(" or ")));
                    }
                    format!("needs {missing}")
                };
                println!("  {:<24} {status}", step.step);
            }
        }
        Err(p) => eprintln!("warning: what this sign-in may do could not be read: {}", p.message),
    }
}

pub async fn logout(tenant: Option<String>) -> ExitCode {
    let dir = guestpass_core::data_dir_from_env();
    let profile = match tenant {
        Some(t) => sign_in::find_profile(&dir, &t),
        None => sign_in::profiles(&dir).map(|p| p.into_iter().next()),
    };
    match profile {
        Ok(Some(p)) => match sign_in::sign_out(&dir, p.id).await {
            Ok(()) if p.sign_in == sign_in::AZURE_CLI => {
                println!(
                    "Guestpass forgot {}; the Azure CLI's own sign-in stays (`az logout` ends it).",
                    p.tenant_name.as_deref().unwrap_or(&p.tenant)
                );
                ExitCode::SUCCESS
            }
            Ok(()) => {
                println!(
                    "Signed out of {}; its sign-in is removed from the keychain.",
                    p.tenant_name.as_deref().unwrap_or(&p.tenant)
                );
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e, false),
        },
        Ok(None) => fail(
            &Problem {
                kind: ProblemKind::Invalid,
                message: "Guestpass is not signed in to that tenant.".into(),
                hint: "See `guestpass-cli tenants`.".into(),
                fields: vec![],
                code: None,
                request_id: None,
            },
            false,
        ),
        Err(e) => fail(&e, false),
    }
}

pub fn tenants(json: bool) -> ExitCode {
    match sign_in::profiles(&guestpass_core::data_dir_from_env()) {
        Ok(list) if json => {
            println!("{}", serde_json::json!(list));
            ExitCode::SUCCESS
        }
        Ok(list) => {
            if list.is_empty() {
                println!("Not signed in to any tenant (the sandbox tenant needs no sign-in).");
            }
            for p in list {
                // Which certificate a profile signs with, as the app registration lists it.
                let certificate = p
                    .certificate
                    .as_deref()
                    .and_then(guestpass_graph::certificate::thumbprint_of)
                    .map(|t| format!("  certificate {t}"))
                    .unwrap_or_default();
                println!(
                    "{}  {}  {} ({})  app {}{certificate}",
                    p.tenant,
                    p.tenant_name.as_deref().unwrap_or("-"),
                    p.username.as_deref().unwrap_or("-"),
                    p.sign_in,
                    p.client_id
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e, json),
    }
}

/// The app's certificate file, or its client secret (environment or hidden prompt).
fn app_only_secret(certificate: Option<&std::path::Path>) -> Result<AppOnlySecret, ExitCode> {
    if let Some(path) = certificate {
        return std::fs::read(path).map(AppOnlySecret::CertificatePem).map_err(|e| {
            eprintln!("error: the certificate file {} cannot be read: {e}.", path.display());
            ExitCode::from(2)
        });
    }
    match std::env::var(env::CLIENT_SECRET).ok().filter(|s| !s.is_empty()) {
        Some(s) => Ok(AppOnlySecret::ClientSecret(s)),
        None => match rpassword::prompt_password("Client secret (not shown): ") {
            Ok(s) if !s.trim().is_empty() => Ok(AppOnlySecret::ClientSecret(s.trim().to_string())),
            _ => {
                eprintln!(
                    "error: no client secret given. Set {}, type it at the prompt, or use --certificate FILE.",
                    env::CLIENT_SECRET
                );
                Err(ExitCode::from(2))
            }
        },
    }
}

async fn login_app_only(
    endpoints: Endpoints,
    tenant: &str,
    client_id: &str,
    certificate: Option<&std::path::Path>,
) -> ExitCode {
    let secret = match app_only_secret(certificate) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let what = if certificate.is_some() {
        "certificate's private key"
    } else {
        "client secret"
    };
    match sign_in::save_app_only(
        &guestpass_core::data_dir_from_env(),
        endpoints,
        tenant,
        client_id,
        secret,
    )
    .await
    {
        Ok((signed, engine)) => {
            let p = &signed.profile;
            println!(
                "Signed in to {} as the app {}.",
                p.tenant_name.as_deref().unwrap_or(&p.tenant),
                p.client_id
            );
            print_permissions(&engine, p).await;
            match &signed.keychain {
                Ok(name) => {
                    println!(
                        "The {what} is kept in the {name}; use it with GUESTPASS_TENANT={} (no secret in the environment needed).",
                        p.domain.as_deref().unwrap_or(&p.tenant)
                    );
                    ExitCode::SUCCESS
                }
                Err(why) => {
                    eprintln!(
                        "warning: {why}. The {what} was not kept; keep passing {} to each command.",
                        env::CLIENT_SECRET
                    );
                    ExitCode::from(1)
                }
            }
        }
        Err(p) => fail(&p, false),
    }
}
