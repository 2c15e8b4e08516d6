//! The sandbox's HTTP surface: Entra's token endpoint, the Graph v1.0 routes Guestpass uses,
//! and `/_sandbox/` controls for tests.

mod access_reviews;
mod assertion;
mod auth;
mod batch;
mod conditional_access;
mod control;
mod dataverse;
mod deleted_items;
mod directory_audits;
mod entitlement;
mod entitlement_setup;
mod external;
mod groups;
mod identity;
mod invitations;
mod organization;
mod partners;
mod policies;
mod power;
mod sign_in_log;
mod signin;
mod skus;
mod sponsors;
mod users;
mod what_if;

pub(crate) use access_reviews::decide as decide_review;
pub(crate) use assertion::register as register_certificate;
pub(crate) use auth::{expire_all_tokens, GRAPH_AUDIENCE, POWER_PLATFORM_AUDIENCE};
pub(crate) use conditional_access::CaGate;
pub(crate) use directory_audits::{record_change as audit_change, record_event as audit_event};
pub(crate) use entitlement::add as add_access_package_assignment;
pub(crate) use entitlement::{
    approve as approve_access_request, propose as propose_organization, request_as_user as request_access_package,
};
pub(crate) use external::{default_b2b_policy, domain_rule};
#[cfg(test)]
pub(crate) use groups::GROUPS;
pub use identity::TOKEN_EXCHANGE_AUDIENCE;
pub(crate) use identity::{add_federated_credential, FederatedCredential};
pub(crate) use invitations::new_guest_doc;
pub(crate) use power::org_url;
pub(crate) use sign_in_log::{record as record_sign_in, ReportGate};
pub(crate) use signin::SignIns;
pub(crate) use users::MANAGER;
#[cfg(test)]
pub(crate) use users::USERS;

