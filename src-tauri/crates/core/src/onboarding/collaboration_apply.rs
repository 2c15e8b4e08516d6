//! Applying the collaboration settings: one action per Microsoft object (the authorization
//! policy, the domain list, the cross-tenant default), each undoable on its own.

use super::collaboration::{
    describe_domains, parse_domain_list, with_domain_list, DomainList, ExternalSettings, SettingsRequest,
};
use crate::action::{
    recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, StepStatus,
    CHANGED_SINCE,
};
use crate::engine::Engine;
use crate::problem::{Problem, ProblemKind};
use guestpass_graph::models::{AuthorizationPolicyPatch, B2bManagementPolicy};
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use std::future::Future;

/// Nothing differed: the whole settings recorded as they are.
struct SettingsAsAsked {
    target: String,
    state: ExternalSettings,
}

impl Action for SettingsAsAsked {
    type State = ExternalSettings;
    type Context = ();
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::Did(ActionKind::UpdateSettings)
    }

    fn target(&self) -> String {
        self.target.clone()
    }

    async fn plan(&self, _: &Engine) -> Result<Plan<ExternalSettings, ()>, Problem> {
        Ok(Plan::AlreadySo {
            state: self.state.clone(),
            summary: "The external collaboration settings are already as asked.".into(),
        })
    }

    async fn apply(&self, _: &Engine, _: &Change<ExternalSettings, ()>) -> Result<Applied<()>, Failure> {
        unreachable!("settings already as asked are never applied")
    }
}

/// Who can invite and what guests can see (`allowInvitesFrom`, `guestUserRoleId`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuthorizationState {
    pub allow_invites_from: String,
    pub guest_user_role_id: String,
}

impl AuthorizationState {
    fn of(s: &ExternalSettings) -> AuthorizationState {
        AuthorizationState {
            allow_invites_from: s.invites_from.graph_value().into(),
            guest_user_role_id: s.guest_access.role_id().into(),
        }
    }

    /// The PATCH that turns `self` into `want`: only the fields that differ.
    fn patch_to(&self, want: &AuthorizationState) -> AuthorizationPolicyPatch {
        AuthorizationPolicyPatch {
            allow_invites_from: (self.allow_invites_from != want.allow_invites_from)
                .then(|| want.allow_invites_from.clone()),
            guest_user_role_id: (self.guest_user_role_id != want.guest_user_role_id)
                .then(|| want.guest_user_role_id.clone()),
        }
    }
}

/// The domain allow/block list, with the whole policy definition it lives in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DomainState {
    pub domains: DomainList,
    /// The B2B management policy's definition (Microsoft's JSON strings), when there is one.
    pub definition: Option<Vec<String>>,
}

/// Sets the domain list, keeping every other rule of the policy; as an undo, `undoes` names the row.
struct SetDomainList {
    target: String,
    from: DomainList,
    to: DomainList,
    undoes: Option<i64>,
}

impl Action for SetDomainList {
    type State = DomainState;
    /// The organisation default policy, if the tenant has one.
    type Context = Option<B2bManagementPolicy>;
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::of(ActionKind::UpdateDomainList, self.undoes)
    }

    fn target(&self) -> String {
        self.target.clone()
    }

    async fn plan(&self, engine: &Engine) -> Result<Plan<DomainState, Option<B2bManagementPolicy>>, Problem> {
        let policies = engine
            .graph
            .b2b_management_policies()
            .await
            .map_err(|e| Problem::from_graph("Reading the domain allow/block list", &e))?;
        let existing = policies.into_iter().find(|p| p.is_organization_default);
        if self.undoes.is_some() && parse_domain_list(existing.as_ref()) != self.from {
            return Err(refuse(
                "The domain allow/block list was changed again since.".into(),
                CHANGED_SINCE,
            ));
        }
        let definition = vec![with_domain_list(
            existing.as_ref().and_then(|p| p.definition.first().map(String::as_str)),
            &self.to,
        )];
        let (would, done, failure) = match self.undoes {
            Some(seq) => (
                format!("Would restore the domain list as before change #{seq}."),
                format!("Restored the domain allow/block list (undid change #{seq})."),
                "Restoring the domain allow/block list",
            ),
            None => (
                format!("Would let invitations go to {}.", describe_domains(&self.to)),
                format!("Invitations now go to {}.", describe_domains(&self.to)),
                "Updating the domain allow/block list",
            ),
        };
        Ok(Plan::Change(Change {
            before: DomainState {
                domains: self.from.clone(),
                definition: existing.as_ref().map(|p| p.definition.clone()),
            },
            after: DomainState {
                domains: self.to.clone(),
                definition: Some(definition),
            },
            would,
            done,
            failure: failure.into(),
            blocked: None,
            undoes: self.undoes,
            context: existing,
        }))
    }

    async fn apply(
        &self,
        engine: &Engine,
        change: &Change<DomainState, Option<B2bManagementPolicy>>,
    ) -> Result<Applied<()>, Failure> {
        let definition = change.after.definition.clone().unwrap_or_default();
        let request_id = match &change.context {
            Some(p) => engine.graph.update_b2b_management_policy(&p.id, &definition).await?,
            None => {
                let new = B2bManagementPolicy {
                    display_name: Some("B2BManagementPolicy".into()),
                    kind: Some("B2BManagementPolicy".into()),
                    is_organization_default: true,
                    definition,
                    ..Default::default()
                };
                engine.graph.create_b2b_management_policy(&new).await?.request_id
            }
        };
        Ok(Applied::id(request_id))
    }
}

