// History: every change Guestpass made, filtered in the database, with details, an integrity
// check of the hash chain, and exports for auditors.
import { ACTIONS, checkGuest, countChanges, runOfChange, historyTenants, exportHistory, isProblem, onboardingActivity, queryChanges, undoChange, verifyHistory, type ChangeFilter, type ChangeRecord, type ChangeResult, type ConnectionInfo, type SortKey, type StepOutcome } from "../backend";
import { busy, outcomeCard, previewThenApply, problemCard, show } from "../components";
import { clear, copyButton, formatTime, h } from "../dom";
import { checklist } from "../steps/check";
import { activityChart } from "../chart";
import { microsoftEventsCard } from "./evidence";


const COLUMNS: { key: SortKey; label: string }[] = [
  { key: "at", label: "Time" },
  { key: "tenant", label: "Tenant" },
  { key: "action", label: "Action" },
  { key: "target", label: "Target" },
  { key: "result", label: "Result" },
  { key: "requestId", label: "Request-id" },
];

/** History's label for an action name (the table is generated from Rust's action kinds). */
function actionLabel(action: string): string {
  return ACTIONS[action]?.label ?? action;
}

/** The first block of a GUID, with the whole value on hover and a copy button. */
function shortId(id: string): HTMLElement {
  // Out of the Tab order: the keyboard goes row to row with the arrows, and the open row's
  // details have the same Copy button.
  const copy = copyButton(id);
  copy.tabIndex = -1;
  return h("span", { class: "id-short", title: id }, h("span", { class: "mono small" }, id.split("-")[0] + "…"), copy);
}

