// Tenant: which tenant Guestpass works in, signing in to real tenants (system browser, device
// code or the Azure CLI), switching between them, what the signed-in admin may do per step, and how to
// register Guestpass in a tenant. Tokens never reach this window: only what to show.
import {
  logFolder,
  openLogFolder,
  connectionInfo,
  isProblem,
  permissionReport,
  registrationGuide,
  signIn,
  cancelSignIn,
  signOut,
  tenantProfiles,
  useProfile,
  useSandbox,
  type ConnectionInfo,
  type SignInNotice,
  type SignInWay,
  type StepPermission,
  type TenantProfile,
} from "../backend";
import { busy, field, problemCard, setFieldError, show } from "../components";
import { clear, copyButton, formatTime, h } from "../dom";

/** A message to show once at the top after the page re-renders (e.g. "Signed in"). */
let flash: HTMLElement | null = null;

/** `connected` is called after a switch, so the banner and the other screens follow. */
export function renderConnection(root: HTMLElement, info: ConnectionInfo | null, connected: (info: ConnectionInfo) => void): void {
  root.append(h("h1", {}, "Tenant"));
  if (flash) {
    root.append(flash);
    flash = null;
  }
  if (info) root.append(currentCard(info));
  else root.append(h("p", { class: "muted" }, "Guestpass is not connected to a tenant. See the message above."));
  const permissions = h("div", { id: "tenant-permissions" });
  const profiles = h("div", { id: "tenant-profiles" });
  root.append(permissions, signInCard(connected), profiles, guideCard(), supportCard());
  void renderPermissions(permissions);
  void renderProfiles(profiles, info, connected);
}

/** For support: where the log file is, and a button that opens its folder. */
function supportCard(): HTMLElement {
  const where = h("span", { class: "mono", id: "log-folder" }, "…");
  const open = h("button", { class: "btn", type: "button", id: "open-log-folder" }, "Open log folder");
  const result = h("div", { id: "log-folder-result" });
  open.addEventListener("click", () => void openLogFolder().catch((err) => show(result, problemCard(err))));
  void logFolder().then((dir) => (where.textContent = dir ?? "no log folder on this computer"));
  return h(
    "div",
    { class: "card", id: "tenant-support" },
    h("h2", {}, "For support"),
    h("p", {}, "Guestpass keeps a log of what it did (a file per day, a week kept; never a token, secret or key): ", where),
    h("div", { class: "actions" }, open),
    result,
  );
}

function currentCard(info: ConnectionInfo): HTMLElement {
  const row = (label: string, value: string, copy = false) =>
    h("div", { class: "kv-row" }, h("dt", {}, label), h("dd", {}, h("span", { class: "mono" }, value), copy ? copyButton(value) : null));
  return h(
    "div",
    {},
    h(
      "p",
      { class: "lead" },
      info.mode === "sandbox"
        ? "This is the sandbox tenant: a practice copy of a small company that behaves like Microsoft Entra (including its errors, throttling and delays) but runs entirely on this computer. Try every step here before you touch a real tenant."
        : "Guestpass is signed in to this Microsoft Entra tenant. Every change it makes is recorded in History under your name.",
    ),
    h(
      "dl",
      { class: "card kv", id: "tenant-current" },
      row("Organisation", info.tenantName),
      row("Tenant id", info.tenantId, true),
      row("Initial domain", info.initialDomain, true),
      row("Kind", info.mode === "sandbox" ? "Sandbox (local, nothing leaves this computer)" : "Microsoft Entra"),
      row("Microsoft Graph", info.graphUrl),
      row("Changes recorded as", info.actor),
      row("History stored in", info.dataDir),
    ),
  );
}

async function renderPermissions(area: HTMLElement): Promise<void> {
  let report: StepPermission[];
  try {
    report = await permissionReport();
  } catch (err) {
    show(area, problemCard(err));
    return;
  }
  if (report.length === 0) return;
  const rows = report.map((s) =>
    h(
      "tr",
      {},
      h("td", {}, s.step),
      h("td", {}, h("span", { class: `pill pill-${s.ready ? "succeeded" : "failed"}` }, s.ready ? "ready" : "not yet")),
      h(
        "td",
        { class: "small" },
        s.missingPermissions.length ? h("div", {}, "Needs permission ", h("strong", {}, s.missingPermissions.join(", ")), ". ", s.howToGrant) : null,
        s.needsOneOfRoles.length ? h("div", {}, "Needs one of these roles: ", h("strong", {}, s.needsOneOfRoles.join(", ")), ".") : null,
      ),
    ),
  );
  show(
    area,
    h(
      "div",
      { class: "card" },
      h("h2", {}, "What you can do here"),
      h("p", { class: "muted" }, "From the permissions granted at sign-in and your Entra admin roles, before you start — not as a failure halfway."),
      h("div", { class: "table-wrap" }, h("table", { class: "table", id: "permission-table" }, h("thead", {}, h("tr", {}, h("th", {}, "Step"), h("th", {}, "Status"), h("th", {}, "What is missing"))), h("tbody", {}, ...rows))),
    ),
  );
}

