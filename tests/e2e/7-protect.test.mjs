// End-to-end: the Protect screen. It says what is missing; "Guests must use MFA" refuses an
// emergency-access group with nobody but guests, then is created report-only with a preview;
// switching it on is refused until the pre-flight has asked Microsoft's What-If about every
// guest; the pre-flight's verdicts are saved as CSV; then it is switched on — all in History.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Key } from "selenium-webdriver";
import { answerDialog, appWindow, By } from "./helpers.mjs";

const app = appWindow();
const { byId, screenshot, waitText } = app;
const POLICY = "Guestpass: guests must use MFA";

/** The id of the policy's switch button (`on`, `reportOnly` or `off`), read from the table. */
async function switchButton(state) {
  const buttons = await app.driver.findElements(By.css(`#protect-policies button[id^='switch-${state}-']`));
  assert.equal(buttons.length, 1, `one ${state} button`);
  return buttons[0];
}

test("Protect says plainly that guests reach Dataverse without MFA", async () => {
  await waitText("banner", "Sandbox tenant", 60_000);
  await (await byId("nav-protect")).click();
  await waitText("protect-now", "Entra ID P1");
  await waitText("protect-gaps", "Guests can reach Dataverse without MFA");
  await waitText("protect-policies", "None yet");
  await screenshot("60-protect-overview");
});

test("the MFA policy refuses a group of guests only, then is created report-only after a preview", async () => {
  const group = await byId("excludeGroup");
  // The keyboard alone: type the group and press Enter.
  await group.sendKeys("Partner portal users", Key.ENTER);
  await waitText("error-excludeGroup", "has no member who is not a guest", 60_000);
  assert.equal(await group.getAttribute("aria-invalid"), "true");
  await group.clear();
  await group.sendKeys("Emergency access accounts");
  await (await byId("mfa-apps-powerPlatform")).click();
  await (await byId("mfa-preview")).click();
  await waitText("preview-summary", `Would create "${POLICY}" (report-only)`, 60_000);
  await screenshot("61-protect-mfa-preview");
  await (await byId("confirm-apply")).click();
  await waitText("mfa-result", `Created "${POLICY}" (report-only)`, 60_000);
  await waitText("protect-policies", POLICY, 60_000);
  assert.match(await (await byId("protect-policies")).getText(), /Report-only/);
  await waitText("protect-gaps", "only reports");
});

test("switching on waits for a pre-flight of every guest", async () => {
  await (await switchButton("on")).click();
  await waitText("protect-switch-result", "has not been tried on the guests", 60_000);
  await (await byId("preflight-run")).click();
  await waitText("preflight-table", "Pre-flight results", 180_000);
  const rows = await waitText("preflight-rows", "ana.souza@fabrikam.example");
  assert.match(await rows.getText(), /Asked for MFA/);
  // The reason names the guest's organisation and whether its MFA counts here (the wizard's
  // test may have set the cross-tenant default to trust it).
  assert.match(await rows.getText(), /(no MFA trust for Fabrikam, Inc\.|Fabrikam, Inc\.'s own MFA counts here)/);
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("preflight-table"));
  await screenshot("62-protect-preflight");
  // Search narrows the table; the verdicts go where the Save dialog says.
  await (await byId("preflight-search")).sendKeys("fabrikam");
  assert.doesNotMatch(await (await byId("preflight-rows")).getText(), /li\.wei@contoso/);
  answerDialog(process.env.GUESTPASS_E2E_WORK);
  await (await byId("preflight-save")).click();
  await waitText("preflight-saved", "guestpass-pre-flight.csv");
  const saved = readFileSync(join(process.env.GUESTPASS_E2E_WORK, "guestpass-pre-flight.csv"), "utf8");
  assert.match(saved, /^email,verdict,policy,policy state,reasons/);
  assert.match(saved, /ana\.souza@fabrikam\.example,mfa,Guestpass: guests must use MFA,report-only/);
});

test("after the pre-flight the policy is switched on with a preview, and History has both changes", async () => {
  await (await switchButton("on")).click();
  await waitText("preview-summary", "from report-only to on", 60_000);
  await (await byId("confirm-apply")).click();
  await waitText("protect-switch-result", "Switched", 60_000);
  await waitText("protect-gaps", "Nothing missing", 60_000);
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("protect-now"));
  await screenshot("63-protect-switched-on");
  await (await byId("nav-history")).click();
  const rows = await waitText("history-scroll", "Switch guest policy");
  assert.match(await rows.getText(), /Guest protection policy/);
});

test("a country location with a report-only block outside it is previewed step by step", async () => {
  await (await byId("nav-protect")).click();
  await (await byId("locationName")).sendKeys("Partner office");
  await (await byId("location-kind-ipRanges")).click();
  await (await byId("countries")).sendKeys("10.20.0.0/16", Key.ENTER);
  await waitText("error-ipRanges", "private range", 60_000);
  await (await byId("locationName")).clear();
  await (await byId("locationName")).sendKeys("UK and Ireland");
  await (await byId("location-kind-countries")).click();
  await (await byId("countries")).clear();
  await (await byId("countries")).sendKeys("GB, IE");
  await (await byId("location-block")).click();
  await (await byId("location-preview")).click();
  await waitText("preview-summary", "Would create the named location \"UK and Ireland\" (countries GB, IE)", 60_000);
  assert.match(await (await byId("preview-summary")).getText(), /Would then create "Guestpass: block guests outside UK and Ireland"/);
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("protect-locations"));
  await screenshot("64-protect-location-preview");
  await (await byId("confirm-apply")).click();
  await waitText("location-result", "Created \"Guestpass: block guests outside UK and Ireland\" (report-only)", 60_000);
  await waitText("protect-now", "UK and Ireland (countries: GB, IE)", 60_000);
  await waitText("protect-policies", "block guests outside UK and Ireland");
});

test("guests are let make Power Apps with a preview, the cost of it said plainly", async () => {
  await waitText("protect-makers", "Guests may not make Power Apps.", 60_000);
  assert.match(await (await byId("makers-notes")).getText(), /fails common security baselines/);
  await (await byId("makers-toggle")).click();
  await waitText("preview-summary", "Would set: guests may make Power Apps.", 60_000);
  await (await byId("confirm-apply")).click();
  await waitText("makers-result", "Guests now may make Power Apps.", 60_000);
  await waitText("makers-state", "Guests may make Power Apps.");
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("protect-makers"));
  await screenshot("65-protect-makers");
});
