//! Certificate credentials: the app's signed JWT ("client assertion") checked the way Entra
//! does — a registered certificate by thumbprint, the signature, the audience, the app id and
//! the time range — with Entra's AADSTS errors.

use super::auth::aad_error;
use crate::{lock, Shared, CLIENT_ID};
use axum::http::StatusCode;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use sha2::Digest;

pub(crate) const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Clock skew Entra tolerates on `nbf` and `exp`.
const SKEW_S: i64 = 300;

/// Registers a certificate (its public part) on the sandbox app, as uploading it under
/// "Certificates & secrets" does. Returns its SHA-1 thumbprint in hex.
pub(crate) fn register(shared: &Shared, pem: &[u8]) -> Result<String, String> {
    let cert = CertificateDer::from_pem_slice(pem).map_err(|_| "no PEM certificate in the body".to_string())?;
    webpki::EndEntityCert::try_from(&cert).map_err(|e| format!("the certificate cannot be read: {e:?}"))?;
    let thumbprint = hex::encode_upper(sha1(cert.as_ref()));
    let mut certs = lock(&shared.app_certificates);
    if !certs.iter().any(|c| c.as_ref() == cert.as_ref()) {
        certs.push(cert.into_owned());
    }
    Ok(thumbprint)
}

fn sha1(der: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, der)
        .as_ref()
        .to_vec()
}

fn invalid_client(code: u32, text: &str) -> Response {
    aad_error(StatusCode::UNAUTHORIZED, "invalid_client", code, text)
}

/// Checks a client assertion sent to `token_url`; `Err` is Entra's answer.
#[allow(clippy::result_large_err)] // the refusal is the HTTP answer itself, sent once
pub(crate) fn check(
    shared: &Shared,
    token_url: &str,
    assertion_type: Option<&str>,
    assertion: &str,
) -> Result<(), Response> {
    if assertion_type != Some(JWT_BEARER) {
        return Err(aad_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            7000219,
            &format!("'client_assertion_type' must be '{JWT_BEARER}'."),
        ));
    }
    let malformed = || invalid_client(50027, "JWT token is invalid or malformed.");
    let parts: Vec<&str> = assertion.split('.').collect();
    let [header_b64, claims_b64, signature_b64] = parts[..] else {
        return Err(malformed());
    };
    let decode =
        |part: &str| -> Option<serde_json::Value> { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok() };
    let (Some(header), Some(claims), Ok(signature)) = (
        decode(header_b64),
        decode(claims_b64),
        URL_SAFE_NO_PAD.decode(signature_b64),
    ) else {
        return Err(malformed());
    };

    // A token from an outside issuer (workload identity federation) names no app certificate.
    let names_certificate = !header["x5t"].is_null() || !header["x5t#S256"].is_null();
    if !names_certificate && claims["iss"].as_str() != Some(CLIENT_ID) {
        let signed = format!("{header_b64}.{claims_b64}");
        return super::identity::check_federated(shared, &header, &claims, &signed, &signature);
    }

    // The key: by SHA-256 thumbprint (current) or SHA-1 (`x5t`, older libraries).
    let certs = lock(&shared.app_certificates).clone();
    let by_s256 = header["x5t#S256"].as_str().and_then(|t| {
        certs
            .iter()
            .find(|c| URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(c.as_ref())) == t)
    });
    let by_sha1 = header["x5t"]
        .as_str()
        .and_then(|t| certs.iter().find(|c| URL_SAFE_NO_PAD.encode(sha1(c.as_ref())) == t));
    let Some(cert) = by_s256.or(by_sha1) else {
        let presented = header["x5t#S256"].as_str().or(header["x5t"].as_str()).unwrap_or("none");
        return Err(invalid_client(700027, &format!(
            "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{presented}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{CLIENT_ID}'.]")));
    };
    let algorithm = match header["alg"].as_str() {
        Some("PS256") => webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        Some("RS256") => webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
        _ => return Err(invalid_client(700027, "Client assertion failed signature validation. [Reason - The provided signature algorithm is not supported.]")),
    };
    let signed = format!("{header_b64}.{claims_b64}");
    let verified = webpki::EndEntityCert::try_from(cert)
        .ok()
        .is_some_and(|c| c.verify_signature(algorithm, signed.as_bytes(), &signature).is_ok());
    if !verified {
        return Err(invalid_client(
            700027,
            "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]",
        ));
    }

    if claims["aud"].as_str() != Some(token_url) {
        return Err(invalid_client(700027, &format!(
            "Client assertion failed signature validation. [Reason - Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials. Audience in the assertion: '{}'.]",
            claims["aud"].as_str().unwrap_or_default())));
    }
    if claims["iss"].as_str() != Some(CLIENT_ID) || claims["sub"].as_str() != Some(CLIENT_ID) {
        return Err(invalid_client(
            700021,
            "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.",
        ));
    }
    let now = chrono::Utc::now().timestamp();
    let (nbf, exp) = (claims["nbf"].as_i64().unwrap_or(0), claims["exp"].as_i64());
    if exp.is_none_or(|exp| exp + SKEW_S < now) || nbf - SKEW_S > now {
        return Err(invalid_client(700024, &format!(
            "Client assertion is not within its valid time range. Current time: {}, assertion valid from {}, expiry time of assertion {}.",
            fmt_time(now), fmt_time(nbf), exp.map(fmt_time).unwrap_or_default())));
    }
    Ok(())
}

fn fmt_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}
