// End-to-end: Guestpass behaves like a desktop app. A second launch hands over to the running
// window and ends; the log file records the session (and never a secret); the Tenant page
// says where the log is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Key } from "selenium-webdriver";
import { appWindow } from "./helpers.mjs";

const app = appWindow();
const { byId, screenshot, waitText } = app;
const work = process.env.GUESTPASS_E2E_WORK;
const logs = join(work, "xdg-data", "app.guestpass.desktop", "logs");

test("a second launch hands over to the running window and ends", async () => {
  await waitText("banner", "Sandbox tenant", 60_000);
  const second = spawn(process.env.GUESTPASS_APP, [], { env: process.env, stdio: "ignore" });
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      second.kill("SIGKILL");
      reject(new Error("the second launch did not end within 20 s"));
    }, 20_000);
    second.on("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, 0);
  // The first window still answers.
  await (await byId("nav-connection")).click();
  await waitText("tenant-support", "For support");
});

test("the log file records the session and no secret", async () => {
  await waitText("log-folder", "app.guestpass.desktop");
  assert.ok(existsSync(logs), `no log folder at ${logs}`);
  const text = readdirSync(logs)
    .map((f) => readFileSync(join(logs, f), "utf8"))
    .join("\n");
  assert.match(text, /Guestpass started/);
  assert.match(text, /a second launch: showing this window instead/);
  const secrets = ["GOCSPX-e2e-secret", "sandbox-only-not-a-secret"];
  const az = join(work, "az-token.json");
  if (existsSync(az)) secrets.push(JSON.parse(readFileSync(az, "utf8")).accessToken);
  for (const s of secrets.filter(Boolean)) assert.ok(!text.includes(s), `a secret reached the log: ${s.slice(0, 12)}…`);
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("tenant-support"));
  await screenshot("50-tenant-support-log");
});

test("keyboard: each wizard step's heading takes the focus, and a field names its help and error", async () => {
  await (await byId("nav-onboard")).click();
  await (await byId("wizard-next")).click();
  await waitText("clientId", "");
  const focused = await app.driver.executeScript("return [document.activeElement.tagName, document.activeElement.textContent]");
  assert.deepEqual(focused, ["H1", "Google sign-in for Gmail guests"]);
  const described = await (await byId("clientId")).getAttribute("aria-describedby");
  assert.match(described, /error-clientId/);
});

test("keyboard: History's rows are reached with Tab and arrows, Enter opens one, Tab reaches Undo", async () => {
  await (await byId("nav-history")).click();
  await waitText("history-count", "change");
  const active = () => app.driver.executeScript("const a = document.activeElement; return [a.tagName, a.id, a.dataset.seq || '']");
  // Tab from the search field's row of controls until a row of the table has the focus.
  await (await byId("history-export-json")).click();
  for (let i = 0; i < 10 && (await active())[0] !== "TR"; i++) await app.driver.actions().sendKeys(Key.TAB).perform();
  const [tag, , first] = await active();
  assert.equal(tag, "TR", "a row takes the Tab key");
  await app.driver.actions().sendKeys(Key.ARROW_DOWN).perform();
  const [, , second] = await active();
  assert.notEqual(second, first, "the arrow moved to the next row");
  await app.driver.actions().sendKeys(Key.ENTER).perform();
  await waitText("history-detail", "Row");
  for (let i = 0; i < 15 && (await active())[1] !== "history-undo"; i++) await app.driver.actions().sendKeys(Key.TAB).perform();
  assert.equal((await active())[1], "history-undo", "Undo is reachable with Tab");
});

test("keyboard only: the whole wizard is walked with Tab and Enter, each step's heading taking the focus", async () => {
  const active = () => app.driver.executeScript("const a = document.activeElement; return [a.tagName, a.id, a.textContent.trim()]");
  const tabTo = async (id, most = 80) => {
    for (let i = 0; i < most && (await active())[1] !== id; i++) await app.driver.actions().sendKeys(Key.TAB).perform();
    assert.equal((await active())[1], id, `Tab never reached #${id}`);
  };
  await app.driver.executeScript("document.activeElement.blur(); window.scrollTo(0, 0)");
  await tabTo("nav-onboard");
  await app.driver.actions().sendKeys(Key.ENTER).perform();
  // The wizard reopens on the step last shown: start from the first through the stepper.
  await tabTo("step-settings");
  await app.driver.actions().sendKeys(Key.ENTER).perform();
  const headings = [];
  for (;;) {
    await app.driver.wait(async () => (await active())[0] === "H1", 10_000, "the step's heading never took the focus");
    headings.push((await active())[2]);
    const next = await app.driver.findElements({ id: "wizard-next" });
    if (next.length === 0) break;
    await tabTo("wizard-next");
    await app.driver.actions().sendKeys(Key.ENTER).perform();
  }
  assert.deepEqual(headings, [
    "External collaboration settings",
    "Google sign-in for Gmail guests",
    "Invite a guest",
    "Profile",
    "Access",
    "Check and notify",
  ]);
});
