// Pieces several screens share: problem and outcome cards, busy buttons.
import { isProblem, type Problem, type StepOutcome } from "./backend";
import { clear, copyButton, h } from "./dom";

const PROBLEM_TITLES: Record<Problem["kind"], string> = {
  invalid: "Please check the form",
  microsoft: "Microsoft refused the change",
  throttled: "Microsoft is busy — slow down",
  signIn: "Sign-in problem",
  network: "Microsoft could not be reached",
  unavailable: "Microsoft's service failed for a moment",
  local: "Guestpass's history database failed",
  computer: "A problem on this computer",
  internal: "Guestpass went wrong",
  cancelled: "Stopped",
};

/** Marks the named fields of a form and returns a card saying what went wrong and what to do. */
export function problemCard(err: unknown): HTMLElement {
  if (!isProblem(err)) {
    return h("div", { class: "card result result-error" }, h("h2", {}, "Something went wrong"), h("p", {}, String(err)));
  }
  for (const f of err.fields) setFieldError(f.field, f.message);
  const tone = err.kind === "cancelled" ? "" : " result-error";
  return h(
    "div",
    { class: `card result${tone} problem` },
    h("h2", {}, PROBLEM_TITLES[err.kind]),
    h("p", { class: "problem-message" }, err.message),
    h("p", { class: "hint" }, h("strong", {}, "What to do: "), err.hint),
    err.code ? h("p", { class: "muted" }, "Microsoft's code: ", h("span", { class: "mono" }, err.code)) : null,
    err.requestId ? h("p", { class: "muted" }, "Request-id: ", h("span", { class: "mono" }, err.requestId), " ", copyButton(err.requestId)) : null,
  );
}

export function setFieldError(id: string, message: string | null): void {
  const el = document.getElementById(`error-${id}`);
  const wrap = document.getElementById(`field-${id}`);
  if (el) el.textContent = message ?? "";
  wrap?.classList.toggle("invalid", Boolean(message));
  // Screen readers announce the field as invalid, and read its error with it.
  const input = document.getElementById(id);
  if (message) input?.setAttribute("aria-invalid", "true");
  else input?.removeAttribute("aria-invalid");
}

/** A labelled form field with help text and a place for its error. */
export function field(id: string, label: string, input: HTMLElement, help?: string): HTMLElement {
  // The help and the error are the input's description.
  input.setAttribute("aria-describedby", [help ? `help-${id}` : null, `error-${id}`].filter(Boolean).join(" "));
  return h(
    "div",
    { class: "field", id: `field-${id}` },
    h("label", { for: id }, label),
    input,
    help ? h("div", { class: "help", id: `help-${id}` }, help) : null,
    h("div", { class: "field-error", id: `error-${id}`, role: "alert" }),
  );
}

const STATUS_LABEL: Record<StepOutcome["status"], string> = { changed: "done", unchanged: "already so", wouldChange: "would change" };

/** The outcomes of one or more steps, each with its request-id. */
export function outcomeCard(title: string, outcomes: StepOutcome[]): HTMLElement {
  const changed = outcomes.some((o) => o.status === "changed");
  return h(
    "div",
    { class: `card result ${changed ? "result-ok" : "result-info"} outcome` },
    h("h2", {}, title),
    h(
      "ul",
      { class: "outcomes" },
      ...outcomes.map((o) =>
        h(
          "li",
          {},
          h("span", { class: `pill pill-${o.status}` }, STATUS_LABEL[o.status]),
          " ",
          o.summary,
          o.requestId ? h("div", { class: "muted small" }, "Request-id ", h("span", { class: "mono" }, o.requestId), copyButton(o.requestId)) : null,
        ),
      ),
    ),
  );
}

/** Runs `work` with the button disabled and relabelled, then restores it. */
export async function busy<T>(button: HTMLButtonElement, label: string, work: () => Promise<T>): Promise<T> {
  const original = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.textContent = original;
  }
}

/** Replaces a container's content. */
export function show(container: HTMLElement, ...nodes: (Node | null)[]): void {
  clear(container);
  for (const n of nodes) if (n) container.append(n);
}

/**
 * Preview, then apply: runs `change(true)` (a dry run) and shows what would change with a
 * Confirm button; Confirm runs `change(false)` and shows the outcome. Nothing to change: says so.
 * A change of several steps (e.g. a location, then a policy using it) previews each.
 */
export function previewThenApply(
  result: HTMLElement,
  title: string,
  change: (preview: boolean) => Promise<StepOutcome | StepOutcome[]>,
  done?: (o: StepOutcome) => Promise<void> | void,
): Promise<void> {
  const steps = (o: StepOutcome | StepOutcome[]) => (Array.isArray(o) ? o : [o]);
  return (async () => {
    try {
      const plan = steps(await change(true));
      if (!plan.some((p) => p.status === "wouldChange")) {
        // Nothing to change: run it for real anyway, so History records that it was checked.
        show(result, outcomeCard(title, steps(await change(false))));
        return;
      }
      const confirm = h("button", { class: "btn btn-primary", type: "button", id: "confirm-apply" }, "Confirm and apply");
      const cancel = h("button", { class: "btn", type: "button", id: "confirm-cancel" }, "Cancel");
      const summary = h("div", { id: "preview-summary" }, ...plan.map((p) => h("p", {}, p.summary)));
      show(result, h("div", { class: "card result result-info preview" }, h("h2", {}, `${title}: preview`), summary, h("div", { class: "actions" }, confirm, cancel)));
      cancel.addEventListener("click", () => show(result));
      confirm.addEventListener("click", () =>
        busy(confirm, "Applying…", async () => {
          try {
            const out = steps(await change(false));
            show(result, outcomeCard(title, out));
            await done?.(out[out.length - 1]);
          } catch (err) {
            show(result, problemCard(err));
          }
        }),
      );
    } catch (err) {
      show(result, problemCard(err));
    }
  })();
}

/** A group of radio buttons in a fieldset, its question as the legend (read with each choice). */
export function radios<T extends string>(name: string, legend: string, options: [T, string, string?][], selected: T): HTMLElement {
  return h(
    "fieldset",
    { class: "field radios", id: `field-${name}` },
    h("legend", {}, legend),
    ...options.map(([value, label, help]) =>
      h(
        "label",
        { class: "radio" },
        h("input", { type: "radio", name, value, checked: value === selected, id: `${name}-${value}` }),
        h("span", {}, h("strong", {}, label), help ? h("span", { class: "help" }, ` — ${help}`) : null),
      ),
    ),
  );
}
