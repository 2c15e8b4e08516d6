//! Guests over time: every guest at a glance, which are stale or stuck, and what to do about
//! them (block, unblock, remove, restore, resend), each change recorded and undoable.

mod actions;
mod list;
mod sponsors;

pub use actions::{GuestActionResult, GuestVerb};
pub use list::{GuestList, GuestRow, GuestRules};
