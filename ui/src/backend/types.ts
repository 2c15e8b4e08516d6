// Generated from the Rust types by `make bindings` (guestpass-core's typescript_bindings test).
// Do not edit by hand.

export type ConnectionMode = "sandbox" | "microsoft";

export type ConnectionInfo = { mode: ConnectionMode, tenantId: string, tenantName: string, initialDomain: string, graphUrl: string, 
/**
 * Who changes are recorded as.
 */
actor: string, 
/**
 * Where the change log lives on this computer.
 */
dataDir: string, };

export type InviteRequest = { email: string, displayName: string | null, 
/**
 * Where the guest lands after accepting (e.g. the Dynamics environment URL or My Apps).
 */
redirectUrl: string, 
/**
 * Have Microsoft e-mail the invitation (otherwise share the redeem link yourself).
 */
sendEmail: boolean, 
/**
 * A personal note in the invitation e-mail.
 */
message: string | null, 
/**
 * Who sponsors the guest: addresses of people of this organisation, at most five. Left
 * empty, Microsoft stamps whoever is signed in — and nobody when an app invites.
 */
sponsors: Array<string>, };

export type InviteStatus = "invited" | "alreadyGuest" | "wouldInvite" | "resent" | "wouldResend";

export type InviteOutcome = { status: InviteStatus, email: string, userId: string, displayName: string | null, 
/**
 * Microsoft's invitation status (`PendingAcceptance`, `Completed`…) or the guest's state.
 */
state: string | null, 
/**
 * The link the guest opens to accept (only when a new invitation was made).
 */
redeemUrl: string | null, 
/**
 * Whether the new guest could be read back from the directory yet.
 */
verified: boolean, 
/**
 * The outcome in plain words.
 */
summary: string, requestId: string | null, 
/**
 * The change-log row written for this.
 */
changeSeq: number, };

export type ProblemKind = "invalid" | "microsoft" | "throttled" | "signIn" | "network" | "unavailable" | "local" | "computer" | "internal" | "cancelled";

export type FieldError = { 
/**
 * The field, as named in the request (e.g. `email`, `redirectUrl`).
 */
field: string, message: string, };

export type Problem = { kind: ProblemKind, 
/**
 * What happened.
 */
message: string, 
/**
 * What to do next.
 */
hint: string, fields: Array<FieldError>, 
/**
 * Microsoft's error code, when Microsoft answered.
 */
code: string | null, 
/**
 * Microsoft's request-id, for support.
 */
requestId: string | null, };

export type ChangeResult = "succeeded" | "failed" | "unchanged";

export type ChangeRecord = { seq: number, 
/**
 * RFC 3339, UTC, milliseconds.
 */
at: string, actor: string, tenant: string, action: string, target: string, before: unknown, after: unknown, result: ChangeResult, errorCode: string | null, detail: string | null, requestId: string | null, prevHash: string, hash: string, };

export type SortKey = "at" | "tenant" | "action" | "target" | "result" | "requestId";

export type ChangeFilter = { 
/**
 * On or after this time (RFC 3339, or a date like `2026-11-01`).
 */
since: string | null, 
/**
 * Before this time.
 */
until: string | null, tenant: string | null, action: string | null, result: ChangeResult | null, 
/**
 * Words found in the target, the actor, the outcome, the error code or the request-id.
 */
text: string | null, 
/**
 * At most this many rows (default 500).
 */
limit: number | null, 
/**
 * Skip this many rows first (for paging through a long list).
 */
offset: number | null, 
/**
 * Order by this column (default: time); ties keep the log's order.
 */
sort: SortKey | null, 
/**
 * Oldest (or A to Z) first; default newest first.
 */
ascending: boolean, };

export type ChainBreak = { 
/**
 * The row at which verification failed (for a removed tail: the last row still present).
 */
seq: number, reason: string, };

export type ChainReport = { rows: number, firstBreak: ChainBreak | null, };

export type GuestRef = { email: string, userId: string | null, };

export type ProfileRequest = { guest: GuestRef, givenName: string | null, surname: string | null, 
/**
 * ISO 3166-1 alpha-2, e.g. `GB`. Needed before any licence.
 */
usageLocation: string | null, };

