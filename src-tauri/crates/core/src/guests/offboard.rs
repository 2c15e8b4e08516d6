//! A partner's project ends (issue 14, point 5): every guest from one home domain and what they
//! hold here (groups, access packages, Dataverse roles, licences), then — after the preview — their access removed, their
//! sessions revoked and sign-in blocked, and optionally their accounts removed N days later.
//! It runs as a bulk run (resumable after any stop, each step a recorded change with Microsoft's
//! request-id), and its record exports as evidence an auditor can check against the hash chain.

use crate::action::{recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome};
use crate::engine::Engine;
use crate::onboarding::PlannedGuest;
use crate::problem::Problem;
use chrono::{Duration, NaiveDate, Utc};
use guestpass_graph::power::DataverseEnv;
use guestpass_store::{ChangeRecord, NewRunRow, StepState};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use ts_rs::TS;

use super::list::email_of;
use super::GuestVerb;

/// The steps of an off-boarding run, in the order each guest goes through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OffboardStep {
    LeaveGroup,
    DropPackage,
    DropLicense,
    DropRole,
    Block,
    RemoveAccount,
}

impl OffboardStep {
    pub(crate) fn name(self) -> &'static str {
        match self {
            OffboardStep::LeaveGroup => "leave-group",
            OffboardStep::DropPackage => "drop-package",
            OffboardStep::DropLicense => "drop-license",
            OffboardStep::DropRole => "drop-role",
            OffboardStep::Block => "block",
            OffboardStep::RemoveAccount => "remove-account",
        }
    }

    pub(crate) fn parse(name: &str) -> Option<OffboardStep> {
        [
            OffboardStep::LeaveGroup,
            OffboardStep::DropPackage,
            OffboardStep::DropLicense,
            OffboardStep::DropRole,
            OffboardStep::Block,
            OffboardStep::RemoveAccount,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// What one of the partner's guests holds here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PartnerGuest {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub enabled: bool,
    /// (id, name)
    pub groups: Vec<(String, String)>,
    /// (SKU id, part number)
    pub licenses: Vec<(String, String)>,
    /// (environment URL|role id, "role in environment")
    pub dataverse_roles: Vec<(String, String)>,
    /// (assignment id, access package name)
    pub access_packages: Vec<(String, String)>,
}

/// A partner's guests and what off-boarding them would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OffboardPlan {
    pub domain: String,
    pub guests: Vec<PartnerGuest>,
    /// Remove the accounts this many days after blocking them (0: at once); `None`: keep them.
    pub delete_after_days: Option<u32>,
    /// What is not covered, in words (e.g. Dataverse records, access packages).
    pub notes: Vec<String>,
}

/// A membership, licence or Dataverse role as the change log records its removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Holding {
    user_id: String,
    /// The group's, the SKU's or the role's id.
    id: String,
    name: String,
    /// For a Dataverse role: the environment's Dataverse URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    environment: Option<String>,
    held: bool,
}

/// For a Dataverse role: the environment's Dataverse and the guest's systemuserid there.
type RoleContext = Option<(DataverseEnv, String)>;

/// Takes away (or, as an undo, gives back) one group membership, licence or Dataverse role.
struct SetHolding {
    kind: ActionKind,
    email: String,
    from: Holding,
    to: Holding,
    undoes: Option<i64>,
    /// For a Dataverse role, when the caller has just read it (else the plan reads it).
    known: RoleContext,
}

