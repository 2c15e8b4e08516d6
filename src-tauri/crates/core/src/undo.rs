//! Undo from History: reverses a recorded change after reading the tenant, and refuses (with
//! the reason) when the object changed since, rather than overwriting blindly. An undo is itself
//! a logged change whose `before` names the row it undid.

use crate::connect::Engine;
use crate::problem::{Problem, ProblemKind};
use crate::steps::{GuestRef, StepOutcome};
use guestpass_graph::models::AuthorizationPolicyPatch;
use guestpass_graph::GraphError;
use guestpass_store::{ChangeRecord, ChangeResult};
use serde_json::{json, Value};

fn refuse(message: String, hint: &str) -> Problem {
    Problem {
        kind: ProblemKind::Invalid,
        message,
        hint: hint.into(),
        fields: vec![],
        code: None,
        request_id: None,
    }
}

/// What an undo will do: the state now, the state it restores, and how to say it.
struct UndoPlan {
    now: Value,
    restored: Value,
    /// "Removing x from y", for a refusal.
    failure: String,
    summary: String,
}

const CHANGED_SINCE: &str = "Someone (or something) changed it after Guestpass did, so undoing could overwrite their change. Check the tenant and change it by hand if needed.";

/// The actions undo knows how to reverse.
pub const REVERSIBLE: &[&str] = &[
    "add_to_group",
    "assign_license",
    "assign_dataverse_role",
    "create_google_federation",
    "update_authorization_policy",
];

impl Engine {
    /// Reverses change `seq` (a dry-run engine previews it).
    pub async fn undo_change(&self, seq: i64) -> Result<StepOutcome, Problem> {
        let row = self.store.change(seq).map_err(Problem::local)?.ok_or_else(|| {
            refuse(
                format!("There is no change #{seq} in History."),
                "Pick a row from History.",
            )
        })?;
        if row.result != ChangeResult::Succeeded {
            return Err(refuse(
                format!("Change #{seq} did not change anything ({}).", row.result.as_str()),
                "Only changes that were made can be undone.",
            ));
        }
        if row.tenant != self.info.tenant_id {
            return Err(refuse(
                format!("Change #{seq} was made in another tenant."),
                "Connect to that tenant to undo it.",
            ));
        }
        if let Some(by) = self.store.undone_by(seq).map_err(Problem::local)? {
            return Err(refuse(
                format!("Change #{seq} was already undone (change #{by})."),
                "Nothing left to undo.",
            ));
        }
        match row.action.as_str() {
            "add_to_group" => self.undo_group(&row).await,
            "assign_license" => self.undo_license(&row).await,
            "assign_dataverse_role" => self.undo_role(&row).await,
            "create_google_federation" => self.undo_google(&row).await,
            "update_authorization_policy" => self.undo_authorization_policy(&row).await,
            "update_domain_list" => self.undo_domain_list(&row).await,
            "update_cross_tenant_default" => self.undo_cross_tenant(&row).await,
            "set_profile" => self.undo_profile(&row).await,
            "invite_guest" => self.undo_invitation(&row).await,
            other => Err(refuse(
                format!("Guestpass cannot undo '{other}' yet."),
                "Change it back by hand in the tenant.",
            )),
        }
    }

    fn after_of(row: &ChangeRecord) -> &Value {
        row.after.as_ref().unwrap_or(&Value::Null)
    }

    /// Writes the intent, makes the call, and logs its outcome linked to the row undone.
    async fn run_undo(
        &self,
        row: &ChangeRecord,
        plan: UndoPlan,
        call: impl std::future::Future<Output = Result<Option<String>, GraphError>>,
    ) -> Result<StepOutcome, Problem> {
        let action = format!("undo_{}", row.action);
        self.intend(&action, &row.target, &plan.restored)?;
        let request_id = call
            .await
            .map_err(|e| self.log_failed(&action, &row.target, &plan.failure, &e, plan.restored.clone()))?;
        let mut before = plan.now;
        before["undoes"] = json!(row.seq);
        self.log_changed(
            "undo",
            &action,
            &row.target,
            before,
            plan.restored,
            plan.summary,
            request_id,
        )
    }

