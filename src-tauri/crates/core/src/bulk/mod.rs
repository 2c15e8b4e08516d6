//! Bulk onboarding from a guest list: [`plan`] reads and checks the file (first on its own,
//! then against the tenant, where [`lookup`] finds who is already there) into a preview; [`run`] onboards the rows of a persisted run,
//! several at once, resuming after any stop; [`results`] writes the per-row results file.

pub mod lookup;
pub mod plan;
pub mod results;
pub mod run;

pub use crate::onboarding::PlannedGuest;
pub use lookup::{PreviewProgress, PreviewStage};
pub use plan::{ImportDefaults, ImportPreview, IssueLevel, PreviewRow, RowIssue, SeatCheck};
pub use run::{RunControl, RunLink, RunProgress};

/// A guest list the admin picked in the app's Open dialog: read from `path`, shown as `name`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ChosenFile {
    pub path: String,
    pub name: String,
}
