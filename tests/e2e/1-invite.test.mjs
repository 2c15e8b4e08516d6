// End-to-end: the real Guestpass window on the embedded sandbox tenant, driven over WebDriver.
// Invites a guest, then finds the change in History. run.sh gives it a fresh data folder
// (empty history, newly seeded sandbox). Screenshots go to tests/e2e/screenshots/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Key } from "selenium-webdriver";
import { appWindow, By, until } from "./helpers.mjs";

const app = appWindow();
const { byId, clickLast, screenshot, waitText } = app;


test("the window says it is on the sandbox tenant", async () => {
  const banner = await byId("banner");
  await app.driver.wait(until.elementTextContains(banner, "Sandbox tenant"), 20_000);
  assert.match(await banner.getText(), /Nothing leaves this computer/);
});

test("a bad address is refused before anything is sent", async () => {
  await (await byId("step-invite")).click();
  await (await byId("email")).sendKeys("jane#doe@partner.example");
  await (await byId("invite-submit")).click();
  const error = await byId("error-email");
  await app.driver.wait(until.elementTextContains(error, "'#'"), 5_000);
  await screenshot("01-invite-invalid-email");
  await (await byId("email")).clear();
});

test("inviting a guest shows the result", async () => {
  await (await byId("email")).sendKeys("jane.doe@partner.example");
  await (await byId("displayName")).sendKeys("Jane Doe");
  await (await byId("invite-submit")).click();
  // A preview first: they are not in the tenant, so they would be invited.
  await app.driver.wait(until.elementTextContains(await byId("preview-summary"), "Would invite jane.doe@partner.example"), 30_000);
  await (await byId("confirm-apply")).click();
  const summary = await byId("outcome-summary");
  await app.driver.wait(until.elementTextContains(summary, "Invited jane.doe@partner.example"), 30_000);
  await screenshot("02-invite-done");
});

test("inviting the same person again changes nothing", async () => {
  await (await byId("email")).sendKeys("JANE.DOE@partner.example");
  await (await byId("invite-submit")).click();
  await app.driver.wait(until.elementTextContains(await byId("outcome"), "Already a guest"), 30_000);
});

test("History lists the change with its request-id", async () => {
  await (await byId("nav-history")).click();
  // The invitation and the no-change re-run (the list fills in once its page arrives).
  await app.driver.wait(async () => (await app.driver.findElements(By.css("#history-table tbody tr.row"))).length === 2, 10_000);
  const table = await byId("history-table");
  const rows = await table.findElements(By.css("tbody tr.row"));
  const text = await table.getText();
  assert.match(text, /jane\.doe@partner\.example/);
  assert.match(text, /succeeded/);
  assert.match(text, /unchanged/);
  assert.match(text, /Invite guest/);
  assert.match(text, /Northwind Traders \(sandbox\)/, "the tenant, by name");
  // The successful row carries Graph's request-id (a GUID, shortened on screen, whole on hover).
  const requestId = await rows[1].findElement(By.css(".id-short")).getAttribute("title");
  assert.match(requestId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  await (await byId("history-search")).sendKeys("nobody-matches-this");
  await waitText("history-count", "0 matching changes", 5_000);
  await (await byId("history-search")).sendKeys(Key.chord(Key.CONTROL, "a"), Key.BACK_SPACE);
  await app.driver.wait(until.elementTextIs(await byId("history-count"), "2 changes"), 5_000);
  await screenshot("03-history");
});

test("a guest who has not accepted can be sent a new invitation", async () => {
  await (await byId("nav-onboard")).click();
  await clickLast("#step-invite");
  await waitText("invite-result", "");
  await (await byId("email")).sendKeys("jane.doe@partner.example");
  await clickLast("#invite-submit");
  await waitText("outcome", "Already a guest");
  await clickLast("#resend-invitation");
  await waitText("resend-preview", "Would send jane.doe@partner.example a new invitation");
  await screenshot("04-invite-resend-preview");
  await clickLast("#confirm-resend");
  await waitText("outcome", "New invitation sent");
  const link = await app.driver.findElement(By.css("#outcome .redeem input"));
  assert.match(await link.getAttribute("value"), /^https:\/\//, "the new link is shown");
  await screenshot("05-invite-resent");
  await (await byId("nav-history")).click();
  await waitText("history-table", "Resend invitation");
  await screenshot("06-history-resend");
});
