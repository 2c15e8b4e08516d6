//! Taking an extranet down: undoing its creation removes, newest first, what that creation made
//! — the policy, the package, then the groups, catalog, sponsors and connected organisation
//! that nothing else uses — refusing while anyone still holds the package. Single pieces undo
//! on their own from History; an assignment can be removed (not given back: only its policy can).

use super::links::{Link, SetLink};
use super::objects::{EmObject, SetEmObject};
use crate::action::{recorded, refuse, ActionKind, StepOutcome, StepStatus};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::entitlement::EmCollection;
use guestpass_store::{ChangeFilter, ChangeRecord, ChangeResult};
use serde_json::Value;

/// What one extranet creation recorded, in the order it was made.
const MADE: [ActionKind; 6] = [
    ActionKind::ConnectOrganization,
    ActionKind::AddOrganizationSponsor,
    ActionKind::CreateCatalog,
    ActionKind::AddCatalogResource,
    ActionKind::CreateAccessPackage,
    ActionKind::CreateAssignmentPolicy,
];

fn kept(summary: String) -> StepOutcome {
    StepOutcome {
        step: "undo".into(),
        status: StepStatus::Unchanged,
        summary,
        request_id: None,
        change_seq: 0,
    }
}

fn run_of(row: &ChangeRecord) -> Option<String> {
    row.after.as_ref()?["run"].as_str().map(str::to_string)
}

impl Engine {
    /// Rows of this tenant's log that made a piece of entitlement management and are not undone.
    fn made_rows(&self, kinds: &[ActionKind]) -> Result<Vec<ChangeRecord>, Problem> {
        let mut rows = Vec::new();
        for kind in kinds {
            let filter = ChangeFilter {
                tenant: Some(self.info.tenant_id.clone()),
                action: Some(kind.name().into()),
                result: Some(ChangeResult::Succeeded),
                limit: Some(10_000),
                ..ChangeFilter::default()
            };
            for row in self.store.query_changes(&filter).map_err(Problem::local)? {
                if self.store.undone_by(row.seq).map_err(Problem::local)?.is_none() {
                    rows.push(row);
                }
            }
        }
        Ok(rows)
    }

    /// Removes the extranet whose access package is `package_id`, as far as Guestpass made it.
    pub async fn remove_extranet(&self, package_id: &str) -> Result<Vec<StepOutcome>, Problem> {
        let row = self
            .made_rows(&[ActionKind::CreateAccessPackage])?
            .into_iter()
            .find(|r| r.after.as_ref().is_some_and(|a| a["id"] == package_id))
            .ok_or_else(|| {
                refuse(
                    "Guestpass did not create this access package (or it was removed already).".into(),
                    "Remove it in Entra: Identity Governance > Access packages.",
                )
            })?;
        self.remove_run(row).await
    }

