// Import a guest list: choose a file, give defaults for what it lacks, read the preview (every
// row's errors and warnings), then onboard the rows as a bulk run with a progress bar, pause,
// resume and cancel. A run interrupted earlier (crash, kill, sign-in) is offered for resuming.
import {
  cancelImport,
  cancelPreview,
  defaultUsageLocation,
  importProgress,
  importRuns,
  licenseOptions,
  pauseImport,
  previewImport,
  resumeImport,
  retryFailedRows,
  runImport,
  runRows,
  saveRunResults,
  chooseGuestList,
  startImport,
  type ChosenFile,
  type ConnectionInfo,
  type ImportDefaults,
  type ImportPreview,
  type PreviewProgress,
  type PreviewRow,
  type RunProgress,
  type RunRow,
  type StepState,
} from "../backend";
import { busy, field, problemCard, show } from "../components";
import { clear, copyButton, formatTime, h } from "../dom";

/** At most this many table rows are drawn at once; search narrows the rest. */
const SHOWN = 100;

const STEP_WORDS: Record<StepState, string> = {
  pending: "to do",
  running: "in progress",
  done: "done",
  unchanged: "already so",
  failed: "failed",
  skipped: "skipped",
};

export function renderImport(root: HTMLElement, connection: ConnectionInfo | null): void {
  const resumeArea = h("div", { id: "import-resume" });
  const work = h("div", { id: "import-work" });
  root.append(
    h("h1", {}, "Import a guest list"),
    h(
      "p",
      { class: "lead" },
      "Onboard many guests at once from a spreadsheet: Microsoft's bulk-invite template, or any CSV or tab-separated file with a header row. Guestpass checks every row before anything is sent, then works through the list and keeps going after a crash or a lost connection.",
    ),
    resumeArea,
    work,
  );
  if (!connection) {
    show(work, h("div", { class: "card notice" }, "Not connected to a tenant yet. Use “Try again” in the banner above."));
    return;
  }
  void offerResume(resumeArea, work);
  renderChooser(work);
}

/** A run left unfinished (by a stop, Cancel, or a failed sign-in) can be resumed here. */
async function offerResume(area: HTMLElement, work: HTMLElement): Promise<void> {
  try {
    const runs = await importRuns();
    const open = runs.find((r) => r.state !== "finished");
    if (!open) return;
    const p = await importProgress(open.id);
    if (p.left === 0) return;
    const resume = h("button", { class: "btn btn-primary", type: "button", id: "import-resume-run" }, "Resume the run");
    resume.addEventListener("click", () => {
      clear(area);
      renderRun(work, open.id, open.source);
    });
    show(
      area,
      h(
        "div",
        { class: "card notice", id: "import-unfinished" },
        h("h2", {}, `Run #${open.id} (${open.source}) is not finished`),
        h("p", {}, `Started ${formatTime(open.createdAt)}: ${p.done} done, ${p.failed} failed, ${p.left} left. Resuming picks up exactly where it stopped; nobody is invited twice.`),
        h("div", { class: "actions" }, resume),
      ),
    );
  } catch (err) {
    show(area, problemCard(err));
  }
}

