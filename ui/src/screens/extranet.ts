// Partner extranets (entitlement management): the connected partners with their access packages,
// links, pending requests and assignments; a form that connects a partner and makes a package its
// people ask for (previewed piece by piece, then recorded); and what happens to external users at
// the end. Needs Entra ID P2 or ID Governance, checked before anything else is shown.
import {
  createExtranet,
  extranetCatalogs,
  extranetOverview,
  removeExtranet,
  removeExtranetAssignment,
  searchGroups,
  searchPeople,
  setExternalLifecycle,
  type ExternalLifecycle,
  type ExtranetOverview,
  type ExtranetPackage,
  type ExtranetPartner,
  type ExtranetRequest,
  type StepOutcome,
} from "../backend";
import { busy, field, outcomeCard, previewThenApply, problemCard, setFieldError, show } from "../components";
import { clear, copyButton, formatTime, h } from "../dom";

const split = (v: string) => v.split(/[;,]/).map((s) => s.trim()).filter(Boolean);
const when = (t: string | null) => (t ? formatTime(t) : "—");

/** The Partners screen's extranet section. */
export function extranetSection(): HTMLElement {
  const listArea = h("div", { id: "extranet-list", role: "status" }, h("p", { class: "muted" }, "Reading entitlement management…"));
  const result = h("div", { id: "extranet-result", "aria-live": "polite" });
  const load = async () => {
    try {
      show(listArea, overview(await extranetOverview(), result, load));
    } catch (err) {
      show(listArea, problemCard(err));
    }
  };
  void load();
  return h(
    "section",
    { id: "extranet", "aria-labelledby": "extranet-title" },
    h("h2", { id: "extranet-title", class: "section-title" }, "Partner extranets"),
    h(
      "p",
      { class: "lead" },
      "For a partner with many people: they ask for access themselves with one link, someone you name approves, and access ends on its own. Built on Microsoft Entra entitlement management (connected organisation, catalog, access package, policy).",
    ),
    listArea,
    result,
    createForm(load),
  );
}

function overview(v: ExtranetOverview, result: HTMLElement, reload: () => Promise<void>): HTMLElement {
  if (!v.licensed) {
    return h("div", { class: "card result result-info", id: "extranet-licence" }, h("h3", {}, "Entra ID P2 or ID Governance needed"), h("p", {}, v.licenceNote));
  }
  const partners = v.partners.length
    ? v.partners.map((p) => partnerCard(p, result, reload))
    : [h("div", { class: "card", id: "extranet-empty" }, h("p", {}, "No connected partners yet. Connect one with the form below."))];
  return h("div", {}, h("p", { class: "muted", id: "extranet-licence-note" }, v.licenceNote), ...partners, lifecycleCard(v.lifecycle, v.lifecycleCaveat, result, reload));
}

/**
 * Preview, then apply, in the section's one result area — brought into view with the focus on
 * its first button (Confirm), since the button clicked may be far above it.
 */
function act(
  button: HTMLButtonElement,
  result: HTMLElement,
  title: string,
  change: (preview: boolean) => Promise<StepOutcome | StepOutcome[]>,
  reload: () => Promise<void>,
): Promise<void> {
  return busy(button, "Checking…", async () => {
    await previewThenApply(result, title, change, reload);
    result.scrollIntoView({ block: "nearest" });
    result.querySelector("button")?.focus();
  });
}

function partnerCard(p: ExtranetPartner, result: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const sponsors = [...p.internalSponsors.map((s) => `${s} (internal)`), ...p.externalSponsors.map((s) => `${s} (external)`)];
  return h(
    "div",
    { class: "card extranet-partner" },
    h("h3", {}, p.name, " ", h("span", { class: `pill ${p.state === "configured" ? "pill-changed" : "pill-wouldChange"}` }, p.state)),
    h("p", { class: "muted" }, p.domains.join(", "), sponsors.length ? ` · Sponsors: ${sponsors.join(", ")}` : ""),
    p.state === "proposed" ? h("p", { class: "help" }, "Proposed: made when someone asked for access (perhaps with a personal account). Policies for configured organisations do not cover its people until you set it to Configured in Entra.") : null,
    ...(p.packages.length ? p.packages.map((k) => packageBlock(k, result, reload)) : [h("p", { class: "muted" }, "No access package lets its people ask yet.")]),
  );
}

