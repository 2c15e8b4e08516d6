//! What entitlement management does with an external user whose last access package ends:
//! nothing, block their sign-in, or block it and delete them after N days — one recorded,
//! undoable change of `PATCH /identityGovernance/entitlementManagement/settings`. It covers
//! only people who came in through an access package, never guests invited directly.

use crate::action::{
    recorded, refuse, Action, ActionKind, Applied, Change, Failure, Logged, Plan, StepOutcome, CHANGED_SINCE,
};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_store::ChangeRecord;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

/// The caveat every view of the setting carries.
pub const LIFECYCLE_CAVEAT: &str = "This applies only to people who came in through an access package. Guests invited directly (by Guestpass's invite or import, or in the portal) are not touched: off-board them from the Guests screen.";

/// The setting, as Guestpass shows and records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExternalLifecycle {
    /// `none`, `blockSignIn` or `blockSignInAndDelete` (Microsoft's values).
    pub action: String,
    /// Days between the block and the deletion (with `blockSignInAndDelete`).
    pub delete_after_days: u32,
}

impl ExternalLifecycle {
    fn of(settings: &serde_json::Value) -> ExternalLifecycle {
        let days = settings["durationUntilExternalUserDeletedAfterBlocked"]
            .as_str()
            .and_then(|d| d.strip_prefix('P')?.strip_suffix('D')?.parse().ok())
            .unwrap_or(30);
        ExternalLifecycle {
            action: settings["externalUserLifecycleAction"]
                .as_str()
                .unwrap_or("none")
                .to_string(),
            delete_after_days: days,
        }
    }

    pub fn in_words(&self) -> String {
        match self.action.as_str() {
            "blockSignIn" => "block their sign-in when their last access package ends".into(),
            "blockSignInAndDelete" => format!(
                "block their sign-in when their last access package ends, then delete them {} days later",
                self.delete_after_days
            ),
            _ => "keep them as guests when their last access package ends".into(),
        }
    }

    /// Same effect: the days count only when deleting.
    fn same(&self, other: &ExternalLifecycle) -> bool {
        self.action == other.action
            && (self.action != "blockSignInAndDelete" || self.delete_after_days == other.delete_after_days)
    }
}

struct SetLifecycle {
    from: ExternalLifecycle,
    to: ExternalLifecycle,
    undoes: Option<i64>,
}

impl Action for SetLifecycle {
    type State = ExternalLifecycle;
    type Context = ();
    type Answer = ();

    fn logged(&self) -> Logged {
        Logged::of(ActionKind::SetExternalUserLifecycle, self.undoes)
    }

    fn target(&self) -> String {
        "external users (entitlement management)".into()
    }

    async fn plan(&self, _: &Engine) -> Result<Plan<ExternalLifecycle, ()>, Problem> {
        if self.from.same(&self.to) && self.undoes.is_none() {
            return Ok(Plan::AlreadySo {
                state: self.from.clone(),
                summary: format!("Entitlement management already does this: {}.", self.to.in_words()),
            });
        }
        let undid = self.undoes.map(|s| format!(" (undid change #{s})")).unwrap_or_default();
        Ok(Plan::Change(Change {
            before: self.from.clone(),
            after: self.to.clone(),
            would: format!(
                "Would have entitlement management {} (now: {}). {LIFECYCLE_CAVEAT}",
                self.to.in_words(),
                self.from.in_words()
            ),
            done: format!("Entitlement management will now {}{undid}.", self.to.in_words()),
            failure: "Changing what happens to external users at the end".into(),
            blocked: None,
            undoes: self.undoes,
            context: (),
        }))
    }

    async fn apply(&self, engine: &Engine, change: &Change<ExternalLifecycle, ()>) -> Result<Applied<()>, Failure> {
        let to = &change.after;
        let mut body = json!({"externalUserLifecycleAction": to.action});
        if to.action == "blockSignInAndDelete" {
            body["durationUntilExternalUserDeletedAfterBlocked"] = json!(format!("P{}D", to.delete_after_days));
        }
        Ok(Applied::id(engine.graph.update_em_settings(&body).await?))
    }
}

impl Engine {
    /// The entitlement-management setting for external users.
    pub async fn external_lifecycle(&self) -> Result<ExternalLifecycle, Problem> {
        let settings = self
            .graph
            .em_settings()
            .await
            .map_err(|e| Problem::from_graph("Reading entitlement management's settings", &e))?;
        Ok(ExternalLifecycle::of(&settings))
    }

    /// Sets what happens to external users whose last access package ends.
    pub async fn set_external_lifecycle(&self, to: &ExternalLifecycle) -> Result<StepOutcome, Problem> {
        if !matches!(to.action.as_str(), "none" | "blockSignIn" | "blockSignInAndDelete") {
            return Err(Problem::field(
                "action",
                format!("'{}' is not something entitlement management can do.", to.action),
                "Choose none, block (sign-in) or block-and-delete.",
            ));
        }
        if to.action == "blockSignInAndDelete" && !(1..=3650).contains(&to.delete_after_days) {
            return Err(Problem::field(
                "deleteAfterDays",
                format!("{} days is not a delay Microsoft accepts here.", to.delete_after_days),
                "Choose 1 to 3650 days (30 is usual).",
            ));
        }
        self.require_entitlement_licence().await?;
        let from = self.external_lifecycle().await?;
        self.run_step(&SetLifecycle {
            from,
            to: to.clone(),
            undoes: None,
        })
        .await
    }

    pub(crate) async fn undo_lifecycle(&self, row: ChangeRecord) -> Result<StepOutcome, Problem> {
        let (Some(was), Some(made)) = (
            recorded::<ExternalLifecycle>(row.before.as_ref()),
            recorded::<ExternalLifecycle>(row.after.as_ref()),
        ) else {
            return Err(refuse(
                format!("Change #{} does not record the setting.", row.seq),
                "Change it back by hand in Entra (Identity Governance > Entitlement management > Settings).",
            ));
        };
        let now = self.external_lifecycle().await?;
        if !now.same(&made) {
            return Err(refuse("The setting was changed again since.".into(), CHANGED_SINCE));
        }
        self.run_step(&SetLifecycle {
            from: now,
            to: was,
            undoes: Some(row.seq),
        })
        .await
    }
}
