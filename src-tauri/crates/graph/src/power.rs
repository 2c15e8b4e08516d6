//! The Power Platform admin API and the Dataverse Web API, over the same sign-in and pipeline
//! as Graph (only the token scope and the base URL differ).

use crate::api::with_query;
use crate::auth::POWER_PLATFORM_SCOPE;
use crate::client::GraphClient;
use crate::endpoints::join;
use crate::error::GraphError;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use url::Url;

/// An environment as the admin API lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerEnvironment {
    /// The environment id (`name` in Microsoft's answer), used by `addUser`.
    pub id: String,
    pub display_name: String,
    /// Its Dataverse, when it has one.
    pub dataverse: Option<DataverseEnv>,
}

/// Where an environment's Dataverse is: the organisation URL (`instanceUrl`, which tokens are
/// issued for) and its Web API root (`instanceApiUrl`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataverseEnv {
    pub url: String,
    pub api_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemUser {
    pub systemuserid: String,
    pub fullname: Option<String>,
    #[serde(rename = "_businessunitid_value")]
    pub business_unit_id: Option<String>,
    #[serde(default)]
    pub systemuserroles_association: Vec<DataverseRole>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataverseRole {
    pub roleid: String,
    pub name: Option<String>,
    #[serde(rename = "_businessunitid_value", default)]
    pub business_unit_id: Option<String>,
}

const ODATA_HEADERS: &[(&str, &str)] = &[("OData-MaxVersion", "4.0"), ("OData-Version", "4.0")];

/// A path under an environment's Web API: `{api_url}/api/data/v9.2/…`.
fn web_api(env: &DataverseEnv, path_and_query: &str) -> Result<Url, GraphError> {
    let base = Url::parse(env.api_url.trim_end_matches('/')).map_err(|e| GraphError::Decode {
        url: env.api_url.clone(),
        reason: e.to_string(),
    })?;
    Ok(join(&base, &format!("api/data/v9.2/{path_and_query}")))
}

/// The token scope of a Dataverse environment: its organisation URL plus `/.default`.
pub fn dataverse_scope(org_url: &str) -> String {
    format!("{}/.default", org_url.trim_end_matches('/'))
}

impl GraphClient {
    fn power_platform(&self) -> GraphClient {
        self.for_scope(POWER_PLATFORM_SCOPE)
    }

    pub async fn power_environments(&self) -> Result<Vec<PowerEnvironment>, GraphError> {
        let pp = self.power_platform();
        let url = join(
            &pp.endpoints().bap,
            "providers/Microsoft.BusinessAppPlatform/scopes/admin/environments?api-version=2020-10-01",
        );
        let answer: crate::client::Answer<serde_json::Value> = pp.send::<(), _>(Method::GET, url, None).await?;
        Ok(answer.body["value"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| PowerEnvironment {
                id: e["name"].as_str().unwrap_or_default().to_string(),
                display_name: e["properties"]["displayName"].as_str().unwrap_or_default().to_string(),
                dataverse: {
                    let meta = &e["properties"]["linkedEnvironmentMetadata"];
                    let url = meta["instanceUrl"]
                        .as_str()
                        .map(|u| u.trim_end_matches('/').to_string());
                    let api = meta["instanceApiUrl"]
                        .as_str()
                        .map(|u| u.trim_end_matches('/').to_string());
                    url.map(|url| DataverseEnv {
                        api_url: api.unwrap_or_else(|| url.clone()),
                        url,
                    })
                },
            })
            .collect())
    }

    /// The Power Platform tenant settings, whole (`powerPlatform.powerApps.enableGuestsToMake`…).
    pub async fn power_tenant_settings(&self) -> Result<serde_json::Value, GraphError> {
        let pp = self.power_platform();
        let url = join(
            &pp.endpoints().bap,
            "providers/Microsoft.BusinessAppPlatform/listTenantSettings?api-version=2020-10-01",
        );
        let answer: crate::client::Answer<serde_json::Value> =
            pp.send(Method::POST, url, Some(&serde_json::json!({}))).await?;
        Ok(answer.body)
    }

    /// Sends the whole settings object back (Microsoft's read-modify-write); returns the request-id.
    pub async fn update_power_tenant_settings(
        &self,
        settings: &serde_json::Value,
    ) -> Result<Option<String>, GraphError> {
        let pp = self.power_platform();
        let url = join(
            &pp.endpoints().bap,
            "providers/Microsoft.BusinessAppPlatform/scopes/admin/updateTenantSettings?api-version=2023-06-01",
        );
        let answer: crate::client::Answer<serde_json::Value> = pp.send(Method::POST, url, Some(settings)).await?;
        Ok(answer.request_id)
    }

    /// Forces the user's sync into the environment's Dataverse. Fails with `userNotLicensed`
    /// until the user's licence has reached the environment.
    pub async fn add_user_to_environment(
        &self,
        environment_id: &str,
        object_id: &str,
    ) -> Result<Option<String>, GraphError> {
        let pp = self.power_platform();
        let url = join(
            &pp.endpoints().bap,
            &format!("providers/Microsoft.BusinessAppPlatform/scopes/admin/environments/{environment_id}/addUser?api-version=2023-06-01"),
        );
        let answer: crate::client::Answer<serde_json::Value> = pp
            .send_with(
                Method::POST,
                url,
                Some(&serde_json::json!({"objectId": object_id})),
                &[],
            )
            .await?;
        Ok(answer.request_id)
    }

    /// The Dataverse user for an Entra object id, with their roles.
    pub async fn dataverse_user(&self, env: &DataverseEnv, object_id: &str) -> Result<Option<SystemUser>, GraphError> {
        let dv = self.for_scope(&dataverse_scope(&env.url));
        let url = web_api(
            env,
            &with_query(
                "systemusers",
                &[
                    ("$filter", &format!("azureactivedirectoryobjectid eq {object_id}")),
                    ("$select", "systemuserid,fullname,_businessunitid_value"),
                    ("$expand", "systemuserroles_association($select=roleid,name)"),
                ],
            ),
        )?;
        let page: crate::client::Answer<crate::client::Page<SystemUser>> =
            dv.send_with::<(), _>(Method::GET, url, None, ODATA_HEADERS).await?;
        Ok(page.body.value.into_iter().next())
    }

    /// Every copy of the role called `name` (one per business unit).
    pub async fn dataverse_roles_named(
        &self,
        env: &DataverseEnv,
        name: &str,
    ) -> Result<Vec<DataverseRole>, GraphError> {
        let dv = self.for_scope(&dataverse_scope(&env.url));
        let url = web_api(
            env,
            &with_query(
                "roles",
                &[
                    ("$select", "roleid,name,_businessunitid_value"),
                    ("$filter", &format!("name eq {}", crate::api::odata_string(name))),
                ],
            ),
        )?;
        let page: crate::client::Answer<crate::client::Page<DataverseRole>> =
            dv.send_with::<(), _>(Method::GET, url, None, ODATA_HEADERS).await?;
        Ok(page.body.value)
    }

    /// Every role of the environment (for the picker).
    pub async fn dataverse_roles(&self, env: &DataverseEnv) -> Result<Vec<DataverseRole>, GraphError> {
        let dv = self.for_scope(&dataverse_scope(&env.url));
        let url = web_api(
            env,
            &with_query("roles", &[("$select", "roleid,name,_businessunitid_value")]),
        )?;
        let page: crate::client::Answer<crate::client::Page<DataverseRole>> =
            dv.send_with::<(), _>(Method::GET, url, None, ODATA_HEADERS).await?;
        Ok(page.body.value)
    }

    pub async fn associate_dataverse_role(
        &self,
        env: &DataverseEnv,
        systemuser_id: &str,
        role_id: &str,
    ) -> Result<Option<String>, GraphError> {
        let dv = self.for_scope(&dataverse_scope(&env.url));
        let url = web_api(
            env,
            &format!("systemusers({systemuser_id})/systemuserroles_association/$ref"),
        )?;
        let reference = web_api(env, &format!("roles({role_id})"))?;
        let answer: crate::client::Answer<serde_json::Value> = dv
            .send_with(
                Method::POST,
                url,
                Some(&serde_json::json!({"@odata.id": reference.as_str()})),
                ODATA_HEADERS,
            )
            .await?;
        Ok(answer.request_id)
    }

    /// `DELETE …/systemuserroles_association/$ref?$id=…/roles(id)`.
    pub async fn dissociate_dataverse_role(
        &self,
        env: &DataverseEnv,
        systemuser_id: &str,
        role_id: &str,
    ) -> Result<Option<String>, GraphError> {
        let dv = self.for_scope(&dataverse_scope(&env.url));
        let reference = web_api(env, &format!("roles({role_id})"))?;
        let url = web_api(
            env,
            &crate::api::with_query(
                &format!("systemusers({systemuser_id})/systemuserroles_association/$ref"),
                &[("$id", reference.as_str())],
            ),
        )?;
        let answer: crate::client::Answer<serde_json::Value> =
            dv.send_with::<(), _>(Method::DELETE, url, None, ODATA_HEADERS).await?;
        Ok(answer.request_id)
    }
}