function packageBlock(k: ExtranetPackage, result: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const remove = h("button", { class: "btn btn-small", type: "button", "aria-label": `Remove extranet ${k.name}` }, "Remove extranet");
  remove.addEventListener("click", () => void act(remove, result, `Remove ${k.name}`, (preview) => removeExtranet(k.id, preview), reload));
  const rows = k.assignments.map((a) => {
    const end = h("button", { class: "btn btn-small", type: "button", "aria-label": `Remove ${a.who}'s access` }, "Remove");
    end.addEventListener("click", () => void act(end, result, `Remove ${a.who}'s access`, (preview) => removeExtranetAssignment(k.id, a.id, preview), reload));
    return h("tr", {}, h("td", {}, a.who), h("td", {}, when(a.since)), h("td", {}, when(a.expires)), h("td", {}, end));
  });
  return h(
    "div",
    { class: "extranet-package" },
    h("p", {}, h("strong", {}, k.name), k.hidden ? " (hidden: only the link reaches it)" : "", ` — ${k.policy}`),
    h("p", { class: "link-line" }, h("span", { class: "mono" }, k.myAccessLink), " ", copyButton(k.myAccessLink, "Copy link")),
    k.pending.length
      ? h("p", {}, h("strong", {}, "Waiting for approval: "), k.pending.map((r) => `${r.who} (since ${when(r.since)})`).join(", "))
      : h("p", { class: "muted" }, "No requests waiting."),
    rows.length
      ? h(
          "table",
          { class: "table" },
          h("thead", {}, h("tr", {}, ...["Who has it", "Since", "Expires", ""].map((t) => h("th", { scope: "col" }, t)))),
          h("tbody", {}, ...rows),
        )
      : h("p", { class: "muted" }, "Nobody has it yet."),
    h("div", { class: "actions" }, remove),
  );
}

function lifecycleCard(current: ExternalLifecycle | null, caveat: string, result: HTMLElement, reload: () => Promise<void>): HTMLElement {
  const action = h(
    "select",
    { id: "action" },
    ...[
      ["none", "Keep them as guests"],
      ["blockSignIn", "Block their sign-in"],
      ["blockSignInAndDelete", "Block their sign-in, then delete them"],
    ].map(([v, label]) => h("option", { value: v, selected: current?.action === v }, label)),
  ) as HTMLSelectElement;
  const days = h("input", { id: "deleteAfterDays", type: "number", min: "1", max: "3650", value: String(current?.deleteAfterDays ?? 30) }) as HTMLInputElement;
  const submit = h("button", { class: "btn", type: "submit", id: "lifecycle-preview" }, "Preview the change");
  // The days count only when deleting.
  const toggle = () => (days.disabled = action.value !== "blockSignInAndDelete");
  action.addEventListener("change", toggle);
  toggle();
  const form = h(
    "form",
    { class: "form", id: "lifecycle-form", novalidate: true },
    h("div", { class: "field-row" }, field("action", "When someone's last access package ends", action), field("deleteAfterDays", "Delete after (days)", days, "Only with delete.")),
    h("p", { class: "help" }, caveat),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const lifecycle: ExternalLifecycle = { action: action.value, deleteAfterDays: Number(days.value) };
    void act(submit, result, "External users at the end", (preview) => setExternalLifecycle(lifecycle, preview), reload);
  });
  return h("div", { class: "card", id: "extranet-lifecycle" }, h("h3", {}, "At the end"), form);
}

