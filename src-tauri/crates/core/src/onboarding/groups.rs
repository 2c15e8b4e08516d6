//! The groups half of the Access step: finding groups, adding the guest to one (riding out
//! replication right after the invitation), and removing them again on undo.

use super::guest::GuestRef;
use crate::action::{
    recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, CHANGED_SINCE,
};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::models::Group;
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupOption {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub security_enabled: bool,
}

impl From<Group> for GroupOption {
    fn from(g: Group) -> Self {
        GroupOption {
            display_name: g.display_name.unwrap_or_else(|| g.id.clone()),
            id: g.id,
            description: g.description,
            security_enabled: g.security_enabled,
        }
    }
}

/// One membership, as the change log records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Membership {
    pub group_id: String,
    pub group_name: String,
    pub member: bool,
}

struct AddToGroup {
    guest: GuestRef,
    group: String,
}

impl Action for AddToGroup {
    type State = Membership;
    /// The guest's object id.
    type Context = String;
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::Did(ActionKind::AddToGroup)
    }

    fn target(&self) -> String {
        self.guest.email.clone()
    }

    // Right after an invitation Graph may not know the user yet.
    fn waits_for_replication(&self) -> bool {
        true
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<Membership>, Problem> {
        let email = &self.guest.email;
        let g = engine.resolve_group(&self.group).await?;
        let name = g.display_name.clone().unwrap_or_else(|| g.id.clone());
        let current = engine.guest_profile(&self.guest).await?;
        let state = |member| Membership {
            group_id: g.id.clone(),
            group_name: name.clone(),
            member,
        };
        let already = engine
            .graph
            .member_of(&current.id)
            .await
            .map_err(|e| Problem::from_graph("Reading group memberships", &e))?;
        if already.iter().any(|m| m.id == g.id) {
            return Ok(Plan::AlreadySo {
                state: state(true),
                summary: format!("{email} is already in {name}."),
            });
        }
        Ok(Plan::Change(Change {
            before: state(false),
            after: state(true),
            would: format!("Would add {email} to {name}."),
            done: format!("Added {email} to {name}."),
            failure: format!("Adding {email} to {name}"),
            blocked: None,
            undoes: None,
            context: current.id,
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<Membership>) -> Result<Applied<()>, Failure> {
        match engine
            .graph
            .add_group_member(&change.after.group_id, &change.context)
            .await
        {
            Ok(request_id) => Ok(Applied::id(request_id)),
            // Someone (or a lost answer) added them meanwhile: that is the goal reached.
            Err(e) if e.status() == Some(400) && e.service().is_some_and(|s| s.message.contains("already exist")) => {
                Ok(Applied::id(e.request_id().map(str::to_string)))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Undo: takes the guest out of the group again, if they are still in it.
struct RemoveFromGroup {
    row: ChangeRecord,
}

impl Action for RemoveFromGroup {
    type State = Membership;
    type Context = String;
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::Undid(ActionKind::AddToGroup)
    }

    fn target(&self) -> String {
        self.row.target.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<Membership>, Problem> {
        let (who, seq) = (&self.row.target, self.row.seq);
        let Some(added) = recorded::<Membership>(self.row.after.as_ref()) else {
            return Err(refuse(
                format!("Change #{seq} does not record the group."),
                "Remove the member by hand.",
            ));
        };
        let guest = engine.guest_profile(&GuestRef::email(who)).await?;
        let groups = engine
            .graph
            .member_of(&guest.id)
            .await
            .map_err(|e| Problem::from_graph("Reading group memberships", &e))?;
        let name = added.group_name.clone();
        if !groups.iter().any(|g| g.id == added.group_id) {
            return Err(refuse(format!("{who} is no longer in {name}."), CHANGED_SINCE));
        }
        Ok(Plan::Change(Change {
            after: Membership {
                member: false,
                ..added.clone()
            },
            before: added,
            would: format!("Would remove {who} from {name} (undoing change #{seq})."),
            done: format!("Removed {who} from {name} (undid change #{seq})."),
            failure: format!("Removing {who} from {name}"),
            blocked: None,
            undoes: Some(seq),
            context: guest.id,
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<Membership>) -> Result<Applied<()>, Failure> {
        let request_id = engine
            .graph
            .remove_group_member(&change.after.group_id, &change.context)
            .await?;
        Ok(Applied::id(request_id))
    }
}

impl Engine {
    /// Security groups and others whose name has a word starting with `term`.
    pub async fn search_groups(&self, term: &str) -> Result<Vec<GroupOption>, Problem> {
        let term = term.trim();
        if term.is_empty() {
            return Ok(vec![]);
        }
        let groups = self
            .graph
            .search_groups(term, 25)
            .await
            .map_err(|e| Problem::from_graph("Searching groups", &e))?;
        Ok(groups.into_iter().map(GroupOption::from).collect())
    }

    /// Adds the guest to a group (by id or exact name). Already a member is a success.
    pub async fn add_to_group(&self, guest: &GuestRef, group: &str) -> Result<StepOutcome, Problem> {
        let action = AddToGroup {
            guest: guest.checked()?,
            group: group.to_string(),
        };
        self.run_step(&action).await
    }

    pub(crate) async fn undo_group(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        self.run_step(&RemoveFromGroup { row }).await
    }

    /// A group by id or exact name, remembered for the rest of a bulk run.
    pub(crate) async fn resolve_group(&self, group: &str) -> Result<Group, Problem> {
        let key = group.trim().to_lowercase();
        if let Some(cache) = &self.run_cache {
            if let Some(g) = cache.groups.lock().await.get(&key) {
                return Ok(g.clone());
            }
        }
        let g = self.find_group(group).await?;
        if let Some(cache) = &self.run_cache {
            cache.groups.lock().await.insert(key, g.clone());
        }
        Ok(g)
    }

    /// A group by id or exact name; a name shared by several groups is refused.
    async fn find_group(&self, group: &str) -> Result<Group, Problem> {
        let g = group.trim();
        let is_guid = g.len() == 36 && g.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        if is_guid {
            return match self.graph.get_group(g).await {
                Ok(a) => Ok(a.body),
                Err(e) if e.is_not_found() => Err(Problem::field(
                    "group",
                    format!("No group has the id {g}."),
                    "Check the id, or give the group's name.",
                )),
                Err(e) => Err(Problem::from_graph("Reading the group", &e)),
            };
        }
        let mut found = self
            .graph
            .groups_named(g)
            .await
            .map_err(|e| Problem::from_graph("Finding the group", &e))?;
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(Problem::field(
                "group",
                format!("No group is called '{g}'."),
                "Check the spelling, or search for the group and use its id.",
            )),
            n => Err(Problem::field(
                "group",
                format!("{n} groups are called '{g}'."),
                "Use the group's id instead of its name.",
            )),
        }
    }
}