export type StepStatus = "changed" | "unchanged" | "wouldChange";

export type ActionKind = "update_settings" | "update_authorization_policy" | "update_domain_list" | "update_cross_tenant_default" | "create_google_federation" | "invite_guest" | "resend_invitation" | "set_profile" | "assign_license" | "add_to_group" | "assign_dataverse_role" | "set_partner_settings" | "create_guest_policy" | "switch_guest_policy" | "create_named_location" | "set_guest_makers" | "set_guest_sign_in" | "remove_guest" | "restore_guest" | "add_sponsor" | "create_guest_review" | "remove_from_group" | "remove_license" | "remove_dataverse_role" | "remove_package_assignment" | "connect_organization" | "add_organization_sponsor" | "create_catalog" | "add_catalog_resource" | "create_access_package" | "create_assignment_policy" | "set_external_user_lifecycle";

export type StepOutcome = { 
/**
 * `profile`, `license`, `group`… ([`ActionKind::step`]), or `undo`.
 */
step: string, status: StepStatus, summary: string, requestId: string | null, changeSeq: number, };

export type LicenseOption = { skuId: string, skuPartNumber: string, freeSeats: number, totalSeats: number, };

export type GroupOption = { id: string, displayName: string, description: string | null, securityEnabled: boolean, };

export type Country = { code: string, name: string, };

export type InviteAuthority = "none" | "adminsAndGuestInviters" | "adminsGuestInvitersAndAllMembers" | "everyone";

export type GuestAccess = "sameAsMembers" | "limited" | "mostRestrictive";

export type DomainMode = "anyDomain" | "allowOnly" | "blockListed";

export type DomainList = { mode: DomainMode, domains: Array<string>, };

export type ExternalSettings = { invitesFrom: InviteAuthority, guestAccess: GuestAccess, domains: DomainList, 
/**
 * Cross-tenant default: inbound B2B collaboration allowed for all users and apps.
 */
inboundB2bAllowed: boolean, 
/**
 * Cross-tenant default: accept MFA done in the guest's home tenant.
 */
trustHomeMfa: boolean, };

export type SettingsRequest = { invitesFrom: InviteAuthority | null, guestAccess: GuestAccess | null, domains: DomainList | null, inboundB2bAllowed: boolean | null, trustHomeMfa: boolean | null, };

export type SettingChange = { setting: string, from: string, to: string, };

export type SettingsPlan = { current: ExternalSettings, desired: ExternalSettings, changes: Array<SettingChange>, };

export type GoogleFederation = { 
/**
 * The URIs to add to the Google OAuth client ("Authorized redirect URIs").
 */
redirectUris: Array<string>, 
/**
 * Whether the tenant already has the Google provider.
 */
configured: boolean, 
/**
 * Its client id, when configured (the secret is never readable).
 */
clientId: string | null, };

export type FixStep = "invite" | "profile" | "license" | "groups" | "access" | "settings" | "google" | "partners" | "guest";

export type ReadinessItem = { label: string, ok: boolean, 
/**
 * Why, in plain words.
 */
detail: string, fix: FixStep | null, };

export type Readiness = { email: string, userId: string | null, displayName: string | null, items: Array<ReadinessItem>, 
/**
 * Every item is green.
 */
ready: boolean, 
/**
 * The tenant-specific sign-in link to send the guest.
 */
signInLink: string, };

export type ReadinessRequest = { email: string, 
/**
 * A licence (part number or id) the guest should have; otherwise any licence counts.
 */
license: string | null, 
/**
 * Groups (names or ids) the guest should be in.
 */
groups: Array<string>, 
/**
 * A Dataverse environment (URL, name or id) and the security role the guest should have there.
 */
environment: string | null, role: string | null, };

export type GuestSummary = { email: string, userId: string, displayName: string | null, givenName: string | null, surname: string | null, usageLocation: string | null, 
/**
 * `PendingAcceptance` or `Accepted`.
 */
state: string | null, 
/**
 * Licence part numbers.
 */
licenses: Array<string>, groups: Array<GroupOption>, };

