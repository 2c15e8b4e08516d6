//! The commands the UI may invoke. Each one only forwards to the engine.

use crate::{dialogs, AppState};
use guestpass_core::bulk::{
    ChosenFile, ImportDefaults, ImportPreview, PreviewProgress, RunControl, RunLink, RunProgress,
};
use guestpass_core::extranet::{ExternalLifecycle, ExtranetCreated, ExtranetOverview, ExtranetRequest};
use guestpass_core::guests::{
    GuestActionResult, GuestList, GuestRules, GuestVerb, OffboardPlan, PersonOption, PullProgress, PullReport,
    ReviewRequest, ReviewSummary,
};
use guestpass_core::partners::{PartnerLookup, PartnerSettings, PartnersOverview};
use guestpass_core::protect::{
    GuestProtection, LocationRequest, MakersView, PolicyApps, PolicyState, Preflight, PreflightProgress, PreflightScope,
};
use guestpass_core::sign_in::{
    self, RegistrationGuide, SignInNotice, SignInPrompt, SignInRequest, SignedIn, StepPermission,
};
use guestpass_core::{
    ChainReport, ChangeFilter, ChangeRecord, ConnectionInfo, Country, DayActivity, EnvironmentOption, ExternalSettings,
    GoogleFederation, GroupOption, GuestRef, GuestSummary, InviteOutcome, InviteRequest, LicenseOption, MicrosoftEvent,
    Problem, ProfileRequest, Readiness, ReadinessRequest, SettingsPlan, SettingsRequest, StepOutcome,
};
use guestpass_core::{Connection, ConnectionConfig, Engine, RunInfo, RunRow};
use guestpass_store::TenantProfile;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::{AppHandle, State};

type Result<T> = std::result::Result<T, Problem>;

/// The engine, or its dry-run twin when the UI asks for the preview shown before Apply.
async fn engine_for(state: &AppState, preview: bool) -> Result<guestpass_core::Engine> {
    let engine = state.engine().await?;
    Ok(if preview { engine.preview() } else { (*engine).clone() })
}

#[tauri::command]
pub async fn connection_info(state: State<'_, Arc<AppState>>) -> Result<ConnectionInfo> {
    Ok(state.engine().await?.info().clone())
}

#[tauri::command]
pub async fn invite_guest(
    state: State<'_, Arc<AppState>>,
    request: InviteRequest,
    preview: bool,
) -> Result<InviteOutcome> {
    engine_for(&state, preview).await?.invite_guest(&request).await
}

/// With `preview`, nothing is sent: the answer says whether a new invitation would go out.
#[tauri::command]
pub async fn resend_invitation(
    state: State<'_, Arc<AppState>>,
    request: InviteRequest,
    preview: bool,
) -> Result<InviteOutcome> {
    engine_for(&state, preview).await?.resend_invitation(&request).await
}

#[tauri::command]
pub async fn read_settings(state: State<'_, Arc<AppState>>) -> Result<ExternalSettings> {
    state.engine().await?.read_settings().await
}

#[tauri::command]
pub async fn plan_settings(state: State<'_, Arc<AppState>>, request: SettingsRequest) -> Result<SettingsPlan> {
    state.engine().await?.plan_settings(&request).await
}

#[tauri::command]
pub async fn apply_settings(state: State<'_, Arc<AppState>>, request: SettingsRequest) -> Result<Vec<StepOutcome>> {
    state.engine().await?.apply_settings(&request).await
}

/// Where Guestpass writes its log (for support), if it can.
#[tauri::command]
pub async fn log_folder() -> Result<Option<String>> {
    Ok(crate::log::log_dir().map(|d| d.display().to_string()))
}

/// Opens the log folder in the file manager.
#[tauri::command]
pub async fn open_log_folder() -> Result<()> {
    let dir = crate::log::log_dir().ok_or_else(|| Problem::on_this_computer("this computer has no folder for logs"))?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| Problem::on_this_computer(format!("{} cannot be created: {e}", dir.display())))?;
    open::that_detached(&dir).map_err(|e| Problem::on_this_computer(format!("{} cannot be opened: {e}", dir.display())))
}

