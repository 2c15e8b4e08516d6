//! Entitlement management's building blocks in the sandbox, in Microsoft's order: a connected
//! organisation, a catalog, a group added to it, a package using the group's Member role, a
//! policy for the organisation's users; each refused when its prerequisite is missing.

mod common;

use common::{send, token};
use guestpass_sandbox::{SandboxConfig, Storage};
use serde_json::{json, Value};

const PARTNERS_GROUP: &str = "7d1c0b5e-0000-4000-8000-000000000003";

#[tokio::test]
async fn an_extranet_is_built_in_microsofts_order_and_each_step_checks_the_one_before() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let (base, http) = (sb.url(), reqwest::Client::new());
    let token = token(&base).await;
    let em = format!("{base}/v1.0/identityGovernance/entitlementManagement");
    let post = |path: &str, body: Value| {
        let (http, token, url) = (&http, &token, format!("{em}/{path}"));
        async move { send(http, token, reqwest::Method::POST, url, Some(body)).await }
    };

    let (status, org) = post(
        "connectedOrganizations",
        json!({"displayName": "Fabrikam", "identitySources": [{"@odata.type": "#microsoft.graph.domainIdentitySource", "domainName": "fabrikam.example", "displayName": "fabrikam.example"}]}),
    )
    .await;
    assert_eq!((status, org["state"].as_str()), (201, Some("configured")), "{org}");
    let (status, _) = post(
        "connectedOrganizations",
        json!({"displayName": "Nobody", "identitySources": []}),
    )
    .await;
    assert_eq!(status, 400);

    let (status, catalog) = post(
        "catalogs",
        json!({"displayName": "Partners", "isExternallyVisible": true}),
    )
    .await;
    assert_eq!(status, 201, "{catalog}");
    let (status, package) = post(
        "accessPackages",
        json!({"displayName": "Fabrikam project", "isHidden": true, "catalog": {"id": catalog["id"]}}),
    )
    .await;
    assert_eq!(status, 201, "{package}");
    let package_id = package["id"].as_str().unwrap().to_string();
    let role = json!({"role": {"originId": format!("Member_{PARTNERS_GROUP}"), "originSystem": "AadGroup"},
                      "scope": {"originId": PARTNERS_GROUP, "originSystem": "AadGroup", "isRootScope": true}});
    let (status, body) = post(&format!("accessPackages/{package_id}/resourceRoleScopes"), role.clone()).await;
    assert_eq!(status, 400, "the group must be in the catalog first: {body}");
    let add = json!({"requestType": "adminAdd", "resource": {"originId": PARTNERS_GROUP, "originSystem": "AadGroup"}, "catalog": {"id": catalog["id"]}});
    assert_eq!(post("resourceRequests", add.clone()).await.0, 201);
    assert_eq!(post("resourceRequests", add).await.0, 400, "added once");
    let (status, _) = post(&format!("accessPackages/{package_id}/resourceRoleScopes"), role).await;
    assert_eq!(status, 201);

    let policy = |org_id: &str| {
        json!({"displayName": "Fabrikam users", "allowedTargetScope": "specificConnectedOrganizationUsers",
               "specificAllowedTargets": [{"@odata.type": "#microsoft.graph.connectedOrganizationMembers", "connectedOrganizationId": org_id}],
               "expiration": {"type": "afterDuration", "duration": "P180D"}, "accessPackage": {"id": package_id}})
    };
    let (status, body) = post("assignmentPolicies", policy("00000000-0000-4000-8000-000000000000")).await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (404, Some("Connected Organization Not Found"))
    );
    let (status, made) = post("assignmentPolicies", policy(org["id"].as_str().unwrap())).await;
    assert_eq!(status, 201, "{made}");

    // In use: the organisation and the package cannot go before the policy.
    let del = |path: String| {
        let (http, token) = (&http, &token);
        async move { send(http, token, reqwest::Method::DELETE, path, None).await.0 }
    };
    assert_eq!(
        del(format!("{em}/connectedOrganizations/{}", org["id"].as_str().unwrap())).await,
        400
    );
    assert_eq!(del(format!("{em}/accessPackages/{package_id}")).await, 400);
    assert_eq!(
        del(format!("{em}/assignmentPolicies/{}", made["id"].as_str().unwrap())).await,
        204
    );
    assert_eq!(del(format!("{em}/accessPackages/{package_id}")).await, 204);

    let (status, _) = send(&http, &token, reqwest::Method::PATCH, format!("{em}/settings"),
        Some(json!({"externalUserLifecycleAction": "blockSignInAndDelete", "durationUntilExternalUserDeletedAfterBlocked": "P30D"}))).await;
    assert_eq!(status, 204);
    let (_, settings) = send(&http, &token, reqwest::Method::GET, format!("{em}/settings"), None).await;
    assert_eq!(settings["externalUserLifecycleAction"], "blockSignInAndDelete");
    let (status, _) = send(
        &http,
        &token,
        reqwest::Method::PATCH,
        format!("{em}/settings"),
        Some(json!({"externalUserLifecycleAction": "deleteAtOnce"})),
    )
    .await;
    assert_eq!(status, 400);

    sb.remove_subscription("AAD_PREMIUM_P2").unwrap();
    assert_eq!(
        post("catalogs", json!({"displayName": "More"})).await.0,
        403,
        "P2 needed"
    );
}

