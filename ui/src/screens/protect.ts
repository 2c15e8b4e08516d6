// Protect guests: what protects them now (Conditional Access policies, named locations, security
// defaults, Entra ID P1) and what is missing; "Guests must use MFA", created report-only; the
// pre-flight that asks Microsoft's What-If, guest by guest, what the policies would do; and
// switching a policy on only after that. Every change is previewed, recorded and undoable.
import {
  cancelPreflight,
  createGuestMfaPolicy,
  createNamedLocation,
  environments,
  grantEnvironmentMaker,
  makers,
  setGuestMakers,
  guestProtection,
  runPreflight,
  savePreflight,
  switchPolicy,
  type ConnectionInfo,
  type GuestPolicy,
  type GuestProtection,
  type GuestVerdict,
  type LocationRequest,
  type MakersView,
  type PolicyApps,
  type PolicyState,
  type Preflight,
  type PreflightProgress,
  type Verdict,
} from "../backend";
import { busy, field, previewThenApply, problemCard, radios, setFieldError, show } from "../components";
import { h } from "../dom";

const STATE_WORDS: Record<string, string> = {
  enabled: "On",
  enabledForReportingButNotEnforced: "Report-only",
  disabled: "Off",
};

const VERDICT_WORDS: Record<Verdict, string> = {
  unaffected: "Unaffected",
  mfa: "Asked for MFA",
  blocked: "Blocked",
};

/** The pill class for a policy's state or a guest's verdict (same colours as History's). */
const STATE_PILL: Record<string, string> = {
  enabled: "pill-succeeded",
  enabledForReportingButNotEnforced: "pill-wouldChange",
  disabled: "pill-unchanged",
};
const VERDICT_PILL: Record<Verdict, string> = {
  unaffected: "pill-unchanged",
  mfa: "pill-wouldChange",
  blocked: "pill-failed",
};

/** The last pre-flight, kept while the screen is open (for the table and Save). */
let lastPreflight: Preflight | null = null;

export function renderProtect(root: HTMLElement, connection: ConnectionInfo | null): void {
  root.append(
    h("h1", { tabindex: "-1", id: "protect-title" }, "Protect guests"),
    h(
      "p",
      { class: "lead" },
      `See what Conditional Access does for guests in ${connection?.tenantName ?? "this tenant"}, ask them for MFA, and find out guest by guest what a policy would do before you switch it on. Policies are created report-only; each change is previewed, recorded in History and can be undone there.`,
    ),
  );
  const overview = h("div", { id: "protect-overview" }, h("p", { class: "muted" }, "Reading what protects guests…"));
  const mfa = h("div", { id: "protect-mfa-area" });
  const locations = h("div", { id: "protect-locations-area" });
  const preflight = h("div", { id: "protect-preflight-area" });
  const makersArea = h("div", { id: "protect-makers-area" });
  root.append(overview, mfa, locations, preflight, makersArea);
  const reload = () => loadOverview(overview, reload);
  renderMfaForm(mfa, reload);
  renderLocationForm(locations, reload);
  renderPreflight(preflight);
  void renderMakers(makersArea);
  void reload();
}

async function loadOverview(area: HTMLElement, reload: () => Promise<void>): Promise<void> {
  let view: GuestProtection;
  try {
    view = await guestProtection();
  } catch (err) {
    show(area, problemCard(err));
    return;
  }
  const facts = h(
    "dl",
    { class: "kv" },
    kv("Entra ID P1", view.hasP1 ? "Yes — Conditional Access is available" : "No — Conditional Access needs it"),
    kv("Security defaults", view.securityDefaults === null ? "Could not be read" : view.securityDefaults ? "On" : "Off"),
    kv("Named locations", view.namedLocations.length === 0 ? "None" : view.namedLocations.map((l) => `${l.displayName} (${l.what})`).join(" · ")),
  );
  const gaps = view.gaps.length
    ? h("ul", { class: "gaps", id: "protect-gaps" }, ...view.gaps.map((g) => h("li", {}, g)))
    : h("p", { id: "protect-gaps", class: "ok-text" }, "Nothing missing: guests are asked for MFA on Dataverse and Power Apps.");
  const unreadable = view.unreadable.map((u) => h("p", { class: "muted" }, `Not read: ${u}`));
  const result = h("div", { id: "protect-switch-result", "aria-live": "polite" });
  show(
    area,
    h("div", { class: "card", id: "protect-now" }, h("h2", {}, "What protects guests now"), facts, h("h3", {}, "What is missing"), gaps, ...unreadable),
    policyTable(view.policies, result, reload),
    result,
  );
}

