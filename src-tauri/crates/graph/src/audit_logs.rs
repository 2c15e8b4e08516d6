//! Microsoft's logs under `/auditLogs`: the sign-in log (Entra ID P1 only, 30 days kept) and the
//! directory audit log (7 days on Free, 30 with P1). Both answer at most 1,000 per page and share
//! the identity reports' limit of five reads per ten seconds per app — so Guestpass reads a time
//! window once, page by page, and matches guests locally instead of asking guest by guest.

use crate::api::with_query;
use crate::client::GraphClient;
use crate::error::GraphError;
use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;

/// One page of a log: its entries and the link to the next page.
#[derive(Debug, Deserialize)]
pub struct LogPage {
    pub value: Vec<Value>,
    #[serde(rename = "@odata.nextLink")]
    pub next: Option<String>,
}

impl GraphClient {
    /// Every sign-in since `since` (RFC 3339), newest first, with the report-only results of
    /// Conditional Access (`Prefer: include-unknown-enum-members`; without it Graph hides them
    /// as `unknownFutureValue`).
    pub async fn sign_ins_since(&self, since: &str) -> Result<Vec<Value>, GraphError> {
        let mut out = Vec::new();
        let mut next = None;
        loop {
            let page = self.sign_ins_page(since, next.as_deref()).await?;
            out.extend(page.value);
            match page.next {
                Some(link) => next = Some(link),
                None => return Ok(out),
            }
        }
    }

    /// One page of the sign-in log since `since`; start with `None`, then pass the page's `next`.
    pub async fn sign_ins_page(&self, since: &str, next: Option<&str>) -> Result<LogPage, GraphError> {
        let filter = format!("createdDateTime ge {since}");
        self.log_page("v1.0/auditLogs/signIns", &filter, next).await
    }

    /// One page of the directory audit log since `since`, newest first.
    pub async fn directory_audits_page(&self, since: &str, next: Option<&str>) -> Result<LogPage, GraphError> {
        let filter = format!("activityDateTime ge {since}");
        self.log_page("v1.0/auditLogs/directoryAudits", &filter, next).await
    }

    /// The users whose account was enabled again since `since` (one filtered read of the
    /// directory audit log: "Enable account").
    pub async fn accounts_enabled_since(&self, since: &str) -> Result<Vec<String>, GraphError> {
        let filter = format!("activityDisplayName eq 'Enable account' and activityDateTime ge {since}");
        let url = self.graph_url(&with_query(
            "v1.0/auditLogs/directoryAudits",
            &[("$filter", &filter), ("$top", "1000")],
        ));
        let entries: Vec<Value> = self.list_all(url, None).await?;
        Ok(entries
            .iter()
            .flat_map(|e| e["targetResources"].as_array().cloned().unwrap_or_default())
            .filter(|t| t["type"] == "User")
            .filter_map(|t| t["id"].as_str().map(str::to_string))
            .collect())
    }

    async fn log_page(&self, path: &str, filter: &str, next: Option<&str>) -> Result<LogPage, GraphError> {
        let url = match next {
            Some(link) => self.checked_next_link(link)?,
            None => self.graph_url(&with_query(path, &[("$filter", filter), ("$top", "1000")])),
        };
        let (bytes, _) = self
            .send_paced::<()>(
                Method::GET,
                url.clone(),
                None,
                &[("Prefer", "include-unknown-enum-members")],
                true,
            )
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| GraphError::Decode {
            url: url.to_string(),
            reason: e.to_string(),
        })
    }
}
