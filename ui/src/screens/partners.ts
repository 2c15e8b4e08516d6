// Partners you trust: the cross-tenant default, every partner's own settings (also those made in
// the portal) with the guests from each, and a form to give one partner its own settings —
// found from a domain, previewed, recorded in History and undoable there.
import {
  findPartner,
  partnersOverview,
  removePartner,
  setPartner,
  type ConnectionInfo,
  type PartnerLookup,
  type PartnerSettings,
  type PartnersOverview,
  type PartnerView,
} from "../backend";
import { busy, field, previewThenApply, problemCard, setFieldError, show } from "../components";
import { h } from "../dom";
import { extranetSection } from "./extranet";

type Key = Exclude<keyof PartnerSettings, "collaborationGroups">;

/** Each setting: its label, and what the admin should know about it. */
const SETTINGS: [Key, string, string][] = [
  ["trustMfa", "Trust their MFA", "Their people's MFA at home counts here: they are not asked to register MFA a second time."],
  ["trustCompliantDevices", "Trust their compliant devices", "Needed before a Conditional Access policy may ask their people for a compliant device."],
  ["trustHybridJoinedDevices", "Trust their hybrid-joined devices", "The same for devices joined to their on-premises domain."],
  ["collaborationInbound", "B2B collaboration: their people may be invited", "Off blocks new invitations and sign-ins of guests from this organisation."],
  ["directConnectInbound", "B2B direct connect in", "Their people join your Teams shared channels without a guest account. Their admin must allow it outbound too."],
  ["directConnectOutbound", "B2B direct connect out", "Your people join their Teams shared channels. Their admin must allow it inbound too."],
  ["autoRedeem", "Redeem without the consent prompt", "Their people skip the consent prompt when they accept an invitation. Their admin must allow it outbound too."],
];

const yesNo = (b: boolean | null) => (b === null ? "—" : b ? "Yes" : "No");

/** A setting as the table shows it: the partner's own value, or the default's, marked inherited. */
function cell(own: boolean | null, effective: boolean | null): HTMLElement {
  if (own !== null) return h("td", {}, h("strong", {}, yesNo(own)));
  return h("td", { class: "muted", title: "Inherited from the default" }, yesNo(effective), h("div", { class: "small" }, "default"));
}

/** The default's settings, as last read (the editor names them next to "Inherit"). */
let lastDefault: PartnerSettings | null = null;

export function renderPartners(root: HTMLElement, connection: ConnectionInfo | null): void {
  root.append(
    h("h1", { tabindex: "-1", id: "partners-title" }, "Partners you trust"),
    h(
      "p",
      { class: "lead" },
      `Give the organisations you work with their own cross-tenant settings in ${connection?.tenantName ?? "this tenant"}: trust their MFA and devices, let their people into Teams shared channels, skip the consent prompt — while everyone else keeps the default. Each change is previewed, recorded in History and can be undone there.`,
    ),
  );
  const list = h("div", { id: "partners-list" }, h("p", { class: "muted" }, "Reading the cross-tenant settings…"));
  const form = h("div", { id: "partners-form" });
  root.append(list, form, extranetSection());
  const reload = () => load(list, (domain) => void openEditor(form, domain, reload));
  renderFinder(form, reload);
  void reload();
}

async function load(list: HTMLElement, edit: (domain: string) => void): Promise<void> {
  let overview: PartnersOverview;
  try {
    overview = await partnersOverview();
  } catch (err) {
    show(list, problemCard(err));
    return;
  }
  const d = overview.default;
  lastDefault = d;
  const defaults = h(
    "div",
    { class: "card", id: "partners-default" },
    h("h2", {}, "Default for everyone else"),
    h("p", {}, SETTINGS.map(([k, label]) => `${label}: ${yesNo(d[k])}`).join(" · ")),
    h("p", { class: "muted" }, "Change the default in the onboarding wizard's collaboration settings."),
  );
  if (overview.partners.length === 0) {
    show(list, defaults, h("div", { class: "card", id: "partners-table" }, h("h2", {}, "Partners with their own settings"), h("p", {}, "None yet: every organisation gets the default. Add one below.")));
    return;
  }
  const search = h("input", { id: "partners-search", type: "search", placeholder: "Search by name or domain", "aria-label": "Search partners" });
  const body = h("tbody", {});
  const rows = overview.partners.map((p) => ({ p, row: partnerRow(p, edit) }));
  const filter = () => {
    const q = search.value.trim().toLowerCase();
    body.replaceChildren(...rows.filter(({ p }) => !q || `${p.tenant.name} ${p.tenant.defaultDomain}`.toLowerCase().includes(q)).map(({ row }) => row));
  };
  search.addEventListener("input", filter);
  filter();
  const table = h(
    "table",
    { class: "table" },
    h(
      "thead",
      {},
      h("tr", {}, ...["Partner", "MFA", "Compliant devices", "Hybrid devices", "Collaboration in", "Direct connect in", "Direct connect out", "No consent prompt", "Guests here", ""].map((t) => h("th", { scope: "col" }, h("span", { class: "th" }, t)))),
    ),
    body,
  );
  show(
    list,
    defaults,
    h("div", { class: "card", id: "partners-table" }, h("h2", {}, "Partners with their own settings"), h("div", { class: "toolbar" }, search), h("div", { class: "table-wrap" }, table)),
  );
}

