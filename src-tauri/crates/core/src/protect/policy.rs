//! Guest protection policies as actions of the one runner: creating one (always report-only),
//! switching it on, back to report-only or off, and undoing either. What every Conditional
//! Access write needs first — Entra ID P1, security defaults off, an emergency-access group
//! with someone in it who is not a guest — is checked here before anything is sent.

use crate::action::{
    recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, CHANGED_SINCE,
};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

/// A policy's state as Guestpass offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum PolicyState {
    /// Evaluated and logged at every sign-in, enforcing nothing.
    ReportOnly,
    On,
    Off,
}

impl PolicyState {
    pub fn graph(self) -> &'static str {
        match self {
            PolicyState::ReportOnly => "enabledForReportingButNotEnforced",
            PolicyState::On => "enabled",
            PolicyState::Off => "disabled",
        }
    }

    pub fn of_graph(state: &str) -> Option<PolicyState> {
        [PolicyState::ReportOnly, PolicyState::On, PolicyState::Off]
            .into_iter()
            .find(|s| s.graph() == state)
    }

    pub fn words(self) -> &'static str {
        match self {
            PolicyState::ReportOnly => "report-only",
            PolicyState::On => "on",
            PolicyState::Off => "off",
        }
    }
}

/// A policy's Graph state in Guestpass's words ("report-only", "on", "off").
pub fn state_words(state: &str) -> &str {
    match PolicyState::of_graph(state) {
        Some(known) => known.words(),
        None => state,
    }
}

/// What the change log keeps of a policy: enough to delete, switch back, and see a later change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PolicySnapshot {
    /// `None` until Microsoft has created it.
    pub id: Option<String>,
    pub display_name: String,
    pub state: String,
    pub conditions: Value,
    pub grant_controls: Value,
}

impl PolicySnapshot {
    pub fn of(policy: &Value) -> PolicySnapshot {
        PolicySnapshot {
            id: policy["id"].as_str().map(str::to_string),
            display_name: policy["displayName"].as_str().unwrap_or_default().into(),
            state: policy["state"].as_str().unwrap_or_default().into(),
            conditions: policy["conditions"].clone(),
            grant_controls: policy["grantControls"].clone(),
        }
    }

    fn body(&self) -> Value {
        json!({
            "displayName": self.display_name,
            "state": self.state,
            "conditions": self.conditions,
            "grantControls": self.grant_controls,
        })
    }

    fn state_words(&self) -> &str {
        state_words(&self.state)
    }

    /// The same policy as far as Guestpass changed it (Microsoft adds defaults it may omit).
    fn same_as(&self, other: &PolicySnapshot) -> bool {
        self.state == other.state
            && self.conditions["users"] == other.conditions["users"]
            && self.conditions["applications"] == other.conditions["applications"]
            && self.grant_controls["builtInControls"] == other.grant_controls["builtInControls"]
    }
}

/// Creates, deletes (`to: None`) or switches a policy; as an undo, `undoes` names the row.
pub(crate) struct SetPolicy {
    pub kind: ActionKind,
    pub from: Option<PolicySnapshot>,
    pub to: Option<PolicySnapshot>,
    pub undoes: Option<i64>,
}

impl SetPolicy {
    fn name(&self) -> &str {
        self.to
            .as_ref()
            .or(self.from.as_ref())
            .map_or("", |p| p.display_name.as_str())
    }

    /// (would, done, failure) in words.
    fn words(&self) -> (String, String, String) {
        let name = self.name();
        let undid = self
            .undoes
            .map(|seq| format!(" (undid change #{seq})"))
            .unwrap_or_default();
        match (&self.from, &self.to) {
            (None, Some(to)) => (
                format!("Would create \"{name}\" ({}).", to.state_words()),
                format!("Created \"{name}\" ({}){undid}.", to.state_words()),
                format!("Creating \"{name}\""),
            ),
            (Some(_), None) => (
                format!("Would delete \"{name}\"."),
                format!("Deleted \"{name}\"{undid}."),
                format!("Deleting \"{name}\""),
            ),
            (Some(from), Some(to)) => (
                format!(
                    "Would switch \"{name}\" from {} to {}.",
                    from.state_words(),
                    to.state_words()
                ),
                format!(
                    "Switched \"{name}\" from {} to {}{undid}.",
                    from.state_words(),
                    to.state_words()
                ),
                format!("Switching \"{name}\" {}", to.state_words()),
            ),
            (None, None) => (String::new(), String::new(), String::new()),
        }
    }
}

