// `npm run bench:report`: turns the committed full results (bench/results/*.json) into the charts under
// docs/results/ and the generated tables of docs/RESULTS.md (the blocks between `<!-- table:NAME -->` and
// `<!-- /table:NAME -->`; the prose around them is written by hand). Missing results leave their block as is.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { resultPath } from "./lib/results";
import { payShares } from "./lib/simRobustness";
import { heatmap, lineChart, type Series } from "./lib/svg";

const DOCS = path.join(__dirname, "..", "docs");
const CHARTS = path.join(DOCS, "results");
const pct = (v: number): string => (v * 100).toFixed(2);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** The full result of benchmark `name`, or undefined when it has not been run. */
function load(name: string): Json | undefined {
  const file = resultPath(name, false);
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}

/** A Markdown table. */
function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const fmtInt = (v: string | number | bigint): string => BigInt(v).toLocaleString("en-US");

/** Gas grid: table and chart of gas per parameter per DO against the calldata floor. */
function gas(result: Json): { table: string; svg: string } {
  const cells: Json[] = result.cells;
  const rows = cells
    .slice()
    .sort((a, b) => a.config.d - b.config.d || a.config.n - b.config.n)
    .map((c) =>
      c.status === "done"
        ? [
            fmtInt(c.config.d),
            c.config.n,
            c.groups,
            c.chunkCount,
            c.gasPerParamPerDataOwner.toFixed(1),
            c.calldataFloorPerParamPerDataOwner.toFixed(1),
            fmtInt(c.maxTxGas),
            c.wallSeconds.total.toFixed(0),
            "measured",
          ]
        : [
            fmtInt(c.config.d),
            c.config.n,
            "",
            "",
            "",
            "",
            "",
            c.estimatedWallSeconds ? `(est. ${c.estimatedWallSeconds})` : "",
            c.status === "not-run" ? "not run (time)" : `${c.status}: ${c.error ?? c.reason ?? c.message ?? ""}`,
          ],
    );
  const ns = [...new Set(cells.map((c) => c.config.n))].sort((a, b) => a - b);
  const series: Series[] = ns.map((n) => ({
    label: `n = ${n} DOs`,
    points: cells
      .filter((c) => c.config.n === n && c.status === "done")
      .sort((a, b) => a.config.d - b.config.d)
      .map((c) => ({ x: c.config.d, y: c.gasPerParamPerDataOwner })),
  }));
  const ds = [...new Set(cells.map((c) => c.config.d))].sort((a, b) => a - b);
  const floor = cells.find((c) => c.status === "done")?.calldataFloorPerParamPerDataOwner ?? 160;
  series.push({ label: "calldata floor (EIP-7623)", dashed: true, points: ds.map((d) => ({ x: d, y: floor })) });
  return {
    table: table(["d", "n", "groups", "chunks", "gas/param/DO", "floor/param/DO", "max tx gas", "wall s", "status"], rows),
    svg: lineChart({
      title: "Gas per parameter per data owner per round (g = 4, median)",
      xLabel: "public parameters d (log scale)",
      yLabel: "gas / parameter / DO",
      series,
      logX: true,
      xTicks: ds,
      yMin: 0,
    }),
  };
}

/** Accuracy per round: table and chart, with the OmniLytics figures as a reference line. */
function accuracy(result: Json): { table: string; svg: string } {
  const runs: Json[] = result.runs;
  const rounds = Math.max(...runs.map((r) => r.rounds.length));
  const rows = runs.map((r) => [
    r.dataset,
    r.split,
    pct(r.initialAccuracy),
    ...r.rounds.map((x: Json) => pct(x.accuracy)),
    r.rounds.map((x: Json) => `${x.paidGroups}/${x.inliers.length}`).join(" "),
  ]);
  const series: Series[] = runs.map((r) => ({
    label: `${r.dataset} ${r.split}`,
    points: [{ x: 0, y: r.initialAccuracy * 100 }, ...r.rounds.map((x: Json) => ({ x: x.round, y: x.accuracy * 100 }))],
  }));
  series.push({
    label: "OmniLytics: 83% reported",
    dashed: true,
    points: [
      { x: 0, y: 83 },
      { x: rounds, y: 83 },
    ],
  });
  return {
    table: table(["dataset", "split", "start %", ...Array.from({ length: rounds }, (_, i) => `round ${i + 1} %`), "paid groups per round"], rows),
    svg: lineChart({
      title: "Model-owner test accuracy per round (10 DOs, groups of 3, median)",
      xLabel: "round (0 = the model owner's start)",
      yLabel: "test accuracy %",
      series,
      yMin: 40,
      yMax: 100,
    }),
  };
}