    async fn remove_run(&self, package_row: ChangeRecord) -> Result<Vec<StepOutcome>, Problem> {
        let read = |e| Problem::from_graph("Reading entitlement management", &e);
        let package: EmObject = recorded(package_row.after.as_ref()).ok_or_else(|| {
            refuse(
                format!("Change #{} does not record the package.", package_row.seq),
                "Remove it in Entra: Identity Governance > Access packages.",
            )
        })?;
        let package_id = package.id.clone().unwrap_or_default();
        let holders = self.graph.package_assignments(&package_id).await.map_err(read)?;
        if !holders.is_empty() {
            return Err(refuse(
                format!(
                    "{} {} still {} \"{}\".",
                    holders.len(),
                    if holders.len() == 1 { "person" } else { "people" },
                    if holders.len() == 1 { "has" } else { "have" },
                    package.name
                ),
                "Remove their assignments first (Partners > the package > Remove), then remove the extranet.",
            ));
        }
        let run = run_of(&package_row);
        let mut rows: Vec<ChangeRecord> = self
            .made_rows(&MADE)?
            .into_iter()
            .filter(|r| r.seq == package_row.seq || (run.is_some() && run_of(r) == run))
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.seq));
        let own_policies: Vec<String> = rows
            .iter()
            .filter(|r| r.action == ActionKind::CreateAssignmentPolicy.name())
            .filter_map(|r| r.after.as_ref()?["id"].as_str().map(str::to_string))
            .collect();
        let packages = self.graph.em_list(EmCollection::AccessPackages).await.map_err(read)?;
        let policies = self
            .graph
            .em_list(EmCollection::AssignmentPolicies)
            .await
            .map_err(read)?;
        let others_in = |catalog: &str| -> Vec<Value> {
            packages
                .iter()
                .filter(|p| p["catalog"]["id"] == catalog && p["id"] != package_id.as_str())
                .cloned()
                .collect()
        };
        let org_used = |org: &str| {
            policies.iter().any(|p| {
                !own_policies.iter().any(|o| p["id"] == o.as_str())
                    && p["specificAllowedTargets"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|t| t["connectedOrganizationId"] == org)
            })
        };
        let mut out = Vec::new();
        for row in rows {
            let kind = ActionKind::from_name(&row.action).expect("made rows have known kinds");
            match kind {
                ActionKind::AddCatalogResource => {
                    let link: Option<Link> = recorded(row.after.as_ref());
                    let Some(link) = link else { continue };
                    let mut users = Vec::new();
                    for other in others_in(&link.holder) {
                        let id = other["id"].as_str().unwrap_or_default();
                        let full = self.graph.access_package(id).await.map_err(read)?;
                        let uses = full["resourceRoleScopes"].as_array().into_iter().flatten().any(|s| {
                            s["role"]["originId"]
                                .as_str()
                                .is_some_and(|o| o.ends_with(&format!("_{}", link.member)))
                        });
                        if uses {
                            users.push(other["displayName"].as_str().unwrap_or(id).to_string());
                        }
                    }
                    if !users.is_empty() {
                        out.push(kept(format!(
                            "Kept the group {} in the catalog {}: {} still use it.",
                            link.member_name,
                            link.holder_name,
                            users.join(", ")
                        )));
                        continue;
                    }
                }
                ActionKind::CreateCatalog => {
                    let made: Option<EmObject> = recorded(row.after.as_ref());
                    let others = made
                        .as_ref()
                        .map(|m| others_in(m.id.as_deref().unwrap_or_default()))
                        .unwrap_or_default();
                    if !others.is_empty() {
                        out.push(kept(format!(
                            "Kept the catalog {}: it holds other access packages.",
                            made.map(|m| m.name).unwrap_or_default()
                        )));
                        continue;
                    }
                }
                ActionKind::AddOrganizationSponsor | ActionKind::ConnectOrganization => {
                    let org = match kind {
                        ActionKind::ConnectOrganization => row.after.as_ref().and_then(|a| a["id"].as_str()),
                        _ => row.after.as_ref().and_then(|a| a["holder"].as_str()),
                    }
                    .unwrap_or_default()
                    .to_string();
                    if org_used(&org) {
                        if kind == ActionKind::ConnectOrganization {
                            out.push(kept(format!(
                                "Kept the connected organisation {}: other access packages' policies let its people ask.",
                                row.target
                            )));
                        }
                        continue;
                    }
                }
                _ => {}
            }
            out.push(self.undo_extranet_piece(row, kind).await?);
        }
        Ok(out)
    }

    /// Undoes one recorded piece (the package's row undoes its whole creation).
    pub(crate) async fn undo_extranet(&self, row: ChangeRecord, kind: ActionKind) -> Result<StepOutcome, Problem> {
        if kind != ActionKind::CreateAccessPackage {
            return self.undo_extranet_piece(row, kind).await;
        }
        let seq = row.seq;
        let steps = self.remove_run(row).await?;
        let last = steps
            .iter()
            .rev()
            .find(|s| s.change_seq != 0)
            .cloned()
            .unwrap_or_else(|| kept(String::new()));
        Ok(StepOutcome {
            summary: format!(
                "Removed the extranet made with change #{seq}: {}",
                steps.iter().map(|s| s.summary.as_str()).collect::<Vec<_>>().join(" ")
            ),
            ..last
        })
    }

    async fn undo_extranet_piece(&self, row: ChangeRecord, kind: ActionKind) -> Result<StepOutcome, Problem> {
        let missing = || {
            refuse(
                format!("Change #{} does not record what it made.", row.seq),
                "Remove it by hand in Entra (Identity Governance > Entitlement management).",
            )
        };
        match kind {
            ActionKind::AddCatalogResource | ActionKind::AddOrganizationSponsor => {
                let mut to: Link = recorded(row.after.as_ref()).ok_or_else(missing)?;
                to.present = false;
                self.run_step(&SetLink {
                    kind,
                    to,
                    undoes: Some(row.seq),
                })
                .await
            }
            _ => {
                let made: EmObject = recorded(row.after.as_ref())
                    .filter(|o: &EmObject| o.id.is_some())
                    .ok_or_else(missing)?;
                // What was there before comes back: nothing (delete it), or a proposed organisation.
                let to = match recorded::<EmObject>(row.before.as_ref()) {
                    Some(was) if was.present => EmObject {
                        id: made.id.clone(),
                        ..was
                    },
                    _ => EmObject { present: false, ..made },
                };
                let noun = match kind {
                    ActionKind::ConnectOrganization => format!("the connected organisation {}", row.target),
                    ActionKind::CreateCatalog => format!("the catalog {}", to.name),
                    ActionKind::CreateAccessPackage => format!("the access package \"{}\"", to.name),
                    _ => format!("the policy \"{}\"", to.name),
                };
                self.run_step(&SetEmObject {
                    kind,
                    to,
                    body: Value::Null,
                    roles: vec![],
                    noun,
                    undoes: Some(row.seq),
                })
                .await
            }
        }
    }

    /// Ends one person's assignment of a package (an `adminRemove` request, recorded).
    pub async fn remove_extranet_assignment(
        &self,
        package_id: &str,
        assignment_id: &str,
    ) -> Result<StepOutcome, Problem> {
        let found = self
            .graph
            .package_assignments(package_id)
            .await
            .map_err(|e| Problem::from_graph("Reading the package's assignments", &e))?
            .into_iter()
            .find(|a| a["id"] == assignment_id)
            .ok_or_else(|| {
                refuse(
                    "That assignment is not current any more.".into(),
                    "Refresh the list: it may have expired or been removed already.",
                )
            })?;
        let user = found["target"]["objectId"].as_str().unwrap_or_default().to_string();
        let email = found["target"]["email"].as_str().unwrap_or(&user).to_string();
        self.drop_package_assignment(&user, &email, assignment_id).await
    }
}
