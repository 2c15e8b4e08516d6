//! The sign-in log (`/auditLogs/signIns`): Entra ID P1 only, 30 days kept, 1,000 per page,
//! five reads per ten seconds per app — so Guestpass reads a time window once and matches
//! guests locally instead of asking guest by guest.

use crate::api::with_query;
use crate::client::GraphClient;
use crate::error::GraphError;
use serde_json::Value;

impl GraphClient {
    /// Every sign-in since `since` (RFC 3339), newest first, with the report-only results of
    /// Conditional Access (`Prefer: include-unknown-enum-members`; without it Graph hides them
    /// as `unknownFutureValue`).
    pub async fn sign_ins_since(&self, since: &str) -> Result<Vec<Value>, GraphError> {
        let filter = format!("createdDateTime ge {since}");
        let url = self.graph_url(&with_query(
            "v1.0/auditLogs/signIns",
            &[("$filter", &filter), ("$top", "1000")],
        ));
        self.list_pages(url, None, &[("Prefer", "include-unknown-enum-members")])
            .await
    }
}
