//! Writing an action's outcome to the change log: one row per change made, found unneeded, or refused.

use crate::connect::Engine;
use crate::problem::Problem;
use crate::steps::{StepOutcome, StepStatus};
use guestpass_graph::GraphError;
use guestpass_store::{ChangeResult, NewChange};

impl Engine {
    pub(crate) fn step_change(&self, action: &str, email: &str, result: ChangeResult) -> NewChange {
        NewChange {
            actor: self.info.actor.clone(),
            tenant: self.info.tenant_id.clone(),
            action: action.into(),
            target: email.to_string(),
            before: None,
            after: None,
            result,
            error_code: None,
            detail: None,
            request_id: None,
        }
    }

    /// Logs a step that found nothing to do.
    pub(crate) fn log_unchanged(
        &self,
        step: &str,
        action: &str,
        email: &str,
        state: serde_json::Value,
        summary: String,
    ) -> Result<StepOutcome, Problem> {
        if self.dry_run {
            return Ok(StepOutcome {
                step: step.into(),
                status: StepStatus::Unchanged,
                summary,
                request_id: None,
                change_seq: 0,
            });
        }
        let record = self
            .store
            .append_change(&NewChange {
                before: Some(state.clone()),
                after: Some(state),
                detail: Some(summary.clone()),
                ..self.step_change(action, email, ChangeResult::Unchanged)
            })
            .map_err(Problem::local)?;
        Ok(StepOutcome {
            step: step.into(),
            status: StepStatus::Unchanged,
            summary,
            request_id: None,
            change_seq: record.seq,
        })
    }

    /// Logs a change Microsoft accepted.
    #[allow(clippy::too_many_arguments)] // the fields of one change-log row, named at each call
    pub(crate) fn log_changed(
        &self,
        step: &str,
        action: &str,
        email: &str,
        before: serde_json::Value,
        after: serde_json::Value,
        summary: String,
        request_id: Option<String>,
    ) -> Result<StepOutcome, Problem> {
        let record = self
            .store
            .append_change(&NewChange {
                before: Some(before),
                after: Some(after),
                detail: Some(summary.clone()),
                request_id: request_id.clone(),
                ..self.step_change(action, email, ChangeResult::Succeeded)
            })
            .map_err(|e| Problem::local(format!("{summary} But the change could not be recorded: {e}")))?;
        Ok(StepOutcome {
            step: step.into(),
            status: StepStatus::Changed,
            summary,
            request_id,
            change_seq: record.seq,
        })
    }

    /// Logs a refusal from Microsoft and turns it into a [`Problem`].
    pub(crate) fn log_failed(
        &self,
        action: &str,
        email: &str,
        what: &str,
        e: &GraphError,
        attempted: serde_json::Value,
    ) -> Problem {
        let mut problem = Problem::from_graph(what, e);
        if e.status() == Some(403) {
            if let Some(hint) = crate::permissions::hint_for(action) {
                problem.hint = hint;
            }
        }
        let logged = self.store.append_change(&NewChange {
            after: Some(attempted),
            error_code: e.code().map(str::to_string),
            detail: Some(format!("{} {}", problem.message, problem.hint)),
            request_id: e.request_id().map(str::to_string),
            ..self.step_change(action, email, ChangeResult::Failed)
        });
        if let Err(store_err) = logged {
            problem.message.push_str(&format!(
                " (The failure could not be recorded locally either: {store_err}.)"
            ));
        }
        problem
    }
}
