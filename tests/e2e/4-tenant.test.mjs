// End-to-end: sign in from the Tenant page with a device code (against the sandbox's own
// Entra), see what the admin may do per step, and sign out again.
import { test } from "node:test";
import { writeFileSync } from "node:fs";
import assert from "node:assert/strict";
import { appWindow, By } from "./helpers.mjs";

const app = appWindow();
const { byId, clickLast, screenshot, waitText } = app;


test("the Tenant page explains how to register Guestpass", async () => {
  await waitText("banner", "Sandbox tenant");
  await (await byId("nav-connection")).click();
  await (await byId("register-guide")).click();
  await waitText("register-az", "az ad app create");
  const guide = await byId("register-guide-body");
  assert.match(await guide.getText(), /User\.Invite\.All/);
  await app.driver.executeScript("arguments[0].scrollIntoView({ block: 'start' })", await byId("register-guide"));
  await screenshot("30-tenant-register-guide");
});

test("a tenant or app id that cannot be right is named before anything is sent", async () => {
  await (await byId("signin-tenant")).sendKeys("megan@northwindsandbox.onmicrosoft.com");
  await (await byId("signin-client-id")).sendKeys("Guestpass");
  await (await byId("signin-browser")).click();
  await waitText("error-signin-tenant", "e-mail address");
  await waitText("error-signin-client-id", "Application (client) ID");
  await screenshot("30a-tenant-sign-in-field-errors");
  await (await byId("signin-tenant")).clear();
  await (await byId("signin-client-id")).clear();
});

test("a sign-in waiting on the admin can be cancelled", async () => {
  await (await byId("signin-tenant")).sendKeys("northwindsandbox.onmicrosoft.com");
  await (await byId("signin-client-id")).sendKeys("3f6c1d2e-8b7a-4e59-a1c0-9d2b4f6e8a71");
  await (await byId("signin-device")).click();
  await byId("signin-user-code");
  await (await byId("signin-cancel")).click();
  await waitText("signin-cancelled", "Nothing was saved");
  assert.equal(await (await byId("signin-device")).isEnabled(), true);
  assert.equal(await (await byId("signin-cancel")).isDisplayed(), false);
  await screenshot("31a-tenant-sign-in-cancelled");
  await (await byId("signin-tenant")).clear();
  await (await byId("signin-client-id")).clear();
});

test("signing in with a device code shows the code, then what the admin may do", async () => {
  const current = await (await byId("tenant-current")).getAttribute("textContent");
  const graph = current.match(/Microsoft Graph\s*(http:\/\/127\.0\.0\.1:\d+)/)[1];
  await (await byId("signin-tenant")).sendKeys("northwindsandbox.onmicrosoft.com");
  await (await byId("signin-client-id")).sendKeys("3f6c1d2e-8b7a-4e59-a1c0-9d2b4f6e8a71");
  await (await byId("signin-device")).click();
  const codeEl = await byId("signin-user-code");
  const code = (await codeEl.getText()).split(/\s/)[0];
  // One sign-in at a time: the other ways wait.
  assert.equal(await (await byId("signin-browser")).isEnabled(), false);
  assert.equal(await (await byId("signin-azure-cli")).isEnabled(), false);
  await screenshot("31-tenant-device-code");
  const r = await fetch(`${graph}/devicelogin`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `user_code=${code}&decision=accept` });
  assert.equal(r.status, 200);
  await waitText("signin-done", "megan.bowen@northwind.example", 30_000);
  await waitText("permission-table", "Invite", 20_000);
  assert.doesNotMatch(await (await byId("permission-table")).getText(), /not yet/, "a Global Administrator can do every step");
  await waitText("profile-table", "Northwind Traders");
  await screenshot("32-tenant-signed-in");
});

test("signing out removes the tenant and returns to the sandbox", async () => {
  const table = await byId("profile-table");
  const out = await table.findElement(By.xpath(".//button[text()='Sign out']"));
  await out.click();
  await app.driver.wait(async () => (await app.driver.findElements(By.id("profile-table"))).length === 0, 20_000);
  await waitText("banner", "Sandbox tenant");
  await screenshot("33-tenant-signed-out");
});

/** A delegated Graph token for Megan from the sandbox's Entra (what `az login` would hold). */
async function megansToken(root) {
  const form = (o) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(o).toString() });
  const base = `${root}/northwindsandbox.onmicrosoft.com/oauth2/v2.0`;
  const clientId = "3f6c1d2e-8b7a-4e59-a1c0-9d2b4f6e8a71";
  // Like the Azure CLI's own app, the token does not carry every permission Guestpass's steps use.
  const scope = "https://graph.microsoft.com/User.Invite.All https://graph.microsoft.com/User.Read offline_access";
  const code = await (await fetch(`${base}/devicecode`, form({ client_id: clientId, scope }))).json();
  await fetch(`${root}/devicelogin`, form({ user_code: code.user_code, decision: "accept" }));
  const token = await (await fetch(`${base}/token`, form({ client_id: clientId, grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: code.device_code }))).json();
  return token.access_token;
}

test("the Azure CLI's sign-in is reused, and without one the fix is named", async () => {
  const current = await (await byId("tenant-current")).getAttribute("textContent");
  const graph = current.match(/Microsoft Graph\s*(http:\/\/127\.0\.0\.1:\d+)/)[1];
  const tenant = await byId("signin-tenant");
  await tenant.clear();
  await tenant.sendKeys("northwindsandbox.onmicrosoft.com");
  await (await byId("signin-azure-cli")).click();
  await waitText("signin-status", "az login --tenant", 30_000);
  await screenshot("34-tenant-azure-cli-not-signed-in");

  const accessToken = await megansToken(graph);
  writeFileSync(`${process.env.GUESTPASS_E2E_WORK}/az-token.json`, JSON.stringify({ accessToken, expires_on: Math.floor(Date.now() / 1000) + 3600, tokenType: "Bearer" }));
  await (await byId("signin-azure-cli")).click();
  await waitText("signin-done", "megan.bowen@northwind.example", 30_000);
  await waitText("profile-table", "Azure CLI");
  await waitText("permission-table", "cannot be added there", 20_000);
  await screenshot("35-tenant-azure-cli-signed-in");
  const out = await (await byId("profile-table")).findElement(By.xpath(".//button[text()='Sign out']"));
  await out.click();
  await app.driver.wait(async () => (await app.driver.findElements(By.id("profile-table"))).length === 0, 20_000);
});
