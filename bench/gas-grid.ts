// Gas of one round per public parameter per data owner, and the largest single transaction, over
// d ∈ {1k, 10k, 100k, 1M} public parameters × n ∈ {12, 20, 50, 100} data owners (g = 4, median rule, no
// dropouts; n starts at 12, the fewest for the median's 3 groups of 4), next to the EIP-7623 calldata floor
// of the bytes posted, on the in-process Hardhat network (osaka rules). Each cell runs in its own process (fresh chain), cheapest first; a finished cell is
// written to the result file at once and a rerun skips it, so a long run can be continued. Cells the
// contract refuses are listed with the decoded custom error; cells not started before the deadline are
// listed as not-run with a wall-time estimate from the measured throughput.
// Usage: nice -n 10 npx hardhat run bench/gas-grid.ts            → bench/results/gas-grid.json
//        BENCH_QUICK=1 npx hardhat run bench/gas-grid.ts         → bench/results/quick/gas-grid.json (d ≤ 10k, n = 12)
// A cell that fails (not one the contract refuses) makes the run exit non-zero once the grid is written.
// Env: GRID_DEADLINE (ISO time after which no new cell starts), GRID_CONCURRENCY (data owners at once, default 16),
// GRID_PAUSE_FILE (no new cell starts while that file exists).
import { spawn } from "child_process";
import { tmpdir } from "os";
import { existsSync } from "fs";
import path from "path";
import hre from "hardhat";
import { benchChain } from "./lib/driver";
import { runCell, type CellConfig, type CellResult } from "./lib/chainCell";
import { envelope, progress, quickMode, readJson, resultPath, writeJson } from "./lib/chainReport";

const NAME = "gas-grid";
const G = 4;
const say = progress(NAME);

/** A cell as stored in the result file. */
type StoredCell = { key: string; status: CellResult["status"] | "not-run"; config?: CellConfig; [k: string]: unknown };

const keyOf = (c: { d: number; n: number }): string => `d${c.d}-n${c.n}`;

/** The grid of the mode, cheapest (d·n) first. */
function gridCells(quick: boolean): CellConfig[] {
  const ds = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
  const ns = quick ? [12] : [12, 20, 50, 100];
  const concurrency = Number(process.env.GRID_CONCURRENCY ?? 16);
  return ds.flatMap((d) => ns.map((n) => ({ d, n, g: G, dropouts: 0 as const, concurrency }))).sort((a, b) => a.d * a.n - b.d * b.n || a.n - b.n);
}

/** Child mode: run one cell on this process's in-process network and write its result to GRID_OUT. */
async function runChild(spec: string, out: string): Promise<void> {
  const [d, n, concurrency] = spec.split(",").map(Number);
  const chain = benchChain(hre.ethers.provider);
  const result = await runCell(chain, { d, n, g: G, dropouts: 0, concurrency }, say).catch((error: unknown) => ({
    status: "failed" as const,
    config: { d, n, g: G, dropouts: 0 as const, concurrency },
    message: error instanceof Error ? error.message : String(error),
  }));
  writeJson(out, result);
}

/** Runs one cell on this process's in-process network (a fresh market deployment). */
async function runHere(cell: CellConfig): Promise<CellResult> {
  return runCell(benchChain(hre.ethers.provider), cell, say).catch((error: unknown) => ({
    status: "failed" as const,
    config: cell,
    message: error instanceof Error ? error.message : String(error),
  }));
}

/** Runs one cell in a fresh `hardhat run` process; resolves with its result. */
function runInChild(cell: CellConfig): Promise<CellResult> {
  const out = path.join(tmpdir(), `gas-grid-${keyOf(cell)}-${process.pid}.json`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve("hardhat/internal/cli/bootstrap"), "run", "--no-compile", path.join("bench", "gas-grid.ts")], {
      cwd: path.join(__dirname, ".."),
      env: { ...process.env, GRID_CELL: `${cell.d},${cell.n},${cell.concurrency ?? 16}`, GRID_OUT: out, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      const result = readJson<CellResult>(out);
      if (result) resolve(result);
      // `hardhat run` runs the script in a grandchild and reports a signal (the kernel's OOM kill, say) as code 0.
      else
        resolve({
          status: "failed",
          config: cell,
          message: `cell process ended (code ${code}) without a result: its script crashed or was killed (out of memory?)`,
        });
    });
  });
}

/** Measured throughput of finished cells: round gas per second of round wall time, over the heaviest half. */
function throughput(cells: StoredCell[]): { gasPerSecond: number; basis: string } | undefined {
  const done = cells.filter((c) => c.status === "done").sort((a, b) => Number(BigInt(b.roundGas as string) - BigInt(a.roundGas as string)));
  const used = done.slice(0, Math.max(1, Math.ceil(done.length / 2)));
  if (used.length === 0) return undefined;
  const gas = used.reduce((s, c) => s + Number(c.roundGas), 0);
  const secs = used.reduce((s, c) => s + (c.wallSeconds as { round: number }).round, 0);
  return { gasPerSecond: gas / secs, basis: `round gas / round wall time of ${used.map((c) => c.key).join(", ")}` };
}

/** The wall-time estimate of a cell not run: the largest finished cell with the same n scaled by d, at the measured throughput. */
function estimate(cell: CellConfig, cells: StoredCell[]): Record<string, unknown> {
  const rate = throughput(cells);
  const sameN = cells.filter((c) => c.status === "done" && c.config?.n === cell.n).sort((a, b) => b.config!.d - a.config!.d)[0];
  if (!rate || !sameN) return { estimatedWallSeconds: null, estimateBasis: "no finished cell to estimate from" };
  const perParamPerDo = sameN.gasPerParamPerDataOwner as number;
  const seconds = (perParamPerDo * cell.d * cell.n) / rate.gasPerSecond;
  return {
    estimatedWallSeconds: Math.round(seconds),
    estimateBasis:
      `estimate, not a measurement: gas/param/DO of ${sameN.key} (${perParamPerDo.toFixed(1)}) × d × n at ` +
      `${(rate.gasPerSecond / 1e6).toFixed(2)} Mgas/s (${rate.basis}); round only, setup not included`,
  };
}