/** Robustness matrix: final accuracy per rule, attack and malicious fraction; an attacker's pay as a share of
 * an honest DO's, and the honest pay lost. */
function robustness(result: Json): { table: string; svg: string } {
  const rules: string[] = result.config.rules;
  const attacks: string[] = result.config.attacks;
  const fractions: number[] = result.config.fractions;
  const dataOwners: number = result.config.dataOwners;
  const find = (rule: string, attack: string, fraction: number): Json =>
    result.configs.find((c: Json) => c.rule === rule && c.attack === attack && Math.abs(c.fraction - fraction) < 1e-9);
  const rowKeys = [{ attack: "none", fraction: 0 }, ...fractions.flatMap((f) => attacks.map((attack) => ({ attack, fraction: f })))];
  const label = (k: { attack: string; fraction: number }): string => (k.fraction === 0 ? "clean" : `${k.attack} ${Math.round(k.fraction * 100)}%`);
  const cells = rowKeys.map((k) => rules.map((rule) => find(rule, k.attack, k.fraction)));
  const share = (x: number | null) => (x === null ? "–" : `${Math.round(x * 100)}%`);
  const cell = (c: Json) => {
    if (!c) return "—";
    const s = payShares(c, dataOwners);
    const convicted = s.convictedAttackers + s.convictedHonest === 0 ? "" : `, convicted ${s.convictedAttackers}+${s.convictedHonest}`;
    return `${pct(c.finalAccuracy)} (${share(s.attacker)} / ${share(s.honestLost)}${convicted})`;
  };
  const rows = rowKeys.map((k, i) => [label(k), ...cells[i].map(cell)]);
  const clean = Math.max(...rules.map((r) => find(r, "none", 0)?.finalAccuracy ?? 0));
  return {
    table: table(["attack, malicious", ...rules.map((r) => `${r} % (attacker pay / honest pay lost, after settlement)`)], rows),
    svg: heatmap({
      title: "Final MNIST accuracy % (attacker member-rounds paid), 20 DOs in groups of 4",
      rows: rowKeys.map(label),
      columns: rules,
      values: cells.map((r) => r.map((c: Json) => (c ? c.finalAccuracy * 100 : null))),
      notes: cells.map((r) => r.map((c: Json) => (c ? `paid ${c.attackersPaid}` : null))),
      min: clean * 100 - 10,
      max: clean * 100,
      format: (v) => v.toFixed(1),
    }),
  };
}

/** The clip norm against the bounded attacker: per clip norm and rule, the clean and the attacked accuracy. */
function clip(result: Json): { table: string } {
  const find = (c: number, rule: string, attack: string): Json => result.runs.find((x: Json) => x.clipNorm === c && x.rule === rule && x.attack === attack);
  const share = (x: number | null) => (x === null ? "–" : `${Math.round(x * 100)}%`);
  const rows = result.config.clipNorms.flatMap((c: number) =>
    result.config.rules.map((rule: string) => {
      const clean = find(c, rule, "none");
      const hit = find(c, rule, "bounded");
      return [
        c,
        rule,
        `${clean.honestNorms.min}–${clean.honestNorms.max} (${clean.honestNorms.clipped} clipped)`,
        pct(clean.finalAccuracy),
        pct(hit.finalAccuracy),
        `${share(hit.pay.attacker)} / ${share(hit.pay.honestLost)}`,
      ];
    }),
  );
  const f = Math.round(result.config.fraction * 100);
  return {
    table: table(["clip norm C", "rule", "honest update norms, clean run", "clean %", `bounded ${f}% %`, "attacker pay / honest pay lost"], rows),
  };
}