export type EnvironmentOption = { id: string, displayName: string, 
/**
 * The organisation URL (e.g. https://contoso.crm.dynamics.com): what guests open.
 */
url: string, };

export type DayActivity = { 
/**
 * `YYYY-MM-DD` (UTC).
 */
day: string, invited: number, redeemed: number, licensed: number, };

export type Field = "email" | "displayName" | "firstName" | "lastName" | "usageLocation" | "license" | "groups" | "environment" | "role" | "redirectUrl" | "sendEmail" | "message" | "sponsors";

export type ImportDefaults = { 
/**
 * The file's encoding (`windows-1250`, `Shift_JIS`…) when the detected one is wrong.
 */
encoding: string | null, 
/**
 * A workbook's sheet to read (the first otherwise).
 */
sheet: string | null, redirectUrl: string | null, usageLocation: string | null, license: string | null, groups: Array<string>, environment: string | null, role: string | null, sendEmail: boolean | null, message: string | null, };

export type PlannedGuest = { email: string, displayName: string | null, firstName: string | null, lastName: string | null, usageLocation: string | null, license: string | null, groups: Array<string>, environment: string | null, role: string | null, redirectUrl: string | null, sendEmail: boolean, message: string | null, 
/**
 * Sponsors named at the invitation (addresses; at most five).
 */
sponsors: Array<string>, };

export type IssueLevel = "error" | "warning";

export type RowIssue = { level: IssueLevel, 
/**
 * The column, as Guestpass names it (e.g. "Usage location").
 */
column: string, 
/**
 * What is wrong and how to fix it.
 */
message: string, };

export type PreviewRow = { 
/**
 * The row number as the spreadsheet shows it.
 */
row: number, guest: PlannedGuest, issues: Array<RowIssue>, 
/**
 * The person's state when they are already a guest (`Accepted`, `PendingAcceptance`).
 */
existingGuest: string | null, };

export type SeatCheck = { license: string, needed: number, free: number, };

export type ImportPreview = { fileName: string, 
/**
 * "Microsoft bulk-invite template" or "Sheet with a header row".
 */
format: string, encoding: string, 
/**
 * The encoding was guessed from the bytes: the admin should glance at the names.
 */
encodingGuessed: boolean, delimiter: string, 
/**
 * The workbook sheet read (none for text files), and all its sheets.
 */
sheet: string | null, sheets: Array<string>, 
/**
 * The columns used, as written in the file.
 */
columns: Array<string>, 
/**
 * What was skipped or could not be checked, in plain words.
 */
notes: Array<string>, rows: Array<PreviewRow>, seats: Array<SeatCheck>, 
/**
 * Rows that will run (no errors).
 */
ready: number, withErrors: number, withWarnings: number, alreadyGuests: number, 
/**
 * Whether the tenant was consulted (false: only the file was checked).
 */
tenantChecked: boolean, };

export type PreviewStage = "LookingUp" | "ReadingDirectory";

export type PreviewProgress = { stage: PreviewStage, 
/**
 * Addresses looked up, or directory users read, so far.
 */
done: number, 
/**
 * Of how many (the directory's size once its first page says it).
 */
total: number, };

export type ChosenFile = { path: string, name: string, };

export type ExtranetRequest = { partnerDomain: string, 
/**
 * The access package's name.
 */
name: string, 
/**
 * Groups by name or id; the package gives their Member role.
 */
groups: Array<string>, 
/**
 * Who approves (someone of this organisation); `None`: the partner's sponsors.
 */
approver: string | null, 
/**
 * Who decides when the approvers cannot (needed with sponsors approving).
 */
fallbackApprover: string | null, 
/**
 * The connected organisation's sponsors: people of this organisation (internal) or
 * the partner's guests here (external).
 */
sponsors: Array<string>, 
/**
 * Access ends this many days after approval (Microsoft's and our default: 180).
 */
expireDays: number, 
/**
 * A request nobody answers is denied after this many days (at most 14).
 */
autoDenyDays: number, 
/**
 * A recurring review of who has the package, every N months.
 */
reviewEveryMonths: number | null, 
/**
 * Hidden packages are reachable only by the link.
 */
hidden: boolean, 
/**
 * An existing catalog (enabled for external users) by name; `None`: Guestpass's own.
 */
catalog: string | null, };

