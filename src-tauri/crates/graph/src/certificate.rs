//! App-only sign-in with a certificate: the app proves who it is with a short-lived JWT
//! (a "client assertion") signed by the certificate's private key, as Microsoft's
//! certificate-credentials page describes (PS256, `x5t#S256` thumbprint header).

use aws_lc_rs::{digest, rand::SystemRandom, signature};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::json;

/// How long a client assertion is valid (Entra accepts up to the token's own lifetime; a few
/// minutes keeps a leaked assertion nearly worthless).
const ASSERTION_LIFETIME_S: i64 = 600;

/// Why a certificate file cannot be used, in words that say what to do.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CertificateError {
    #[error("the file has no certificate (a PEM block starting with -----BEGIN CERTIFICATE-----). Put the certificate and its private key in one PEM file")]
    NoCertificate,
    #[error("the file has no private key. Put the private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----) in the same PEM file as the certificate")]
    NoPrivateKey,
    #[error("the private key is encrypted. Save it without a password first, e.g. `openssl pkcs8 -topk8 -nocrypt -in key.pem -out plain-key.pem`")]
    EncryptedKey,
    #[error("this looks like a PFX/PKCS#12 file. Convert it to PEM first: `openssl pkcs12 -in cert.pfx -out cert.pem -nodes`")]
    Pkcs12,
    #[error("the private key is not an RSA key. Entra accepts RSA certificates for app sign-in")]
    NotRsa,
    #[error("the certificate cannot be read: {0}")]
    BadCertificate(String),
    #[error("the private key does not belong to the certificate in the same file")]
    KeyMismatch,
}

/// A certificate and its RSA private key. The key never leaves this value except through
/// [`ClientCertificate::private_key_pem`] (to keep it in the keychain).
pub struct ClientCertificate {
    certificate: CertificateDer<'static>,
    key: signature::RsaKeyPair,
    key_pkcs8_or_pkcs1: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("thumbprint", &self.thumbprint_sha1())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl ClientCertificate {
    /// Reads a PEM file holding the certificate and its unencrypted RSA private key (in either
    /// order), as `az ad sp create-for-rbac --create-cert` and `openssl` write them.
    pub fn from_pem(pem: &[u8]) -> Result<ClientCertificate, CertificateError> {
        let text = String::from_utf8_lossy(pem);
        if !text.contains("-----BEGIN") {
            return Err(if pem.first() == Some(&0x30) {
                CertificateError::Pkcs12
            } else {
                CertificateError::NoCertificate
            });
        }
        let certificate = CertificateDer::from_pem_slice(pem).map_err(|_| CertificateError::NoCertificate)?;
        let key = match PrivateKeyDer::from_pem_slice(pem) {
            Ok(k) => k,
            Err(_) if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") => {
                return Err(CertificateError::EncryptedKey)
            }
            Err(_) => return Err(CertificateError::NoPrivateKey),
        };
        Self::from_parts(certificate, key)
    }

    /// The certificate (public, from the profile) with its private key (from the keychain).
    pub fn from_parts(
        certificate: CertificateDer<'static>,
        key: PrivateKeyDer<'static>,
    ) -> Result<ClientCertificate, CertificateError> {
        let pair = match &key {
            PrivateKeyDer::Pkcs8(k) => signature::RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
            PrivateKeyDer::Pkcs1(k) => signature::RsaKeyPair::from_der(k.secret_pkcs1_der()),
            _ => return Err(CertificateError::NotRsa),
        }
        .map_err(|_| CertificateError::NotRsa)?;
        let cert = ClientCertificate {
            certificate,
            key: pair,
            key_pkcs8_or_pkcs1: key,
        };
        cert.check_key_matches()?;
        Ok(cert)
    }

    /// Signs a probe and checks it with the certificate's public key, so a file with the
    /// wrong key is refused here rather than by Entra with a puzzling AADSTS700027.
    fn check_key_matches(&self) -> Result<(), CertificateError> {
        let parsed = webpki::EndEntityCert::try_from(&self.certificate)
            .map_err(|e| CertificateError::BadCertificate(format!("{e:?}")))?;
        let probe = b"guestpass certificate check";
        let signed = self.sign(probe);
        parsed
            .verify_signature(webpki::aws_lc_rs::RSA_PSS_2048_8192_SHA256_LEGACY_KEY, probe, &signed)
            .map_err(|_| CertificateError::KeyMismatch)
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut out = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(&signature::RSA_PSS_SHA256, &SystemRandom::new(), message, &mut out)
            .expect("RSA signing with a validated key");
        out
    }

    /// The certificate as PEM (public: it goes in the tenant profile).
    pub fn certificate_pem(&self) -> String {
        pem_block("CERTIFICATE", self.certificate.as_ref())
    }

    /// The private key as PEM, for the keychain and nowhere else.
    pub fn private_key_pem(&self) -> String {
        match &self.key_pkcs8_or_pkcs1 {
            PrivateKeyDer::Pkcs1(k) => pem_block("RSA PRIVATE KEY", k.secret_pkcs1_der()),
            other => pem_block("PRIVATE KEY", other.secret_der()),
        }
    }

