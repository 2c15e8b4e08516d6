//! What a sign-in may do, per wizard step, before the admin starts (not as a failure
//! halfway), and the registration guide built from the same list of permissions.

use super::{AZURE_CLI, CLIENT_CERTIFICATE, CLIENT_SECRET};
use crate::action::ActionKind;
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_store::TenantProfile;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Whether the signed-in admin can run one wizard step, and what is missing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepPermission {
    pub step: String,
    pub ready: bool,
    /// Delegated permissions the app registration still needs (with admin consent).
    pub missing_permissions: Vec<String>,
    /// Entra roles that would let the admin do it, when they hold none of them.
    pub needs_one_of_roles: Vec<String>,
    /// How to get the missing permissions with this way of signing in (empty when ready).
    pub how_to_grant: String,
}

/// How missing permissions are granted, per way of signing in.
const GRANT_DELEGATED: &str = "Add it to your app registration as a delegated Microsoft Graph permission and grant admin consent, then sign in again.";
const GRANT_APPLICATION: &str =
    "Add it to the app registration as an application Microsoft Graph permission and grant admin consent.";
const GRANT_AZURE_CLI: &str = "The Azure CLI's own app does not carry it and it cannot be added there: for this step sign in with the browser and your own app registration.";

/// Each wizard step and the kinds of change it makes: it needs one permission of each kind's
/// list and an Entra role that may make every one of them.
const STEPS: &[(&str, &[ActionKind])] = &[
    (
        "Collaboration settings",
        &[
            ActionKind::UpdateAuthorizationPolicy,
            ActionKind::UpdateDomainList,
            ActionKind::UpdateCrossTenantDefault,
        ],
    ),
    ("Google sign-in", &[ActionKind::CreateGoogleFederation]),
    ("Invite", &[ActionKind::InviteGuest]),
    ("Profile", &[ActionKind::SetProfile]),
    ("Licence", &[ActionKind::AssignLicense]),
    ("Groups", &[ActionKind::AddToGroup]),
    ("Dataverse role", &[ActionKind::AssignDataverseRole]),
    ("Partner settings", &[ActionKind::SetPartnerSettings]),
    (
        "Guests: block, remove, restore",
        &[
            ActionKind::SetGuestSignIn,
            ActionKind::RemoveGuest,
            ActionKind::RestoreGuest,
        ],
    ),
    (
        "Protect guests",
        &[
            ActionKind::CreateGuestPolicy,
            ActionKind::SwitchGuestPolicy,
            ActionKind::CreateNamedLocation,
        ],
    ),
    ("Access reviews", &[ActionKind::CreateGuestReview]),
    (
        "Partner extranet",
        &[
            ActionKind::ConnectOrganization,
            ActionKind::AddOrganizationSponsor,
            ActionKind::CreateCatalog,
            ActionKind::AddCatalogResource,
            ActionKind::CreateAccessPackage,
            ActionKind::CreateAssignmentPolicy,
            ActionKind::SetExternalUserLifecycle,
        ],
    ),
    (
        "Off-board a partner",
        &[
            ActionKind::RemoveFromGroup,
            ActionKind::RemoveLicense,
            ActionKind::RemoveDataverseRole,
            ActionKind::RemovePackageAssignment,
            ActionKind::SetGuestSignIn,
            ActionKind::RemoveGuest,
        ],
    ),
];

/// A step's permission needs (one of each list) and the roles allowed to make all its changes.
fn step_needs(kinds: &[ActionKind]) -> (Vec<&'static [&'static str]>, Vec<&'static str>) {
    let needs = kinds
        .iter()
        .map(|k| k.permissions())
        .filter(|p| !p.is_empty())
        .collect();
    let roles = kinds[0]
        .roles()
        .iter()
        .copied()
        .filter(|r| kinds.iter().all(|k| k.roles().contains(r)))
        .collect();
    (needs, roles)
}

