//! Scripts without secrets: managed identity and workload identity federation through
//! Microsoft's `azure_identity`, against the sandbox's managed-identity endpoint and its token
//! endpoint (over https, which the library insists on).

mod common;

use aws_lc_rs::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::sandbox;
use guestpass_graph::azure_identity::{AzureIdentityCredential, AzureIdentityKind};
use guestpass_graph::{Endpoints, GraphClient, GraphError, TokenSource};
use guestpass_sandbox::{SandboxConfig, CLIENT_ID, MANAGED_IDENTITY_CLIENT_ID, MANAGED_IDENTITY_HEADER, TENANT_ID};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
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

fn set_env(pairs: &[(&str, &str)]) {
    for (k, v) in pairs {
        // Each test runs in its own process under nextest; within a test, calls are sequential.
        unsafe { std::env::set_var(k, v) };
    }
}

#[tokio::test]
async fn a_managed_identity_signs_in_through_the_app_service_endpoint() {
    let sb = sandbox(SandboxConfig::default()).await;
    let endpoints = Endpoints::loopback(&Url::parse(&sb.url()).unwrap());
    let http = guestpass_graph::standard_http_client();
    set_env(&[
        ("IDENTITY_ENDPOINT", &sb.managed_identity_endpoint()),
        ("IDENTITY_HEADER", MANAGED_IDENTITY_HEADER),
    ]);

    let system = AzureIdentityKind::ManagedIdentity { client_id: None };
    let cred = AzureIdentityCredential::new(system.clone(), &endpoints, &http).unwrap();
    assert_eq!(cred.actor(), "managed identity (system-assigned)");
    let graph = GraphClient::new(endpoints.clone(), Arc::new(cred));
    assert_eq!(graph.organization().await.unwrap().body.id, TENANT_ID);

    // A user-assigned identity by client id: the machine's own works, another is refused.
    let mine = AzureIdentityKind::ManagedIdentity {
        client_id: Some(MANAGED_IDENTITY_CLIENT_ID.into()),
    };
    let cred = AzureIdentityCredential::new(mine, &endpoints, &http).unwrap();
    GraphClient::new(endpoints.clone(), Arc::new(cred))
        .organization()
        .await
        .unwrap();
    let other = AzureIdentityKind::ManagedIdentity {
        client_id: Some("0e1d2c3b-4a59-4687-a5b4-c3d2e1f00a1b".into()),
    };
    let cred = AzureIdentityCredential::new(other, &endpoints, &http).unwrap();
    let e = GraphClient::new(endpoints.clone(), Arc::new(cred))
        .organization()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, GraphError::AzureIdentity { kind, .. } if kind == "managed identity"),
        "{e:?}"
    );
    assert!(e.hint().contains("--client-id"), "{}", e.hint());

    // The endpoint's secret header is what proves the caller runs on the resource.
    set_env(&[("IDENTITY_HEADER", "not-the-header")]);
    let cred = AzureIdentityCredential::new(system, &endpoints, &http).unwrap();
    let e = GraphClient::new(endpoints, Arc::new(cred))
        .organization()
        .await
        .unwrap_err();
    assert!(matches!(e, GraphError::AzureIdentity { .. }), "{e:?}");
}

/// A token as an outside issuer (a Kubernetes cluster, GitHub Actions) would write it.
fn federated_token(issuer: &str, subject: &str, audience: &str) -> String {
    let key = PrivateKeyDer::from_pem_slice(&fixture("federation-issuer-key.pem")).unwrap();
    let key = RsaKeyPair::from_pkcs8(key.secret_der()).unwrap();
    let now = chrono_now();
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "test-issuer-key"});
    let claims =
        serde_json::json!({"iss": issuer, "sub": subject, "aud": audience, "iat": now, "nbf": now, "exp": now + 3600});
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signature = vec![0; key.public_modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &aws_lc_rs::rand::SystemRandom::new(),
        signed.as_bytes(),
        &mut signature,
    )
    .unwrap();
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn chrono_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn workload_identity_federation_exchanges_the_pipelines_token() {
    const ISSUER: &str = "https://token.actions.githubusercontent.com";
    const SUBJECT: &str = "repo:northwind/guest-onboarding:ref:refs/heads/main";
    let mut sb = sandbox(SandboxConfig::default()).await;
    sb.add_federated_credential(ISSUER, SUBJECT, &fixture("federation-issuer-cert.pem"))
        .unwrap();
    let https = sb
        .serve_tls(&fixture("sandbox-tls-cert.pem"), &fixture("sandbox-tls-key.pem"))
        .await
        .unwrap();
    let mut endpoints = Endpoints::loopback(&Url::parse(&sb.url()).unwrap());
    endpoints.login = Url::parse(&https).unwrap();
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&fixture("sandbox-tls-ca.pem")).unwrap()])
        .build()
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(
        &token_file,
        federated_token(ISSUER, SUBJECT, guestpass_sandbox::TOKEN_EXCHANGE_AUDIENCE),
    )
    .unwrap();
    set_env(&[
        ("AZURE_TENANT_ID", TENANT_ID),
        ("AZURE_CLIENT_ID", CLIENT_ID),
        ("AZURE_FEDERATED_TOKEN_FILE", token_file.to_str().unwrap()),
    ]);
    let cred = AzureIdentityCredential::new(
        AzureIdentityKind::WorkloadIdentity {
            tenant_id: None,
            client_id: None,
        },
        &endpoints,
        &http,
    )
    .unwrap();
    assert_eq!(cred.actor(), format!("workload identity {CLIENT_ID}"));
    let graph = GraphClient::new(endpoints.clone(), Arc::new(cred));
    assert_eq!(graph.organization().await.unwrap().body.id, TENANT_ID);

    // Another branch's token has a subject no federated credential names: AADSTS700213.
    std::fs::write(
        &token_file,
        federated_token(
            ISSUER,
            "repo:northwind/guest-onboarding:ref:refs/heads/dev",
            guestpass_sandbox::TOKEN_EXCHANGE_AUDIENCE,
        ),
    )
    .unwrap();
    let cred = AzureIdentityCredential::new(
        AzureIdentityKind::WorkloadIdentity {
            tenant_id: None,
            client_id: None,
        },
        &endpoints,
        &http,
    )
    .unwrap();
    let e = GraphClient::new(endpoints.clone(), Arc::new(cred))
        .organization()
        .await
        .unwrap_err();
    match &e {
        GraphError::SignIn { description, .. } => assert!(description.starts_with("AADSTS700213"), "{description}"),
        other => panic!("not a sign-in refusal: {other:?}"),
    }
    assert!(e.hint().contains("federated credential"), "{}", e.hint());

    // Without the variables a pipeline sets, it says which are missing before any request.
    unsafe { std::env::remove_var("AZURE_FEDERATED_TOKEN_FILE") };
    let e = AzureIdentityCredential::new(
        AzureIdentityKind::WorkloadIdentity {
            tenant_id: None,
            client_id: None,
        },
        &endpoints,
        &http,
    )
    .unwrap_err();
    assert!(e.to_string().contains("token file"), "{e}");
    assert!(e.hint().contains("AZURE_FEDERATED_TOKEN_FILE"), "{}", e.hint());
}
