//! Every guest of the tenant with what the Guests list shows, at Graph's largest page size
//! (500 with sign-in activity, as Microsoft's throttling guidance asks).
//! `signInActivity` needs Entra ID P1 and `AuditLog.Read.All`; without them the list is read
//! again without it, and the reason is kept.

use crate::api::{segment, with_query};
use crate::client::{Answer, GraphClient};
use crate::error::GraphError;
use reqwest::Method;
use serde_json::Value;

const FIELDS: &str = "id,displayName,mail,userPrincipalName,otherMails,userType,externalUserState,\
externalUserStateChangeDateTime,createdDateTime,accountEnabled,assignedLicenses";

impl GraphClient {
    /// Every guest; with `with_activity`, their `signInActivity` too.
    pub async fn guests_for_list(&self, with_activity: bool) -> Result<Vec<Value>, GraphError> {
        let select = match with_activity {
            true => format!("{FIELDS},signInActivity"),
            false => FIELDS.to_string(),
        };
        let url = self.graph_url(&with_query(
            "v1.0/users",
            &[
                ("$filter", "userType eq 'Guest'"),
                ("$select", &select),
                ("$expand", "sponsors($select=id,mail,displayName)"),
                // Microsoft's guidance for lists with signInActivity is 500 per page.
                ("$top", if with_activity { "500" } else { "999" }),
            ],
        ));
        self.list_all(url, None).await
    }

    /// Deletes a user: Entra keeps them 30 days in the deleted items. Returns the request-id.
    pub async fn delete_user(&self, id: &str) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("v1.0/users/{}", segment(id)));
        self.send_no_content::<()>(Method::DELETE, url, None).await
    }

    /// Users deleted within the last 30 days (restorable).
    pub async fn deleted_users(&self) -> Result<Vec<Value>, GraphError> {
        let url = self.graph_url("v1.0/directory/deletedItems/microsoft.graph.user");
        self.list_all(url, None).await
    }

    /// Restores a deleted user (with their group memberships). Returns the request-id.
    pub async fn restore_deleted_user(&self, id: &str) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("v1.0/directory/deletedItems/{}/restore", segment(id)));
        let answer: Answer<Value> = self.send::<(), _>(Method::POST, url, None).await?;
        Ok(answer.request_id)
    }

    /// A user's sponsors (users or groups), as raw directory objects.
    pub async fn sponsors(&self, user_id: &str) -> Result<Vec<Value>, GraphError> {
        let url = self.graph_url(&format!("v1.0/users/{}/sponsors", segment(user_id)));
        self.list_all(url, None).await
    }

    /// Adds a sponsor to a user. Returns the request-id.
    pub async fn add_sponsor(&self, user_id: &str, sponsor_id: &str) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!("v1.0/users/{}/sponsors/$ref", segment(user_id)));
        let body = serde_json::json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/users/{sponsor_id}")});
        self.send_no_content(Method::POST, url, Some(&body)).await
    }

    /// Removes a sponsor from a user. Returns the request-id.
    pub async fn remove_sponsor(&self, user_id: &str, sponsor_id: &str) -> Result<Option<String>, GraphError> {
        let url = self.graph_url(&format!(
            "v1.0/users/{}/sponsors/{}/$ref",
            segment(user_id),
            segment(sponsor_id)
        ));
        self.send_no_content::<()>(Method::DELETE, url, None).await
    }
}
