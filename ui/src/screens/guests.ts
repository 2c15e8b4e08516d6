// Guests: every guest of the tenant at a glance — state, last sign-in of any kind (or why it
// cannot be read), licences, groups — with who is stale or stuck under the admin's rules;
// search, filter, sort and Save as CSV. The table draws only the rows in view, so 10,000
// guests scroll smoothly.
import { actOnGuests, guestList, saveGuestList, type ConnectionInfo, type GuestActionResult, type GuestList, type GuestRow, type GuestVerb } from "../backend";
import { busy, field, problemCard, show } from "../components";
import { clear, h } from "../dom";
import { evidenceCard } from "./evidence";
import { offboardCard } from "./offboard";
import { reviewsCard } from "./reviews";

type Filter = "all" | "stale" | "pending" | "blocked";
type SortKey = "email" | "lastSignIn" | "created";

export function renderGuests(root: HTMLElement, connection: ConnectionInfo | null): void {
  root.append(
    h("h1", { tabindex: "-1", id: "guests-title" }, "Guests"),
    h(
      "p",
      { class: "lead" },
      `Every guest in ${connection?.tenantName ?? "this tenant"}: whether they accepted, when they last signed in (interactive or not), what they hold — and who has gone quiet or never accepted.`,
    ),
  );
  const staleDays = h("input", { id: "stale-days", type: "number", min: "1", max: "3650", value: "90" }) as HTMLInputElement;
  const pendingDays = h("input", { id: "pending-days", type: "number", min: "1", max: "3650", value: "30" }) as HTMLInputElement;
  const read = h("button", { class: "btn btn-primary", type: "submit", id: "guests-read" }, "Read the guests");
  const list = h("div", { id: "guests-list" });
  const form = h(
    "form",
    { class: "card form", id: "guests-rules" },
    h("div", { class: "field-row" }, field("stale-days", "Stale after days without a sign-in", staleDays), field("pending-days", "Stuck after days unaccepted", pendingDays)),
    h("div", { class: "actions" }, read, h("span", { class: "muted" }, "Reads only; changes nothing.")),
  );
  const load = () =>
    busy(read, "Reading…", async () => {
      show(list, h("p", { class: "muted", role: "status" }, "Reading the guests…"));
      try {
        const rules = { staleDays: Number(staleDays.value) || 90, pendingDays: Number(pendingDays.value) || 30 };
        renderList(list, await guestList(rules), () => void load());
      } catch (err) {
        show(list, problemCard(err));
      }
    });
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void load();
  });
  root.append(form, list, reviewsCard(), offboardCard(), evidenceCard());
  void load();
}

/** A day with its year: guests outlive the year they were invited in. */
const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });

function lastSignIn(g: GuestRow, known: boolean): string {
  if (g.lastSignIn) return day(g.lastSignIn);
  return known ? "never" : "unavailable";
}