function kv(label: string, value: string): HTMLElement {
  return h("div", { class: "kv-row" }, h("dt", {}, label), h("dd", {}, value));
}

function policyTable(policies: GuestPolicy[], result: HTMLElement, reload: () => Promise<void>): HTMLElement {
  if (policies.length === 0) {
    return h("div", { class: "card", id: "protect-policies" }, h("h2", {}, "Conditional Access policies for guests"), h("p", {}, "None yet. Create “Guests must use MFA” below."));
  }
  const override = h("input", { type: "checkbox", id: "protect-override" }) as HTMLInputElement;
  const rows = policies.map((p) => {
    const actions = h("td", { class: "nowrap" });
    const to: [PolicyState, string][] = [];
    if (p.state !== "enabled") to.push(["on", "Switch on"]);
    if (p.state !== "enabledForReportingButNotEnforced") to.push(["reportOnly", "Report-only"]);
    if (p.state !== "disabled") to.push(["off", "Switch off"]);
    for (const [state, label] of to) {
      const b = h("button", { class: "btn btn-small", type: "button", id: `switch-${state}-${p.id}`, "aria-label": `${label}: ${p.displayName}` }, label);
      b.addEventListener("click", () =>
        void busy(b, "Checking…", () =>
          previewThenApply(result, `${label}: ${p.displayName}`, (preview) => switchPolicy(p.id, state, override.checked, preview), async () => {
            await reload();
            document.getElementById("protect-switch-result")?.replaceWith(result);
          }),
        ),
      );
      actions.append(b);
    }
    return h(
      "tr",
      { class: "row" },
      h("td", {}, h("strong", {}, p.displayName)),
      h("td", {}, h("span", { class: `pill ${STATE_PILL[p.state] ?? ""}` }, STATE_WORDS[p.state] ?? p.state)),
      h("td", {}, p.guests),
      h("td", {}, p.apps),
      h("td", {}, p.requires.join(", ") || "nothing"),
      actions,
    );
  });
  const table = h(
    "table",
    { class: "table" },
    h("thead", {}, h("tr", {}, ...["Policy", "State", "Which guests", "Which apps", "Requires", ""].map((t) => h("th", { scope: "col" }, h("span", { class: "th" }, t))))),
    h("tbody", {}, ...rows),
  );
  return h(
    "div",
    { class: "card", id: "protect-policies" },
    h("h2", {}, "Conditional Access policies for guests"),
    h("div", { class: "table-wrap" }, table),
    h(
      "label",
      { class: "field-check", for: "protect-override" },
      override,
      h("span", {}, "Switch on without a pre-flight"),
      h("span", { class: "help" }, "Only if you know whom the policy hits: without a pre-flight of every guest, Guestpass refuses to switch a policy on."),
    ),
  );
}

function renderMfaForm(area: HTMLElement, reload: () => Promise<void>): void {
  const group = h("input", { id: "excludeGroup", type: "text", autocomplete: "off", placeholder: "Emergency access accounts" });
  const apps = radios<PolicyApps>(
    "mfa-apps",
    "Which apps",
    [
      ["all", "All resources", "Microsoft's template, and the simplest: every app guests reach here."],
      ["powerPlatform", "Power Platform only", "Dataverse, Power Apps, Power Automate, the Power Platform API and Azure management — together, as Microsoft requires."],
    ],
    "all",
  );
  const submit = h("button", { class: "btn btn-primary", type: "submit", id: "mfa-preview" }, "Preview the policy");
  const result = h("div", { id: "mfa-result", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card form", id: "protect-mfa" },
    h("h2", {}, "Guests must use MFA"),
    h(
      "p",
      { class: "muted" },
      "One policy for every kind of guest and external user, from every organisation, granting plain MFA (Google and one-time-passcode guests can never meet an authentication strength). It is created report-only: it records what it would do and enforces nothing until you switch it on.",
    ),
    field("excludeGroup", "Emergency-access (break-glass) group to leave out", group, "The exact name of a group holding your break-glass admin accounts. It must have at least one member who is not a guest, so a mistake can never lock everyone out."),
    apps,
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    setFieldError("excludeGroup", null);
    const chosen = (document.querySelector<HTMLInputElement>('input[name="mfa-apps"]:checked')?.value ?? "all") as PolicyApps;
    void busy(submit, "Checking…", () => previewThenApply(result, "Guests must use MFA", (preview) => createGuestMfaPolicy(chosen, group.value, preview), reload));
  });
  show(area, form, result);
}

