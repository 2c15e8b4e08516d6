//! What went wrong, in words an admin can act on.

use guestpass_graph::GraphError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ProblemKind {
    /// The input is wrong; nothing was sent to Microsoft.
    Invalid,
    /// Microsoft refused the request.
    Microsoft,
    /// Microsoft is throttling this tenant.
    Throttled,
    /// Sign-in failed or expired.
    SignIn,
    /// Microsoft could not be reached.
    Network,
    /// Microsoft's service failed for a moment (HTTP 5xx); trying again later usually works.
    Unavailable,
    /// Guestpass's own history database on this computer failed.
    Local,
    /// Something else on this computer failed: a file, a folder, the built-in sandbox.
    Computer,
    /// Guestpass itself went wrong (a bug): nothing the admin did.
    Internal,
    /// The admin stopped it; nothing was changed.
    Cancelled,
}

/// One field's problem, for forms and CSV rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The field, as named in the request (e.g. `email`, `redirectUrl`).
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{message} {hint}")]
pub struct Problem {
    pub kind: ProblemKind,
    /// What happened.
    pub message: String,
    /// What to do next.
    pub hint: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
    /// Microsoft's error code, when Microsoft answered.
    pub code: Option<String>,
    /// Microsoft's request-id, for support.
    pub request_id: Option<String>,
}

impl Problem {
    /// Whether trying the same thing again later can work without anyone fixing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            ProblemKind::Throttled | ProblemKind::Network | ProblemKind::Unavailable
        )
    }

    pub fn invalid(fields: Vec<FieldError>) -> Problem {
        let message = fields.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" ");
        Problem {
            kind: ProblemKind::Invalid,
            message,
            hint: "Correct what is named above and try again. Nothing was sent to Microsoft.".into(),
            fields,
            code: None,
            request_id: None,
        }
    }

    /// One field is wrong (or a step cannot run yet because of it); nothing was sent.
    pub fn field(field: &str, message: String, hint: &str) -> Problem {
        Problem {
            kind: ProblemKind::Invalid,
            message: message.clone(),
            hint: hint.into(),
            fields: vec![FieldError {
                field: field.into(),
                message,
            }],
            code: None,
            request_id: None,
        }
    }

    /// The admin stopped a read before it finished (`what`: "The check against the tenant";
    /// `again`: how to start it again).
    pub fn cancelled(what: &str, again: &str) -> Problem {
        Problem {
            kind: ProblemKind::Cancelled,
            message: format!("{what} was stopped before it finished. Nothing was changed."),
            hint: again.into(),
            fields: vec![],
            code: None,
            request_id: None,
        }
    }

    /// The history database failed (only for that: other failures have their own kinds).
    pub fn local(e: impl std::fmt::Display) -> Problem {
        Problem {
            kind: ProblemKind::Local,
            message: format!("Guestpass could not use its local history database: {e}."),
            hint: "Check that the disk is not full and the data folder is writable, then try again.".into(),
            fields: vec![],
            code: None,
            request_id: None,
        }
    }

    /// Something on this computer failed that is not the history database (a file, a folder,
    /// the built-in sandbox, a saved setting).
    pub fn on_this_computer(e: impl std::fmt::Display) -> Problem {
        let text = e.to_string();
        let mut chars = text.chars();
        let message = match chars.next() {
            Some(first) => format!("{}{}", first.to_uppercase(), chars.as_str()),
            None => text,
        };
        Problem {
            kind: ProblemKind::Computer,
            message: if message.ends_with('.') { message } else { format!("{message}.") },
            hint: "Check that the disk is not full and the data folder is writable, then try again. If it persists, restart Guestpass.".into(),
            fields: vec![],
            code: None,
            request_id: None,
        }
    }

    /// Guestpass went wrong in a way no input explains (a worker that stopped, a value that
    /// could not be written as text).
    pub fn internal(e: impl std::fmt::Display) -> Problem {
        Problem {
            kind: ProblemKind::Internal,
            message: format!("Guestpass went wrong: {e}."),
            hint: "Try again; if it happens again, report it with this message.".into(),
            fields: vec![],
            code: None,
            request_id: None,
        }
    }

    /// `what` says which step failed, e.g. "Inviting jane@partner.example".
    pub fn from_graph(what: &str, e: &GraphError) -> Problem {
        let kind = match e {
            GraphError::SignIn { .. } | GraphError::AzureCli { .. } | GraphError::AzureIdentity { .. } => {
                ProblemKind::SignIn
            }
            GraphError::Network { .. } => ProblemKind::Network,
            GraphError::Service(s) if s.status == 401 => ProblemKind::SignIn,
            GraphError::Service(s) if s.status == 429 => ProblemKind::Throttled,
            GraphError::Service(s) if s.status >= 500 => ProblemKind::Unavailable,
            _ => ProblemKind::Microsoft,
        };
        let detail = match e {
            GraphError::Service(s) => s.message.clone(),
            other => other.to_string(),
        };
        let mut message = format!("{what} failed: {}", detail.trim_end());
        if !message.ends_with(['.', '!', '?']) {
            message.push('.');
        }
        Problem {
            kind,
            message,
            hint: e.hint(),
            fields: vec![],
            code: e.code().map(str::to_string),
            request_id: e.request_id().map(str::to_string),
        }
    }
}
