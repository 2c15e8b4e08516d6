//! App-only sign-in for unattended scripts: a client secret or a certificate, checked against
//! the tenant, then kept in the keychain only (the certificate's public part in the profile).

use super::{endpoints_of, keep_in_keychain, refresh_account, SignedIn, CLIENT_CERTIFICATE, CLIENT_SECRET};
use crate::engine::Engine;
use crate::problem::{Problem, ProblemKind};
use guestpass_graph::{AppOnlyCredential, AppProof, Endpoints};
use guestpass_store::TenantProfile;
use std::sync::Arc;

/// The keychain entry of an app-only profile's client secret or certificate key.
pub fn secret_account(p: &TenantProfile) -> String {
    refresh_account(p).replace("/refresh", "/secret")
}

/// What an app-only sign-in proves itself with, as given by the admin.
#[derive(Clone)]
pub enum AppOnlySecret {
    ClientSecret(String),
    /// A PEM file's content: the certificate and its unencrypted private key.
    CertificatePem(Vec<u8>),
}

impl std::fmt::Debug for AppOnlySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AppOnlySecret::ClientSecret(_) => "ClientSecret(<redacted>)",
            AppOnlySecret::CertificatePem(_) => "CertificatePem(<redacted>)",
        })
    }
}

impl AppOnlySecret {
    /// The proof for the token endpoint; a certificate file that cannot be used is refused
    /// here, naming the fix.
    pub(crate) fn into_proof(self) -> Result<AppProof, Problem> {
        match self {
            AppOnlySecret::ClientSecret(s) => Ok(AppProof::Secret(s)),
            AppOnlySecret::CertificatePem(pem) => guestpass_graph::certificate::ClientCertificate::from_pem(&pem)
                .map(AppProof::Certificate)
                .map_err(|e| {
                    Problem::field(
                        "certificate",
                        format!("The certificate file cannot be used: {e}."),
                        "Give a PEM file with the certificate and its private key (the certificate must be uploaded to the app registration).",
                    )
                }),
        }
    }
}

pub(super) async fn connect_app_only(
    data_dir: &std::path::Path,
    store: &guestpass_store::Store,
    profile: &TenantProfile,
) -> Result<Engine, Problem> {
    let secret = guestpass_keychain::get(&secret_account(profile))
        .await
        .map_err(|e| Problem {
            kind: ProblemKind::SignIn,
            message: format!("The app's client secret or certificate key cannot be read from the keychain: {e}."),
            hint: "Unlock the system keychain and try again, or set GUESTPASS_CLIENT_ID and GUESTPASS_CLIENT_SECRET for this session.".into(),
            fields: vec![],
            code: None,
            request_id: None,
        })?
        .ok_or_else(|| Problem {
            kind: ProblemKind::SignIn,
            message: "The app's client secret or certificate key is no longer in the keychain.".into(),
            hint: "Sign in again with `guestpass-cli login --app-only`.".into(),
            fields: vec![],
            code: None,
            request_id: None,
        })?;
    let proof = match profile.certificate.as_deref() {
        Some(cert_pem) if profile.sign_in == CLIENT_CERTIFICATE => {
            use guestpass_graph::certificate::{certificate_from_pem, private_key_from_pem, ClientCertificate};
            let unusable = |e: guestpass_graph::certificate::CertificateError| Problem {
                kind: ProblemKind::SignIn,
                message: format!("The saved certificate cannot be used: {e}."),
                hint: "Sign in again with `guestpass-cli login --app-only --certificate FILE`.".into(),
                fields: vec![],
                code: None,
                request_id: None,
            };
            let cert = certificate_from_pem(cert_pem).map_err(unusable)?;
            let key = private_key_from_pem(&secret).map_err(unusable)?;
            AppProof::Certificate(ClientCertificate::from_parts(cert, key).map_err(unusable)?)
        }
        _ => AppProof::Secret(secret),
    };
    let endpoints = endpoints_of(profile)?;
    let credential = AppOnlyCredential::new(&endpoints.login, &profile.tenant, &profile.client_id, proof);
    store.touch_profile(profile.id).map_err(Problem::local)?;
    Engine::connect_with(data_dir, endpoints, Arc::new(credential), false).await
}

/// App-only sign-in for unattended scripts: checks the client secret or certificate against
/// the tenant, then keeps the secret (or the certificate's private key) in the keychain, only
/// there, with a profile, so scripts need no secret in their environment afterwards.
pub async fn save_app_only(
    data_dir: &std::path::Path,
    endpoints: Endpoints,
    tenant: &str,
    client_id: &str,
    secret: AppOnlySecret,
) -> Result<(SignedIn, Engine), Problem> {
    let (proof, kept, certificate, way) = match secret.clone().into_proof()? {
        AppProof::Certificate(cert) => {
            let (key, public) = (cert.private_key_pem(), cert.certificate_pem());
            (AppProof::Certificate(cert), key, Some(public), CLIENT_CERTIFICATE)
        }
        AppProof::Secret(s) => (AppProof::Secret(s.clone()), s, None, CLIENT_SECRET),
    };
    let (tenant, client_id) = match (
        crate::validate::tenant("tenant", tenant),
        crate::validate::client_id("clientId", client_id),
    ) {
        (Ok(t), Ok(c)) => (t, c),
        (t, c) => return Err(Problem::invalid([t.err(), c.err()].into_iter().flatten().collect())),
    };
    let (tenant, client_id) = (tenant.as_str(), client_id.as_str());
    let credential = AppOnlyCredential::new(&endpoints.login, tenant, client_id, proof);
    let engine = Engine::connect_with(data_dir, endpoints.clone(), Arc::new(credential), false).await?;
    let profile = super::save_app_profile(data_dir, &engine, &endpoints, way, client_id, certificate)?;
    let keychain = keep_in_keychain(&secret_account(&profile), &kept).await;
    Ok((SignedIn { profile, keychain }, engine))
}
