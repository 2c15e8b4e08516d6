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

/// A delegated Graph token for one of the sandbox's admins, through the device-code flow (the
/// test plays the person who enters the code on the sign-in page).
#[allow(dead_code)]
pub async fn delegated_token(base: &str, user_id: &str) -> String {
    let http = reqwest::Client::new();
    let tenant = guestpass_sandbox::TENANT_DOMAIN;
    let code: Value = http
        .post(format!("{base}/{tenant}/oauth2/v2.0/devicecode"))
        .form(&[
            ("client_id", guestpass_sandbox::CLIENT_ID),
            ("scope", "https://graph.microsoft.com/.default offline_access"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page = http
        .post(format!("{base}/devicelogin"))
        .form(&[
            ("user_code", code["user_code"].as_str().unwrap()),
            ("user", user_id),
            ("decision", "accept"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let r = http
        .post(format!("{base}/{tenant}/oauth2/v2.0/token"))
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", guestpass_sandbox::CLIENT_ID),
            ("device_code", code["device_code"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    v["access_token"].as_str().unwrap_or_else(|| panic!("{v}")).to_string()
}

/// Sends one Graph call with `token` and returns the status and the JSON answer (null if none).
#[allow(dead_code)]
pub async fn send(
    http: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = http.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}
