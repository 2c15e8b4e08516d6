//! Protect: what keeps guests safe in the tenant — Conditional Access policies that touch
//! guests, named locations, security defaults, the Entra ID P1 licence — said plainly, with
//! what is missing; the guest MFA policy and switching policies, as actions of the one runner;
//! and the What-If pre-flight that says, guest by guest, what a policy would do.

mod locations;
mod makers;
mod mfa;
mod overview;
mod policy;
mod preflight;

pub use locations::LocationRequest;
pub use makers::{MakersView, ENVIRONMENT_MAKER};
pub use mfa::{PolicyApps, GUEST_MFA_POLICY, POWER_PLATFORM_APPS};
pub use overview::{GuestPolicy, GuestProtection, NamedLocationSummary};
pub use policy::{state_words, PolicyState};
pub use preflight::{GuestVerdict, PolicyVerdict, Preflight, PreflightProgress, PreflightScope, Verdict};