/** The sign-in form's inputs, by the field names the engine's refusals use. */
const SIGN_IN_FIELDS: Record<string, string> = { tenant: "signin-tenant", clientId: "signin-client-id" };

function signInCard(connected: (info: ConnectionInfo) => void): HTMLElement {
  const tenant = h("input", { type: "text", id: "signin-tenant", placeholder: "contoso.onmicrosoft.com or the tenant id", autocomplete: "off" });
  const clientId = h("input", { type: "text", id: "signin-client-id", placeholder: "00000000-0000-0000-0000-000000000000", autocomplete: "off" });
  const browser = h("button", { class: "btn btn-primary", type: "button", id: "signin-browser" }, "Sign in with the browser");
  const device = h("button", { class: "btn", type: "button", id: "signin-device" }, "Use a device code");
  const azureCli = h("button", { class: "btn", type: "button", id: "signin-azure-cli", title: "Reuses `az login` on this computer; no client id needed." }, "Use my Azure CLI sign-in");
  const cancel = h("button", { class: "btn", type: "button", id: "signin-cancel", hidden: true }, "Cancel");
  const status = h("div", { id: "signin-status" });
  const buttons = [browser, device, azureCli];
  cancel.addEventListener("click", () => void cancelSignIn());

  // One sign-in at a time: the other ways wait until this one ends.
  const start = (way: SignInWay, button: HTMLButtonElement) =>
    busy(button, way === "azureCli" ? "Asking the Azure CLI…" : "Waiting for you to sign in…", async () => {
      for (const b of buttons) b.disabled = true;
      for (const id of Object.values(SIGN_IN_FIELDS)) setFieldError(id, null);
      cancel.hidden = way === "azureCli";
      show(status, h("div", { class: "card result result-info" }, h("p", {}, "Starting the sign-in…")));
      try {
        const signed = await signIn({ tenant: tenant.value, clientId: clientId.value, way }, (n) => show(status, noticeCard(n)));
        if (!signed) {
          show(status, h("div", { class: "card result result-info", id: "signin-cancelled" }, h("p", {}, "Sign-in cancelled. Nothing was saved.")));
          return;
        }
        const where = "Ok" in signed.keychain ? `Your sign-in is kept in the ${signed.keychain.Ok}.` : `No keychain is available (${signed.keychain.Err}): the sign-in lasts until Guestpass closes.`;
        flash = h("div", { class: "card result result-ok", id: "signin-done" }, h("h2", {}, `Signed in to ${signed.profile.tenantName ?? signed.profile.tenant}`), h("p", {}, `As ${signed.profile.username ?? "?"}. ${where}`));
        connected(await connectionInfo());
      } catch (err) {
        if (isProblem(err)) for (const f of err.fields) if (SIGN_IN_FIELDS[f.field]) setFieldError(SIGN_IN_FIELDS[f.field], f.message);
        show(status, problemCard(err));
      } finally {
        for (const b of buttons) b.disabled = false;
        cancel.hidden = true;
      }
    });
  browser.addEventListener("click", () => start("browser", browser));
  device.addEventListener("click", () => start("deviceCode", device));
  azureCli.addEventListener("click", () => start("azureCli", azureCli));

  return h(
    "div",
    { class: "card form" },
    h("h2", {}, "Sign in to your Microsoft tenant"),
    h("p", { class: "muted" }, "Guestpass opens Microsoft's sign-in page in your usual browser (never inside this window). On a machine without a browser, use a device code and sign in from your phone or another computer. Already signed in with the Azure CLI? Reuse it (the tenant is enough)."),
    h("div", { class: "field-row" }, field("signin-tenant", "Tenant", tenant, "Its domain or id."), field("signin-client-id", "App (client) id", clientId, "Your registration of Guestpass; see below. Not needed with the Azure CLI.")),
    h("div", { class: "actions" }, browser, device, azureCli, cancel),
    status,
  );
}