function renderChooser(work: HTMLElement): void {
  // The operating system's Open dialog picks the file; Rust reads it from there.
  let chosen: ChosenFile | null = null;
  const file = h("button", { class: "btn", type: "button", id: "import-file" }, "Choose file…");
  const chosenName = h("span", { id: "import-file-name", class: "mono" }, "No file chosen");
  // A workbook's sheets, once the first preview names them.
  const sheet = h("select", { id: "import-sheet" });
  const sheetField = field("import-sheet", "Sheet", sheet, "The workbook's sheet that lists the guests.");
  sheetField.hidden = true;
  file.addEventListener("click", () =>
    busy(file, "Choosing…", async () => {
      try {
        const picked = await chooseGuestList();
        if (!picked) return; // cancelled: keep what was chosen before
        chosen = picked;
        chosenName.textContent = picked.name;
        sheet.replaceChildren();
        sheetField.hidden = true;
        clear(result);
      } catch (err) {
        show(result, problemCard(err));
      }
    }),
  );
  const redirect = h("input", { type: "url", id: "import-redirect", value: "https://myapps.microsoft.com", placeholder: "https://myapps.microsoft.com" });
  const location = h("input", { type: "text", id: "import-location", maxlength: 2, placeholder: "e.g. GB", class: "narrow" });
  const license = h("select", { id: "import-license" }, h("option", { value: "" }, "No licence"));
  const groups = h("input", { type: "text", id: "import-groups", placeholder: "Group names or ids, separated by ;" });
  const environment = h("input", { type: "text", id: "import-environment", placeholder: "Environment URL or name" });
  const role = h("input", { type: "text", id: "import-role", placeholder: "e.g. Basic User" });
  const sendEmail = h("input", { type: "checkbox", id: "import-send-email" });
  const message = h("textarea", { id: "import-message", rows: 2, placeholder: "A short welcome (only sent with the e-mail)" });
  // Excel's plain "CSV" is saved in the Windows code page of the machine that wrote it.
  const encoding = h(
    "select",
    { id: "import-encoding" },
    ...[
      ["", "Detect from the file"],
      ["UTF-8", "UTF-8"],
      ["windows-1250", "Central European (Windows-1250)"],
      ["windows-1251", "Cyrillic (Windows-1251)"],
      ["windows-1252", "Western European (Windows-1252)"],
      ["windows-1253", "Greek (Windows-1253)"],
      ["windows-1254", "Turkish (Windows-1254)"],
      ["windows-1257", "Baltic (Windows-1257)"],
      ["Shift_JIS", "Japanese (Shift_JIS)"],
      ["GBK", "Chinese, simplified (GBK)"],
      ["Big5", "Chinese, traditional (Big5)"],
      ["EUC-KR", "Korean (EUC-KR)"],
    ].map(([value, label]) => h("option", { value }, label)),
  );
  const fileField = field("import-file", "Guest list", file, "Columns are matched by name (Email, Display name, First name, Last name, Usage location or Country, License, Groups, Environment, Role, Redirect URL, Send email, Message) or by Microsoft's [tokens]. Extra columns are ignored.");
  // The button and the chosen file's name side by side (field() stretches its input).
  const pick = h("div", { class: "file-pick" });
  file.replaceWith(pick);
  pick.append(file, chosenName);
  const check = h("button", { class: "btn btn-primary", type: "button", id: "import-check" }, "Check the list");
  const result = h("div", { id: "import-preview" });

  void defaultUsageLocation().then((code) => {
    if (code && !location.value) location.value = code;
  });
  void licenseOptions()
    .then((options) => {
      for (const o of options) license.append(h("option", { value: o.skuPartNumber }, `${o.skuPartNumber} (${o.freeSeats} of ${o.totalSeats} free)`));
    })
    .catch(() => undefined);

  const defaults = (): ImportDefaults => ({
    encoding: encoding.value || null,
    sheet: sheet.value || null,
    redirectUrl: redirect.value.trim() || null,
    usageLocation: location.value.trim() || null,
    license: license.value || null,
    groups: groups.value.split(";").map((g) => g.trim()).filter(Boolean),
    environment: environment.value.trim() || null,
    role: role.value.trim() || null,
    sendEmail: sendEmail.checked,
    message: message.value.trim() || null,
  });

  // A list already checked is read again in the encoding chosen.
  const recheck = () => {
    if (chosen && result.childElementCount > 0) check.click();
  };
  encoding.addEventListener("change", recheck);
  sheet.addEventListener("change", recheck);
  check.addEventListener("click", () =>
    busy(check, "Checking…", async () => {
      if (!chosen) {
        show(result, h("div", { class: "card result result-error" }, h("h2", {}, "Choose a file first"), h("p", {}, "Pick the Excel workbook, CSV or Excel “Unicode text” file that lists your guests, one per row.")));
        return;
      }
      try {
        const checking = checkingCard();
        show(result, checking.card);
        checking.card.scrollIntoView({ block: "nearest" });
        const preview = await previewImport(chosen.path, defaults(), checking.update);
        if (preview.sheets.length > 1 && sheet.childElementCount === 0) {
          sheet.append(...preview.sheets.map((name) => h("option", { value: name }, name)));
          sheetField.hidden = false;
        }
        if (preview.sheet) sheet.value = preview.sheet;
        renderPreview(result, work, preview);
      } catch (err) {
        show(result, problemCard(err));
      }
    }),
  );

  show(
    work,
    h(
      "div",
      { class: "card form" },
      h("h2", {}, "1. Choose the list"),
      fileField,
      field("import-encoding", "Encoding", encoding, "For CSV and text files. Guestpass recognises UTF-8, Excel's “Unicode text” and the Windows code pages; if names look wrong in the preview, pick the file's encoding here."),
      sheetField,
      h("h2", {}, "2. For rows that leave these empty"),
      field("import-redirect", "Redirect URL", redirect, "Where new guests land after accepting: My Apps, or your Dynamics environment's URL."),
      h("div", { class: "field-row" }, field("import-location", "Usage location", location, "Two-letter country code; needed before a licence."), field("import-license", "Licence", license)),
      field("import-groups", "Groups", groups),
      h("div", { class: "field-row" }, field("import-environment", "Power Platform environment", environment), field("import-role", "Dataverse security role", role)),
      h("div", { class: "field field-check" }, h("label", { for: "import-send-email" }, sendEmail, " Have Microsoft e-mail the invitations")),
      field("import-message", "Message", message),
      h("div", { class: "actions" }, check, h("span", { class: "muted" }, "Reads the tenant to check the rows; changes nothing.")),
    ),
    result,
  );
}

