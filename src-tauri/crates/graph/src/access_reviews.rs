//! Access reviews (`/identityGovernance/accessReviews/definitions`, v1.0): Entra ID P2 or ID
//! Governance; `AccessReview.ReadWrite.All`. Guestpass makes one review per group, of its guests.

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