/// The cross-tenant default's two switches Guestpass sets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CrossTenantState {
    pub inbound_b2b_allowed: bool,
    pub trust_home_mfa: bool,
}

impl CrossTenantState {
    fn of(s: &ExternalSettings) -> CrossTenantState {
        CrossTenantState {
            inbound_b2b_allowed: s.inbound_b2b_allowed,
            trust_home_mfa: s.trust_home_mfa,
        }
    }
}

/// A tenant switch set from one state to another by one PATCH: who can invite and what guests
/// see, or the cross-tenant default. As an undo, `undoes` names the row.
pub(crate) trait Switch: Clone + PartialEq + Serialize + serde::de::DeserializeOwned + Send + Sync {
    const KIND: ActionKind;
    /// "who can invite and what guests can see", for the outcome's words.
    const WHAT: &'static str;
    /// Sends the PATCH that turns `from` into `to`.
    fn send(engine: &Engine, from: &Self, to: &Self) -> impl Future<Output = Result<Option<String>, Failure>> + Send;
}

impl Switch for AuthorizationState {
    const KIND: ActionKind = ActionKind::UpdateAuthorizationPolicy;
    const WHAT: &'static str = "who can invite and what guests can see";

    async fn send(engine: &Engine, from: &Self, to: &Self) -> Result<Option<String>, Failure> {
        Ok(engine.graph.update_authorization_policy(&from.patch_to(to)).await?)
    }
}

impl Switch for CrossTenantState {
    const KIND: ActionKind = ActionKind::UpdateCrossTenantDefault;
    const WHAT: &'static str = "the cross-tenant access default";

    async fn send(engine: &Engine, from: &Self, to: &Self) -> Result<Option<String>, Failure> {
        let patch = engine
            .cross_tenant_patch(
                (from.inbound_b2b_allowed != to.inbound_b2b_allowed).then_some(to.inbound_b2b_allowed),
                (from.trust_home_mfa != to.trust_home_mfa).then_some(to.trust_home_mfa),
            )
            .await?;
        Ok(engine.graph.update_cross_tenant_default(&patch).await?)
    }
}

struct SetSwitch<S> {
    target: String,
    from: S,
    to: S,
    undoes: Option<i64>,
}