impl Action for SetPolicy {
    type State = Option<PolicySnapshot>;
    type Context = ();
    /// The new policy's id, when one was created.
    type Answer = Option<String>;

    fn logged(&self) -> Logged {
        Logged::of(self.kind, self.undoes)
    }

    fn target(&self) -> String {
        format!("policy \"{}\"", self.name())
    }

    async fn plan(&self, _: &Engine) -> Result<Plan<Self::State, ()>, Problem> {
        let unchanged = match (&self.from, &self.to) {
            (Some(from), Some(to)) => from.state == to.state,
            (None, None) => true,
            _ => false,
        };
        if unchanged && self.undoes.is_none() {
            let state_words = self.from.as_ref().map_or("absent", |p| p.state_words());
            return Ok(Plan::AlreadySo {
                state: self.from.clone(),
                summary: format!("\"{}\" is already {state_words}.", self.name()),
            });
        }
        let (would, done, failure) = self.words();
        Ok(Plan::Change(Change {
            before: self.from.clone(),
            after: self.to.clone(),
            would,
            done,
            failure,
            blocked: None,
            undoes: self.undoes,
            context: (),
        }))
    }

    async fn apply(
        &self,
        engine: &Engine,
        change: &Change<Self::State, ()>,
    ) -> Result<Applied<Option<String>>, Failure> {
        let graph = &engine.graph;
        match (&change.before, &change.after) {
            (None, Some(to)) => {
                let created = graph.create_conditional_access_policy(&to.body()).await?;
                Ok(Applied {
                    answer: created.body["id"].as_str().map(str::to_string),
                    request_id: created.request_id,
                })
            }
            (Some(from), None) => {
                let request_id = graph.delete_conditional_access_policy(id_of(from)).await?;
                Ok(Applied {
                    answer: None,
                    request_id,
                })
            }
            (Some(from), Some(to)) => {
                let request_id = graph
                    .update_conditional_access_policy(id_of(from), &json!({ "state": to.state }))
                    .await?;
                Ok(Applied {
                    answer: None,
                    request_id,
                })
            }
            (None, None) => Ok(Applied {
                answer: None,
                request_id: None,
            }),
        }
    }

    async fn verify(
        &self,
        _: &Engine,
        change: Change<Self::State, ()>,
        answer: &Option<String>,
    ) -> crate::action::Verified<Self::State> {
        let mut after = change.after;
        if let (Some(policy), Some(id)) = (after.as_mut(), answer) {
            policy.id = Some(id.clone());
        }
        crate::action::Verified {
            after,
            summary: change.done,
        }
    }
}

fn id_of(p: &PolicySnapshot) -> &str {
    p.id.as_deref().unwrap_or_default()
}

/// Whether a policy reaches this tenant's own people (all users, groups, roles, named users),
/// not only guests: then an emergency-access account must be left out before it is enforced.
fn reaches_own_people(p: &PolicySnapshot) -> bool {
    let users = &p.conditions["users"];
    let listed = |key: &str| users[key].as_array().is_some_and(|a| !a.is_empty());
    let named_users = users["includeUsers"]
        .as_array()
        .is_some_and(|a| a.iter().any(|u| u != "GuestsOrExternalUsers" && u != "None"));
    named_users || listed("includeGroups") || listed("includeRoles")
}

/// The preference under which the last What-If pre-flight of a policy is kept.
pub(crate) fn preflight_key(policy_id: &str) -> String {
    format!("what-if:{policy_id}")
}

