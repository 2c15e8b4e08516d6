//! The sandbox answers Microsoft's own Graph docs examples as Graph does: every example for an
//! endpoint the sandbox serves is replayed (its URL, with the docs' ids swapped for the sandbox's),
//! and the answer must have the example's status class and at least the example's keys.
//! The examples are picked from shared/graph-openapi/graph-docs-example-mocks.json by
//! tests/fixtures/pick_examples.py; those it marks `skip` say why.

use guestpass_sandbox::{SandboxConfig, Storage};
mod common;

use common::{delegated_token, token};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const MEGAN: &str = "1a2b3c4d-0000-4000-8000-000000000001";
const GRADY: &str = "1a2b3c4d-0000-4000-8000-000000000011";
const SALES_GROUP: &str = "7d1c0b5e-0000-4000-8000-000000000001";
/// Fabrikam's tenant, one the sandbox knows.
const PARTNER_TENANT: &str = "8e3b1d6a-2f4c-4a7e-9b1d-3c5e7f9a1b2c";

fn examples() -> Vec<Value> {
    let all: Value = serde_json::from_str(include_str!("fixtures/graph-docs-examples.json")).unwrap();
    all["examples"].as_array().unwrap().clone()
}

fn example(method: &str, url_end: &str) -> Value {
    examples()
        .into_iter()
        .find(|e| e["method"] == method && e["url"].as_str().unwrap().ends_with(url_end))
        .unwrap()["response"]
        .clone()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| {
            o.keys()
                .filter(|k| !k.starts_with("@microsoft.graph.tips"))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// The docs' ids and placeholders become ids the sandbox has.
fn sandbox_url(url: &str, idp: &str) -> String {
    let mut out = Vec::new();
    let parts: Vec<&str> = url.split('?').collect();
    let segments: Vec<&str> = parts[0].split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        let after = if i > 0 { segments[i - 1] } else { "" };
        let is_id = seg.starts_with('{') || (seg.len() == 36 && seg.matches('-').count() == 4);
        out.push(match (after, is_id) {
            ("users", true) => MEGAN.to_string(),
            ("groups", true) => SALES_GROUP.to_string(),
            ("members", true) => GRADY.to_string(),
            ("identityProviders", true) => idp.to_string(),
            ("partners", true) => PARTNER_TENANT.to_string(),
            _ if seg.starts_with("findTenantInformationByDomainName") => {
                "findTenantInformationByDomainName(domainName='fabrikam.example')".to_string()
            }
            _ if seg.starts_with("findTenantInformationByTenantId") => {
                format!("findTenantInformationByTenantId(tenantId='{PARTNER_TENANT}')")
            }
            _ => seg.to_string(),
        });
    }
    let mut url = out.join("/");
    if let Some(q) = parts.get(1) {
        url = format!("{url}?{q}");
    }
    url.replace(' ', "%20").replace('"', "%22").replace('#', "%23")
}

/// What the docs' example sends with a write (the mocks keep only the URL).
fn body_for(method: &str, url: &str) -> Option<Value> {
    let path = url.split('?').next().unwrap();
    match method {
        "PATCH" if path.starts_with("/v1.0/users/") => {
            Some(json!({"@odata.type": "#microsoft.graph.user", "officeLocation": "18/2111"}))
        }
        "PATCH" if path.ends_with("authorizationPolicy") => {
            Some(json!({"guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3"}))
        }
        "PATCH" if path.ends_with("crossTenantAccessPolicy/default") => Some(json!({"inboundTrust": {
            "isMfaAccepted": true, "isCompliantDeviceAccepted": true, "isHybridAzureADJoinedDeviceAccepted": true}})),
        "POST" if path.ends_with("/invitations") => Some(json!({
            "invitedUserEmailAddress": "admin@fabrikam.example", "inviteRedirectUrl": "https://myapp.contoso.com"})),
        "POST" if path.ends_with("/identityProviders") => Some(json!({
            "@odata.type": "microsoft.graph.socialIdentityProvider", "displayName": "Login with Facebook",
            "identityProviderType": "Facebook", "clientId": "56433757", "clientSecret": "x"})),
        "POST" if path.ends_with("crossTenantAccessPolicy/partners") => Some(json!({
            "tenantId": PARTNER_TENANT,
            "b2bDirectConnectInbound": {"applications": {"accessType": "allowed", "targets": [{"target": "Office365", "targetType": "application"}]}}})),
        "PATCH" if path.contains("crossTenantAccessPolicy/partners/") => Some(json!({
            "inboundTrust": {"isMfaAccepted": true, "isCompliantDeviceAccepted": true, "isHybridAzureADJoinedDeviceAccepted": true}})),
        "POST" if path.ends_with("/members/$ref") => Some(json!({
            "@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{GRADY}")})),
        _ => None,
    }
}

