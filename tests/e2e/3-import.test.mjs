// End-to-end: import a guest list in the real window. Choose the file, read the preview (rows
// with errors are named and skipped), run it with a progress bar, and see every row's result.
// Runs after the other files (they count History rows).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { answerDialog, appWindow, By, until } from "./helpers.mjs";

const app = appWindow();
const { byId, clickLast, screenshot, waitText } = app;

const GUESTS = 24;

function writeList() {
  const lines = ["Email,Display name,First name,Last name,Country,Groups"];
  for (let i = 1; i <= GUESTS; i++) lines.push(`bulk${i}@partner.example,Bulk Guest ${i},Bulk,Guest ${i},GB,Partner portal users`);
  lines.push("BULK1@Partner.example,Same person,,,,"); // a duplicate in another case
  lines.push("not-an-address,Nobody,,,,");
  const path = join(process.env.GUESTPASS_E2E_WORK, "partners.csv");
  writeFileSync(path, lines.join("\r\n") + "\r\n");
  return path;
}

test("a Central European Excel file is read in its code page, and another can be chosen", async () => {
  await waitText("banner", "Sandbox tenant");
  await (await byId("nav-import")).click();
  const polish = new URL("../import-files/excel-ansi-1250-polish-czech.csv", import.meta.url).pathname;
  answerDialog(polish);
  await (await byId("import-file")).click();
  await waitText("import-file-name", "excel-ansi-1250-polish-czech.csv");
  await screenshot("18-import-file-chosen");
  await (await byId("import-check")).click();
  await waitText("import-read-as", "windows-1250 (detected");
  await screenshot("19-import-encoding-detected");
  const encoding = await byId("import-encoding");
  await encoding.findElement(By.css("option[value='windows-1252']")).click();
  await waitText("import-read-as", "windows-1252, separated");
  // The next lists are a workbook and plain ASCII: they read the same in Windows-1252.
});

test("an Excel workbook is read from its first sheet, and another sheet can be chosen", async () => {
  const workbook = new URL("../import-files/partners.xlsx", import.meta.url).pathname;
  // The previous check (the encoding chosen) may still be finishing: the buttons wait for it.
  await app.driver.wait(until.elementIsEnabled(await byId("import-check")), 20_000);
  answerDialog(workbook);
  await (await byId("import-file")).click();
  await waitText("import-file-name", "partners.xlsx");
  // The previous check (the encoding chosen) may still be finishing: its button is disabled until then.
  await app.driver.wait(until.elementIsEnabled(await byId("import-check")), 20_000);
  await (await byId("import-check")).click();
  await waitText("import-read-as", "sheet “Guests” (of 2");
  await waitText("import-summary", "2 ready");
  const sheet = await byId("import-sheet");
  assert.equal(await sheet.isDisplayed(), true);
  await sheet.findElement(By.css("option[value='Later']")).click();
  await waitText("import-read-as", "sheet “Later”");
  await waitText("import-rows", "zoe@contoso-partners.example");
  await screenshot("19b-import-workbook-sheet");
});

test("the preview names every row with an error and what to fix", async () => {
  await waitText("banner", "Sandbox tenant");
  await (await byId("nav-import")).click();
  answerDialog(writeList());
  await (await byId("import-file")).click();
  await waitText("import-file-name", "partners.csv");
  await (await byId("import-check")).click();
  await waitText("import-summary", `${GUESTS} ready`);
  const summary = await (await byId("import-summary")).getText();
  assert.match(summary, /2 with errors/);
  const rows = await byId("import-rows");
  await app.driver.wait(until.elementTextContains(rows, "also on row 2"), 5_000);
  assert.match(await rows.getText(), /not an e-mail address/);
  await screenshot("20-import-preview-errors");
  // Every row, searchable.
  const filter = await byId("import-filter");
  await filter.findElement(By.css("option[value='all']")).click();
  await (await byId("import-search")).sendKeys("bulk7@");
  await waitText("import-shown", "1 row(s) shown");
  await screenshot("21-import-preview-search");
});

test("the run shows progress and ends with every row's result", async () => {
  await (await byId("import-start")).click();
  const text = await byId("import-progress-text");
  await app.driver.wait(until.elementTextMatches(text, /of 24 rows/), 20_000);
  await screenshot("22-import-running");
  await waitText("import-run-note", "Finished", 120_000);
  const bar = await byId("import-progress");
  assert.equal(await bar.getAttribute("value"), String(GUESTS));
  assert.match(await text.getText(), new RegExp(`${GUESTS} done, 0 failed, 0 left`));
  const filter = await byId("import-result-filter");
  await filter.findElement(By.css("option[value='all']")).click();
  await waitText("import-result-rows", "bulk24@partner.example");
  assert.match(await (await byId("import-result-rows")).getText(), /group Partner portal users: done/);
  await screenshot("23-import-finished");
  // Results go where the Save dialog says: a folder answer saves under the suggested name.
  answerDialog(process.env.GUESTPASS_E2E_WORK);
  await (await byId("import-save-results")).click();
  await waitText("import-saved", "guestpass-run-1-results.csv");
  const saved = readFileSync(join(process.env.GUESTPASS_E2E_WORK, "guestpass-run-1-results.csv"), "utf8");
  assert.match(saved, /bulk24@partner\.example/);
});

test("the run's changes are in History", async () => {
  await (await byId("nav-history")).click();
  await (await byId("history-search")).sendKeys("bulk12@partner.example");
  await waitText("history-count", "matching change");
  await waitText("history-table", "bulk12@partner.example", 10_000);
  // The detail pane names the bulk run the change belongs to.
  await clickLast("#history-table tbody tr.row td.target");
  await waitText("history-bulk-run", "Part of bulk run #1");
  await screenshot("24-import-history-detail");
});