/// The cross-tenant default, every partner's own settings and the guests from each.
#[tauri::command]
pub async fn partners_overview(state: State<'_, Arc<AppState>>) -> Result<PartnersOverview> {
    state.engine().await?.partners_overview().await
}

/// The partner's tenant behind a domain, and its own settings if it has any (reads only).
#[tauri::command]
pub async fn find_partner(state: State<'_, Arc<AppState>>, domain: String) -> Result<PartnerLookup> {
    state.engine().await?.partner(&domain).await
}

/// Gives the partner these settings (each null: inherit the default); `preview` changes nothing.
#[tauri::command]
pub async fn set_partner(
    state: State<'_, Arc<AppState>>,
    domain: String,
    settings: PartnerSettings,
    preview: bool,
) -> Result<StepOutcome> {
    engine_for(&state, preview).await?.set_partner(&domain, &settings).await
}

/// Every guest with state, last sign-in, licences and groups, and who is stale or stuck under
/// `rules` (reads only).
#[tauri::command]
pub async fn guest_list(state: State<'_, Arc<AppState>>, rules: GuestRules) -> Result<GuestList> {
    state.engine().await?.guest_list(rules).await
}

/// Blocks, unblocks, removes, restores or re-invites these guests, one after the other, each
/// recorded; `preview` changes nothing.
#[tauri::command]
pub async fn act_on_guests(
    state: State<'_, Arc<AppState>>,
    verb: GuestVerb,
    emails: Vec<String>,
    preview: bool,
) -> Result<Vec<GuestActionResult>> {
    engine_for(&state, preview).await?.act_on_guests(verb, &emails).await
}

/// Copies the guest-related events of Microsoft's audit and sign-in logs not kept yet into the
/// local store, streaming progress; `cancel_audit_pull` stops it, keeping what was read.
#[tauri::command]
pub async fn pull_audit_events(
    state: State<'_, Arc<AppState>>,
    since: Option<String>,
    on_progress: Channel<PullProgress>,
) -> Result<PullReport> {
    let control = RunControl::new();
    *state.audit_pull_control.lock().unwrap_or_else(|p| p.into_inner()) = control.clone();
    let report = move |p| {
        let _ = on_progress.send(p);
    };
    state
        .engine()
        .await?
        .pull_audit_events(since.as_deref(), &report, &control)
        .await
}

/// Stops the pull in progress after the page in flight.
#[tauri::command]
pub async fn cancel_audit_pull(state: State<'_, Arc<AppState>>) -> Result<()> {
    state
        .audit_pull_control
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .cancel();
    Ok(())
}

/// One recurring access review of the guests of each chosen group; `preview` changes nothing.
#[tauri::command]
pub async fn create_guest_reviews(
    state: State<'_, Arc<AppState>>,
    request: ReviewRequest,
    preview: bool,
) -> Result<Vec<StepOutcome>> {
    engine_for(&state, preview).await?.create_guest_reviews(&request).await
}

/// Connects a partner and makes the access package its people ask for; `preview` changes nothing.
#[tauri::command]
pub async fn create_extranet(
    state: State<'_, Arc<AppState>>,
    request: ExtranetRequest,
    preview: bool,
) -> Result<ExtranetCreated> {
    engine_for(&state, preview).await?.create_extranet(&request).await
}

/// Connected partners, their packages with links, pending requests and assignments (reads only).
#[tauri::command]
pub async fn extranet_overview(state: State<'_, Arc<AppState>>) -> Result<ExtranetOverview> {
    state.engine().await?.extranet_overview().await
}

/// People of the directory whose name or address matches `term` (reads only).
#[tauri::command]
pub async fn search_people(state: State<'_, Arc<AppState>>, term: String) -> Result<Vec<PersonOption>> {
    state.engine().await?.search_people(&term).await
}

/// The catalogs enabled for external users, by name (reads only).
#[tauri::command]
pub async fn extranet_catalogs(state: State<'_, Arc<AppState>>) -> Result<Vec<String>> {
    state.engine().await?.extranet_catalogs().await
}

