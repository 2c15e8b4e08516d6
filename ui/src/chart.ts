// A small grouped bar chart of onboarding per day (invited, redeemed, licensed), as SVG built
// with DOM calls (the CSP allows no inline markup).
import type { DayActivity } from "./backend";
import { h } from "./dom";

const SVG = "http://www.w3.org/2000/svg";
const SERIES: { key: "invited" | "redeemed" | "licensed"; label: string; cls: string }[] = [
  { key: "invited", label: "Invited", cls: "bar-invited" },
  { key: "redeemed", label: "Redeemed", cls: "bar-redeemed" },
  { key: "licensed", label: "Licensed", cls: "bar-licensed" },
];

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export function activityChart(days: DayActivity[]): HTMLElement {
  const width = 860;
  const height = 150;
  const top = 10;
  const bottom = 22;
  const max = Math.max(1, ...days.flatMap((d) => [d.invited, d.redeemed, d.licensed]));
  const slot = width / Math.max(1, days.length);
  const bar = Math.max(2, (slot - 8) / 3);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": "Onboarding per day" });
  days.forEach((d, i) => {
    SERIES.forEach((s, j) => {
      const v = d[s.key];
      const hgt = ((height - top - bottom) * v) / max;
      const rect = el("rect", { x: i * slot + 4 + j * bar, y: height - bottom - hgt, width: bar - 1, height: Math.max(hgt, v ? 1 : 0), class: s.cls });
      rect.append(el("title", {}, `${d.day}: ${v} ${s.label.toLowerCase()}`));
      svg.append(rect);
    });
    if (i % Math.ceil(days.length / 7) === 0) svg.append(el("text", { x: i * slot + 4, y: height - 6, class: "chart-label" }, d.day.slice(5)));
  });
  const total = (k: "invited" | "redeemed" | "licensed") => days.reduce((n, d) => n + d[k], 0);
  return h(
    "div",
    { class: "card chart-card", id: "activity-chart" },
    h("div", { class: "chart-head" }, h("strong", {}, `Onboarding, last ${days.length} days`), h("span", { class: "legend" }, ...SERIES.map((s) => h("span", { class: `key ${s.cls}` }, `${s.label} ${total(s.key)}`)))),
    svg as unknown as HTMLElement,
  );
}
