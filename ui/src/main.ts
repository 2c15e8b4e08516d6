import { connectionInfo, isProblem, useSandbox, type ConnectionInfo } from "./backend";
import { clear, h } from "./dom";
import { renderConnection } from "./screens/connection";
import { renderGuests } from "./screens/guests";
import { renderHistory } from "./screens/history";
import { renderImport } from "./screens/import";
import { renderPartners } from "./screens/partners";
import { renderProtect } from "./screens/protect";
import { renderWizard } from "./screens/wizard";

type Screen = "onboard" | "import" | "guests" | "partners" | "protect" | "history" | "connection";

const screenEl = document.getElementById("screen")!;
const bannerEl = document.getElementById("banner")!;
const footEl = document.getElementById("tenant-foot")!;
let connection: ConnectionInfo | null = null;

function show(screen: Screen): void {
  document.querySelectorAll<HTMLButtonElement>(".nav-item").forEach((b) => {
    b.classList.toggle("active", b.dataset.screen === screen);
    b.setAttribute("aria-current", b.dataset.screen === screen ? "page" : "false");
  });
  clear(screenEl);
  if (screen === "onboard") renderWizard(screenEl, connection, () => show("history"));
  if (screen === "import") renderImport(screenEl, connection);
  if (screen === "guests") renderGuests(screenEl, connection);
  if (screen === "partners") renderPartners(screenEl, connection);
  if (screen === "protect") renderProtect(screenEl, connection);
  if (screen === "history") void renderHistory(screenEl, connection);
  if (screen === "connection")
    renderConnection(screenEl, connection, (info) => {
      connection = info;
      renderBanner(info);
      show("connection");
    });
}

function renderBanner(info: ConnectionInfo): void {
  clear(bannerEl);
  clear(footEl);
  if (info.mode === "sandbox") {
    bannerEl.className = "banner banner-sandbox";
    bannerEl.append(
      h("strong", {}, "Sandbox tenant"),
      ` — you are working in ${info.tenantName}, a practice tenant built into Guestpass. Nothing leaves this computer and no e-mail is sent.`,
    );
  } else {
    bannerEl.className = "banner banner-live";
    bannerEl.append(h("strong", {}, "Live tenant"), ` — changes go to ${info.tenantName} (${info.initialDomain}).`);
  }
  footEl.append(h("div", { class: "foot-label" }, "Connected to"), h("div", { class: "foot-value" }, info.tenantName));
}

async function connect(): Promise<void> {
  bannerEl.className = "banner";
  bannerEl.textContent = "Connecting to the tenant…";
  try {
    connection = await connectionInfo();
    renderBanner(connection);
  } catch (err) {
    bannerEl.className = "banner banner-error";
    clear(bannerEl);
    const retry = h("button", { class: "btn btn-small", type: "button", id: "connect-retry" }, "Try again");
    retry.addEventListener("click", () => void connect().then(() => show("onboard")));
    // A tenant that cannot be reached (or whose sign-in ended) must not lock the admin out.
    const sandbox = h("button", { class: "btn btn-small", type: "button", id: "connect-sandbox" }, "Use the sandbox tenant");
    sandbox.addEventListener("click", () =>
      void useSandbox()
        .then((info) => {
          connection = info;
          renderBanner(info);
          show("onboard");
        })
        .catch(() => void connect()),
    );
    if (isProblem(err)) bannerEl.append(h("strong", {}, "Not connected. "), err.message, " ", err.hint, " ", retry, sandbox);
    else bannerEl.append(`Not connected: ${String(err)} `, retry, sandbox);
  }
}

async function start(): Promise<void> {
  document.querySelectorAll<HTMLButtonElement>(".nav-item").forEach((b) =>
    b.addEventListener("click", () => show(b.dataset.screen as Screen)),
  );
  await connect();
  show("onboard");
}

void start();