/// What entitlement management does with external users at the end; `preview` changes nothing.
#[tauri::command]
pub async fn set_external_lifecycle(
    state: State<'_, Arc<AppState>>,
    lifecycle: ExternalLifecycle,
    preview: bool,
) -> Result<StepOutcome> {
    engine_for(&state, preview)
        .await?
        .set_external_lifecycle(&lifecycle)
        .await
}

/// Removes an extranet Guestpass made, newest piece first; `preview` changes nothing.
#[tauri::command]
pub async fn remove_extranet(
    state: State<'_, Arc<AppState>>,
    package_id: String,
    preview: bool,
) -> Result<Vec<StepOutcome>> {
    engine_for(&state, preview).await?.remove_extranet(&package_id).await
}

/// Ends one person's assignment of a package; `preview` changes nothing.
#[tauri::command]
pub async fn remove_extranet_assignment(
    state: State<'_, Arc<AppState>>,
    package_id: String,
    assignment_id: String,
    preview: bool,
) -> Result<StepOutcome> {
    engine_for(&state, preview)
        .await?
        .remove_extranet_assignment(&package_id, &assignment_id)
        .await
}

/// The tenant's access reviews with their latest decisions (reads only; needs Entra ID P2).
#[tauri::command]
pub async fn guest_reviews(state: State<'_, Arc<AppState>>) -> Result<Vec<ReviewSummary>> {
    state.engine().await?.guest_reviews().await
}

/// A partner's guests (by home domain) with the groups and licences they hold (reads only).
#[tauri::command]
pub async fn offboarding_plan(
    state: State<'_, Arc<AppState>>,
    domain: String,
    delete_after_days: Option<u32>,
) -> Result<OffboardPlan> {
    state.engine().await?.offboarding_plan(&domain, delete_after_days).await
}

/// Starts the off-boarding of the plan's guests as a bulk run (or picks up the partner's run
/// that still has steps to do) and returns its id; `run_import` works through it.
#[tauri::command]
pub async fn start_offboarding(state: State<'_, Arc<AppState>>, plan: OffboardPlan) -> Result<i64> {
    let engine = state.engine().await?;
    match engine.unfinished_offboarding(&plan.domain)? {
        Some(run) => Ok(run),
        None => engine.start_offboarding(&plan),
    }
}

/// Asks where to save (the native Save dialog) and writes the off-boarding run's evidence
/// there as JSON; nothing when the admin cancelled.
#[tauri::command]
pub async fn save_offboarding_evidence(
    app: AppHandle,
    state: State<'_, Arc<AppState>>,
    run_id: i64,
) -> Result<Option<String>> {
    let engine = state.engine().await?;
    let filter = dialogs::Filter {
        name: "JSON",
        extensions: &["json"],
    };
    let name = format!("guestpass-offboarding-{run_id}-evidence.json");
    let Some(path) = dialogs::save_path(&app, "Save the off-boarding evidence", &name, filter).await else {
        return Ok(None);
    };
    engine.write_offboarding_evidence(run_id, &path).map(Some)
}

/// What Microsoft's logs said about one guest, as pulled into the local store, newest first.
#[tauri::command]
pub async fn guest_microsoft_events(state: State<'_, Arc<AppState>>, email: String) -> Result<Vec<MicrosoftEvent>> {
    state.engine().await?.guest_microsoft_events(&email, 500)
}

/// Asks where to save (the native Save dialog) and writes the guests shown as CSV there;
/// nothing when the admin cancelled.
#[tauri::command]
pub async fn save_guest_list(app: AppHandle, list: GuestList) -> Result<Option<String>> {
    let filter = dialogs::Filter {
        name: "CSV",
        extensions: &["csv"],
    };
    let Some(path) = dialogs::save_path(&app, "Save the guest list", "guestpass-guests.csv", filter).await else {
        return Ok(None);
    };
    std::fs::write(&path, list.to_csv()?)
        .map_err(|e| Problem::on_this_computer(format!("cannot write {}: {e}", path.display())))?;
    Ok(Some(path.display().to_string()))
}

