// The onboarding wizard: a visible stepper over the six steps, in the order Microsoft needs.
import { ONBOARDING_ORDER, type ConnectionInfo } from "../backend";
import { clear, h } from "../dom";
import { renderAccess } from "../steps/access";
import { renderCheck } from "../steps/check";
import { renderGoogle } from "../steps/google";
import { renderProfile } from "../steps/profile";
import { renderSettings } from "../steps/settings";
import { renderInvite } from "./invite";

export type StepId = "settings" | "google" | "invite" | "profile" | "access" | "check";

/** What the steps share: the tenant, the guest being onboarded, and what they were given. */
export interface Wizard {
  connection: ConnectionInfo | null;
  guest: { email: string; userId: string | null };
  /** What the Access step gave this guest, so Check can verify exactly that. */
  expect: { license: string | null; groups: string[]; environment: string | null; role: string | null };
  go(step: StepId): void;
  openHistory(): void;
}

/** The guest's screens, each with the first onboarding step it runs. */
const GUEST_SCREENS: { id: StepId; title: string; runs: string }[] = [
  { id: "invite", title: "Invite", runs: "invite" },
  { id: "profile", title: "Profile", runs: "profile" },
  { id: "access", title: "Access", runs: "license" },
];

/** Tenant set-up first, then the guest's screens in the engine's onboarding order, then Check. */
const STEPS: { id: StepId; title: string }[] = [
  { id: "settings", title: "Collaboration settings" },
  { id: "google", title: "Google sign-in" },
  ...[...GUEST_SCREENS].sort((a, b) => ONBOARDING_ORDER.indexOf(a.runs) - ONBOARDING_ORDER.indexOf(b.runs)),
  { id: "check", title: "Check" },
];

let current: StepId = "settings";
const guest = { email: "", userId: null as string | null };
const expect = { license: null as string | null, groups: [] as string[], environment: null as string | null, role: null as string | null };

export function renderWizard(root: HTMLElement, connection: ConnectionInfo | null, openHistory: () => void): void {
  const stepper = h("ol", { class: "stepper", id: "stepper", "aria-label": "Onboarding steps" });
  const body = h("div", { class: "step-body", id: "step-body" });
  const footer = h("div", { class: "step-footer" });
  root.append(stepper, body, footer);

  const wizard: Wizard = { connection, guest, expect, go, openHistory };

  function go(step: StepId): void {
    current = step;
    clear(stepper);
    STEPS.forEach((s, i) => {
      const state = s.id === current ? "current" : STEPS.findIndex((x) => x.id === current) > i ? "before" : "after";
      const b = h("button", { type: "button", class: `step step-${state}`, id: `step-${s.id}`, "aria-current": s.id === current ? "step" : "false" }, h("span", { class: "step-num" }, String(i + 1)), h("span", { class: "step-title" }, s.title));
      b.addEventListener("click", () => go(s.id));
      stepper.append(h("li", {}, b));
    });
    clear(body);
    if (step === "settings") void renderSettings(body, wizard);
    if (step === "google") void renderGoogle(body, wizard);
    if (step === "invite")
      renderInvite(body, connection, openHistory, (o) => {
        if (o.email.toLowerCase() !== guest.email.toLowerCase()) Object.assign(expect, { license: null, groups: [], environment: null, role: null });
        guest.email = o.email;
        guest.userId = o.userId || null;
      });
    if (step === "profile") void renderProfile(body, wizard);
    if (step === "access") void renderAccess(body, wizard);
    if (step === "check") void renderCheck(body, wizard);
    // Keyboard and screen-reader users land on the new step's heading, not on nothing.
    const heading = body.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }

    clear(footer);
    const i = STEPS.findIndex((s) => s.id === step);
    if (i > 0) footer.append(h("button", { class: "btn", type: "button", id: "wizard-back", onclick: () => go(STEPS[i - 1].id) }, `← ${STEPS[i - 1].title}`));
    footer.append(h("span", { class: "spacer" }));
    if (i < STEPS.length - 1)
      footer.append(h("button", { class: "btn btn-next", type: "button", id: "wizard-next", onclick: () => go(STEPS[i + 1].id) }, `Next: ${STEPS[i + 1].title} →`));
  }

  go(current);
}
