//! One action for entitlement management's objects Guestpass creates — a connected
//! organisation, a catalog, an access package (with its groups' Member roles), an assignment
//! policy — and, as an undo, deletes. Each is found again by what names it (the partner's
//! domain, the catalog's name, the package's name in its catalog, the policy's name on its
//! package), so a run that stopped half-way and runs again creates nothing twice. A connected
//! organisation Microsoft made *proposed* (someone asked before it was connected) is set to
//! `configured` instead of created; undoing that sets it back.

use crate::action::{refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, Verified};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::entitlement::EmCollection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An object as the change log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EmObject {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    /// What it lives in: a package's catalog id, a policy's package id.
    #[serde(default)]
    pub within: Option<String>,
    /// A connected organisation's domain (how it is found again).
    #[serde(default)]
    pub domain: Option<String>,
    pub present: bool,
    /// A connected organisation's state (`configured` or `proposed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// The extranet creation this was part of (its undo removes the whole run).
    #[serde(default)]
    pub run: Option<String>,
}

/// A group whose Member role a new package gets.
#[derive(Debug, Clone)]
pub(crate) struct GroupRole {
    pub group_id: String,
}

/// Creates (or, as an undo, deletes) one object.
pub(crate) struct SetEmObject {
    pub kind: ActionKind,
    pub to: EmObject,
    /// What is sent to create it (without the ids of what it lives in, filled in at apply).
    pub body: Value,
    /// A package's groups.
    pub roles: Vec<GroupRole>,
    /// What it is, in words ("the access package Falcon partner access").
    pub noun: String,
    pub undoes: Option<i64>,
}

pub(crate) fn collection(kind: ActionKind) -> EmCollection {
    match kind {
        ActionKind::ConnectOrganization => EmCollection::ConnectedOrganizations,
        ActionKind::CreateCatalog => EmCollection::Catalogs,
        ActionKind::CreateAccessPackage => EmCollection::AccessPackages,
        _ => EmCollection::AssignmentPolicies,
    }
}

/// Whether `item` (as Microsoft lists it) is the object `o` names.
pub(crate) fn is(kind: ActionKind, o: &EmObject, item: &Value) -> bool {
    if let Some(id) = &o.id {
        return item["id"] == id.as_str();
    }
    let same_name = item["displayName"]
        .as_str()
        .is_some_and(|n| n.eq_ignore_ascii_case(&o.name));
    match kind {
        ActionKind::ConnectOrganization => {
            let domain = o.domain.as_deref().unwrap_or_default();
            item["identitySources"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s["domainName"].as_str().is_some_and(|d| d.eq_ignore_ascii_case(domain)))
        }
        ActionKind::CreateCatalog => same_name,
        ActionKind::CreateAccessPackage => same_name && o.within.as_deref().is_some_and(|c| item["catalog"]["id"] == c),
        _ => same_name && o.within.as_deref().is_some_and(|p| item["accessPackage"]["id"] == p),
    }
}

impl SetEmObject {
    /// The body with the ids of what it lives in.
    fn body_within(&self, within: &str) -> Value {
        let mut body = self.body.clone();
        match self.kind {
            ActionKind::CreateAccessPackage => body["catalog"] = serde_json::json!({"id": within}),
            ActionKind::CreateAssignmentPolicy => body["accessPackage"] = serde_json::json!({"id": within}),
            _ => {}
        }
        body
    }

    /// A new package gets each group's Member role; if one cannot be given, the package is
    /// deleted again so that a retry starts clean.
    async fn give_roles(&self, engine: &Engine, package: &str, catalog: &str) -> Result<(), Failure> {
        let resources = engine.graph.catalog_resources(catalog).await?;
        for role in &self.roles {
            let member = format!("Member_{}", role.group_id);
            let found = resources.iter().find_map(|r| {
                let has = r["roles"].as_array()?.iter().any(|x| x["originId"] == member.as_str());
                has.then(|| r["id"].as_str().map(str::to_string)).flatten()
            });
            let given = match found {
                Some(resource) => engine
                    .graph
                    .add_package_role(package, &resource, &member, &role.group_id)
                    .await
                    .map(|_| ())
                    .map_err(Failure::from),
                None => Err(Failure::Refused(refuse(
                    format!("The group {} is not in the catalog yet.", role.group_id),
                    "Run again: the group is added to the catalog first.",
                ))),
            };
            if let Err(e) = given {
                let _ = engine.graph.em_delete(EmCollection::AccessPackages, package).await;
                return Err(e);
            }
        }
        Ok(())
    }
}

impl Action for SetEmObject {
    type State = EmObject;
    type Context = ();
    type Answer = Option<String>;

    fn logged(&self) -> Logged {
        Logged::of(self.kind, self.undoes)
    }

