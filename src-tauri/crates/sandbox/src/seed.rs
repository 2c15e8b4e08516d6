//! A believable small company for the sandbox tenant to start with.

use crate::directory::Directory;
use crate::{TENANT_DOMAIN, TENANT_ID, TENANT_NAME};
use serde_json::json;

/// The company's own e-mail domain (reserved for examples, so no mail can go anywhere).
pub(crate) const COMPANY_DOMAIN: &str = "northwind.example";

/// (part number, SKU id, seats bought, seats used, applies to). Dynamics 365 Sales has no free seat.
pub(crate) const SKUS: &[(&str, &str, u32, u32, &str)] = &[
    (
        "O365_BUSINESS_ESSENTIALS",
        "3b555118-da6a-4418-894f-7df1e2096870",
        25,
        12,
        "User",
    ),
    (
        "DYN365_ENTERPRISE_SALES",
        "1e1a282c-9c54-43a2-9310-98ef728faace",
        10,
        10,
        "User",
    ),
    (
        "DYN365_ENTERPRISE_CUSTOMER_SERVICE",
        "749742bf-0d37-4158-a120-33567104deeb",
        5,
        3,
        "User",
    ),
    (
        "POWERAPPS_PER_USER",
        "b30411f5-fea1-4a59-9ad9-3db7c7ead579",
        5,
        2,
        "User",
    ),
    ("FLOW_FREE", "f30db892-07e9-47e9-837c-80727f46fd3d", 10000, 4, "User"),
    ("AAD_PREMIUM", "078d2b04-f1bd-4111-bbd4-b4b1b354cef4", 25, 12, "User"),
    // A few Entra ID P2 seats for the admins: access reviews and entitlement management.
    ("AAD_PREMIUM_P2", "84a661c4-e949-4bd2-a560-ed7766fcaf2b", 5, 2, "User"),
];

/// The service plans a SKU carries, where something reads them (Entra ID P1 gates sign-in activity).
fn service_plans(part: &str) -> serde_json::Value {
    match part {
        "AAD_PREMIUM" => json!([{"servicePlanId": "41781fb2-bc02-4b7c-bd55-b576c07bb09d",
            "servicePlanName": "AAD_PREMIUM", "provisioningStatus": "Success", "appliesTo": "User"}]),
        "AAD_PREMIUM_P2" => json!([{"servicePlanId": "eec0eb4f-6444-4f95-aba0-50c24d67f998",
            "servicePlanName": "AAD_PREMIUM_P2", "provisioningStatus": "Success", "appliesTo": "User"}]),
        _ => json!([]),
    }
}

/// (id, name, description, mail enabled, security enabled, Microsoft 365 group).
const GROUPS: &[(&str, &str, &str, bool, bool, bool)] = &[
    (
        "7d1c0b5e-0000-4000-8000-000000000001",
        "Dynamics 365 Sales - environment access",
        "Security group that controls who can sign in to the Northwind Sales environment.",
        false,
        true,
        false,
    ),
    (
        "7d1c0b5e-0000-4000-8000-000000000002",
        "Dynamics 365 Service - environment access",
        "Security group for the Customer Service environment.",
        false,
        true,
        false,
    ),
    (
        "7d1c0b5e-0000-4000-8000-000000000003",
        "Partner portal users",
        "External partners who use the partner Power App.",
        false,
        true,
        false,
    ),
    (
        "7d1c0b5e-0000-4000-8000-000000000004",
        "Power Platform makers",
        "People allowed to build apps and flows.",
        false,
        true,
        false,
    ),
    (
        "7d1c0b5e-0000-4000-8000-000000000005",
        "All Company",
        "Everyone at Northwind Traders.",
        true,
        false,
        true,
    ),
    (
        EMERGENCY_GROUP,
        "Emergency access accounts",
        "Break-glass accounts kept out of Conditional Access policies.",
        false,
        true,
        false,
    ),
];

/// The break-glass group Conditional Access policies exclude; its members are the two admins.
const EMERGENCY_GROUP: &str = "7d1c0b5e-0000-4000-8000-000000000006";
const EMERGENCY_MEMBERS: &[&str] = &[
    "1a2b3c4d-0000-4000-8000-000000000001",
    "1a2b3c4d-0000-4000-8000-000000000002",
];

const MEMBERS: &[(&str, &str, &str, &str)] = &[
    ("Megan", "Bowen", "megan.bowen", "Global Administrator"),
    ("Alex", "Wilber", "alex.wilber", "IT Manager"),
    ("Diego", "Siciliani", "diego.siciliani", "Sales Director"),
    ("Isaiah", "Langer", "isaiah.langer", "Sales Representative"),
    ("Lee", "Gu", "lee.gu", "Operations Lead"),
    ("Lidia", "Holloway", "lidia.holloway", "Product Manager"),
    ("Nestor", "Wilke", "nestor.wilke", "Finance Controller"),
    ("Patti", "Fernandez", "patti.fernandez", "Chief Executive"),
    ("Pradeep", "Gupta", "pradeep.gupta", "Dynamics 365 Administrator"),
    ("Johanna", "Lorenz", "johanna.lorenz", "Customer Service Lead"),
    ("Grady", "Archie", "grady.archie", "Designer"),
    ("Adele", "Vance", "adele.vance", "Legal Counsel"),
];

/// Fills in whatever part of the company is missing, so a sandbox file made by an older
/// Guestpass gains what newer steps need. Parts already there are left alone.
pub(crate) fn seed(dir: &mut Directory) -> rusqlite::Result<()> {
    dir.transaction(|d| {
        if d.document("organization")?.is_none() {
            seed_people(d)?;
        }
        if d.document("b2bManagementPolicies")?.is_none() {
            d.put_document("b2bManagementPolicies", &json!([crate::routes::default_b2b_policy()]))?;
        }
        if d.document("subscribedSkus")?.is_none() {
            seed_licences(d)?;
        }
        seed_groups(d)?;
        Ok(())
    })
}