/// What protects guests now — Conditional Access policies, named locations, security defaults,
/// Entra ID P1 — and what is missing (reads only).
#[tauri::command]
pub async fn guest_protection(state: State<'_, Arc<AppState>>) -> Result<GuestProtection> {
    state.engine().await?.guest_protection().await
}

/// Creates "Guests must use MFA", report-only, leaving out the emergency-access group;
/// `preview` changes nothing.
#[tauri::command]
pub async fn create_guest_mfa_policy(
    state: State<'_, Arc<AppState>>,
    apps: PolicyApps,
    exclude_group: String,
    preview: bool,
) -> Result<StepOutcome> {
    engine_for(&state, preview)
        .await?
        .create_guest_mfa_policy(apps, &exclude_group)
        .await
}

/// Switches a policy on, to report-only or off. On needs a pre-flight of every guest first,
/// unless `without_preflight`; `preview` changes nothing.
#[tauri::command]
pub async fn switch_policy(
    state: State<'_, Arc<AppState>>,
    policy_id: String,
    to: PolicyState,
    without_preflight: bool,
    preview: bool,
) -> Result<StepOutcome> {
    engine_for(&state, preview)
        .await?
        .switch_policy(&policy_id, to, without_preflight)
        .await
}

/// Creates a named location (countries or public IP ranges), and if asked the report-only
/// policy blocking guests outside it; `preview` changes nothing.
#[tauri::command]
pub async fn create_named_location(
    state: State<'_, Arc<AppState>>,
    request: LocationRequest,
    preview: bool,
) -> Result<Vec<StepOutcome>> {
    engine_for(&state, preview).await?.create_named_location(&request).await
}

/// Whether guests may make Power Apps, and what else Microsoft requires (reads only).
#[tauri::command]
pub async fn makers(state: State<'_, Arc<AppState>>) -> Result<MakersView> {
    state.engine().await?.makers().await
}

/// Lets guests make Power Apps, or stops them; `preview` changes nothing.
#[tauri::command]
pub async fn set_guest_makers(state: State<'_, Arc<AppState>>, enable: bool, preview: bool) -> Result<StepOutcome> {
    engine_for(&state, preview).await?.set_guest_makers(enable).await
}

/// Gives a guest the Environment Maker role in an environment; `preview` changes nothing.
#[tauri::command]
pub async fn grant_environment_maker(
    state: State<'_, Arc<AppState>>,
    guest: GuestRef,
    environment: String,
    preview: bool,
) -> Result<StepOutcome> {
    engine_for(&state, preview)
        .await?
        .grant_environment_maker(&guest, &environment)
        .await
}

/// Asks Microsoft's What-If, guest by guest, what the policies would do (reads only),
/// streaming progress; `cancel_preflight` stops it and keeps the guests so far.
#[tauri::command]
pub async fn run_preflight(
    state: State<'_, Arc<AppState>>,
    scope: PreflightScope,
    on_progress: Channel<PreflightProgress>,
) -> Result<Preflight> {
    let control = RunControl::new();
    *state.preflight_control.lock().unwrap_or_else(|p| p.into_inner()) = control.clone();
    let report = move |p| {
        let _ = on_progress.send(p);
    };
    state.engine().await?.preflight(&scope, &report, &control).await
}

/// Stops the pre-flight in progress after the guest in flight.
#[tauri::command]
pub async fn cancel_preflight(state: State<'_, Arc<AppState>>) -> Result<()> {
    state
        .preflight_control
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .cancel();
    Ok(())
}

/// Asks where to save (the native Save dialog) and writes the pre-flight's verdicts as CSV
/// there; nothing when the admin cancelled.
#[tauri::command]
pub async fn save_preflight(app: AppHandle, preflight: Preflight) -> Result<Option<String>> {
    let filter = dialogs::Filter {
        name: "CSV",
        extensions: &["csv"],
    };
    let Some(path) = dialogs::save_path(&app, "Save the pre-flight", "guestpass-pre-flight.csv", filter).await else {
        return Ok(None);
    };
    std::fs::write(&path, preflight.to_csv()?)
        .map_err(|e| Problem::on_this_computer(format!("cannot write {}: {e}", path.display())))?;
    Ok(Some(path.display().to_string()))
}

