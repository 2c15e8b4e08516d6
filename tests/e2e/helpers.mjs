// Shared by the end-to-end tests: one WebDriver session on the real Guestpass window.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { Builder, By, until } from "selenium-webdriver";

export { By, until };

export async function launch() {
  const app = process.env.GUESTPASS_APP;
  assert.ok(app, "GUESTPASS_APP must name the app binary");
  return new Builder()
    .usingServer("http://127.0.0.1:4444/")
    .withCapabilities({ browserName: "wry", "tauri:options": { application: app } })
    .build();
}

/**
 * Saves a screenshot once the last DOM change has reached the screen, and audits that screen's
 * accessibility: a serious or critical axe-core finding fails the test.
 */
export async function screenshot(driver, name) {
  await driver.executeAsyncScript("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));");
  // The window as the X display shows it (ImageMagick's import), not WebKitWebDriver's own
  // snapshot: that one hangs once the app runs without GPU compositing, as it ships on Linux.
  const { x, y, width, height } = await driver.manage().window().getRect();
  const png = execFileSync("import", ["-window", "root", "-crop", `${width}x${height}+${Math.max(x, 0)}+${Math.max(y, 0)}`, "+repage", "png:-"], {
    maxBuffer: 64 * 1024 * 1024,
  });
  writeFileSync(join(process.env.GUESTPASS_SCREENSHOTS ?? tmpdir(), `${name}.png`), png);
  const problems = await accessibilityProblems(driver);
  assert.deepEqual(problems, [], `${name}: accessibility problems ${JSON.stringify(problems, null, 1)}`);
}

/**
 * What the next native Save or Open dialog answers: a file or folder path, or "" for Cancel
 * (the app reads it instead of showing the dialog, which WebDriver cannot reach).
 */
export function answerDialog(path) {
  writeFileSync(process.env.GUESTPASS_TEST_DIALOG_ANSWER, `${path}\n`);
}

/** The element with this id, once it is there (looked for again if the page re-rendered meanwhile). */
export const byId = (driver, id, ms = 20_000) =>
  driver.wait(
    async () => {
      try {
        return (await driver.findElements(By.id(id)))[0] ?? false;
      } catch (e) {
        if (e.name === "StaleElementReferenceError") return false;
        throw e;
      }
    },
    ms,
    `#${id} never appeared`,
  );

/** Waits until the element with this id contains the text (found again on each try: screens re-render). */
export async function waitText(driver, id, text, ms = 30_000) {
  await byId(driver, id, ms);
  await driver.wait(async () => {
    try {
      return (await (await driver.findElement(By.id(id))).getText()).includes(text);
    } catch (e) {
      if (e.name === "StaleElementReferenceError" || e.name === "NoSuchElementError") return false;
      throw e;
    }
  }, ms, `#${id} never showed "${text}"`);
  return driver.findElement(By.id(id));
}

/** Clicks the last element matching `css`, finding it again if the list re-rendered meanwhile. */
export async function clickLast(driver, css, ms = 10_000) {
  await driver.wait(async () => {
    try {
      const all = await driver.findElements(By.css(css));
      if (all.length === 0) return false;
      await all[all.length - 1].click();
      return true;
    } catch (e) {
      if (e.name === "StaleElementReferenceError") return false;
      throw e;
    }
  }, ms, `nothing to click at ${css}`);
}

/**
 * The app window of one test file: opened before its tests (then `ready(app)`, if given),
 * closed after them, with the helpers above bound to it (`app.driver` is the session).
 */
export function appWindow(ready) {
  const app = {
    driver: null,
    byId: (id, ms) => byId(app.driver, id, ms),
    waitText: (id, text, ms) => waitText(app.driver, id, text, ms),
    screenshot: (name) => screenshot(app.driver, name),
    clickLast: (css, ms) => clickLast(app.driver, css, ms),
  };
  before(async () => {
    app.driver = await launch();
    await ready?.(app);
  });
  after(async () => {
    await app.driver?.quit();
  });
  return app;
}

const AXE = readFileSync(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/**
 * Runs axe-core (Deque's accessibility rules, WCAG 2.1 A and AA) on the page as it is and
 * returns its serious and critical findings, each with a few of the elements it names.
 */
export async function accessibilityProblems(driver) {
  await driver.executeScript(`if (!window.axe) { ${AXE} }`);
  const found = await driver.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    window.axe
      .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
      .then((r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }))))
      .catch((e) => done([{ id: "axe-error", impact: "critical", help: String(e), nodes: [] }]));`);
  return found.filter((v) => v.impact === "serious" || v.impact === "critical");
}