/** Privacy/robustness trade-off: tolerated attackers and measured accuracy per (n, g). */
function tradeoff(result: Json): { table: string } {
  const tol = (t: Json): string => ["median", "trimmed-mean", "multi-krum"].map((r) => t[r] ?? "–").join(" / ");
  const rows = result.table.map((t: Json) => [
    t.n,
    t.g,
    t.groups,
    tol(t.worstCase),
    tol(t.randomAssignment),
    t.atFraction.expectedContaminated.toFixed(1),
    t.atFraction.probabilityCleanMajority.toFixed(3),
    pct(t.measured.cleanMedian),
    ...result.config.rules.map((r: string) => pct(t.measured[`${r}Under${result.config.attack}`])),
  ]);
  const f = Math.round(result.config.fraction * 100);
  return {
    table: table(
      [
        "n",
        "g",
        "groups",
        "tolerated, worst case (median / trimmed / Multi-Krum)",
        "tolerated, random groups",
        `contaminated groups at ${f}%`,
        "P(clean majority)",
        "clean median %",
        ...result.config.rules.map((r: string) => `${r} under ${result.config.attack} ${f}% %`),
      ],
      rows,
    ),
  };
}

/** One round on a local node: chain time, or the scale run's wall time, gas and memory. */
function chainRuns(result: Json): { table: string } {
  const rows = result.runs.map((r: Json) => {
    const c = r.cell ?? r;
    const secs = r.seconds?.firstSubmissionToFinalized ?? c.wallSeconds?.round ?? c.wallSeconds?.total;
    return [
      r.label ?? c.key,
      fmtInt(c.config?.d ?? r.d),
      c.config?.n ?? r.n,
      c.reason ? `${c.status}: ${c.reason}` : (c.status ?? "done"),
      secs === undefined ? "" : secs.toFixed(1),
      c.roundGas ? fmtInt(c.roundGas) : "",
      c.maxTxGas ? fmtInt(c.maxTxGas) : "",
      c.memory?.driverHwmMiB ?? "",
      c.memory?.nodeHwmMiB ?? "",
      c.memory?.nodeLiveMiB ?? (c.memory ? "not sampled" : ""),
    ];
  });
  return {
    table: table(["run", "d", "n", "status", "round s", "round gas", "max tx gas", "driver peak MiB", "node peak resident MiB", "node peak live MiB"], rows),
  };
}

/** A chain-time, scale or load result's rounds, by label: wall seconds, gas, node peak resident and live MiB. */
function roundsOf(result: Json | undefined): Map<string, { d: number; n: number; seconds: number; gas?: string; resident?: number; live?: number }> {
  const rounds = new Map();
  if (!result) return rounds;
  if (result.benchmark.startsWith("load")) {
    const m = result.memory ?? {};
    rounds.set(`${result.config.workers} worker processes`, {
      d: result.config.paramCount,
      n: result.config.workers,
      seconds: result.roundSeconds,
      resident: m.nodePeakMiB,
      live: m.nodeLivePeakMiB,
    });
    return rounds;
  }
  for (const r of result.runs) {
    const c = r.cell ?? r;
    if (c.status !== "done") continue;
    const seconds = r.seconds?.firstSubmissionToFinalized ?? c.wallSeconds?.round;
    rounds.set(r.label ?? c.key, { d: c.config.d, n: c.config.n, seconds, gas: c.roundGas, resident: c.memory?.nodeHwmMiB, live: c.memory?.nodeLiveMiB });
  }
  return rounds;
}