export type ExtranetCreated = { steps: Array<StepOutcome>, packageId: string | null, 
/**
 * The My Access link to send to the partner (once the package exists).
 */
myAccessLink: string | null, 
/**
 * A short text for the partner contact, with the link.
 */
messageForPartner: string, 
/**
 * Which chosen options bill the ID Governance meter per guest.
 */
billing: Array<string>, };

export type ExternalLifecycle = { 
/**
 * `none`, `blockSignIn` or `blockSignInAndDelete` (Microsoft's values).
 */
action: string, 
/**
 * Days between the block and the deletion (with `blockSignInAndDelete`).
 */
deleteAfterDays: number, };

export type ExtranetOverview = { 
/**
 * Whether the tenant has Entra ID P2 or ID Governance; without it the rest is empty.
 */
licensed: boolean, 
/**
 * What the licence allows and what bills per guest, in words.
 */
licenceNote: string, lifecycle: ExternalLifecycle | null, lifecycleCaveat: string, partners: Array<ExtranetPartner>, };

export type ExtranetPartner = { id: string, name: string, domains: Array<string>, 
/**
 * `configured`, or `proposed` (made when someone asked, perhaps with a personal account).
 */
state: string, internalSponsors: Array<string>, externalSponsors: Array<string>, packages: Array<ExtranetPackage>, };

export type ExtranetPackage = { id: string, name: string, hidden: boolean, myAccessLink: string, 
/**
 * Who approves and when access ends, in words.
 */
policy: string, assignments: Array<PackageAssignment>, pending: Array<PendingRequest>, };

export type PackageAssignment = { id: string, who: string, since: string | null, expires: string | null, };

export type PendingRequest = { id: string, who: string, since: string | null, };

export type PartnerSettings = { 
/**
 * Their MFA satisfies this tenant's MFA requirements.
 */
trustMfa: boolean | null, 
/**
 * Their compliant devices count as compliant here.
 */
trustCompliantDevices: boolean | null, 
/**
 * Their hybrid-joined devices count as hybrid-joined here.
 */
trustHybridJoinedDevices: boolean | null, 
/**
 * Their people may be invited as B2B collaboration guests.
 */
collaborationInbound: boolean | null, 
/**
 * With collaboration allowed: only the people in these groups of theirs (object ids in
 * their tenant); empty for everyone.
 */
collaborationGroups: Array<string>, 
/**
 * Their people may reach Teams shared channels here without a guest account.
 */
directConnectInbound: boolean | null, 
/**
 * This tenant's people may do the same in theirs.
 */
directConnectOutbound: boolean | null, 
/**
 * Their people redeem invitations without the consent prompt (they must allow it outbound).
 */
autoRedeem: boolean | null, };

export type PartnerTenant = { tenantId: string, name: string, defaultDomain: string, };

export type PartnerView = { tenant: PartnerTenant, settings: PartnerSettings, 
/**
 * Each setting after inheritance from the default.
 */
effective: PartnerSettings, 
/**
 * The tenant's guests whose address is at the partner's default domain.
 */
guests: Array<string>, };

export type PartnerLookup = { tenant: PartnerTenant, settings: PartnerSettings | null, };

export type PartnersOverview = { default: PartnerSettings, partners: Array<PartnerView>, };

export type GuestPolicy = { id: string, displayName: string, 
/**
 * `enabled`, `disabled` or `enabledForReportingButNotEnforced` (report-only).
 */
state: string, 
/**
 * Which guests, in words ("every guest and external user type", "B2B collaboration guests"…).
 */
guests: string, 
/**
 * Which apps, in words ("all resources", "Dataverse", "3 apps").
 */
apps: string, 
/**
 * What it asks for: `mfa`, `block`, `compliantDevice`, "authentication strength", …
 */
requires: Array<string>, 
/**
 * Whether it covers the guests' Dataverse and Power Apps.
 */
coversDataverse: boolean, };

export type NamedLocationSummary = { id: string, displayName: string, 
/**
 * "countries: GB, IE" or "3 IP ranges (trusted)".
 */
what: string, };

