//! The kinds of change Guestpass makes to a tenant. Everything that names an action — the
//! change log, undo, the permission hint after a refusal, History's labels and filter, the
//! activity chart — keys off [`ActionKind`]; its stored name is its `snake_case` form.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// The collaboration settings as a whole (recorded only when nothing differed).
    UpdateSettings,
    UpdateAuthorizationPolicy,
    UpdateDomainList,
    UpdateCrossTenantDefault,
    CreateGoogleFederation,
    InviteGuest,
    ResendInvitation,
    SetProfile,
    AssignLicense,
    AddToGroup,
    AssignDataverseRole,
    SetPartnerSettings,
    CreateGuestPolicy,
    SwitchGuestPolicy,
    CreateNamedLocation,
    SetGuestMakers,
    SetGuestSignIn,
    RemoveGuest,
    RestoreGuest,
    AddSponsor,
    CreateGuestReview,
    RemoveFromGroup,
    RemoveLicense,
    RemoveDataverseRole,
    RemovePackageAssignment,
    ConnectOrganization,
    AddOrganizationSponsor,
    CreateCatalog,
    AddCatalogResource,
    CreateAccessPackage,
    CreateAssignmentPolicy,
    SetExternalUserLifecycle,
}

/// What a change-log row's action names: a change, or the undo of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logged {
    Did(ActionKind),
    Undid(ActionKind),
}

impl ActionKind {
    pub const ALL: [ActionKind; 32] = [
        ActionKind::InviteGuest,
        ActionKind::ResendInvitation,
        ActionKind::SetProfile,
        ActionKind::AssignLicense,
        ActionKind::AddToGroup,
        ActionKind::AssignDataverseRole,
        ActionKind::UpdateSettings,
        ActionKind::UpdateAuthorizationPolicy,
        ActionKind::UpdateDomainList,
        ActionKind::UpdateCrossTenantDefault,
        ActionKind::CreateGoogleFederation,
        ActionKind::SetPartnerSettings,
        ActionKind::CreateGuestPolicy,
        ActionKind::SwitchGuestPolicy,
        ActionKind::CreateNamedLocation,
        ActionKind::SetGuestMakers,
        ActionKind::SetGuestSignIn,
        ActionKind::RemoveGuest,
        ActionKind::RestoreGuest,
        ActionKind::AddSponsor,
        ActionKind::CreateGuestReview,
        ActionKind::RemoveFromGroup,
        ActionKind::RemoveLicense,
        ActionKind::RemoveDataverseRole,
        ActionKind::RemovePackageAssignment,
        ActionKind::ConnectOrganization,
        ActionKind::AddOrganizationSponsor,
        ActionKind::CreateCatalog,
        ActionKind::AddCatalogResource,
        ActionKind::CreateAccessPackage,
        ActionKind::CreateAssignmentPolicy,
        ActionKind::SetExternalUserLifecycle,
    ];

