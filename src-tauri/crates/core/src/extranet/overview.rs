//! The Partners screen's extranet view: the connected organisations (configured and proposed)
//! with their sponsors, the packages their people can ask for (with the link, who approves,
//! when access ends), pending requests and current assignments.

use super::lifecycle::{ExternalLifecycle, LIFECYCLE_CAVEAT};
use super::my_access_link;
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::entitlement::{EmCollection, SponsorSide};
use guestpass_graph::GraphError;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExtranetOverview {
    /// Whether the tenant has Entra ID P2 or ID Governance; without it the rest is empty.
    pub licensed: bool,
    /// What the licence allows and what bills per guest, in words.
    pub licence_note: String,
    pub lifecycle: Option<ExternalLifecycle>,
    pub lifecycle_caveat: String,
    pub partners: Vec<ExtranetPartner>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExtranetPartner {
    pub id: String,
    pub name: String,
    pub domains: Vec<String>,
    /// `configured`, or `proposed` (made when someone asked, perhaps with a personal account).
    pub state: String,
    pub internal_sponsors: Vec<String>,
    pub external_sponsors: Vec<String>,
    pub packages: Vec<ExtranetPackage>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExtranetPackage {
    pub id: String,
    pub name: String,
    pub hidden: bool,
    pub my_access_link: String,
    /// Who approves and when access ends, in words.
    pub policy: String,
    pub assignments: Vec<PackageAssignment>,
    pub pending: Vec<PendingRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PackageAssignment {
    pub id: String,
    pub who: String,
    pub since: Option<String>,
    pub expires: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PendingRequest {
    pub id: String,
    pub who: String,
    pub since: Option<String>,
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// An assignment policy in a few words.
fn policy_words(p: &Value) -> String {
    let stage = &p["requestApprovalSettings"]["stages"][0];
    let approver = stage["primaryApprovers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| match a["@odata.type"].as_str().unwrap_or_default() {
            "#microsoft.graph.externalSponsors" => "the partner's external sponsors".to_string(),
            "#microsoft.graph.internalSponsors" => "the partner's internal sponsors".to_string(),
            _ => a["description"]
                .as_str()
                .or(a["userId"].as_str())
                .unwrap_or("someone")
                .to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let approval = if p["requestApprovalSettings"]["isApprovalRequiredForAdd"] == true {
        format!("{approver} approves")
    } else {
        "no approval".into()
    };
    let ends = match p["expiration"]["duration"].as_str() {
        Some(d) => format!(
            "access ends after {} days",
            d.trim_start_matches('P').trim_end_matches('D')
        ),
        None => "access does not end on its own".into(),
    };
    format!("{approval}; {ends}")
}

impl Engine {
    /// Every connected organisation with what its people can ask for and who has it.
    pub async fn extranet_overview(&self) -> Result<ExtranetOverview, Problem> {
        let caveat = LIFECYCLE_CAVEAT.to_string();
        if !self.has_governance().await? {
            return Ok(ExtranetOverview {
                licensed: false,
                licence_note: "Partner extranets use entitlement management, which needs Microsoft Entra ID P2 or ID Governance; this tenant has neither. Buy or start a trial for the admins who set it up.".into(),
                lifecycle: None,
                lifecycle_caveat: caveat,
                partners: vec![],
            });
        }
        let read = |e: GraphError| Problem::from_graph("Reading entitlement management", &e);
        let orgs = self
            .graph
            .em_list(EmCollection::ConnectedOrganizations)
            .await
            .map_err(read)?;
        let packages = self.graph.em_list(EmCollection::AccessPackages).await.map_err(read)?;
        let policies = self
            .graph
            .em_list(EmCollection::AssignmentPolicies)
            .await
            .map_err(read)?;
        let pending = self.graph.pending_package_requests().await.map_err(read)?;
        let mut partners = Vec::new();
        for o in &orgs {
            let id = o["id"].as_str().unwrap_or_default().to_string();
            let names = |side| async move {
                Ok::<_, Problem>(
                    self.graph
                        .organization_sponsors(&id_of(o), side)
                        .await
                        .map_err(read)?
                        .iter()
                        .filter_map(|u| text(&u["mail"]).or(text(&u["displayName"])))
                        .collect::<Vec<_>>(),
                )
            };
            let mut theirs = Vec::new();
            for p in policies.iter().filter(|p| {
                p["specificAllowedTargets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|t| t["connectedOrganizationId"] == id.as_str())
            }) {
                let package_id = p["accessPackage"]["id"].as_str().unwrap_or_default().to_string();
                let Some(package) = packages.iter().find(|k| k["id"] == package_id.as_str()) else {
                    continue;
                };
                let assignments = self
                    .graph
                    .package_assignments(&package_id)
                    .await
                    .map_err(read)?
                    .iter()
                    .map(|a| PackageAssignment {
                        id: a["id"].as_str().unwrap_or_default().to_string(),
                        who: text(&a["target"]["email"])
                            .or(text(&a["target"]["displayName"]))
                            .unwrap_or_default(),
                        since: text(&a["schedule"]["startDateTime"]),
                        expires: text(&a["schedule"]["expiration"]["endDateTime"]),
                    })
                    .collect();
                theirs.push(ExtranetPackage {
                    my_access_link: my_access_link(&self.info.initial_domain, &package_id),
                    name: text(&package["displayName"]).unwrap_or_default(),
                    hidden: package["isHidden"] == true,
                    policy: policy_words(p),
                    assignments,
                    pending: pending
                        .iter()
                        .filter(|r| r["accessPackage"]["id"] == package_id.as_str())
                        .map(|r| PendingRequest {
                            id: r["id"].as_str().unwrap_or_default().to_string(),
                            who: text(&r["requestor"]["email"])
                                .or(text(&r["requestor"]["displayName"]))
                                .unwrap_or_default(),
                            since: text(&r["createdDateTime"]),
                        })
                        .collect(),
                    id: package_id,
                });
            }
            partners.push(ExtranetPartner {
                name: text(&o["displayName"]).unwrap_or_else(|| id.clone()),
                domains: o["identitySources"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| text(&s["domainName"]))
                    .collect(),
                state: text(&o["state"]).unwrap_or_else(|| "configured".into()),
                internal_sponsors: names(SponsorSide::Internal).await?,
                external_sponsors: names(SponsorSide::External).await?,
                packages: theirs,
                id,
            });
        }
        partners.sort_by_key(|p| (p.state != "configured", p.name.to_lowercase()));
        Ok(ExtranetOverview {
            licensed: true,
            licence_note: "Entra ID P2 or ID Governance is present. Sponsors approving requests and reviews of inactive guests bill the ID Governance meter per guest each month; a named approver does not.".into(),
            lifecycle: Some(self.external_lifecycle().await?),
            lifecycle_caveat: caveat,
            partners,
        })
    }
}

impl Engine {
    /// The names of the catalogs an extranet can use: those enabled for external users.
    pub async fn extranet_catalogs(&self) -> Result<Vec<String>, Problem> {
        let mut names: Vec<String> = self
            .graph
            .em_list(EmCollection::Catalogs)
            .await
            .map_err(|e| Problem::from_graph("Reading the catalogs", &e))?
            .iter()
            .filter(|c| c["isExternallyVisible"] == true)
            .filter_map(|c| text(&c["displayName"]))
            .collect();
        names.sort_by_key(|n| n.to_lowercase());
        Ok(names)
    }
}

fn id_of(o: &Value) -> String {
    o["id"].as_str().unwrap_or_default().to_string()
}
