// Gas of one full round at d = 100,000 public parameters, n = 20 DOs, g = 4, median rule, with one
// dropout, on the in-process Hardhat network (osaka rules). Writes bench/results/gas.json (other
// configurations: bench/results/gas-d<d>-n<n>-g<g>-drop<k>.json; the d × n grid is bench/gas-grid.ts).
// Usage: npm run bench:gas  (env: GAS_D, GAS_N, GAS_G, GAS_DROPOUTS=0|1, GAS_CONCURRENCY to change the configuration)
import hre from "hardhat";
import { benchChain } from "./lib/driver";
import { runCell, type CellConfig } from "./lib/chainCell";
import { envelope, progress, writeJson } from "./lib/chainReport";
import path from "path";

async function main(): Promise<void> {
  const config: CellConfig = {
    d: Number(process.env.GAS_D ?? 100_000),
    n: Number(process.env.GAS_N ?? 20),
    g: Number(process.env.GAS_G ?? 4),
    dropouts: Number(process.env.GAS_DROPOUTS ?? 1) > 0 ? 1 : 0,
    concurrency: Number(process.env.GAS_CONCURRENCY ?? 16),
  };
  const started = Date.now();
  const cell = await runCell(benchChain(hre.ethers.provider), config, progress("gas"));
  if (cell.status !== "done") throw new Error(`configuration ${cell.status}: ${String(cell.message ?? "")}`);
  const check = cell.check as { aggregateMatchesProtocolCore: boolean };
  if (!check.aggregateMatchesProtocolCore) throw new Error("the on-chain aggregate differs from the protocol core's computation");
  const method =
    "One round on the in-process Hardhat network through the src/chain actions (bench/lib/chainCell.ts); the first member of group 0 " +
    "drops after committing when dropouts = 1 (its group keeps 3 submitters and stays eligible after the reveals). Gas = receipts' gasUsed.";
  const { wallSeconds: phaseWallSeconds, ...measured } = cell;
  const report = {
    ...envelope("gas", process.env.BENCH_COMMAND ?? "npm run bench:gas", "synthetic updates seeded by member index", config, method),
    wallSeconds: Math.round((Date.now() - started) / 1000),
    ...measured,
    phaseWallSeconds,
    targets: { gasPerParamPerDataOwner: 800, productGoal: 180, maxTxGas: 16_777_216 },
  };
  const isDefault = config.d === 100_000 && config.n === 20 && config.g === 4 && config.dropouts === 1;
  const out = path.join(__dirname, "results", isDefault ? "gas.json" : `gas-d${config.d}-n${config.n}-g${config.g}-drop${config.dropouts}.json`);
  writeJson(out, report);
  console.log(JSON.stringify(report, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
