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
