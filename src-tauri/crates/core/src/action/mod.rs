//! Every change to a tenant is an [`Action`]: it says what to read, what to send and how to
//! check; the runner ([`Engine::run`](crate::Engine)) owns the sequence — plan, preview on a
//! dry run, write the intent, apply (riding out replication), verify, record the outcome with
//! Microsoft's request-id — and undo goes through the same runner.

mod journal;
pub mod kind;
mod runner;
pub(crate) mod undo;

pub use kind::{ActionKind, Logged};
pub(crate) use runner::Done;

use crate::engine::Engine;
use crate::problem::Problem;
use guestpass_graph::GraphError;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::future::Future;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum StepStatus {
    /// The change was made.
    Changed,
    /// The tenant was already as asked; nothing was sent.
    Unchanged,
    /// A dry run: this change would be made.
    WouldChange,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct StepOutcome {
    /// `profile`, `license`, `group`… ([`ActionKind::step`]), or `undo`.
    pub step: String,
    pub status: StepStatus,
    pub summary: String,
    pub request_id: Option<String>,
    #[ts(type = "number")]
    pub change_seq: i64,
}

impl StepOutcome {
    /// What a dry run reports instead of changing anything (nothing is logged).
    pub fn would(step: &str, summary: String) -> StepOutcome {
        StepOutcome {
            step: step.into(),
            status: StepStatus::WouldChange,
            summary,
            request_id: None,
            change_seq: 0,
        }
    }
}

/// What reading the tenant decided.
pub(crate) enum Plan<S, C = String> {
    /// The tenant is already as asked: recorded as unchanged, nothing sent.
    AlreadySo {
        state: S,
        summary: String,
    },
    Change(Change<S, C>),
}

/// A change to make.
pub(crate) struct Change<S, C = String> {
    /// The state read from the tenant.
    pub before: S,
    /// The state the change should leave (written as the intent, and on a failure).
    pub after: S,
    /// The dry run's words ("Would add …").
    pub would: String,
    /// The outcome's words once made ("Added …"), unless `verify` says more.
    pub done: String,
    /// Names the step in a refusal ("Adding jane to Sales").
    pub failure: String,
    /// Why it cannot be sent yet, though a dry run may preview it (e.g. a licence before the
    /// usage location that an earlier step of the same run will set).
    pub blocked: Option<Problem>,
    /// The change-log row this change undoes, if it is an undo.
    pub undoes: Option<i64>,
    /// What the plan found that the apply needs (an object id, the group…).
    pub context: C,
}

/// What the apply call got back.
pub(crate) struct Applied<A> {
    pub answer: A,
    pub request_id: Option<String>,
}

impl Applied<()> {
    pub fn id(request_id: Option<String>) -> Applied<()> {
        Applied { answer: (), request_id }
    }
}

/// Why an apply failed: Microsoft refused (logged with its code and request-id), or a check
/// made along the way did (e.g. a role missing from the guest's business unit).
pub(crate) enum Failure {
    Graph(GraphError),
    Refused(Problem),
}

impl From<GraphError> for Failure {
    fn from(e: GraphError) -> Failure {
        Failure::Graph(e)
    }
}

impl From<Problem> for Failure {
    fn from(p: Problem) -> Failure {
        Failure::Refused(p)
    }
}

/// The state after the change, as read back, and the outcome in words.
pub(crate) struct Verified<S> {
    pub after: S,
    pub summary: String,
}

/// One kind of change. The runner calls `plan`, then (unless a dry run or already so)
/// `apply` and `verify`; undo is an action too.
pub(crate) trait Action: Sync {
    /// What the change log records before and after; undo reads it back with this type.
    type State: Serialize + DeserializeOwned + Send + Sync;
    /// What the plan hands to the apply (an object id, the group found…).
    type Context: Send + Sync;
    /// What the apply call answers (e.g. the new invitation).
    type Answer: Send;

    /// How the change log names it.
    fn logged(&self) -> Logged;

    /// The change log's target: an address, "jane@x in Sales", "tenant Contoso".
    fn target(&self) -> String;

    /// Reads the tenant and decides what to do. Refuses what Microsoft would refuse.
    fn plan(&self, engine: &Engine) -> impl Future<Output = Result<Plan<Self::State, Self::Context>, Problem>> + Send;

    /// Sends the change.
    fn apply(
        &self,
        engine: &Engine,
        change: &Change<Self::State, Self::Context>,
    ) -> impl Future<Output = Result<Applied<Self::Answer>, Failure>> + Send;

    /// Reads the tenant back where that tells more than Microsoft's acceptance (a new guest,
    /// a role); by default the change stands as planned, in the words of `done`.
    fn verify(
        &self,
        _engine: &Engine,
        change: Change<Self::State, Self::Context>,
        _answer: &Self::Answer,
    ) -> impl Future<Output = Verified<Self::State>> + Send {
        async move {
            Verified {
                after: change.after,
                summary: change.done,
            }
        }
    }

    /// A 404 right after an invitation is Entra still replicating the new guest: the runner
    /// retries the apply then, with the shared back-off.
    fn waits_for_replication(&self) -> bool {
        false
    }
}

/// A refusal before anything is sent (the input or the tenant's state does not allow it).
pub(crate) fn refuse(message: String, hint: &str) -> Problem {
    Problem {
        kind: crate::problem::ProblemKind::Invalid,
        message,
        hint: hint.into(),
        fields: vec![],
        code: None,
        request_id: None,
    }
}

/// Why an undo stops when the tenant no longer looks as the change left it.
pub(crate) const CHANGED_SINCE: &str = "Someone (or something) changed it after Guestpass did, so undoing could overwrite their change. Check the tenant and change it by hand if needed.";

/// Reads a recorded before/after back into the action's type.
pub(crate) fn recorded<S: DeserializeOwned>(value: Option<&serde_json::Value>) -> Option<S> {
    value.and_then(|v| serde_json::from_value(v.clone()).ok())
}
