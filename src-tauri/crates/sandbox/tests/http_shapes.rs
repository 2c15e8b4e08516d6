//! The sandbox's answers have Microsoft's shapes: raw HTTP, no Guestpass client in between.

use guestpass_sandbox::{SandboxConfig, Storage};
mod common;

use common::token;
use serde_json::Value;

async fn get(
    base: &str,
    token: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .header("client-request-id", "11111111-2222-3333-4444-555555555555");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

#[tokio::test]
async fn errors_carry_the_request_id_in_header_and_body() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let t = token(&sb.url()).await;
    let (status, headers, body) = get(&sb.url(), &t, "/v1.0/users/00000000-0000-0000-0000-000000000000", &[]).await;
    assert_eq!(status, 404);
    let rid = headers["request-id"].to_str().unwrap();
    assert_eq!(body["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(body["error"]["innerError"]["request-id"], rid);
    assert_eq!(
        body["error"]["innerError"]["client-request-id"],
        "11111111-2222-3333-4444-555555555555"
    );
    assert!(body["error"]["innerError"]["date"].as_str().is_some());
}

#[tokio::test]
async fn missing_token_and_unknown_segments_answer_like_graph() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let (status, _, body) = get(&sb.url(), "", "/v1.0/users", &[]).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    let t = token(&sb.url()).await;
    let (status, _, body) = get(&sb.url(), &t, "/v1.0/usres", &[]).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "Resource not found for the segment 'usres'.");
}

#[tokio::test]
async fn user_queries_follow_graph_rules() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let t = token(&sb.url()).await;
    let (status, headers, body) = get(
        &sb.url(),
        &t,
        "/v1.0/users?$filter=userType%20eq%20'Guest'&$select=id,mail",
        &[],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["value"].as_array().unwrap().len(), 2);
    assert_eq!(
        body["value"][0].as_object().unwrap().len(),
        2,
        "only the selected properties"
    );
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("$metadata#users(id,mail)"));
    assert_eq!(
        headers["x-ms-resource-unit"], "1",
        "a list costs 2, $select takes 1 off"
    );

    let (status, _, body) = get(&sb.url(), &t, "/v1.0/users?$filter=jobTitle%20eq%20'x'", &[]).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "Request_UnsupportedQuery");

    let (status, _, _) = get(&sb.url(), &t, "/v1.0/users?$filter=userType%20ne%20'Guest'", &[]).await;
    assert_eq!(status, 400, "ne is an advanced query");
    let (status, _, body) = get(
        &sb.url(),
        &t,
        "/v1.0/users?$filter=userType%20ne%20'Guest'&$count=true",
        &[("ConsistencyLevel", "eventual")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["@odata.count"], 12);

    let (status, _, body) = get(&sb.url(), &t, "/v1.0/users?$top=1000", &[]).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("between 1 and 999"));

    let (status, _, body) = get(&sb.url(), &t, "/v1.0/users?$select=nonsense", &[]).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("nonsense"));
}

