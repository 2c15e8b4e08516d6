// Step 1: who may invite, what guests can see, which domains, and the cross-tenant default.
import { applySettings, planSettings, readSettings, type DomainMode, type GuestAccess, type InviteAuthority, type SettingsRequest } from "../backend";
import { busy, field, outcomeCard, problemCard, radios, show } from "../components";
import { h } from "../dom";
import type { Wizard } from "../screens/wizard";

const INVITES: [InviteAuthority, string][] = [
  ["none", "Nobody, not even admins"],
  ["adminsAndGuestInviters", "Admins and users with the Guest Inviter role"],
  ["adminsGuestInvitersAndAllMembers", "Admins, Guest Inviters and all members"],
  ["everyone", "Everyone, guests included"],
];
const ACCESS: [GuestAccess, string, string][] = [
  ["sameAsMembers", "Same as members", "Most inclusive. Needed if guests should build apps in Power Apps."],
  ["limited", "Limited (default)", "Guests see other users' basic profiles but not the whole directory."],
  ["mostRestrictive", "Most restrictive", "Guests see only their own profile."],
];

function chosen(name: string): string {
  return (document.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`)?.value ?? "").trim();
}

export async function renderSettings(root: HTMLElement, _wizard: Wizard): Promise<void> {
  root.append(
    h("h1", {}, "External collaboration settings"),
    h(
      "p",
      { class: "lead" },
      "These tenant-wide switches decide whether guests can be invited at all, from which domains, and what they see once inside. Guestpass shows what is set now and previews every change before applying it.",
    ),
  );
  const area = h("div", { class: "two-col" });
  const side = h("div", { id: "settings-result" });
  root.append(area);
  let current;
  try {
    current = await readSettings();
  } catch (err) {
    show(area, problemCard(err));
    return;
  }
  const domainMode = h(
    "select",
    { id: "domainMode" },
    h("option", { value: "anyDomain", selected: current.domains.mode === "anyDomain" }, "Any domain"),
    h("option", { value: "allowOnly", selected: current.domains.mode === "allowOnly" }, "Only these domains"),
    h("option", { value: "blockListed", selected: current.domains.mode === "blockListed" }, "Any domain except these"),
  );
  const domains = h("textarea", { id: "domains", rows: 3, placeholder: "partner.com, fabrikam.com" });
  domains.value = current.domains.domains.join(", ");
  const inbound = h("input", { type: "checkbox", id: "inbound", checked: current.inboundB2bAllowed });
  const mfa = h("input", { type: "checkbox", id: "trustMfa", checked: current.trustHomeMfa });
  const preview = h("button", { class: "btn", type: "button", id: "settings-preview" }, "Preview changes");
  const apply = h("button", { class: "btn btn-primary", type: "button", id: "settings-apply", disabled: true }, "Apply");

  const request = (): SettingsRequest => ({
    invitesFrom: chosen("invitesFrom") as InviteAuthority,
    guestAccess: chosen("guestAccess") as GuestAccess,
    domains: { mode: domainMode.value as DomainMode, domains: domains.value.split(/[,;\s]+/).filter(Boolean) },
    inboundB2bAllowed: inbound.checked,
    trustHomeMfa: mfa.checked,
  });
  const form = h(
    "form",
    { class: "card form" },
    radios("invitesFrom", "Who can invite guests", INVITES, current.invitesFrom),
    radios("guestAccess", "What guests can see in your directory", ACCESS, current.guestAccess),
    field("domainMode", "Domains you can invite from", domainMode),
    field("domains", "Domains", domains, "Separate with commas. Allow and block lists cannot be combined; Microsoft keeps only one."),
    h("div", { class: "field field-check" }, inbound, h("label", { for: "inbound" }, "Allow inbound B2B collaboration from other Microsoft Entra tenants"), h("div", { class: "help" }, "The cross-tenant default. If blocked, invitations to people from other organisations fail.")),
    h("div", { class: "field field-check" }, mfa, h("label", { for: "trustMfa" }, "Trust multifactor sign-in done in the guest's own tenant"), h("div", { class: "help" }, "Spares guests a second MFA registration in your tenant.")),
    h("div", { class: "actions" }, preview, apply),
  );
  form.addEventListener("input", () => (apply.disabled = true));
  preview.addEventListener("click", () =>
    busy(preview, "Reading the tenant…", async () => {
      try {
        const plan = await planSettings(request());
        if (plan.changes.length === 0) {
          show(side, h("div", { class: "card result result-info", id: "settings-plan" }, h("h2", {}, "Nothing to change"), h("p", {}, "The tenant is already set this way.")));
          return;
        }
        show(
          side,
          h(
            "div",
            { class: "card", id: "settings-plan" },
            h("h2", {}, `${plan.changes.length} change${plan.changes.length > 1 ? "s" : ""} will be made`),
            h(
              "ul",
              { class: "diff" },
              ...plan.changes.map((c) =>
                h("li", {}, h("strong", {}, c.setting), h("div", { class: "from" }, "Now: ", c.from), h("div", { class: "to" }, "After: ", c.to)),
              ),
            ),
            h("p", { class: "help" }, "Entra takes 15 to 60 minutes to apply changes to who can invite and what guests see."),
          ),
        );
        apply.disabled = false;
      } catch (err) {
        show(side, problemCard(err));
      }
    }),
  );
  apply.addEventListener("click", () =>
    busy(apply, "Applying…", async () => {
      try {
        const out = await applySettings(request());
        show(side, outcomeCard("Settings applied", out));
      } catch (err) {
        show(side, problemCard(err));
      }
      apply.disabled = true;
    }),
  );
  show(area, form, side);
}