/// Patti Fernandez, the eighth member.
const CEO_ID: &str = "1a2b3c4d-0000-4000-8000-000000000008";

fn seed_people(d: &Directory) -> rusqlite::Result<()> {
    d.put_document(
            "organization",
            &json!({
                "id": TENANT_ID,
                "displayName": TENANT_NAME,
                "tenantType": "AAD",
                "countryLetterCode": "GB",
                "preferredLanguage": "en-GB",
                "createdDateTime": "2024-03-04T09:12:44Z",
                "verifiedDomains": [
                    {"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": false, "isInitial": true, "name": TENANT_DOMAIN, "type": "Managed"},
                    {"capabilities": "Email, OfficeCommunicationsOnline", "isDefault": true, "isInitial": false, "name": COMPANY_DOMAIN, "type": "Managed"}
                ]
            }),
        )?;
    d.put_document(
        "authorizationPolicy",
        &json!({
            "id": "authorizationPolicy",
            "allowInvitesFrom": "adminsAndGuestInviters",
            "allowedToSignUpEmailBasedSubscriptions": true,
            "allowedToUseSSPR": true,
            "allowEmailVerifiedUsersToJoinOrganization": false,
            "allowUserConsentForRiskyApps": null,
            "blockMsolPowerShell": false,
            "displayName": "Authorization Policy",
            "description": "Used to manage authorization related settings across the company.",
            "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3",
            "defaultUserRolePermissions": {
                "allowedToCreateApps": false,
                "allowedToCreateSecurityGroups": true,
                "allowedToCreateTenants": true,
                "allowedToReadBitlockerKeysForOwnedDevice": true,
                "allowedToReadOtherUsers": true,
                "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"]
            }
        }),
    )?;
    for (i, (given, sur, alias, title)) in MEMBERS.iter().enumerate() {
        let mail = format!("{alias}@{COMPANY_DOMAIN}");
        d.insert_user(
            &json!({
                "id": format!("1a2b3c4d-0000-4000-8000-{:012}", i + 1),
                "displayName": format!("{given} {sur}"),
                "givenName": given,
                "surname": sur,
                "jobTitle": title,
                "mail": mail,
                "userPrincipalName": mail,
                "userType": "Member",
                "externalUserState": null,
                "otherMails": [],
                "proxyAddresses": [format!("SMTP:{mail}")],
                "accountEnabled": true,
                "usageLocation": "GB",
                "creationType": null,
                "createdDateTime": "2024-03-04T10:00:00Z",
                // Everyone reports to the chief executive (Patti), who reports to no one.
                (crate::routes::MANAGER): if *alias == "patti.fernandez" { json!(null) } else { json!(CEO_ID) }
            }),
            0,
        )?;
    }
    let guests = [
        (
            "Ana Souza",
            "ana.souza@fabrikam.example",
            "Accepted",
            "2f0e1d2c-0000-4000-8000-000000000001",
        ),
        (
            "Li Wei",
            "li.wei@contoso-partners.example",
            "PendingAcceptance",
            "2f0e1d2c-0000-4000-8000-000000000002",
        ),
    ];
    for (name, mail, state, id) in guests {
        let mut doc = crate::routes::new_guest_doc(id, mail, Some(name), state, "2025-09-18T14:30:00Z");
        if state == "Accepted" {
            // Ana last signed in months ago: the Guests list calls her stale.
            doc["signInActivity"] = serde_json::json!({
                "lastSignInDateTime": "2026-02-03T10:15:00Z",
                "lastNonInteractiveSignInDateTime": "2026-02-10T08:00:00Z",
                "lastSuccessfulSignInDateTime": "2026-02-03T10:15:00Z"
            });
        }
        d.insert_user(&doc, 0)?;
    }
    Ok(())
}

fn seed_licences(d: &Directory) -> rusqlite::Result<()> {
    d.put_document(
        "subscribedSkus",
        &json!(SKUS
            .iter()
            .map(|(part, id, enabled, consumed, applies)| json!({
                "accountId": TENANT_ID,
                "accountName": "Northwind Traders",
                "appliesTo": applies,
                "capabilityStatus": "Enabled",
                "consumedUnits": consumed,
                "id": format!("{TENANT_ID}_{id}"),
                "skuId": id,
                "skuPartNumber": part,
                "subscriptionIds": [uuid::Uuid::new_v4().to_string()],
                "prepaidUnits": {"enabled": enabled, "suspended": 0, "warning": 0, "lockedOut": 0},
                "servicePlans": service_plans(part)
            }))
            .collect::<Vec<_>>()),
    )?;
    Ok(())
}

/// Adds the groups a sandbox does not have yet (an older sandbox gains the newer ones).
fn seed_groups(d: &Directory) -> rusqlite::Result<()> {
    for (id, name, description, mail_enabled, security_enabled, unified) in GROUPS {
        if d.group(id)?.is_some() {
            continue;
        }
        d.insert_group(&json!({
            "id": id,
            "displayName": name,
            "description": description,
            "mailEnabled": mail_enabled,
            "securityEnabled": security_enabled,
            "groupTypes": if *unified { json!(["Unified"]) } else { json!([]) },
            "mailNickname": name.to_lowercase().replace(|c: char| !c.is_alphanumeric(), ""),
            "createdDateTime": "2024-03-05T08:00:00Z",
            "visibility": if *unified { json!("Private") } else { json!(null) }
        }))?;
        if *id == EMERGENCY_GROUP {
            for member in EMERGENCY_MEMBERS {
                d.add_member(id, member)?;
            }
        }
    }
    Ok(())
}
