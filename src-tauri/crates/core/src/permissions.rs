//! Which Microsoft permission and admin role each change needs, so a refusal can say exactly
//! what to grant. Least-privileged choices, from Microsoft's Graph permissions reference.

/// (action, application/delegated permission, Entra admin role that can consent or act).
const NEEDS: &[(&str, &str, &str)] = &[
    ("invite_guest", "User.Invite.All", "Guest Inviter"),
    ("set_profile", "User.ReadWrite.All", "User Administrator"),
    (
        "assign_license",
        "LicenseAssignment.ReadWrite.All",
        "License Administrator",
    ),
    ("add_to_group", "GroupMember.ReadWrite.All", "Groups Administrator"),
    (
        "update_authorization_policy",
        "Policy.ReadWrite.Authorization",
        "Privileged Role Administrator",
    ),
    (
        "update_domain_list",
        "Policy.ReadWrite.B2BManagementPolicy",
        "Global Administrator",
    ),
    (
        "update_cross_tenant_default",
        "Policy.ReadWrite.CrossTenantAccess",
        "Security Administrator",
    ),
    (
        "create_google_federation",
        "IdentityProvider.ReadWrite.All",
        "External Identity Provider Administrator",
    ),
    (
        "assign_dataverse_role",
        "the environment's System Administrator role",
        "Power Platform Administrator",
    ),
];

/// What to grant when Microsoft says the caller may not do `action`.
pub fn hint_for(action: &str) -> Option<String> {
    NEEDS.iter().find(|(a, ..)| *a == action).map(|(_, permission, role)| {
        format!(
            "This needs the {permission} permission (granted to Guestpass's app registration with admin consent) and, when you sign in yourself, the {role} role or higher."
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_logged_action_has_a_hint() {
        for action in [
            "invite_guest",
            "set_profile",
            "assign_license",
            "add_to_group",
            "update_authorization_policy",
            "update_domain_list",
            "update_cross_tenant_default",
            "create_google_federation",
        ] {
            assert!(super::hint_for(action).is_some(), "{action}");
        }
    }
}
