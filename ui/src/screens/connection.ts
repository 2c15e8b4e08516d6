import type { ConnectionInfo } from "../backend";
import { copyButton, h } from "../dom";

export function renderConnection(root: HTMLElement, info: ConnectionInfo | null): void {
  root.append(h("h1", {}, "Tenant"));
  if (!info) {
    root.append(h("p", { class: "muted" }, "Guestpass is not connected to a tenant. See the message above."));
    return;
  }
  const row = (label: string, value: string, copy = false) =>
    h("div", { class: "kv-row" }, h("dt", {}, label), h("dd", {}, h("span", { class: "mono" }, value), copy ? copyButton(value) : null));
  root.append(
    h(
      "p",
      { class: "lead" },
      info.mode === "sandbox"
        ? "This is the sandbox tenant: a practice copy of a small company that behaves like Microsoft Entra (including its errors, throttling and delays) but runs entirely on this computer. Try every step here before you touch a real tenant."
        : "Guestpass is signed in to this Microsoft Entra tenant. Every change it makes is recorded in History.",
    ),
    h(
      "dl",
      { class: "card kv" },
      row("Organisation", info.tenantName),
      row("Tenant id", info.tenantId, true),
      row("Initial domain", info.initialDomain, true),
      row("Kind", info.mode === "sandbox" ? "Sandbox (local, nothing leaves this computer)" : "Microsoft Entra"),
      row("Microsoft Graph", info.graphUrl),
      row("Changes recorded as", info.actor),
      row("History stored in", info.dataDir),
    ),
  );
}
