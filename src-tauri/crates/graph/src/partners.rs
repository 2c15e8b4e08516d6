//! Per-partner cross-tenant access settings and the tenant lookup that finds a partner's tenant.
//! Partner configurations stay raw JSON here: each setting is null when it inherits the default,
//! and what Guestpass does not manage (tenant restrictions, group targets) must survive a round trip.

use crate::api::{odata_string, segment};
use crate::client::{Answer, GraphClient};
use crate::error::GraphError;
use crate::models::TenantInformation;
use reqwest::Method;
use serde_json::Value;

const PARTNERS: &str = "v1.0/policies/crossTenantAccessPolicy/partners";

impl GraphClient {
    /// The tenant a domain belongs to (`findTenantInformationByDomainName`).
    pub async fn find_tenant_by_domain(&self, domain: &str) -> Result<Answer<TenantInformation>, GraphError> {
        let path = format!(
            "v1.0/tenantRelationships/findTenantInformationByDomainName(domainName={})",
            segment(&odata_string(domain))
        );
        self.send::<(), _>(Method::GET, self.graph_url(&path), None).await
    }

    /// A tenant's name and default domain from its id (`findTenantInformationByTenantId`).
    pub async fn find_tenant_by_id(&self, tenant_id: &str) -> Result<Answer<TenantInformation>, GraphError> {
        let path = format!(
            "v1.0/tenantRelationships/findTenantInformationByTenantId(tenantId={})",
            segment(&odata_string(tenant_id))
        );
        self.send::<(), _>(Method::GET, self.graph_url(&path), None).await
    }

    /// Every partner configuration of the tenant (also those made in the portal).
    pub async fn partner_configurations(&self) -> Result<Vec<Value>, GraphError> {
        self.list_all(self.graph_url(PARTNERS), None).await
    }

    /// One partner's configuration; `None` when the tenant has none for it.
    pub async fn partner_configuration(&self, tenant_id: &str) -> Result<Option<Value>, GraphError> {
        let url = self.graph_url(&format!("{PARTNERS}/{}", segment(tenant_id)));
        match self.send::<(), Value>(Method::GET, url, None).await {
            Ok(answer) => Ok(Some(answer.body)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn create_partner_configuration(&self, body: &Value) -> Result<Answer<Value>, GraphError> {
        self.send(Method::POST, self.graph_url(PARTNERS), Some(body)).await
    }

    pub async fn update_partner_configuration(
        &self,
        tenant_id: &str,
        patch: &Value,
    ) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("{PARTNERS}/{}", segment(tenant_id)));
        self.send_no_content(Method::PATCH, url, Some(patch)).await
    }

    pub async fn delete_partner_configuration(&self, tenant_id: &str) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("{PARTNERS}/{}", segment(tenant_id)));
        self.send_no_content::<()>(Method::DELETE, url, None).await
    }
}
