//! Entitlement management's building blocks (`/identityGovernance/entitlementManagement`, v1.0;
//! `EntitlementManagement.ReadWrite.All`, Entra ID P2 or ID Governance): connected
//! organisations and their sponsors, catalogs and the resources added to them, access packages
//! with their resource roles, assignment policies, pending requests, and the external-user
//! lifecycle settings. Assignments and their removal are in `governance`.

use crate::api::{segment, with_query};
use crate::client::{Answer, GraphClient};
use crate::error::GraphError;
use reqwest::Method;
use serde_json::{json, Value};

const EM: &str = "v1.0/identityGovernance/entitlementManagement";

/// The collections Guestpass creates in and deletes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmCollection {
    ConnectedOrganizations,
    Catalogs,
    AccessPackages,
    AssignmentPolicies,
}

impl EmCollection {
    fn path(self) -> &'static str {
        match self {
            EmCollection::ConnectedOrganizations => "connectedOrganizations",
            EmCollection::Catalogs => "catalogs",
            EmCollection::AccessPackages => "accessPackages",
            EmCollection::AssignmentPolicies => "assignmentPolicies",
        }
    }
}

/// A connected organisation's sponsors: from this tenant, or from the partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SponsorSide {
    Internal,
    External,
}

impl SponsorSide {
    fn path(self) -> &'static str {
        match self {
            SponsorSide::Internal => "internalSponsors",
            SponsorSide::External => "externalSponsors",
        }
    }
}

impl GraphClient {
    fn em_url(&self, rest: &str) -> reqwest::Url {
        self.graph_url(&format!("{EM}/{rest}"))
    }

    /// Everything in one collection.
    pub async fn em_list(&self, what: EmCollection) -> Result<Vec<Value>, GraphError> {
        self.list_all(self.em_url(what.path()), None).await
    }

    /// Creates one object; Microsoft answers with it (its id).
    pub async fn em_create(&self, what: EmCollection, body: &Value) -> Result<Answer<Value>, GraphError> {
        self.send(Method::POST, self.em_url(what.path()), Some(body)).await
    }

    /// Changes properties of one object (e.g. a connected organisation's state). Returns the request-id.
    pub async fn em_update(&self, what: EmCollection, id: &str, body: &Value) -> Result<Option<String>, GraphError> {
        let url = self.em_url(&format!("{}/{}", what.path(), segment(id)));
        self.send_no_content(Method::PATCH, url, Some(body)).await
    }

    /// Deletes one object. Returns the request-id.
    pub async fn em_delete(&self, what: EmCollection, id: &str) -> Result<Option<String>, GraphError> {
        let url = self.em_url(&format!("{}/{}", what.path(), segment(id)));
        self.send_no_content::<()>(Method::DELETE, url, None).await
    }

    /// A connected organisation's sponsors on one side (user objects).
    pub async fn organization_sponsors(&self, org: &str, side: SponsorSide) -> Result<Vec<Value>, GraphError> {
        let url = self.em_url(&format!("connectedOrganizations/{}/{}", segment(org), side.path()));
        self.list_all(url, None).await
    }

    /// Adds a user as a sponsor of a connected organisation. Returns the request-id.
    pub async fn add_organization_sponsor(
        &self,
        org: &str,
        side: SponsorSide,
        user_id: &str,
    ) -> Result<Option<String>, GraphError> {
        let url = self.em_url(&format!("connectedOrganizations/{}/{}/$ref", segment(org), side.path()));
        let body = json!({"@odata.id": self.graph_url(&format!("v1.0/users/{}", segment(user_id))).to_string()});
        self.send_no_content(Method::POST, url, Some(&body)).await
    }

    /// Removes a sponsor of a connected organisation. Returns the request-id.
    pub async fn remove_organization_sponsor(
        &self,
        org: &str,
        side: SponsorSide,
        user_id: &str,
    ) -> Result<Option<String>, GraphError> {
        let url = self.em_url(&format!(
            "connectedOrganizations/{}/{}/{}/$ref",
            segment(org),
            side.path(),
            segment(user_id)
        ));
        self.send_no_content::<()>(Method::DELETE, url, None).await
    }

    /// A catalog's resources, each with its roles and scopes.
    pub async fn catalog_resources(&self, catalog: &str) -> Result<Vec<Value>, GraphError> {
        let url = self.graph_url(&with_query(
            &format!("{EM}/catalogs/{}/resources", segment(catalog)),
            &[("$expand", "roles,scopes")],
        ));
        self.list_all(url, None).await
    }

    /// Adds (`adminAdd`) or removes (`adminRemove`) a group as a catalog's resource.
    pub async fn catalog_group_request(
        &self,
        catalog: &str,
        group_id: &str,
        add: bool,
    ) -> Result<Answer<Value>, GraphError> {
        let body = json!({
            "requestType": if add { "adminAdd" } else { "adminRemove" },
            "resource": {"originId": group_id, "originSystem": "AadGroup"},
            "catalog": {"id": catalog},
        });
        self.send(Method::POST, self.em_url("resourceRequests"), Some(&body))
            .await
    }

    /// One access package with its resource role scopes.
    pub async fn access_package(&self, id: &str) -> Result<Value, GraphError> {
        let url = self.graph_url(&with_query(
            &format!("{EM}/accessPackages/{}", segment(id)),
            &[("$expand", "resourceRoleScopes($expand=role,scope)")],
        ));
        Ok(self.send::<(), Value>(Method::GET, url, None).await?.body)
    }

    /// Gives an access package a resource's role (e.g. a group's Member role) at its root scope.
    pub async fn add_package_role(
        &self,
        package: &str,
        resource_id: &str,
        role_origin_id: &str,
        scope_origin_id: &str,
    ) -> Result<Answer<Value>, GraphError> {
        let body = json!({
            "role": {"originId": role_origin_id, "displayName": "Member", "originSystem": "AadGroup",
                     "resource": {"id": resource_id}},
            "scope": {"originId": scope_origin_id, "originSystem": "AadGroup", "isRootScope": true},
        });
        let url = self.em_url(&format!("accessPackages/{}/resourceRoleScopes", segment(package)));
        self.send(Method::POST, url, Some(&body)).await
    }

    /// Requests still waiting for an approver.
    pub async fn pending_package_requests(&self) -> Result<Vec<Value>, GraphError> {
        let url = self.graph_url(&with_query(
            &format!("{EM}/assignmentRequests"),
            &[
                ("$filter", "state eq 'pendingApproval'"),
                ("$expand", "accessPackage,requestor"),
            ],
        ));
        self.list_all(url, None).await
    }

    /// The delivered assignments of one package, with whom they are for.
    pub async fn package_assignments(&self, package: &str) -> Result<Vec<Value>, GraphError> {
        let filter = format!("accessPackage/id eq '{package}' and state eq 'delivered'");
        let url = self.graph_url(&with_query(
            &format!("{EM}/assignments"),
            &[("$filter", &filter), ("$expand", "target")],
        ));
        self.list_all(url, None).await
    }

    /// The entitlement-management settings (what happens to external users at the end).
    pub async fn em_settings(&self) -> Result<Value, GraphError> {
        Ok(self
            .send::<(), Value>(Method::GET, self.em_url("settings"), None)
            .await?
            .body)
    }

    /// Changes the settings. Returns the request-id.
    pub async fn update_em_settings(&self, body: &Value) -> Result<Option<String>, GraphError> {
        self.send_no_content(Method::PATCH, self.em_url("settings"), Some(body))
            .await
    }
}