impl Engine {
    /// Refuses, before anything is sent, what Microsoft would refuse for any Conditional Access
    /// write: no Entra ID P1, or security defaults on (then only disabled policies can exist).
    pub(crate) async fn conditional_access_ready(&self) -> Result<(), Problem> {
        // Only the licence and the switch: every Conditional Access read costs a second.
        if !self.has_p1().await? {
            return Err(refuse(
                "The tenant has no Microsoft Entra ID P1 licence, which Conditional Access needs.".into(),
                "Buy Entra ID P1 (or a plan that includes it, such as Microsoft 365 Business Premium); until then, security defaults are the way to ask everyone for MFA.",
            ));
        }
        let defaults_on = self
            .graph
            .security_defaults_enabled()
            .await
            .map_err(|e| Problem::from_graph("Reading whether security defaults are on", &e))?;
        if defaults_on {
            return Err(refuse(
                "Security defaults are on, and Microsoft allows no Conditional Access policy while they are.".into(),
                "Switch security defaults off in the Entra admin centre (Overview › Properties › Manage security defaults) once Conditional Access policies ask your own people for MFA too; then try again.",
            ));
        }
        Ok(())
    }

    /// The emergency-access group named `name`: exactly one group of that name with at least
    /// one member who is not a guest (the accounts that must never be locked out).
    pub(crate) async fn emergency_group(&self, name: &str) -> Result<String, Problem> {
        let field = |message: String, hint: &str| Problem::field("excludeGroup", message, hint);
        let name = name.trim();
        if name.is_empty() {
            return Err(field(
                "Pick the emergency-access (break-glass) group to leave out of the policy.".into(),
                "Every policy must spare the accounts that let you back in if it goes wrong. Create a group holding your break-glass admin accounts and name it here.",
            ));
        }
        let groups = self
            .graph
            .groups_named(name)
            .await
            .map_err(|e| Problem::from_graph("Finding the emergency-access group", &e))?;
        let group = match groups.as_slice() {
            [one] => one,
            [] => {
                return Err(field(
                    format!("No group is named '{name}'."),
                    "Check the name, or create a security group holding your break-glass admin accounts.",
                ))
            }
            _ => {
                return Err(field(
                    format!("{} groups are named '{name}'.", groups.len()),
                    "Give the emergency-access group a name of its own, so the right one is left out.",
                ))
            }
        };
        let members = self
            .graph
            .group_members(&group.id)
            .await
            .map_err(|e| Problem::from_graph("Reading the emergency-access group's members", &e))?;
        if !members.iter().any(|m| m.user_type.as_deref() == Some("Member")) {
            return Err(field(
                format!("'{name}' has no member who is not a guest."),
                "Add at least one of your own break-glass admin accounts to it: those are the people the policy must never lock out.",
            ));
        }
        Ok(group.id.clone())
    }

    /// The policy `id` as the change log keeps it; refuses when there is none.
    pub(crate) async fn policy_snapshot(&self, id: &str) -> Result<PolicySnapshot, Problem> {
        let policy = self
            .graph
            .conditional_access_policy(id)
            .await
            .map_err(|e| Problem::from_graph("Reading the Conditional Access policy", &e))?
            .ok_or_else(|| {
                refuse(
                    format!("There is no Conditional Access policy '{id}'."),
                    "Run `protect show` (or open Protect) to see the policies there are.",
                )
            })?;
        Ok(PolicySnapshot::of(&policy))
    }

    /// Switches policy `id` on, back to report-only, or off. Switching on needs a What-If
    /// pre-flight of the policy first (or `without_preflight`), and an exclusion that spares
    /// someone who is not a guest.
    pub async fn switch_policy(
        &self,
        id: &str,
        to: PolicyState,
        without_preflight: bool,
    ) -> Result<StepOutcome, Problem> {
        let from = self.policy_snapshot(id).await?;
        if to == PolicyState::On && from.state != to.graph() {
            self.conditional_access_ready().await?;
            if reaches_own_people(&from) {
                self.check_spares_someone(&from).await?;
            }
            if !without_preflight {
                self.require_preflight(Some(id), &from.display_name)?;
            }
        }
        let mut wanted = from.clone();
        wanted.state = to.graph().into();
        let action = SetPolicy {
            kind: ActionKind::SwitchGuestPolicy,
            from: Some(from),
            to: Some(wanted),
            undoes: None,
        };
        self.run_step(&action).await
    }

