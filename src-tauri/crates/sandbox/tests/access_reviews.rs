//! Access reviews in the sandbox: licence-gated, checked, one instance with a decision per
//! guest of the reviewed group, decisions a reviewer makes, deletion.

mod common;

use common::{send, token};
use guestpass_sandbox::{SandboxConfig, Storage};
use serde_json::{json, Value};

const PARTNERS_GROUP: &str = "7d1c0b5e-0000-4000-8000-000000000003";
const MEGAN: &str = "1a2b3c4d-0000-4000-8000-000000000001";

fn definition(group: &str) -> Value {
    json!({
        "displayName": "Guests of the partner portal",
        "scope": {"@odata.type": "#microsoft.graph.accessReviewQueryScope",
                  "query": format!("/groups/{group}/transitiveMembers/microsoft.graph.user/?$filter=(userType eq 'Guest')"),
                  "queryType": "MicrosoftGraph"},
        "reviewers": [{"query": format!("/groups/{group}/owners"), "queryType": "MicrosoftGraph"}],
        "fallbackReviewers": [{"query": format!("/users/{MEGAN}"), "queryType": "MicrosoftGraph"}],
        "settings": {"defaultDecisionEnabled": true, "defaultDecision": "Deny", "autoApplyDecisionsEnabled": true,
                     "instanceDurationInDays": 14,
                     "recurrence": {"pattern": {"type": "absoluteMonthly", "interval": 3},
                                    "range": {"type": "noEnd", "startDate": "2026-12-01"}}}
    })
}

#[tokio::test]
async fn a_review_needs_p2_then_lists_each_guest_of_the_group_for_a_decision() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let (base, http) = (sb.url(), reqwest::Client::new());
    let token = token(&base).await;
    let defs = format!("{base}/v1.0/identityGovernance/accessReviews/definitions");
    sb.remove_subscription("AAD_PREMIUM_P2").unwrap();
    let (status, body) = send(
        &http,
        &token,
        reqwest::Method::POST,
        defs.clone(),
        Some(definition(PARTNERS_GROUP)),
    )
    .await;
    assert_eq!(status, 403, "P1 is not enough: {body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("P2"));

    sb.add_subscription("AAD_PREMIUM_P2", "AAD_PREMIUM_P2").unwrap();
    // A guest in the group, to be reviewed.
    let (_, invited) = send(&http, &token, reqwest::Method::POST, format!("{base}/v1.0/invitations"),
        Some(json!({"invitedUserEmailAddress": "pat@fabrikam.example", "inviteRedirectUrl": "https://myapps.microsoft.com"}))).await;
    let pat = invited["invitedUser"]["id"].as_str().unwrap().to_string();
    let (status, _) = send(
        &http,
        &token,
        reqwest::Method::POST,
        format!("{base}/v1.0/groups/{PARTNERS_GROUP}/members/$ref"),
        Some(json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{pat}")})),
    )
    .await;
    assert_eq!(status, 204);

    let mut no_name = definition(PARTNERS_GROUP);
    no_name["displayName"] = json!("");
    let (status, body) = send(&http, &token, reqwest::Method::POST, defs.clone(), Some(no_name)).await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = send(
        &http,
        &token,
        reqwest::Method::POST,
        defs.clone(),
        Some(definition("00000000-0000-4000-8000-00000000dead")),
    )
    .await;
    assert_eq!(status, 404, "the group must exist");

    let (status, def) = send(
        &http,
        &token,
        reqwest::Method::POST,
        defs.clone(),
        Some(definition(PARTNERS_GROUP)),
    )
    .await;
    assert_eq!(status, 201, "{def}");
    let id = def["id"].as_str().unwrap().to_string();
    assert_eq!(def["status"], "InProgress");
    let (_, listed) = send(&http, &token, reqwest::Method::GET, defs.clone(), None).await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 1);
    let (_, instances) = send(
        &http,
        &token,
        reqwest::Method::GET,
        format!("{defs}/{id}/instances"),
        None,
    )
    .await;
    let instance = instances["value"][0]["id"].as_str().unwrap().to_string();
    sb.decide_review(&id, &pat, "Deny", MEGAN).unwrap();
    let (_, decisions) = send(
        &http,
        &token,
        reqwest::Method::GET,
        format!("{defs}/{id}/instances/{instance}/decisions"),
        None,
    )
    .await;
    let items = decisions["value"].as_array().unwrap();
    let mine = items.iter().find(|d| d["principal"]["id"] == pat.as_str()).unwrap();
    assert_eq!(
        (&mine["decision"], &mine["reviewedBy"]["id"]),
        (&json!("Deny"), &json!(MEGAN))
    );
    assert!(items.iter().all(|d| d["resource"]["id"] == PARTNERS_GROUP));

    let (status, _) = send(&http, &token, reqwest::Method::DELETE, format!("{defs}/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, _) = send(&http, &token, reqwest::Method::GET, format!("{defs}/{id}"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn access_package_assignments_are_listed_by_user_and_removed_by_an_admin_request() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let (base, http) = (sb.url(), reqwest::Client::new());
    let token = token(&base).await;
    let ana = "2f0e1d2c-0000-4000-8000-000000000001";
    let made = sb.add_access_package_assignment(ana, "Fabrikam project").unwrap();
    let em = format!("{base}/v1.0/identityGovernance/entitlementManagement");
    let list = format!("{em}/assignments?$filter=target/objectId eq '{ana}' and state eq 'delivered'");
    let (status, found) = send(&http, &token, reqwest::Method::GET, list.clone(), None).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["value"].as_array().unwrap().len(), 1);
    assert!(
        found["value"][0].get("accessPackage").is_none(),
        "navigation properties only when expanded"
    );
    let (_, expanded) = send(
        &http,
        &token,
        reqwest::Method::GET,
        format!("{list}&$expand=accessPackage"),
        None,
    )
    .await;
    assert_eq!(expanded["value"][0]["accessPackage"]["displayName"], "Fabrikam project");

    let remove = json!({"requestType": "adminRemove", "assignment": {"id": made["id"]}});
    let (status, request) = send(
        &http,
        &token,
        reqwest::Method::POST,
        format!("{em}/assignmentRequests"),
        Some(remove.clone()),
    )
    .await;
    assert_eq!(
        (status, request["state"].as_str()),
        (201, Some("submitted")),
        "{request}"
    );
    let (_, after) = send(&http, &token, reqwest::Method::GET, list, None).await;
    assert!(after["value"].as_array().unwrap().is_empty(), "no longer delivered");
    let (status, _) = send(
        &http,
        &token,
        reqwest::Method::POST,
        format!("{em}/assignmentRequests"),
        Some(remove),
    )
    .await;
    assert_eq!(status, 400, "an ended assignment cannot be removed again");

    sb.remove_subscription("AAD_PREMIUM_P2").unwrap();
    let (status, _) = send(&http, &token, reqwest::Method::GET, format!("{em}/assignments"), None).await;
    assert_eq!(status, 403, "entitlement management needs P2");
}