/** How the file was read: the workbook's sheet, or the text's encoding and separator. */
/** While a long list is checked against the tenant: what is being read, how far, and Stop. */
function checkingCard(): { card: HTMLElement; update: (p: PreviewProgress) => void } {
  const text = h("p", { id: "import-checking-text", role: "status" }, "Checking the list against the tenant…");
  const bar = h("progress", { id: "import-checking-progress", max: 1, value: 0 }) as HTMLProgressElement;
  const stop = h("button", { class: "btn", type: "button", id: "import-checking-stop" }, "Stop checking");
  stop.addEventListener("click", () => {
    stop.setAttribute("disabled", "");
    void cancelPreview();
  });
  const update = (p: PreviewProgress) => {
    bar.max = Math.max(p.total, 1);
    bar.value = p.done;
    const what = p.stage === "ReadingDirectory" ? "Reading the directory's users once to match the list" : "Looking up the list's addresses";
    text.textContent = `${what}: ${p.done.toLocaleString()} of ${p.total.toLocaleString()}…`;
  };
  const card = h("div", { class: "card", id: "import-checking" }, h("h2", {}, "Checking against the tenant"), text, bar, h("div", { class: "actions" }, stop));
  return { card, update };
}

function readAs(p: ImportPreview): string {
  if (p.sheet) return `${p.encoding}, sheet “${p.sheet}”${p.sheets.length > 1 ? ` (of ${p.sheets.length}: choose another under 1.)` : ""}`;
  const separator = p.delimiter === "tab" ? "tabs" : `“${p.delimiter}”`;
  return `${p.encoding}${p.encodingGuessed ? " (detected: if names look wrong, choose the encoding under 1.)" : ""}, separated by ${separator}`;
}

type RowFilter = "all" | "errors" | "warnings" | "ready";

function rowState(r: PreviewRow): "error" | "warning" | "ready" {
  if (r.issues.some((i) => i.level === "error")) return "error";
  if (r.issues.some((i) => i.level === "warning")) return "warning";
  return "ready";
}

