// Generated from src-tauri/src/commands.rs by `make bindings` (guestpass-core's typescript_bindings test).
// Do not edit by hand: change the command in Rust and regenerate.

import { Channel } from "@tauri-apps/api/core";
import { call } from "./call";
import type { ChainReport, ChangeFilter, ChangeRecord, ChosenFile, ConnectionInfo, Country, DayActivity, EnvironmentOption, ExternalLifecycle, ExternalSettings, ExtranetCreated, ExtranetOverview, ExtranetRequest, GoogleFederation, GroupOption, GuestActionResult, GuestList, GuestProtection, GuestRef, GuestRules, GuestSummary, GuestVerb, ImportDefaults, ImportPreview, InviteOutcome, InviteRequest, LicenseOption, LocationRequest, MakersView, MicrosoftEvent, OffboardPlan, PartnerLookup, PartnerSettings, PartnersOverview, PersonOption, PolicyApps, PolicyState, Preflight, PreflightProgress, PreflightScope, PreviewProgress, ProfileRequest, PullProgress, PullReport, Readiness, ReadinessRequest, RegistrationGuide, ReviewRequest, ReviewSummary, RunInfo, RunLink, RunProgress, RunRow, SettingsPlan, SettingsRequest, SignInNotice, SignInRequest, SignedIn, StepOutcome, StepPermission, TenantProfile } from "./types";

export function connectionInfo(): Promise<ConnectionInfo> {
  return call("connection_info");
}

export function inviteGuest(request: InviteRequest, preview = false): Promise<InviteOutcome> {
  return call("invite_guest", { request, preview });
}

/** With `preview`, nothing is sent: the answer says whether a new invitation would go out. */
export function resendInvitation(request: InviteRequest, preview = false): Promise<InviteOutcome> {
  return call("resend_invitation", { request, preview });
}

export function readSettings(): Promise<ExternalSettings> {
  return call("read_settings");
}

export function planSettings(request: SettingsRequest): Promise<SettingsPlan> {
  return call("plan_settings", { request });
}

export function applySettings(request: SettingsRequest): Promise<Array<StepOutcome>> {
  return call("apply_settings", { request });
}

/** Where Guestpass writes its log (for support), if it can. */
export function logFolder(): Promise<string | null> {
  return call("log_folder");
}

/** Opens the log folder in the file manager. */
export function openLogFolder(): Promise<void> {
  return call("open_log_folder");
}

/** The cross-tenant default, every partner's own settings and the guests from each. */
export function partnersOverview(): Promise<PartnersOverview> {
  return call("partners_overview");
}

/** The partner's tenant behind a domain, and its own settings if it has any (reads only). */
export function findPartner(domain: string): Promise<PartnerLookup> {
  return call("find_partner", { domain });
}

/** Gives the partner these settings (each null: inherit the default); `preview` changes nothing. */
export function setPartner(domain: string, settings: PartnerSettings, preview = false): Promise<StepOutcome> {
  return call("set_partner", { domain, settings, preview });
}

/** Every guest with state, last sign-in, licences and groups, and who is stale or stuck under `rules` (reads only). */
export function guestList(rules: GuestRules): Promise<GuestList> {
  return call("guest_list", { rules });
}

/** Blocks, unblocks, removes, restores or re-invites these guests, one after the other, each recorded; `preview` changes nothing. */
export function actOnGuests(verb: GuestVerb, emails: Array<string>, preview = false): Promise<Array<GuestActionResult>> {
  return call("act_on_guests", { verb, emails, preview });
}

/** Copies the guest-related events of Microsoft's audit and sign-in logs not kept yet into the local store, streaming progress; `cancel_audit_pull` stops it, keeping what was read. */
export function pullAuditEvents(since: string | null, onProgress: (message: PullProgress) => void): Promise<PullReport> {
  const onProgressChannel = new Channel<PullProgress>();
  onProgressChannel.onmessage = onProgress;
  return call("pull_audit_events", { since, onProgress: onProgressChannel });
}

/** Stops the pull in progress after the page in flight. */
export function cancelAuditPull(): Promise<void> {
  return call("cancel_audit_pull");
}

/** One recurring access review of the guests of each chosen group; `preview` changes nothing. */
export function createGuestReviews(request: ReviewRequest, preview = false): Promise<Array<StepOutcome>> {
  return call("create_guest_reviews", { request, preview });
}

