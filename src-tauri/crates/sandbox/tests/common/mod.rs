//! Shared by the sandbox's HTTP tests.

use serde_json::Value;

/// A Graph token from the sandbox's token endpoint, asserting Entra's success shape.
pub async fn token(base: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{base}/{}/oauth2/v2.0/token", guestpass_sandbox::TENANT_DOMAIN))
        .form(&[
            ("client_id", guestpass_sandbox::CLIENT_ID),
            ("client_secret", guestpass_sandbox::CLIENT_SECRET),
            ("scope", "https://graph.microsoft.com/.default"),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["token_type"], "Bearer");
    v["access_token"].as_str().unwrap().to_string()
}