use crate::error::ApiError;
use crate::{middleware, Shared};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The application permissions the sandbox app registration has been granted.
pub(crate) const ALL_ROLES: &[&str] = &[
    "User.Invite.All",
    "User.ReadWrite.All",
    "Organization.Read.All",
    "Policy.Read.All",
    "Policy.ReadWrite.Authorization",
    "LicenseAssignment.ReadWrite.All",
    "GroupMember.ReadWrite.All",
    "Group.Read.All",
    // Entitlement management needs it for an app adding a group to a catalog.
    "Group.ReadWrite.All",
    "Policy.ReadWrite.B2BManagementPolicy",
    "Policy.ReadWrite.CrossTenantAccess",
    "IdentityProvider.ReadWrite.All",
    "AuditLog.Read.All",
    "CrossTenantInformation.ReadBasic.All",
    "Policy.ReadWrite.ConditionalAccess",
    "Policy.ReadWrite.SecurityDefaults",
    "AccessReview.ReadWrite.All",
    "EntitlementManagement.ReadWrite.All",
];

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let graph = Router::new()
        .route("/v1.0/$batch", post(batch::batch))
        .route("/v1.0/organization", get(organization::list))
        .route("/v1.0/me", get(users::me))
        .route("/v1.0/me/memberOf", get(users::my_roles))
        .route("/v1.0/users", get(users::list))
        .route(
            "/v1.0/users/{id}",
            get(users::get_one)
                .patch(users::patch)
                .delete(deleted_items::delete_user),
        )
        .route(
            "/v1.0/directory/deletedItems/microsoft.graph.user",
            get(deleted_items::list),
        )
        .route(
            "/v1.0/directory/deletedItems/{id}/restore",
            post(deleted_items::restore),
        )
        .route("/v1.0/users/{id}/assignLicense", post(users::assign_license))
        .route("/v1.0/users/{id}/memberOf", get(users::member_of))
        .route("/v1.0/users/{id}/sponsors", get(sponsors::list))
        .route("/v1.0/users/{id}/sponsors/$ref", post(sponsors::add))
        .route(
            "/v1.0/users/{id}/sponsors/{sponsor}/$ref",
            axum::routing::delete(sponsors::remove),
        )
        .route(
            "/v1.0/users/{id}/revokeSignInSessions",
            post(users::revoke_sign_in_sessions),
        )
        .route("/v1.0/subscribedSkus", get(skus::list))
        .route("/v1.0/groups", get(groups::list))
        .route("/v1.0/groups/{id}", get(groups::get_one))
        .route("/v1.0/groups/{id}/members", get(groups::members))
        .route("/v1.0/groups/{id}/members/$ref", post(groups::add_member))
        .route(
            "/v1.0/groups/{id}/members/{member}/$ref",
            axum::routing::delete(groups::remove_member),
        )
        .route("/v1.0/invitations", post(invitations::create))
        .route(
            "/v1.0/policies/authorizationPolicy",
            get(policies::get_authorization).patch(policies::patch_authorization),
        )
        .route(
            "/beta/policies/b2bManagementPolicies",
            get(external::list_b2b).post(external::create_b2b),
        )
        .route(
            "/beta/policies/b2bManagementPolicies/{id}",
            axum::routing::patch(external::patch_b2b),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/default",
            get(external::get_cross_tenant).patch(external::patch_cross_tenant),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/partners",
            get(partners::list).post(partners::create),
        )
        .route(
            "/v1.0/policies/crossTenantAccessPolicy/partners/{tenant}",
            get(partners::get_one).patch(partners::patch).delete(partners::delete),
        )
        .route("/v1.0/tenantRelationships/{function}", get(partners::find_tenant))
        .route(
            "/v1.0/identity/conditionalAccess/policies",
            get(conditional_access::list_policies).post(conditional_access::create_policy),
        )
        .route(
            "/v1.0/identity/conditionalAccess/policies/{id}",
            get(conditional_access::get_policy)
                .patch(conditional_access::patch_policy)
                .delete(conditional_access::delete_policy),
        )
        .route("/v1.0/identity/conditionalAccess/evaluate", post(what_if::evaluate))
        .route(
            "/v1.0/identityGovernance/accessReviews/definitions",
            get(access_reviews::list).post(access_reviews::create),
        )
        .route(
            "/v1.0/identityGovernance/accessReviews/definitions/{id}",
            get(access_reviews::get_one).delete(access_reviews::delete),
        )
        .route(
            "/v1.0/identityGovernance/accessReviews/definitions/{id}/instances",
            get(access_reviews::instances),
        )
        .route(
            "/v1.0/identityGovernance/accessReviews/definitions/{id}/instances/{instance}/decisions",
            get(access_reviews::decisions),
        )
        .route(
            "/v1.0/identityGovernance/entitlementManagement/assignments",
            get(entitlement::list),
        )
        .route(
            "/v1.0/identityGovernance/entitlementManagement/assignmentRequests",
            get(entitlement::list_requests).post(entitlement::request),
        )
        .merge(entitlement_routes())
        .route("/v1.0/auditLogs/signIns", get(sign_in_log::list))
        .route("/v1.0/auditLogs/directoryAudits", get(directory_audits::list))
        .route(
            "/v1.0/identity/conditionalAccess/namedLocations",
            get(conditional_access::list_locations).post(conditional_access::create_location),
        )
        .route(
            "/v1.0/identity/conditionalAccess/namedLocations/{id}",
            axum::routing::delete(conditional_access::delete_location),
        )
        .route(
            "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy",
            get(conditional_access::get_security_defaults).patch(conditional_access::patch_security_defaults),
        )
        .route(
            "/v1.0/identity/identityProviders",
            get(external::list_idps).post(external::create_idp),
        )
        .route(
            "/v1.0/identity/identityProviders/availableProviderTypes",
            get(external::available_provider_types),
        )
        .route(
            "/v1.0/identity/identityProviders/{id}",
            axum::routing::delete(external::delete_idp),
        )
        .route(
            "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments",
            get(power::environments),
        )
        .route(
            "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/{id}/addUser",
            post(power::add_user),
        )
        .route(
            "/providers/Microsoft.BusinessAppPlatform/listTenantSettings",
            post(power::list_tenant_settings),
        )
        .route(
            "/providers/Microsoft.BusinessAppPlatform/scopes/admin/updateTenantSettings",
            post(power::update_tenant_settings),
        )
        .route(
            "/dataverse/{env}/api/data/v9.2/{*rest}",
            get(dataverse::handle).post(dataverse::handle).delete(dataverse::handle),
        )
        .fallback(unknown_segment)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), middleware::graph));
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(auth::token))
        .route("/msi/token", get(identity::managed_identity_token))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(signin::authorize).post(signin::consent),
        )
        .route("/{tenant}/oauth2/v2.0/devicecode", post(signin::device_code))
        .route(
            "/devicelogin",
            get(signin::device_login_page).post(signin::device_login),
        )
        .route("/_sandbox/config", get(control::get_config).put(control::put_config))
        .route("/_sandbox/faults", post(control::push_fault))
        .route("/_sandbox/tokens/expire", post(control::expire_tokens))
        .route("/_sandbox/stats", get(control::stats))
        .route("/_sandbox/app/certificates", post(control::add_app_certificate))
        .route("/_sandbox/entitlement/requests", post(control::request_access_package))
        .route("/_sandbox/entitlement/approvals", post(control::approve_access_request))
        .merge(graph)
        .with_state(shared)
}