function renderPreview(area: HTMLElement, work: HTMLElement, p: ImportPreview): void {
  let filter: RowFilter = p.withErrors > 0 ? "errors" : "all";
  let term = "";
  let sortDesc = false;
  const tbody = h("tbody", { id: "import-rows" });
  const shownNote = h("p", { class: "muted small", id: "import-shown" });
  const search = h("input", { type: "search", id: "import-search", placeholder: "Search address, name or problem" });
  const filterSel = h(
    "select",
    { id: "import-filter", "aria-label": "Which rows" },
    h("option", { value: "all" }, `All rows (${p.rows.length})`),
    h("option", { value: "errors" }, `Errors (${p.withErrors})`),
    h("option", { value: "warnings" }, `Warnings (${p.withWarnings})`),
    h("option", { value: "ready" }, `Ready (${p.ready})`),
  );
  filterSel.value = filter;
  const rowHead = h("button", { class: "th-sort", type: "button", id: "import-sort-row" }, "Row ▲");

  const draw = () => {
    const q = term.toLowerCase();
    const rows = p.rows
      .filter((r) => filter === "all" || (filter === "errors" ? rowState(r) === "error" : filter === "warnings" ? rowState(r) === "warning" : rowState(r) !== "error"))
      .filter((r) => !q || [r.guest.email, r.guest.displayName ?? "", ...r.issues.map((i) => i.message)].some((t) => t.toLowerCase().includes(q)));
    if (sortDesc) rows.reverse();
    clear(tbody);
    for (const r of rows.slice(0, SHOWN)) {
      const state = rowState(r);
      const name = r.guest.displayName ?? [r.guest.firstName, r.guest.lastName].filter(Boolean).join(" ");
      const steps = state === "error" ? "skipped" : [r.existingGuest ? `already a guest (${r.existingGuest})` : "invite", ...stepsOf(r)].join(", ");
      tbody.append(
        h(
          "tr",
          { class: `import-row row-${state}` },
          h("td", { class: "mono" }, String(r.row)),
          h("td", {}, h("span", { class: `pill pill-${state === "error" ? "failed" : state === "warning" ? "would" : "succeeded"}` }, state === "error" ? "error" : state === "warning" ? "warning" : "ready")),
          h("td", {}, r.guest.email, name ? h("div", { class: "muted small" }, name) : null),
          h("td", { class: "small" }, steps),
          h("td", { class: "small" }, ...r.issues.map((i) => h("div", { class: i.level === "error" ? "issue issue-error" : "issue issue-warning" }, h("strong", {}, `${i.column}: `), i.message))),
        ),
      );
    }
    shownNote.textContent = rows.length > SHOWN ? `Showing the first ${SHOWN} of ${rows.length} matching rows; search to find the others.` : `${rows.length} row(s) shown.`;
  };
  search.addEventListener("input", () => {
    term = search.value.trim();
    draw();
  });
  filterSel.addEventListener("change", () => {
    filter = filterSel.value as RowFilter;
    draw();
  });
  rowHead.addEventListener("click", () => {
    sortDesc = !sortDesc;
    rowHead.textContent = sortDesc ? "Row ▼" : "Row ▲";
    draw();
  });

  const start = h("button", { class: "btn btn-primary", type: "button", id: "import-start", disabled: p.ready === 0 }, `Onboard ${p.ready} guest${p.ready === 1 ? "" : "s"}`);
  start.addEventListener("click", () =>
    busy(start, "Starting…", async () => {
      try {
        const runId = await startImport(p);
        renderRun(work, runId, p.fileName);
      } catch (err) {
        show(area, problemCard(err));
      }
    }),
  );
  const seats = p.seats.map((s) =>
    h("li", { class: s.needed > s.free ? "warn" : "" }, `${s.license}: ${s.needed} row(s) need a seat, ${Math.max(0, s.free)} free${s.needed > s.free ? " — the rows beyond the free seats will fail their licence step" : ""}.`),
  );
  show(
    area,
    h(
      "div",
      { class: "card", id: "import-preview-card" },
      h("h2", {}, `3. Preview of ${p.fileName}`),
      h("p", { class: "muted", id: "import-read-as" }, `${p.format}, ${readAs(p)}. Columns used: ${p.columns.join(", ")}.`),
      h(
        "div",
        { class: "stats", id: "import-summary" },
        h("span", { class: "stat" }, `${p.rows.length} rows`),
        h("span", { class: "stat stat-ok" }, `${p.ready} ready`),
        h("span", { class: p.withErrors ? "stat stat-error" : "stat" }, `${p.withErrors} with errors (skipped)`),
        h("span", { class: p.withWarnings ? "stat stat-warn" : "stat" }, `${p.withWarnings} with warnings`),
        h("span", { class: "stat" }, `${p.alreadyGuests} already guests`),
      ),
      p.notes.length ? h("ul", { class: "notes" }, ...p.notes.map((n) => h("li", {}, n))) : null,
      seats.length ? h("ul", { class: "notes", id: "import-seats" }, ...seats) : null,
      h("div", { class: "toolbar" }, search, filterSel, shownNote),
      h("div", { class: "table-wrap" }, h("table", { class: "table" }, h("thead", {}, h("tr", {}, h("th", {}, rowHead), h("th", {}, "Status"), h("th", {}, "Guest"), h("th", {}, "Will do"), h("th", {}, "Problems"))), tbody)),
      h("div", { class: "actions" }, start, h("span", { class: "muted" }, p.withErrors ? `Rows with errors are skipped. Fix them in the file and import it again to include them.` : "Every row is ready.")),
    ),
  );
  draw();
  area.scrollIntoView({ block: "start", behavior: "smooth" });
}

