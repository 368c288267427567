// `npm run bench [-- --quick] [--only a,b] [--chain anvil|hardhat]`: runs every benchmark one after another,
// each in its own process (so one benchmark's memory and timing do not leak into the next), and prints what
// each took. --quick runs the reduced grids (under 5 minutes in all) and writes to bench/results/quick/.
// --chain picks the local node of the benchmarks that start one (chain-time, scale, load; default anvil);
// gas-grid runs on Hardhat's in-process network either way.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { benchClient, isQuick } from "./lib/results";

/** One benchmark: its result name and the command that runs it (argv after `npx`). */
interface Benchmark {
  name: string;
  argv: string[];
}

const ts = (file: string): string[] => ["ts-node", "--transpile-only", `bench/${file}`];
// Benchmarks on the in-process network run under `hardhat run`, which takes no arguments: BENCH_QUICK=1 instead.
const hh = (file: string): string[] => ["hardhat", "run", "--no-compile", `bench/${file}`];

/** Every benchmark, cheapest first; robustness runs before attribution and tradeoff, which read its results. */
export const BENCHMARKS: readonly Benchmark[] = [
  { name: "mask", argv: ts("mask.ts") },
  { name: "gas-grid", argv: hh("gas-grid.ts") },
  { name: "chain-time", argv: ts("chain-time.ts") },
  { name: "accuracy", argv: ts("accuracy.ts") },
  { name: "robustness", argv: ts("robustness.ts") },
  { name: "clip", argv: ts("clip.ts") },
  { name: "attribution", argv: ts("attribution.ts") },
  { name: "tradeoff", argv: ts("tradeoff.ts") },
  { name: "scale", argv: ts("scale.ts") },
  { name: "load", argv: ts("load.ts") },
];

function main(): void {
  const quick = isQuick();
  const client = benchClient();
  const onlyAt = process.argv.indexOf("--only");
  const only = onlyAt > 0 ? new Set((process.argv[onlyAt + 1] ?? "").split(",").filter(Boolean)) : undefined;
  const unknown = [...(only ?? [])].filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(", ")}; known: ${BENCHMARKS.map((b) => b.name).join(", ")}`);
    process.exit(2);
  }
  const root = path.join(__dirname, "..");
  const summary: { name: string; seconds: number; status: string }[] = [];
  for (const bench of BENCHMARKS.filter((b) => !only || only.has(b.name))) {
    const argv = quick ? [...bench.argv, ...(bench.argv[0] === "hardhat" ? [] : ["--quick"])] : bench.argv;
    const command = `npx ${argv.join(" ")}`;
    console.error(`\n── ${bench.name}: ${command}${quick ? " (BENCH_QUICK=1)" : ""} (BENCH_CHAIN=${client})`);
    const started = performance.now();
    const run = spawnSync("npx", argv, {
      cwd: root,
      stdio: "inherit",
      env: {
        ...process.env,
        BENCH_QUICK: quick ? "1" : "",
        BENCH_CHAIN: client,
        BENCH_COMMAND: `${quick ? "BENCH_QUICK=1 " : ""}BENCH_CHAIN=${client} ${command}`,
      },
    });
    const seconds = Math.round(performance.now() - started) / 1000;
    summary.push({ name: bench.name, seconds, status: run.status === 0 ? "ok" : `failed (exit ${run.status ?? run.signal})` });
  }
  console.error(`\n${quick ? "quick" : "full"} benchmarks:`);
  for (const s of summary) console.error(`  ${s.name.padEnd(12)} ${s.seconds.toFixed(1).padStart(8)} s  ${s.status}`);
  const total = summary.reduce((t, s) => t + s.seconds, 0);
  console.error(`  ${"total".padEnd(12)} ${total.toFixed(1).padStart(8)} s`);
  if (summary.some((s) => s.status !== "ok")) process.exit(1);
}

main();
