//! Conditional Access in the sandbox, as Graph v1.0 answers it: policies and named locations
//! checked against Microsoft's schema and limits, security defaults exclusive with CA, and the
//! 1 request per second per tenant limit whose 429 carries no Retry-After.

mod common;

use common::token;
use guestpass_sandbox::{SandboxConfig, Storage, ThrottleConfig};
use serde_json::{json, Value};
use std::time::Duration;

struct Tenant {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Tenant {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        // Each call waits out the one-per-second spacing (time runs 10× faster here).
        tokio::time::sleep(SPACING).await;
        let mut req = self
            .http
            .request(method, format!("{}/v1.0/{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let (status, headers) = (r.status().as_u16(), r.headers().clone());
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null), headers)
    }
}

/// Microsoft's 1 s between Conditional Access calls, with the sandbox's clock 10× faster.
const SPACING: Duration = Duration::from_millis(105);

async fn tenant() -> (guestpass_sandbox::SandboxHandle, Tenant) {
    let config = SandboxConfig {
        throttle: ThrottleConfig {
            time_scale: 10.0,
            ..Default::default()
        },
        ..Default::default()
    };
    let sb = guestpass_sandbox::start(Storage::Memory, 0, config).await.unwrap();
    let base = sb.url();
    let token = token(&base).await;
    (
        sb,
        Tenant {
            base,
            token,
            http: reqwest::Client::new(),
        },
    )
}

fn guests_mfa(state: &str) -> Value {
    json!({
        "displayName": "Guests: require MFA",
        "state": state,
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"]},
            "users": {
                "includeGuestsOrExternalUsers": {
                    "guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider",
                    "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}
                },
                "excludeGroups": ["7d1c0b5e-0000-4000-8000-000000000001"]
            }
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    })
}