function stepsOf(r: PreviewRow): string[] {
  const g = r.guest;
  const out: string[] = [];
  if (g.firstName || g.lastName || g.usageLocation) out.push("profile");
  if (g.license) out.push(`licence ${g.license}`);
  for (const grp of g.groups) out.push(`group ${grp}`);
  if (g.environment && g.role) out.push(`role ${g.role}`);
  return out;
}

function progressText(p: RunProgress): string {
  const parts = [`${p.done + p.failed} of ${p.total} rows: ${p.done} done, ${p.failed} failed, ${p.left} left`];
  if (p.rowsPerMinute > 0) parts.push(`${Math.round(p.rowsPerMinute)} rows/min`);
  if (p.etaSeconds !== null && p.left > 0) parts.push(`about ${Math.floor(p.etaSeconds / 60)}m ${String(p.etaSeconds % 60).padStart(2, "0")}s left`);
  if (p.throttled > 0) parts.push(`Microsoft asked us to slow down ${p.throttled}×`);
  return parts.join(" · ");
}

/** Runs (or resumes) a run with a live progress bar, then shows every row's outcome. */
function renderRun(work: HTMLElement, runId: number, source: string): void {
  const bar = h("progress", { id: "import-progress", max: 1, value: 0 });
  const line = h("p", { id: "import-progress-text" }, "Starting…");
  const note = h("p", { class: "muted", id: "import-run-note" });
  const pause = h("button", { class: "btn", type: "button", id: "import-pause" }, "Pause");
  const cancel = h("button", { class: "btn", type: "button", id: "import-cancel" }, "Stop");
  const results = h("div", { id: "import-results" });
  let paused = false;
  pause.addEventListener("click", async () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
    note.textContent = paused ? "Pausing: the steps in flight finish, then nothing new starts until you resume." : "";
    await (paused ? pauseImport(runId) : resumeImport(runId));
  });
  cancel.addEventListener("click", async () => {
    cancel.disabled = true;
    note.textContent = "Stopping after the steps in flight. The rest stays in the run: you can resume it later.";
    await cancelImport(runId);
  });
  const update = (p: RunProgress) => {
    bar.max = Math.max(1, p.total);
    bar.value = p.done + p.failed;
    line.textContent = progressText(p);
    if (p.message) note.textContent = p.message;
    if (p.state === "paused" && !paused) {
      paused = true;
      pause.textContent = "Resume";
    }
  };
  show(
    work,
    h(
      "div",
      { class: "card", id: "import-run" },
      h("h2", {}, `Onboarding the guests of ${source}`, h("span", { class: "muted small" }, ` · run #${runId}`)),
      bar,
      line,
      note,
      h("div", { class: "actions", id: "import-run-actions" }, pause, cancel),
    ),
    results,
  );
  void (async () => {
    try {
      const final = await runImport(runId, update);
      update(final);
      pause.remove();
      cancel.remove();
      note.textContent =
        final.state === "finished"
          ? final.failed
            ? `Finished with ${final.failed} failed row(s): see why below, fix the cause, then retry them.`
            : "Finished: every guest is onboarded. Every change is also in History."
          : "Stopped. The rows not yet done stay in the run: resume it from this screen at any time.";
      await renderResults(results, work, runId, source, final);
    } catch (err) {
      show(results, problemCard(err));
    }
  })();
}

