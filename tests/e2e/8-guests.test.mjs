// End-to-end: the Guests screen. Every guest with state and last sign-in; the seeded Fabrikam
// guest who went quiet is stale, the one who never accepted is stuck; search, filter, sort,
// and Save as CSV through the Save dialog.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Key } from "selenium-webdriver";
import { answerDialog, appWindow, By } from "./helpers.mjs";

const app = appWindow();
const { byId, screenshot, waitText } = app;

test("every guest is listed, the quiet one stale and the unaccepted one stuck", async () => {
  await waitText("banner", "Sandbox tenant", 60_000);
  await (await byId("nav-guests")).click();
  await waitText("guests-summary", "guests:", 60_000);
  const rows = await waitText("guests-rows", "ana.souza@fabrikam.example");
  const text = await rows.getText();
  assert.match(text, /ana\.souza@fabrikam\.example[\s\S]*stale/);
  assert.match(text, /li\.wei@contoso-partners\.example[\s\S]*pending too long/);
  await screenshot("70-guests");
});

test("the list is searched, filtered, sorted and saved as CSV", async () => {
  await (await byId("guests-filter")).findElement(By.css("option[value='stale']")).click();
  await waitText("guests-shown", "1 of");
  assert.doesNotMatch(await (await byId("guests-rows")).getText(), /li\.wei/);
  await (await byId("guests-filter")).findElement(By.css("option[value='all']")).click();
  await (await byId("guests-search")).sendKeys("contoso");
  await waitText("guests-shown", "1 of");
  await (await byId("guests-search")).sendKeys(Key.chord(Key.CONTROL, "a"), Key.BACK_SPACE);
  await (await byId("guests-sort-lastSignIn")).click();
  const th = await app.driver.findElement(By.css("th[data-key='lastSignIn']"));
  assert.equal(await th.getAttribute("aria-sort"), "descending");
  answerDialog(process.env.GUESTPASS_E2E_WORK);
  await (await byId("guests-save")).click();
  await waitText("guests-saved", "guestpass-guests.csv");
  const saved = readFileSync(join(process.env.GUESTPASS_E2E_WORK, "guestpass-guests.csv"), "utf8");
  assert.match(saved, /^email,display name,state/);
  assert.match(saved, /ana\.souza@fabrikam\.example/);
});

test("the stale guest is blocked with a preview, and then restored after a removal", async () => {
  await (await byId("guests-filter")).findElement(By.css("option[value='stale']")).click();
  await waitText("guests-shown", "1 of");
  await (await byId("guests-select-all")).click();
  await waitText("guests-chosen", "1 selected");
  await (await byId("guests-block")).click();
  await waitText("guests-bulk-preview", "Would block ana.souza@fabrikam.example's sign-in.", 30_000);
  await screenshot("71-guests-block-preview");
  await (await byId("guests-confirm")).click();
  await waitText("guests-bulk-done", "is blocked from signing in", 60_000);
  await waitText("guests-summary", "1 blocked", 60_000);
  // Removed, then brought back with the restore form.
  await (await byId("guests-filter")).findElement(By.css("option[value='blocked']")).click();
  await (await byId("guests-select-all")).click();
  await (await byId("guests-remove")).click();
  await waitText("guests-bulk-preview", "Would remove ana.souza@fabrikam.example", 30_000);
  await (await byId("guests-confirm")).click();
  await waitText("guests-bulk-done", "restorable for 30 days", 60_000);
  await (await byId("restore-email")).sendKeys("ana.souza@fabrikam.example", Key.ENTER);
  await waitText("guests-bulk-preview", "Would restore ana.souza@fabrikam.example", 30_000);
  await (await byId("guests-confirm")).click();
  await waitText("guests-bulk-done", "Restored ana.souza@fabrikam.example", 60_000);
  await waitText("guests-rows", "ana.souza@fabrikam.example", 60_000);
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("guests-table"));
  await screenshot("72-guests-restored");
});

test("a quarterly access review of a group's guests is previewed, made and listed", async () => {
  await waitText("reviews-list", "No access reviews yet", 60_000);
  const groups = await byId("review-groups");
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", groups);
  await groups.sendKeys("Partner portal users");
  await (await byId("review-fallback")).sendKeys("megan.bowen@northwind.example");
  await (await byId("review-create")).click();
  await waitText("review-result", "every 3 month(s) by the group's owners", 60_000);
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("reviews"));
  await screenshot("75-guests-review-preview");
  await (await byId("confirm-apply")).click();
  await waitText("review-result", "Created \"Guests of Partner portal users\"", 60_000);
  await waitText("reviews-list", "guests of Partner portal users, every 3 months", 60_000);
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("reviews"));
  await screenshot("76-guests-review-made");
});

test("a partner's guests are off-boarded after a preview, and the evidence saved", async () => {
  const domain = await byId("offboard-domain");
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", domain);
  await domain.sendKeys("contoso-partners.example", Key.ENTER);
  await waitText("offboard-preview", "li.wei@contoso-partners.example", 60_000);
  await waitText("offboard-preview", "remove the accounts 30 days later");
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("offboard"));
  await screenshot("77-guests-offboard-preview");
  await (await byId("offboard-confirm")).click();
  await waitText("offboard-done", "Off-boarded", 90_000);
  await waitText("offboard-done", "Removal due on");
  answerDialog(process.env.GUESTPASS_E2E_WORK);
  await (await byId("offboard-evidence")).click();
  await waitText("offboard-saved", "evidence.json", 30_000);
  const files = readdirSync(process.env.GUESTPASS_E2E_WORK).filter((f) => f.startsWith("guestpass-offboarding-"));
  const evidence = JSON.parse(readFileSync(join(process.env.GUESTPASS_E2E_WORK, files[0]), "utf8"));
  assert.equal(evidence.kind, "guestpass-offboarding-evidence");
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("offboard-done"));
  await screenshot("78-guests-offboarded");
});

test("Microsoft's logs are copied here and shown on the guest's History timeline", async () => {
  const pull = await byId("evidence-pull");
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'center' })", pull);
  await pull.click();
  await waitText("evidence-report", "events from Microsoft kept on this computer", 90_000);
  assert.match(await (await byId("evidence-report")).getText(), /events about guests, \d+ new here/);
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("evidence"));
  await screenshot("73-guests-evidence");

  await (await byId("nav-history")).click();
  await (await byId("history-search")).sendKeys("ana.souza");
  await waitText("history-count", "matching change");
  // The list redraws after the search: click a row only once it is one of Ana's.
  const firstTarget = "#history-table tbody tr.row td.target";
  await app.driver.wait(async () => {
    try {
      const cell = await app.driver.findElement(By.css(firstTarget));
      if (!(await cell.getText()).includes("ana.souza")) return false;
      await cell.click();
      return true;
    } catch {
      return false;
    }
  }, 30_000, "no row of Ana's to open");
  await (await byId("history-timeline")).click();
  await waitText("timeline-microsoft", "Disable account", 60_000);
  await waitText("timeline-microsoft", "Restore user");
  assert.match(await (await byId("timeline-microsoft")).getText(), /Directory_/);
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("timeline-microsoft"));
  await screenshot("74-history-microsoft-events");
});
