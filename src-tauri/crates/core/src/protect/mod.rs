//! Protect: what keeps guests safe in the tenant — Conditional Access policies that touch
//! guests, named locations, security defaults, the Entra ID P1 licence — said plainly, with
//! what is missing. (Creating and switching policies comes as actions of the one runner.)

mod overview;

pub use overview::{GuestPolicy, GuestProtection, NamedLocationSummary};