    fn target(&self) -> String {
        match &self.to.domain {
            Some(d) => format!("{} ({d})", self.to.name),
            None => self.to.name.clone(),
        }
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<EmObject, ()>, Problem> {
        let listed = engine
            .graph
            .em_list(collection(self.kind))
            .await
            .map_err(|e| Problem::from_graph("Reading entitlement management", &e))?;
        let found = listed.iter().find(|item| is(self.kind, &self.to, item));
        let mut before = self.to.clone();
        before.present = found.is_some();
        before.id = found.and_then(|f| f["id"].as_str()).map(str::to_string).or(before.id);
        if self.kind == ActionKind::ConnectOrganization {
            before.state = found.and_then(|f| f["state"].as_str()).map(str::to_string);
        }
        if let (Some(f), true) = (found, self.to.present) {
            if self.kind == ActionKind::CreateCatalog && f["isExternallyVisible"] != true {
                return Err(refuse(
                    format!(
                        "{} is not enabled for external users, so a partner's people could not ask for its packages.",
                        self.noun
                    ),
                    "Choose another catalog, or turn on 'Enabled for external users' in its settings in Entra.",
                ));
            }
        }
        let same_state = !self.to.present || self.to.state.is_none() || before.state == self.to.state;
        if before.present == self.to.present && same_state {
            let summary = match self.to.present {
                true => format!("{} already exists; it is used as it is.", capital(&self.noun)),
                false => format!("{} is already gone.", capital(&self.noun)),
            };
            return Ok(Plan::AlreadySo { state: before, summary });
        }
        if before.present && self.to.present {
            // Only a connected organisation's state differs.
            let (from, to) = (
                before.state.clone().unwrap_or_default(),
                self.to.state.clone().unwrap_or_default(),
            );
            let undid = self.undoes.map(|s| format!(" (undid change #{s})")).unwrap_or_default();
            let why = if to == "configured" {
                " (it was proposed: made when someone asked for access, perhaps with a personal account), so policies for its people apply"
            } else {
                ""
            };
            let mut after = self.to.clone();
            after.id = before.id.clone();
            return Ok(Plan::Change(Change {
                would: format!("Would set {} from {from} to {to}{why}.", self.noun),
                done: format!("Set {} to {to}{undid}.", self.noun),
                failure: format!("Setting {} to {to}", self.noun),
                before,
                after,
                blocked: None,
                undoes: self.undoes,
                context: (),
            }));
        }
        let undid = self.undoes.map(|s| format!(" (undid change #{s})")).unwrap_or_default();
        let noun = &self.noun;
        let (would, done, failure) = match self.to.present {
            true => (
                format!("Would create {noun}."),
                format!("Created {noun}."),
                format!("Creating {noun}"),
            ),
            false => (
                format!("Would delete {noun}."),
                format!("Deleted {noun}{undid}."),
                format!("Deleting {noun}"),
            ),
        };
        let needs_within = matches!(
            self.kind,
            ActionKind::CreateAccessPackage | ActionKind::CreateAssignmentPolicy
        );
        let blocked = (self.to.present && needs_within && self.to.within.is_none()).then(|| {
            refuse(
                format!("{} has nothing to live in yet.", capital(noun)),
                "Run the whole creation again; the earlier steps make it.",
            )
        });
        let mut after = self.to.clone();
        after.id = before.id.clone().filter(|_| !self.to.present).or(after.id);
        Ok(Plan::Change(Change {
            before,
            after,
            would,
            done,
            failure,
            blocked,
            undoes: self.undoes,
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<EmObject, ()>) -> Result<Applied<Option<String>>, Failure> {
        let what = collection(self.kind);
        if change.before.present && change.after.present {
            let id = change.before.id.clone().unwrap_or_default();
            let body = serde_json::json!({"state": change.after.state});
            let request_id = engine.graph.em_update(what, &id, &body).await?;
            return Ok(Applied {
                answer: None,
                request_id,
            });
        }
        if !change.after.present {
            let id = change.before.id.clone().unwrap_or_default();
            let request_id = engine.graph.em_delete(what, &id).await?;
            return Ok(Applied {
                answer: None,
                request_id,
            });
        }
        let within = change.after.within.clone().unwrap_or_default();
        let made = engine.graph.em_create(what, &self.body_within(&within)).await?;
        let id = made.body["id"].as_str().map(str::to_string);
        if let (ActionKind::CreateAccessPackage, Some(package)) = (self.kind, &id) {
            self.give_roles(engine, package, &within).await?;
        }
        Ok(Applied {
            answer: id,
            request_id: made.request_id,
        })
    }

    async fn verify(&self, _: &Engine, change: Change<EmObject, ()>, id: &Option<String>) -> Verified<EmObject> {
        let mut after = change.after;
        if id.is_some() {
            after.id = id.clone();
        }
        Verified {
            after,
            summary: change.done,
        }
    }
}

pub(crate) fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