/// Entitlement management's catalogs, packages, policies, connected organisations and settings.
fn entitlement_routes() -> Router<Arc<Shared>> {
    use entitlement_setup as em;
    const EM: &str = "/v1.0/identityGovernance/entitlementManagement";
    Router::new()
        .route(
            &format!("{EM}/connectedOrganizations"),
            get(em::list_orgs).post(em::create_org),
        )
        .route(
            &format!("{EM}/connectedOrganizations/{{id}}"),
            get(em::get_org).patch(em::patch_org).delete(em::delete_org),
        )
        .route(
            &format!("{EM}/catalogs"),
            get(em::list_catalogs).post(em::create_catalog),
        )
        .route(
            &format!("{EM}/catalogs/{{id}}"),
            axum::routing::delete(em::delete_catalog),
        )
        .route(
            &format!("{EM}/connectedOrganizations/{{id}}/{{kind}}"),
            get(em::list_sponsors),
        )
        .route(
            &format!("{EM}/connectedOrganizations/{{id}}/{{kind}}/$ref"),
            post(em::add_sponsor),
        )
        .route(
            &format!("{EM}/connectedOrganizations/{{id}}/{{kind}}/{{user}}/$ref"),
            axum::routing::delete(em::remove_sponsor),
        )
        .route(&format!("{EM}/catalogs/{{id}}/resources"), get(em::catalog_resources))
        .route(&format!("{EM}/resourceRequests"), post(em::resource_request))
        .route(
            &format!("{EM}/accessPackages"),
            get(em::list_packages).post(em::create_package),
        )
        .route(
            &format!("{EM}/accessPackages/{{id}}"),
            get(em::get_package).delete(em::delete_package),
        )
        .route(
            &format!("{EM}/accessPackages/{{id}}/resourceRoleScopes"),
            post(em::add_role_scope),
        )
        .route(
            &format!("{EM}/assignmentPolicies"),
            get(em::list_policies).post(em::create_policy),
        )
        .route(
            &format!("{EM}/assignmentPolicies/{{id}}"),
            axum::routing::delete(em::delete_policy),
        )
        .route(
            &format!("{EM}/settings"),
            get(em::get_settings).patch(em::patch_settings),
        )
}

async fn unknown_segment(uri: axum::http::Uri) -> ApiError {
    let last = uri.path().rsplit('/').next().unwrap_or_default().to_string();
    ApiError::new(
        400,
        "BadRequest",
        format!("Resource not found for the segment '{last}'."),
    )
}