function renderLocationForm(area: HTMLElement, reload: () => Promise<void>): void {
  const name = h("input", { id: "locationName", type: "text", autocomplete: "off", placeholder: "UK and Ireland" });
  const kind = radios<"countries" | "ipRanges">(
    "location-kind",
    "What the location is",
    [
      ["countries", "Countries", "Where Microsoft places the sign-in's IP address."],
      ["ipRanges", "IP ranges", "Your offices' or a partner's public ranges."],
    ],
    "countries",
  );
  const list = h("input", { id: "countries", type: "text", autocomplete: "off", placeholder: "GB, IE" }) as HTMLInputElement;
  const listField = field("countries", "Countries (ISO codes) or IP ranges (CIDR)", list, "Separate them with commas: GB, IE — or 203.0.113.0/24, 198.51.100.0/24. Private ranges and anything /8 or wider are refused, as Microsoft refuses them.");
  // The ranges' errors are named "ipRanges": shown under the same input.
  const rangesError = h("div", { class: "field-error", id: "error-ipRanges", role: "alert" });
  listField.append(rangesError);
  list.setAttribute("aria-describedby", `${list.getAttribute("aria-describedby")} error-ipRanges`);
  const block = h("input", { type: "checkbox", id: "location-block" }) as HTMLInputElement;
  const apps = radios<PolicyApps>(
    "block-apps",
    "Block guests outside it on",
    [
      ["powerPlatform", "Power Platform only", "Guests outside it can still accept invitations and register MFA."],
      ["all", "All resources", "Also blocks Microsoft's invitation-acceptance and My Sign-ins pages for guests outside it: they could not redeem or register MFA from there."],
    ],
    "powerPlatform",
  );
  const submit = h("button", { class: "btn btn-primary", type: "submit", id: "location-preview" }, "Preview the location");
  const result = h("div", { id: "location-result", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card form", id: "protect-locations" },
    h("h2", {}, "Country and network limits"),
    h("p", { class: "muted" }, "A named location, and if you like a report-only policy blocking guests who sign in from anywhere else. Try it with the pre-flight before switching it on."),
    field("locationName", "Name", name),
    kind,
    listField,
    h(
      "label",
      { class: "field-check", for: "location-block" },
      block,
      h("span", {}, "Block guests outside this location (report-only)"),
      h("span", { class: "help" }, "Creates “Guestpass: block guests outside …”. Your own people are not affected."),
    ),
    apps,
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    for (const id of ["locationName", "countries", "ipRanges"]) setFieldError(id, null);
    const items = list.value.split(/[,;\s]+/).map((x) => x.trim()).filter(Boolean);
    const isRanges = document.querySelector<HTMLInputElement>('input[name="location-kind"]:checked')?.value === "ipRanges";
    const request: LocationRequest = {
      name: name.value,
      countries: isRanges ? [] : items,
      ipRanges: isRanges ? items : [],
      blockGuestsOutside: block.checked,
      apps: (document.querySelector<HTMLInputElement>('input[name="block-apps"]:checked')?.value ?? "powerPlatform") as PolicyApps,
      excludeGroup: null,
    };
    void busy(submit, "Checking…", () => previewThenApply(result, "Named location", (preview) => createNamedLocation(request, preview), reload));
  });
  show(area, form, result);
}