function renderList(area: HTMLElement, l: GuestList, reload: () => void): void {
  const known = l.signInActivity === "available";
  const count = (f: (g: GuestRow) => boolean) => l.guests.filter(f).length;
  const summary = h(
    "p",
    { id: "guests-summary" },
    h("strong", {}, `${l.guests.length} guests: `),
    `${count((g) => g.stale)} stale (no sign-in for ${l.rules.staleDays} days), ${count((g) => g.pendingTooLong)} pending for more than ${l.rules.pendingDays} days, ${count((g) => !g.enabled)} blocked.`,
  );
  const unavailable = known ? null : h("p", { class: "hint", id: "guests-activity" }, h("strong", {}, "Last sign-in is unavailable: "), l.signInActivity.replace(/^unavailable: /, ""), " Nobody is called stale without it.");
  const search = h("input", { type: "search", id: "guests-search", placeholder: "Search address, name, domain, group or sponsor", "aria-label": "Search guests" }) as HTMLInputElement;
  const filter = h(
    "select",
    { id: "guests-filter", "aria-label": "Which guests" },
    h("option", { value: "all" }, `Everyone (${l.guests.length})`),
    h("option", { value: "stale" }, `Stale (${count((g) => g.stale)})`),
    h("option", { value: "pending" }, `Pending too long (${count((g) => g.pendingTooLong)})`),
    h("option", { value: "blocked" }, `Blocked (${count((g) => !g.enabled)})`),
  ) as HTMLSelectElement;
  const save = h("button", { class: "btn", type: "button", id: "guests-save" }, "Save as CSV…");
  const saved = h("span", { class: "muted", id: "guests-saved", role: "status" });
  let sortKey: SortKey = "email";
  let ascending = true;
  let shown: GuestRow[] = [];
  save.addEventListener("click", () =>
    void busy(save, "Saving…", async () => {
      try {
        const path = await saveGuestList({ ...l, guests: shown });
        saved.textContent = path ? `Saved ${shown.length} guests to ${path}` : "";
      } catch (err) {
        saved.replaceChildren(problemCard(err));
      }
    }),
  );

  // Only the rows in view are drawn (with spacers for the rest).
  const scroller = h("div", { class: "vscroll", id: "guests-scroll" });
  const selected = new Set<string>();
  const selectAll = h("input", { type: "checkbox", id: "guests-select-all", "aria-label": "Select every guest shown" }) as HTMLInputElement;
  selectAll.addEventListener("change", () => {
    for (const g of shown) {
      if (selectAll.checked) selected.add(g.email);
      else selected.delete(g.email);
    }
    selectionChanged();
    draw();
  });
  const chosenNote = h("span", { class: "muted", id: "guests-chosen", role: "status" }, "None selected.");
  const bulkResult = h("div", { id: "guests-bulk-result", "aria-live": "polite" });
  // What the last bulk action did stays in view when the list is read again after it.
  if (keptOutcome) bulkResult.append(keptOutcome);
  keptOutcome = null;
  const VERBS: [GuestVerb, string][] = [
    ["resend", "Resend invitation"],
    ["block", "Block sign-in"],
    ["unblock", "Unblock"],
    ["remove", "Remove"],
  ];
  const bulkButtons = VERBS.map(([verb, label]) => {
    const b = h("button", { class: "btn", type: "button", id: `guests-${verb}`, disabled: true }, label) as HTMLButtonElement;
    b.addEventListener("click", () => void busy(b, "Checking…", () => bulk(verb, label, [...selected], bulkResult, reload)));
    return b;
  });
  const selectionChanged = () => {
    chosenNote.textContent = selected.size === 0 ? "None selected." : `${selected.size} selected.`;
    for (const b of bulkButtons) b.disabled = selected.size === 0;
  };
  const COLUMNS: [string, SortKey | null][] = [
    ["", null],
    ["Guest", "email"],
    ["State", null],
    ["Created", "created"],
    ["Last sign-in", "lastSignIn"],
    ["Licences", null],
    ["Groups", null],
  ];
  const headers = COLUMNS.map(([label, key]) => {
    if (!key && !label) return h("th", { scope: "col" }, selectAll);
    if (!key) return h("th", { scope: "col" }, h("span", { class: "th" }, label));
    const b = h("button", { class: "th-sort", type: "button", id: `guests-sort-${key}` }, label);
    b.addEventListener("click", () => {
      ascending = sortKey === key ? !ascending : key === "email";
      sortKey = key;
      refill();
    });
    return h("th", { scope: "col", "aria-sort": "none", "data-key": key }, b);
  });
  const tbody = h("tbody", { id: "guests-rows" });
  scroller.append(h("table", { class: "table" }, h("thead", {}, h("tr", {}, ...headers)), tbody));
  let rowHeight = 52;
  const spacer = (height: number) => {
    const td = h("td", { colspan: String(COLUMNS.length) });
    td.style.height = `${height}px`;
    return h("tr", { class: "spacer", "aria-hidden": "true" }, td);
  };
  const row = (g: GuestRow) => {
    const pick = h("input", { type: "checkbox", "aria-label": `Select ${g.email}`, checked: selected.has(g.email) }) as HTMLInputElement;
    pick.addEventListener("change", () => {
      if (pick.checked) selected.add(g.email);
      else selected.delete(g.email);
      selectionChanged();
    });
    const flags = [g.stale ? h("span", { class: "pill pill-wouldChange" }, "stale") : null, g.pendingTooLong ? h("span", { class: "pill pill-wouldChange" }, "pending too long") : null, g.enabled ? null : h("span", { class: "pill pill-failed" }, "blocked")];
    return h(
      "tr",
      { class: "row" },
      h("td", {}, pick),
      h("td", {}, h("div", { class: "mono" }, g.email), h("div", { class: "muted small" }, g.displayName), g.sponsors.length ? h("div", { class: "muted small" }, `Sponsor: ${g.sponsors.join(", ")}`) : null),
      h("td", {}, g.state === "PendingAcceptance" ? "Invited" : "Accepted", ...flags.map((f) => (f ? h("div", {}, f) : null))),
      h("td", { class: "nowrap" }, g.createdDateTime ? day(g.createdDateTime) : "—"),
      h("td", { class: "nowrap" }, lastSignIn(g, known)),
      h("td", {}, g.licenses.join(", ") || "—"),
      h("td", {}, g.groups.join(", ") || "—"),
    );
  };
  const draw = () => {
    const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - 10);
    const last = Math.min(shown.length, first + Math.ceil((scroller.clientHeight || 600) / rowHeight) + 20);
    clear(tbody);
    tbody.append(spacer(first * rowHeight));
    for (let i = first; i < last; i++) tbody.append(row(shown[i]));
    tbody.append(spacer((shown.length - last) * rowHeight));
    if (shown.length === 0) tbody.append(h("tr", {}, h("td", { colspan: String(COLUMNS.length), class: "muted" }, "No guest matches.")));
    const sample = tbody.querySelector<HTMLElement>("tr.row");
    if (sample && sample.offsetHeight > 0 && Math.abs(sample.offsetHeight - rowHeight) > 1) {
      rowHeight = sample.offsetHeight;
      draw();
    }
  };
  const value = (g: GuestRow): string => (sortKey === "email" ? g.email : sortKey === "created" ? g.createdDateTime ?? "" : g.lastSignIn ?? "");
  const refill = () => {
    const q = search.value.trim().toLowerCase();
    const which = filter.value as Filter;
    shown = l.guests
      .filter((g) => which === "all" || (which === "stale" && g.stale) || (which === "pending" && g.pendingTooLong) || (which === "blocked" && !g.enabled))
      .filter((g) => !q || `${g.email} ${g.displayName} ${g.homeDomain} ${g.groups.join(" ")} ${g.sponsors.join(" ")}`.toLowerCase().includes(q))
      .sort((a, b) => (ascending ? 1 : -1) * value(a).localeCompare(value(b)));
    for (const th of headers) th.setAttribute("aria-sort", th.dataset.key === sortKey ? (ascending ? "ascending" : "descending") : "none");
    shownNote.textContent = `${shown.length} of ${l.guests.length} guests shown.`;
    scroller.scrollTop = 0;
    draw();
  };
  const shownNote = h("p", { class: "muted small", id: "guests-shown", role: "status" });
  scroller.addEventListener("scroll", () => requestAnimationFrame(draw));
  search.addEventListener("input", refill);
  filter.addEventListener("change", refill);
  show(
    area,
    h(
      "div",
      { class: "card", id: "guests-table" },
      summary,
      unavailable,
      h("div", { class: "toolbar" }, search, filter, save, saved),
      h("div", { class: "toolbar", id: "guests-bulk" }, chosenNote, ...bulkButtons),
      bulkResult,
      shownNote,
      scroller,
    ),
    restoreForm(reload),
  );
  refill();
}