/** The same rounds on a hardhat node and on anvil, side by side (rows where both clients have a result). */
function clients(): { table: string } {
  const rows: (string | number)[][] = [];
  for (const name of ["chain-time", "scale", "load"]) {
    const hardhat = roundsOf(load(name));
    const anvil = roundsOf(load(`${name}-anvil`));
    for (const [label, h] of hardhat) {
      const a = anvil.get(label);
      if (!a) continue;
      const gasDiff = h.gas && a.gas ? `${((Number(BigInt(a.gas) - BigInt(h.gas)) / Number(h.gas)) * 100).toFixed(3)}%` : "";
      const mem = (x: { resident?: number; live?: number }) => (x.resident === undefined ? "" : `${x.resident}${x.live === undefined ? "" : ` / ${x.live}`}`);
      rows.push([
        `${name}: ${label}`,
        fmtInt(h.d),
        h.n,
        h.seconds.toFixed(1),
        a.seconds.toFixed(1),
        (h.seconds / a.seconds).toFixed(1) + "×",
        h.gas ? fmtInt(h.gas) : "",
        a.gas ? fmtInt(a.gas) : "",
        gasDiff,
        mem(h),
        mem(a),
      ]);
    }
  }
  return {
    table: table(
      [
        "round",
        "d",
        "n",
        "hardhat node s",
        "anvil s",
        "anvil faster by",
        "gas, hardhat node",
        "gas, anvil",
        "gas difference",
        "hardhat node peak MiB (resident / live)",
        "anvil peak MiB (resident / live)",
      ],
      rows,
    ),
  };
}

/** Pay by contribution at 20%: per attack, today's settled pay next to ridge-attributed pay (best rule's job,
 * the median's), and the synthetic rounds sweep. */
function attribution(result: Json): { table: string } {
  const pct = (x: number | null): string => (x === null ? "–" : `${Math.round(x * 100)}%`);
  const pair = (s: Json): string => `${pct(s.attacker)} / ${pct(s.honestLost)}`;
  const rules: string[] = [...new Set<string>(result.jobs.map((j: Json) => j.rule))];
  const attacks: string[] = [...new Set<string>(result.jobs.filter((j: Json) => j.fraction === 0.2).map((j: Json) => j.attack))];
  const find = (rule: string, attack: string): Json => result.jobs.find((j: Json) => j.rule === rule && j.attack === attack && j.fraction === 0.2);
  const rows = attacks.map((a) => [a, ...rules.flatMap((r) => [pair(find(r, a).today), pair(find(r, a).byContribution)])]);
  const header = ["attack (20%)", ...rules.flatMap((r) => [`${r}: today`, `${r}: by contribution`])];
  const sweep = result.synthetic.map((s: Json) => [s.rounds, s.attacker, pct(s.attackerShare), pct(s.honestLoss), pct(s.worstHonestLoss)]);
  return {
    table:
      table(header, rows) +
      "\n\nSynthetic jobs (20 DOs in groups of 4, 20% attackers, calibrated on the clean runs: σ between members " +
      `${result.calibration.sigmaBetween}, per member-round ${result.calibration.sigmaWithin}):\n\n` +
      table(["rounds", "attackers contribute", "attacker pay share", "honest pay lost (mean)", "honest pay lost (worst job)"], sweep),
  };
}

/** Replaces the generated block `name` of `doc`, if the block exists. */
function fill(doc: string, name: string, body: string): string {
  const re = new RegExp(`(<!-- table:${name} -->)[\\s\\S]*?(<!-- /table:${name} -->)`);
  return doc.replace(re, (_, open: string, close: string) => `${open}\n${body}\n${close}`);
}

function main(): void {
  mkdirSync(CHARTS, { recursive: true });
  const docFile = path.join(DOCS, "RESULTS.md");
  let doc = existsSync(docFile) ? readFileSync(docFile, "utf8") : "";
  const parts: [string, (r: Json) => { table: string; svg?: string }][] = [
    ["gas-grid", gas],
    ["accuracy", accuracy],
    ["robustness", robustness],
    ["clip", clip],
    ["attribution", attribution],
    ["tradeoff", tradeoff],
    ["chain-time", chainRuns],
    ["chain-time-anvil", chainRuns],
    ["scale", chainRuns],
    ["scale-anvil", chainRuns],
  ];
  for (const [name, render] of parts) {
    const result = load(name);
    if (!result) {
      console.error(`${name}: no full result yet (bench/results/${name}.json); skipped`);
      continue;
    }
    const { table: md, svg } = render(result);
    if (svg) writeFileSync(path.join(CHARTS, `${name}.svg`), svg);
    doc = fill(doc, name, md);
    console.error(`${name}: its table${svg ? ` and docs/results/${name}.svg` : ""}`);
  }
  doc = fill(doc, "clients", clients().table);
  console.error("clients: its table");
  if (doc) writeFileSync(docFile, doc);
}

main();
