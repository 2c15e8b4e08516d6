//! Delegated sign-in against the sandbox's Entra: the browser flow with PKCE (this test plays
//! the browser) with what else reaches its listener (a pre-connection, a favicon request, an
//! answer for another sign-in, Entra's refusal), the device-code flow with its polling rules, and refresh.

mod common;

use common::sandbox;
use guestpass_graph::signin::{self, Authority, BrowserSignIn, DelegatedCredential, SIGN_IN_SCOPE};
use guestpass_graph::{Endpoints, GraphClient, GraphError};
use guestpass_sandbox::{SandboxConfig, SandboxHandle};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

fn authority(sb: &SandboxHandle) -> Authority {
    Authority {
        login: Url::parse(&sb.url()).unwrap(),
        tenant: guestpass_sandbox::TENANT_ID.into(),
        client_id: guestpass_sandbox::CLIENT_ID.into(),
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Plays the browser: opens the consent page, accepts as `user`, and follows the redirect back
/// to the loopback listener. Returns the redirect it was sent to.
async fn accept_in_browser(authorize: &Url, user: &str) -> String {
    let web = no_redirects();
    let page = web.get(authorize.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Permissions requested"));
    let q: std::collections::HashMap<String, String> = authorize.query_pairs().into_owned().collect();
    let form = [
        ("client_id", q["client_id"].as_str()),
        ("redirect_uri", q["redirect_uri"].as_str()),
        ("scope", q["scope"].as_str()),
        ("state", q["state"].as_str()),
        ("code_challenge", q["code_challenge"].as_str()),
        ("user", user),
        ("decision", "accept"),
    ];
    let answer = web.post(authorize.clone()).form(&form).send().await.unwrap();
    assert!(answer.status().is_redirection(), "{}", answer.status());
    let location = answer.headers()["location"].to_str().unwrap().to_string();
    let back = web
        .get(location.replace("localhost", "127.0.0.1"))
        .send()
        .await
        .unwrap();
    assert!(back.text().await.unwrap().contains("Signed in"));
    location
}

#[tokio::test]
async fn browser_sign_in_with_pkce_then_graph_as_the_admin() {
    let sb = sandbox(SandboxConfig::default()).await;
    let auth = authority(&sb);
    let http = reqwest::Client::new();
    let flow = BrowserSignIn::start(&auth, SIGN_IN_SCOPE).await.unwrap();
    let url = flow.authorize_url.clone();
    assert!(url
        .query_pairs()
        .any(|(k, v)| k == "code_challenge_method" && v == "S256"));
    let finished = tokio::spawn(async move { flow.finish(&reqwest::Client::new(), Duration::from_secs(20)).await });
    let location = accept_in_browser(&url, "1a2b3c4d-0000-4000-8000-000000000001").await;
    assert!(location.starts_with("http://localhost:"), "{location}");
    let tokens = finished.await.unwrap().unwrap();
    assert!(tokens.scope.contains("User.Invite.All"), "{}", tokens.scope);
    assert!(
        !format!("{tokens:?}").contains(&tokens.refresh_token),
        "Debug never shows tokens"
    );

    let credential = DelegatedCredential::new(
        auth,
        "megan.bowen@northwind.example",
        &tokens.refresh_token,
        Arc::new(|_| {}),
    );
    let graph = GraphClient::new(
        Endpoints::loopback(&Url::parse(&sb.url()).unwrap()),
        Arc::new(credential),
    );
    let me: serde_json::Value = graph
        .send::<(), _>(reqwest::Method::GET, graph.graph_url("v1.0/me"), None)
        .await
        .unwrap()
        .body;
    assert_eq!(me["userPrincipalName"], "megan.bowen@northwind.example");
    let _ = http;
}

/// A browser sign-in waiting for its answer: its loopback address (as 127.0.0.1: the test plays
/// the browser), its authorize URL and `state`, and the wait itself.
struct Waiting {
    root: String,
    url: Url,
    state: String,
    finished: tokio::task::JoinHandle<Result<signin::TokenSet, GraphError>>,
}

async fn waiting_sign_in(sb: &SandboxHandle) -> Waiting {
    let flow = BrowserSignIn::start(&authority(sb), SIGN_IN_SCOPE).await.unwrap();
    let url = flow.authorize_url.clone();
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).unwrap().1.to_string();
    let (root, state) = (param("redirect_uri").replace("localhost", "127.0.0.1"), param("state"));
    let finished = tokio::spawn(async move { flow.finish(&reqwest::Client::new(), Duration::from_secs(20)).await });
    Waiting {
        root,
        url,
        state,
        finished,
    }
}

#[tokio::test]
async fn a_browsers_idle_preconnection_and_favicon_request_do_not_derail_the_sign_in() {
    let sb = sandbox(SandboxConfig::default()).await;
    let Waiting {
        root, url, finished, ..
    } = waiting_sign_in(&sb).await;
    // A speculative connection that never sends anything, held open throughout.
    let port = Url::parse(&root).unwrap().port().unwrap();
    let _idle = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let favicon = no_redirects().get(format!("{root}favicon.ico")).send().await.unwrap();
    assert_eq!(favicon.status(), 404);
    accept_in_browser(&url, "1a2b3c4d-0000-4000-8000-000000000001").await;
    let tokens = finished.await.unwrap().unwrap();
    assert!(tokens.scope.contains("User.Invite.All"), "{}", tokens.scope);
    assert!(
        no_redirects().get(&root).send().await.is_err(),
        "the listener closes once the answer is in"
    );
}

#[tokio::test]
async fn an_answer_for_another_sign_in_is_turned_away_and_the_real_one_still_lands() {
    let sb = sandbox(SandboxConfig::default()).await;
    let Waiting {
        root, url, finished, ..
    } = waiting_sign_in(&sb).await;
    let forged = no_redirects()
        .get(format!("{root}?code=stolen&state=not-ours"))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert!(forged.text().await.unwrap().contains("another sign-in"));
    accept_in_browser(&url, "1a2b3c4d-0000-4000-8000-000000000001").await;
    let tokens = finished.await.unwrap().unwrap();
    assert!(
        !tokens.refresh_token.is_empty(),
        "the real code was redeemed, not the forged one"
    );
}

#[tokio::test]
async fn entras_refusal_ends_the_sign_in_with_its_reason() {
    let sb = sandbox(SandboxConfig::default()).await;
    let Waiting {
        root, state, finished, ..
    } = waiting_sign_in(&sb).await;
    let page = no_redirects()
        .get(format!(
            "{root}?error=access_denied&error_description=The+user+declined&state={state}"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("did not complete"), "{page}");
    match finished.await.unwrap() {
        Err(GraphError::SignIn { error, description, .. }) => {
            assert_eq!(error, "access_denied");
            assert!(description.contains("declined"), "{description}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_code_redeemed_with_the_wrong_verifier_or_twice_is_refused() {
    let sb = sandbox(SandboxConfig::default()).await;
    let web = no_redirects();
    let authorize = format!("{}/{}/oauth2/v2.0/authorize", sb.url(), guestpass_sandbox::TENANT_ID);
    let form = [
        ("client_id", guestpass_sandbox::CLIENT_ID),
        ("redirect_uri", "http://localhost:5555/"),
        ("scope", SIGN_IN_SCOPE),
        ("state", "s"),
        // base64url(SHA-256("right-verifier"))
        ("code_challenge", "sn9PWrn8-h8_p5ELFFckVlaw5nFulMemkr24iLOjjE4"),
        ("decision", "accept"),
    ];
    let answer = web.post(&authorize).form(&form).send().await.unwrap();
    let location = Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    let code = location.query_pairs().find(|(k, _)| k == "code").unwrap().1.to_string();
    let token_url = format!("{}/{}/oauth2/v2.0/token", sb.url(), guestpass_sandbox::TENANT_ID);
    let redeem = |verifier: &'static str| {
        let code = code.clone();
        let token_url = token_url.clone();
        async move {
            reqwest::Client::new()
                .post(token_url)
                .form(&[
                    ("client_id", guestpass_sandbox::CLIENT_ID),
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", "http://localhost:5555/"),
                    ("code_verifier", verifier),
                ])
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let wrong = redeem("wrong-verifier").await;
    assert_eq!(wrong["error"], "invalid_grant");
    assert!(
        wrong["error_description"].as_str().unwrap().starts_with("AADSTS501481"),
        "{wrong}"
    );
    let right = redeem("right-verifier").await;
    assert!(right["access_token"].is_string(), "{right}");
    let again = redeem("right-verifier").await;
    assert!(
        again["error_description"].as_str().unwrap().starts_with("AADSTS54005"),
        "{again}"
    );
}

#[tokio::test]
async fn device_code_polls_patiently_and_expires() {
    let sb = sandbox(SandboxConfig {
        device_poll_interval_s: 1,
        ..Default::default()
    })
    .await;
    let auth = authority(&sb);
    let http = reqwest::Client::new();
    let code = signin::request_device_code(&http, &auth, SIGN_IN_SCOPE).await.unwrap();
    assert!(code.verification_uri.ends_with("/devicelogin"));
    assert!(code.message.contains(&code.user_code));
    let (a, c) = (auth.clone(), code.clone());
    let polling = tokio::spawn(async move { signin::poll_device_code(&reqwest::Client::new(), &a, &c).await });
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(!polling.is_finished(), "still pending until someone signs in");
    let page = reqwest::Client::new()
        .post(&code.verification_uri)
        .form(&[
            ("user_code", code.user_code.to_lowercase().as_str()),
            ("decision", "accept"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("signed in"), "{page}");
    let tokens = tokio::time::timeout(Duration::from_secs(10), polling)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(!tokens.refresh_token.is_empty());

    // The device code itself stays out of Debug output; an old code expires.
    let code2 = signin::request_device_code(&http, &auth, SIGN_IN_SCOPE).await.unwrap();
    let device_code = format!("{code2:?}");
    assert!(
        !device_code.contains("dc."),
        "the device code is kept out of Debug output"
    );
    let mut cfg = sb.config();
    cfg.device_code_lifetime_s = 1;
    sb.set_config(cfg);
    let expiring = signin::request_device_code(&http, &auth, SIGN_IN_SCOPE).await.unwrap();
    match signin::poll_device_code(&http, &auth, &expiring).await {
        Err(GraphError::SignIn { error, .. }) => assert_eq!(error, "expired_token"),
        other => panic!("{other:?}"),
    }
}

/// Approves a device code in the sandbox's device login page, as the admin would.
async fn approve(code: &signin::DeviceCode) {
    reqwest::Client::new()
        .post(&code.verification_uri)
        .form(&[("user_code", code.user_code.as_str()), ("decision", "accept")])
        .send()
        .await
        .unwrap();
}

/// Polls for `code` while the admin approves it `after` a while; the polling must end signed in.
async fn approve_while_polling(auth: &Authority, code: &signin::DeviceCode, after: Duration) {
    let (a, c) = (auth.clone(), code.clone());
    let polling = tokio::spawn(async move { signin::poll_device_code(&reqwest::Client::new(), &a, &c).await });
    tokio::time::sleep(after).await;
    approve(code).await;
    let tokens = tokio::time::timeout(Duration::from_secs(20), polling)
        .await
        .unwrap()
        .unwrap()
        .expect("signed in after the approval");
    assert!(!tokens.refresh_token.is_empty());
}

#[tokio::test]
async fn polling_too_fast_earns_slow_down_and_the_client_waits_five_seconds_more() {
    let sb = sandbox(SandboxConfig {
        device_poll_interval_s: 1,
        ..Default::default()
    })
    .await;
    let auth = authority(&sb);
    let mut code = signin::request_device_code(&reqwest::Client::new(), &auth, SIGN_IN_SCOPE)
        .await
        .unwrap();
    // A client that polls faster than Entra asked (every 0.2 s instead of 1 s).
    code.interval = Duration::from_millis(200);
    let started = std::time::Instant::now();
    // The second poll comes too soon and is answered slow_down; approve meanwhile.
    approve_while_polling(&auth, &code, Duration::from_millis(600)).await;
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "after slow_down the client waited five seconds more ({:?})",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_blip_of_the_sign_in_service_does_not_end_the_device_code_wait() {
    let sb = sandbox(SandboxConfig {
        device_poll_interval_s: 1,
        ..Default::default()
    })
    .await;
    let auth = authority(&sb);
    let code = signin::request_device_code(&reqwest::Client::new(), &auth, SIGN_IN_SCOPE)
        .await
        .unwrap();
    sb.push_fault(common::fault(
        &format!("/{}/oauth2/v2.0/token", guestpass_sandbox::TENANT_ID),
        503,
        2,
        None,
    ));
    // Two 503s come while waiting; they are ridden out.
    approve_while_polling(&auth, &code, Duration::from_millis(2500)).await;
}

#[tokio::test]
async fn access_tokens_are_renewed_with_a_rotating_refresh_token() {
    let sb = sandbox(SandboxConfig {
        device_poll_interval_s: 1,
        token_lifetime_s: 2,
        ..Default::default()
    })
    .await;
    let auth = authority(&sb);
    let http = reqwest::Client::new();
    let code = signin::request_device_code(&http, &auth, SIGN_IN_SCOPE).await.unwrap();
    reqwest::Client::new()
        .post(&code.verification_uri)
        .form(&[("user_code", code.user_code.as_str()), ("decision", "accept")])
        .send()
        .await
        .unwrap();
    let tokens = signin::poll_device_code(&http, &auth, &code).await.unwrap();
    let first_refresh = tokens.refresh_token.clone();
    let rotated: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = rotated.clone();
    let credential = DelegatedCredential::new(
        auth.clone(),
        "megan",
        &tokens.refresh_token,
        Arc::new(move |t| seen.lock().unwrap().push(t.to_string())),
    );
    let graph = GraphClient::new(
        Endpoints::loopback(&Url::parse(&sb.url()).unwrap()),
        Arc::new(credential),
    );
    for _ in 0..3 {
        graph.organization().await.unwrap();
        tokio::time::sleep(Duration::from_millis(2100)).await;
    }
    let rotated = rotated.lock().unwrap().clone();
    assert!(
        rotated.len() >= 3,
        "a new refresh token each renewal: {}",
        rotated.len()
    );
    // The first refresh token was used up by the first renewal.
    let reuse = signin::DelegatedCredential::new(auth, "megan", &first_refresh, Arc::new(|_| {}));
    let stale = GraphClient::new(Endpoints::loopback(&Url::parse(&sb.url()).unwrap()), Arc::new(reuse));
    match stale.organization().await {
        Err(GraphError::SignIn { error, .. }) => assert_eq!(error, "invalid_grant"),
        other => panic!("{other:?}"),
    }
}
