//! The Dataverse security role step: find the environment, make sure the guest exists in its
//! Dataverse (forcing the sync through the Power Platform admin API, retrying `userNotLicensed`
//! as Microsoft's own tooling does), pick the copy of the role in the guest's business unit,
//! associate it, read it back, log.

use super::guest::GuestRef;
use crate::action::{
    recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, Verified, CHANGED_SINCE,
};
use crate::engine::Engine;
use crate::problem::{Problem, ProblemKind};
use guestpass_graph::power::{DataverseEnv, PowerEnvironment, SystemUser};
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};
use ts_rs::TS;

/// How long to keep retrying `userNotLicensed` while a licence propagates (Microsoft's
/// Power Platform provider: every 10 s, for up to 9 minutes).
#[derive(Debug, Clone)]
pub struct SyncPolicy {
    pub every: Duration,
    pub give_up_after: Duration,
}

impl Default for SyncPolicy {
    fn default() -> Self {
        SyncPolicy {
            every: Duration::from_secs(10),
            give_up_after: Duration::from_secs(9 * 60),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentOption {
    pub id: String,
    pub display_name: String,
    /// The organisation URL (e.g. https://contoso.crm.dynamics.com): what guests open.
    pub url: String,
}

/// The environment's Dataverse, or why this step cannot use it.
fn dataverse_of(env: &PowerEnvironment) -> Result<DataverseEnv, Problem> {
    env.dataverse.clone().ok_or_else(|| {
        Problem::field(
            "environment",
            format!("{} has no Dataverse.", env.display_name),
            "Pick an environment with a Dataverse database.",
        )
    })
}

impl Engine {
    /// Environments that have Dataverse.
    pub async fn environments(&self) -> Result<Vec<EnvironmentOption>, Problem> {
        let envs = self
            .graph
            .power_environments()
            .await
            .map_err(|e| Problem::from_graph("Listing Power Platform environments", &e))?;
        Ok(envs
            .into_iter()
            .filter_map(|e| {
                Some(EnvironmentOption {
                    url: e.dataverse?.url,
                    id: e.id,
                    display_name: e.display_name,
                })
            })
            .collect())
    }

    /// An environment by its Dataverse URL, display name or id.
    pub(crate) async fn resolve_environment(&self, wanted: &str) -> Result<PowerEnvironment, Problem> {
        let w = wanted.trim().trim_end_matches('/');
        let envs = self
            .graph
            .power_environments()
            .await
            .map_err(|e| Problem::from_graph("Listing Power Platform environments", &e))?;
        envs.iter()
            .find(|e| {
                e.dataverse
                    .as_ref()
                    .is_some_and(|d| d.url.eq_ignore_ascii_case(w) || d.api_url.eq_ignore_ascii_case(w))
                    || e.display_name.eq_ignore_ascii_case(w)
                    || e.id.eq_ignore_ascii_case(w)
            })
            .cloned()
            .ok_or_else(|| {
                let names: Vec<String> = envs
                    .iter()
                    .map(|e| {
                        format!(
                            "{} ({})",
                            e.display_name,
                            e.dataverse.as_ref().map_or("no Dataverse", |d| d.url.as_str())
                        )
                    })
                    .collect();
                Problem::field(
                    "environment",
                    format!("No environment matches '{w}'."),
                    &format!("Use one of: {}.", names.join(", ")),
                )
            })
    }

    /// The role names of an environment, for the picker.
    pub async fn environment_roles(&self, environment: &str) -> Result<Vec<String>, Problem> {
        let env = self.resolve_environment(environment).await?;
        let url = dataverse_of(&env)?;
        let roles = self
            .graph
            .dataverse_roles(&url)
            .await
            .map_err(|e| Problem::from_graph("Listing security roles", &e))?;
        let mut names: Vec<String> = roles.into_iter().filter_map(|r| r.name).collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The guest's Dataverse user, syncing them in first when needed.
    async fn synced_user(
        &self,
        env: &PowerEnvironment,
        url: &DataverseEnv,
        object_id: &str,
        email: &str,
    ) -> Result<SystemUser, Failure> {
        if let Some(u) = self.graph.dataverse_user(url, object_id).await? {
            return Ok(u);
        }
        let started = Instant::now();
        loop {
            match self.graph.add_user_to_environment(&env.id, object_id).await {
                Ok(_) => break,
                Err(e) if e.code() == Some("userNotLicensed") && started.elapsed() < self.sync.give_up_after => {
                    tracing::info!("{email}'s licence has not reached {} yet; retrying", env.display_name);
                    tokio::time::sleep(self.sync.every).await;
                }
                Err(e) => {
                    return Err(Failure::Refused(Problem::from_graph(
                        &format!("Adding {email} to {}", env.display_name),
                        &e,
                    )))
                }
            }
        }
        // The sync is accepted; the user appears in Dataverse shortly after.
        let user = self
            .until_replicated(|| self.graph.dataverse_user(url, object_id), |r| matches!(r, Ok(None)))
            .await?;
        user.ok_or_else(|| {
            Failure::Refused(Problem {
                kind: ProblemKind::Microsoft,
                message: format!(
                    "{email} was synced to {}, but does not appear in its Dataverse yet.",
                    env.display_name
                ),
                hint: "Try this step again in a few minutes.".into(),
                fields: vec![],
                code: None,
                request_id: None,
            })
        })
    }

    /// Gives the guest a Dataverse security role (by name) in an environment (URL, name or id).
    pub async fn assign_dataverse_role(
        &self,
        guest: &GuestRef,
        environment: &str,
        role: &str,
    ) -> Result<StepOutcome, Problem> {
        let guest = guest.checked()?;
        let role = role.trim();
        if role.is_empty() {
            return Err(Problem::field(
                "role",
                "Name the security role, e.g. Basic User.".into(),
                "Pick one of the environment's roles.",
            ));
        }
        let env = self.resolve_environment(environment).await?;
        let action = AssignRole {
            url: dataverse_of(&env)?,
            env,
            guest,
            role: role.to_string(),
        };
        self.run_step(&action).await
    }

    pub(crate) async fn undo_role(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        self.run_step(&RemoveRole { row }).await
    }
}

/// A guest's roles in one environment, as the change log records them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RoleState {
    pub environment: String,
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
}

/// One role held or not, as an undo records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RoleHeld {
    pub environment: String,
    pub role_id: String,
    pub assigned: bool,
}

fn role_names(user: &SystemUser) -> Vec<String> {
    user.systemuserroles_association
        .iter()
        .filter_map(|r| r.name.clone())
        .collect()
}

struct AssignRole {
    guest: GuestRef,
    env: PowerEnvironment,
    url: DataverseEnv,
    role: String,
}

/// What the plan found: the guest's object id, and the role's copies (one per business unit).
struct RoleContext {
    object_id: String,
    copies: Vec<guestpass_graph::power::DataverseRole>,
}

impl Action for AssignRole {
    type State = RoleState;
    type Context = RoleContext;
    /// The role's id, in the guest's business unit.
    type Answer = String;

    fn logged(&self) -> Logged {
        Logged::Did(ActionKind::AssignDataverseRole)
    }

    fn target(&self) -> String {
        format!("{} in {}", self.guest.email, self.env.display_name)
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<RoleState, RoleContext>, Problem> {
        let (email, role, env_name) = (&self.guest.email, &self.role, &self.env.display_name);
        let profile = engine.guest_profile(&self.guest).await?;
        // Order matters: Dataverse only takes licensed users.
        if profile.assigned_licenses.is_empty() {
            return Err(Problem::field(
                "license",
                format!("{email} has no licence, and Dataverse only admits licensed users."),
                "Assign a licence (Access step) first; it can take a few minutes to reach the environment.",
            ));
        }
        let copies = engine
            .graph
            .dataverse_roles_named(&self.url, role)
            .await
            .map_err(|e| Problem::from_graph("Reading security roles", &e))?;
        if copies.is_empty() {
            let names = engine.environment_roles(&self.env.id).await.unwrap_or_default();
            return Err(Problem::field(
                "role",
                format!("{env_name} has no role called '{role}'."),
                &format!("Use one of: {}.", names.join(", ")),
            ));
        }
        // Not in Dataverse yet means no role yet: the apply syncs them in first.
        let user = engine
            .graph
            .dataverse_user(&self.url, &profile.id)
            .await
            .map_err(|e| Problem::from_graph("Looking the guest up in Dataverse", &e))?;
        let before = RoleState {
            environment: env_name.clone(),
            roles: user.as_ref().map(role_names).unwrap_or_default(),
            role_id: None,
        };
        if before.roles.iter().any(|n| n.eq_ignore_ascii_case(role)) {
            return Ok(Plan::AlreadySo {
                state: before,
                summary: format!("{email} already has {role} in {env_name}."),
            });
        }
        let mut after = before.clone();
        after.roles.push(role.clone());
        Ok(Plan::Change(Change {
            before,
            after,
            would: format!(
                "Would give {email} the {role} role in {env_name} (syncing them into Dataverse first if needed)."
            ),
            done: format!("Gave {email} the {role} role in {env_name}."),
            failure: format!("Giving {email} the {role} role"),
            blocked: None,
            undoes: None,
            context: RoleContext {
                object_id: profile.id,
                copies,
            },
        }))
    }

    async fn apply(
        &self,
        engine: &Engine,
        change: &Change<RoleState, RoleContext>,
    ) -> Result<Applied<String>, Failure> {
        let (email, role, env_name) = (&self.guest.email, &self.role, &self.env.display_name);
        let c = &change.context;
        let user = engine.synced_user(&self.env, &self.url, &c.object_id, email).await?;
        // Roles exist once per business unit: use the copy of the guest's business unit.
        let Some(chosen) = c
            .copies
            .iter()
            .find(|r| r.business_unit_id.is_some() && r.business_unit_id == user.business_unit_id)
        else {
            return Err(Failure::Refused(Problem::field(
                "role",
                format!("{role} exists in {env_name}, but not in {email}'s business unit."),
                "Ask the environment's admin to copy the role to that business unit.",
            )));
        };
        let request_id = engine
            .graph
            .associate_dataverse_role(&self.url, &user.systemuserid, &chosen.roleid)
            .await?;
        Ok(Applied {
            answer: chosen.roleid.clone(),
            request_id,
        })
    }

    async fn verify(
        &self,
        engine: &Engine,
        change: Change<RoleState, RoleContext>,
        role_id: &String,
    ) -> Verified<RoleState> {
        let read = engine.graph.dataverse_user(&self.url, &change.context.object_id).await;
        let roles = match read {
            Ok(Some(u)) => role_names(&u),
            _ => change.after.roles.clone(),
        };
        Verified {
            summary: change.done,
            after: RoleState {
                environment: change.after.environment,
                roles,
                role_id: Some(role_id.clone()),
            },
        }
    }
}

/// Undo: takes the role back, if the guest still has it.
struct RemoveRole {
    row: ChangeRecord,
}

impl Action for RemoveRole {
    type State = RoleHeld;
    /// The Dataverse, and the guest's systemuserid there.
    type Context = (DataverseEnv, String);
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::Undid(ActionKind::AssignDataverseRole)
    }

    fn target(&self) -> String {
        self.row.target.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<RoleHeld, (DataverseEnv, String)>, Problem> {
        let seq = self.row.seq;
        let given = recorded::<RoleState>(self.row.after.as_ref()).unwrap_or_default();
        let (env_name, Some(role_id)) = (given.environment, given.role_id) else {
            return Err(refuse(
                format!("Change #{seq} does not record the role."),
                "Remove the role by hand.",
            ));
        };
        let email = self.row.target.split(' ').next().unwrap_or_default().to_string();
        let env = engine.resolve_environment(&env_name).await?;
        let dataverse = env
            .dataverse
            .clone()
            .ok_or_else(|| refuse(format!("{env_name} has no Dataverse any more."), CHANGED_SINCE))?;
        let guest = engine.guest_profile(&GuestRef::email(&email)).await?;
        let user = engine
            .graph
            .dataverse_user(&dataverse, &guest.id)
            .await
            .map_err(|e| Problem::from_graph("Looking the guest up in Dataverse", &e))?;
        let Some(user) = user.filter(|u| u.systemuserroles_association.iter().any(|r| r.roleid == role_id)) else {
            return Err(refuse(
                format!("{email} no longer has that role in {env_name}."),
                CHANGED_SINCE,
            ));
        };
        let held = |assigned| RoleHeld {
            environment: env_name.clone(),
            role_id: role_id.clone(),
            assigned,
        };
        Ok(Plan::Change(Change {
            before: held(true),
            after: held(false),
            would: format!("Would take the role back from {email} in {env_name} (undoing change #{seq})."),
            done: format!("Took the role back from {email} in {env_name} (undid change #{seq})."),
            failure: format!("Taking the role back from {email}"),
            blocked: None,
            undoes: Some(seq),
            context: (dataverse, user.systemuserid),
        }))
    }

    async fn apply(
        &self,
        engine: &Engine,
        change: &Change<RoleHeld, (DataverseEnv, String)>,
    ) -> Result<Applied<()>, Failure> {
        let (dataverse, user) = &change.context;
        let request_id = engine
            .graph
            .dissociate_dataverse_role(dataverse, user, &change.after.role_id)
            .await?;
        Ok(Applied::id(request_id))
    }
}