/// Removes the partner's own settings: its people get the default's again.
#[tauri::command]
pub async fn remove_partner(state: State<'_, Arc<AppState>>, domain: String, preview: bool) -> Result<StepOutcome> {
    engine_for(&state, preview).await?.remove_partner(&domain).await
}

#[tauri::command]
pub async fn google_federation(state: State<'_, Arc<AppState>>) -> Result<GoogleFederation> {
    state.engine().await?.google_federation().await
}

/// The secret passes straight through to Microsoft; it is not kept anywhere.
#[tauri::command]
pub async fn set_up_google(
    state: State<'_, Arc<AppState>>,
    client_id: String,
    client_secret: String,
    preview: bool,
) -> Result<StepOutcome> {
    engine_for(&state, preview)
        .await?
        .set_up_google(&client_id, &client_secret)
        .await
}

#[tauri::command]
pub async fn guest_summary(state: State<'_, Arc<AppState>>, guest: GuestRef) -> Result<GuestSummary> {
    state.engine().await?.guest_summary(&guest).await
}

#[tauri::command]
pub async fn set_profile(
    state: State<'_, Arc<AppState>>,
    request: ProfileRequest,
    preview: bool,
) -> Result<StepOutcome> {
    engine_for(&state, preview).await?.set_profile(&request).await
}

#[tauri::command]
pub fn countries() -> Vec<Country> {
    guestpass_core::countries()
}

#[tauri::command]
pub async fn default_usage_location(state: State<'_, Arc<AppState>>) -> Result<Option<String>> {
    state.engine().await?.default_usage_location()
}

#[tauri::command]
pub async fn set_default_usage_location(state: State<'_, Arc<AppState>>, code: String) -> Result<String> {
    state.engine().await?.set_default_usage_location(&code)
}

#[tauri::command]
pub async fn license_options(state: State<'_, Arc<AppState>>) -> Result<Vec<LicenseOption>> {
    state.engine().await?.license_options().await
}

#[tauri::command]
pub async fn assign_license(
    state: State<'_, Arc<AppState>>,
    guest: GuestRef,
    sku: String,
    preview: bool,
) -> Result<StepOutcome> {
    engine_for(&state, preview).await?.assign_license(&guest, &sku).await
}

#[tauri::command]
pub async fn search_groups(state: State<'_, Arc<AppState>>, term: String) -> Result<Vec<GroupOption>> {
    state.engine().await?.search_groups(&term).await
}

#[tauri::command]
pub async fn add_to_group(
    state: State<'_, Arc<AppState>>,
    guest: GuestRef,
    group: String,
    preview: bool,
) -> Result<StepOutcome> {
    engine_for(&state, preview).await?.add_to_group(&guest, &group).await
}

#[tauri::command]
pub async fn check_guest(state: State<'_, Arc<AppState>>, request: ReadinessRequest) -> Result<Readiness> {
    state.engine().await?.check_guest(&request).await
}

#[tauri::command]
pub async fn environments(state: State<'_, Arc<AppState>>) -> Result<Vec<EnvironmentOption>> {
    state.engine().await?.environments().await
}

#[tauri::command]
pub async fn environment_roles(state: State<'_, Arc<AppState>>, environment: String) -> Result<Vec<String>> {
    state.engine().await?.environment_roles(&environment).await
}

#[tauri::command]
pub async fn assign_dataverse_role(
    state: State<'_, Arc<AppState>>,
    guest: GuestRef,
    environment: String,
    role: String,
    preview: bool,
) -> Result<StepOutcome> {
    engine_for(&state, preview)
        .await?
        .assign_dataverse_role(&guest, &environment, &role)
        .await
}

