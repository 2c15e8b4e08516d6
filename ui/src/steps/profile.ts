// Step 4: first name, last name and usage location (needed before any licence).
import { countries, defaultUsageLocation, guestSummary, setDefaultUsageLocation, setProfile, type GuestSummary } from "../backend";
import { busy, field, previewThenApply, show } from "../components";
import { h } from "../dom";
import type { Wizard } from "../screens/wizard";
import { guestPicker } from "./guest";

export async function renderProfile(root: HTMLElement, wizard: Wizard): Promise<void> {
  root.append(
    h("h1", {}, "Profile"),
    h(
      "p",
      { class: "lead" },
      "A guest's first and last name make them recognisable in people pickers and Dynamics 365. The usage location is the country where they use the service: Microsoft assigns no licence until it is set.",
    ),
  );
  const [all, fallback] = await Promise.all([countries(), defaultUsageLocation().catch(() => null)]);
  const result = h("div", { id: "profile-result" });
  const given = h("input", { id: "givenName", type: "text", maxlength: 64, autocomplete: "off" });
  const surname = h("input", { id: "surname", type: "text", maxlength: 64, autocomplete: "off" });
  const location = h("input", { id: "usageLocation", type: "text", list: "country-list", autocomplete: "off", placeholder: "Type a country or its code" });
  const list = h("datalist", { id: "country-list" }, ...all.map((c) => h("option", { value: `${c.code} — ${c.name}` })));
  const makeDefault = h("input", { type: "checkbox", id: "makeDefault" });
  const submit = h("button", { class: "btn btn-primary", type: "submit", id: "profile-submit", disabled: true }, "Preview changes");
  const current = h("div", { id: "profile-current" });
  let summary: GuestSummary | null = null;

  const codeOf = (v: string) => v.trim().split(/\s|—/)[0].toUpperCase();
  const describe = (code: string | null | undefined) => (code ? `${code} — ${all.find((c) => c.code === code)?.name ?? "?"}` : "");

  const describeNow = (g: GuestSummary) =>
    h(
      "p",
      { class: "muted" },
      `Now: ${[g.givenName, g.surname].filter(Boolean).join(" ") || "no first/last name"}, usage location ${g.usageLocation ?? "not set"}.`,
      !g.usageLocation && fallback ? ` Your default, ${fallback}, is filled in.` : "",
    );
  const picker = guestPicker(wizard, async (g) => {
    summary = g;
    given.value = g.givenName ?? "";
    surname.value = g.surname ?? "";
    location.value = describe(g.usageLocation ?? fallback);
    show(current, describeNow(g));
    submit.disabled = false;
  });

  const form = h(
    "form",
    { class: "card form" },
    picker,
    current,
    h("div", { class: "field-row" }, field("givenName", "First name", given), field("surname", "Last name", surname)),
    field("usageLocation", "Usage location", location, "ISO 3166-1 country; type to search."),
    list,
    h("div", { class: "field field-check" }, makeDefault, h("label", { for: "makeDefault" }, "Use this country by default for new guests in this tenant")),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!summary) return;
    const s = summary;
    void busy(submit, "Reading the tenant…", async () => {
      const code = location.value.trim() ? codeOf(location.value) : null;
      const request = {
        guest: { email: s.email, userId: s.userId },
        givenName: given.value.trim() || null,
        surname: surname.value.trim() || null,
        usageLocation: code,
      };
      await previewThenApply(result, "Profile", (preview) => setProfile(request, preview), async () => {
        if (makeDefault.checked && code) await setDefaultUsageLocation(code);
        summary = await guestSummary({ email: s.email, userId: s.userId });
        show(current, describeNow(summary));
      });
    });
  });
  root.append(h("div", { class: "two-col" }, form, result));
}