    async fn undo_group(&self, row: &ChangeRecord) -> Result<StepOutcome, Problem> {
        let a = Self::after_of(row);
        let (group_id, name) = (
            a["groupId"].as_str().unwrap_or_default().to_string(),
            a["groupName"].as_str().unwrap_or_default().to_string(),
        );
        let guest = self
            .guest_profile(&GuestRef {
                email: row.target.clone(),
                user_id: None,
            })
            .await?;
        let groups = self
            .graph
            .member_of(&guest.id)
            .await
            .map_err(|e| Problem::from_graph("Reading group memberships", &e))?;
        if !groups.iter().any(|g| g.id == group_id) {
            return Err(refuse(format!("{} is no longer in {name}.", row.target), CHANGED_SINCE));
        }
        if self.dry_run {
            return Ok(StepOutcome::would(
                "undo",
                format!("Would remove {} from {name} (undoing change #{}).", row.target, row.seq),
            ));
        }
        let state = json!({"groupId": group_id, "groupName": name, "member": true});
        let after = json!({"groupId": group_id, "groupName": name, "member": false});
        let plan = UndoPlan {
            now: state,
            restored: after,
            failure: format!("Removing {} from {name}", row.target),
            summary: format!("Removed {} from {name} (undid change #{}).", row.target, row.seq),
        };
        self.run_undo(row, plan, self.graph.remove_group_member(&group_id, &guest.id))
            .await
    }

