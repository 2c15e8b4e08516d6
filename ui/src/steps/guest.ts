// Picks the guest a step acts on: the one just invited, or any address typed in.
import { guestSummary, type GuestSummary } from "../backend";
import { busy, field, problemCard, show } from "../components";
import { h } from "../dom";
import type { Wizard } from "../screens/wizard";

export function guestPicker(wizard: Wizard, onLoaded: (g: GuestSummary) => void): HTMLElement {
  const email = h("input", { id: "guestEmail", type: "email", autocomplete: "off", placeholder: "guest@partner.com", value: wizard.guest.email });
  const load = h("button", { class: "btn", type: "button", id: "guest-load" }, "Load");
  const status = h("div", { id: "guest-status" });
  const run = () =>
    busy(load, "Loading…", async () => {
      try {
        const sameAsWizard = email.value.trim().toLowerCase() === wizard.guest.email.toLowerCase();
        const g = await guestSummary({ email: email.value, userId: sameAsWizard ? wizard.guest.userId : null });
        wizard.guest.email = g.email;
        wizard.guest.userId = g.userId;
        show(status);
        onLoaded(g);
      } catch (err) {
        show(status, problemCard(err));
      }
    });
  load.addEventListener("click", () => void run());
  email.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      void run();
    }
  });
  if (wizard.guest.email) queueMicrotask(() => void run());
  return h("div", {}, h("div", { class: "picker-row" }, field("guestEmail", "Guest", email), load), status);
}