function renderPreflight(area: HTMLElement): void {
  const domain = h("input", { id: "preflight-domain", type: "text", autocomplete: "off", placeholder: "Every guest" });
  const run = h("button", { class: "btn btn-primary", type: "submit", id: "preflight-run" }, "Run the pre-flight");
  const results = h("div", { id: "preflight-results" });
  const form = h(
    "form",
    { class: "card form", id: "protect-preflight" },
    h("h2", {}, "Pre-flight: what would the policies do to each guest?"),
    h(
      "p",
      { class: "muted" },
      "Asks Microsoft's What-If about every guest, report-only policies included: unaffected, asked for MFA, or blocked — and why. It changes nothing. Microsoft answers one question per second, so 200 guests take a little over three minutes. A policy is switched on only after a pre-flight of every guest.",
    ),
    field("preflight-domain", "Only one partner's guests (optional)", domain, "Their e-mail domain, e.g. fabrikam.com. Leave it empty to try every guest — only that counts before switching a policy on."),
    h("div", { class: "actions" }, run),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const scope = { emails: [], domain: domain.value.trim() || null };
    void busy(run, "Running…", async () => {
      const { card, update } = progressCard();
      show(results, card);
      try {
        const p = await runPreflight(scope, update);
        lastPreflight = p;
        show(results, preflightTable(p));
        document.getElementById("preflight-summary")?.focus();
      } catch (err) {
        show(results, problemCard(err));
      }
    });
  });
  show(area, form, results);
  if (lastPreflight) show(results, preflightTable(lastPreflight));
}

function progressCard(): { card: HTMLElement; update: (p: PreflightProgress) => void } {
  const text = h("p", { id: "preflight-progress-text", role: "status" }, "Reading the guests…");
  const bar = h("progress", { id: "preflight-progress", max: 1, value: 0 }) as HTMLProgressElement;
  const stop = h("button", { class: "btn", type: "button", id: "preflight-stop" }, "Stop");
  stop.addEventListener("click", () => {
    stop.setAttribute("disabled", "");
    void cancelPreflight();
  });
  const update = (p: PreflightProgress) => {
    bar.max = Math.max(p.total, 1);
    bar.value = p.done;
    const left = Math.max(p.total - p.done, 0);
    text.textContent = `Asked about ${p.done} of ${p.total} guests${left > 1 ? ` — about ${left} seconds left at Microsoft's pace` : ""}…`;
  };
  return { card: h("div", { class: "card", id: "preflight-running" }, h("h2", {}, "Asking Microsoft's What-If"), text, bar, h("div", { class: "actions" }, stop)), update };
}

const ORDER: Record<Verdict, number> = { blocked: 0, mfa: 1, unaffected: 2 };

function preflightTable(p: Preflight): HTMLElement {
  const count = (v: Verdict) => p.guests.filter((g) => g.verdict === v).length;
  const summary = h(
    "p",
    { id: "preflight-summary", tabindex: "-1" },
    h("strong", {}, `${p.guests.length} guests: `),
    `${count("blocked")} blocked, ${count("mfa")} asked for MFA, ${count("unaffected")} unaffected.`,
    p.complete ? "" : " Stopped before the end: the guests not yet asked are missing.",
  );
  const search = h("input", { type: "search", id: "preflight-search", placeholder: "Search guest or reason", "aria-label": "Search the pre-flight" }) as HTMLInputElement;
  const filter = h(
    "select",
    { id: "preflight-filter", "aria-label": "Which guests" },
    h("option", { value: "" }, `Everyone (${p.guests.length})`),
    ...(["blocked", "mfa", "unaffected"] as Verdict[]).map((v) => h("option", { value: v }, `${VERDICT_WORDS[v]} (${count(v)})`)),
  ) as HTMLSelectElement;
  const save = h("button", { class: "btn", type: "button", id: "preflight-save" }, "Save as CSV…");
  const saved = h("span", { class: "muted", id: "preflight-saved", role: "status" });
  save.addEventListener("click", () =>
    void busy(save, "Saving…", async () => {
      try {
        const path = await savePreflight(p);
        saved.textContent = path ? `Saved to ${path}` : "";
      } catch (err) {
        saved.replaceChildren(problemCard(err));
      }
    }),
  );
  const body = h("tbody", { id: "preflight-rows" });
  const fill = () => {
    const q = search.value.trim().toLowerCase();
    const rows = p.guests
      .filter((g) => !filter.value || g.verdict === filter.value)
      .filter((g) => !q || `${g.email} ${reasons(g)}`.toLowerCase().includes(q))
      .sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict] || a.email.localeCompare(b.email));
    body.replaceChildren(...rows.map(guestRow));
    if (rows.length === 0) body.append(h("tr", {}, h("td", { colspan: "3", class: "muted" }, "No guest matches.")));
  };
  search.addEventListener("input", fill);
  filter.addEventListener("change", fill);
  fill();
  const table = h(
    "table",
    { class: "table" },
    h("thead", {}, h("tr", {}, ...["Guest", "Verdict", "Why"].map((t) => h("th", { scope: "col" }, h("span", { class: "th" }, t))))),
    body,
  );
  return h(
    "div",
    { class: "card", id: "preflight-table" },
    h("h2", {}, "Pre-flight results"),
    summary,
    h("div", { class: "toolbar" }, search, filter, save, saved),
    h("div", { class: "table-wrap" }, table),
    ...p.assumptions.map((a) => h("p", { class: "muted small" }, `Assumed: ${a}`)),
  );
}

