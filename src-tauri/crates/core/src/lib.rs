//! Guestpass's engine, shared by the desktop app and the CLI.
//!
//! Every change to a tenant is an [`action`] run by one runner: **plan** (read the tenant),
//! preview on a dry run, write the intent, **apply**, **verify** (read it back), **log**
//! (append to the hash-chained change log); undo goes through the same runner. Each area of
//! the product is a folder holding its actions: [`onboarding`], [`bulk`], [`sign_in`].

// `Problem` is a plain, serialisable report that travels to the UI by value; it is only built
// on the failure path, so its size does not matter.
#![allow(clippy::result_large_err)]

pub mod action;
pub mod bulk;
pub mod connection;
pub mod engine;
pub mod extranet;
pub mod guests;
pub mod history;
pub mod onboarding;
pub mod partners;
mod problem;
pub mod protect;
pub mod sign_in;
pub mod validate;

pub use action::{ActionKind, StepOutcome, StepStatus};
pub use connection::{data_dir_from_env, Connection, ConnectionConfig, ConnectionInfo, ConnectionMode};
pub use engine::Engine;
pub use guestpass_store::{
    export, ChainReport, ChangeFilter, ChangeRecord, ChangeResult, EventSource, MicrosoftEvent, RunInfo, RunRow,
    RunState, RunStep, SortKey, StepState, Store,
};
pub use history::DayActivity;
pub use onboarding::collaboration::{
    DomainList, DomainMode, ExternalSettings, GuestAccess, InviteAuthority, SettingChange, SettingsPlan,
    SettingsRequest,
};
pub use onboarding::dataverse::EnvironmentOption;
pub use onboarding::google::GoogleFederation;
pub use onboarding::groups::GroupOption;
pub use onboarding::guest::{GuestRef, GuestSummary};
pub use onboarding::invite::{InviteOutcome, InviteRequest, InviteStatus};
pub use onboarding::license::LicenseOption;
pub use onboarding::profile::{countries, Country, ProfileRequest};
pub use onboarding::readiness::{FixStep, Readiness, ReadinessItem, ReadinessRequest};
pub use onboarding::{OnboardingStep, PlannedGuest};
pub use problem::{FieldError, Problem, ProblemKind};

/// Constants the UI reads from Rust (History's action labels, the onboarding order), for
/// TypeScript generation.
pub fn typescript_constants() -> Vec<String> {
    vec![action::kind::typescript_table(), onboarding::typescript_order()]
}

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
        ActionKind::decl(&cfg),
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
        PlannedGuest::decl(&cfg),
        bulk::IssueLevel::decl(&cfg),
        bulk::RowIssue::decl(&cfg),
        bulk::PreviewRow::decl(&cfg),
        bulk::SeatCheck::decl(&cfg),
        bulk::ImportPreview::decl(&cfg),
        bulk::PreviewStage::decl(&cfg),
        bulk::PreviewProgress::decl(&cfg),
        bulk::ChosenFile::decl(&cfg),
        extranet::ExtranetRequest::decl(&cfg),
        extranet::ExtranetCreated::decl(&cfg),
        extranet::ExternalLifecycle::decl(&cfg),
        extranet::ExtranetOverview::decl(&cfg),
        extranet::ExtranetPartner::decl(&cfg),
        extranet::ExtranetPackage::decl(&cfg),
        extranet::PackageAssignment::decl(&cfg),
        extranet::PendingRequest::decl(&cfg),
        partners::PartnerSettings::decl(&cfg),
        partners::PartnerTenant::decl(&cfg),
        partners::PartnerView::decl(&cfg),
        partners::PartnerLookup::decl(&cfg),
        partners::PartnersOverview::decl(&cfg),
        protect::GuestPolicy::decl(&cfg),
        protect::NamedLocationSummary::decl(&cfg),
        protect::GuestProtection::decl(&cfg),
        protect::PolicyState::decl(&cfg),
        protect::PolicyApps::decl(&cfg),
        protect::Verdict::decl(&cfg),
        protect::PolicyVerdict::decl(&cfg),
        protect::GuestVerdict::decl(&cfg),
        protect::Preflight::decl(&cfg),
        protect::PreflightProgress::decl(&cfg),
        protect::PreflightScope::decl(&cfg),
        protect::LocationRequest::decl(&cfg),
        protect::MakersView::decl(&cfg),
        guests::GuestRules::decl(&cfg),
        guests::GuestRow::decl(&cfg),
        guests::GuestList::decl(&cfg),
        guests::GuestVerb::decl(&cfg),
        guests::GuestActionResult::decl(&cfg),
        guests::PullProgress::decl(&cfg),
        guests::ReviewRequest::decl(&cfg),
        guests::PersonOption::decl(&cfg),
        guests::OffboardPlan::decl(&cfg),
        guests::PartnerGuest::decl(&cfg),
        guests::ReviewSummary::decl(&cfg),
        guests::ReviewDecision::decl(&cfg),
        guests::PullReport::decl(&cfg),
        guestpass_store::EventSource::decl(&cfg),
        guestpass_store::MicrosoftEvent::decl(&cfg),
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
