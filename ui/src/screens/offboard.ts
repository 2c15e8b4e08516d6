// A partner's project ends: the partner's guests (by the domain of their addresses) and what
// they hold, then — after the admin confirms — a resumable run that takes their groups and
// licences, blocks them and removes their accounts when due, and an evidence file to keep.
import { cancelImport, offboardingPlan, runImport, runRows, saveOffboardingEvidence, startOffboarding, type OffboardPlan, type RunProgress, type RunRow } from "../backend";
import { busy, field, problemCard, setFieldError, show } from "../components";
import { h } from "../dom";

export function offboardCard(): HTMLElement {
  const domain = h("input", { id: "offboard-domain", type: "text", autocomplete: "off", placeholder: "contoso.com" }) as HTMLInputElement;
  const when = h(
    "select",
    { id: "offboard-delete" },
    h("option", { value: "" }, "Keep the accounts, blocked"),
    h("option", { value: "0" }, "Remove the accounts at once"),
    h("option", { value: "30", selected: true }, "Remove the accounts after 30 days"),
    h("option", { value: "90" }, "Remove the accounts after 90 days"),
  ) as HTMLSelectElement;
  const look = h("button", { class: "btn", type: "submit", id: "offboard-look" }, "Show what they hold");
  const area = h("div", { id: "offboard-area", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "form", id: "offboard-form", novalidate: true },
    h("div", { class: "field-row" }, field("offboard-domain", "The partner's e-mail domain", domain, "The part after @ in their guests' addresses."), field("offboard-delete", "Their accounts", when, "Microsoft keeps a removed account 30 days (restorable).")),
    h("div", { class: "actions" }, look, h("span", { class: "muted" }, "Reads only; changes nothing.")),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const d = domain.value.trim();
    setFieldError("offboard-domain", d.includes(".") ? null : "Give a domain such as contoso.com.");
    if (!d.includes(".")) {
      domain.focus();
      return;
    }
    void busy(look, "Reading…", async () => {
      try {
        showPlan(area, await offboardingPlan(d, when.value === "" ? null : Number(when.value)));
      } catch (err) {
        show(area, problemCard(err));
      }
    });
  });
  return h(
    "div",
    { class: "card", id: "offboard" },
    h("h2", {}, "A partner's project ends"),
    h("p", { class: "muted" }, "Take away everything a partner's guests hold here, block their sign-in and end their sessions — as a run that survives a stop, every step recorded and undoable in History, with an evidence file for your auditor."),
    form,
    area,
  );
}

function showPlan(area: HTMLElement, plan: OffboardPlan): void {
  if (plan.guests.length === 0) {
    show(area, h("p", { id: "offboard-none" }, `No guest of this tenant has an address at ${plan.domain}.`));
    return;
  }
  const removal = plan.deleteAfterDays === null ? "keep the accounts, blocked" : plan.deleteAfterDays === 0 ? "remove the accounts at once" : `remove the accounts ${plan.deleteAfterDays} days later`;
  const rows = plan.guests.map((g) =>
    h(
      "tr",
      {},
      h("td", {}, h("strong", {}, g.email), h("div", { class: "muted" }, g.displayName)),
      h("td", {}, g.groups.map(([, name]) => name).join(", ") || "—"),
      h("td", {}, g.accessPackages.map(([, name]) => name).join(", ") || "—"),
      h("td", {}, g.licenses.map(([, name]) => name).join(", ") || "—"),
      h("td", {}, g.dataverseRoles.map(([, name]) => name).join(", ") || "—"),
      h("td", {}, g.enabled ? "can sign in" : "blocked already"),
    ),
  );
  const go = h("button", { class: "btn btn-danger", type: "button", id: "offboard-confirm" }, `Off-board ${plan.guests.length} guest${plan.guests.length === 1 ? "" : "s"}`);
  const cancel = h("button", { class: "btn", type: "button", id: "offboard-cancel" }, "Cancel");
  cancel.addEventListener("click", () => show(area));
  go.addEventListener("click", () => void busy(go, "Starting…", () => run(area, plan)));
  show(
    area,
    h(
      "div",
      { class: "card result result-info preview", id: "offboard-preview" },
      h("h3", {}, `${plan.guests.length} guest${plan.guests.length === 1 ? "" : "s"} at ${plan.domain}`),
      h("p", {}, `Off-boarding takes each group, access package, Dataverse role and licence below, blocks sign-in and ends their sessions, then will ${removal}.`),
      h("div", { class: "table-wrap" }, h("table", { class: "table", id: "offboard-table" }, h("thead", {}, h("tr", {}, h("th", {}, "Guest"), h("th", {}, "Groups"), h("th", {}, "Access packages"), h("th", {}, "Licences"), h("th", {}, "Dataverse roles"), h("th", {}, "Sign-in"))), h("tbody", {}, ...rows))),
      ...plan.notes.map((n) => h("p", { class: "help" }, n)),
      h("div", { class: "actions" }, go, cancel),
    ),
  );
}

async function run(area: HTMLElement, plan: OffboardPlan): Promise<void> {
  try {
    const runId = await startOffboarding(plan);
    const text = h("p", { id: "offboard-progress", role: "status" }, "Starting…");
    const stop = h("button", { class: "btn", type: "button", id: "offboard-stop" }, "Stop");
    stop.addEventListener("click", () => {
      stop.setAttribute("disabled", "");
      void cancelImport(runId);
    });
    show(area, h("div", { class: "card" }, h("h3", {}, `Off-boarding ${plan.domain}`), text, h("div", { class: "actions" }, stop)));
    const progress = (p: RunProgress) => (text.textContent = `${p.done + p.failed} of ${p.total} guests settled${p.failed ? `, ${p.failed} failed` : ""}…`);
    const end = await runImport(runId, progress);
    showDone(area, runId, end, await runRows(runId));
  } catch (err) {
    show(area, problemCard(err));
  }
}

function showDone(area: HTMLElement, runId: number, end: RunProgress, rows: RunRow[]): void {
  const save = h("button", { class: "btn", type: "button", id: "offboard-evidence" }, "Save the evidence…");
  const saved = h("span", { class: "muted", id: "offboard-saved", role: "status" });
  save.addEventListener("click", () =>
    void busy(save, "Saving…", async () => {
      try {
        const path = await saveOffboardingEvidence(runId);
        saved.textContent = path ? `Saved to ${path}` : "Not saved.";
      } catch (err) {
        saved.replaceChildren(problemCard(err));
      }
    }),
  );
  const steps = (r: RunRow) => h("ul", {}, ...r.steps.map((s) => h("li", {}, h("span", { class: `stat stat-${s.state === "done" || s.state === "unchanged" ? "ok" : s.state === "failed" ? "error" : "warn"}` }, s.state), " ", s.summary ?? s.kind)));
  show(
    area,
    h(
      "div",
      { class: `card result ${end.state === "cancelled" ? "result-info" : "result-ok"}`, id: "offboard-done" },
      h("h3", {}, end.state === "cancelled" ? `Stopped (run #${runId}): look again and confirm to resume it` : `Off-boarded (run #${runId})`),
      ...rows.map((r) => h("div", { class: "offboard-guest" }, h("strong", {}, r.email), steps(r))),
      h("div", { class: "actions" }, save, saved),
    ),
  );
}