function reasons(g: GuestVerdict): string {
  return g.policies
    .filter((x) => x.applies)
    .map((x) => `${x.displayName} (${STATE_WORDS[x.state] ?? x.state}): ${x.reasons.join("; ")}`)
    .join("\n");
}

function guestRow(g: GuestVerdict): HTMLElement {
  const applying = g.policies.filter((x) => x.applies);
  return h(
    "tr",
    { class: "row" },
    h("td", { class: "mono nowrap" }, g.email),
    h("td", {}, h("span", { class: `pill ${VERDICT_PILL[g.verdict]}` }, VERDICT_WORDS[g.verdict])),
    h(
      "td",
      {},
      applying.length === 0
        ? h("span", { class: "muted" }, "No policy applies to them.")
        : h("ul", { class: "reasons" }, ...applying.map((x) => h("li", {}, h("strong", {}, x.displayName), ` (${STATE_WORDS[x.state] ?? x.state}): ${x.reasons.join("; ")}`))),
    ),
  );
}

/** Power Apps guest makers: the tenant setting, what else it takes, and the role for one guest. */
async function renderMakers(area: HTMLElement): Promise<void> {
  let view: MakersView;
  try {
    view = await makers();
  } catch (err) {
    show(area, h("div", { class: "card", id: "protect-makers" }, h("h2", {}, "Power Apps guest makers"), problemCard(err)));
    return;
  }
  const result = h("div", { id: "makers-result", "aria-live": "polite" });
  const toggle = h("button", { class: "btn", type: "button", id: "makers-toggle" }, view.guestsCanMake ? "Stop guests making apps" : "Let guests make apps");
  toggle.addEventListener("click", () =>
    void busy(toggle, "Checking…", () =>
      previewThenApply(result, "Guest makers", (preview) => setGuestMakers(!view.guestsCanMake, preview), async () => {
        const kept = result;
        await renderMakers(area);
        document.getElementById("makers-result")?.replaceWith(kept);
      }),
    ),
  );
  const email = h("input", { id: "maker-email", type: "email", autocomplete: "off", placeholder: "jane@partner.com" }) as HTMLInputElement;
  const env = h("select", { id: "maker-environment" }, h("option", { value: "" }, "Reading the environments…")) as HTMLSelectElement;
  void environments()
    .then((list) => {
      env.replaceChildren(...list.map((e) => h("option", { value: e.url }, `${e.displayName} (${e.url})`)));
      if (list.length === 0) env.append(h("option", { value: "" }, "No Dataverse environment"));
    })
    .catch(() => env.replaceChildren(h("option", { value: "" }, "The environments could not be read")));
  const grant = h("button", { class: "btn btn-primary", type: "submit", id: "maker-grant" }, "Preview the role");
  const grantResult = h("div", { id: "maker-result", "aria-live": "polite" });
  const grantForm = h(
    "form",
    { class: "form", id: "maker-form" },
    h("h3", {}, "Give a guest the Environment Maker role"),
    field("maker-email", "Guest's e-mail address", email),
    field("maker-environment", "Environment", env, "The guest needs a Power Apps licence in this tenant first (the Access step gives one)."),
    h("div", { class: "actions" }, grant),
  );
  grantForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    setFieldError("email", null);
    void busy(grant, "Checking…", () => previewThenApply(grantResult, "Environment Maker", (preview) => grantEnvironmentMaker({ email: email.value.trim(), userId: null }, env.value, preview)));
  });
  show(
    area,
    h(
      "div",
      { class: "card", id: "protect-makers" },
      h("h2", {}, "Power Apps guest makers"),
      h("p", { id: "makers-state" }, h("strong", {}, view.guestsCanMake ? "Guests may make Power Apps." : "Guests may not make Power Apps."), " ", toggle),
      h("ul", { class: "reasons", id: "makers-notes" }, ...view.notes.map((n) => h("li", {}, n))),
      result,
      grantForm,
      grantResult,
    ),
  );
}