#[tokio::test]
async fn a_report_only_policy_is_created_switched_on_and_deleted() {
    let (_sb, t) = tenant().await;
    let (status, created, _) = t
        .send(
            reqwest::Method::POST,
            "identity/conditionalAccess/policies",
            Some(guests_mfa("enabledForReportingButNotEnforced")),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["state"], "enabledForReportingButNotEnforced");
    let id = created["id"].as_str().unwrap().to_string();
    let path = format!("identity/conditionalAccess/policies/{id}");
    let (status, _, _) = t
        .send(reqwest::Method::PATCH, &path, Some(json!({"state": "enabled"})))
        .await;
    assert_eq!(status, 204);
    let (_, read, _) = t.send(reqwest::Method::GET, &path, None).await;
    assert_eq!(read["state"], "enabled");
    assert!(read["modifiedDateTime"].is_string());
    let (status, _, _) = t.send(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (status, _, _) = t.send(reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn malformed_policies_get_graphs_errors() {
    let (_sb, t) = tenant().await;
    let post = |body: Value| t.send(reqwest::Method::POST, "identity/conditionalAccess/policies", Some(body));
    // The guest types are one comma-separated string, not an array.
    let mut as_array = guests_mfa("disabled");
    as_array["conditions"]["users"]["includeGuestsOrExternalUsers"]["guestOrExternalUserTypes"] =
        json!(["internalGuest"]);
    let (status, e, _) = post(as_array).await;
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("BadRequest")));
    assert!(e["error"]["message"].as_str().unwrap().starts_with("1007:"), "{e}");
    // An external-tenants object without its OData type.
    let mut untyped = guests_mfa("disabled");
    untyped["conditions"]["users"]["includeGuestsOrExternalUsers"]["externalTenants"] =
        json!({"membershipKind": "all"});
    let (status, e, _) = post(untyped).await;
    assert_eq!(status, 400);
    assert_eq!(e["error"]["message"], "Invalid OData type specified.");
    // No grant or session control.
    let mut no_control = guests_mfa("disabled");
    no_control["grantControls"] = Value::Null;
    assert_eq!(post(no_control).await.0, 400);
    // A state Microsoft does not have.
    assert_eq!(post(guests_mfa("reportOnly")).await.0, 400);
}

#[tokio::test]
async fn security_defaults_and_conditional_access_exclude_each_other() {
    let (_sb, t) = tenant().await;
    let defaults = "policies/identitySecurityDefaultsEnforcementPolicy";
    let (_, d, _) = t.send(reqwest::Method::GET, defaults, None).await;
    assert_eq!(d["isEnabled"], false);
    assert_eq!(
        t.send(reqwest::Method::PATCH, defaults, Some(json!({"isEnabled": true})))
            .await
            .0,
        204
    );
    let (status, e, _) = t
        .send(
            reqwest::Method::POST,
            "identity/conditionalAccess/policies",
            Some(guests_mfa("enabledForReportingButNotEnforced")),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Security Defaults is enabled"),
        "{e}"
    );
    // A disabled policy may wait while security defaults are on.
    assert_eq!(
        t.send(
            reqwest::Method::POST,
            "identity/conditionalAccess/policies",
            Some(guests_mfa("disabled"))
        )
        .await
        .0,
        201
    );
}

#[tokio::test]
async fn named_locations_take_countries_and_public_ranges_only() {
    let (_sb, t) = tenant().await;
    let path = "identity/conditionalAccess/namedLocations";
    let countries = json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "UK and Ireland",
        "countriesAndRegions": ["GB", "IE"], "includeUnknownCountriesAndRegions": false});
    let (status, created, _) = t.send(reqwest::Method::POST, path, Some(countries)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["countryLookupMethod"], "clientIpAddress");
    let bad_country = json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "x", "countriesAndRegions": ["UK"]});
    assert_eq!(t.send(reqwest::Method::POST, path, Some(bad_country)).await.0, 400);
    let range = |cidr: &str| {
        json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "Office",
        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": cidr}]})
    };
    assert_eq!(
        t.send(reqwest::Method::POST, path, Some(range("203.0.113.0/24")))
            .await
            .0,
        201
    );
    for refused in ["10.1.0.0/16", "20.0.0.0/8", "203.0.113.0/33", "not-an-ip/24"] {
        let (status, e, _) = t.send(reqwest::Method::POST, path, Some(range(refused))).await;
        assert_eq!(status, 400, "{refused}: {e}");
    }
    let (_, list, _) = t.send(reqwest::Method::GET, path, None).await;
    assert_eq!(list["value"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn more_than_one_call_a_second_gets_a_bare_429() {
    let (_sb, t) = tenant().await;
    let url = format!("{}/v1.0/identity/conditionalAccess/policies", t.base);
    let first = t.http.get(&url).bearer_auth(&t.token).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let second = t.http.get(&url).bearer_auth(&t.token).send().await.unwrap();
    assert_eq!(second.status(), 429);
    assert!(
        second.headers().get("retry-after").is_none(),
        "Microsoft sends no Retry-After here"
    );
    tokio::time::sleep(SPACING).await;
    assert_eq!(
        t.http.get(&url).bearer_auth(&t.token).send().await.unwrap().status(),
        200
    );
}

/// Ana Souza, the seeded Fabrikam guest, and Megan Bowen, a member in the emergency-access group.
const ANA: &str = "2f0e1d2c-0000-4000-8000-000000000001";
const MEGAN: &str = "1a2b3c4d-0000-4000-8000-000000000001";
const EMERGENCY: &str = "7d1c0b5e-0000-4000-8000-000000000006";

fn what_if(user: &str, country: Option<&str>) -> Value {
    let mut conditions = json!({"clientAppType": "browser"});
    if let Some(c) = country {
        conditions["country"] = json!(c);
    }
    json!({
        "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": user},
        "signInContext": {"@odata.type": "#microsoft.graph.applicationContext",
                          "includeApplications": ["00000007-0000-0000-c000-000000000000"]},
        "signInConditions": conditions,
        "appliedPoliciesOnly": false
    })
}

#[tokio::test]
async fn what_if_evaluates_report_only_policies_and_says_why_others_do_not_apply() {
    let (_sb, t) = tenant().await;
    let mut mfa = guests_mfa("enabledForReportingButNotEnforced");
    mfa["conditions"]["users"]["excludeGroups"] = json!([EMERGENCY]);
    let (status, _, _) = t
        .send(reqwest::Method::POST, "identity/conditionalAccess/policies", Some(mfa))
        .await;
    assert_eq!(status, 201);
    let mut off = guests_mfa("disabled");
    off["displayName"] = json!("Old guest policy");
    t.send(reqwest::Method::POST, "identity/conditionalAccess/policies", Some(off))
        .await;
    // Everyone outside Great Britain is blocked.
    let (_, gb, _) = t
        .send(
            reqwest::Method::POST,
            "identity/conditionalAccess/namedLocations",
            Some(
                json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "UK",
                        "countriesAndRegions": ["GB"], "includeUnknownCountriesAndRegions": false}),
            ),
        )
        .await;
    let block = json!({"displayName": "Block outside the UK", "state": "enabledForReportingButNotEnforced",
        "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": [EMERGENCY]},
                       "applications": {"includeApplications": ["All"]},
                       "locations": {"includeLocations": ["All"], "excludeLocations": [gb["id"]]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}});
    t.send(
        reqwest::Method::POST,
        "identity/conditionalAccess/policies",
        Some(block),
    )
    .await;

    let evaluate = |user: &'static str, country: Option<&'static str>| {
        let t = &t;
        async move {
            let (status, body, _) = t
                .send(
                    reqwest::Method::POST,
                    "identity/conditionalAccess/evaluate",
                    Some(what_if(user, country)),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            assert!(body["@odata.context"]
                .as_str()
                .unwrap()
                .contains("whatIfAnalysisResult"));
            let by_name = |name: &str| {
                body["value"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["displayName"] == name)
                    .cloned()
                    .unwrap()
            };
            (
                by_name("Guests: require MFA"),
                by_name("Old guest policy"),
                by_name("Block outside the UK"),
            )
        }
    };
    let (mfa, off, block) = evaluate(ANA, Some("DE")).await;
    assert_eq!(
        (mfa["policyApplies"].clone(), mfa["analysisReasons"].clone()),
        (json!(true), json!("notSet"))
    );
    assert_eq!(mfa["state"], "enabledForReportingButNotEnforced");
    assert_eq!(off["analysisReasons"], "policyNotEnabled");
    assert_eq!(block["policyApplies"], true, "Germany is outside the UK");
    let (_, _, block) = evaluate(ANA, Some("GB")).await;
    assert_eq!(block["analysisReasons"], "location");
    let (_, _, block) = evaluate(ANA, None).await;
    assert_eq!(block["analysisReasons"], "notEnoughInformation", "no country given");
    let (mfa, _, block) = evaluate(MEGAN, Some("DE")).await;
    assert_eq!(
        mfa["analysisReasons"], "users",
        "a member is no guest, and she is excluded"
    );
    assert_eq!(
        block["analysisReasons"], "users",
        "the emergency-access group is left out"
    );

    // Only what applies, when asked; an unknown user is refused.
    let mut only = what_if(ANA, Some("GB"));
    only["appliedPoliciesOnly"] = json!(true);
    let (_, body, _) = t
        .send(reqwest::Method::POST, "identity/conditionalAccess/evaluate", Some(only))
        .await;
    assert_eq!(body["value"].as_array().unwrap().len(), 1, "{body}");
    let (status, _, _) = t
        .send(
            reqwest::Method::POST,
            "identity/conditionalAccess/evaluate",
            Some(what_if("00000000-0000-0000-0000-000000000000", None)),
        )
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_sign_in_log_records_report_only_results_behind_the_evolvable_enum() {
    let (sb, t) = tenant().await;
    let mut mfa = guests_mfa("enabledForReportingButNotEnforced");
    mfa["conditions"]["users"]["excludeGroups"] = json!([EMERGENCY]);
    let (_, policy, _) = t
        .send(reqwest::Method::POST, "identity/conditionalAccess/policies", Some(mfa))
        .await;
    let dataverse = "00000007-0000-0000-c000-000000000000";
    sb.record_sign_in(ANA, dataverse, "DE", "2026-11-20T09:00:00Z").unwrap();
    sb.record_sign_in(MEGAN, dataverse, "GB", "2026-11-21T09:00:00Z")
        .unwrap();
    sb.record_sign_in(ANA, dataverse, "DE", "2026-10-01T09:00:00Z").unwrap();

    let read = |path: &'static str, prefer: bool| {
        let t = &t;
        async move {
            let mut req = t.http.get(format!("{}/v1.0/{path}", t.base)).bearer_auth(&t.token);
            if prefer {
                req = req.header("Prefer", "include-unknown-enum-members");
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let retry = r.headers().get("retry-after").is_some();
            (status, r.json::<Value>().await.unwrap_or(Value::Null), retry)
        }
    };
    let (status, all, _) = read("auditLogs/signIns", false).await;
    assert_eq!(status, 200, "{all}");
    let entries = all["value"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["userId"], MEGAN, "newest first");
    let ana = &entries[1]["appliedConditionalAccessPolicies"][0];
    assert_eq!(ana["id"], policy["id"]);
    assert_eq!(
        ana["result"], "unknownFutureValue",
        "report-only results need the Prefer header"
    );

    let (_, opted, _) = read(
        "auditLogs/signIns?$filter=userId eq '2f0e1d2c-0000-4000-8000-000000000001' and createdDateTime ge 2026-11-01T00:00:00Z",
        true,
    )
    .await;
    let entries = opted["value"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{opted}");
    assert_eq!(
        entries[0]["appliedConditionalAccessPolicies"][0]["result"],
        "reportOnlyInterrupted"
    );
    assert_eq!(entries[0]["status"]["errorCode"], 0, "report-only enforces nothing");

    let (status, _, _) = read("auditLogs/signIns?$top=1001", false).await;
    assert_eq!(status, 400);
    // Five reads per ten seconds per app (one second here): the sixth waits, told how long.
    assert_eq!(read("auditLogs/signIns", false).await.0, 200);
    assert_eq!(read("auditLogs/signIns", false).await.0, 200);
    let (status, _, retry) = read("auditLogs/signIns", false).await;
    assert_eq!((status, retry), (429, true));
}
