// The only place the UI reaches Rust. Types come from the Rust side (types.ts is generated:
// run `make bindings` after changing a Rust type the UI sees).
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  ChainReport,
  ChangeFilter,
  ChangeRecord,
  ConnectionInfo,
  Country,
  DayActivity,
  EnvironmentOption,
  ExternalSettings,
  GoogleFederation,
  GroupOption,
  GuestRef,
  GuestSummary,
  ImportDefaults,
  RegistrationGuide,
  SignedIn,
  SignInNotice,
  SignInRequest,
  StepPermission,
  TenantProfile,
  ImportPreview,
  RunInfo,
  RunLink,
  RunProgress,
  RunRow,
  InviteOutcome,
  InviteRequest,
  LicenseOption,
  Problem,
  ProfileRequest,
  Readiness,
  ReadinessRequest,
  SettingsPlan,
  SettingsRequest,
  StepOutcome,
} from "./types";

export type * from "./types";
export { ACTIONS } from "./types";

/** Every failure a command can report arrives as a Problem. */
export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && "kind" in value && "message" in value && "hint" in value;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    if (isProblem(err)) throw err;
    const problem: Problem = {
      kind: "local",
      message: `Guestpass could not run "${command}": ${String(err)}`,
      hint: "Restart Guestpass. If it happens again, report it with this message.",
      fields: [],
      code: null,
      requestId: null,
    };
    throw problem;
  }
}

export function connectionInfo(): Promise<ConnectionInfo> {
  return call("connection_info");
}

/** With `preview`, nothing is sent: the answer says whether they would be invited. */
export function inviteGuest(request: InviteRequest, preview = false): Promise<InviteOutcome> {
  return call("invite_guest", { request, preview });
}

/** Sends a guest who has not accepted a new invitation; with `preview`, only says what it would do. */
export function resendInvitation(request: InviteRequest, preview = false): Promise<InviteOutcome> {
  return call("resend_invitation", { request, preview });
}

export function readSettings(): Promise<ExternalSettings> {
  return call("read_settings");
}

export function planSettings(request: SettingsRequest): Promise<SettingsPlan> {
  return call("plan_settings", { request });
}

export function applySettings(request: SettingsRequest): Promise<StepOutcome[]> {
  return call("apply_settings", { request });
}

export function googleFederation(): Promise<GoogleFederation> {
  return call("google_federation");
}

/** The secret goes to Rust and on to Microsoft only; the UI does not keep it. */
export function setUpGoogle(clientId: string, clientSecret: string, preview = false): Promise<StepOutcome> {
  return call("set_up_google", { clientId, clientSecret, preview });
}

export function guestSummary(guest: GuestRef): Promise<GuestSummary> {
  return call("guest_summary", { guest });
}

/** With `preview`, nothing changes: the answer says what would. */
export function setProfile(request: ProfileRequest, preview = false): Promise<StepOutcome> {
  return call("set_profile", { request, preview });
}

export function countries(): Promise<Country[]> {
  return call("countries");
}

export function defaultUsageLocation(): Promise<string | null> {
  return call("default_usage_location");
}

export function setDefaultUsageLocation(code: string): Promise<string> {
  return call("set_default_usage_location", { code });
}

export function licenseOptions(): Promise<LicenseOption[]> {
  return call("license_options");
}

export function assignLicense(guest: GuestRef, sku: string, preview = false): Promise<StepOutcome> {
  return call("assign_license", { guest, sku, preview });
}

export function searchGroups(term: string): Promise<GroupOption[]> {
  return call("search_groups", { term });
}

export function addToGroup(guest: GuestRef, group: string, preview = false): Promise<StepOutcome> {
  return call("add_to_group", { guest, group, preview });
}

export function checkGuest(request: ReadinessRequest): Promise<Readiness> {
  return call("check_guest", { request });
}

export function environments(): Promise<EnvironmentOption[]> {
  return call("environments");
}

export function environmentRoles(environment: string): Promise<string[]> {
  return call("environment_roles", { environment });
}