#[tokio::test]
async fn every_docs_example_for_a_served_endpoint_is_answered_as_documented() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let app = token(&sb.url()).await;
    let admin = delegated_token(&sb.url(), MEGAN).await;
    let mut failures = Vec::new();
    let mut replayed = 0;
    for e in examples() {
        if e.get("skip").is_some() {
            continue;
        }
        let method = e["method"].as_str().unwrap();
        let url = e["url"].as_str().unwrap();
        // Each write starts from what it needs: a provider to delete, a member to remove.
        let mut idp = String::new();
        if method == "DELETE" && url.contains("identityProviders") {
            let made: Value = http
                .post(format!("{}/v1.0/identity/identityProviders", sb.url()))
                .bearer_auth(&app)
                .json(
                    &json!({"@odata.type": "microsoft.graph.socialIdentityProvider", "displayName": "Google",
                    "identityProviderType": "Google", "clientId": "x.apps.googleusercontent.com", "clientSecret": "s"}),
                )
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            idp = made["id"].as_str().unwrap().to_string();
        }
        if method == "DELETE" && url.contains("/members/") {
            http.post(format!("{}/v1.0/groups/{SALES_GROUP}/members/$ref", sb.url()))
                .bearer_auth(&app)
                .json(&body_for("POST", "/members/$ref").unwrap())
                .send()
                .await
                .unwrap();
        }
        // A partner configuration exists for every example but the one creating it.
        let partners = format!("{}/v1.0/policies/crossTenantAccessPolicy/partners", sb.url());
        http.delete(format!("{partners}/{PARTNER_TENANT}"))
            .bearer_auth(&app)
            .send()
            .await
            .unwrap();
        if !(method == "POST" && url.ends_with("/partners")) {
            http.post(&partners)
                .bearer_auth(&app)
                .json(&json!({"tenantId": PARTNER_TENANT}))
                .send()
                .await
                .unwrap();
        }
        let target = sandbox_url(url, &idp);
        let bearer = if url.starts_with("/v1.0/me") { &admin } else { &app };
        let mut request = http
            .request(method.parse().unwrap(), format!("{}{target}", sb.url()))
            .bearer_auth(bearer)
            // As the docs' requests for advanced queries send it; Graph ignores it elsewhere.
            .header("ConsistencyLevel", "eventual");
        if let Some(body) = body_for(method, url) {
            request = request.json(&body);
        }
        let answer = request.send().await.unwrap();
        replayed += 1;
        let status = answer.status().as_u16() as u64;
        let want = e["response"]["statusCode"].as_u64().unwrap_or(200);
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        if status / 100 != want / 100 {
            failures.push(format!("{method} {url}: {status}, docs {want}: {body}"));
            continue;
        }
        let doc = &e["response"]["body"];
        let mut missing: Vec<String> = keys(doc).difference(&keys(&body)).cloned().collect();
        if let (Some(doc_item), Some(item)) = (doc["value"].get(0), body["value"].get(0)) {
            missing.extend(keys(doc_item).difference(&keys(item)).map(|k| format!("value[].{k}")));
        }
        if !missing.is_empty() {
            failures.push(format!("{method} {url}: missing {missing:?}"));
        }
    }
    assert!(replayed >= 38, "replayed only {replayed}");
    assert!(
        failures.is_empty(),
        "{} of {replayed} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
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
        .json(&body_for("POST", "/v1.0/invitations").unwrap())
        .send()
        .await
        .unwrap();
    let doc = example("POST", "/v1.0/invitations");
    assert_eq!(r.status().as_u16() as u64, doc["statusCode"].as_u64().unwrap());
    let body: Value = r.json().await.unwrap();
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
    let doc = example("GET", "/v1.0/policies/authorizationPolicy");
    assert_eq!(
        keys(&doc["body"]["defaultUserRolePermissions"]),
        keys(&body["defaultUserRolePermissions"])
    );
}

#[tokio::test]
async fn unknown_properties_are_refused_and_real_unmodelled_ones_answered_as_unset() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let t = token(&sb.url()).await;
    let http = reqwest::Client::new();
    let get = |path: String| http.get(format!("{}{path}", sb.url())).bearer_auth(&t).send();
    let r = get(format!("/v1.0/users/{MEGAN}?$select=postalCode,skills,displayName"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["postalCode"], Value::Null);
    assert_eq!(body["skills"], json!([]), "an unset collection is empty, not null");
    let r = get(format!("/v1.0/users/{MEGAN}?$select=shoeSize")).await.unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("shoeSize"));

    // A PATCH may carry the entity's type (Microsoft's SDKs send it), not another type's.
    let patch = |body: Value| {
        http.patch(format!("{}/v1.0/users/{MEGAN}", sb.url()))
            .bearer_auth(&t)
            .json(&body)
            .send()
    };
    let r = patch(json!({"@odata.type": "#microsoft.graph.user", "postalCode": "SW1A 1AA"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = patch(json!({"@odata.type": "#microsoft.graph.group", "postalCode": "x"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = patch(json!({"createdDateTime": "2020-01-01T00:00:00Z"})).await.unwrap();
    assert_eq!(r.status(), 400, "read-only");
    let body: Value = get(format!("/v1.0/users/{MEGAN}?$select=postalCode"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["postalCode"], "SW1A 1AA");
}

#[tokio::test]
async fn endswith_and_orderby_are_advanced_queries() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let t = token(&sb.url()).await;
    let http = reqwest::Client::new();
    let url = format!(
        "{}/v1.0/users?$filter=endswith(mail,'.example')&$orderby=userPrincipalName desc&$count=true",
        sb.url()
    );
    let plain = http.get(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(plain.status(), 400, "without ConsistencyLevel: eventual");
    let body: Value = http
        .get(&url)
        .bearer_auth(&t)
        .header("ConsistencyLevel", "eventual")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let upns: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userPrincipalName"].as_str().unwrap())
        .collect();
    assert_eq!(body["@odata.count"], upns.len());
    assert!(upns.len() > 10);
    let mut sorted: Vec<String> = upns.iter().map(|u| u.to_lowercase()).collect();
    sorted.sort();
    sorted.reverse();
    assert_eq!(upns.iter().map(|u| u.to_lowercase()).collect::<Vec<_>>(), sorted);
}