/** The form that connects a partner and makes its package: preview first, then confirm. */
function createForm(reload: () => Promise<void>): HTMLElement {
  const input = (id: string, type: string, placeholder: string, value = "") =>
    h("input", { id, type, autocomplete: "off", placeholder, value }) as HTMLInputElement;
  const domain = input("partnerDomain", "text", "contoso.com");
  const name = input("name", "text", "Falcon project – partner access");
  const groups = input("groups", "search", "Search groups by name, e.g. portal");
  const picker = chooser(groups, "extranet-groups", findGroups);
  const approver = input("approver", "email", "alex@yourcompany.com");
  const fallback = input("fallbackApprover", "email", "megan@yourcompany.com");
  const sponsors = input("sponsors", "search", "Search your people or the partner's guests here");
  const sponsorPicker = chooser(sponsors, "extranet-sponsors", findPeople);
  const expire = input("expireDays", "number", "180", "180");
  const deny = input("autoDenyDays", "number", "14", "14");
  const review = h(
    "select",
    { id: "reviewEveryMonths" },
    h("option", { value: "" }, "No review"),
    ...[1, 3, 6, 12].map((n) => h("option", { value: String(n) }, n === 1 ? "Every month" : n === 3 ? "Every 3 months (quarterly)" : `Every ${n} months`)),
  ) as HTMLSelectElement;
  const hidden = h("input", { id: "hidden", type: "checkbox", checked: true }) as HTMLInputElement;
  const catalog = h("select", { id: "catalog" }, h("option", { value: "" }, "Guestpass partners (made if needed)")) as HTMLSelectElement;
  void extranetCatalogs()
    .then((names) => catalog.append(...names.filter((n) => n !== "Guestpass partners").map((n) => h("option", { value: n }, n))))
    .catch(() => undefined);
  const submit = h("button", { class: "btn btn-primary", type: "submit", id: "extranet-preview" }, "Preview the extranet");
  const out = h("div", { id: "extranet-created", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "form", id: "extranet-form", novalidate: true },
    h("div", { class: "field-row" }, field("partnerDomain", "Partner's domain", domain, "Their work e-mail domain; personal-mail domains cannot be connected."), field("name", "Access package name", name, "What their people see in My Access.")),
    field("groups", "Groups they get", groups, "Search and add each group; the package gives its Member role (a name typed here and not added counts too)."),
    picker.element,
    h("div", { class: "field-row" }, field("approver", "Approver", approver, "Someone of yours who approves requests. Empty: the partner's sponsors approve (billed per guest)."), field("fallbackApprover", "Fallback approver", fallback, "Decides when the approvers cannot. Needed with sponsors.")),
    field("sponsors", "Sponsors of the partner (optional)", sponsors, "Your people become internal sponsors; the partner's guests here become external sponsors."),
    sponsorPicker.element,
    suggestPeople(approver),
    suggestPeople(fallback),
    h("div", { class: "field-row" }, field("expireDays", "Access ends after (days)", expire), field("autoDenyDays", "Unanswered requests denied after (days)", deny, "At most 14."), field("reviewEveryMonths", "Review who has it", review)),
    field("catalog", "Catalog", catalog, "Where the package lives: only catalogs enabled for external users are listed."),
    h("label", { class: "check", for: "hidden" }, hidden, " Hidden in My Access: only the link reaches it"),
    h("div", { class: "actions" }, submit),
    out,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    for (const id of ["partnerDomain", "name", "groups", "approver", "fallbackApprover", "sponsors", "expireDays", "autoDenyDays", "reviewEveryMonths"]) setFieldError(id, null);
    const request: ExtranetRequest = {
      partnerDomain: domain.value.trim(),
      name: name.value.trim(),
      groups: picker.chosen().length ? picker.chosen() : split(groups.value),
      approver: approver.value.trim() || null,
      fallbackApprover: fallback.value.trim() || null,
      sponsors: [...sponsorPicker.chosen(), ...split(sponsors.value)],
      expireDays: Number(expire.value),
      autoDenyDays: Number(deny.value),
      reviewEveryMonths: review.value ? Number(review.value) : null,
      hidden: hidden.checked,
      catalog: catalog.value || null,
    };
    const missing: [string, HTMLInputElement, string, boolean][] = [
      ["partnerDomain", domain, "Type the partner's domain.", !request.partnerDomain],
      ["name", name, "Name the access package.", !request.name],
      ["groups", groups, "Add at least one group.", request.groups.length === 0],
    ];
    for (const [id, el, message, empty] of missing) {
      if (empty) {
        setFieldError(id, message);
        el.focus();
        return;
      }
    }
    void busy(submit, "Checking…", () => preview(request, out, reload));
  });
  return h("div", { class: "card", id: "extranet-new" }, h("h3", {}, "Connect a partner"), form);
}

