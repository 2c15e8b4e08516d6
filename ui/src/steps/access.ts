// Step 5: a licence (with free seats shown) and security groups.
import {
  addToGroup,
  assignDataverseRole,
  assignLicense,
  environmentRoles,
  environments,
  guestSummary,
  licenseOptions,
  searchGroups,
  type GuestSummary,
  type LicenseOption,
} from "../backend";
import { busy, field, previewThenApply, problemCard, show } from "../components";
import { clear, h } from "../dom";
import type { Wizard } from "../screens/wizard";
import { guestPicker } from "./guest";

export async function renderAccess(root: HTMLElement, wizard: Wizard): Promise<void> {
  root.append(
    h("h1", {}, "Access"),
    h(
      "p",
      { class: "lead" },
      "A licence lets the guest use Dynamics 365 or Power Apps; security groups decide which environments and apps they reach (a Dynamics environment is often locked to one security group). Licences need a usage location first.",
    ),
  );
  const result = h("div", { id: "access-result" });
  const state = h("div", { id: "access-current" });
  const license = h("select", { id: "license" });
  const assign = h("button", { class: "btn btn-primary", type: "button", id: "license-assign", disabled: true }, "Assign licence");
  const search = h("input", { id: "groupSearch", type: "search", autocomplete: "off", placeholder: "Search groups by name, e.g. sales" });
  const groups = h("ul", { class: "group-list", id: "group-results" });
  const environment = h("select", { id: "environment" });
  const role = h("select", { id: "role" });
  const assignRole = h("button", { class: "btn btn-primary", type: "button", id: "role-assign", disabled: true }, "Give role");
  let guest: GuestSummary | null = null;
  let options: LicenseOption[] = [];

  try {
    options = await licenseOptions();
  } catch (err) {
    show(result, problemCard(err));
  }
  license.append(
    h("option", { value: "" }, "Choose a licence…"),
    ...options.map((o) =>
      h("option", { value: o.skuPartNumber, disabled: o.freeSeats <= 0 }, `${o.skuPartNumber} — ${o.freeSeats} of ${o.totalSeats} free${o.freeSeats <= 0 ? " (none left)" : ""}`),
    ),
  );

  const drawState = (g: GuestSummary) => {
    show(
      state,
      h(
        "p",
        { class: "muted" },
        `Licences: ${g.licenses.join(", ") || "none"}. Groups: ${g.groups.map((x) => x.displayName).join(", ") || "none"}. Usage location: ${g.usageLocation ?? "not set"}.`,
      ),
      g.usageLocation
        ? null
        : h("p", { class: "warn" }, "Set the usage location in the Profile step before assigning a licence: Microsoft refuses licences without it."),
    );
    assign.disabled = !g.usageLocation;
  };

  /** Reads the guest again so the summary shows what the last action changed. */
  const refresh = async () => {
    if (!guest) return;
    guest = await guestSummary({ email: guest.email, userId: guest.userId });
    drawState(guest);
  };

  const picker = guestPicker(wizard, (g) => {
    guest = g;
    drawState(g);
  });

  assign.addEventListener("click", () => {
    if (!guest || !license.value) return;
    const g = guest;
    const sku = license.value;
    void busy(assign, "Reading the tenant…", () =>
      previewThenApply(result, "Licence", (preview) => assignLicense({ email: g.email, userId: g.userId }, sku, preview), async () => {
        wizard.expect.license = sku;
        await refresh();
      }),
    );
  });

  let timer: number | undefined;
  search.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      clear(groups);
      try {
        const found = await searchGroups(search.value);
        if (search.value.trim() && found.length === 0) groups.append(h("li", { class: "muted" }, "No group matches."));
        for (const grp of found) {
          const add = h("button", { class: "btn btn-small", type: "button", "data-group": grp.id }, "Add");
          add.addEventListener("click", () => {
            if (!guest) return;
            const g = guest;
            void busy(add, "Reading…", () =>
              previewThenApply(result, "Group", (preview) => addToGroup({ email: g.email, userId: g.userId }, grp.id, preview), async () => {
                if (!wizard.expect.groups.includes(grp.displayName)) wizard.expect.groups.push(grp.displayName);
                await refresh();
              }),
            );
          });
          groups.append(
            h("li", {}, h("div", {}, h("strong", {}, grp.displayName), grp.securityEnabled ? h("span", { class: "tag" }, "security") : null, grp.description ? h("div", { class: "help" }, grp.description) : null), add),
          );
        }
      } catch (err) {
        show(result, problemCard(err));
      }
    }, 250);
  });

  const form = h(
    "div",
    { class: "card form" },
    picker,
    state,
    h("div", { class: "picker-row" }, field("license", "Licence", license, "Seats in use are counted by Microsoft; a licence with none free cannot be picked."), assign),
    field("groupSearch", "Security groups", search),
    groups,
    h("h3", {}, "Dataverse security role"),
    h("p", { class: "help" }, "Dynamics 365 and model-driven apps need a security role in the environment. The guest must be licensed first; Guestpass then syncs them into the environment's Dataverse (this can take a few minutes while a new licence propagates) and gives them the role of their business unit."),
    h("div", { class: "field-row" }, field("environment", "Environment", environment), field("role", "Role", role)),
    h("div", { class: "actions" }, assignRole),
  );
  try {
    const envs = await environments();
    environment.append(h("option", { value: "" }, "Choose an environment…"), ...envs.map((e) => h("option", { value: e.url, title: e.url }, e.displayName)));
  } catch (err) {
    show(result, problemCard(err));
  }
  environment.addEventListener("change", async () => {
    clear(role);
    assignRole.disabled = true;
    if (!environment.value) return;
    try {
      const names = await environmentRoles(environment.value);
      role.append(h("option", { value: "" }, "Choose a role…"), ...names.map((n) => h("option", { value: n }, n)));
    } catch (err) {
      show(result, problemCard(err));
    }
  });
  role.addEventListener("change", () => (assignRole.disabled = !role.value || !guest));
  assignRole.addEventListener("click", () => {
    if (!guest || !environment.value || !role.value) return;
    const g = guest;
    const env = environment.value;
    const roleName = role.value;
    void busy(assignRole, "Reading…", () =>
      previewThenApply(
        result,
        "Dataverse role",
        async (preview) => {
          if (!preview) show(result, h("div", { class: "notice" }, `Giving ${g.email} the ${roleName} role. If their licence is new, Microsoft can take a few minutes to let them into the environment; Guestpass keeps trying.`));
          return assignDataverseRole({ email: g.email, userId: g.userId }, env, roleName, preview);
        },
        () => {
          wizard.expect.environment = env;
          wizard.expect.role = roleName;
        },
      ),
    );
  });
  root.append(h("div", { class: "two-col" }, form, result));
}