/** Connects a partner and makes the access package its people ask for; `preview` changes nothing. */
export function createExtranet(request: ExtranetRequest, preview = false): Promise<ExtranetCreated> {
  return call("create_extranet", { request, preview });
}

/** Connected partners, their packages with links, pending requests and assignments (reads only). */
export function extranetOverview(): Promise<ExtranetOverview> {
  return call("extranet_overview");
}

/** People of the directory whose name or address matches `term` (reads only). */
export function searchPeople(term: string): Promise<Array<PersonOption>> {
  return call("search_people", { term });
}

/** The catalogs enabled for external users, by name (reads only). */
export function extranetCatalogs(): Promise<Array<string>> {
  return call("extranet_catalogs");
}

/** What entitlement management does with external users at the end; `preview` changes nothing. */
export function setExternalLifecycle(lifecycle: ExternalLifecycle, preview = false): Promise<StepOutcome> {
  return call("set_external_lifecycle", { lifecycle, preview });
}

/** Removes an extranet Guestpass made, newest piece first; `preview` changes nothing. */
export function removeExtranet(packageId: string, preview = false): Promise<Array<StepOutcome>> {
  return call("remove_extranet", { packageId, preview });
}

/** Ends one person's assignment of a package; `preview` changes nothing. */
export function removeExtranetAssignment(packageId: string, assignmentId: string, preview = false): Promise<StepOutcome> {
  return call("remove_extranet_assignment", { packageId, assignmentId, preview });
}

/** The tenant's access reviews with their latest decisions (reads only; needs Entra ID P2). */
export function guestReviews(): Promise<Array<ReviewSummary>> {
  return call("guest_reviews");
}

/** A partner's guests (by home domain) with the groups and licences they hold (reads only). */
export function offboardingPlan(domain: string, deleteAfterDays: number | null): Promise<OffboardPlan> {
  return call("offboarding_plan", { domain, deleteAfterDays });
}

/** Starts the off-boarding of the plan's guests as a bulk run (or picks up the partner's run that still has steps to do) and returns its id; `run_import` works through it. */
export function startOffboarding(plan: OffboardPlan): Promise<number> {
  return call("start_offboarding", { plan });
}

/** Asks where to save (the native Save dialog) and writes the off-boarding run's evidence there as JSON; nothing when the admin cancelled. */
export function saveOffboardingEvidence(runId: number): Promise<string | null> {
  return call("save_offboarding_evidence", { runId });
}

/** What Microsoft's logs said about one guest, as pulled into the local store, newest first. */
export function guestMicrosoftEvents(email: string): Promise<Array<MicrosoftEvent>> {
  return call("guest_microsoft_events", { email });
}

/** Asks where to save (the native Save dialog) and writes the guests shown as CSV there; nothing when the admin cancelled. */
export function saveGuestList(list: GuestList): Promise<string | null> {
  return call("save_guest_list", { list });
}

/** What protects guests now — Conditional Access policies, named locations, security defaults, Entra ID P1 — and what is missing (reads only). */
export function guestProtection(): Promise<GuestProtection> {
  return call("guest_protection");
}

/** Creates "Guests must use MFA", report-only, leaving out the emergency-access group; `preview` changes nothing. */
export function createGuestMfaPolicy(apps: PolicyApps, excludeGroup: string, preview = false): Promise<StepOutcome> {
  return call("create_guest_mfa_policy", { apps, excludeGroup, preview });
}

/** Switches a policy on, to report-only or off. On needs a pre-flight of every guest first, unless `without_preflight`; `preview` changes nothing. */
export function switchPolicy(policyId: string, to: PolicyState, withoutPreflight: boolean, preview = false): Promise<StepOutcome> {
  return call("switch_policy", { policyId, to, withoutPreflight, preview });
}

/** Creates a named location (countries or public IP ranges), and if asked the report-only policy blocking guests outside it; `preview` changes nothing. */
export function createNamedLocation(request: LocationRequest, preview = false): Promise<Array<StepOutcome>> {
  return call("create_named_location", { request, preview });
}

/** Whether guests may make Power Apps, and what else Microsoft requires (reads only). */
export function makers(): Promise<MakersView> {
  return call("makers");
}