function partnerRow(p: PartnerView, edit: (domain: string) => void): HTMLElement {
  const s = p.settings;
  const e = p.effective;
  const button = h("button", { class: "btn btn-small", type: "button", "aria-label": `Edit ${p.tenant.name}` }, "Edit");
  button.addEventListener("click", () => edit(p.tenant.defaultDomain));
  return h(
    "tr",
    { class: "row" },
    h("td", {}, h("strong", {}, p.tenant.name), h("div", { class: "muted mono" }, p.tenant.defaultDomain || p.tenant.tenantId)),
    ...SETTINGS.map(([k]) => {
      const c = cell(s[k], e[k]);
      if (k === "collaborationInbound" && s.collaborationGroups.length > 0) c.append(h("div", { class: "small" }, `${s.collaborationGroups.length} group(s) of theirs`));
      return c;
    }),
    h("td", { title: p.guests.join("\n") }, String(p.guests.length)),
    h("td", {}, p.tenant.defaultDomain ? button : null),
  );
}

/** Step one: the partner's domain, looked up before anything can change. */
function renderFinder(form: HTMLElement, reload: () => Promise<void>): void {
  const domain = h("input", { id: "domain", type: "text", autocomplete: "off", placeholder: "contoso.com" });
  const find = h("button", { class: "btn btn-primary", type: "submit", id: "partner-find" }, "Find the partner");
  const card = h(
    "form",
    { class: "card form" },
    h("h2", {}, "Give a partner its own settings"),
    field("domain", "The partner's e-mail domain", domain, "Guestpass looks up the Microsoft Entra tenant behind it. Personal-mail domains (gmail.com, outlook.com…) have none."),
    h("div", { class: "actions" }, find, h("span", { class: "muted" }, "Reads only; changes nothing.")),
  );
  const editor = h("div", { id: "partner-editor" });
  card.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(find, "Looking up…", () => openEditor(editor, domain.value, reload));
  });
  show(form, card, editor);
}

/** Step two: who the partner is, and its settings to change. */
async function openEditor(editor: HTMLElement, domain: string, reload: () => Promise<void>, kept?: HTMLElement): Promise<void> {
  const target = document.getElementById("partner-editor") ?? editor;
  const domainInput = document.getElementById("domain") as HTMLInputElement | null;
  if (domainInput) domainInput.value = domain;
  setFieldError("domain", null);
  let found: PartnerLookup;
  try {
    found = await findPartner(domain);
  } catch (err) {
    show(target, problemCard(err));
    return;
  }
  const current = found.settings;
  const selects = SETTINGS.map(([k, label, help]) => {
    const select = h(
      "select",
      { id: `partner-${k}` },
      h("option", { value: "" }, lastDefault ? `Inherit the default (${yesNo(lastDefault[k])})` : "Inherit the default"),
      h("option", { value: "yes" }, "Yes"),
      h("option", { value: "no" }, "No"),
    ) as HTMLSelectElement;
    const own = current ? current[k] : null;
    select.value = own === null ? "" : own ? "yes" : "no";
    return { k, select, node: field(`partner-${k}`, label, select, help) };
  });
  // B2B collaboration may be limited to groups of theirs (object ids in their tenant).
  const groups = h("input", { id: "collaborationGroups", type: "text", autocomplete: "off", placeholder: "Object ids, separated by ;", value: (current?.collaborationGroups ?? []).join("; ") });
  const groupsField = field("collaborationGroups", "Only these groups of theirs (optional)", groups, "With B2B collaboration set to Yes: object ids of groups in the partner's tenant, which their admin can copy from Entra. Empty: everyone.");
  const wanted = (): PartnerSettings => {
    const out = { collaborationGroups: groups.value.split(/[;,\s]+/).map((g) => g.trim()).filter(Boolean) } as PartnerSettings;
    for (const { k, select } of selects) out[k] = select.value === "" ? null : select.value === "yes";
    return out;
  };
  // After a change the form is read again (now with Remove), and the outcome stays under it.
  const result = kept ?? h("div", { id: "partner-result" });
  const submit = h("button", { class: "btn btn-primary", type: "submit", id: "partner-preview" }, current ? "Preview the change" : "Preview adding these settings");
  const remove = current ? h("button", { class: "btn", type: "button", id: "partner-remove" }, "Remove its settings") : null;
  const form = h(
    "form",
    { class: "card form", id: "partner-settings" },
    h("h2", { id: "partner-name", tabindex: "-1" }, found.tenant.name),
    h("p", { class: "muted" }, `Default domain ${found.tenant.defaultDomain} · tenant ${found.tenant.tenantId}`),
    h("p", {}, current ? "It has settings of its own; what you leave on “Inherit the default” follows the default." : "It has no settings of its own yet: everything follows the default."),
    ...selects.flatMap((s) => (s.k === "collaborationInbound" ? [s.node, groupsField] : [s.node])),
    h("div", { class: "actions" }, submit, remove),
  );
  const after = async () => {
    await reload();
    await openEditor(target, found.tenant.defaultDomain, reload, result);
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const settings = wanted();
    void busy(submit, "Checking…", () => previewThenApply(result, "Partner settings", (preview) => setPartner(found.tenant.defaultDomain, settings, preview), after));
  });
  remove?.addEventListener("click", () => void busy(remove, "Checking…", () => previewThenApply(result, "Remove partner settings", (preview) => removePartner(found.tenant.defaultDomain, preview), after)));
  show(target, form, result);
  if (!kept) document.getElementById("partner-name")?.focus();
}