    async fn undo_license(&self, row: &ChangeRecord) -> Result<StepOutcome, Problem> {
        let added: Vec<String> = {
            let list = |v: Option<&Value>, k: &str| -> Vec<String> {
                v.and_then(|v| v[k].as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            };
            let before = list(row.before.as_ref(), "assignedLicenses");
            list(row.after.as_ref(), "assignedLicenses")
                .into_iter()
                .filter(|s| !before.contains(s))
                .collect()
        };
        let Some(sku) = added.first().cloned() else {
            return Err(refuse(
                format!("Change #{} does not say which licence it added.", row.seq),
                "Remove the licence by hand.",
            ));
        };
        let name = Self::after_of(row)["skuPartNumber"]
            .as_str()
            .unwrap_or(&sku)
            .to_string();
        let guest = self
            .guest_profile(&GuestRef {
                email: row.target.clone(),
                user_id: None,
            })
            .await?;
        if !guest
            .assigned_licenses
            .iter()
            .any(|l| l.sku_id.eq_ignore_ascii_case(&sku))
        {
            return Err(refuse(format!("{} no longer has {name}.", row.target), CHANGED_SINCE));
        }
        if self.dry_run {
            return Ok(StepOutcome::would(
                "undo",
                format!("Would remove {name} from {} (undoing change #{}).", row.target, row.seq),
            ));
        }
        let state = json!({"skuId": sku, "skuPartNumber": name, "assigned": true});
        let after = json!({"skuId": sku, "skuPartNumber": name, "assigned": false});
        let plan = UndoPlan {
            now: state,
            restored: after,
            failure: format!("Removing {name} from {}", row.target),
            summary: format!("Removed {name} from {} (undid change #{}).", row.target, row.seq),
        };
        self.run_undo(row, plan, async {
            self.graph.remove_license(&guest.id, &sku).await.map(|a| a.request_id)
        })
        .await
    }

    async fn undo_role(&self, row: &ChangeRecord) -> Result<StepOutcome, Problem> {
        let a = Self::after_of(row);
        let (env_name, role_id) = (
            a["environment"].as_str().unwrap_or_default().to_string(),
            a["roleId"].as_str().unwrap_or_default().to_string(),
        );
        let email = row.target.split(' ').next().unwrap_or_default().to_string();
        let env = self.resolve_environment(&env_name).await?;
        let dataverse = env
            .dataverse
            .clone()
            .ok_or_else(|| refuse(format!("{env_name} has no Dataverse any more."), CHANGED_SINCE))?;
        let guest = self
            .guest_profile(&GuestRef {
                email: email.clone(),
                user_id: None,
            })
            .await?;
        let user = self
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
        if self.dry_run {
            return Ok(StepOutcome::would(
                "undo",
                format!(
                    "Would take the role back from {email} in {env_name} (undoing change #{}).",
                    row.seq
                ),
            ));
        }
        let state = json!({"environment": env_name, "roleId": role_id, "assigned": true});
        let after = json!({"environment": env_name, "roleId": role_id, "assigned": false});
        let plan = UndoPlan {
            now: state,
            restored: after,
            failure: format!("Taking the role back from {email}"),
            summary: format!(
                "Took the role back from {email} in {env_name} (undid change #{}).",
                row.seq
            ),
        };
        self.run_undo(
            row,
            plan,
            self.graph
                .dissociate_dataverse_role(&dataverse, &user.systemuserid, &role_id),
        )
        .await
    }

    async fn undo_google(&self, row: &ChangeRecord) -> Result<StepOutcome, Problem> {
        let client_id = Self::after_of(row)["clientId"].as_str().unwrap_or_default().to_string();
        let now = self.google_federation().await?;
        if now.client_id.as_deref() != Some(client_id.as_str()) {
            return Err(refuse(
                "The Google identity provider is gone or uses another client now.".into(),
                CHANGED_SINCE,
            ));
        }
        if self.dry_run {
            return Ok(StepOutcome::would("undo", format!("Would remove the Google identity provider (undoing change #{}). Gmail guests would sign in with one-time passcodes again.", row.seq)));
        }
        let state = json!({"configured": true, "clientId": client_id});
        let plan = UndoPlan {
            now: state,
            restored: json!({"configured": false}),
            failure: "Removing the Google identity provider".into(),
            summary: format!("Removed the Google identity provider (undid change #{}).", row.seq),
        };
        self.run_undo(
            row,
            plan,
            self.graph.delete_identity_provider(crate::google::GOOGLE_PROVIDER_ID),
        )
        .await
    }

    async fn undo_authorization_policy(&self, row: &ChangeRecord) -> Result<StepOutcome, Problem> {
        let (before, after) = (row.before.clone().unwrap_or(Value::Null), Self::after_of(row).clone());
        let now = self
            .graph
            .authorization_policy()
            .await
            .map_err(|e| Problem::from_graph("Reading the authorization policy", &e))?
            .body;
        let current = json!({"allowInvitesFrom": now.allow_invites_from, "guestUserRoleId": now.guest_user_role_id});
        if current != after {
            return Err(refuse(
                "Who can invite or what guests can see was changed again since.".into(),
                CHANGED_SINCE,
            ));
        }
        if self.dry_run {
            return Ok(StepOutcome::would(
                "undo",
                format!(
                    "Would restore who can invite and what guests can see as before change #{}.",
                    row.seq
                ),
            ));
        }
        let patch = AuthorizationPolicyPatch {
            allow_invites_from: before["allowInvitesFrom"].as_str().map(str::to_string),
            guest_user_role_id: before["guestUserRoleId"].as_str().map(str::to_string),
        };
        let plan = UndoPlan {
            now: current,
            restored: before,
            failure: "Restoring the authorization policy".into(),
            summary: format!(
                "Restored who can invite and what guests can see (undid change #{}).",
                row.seq
            ),
        };
        self.run_undo(row, plan, self.graph.update_authorization_policy(&patch))
            .await
    }

    async fn undo_domain_list(&self, row: &ChangeRecord) -> Result<StepOutcome, Problem> {
        let parse = |v: &Value| serde_json::from_value::<crate::settings::DomainList>(v["domains"].clone()).ok();
        let (Some(was), Some(made)) = (row.before.as_ref().and_then(parse), parse(Self::after_of(row))) else {
            return Err(refuse(
                format!("Change #{} does not record the domain lists.", row.seq),
                "Change the list by hand.",
            ));
        };
        let policies = self
            .graph
            .b2b_management_policies()
            .await
            .map_err(|e| Problem::from_graph("Reading the domain allow/block list", &e))?;
        let default = policies.iter().find(|p| p.is_organization_default);
        let now = crate::settings::parse_domain_list(default);
        let (Some(policy), true) = (default, now == made) else {
            return Err(refuse(
                "The domain allow/block list was changed again since.".into(),
                CHANGED_SINCE,
            ));
        };
        if self.dry_run {
            return Ok(StepOutcome::would(
                "undo",
                format!("Would restore the domain list as before change #{}.", row.seq),
            ));
        }
        let definition = vec![crate::settings::with_domain_list(
            policy.definition.first().map(String::as_str),
            &was,
        )];
        let restored = json!({"domains": was, "definition": definition});
        let state = json!({"domains": now, "definition": policy.definition});
        let plan = UndoPlan {
            now: state,
            restored,
            failure: "Restoring the domain allow/block list".into(),
            summary: format!("Restored the domain allow/block list (undid change #{}).", row.seq),
        };
        self.run_undo(
            row,
            plan,
            self.graph.update_b2b_management_policy(&policy.id, &definition),
        )
        .await
    }

    async fn undo_profile(&self, row: &ChangeRecord) -> Result<StepOutcome, Problem> {
        let fields = ["givenName", "surname", "usageLocation"];
        let (before, after) = (row.before.clone().unwrap_or(Value::Null), Self::after_of(row).clone());
        let guest = self
            .guest_profile(&GuestRef {
                email: row.target.clone(),
                user_id: None,
            })
            .await?;
        let now =
            json!({"givenName": guest.given_name, "surname": guest.surname, "usageLocation": guest.usage_location});
        if fields.iter().any(|f| now[f] != after[f]) {
            return Err(refuse(
                format!("{}'s name or usage location was changed again since.", row.target),
                CHANGED_SINCE,
            ));
        }
        if before["usageLocation"].is_null() && !guest.assigned_licenses.is_empty() {
            return Err(refuse(
                format!(
                    "{} has a licence now, and Microsoft needs a usage location for it.",
                    row.target
                ),
                "Remove the licence first (undo it in History), then undo this change.",
            ));
        }
        let patch: serde_json::Map<String, Value> = fields
            .iter()
            .filter(|f| before[**f] != after[**f])
            .map(|f| (f.to_string(), before[*f].clone()))
            .collect();
        if self.dry_run {
            return Ok(StepOutcome::would(
                "undo",
                format!("Would restore {}'s profile as before change #{}.", row.target, row.seq),
            ));
        }
        let plan = UndoPlan {
            now,
            restored: before,
            failure: format!("Restoring {}'s profile", row.target),
            summary: format!("Restored {}'s profile (undid change #{}).", row.target, row.seq),
        };
        self.run_undo(row, plan, self.graph.update_user_json(&guest.id, &Value::Object(patch)))
            .await
    }

    async fn undo_cross_tenant(&self, row: &ChangeRecord) -> Result<StepOutcome, Problem> {
        let (before, after) = (row.before.clone().unwrap_or(Value::Null), Self::after_of(row).clone());
        let settings = self.read_settings().await?;
        let now = json!({"inboundB2bAllowed": settings.inbound_b2b_allowed, "trustHomeMfa": settings.trust_home_mfa});
        if now != after {
            return Err(refuse(
                "The cross-tenant access default was changed again since.".into(),
                CHANGED_SINCE,
            ));
        }
        if self.dry_run {
            return Ok(StepOutcome::would(
                "undo",
                format!(
                    "Would restore the cross-tenant access default as before change #{}.",
                    row.seq
                ),
            ));
        }
        let differs = |k: &str| (before[k] != after[k]).then(|| before[k].as_bool()).flatten();
        let patch = self
            .cross_tenant_patch(differs("inboundB2bAllowed"), differs("trustHomeMfa"))
            .await?;
        let plan = UndoPlan {
            now,
            restored: before,
            failure: "Restoring the cross-tenant access default".into(),
            summary: format!("Restored the cross-tenant access default (undid change #{}).", row.seq),
        };
        self.run_undo(row, plan, self.graph.update_cross_tenant_default(&patch))
            .await
    }

    /// An invitation cannot be taken back (an e-mail may be out); undo blocks the guest's
    /// sign-in instead, which an admin can reverse, and ends their sessions.
    async fn undo_invitation(&self, row: &ChangeRecord) -> Result<StepOutcome, Problem> {
        let user_id = Self::after_of(row)["userId"].as_str().unwrap_or_default().to_string();
        let user = match self.graph.get_user(&user_id).await {
            Ok(a) => a.body,
            Err(e) if e.is_not_found() => {
                return Err(refuse(
                    format!("{} is no longer in the tenant.", row.target),
                    "Nothing left to undo.",
                ))
            }
            Err(e) => return Err(Problem::from_graph(&format!("Reading {}", row.target), &e)),
        };
        if user.account_enabled == Some(false) {
            return Err(refuse(
                format!("{} is already blocked from signing in.", row.target),
                "Nothing left to undo.",
            ));
        }
        let sent = Self::after_of(row)["sendInvitationMessage"] == true;
        let note = if sent {
            " The invitation e-mail Microsoft sent cannot be taken back; the link in it will no longer let them in."
        } else {
            ""
        };
        if self.dry_run {
            return Ok(StepOutcome::would(
                "undo",
                format!("Would block {} from signing in and end their sessions (undoing change #{}).{note} To delete the account, use the Entra admin center (restorable for 30 days).", row.target, row.seq),
            ));
        }
        let state = json!({"userId": user_id, "accountEnabled": true});
        let after = json!({"userId": user_id, "accountEnabled": false});
        let plan = UndoPlan {
            now: state,
            restored: after,
            failure: format!("Blocking {}", row.target),
            summary: format!(
                "Blocked {} from signing in (undid change #{}).{note}",
                row.target, row.seq
            ),
        };
        self.run_undo(row, plan, self.graph.block_user(&user_id)).await
    }
}