    /// The name stored in the change log.
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::UpdateSettings => "update_settings",
            ActionKind::UpdateAuthorizationPolicy => "update_authorization_policy",
            ActionKind::UpdateDomainList => "update_domain_list",
            ActionKind::UpdateCrossTenantDefault => "update_cross_tenant_default",
            ActionKind::CreateGoogleFederation => "create_google_federation",
            ActionKind::InviteGuest => "invite_guest",
            ActionKind::ResendInvitation => "resend_invitation",
            ActionKind::SetProfile => "set_profile",
            ActionKind::AssignLicense => "assign_license",
            ActionKind::AddToGroup => "add_to_group",
            ActionKind::AssignDataverseRole => "assign_dataverse_role",
            ActionKind::SetPartnerSettings => "set_partner_settings",
            ActionKind::CreateGuestPolicy => "create_guest_policy",
            ActionKind::SwitchGuestPolicy => "switch_guest_policy",
            ActionKind::CreateNamedLocation => "create_named_location",
            ActionKind::SetGuestMakers => "set_guest_makers",
            ActionKind::SetGuestSignIn => "set_guest_sign_in",
            ActionKind::RemoveGuest => "remove_guest",
            ActionKind::RestoreGuest => "restore_guest",
            ActionKind::AddSponsor => "add_sponsor",
            ActionKind::CreateGuestReview => "create_guest_review",
            ActionKind::RemoveFromGroup => "remove_from_group",
            ActionKind::RemoveLicense => "remove_license",
            ActionKind::RemoveDataverseRole => "remove_dataverse_role",
            ActionKind::RemovePackageAssignment => "remove_package_assignment",
            ActionKind::ConnectOrganization => "connect_organization",
            ActionKind::AddOrganizationSponsor => "add_organization_sponsor",
            ActionKind::CreateCatalog => "create_catalog",
            ActionKind::AddCatalogResource => "add_catalog_resource",
            ActionKind::CreateAccessPackage => "create_access_package",
            ActionKind::CreateAssignmentPolicy => "create_assignment_policy",
            ActionKind::SetExternalUserLifecycle => "set_external_user_lifecycle",
        }
    }

    /// The name of a row that undid this kind of change.
    pub fn undo_name(self) -> &'static str {
        match self {
            ActionKind::UpdateSettings => "undo_update_settings",
            ActionKind::UpdateAuthorizationPolicy => "undo_update_authorization_policy",
            ActionKind::UpdateDomainList => "undo_update_domain_list",
            ActionKind::UpdateCrossTenantDefault => "undo_update_cross_tenant_default",
            ActionKind::CreateGoogleFederation => "undo_create_google_federation",
            ActionKind::InviteGuest => "undo_invite_guest",
            ActionKind::ResendInvitation => "undo_resend_invitation",
            ActionKind::SetProfile => "undo_set_profile",
            ActionKind::AssignLicense => "undo_assign_license",
            ActionKind::AddToGroup => "undo_add_to_group",
            ActionKind::AssignDataverseRole => "undo_assign_dataverse_role",
            ActionKind::SetPartnerSettings => "undo_set_partner_settings",
            ActionKind::CreateGuestPolicy => "undo_create_guest_policy",
            ActionKind::SwitchGuestPolicy => "undo_switch_guest_policy",
            ActionKind::CreateNamedLocation => "undo_create_named_location",
            ActionKind::SetGuestMakers => "undo_set_guest_makers",
            ActionKind::SetGuestSignIn => "undo_set_guest_sign_in",
            ActionKind::RemoveGuest => "undo_remove_guest",
            ActionKind::RestoreGuest => "undo_restore_guest",
            ActionKind::AddSponsor => "undo_add_sponsor",
            ActionKind::CreateGuestReview => "undo_create_guest_review",
            ActionKind::RemoveFromGroup => "undo_remove_from_group",
            ActionKind::RemoveLicense => "undo_remove_license",
            ActionKind::RemoveDataverseRole => "undo_remove_dataverse_role",
            ActionKind::RemovePackageAssignment => "undo_remove_package_assignment",
            ActionKind::ConnectOrganization => "undo_connect_organization",
            ActionKind::AddOrganizationSponsor => "undo_add_organization_sponsor",
            ActionKind::CreateCatalog => "undo_create_catalog",
            ActionKind::AddCatalogResource => "undo_add_catalog_resource",
            ActionKind::CreateAccessPackage => "undo_create_access_package",
            ActionKind::CreateAssignmentPolicy => "undo_create_assignment_policy",
            ActionKind::SetExternalUserLifecycle => "undo_set_external_user_lifecycle",
        }
    }

    pub fn from_name(name: &str) -> Option<ActionKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// How History names it.
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::UpdateSettings => "Collaboration settings",
            ActionKind::UpdateAuthorizationPolicy => "Who can invite / guest access",
            ActionKind::UpdateDomainList => "Domain allow/block list",
            ActionKind::UpdateCrossTenantDefault => "Cross-tenant default",
            ActionKind::CreateGoogleFederation => "Google federation",
            ActionKind::InviteGuest => "Invite guest",
            ActionKind::ResendInvitation => "Resend invitation",
            ActionKind::SetProfile => "Set profile",
            ActionKind::AssignLicense => "Assign licence",
            ActionKind::AddToGroup => "Add to group",
            ActionKind::AssignDataverseRole => "Give Dataverse role",
            ActionKind::SetPartnerSettings => "Partner settings",
            ActionKind::CreateGuestPolicy => "Guest protection policy",
            ActionKind::SwitchGuestPolicy => "Switch guest policy",
            ActionKind::CreateNamedLocation => "Named location",
            ActionKind::SetGuestMakers => "Guest makers (Power Apps)",
            ActionKind::SetGuestSignIn => "Block or unblock sign-in",
            ActionKind::RemoveGuest => "Remove guest",
            ActionKind::RestoreGuest => "Restore guest",
            ActionKind::AddSponsor => "Add sponsor",
            ActionKind::CreateGuestReview => "Guest access review",
            ActionKind::RemoveFromGroup => "Remove from group",
            ActionKind::RemoveLicense => "Remove licence",
            ActionKind::RemoveDataverseRole => "Remove Dataverse role",
            ActionKind::RemovePackageAssignment => "Remove access package",
            ActionKind::ConnectOrganization => "Connect partner organisation",
            ActionKind::AddOrganizationSponsor => "Partner sponsor",
            ActionKind::CreateCatalog => "Catalog",
            ActionKind::AddCatalogResource => "Group in catalog",
            ActionKind::CreateAccessPackage => "Access package (extranet)",
            ActionKind::CreateAssignmentPolicy => "Access package policy",
            ActionKind::SetExternalUserLifecycle => "External users at the end",
        }
    }

    /// The short step name outcomes carry (`profile`, `license`…), as the CLI prints them.
    pub fn step(self) -> &'static str {
        match self {
            ActionKind::UpdateSettings
            | ActionKind::UpdateAuthorizationPolicy
            | ActionKind::UpdateDomainList
            | ActionKind::UpdateCrossTenantDefault => "settings",
            ActionKind::CreateGoogleFederation => "google",
            ActionKind::InviteGuest => "invite",
            ActionKind::ResendInvitation => "resend",
            ActionKind::SetProfile => "profile",
            ActionKind::AssignLicense | ActionKind::RemoveLicense => "license",
            ActionKind::AddToGroup | ActionKind::RemoveFromGroup => "group",
            ActionKind::AssignDataverseRole | ActionKind::RemoveDataverseRole => "role",
            ActionKind::SetPartnerSettings => "partner",
            ActionKind::CreateGuestPolicy | ActionKind::SwitchGuestPolicy | ActionKind::CreateNamedLocation => {
                "protect"
            }
            ActionKind::SetGuestMakers => "makers",
            ActionKind::SetGuestSignIn => "sign-in",
            ActionKind::RemoveGuest | ActionKind::RestoreGuest => "remove",
            ActionKind::AddSponsor => "sponsor",
            ActionKind::CreateGuestReview => "review",
            ActionKind::RemovePackageAssignment => "package",
            ActionKind::ConnectOrganization
            | ActionKind::AddOrganizationSponsor
            | ActionKind::CreateCatalog
            | ActionKind::AddCatalogResource
            | ActionKind::CreateAccessPackage
            | ActionKind::CreateAssignmentPolicy
            | ActionKind::SetExternalUserLifecycle => "extranet",
        }
    }

    /// Whether History can undo it (the undo still reads the tenant and refuses what changed since).
    pub fn reversible(self) -> bool {
        // Giving an access package back needs its policy's approval again: not an undo.
        !matches!(
            self,
            ActionKind::UpdateSettings | ActionKind::ResendInvitation | ActionKind::RemovePackageAssignment
        )
    }

    /// The Graph permissions (delegated or application) any one of which allows it, the least
    /// privileged first, as Microsoft's Graph permissions reference lists them for its calls.
    /// Empty for Dataverse and the Power Platform admin API, which grant by their own roles.
    pub fn permissions(self) -> &'static [&'static str] {
        match self {
            ActionKind::InviteGuest | ActionKind::ResendInvitation => {
                &["User.Invite.All", "User.ReadWrite.All", "Directory.ReadWrite.All"]
            }
            ActionKind::SetProfile | ActionKind::SetGuestSignIn | ActionKind::AddSponsor => {
                &["User.ReadWrite.All", "Directory.ReadWrite.All"]
            }
            ActionKind::RemoveGuest | ActionKind::RestoreGuest => &[
                "User.DeleteRestore.All",
                "User.ReadWrite.All",
                "Directory.ReadWrite.All",
            ],
            ActionKind::AssignLicense | ActionKind::RemoveLicense => &[
                "LicenseAssignment.ReadWrite.All",
                "User.ReadWrite.All",
                "Directory.ReadWrite.All",
            ],
            ActionKind::AddToGroup | ActionKind::RemoveFromGroup => &[
                "GroupMember.ReadWrite.All",
                "Group.ReadWrite.All",
                "Directory.ReadWrite.All",
            ],
            ActionKind::UpdateAuthorizationPolicy | ActionKind::UpdateSettings => &["Policy.ReadWrite.Authorization"],
            ActionKind::UpdateDomainList => &["Policy.ReadWrite.B2BManagementPolicy"],
            ActionKind::UpdateCrossTenantDefault | ActionKind::SetPartnerSettings => {
                &["Policy.ReadWrite.CrossTenantAccess"]
            }
            ActionKind::CreateGoogleFederation => &["IdentityProvider.ReadWrite.All"],
            // Dataverse and the Power Platform admin API grant by their own roles.
            ActionKind::AssignDataverseRole | ActionKind::RemoveDataverseRole | ActionKind::SetGuestMakers => &[],
            ActionKind::CreateGuestPolicy | ActionKind::SwitchGuestPolicy | ActionKind::CreateNamedLocation => {
                &["Policy.ReadWrite.ConditionalAccess"]
            }
            ActionKind::CreateGuestReview => &["AccessReview.ReadWrite.All"],
            ActionKind::RemovePackageAssignment
            | ActionKind::ConnectOrganization
            | ActionKind::AddOrganizationSponsor
            | ActionKind::CreateCatalog
            | ActionKind::AddCatalogResource
            | ActionKind::CreateAccessPackage
            | ActionKind::CreateAssignmentPolicy
            | ActionKind::SetExternalUserLifecycle => &["EntitlementManagement.ReadWrite.All"],
        }
    }

    /// The Entra admin roles that may do it when an admin signs in, the least privileged first.
    pub fn roles(self) -> &'static [&'static str] {
        const GA: &str = "Global Administrator";
        match self {
            ActionKind::InviteGuest | ActionKind::ResendInvitation => &["Guest Inviter", "User Administrator", GA],
            ActionKind::SetProfile
            | ActionKind::SetGuestSignIn
            | ActionKind::RemoveGuest
            | ActionKind::RestoreGuest
            | ActionKind::AddSponsor => &["User Administrator", GA],
            ActionKind::AssignLicense | ActionKind::RemoveLicense => {
                &["License Administrator", "User Administrator", GA]
            }
            ActionKind::AddToGroup | ActionKind::RemoveFromGroup => &["Groups Administrator", "User Administrator", GA],
            ActionKind::UpdateAuthorizationPolicy | ActionKind::UpdateSettings => {
                &["Privileged Role Administrator", GA]
            }
            ActionKind::UpdateDomainList => &[GA],
            ActionKind::UpdateCrossTenantDefault | ActionKind::SetPartnerSettings => &["Security Administrator", GA],
            ActionKind::CreateGoogleFederation => &["External Identity Provider Administrator", GA],
            ActionKind::AssignDataverseRole | ActionKind::RemoveDataverseRole => {
                &["Power Platform Administrator", "Dynamics 365 Administrator", GA]
            }
            ActionKind::SetGuestMakers => &["Power Platform Administrator", GA],
            ActionKind::CreateGuestPolicy | ActionKind::SwitchGuestPolicy | ActionKind::CreateNamedLocation => {
                &["Conditional Access Administrator", "Security Administrator", GA]
            }
            ActionKind::CreateGuestReview => &["Identity Governance Administrator", "User Administrator", GA],
            ActionKind::RemovePackageAssignment
            | ActionKind::ConnectOrganization
            | ActionKind::AddOrganizationSponsor
            | ActionKind::CreateCatalog
            | ActionKind::AddCatalogResource
            | ActionKind::CreateAccessPackage
            | ActionKind::CreateAssignmentPolicy
            | ActionKind::SetExternalUserLifecycle => &["Identity Governance Administrator", GA],
        }
    }

    /// What to grant when Microsoft says the caller may not do this.
    pub fn permission_hint(self) -> String {
        let permission = self.permissions().first().copied().unwrap_or(match self {
            ActionKind::SetGuestMakers => "Power Platform Administrator role",
            _ => "the environment's System Administrator role",
        });
        let role = self.roles()[0];
        let also = match self {
            ActionKind::AddCatalogResource => " When Guestpass signs in as an app, adding a group to a catalog also needs Group.ReadWrite.All; when you sign in, you must own the group or be a Groups Administrator.",
            _ => "",
        };
        format!(
            "This needs the {permission} permission (granted to Guestpass's app registration with admin consent) and, when you sign in yourself, the {role} role or higher.{also}"
        )
    }
}