#[tauri::command]
pub async fn query_changes(state: State<'_, Arc<AppState>>, filter: ChangeFilter) -> Result<Vec<ChangeRecord>> {
    let engine = state.engine().await?;
    tauri::async_runtime::spawn_blocking(move || engine.query_changes(&filter))
        .await
        .map_err(Problem::internal)?
}

#[tauri::command]
pub async fn verify_history(state: State<'_, Arc<AppState>>) -> Result<ChainReport> {
    let engine = state.engine().await?;
    tauri::async_runtime::spawn_blocking(move || engine.verify_history())
        .await
        .map_err(Problem::internal)?
}

/// Asks where to save (the native Save dialog), writes the filtered history there and returns
/// the path; nothing when the admin cancelled.
#[tauri::command]
pub async fn export_history(
    app: AppHandle,
    state: State<'_, Arc<AppState>>,
    filter: ChangeFilter,
    json: bool,
) -> Result<Option<String>> {
    let engine = state.engine().await?;
    let (name, filter_name, ext) = if json {
        (Engine::history_export_name(true), "JSON", "json")
    } else {
        (Engine::history_export_name(false), "CSV", "csv")
    };
    let filter_by = dialogs::Filter {
        name: filter_name,
        extensions: &[ext],
    };
    let Some(path) = dialogs::save_path(&app, "Export the change history", &name, filter_by).await else {
        return Ok(None);
    };
    tauri::async_runtime::spawn_blocking(move || engine.export_history(&filter, json, &path))
        .await
        .map_err(Problem::internal)?
        .map(Some)
}

/// Undoes change `seq`; with `preview`, only says what undo would do.
#[tauri::command]
pub async fn undo_change(state: State<'_, Arc<AppState>>, seq: i64, preview: bool) -> Result<StepOutcome> {
    engine_for(&state, preview).await?.undo_change(seq).await
}

#[tauri::command]
pub async fn onboarding_activity(state: State<'_, Arc<AppState>>, days: u32) -> Result<Vec<DayActivity>> {
    state.engine().await?.onboarding_activity(days).await
}

