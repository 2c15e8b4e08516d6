//! Guests over time: every guest at a glance, which are stale or stuck, and what to do about
//! them (block, unblock, remove, restore, resend), their sponsors, recurring access reviews,
//! and evidence copied from Microsoft's logs — each change recorded and undoable.

mod actions;
mod evidence;
mod list;
mod offboard;
mod reviews;
mod sponsors;

pub use actions::{GuestActionResult, GuestVerb};
pub use evidence::{PullProgress, PullReport};
pub use list::{GuestList, GuestRow, GuestRules};
pub(crate) use offboard::OffboardStep;
pub use offboard::{OffboardPlan, PartnerGuest};
pub use reviews::{ReviewDecision, ReviewRequest, ReviewSummary};
pub use sponsors::PersonOption;
pub(crate) use sponsors::MAX_SPONSORS;
