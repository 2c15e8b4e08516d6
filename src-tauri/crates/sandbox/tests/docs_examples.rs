//! The sandbox answers with at least the properties Microsoft's own Graph docs examples show.
//! The examples are copied from shared/graph-openapi/graph-docs-example-mocks.json.

use guestpass_sandbox::{SandboxConfig, Storage};
mod common;

use common::token;
use serde_json::Value;
use std::collections::BTreeSet;

fn example(url_end: &str) -> Value {
    let all: Value = serde_json::from_str(include_str!("fixtures/graph-docs-examples.json")).unwrap();
    all["mocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["request"]["url"].as_str().unwrap().ends_with(url_end))
        .unwrap()["response"]
        .clone()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .unwrap()
        .keys()
        .filter(|k| !k.starts_with("@microsoft.graph.tips"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn invitation_answer_has_the_documented_shape() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let t = token(&sb.url()).await;
    let r = reqwest::Client::new()
        .post(format!("{}/v1.0/invitations", sb.url()))
        .bearer_auth(t)
        .json(&serde_json::json!({"invitedUserEmailAddress": "admin@fabrikam.example", "inviteRedirectUrl": "https://myapp.contoso.com"}))
        .send()
        .await
        .unwrap();
    let doc = example("/v1.0/invitations");
    assert_eq!(r.status().as_u16() as u64, doc["statusCode"].as_u64().unwrap());
    let body: Value = r.json().await.unwrap();
    let missing: Vec<_> = keys(&doc["body"]).difference(&keys(&body)).cloned().collect();
    assert!(missing.is_empty(), "missing {missing:?}");
    assert_eq!(
        keys(&doc["body"]["invitedUserMessageInfo"]),
        keys(&body["invitedUserMessageInfo"])
    );
    assert_eq!(body["status"], doc["body"]["status"]);
    assert_eq!(body["sendInvitationMessage"], false, "Graph's default");
}

#[tokio::test]
async fn authorization_policy_has_the_documented_shape() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let t = token(&sb.url()).await;
    let body: Value = reqwest::Client::new()
        .get(format!("{}/v1.0/policies/authorizationPolicy", sb.url()))
        .bearer_auth(t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let doc = example("/v1.0/policies/authorizationPolicy");
    let missing: Vec<_> = keys(&doc["body"]).difference(&keys(&body)).cloned().collect();
    assert!(missing.is_empty(), "missing {missing:?}");
    assert_eq!(
        keys(&doc["body"]["defaultUserRolePermissions"]),
        keys(&body["defaultUserRolePermissions"])
    );
}
