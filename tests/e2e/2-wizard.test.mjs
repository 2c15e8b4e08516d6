// End-to-end: walks the whole onboarding wizard in the real window against the embedded
// sandbox tenant, saving a screenshot of each step (tests/e2e/screenshots/wizard-*.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { answerDialog, appWindow, By, until } from "./helpers.mjs";

const app = appWindow((a) => a.waitText("banner", "Sandbox tenant"));
const { byId, clickLast, screenshot, waitText } = app;

const type = async (id, text) => {
  const el = await byId(id);
  await el.clear();
  await el.sendKeys(text);
};
const GUEST = "maria.garcia@gmail.com";

/** Every change shows its preview first; this checks it and confirms. */
async function confirmPreview(expected, shot) {
  try {
    await waitText("preview-summary", expected);
  } catch (err) {
    await screenshot(`failed-preview-${expected.slice(0, 20).replace(/\W+/g, "-")}`);
    throw err;
  }
  if (shot) await screenshot(shot);
  await (await byId("confirm-apply")).click();
}


test("1. collaboration settings: preview, then apply", async () => {
  await (await byId("step-settings")).click();
  await (await byId("guestAccess-sameAsMembers")).click();
  await (await byId("trustMfa")).click();
  await (await byId("settings-preview")).click();
  await waitText("settings-plan", "2 changes will be made");
  await screenshot("wizard-1-settings-preview");
  await (await byId("settings-apply")).click();
  await waitText("settings-result", "Settings applied");
});

test("2. Google federation for Gmail guests", async () => {
  await (await byId("wizard-next")).click();
  await waitText("clientId", "");
  const uris = await app.driver.findElement(By.css(".uris")).getText();
  assert.match(uris, /oauth2\/authresp/);
  await type("clientId", "123-guestpass.apps.googleusercontent.com");
  await type("clientSecret", "GOCSPX-e2e-secret");
  await (await byId("google-submit")).click();
  assert.equal(await (await byId("clientSecret")).getAttribute("value"), "", "the secret leaves the form at once");
  await confirmPreview("Would create the Google identity provider");
  await waitText("google-result", "Google federation is set up");
  await screenshot("wizard-2-google");
});

test("3. invite the guest", async () => {
  await (await byId("wizard-next")).click();
  await type("email", GUEST);
  await type("displayName", "Maria Garcia");
  // Land her in the Sales environment: the suggestions list the tenant's environments.
  const chip = await app.driver.wait(until.elementLocated(By.xpath("//div[@id='redirect-suggestions']/button[text()='Northwind Sales']")), 10_000);
  await chip.click();
  assert.equal(await (await byId("redirectUrl")).getAttribute("value"), "https://northwindsales.crm4.dynamics.com");
  await (await byId("invite-submit")).click();
  await confirmPreview(`Would invite ${GUEST}`, "wizard-3-invite-preview");
  await waitText("outcome-summary", `Invited ${GUEST}`);
  await screenshot("wizard-3-invite");
});

test("4. profile: names and usage location", async () => {
  await (await byId("wizard-next")).click();
  await waitText("profile-current", "usage location not set");
  await type("givenName", "Maria");
  await type("surname", "Garcia");
  await type("usageLocation", "ES");
  await (await byId("profile-submit")).click();
  await confirmPreview("Would set name and usage location ES", "wizard-4-profile-preview");
  await waitText("profile-result", "usage location ES");
  await waitText("profile-current", "Maria Garcia, usage location ES");
  await screenshot("wizard-4-profile");
});

test("5. access: a licence with free seats, then a group", async () => {
  await (await byId("wizard-next")).click();
  await waitText("access-current", "Usage location: ES");
  const sold = await app.driver.findElement(By.css('#license option[value="DYN365_ENTERPRISE_SALES"]'));
  assert.equal(await sold.getAttribute("disabled"), "true", "a licence with no free seat cannot be picked");
  await app.driver.findElement(By.css('#license option[value="O365_BUSINESS_ESSENTIALS"]')).click();
  await (await byId("license-assign")).click();
  await confirmPreview("Would assign O365_BUSINESS_ESSENTIALS");
  await waitText("access-result", "Assigned O365_BUSINESS_ESSENTIALS");
  await type("groupSearch", "partner");
  const add = await app.driver.wait(until.elementLocated(By.css("#group-results button[data-group]")), 10_000);
  await add.click();
  await confirmPreview("Would add maria.garcia@gmail.com to Partner portal users");
  await waitText("access-result", "Added maria.garcia@gmail.com to Partner portal users");
  await waitText("access-current", "Groups: Partner portal users");
  await screenshot("wizard-5-access");
});