impl Action for SetHolding {
    type State = Holding;
    type Context = RoleContext;
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::of(self.kind, self.undoes)
    }

    fn target(&self) -> String {
        self.email.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<Holding, RoleContext>, Problem> {
        let (who, what) = (&self.email, &self.to.name);
        let noun = match self.kind {
            ActionKind::RemoveFromGroup => "group",
            ActionKind::RemoveLicense => "licence",
            ActionKind::RemovePackageAssignment => "access package",
            _ => "Dataverse role",
        };
        if self.from.held == self.to.held {
            return Ok(Plan::AlreadySo {
                state: self.to.clone(),
                summary: match self.to.held {
                    true => format!("{who} already has the {noun} {what}."),
                    false => format!("{who} no longer has the {noun} {what}."),
                },
            });
        }
        let undid = self.undoes.map(|s| format!(" (undid change #{s})")).unwrap_or_default();
        let (would, done, failure) = match self.to.held {
            false => (
                format!("Would take the {noun} {what} from {who}."),
                format!("Took the {noun} {what} from {who}{undid}."),
                format!("Taking the {noun} {what} from {who}"),
            ),
            true => (
                format!("Would give {who} the {noun} {what} back."),
                format!("Gave {who} the {noun} {what} back{undid}."),
                format!("Giving {who} the {noun} {what} back"),
            ),
        };
        Ok(Plan::Change(Change {
            before: self.from.clone(),
            after: self.to.clone(),
            would,
            done,
            failure,
            blocked: None,
            undoes: self.undoes,
            context: match (&self.known, &self.to.environment) {
                (Some(known), _) => Some(known.clone()),
                (None, Some(url)) => Some(engine.dataverse_user_in(url, &self.to.user_id).await?),
                (None, None) => None,
            },
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<Holding, RoleContext>) -> Result<Applied<()>, Failure> {
        let h = &change.after;
        let request_id = match (self.kind, h.held, &change.context) {
            (ActionKind::RemoveFromGroup, false, _) => engine.graph.remove_group_member(&h.id, &h.user_id).await?,
            (ActionKind::RemoveFromGroup, true, _) => engine.graph.add_group_member(&h.id, &h.user_id).await?,
            (ActionKind::RemoveLicense, false, _) => engine.graph.remove_license(&h.user_id, &h.id).await?.request_id,
            (ActionKind::RemoveLicense, true, _) => engine.graph.assign_license(&h.user_id, &h.id).await?.request_id,
            (ActionKind::RemovePackageAssignment, false, _) => {
                engine.graph.remove_package_assignment(&h.id).await?.request_id
            }
            (ActionKind::RemovePackageAssignment, true, _) => {
                unreachable!("an access package is never given back as an undo")
            }
            (_, false, Some((env, user))) => engine.graph.dissociate_dataverse_role(env, user, &h.id).await?,
            (_, true, Some((env, user))) => engine.graph.associate_dataverse_role(env, user, &h.id).await?,
            (_, _, None) => unreachable!("a Dataverse role is planned with its environment"),
        };
        Ok(Applied::id(request_id))
    }
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A row's guest, as the run stores it.
fn row_input(g: &PartnerGuest) -> PlannedGuest {
    PlannedGuest {
        email: g.email.clone(),
        display_name: Some(g.display_name.clone()),
        ..Default::default()
    }
}

impl Engine {
    /// Ends access-package assignment `id` of the user (an `adminRemove` request, recorded; not
    /// undoable: the package comes back only through its policy).
    pub(crate) async fn drop_package_assignment(
        &self,
        user_id: &str,
        email: &str,
        id: &str,
    ) -> Result<StepOutcome, Problem> {
        let delivered = self
            .graph
            .package_assignments_of(user_id)
            .await
            .map_err(|e| Problem::from_graph("Reading the guest's access packages", &e))?;
        let found = delivered.iter().find(|a| a["id"] == id);
        let state = |held| Holding {
            user_id: user_id.to_string(),
            id: id.to_string(),
            name: found
                .and_then(|a| a["accessPackage"]["displayName"].as_str())
                .unwrap_or("an access package")
                .to_string(),
            environment: None,
            held,
        };
        self.run_step(&SetHolding {
            kind: ActionKind::RemovePackageAssignment,
            email: email.to_string(),
            from: state(found.is_some()),
            to: state(false),
            undoes: None,
            known: None,
        })
        .await
    }
}

impl Engine {
    /// Every guest whose address is at `domain`, with the groups and licences they hold here.
    /// Reads only.
    pub async fn offboarding_plan(
        &self,
        domain: &str,
        delete_after_days: Option<u32>,
    ) -> Result<OffboardPlan, Problem> {
        let domain = domain.trim().trim_start_matches('@').to_lowercase();
        if !domain.contains('.') || domain.contains(char::is_whitespace) {
            return Err(Problem::field(
                "domain",
                format!("\"{domain}\" is not a domain."),
                "Give the partner's e-mail domain, e.g. contoso.com.",
            ));
        }
        let read = |what: &'static str| move |e: guestpass_graph::GraphError| Problem::from_graph(what, &e);
        let users = self
            .graph
            .guests_for_list(false)
            .await
            .map_err(read("Reading the tenant's guests"))?;
        let skus: HashMap<String, String> = self
            .graph
            .subscribed_skus()
            .await
            .map_err(read("Reading the tenant's licences"))?
            .into_iter()
            .map(|s| (s.sku_id.to_lowercase(), s.sku_part_number))
            .collect();
        let mut notes = Vec::new();
        // Access packages: entitlement management exists only with P2 or ID Governance.
        let governed = self.has_governance().await?;
        if !governed {
            notes.push("No access packages to look at: entitlement management needs Entra ID P2 or ID Governance, which this tenant does not have.".to_string());
        }
        // Dataverse roles: every environment with Dataverse, asked about each guest.
        let environments: Vec<(String, DataverseEnv)> = match self.graph.power_environments().await {
            Ok(envs) => envs
                .into_iter()
                .filter_map(|e| Some((e.display_name, e.dataverse?)))
                .collect(),
            Err(e) => {
                notes.push(format!(
                    "Dataverse roles could not be read ({e}); blocking sign-in still ends their access there."
                ));
                Vec::new()
            }
        };
        let mut guests = Vec::new();
        for u in users.iter().filter(|u| email_of(u).ends_with(&format!("@{domain}"))) {
            let id = u["id"].as_str().unwrap_or_default().to_string();
            let groups = self
                .graph
                .member_of(&id)
                .await
                .map_err(read("Reading a guest's groups"))?
                .into_iter()
                .map(|g| (g.id.clone(), g.display_name.unwrap_or(g.id)))
                .collect();
            let licenses = u["assignedLicenses"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l["skuId"].as_str())
                .map(|sku| {
                    (
                        sku.to_string(),
                        skus.get(&sku.to_lowercase())
                            .cloned()
                            .unwrap_or_else(|| sku.to_string()),
                    )
                })
                .collect();
            let mut dataverse_roles = Vec::new();
            for (env_name, env) in &environments {
                let user = self
                    .graph
                    .dataverse_user(env, &id)
                    .await
                    .map_err(read("Reading a guest's Dataverse roles"))?;
                for r in user.map(|u| u.systemuserroles_association).unwrap_or_default() {
                    let name = r.name.unwrap_or_else(|| r.roleid.clone());
                    dataverse_roles.push((format!("{}|{}", env.url, r.roleid), format!("{name} in {env_name}")));
                }
            }
            let mut access_packages = Vec::new();
            if governed {
                for a in self
                    .graph
                    .package_assignments_of(&id)
                    .await
                    .map_err(read("Reading a guest's access packages"))?
                {
                    let name = a["accessPackage"]["displayName"]
                        .as_str()
                        .unwrap_or("an access package");
                    access_packages.push((a["id"].as_str().unwrap_or_default().to_string(), name.to_string()));
                }
            }
            guests.push(PartnerGuest {
                id,
                email: email_of(u),
                display_name: u["displayName"].as_str().unwrap_or_default().to_string(),
                enabled: u["accountEnabled"].as_bool().unwrap_or(true),
                groups,
                licenses,
                dataverse_roles,
                access_packages,
            });
        }
        guests.sort_by(|a, b| a.email.cmp(&b.email));
        Ok(OffboardPlan {
            domain,
            guests,
            delete_after_days,
            notes,
        })
    }

    /// Starts an off-boarding run for the plan (its steps written before anything is sent) and
    /// returns its id; [`Engine::run_import`] works through it like any bulk run.
    pub fn start_offboarding(&self, plan: &OffboardPlan) -> Result<i64, Problem> {
        if plan.guests.is_empty() {
            return Err(Problem::field(
                "domain",
                format!("No guest of this tenant has an address at {}.", plan.domain),
                "Check the domain (the part after @ in their addresses).",
            ));
        }
        let delete_on = plan
            .delete_after_days
            .map(|d| (today() + Duration::days(d.into())).format("%Y-%m-%d").to_string());
        let rows: Vec<NewRunRow> = plan
            .guests
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let mut steps: Vec<(String, Option<String>)> = Vec::new();
                steps.extend(
                    g.groups
                        .iter()
                        .map(|(id, _)| (OffboardStep::LeaveGroup.name().into(), Some(id.clone()))),
                );
                // Access packages first: their policies would otherwise put groups back.
                steps.extend(
                    g.access_packages
                        .iter()
                        .map(|(id, _)| (OffboardStep::DropPackage.name().into(), Some(id.clone()))),
                );
                // Roles before licences: Dataverse answers for a licensed user.
                steps.extend(
                    g.dataverse_roles
                        .iter()
                        .map(|(t, _)| (OffboardStep::DropRole.name().into(), Some(t.clone()))),
                );
                steps.extend(
                    g.licenses
                        .iter()
                        .map(|(id, _)| (OffboardStep::DropLicense.name().into(), Some(id.clone()))),
                );
                steps.push((OffboardStep::Block.name().into(), None));
                if let Some(on) = &delete_on {
                    steps.push((OffboardStep::RemoveAccount.name().into(), Some(on.clone())));
                }
                NewRunRow {
                    row_no: i as u32 + 1,
                    email: g.email.clone(),
                    input: json!(row_input(g)),
                    steps,
                }
            })
            .collect();
        let run_id = self
            .store
            .create_run(
                &self.info.tenant_id,
                &self.info.actor,
                &offboard_source(&plan.domain),
                &rows,
            )
            .map_err(Problem::local)?;
        for (i, g) in plan.guests.iter().enumerate() {
            self.store
                .set_row_user(run_id, i as u32 + 1, &g.id)
                .map_err(Problem::local)?;
        }
        Ok(run_id)
    }

    /// The newest off-boarding run of `domain` that still has steps to do (a removal not yet
    /// due, a stop), if any.
    pub fn unfinished_offboarding(&self, domain: &str) -> Result<Option<i64>, Problem> {
        let source = offboard_source(&domain.trim().trim_start_matches('@').to_lowercase());
        for run in self.store.runs(&self.info.tenant_id, 200).map_err(Problem::local)? {
            if run.source != source {
                continue;
            }
            let rows = self.store.run_rows(run.id).map_err(Problem::local)?;
            if rows.iter().any(|r| !r.is_settled()) {
                return Ok(Some(run.id));
            }
        }
        Ok(None)
    }

    /// One step of an off-boarding row: (state, summary, request-id, change seq).
    pub(crate) async fn run_offboard_step(
        &self,
        email: &str,
        user_id: Option<&str>,
        step: OffboardStep,
        target: Option<&str>,
    ) -> Result<(StepState, String, Option<String>, Option<i64>), Problem> {
        let user_id = user_id.unwrap_or_default();
        let outcome = match step {
            OffboardStep::LeaveGroup | OffboardStep::DropLicense => {
                let id = target.unwrap_or_default();
                let (kind, held, name) = if step == OffboardStep::LeaveGroup {
                    let groups = self
                        .graph
                        .member_of(user_id)
                        .await
                        .map_err(|e| Problem::from_graph("Reading the guest's groups", &e))?;
                    let g = groups.iter().find(|g| g.id == id);
                    let name = match g {
                        Some(g) => g.display_name.clone().unwrap_or_else(|| id.to_string()),
                        None => self
                            .resolve_group(id)
                            .await
                            .ok()
                            .and_then(|g| g.display_name)
                            .unwrap_or_else(|| id.to_string()),
                    };
                    (ActionKind::RemoveFromGroup, g.is_some(), name)
                } else {
                    let user = self
                        .guest_profile(&crate::GuestRef {
                            email: email.to_string(),
                            user_id: Some(user_id.to_string()),
                        })
                        .await?;
                    let skus = self
                        .graph
                        .subscribed_skus()
                        .await
                        .map_err(|e| Problem::from_graph("Reading the tenant's licences", &e))?;
                    let name = skus
                        .iter()
                        .find(|s| s.sku_id.eq_ignore_ascii_case(id))
                        .map(|s| s.sku_part_number.clone())
                        .unwrap_or_else(|| id.to_string());
                    let held = user.assigned_licenses.iter().any(|l| l.sku_id.eq_ignore_ascii_case(id));
                    (ActionKind::RemoveLicense, held, name)
                };
                let state = |held| Holding {
                    user_id: user_id.to_string(),
                    id: id.to_string(),
                    name: name.clone(),
                    environment: None,
                    held,
                };
                self.run_step(&SetHolding {
                    kind,
                    email: email.to_string(),
                    from: state(held),
                    to: state(false),
                    undoes: None,
                    known: None,
                })
                .await?
            }
            OffboardStep::DropPackage => {
                self.drop_package_assignment(user_id, email, target.unwrap_or_default())
                    .await?
            }
            OffboardStep::DropRole => {
                let (url, role_id) = target.unwrap_or_default().split_once('|').unwrap_or_default();
                let env = self.resolve_environment(url).await?;
                let dataverse = env.dataverse.clone().ok_or_else(|| {
                    refuse(
                        format!("{} has no Dataverse any more.", env.display_name),
                        "Nothing to take.",
                    )
                })?;
                let user = self
                    .graph
                    .dataverse_user(&dataverse, user_id)
                    .await
                    .map_err(|e| Problem::from_graph("Looking the guest up in Dataverse", &e))?;
                let role = user
                    .as_ref()
                    .and_then(|u| u.systemuserroles_association.iter().find(|r| r.roleid == role_id));
                let known = user.as_ref().map(|u| (dataverse.clone(), u.systemuserid.clone()));
                let name = format!(
                    "{} in {}",
                    role.and_then(|r| r.name.clone()).unwrap_or_else(|| role_id.to_string()),
                    env.display_name
                );
                let state = |held| Holding {
                    user_id: user_id.to_string(),
                    id: role_id.to_string(),
                    name: name.clone(),
                    environment: Some(url.to_string()),
                    held,
                };
                self.run_step(&SetHolding {
                    kind: ActionKind::RemoveDataverseRole,
                    email: email.to_string(),
                    from: state(role.is_some()),
                    to: state(false),
                    undoes: None,
                    known,
                })
                .await?
            }
            OffboardStep::Block | OffboardStep::RemoveAccount => {
                if step == OffboardStep::RemoveAccount {
                    let due = target.and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok());
                    if due.is_some_and(|d| d > today()) {
                        let on = target.unwrap_or_default();
                        return Ok((
                            StepState::Pending,
                            format!("Removal due on {on}: off-board this partner again on or after that day (the same run resumes)."),
                            None,
                            None,
                        ));
                    }
                }
                let verb = if step == OffboardStep::Block {
                    GuestVerb::Block
                } else {
                    GuestVerb::Remove
                };
                let user = self
                    .graph
                    .get_user(user_id)
                    .await
                    .map_err(|e| Problem::from_graph(&format!("Reading {email}"), &e))?
                    .body;
                let doc = json!({"id": user.id, "accountEnabled": user.account_enabled.unwrap_or(true)});
                self.act_on_guest(verb, &doc, email).await?
            }
        };
        let state = match outcome.status {
            crate::StepStatus::Changed => StepState::Done,
            _ => StepState::Unchanged,
        };
        let seq = (outcome.change_seq > 0).then_some(outcome.change_seq);
        Ok((state, outcome.summary, outcome.request_id, seq))
    }

    /// Undoes taking a group or licence away: gives it back, unless it is back already.
    pub(crate) async fn undo_offboard_step(&self, row: ChangeRecord, kind: ActionKind) -> Result<StepOutcome, Problem> {
        let Some(taken) = recorded::<Holding>(row.after.as_ref()) else {
            return Err(refuse(
                format!("Change #{} does not record what was taken.", row.seq),
                "Give it back by hand in Entra.",
            ));
        };
        let mut back = taken.clone();
        back.held = true;
        self.run_step(&SetHolding {
            kind,
            email: row.target.clone(),
            from: taken,
            to: back,
            undoes: Some(row.seq),
            known: None,
        })
        .await
    }

    /// An off-boarding run's record for an auditor: each step with its state, words, time,
    /// Microsoft's request-id and the change-log row it wrote (with that row's hashes), and the
    /// hash chain's verification at the time of export.
    pub fn offboarding_evidence(&self, run_id: i64) -> Result<Value, Problem> {
        let info = self.bulk_run(run_id)?;
        let rows = self.store.run_rows(run_id).map_err(Problem::local)?;
        let chain = self.store.verify_chain().map_err(Problem::local)?;
        let mut guests = Vec::new();
        for r in rows {
            let mut steps = Vec::new();
            for s in &r.steps {
                let change = match s.change_seq {
                    Some(seq) => self.store.change(seq).map_err(Problem::local)?,
                    None => None,
                };
                steps.push(json!({
                    "step": s.kind,
                    "target": s.target,
                    "state": s.state,
                    "summary": s.summary,
                    "requestId": s.request_id,
                    "change": change.map(|c| json!({"seq": c.seq, "at": c.at, "action": c.action, "actor": c.actor,
                        "before": c.before, "after": c.after, "requestId": c.request_id, "prevHash": c.prev_hash, "hash": c.hash})),
                }));
            }
            guests.push(json!({"email": r.email, "userId": r.user_id, "steps": steps}));
        }
        Ok(json!({
            "kind": "guestpass-offboarding-evidence",
            "run": run_id,
            "tenant": info.tenant,
            "actor": info.actor,
            "source": info.source,
            "createdAt": info.created_at,
            "exportedAt": Utc::now().to_rfc3339(),
            "guests": guests,
            "chain": chain,
            "howToCheck": "Each change's hash is SHA-256 over its content and the previous row's hash; `guestpass-cli history verify` recomputes the chain, and `history --json` shows the same hashes.",
        }))
    }
}

impl Engine {
    /// The Dataverse at `url` and the guest's systemuserid there.
    async fn dataverse_user_in(&self, url: &str, object_id: &str) -> Result<(DataverseEnv, String), Problem> {
        let env = self.resolve_environment(url).await?;
        let dataverse = env.dataverse.ok_or_else(|| {
            refuse(
                format!("{} has no Dataverse any more.", env.display_name),
                "Nothing to change.",
            )
        })?;
        let user = self
            .graph
            .dataverse_user(&dataverse, object_id)
            .await
            .map_err(|e| Problem::from_graph("Looking the guest up in Dataverse", &e))?
            .ok_or_else(|| {
                refuse(
                    "The guest is not in that environment's Dataverse any more.".into(),
                    "Nothing to change.",
                )
            })?;
        Ok((dataverse, user.systemuserid))
    }

    /// Writes [`Engine::offboarding_evidence`] to `path` as JSON and returns the path.
    pub fn write_offboarding_evidence(&self, run_id: i64, path: &std::path::Path) -> Result<String, Problem> {
        let text = serde_json::to_string_pretty(&self.offboarding_evidence(run_id)?).map_err(Problem::internal)?;
        std::fs::write(path, text)
            .map_err(|e| Problem::on_this_computer(format!("cannot write {}: {e}", path.display())))?;
        Ok(path.display().to_string())
    }
}

pub(crate) fn offboard_source(domain: &str) -> String {
    format!("offboard {domain}")
}
