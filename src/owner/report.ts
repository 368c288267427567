// The run report: JSON with every figure, Markdown with the per-round table, and an SVG chart of
// test accuracy (line) and gas per round (bars).
import path from "path";
import { writeFileAtomic } from "../infra";
import type { RoundRow } from "./roundReport";

/** Everything a demo or job run reports. */
export interface RunReport {
  initialAccuracy: number;
  finalAccuracy: number;
  rounds: RoundRow[];
  payoutsWei: Record<string, string>;
  budgetWei: string;
  refundedWei: string;
  slashedWei: string;
  stakesReturnedWei: string;
  config: Record<string, unknown>;
  wallMs: number;
}

/** The per-round table as aligned plain text. */
export function roundTable(report: RunReport): string {
  const header = ["round", "accuracy", "gas used", "chain s", "inlier groups", "paid (ETH)"];
  const rows = [
    ["start", (report.initialAccuracy * 100).toFixed(2) + "%", "", "", "", ""],
    ...report.rounds.map((r) => [
      String(r.round),
      (r.accuracy * 100).toFixed(2) + "%",
      Number(r.gasUsed).toLocaleString("en-US"),
      (r.chainMs / 1000).toFixed(0),
      `${r.inlierGroups}/${r.eligibleGroups}` + (r.excludedGroups > 0 ? ` (${r.excludedGroups} over bound)` : ""),
      (Number(r.paidWei) / 1e18).toFixed(4),
    ]),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

/** An SVG chart: accuracy per round as a line (left axis), gas per round as bars (right axis). */
export function chartSvg(report: RunReport): string {
  const W = 640,
    H = 320,
    L = 60,
    R = 70,
    T = 30,
    B = 40;
  const points = [
    { round: -1, accuracy: report.initialAccuracy, gas: 0 },
    ...report.rounds.map((r) => ({ round: r.round, accuracy: r.accuracy, gas: Number(r.gasUsed) })),
  ];
  const maxGas = Math.max(1, ...points.map((p) => p.gas));
  const x = (i: number) => L + ((W - L - R) * (i + 0.5)) / points.length;
  const yAcc = (a: number) => T + (H - T - B) * (1 - a);
  const yGas = (g: number) => T + (H - T - B) * (1 - g / maxGas);
  const bars = points
    .map((p, i) => (p.gas ? `<rect x="${x(i) - 12}" y="${yGas(p.gas)}" width="24" height="${H - B - yGas(p.gas)}" fill="#c7d7ee"/>` : ""))
    .join("");
  const line = points.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${yAcc(p.accuracy).toFixed(1)}`).join(" ");
  const dots = points
    .map(
      (p, i) =>
        `<circle cx="${x(i)}" cy="${yAcc(p.accuracy)}" r="4" fill="#1f5fbf"/><text x="${x(i)}" y="${yAcc(p.accuracy) - 8}" font-size="11" text-anchor="middle">${(p.accuracy * 100).toFixed(1)}%</text>`,
    )
    .join("");
  const labels = points
    .map((p, i) => `<text x="${x(i)}" y="${H - B + 16}" font-size="11" text-anchor="middle">${p.round < 0 ? "start" : "round " + p.round}</text>`)
    .join("");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((a) => `<text x="${L - 6}" y="${yAcc(a) + 4}" font-size="10" text-anchor="end">${a * 100}%</text>`).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
<text x="${W / 2}" y="18" font-size="13" text-anchor="middle">Model-owner test accuracy (line) and gas per round (bars, max ${maxGas.toLocaleString("en-US")})</text>
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#444"/><line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="#444"/>
${ticks}${bars}<path d="${line}" fill="none" stroke="#1f5fbf" stroke-width="2"/>${dots}${labels}
</svg>
`;
}

/** Writes report.json, report.md and chart.svg into `dir`; returns the Markdown path. */
export function writeReport(dir: string, report: RunReport): string {
  writeFileAtomic(path.join(dir, "report.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileAtomic(path.join(dir, "chart.svg"), chartSvg(report));
  const md = [
    "# Market run report",
    "",
    `Initial accuracy ${(report.initialAccuracy * 100).toFixed(2)}%, final ${(report.finalAccuracy * 100).toFixed(2)}%, wall time ${(report.wallMs / 1000).toFixed(0)} s.`,
    "",
    "![accuracy and gas per round](chart.svg)",
    "",
    "```",
    roundTable(report),
    "```",
    "",
    "| books | wei |",
    "| --- | --- |",
    `| budget | ${report.budgetWei} |`,
    `| refunded to the model owner | ${report.refundedWei} |`,
    `| slashed | ${report.slashedWei} |`,
    `| stakes returned | ${report.stakesReturnedWei} |`,
    "",
    "| data owner | paid (wei) |",
    "| --- | --- |",
    ...Object.entries(report.payoutsWei).map(([a, w]) => `| ${a} | ${w} |`),
    "",
    "Configuration: `" + JSON.stringify(report.config) + "`",
    "",
  ].join("\n");
  const file = path.join(dir, "report.md");
  writeFileAtomic(file, md);
  return file;
}