/** Lets guests make Power Apps, or stops them; `preview` changes nothing. */
export function setGuestMakers(enable: boolean, preview = false): Promise<StepOutcome> {
  return call("set_guest_makers", { enable, preview });
}

/** Gives a guest the Environment Maker role in an environment; `preview` changes nothing. */
export function grantEnvironmentMaker(guest: GuestRef, environment: string, preview = false): Promise<StepOutcome> {
  return call("grant_environment_maker", { guest, environment, preview });
}

/** Asks Microsoft's What-If, guest by guest, what the policies would do (reads only), streaming progress; `cancel_preflight` stops it and keeps the guests so far. */
export function runPreflight(scope: PreflightScope, onProgress: (message: PreflightProgress) => void): Promise<Preflight> {
  const onProgressChannel = new Channel<PreflightProgress>();
  onProgressChannel.onmessage = onProgress;
  return call("run_preflight", { scope, onProgress: onProgressChannel });
}

/** Stops the pre-flight in progress after the guest in flight. */
export function cancelPreflight(): Promise<void> {
  return call("cancel_preflight");
}

/** Asks where to save (the native Save dialog) and writes the pre-flight's verdicts as CSV there; nothing when the admin cancelled. */
export function savePreflight(preflight: Preflight): Promise<string | null> {
  return call("save_preflight", { preflight });
}

/** Removes the partner's own settings: its people get the default's again. */
export function removePartner(domain: string, preview = false): Promise<StepOutcome> {
  return call("remove_partner", { domain, preview });
}

export function googleFederation(): Promise<GoogleFederation> {
  return call("google_federation");
}

/** The secret passes straight through to Microsoft; it is not kept anywhere. */
export function setUpGoogle(clientId: string, clientSecret: string, preview = false): Promise<StepOutcome> {
  return call("set_up_google", { clientId, clientSecret, preview });
}

export function guestSummary(guest: GuestRef): Promise<GuestSummary> {
  return call("guest_summary", { guest });
}

export function setProfile(request: ProfileRequest, preview = false): Promise<StepOutcome> {
  return call("set_profile", { request, preview });
}

export function countries(): Promise<Array<Country>> {
  return call("countries");
}

export function defaultUsageLocation(): Promise<string | null> {
  return call("default_usage_location");
}

export function setDefaultUsageLocation(code: string): Promise<string> {
  return call("set_default_usage_location", { code });
}

export function licenseOptions(): Promise<Array<LicenseOption>> {
  return call("license_options");
}

export function assignLicense(guest: GuestRef, sku: string, preview = false): Promise<StepOutcome> {
  return call("assign_license", { guest, sku, preview });
}

export function searchGroups(term: string): Promise<Array<GroupOption>> {
  return call("search_groups", { term });
}

export function addToGroup(guest: GuestRef, group: string, preview = false): Promise<StepOutcome> {
  return call("add_to_group", { guest, group, preview });
}

export function checkGuest(request: ReadinessRequest): Promise<Readiness> {
  return call("check_guest", { request });
}

export function environments(): Promise<Array<EnvironmentOption>> {
  return call("environments");
}

export function environmentRoles(environment: string): Promise<Array<string>> {
  return call("environment_roles", { environment });
}

export function assignDataverseRole(guest: GuestRef, environment: string, role: string, preview = false): Promise<StepOutcome> {
  return call("assign_dataverse_role", { guest, environment, role, preview });
}

export function queryChanges(filter: ChangeFilter): Promise<Array<ChangeRecord>> {
  return call("query_changes", { filter });
}

export function verifyHistory(): Promise<ChainReport> {
  return call("verify_history");
}

/** Asks where to save (the native Save dialog), writes the filtered history there and returns the path; nothing when the admin cancelled. */
export function exportHistory(filter: ChangeFilter, json: boolean): Promise<string | null> {
  return call("export_history", { filter, json });
}

/** Undoes change `seq`; with `preview`, only says what undo would do. */
export function undoChange(seq: number, preview = false): Promise<StepOutcome> {
  return call("undo_change", { seq, preview });
}

export function onboardingActivity(days: number): Promise<Array<DayActivity>> {
  return call("onboarding_activity", { days });
}

