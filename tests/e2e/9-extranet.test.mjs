// End-to-end: partner extranets on the Partners screen. A personal-mail domain is refused under
// its field; a partner is connected with a preview of every piece and what it costs; the My
// Access link and the text for the partner appear; the partner is listed with its package; the
// end-of-access setting is changed with its caveat; the extranet is removed again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Key } from "selenium-webdriver";
import { appWindow, By } from "./helpers.mjs";

const app = appWindow();
const { byId, screenshot, waitText } = app;
/** The in-app sandbox's address, from the backend the UI talks to. */
const sandboxUrl = () =>
  app.driver.executeAsyncScript("const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke('connection_info').then((c) => done(c.graphUrl), (e) => done(String(e)));");
/** A switch of the sandbox that stands in for My Access. */
const sandbox = async (path, body) => {
  const res = await fetch(new URL(path, await sandboxUrl()), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  assert.ok(res.ok, `${path}: ${res.status} ${text}`);
  return JSON.parse(text);
};
const into = async (id) => app.driver.executeScript("arguments[0].scrollIntoView({block: 'start'})", await byId(id));

test("a personal-mail domain is refused under its field before anything is sent", async () => {
  await waitText("banner", "Sandbox tenant", 60_000);
  await (await byId("nav-partners")).click();
  await waitText("extranet-list", "No connected partners yet", 60_000);
  await (await byId("partnerDomain")).sendKeys("gmail.com");
  await (await byId("name")).sendKeys("Falcon partner access");
  await (await byId("groups")).sendKeys("Partner portal users");
  await (await byId("approver")).sendKeys("alex.wilber@northwind.example");
  await (await byId("fallbackApprover")).sendKeys("megan.bowen@northwind.example");
  // The keyboard alone: Enter in a field submits the form.
  await (await byId("fallbackApprover")).sendKeys(Key.ENTER);
  await waitText("error-partnerDomain", "personal-mail domain", 30_000);
  await into("extranet-new");
  await screenshot("90-extranet-form-refused");
});

test("a partner is connected with a preview of each piece, then the link is ready to send", async () => {
  const domain = await byId("partnerDomain");
  await domain.clear();
  await domain.sendKeys("adatum.example");
  // The group is searched and added, rather than typed.
  const groups = await byId("groups");
  await groups.clear();
  await groups.sendKeys("portal");
  await waitText("extranet-groups-results", "Partner portal users", 30_000);
  await (await app.driver.findElement(By.css("button[aria-label='Add Partner portal users']"))).click();
  await waitText("extranet-groups-chosen", "Partner portal users");
  // A sponsor found in the directory: one of your people, so an internal sponsor.
  await (await byId("sponsors")).sendKeys("megan");
  await waitText("extranet-sponsors-results", "an internal sponsor", 30_000);
  // The keyboard alone: Tab from the search reaches the first result's Add, Enter adds it.
  await (await byId("sponsors")).sendKeys(Key.TAB);
  assert.equal(await app.driver.executeScript("return document.activeElement.getAttribute('aria-label')"), "Add megan.bowen@northwind.example");
  await app.driver.switchTo().activeElement().sendKeys(Key.ENTER);
  await waitText("extranet-sponsors-chosen", "megan.bowen@northwind.example");
  await (await byId("reviewEveryMonths")).findElement(By.css("option[value='3']")).click();
  await (await byId("extranet-preview")).click();
  await waitText("preview-summary", "Would create the connected organisation", 30_000);
  const plan = await (await byId("preview-summary")).getText();
  assert.match(plan, /catalog Guestpass partners/);
  assert.match(plan, /Would make megan\.bowen@northwind\.example an internal sponsor of Adatum Corporation/);
  assert.match(plan, /hidden: only the link reaches it/);
  assert.match(plan, /alex\.wilber@northwind\.example .*approves within 14 days/);
  assert.match(await (await byId("extranet-billing")).getText(), /not billed per guest/);
  await into("extranet-created");
  await screenshot("91-extranet-preview");
  await (await byId("confirm-apply")).click();
  await waitText("my-access-link", "https://myaccess.microsoft.com/@", 60_000);
  const link = await (await byId("my-access-link")).getText();
  assert.match(link, /#\/access-packages\/[0-9a-f-]{36}$/);
  assert.match(await (await byId("partner-message")).getAttribute("value"), /adatum\.example work account/);
  await into("extranet-link");
  await screenshot("92-extranet-link");
  await waitText("extranet-list", "Falcon partner access", 30_000);
  assert.match(await (await byId("extranet-list")).getText(), new RegExp(link.replace(/[.?#/]/g, "\\$&")));
});

test("the partner's request waits, then their access is listed and removed", async () => {
  const link = await (await byId("my-access-link")).getText();
  const packageId = link.split("/").pop();
  const asked = await sandbox("/_sandbox/entitlement/requests", { email: "pat@adatum.example", accessPackageId: packageId });
  await (await byId("nav-guests")).click();
  await (await byId("nav-partners")).click();
  await waitText("extranet-list", "Waiting for approval: pat@adatum.example", 60_000);
  await sandbox("/_sandbox/entitlement/approvals", { requestId: asked.id });
  await (await byId("nav-guests")).click();
  await (await byId("nav-partners")).click();
  await waitText("extranet-list", "No requests waiting", 60_000);
  assert.match(await (await byId("extranet-list")).getText(), /pat@adatum\.example/);
  // Removing the extranet is refused while Pat holds the package.
  await (await app.driver.findElement(By.css("button[aria-label='Remove extranet Falcon partner access']"))).click();
  await waitText("extranet-result", "1 person still has", 30_000);
  await into("extranet-list");
  await screenshot("94-extranet-assignment");
  await (await app.driver.findElement(By.css("button[aria-label=\"Remove pat@adatum.example's access\"]"))).click();
  await waitText("extranet-result", "Would take the access package Falcon partner access from pat@adatum.example", 30_000);
  await (await byId("confirm-apply")).click();
  await waitText("extranet-result", "Took the access package", 60_000);
  await waitText("extranet-list", "Nobody has it yet", 60_000);
});

test("the end-of-access setting is previewed with its caveat, and the extranet is removed", async () => {
  await (await byId("action")).findElement(By.css("option[value='blockSignInAndDelete']")).click();
  const days = await byId("deleteAfterDays");
  await days.clear();
  await days.sendKeys("45");
  await (await byId("lifecycle-preview")).click();
  await waitText("extranet-result", "then delete them 45 days later", 30_000);
  assert.match(await (await byId("extranet-result")).getText(), /Guests invited directly/);
  await into("extranet-list");
  await screenshot("93-extranet-partners");
  await (await byId("confirm-apply")).click();
  await waitText("extranet-result", "will now block their sign-in", 30_000);

  const remove = await app.driver.findElement(By.css("button[aria-label='Remove extranet Falcon partner access']"));
  await remove.click();
  await waitText("extranet-result", "Would delete the policy", 30_000);
  await (await byId("confirm-apply")).click();
  await waitText("extranet-result", "Deleted the connected organisation", 60_000);
  await waitText("extranet-list", "No connected partners yet", 30_000);
});
