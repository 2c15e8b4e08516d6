//! App-only sign-in with a certificate against the sandbox's token endpoint.

mod common;

use common::sandbox;
use guestpass_graph::certificate::ClientCertificate;
use guestpass_graph::{AppOnlyCredential, AppProof, Endpoints, GraphClient, GraphError, CLIENT_ASSERTION_TYPE};
use guestpass_sandbox::{SandboxConfig, SandboxHandle, CLIENT_ID, TENANT_ID};
use std::sync::Arc;
use url::Url;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
            .join("../../../tests/certificates")
            .join(name),
    )
    .unwrap()
}

fn client(sb: &SandboxHandle, pem: &str) -> GraphClient {
    let endpoints = Endpoints::loopback(&Url::parse(&sb.url()).unwrap());
    let cert = ClientCertificate::from_pem(&fixture(pem)).unwrap();
    let cred = AppOnlyCredential::new(&endpoints.login, TENANT_ID, CLIENT_ID, AppProof::Certificate(cert));
    GraphClient::new(endpoints, Arc::new(cred))
}

fn aadsts(e: &GraphError) -> String {
    match e {
        GraphError::SignIn { description, .. } => description.chars().take(12).collect(),
        other => panic!("not a sign-in error: {other:?}"),
    }
}

#[tokio::test]
async fn a_registered_certificate_signs_in_and_an_unknown_one_is_refused() {
    let sb = sandbox(SandboxConfig::default()).await;
    let thumbprint = sb.add_app_certificate(&fixture("app-cert.pem")).unwrap();
    assert_eq!(thumbprint, "7DB57E1C67909507E0E91C98170AB8D62B9BBC3E");

    let org = client(&sb, "app.pem").organization().await.unwrap().body;
    assert_eq!(org.id, TENANT_ID);
    // The PKCS#1 key of the same certificate works too.
    client(&sb, "app-pkcs1.pem").organization().await.unwrap();

    let e = client(&sb, "other.pem").organization().await.unwrap_err();
    assert_eq!(aadsts(&e), "AADSTS700027");
    assert!(e.hint().contains("Certificates & secrets"), "{}", e.hint());
}

/// Posts a hand-made client assertion to the token endpoint.
async fn post_assertion(sb: &SandboxHandle, assertion: &str) -> serde_json::Value {
    let form = [
        ("client_id", CLIENT_ID),
        ("scope", "https://graph.microsoft.com/.default"),
        ("grant_type", "client_credentials"),
        ("client_assertion_type", CLIENT_ASSERTION_TYPE),
        ("client_assertion", assertion),
    ];
    let resp = reqwest::Client::new()
        .post(format!("{}/{TENANT_ID}/oauth2/v2.0/token", sb.url()))
        .form(&form)
        .send()
        .await
        .unwrap();
    resp.json().await.unwrap()
}

#[tokio::test]
async fn the_token_endpoint_checks_audience_app_and_signature_like_entra() {
    let sb = sandbox(SandboxConfig::default()).await;
    sb.add_app_certificate(&fixture("app-cert.pem")).unwrap();
    let cert = ClientCertificate::from_pem(&fixture("app.pem")).unwrap();
    let token_url = format!("{}/{TENANT_ID}/oauth2/v2.0/token", sb.url());

    let ok = post_assertion(&sb, &cert.client_assertion(&token_url, CLIENT_ID)).await;
    assert!(ok["access_token"].is_string(), "{ok}");

    let wrong_audience = post_assertion(
        &sb,
        &cert.client_assertion("https://login.microsoftonline.com/x/oauth2/v2.0/token", CLIENT_ID),
    )
    .await;
    assert_eq!(wrong_audience["error"], "invalid_client");
    assert!(
        wrong_audience["error_description"]
            .as_str()
            .unwrap()
            .contains("audience"),
        "{wrong_audience}"
    );

    let other_app = post_assertion(
        &sb,
        &cert.client_assertion(&token_url, "11111111-2222-3333-4444-555555555555"),
    )
    .await;
    assert_eq!(other_app["error_codes"][0], 700021);

    // Claims swapped after signing (another assertion's, with its own id).
    let first = cert.client_assertion(&token_url, CLIENT_ID);
    let second = cert.client_assertion(&token_url, CLIENT_ID);
    let mut parts: Vec<&str> = first.split('.').collect();
    parts[1] = second.split('.').nth(1).unwrap();
    let tampered = post_assertion(&sb, &parts.join(".")).await;
    assert_eq!(tampered["error_codes"][0], 700027, "{tampered}");

    let garbage = post_assertion(&sb, "not-a-jwt").await;
    assert_eq!(garbage["error_codes"][0], 50027);
}