#[tokio::test]
async fn partners_people_ask_are_approved_and_hold_what_cannot_then_be_taken_away() {
    let sb = guestpass_sandbox::start(Storage::Memory, 0, SandboxConfig::default())
        .await
        .unwrap();
    let (base, http) = (sb.url(), reqwest::Client::new());
    let token = token(&base).await;
    let em = format!("{base}/v1.0/identityGovernance/entitlementManagement");
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let (http, token, url) = (&http, &token, format!("{em}/{path}"));
        async move { send(http, token, method, url, body).await }
    };
    let post = |path: &str, body: Value| call(reqwest::Method::POST, path.to_string(), Some(body));

    let (_, org) = post(
        "connectedOrganizations",
        json!({"displayName": "Fabrikam", "identitySources": [{"@odata.type": "#microsoft.graph.domainIdentitySource", "domainName": "fabrikam.example", "displayName": "fabrikam.example"}]}),
    )
    .await;
    let org_id = org["id"].as_str().unwrap().to_string();
    // Sponsors: a reference to a user, once; listed; removed.
    let megan = "1a2b3c4d-0000-4000-8000-000000000001";
    let sponsor = json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{megan}")});
    let path = format!("connectedOrganizations/{org_id}/internalSponsors/$ref");
    assert_eq!(post(&path, sponsor.clone()).await.0, 204);
    assert_eq!(post(&path, sponsor).await.0, 400, "added once");
    let (_, listed) = call(
        reqwest::Method::GET,
        format!("connectedOrganizations/{org_id}/internalSponsors"),
        None,
    )
    .await;
    assert_eq!(listed["value"][0]["id"], megan, "{listed}");
    let gone = format!("connectedOrganizations/{org_id}/internalSponsors/{megan}/$ref");
    assert_eq!(call(reqwest::Method::DELETE, gone.clone(), None).await.0, 204);
    assert_eq!(call(reqwest::Method::DELETE, gone, None).await.0, 404);

    let (_, catalog) = post(
        "catalogs",
        json!({"displayName": "Partners", "isExternallyVisible": true}),
    )
    .await;
    let add = json!({"requestType": "adminAdd", "resource": {"originId": PARTNERS_GROUP, "originSystem": "AadGroup"}, "catalog": {"id": catalog["id"]}});
    post("resourceRequests", add).await;
    let (_, package) = post(
        "accessPackages",
        json!({"displayName": "Fabrikam project", "catalog": {"id": catalog["id"]}}),
    )
    .await;
    let package_id = package["id"].as_str().unwrap().to_string();
    let role = json!({"role": {"originId": format!("Member_{PARTNERS_GROUP}"), "originSystem": "AadGroup"},
                      "scope": {"originId": PARTNERS_GROUP, "originSystem": "AadGroup", "isRootScope": true}});
    post(&format!("accessPackages/{package_id}/resourceRoleScopes"), role).await;
    let (status, _) = post(
        "assignmentPolicies",
        json!({"displayName": "Fabrikam users", "allowedTargetScope": "specificConnectedOrganizationUsers",
               "specificAllowedTargets": [{"@odata.type": "#microsoft.graph.connectedOrganizationMembers", "connectedOrganizationId": org_id}],
               "expiration": {"type": "afterDuration", "duration": "P90D"},
               "requestApprovalSettings": {"isApprovalRequiredForAdd": true}, "accessPackage": {"id": package_id}}),
    )
    .await;
    assert_eq!(status, 201);

    // Someone outside the organisation is not covered; Pat asks and waits for approval.
    assert!(sb.request_access_package("kim@contoso.example", &package_id).is_err());
    let asked = sb.request_access_package("pat@fabrikam.example", &package_id).unwrap();
    let (_, waiting) = call(
        reqwest::Method::GET,
        "assignmentRequests?$filter=state eq 'pendingApproval'&$expand=requestor".into(),
        None,
    )
    .await;
    assert_eq!(
        waiting["value"][0]["requestor"]["email"], "pat@fabrikam.example",
        "{waiting}"
    );
    sb.approve_access_request(asked["id"].as_str().unwrap()).unwrap();
    let (_, held) = call(
        reqwest::Method::GET,
        format!("assignments?$filter=accessPackage/id eq '{package_id}' and state eq 'delivered'&$expand=target"),
        None,
    )
    .await;
    let assignment = &held["value"][0];
    assert_eq!(assignment["target"]["email"], "pat@fabrikam.example", "{held}");
    assert!(
        assignment["schedule"]["expiration"]["endDateTime"].is_string(),
        "ends after 90 days"
    );
    assert!(
        sb.user_mails().contains(&"pat@fabrikam.example".to_string()),
        "Pat became a guest"
    );

    // While Pat holds it, neither the group nor the package can go.
    let remove = json!({"requestType": "adminRemove", "resource": {"originId": PARTNERS_GROUP, "originSystem": "AadGroup"}, "catalog": {"id": catalog["id"]}});
    let (status, body) = post("resourceRequests", remove.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("InvalidDeleteResourceHasEntitlements")),
        "{body}"
    );
    let end = json!({"requestType": "adminRemove", "assignment": {"id": assignment["id"]}});
    assert_eq!(post("assignmentRequests", end).await.0, 201);
    assert_eq!(post("resourceRequests", remove).await.0, 201, "no entitlement left");

    // A policy for all external users: a domain nobody connected becomes a proposed organisation.
    post(
        "assignmentPolicies",
        json!({"displayName": "Anyone external", "allowedTargetScope": "allExternalUsers", "accessPackage": {"id": package_id}}),
    )
    .await;
    sb.request_access_package("sam@gmail.com", &package_id).unwrap();
    let (_, orgs) = call(reqwest::Method::GET, "connectedOrganizations".into(), None).await;
    let proposed = orgs["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["displayName"] == "gmail.com")
        .unwrap();
    assert_eq!(proposed["state"], "proposed");
}

#[tokio::test]
async fn an_app_adds_a_group_to_a_catalog_only_when_it_may_write_groups() {
    let config = SandboxConfig {
        roles: vec!["EntitlementManagement.ReadWrite.All".into()],
        ..SandboxConfig::default()
    };
    let sb = guestpass_sandbox::start(Storage::Memory, 0, config).await.unwrap();
    let (base, http) = (sb.url(), reqwest::Client::new());
    let token = token(&base).await;
    let em = format!("{base}/v1.0/identityGovernance/entitlementManagement");
    let (made, catalog) = send(
        &http,
        &token,
        reqwest::Method::POST,
        format!("{em}/catalogs"),
        Some(json!({"displayName": "Partners", "isExternallyVisible": true})),
    )
    .await;
    let add = json!({"requestType": "adminAdd", "resource": {"originId": PARTNERS_GROUP, "originSystem": "AadGroup"}, "catalog": {"id": catalog["id"]}});
    let (status, body) = send(
        &http,
        &token,
        reqwest::Method::POST,
        format!("{em}/resourceRequests"),
        Some(add),
    )
    .await;
    assert_eq!(made, 201, "entitlement management alone makes the catalog: {catalog}");
    assert_eq!(status, 403, "{body}");
}