/** Waits while the file GRID_PAUSE_FILE exists (lets another heavy benchmark run between two cells). */
async function waitWhilePaused(): Promise<void> {
  const pause = process.env.GRID_PAUSE_FILE;
  let said = false;
  while (pause && existsSync(pause)) {
    if (!said) say(`paused while ${pause} exists`);
    said = true;
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}

async function main(): Promise<void> {
  if (process.env.GRID_CELL && process.env.GRID_OUT) return runChild(process.env.GRID_CELL, process.env.GRID_OUT);
  const quick = quickMode();
  const file = resultPath(NAME, quick);
  const deadline = process.env.GRID_DEADLINE ? Date.parse(process.env.GRID_DEADLINE) : Infinity;
  const grid = gridCells(quick);
  // A full grid resumes where it stopped; a quick grid measures afresh every time.
  const previous = quick ? undefined : readJson<{ cells: StoredCell[] }>(file);
  const cells = new Map<string, StoredCell>((previous?.cells ?? []).map((c) => [c.key, c]));
  const command = process.env.BENCH_COMMAND ?? `${quick ? "BENCH_QUICK=1 " : ""}nice -n 10 npx hardhat run bench/gas-grid.ts`;
  const config = {
    d: [...new Set(grid.map((c) => c.d))],
    n: [...new Set(grid.map((c) => c.n))],
    g: G,
    rule: "median",
    dropouts: 0,
    concurrency: grid[0].concurrency,
  };
  const method = [
    "Each cell: the in-process Hardhat network (osaka: EIP-7825 cap, EIP-7623 floor), fresh per cell in its own process (full mode; quick",
    "mode runs its cells in one process, each on a fresh market deployment); the market deployed, a job",
    "posted with a synthetic quantized model, n members joined, then one round through the src/chain actions (commitSeeds, submitMasked,",
    "revealSeeds, aggregateRound): data owners act concurrently; round transactions carry the 16,777,216 cap as gas limit instead of an",
    "estimate (gas reported = receipts' gasUsed). gasPerParamPerDataOwner = round gas / (d·n). calldataFloorPerParamPerDataOwner = EIP-7623",
    "floor (10 gas per token, non-zero byte = 4 tokens) of each submitted masked vector posted once, read back from calldata, / (d·submitters).",
    "The on-chain aggregate and inlier set are checked against the protocol core (aggregateGroupSums) on the unmasked group sums.",
    "wallSeconds are driver wall clock per phase; nodeSecondsByPhase sums each transaction's send→return time (automine: execution",
    "included; concurrent sends overlap, so it can exceed the phase's wall time). Cells marked executedBy were measured by that script",
    "on a `hardhat node` with the same driver and cell code.",
  ].join(" ");
  const started = Date.now();
  const save = (): void => {
    const list = grid.map((c) => cells.get(keyOf(c))).filter((c): c is StoredCell => c !== undefined);
    const wallSeconds = list.reduce((s, c) => s + ((c.wallSeconds as { total?: number } | undefined)?.total ?? 0), 0);
    writeJson(file, {
      ...envelope(NAME, command, "synthetic updates seeded by member index (splitmix32), model word i = (i·2654435761) & 0xffff", config, method),
      wallSeconds: Math.round(wallSeconds),
      singleConfig: "bench/results/gas.json (d = 100,000, n = 20, g = 4, one dropout; npm run bench:gas)",
      cells: list,
    });
  };
  for (const cell of grid) {
    const key = keyOf(cell);
    await waitWhilePaused();
    // Another run (bench/scale.ts records its round as a cell) may have written the file meanwhile.
    if (!quick) for (const c of readJson<{ cells: StoredCell[] }>(file)?.cells ?? []) if (c.status === "done" || !cells.has(c.key)) cells.set(c.key, c);
    const prior = cells.get(key);
    if (prior && (prior.status === "done" || prior.status === "refused")) {
      say(`${key}: ${prior.status} already, skipped`);
      continue;
    }
    if (Date.now() > deadline) {
      cells.set(key, {
        key,
        status: "not-run",
        config: cell,
        reason: `not started before the deadline ${new Date(deadline).toISOString()}`,
        ...estimate(cell, [...cells.values()]),
      });
      save();
      continue;
    }
    say(`${key}: starting`);
    // Quick mode keeps to one process (a fresh market per cell); full mode gives each cell a fresh chain and heap.
    const result = quick ? await runHere(cell) : await runInChild(cell);
    cells.set(key, { key, ...result });
    save();
    const wall = (result.wallSeconds as { total?: number } | undefined)?.total;
    say(`${key}: ${result.status}${result.status === "done" ? `, ${(result.gasPerParamPerDataOwner as number).toFixed(1)} gas/param/DO, ${wall} s` : ""}`);
  }
  save();
  if (quick) say(`quick cells ran in this process, each on a fresh market deployment`);
  say(`grid written to ${file} (${Math.round((Date.now() - started) / 1000)} s this run)`);
  const failed = grid.map(keyOf).filter((key) => cells.get(key)?.status === "failed");
  if (failed.length > 0) {
    say(`failed: ${failed.map((key) => `${key} (${String(cells.get(key)!.message)})`).join("; ")}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
