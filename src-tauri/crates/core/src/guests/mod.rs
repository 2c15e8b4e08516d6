//! Guests over time: every guest at a glance, which are stale or stuck, and what to do about
//! them (block, unblock, remove, restore, resend), each change recorded and undoable.

mod actions;
mod evidence;
mod list;
mod sponsors;

pub use actions::{GuestActionResult, GuestVerb};
pub use evidence::{PullProgress, PullReport};
pub use list::{GuestList, GuestRow, GuestRules};
pub(crate) use sponsors::MAX_SPONSORS;
