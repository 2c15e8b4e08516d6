// Step 6: the readiness card — what is in place, what is missing, the fix, and the link to send.
import { checkGuest, type Readiness } from "../backend";
import { busy, field, problemCard, show } from "../components";
import { copyButton, h } from "../dom";
import type { StepId, Wizard } from "../screens/wizard";

const FIX_STEP: Record<string, StepId> = {
  invite: "invite",
  profile: "profile",
  license: "access",
  groups: "access",
  access: "access",
  settings: "settings",
  google: "google",
};

export async function renderCheck(root: HTMLElement, wizard: Wizard): Promise<void> {
  root.append(
    h("h1", {}, "Check and notify"),
    h("p", { class: "lead" }, "Everything a guest needs to get in, checked against the tenant now. Red items say why and take you to the step that fixes them."),
  );
  const email = h("input", { id: "checkEmail", type: "email", autocomplete: "off", value: wizard.guest.email, placeholder: "guest@partner.com" });
  const run = h("button", { class: "btn btn-primary", type: "button", id: "check-run" }, "Check");
  const out = h("div", { id: "check-result" });
  const go = () =>
    busy(run, "Checking…", async () => {
      try {
        const same = email.value.trim().toLowerCase() === wizard.guest.email.toLowerCase();
        const e = same ? wizard.expect : { license: null, groups: [], environment: null, role: null };
        show(out, card(await checkGuest({ email: email.value, ...e }), wizard));
      } catch (err) {
        show(out, problemCard(err));
      }
    });
  run.addEventListener("click", () => void go());
  root.append(h("div", { class: "card form narrow" }, h("div", { class: "picker-row" }, field("checkEmail", "Guest", email), run)), out);
  if (wizard.guest.email) void go();
}

function card(r: Readiness, wizard: Wizard): HTMLElement {
  return h(
    "div",
    { class: `card readiness ${r.ready ? "result-ok" : "result-info"}`, id: "readiness" },
    h("h2", {}, r.ready ? `${r.email} is ready` : `${r.email} is not ready yet`),
    checklist(r, (fix) => wizard.go(fix)),
    h("div", { class: "redeem" }, h("div", { class: "help" }, "Send the guest this sign-in link (it opens My Apps in your tenant):"), h("div", { class: "redeem-row" }, h("input", { class: "mono", readonly: true, value: r.signInLink, "aria-label": "Sign-in link" }), copyButton(r.signInLink))),
  );
}

/** The readiness items as a list; with `onFix`, red items get a Fix button. */
export function checklist(r: Readiness, onFix?: (step: StepId) => void): HTMLElement {
  return h(
    "ul",
    { class: "checklist" },
    ...r.items.map((i) => {
      const fix = i.fix && FIX_STEP[i.fix];
      return h(
        "li",
        { class: i.ok ? "ok" : "todo" },
        h("span", { class: "mark", role: "img", "aria-label": i.ok ? "in place" : "missing" }, i.ok ? "✓" : "✕"),
        h("div", {}, h("strong", {}, i.label), h("div", { class: "help" }, i.detail)),
        fix && onFix ? h("button", { class: "btn btn-small", type: "button", onclick: () => onFix(fix) }, "Fix") : null,
      );
    }),
  );
}