/** The outcome of the last bulk action, shown again above the list once it is read anew. */
let keptOutcome: HTMLElement | null = null;

const results = (rs: GuestActionResult[], would: boolean): HTMLElement =>
  h(
    "ul",
    { class: "reasons", id: would ? "guests-bulk-preview" : "guests-bulk-done" },
    ...rs.map((r) => h("li", { class: r.problem ? "todo" : "" }, h("strong", {}, r.email), ": ", r.outcome ? r.outcome.summary : `${r.problem?.message ?? ""} ${r.problem?.hint ?? ""}`)),
  );

/** Preview, then Confirm: what would happen to each chosen guest, then what did. */
async function bulk(verb: GuestVerb, label: string, emails: string[], area: HTMLElement, reload: () => void): Promise<void> {
  try {
    const plan = await actOnGuests(verb, emails, true);
    const confirm = h("button", { class: "btn btn-primary", type: "button", id: "guests-confirm" }, `${label}: confirm`);
    const cancel = h("button", { class: "btn", type: "button", id: "guests-cancel" }, "Cancel");
    cancel.addEventListener("click", () => show(area));
    confirm.addEventListener("click", () =>
      void busy(confirm, "Applying…", async () => {
        try {
          const done = await actOnGuests(verb, emails, false);
          const failed = done.filter((r) => r.problem).length;
          keptOutcome = h("div", { class: `card result ${failed ? "result-error" : "result-ok"}` }, h("h2", {}, `${label}: ${done.length - failed} done${failed ? `, ${failed} failed` : ""}`), results(done, false), h("p", { class: "muted" }, "Each change is in History, where it can be undone."));
          reload();
        } catch (err) {
          show(area, problemCard(err));
        }
      }),
    );
    show(area, h("div", { class: "card result result-info preview" }, h("h2", {}, `${label}: preview`), results(plan, true), h("div", { class: "actions" }, confirm, cancel)));
  } catch (err) {
    show(area, problemCard(err));
  }
}

/** Bringing back a guest removed in the last 30 days. */
function restoreForm(reload: () => void): HTMLElement {
  const email = h("input", { id: "restore-email", type: "email", autocomplete: "off", placeholder: "jane@partner.com" }) as HTMLInputElement;
  const submit = h("button", { class: "btn", type: "submit", id: "restore-preview" }, "Preview the restore");
  const result = h("div", { id: "restore-result", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "card form", id: "guests-restore" },
    h("h2", {}, "Restore a removed guest"),
    field("restore-email", "Their address", email, "Microsoft keeps removed guests 30 days; they come back with their groups."),
    h("div", { class: "actions" }, submit),
    result,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(submit, "Checking…", () => bulk("restore", "Restore", [email.value.trim()], result, reload));
  });
  return form;
}
