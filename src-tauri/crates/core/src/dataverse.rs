//! The Dataverse security role step: find the environment, make sure the guest exists in its
//! Dataverse (forcing the sync through the Power Platform admin API, retrying `userNotLicensed`
//! as Microsoft's own tooling does), pick the copy of the role in the guest's business unit,
//! associate it, read it back, log.

use crate::connect::Engine;
use crate::problem::{Problem, ProblemKind};
use crate::steps::{GuestRef, StepOutcome};
use crate::validate;
use guestpass_graph::power::{DataverseEnv, PowerEnvironment, SystemUser};
use serde::{Deserialize, Serialize};
use serde_json::json;
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
    ) -> Result<SystemUser, Problem> {
        if let Some(u) = self
            .graph
            .dataverse_user(url, object_id)
            .await
            .map_err(|e| Problem::from_graph("Looking the guest up in Dataverse", &e))?
        {
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
                    return Err(Problem::from_graph(
                        &format!("Adding {email} to {}", env.display_name),
                        &e,
                    ))
                }
            }
        }
        // The sync is accepted; the user appears in Dataverse shortly after.
        let mut delay = self.verify.first_delay;
        for _ in 0..self.verify.attempts {
            if let Some(u) = self
                .graph
                .dataverse_user(url, object_id)
                .await
                .map_err(|e| Problem::from_graph("Looking the guest up in Dataverse", &e))?
            {
                return Ok(u);
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.verify.max_delay);
        }
        Err(Problem {
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
    }

    /// Gives the guest a Dataverse security role (by name) in an environment (URL, name or id).
    pub async fn assign_dataverse_role(
        &self,
        guest: &GuestRef,
        environment: &str,
        role: &str,
    ) -> Result<StepOutcome, Problem> {
        let email = validate::email("email", &guest.email).map_err(|e| Problem::invalid(vec![e]))?;
        let role = role.trim();
        if role.is_empty() {
            return Err(Problem::field(
                "role",
                "Name the security role, e.g. Basic User.".into(),
                "Pick one of the environment's roles.",
            ));
        }
        let env = self.resolve_environment(environment).await?;
        let url = dataverse_of(&env)?;
        let profile = self
            .guest_profile(&GuestRef {
                email: email.clone(),
                user_id: guest.user_id.clone(),
            })
            .await?;
        // Order matters: Dataverse only takes licensed users.
        if profile.assigned_licenses.is_empty() {
            return Err(Problem::field(
                "license",
                format!("{email} has no licence, and Dataverse only admits licensed users."),
                "Assign a licence (Access step) first; it can take a few minutes to reach the environment.",
            ));
        }
        let copies = self
            .graph
            .dataverse_roles_named(&url, role)
            .await
            .map_err(|e| Problem::from_graph("Reading security roles", &e))?;
        if copies.is_empty() {
            let names = self.environment_roles(environment).await.unwrap_or_default();
            return Err(Problem::field(
                "role",
                format!("{} has no role called '{role}'.", env.display_name),
                &format!("Use one of: {}.", names.join(", ")),
            ));
        }
        let target = format!("{email} in {}", env.display_name);
        if self.dry_run {
            return Ok(StepOutcome::would(
                "role",
                format!(
                    "Would give {email} the {role} role in {} (syncing them into Dataverse first if needed).",
                    env.display_name
                ),
            ));
        }
        let user = self.synced_user(&env, &url, &profile.id, &email).await?;
        let before = json!({"environment": env.display_name, "roles": user.systemuserroles_association.iter().map(|r| &r.name).collect::<Vec<_>>()});
        if user
            .systemuserroles_association
            .iter()
            .any(|r| r.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(role)))
        {
            return self.log_unchanged(
                "role",
                "assign_dataverse_role",
                &target,
                before,
                format!("{email} already has {role} in {}.", env.display_name),
            );
        }
        // Roles exist once per business unit: use the copy of the guest's business unit.
        let Some(chosen) = copies
            .iter()
            .find(|r| r.business_unit_id.is_some() && r.business_unit_id == user.business_unit_id)
        else {
            return Err(Problem::field(
                "role",
                format!(
                    "{role} exists in {}, but not in {email}'s business unit.",
                    env.display_name
                ),
                "Ask the environment's admin to copy the role to that business unit.",
            ));
        };
        let attempted = json!({"environment": env.display_name, "role": role, "roleId": chosen.roleid});
        self.intend("assign_dataverse_role", &target, &attempted)?;
        let request_id = self
            .graph
            .associate_dataverse_role(&url, &user.systemuserid, &chosen.roleid)
            .await
            .map_err(|e| {
                self.log_failed(
                    "assign_dataverse_role",
                    &target,
                    &format!("Giving {email} the {role} role"),
                    &e,
                    attempted.clone(),
                )
            })?;
        let now = self
            .graph
            .dataverse_user(&url, &profile.id)
            .await
            .map_err(|e| Problem::from_graph("Reading the role back", &e))?;
        let roles: Vec<String> = now
            .map(|u| {
                u.systemuserroles_association
                    .into_iter()
                    .filter_map(|r| r.name)
                    .collect()
            })
            .unwrap_or_default();
        let after = json!({"environment": env.display_name, "roles": roles, "roleId": chosen.roleid});
        self.log_changed(
            "role",
            "assign_dataverse_role",
            &target,
            before,
            after,
            format!("Gave {email} the {role} role in {}.", env.display_name),
            request_id,
        )
    }
}
