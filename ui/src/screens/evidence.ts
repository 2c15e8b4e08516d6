// Evidence beyond Microsoft's retention: copies the guest-related events of Microsoft's audit and
// sign-in logs to this computer (each once, from where the last copy ended), and shows what was
// kept about one guest on their History timeline.
import { cancelAuditPull, guestMicrosoftEvents, pullAuditEvents, type MicrosoftEvent, type PullProgress, type PullReport } from "../backend";
import { busy, field, problemCard, show } from "../components";
import { h } from "../dom";

const LOG_NAMES = { directoryAudit: "directory audit log", signIn: "sign-in log" } as const;

/** The Guests screen's card: copy Microsoft's logs now, with progress and Stop. */
export function evidenceCard(): HTMLElement {
  const since = h("input", { id: "evidence-since", type: "date" }) as HTMLInputElement;
  const pull = h("button", { class: "btn", type: "submit", id: "evidence-pull" }, "Copy Microsoft's logs");
  const stop = h("button", { class: "btn", type: "button", id: "evidence-stop", hidden: "" }, "Stop");
  const result = h("div", { id: "evidence-result", role: "status" });
  stop.addEventListener("click", () => {
    stop.setAttribute("disabled", "");
    void cancelAuditPull();
  });
  const form = h(
    "form",
    { class: "card form", id: "evidence" },
    h("h2", {}, "Evidence beyond Microsoft's retention"),
    h(
      "p",
      { class: "muted" },
      "Microsoft keeps audit events for 7 days (30 with Entra ID P1) and sign-ins for 30. Copy what concerns guests — invitations, redemptions, changes, group moves, removals and, with P1, their sign-ins — to this computer. Each event is kept once; the next copy continues where this one ended. History shows them on each guest's timeline and in its exports.",
    ),
    field("evidence-since", "From (optional)", since, "Leave empty to continue from the last copy. Microsoft keeps 30 days at most."),
    h("div", { class: "actions" }, pull, stop),
    result,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void busy(pull, "Copying…", async () => {
      stop.hidden = false;
      stop.removeAttribute("disabled");
      show(result, h("p", {}, "Reading Microsoft's directory audit log…"));
      const progress = (p: PullProgress) => show(result, h("p", {}, `Reading Microsoft's ${LOG_NAMES[p.source]}: ${p.pages} page${p.pages === 1 ? "" : "s"}, ${p.guestEvents} about guests…`));
      try {
        show(result, reportText(await pullAuditEvents(since.value || null, progress)));
      } catch (err) {
        show(result, problemCard(err));
      } finally {
        stop.hidden = true;
      }
    });
  });
  return form;
}

function reportText(r: PullReport): HTMLElement {
  const signIns = r.signIns === "available" ? `${r.signInsRead} guest sign-ins, ${r.signInsNew} new here.` : `Sign-ins: ${r.signIns.replace(/^unavailable: /, "unavailable — ")}`;
  return h(
    "div",
    { class: r.stopped ? "" : "ok-text", id: "evidence-report" },
    h("p", {}, h("strong", {}, `${r.kept} events from Microsoft kept on this computer. `), `Directory audit log since ${new Date(r.since).toLocaleString()}: ${r.directoryAuditsRead} events about guests, ${r.directoryAuditsNew} new here. ${signIns}`),
    r.stopped ? h("p", {}, "Stopped before the end: what was read is kept. Copy again to finish.") : null,
  );
}

/** A guest's events from Microsoft's logs, as kept here, for their History timeline. */
export async function microsoftEventsCard(email: string): Promise<HTMLElement> {
  let events: MicrosoftEvent[];
  try {
    events = await guestMicrosoftEvents(email);
  } catch (err) {
    return problemCard(err);
  }
  const heading = h("h2", {}, `From Microsoft's logs about ${email}`);
  if (events.length === 0) {
    return h("div", { class: "card", id: "timeline-microsoft" }, heading, h("p", { class: "muted" }, "Nothing kept yet. Copy Microsoft's logs on the Guests screen to keep their audit events and sign-ins here."));
  }
  const row = (e: MicrosoftEvent) =>
    h(
      "tr",
      {},
      h("td", {}, new Date(e.at).toLocaleString()),
      h("td", {}, e.activity),
      h("td", {}, e.initiatedBy ?? "—"),
      h("td", {}, e.result ?? "—"),
      h("td", {}, h("code", {}, e.auditId)),
    );
  return h(
    "div",
    { class: "card", id: "timeline-microsoft" },
    heading,
    h("p", { class: "muted" }, `${events.length} event${events.length === 1 ? "" : "s"} copied from Microsoft's ${[...new Set(events.map((e) => LOG_NAMES[e.source]))].join(" and ")}, oldest first like the timeline. The audit id is Microsoft's own.`),
    h(
      "div",
      { class: "table-wrap" },
      h("table", { class: "table", id: "timeline-microsoft-table" }, h("thead", {}, h("tr", {}, h("th", {}, "When"), h("th", {}, "What"), h("th", {}, "By"), h("th", {}, "Result"), h("th", {}, "Microsoft's audit id"))), h("tbody", {}, ...[...events].reverse().map(row))),
    ),
  );
}
