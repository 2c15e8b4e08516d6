//! Guestpass's engine, shared by the desktop app, the CLI and (later) bulk runs.
//!
//! Every change to a tenant is an action shaped the same way: **plan** (read the tenant),
//! **apply**, **verify** (read it back), **log** (append to the hash-chained change log).

// `Problem` is a plain, serialisable report that travels to the UI by value; it is only built
// on the failure path, so its size does not matter.
#![allow(clippy::result_large_err)]

pub mod activity;
pub mod bulk;
pub mod connect;
pub mod dataverse;
pub mod google;
pub mod invite;
mod journal;
mod permissions;
mod problem;
pub mod readiness;
pub mod settings;
pub mod sign_in;
pub mod steps;
pub mod undo;
pub mod validate;

pub use activity::DayActivity;
pub use connect::{Connection, ConnectionInfo, ConnectionMode, Engine, Settings};
pub use dataverse::EnvironmentOption;
pub use google::GoogleFederation;
pub use guestpass_store::{
    export, ChainReport, ChangeFilter, ChangeRecord, ChangeResult, RunInfo, RunRow, RunState, RunStep, SortKey,
    StepState, Store,
};
pub use invite::{InviteOutcome, InviteRequest, InviteStatus};
pub use problem::{FieldError, Problem, ProblemKind};
pub use readiness::{FixStep, Readiness, ReadinessItem, ReadinessRequest};
pub use settings::{
    DomainList, DomainMode, ExternalSettings, GuestAccess, InviteAuthority, SettingChange, SettingsPlan,
    SettingsRequest,
};
pub use steps::{Country, GroupOption, GuestRef, GuestSummary, LicenseOption, ProfileRequest, StepOutcome, StepStatus};

/// Every type the UI sees, for TypeScript generation (see `typescript_bindings`).
pub fn typescript_declarations() -> Vec<String> {
    use ts_rs::TS;
    let cfg = ts_rs::Config::default();
    vec![
        ConnectionMode::decl(&cfg),
        ConnectionInfo::decl(&cfg),
        InviteRequest::decl(&cfg),
        InviteStatus::decl(&cfg),
        InviteOutcome::decl(&cfg),
        ProblemKind::decl(&cfg),
        FieldError::decl(&cfg),
        Problem::decl(&cfg),
        ChangeResult::decl(&cfg),
        ChangeRecord::decl(&cfg),
        SortKey::decl(&cfg),
        ChangeFilter::decl(&cfg),
        guestpass_store::ChainBreak::decl(&cfg),
        ChainReport::decl(&cfg),
        GuestRef::decl(&cfg),
        ProfileRequest::decl(&cfg),
        StepStatus::decl(&cfg),
        StepOutcome::decl(&cfg),
        LicenseOption::decl(&cfg),
        GroupOption::decl(&cfg),
        Country::decl(&cfg),
        InviteAuthority::decl(&cfg),
        GuestAccess::decl(&cfg),
        DomainMode::decl(&cfg),
        DomainList::decl(&cfg),
        ExternalSettings::decl(&cfg),
        SettingsRequest::decl(&cfg),
        SettingChange::decl(&cfg),
        SettingsPlan::decl(&cfg),
        GoogleFederation::decl(&cfg),
        FixStep::decl(&cfg),
        ReadinessItem::decl(&cfg),
        Readiness::decl(&cfg),
        ReadinessRequest::decl(&cfg),
        GuestSummary::decl(&cfg),
        EnvironmentOption::decl(&cfg),
        DayActivity::decl(&cfg),
        guestpass_import::Field::decl(&cfg),
        bulk::ImportDefaults::decl(&cfg),
        bulk::PlannedGuest::decl(&cfg),
        bulk::IssueLevel::decl(&cfg),
        bulk::RowIssue::decl(&cfg),
        bulk::PreviewRow::decl(&cfg),
        bulk::SeatCheck::decl(&cfg),
        bulk::ImportPreview::decl(&cfg),
        RunState::decl(&cfg),
        StepState::decl(&cfg),
        RunInfo::decl(&cfg),
        RunStep::decl(&cfg),
        RunRow::decl(&cfg),
        bulk::RunLink::decl(&cfg),
        bulk::RunProgress::decl(&cfg),
        guestpass_store::TenantProfile::decl(&cfg),
        sign_in::SignInWay::decl(&cfg),
        sign_in::SignInRequest::decl(&cfg),
        sign_in::DeviceCodePrompt::decl(&cfg),
        sign_in::SignedIn::decl(&cfg),
        sign_in::StepPermission::decl(&cfg),
        sign_in::RegistrationGuide::decl(&cfg),
        sign_in::SignInNotice::decl(&cfg),
    ]
}
