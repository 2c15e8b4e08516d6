//! Signing in to a tenant (the sandbox's Entra) as an admin: browser and device code, the
//! profile remembered, the refresh token only in the keychain, sign-out, and a scan proving no
//! secret or token reaches the SQLite files, logs or exports after a full onboarding.

use guestpass_core::bulk::{ImportDefaults, RunControl};
use guestpass_core::sign_in::{self, AppOnlySecret, SignInPrompt, SignInRequest, SignInWay};
use guestpass_graph::Endpoints;
use guestpass_sandbox::{SandboxConfig, SandboxHandle, Storage};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

async fn sandbox() -> SandboxHandle {
    guestpass_sandbox::start(
        Storage::Memory,
        0,
        SandboxConfig {
            device_poll_interval_s: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

fn endpoints(sb: &SandboxHandle) -> Endpoints {
    Endpoints::loopback(&Url::parse(&sb.url()).unwrap())
}

fn request(way: SignInWay) -> SignInRequest {
    SignInRequest {
        tenant: guestpass_sandbox::TENANT_DOMAIN.into(),
        client_id: guestpass_sandbox::CLIENT_ID.into(),
        way,
    }
}

/// Plays the browser: accepts the consent page as Megan and follows the redirect back.
fn browser() -> impl FnOnce(SignInPrompt) {
    |prompt| {
        let SignInPrompt::OpenBrowser(url) = prompt else {
            panic!("expected a browser sign-in")
        };
        tokio::spawn(async move {
            let web = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let u = Url::parse(&url).unwrap();
            let q: std::collections::HashMap<String, String> = u.query_pairs().into_owned().collect();
            let form = [
                ("client_id", q["client_id"].as_str()),
                ("redirect_uri", q["redirect_uri"].as_str()),
                ("scope", q["scope"].as_str()),
                ("state", q["state"].as_str()),
                ("code_challenge", q["code_challenge"].as_str()),
                ("decision", "accept"),
            ];
            let answer = web.post(url.clone()).form(&form).send().await.unwrap();
            let back = answer.headers()["location"]
                .to_str()
                .unwrap()
                .replace("localhost", "127.0.0.1");
            web.get(back).send().await.unwrap();
        });
    }
}

/// Megan signs in through the browser (played by [`browser`]).
async fn signed_in_with_browser(
    sb: &SandboxHandle,
    dir: &std::path::Path,
) -> (guestpass_core::sign_in::SignedIn, guestpass_core::Engine) {
    sign_in::sign_in(dir, endpoints(sb), &request(SignInWay::Browser), browser())
        .await
        .unwrap()
}

#[tokio::test]
async fn browser_sign_in_saves_a_profile_and_keeps_the_refresh_token_in_the_keychain_only() {
    guestpass_keychain::use_mock_for_tests();
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (signed, engine) = signed_in_with_browser(&sb, dir.path()).await;
    assert_eq!(signed.profile.tenant, guestpass_sandbox::TENANT_ID);
    assert_eq!(
        signed.profile.username.as_deref(),
        Some("megan.bowen@northwind.example")
    );
    assert!(signed.profile.scopes.as_deref().unwrap().contains("User.Invite.All"));
    assert!(signed.keychain.is_ok());
    assert_eq!(
        engine.info().actor,
        "megan.bowen@northwind.example",
        "changes are recorded as the admin"
    );

    // A restart connects from the profile, renewing the sign-in from the keychain.
    let again = sign_in::connect_profile(dir.path(), signed.profile.id).await.unwrap();
    assert_eq!(again.info().tenant_id, guestpass_sandbox::TENANT_ID);

    // Signing out removes the secret: the profile can no longer connect.
    assert!(guestpass_keychain::get(&sign_in::refresh_account(&signed.profile))
        .await
        .unwrap()
        .is_some());
    sign_in::sign_out(dir.path(), signed.profile.id).await.unwrap();
    assert!(sign_in::profiles(dir.path()).unwrap().is_empty());
    assert!(guestpass_keychain::get(&sign_in::refresh_account(&signed.profile))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn device_code_sign_in_shows_the_code_and_waits_for_the_admin() {
    guestpass_keychain::use_mock_for_tests();
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let shown: Arc<Mutex<Option<String>>> = Arc::default();
    let seen = shown.clone();
    let (signed, _) = sign_in::sign_in(
        dir.path(),
        endpoints(&sb),
        &request(SignInWay::DeviceCode),
        move |prompt| {
            let SignInPrompt::ShowDeviceCode(code) = prompt else {
                panic!("expected a device code")
            };
            *seen.lock().unwrap() = Some(code.user_code.clone());
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                reqwest::Client::new()
                    .post(&code.verification_uri)
                    .form(&[("user_code", code.user_code.as_str()), ("decision", "accept")])
                    .send()
                    .await
                    .unwrap();
            });
        },
    )
    .await
    .unwrap();
    assert!(shown.lock().unwrap().is_some());
    assert_eq!(signed.profile.sign_in, "deviceCode");
}

#[tokio::test]
async fn no_secret_or_token_reaches_the_database_logs_or_exports() {
    guestpass_keychain::use_mock_for_tests();
    // Every log line of every crate (ours, the sandbox's, reqwest's, hyper's), at TRACE.
    let logs = LogCapture::default();
    let _logging = tracing::subscriber::set_default(
        tracing_subscriber::fmt()
            .with_env_filter("trace")
            .with_writer(logs.clone())
            .with_ansi(false)
            .finish(),
    );
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (signed, engine) = signed_in_with_browser(&sb, dir.path()).await;
    let refresh = guestpass_keychain::get(&sign_in::refresh_account(&signed.profile))
        .await
        .unwrap()
        .unwrap();
    // A full onboarding through a bulk run, then every export.
    let csv = "Email,First name,Last name,Country,License,Groups\nscan@partner.example,Scan,Test,GB,FLOW_FREE,Partner portal users\n";
    let preview = engine
        .preview_import(
            "scan.csv",
            csv.as_bytes(),
            &ImportDefaults {
                redirect_url: Some("https://myapps.microsoft.com".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let run = engine.start_import(&preview).unwrap();
    let done = engine.run_import(run, RunControl::new(), &|_| {}).await.unwrap();
    assert_eq!(done.done, 1);
    let mut haystack = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            haystack.extend(std::fs::read(&path).unwrap());
        }
    }
    let filter = guestpass_core::ChangeFilter::default();
    haystack.extend(
        guestpass_core::export::to_csv(&engine.query_changes(&filter).unwrap(), &[])
            .unwrap()
            .into_bytes(),
    );
    haystack.extend(
        guestpass_core::export::to_json(&engine.query_changes(&filter).unwrap(), &[])
            .unwrap()
            .into_bytes(),
    );
    haystack.extend(
        guestpass_core::bulk::results::to_csv(&engine.run_rows(run).unwrap())
            .unwrap()
            .into_bytes(),
    );
    haystack.extend(format!("{signed:?} {:?}", engine.info()).into_bytes());
    let log_text = logs.text();
    assert!(log_text.lines().count() > 50, "the capture saw the run's logs");
    haystack.extend(log_text.into_bytes());
    let text = String::from_utf8_lossy(&haystack);
    assert!(!text.contains(&refresh), "the refresh token leaked");
    let tokens = sb.issued_access_tokens();
    assert!(!tokens.is_empty(), "the sign-in issued an access token");
    for token in tokens {
        assert!(!text.contains(&token), "an access token leaked");
    }
    assert!(
        !text.contains(guestpass_sandbox::CLIENT_SECRET),
        "the client secret leaked"
    );
}

#[tokio::test]
async fn after_sign_in_each_step_says_ready_or_what_is_missing() {
    guestpass_keychain::use_mock_for_tests();
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (signed, engine) = signed_in_with_browser(&sb, dir.path()).await;
    let report = engine.permission_report(&signed.profile).await.unwrap();
    assert!(
        report.iter().all(|s| s.ready),
        "Megan is a Global Administrator: {report:?}"
    );
}

#[tokio::test]
async fn a_long_bulk_run_renews_the_sign_in_as_it_goes() {
    guestpass_keychain::use_mock_for_tests();
    let sb = guestpass_sandbox::start(
        Storage::Memory,
        0,
        SandboxConfig {
            token_lifetime_s: 1,
            latency_ms: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (signed, engine) = signed_in_with_browser(&sb, dir.path()).await;
    let first_refresh = guestpass_keychain::get(&sign_in::refresh_account(&signed.profile))
        .await
        .unwrap();
    let mut csv = String::from("Email,First name,Last name,Country\n");
    for i in 0..12 {
        csv.push_str(&format!("renew{i}@partner.example,Renew,Guest{i},GB\n"));
    }
    let defaults = ImportDefaults {
        redirect_url: Some("https://myapps.microsoft.com".into()),
        ..Default::default()
    };
    let preview = engine
        .preview_import("renew.csv", csv.as_bytes(), &defaults)
        .await
        .unwrap();
    let run = engine.start_import(&preview).unwrap();
    // Every access token issued so far expires (as after a long pause, or an hour into a
    // big run): the run renews the sign-in with the refresh token and carries on.
    sb.expire_tokens();
    let done = engine.run_import(run, RunControl::new(), &|_| {}).await.unwrap();
    assert_eq!((done.done, done.failed), (12, 0));
    // Entra rotated the refresh token; the keychain holds the newest.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let latest = guestpass_keychain::get(&sign_in::refresh_account(&signed.profile))
        .await
        .unwrap();
    assert_ne!(latest, first_refresh);
}

#[tokio::test]
async fn app_only_secrets_are_checked_then_kept_in_the_keychain_only() {
    guestpass_keychain::use_mock_for_tests();
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let wrong = sign_in::save_app_only(
        dir.path(),
        endpoints(&sb),
        guestpass_sandbox::TENANT_DOMAIN,
        guestpass_sandbox::CLIENT_ID,
        AppOnlySecret::ClientSecret("not-the-secret".into()),
    )
    .await;
    assert!(wrong.is_err(), "a wrong secret is refused before anything is kept");
    assert!(sign_in::profiles(dir.path()).unwrap().is_empty());
    let (signed, _) = sign_in::save_app_only(
        dir.path(),
        endpoints(&sb),
        guestpass_sandbox::TENANT_DOMAIN,
        guestpass_sandbox::CLIENT_ID,
        AppOnlySecret::ClientSecret(guestpass_sandbox::CLIENT_SECRET.into()),
    )
    .await
    .unwrap();
    assert_eq!(signed.profile.sign_in, "clientSecret");
    // An app with only User.Invite.All: inviting is ready, licences are not.
    sb.set_config(SandboxConfig {
        roles: vec!["Organization.Read.All".into(), "User.Invite.All".into()],
        ..sb.config()
    });
    let engine = sign_in::connect_profile(dir.path(), signed.profile.id).await.unwrap();
    assert_eq!(engine.info().actor, format!("app:{}", guestpass_sandbox::CLIENT_ID));
    let report = engine.permission_report(&signed.profile).await.unwrap();
    let step = |name: &str| report.iter().find(|s| s.step == name).unwrap().clone();
    assert!(step("Invite").ready, "{report:?}");
    assert_eq!(step("Licence").missing_permissions, ["LicenseAssignment.ReadWrite.All"]);
    assert!(step("Licence").needs_one_of_roles.is_empty(), "apps need no admin role");
    assert!(report.iter().all(|s| s.step != "Dataverse role"));
    let db = std::fs::read(dir.path().join("guestpass.sqlite")).unwrap();
    assert!(
        !String::from_utf8_lossy(&db).contains(guestpass_sandbox::CLIENT_SECRET),
        "the secret is not in SQLite"
    );
    sign_in::sign_out(dir.path(), signed.profile.id).await.unwrap();
    assert!(guestpass_keychain::get(&sign_in::secret_account(&signed.profile))
        .await
        .unwrap()
        .is_none());
}

fn certificate_file(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
            .join("../../../tests/certificates")
            .join(name),
    )
    .unwrap()
}

#[tokio::test]
async fn app_only_certificates_keep_the_key_in_the_keychain_and_the_certificate_in_the_profile() {
    guestpass_keychain::use_mock_for_tests();
    let sb = sandbox().await;
    sb.add_app_certificate(&certificate_file("app-cert.pem")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let save = |file: &str| {
        sign_in::save_app_only(
            dir.path(),
            endpoints(&sb),
            guestpass_sandbox::TENANT_DOMAIN,
            guestpass_sandbox::CLIENT_ID,
            AppOnlySecret::CertificatePem(certificate_file(file)),
        )
    };
    let unregistered = save("other.pem").await.err().unwrap();
    assert!(unregistered.hint.contains("Certificates & secrets"), "{unregistered:?}");
    let encrypted = save("app-encrypted.pem").await.err().unwrap();
    assert_eq!(encrypted.fields[0].field, "certificate");
    assert!(encrypted.message.contains("openssl pkcs8"), "{encrypted:?}");
    assert!(sign_in::profiles(dir.path()).unwrap().is_empty());

    let (signed, _) = save("app.pem").await.unwrap();
    assert_eq!(signed.profile.sign_in, "clientCertificate");
    assert!(signed
        .profile
        .certificate
        .as_deref()
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let key = guestpass_keychain::get(&sign_in::secret_account(&signed.profile))
        .await
        .unwrap()
        .unwrap();
    assert!(key.contains("PRIVATE KEY"));
    // A later run connects from the profile and the keychain alone.
    let engine = sign_in::connect_profile(dir.path(), signed.profile.id).await.unwrap();
    assert_eq!(engine.info().actor, format!("app:{}", guestpass_sandbox::CLIENT_ID));
    let db = String::from_utf8_lossy(&std::fs::read(dir.path().join("guestpass.sqlite")).unwrap()).into_owned();
    let key_body: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
    assert!(!db.contains(&key_body[..40]), "the private key is not in SQLite");
    sign_in::sign_out(dir.path(), signed.profile.id).await.unwrap();
    assert!(guestpass_keychain::get(&sign_in::secret_account(&signed.profile))
        .await
        .unwrap()
        .is_none());
}

/// What the stand-in Azure CLI's token may do: inviting, not licences or tenant settings.
const AZ_SCOPES: &str =
    "https://graph.microsoft.com/User.Invite.All https://graph.microsoft.com/User.Read offline_access";

/// A delegated Graph token for Megan from the sandbox, by the device-code grant (what
/// `az login --use-device-code` would hold).
async fn megans_graph_token(sb: &SandboxHandle) -> String {
    let http = reqwest::Client::new();
    let base = format!("{}/{}/oauth2/v2.0", sb.url(), guestpass_sandbox::TENANT_ID);
    let code: serde_json::Value = http
        .post(format!("{base}/devicecode"))
        .form(&[("client_id", guestpass_sandbox::CLIENT_ID), ("scope", AZ_SCOPES)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    http.post(format!("{}/devicelogin", sb.url()))
        .form(&[
            ("user_code", code["user_code"].as_str().unwrap()),
            ("decision", "accept"),
        ])
        .send()
        .await
        .unwrap();
    let token: serde_json::Value = http
        .post(format!("{base}/token"))
        .form(&[
            ("client_id", guestpass_sandbox::CLIENT_ID),
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", code["device_code"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_string()
}

/// A stand-in for the Azure CLI: logs its arguments, answers Graph scopes with `token`, and
/// anything else as az does when it has no sign-in.
fn fake_az(dir: &std::path::Path, token: Option<&str>) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let az = dir.join("az");
    let answer = match token {
        Some(t) => {
            let expires = chrono::Utc::now().timestamp() + 3600;
            std::fs::write(
                dir.join("graph.json"),
                serde_json::json!({"accessToken": t, "expires_on": expires, "tokenType": "Bearer"}).to_string(),
            )
            .unwrap();
            format!("*graph.microsoft.com*) cat \"{}\" ;;", dir.join("graph.json").display())
        }
        None => String::new(),
    };
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\necho \"$@\" >> \"{log}\"\ncase \"$*\" in\n  {answer}\n  *) echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1 ;;\nesac\n",
            log = dir.join("calls.log").display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    az
}

#[tokio::test]
async fn the_azure_cli_sign_in_is_reused_and_nothing_is_kept() {
    guestpass_keychain::use_mock_for_tests();
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let tools = tempfile::tempdir().unwrap();
    let az_cli = || SignInRequest {
        tenant: guestpass_sandbox::TENANT_DOMAIN.into(),
        client_id: String::new(),
        way: SignInWay::AzureCli,
    };
    // One test changes GUESTPASS_AZ, in order: no az, az without a sign-in, az signed in.
    std::env::set_var("GUESTPASS_AZ", tools.path().join("missing-az"));
    let missing = sign_in::sign_in(dir.path(), endpoints(&sb), &az_cli(), |_| {})
        .await
        .err()
        .unwrap();
    assert!(missing.message.contains("not installed"), "{missing:?}");

    std::env::set_var("GUESTPASS_AZ", fake_az(tools.path(), None));
    let signed_out = sign_in::sign_in(dir.path(), endpoints(&sb), &az_cli(), |_| {})
        .await
        .err()
        .unwrap();
    assert!(signed_out.hint.contains("az login --tenant"), "{signed_out:?}");

    let token = megans_graph_token(&sb).await;
    std::env::set_var("GUESTPASS_AZ", fake_az(tools.path(), Some(&token)));
    let (signed, engine) = sign_in::sign_in(dir.path(), endpoints(&sb), &az_cli(), |_| panic!("az needs no prompt"))
        .await
        .unwrap();
    assert_eq!(signed.profile.sign_in, "azureCli");
    assert_eq!(
        signed.profile.username.as_deref(),
        Some("megan.bowen@northwind.example")
    );
    assert_eq!(
        signed.profile.client_id,
        guestpass_graph::azure_cli::AZURE_CLI_CLIENT_ID
    );
    // The token's own `scp` claim says what it may do.
    assert!(
        signed.profile.scopes.as_deref().unwrap().contains("User.Invite.All"),
        "{:?}",
        signed.profile.scopes
    );
    let report = engine.permission_report(&signed.profile).await.unwrap();
    assert!(report.iter().find(|s| s.step == "Invite").unwrap().ready, "{report:?}");
    assert!(
        report.iter().all(|s| s.ready || s.how_to_grant.contains("Azure CLI")),
        "{report:?}"
    );
    assert_eq!(engine.info().actor, "megan.bowen@northwind.example");

    // Reconnecting asks az again for the tenant's id; the keychain holds nothing for it.
    sign_in::connect_profile(dir.path(), signed.profile.id).await.unwrap();
    let calls = std::fs::read_to_string(tools.path().join("calls.log")).unwrap();
    let last = calls.lines().last().unwrap();
    assert!(last.contains("account get-access-token"), "{calls}");
    assert!(last.contains("--scope https://graph.microsoft.com/.default"), "{calls}");
    assert!(
        last.contains(&format!("--tenant {}", guestpass_sandbox::TENANT_ID)),
        "{calls}"
    );
    assert!(guestpass_keychain::get(&sign_in::refresh_account(&signed.profile))
        .await
        .unwrap()
        .is_none());
    sign_in::sign_out(dir.path(), signed.profile.id).await.unwrap();
    assert!(sign_in::profiles(dir.path()).unwrap().is_empty());
    std::env::remove_var("GUESTPASS_AZ");
}

/// Collects log output in memory.
#[derive(Clone, Default)]
struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogCapture {
    type Writer = LogCapture;
    fn make_writer(&'a self) -> LogCapture {
        self.clone()
    }
}

#[tokio::test]
async fn practice_sign_ins_to_a_stopped_sandbox_are_forgotten_with_their_secrets() {
    guestpass_keychain::use_mock_for_tests();
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (signed, _engine) = signed_in_with_browser(&sb, dir.path()).await;
    let account = sign_in::refresh_account(&signed.profile);
    assert!(guestpass_keychain::get(&account).await.unwrap().is_some());
    drop(sb);
    sign_in::forget_practice_sign_ins(dir.path()).await.unwrap();
    assert!(sign_in::profiles(dir.path()).unwrap().is_empty());
    assert!(guestpass_keychain::get(&account).await.unwrap().is_none());
}

#[tokio::test]
async fn a_cancelled_sign_in_saves_nothing() {
    guestpass_keychain::use_mock_for_tests();
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (shown, cancel) = tokio::sync::oneshot::channel::<()>();
    let outcome = sign_in::sign_in_unless_cancelled(
        dir.path(),
        endpoints(&sb),
        &request(SignInWay::DeviceCode),
        move |_code| {
            let _ = shown.send(());
        },
        async {
            // The admin sees the code, then presses Cancel.
            let _ = cancel.await;
        },
    )
    .await
    .unwrap();
    assert!(outcome.is_none());
    assert!(sign_in::profiles(dir.path()).unwrap().is_empty());
}

#[tokio::test]
async fn the_app_reopens_on_the_tenant_last_chosen_unless_the_environment_names_one() {
    guestpass_keychain::use_mock_for_tests();
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_string_lossy().into_owned();
    let vars = |tenant: Option<&'static str>| {
        let data = data.clone();
        move |k: &str| match k {
            "GUESTPASS_DATA_DIR" => Some(data.clone()),
            "GUESTPASS_TENANT" => tenant.map(str::to_string),
            _ => None,
        }
    };
    let start = |tenant| {
        guestpass_core::ConnectionConfig::for_app_start(vars(tenant))
            .unwrap()
            .connection
    };
    assert!(matches!(start(None), guestpass_core::Connection::EmbeddedSandbox));

    let (signed, _engine) = signed_in_with_browser(&sb, dir.path()).await;
    sign_in::remember_choice(dir.path(), Some(signed.profile.id)).unwrap();
    assert!(matches!(start(None), guestpass_core::Connection::Profile(id) if id == signed.profile.id));
    assert!(matches!(
        start(Some("sandbox")),
        guestpass_core::Connection::EmbeddedSandbox
    ));

    sign_in::remember_choice(dir.path(), None).unwrap();
    assert!(matches!(start(None), guestpass_core::Connection::EmbeddedSandbox));
    // A signed-out profile is not reopened.
    sign_in::remember_choice(dir.path(), Some(signed.profile.id)).unwrap();
    sign_in::sign_out(dir.path(), signed.profile.id).await.unwrap();
    assert!(matches!(start(None), guestpass_core::Connection::EmbeddedSandbox));
}
