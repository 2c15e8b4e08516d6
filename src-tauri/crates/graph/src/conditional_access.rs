//! Conditional Access (`/identity/conditionalAccess/…`) and the security-defaults switch.
//! Policies and named locations stay raw JSON: Guestpass reads a few fields and must not drop
//! the rest when it sends a policy back. Every call here is spaced by the client (1 per second).

use crate::api::segment;
use crate::client::{Answer, GraphClient};
use crate::error::GraphError;
use reqwest::Method;
use serde_json::Value;

const POLICIES: &str = "v1.0/identity/conditionalAccess/policies";
const LOCATIONS: &str = "v1.0/identity/conditionalAccess/namedLocations";
const EVALUATE: &str = "v1.0/identity/conditionalAccess/evaluate";
const SECURITY_DEFAULTS: &str = "v1.0/policies/identitySecurityDefaultsEnforcementPolicy";

impl GraphClient {
    /// Every Conditional Access policy of the tenant.
    pub async fn conditional_access_policies(&self) -> Result<Vec<Value>, GraphError> {
        self.list_all(self.graph_url(POLICIES), None).await
    }

    /// One policy; `None` when it does not exist (any more).
    pub async fn conditional_access_policy(&self, id: &str) -> Result<Option<Value>, GraphError> {
        let url = self.graph_url(&format!("{POLICIES}/{}", segment(id)));
        match self.send::<(), Value>(Method::GET, url, None).await {
            Ok(answer) => Ok(Some(answer.body)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every named location (countries and IP ranges).
    pub async fn named_locations(&self) -> Result<Vec<Value>, GraphError> {
        self.list_all(self.graph_url(LOCATIONS), None).await
    }

    /// Creates a named location; the answer is the location with its id.
    pub async fn create_named_location(&self, body: &Value) -> Result<Answer<Value>, GraphError> {
        self.send(Method::POST, self.graph_url(LOCATIONS), Some(body)).await
    }

    /// Deletes a named location (Microsoft refuses while a policy uses it); returns the request-id.
    pub async fn delete_named_location(&self, id: &str) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("{LOCATIONS}/{}", segment(id)));
        self.send_no_content::<()>(Method::DELETE, url, None).await
    }

    /// Whether security defaults are on (`isEnabled`).
    pub async fn security_defaults_enabled(&self) -> Result<bool, GraphError> {
        let answer: Answer<Value> = self
            .send::<(), _>(Method::GET, self.graph_url(SECURITY_DEFAULTS), None)
            .await?;
        Ok(answer.body["isEnabled"].as_bool().unwrap_or(false))
    }

    /// Creates a policy; the answer is the policy with its id.
    pub async fn create_conditional_access_policy(&self, body: &Value) -> Result<Answer<Value>, GraphError> {
        self.send(Method::POST, self.graph_url(POLICIES), Some(body)).await
    }

    /// Changes some of a policy's properties (e.g. `state`); returns the request-id.
    pub async fn update_conditional_access_policy(&self, id: &str, body: &Value) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("{POLICIES}/{}", segment(id)));
        self.send_no_content(Method::PATCH, url, Some(body)).await
    }

    /// Deletes a policy; returns the request-id.
    pub async fn delete_conditional_access_policy(&self, id: &str) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("{POLICIES}/{}", segment(id)));
        self.send_no_content::<()>(Method::DELETE, url, None).await
    }

    /// Microsoft's What-If: which policies (report-only ones included) would apply to a sign-in
    /// described by `body` (`signInIdentity`, `signInContext`, `signInConditions`). Each answer
    /// is the policy with `policyApplies` and `analysisReasons`.
    pub async fn evaluate_conditional_access(&self, body: &Value) -> Result<Vec<Value>, GraphError> {
        let answer: Answer<Value> = self.send(Method::POST, self.graph_url(EVALUATE), Some(body)).await?;
        Ok(answer.body["value"].as_array().cloned().unwrap_or_default())
    }
}