test("5b. access: a Dataverse security role, synced once the licence has reached the environment", async () => {
  const env = await app.driver.wait(until.elementLocated(By.css('#environment option[value="https://northwindsales.crm4.dynamics.com"]')), 10_000);
  await env.click();
  const role = await app.driver.wait(until.elementLocated(By.css('#role option[value="External Users"]')), 10_000);
  await role.click();
  await (await byId("role-assign")).click();
  await confirmPreview("Would give maria.garcia@gmail.com the External Users role");
  // The sandbox, like Microsoft, refuses the sync for a few seconds after a new licence.
  await waitText("access-result", "Gave maria.garcia@gmail.com the External Users role in Northwind Sales", 60_000);
  await screenshot("wizard-5b-role");
});

test("6. check: everything green but the guest's own acceptance", async () => {
  await (await byId("wizard-next")).click();
  const card = await waitText("readiness", "is not ready yet");
  const todo = await card.findElements(By.css(".checklist li.todo"));
  assert.equal(todo.length, 1, await card.getText());
  assert.match(await card.getText(), /Role in Northwind Sales/);
  assert.match(await todo[0].getText(), /Invitation accepted/);
  await screenshot("wizard-6-check");
});

test("History has every step, the Google secret nowhere", async () => {
  await (await byId("nav-history")).click();
  // Today's bar counts the invitations of both test files (jane.doe and maria.garcia).
  await waitText("activity-chart", "Invited 2");
  const table = await byId("history-table");
  const text = await table.getText();
  for (const action of ["Set profile", "Assign licence", "Add to group", "Give Dataverse role", "Google federation", "Who can invite / guest access", "Cross-tenant default"]) {
    assert.ok(text.includes(action), `History lists "${action}"`);
  }
  await screenshot("wizard-7-history");
  assert.doesNotMatch(await app.driver.getPageSource(), /GOCSPX-e2e-secret/);
});

test("History: filter, details, integrity check and export", async () => {
  await app.driver.findElement(By.css('#history-action option[value="assign_license"]')).click();
  await waitText("history-count", "1 matching change");
  await clickLast("#history-table tbody tr.row td.target");
  const detail = await waitText("history-detail", "Assign licence");
  assert.match(await detail.getText(), /O365_BUSINESS_ESSENTIALS/);
  // Before and after side by side, and what changed in words.
  assert.match(await detail.findElement(By.css(".diff")).getText(), /assignedLicenses/);
  await screenshot("history-detail");
  await (await byId("history-timeline")).click();
  try {
    await waitText("history-count", "5 matching changes");
  } catch (err) {
    await screenshot("failed-timeline");
    throw err;
  }
  const first = await app.driver.findElement(By.css("#history-table tbody tr.row td:nth-child(3)")).getText();
  assert.equal(first, "Invite guest", "the timeline starts with the invitation");
  await waitText("timeline-readiness", "Invitation accepted");
  await screenshot("history-timeline");
});

test("History: undo a change after its preview", async () => {
  const rows = await app.driver.findElements(By.css("#history-table tbody tr.row td.target"));
  // The timeline is oldest first: the group membership is the fourth change.
  await rows[3].click();
  await waitText("history-detail", "Add to group");
  await (await byId("history-undo")).click();
  await waitText("preview-summary", "Would remove maria.garcia@gmail.com from Partner portal users");
  await screenshot("history-undo-preview");
  await (await byId("confirm-apply")).click();
  try {
    await waitText("undo-done", "Removed maria.garcia@gmail.com from Partner portal users");
  } catch (err) {
    await screenshot("failed-undo");
    throw err;
  }
  try {
    await waitText("history-count", "6 matching changes");
  } catch (err) {
    await screenshot("failed-undo-count");
    throw err;
  }
  await (await byId("history-verify")).click();
  await waitText("verify-result", "Intact");
  // Cancelling the Save dialog writes nothing and says so.
  answerDialog("");
  await (await byId("history-export-csv")).click();
  await waitText("export-result", "Export cancelled");
  const target = join(process.env.GUESTPASS_E2E_WORK, "audit.csv");
  answerDialog(target);
  await (await byId("history-export-csv")).click();
  const done = await waitText("export-result", "Exported 6 changes");
  assert.match(await done.getText(), /audit\.csv/);
  assert.match(readFileSync(target, "utf8"), /invite/i);
});