/** Syncs the guest into the environment's Dataverse if needed (this can take minutes while a new licence propagates). */
export function assignDataverseRole(guest: GuestRef, environment: string, role: string, preview = false): Promise<StepOutcome> {
  return call("assign_dataverse_role", { guest, environment, role, preview });
}

export function queryChanges(filter: ChangeFilter): Promise<ChangeRecord[]> {
  return call("query_changes", { filter });
}

export function verifyHistory(): Promise<ChainReport> {
  return call("verify_history");
}

/** Writes the filtered history to a file (Downloads) and answers its path. */
export function exportHistory(filter: ChangeFilter, json: boolean): Promise<string> {
  return call("export_history", { filter, json });
}

/** With `preview`, says what undo would do and changes nothing. */
export function undoChange(seq: number, preview = false): Promise<StepOutcome> {
  return call("undo_change", { seq, preview });
}

export function onboardingActivity(days: number): Promise<DayActivity[]> {
  return call("onboarding_activity", { days });
}

export function countChanges(filter: ChangeFilter): Promise<number> {
  return call("count_changes", { filter });
}

export function historyTenants(): Promise<string[]> {
  return call("history_tenants");
}

/** Reads a guest list (the file's bytes) and checks it against the tenant. Sends nothing. */
export function previewImport(fileName: string, bytes: number[], defaults: ImportDefaults): Promise<ImportPreview> {
  return call("preview_import", { fileName, bytes, defaults });
}

/** Persists a run of the preview's rows without errors; returns the run's id. */
export function startImport(preview: ImportPreview): Promise<number> {
  return call("start_import", { preview });
}

/** Works through a run, calling `progress` as it goes; resolves when it finishes or stops. */
export function runImport(runId: number, progress: (p: RunProgress) => void): Promise<RunProgress> {
  const onProgress = new Channel<RunProgress>();
  onProgress.onmessage = progress;
  return call("run_import", { runId, onProgress });
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
export function importRuns(): Promise<RunInfo[]> {
  return call("import_runs");
}

export function importProgress(runId: number): Promise<RunProgress> {
  return call("import_progress", { runId });
}

export function runRows(runId: number): Promise<RunRow[]> {
  return call("run_rows", { runId });
}

/** Puts the run's failed rows back in line; returns how many. */
export function retryFailedRows(runId: number): Promise<number> {
  return call("retry_failed_rows", { runId });
}

/** Saves the run's results CSV in Downloads; returns the path. */
export function saveRunResults(runId: number): Promise<string> {
  return call("save_run_results", { runId });
}

export function runOfChange(seq: number): Promise<RunLink | null> {
  return call("run_of_change", { seq });
}

/** The tenants this computer has signed in to, most recently used first. */
export function tenantProfiles(): Promise<TenantProfile[]> {
  return call("tenant_profiles");
}

/** Signs in (system browser or device code) and switches to that tenant. */
/** Signs in; `null` when the admin cancelled with {@link cancelSignIn}. */
export function signIn(request: SignInRequest, notice: (n: SignInNotice) => void): Promise<SignedIn | null> {
  const onNotice = new Channel<SignInNotice>();
  onNotice.onmessage = notice;
  return call("sign_in", { request, onNotice });
}

export function cancelSignIn(): Promise<void> {
  return call("cancel_sign_in", {});
}

export function useProfile(profileId: number): Promise<ConnectionInfo> {
  return call("use_profile", { profileId });
}

export function useSandbox(): Promise<ConnectionInfo> {
  return call("use_sandbox");
}

/** Removes the tenant's sign-in from the keychain and forgets it. */
export function signOut(profileId: number): Promise<void> {
  return call("sign_out", { profileId });
}

/** Per wizard step: can the signed-in admin do it, and if not, what is missing. */
export function permissionReport(): Promise<StepPermission[]> {
  return call("permission_report");
}

export function registrationGuide(): Promise<RegistrationGuide> {
  return call("registration_guide");
}
