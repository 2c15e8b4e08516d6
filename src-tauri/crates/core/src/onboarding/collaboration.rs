//! External collaboration settings: who may invite, what guests may see, which domains may be
//! invited, and the cross-tenant default (inbound B2B collaboration, trust of the guest's MFA).
//! Read -> preview the differences -> apply only what differs -> read back -> log.

use crate::engine::Engine;
use crate::problem::{FieldError, Problem};
use crate::validate;
use guestpass_graph::models::B2bManagementPolicy;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

/// Who in the tenant may invite guests (`allowInvitesFrom`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum InviteAuthority {
    None,
    AdminsAndGuestInviters,
    AdminsGuestInvitersAndAllMembers,
    Everyone,
}

impl InviteAuthority {
    pub const ALL: [InviteAuthority; 4] = [
        InviteAuthority::None,
        InviteAuthority::AdminsAndGuestInviters,
        InviteAuthority::AdminsGuestInvitersAndAllMembers,
        InviteAuthority::Everyone,
    ];

    pub fn graph_value(self) -> &'static str {
        match self {
            InviteAuthority::None => "none",
            InviteAuthority::AdminsAndGuestInviters => "adminsAndGuestInviters",
            InviteAuthority::AdminsGuestInvitersAndAllMembers => "adminsGuestInvitersAndAllMembers",
            InviteAuthority::Everyone => "everyone",
        }
    }

    pub fn from_graph(v: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.graph_value().eq_ignore_ascii_case(v))
    }

    pub fn label(self) -> &'static str {
        match self {
            InviteAuthority::None => "Nobody, not even admins",
            InviteAuthority::AdminsAndGuestInviters => "Admins and users with the Guest Inviter role",
            InviteAuthority::AdminsGuestInvitersAndAllMembers => "Admins, Guest Inviters and all members",
            InviteAuthority::Everyone => "Everyone, guests included",
        }
    }
}

/// What guests can see in the directory (`guestUserRoleId`), as the Entra portal names the levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum GuestAccess {
    SameAsMembers,
    Limited,
    MostRestrictive,
}

impl GuestAccess {
    pub const ALL: [GuestAccess; 3] = [
        GuestAccess::SameAsMembers,
        GuestAccess::Limited,
        GuestAccess::MostRestrictive,
    ];

    pub fn role_id(self) -> &'static str {
        match self {
            GuestAccess::SameAsMembers => "a0b1b346-4d3e-4e8b-98f8-753987be4970",
            GuestAccess::Limited => "10dae51f-b6af-4016-8d66-8c2a99b929b3",
            GuestAccess::MostRestrictive => "2af84b1e-32c8-42b7-82bc-daa82404023b",
        }
    }

    pub fn from_role_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.role_id().eq_ignore_ascii_case(id))
    }

    pub fn label(self) -> &'static str {
        match self {
            GuestAccess::SameAsMembers => {
                "Same access as members (most inclusive; needed for guest makers in Power Apps)"
            }
            GuestAccess::Limited => "Limited access to directory objects (the default)",
            GuestAccess::MostRestrictive => "Only their own directory objects (most restrictive)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum DomainMode {
    /// Invitations to any domain (an empty block list).
    AnyDomain,
    /// Only the listed domains.
    AllowOnly,
    /// Every domain but the listed ones.
    BlockListed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DomainList {
    pub mode: DomainMode,
    pub domains: Vec<String>,
}

impl DomainList {
    /// Whether an invitation to `domain` is allowed.
    pub fn permits(&self, domain: &str) -> bool {
        let listed = self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain));
        match self.mode {
            DomainMode::AnyDomain => true,
            DomainMode::AllowOnly => listed,
            DomainMode::BlockListed => !listed,
        }
    }
}

/// The tenant's external collaboration settings, as Guestpass shows and edits them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSettings {
    pub invites_from: InviteAuthority,
    pub guest_access: GuestAccess,
    pub domains: DomainList,
    /// Cross-tenant default: inbound B2B collaboration allowed for all users and apps.
    pub inbound_b2b_allowed: bool,
    /// Cross-tenant default: accept MFA done in the guest's home tenant.
    pub trust_home_mfa: bool,
}

/// What to change; fields left empty stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsRequest {
    pub invites_from: Option<InviteAuthority>,
    pub guest_access: Option<GuestAccess>,
    pub domains: Option<DomainList>,
    pub inbound_b2b_allowed: Option<bool>,
    pub trust_home_mfa: Option<bool>,
}

