// End-to-end: the Partners screen. Find a partner from its domain (a personal-mail domain is
// refused with the reason), give it its own settings with a preview, see it in the table with
// its guests, then remove them again — every change in History.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Key } from "selenium-webdriver";
import { appWindow, By } from "./helpers.mjs";

const app = appWindow();
const { byId, screenshot, waitText } = app;

test("a personal-mail domain is refused with the reason, before anything changes", async () => {
  await waitText("banner", "Sandbox tenant", 60_000);
  await (await byId("nav-partners")).click();
  await waitText("partners-table", "None yet");
  const domain = await byId("domain");
  // The keyboard alone: type the domain and press Enter.
  await domain.sendKeys("gmail.com", Key.ENTER);
  await waitText("partner-editor", "personal-mail domain");
  await waitText("error-domain", "personal-mail domain");
});

test("a partner's own settings are previewed, applied and listed with its guests", async () => {
  const domain = await byId("domain");
  await domain.clear();
  await domain.sendKeys("fabrikam.example", Key.ENTER);
  await waitText("partner-name", "Fabrikam, Inc.");
  await (await byId("partner-trustMfa")).findElement(By.css("option[value='yes']")).click();
  await (await byId("partner-directConnectInbound")).findElement(By.css("option[value='yes']")).click();
  // Collaboration limited to groups of theirs takes object ids: a name is refused under the field.
  await (await byId("partner-collaborationInbound")).findElement(By.css("option[value='yes']")).click();
  await (await byId("collaborationGroups")).sendKeys("Sales team");
  await (await byId("partner-preview")).click();
  await waitText("error-collaborationGroups", "not a group's object id");
  await (await byId("collaborationGroups")).clear();
  await (await byId("partner-collaborationInbound")).findElement(By.css("option[value='']")).click();
  await screenshot("40-partner-settings-form");
  await (await byId("partner-preview")).click();
  await waitText("preview-summary", "Would add settings for Fabrikam, Inc.");
  assert.match(await (await byId("preview-summary")).getText(), /must allow B2B direct connect/);
  await (await byId("confirm-apply")).click();
  await waitText("partner-result", "Added settings for Fabrikam, Inc.");
  const table = await waitText("partners-table", "Fabrikam, Inc.");
  const row = await table.getText();
  assert.match(row, /fabrikam\.example/);
  assert.match(row, /No\s*default/, "inherited settings show the default's value");
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("partners-table"));
  await screenshot("41-partners-table");
});

test("removing a partner's settings is previewed too, and History lists both changes", async () => {
  await (await byId("partner-remove")).click();
  await waitText("preview-summary", "Would remove Fabrikam, Inc.'s settings");
  await (await byId("confirm-apply")).click();
  await waitText("partner-result", "Removed Fabrikam, Inc.'s settings");
  await waitText("partners-table", "None yet");
  await (await byId("nav-history")).click();
  const rows = await waitText("history-scroll", "Partner settings");
  const text = await rows.getText();
  assert.equal(text.match(/Partner settings/g)?.length, 2, text);
});