export type GuestProtection = { 
/**
 * The tenant has Entra ID P1 or P2 (Conditional Access needs it).
 */
hasP1: boolean, 
/**
 * Security defaults are on (then no Conditional Access policy can be switched on).
 */
securityDefaults: boolean | null, policies: Array<GuestPolicy>, namedLocations: Array<NamedLocationSummary>, 
/**
 * Plain statements of what is missing or at risk, most important first.
 */
gaps: Array<string>, 
/**
 * Why part of the picture could not be read (a missing permission, no licence).
 */
unreadable: Array<string>, };

export type PolicyState = "reportOnly" | "on" | "off";

export type PolicyApps = "all" | "powerPlatform";

export type Verdict = "unaffected" | "mfa" | "blocked";

export type PolicyVerdict = { id: string, displayName: string, 
/**
 * `enabled`, `disabled` or `enabledForReportingButNotEnforced`.
 */
state: string, applies: boolean, 
/**
 * Why, in words: what it asks of this guest, or what kept it out.
 */
reasons: Array<string>, };

export type GuestVerdict = { email: string, verdict: Verdict, policies: Array<PolicyVerdict>, };

export type Preflight = { guests: Array<GuestVerdict>, 
/**
 * False when it was cancelled part-way (the guests so far are kept).
 */
complete: boolean, 
/**
 * What the evaluation assumed, in words (the apps, the sign-in's details).
 */
assumptions: Array<string>, };

export type PreflightProgress = { done: number, total: number, };

export type PreflightScope = { 
/**
 * These addresses only (empty: every guest).
 */
emails: Array<string>, 
/**
 * Only guests whose address is at this domain (one partner's people).
 */
domain: string | null, };

export type LocationRequest = { name: string, 
/**
 * ISO 3166-1 alpha-2 codes (GB, IE…); or
 */
countries: Array<string>, 
/**
 * public IPv4 or IPv6 ranges in CIDR notation.
 */
ipRanges: Array<string>, 
/**
 * Also create a report-only policy blocking guests who sign in from anywhere else.
 */
blockGuestsOutside: boolean, 
/**
 * What that policy covers (all resources also blocks redemption from outside).
 */
apps: PolicyApps | null, 
/**
 * An emergency-access group that policy leaves out (optional: it reaches guests only).
 */
excludeGroup: string | null, };

export type MakersView = { 
/**
 * `powerPlatform.powerApps.enableGuestsToMake`.
 */
guestsCanMake: boolean, 
/**
 * What guests can see in the directory now.
 */
guestAccess: GuestAccess | null, 
/**
 * What Microsoft requires besides the setting, and what it costs, in words.
 */
notes: Array<string>, };

export type GuestRules = { 
/**
 * No sign-in for this many days (and not created within them).
 */
staleDays: number, 
/**
 * Invitation not accepted after this many days.
 */
pendingDays: number, };

export type GuestRow = { id: string, email: string, displayName: string, 
/**
 * `PendingAcceptance` or `Accepted` (Microsoft's `externalUserState`).
 */
state: string, createdDateTime: string | null, 
/**
 * The latest sign-in of any kind; `None` when they never signed in or it cannot be read
 * (then the list's `signInActivity` says why).
 */
lastSignIn: string | null, enabled: boolean, homeDomain: string, 
/**
 * Their sponsors' addresses (or names, for a sponsor without one).
 */
sponsors: Array<string>, licenses: Array<string>, groups: Array<string>, stale: boolean, pendingTooLong: boolean, };

export type GuestList = { guests: Array<GuestRow>, 
/**
 * `available`, or `unavailable: <why>` (no Entra ID P1, or no `AuditLog.Read.All`).
 */
signInActivity: string, rules: GuestRules, };

export type GuestVerb = "block" | "unblock" | "remove" | "restore" | "resend";

export type GuestActionResult = { email: string, outcome: StepOutcome | null, problem: Problem | null, };

export type PullProgress = { source: EventSource, 
/**
 * Pages read from this log so far.
 */
pages: number, 
/**
 * Entries on them about guests.
 */
guestEvents: number, };