#[tokio::test]
async fn state_survives_a_restart_in_its_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.sqlite");
    let id = {
        let sb = guestpass_sandbox::start(Storage::File(path.clone()), 0, SandboxConfig::default())
            .await
            .unwrap();
        let t = token(&sb.url()).await;
        let r = reqwest::Client::new()
            .post(format!("{}/v1.0/invitations", sb.url()))
            .bearer_auth(&t)
            .json(&serde_json::json!({"invitedUserEmailAddress": "kept@partner.example", "inviteRedirectUrl": "https://myapps.microsoft.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let v: Value = r.json().await.unwrap();
        v["invitedUser"]["id"].as_str().unwrap().to_string()
    };
    let sb = guestpass_sandbox::start(Storage::File(path), 0, SandboxConfig::default())
        .await
        .unwrap();
    let t = token(&sb.url()).await;
    let (status, _, body) = get(&sb.url(), &t, &format!("/v1.0/users/{id}"), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body["mail"], "kept@partner.example");
}

#[tokio::test]
async fn batch_answers_each_request_on_its_own() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let t = token(&sb.url()).await;
    let ok = serde_json::json!({"invitedUserEmailAddress": "b1@partner.example", "inviteRedirectUrl": "https://myapps.microsoft.com"});
    let bad = serde_json::json!({"invitedUserEmailAddress": "b#2@partner.example", "inviteRedirectUrl": "https://myapps.microsoft.com"});
    let body = serde_json::json!({"requests": [
        {"id": "1", "method": "POST", "url": "/invitations", "headers": {"Content-Type": "application/json"}, "body": ok},
        {"id": "2", "method": "POST", "url": "/invitations", "headers": {"Content-Type": "application/json"}, "body": bad},
        {"id": "3", "method": "GET", "url": "/organization?$select=id", "dependsOn": ["2"]},
        {"id": "4", "method": "GET", "url": "/organization?$select=id", "dependsOn": ["1"]}
    ]});
    let r = reqwest::Client::new()
        .post(format!("{}/v1.0/$batch", sb.url()))
        .bearer_auth(&t)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the outer answer says nothing about the inner ones");
    let v: Value = r.json().await.unwrap();
    let status = |id: &str| {
        v["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()["status"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        (status("1"), status("2"), status("3"), status("4")),
        (201, 400, 424, 200)
    );

    let too_many: Vec<Value> = (0..21)
        .map(|i| serde_json::json!({"id": i.to_string(), "method": "GET", "url": "/organization"}))
        .collect();
    let r = reqwest::Client::new()
        .post(format!("{}/v1.0/$batch", sb.url()))
        .bearer_auth(&t)
        .json(&serde_json::json!({"requests": too_many}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let no_type = serde_json::json!({"requests": [{"id": "1", "method": "POST", "url": "/invitations", "body": ok}]});
    let r = reqwest::Client::new()
        .post(format!("{}/v1.0/$batch", sb.url()))
        .bearer_auth(&t)
        .json(&no_type)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a body needs a Content-Type header");
}

#[tokio::test]
async fn inner_batch_requests_are_throttled_one_by_one() {
    let throttle = guestpass_sandbox::ThrottleConfig {
        resource_units: Some(3),
        ..Default::default()
    };
    let sb = guestpass_sandbox::start(
        Storage::Memory,
        0,
        SandboxConfig {
            throttle,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let t = token(&sb.url()).await;
    let requests: Vec<Value> = (0..4)
        .map(|i| serde_json::json!({"id": i.to_string(), "method": "GET", "url": "/organization?$select=id"}))
        .collect();
    let r = reqwest::Client::new()
        .post(format!("{}/v1.0/$batch", sb.url()))
        .bearer_auth(&t)
        .json(&serde_json::json!({"requests": requests}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    let throttled: Vec<&Value> = v["responses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["status"] == 429)
        .collect();
    assert!(!throttled.is_empty(), "{v}");
    assert!(
        throttled[0]["headers"]["retry-after"].as_str().is_some(),
        "an inner 429 carries its own Retry-After"
    );
}

#[tokio::test]
async fn power_platform_admin_api_needs_its_own_token_and_an_api_version() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let graph_token = token(&sb.url()).await;
    let envs = format!(
        "{}/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2020-10-01",
        sb.url()
    );
    let r = reqwest::Client::new()
        .get(&envs)
        .bearer_auth(&graph_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "a Graph token is for Graph only");

    let v: Value = reqwest::Client::new()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            sb.url(),
            guestpass_sandbox::TENANT_ID
        ))
        .form(&[
            ("client_id", guestpass_sandbox::CLIENT_ID),
            ("client_secret", guestpass_sandbox::CLIENT_SECRET),
            ("scope", "https://service.powerapps.com//.default"),
            ("grant_type", "client_credentials"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pp = v["access_token"].as_str().unwrap().to_string();
    let c = reqwest::Client::new();
    let list: Value = c
        .get(&envs)
        .bearer_auth(&pp)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["value"].as_array().unwrap().len(), 2);
    let no_version = c
        .get(format!(
            "{}/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments",
            sb.url()
        ))
        .bearer_auth(&pp)
        .send()
        .await
        .unwrap();
    assert_eq!(no_version.status(), 400);

    let settings = |path: &str| {
        format!(
            "{}/providers/Microsoft.BusinessAppPlatform/{path}?api-version=2020-10-01",
            sb.url()
        )
    };
    let before: Value = c
        .post(settings("listTenantSettings"))
        .bearer_auth(&pp)
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(before["powerPlatform"]["powerApps"]["enableGuestsToMake"], false);
    let patch = serde_json::json!({"powerPlatform": {"powerApps": {"enableGuestsToMake": true}}});
    let after: Value = c
        .post(settings("scopes/admin/updateTenantSettings"))
        .bearer_auth(&pp)
        .json(&patch)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["powerPlatform"]["powerApps"]["enableGuestsToMake"], true);
    assert_eq!(
        after["powerPlatform"]["powerApps"]["disableShareWithEveryone"], false,
        "other settings are kept"
    );
}