/** `2026-11-22` -> `2026-11-23`. */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The top-level fields that differ between before and after, in words. */
function changedFields(before: unknown, after: unknown): HTMLElement | null {
  if (typeof before !== "object" || before === null || typeof after !== "object" || after === null) return null;
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  // Fields the row records after the change; one only noted before (context) is not a change.
  const keys = Object.keys(a).filter((k) => k !== "undoes" && JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  if (keys.length === 0) return null;
  const show = (v: unknown) => (v === undefined || v === null ? "(none)" : typeof v === "string" ? v : JSON.stringify(v));
  return h("ul", { class: "diff" }, ...keys.map((k) => h("li", {}, h("strong", {}, k), h("div", { class: "from" }, "Before: ", show(b[k])), h("div", { class: "to" }, "After: ", show(a[k])))));
}

function pretty(v: unknown): string {
  return v === null || v === undefined ? "—" : JSON.stringify(v, null, 2);
}


/** "Part of bulk run #3 (file row 12)", filled in once known; empty for single changes. */
function bulkRunRow(seq: number): HTMLElement {
  const row = h("div", { class: "kv-row", id: "history-bulk-run" });
  void runOfChange(seq)
    .then((link) => {
      if (link) row.append(h("dt", {}, "Bulk run"), h("dd", {}, `Part of bulk run #${link.runId}, row ${link.row} of its file (see Import a list)`));
    })
    .catch(() => undefined);
  return row;
}

function detailCard(
  r: ChangeRecord,
  tenantLabel: (id: string) => string,
  timeline: (email: string) => void,
  undone: (o: StepOutcome) => void,
): HTMLElement {
  const undoResult = h("div", { id: "undo-result" });
  const undo =
    r.result === "succeeded" && ACTIONS[r.action]?.undoable
      ? h("button", { class: "btn btn-small", type: "button", id: "history-undo" }, "Undo…")
      : null;
  undo?.addEventListener("click", () =>
    busy(undo, "Reading the tenant…", () => previewThenApply(undoResult, "Undo", (preview) => undoChange(r.seq, preview), undone)),
  );
  // Targets are an e-mail ("jane@x.com", "jane@x.com in Sales") or a tenant ("tenant Contoso").
  const email = r.target.split(" ")[0].includes("@") ? r.target.split(" ")[0] : null;
  return h(
    "div",
    { class: "card detail-pane", id: "history-detail" },
    h(
      "div",
      { class: "detail-head" },
      h("h2", {}, actionLabel(r.action)),
      h(
        "div",
        { class: "actions" },
        email ? h("button", { class: "btn btn-small", type: "button", id: "history-timeline", onclick: () => timeline(email) }, `Everything for ${email}`) : null,
        undo,
      ),
    ),
    undoResult,
    h("p", {}, h("strong", {}, r.target), " — ", h("span", { class: `pill pill-${r.result}` }, r.result)),
    r.detail ? h("p", { class: r.result === "failed" ? "warn" : "muted" }, r.detail) : null,
    h(
      "dl",
      { class: "kv" },
      h("div", { class: "kv-row" }, h("dt", {}, "When"), h("dd", {}, formatTime(r.at), h("div", { class: "mono small" }, r.at))),
      h("div", { class: "kv-row" }, h("dt", {}, "Tenant"), h("dd", {}, tenantLabel(r.tenant))),
      h("div", { class: "kv-row" }, h("dt", {}, "Signed in as"), h("dd", { class: "mono small" }, r.actor)),
      r.errorCode ? h("div", { class: "kv-row" }, h("dt", {}, "Microsoft's code"), h("dd", { class: "mono" }, r.errorCode)) : null,
      r.requestId
        ? h("div", { class: "kv-row" }, h("dt", {}, "Request-id"), h("dd", {}, h("span", { class: "mono small" }, r.requestId), copyButton(r.requestId)))
        : null,
      h("div", { class: "kv-row" }, h("dt", {}, "Row"), h("dd", { class: "mono small" }, `#${r.seq} · hash ${r.hash.slice(0, 16)}…`)),
      bulkRunRow(r.seq),
    ),
    changedFields(r.before, r.after),
    // Focusable, so the keyboard can scroll a long before or after.
    h(
      "div",
      { class: "before-after" },
      h("div", {}, h("h3", {}, "Before"), h("pre", { tabindex: "0", "aria-label": "Before" }, pretty(r.before))),
      h("div", {}, h("h3", {}, "After"), h("pre", { tabindex: "0", "aria-label": "After" }, pretty(r.after))),
    ),
  );
}

export async function renderHistory(root: HTMLElement, connection: ConnectionInfo | null): Promise<void> {
  const tenantLabel = (id: string) => (connection && id === connection.tenantId ? connection.tenantName : id);
  const search = h("input", { id: "history-search", type: "search", placeholder: "Search e-mail, outcome, error code or request-id", "aria-label": "Search history" });
  const result = h(
    "select",
    { id: "history-result", "aria-label": "Result" },
    h("option", { value: "" }, "Any result"),
    h("option", { value: "succeeded" }, "Succeeded"),
    h("option", { value: "failed" }, "Failed"),
    h("option", { value: "unchanged" }, "Unchanged"),
  );
  const action = h("select", { id: "history-action", "aria-label": "Action" }, h("option", { value: "" }, "Any action"), ...Object.entries(ACTIONS).map(([k, v]) => h("option", { value: k }, v.label)));
  const tenant = h("select", { id: "history-tenant", "aria-label": "Tenant" }, h("option", { value: "" }, "Any tenant"));
  historyTenants()
    .then((ids) => tenant.append(...ids.map((id) => h("option", { value: id }, tenantLabel(id)))))
    .catch(() => {
      /* The list still works without the tenant choices. */
    });
  const since = h("input", { id: "history-since", type: "date", "aria-label": "From", title: "From (inclusive)" });
  const until = h("input", { id: "history-until", type: "date", "aria-label": "Until", title: "Until (inclusive)" });
  const refresh = h("button", { class: "btn", type: "button", id: "history-refresh" }, "Refresh");
  const verify = h("button", { class: "btn", type: "button", id: "history-verify" }, "Verify integrity");
  const exportCsv = h("button", { class: "btn", type: "button", id: "history-export-csv" }, "Export CSV");
  const exportJson = h("button", { class: "btn", type: "button", id: "history-export-json" }, "Export JSON");
  const count = h("span", { class: "muted", id: "history-count" });
  const status = h("div", { id: "history-status" });
  const body = h("div", { id: "history-body", class: "history-body" });
  const chart = h("div", { id: "history-chart" });
  root.append(
    h("h1", {}, "History"),
    h("p", { class: "lead" }, "Every change Guestpass made (or tried to make) in a tenant, newest first. Each row is chained to the one before it, so any edit to this record can be detected."),
    chart,
    h("div", { class: "toolbar" }, search, tenant, result, action, h("label", { class: "muted", for: "history-since" }, "From"), since, h("label", { class: "muted", for: "history-until" }, "to"), until, refresh, count),
    h("div", { class: "toolbar" }, verify, exportCsv, exportJson),
    status,
    body,
  );

  // The list is virtual: only the rows in view are in the page, fetched 100 at a time, so it
  // stays quick with any number of changes. Sorting and filtering happen in the database.
  const PAGE = 100;
  const scroller = h("div", { class: "vscroll", id: "history-scroll" });
  const detailSlot = h("div", { id: "history-detail-slot" });
  let total = 0;
  let pages = new Map<number, ChangeRecord[]>();
  let pending = new Set<number>();
  let generation = 0;
  let rowHeight = 60;
  let sortKey: SortKey = "at";
  let ascending = false;
  let selected: ChangeRecord | null = null;

  const filter = (): ChangeFilter => ({
    since: since.value || null,
    // Inclusive: everything before the start of the next day.
    until: until.value ? nextDay(until.value) : null,
    tenant: tenant.value || null,
    action: action.value || null,
    result: (result.value || null) as ChangeResult | null,
    text: search.value.trim() || null,
    limit: PAGE,
    offset: 0,
    sort: sortKey,
    ascending,
  });
  const filtered = () => Boolean(search.value.trim() || tenant.value || result.value || action.value || since.value || until.value);
  const rowAt = (i: number) => pages.get(Math.floor(i / PAGE))?.[i % PAGE];

  const fetchPage = (page: number) => {
    if (pages.has(page) || pending.has(page)) return;
    pending.add(page);
    const gen = generation;
    queryChanges({ ...filter(), offset: page * PAGE })
      .then((rows) => {
        if (gen !== generation) return;
        pages.set(page, rows);
        drawRows();
      })
      .catch((err) => show(status, problemCard(err)))
      .finally(() => pending.delete(page));
  };

  const header = () =>
    h(
      "tr",
      {},
      ...COLUMNS.map((c) => {
        const arrow = c.key === sortKey ? (ascending ? " ▲" : " ▼") : "";
        const th = h("th", { scope: "col", "aria-sort": c.key === sortKey ? (ascending ? "ascending" : "descending") : "none" });
        th.append(h("button", { class: "th-sort", type: "button" }, c.label + arrow));
        th.addEventListener("click", () => {
          if (sortKey === c.key) ascending = !ascending;
          else {
            sortKey = c.key;
            ascending = c.key !== "at";
          }
          void load();
        });
        return th;
      }),
    );

  const rowElement = (r: ChangeRecord) => {
    const tr = h(
      "tr",
      { "data-seq": r.seq, class: `row${selected?.seq === r.seq ? " selected" : ""}` },
      h("td", { class: "nowrap", title: r.at }, formatTime(r.at)),
      h("td", { title: r.tenant }, tenantLabel(r.tenant), h("div", { class: "detail clip", title: r.actor }, r.actor)),
      h("td", {}, actionLabel(r.action)),
      h("td", { class: "target", title: r.detail ?? "" }, r.target, r.detail ? h("div", { class: "detail clip" }, r.detail) : null),
      h("td", {}, h("span", { class: `pill pill-${r.result}` }, r.result), r.errorCode ? h("div", { class: "mono small clip" }, r.errorCode) : null),
      h("td", {}, r.requestId ? shortId(r.requestId) : "—"),
    );
    // One row at a time takes the Tab key (the selected one); arrows move between rows, Enter or
    // Space opens one, and Tab then reaches its details and Undo.
    tr.setAttribute("tabindex", selected?.seq === r.seq ? "0" : "-1");
    tr.setAttribute("aria-selected", String(selected?.seq === r.seq));
    tr.addEventListener("click", (ev) => {
      if ((ev.target as HTMLElement).closest("button")) return;
      choose(r);
    });
    tr.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        choose(r);
      } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        const next = ev.key === "ArrowDown" ? tr.nextElementSibling : tr.previousElementSibling;
        if (next instanceof HTMLElement && next.matches("tr.row:not(.loading)")) {
          tr.setAttribute("tabindex", "-1");
          next.setAttribute("tabindex", "0");
          next.focus();
        }
      }
    });
    return tr;
  };

  /** Selects a row: its details open below the list, and the focus stays on it. */
  const choose = (r: ChangeRecord) => {
    selected = r;
    drawRows();
    drawDetail();
    scroller.querySelector<HTMLElement>(`tr[data-seq="${r.seq}"]`)?.focus({ preventScroll: true });
  };

  const spacer = (height: number) => {
    const td = h("td", { colspan: COLUMNS.length });
    td.style.height = `${height}px`;
    return h("tr", { class: "spacer", "aria-hidden": "true" }, td);
  };

  /** Renders the rows in view (and a few around), fetching pages not loaded yet. */
  const drawRows = () => {
    const tbody = scroller.querySelector("tbody");
    if (!tbody) return;
    // Re-drawn rows are new elements: a row that had the focus gets it back.
    const focused = document.activeElement instanceof HTMLElement && tbody.contains(document.activeElement) ? document.activeElement.dataset.seq : undefined;
    const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - 10);
    const visible = Math.ceil((scroller.clientHeight || 600) / rowHeight) + 20;
    const last = Math.min(total, first + visible);
    clear(tbody);
    tbody.append(spacer(first * rowHeight));
    for (let i = first; i < last; i++) {
      const r = rowAt(i);
      if (r) tbody.append(rowElement(r));
      else {
        fetchPage(Math.floor(i / PAGE));
        tbody.append(h("tr", { class: "row loading" }, h("td", { colspan: COLUMNS.length, class: "muted" }, "Loading…")));
      }
    }
    tbody.append(spacer((total - last) * rowHeight));
    if (focused) tbody.querySelector<HTMLElement>(`tr[data-seq="${focused}"]`)?.focus({ preventScroll: true });
    // Without a selection, the first row shown takes the Tab key.
    if (!tbody.querySelector("tr.row[tabindex='0']")) tbody.querySelector("tr.row:not(.loading)")?.setAttribute("tabindex", "0");
    const sample = tbody.querySelector<HTMLElement>("tr.row:not(.loading)");
    if (sample && Math.abs(sample.offsetHeight - rowHeight) > 1 && sample.offsetHeight > 0) {
      rowHeight = sample.offsetHeight;
      drawRows();
    }
  };

  const drawDetail = () => {
    clear(detailSlot);
    if (!selected) return;
    const pane = detailCard(selected, tenantLabel, (email) => {
        // The guest's timeline: every change about them, oldest first.
        search.value = email;
        result.value = "";
        action.value = "";
        since.value = "";
        until.value = "";
        sortKey = "at";
        ascending = true;
        selected = null;
        void load();
        // Their readiness now, next to what Guestpass did to them.
        show(status, h("div", { class: "notice" }, `Checking ${email} against the tenant…`));
        // And what Microsoft's own logs said about them, as copied here.
        const fromMicrosoft = microsoftEventsCard(email);
        checkGuest({ email, license: null, groups: [], environment: null, role: null })
          .then(async (r) =>
            show(status, h("div", { class: "card", id: "timeline-readiness" }, h("h2", {}, r.ready ? `${email} is ready` : `${email} now`), checklist(r)), await fromMicrosoft),
          )
          .catch(async (err) => show(status, problemCard(err), await fromMicrosoft));
      }, (o) => {
        // The undo is a new row: show its outcome above the list, then reload.
        show(status, h("div", { id: "undo-done" }, outcomeCard("Undo", [o])));
        selected = null;
        void load().then(() => status.scrollIntoView({ block: "nearest" }));
      },
    );
    detailSlot.append(pane);
    // The pane opens below the list: bring it into view.
    requestAnimationFrame(() => pane.scrollIntoView({ block: "nearest" }));
  };

  const draw = () => {
    clear(body);
    count.textContent = filtered() ? `${total} matching change${total === 1 ? "" : "s"}` : `${total} change${total === 1 ? "" : "s"}`;
    if (total === 0) {
      body.append(h("div", { class: "card empty" }, h("p", {}, filtered() ? "Nothing matches these filters." : "No changes yet."), filtered() ? null : h("p", { class: "muted" }, "Invite a guest and the change appears here.")));
      return;
    }
    clear(scroller);
    scroller.append(h("table", { class: "table", id: "history-table" }, h("thead", {}, header()), h("tbody", {})));
    body.append(h("div", { class: "card table-wrap" }, scroller), detailSlot);
    drawRows();
    drawDetail();
  };

  const load = async () => {
    generation += 1;
    pages = new Map();
    pending = new Set();
    scroller.scrollTop = 0;
    try {
      total = await countChanges(filter());
      const first = await queryChanges(filter());
      pages.set(0, first);
      draw();
    } catch (err) {
      show(body, problemCard(err));
    }
  };
  scroller.addEventListener("scroll", () => requestAnimationFrame(drawRows));
  let timer: number | undefined;
  search.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void load(), 200);
  });
  for (const el of [tenant, result, action, since, until]) el.addEventListener("change", () => void load());
  refresh.addEventListener("click", () => void busy(refresh, "Refreshing…", load));
  verify.addEventListener("click", () =>
    busy(verify, "Checking…", async () => {
      try {
        const report = await verifyHistory();
        show(
          status,
          report.firstBreak
            ? h("div", { class: "card result result-error", id: "verify-result" }, h("h2", {}, "History was altered"), h("p", {}, `Row ${report.firstBreak.seq}: ${report.firstBreak.reason}.`), h("p", { class: "hint" }, "Keep a copy of this database for investigation, and compare it with your last export."))
            : h("div", { class: "card result result-ok", id: "verify-result" }, h("p", {}, `Intact: all ${report.rows} rows are chained as written.`)),
        );
      } catch (err) {
        show(status, problemCard(err));
      }
    }),
  );
  const doExport = (button: HTMLButtonElement, json: boolean) =>
    busy(button, "Choose where to save…", async () => {
      try {
        const path = await exportHistory({ ...filter(), limit: 1_000_000, offset: 0 }, json);
        if (path === null) {
          show(status, h("p", { class: "hint", id: "export-result" }, "Export cancelled: nothing was written."));
          return;
        }
        show(status, h("div", { class: "card result result-ok", id: "export-result" }, h("p", {}, `Exported ${total} change${total === 1 ? "" : "s"} to `, h("span", { class: "mono" }, path), " ", copyButton(path))));
      } catch (err) {
        show(status, isProblem(err) ? problemCard(err) : h("p", {}, String(err)));
      }
    });
  exportCsv.addEventListener("click", () => void doExport(exportCsv, false));
  exportJson.addEventListener("click", () => void doExport(exportJson, true));
  // The chart reads the tenant (redemptions); the list does not wait for it.
  onboardingActivity(14)
    .then((days) => show(chart, activityChart(days)))
    .catch(() => show(chart));
  await load();
}