impl Logged {
    /// A change of this kind, or (with the row it undoes) its undo.
    pub fn of(kind: ActionKind, undoes: Option<i64>) -> Logged {
        match undoes {
            Some(_) => Logged::Undid(kind),
            None => Logged::Did(kind),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Logged::Did(k) => k.name(),
            Logged::Undid(k) => k.undo_name(),
        }
    }

    /// The step name its outcome carries: the kind's, or `undo`.
    pub fn step(self) -> &'static str {
        match self {
            Logged::Did(k) => k.step(),
            Logged::Undid(_) => "undo",
        }
    }

    pub fn kind(self) -> ActionKind {
        match self {
            Logged::Did(k) | Logged::Undid(k) => k,
        }
    }

    /// Reads a change-log row's action name.
    pub fn parse(name: &str) -> Option<Logged> {
        match name.strip_prefix("undo_") {
            Some(rest) => ActionKind::from_name(rest).map(Logged::Undid),
            None => ActionKind::from_name(name).map(Logged::Did),
        }
    }

    pub fn label(self) -> String {
        match self {
            Logged::Did(k) => k.label().to_string(),
            Logged::Undid(k) => format!("Undo: {}", k.label()),
        }
    }
}

/// History's labels and undo buttons, written into the UI's generated types (so the UI
/// never spells an action's name itself).
pub fn typescript_table() -> String {
    let mut out = String::from(
        "/** Every action name the change log holds, with History's label and whether it can be undone. */\nexport const ACTIONS: Record<string, { label: string; undoable: boolean }> = {\n",
    );
    for kind in ActionKind::ALL {
        for (logged, undoable) in [(Logged::Did(kind), kind.reversible()), (Logged::Undid(kind), false)] {
            if matches!(logged, Logged::Undid(_)) && !kind.reversible() {
                continue;
            }
            out.push_str(&format!(
                "  {}: {{ label: {:?}, undoable: {undoable} }},\n",
                logged.name(),
                logged.label()
            ));
        }
    }
    out.push_str("};");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_match_serde() {
        for kind in ActionKind::ALL {
            assert_eq!(ActionKind::from_name(kind.name()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.name());
            assert_eq!(Logged::parse(kind.undo_name()), Some(Logged::Undid(kind)));
            assert_eq!(Logged::parse(kind.name()), Some(Logged::Did(kind)));
        }
        assert_eq!(Logged::parse("something_else"), None);
    }

    #[test]
    fn every_action_names_what_to_grant() {
        for kind in ActionKind::ALL {
            assert!(kind.permission_hint().contains("permission"), "{kind:?}");
        }
    }
}