/** How many changes match (for the History list's scrollbar). */
export function countChanges(filter: ChangeFilter): Promise<number> {
  return call("count_changes", { filter });
}

export function historyTenants(): Promise<Array<string>> {
  return call("history_tenants");
}

/** Asks which guest list to read (the native Open dialog); nothing when the admin cancelled. */
export function chooseGuestList(): Promise<ChosenFile | null> {
  return call("choose_guest_list");
}

/** Reads the guest list chosen with [`choose_guest_list`] and checks it against the tenant (reads only), streaming progress on long lists; `cancel_preview` stops it. */
export function previewImport(path: string, defaults: ImportDefaults, onProgress: (message: PreviewProgress) => void): Promise<ImportPreview> {
  const onProgressChannel = new Channel<PreviewProgress>();
  onProgressChannel.onmessage = onProgress;
  return call("preview_import", { path, defaults, onProgress: onProgressChannel });
}

/** Stops the guest-list check in progress after the request in flight. */
export function cancelPreview(): Promise<void> {
  return call("cancel_preview");
}

/** Persists a run of the preview's rows without errors; returns its id. */
export function startImport(preview: ImportPreview): Promise<number> {
  return call("start_import", { preview });
}

/** Works through the run, streaming progress; returns when it finishes, pauses-then-cancels, or stops. */
export function runImport(runId: number, onProgress: (message: RunProgress) => void): Promise<RunProgress> {
  const onProgressChannel = new Channel<RunProgress>();
  onProgressChannel.onmessage = onProgress;
  return call("run_import", { runId, onProgress: onProgressChannel });
}

export function pauseImport(runId: number): Promise<void> {
  return call("pause_import", { runId });
}

export function resumeImport(runId: number): Promise<void> {
  return call("resume_import", { runId });
}

export function cancelImport(runId: number): Promise<void> {
  return call("cancel_import", { runId });
}

/** This tenant's bulk runs, newest first. */
export function importRuns(): Promise<Array<RunInfo>> {
  return call("import_runs");
}

export function importProgress(runId: number): Promise<RunProgress> {
  return call("import_progress", { runId });
}

export function runRows(runId: number): Promise<Array<RunRow>> {
  return call("run_rows", { runId });
}

export function retryFailedRows(runId: number): Promise<number> {
  return call("retry_failed_rows", { runId });
}

/** Asks where to save (the native Save dialog) and writes the run's results CSV there; nothing when the admin cancelled. */
export function saveRunResults(runId: number): Promise<string | null> {
  return call("save_run_results", { runId });
}

/** The bulk run (and row) a change-log entry belongs to, if any. */
export function runOfChange(seq: number): Promise<RunLink | null> {
  return call("run_of_change", { seq });
}

/** The tenants this computer has signed in to (no secrets: those stay in the keychain). */
export function tenantProfiles(): Promise<Array<TenantProfile>> {
  return call("tenant_profiles");
}

/** Signs in in the system browser (or with a device code) and switches to that tenant. Tokens and codes never come here: the window hears only what to show. */
export function signIn(request: SignInRequest, onNotice: (message: SignInNotice) => void): Promise<SignedIn | null> {
  const onNoticeChannel = new Channel<SignInNotice>();
  onNoticeChannel.onmessage = onNotice;
  return call("sign_in", { request, onNotice: onNoticeChannel });
}

/** Stops waiting for the sign-in in progress (nothing is saved). */
export function cancelSignIn(): Promise<void> {
  return call("cancel_sign_in");
}

/** Switches to a tenant signed in to before. */
export function useProfile(profileId: number): Promise<ConnectionInfo> {
  return call("use_profile", { profileId });
}

/** Switches back to the built-in sandbox tenant. */
export function useSandbox(): Promise<ConnectionInfo> {
  return call("use_sandbox");
}

/** Signs out of a tenant: its sign-in leaves the keychain. The window then uses the sandbox. */
export function signOut(profileId: number): Promise<void> {
  return call("sign_out", { profileId });
}

/** Per wizard step, whether the signed-in admin can do it (empty for the sandbox and app-only). */
export function permissionReport(): Promise<Array<StepPermission>> {
  return call("permission_report");
}

export function registrationGuide(): Promise<RegistrationGuide> {
  return call("registration_guide");
}
