//! Graph resources, as Microsoft documents them (only the properties Guestpass reads or writes).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub id: String,
    pub display_name: Option<String>,
    pub mail: Option<String>,
    pub user_principal_name: Option<String>,
    /// `Member` or `Guest`.
    pub user_type: Option<String>,
    /// `PendingAcceptance` or `Accepted` for guests.
    pub external_user_state: Option<String>,
    /// When that state last changed (for `Accepted`: when they redeemed).
    pub external_user_state_change_date_time: Option<String>,
    #[serde(default)]
    pub other_mails: Vec<String>,
    /// Only when asked for (reading the directory to match addresses).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proxy_addresses: Vec<String>,
    pub created_date_time: Option<String>,
    pub account_enabled: Option<bool>,
}

impl User {
    /// Every address Graph finds this user at, lower-cased: `mail`, `otherMails`, and the SMTP
    /// proxy addresses (as `find_users_by_email` asks for them).
    pub fn addresses(&self) -> Vec<String> {
        let smtp = self.proxy_addresses.iter().filter_map(|p| {
            p.split_once(':')
                .filter(|(kind, _)| kind.eq_ignore_ascii_case("smtp"))
                .map(|(_, address)| address)
        });
        let mut all: Vec<String> = self
            .mail
            .iter()
            .map(String::as_str)
            .chain(self.other_mails.iter().map(String::as_str))
            .chain(smtp)
            .map(str::to_lowercase)
            .collect();
        all.sort();
        all.dedup();
        all
    }

    pub fn is_guest(&self) -> bool {
        self.user_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("Guest"))
    }
}

/// Who a tenant is, as `findTenantInformationBy…` answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantInformation {
    pub tenant_id: String,
    pub display_name: Option<String>,
    pub default_domain_name: Option<String>,
    pub federation_brand_name: Option<String>,
}

/// One page of the directory's users; the first one says how many there are.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct DirectoryPage {
    #[serde(rename = "value")]
    pub users: Vec<User>,
    #[serde(rename = "@odata.count")]
    pub total: Option<usize>,
    #[serde(rename = "@odata.nextLink")]
    pub next: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedDomain {
    pub name: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub is_initial: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: String,
    pub display_name: Option<String>,
    #[serde(default)]
    pub verified_domains: Vec<VerifiedDomain>,
}

impl Organization {
    /// The `*.onmicrosoft.com` domain every tenant has.
    pub fn initial_domain(&self) -> Option<&str> {
        self.verified_domains
            .iter()
            .find(|d| d.is_initial)
            .map(|d| d.name.as_str())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customized_message_body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_language: Option<String>,
}

/// The body of `POST /invitations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationRequest {
    pub invited_user_email_address: String,
    pub invite_redirect_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_user_display_name: Option<String>,
    pub send_invitation_message: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_user_message_info: Option<MessageInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_user_type: Option<String>,
    /// Who sponsors the new guest (at most five; directory objects by id). Left out, Microsoft
    /// stamps the signed-in inviter — and nobody when an app invites on its own.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub invited_user_sponsors: Vec<DirectoryObjectRef>,
}

/// A directory object named by its id, as `invitedUserSponsors` takes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryObjectRef {
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitedUser {
    pub id: String,
}

/// Microsoft's answer to `POST /invitations`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: String,
    pub invite_redeem_url: Option<String>,
    pub invited_user_email_address: String,
    pub invited_user_display_name: Option<String>,
    pub invite_redirect_url: Option<String>,
    /// `PendingAcceptance`, `Completed`, `InProgress` or `Error`.
    pub status: String,
    pub invited_user: InvitedUser,
}

/// `GET /policies/authorizationPolicy` (the external collaboration switches Guestpass uses).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicy {
    pub id: String,
    /// `none`, `adminsAndGuestInviters`, `adminsGuestInvitersAndAllMembers` or `everyone`.
    pub allow_invites_from: String,
    pub guest_user_role_id: String,
    pub allow_email_verified_users_to_join_organization: Option<bool>,
}

/// `PATCH /policies/authorizationPolicy`: only the fields being changed are sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizationPolicyPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_invites_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guest_user_role_id: Option<String>,
}

/// `PATCH /users/{id}`: profile fields; only the ones set are sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserPatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_location: Option<String>,
}

impl UserPatch {
    pub fn is_empty(&self) -> bool {
        self == &UserPatch::default()
    }
}

/// The profile and access fields the wizard reads back from a user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    pub id: String,
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub usage_location: Option<String>,
    pub mail: Option<String>,
    pub user_type: Option<String>,
    pub external_user_state: Option<String>,
    #[serde(default)]
    pub assigned_licenses: Vec<AssignedLicense>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedLicense {
    pub sku_id: String,
    #[serde(default)]
    pub disabled_plans: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepaidUnits {
    #[serde(default)]
    pub enabled: i64,
    #[serde(default)]
    pub suspended: i64,
    #[serde(default)]
    pub warning: i64,
    #[serde(default)]
    pub locked_out: i64,
}

/// `GET /subscribedSkus`: a licence the tenant has bought.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscribedSku {
    pub sku_id: String,
    pub sku_part_number: String,
    pub applies_to: Option<String>,
    pub capability_status: Option<String>,
    #[serde(default)]
    pub consumed_units: i64,
    #[serde(default)]
    pub prepaid_units: PrepaidUnits,
    /// What the SKU includes (e.g. `AAD_PREMIUM` for Entra ID P1).
    #[serde(default)]
    pub service_plans: Vec<ServicePlanInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePlanInfo {
    pub service_plan_name: String,
    #[serde(default)]
    pub provisioning_status: Option<String>,
}

impl SubscribedSku {
    /// Seats still free: bought (enabled) minus used.
    pub fn free_seats(&self) -> i64 {
        (self.prepaid_units.enabled - self.consumed_units).max(0)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub security_enabled: bool,
    #[serde(default)]
    pub mail_enabled: bool,
    #[serde(default)]
    pub group_types: Vec<String>,
}

/// Beta `policies/b2bManagementPolicies`: the domain allow/block list lives inside `definition`,
/// an array holding one JSON *string* whose other keys must be sent back unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct B2bManagementPolicy {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    pub display_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub is_organization_default: bool,
    #[serde(default)]
    pub definition: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityProvider {
    pub id: String,
    pub display_name: Option<String>,
    pub identity_provider_type: Option<String>,
    pub client_id: Option<String>,
}
