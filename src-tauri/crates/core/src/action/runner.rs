//! The one sequence every change goes through: plan -> (dry run: preview) -> intent -> apply
//! -> verify -> record, and the one wait for Entra's replication.

use super::{Action, Applied, Failure, Plan, StepOutcome};
use crate::engine::Engine;
use crate::problem::Problem;
use std::future::Future;

/// What a run of an action did: the outcome, the state it left (as read back, or as it
/// would be), and Microsoft's answer when the change was sent.
pub(crate) struct Done<S, A> {
    pub outcome: StepOutcome,
    pub state: S,
    pub answer: Option<A>,
}

impl Engine {
    /// Runs one action. In a dry run nothing is sent or recorded; otherwise the intent is
    /// written before anything is sent, so a crash mid-call is recorded as interrupted.
    pub(crate) async fn run<A: Action>(&self, action: &A) -> Result<Done<A::State, A::Answer>, Problem> {
        let logged = action.logged();
        let step = logged.step();
        let target = action.target();
        let change = match action.plan(self).await? {
            Plan::AlreadySo { state, summary } => {
                let outcome = self.log_unchanged(step, logged, &target, json(&state), summary)?;
                return Ok(Done {
                    outcome,
                    state,
                    answer: None,
                });
            }
            Plan::Change(change) => change,
        };
        if self.dry_run {
            return Ok(Done {
                outcome: StepOutcome::would(step, change.would.clone()),
                state: change.after,
                answer: None,
            });
        }
        if let Some(problem) = change.blocked {
            return Err(problem);
        }
        let intent = json(&change.after);
        self.intend(logged, &target, &intent)?;
        let applied = if action.waits_for_replication() {
            self.until_replicated(
                || action.apply(self, &change),
                |r| matches!(r, Err(Failure::Graph(e)) if e.is_not_found()),
            )
            .await
        } else {
            action.apply(self, &change).await
        };
        let Applied { answer, request_id } = match applied {
            Ok(a) => a,
            Err(failure) => return Err(self.log_failed(logged, &target, &change.failure, failure, intent)),
        };
        let mut before = json(&change.before);
        if let Some(seq) = change.undoes {
            before["undoes"] = seq.into();
        }
        // An empty before is an object that did not exist yet (a new guest).
        let before = before.as_object().is_some_and(|o| !o.is_empty()).then_some(before);
        let verified = action.verify(self, change, &answer).await;
        let after = json(&verified.after);
        let outcome = self.log_changed(step, logged, &target, before, after, verified.summary, request_id)?;
        Ok(Done {
            outcome,
            state: verified.after,
            answer: Some(answer),
        })
    }

    /// Runs an action for its outcome alone.
    pub(crate) async fn run_step<A: Action>(&self, action: &A) -> Result<StepOutcome, Problem> {
        Ok(self.run(action).await?.outcome)
    }

    /// Calls `op` until `not_yet` says its answer is final, waiting between tries with the
    /// engine's back-off; after the last try its answer stands. For what Entra has accepted
    /// but not yet replicated everywhere (a new guest, a synced Dataverse user).
    pub(crate) async fn until_replicated<T, F, Fut>(&self, mut op: F, not_yet: impl Fn(&T) -> bool) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = T>,
    {
        let mut delays = self.verify.delays();
        loop {
            let answer = op().await;
            if !not_yet(&answer) {
                return answer;
            }
            match delays.next() {
                Some(wait) => {
                    tracing::debug!(?wait, "not replicated yet; waiting");
                    tokio::time::sleep(wait).await
                }
                None => return answer,
            }
        }
    }
}

fn json<S: serde::Serialize>(state: &S) -> serde_json::Value {
    serde_json::to_value(state).unwrap_or_default()
}