/// The delegated permissions to grant Guestpass's app registration (the least privileged of
/// each need, for the registration guide).
pub fn required_permissions() -> Vec<String> {
    let mut all: Vec<String> = STEPS
        .iter()
        .flat_map(|(_, kinds)| step_needs(kinds).0.into_iter().map(|one_of| one_of[0].to_string()))
        .collect();
    all.push("User.Read".into());
    // Reads only: finding a partner's tenant from its domain (Partners, the readiness card).
    all.push("CrossTenantInformation.ReadBasic.All".into());
    // Microsoft's Conditional Access writes want Policy.Read.All beside the write permission.
    all.push("Policy.Read.All".into());
    // Reads only: the sign-in log, for what report-only policies recorded (the pre-flight).
    all.push("AuditLog.Read.All".into());
    all.sort();
    all.dedup();
    all
}

/// Maps granted scopes and the admin's directory roles to each step.
pub fn step_permissions(scopes: &str, roles: &[String]) -> Vec<StepPermission> {
    let granted: Vec<&str> = scopes
        .split_whitespace()
        .map(|s| s.rsplit('/').next().unwrap_or(s))
        .collect();
    let has = |p: &str| granted.iter().any(|g| g.eq_ignore_ascii_case(p));
    STEPS
        .iter()
        .map(|(step, kinds)| {
            let (needs, allowed_roles) = step_needs(kinds);
            let missing_permissions: Vec<String> = needs
                .iter()
                .filter(|one_of| !one_of.iter().any(|p| has(p)))
                .map(|one_of| one_of[0].to_string())
                .collect();
            let has_role = allowed_roles
                .iter()
                .any(|r| roles.iter().any(|have| have.eq_ignore_ascii_case(r)));
            StepPermission {
                step: step.to_string(),
                how_to_grant: if missing_permissions.is_empty() {
                    String::new()
                } else {
                    GRANT_DELEGATED.into()
                },
                ready: missing_permissions.is_empty() && has_role,
                missing_permissions,
                needs_one_of_roles: if has_role {
                    vec![]
                } else {
                    allowed_roles.iter().map(|r| r.to_string()).collect()
                },
            }
        })
        .collect()
}

impl Engine {
    /// The signed-in admin's Entra roles (delegated sign-in only).
    pub async fn my_directory_roles(&self) -> Result<Vec<String>, Problem> {
        let url = self.graph.graph_url("v1.0/me/memberOf?$select=displayName");
        let objects: Vec<serde_json::Value> = self
            .graph
            .list_all(url, None)
            .await
            .map_err(|e| Problem::from_graph("Reading your admin roles", &e))?;
        Ok(objects
            .into_iter()
            .filter(|o| o["@odata.type"] == "#microsoft.graph.directoryRole")
            .filter_map(|o| o["displayName"].as_str().map(str::to_string))
            .collect())
    }

    /// Per wizard step, whether this sign-in can do it (before the admin starts, not halfway).
    /// App-only sign-ins are read from their token's application permissions; they hold no
    /// admin role (Entra checks only the app's permissions for these calls).
    pub async fn permission_report(&self, profile: &TenantProfile) -> Result<Vec<StepPermission>, Problem> {
        if matches!(profile.sign_in.as_str(), CLIENT_SECRET | CLIENT_CERTIFICATE) {
            let granted = self
                .graph
                .granted_permissions()
                .await
                .map_err(|e| Problem::from_graph("Reading the app's permissions", &e))?
                .unwrap_or_default();
            return Ok(app_step_permissions(&granted));
        }
        let roles = self.my_directory_roles().await?;
        let mut report = step_permissions(profile.scopes.as_deref().unwrap_or_default(), &roles);
        if profile.sign_in == AZURE_CLI {
            for step in report.iter_mut().filter(|s| !s.missing_permissions.is_empty()) {
                step.how_to_grant = GRANT_AZURE_CLI.into();
            }
        }
        Ok(report)
    }
}

