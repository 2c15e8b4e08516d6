//! Guests over time: every guest at a glance, and which are stale or stuck.

mod list;

pub use list::{GuestList, GuestRow, GuestRules};