    /// Refuses to switch on a policy (`None`: one not created yet) that no pre-flight of every
    /// guest has tried.
    pub fn require_preflight(&self, id: Option<&str>, name: &str) -> Result<(), Problem> {
        let tried = match id {
            Some(id) => self
                .store
                .preference(&self.info.tenant_id, &preflight_key(id))
                .map_err(Problem::local)?
                .is_some(),
            None => false,
        };
        if tried {
            return Ok(());
        }
        Err(refuse(
            format!("\"{name}\" has not been tried on the guests yet."),
            "Run the pre-flight of every guest first (Protect › Pre-flight, or `protect what-if`) to see whom it would ask for MFA or block; or switch it on anyway with the explicit override.",
        ))
    }

    /// A policy about to be enforced must leave out at least one group with a member who is not
    /// a guest (or such a user), so an admin can still get in if it goes wrong.
    async fn check_spares_someone(&self, policy: &PolicySnapshot) -> Result<(), Problem> {
        let users = &policy.conditions["users"];
        for group in users["excludeGroups"].as_array().into_iter().flatten() {
            let Some(group) = group.as_str() else { continue };
            let members = self.graph.group_members(group).await.unwrap_or_default();
            if members.iter().any(|m| m.user_type.as_deref() == Some("Member")) {
                return Ok(());
            }
        }
        for user in users["excludeUsers"].as_array().into_iter().flatten() {
            let Some(user) = user.as_str() else { continue };
            if let Ok(found) = self.graph.get_user(user).await {
                if found.body.user_type.as_deref() == Some("Member") {
                    return Ok(());
                }
            }
        }
        Err(refuse(
            format!(
                "\"{}\" leaves out no emergency-access account, so switching it on could lock every admin out.",
                policy.display_name
            ),
            "Exclude a group holding your break-glass admin accounts from the policy (in Entra, or create it again with Guestpass), then switch it on.",
        ))
    }

    /// Undoes a policy's creation (deletes it) or a switch (puts the state back), unless it was
    /// changed since.
    pub(crate) async fn undo_policy(&self, row: ChangeRecord, kind: ActionKind) -> Result<StepOutcome, Problem> {
        let before = recorded::<Option<PolicySnapshot>>(row.before.as_ref()).flatten();
        let Some(made) = recorded::<Option<PolicySnapshot>>(row.after.as_ref()).flatten() else {
            return Err(refuse(
                format!("Change #{} does not record the policy.", row.seq),
                "Change it back by hand in Entra.",
            ));
        };
        let id = id_of(&made).to_string();
        let now = self
            .graph
            .conditional_access_policy(&id)
            .await
            .map_err(|e| Problem::from_graph("Reading the Conditional Access policy", &e))?
            .map(|p| PolicySnapshot::of(&p));
        let Some(now) = now else {
            return Err(refuse(
                format!("\"{}\" no longer exists.", made.display_name),
                "Nothing left to undo.",
            ));
        };
        if !now.same_as(&made) {
            return Err(refuse(
                format!(
                    "\"{}\" was changed since (it is {} now).",
                    made.display_name,
                    now.state_words()
                ),
                CHANGED_SINCE,
            ));
        }
        let to = match kind {
            ActionKind::CreateGuestPolicy => None,
            _ => {
                let Some(before) = before else {
                    return Err(refuse(
                        format!("Change #{} does not record the policy's earlier state.", row.seq),
                        "Switch it back by hand in Entra.",
                    ));
                };
                let mut back = now.clone();
                back.state = before.state;
                Some(back)
            }
        };
        let action = SetPolicy {
            kind,
            from: Some(now),
            to,
            undoes: Some(row.seq),
        };
        self.run_step(&action).await
    }
}