/// [`step_permissions`] for an app-only sign-in: the same permission names as application
/// permissions, no admin role. The Dataverse step depends on the app being an application
/// user in the environment, which Graph cannot tell: it is left out.
pub fn app_step_permissions(granted: &str) -> Vec<StepPermission> {
    step_permissions(granted, &["Global Administrator".into()])
        .into_iter()
        .filter(|s| s.step != "Dataverse role")
        .map(|mut s| {
            if !s.missing_permissions.is_empty() {
                s.how_to_grant = GRANT_APPLICATION.into();
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_say_which_permission_or_role_is_missing() {
        let all = required_permissions().join(" ");
        let report = step_permissions(&all, &["Global Administrator".into()]);
        assert!(report.iter().all(|s| s.ready), "{report:?}");

        let report = step_permissions(
            "https://graph.microsoft.com/User.Invite.All User.Read",
            &["Guest Inviter".into()],
        );
        let invite = report.iter().find(|s| s.step == "Invite").unwrap();
        assert!(invite.ready);
        let licence = report.iter().find(|s| s.step == "Licence").unwrap();
        assert_eq!(licence.missing_permissions, ["LicenseAssignment.ReadWrite.All"]);
        assert!(licence
            .needs_one_of_roles
            .contains(&"License Administrator".to_string()));
    }

    #[test]
    fn a_broader_permission_covers_a_step_as_microsoft_documents() {
        // What an Azure CLI token for Graph typically carries.
        let az = "Application.ReadWrite.All AuditLog.Read.All Directory.AccessAsUser.All Group.ReadWrite.All User.Read.All User.ReadWrite.All";
        let report = step_permissions(az, &["Global Administrator".into()]);
        let ready = |step: &str| report.iter().find(|s| s.step == step).unwrap().ready;
        assert!(ready("Invite") && ready("Profile") && ready("Licence") && ready("Groups"));
        let settings = report.iter().find(|s| s.step == "Collaboration settings").unwrap();
        assert!(!settings.ready);
        assert_eq!(settings.missing_permissions.len(), 3, "{settings:?}");
        assert!(settings.how_to_grant.contains("delegated"), "{settings:?}");
        let app = app_step_permissions("User.Invite.All");
        let licence = app.iter().find(|s| s.step == "Licence").unwrap();
        assert!(licence.how_to_grant.contains("application"), "{licence:?}");
    }
}

/// What the admin needs to register Guestpass in their tenant (the app and README show it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RegistrationGuide {
    /// Delegated Microsoft Graph permissions to add (then grant admin consent).
    pub permissions: Vec<String>,
    /// The redirect URI to add under "Mobile and desktop applications".
    pub redirect_uri: String,
    /// The same, as Azure CLI commands to paste.
    pub az_commands: String,
}

pub fn registration_guide() -> RegistrationGuide {
    let permissions = required_permissions();
    let az_commands = format!(
        "app=$(az ad app create --display-name Guestpass --sign-in-audience AzureADMyOrg \\\n  --public-client-redirect-uris http://localhost --is-fallback-public-client true --query appId -o tsv)\n\
         graph=00000003-0000-0000-c000-000000000000\n\
         for p in {}; do\n  id=$(az ad sp show --id $graph --query \"oauth2PermissionScopes[?value=='$p'].id\" -o tsv)\n  az ad app permission add --id $app --api $graph --api-permissions $id=Scope\ndone\n\
         az ad app permission admin-consent --id $app\n\
         echo \"Client id for Guestpass: $app\"",
        permissions.join(" ")
    );
    RegistrationGuide {
        permissions,
        redirect_uri: "http://localhost".into(),
        az_commands,
    }
}

#[cfg(test)]
mod readme {
    /// The README's registration steps name exactly the permissions the app asks for.
    #[test]
    fn the_readme_lists_the_permissions_to_grant() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../README.md")).unwrap();
        let wanted = super::required_permissions();
        // The Azure CLI loop: `for p in A B \ C; do`.
        let start = readme.find("for p in ").expect("the az loop") + "for p in ".len();
        let end = start + readme[start..].find("; do").unwrap();
        let mut listed: Vec<String> = readme[start..end]
            .split_whitespace()
            .filter(|w| *w != "\\")
            .map(str::to_string)
            .collect();
        listed.sort();
        assert_eq!(listed, wanted, "README's az loop");
        // The portal steps: step 3 names each one in backticks.
        let step = &readme[readme.find("API permissions › Microsoft Graph › Delegated:").unwrap()..];
        let step = &step[..step.find("Grant admin consent").unwrap()];
        for p in &wanted {
            assert!(step.contains(&format!("`{p}`")), "README's step 3 lacks {p}");
        }
    }
}