function noticeCard(n: SignInNotice): HTMLElement {
  if (n.kind === "deviceCode") {
    return h(
      "div",
      { class: "card result result-info", id: "signin-device-code" },
      h("h2", {}, "Enter this code at Microsoft"),
      h("p", { class: "device-code mono", id: "signin-user-code" }, n.prompt.userCode, " ", copyButton(n.prompt.userCode)),
      h("p", {}, "Open ", h("span", { class: "mono" }, n.prompt.verificationUri), " ", copyButton(n.prompt.verificationUri, "Copy address"), " on any device, enter the code and sign in as an admin of the tenant."),
      h("p", { class: "muted" }, `The code works for ${Math.round(n.prompt.expiresInSeconds / 60)} minutes. Guestpass continues by itself once you are signed in.`),
    );
  }
  return h(
    "div",
    { class: "card result result-info", id: "signin-browser-wait" },
    h("h2", {}, "Finish signing in in your browser"),
    n.url
      ? h("p", {}, "The browser could not be opened. Copy this address into one: ", copyButton(n.url, "Copy sign-in address"))
      : h("p", {}, "Your browser shows Microsoft's sign-in page. Guestpass continues by itself once you are signed in (it waits up to 5 minutes)."),
  );
}

/** How each profile signs in, in words. */
const WAY_NAMES: Record<string, string> = {
  browser: "browser",
  deviceCode: "device code",
  azureCli: "Azure CLI",
  clientSecret: "app-only, client secret",
  clientCertificate: "app-only, certificate",
  managedIdentity: "Azure managed identity",
  workloadIdentity: "workload identity federation",
};

async function renderProfiles(area: HTMLElement, info: ConnectionInfo | null, connected: (info: ConnectionInfo) => void): Promise<void> {
  let list: TenantProfile[];
  try {
    list = await tenantProfiles();
  } catch (err) {
    show(area, problemCard(err));
    return;
  }
  const sandbox = h("button", { class: "btn", type: "button", id: "use-sandbox", disabled: info?.mode === "sandbox" }, "Use the sandbox tenant");
  sandbox.addEventListener("click", () => busy(sandbox, "Switching…", async () => connected(await useSandbox())));
  const rows = list.map((p) => {
    const current = info?.tenantId === p.tenant && info.mode !== "sandbox";
    const use = h("button", { class: "btn btn-small", type: "button", disabled: current }, current ? "In use" : "Use");
    use.addEventListener("click", () =>
      busy(use, "Connecting…", async () => {
        try {
          connected(await useProfile(p.id));
        } catch (err) {
          show(area, problemCard(err));
        }
      }),
    );
    const out = h("button", { class: "btn btn-small", type: "button" }, "Sign out");
    out.addEventListener("click", () =>
      busy(out, "Signing out…", async () => {
        await signOut(p.id);
        connected(await useSandbox());
      }),
    );
    return h(
      "tr",
      {},
      h("td", {}, p.tenantName ?? p.tenant, h("div", { class: "muted small mono" }, p.domain ?? p.tenant)),
      h("td", {}, p.username ?? `app ${p.clientId}`, h("div", { class: "muted small" }, WAY_NAMES[p.signIn] ?? p.signIn)),
      h("td", { class: "small" }, formatTime(p.lastUsed)),
      h("td", {}, use, " ", out),
    );
  });
  clear(area);
  area.append(
    h(
      "div",
      { class: "card" },
      h("h2", {}, "Your tenants"),
      list.length
        ? h("div", { class: "table-wrap" }, h("table", { class: "table", id: "profile-table" }, h("thead", {}, h("tr", {}, h("th", {}, "Tenant"), h("th", {}, "Signed in as"), h("th", {}, "Last used"), h("th", {}, ""))), h("tbody", {}, ...rows)))
        : h("p", { class: "muted" }, "No tenant yet: sign in above. Secrets stay in your system keychain; signing out removes them."),
      h("div", { class: "actions" }, sandbox),
    ),
  );
}

function guideCard(): HTMLElement {
  const body = h("div", { id: "register-guide-body" }, h("p", { class: "muted" }, "Loading…"));
  void registrationGuide().then((g) =>
    show(
      body,
      h(
        "ol",
        {},
        h("li", {}, "In the Entra admin center, go to App registrations › New registration. Name it Guestpass; accounts in this organisational directory only."),
        h("li", {}, "Under Authentication, add a platform: Mobile and desktop applications, with the redirect URI ", h("span", { class: "mono" }, g.redirectUri), ". Turn on “Allow public client flows” (for device codes)."),
        h("li", {}, "Under API permissions, add these delegated Microsoft Graph permissions, then Grant admin consent: ", h("span", { class: "mono small" }, g.permissions.join(", ")), "."),
        h("li", {}, "Copy the Application (client) id into the form above."),
      ),
      h("p", {}, "Or paste this into a shell where the Azure CLI is signed in as an admin:"),
      h("pre", { class: "mono small", id: "register-az", tabindex: "0", "aria-label": "Azure CLI commands" }, g.azCommands),
      copyButton(g.azCommands, "Copy the commands"),
    ),
  );
  return h("details", { class: "card", id: "register-guide" }, h("summary", {}, h("strong", {}, "Register Guestpass in your tenant")), body);
}