export type ReviewRequest = { 
/**
 * Groups by name or id; one review each.
 */
groups: Array<string>, 
/**
 * How often (months; 3 is quarterly).
 */
everyMonths: number, 
/**
 * Who reviews: `None` for the group's owners, or a person's address.
 */
reviewer: string | null, 
/**
 * Who decides when the group has no owner (needed with owners reviewing).
 */
fallbackReviewer: string | null, };

export type PersonOption = { displayName: string, address: string, guest: boolean, };

export type OffboardPlan = { domain: string, guests: Array<PartnerGuest>, 
/**
 * Remove the accounts this many days after blocking them (0: at once); `None`: keep them.
 */
deleteAfterDays: number | null, 
/**
 * What is not covered, in words (e.g. Dataverse records, access packages).
 */
notes: Array<string>, };

export type PartnerGuest = { id: string, email: string, displayName: string, enabled: boolean, 
/**
 * (id, name)
 */
groups: Array<[string, string]>, 
/**
 * (SKU id, part number)
 */
licenses: Array<[string, string]>, 
/**
 * (environment URL|role id, "role in environment")
 */
dataverseRoles: Array<[string, string]>, 
/**
 * (assignment id, access package name)
 */
accessPackages: Array<[string, string]>, };

export type ReviewSummary = { id: string, displayName: string, 
/**
 * What is reviewed, in words ("guests of Partner portal users").
 */
scope: string, 
/**
 * Who reviews, in words.
 */
reviewers: string, 
/**
 * "every 3 months", "once".
 */
recurrence: string, status: string, 
/**
 * The latest instance's window (RFC 3339), if one started.
 */
latestStart: string | null, latestEnd: string | null, decisions: Array<ReviewDecision>, };

export type ReviewDecision = { guest: string, 
/**
 * `Approve`, `Deny`, `NotReviewed` or `DontKnow`.
 */
decision: string, reviewedBy: string | null, reviewedAt: string | null, 
/**
 * Whether Microsoft applied it (`New`, `AppliedSuccessfully`…).
 */
applyResult: string | null, };

export type PullReport = { 
/**
 * Directory audit events about guests read, and how many of them were new here.
 */
directoryAuditsRead: number, directoryAuditsNew: number, signInsRead: number, signInsNew: number, 
/**
 * `available`, or `unavailable: <why>` (no Entra ID P1, no permission).
 */
signIns: string, 
/**
 * Where this pull started reading (RFC 3339).
 */
since: string, 
/**
 * All events of this tenant kept here now.
 */
kept: number, 
/**
 * Stopped before the end: what was read is kept; the next pull reads the window again.
 */
stopped: boolean, };

export type EventSource = "directoryAudit" | "signIn";

export type MicrosoftEvent = { 
/**
 * Microsoft's id for the event (the audit id, or the sign-in's id).
 */
auditId: string, tenant: string, source: EventSource, 
/**
 * When it happened (Microsoft's time, RFC 3339).
 */
at: string, 
/**
 * "Invite external user", "Disable account", or "Sign-in" for a sign-in.
 */
activity: string, 
/**
 * The guest it concerns.
 */
userId: string | null, userEmail: string | null, 
/**
 * Who did it (a person's sign-in name or an app's id).
 */
initiatedBy: string | null, 
/**
 * "success", "failure", or a sign-in's error code.
 */
result: string | null, 
/**
 * Microsoft's record, whole.
 */
raw: unknown, };

export type RunState = "running" | "paused" | "cancelled" | "finished";

export type StepState = "pending" | "running" | "done" | "unchanged" | "failed" | "skipped";

export type RunInfo = { id: number, tenant: string, actor: string, 
/**
 * The file the rows came from.
 */
source: string, createdAt: string, state: RunState, finishedAt: string | null, };

export type RunStep = { stepNo: number, 
/**
 * `invite`, `profile`, `license`, `group`, `role`.
 */
kind: string, 
/**
 * The group, licence or role the step is about.
 */
target: string | null, state: StepState, attempts: number, 
/**
 * What happened, in plain words (the reason, when it failed).
 */
summary: string | null, requestId: string | null, changeSeq: number | null, };

