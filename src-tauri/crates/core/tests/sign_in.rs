//! Signing in to a tenant (the sandbox's Entra) as an admin: browser and device code, the
//! profile remembered, the refresh token only in the keychain, sign-out, and a scan proving no
//! secret or token reaches the SQLite files, logs or exports after a full onboarding.

use guestpass_core::bulk::{ImportDefaults, RunControl};
use guestpass_core::sign_in::{self, SignInPrompt, SignInRequest, SignInWay};
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

#[tokio::test]
async fn browser_sign_in_saves_a_profile_and_keeps_the_refresh_token_in_the_keychain_only() {
    guestpass_keychain::use_mock_for_tests();
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (signed, engine) = sign_in::sign_in(dir.path(), endpoints(&sb), &request(SignInWay::Browser), browser())
        .await
        .unwrap();
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
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let (signed, engine) = sign_in::sign_in(dir.path(), endpoints(&sb), &request(SignInWay::Browser), browser())
        .await
        .unwrap();
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
        guestpass_core::export::to_csv(&engine.query_changes(&filter).unwrap())
            .unwrap()
            .into_bytes(),
    );
    haystack.extend(
        guestpass_core::export::to_json(&engine.query_changes(&filter).unwrap())
            .unwrap()
            .into_bytes(),
    );
    haystack.extend(
        guestpass_core::bulk::results::to_csv(&engine.run_rows(run).unwrap())
            .unwrap()
            .into_bytes(),
    );
    haystack.extend(format!("{signed:?} {:?}", engine.info()).into_bytes());
    let text = String::from_utf8_lossy(&haystack);
    assert!(!text.contains(&refresh), "the refresh token leaked");
    assert!(!text.contains("sbx."), "an access token leaked");
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
    let (signed, engine) = sign_in::sign_in(dir.path(), endpoints(&sb), &request(SignInWay::Browser), browser())
        .await
        .unwrap();
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
    let (signed, engine) = sign_in::sign_in(dir.path(), endpoints(&sb), &request(SignInWay::Browser), browser())
        .await
        .unwrap();
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
        "not-the-secret",
    )
    .await;
    assert!(wrong.is_err(), "a wrong secret is refused before anything is kept");
    assert!(sign_in::profiles(dir.path()).unwrap().is_empty());
    let (signed, _) = sign_in::save_app_only(
        dir.path(),
        endpoints(&sb),
        guestpass_sandbox::TENANT_DOMAIN,
        guestpass_sandbox::CLIENT_ID,
        guestpass_sandbox::CLIENT_SECRET,
    )
    .await
    .unwrap();
    assert_eq!(signed.profile.sign_in, "clientSecret");
    let engine = sign_in::connect_profile(dir.path(), signed.profile.id).await.unwrap();
    assert_eq!(engine.info().actor, format!("app:{}", guestpass_sandbox::CLIENT_ID));
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
