//! Bulk onboarding from a guest list: [`plan`] reads and checks the file (first on its own,
//! then against the tenant) into a preview; [`run`] onboards the rows of a persisted run,
//! several at once, resuming after any stop; [`results`] writes the per-row results file.

pub mod plan;
pub mod results;
pub mod run;

pub use crate::onboarding::PlannedGuest;
pub use plan::{ImportDefaults, ImportPreview, IssueLevel, PreviewRow, RowIssue, SeatCheck};
pub use run::{RunControl, RunLink, RunProgress};
