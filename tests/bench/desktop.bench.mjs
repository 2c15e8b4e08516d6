// `make bench`: the installed app as a user meets it, measured in one run (issue 15, point 6).
// Run by tests/e2e/run.sh against the release binary: how long the first screen takes (the app
// logs it), how much memory the app holds after start (PSS of the app and its WebKit processes)
// and how much that grows over a 1,000-guest import in the window. Reported, not enforced.
import { test } from "node:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { answerDialog, appWindow } from "../e2e/helpers.mjs";

const app = appWindow();
const { byId, waitText } = app;
const GUESTS = 1000;
const TARGETS = { firstScreenMs: 1000, ownMb: 100, wholeMb: 250, growth: 0.2 };

/** Proportional set size (kB) of a process, from the kernel's rollup. */
function pssKb(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").split("\n").find((l) => l.startsWith("Pss:"));
    return Number(line.split(/\s+/)[1]);
  } catch {
    return 0; // the process ended meanwhile
  }
}

/** Every process: pid → [parent pid, command line]. */
function processes() {
  const all = new Map();
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      all.set(Number(name), [ppid, readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ")]);
    } catch {
      // gone
    }
  }
  return all;
}

/** The app's own PSS and, with its WebKit helper processes, the whole app's (MB). */
function memory() {
  const all = processes();
  const appPid = [...all].filter(([, [, cmd]]) => cmd.startsWith(process.env.GUESTPASS_APP)).map(([pid]) => pid).pop();
  const family = [appPid];
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, [ppid]] of all) if (family.includes(ppid) && !family.includes(pid)) family.push(pid), (grew = true);
  }
  const mb = (kb) => Math.round(kb / 1024);
  return { own: mb(pssKb(appPid)), whole: mb(family.reduce((sum, pid) => sum + pssKb(pid), 0)), processes: family.length };
}

function firstScreenMs() {
  const dir = join(process.env.XDG_DATA_HOME, "app.guestpass.desktop", "logs");
  const log = readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8")).join("");
  return Number(/first screen loaded ms=(\d+)/.exec(log)?.[1] ?? NaN);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 3000));

test("start time and memory, before and after a 1,000-guest import", { timeout: 30 * 60_000 }, async () => {
  await waitText("banner", "Sandbox tenant");
  await settle();
  const started = memory();
  const first = firstScreenMs();

  const lines = ["Email,Display name,Country"];
  for (let i = 1; i <= GUESTS; i++) lines.push(`bench${i}@partner.example,Bench Guest ${i},GB`);
  const list = join(process.env.GUESTPASS_E2E_WORK, "bench.csv");
  writeFileSync(list, lines.join("\r\n") + "\r\n");
  await (await byId("nav-import")).click();
  answerDialog(list);
  await (await byId("import-file")).click();
  await waitText("import-file-name", "bench.csv");
  await (await byId("import-check")).click();
  await waitText("import-summary", `${GUESTS} ready`, 120_000);
  const began = Date.now();
  await (await byId("import-start")).click();
  await waitText("import-run-note", "Finished", 25 * 60_000);
  const seconds = (Date.now() - began) / 1000;
  await settle();
  const after = memory();

  const ok = (value, limit) => (value <= limit ? "within" : "OVER");
  const growth = (after.whole - started.whole) / started.whole;
  console.log(`first screen: ${first} ms (target < ${TARGETS.firstScreenMs} ms: ${ok(first, TARGETS.firstScreenMs)})`);
  console.log(`after start: app ${started.own} MB PSS (target <= ${TARGETS.ownMb}: ${ok(started.own, TARGETS.ownMb)}), whole app ${started.whole} MB PSS over ${started.processes} processes (target <= ${TARGETS.wholeMb}: ${ok(started.whole, TARGETS.wholeMb)})`);
  console.log(`after importing ${GUESTS} guests (${seconds.toFixed(0)} s): app ${after.own} MB, whole app ${after.whole} MB: ${(growth * 100).toFixed(1)}% growth (target < ${TARGETS.growth * 100}%: ${ok(growth, TARGETS.growth)})`);
});
