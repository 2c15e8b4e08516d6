//! Every guest of the tenant with what the Guests list shows, at Graph's largest page size.
//! `signInActivity` needs Entra ID P1 and `AuditLog.Read.All`; without them the list is read
//! again without it, and the reason is kept.

use crate::api::with_query;
use crate::client::GraphClient;
use crate::error::GraphError;
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
                ("$top", "999"),
            ],
        ));
        self.list_all(url, None).await
    }
}