impl<S: Switch> Action for SetSwitch<S> {
    type State = S;
    type Context = ();
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::of(S::KIND, self.undoes)
    }

    fn target(&self) -> String {
        self.target.clone()
    }

    async fn plan(&self, _: &Engine) -> Result<Plan<S, ()>, Problem> {
        let what = S::WHAT;
        let (would, done, failure) = match self.undoes {
            Some(seq) => (
                format!("Would restore {what} as before change #{seq}."),
                format!("Restored {what} (undid change #{seq})."),
                format!("Restoring {what}"),
            ),
            None if S::KIND == ActionKind::UpdateAuthorizationPolicy => (
                format!("Would change {what}."),
                format!("Updated {what} (Entra takes 15 to 60 minutes to apply it everywhere)."),
                format!("Updating {what}"),
            ),
            None => (
                format!("Would change {what}."),
                format!("Updated {what}."),
                format!("Updating {what}"),
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
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<S, ()>) -> Result<Applied<()>, Failure> {
        Ok(Applied::id(S::send(engine, &change.before, &change.after).await?))
    }
}

/// The recorded before and after of a settings row, or why the undo cannot read them.
fn recorded_pair<S: serde::de::DeserializeOwned>(row: &ChangeRecord, what: &str) -> Result<(S, S), Problem> {
    match (recorded::<S>(row.before.as_ref()), recorded::<S>(row.after.as_ref())) {
        (Some(b), Some(a)) => Ok((b, a)),
        _ => Err(refuse(
            format!("Change #{} does not record {what}.", row.seq),
            "Change it back by hand.",
        )),
    }
}

impl Engine {
    /// Applies what differs, one logged change per Microsoft object. Nothing differs: one
    /// "unchanged" row.
    pub async fn apply_settings(&self, req: &SettingsRequest) -> Result<Vec<StepOutcome>, Problem> {
        let plan = self.plan_settings(req).await?;
        let (cur, want) = (&plan.current, &plan.desired);
        let target = format!("tenant {}", self.info.tenant_name);
        if plan.changes.is_empty() {
            let action = SettingsAsAsked {
                target,
                state: cur.clone(),
            };
            return Ok(vec![self.run_step(&action).await?]);
        }
        let mut out = Vec::new();
        let (from, to) = (AuthorizationState::of(cur), AuthorizationState::of(want));
        if from != to {
            let action = SetSwitch {
                target: target.clone(),
                from,
                to,
                undoes: None,
            };
            out.push(self.run_step(&action).await?);
        }
        if cur.domains != want.domains {
            let action = SetDomainList {
                target: target.clone(),
                from: cur.domains.clone(),
                to: want.domains.clone(),
                undoes: None,
            };
            out.push(self.run_step(&action).await?);
        }
        let (from, to) = (CrossTenantState::of(cur), CrossTenantState::of(want));
        if from != to {
            let action = SetSwitch {
                target,
                from,
                to,
                undoes: None,
            };
            out.push(self.run_step(&action).await?);
        }
        // Verify the whole: read everything back once the changes are made.
        if out.iter().any(|o| o.status == StepStatus::Changed) && &self.read_settings().await? != want {
            return Err(Problem {
                kind: ProblemKind::Microsoft,
                message: "Microsoft accepted the changes, but reading the settings back shows something different.".into(),
                hint: "Open the settings again in a minute; if it persists, another admin may be changing them at the same time.".into(),
                fields: vec![],
                code: None,
                request_id: None,
            });
        }
        Ok(out)
    }

    pub(crate) async fn undo_authorization_policy(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        let (was, made) = recorded_pair::<AuthorizationState>(&row, "who can invite")?;
        let now = self
            .graph
            .authorization_policy()
            .await
            .map_err(|e| Problem::from_graph("Reading the authorization policy", &e))?
            .body;
        let now = AuthorizationState {
            allow_invites_from: now.allow_invites_from,
            guest_user_role_id: now.guest_user_role_id,
        };
        if now != made {
            return Err(refuse(
                "Who can invite or what guests can see was changed again since.".into(),
                CHANGED_SINCE,
            ));
        }
        let action = SetSwitch {
            target: row.target.clone(),
            from: now,
            to: was,
            undoes: Some(row.seq),
        };
        self.run_step(&action).await
    }

    pub(crate) async fn undo_domain_list(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        let (was, made) = recorded_pair::<DomainState>(&row, "the domain lists")?;
        let action = SetDomainList {
            target: row.target.clone(),
            from: made.domains,
            to: was.domains,
            undoes: Some(row.seq),
        };
        self.run_step(&action).await
    }

    pub(crate) async fn undo_cross_tenant(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        let (was, made) = recorded_pair::<CrossTenantState>(&row, "the cross-tenant default")?;
        let settings = self.read_settings().await?;
        let now = CrossTenantState::of(&settings);
        if now != made {
            return Err(refuse(
                "The cross-tenant access default was changed again since.".into(),
                CHANGED_SINCE,
            ));
        }
        let action = SetSwitch {
            target: row.target.clone(),
            from: now,
            to: was,
            undoes: Some(row.seq),
        };
        self.run_step(&action).await
    }
}
