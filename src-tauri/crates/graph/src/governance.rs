//! Identity governance (Entra ID P2 or ID Governance): access reviews
//! (`/identityGovernance/accessReviews/definitions`, `AccessReview.ReadWrite.All`; Guestpass makes
//! one per group, of its guests) and entitlement management's access-package assignments
//! (`EntitlementManagement.ReadWrite.All`), read and removed when a partner is off-boarded.

use crate::api::segment;
use crate::client::{Answer, GraphClient};
use crate::error::GraphError;
use reqwest::Method;
use serde_json::Value;

const DEFINITIONS: &str = "v1.0/identityGovernance/accessReviews/definitions";

impl GraphClient {
    /// Creates a review definition; Microsoft answers with it (its id) and starts its first instance.
    pub async fn create_review(&self, definition: &Value) -> Result<Answer<Value>, GraphError> {
        self.send(Method::POST, self.graph_url(DEFINITIONS), Some(definition))
            .await
    }

    /// Every review definition of the tenant.
    pub async fn reviews(&self) -> Result<Vec<Value>, GraphError> {
        self.list_all(self.graph_url(DEFINITIONS), None).await
    }

    /// One review definition.
    pub async fn review(&self, id: &str) -> Result<Value, GraphError> {
        let url = self.graph_url(&format!("{DEFINITIONS}/{}", segment(id)));
        Ok(self.send::<(), Value>(Method::GET, url, None).await?.body)
    }

    /// Deletes a review and its instances. Returns the request-id.
    pub async fn delete_review(&self, id: &str) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("{DEFINITIONS}/{}", segment(id)));
        self.send_no_content::<()>(Method::DELETE, url, None).await
    }

    /// A review's instances (one per recurrence so far).
    pub async fn review_instances(&self, id: &str) -> Result<Vec<Value>, GraphError> {
        let url = self.graph_url(&format!("{DEFINITIONS}/{}/instances", segment(id)));
        self.list_all(url, None).await
    }

    /// The decisions of one instance: who was reviewed, the decision, by whom, applied or not.
    pub async fn review_decisions(&self, id: &str, instance: &str) -> Result<Vec<Value>, GraphError> {
        let url = self.graph_url(&format!(
            "{DEFINITIONS}/{}/instances/{}/decisions",
            segment(id),
            segment(instance)
        ));
        self.list_all(url, None).await
    }
}

const ASSIGNMENTS: &str = "v1.0/identityGovernance/entitlementManagement/assignments";

impl GraphClient {
    /// The access packages delivered to a user (entitlement management), with each package.
    pub async fn package_assignments_of(&self, user_id: &str) -> Result<Vec<Value>, GraphError> {
        let filter = format!("target/objectId eq '{user_id}' and state eq 'delivered'");
        let url = self.graph_url(&crate::api::with_query(
            ASSIGNMENTS,
            &[("$filter", &filter), ("$expand", "accessPackage,target")],
        ));
        self.list_all(url, None).await
    }

    /// Asks entitlement management to remove an assignment (`adminRemove`); Microsoft accepts
    /// the request and carries it out.
    pub async fn remove_package_assignment(&self, assignment_id: &str) -> Result<Answer<Value>, GraphError> {
        let body = serde_json::json!({"requestType": "adminRemove", "assignment": {"id": assignment_id}});
        let url = self.graph_url("v1.0/identityGovernance/entitlementManagement/assignmentRequests");
        self.send(Method::POST, url, Some(&body)).await
    }
}