/// How many changes match (for the History list's scrollbar).
#[tauri::command]
pub async fn count_changes(state: State<'_, Arc<AppState>>, filter: ChangeFilter) -> Result<u32> {
    let engine = state.engine().await?;
    let n = tauri::async_runtime::spawn_blocking(move || engine.count_changes(&filter))
        .await
        .map_err(Problem::internal)??;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

#[tauri::command]
pub async fn history_tenants(state: State<'_, Arc<AppState>>) -> Result<Vec<String>> {
    let engine = state.engine().await?;
    tauri::async_runtime::spawn_blocking(move || engine.history_tenants())
        .await
        .map_err(Problem::internal)?
}

/// Asks which guest list to read (the native Open dialog); nothing when the admin cancelled.
#[tauri::command]
pub async fn choose_guest_list(app: AppHandle) -> Result<Option<ChosenFile>> {
    let filter = dialogs::Filter {
        name: "Guest lists (Excel, CSV, text)",
        extensions: &["xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "txt", "tsv"],
    };
    Ok(dialogs::open_path(&app, "Choose the guest list", filter)
        .await
        .map(|p| ChosenFile {
            name: p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: p.display().to_string(),
        }))
}

/// Reads the guest list chosen with [`choose_guest_list`] and checks it against the tenant
/// (reads only), streaming progress on long lists; `cancel_preview` stops it.
#[tauri::command]
pub async fn preview_import(
    state: State<'_, Arc<AppState>>,
    path: String,
    defaults: ImportDefaults,
    on_progress: Channel<PreviewProgress>,
) -> Result<ImportPreview> {
    let path = std::path::PathBuf::from(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        Problem::field(
            "file",
            format!("The guest list {} cannot be read: {e}.", path.display()),
            "Choose the file again (it may have been moved, renamed or still be open in Excel).",
        )
    })?;
    let control = RunControl::new();
    *state.preview_control.lock().unwrap_or_else(|p| p.into_inner()) = control.clone();
    let report = move |p| {
        let _ = on_progress.send(p);
    };
    let preview = state
        .engine()
        .await?
        .preview_import_with(&name, &bytes, &defaults, &report, &control)
        .await;
    drop(bytes);
    crate::memory::release_freed();
    preview
}

/// Stops the guest-list check in progress after the request in flight.
#[tauri::command]
pub async fn cancel_preview(state: State<'_, Arc<AppState>>) -> Result<()> {
    state.preview_control.lock().unwrap_or_else(|p| p.into_inner()).cancel();
    Ok(())
}

/// Persists a run of the preview's rows without errors; returns its id.
#[tauri::command]
pub async fn start_import(state: State<'_, Arc<AppState>>, preview: ImportPreview) -> Result<i64> {
    state.engine().await?.start_import(&preview)
}

/// Works through the run, streaming progress; returns when it finishes, pauses-then-cancels, or stops.
#[tauri::command]
pub async fn run_import(
    state: State<'_, Arc<AppState>>,
    run_id: i64,
    on_progress: Channel<RunProgress>,
) -> Result<RunProgress> {
    let engine = state.engine().await?;
    let control = state.run_control(run_id);
    let outcome = engine
        .run_import(run_id, control, &move |p| {
            let _ = on_progress.send(p);
        })
        .await;
    state.forget_run(run_id);
    crate::memory::release_freed();
    outcome
}

#[tauri::command]
pub async fn pause_import(state: State<'_, Arc<AppState>>, run_id: i64) -> Result<()> {
    state.run_control(run_id).pause();
    Ok(())
}

#[tauri::command]
pub async fn resume_import(state: State<'_, Arc<AppState>>, run_id: i64) -> Result<()> {
    state.run_control(run_id).resume();
    Ok(())
}

#[tauri::command]
pub async fn cancel_import(state: State<'_, Arc<AppState>>, run_id: i64) -> Result<()> {
    state.run_control(run_id).cancel();
    Ok(())
}

/// This tenant's bulk runs, newest first.
#[tauri::command]
pub async fn import_runs(state: State<'_, Arc<AppState>>) -> Result<Vec<RunInfo>> {
    state.engine().await?.bulk_runs(50)
}

#[tauri::command]
pub async fn import_progress(state: State<'_, Arc<AppState>>, run_id: i64) -> Result<RunProgress> {
    state.engine().await?.run_progress(run_id)
}

#[tauri::command]
pub async fn run_rows(state: State<'_, Arc<AppState>>, run_id: i64) -> Result<Vec<RunRow>> {
    state.engine().await?.run_rows(run_id)
}

#[tauri::command]
pub async fn retry_failed_rows(state: State<'_, Arc<AppState>>, run_id: i64) -> Result<usize> {
    state.engine().await?.retry_failed_rows(run_id)
}

/// Asks where to save (the native Save dialog) and writes the run's results CSV there;
/// nothing when the admin cancelled.
#[tauri::command]
pub async fn save_run_results(app: AppHandle, state: State<'_, Arc<AppState>>, run_id: i64) -> Result<Option<String>> {
    let engine = state.engine().await?;
    let filter = dialogs::Filter {
        name: "CSV",
        extensions: &["csv"],
    };
    let name = format!("guestpass-run-{run_id}-results.csv");
    let Some(path) = dialogs::save_path(&app, "Save the run's results", &name, filter).await else {
        return Ok(None);
    };
    engine.save_run_results(run_id, &path).map(Some)
}

/// The bulk run (and row) a change-log entry belongs to, if any.
#[tauri::command]
pub async fn run_of_change(state: State<'_, Arc<AppState>>, seq: i64) -> Result<Option<RunLink>> {
    state.engine().await?.run_of_change(seq)
}

/// The tenants this computer has signed in to (no secrets: those stay in the keychain).
#[tauri::command]
pub async fn tenant_profiles(state: State<'_, Arc<AppState>>) -> Result<Vec<TenantProfile>> {
    sign_in::profiles(&state.data_dir())
}

/// Signs in in the system browser (or with a device code) and switches to that tenant.
/// Tokens and codes never come here: the window hears only what to show.
#[tauri::command]
pub async fn sign_in(
    state: State<'_, Arc<AppState>>,
    request: SignInRequest,
    on_notice: Channel<SignInNotice>,
) -> Result<Option<SignedIn>> {
    let data_dir = state.data_dir();
    let current = state.engine().await.ok();
    let endpoints = sign_in::sign_in_endpoints(current.as_ref().map(|e| e.info()))?;
    let (cancel, cancelled) = tokio::sync::oneshot::channel::<()>();
    *state.sign_in_cancel.lock().unwrap_or_else(|p| p.into_inner()) = Some(cancel);
    let prompt = |prompt| {
        let notice = match prompt {
            SignInPrompt::OpenBrowser(url) => SignInNotice::Browser {
                url: open::that_detached(&url).err().map(|_| url),
            },
            SignInPrompt::ShowDeviceCode(prompt) => SignInNotice::DeviceCode { prompt },
        };
        let _ = on_notice.send(notice);
    };
    let outcome = sign_in::sign_in_unless_cancelled(&data_dir, endpoints, &request, prompt, async {
        let _ = cancelled.await;
    })
    .await?;
    let Some((signed, engine)) = outcome else {
        return Ok(None);
    };
    state
        .switch(ConnectionConfig::for_profile(data_dir, signed.profile.id), engine)
        .await;
    Ok(Some(signed))
}

/// Stops waiting for the sign-in in progress (nothing is saved).
#[tauri::command]
pub async fn cancel_sign_in(state: State<'_, Arc<AppState>>) -> Result<()> {
    if let Some(cancel) = state.sign_in_cancel.lock().unwrap_or_else(|p| p.into_inner()).take() {
        let _ = cancel.send(());
    }
    Ok(())
}

/// Switches to a tenant signed in to before.
#[tauri::command]
pub async fn use_profile(state: State<'_, Arc<AppState>>, profile_id: i64) -> Result<ConnectionInfo> {
    let data_dir = state.data_dir();
    let engine = sign_in::connect_profile(&data_dir, profile_id).await?;
    let engine = state
        .switch(ConnectionConfig::for_profile(data_dir, profile_id), engine)
        .await;
    Ok(engine.info().clone())
}

/// Switches back to the built-in sandbox tenant.
#[tauri::command]
pub async fn use_sandbox(state: State<'_, Arc<AppState>>) -> Result<ConnectionInfo> {
    let settings = ConnectionConfig {
        data_dir: state.data_dir(),
        connection: Connection::EmbeddedSandbox,
    };
    let engine = Engine::connect(settings.clone()).await?;
    let engine = state.switch(settings, engine).await;
    Ok(engine.info().clone())
}

/// Signs out of a tenant: its sign-in leaves the keychain. The window then uses the sandbox.
#[tauri::command]
pub async fn sign_out(state: State<'_, Arc<AppState>>, profile_id: i64) -> Result<()> {
    sign_in::sign_out(&state.data_dir(), profile_id).await?;
    if matches!(state.settings(), Ok(ConnectionConfig { connection: Connection::Profile(id), .. }) if id == profile_id)
    {
        *state.engine.lock().await = None;
        *state.settings.lock().unwrap_or_else(|p| p.into_inner()) = Ok(ConnectionConfig {
            data_dir: state.data_dir(),
            connection: Connection::EmbeddedSandbox,
        });
    }
    Ok(())
}

/// Per wizard step, whether the signed-in admin can do it (empty for the sandbox and app-only).
#[tauri::command]
pub async fn permission_report(state: State<'_, Arc<AppState>>) -> Result<Vec<StepPermission>> {
    let profile_id = match state.settings() {
        Ok(ConnectionConfig {
            connection: Connection::Profile(id),
            ..
        }) => Some(id),
        _ => None,
    };
    sign_in::permission_report_of(&*state.engine().await?, &state.data_dir(), profile_id).await
}

#[tauri::command]
pub async fn registration_guide() -> Result<RegistrationGuide> {
    Ok(sign_in::registration_guide())
}