async function preview(request: ExtranetRequest, out: HTMLElement, reload: () => Promise<void>): Promise<void> {
  try {
    const plan = await createExtranet(request, true);
    const confirm = h("button", { class: "btn btn-primary", type: "button", id: "confirm-apply" }, "Confirm and create");
    const cancel = h("button", { class: "btn", type: "button", id: "confirm-cancel" }, "Cancel");
    show(
      out,
      h(
        "div",
        { class: "card result result-info preview" },
        h("h2", {}, "Partner extranet: preview"),
        h("ol", { id: "preview-summary" }, ...plan.steps.map((s) => h("li", {}, s.summary))),
        h("h3", {}, "What it costs"),
        h("ul", { id: "extranet-billing" }, ...plan.billing.map((b) => h("li", {}, b))),
        h("div", { class: "actions" }, confirm, cancel),
      ),
    );
    cancel.addEventListener("click", () => show(out));
    confirm.focus();
    confirm.addEventListener("click", () =>
      busy(confirm, "Creating…", async () => {
        try {
          const made = await createExtranet(request, false);
          const link = made.myAccessLink ?? "";
          const message = h("textarea", { id: "partner-message", rows: "9", readonly: true, "aria-label": "Text for the partner contact" }) as HTMLTextAreaElement;
          message.value = made.messageForPartner;
          show(
            out,
            outcomeCard("Partner extranet created", made.steps),
            h(
              "div",
              { class: "card result result-ok", id: "extranet-link" },
              h("h2", {}, "Send this link to the partner"),
              h("p", { class: "link-line" }, h("span", { class: "mono", id: "my-access-link" }, link), " ", copyButton(link, "Copy link")),
              h("label", { for: "partner-message" }, "Ready-to-send text"),
              message,
              h("div", { class: "actions" }, copyButton(made.messageForPartner, "Copy text")),
            ),
          );
          await reload();
        } catch (err) {
          show(out, problemCard(err));
        }
      }),
    );
  } catch (err) {
    show(out, problemCard(err));
  }
}

/** One thing a chooser offers: what is sent, what is shown, a line under it. */
type Choice = { key: string; label: string; detail: string | null };

/**
 * A search box whose results each have an Add button; what was added is listed below, each
 * removable. `id` names its lists (`${id}-results`, `${id}-chosen`). Answers the chosen keys.
 */
function chooser(search: HTMLInputElement, id: string, find: (term: string) => Promise<Choice[]>): { element: HTMLElement; chosen: () => string[] } {
  const chosen = new Map<string, string>();
  const results = h("ul", { class: "group-list", id: `${id}-results` });
  const list = h("ul", { class: "group-list", id: `${id}-chosen`, "aria-label": "Chosen" });
  const drawChosen = () => {
    clear(list);
    for (const [key, label] of chosen) {
      const remove = h("button", { class: "btn btn-small", type: "button", "aria-label": `Remove ${label}` }, "Remove");
      remove.addEventListener("click", () => {
        chosen.delete(key);
        drawChosen();
        search.focus();
      });
      list.append(h("li", {}, h("strong", {}, label), remove));
    }
  };
  let timer = 0;
  search.addEventListener("input", () => {
    // Results of an earlier term go at once, so they cannot be picked by mistake.
    clear(results);
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      const term = search.value;
      try {
        const found = await find(term);
        if (search.value !== term) return;
        clear(results);
        if (term.trim() && found.length === 0) results.append(h("li", { class: "muted" }, "Nothing matches."));
        for (const c of found) {
          const add = h("button", { class: "btn btn-small", type: "button", "aria-label": `Add ${c.label}` }, "Add");
          add.addEventListener("click", () => {
            chosen.set(c.key, c.label);
            drawChosen();
            clear(results);
            search.value = "";
            search.focus();
          });
          results.append(h("li", {}, h("div", {}, h("strong", {}, c.label), c.detail ? h("div", { class: "help" }, c.detail) : null), add));
        }
      } catch {
        results.append(h("li", { class: "muted" }, "The directory could not be searched; type the name instead."));
      }
    }, 250);
  });
  return { element: h("div", {}, results, list), chosen: () => [...chosen.keys()] };
}

const findGroups = async (term: string): Promise<Choice[]> =>
  (await searchGroups(term)).map((g) => ({ key: g.id, label: g.displayName, detail: g.description }));

const findPeople = async (term: string): Promise<Choice[]> =>
  (await searchPeople(term)).map((p) => ({
    key: p.address,
    label: p.address,
    detail: `${p.displayName} — ${p.guest ? "the partner's guest here: an external sponsor" : "of your organisation: an internal sponsor"}`,
  }));

/** Suggests people of your organisation under an address field as it is typed. */
function suggestPeople(input: HTMLInputElement): HTMLElement {
  const list = h("datalist", { id: `${input.id}-people` });
  input.setAttribute("list", list.id);
  let timer = 0;
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(async () => {
      try {
        const people = (await searchPeople(input.value)).filter((p) => !p.guest);
        list.replaceChildren(...people.map((p) => h("option", { value: p.address }, p.displayName)));
      } catch {
        list.replaceChildren();
      }
    }, 250);
  });
  return list;
}
