//! A believable small company for the sandbox tenant to start with.

use crate::directory::Directory;
use crate::{TENANT_DOMAIN, TENANT_ID, TENANT_NAME};
use serde_json::json;

/// The company's own e-mail domain (reserved for examples, so no mail can go anywhere).
pub(crate) const COMPANY_DOMAIN: &str = "northwind.example";

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

pub(crate) fn seed(dir: &mut Directory) -> rusqlite::Result<()> {
    dir.transaction(|d| {
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
                    "createdDateTime": "2024-03-04T10:00:00Z"
                }),
                0,
            )?;
        }
        let guests = [
            ("Ana Souza", "ana.souza@fabrikam.example", "Accepted", "2f0e1d2c-0000-4000-8000-000000000001"),
            ("Li Wei", "li.wei@contoso-partners.example", "PendingAcceptance", "2f0e1d2c-0000-4000-8000-000000000002"),
        ];
        for (name, mail, state, id) in guests {
            d.insert_user(&crate::routes::new_guest_doc(id, mail, Some(name), state, "2025-09-18T14:30:00Z"), 0)?;
        }
        Ok(())
    })
}