async function renderResults(area: HTMLElement, work: HTMLElement, runId: number, source: string, final: RunProgress): Promise<void> {
  const rows = await runRows(runId);
  let onlyFailed = final.failed > 0;
  const tbody = h("tbody", { id: "import-result-rows" });
  const toggle = h("select", { id: "import-result-filter", "aria-label": "Which rows" }, h("option", { value: "failed" }, `Failed (${final.failed})`), h("option", { value: "all" }, `All rows (${rows.length})`));
  toggle.value = onlyFailed ? "failed" : "all";
  const draw = () => {
    clear(tbody);
    const shown = rows.filter((r) => !onlyFailed || r.steps.some((s) => s.state === "failed"));
    for (const r of shown.slice(0, SHOWN)) tbody.append(resultRow(r));
    if (shown.length === 0) tbody.append(h("tr", {}, h("td", { colspan: 4, class: "muted" }, "No rows to show.")));
  };
  toggle.addEventListener("change", () => {
    onlyFailed = toggle.value === "failed";
    draw();
  });
  const save = h("button", { class: "btn", type: "button", id: "import-save-results" }, "Save results (CSV)");
  const saved = h("span", { class: "muted", id: "import-saved" });
  save.addEventListener("click", () =>
    busy(save, "Saving…", async () => {
      try {
        const path = await saveRunResults(runId);
        clear(saved);
        if (path === null) {
          saved.append("Not saved (cancelled).");
          return;
        }
        saved.append(`Saved to ${path} `, copyButton(path, "Copy path"));
      } catch (err) {
        show(saved, problemCard(err));
      }
    }),
  );
  const retry = h("button", { class: "btn btn-primary", type: "button", id: "import-retry" }, "Retry failed rows");
  retry.addEventListener("click", () =>
    busy(retry, "Retrying…", async () => {
      await retryFailedRows(runId);
      renderRun(work, runId, source);
    }),
  );
  const another = h("button", { class: "btn", type: "button", id: "import-another" }, "Import another list");
  another.addEventListener("click", () => renderChooser(work));
  show(
    area,
    h(
      "div",
      { class: "card" },
      h("h2", {}, "Results"),
      h("div", { class: "toolbar" }, toggle, save, saved),
      h("div", { class: "table-wrap" }, h("table", { class: "table" }, h("thead", {}, h("tr", {}, h("th", {}, "Row"), h("th", {}, "Guest"), h("th", {}, "Steps"), h("th", {}, "Reason"))), tbody)),
      h("div", { class: "actions" }, final.failed > 0 || final.left > 0 ? retry : null, another),
    ),
  );
  if (final.failed === 0 && final.left === 0) retry.remove();
  draw();
}

function resultRow(r: RunRow): HTMLElement {
  const failed = r.steps.find((s) => s.state === "failed");
  return h(
    "tr",
    { class: failed ? "row-error" : "" },
    h("td", { class: "mono" }, String(r.rowNo)),
    h("td", {}, r.email),
    h("td", { class: "small" }, ...r.steps.map((s) => h("span", { class: `pill pill-${s.state === "failed" ? "failed" : s.state === "done" ? "succeeded" : s.state === "unchanged" ? "unchanged" : "would"}`, title: s.summary ?? "" }, `${s.kind}${s.target ? ` ${s.target}` : ""}: ${STEP_WORDS[s.state]}`))),
    h("td", { class: "small" }, failed?.summary ?? "", failed?.requestId ? h("div", { class: "muted mono small" }, `request-id ${failed.requestId}`) : null),
  );
}
