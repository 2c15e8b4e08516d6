//! Writing an action's outcome to the change log: one row per change made, found unneeded, or refused.

use super::{Failure, Logged, StepOutcome, StepStatus};
use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_store::{ChangeResult, NewChange};

impl Engine {
    /// Writes down a change about to be sent to Microsoft. Its outcome,
    /// logged with the same action and target, clears it; if Guestpass stops first, the next
    /// start records it as interrupted ([`Engine::record_interrupted`]).
    pub(super) fn intend(&self, action: Logged, target: &str, attempt: &serde_json::Value) -> Result<(), Problem> {
        self.store
            .begin_change(
                &self.info.actor,
                &self.info.tenant_id,
                action.name(),
                target,
                Some(attempt),
            )
            .map(|_| ())
            .map_err(Problem::local)
    }

    /// Records every change left unfinished by a stopped run, for this tenant, as interrupted.
    pub(crate) fn record_interrupted(&self) -> Result<usize, Problem> {
        let pending = self.store.unfinished_changes().map_err(Problem::local)?;
        let mut n = 0;
        for p in pending.into_iter().filter(|p| p.tenant == self.info.tenant_id) {
            let detail = format!(
                "Guestpass stopped (crash, kill or power loss) at {} while waiting for Microsoft's answer, so whether this change was made is unknown. Run the step again: it reads the tenant first and does not repeat a change already made.",
                p.at
            );
            self.store
                .append_change(&NewChange {
                    actor: p.actor,
                    tenant: p.tenant,
                    action: p.action,
                    target: p.target,
                    before: None,
                    after: p.attempt,
                    result: ChangeResult::Failed,
                    error_code: Some("Interrupted".into()),
                    detail: Some(detail),
                    request_id: None,
                })
                .map_err(Problem::local)?;
            n += 1;
        }
        Ok(n)
    }

    fn step_change(&self, action: Logged, email: &str, result: ChangeResult) -> NewChange {
        NewChange {
            actor: self.info.actor.clone(),
            tenant: self.info.tenant_id.clone(),
            action: action.name().into(),
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
    pub(super) fn log_unchanged(
        &self,
        step: &str,
        action: Logged,
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
    pub(super) fn log_changed(
        &self,
        step: &str,
        action: Logged,
        email: &str,
        before: Option<serde_json::Value>,
        after: serde_json::Value,
        summary: String,
        request_id: Option<String>,
    ) -> Result<StepOutcome, Problem> {
        let record = self
            .store
            .append_change(&NewChange {
                before,
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

    /// Logs a refusal (Microsoft's, or a check made while applying) and turns it into a [`Problem`].
    pub(super) fn log_failed(
        &self,
        action: Logged,
        email: &str,
        what: &str,
        failure: Failure,
        attempted: serde_json::Value,
    ) -> Problem {
        let (mut problem, code, request_id) = match &failure {
            Failure::Graph(e) => {
                let mut p = Problem::from_graph(what, e);
                if e.status() == Some(403) {
                    p.hint = action.kind().permission_hint();
                }
                (p, e.code().map(str::to_string), e.request_id().map(str::to_string))
            }
            Failure::Refused(p) => (p.clone(), p.code.clone(), p.request_id.clone()),
        };
        let logged = self.store.append_change(&NewChange {
            after: Some(attempted),
            error_code: code,
            detail: Some(format!("{} {}", problem.message, problem.hint)),
            request_id,
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