export type RunRow = { 
/**
 * The row number in the file, as a spreadsheet shows it.
 */
rowNo: number, email: string, 
/**
 * The row's values as planned (JSON).
 */
input: unknown, userId: string | null, steps: Array<RunStep>, };

export type RunLink = { runId: number, row: number, };

export type RunProgress = { runId: number, state: RunState, total: number, 
/**
 * Rows finished with every step done or already so.
 */
done: number, failed: number, left: number, 
/**
 * Rows being worked on right now.
 */
inFlight: number, rowsPerMinute: number, etaSeconds: number | null, 
/**
 * 429 answers received during this session of the run.
 */
throttled: number, 
/**
 * Why the run is waiting or stopped, in plain words.
 */
message: string | null, };

export type TenantProfile = { id: number, 
/**
 * The tenant's id (GUID) once signed in.
 */
tenant: string, tenantName: string | null, 
/**
 * The tenant's initial domain (e.g. `contoso.onmicrosoft.com`).
 */
domain: string | null, 
/**
 * `browser`, `deviceCode`, `clientSecret`, `clientCertificate`, `azureCli`,
 * `managedIdentity` or `workloadIdentity`.
 */
signIn: string, clientId: string, 
/**
 * Who signed in (delegated sign-in).
 */
username: string | null, 
/**
 * The permissions granted at sign-in, space-separated.
 */
scopes: string | null, loginUrl: string, graphUrl: string, bapUrl: string, lastUsed: string, 
/**
 * The app's certificate (public part, PEM) for `clientCertificate` profiles.
 */
certificate: string | null, };

export type SignInWay = "browser" | "deviceCode" | "azureCli";

export type SignInRequest = { 
/**
 * Tenant id or domain (e.g. `contoso.onmicrosoft.com`).
 */
tenant: string, 
/**
 * The admin's own app registration (public client, redirect URI `http://localhost`);
 * not used with the Azure CLI (its tokens are issued to the Azure CLI's own app).
 */
clientId: string, way: SignInWay, };

export type DeviceCodePrompt = { userCode: string, verificationUri: string, message: string, expiresInSeconds: number, };

export type SignedIn = { profile: TenantProfile, 
/**
 * The keychain holding the refresh token, or why there is none (then the sign-in lasts
 * for this session only).
 */
keychain: { Ok : string } | { Err : string }, };

export type StepPermission = { step: string, ready: boolean, 
/**
 * Delegated permissions the app registration still needs (with admin consent).
 */
missingPermissions: Array<string>, 
/**
 * Entra roles that would let the admin do it, when they hold none of them.
 */
needsOneOfRoles: Array<string>, 
/**
 * How to get the missing permissions with this way of signing in (empty when ready).
 */
howToGrant: string, };

export type RegistrationGuide = { 
/**
 * Delegated Microsoft Graph permissions to add (then grant admin consent).
 */
permissions: Array<string>, 
/**
 * The redirect URI to add under "Mobile and desktop applications".
 */
redirectUri: string, 
/**
 * The same, as Azure CLI commands to paste.
 */
azCommands: string, };

export type SignInNotice = { "kind": "browser", url: string | null, } | { "kind": "deviceCode", prompt: DeviceCodePrompt, };

