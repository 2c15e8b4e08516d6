//! The directory audit log in the sandbox: every change made through Graph (also inside a
//! `$batch`) leaves an entry with Microsoft's activity names; reading it follows Graph's filters,
//! retention and the identity reports' limit.

mod common;

use chrono::{Duration, SecondsFormat, Utc};
use common::token;
use guestpass_sandbox::{SandboxConfig, Storage, ThrottleConfig};
use serde_json::{json, Value};

const SALES_GROUP: &str = "7d1c0b5e-0000-4000-8000-000000000001";

fn days_ago(n: i64) -> String {
    (Utc::now() - Duration::days(n)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn call(
    http: &reqwest::Client,
    token: &str,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value, bool) {
    let mut req = http.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let retry = r.headers().get("retry-after").is_some();
    (status, r.json().await.unwrap_or(Value::Null), retry)
}

#[tokio::test]
async fn every_change_is_audited_and_read_back_with_graphs_filters() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let (base, http) = (sb.url(), reqwest::Client::new());
    let token = token(&base).await;
    let g = |p: &str| format!("{base}/v1.0/{p}");
    let (status, invited, _) = call(
        &http,
        &token,
        reqwest::Method::POST,
        g("invitations"),
        Some(json!({"invitedUserEmailAddress": "pat@fabrikam.example", "inviteRedirectUrl": "https://myapps.microsoft.com"})),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    let id = invited["invitedUser"]["id"].as_str().unwrap().to_string();
    let (status, _, _) = call(
        &http,
        &token,
        reqwest::Method::PATCH,
        g(&format!("users/{id}")),
        Some(json!({"accountEnabled": false})),
    )
    .await;
    assert_eq!(status, 204);
    // Inside a $batch, each change is audited like any other.
    let batch = json!({"requests": [{"id": "1", "method": "POST", "url": format!("/groups/{SALES_GROUP}/members/$ref"),
        "headers": {"Content-Type": "application/json"},
        "body": {"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{id}")}}]});
    let (status, answer, _) = call(&http, &token, reqwest::Method::POST, g("$batch"), Some(batch)).await;
    assert_eq!(
        (status, answer["responses"][0]["status"].as_u64()),
        (200, Some(204)),
        "{answer}"
    );
    // A refused change leaves nothing.
    let (status, _, _) = call(
        &http,
        &token,
        reqwest::Method::PATCH,
        g("users/not-a-user"),
        Some(json!({"accountEnabled": true})),
    )
    .await;
    assert_eq!(status, 404);
    sb.redeem_invitation(&id, &days_ago(0)).unwrap();

    let (status, log, _) = call(
        &http,
        &token,
        reqwest::Method::GET,
        g(&format!(
            "auditLogs/directoryAudits?$filter=targetResources/any(t:t/id eq '{id}')"
        )),
        None,
    )
    .await;
    assert_eq!(status, 200, "{log}");
    let names: Vec<&str> = log["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["activityDisplayName"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Redeem external user invite",
            "Add member to group",
            "Disable account",
            "Invite external user"
        ],
        "newest first, nothing for the refused change"
    );
    let invite = &log["value"][3];
    assert_eq!(invite["loggedByService"], "Invited Users");
    assert_eq!(invite["initiatedBy"]["app"]["appId"], guestpass_sandbox::CLIENT_ID);
    assert_eq!(
        invite["targetResources"][0]["userPrincipalName"]
            .as_str()
            .map(|u| u.contains("#EXT#")),
        Some(true)
    );
    let disable = &log["value"][2];
    assert_eq!(
        disable["targetResources"][0]["modifiedProperties"][0]["displayName"],
        "accountEnabled"
    );
    assert_eq!(log["value"][1]["targetResources"][0]["id"], SALES_GROUP);

    let (_, only, _) = call(
        &http,
        &token,
        reqwest::Method::GET,
        g(&format!(
            "auditLogs/directoryAudits?$filter=activityDisplayName eq 'Disable account' and activityDateTime ge {}",
            days_ago(1)
        )),
        None,
    )
    .await;
    assert_eq!(only["value"].as_array().unwrap().len(), 1, "{only}");
    let (status, _, _) = call(
        &http,
        &token,
        reqwest::Method::GET,
        g("auditLogs/directoryAudits?$filter=result ne 'success'"),
        None,
    )
    .await;
    assert_eq!(status, 400, "an operator Graph does not support here is refused");
    let (status, _, _) = call(
        &http,
        &token,
        reqwest::Method::GET,
        g("auditLogs/directoryAudits?$top=1001"),
        None,
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_log_keeps_30_days_with_p1_pages_and_is_limited_like_the_other_reports() {
    let config = SandboxConfig {
        throttle: ThrottleConfig {
            time_scale: 10.0,
            ..Default::default()
        },
        ..Default::default()
    };
    let sb = guestpass_sandbox::start(Storage::Memory, 0, config).await.unwrap();
    let (base, http) = (sb.url(), reqwest::Client::new());
    let token = token(&base).await;
    let ana = "2f0e1d2c-0000-4000-8000-000000000001";
    sb.record_audit("Update user", ana, &days_ago(40)).unwrap();
    for n in 0..3 {
        sb.record_audit("Update user", ana, &days_ago(20 + n)).unwrap();
    }
    let url = format!("{base}/v1.0/auditLogs/directoryAudits?$top=2");
    let (status, first, _) = call(&http, &token, reqwest::Method::GET, url, None).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["value"].as_array().unwrap().len(), 2);
    let next = first["@odata.nextLink"].as_str().unwrap().to_string();
    let (_, second, _) = call(&http, &token, reqwest::Method::GET, next, None).await;
    assert_eq!(
        second["value"].as_array().unwrap().len(),
        1,
        "the 40-day-old entry is past P1's 30 days"
    );
    assert!(second.get("@odata.nextLink").is_none());
    // Five reads per ten seconds per app (one second here), with Retry-After.
    let url = format!("{base}/v1.0/auditLogs/directoryAudits");
    for _ in 0..3 {
        assert_eq!(
            call(&http, &token, reqwest::Method::GET, url.clone(), None).await.0,
            200
        );
    }
    let (status, _, retry) = call(&http, &token, reqwest::Method::GET, url, None).await;
    assert_eq!((status, retry), (429, true));
}

#[tokio::test]
async fn one_users_sign_in_activity_is_limited_to_ten_reads_a_minute() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let (base, http) = (sb.url(), reqwest::Client::new());
    let token = token(&base).await;
    let ana = "2f0e1d2c-0000-4000-8000-000000000001";
    let url = format!("{base}/v1.0/users/{ana}?$select=displayName,signInActivity");
    for _ in 0..10 {
        let (status, body, _) = call(&http, &token, reqwest::Method::GET, url.clone(), None).await;
        assert_eq!(status, 200, "{body}");
        assert!(body["signInActivity"].is_object());
    }
    let (status, _, retry) = call(&http, &token, reqwest::Method::GET, url, None).await;
    assert_eq!(
        (status, retry),
        (429, true),
        "the eleventh in a minute waits, told how long"
    );
    // Without signInActivity the user is read as usual.
    let (status, _, _) = call(
        &http,
        &token,
        reqwest::Method::GET,
        format!("{base}/v1.0/users/{ana}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
}