/// One line of the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingChange {
    pub setting: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsPlan {
    pub current: ExternalSettings,
    pub desired: ExternalSettings,
    pub changes: Vec<SettingChange>,
}

pub(crate) fn describe_domains(d: &DomainList) -> String {
    match d.mode {
        DomainMode::AnyDomain => "any domain".into(),
        DomainMode::AllowOnly => format!("only {}", d.domains.join(", ")),
        DomainMode::BlockListed => format!("any domain except {}", d.domains.join(", ")),
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

/// The domain part of the organisation default's definition, or "any domain".
pub(crate) fn parse_domain_list(policy: Option<&B2bManagementPolicy>) -> DomainList {
    let def: Value = policy
        .and_then(|p| p.definition.first())
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(Value::Null);
    let rule = &def["B2BManagementPolicy"]["InvitationsAllowedAndBlockedDomainsPolicy"];
    let list = |v: &Value| {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|d| d.as_str().map(str::to_string))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    if let Some(allowed) = rule.get("AllowedDomains") {
        return DomainList {
            mode: DomainMode::AllowOnly,
            domains: list(allowed),
        };
    }
    let blocked = list(&rule["BlockedDomains"]);
    if blocked.is_empty() {
        DomainList {
            mode: DomainMode::AnyDomain,
            domains: vec![],
        }
    } else {
        DomainList {
            mode: DomainMode::BlockListed,
            domains: blocked,
        }
    }
}

/// The new definition string: only the domain rule is replaced; every other key is kept.
pub(crate) fn with_domain_list(existing: Option<&str>, list: &DomainList) -> String {
    let mut def: Value = existing
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_else(|| json!({"B2BManagementPolicy": {}}));
    if !def["B2BManagementPolicy"].is_object() {
        def["B2BManagementPolicy"] = json!({});
    }
    def["B2BManagementPolicy"]["InvitationsAllowedAndBlockedDomainsPolicy"] = match list.mode {
        DomainMode::AnyDomain => json!({"BlockedDomains": []}),
        DomainMode::AllowOnly => json!({"AllowedDomains": list.domains}),
        DomainMode::BlockListed => json!({"BlockedDomains": list.domains}),
    };
    def.to_string()
}

impl Engine {
    /// The PATCH body for the cross-tenant default: only the parts being changed (the trust
    /// settings are sent whole, with the other trust flags as they are now).
    pub(crate) async fn cross_tenant_patch(
        &self,
        inbound: Option<bool>,
        trust_mfa: Option<bool>,
    ) -> Result<Value, Problem> {
        let mut patch = serde_json::Map::new();
        if let Some(allowed) = inbound {
            let access = if allowed { "allowed" } else { "blocked" };
            patch.insert(
                "b2bCollaborationInbound".into(),
                json!({
                    "usersAndGroups": {"accessType": access, "targets": [{"target": "AllUsers", "targetType": "user"}]},
                    "applications": {"accessType": access, "targets": [{"target": "AllApplications", "targetType": "application"}]}
                }),
            );
        }
        if let Some(mfa) = trust_mfa {
            let current = self
                .graph
                .cross_tenant_default()
                .await
                .map_err(|e| Problem::from_graph("Reading the cross-tenant access default", &e))?
                .body;
            let mut trust = current["inboundTrust"].clone();
            if !trust.is_object() {
                trust = json!({});
            }
            trust["isMfaAccepted"] = json!(mfa);
            patch.insert("inboundTrust".into(), trust);
        }
        Ok(Value::Object(patch))
    }

    /// Reads all three sources of the external collaboration settings.
    pub async fn read_settings(&self) -> Result<ExternalSettings, Problem> {
        let auth = self
            .graph
            .authorization_policy()
            .await
            .map_err(|e| Problem::from_graph("Reading the authorization policy", &e))?
            .body;
        let b2b = self
            .graph
            .b2b_management_policies()
            .await
            .map_err(|e| Problem::from_graph("Reading the domain allow/block list", &e))?;
        let cta = self
            .graph
            .cross_tenant_default()
            .await
            .map_err(|e| Problem::from_graph("Reading the cross-tenant access default", &e))?
            .body;
        Ok(ExternalSettings {
            invites_from: InviteAuthority::from_graph(&auth.allow_invites_from)
                .unwrap_or(InviteAuthority::AdminsAndGuestInviters),
            guest_access: GuestAccess::from_role_id(&auth.guest_user_role_id).unwrap_or(GuestAccess::Limited),
            domains: parse_domain_list(b2b.iter().find(|p| p.is_organization_default)),
            inbound_b2b_allowed: cta["b2bCollaborationInbound"]["usersAndGroups"]["accessType"] != "blocked",
            trust_home_mfa: cta["inboundTrust"]["isMfaAccepted"] == true,
        })
    }

    /// The preview: current settings, what they would become, and each difference in words.
    pub async fn plan_settings(&self, req: &SettingsRequest) -> Result<SettingsPlan, Problem> {
        let mut req = req.clone();
        if let Some(d) = &mut req.domains {
            d.domains = validate::domains(&d.domains).map_err(|e| Problem::invalid(vec![e]))?;
            if d.mode != DomainMode::AnyDomain && d.domains.is_empty() {
                return Err(Problem::invalid(vec![FieldError {
                    field: "domains".into(),
                    message: "List at least one domain, or choose 'any domain'.".into(),
                }]));
            }
            if d.mode == DomainMode::AnyDomain {
                d.domains.clear();
            }
        }
        let current = self.read_settings().await?;
        let desired = ExternalSettings {
            invites_from: req.invites_from.unwrap_or(current.invites_from),
            guest_access: req.guest_access.unwrap_or(current.guest_access),
            domains: req.domains.clone().unwrap_or_else(|| current.domains.clone()),
            inbound_b2b_allowed: req.inbound_b2b_allowed.unwrap_or(current.inbound_b2b_allowed),
            trust_home_mfa: req.trust_home_mfa.unwrap_or(current.trust_home_mfa),
        };
        let mut changes = Vec::new();
        let mut note = |setting: &str, from: String, to: String| {
            if from != to {
                changes.push(SettingChange {
                    setting: setting.into(),
                    from,
                    to,
                });
            }
        };
        note(
            "Who can invite guests",
            current.invites_from.label().into(),
            desired.invites_from.label().into(),
        );
        note(
            "What guests can see",
            current.guest_access.label().into(),
            desired.guest_access.label().into(),
        );
        if current.domains.mode != desired.domains.mode
            || sorted(&current.domains.domains) != sorted(&desired.domains.domains)
        {
            note(
                "Domains that can be invited",
                describe_domains(&current.domains),
                describe_domains(&desired.domains),
            );
        }
        note(
            "Inbound B2B collaboration (cross-tenant default)",
            yes_no(current.inbound_b2b_allowed),
            yes_no(desired.inbound_b2b_allowed),
        );
        note(
            "Trust MFA from the guest's home tenant",
            yes_no(current.trust_home_mfa),
            yes_no(desired.trust_home_mfa),
        );
        Ok(SettingsPlan {
            current,
            desired,
            changes,
        })
    }
}

fn sorted(v: &[String]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_ascii_lowercase()).collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_keys_of_the_definition_survive_a_domain_change() {
        let existing = r#"{"B2BManagementPolicy":{"InvitationsAllowedAndBlockedDomainsPolicy":{"BlockedDomains":["bad.example"]},"AutoRedeemPolicy":{"AdminConsentedForUsersIds":["x"]}}}"#;
        let out = with_domain_list(
            Some(existing),
            &DomainList {
                mode: DomainMode::AllowOnly,
                domains: vec!["partner.example".into()],
            },
        );
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v["B2BManagementPolicy"]["AutoRedeemPolicy"]["AdminConsentedForUsersIds"][0],
            "x"
        );
        assert_eq!(
            v["B2BManagementPolicy"]["InvitationsAllowedAndBlockedDomainsPolicy"],
            json!({"AllowedDomains": ["partner.example"]})
        );
    }

    #[test]
    fn domain_lists_parse_and_permit() {
        let p = B2bManagementPolicy {
            definition: vec![r#"{"B2BManagementPolicy":{"InvitationsAllowedAndBlockedDomainsPolicy":{"AllowedDomains":["a.example"]}}}"#.into()],
            is_organization_default: true,
            ..Default::default()
        };
        let l = parse_domain_list(Some(&p));
        assert_eq!(l.mode, DomainMode::AllowOnly);
        assert!(l.permits("A.example"));
        assert!(!l.permits("b.example"));
        assert_eq!(parse_domain_list(None).mode, DomainMode::AnyDomain);
    }

    #[test]
    fn domains_are_cleaned_or_named() {
        assert_eq!(
            validate::domains(&[" @Partner.Example ".into(), "partner.example".into()]).unwrap(),
            vec!["partner.example"]
        );
        assert!(validate::domains(&["not a domain".into()])
            .unwrap_err()
            .message
            .contains("not a domain"));
        assert!(validate::domains(&["localhost".into()]).is_err());
    }
}