/** Every action name the change log holds, with History's label and whether it can be undone. */
export const ACTIONS: Record<string, { label: string; undoable: boolean }> = {
  invite_guest: { label: "Invite guest", undoable: true },
  undo_invite_guest: { label: "Undo: Invite guest", undoable: false },
  resend_invitation: { label: "Resend invitation", undoable: false },
  set_profile: { label: "Set profile", undoable: true },
  undo_set_profile: { label: "Undo: Set profile", undoable: false },
  assign_license: { label: "Assign licence", undoable: true },
  undo_assign_license: { label: "Undo: Assign licence", undoable: false },
  add_to_group: { label: "Add to group", undoable: true },
  undo_add_to_group: { label: "Undo: Add to group", undoable: false },
  assign_dataverse_role: { label: "Give Dataverse role", undoable: true },
  undo_assign_dataverse_role: { label: "Undo: Give Dataverse role", undoable: false },
  update_settings: { label: "Collaboration settings", undoable: false },
  update_authorization_policy: { label: "Who can invite / guest access", undoable: true },
  undo_update_authorization_policy: { label: "Undo: Who can invite / guest access", undoable: false },
  update_domain_list: { label: "Domain allow/block list", undoable: true },
  undo_update_domain_list: { label: "Undo: Domain allow/block list", undoable: false },
  update_cross_tenant_default: { label: "Cross-tenant default", undoable: true },
  undo_update_cross_tenant_default: { label: "Undo: Cross-tenant default", undoable: false },
  create_google_federation: { label: "Google federation", undoable: true },
  undo_create_google_federation: { label: "Undo: Google federation", undoable: false },
  set_partner_settings: { label: "Partner settings", undoable: true },
  undo_set_partner_settings: { label: "Undo: Partner settings", undoable: false },
  create_guest_policy: { label: "Guest protection policy", undoable: true },
  undo_create_guest_policy: { label: "Undo: Guest protection policy", undoable: false },
  switch_guest_policy: { label: "Switch guest policy", undoable: true },
  undo_switch_guest_policy: { label: "Undo: Switch guest policy", undoable: false },
  create_named_location: { label: "Named location", undoable: true },
  undo_create_named_location: { label: "Undo: Named location", undoable: false },
  set_guest_makers: { label: "Guest makers (Power Apps)", undoable: true },
  undo_set_guest_makers: { label: "Undo: Guest makers (Power Apps)", undoable: false },
  set_guest_sign_in: { label: "Block or unblock sign-in", undoable: true },
  undo_set_guest_sign_in: { label: "Undo: Block or unblock sign-in", undoable: false },
  remove_guest: { label: "Remove guest", undoable: true },
  undo_remove_guest: { label: "Undo: Remove guest", undoable: false },
  restore_guest: { label: "Restore guest", undoable: true },
  undo_restore_guest: { label: "Undo: Restore guest", undoable: false },
  add_sponsor: { label: "Add sponsor", undoable: true },
  undo_add_sponsor: { label: "Undo: Add sponsor", undoable: false },
  create_guest_review: { label: "Guest access review", undoable: true },
  undo_create_guest_review: { label: "Undo: Guest access review", undoable: false },
  remove_from_group: { label: "Remove from group", undoable: true },
  undo_remove_from_group: { label: "Undo: Remove from group", undoable: false },
  remove_license: { label: "Remove licence", undoable: true },
  undo_remove_license: { label: "Undo: Remove licence", undoable: false },
  remove_dataverse_role: { label: "Remove Dataverse role", undoable: true },
  undo_remove_dataverse_role: { label: "Undo: Remove Dataverse role", undoable: false },
  remove_package_assignment: { label: "Remove access package", undoable: false },
  connect_organization: { label: "Connect partner organisation", undoable: true },
  undo_connect_organization: { label: "Undo: Connect partner organisation", undoable: false },
  add_organization_sponsor: { label: "Partner sponsor", undoable: true },
  undo_add_organization_sponsor: { label: "Undo: Partner sponsor", undoable: false },
  create_catalog: { label: "Catalog", undoable: true },
  undo_create_catalog: { label: "Undo: Catalog", undoable: false },
  add_catalog_resource: { label: "Group in catalog", undoable: true },
  undo_add_catalog_resource: { label: "Undo: Group in catalog", undoable: false },
  create_access_package: { label: "Access package (extranet)", undoable: true },
  undo_create_access_package: { label: "Undo: Access package (extranet)", undoable: false },
  create_assignment_policy: { label: "Access package policy", undoable: true },
  undo_create_assignment_policy: { label: "Undo: Access package policy", undoable: false },
  set_external_user_lifecycle: { label: "External users at the end", undoable: true },
  undo_set_external_user_lifecycle: { label: "Undo: External users at the end", undoable: false },
};

/** A guest's onboarding steps, in the order Microsoft needs them (the wizard follows it). */
export const ONBOARDING_ORDER: readonly string[] = ["invite", "profile", "license", "group", "role"];