    /// The SHA-1 thumbprint in hex, as the Entra admin center lists it under
    /// "Certificates & secrets".
    pub fn thumbprint_sha1(&self) -> String {
        hex_upper(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, self.certificate.as_ref()).as_ref())
    }

    /// A signed client assertion for the token endpoint `audience`.
    pub fn client_assertion(&self, audience: &str, client_id: &str) -> String {
        let sha256 = digest::digest(&digest::SHA256, self.certificate.as_ref());
        let header = json!({"alg": "PS256", "typ": "JWT", "x5t#S256": URL_SAFE_NO_PAD.encode(sha256)});
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        let claims = json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "iat": now,
            "nbf": now,
            "exp": now + ASSERTION_LIFETIME_S,
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// Reads a certificate saved with [`ClientCertificate::certificate_pem`].
pub fn certificate_from_pem(pem: &str) -> Result<CertificateDer<'static>, CertificateError> {
    CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|_| CertificateError::NoCertificate)
}

/// The SHA-1 thumbprint (hex, as the Entra admin center shows it) of a saved certificate.
pub fn thumbprint_of(certificate_pem: &str) -> Option<String> {
    let der = certificate_from_pem(certificate_pem).ok()?;
    Some(hex_upper(
        digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, der.as_ref()).as_ref(),
    ))
}

/// Reads a private key saved with [`ClientCertificate::private_key_pem`].
pub fn private_key_from_pem(pem: &str) -> Result<PrivateKeyDer<'static>, CertificateError> {
    PrivateKeyDer::from_pem_slice(pem.as_bytes()).map_err(|_| CertificateError::NoPrivateKey)
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!("-----BEGIN {label}-----\n{}\n-----END {label}-----\n", lines.join("\n"))
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"))
            .join("../../../tests/certificates")
            .join(name);
        std::fs::read(path).unwrap()
    }

    #[test]
    fn reads_pkcs8_and_pkcs1_keys_and_refuses_what_it_cannot_use() {
        let cert = ClientCertificate::from_pem(&fixture("app.pem")).unwrap();
        // The same thumbprint `openssl x509 -fingerprint -sha1` prints.
        assert_eq!(cert.thumbprint_sha1(), "7DB57E1C67909507E0E91C98170AB8D62B9BBC3E");
        let pkcs1 = ClientCertificate::from_pem(&fixture("app-pkcs1.pem")).unwrap();
        assert_eq!(pkcs1.thumbprint_sha1(), cert.thumbprint_sha1());

        let enc = ClientCertificate::from_pem(&fixture("app-encrypted.pem")).unwrap_err();
        assert_eq!(enc, CertificateError::EncryptedKey);
        let only_cert = ClientCertificate::from_pem(&fixture("app-cert.pem")).unwrap_err();
        assert_eq!(only_cert, CertificateError::NoPrivateKey);
        let pfx = ClientCertificate::from_pem(&[0x30, 0x82, 0x0a, 0x01]).unwrap_err();
        assert_eq!(pfx, CertificateError::Pkcs12);

        // A key from one file with the certificate of another.
        let mut mixed = fixture("other.pem");
        let key_end = String::from_utf8_lossy(&mixed)
            .find("-----BEGIN CERTIFICATE-----")
            .unwrap();
        mixed.truncate(key_end);
        mixed.extend(fixture("app-cert.pem"));
        assert_eq!(
            ClientCertificate::from_pem(&mixed).unwrap_err(),
            CertificateError::KeyMismatch
        );
    }

    #[test]
    fn the_key_survives_a_round_trip_through_pem() {
        let cert = ClientCertificate::from_pem(&fixture("app.pem")).unwrap();
        let again = ClientCertificate::from_parts(
            certificate_from_pem(&cert.certificate_pem()).unwrap(),
            private_key_from_pem(&cert.private_key_pem()).unwrap(),
        )
        .unwrap();
        assert_eq!(again.thumbprint_sha1(), cert.thumbprint_sha1());
        assert_eq!(thumbprint_of(&cert.certificate_pem()).unwrap(), cert.thumbprint_sha1());
        assert!(!format!("{cert:?}").contains("PRIVATE"));
    }

    #[test]
    fn the_assertion_has_the_documented_header_and_claims() {
        let cert = ClientCertificate::from_pem(&fixture("app.pem")).unwrap();
        let jwt = cert.client_assertion("https://login.example/t/oauth2/v2.0/token", "app-id");
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "PS256");
        assert_eq!(header["typ"], "JWT");
        assert!(header["x5t#S256"].as_str().is_some_and(|t| t.len() == 43));
        let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://login.example/t/oauth2/v2.0/token");
        assert_eq!(claims["iss"], "app-id");
        assert_eq!(claims["sub"], "app-id");
        assert!(claims["exp"].as_i64().unwrap() > claims["nbf"].as_i64().unwrap());
    }
}
