// Scale: one round with 100 data owners and a 1,000,000-parameter public part on a real local node, anvil
// or a `hardhat node` (`--chain`; 127.0.0.1, started and stopped here): wall time, total gas, and peak memory of the driver and of the
// node (VmRSS / VmHWM, and live = VmRSS minus LazyFree, from /proc, sampled every second). The driver is
// the in-process one that calls the real chain actions of src/chain (the code the worker runs), 25 data
// owners at a time. Targets are tried smallest first; a target whose wall time, estimated from the
// throughput measured on the earlier ones, does not fit the time budget is recorded as not-run with that
// estimate. A full run resumes: targets already done in bench/results/scale.json are kept, not rerun.
// Usage: npx ts-node --transpile-only bench/scale.ts [--quick] [--chain anvil|hardhat]
//   full: targets 100 DOs × 100,000 then 100 DOs × 1,000,000, budget SCALE_BUDGET_MIN (default 90) minutes
//   quick: 20 DOs × 1,000 only (a smoke test of the same path). Results: bench/results/scale.json on a
//   hardhat node, scale-anvil.json on anvil (quick ones under bench/results/quick/).
// Each full run on a hardhat node is also recorded as its cell (d100000-n100, d1000000-n100) of bench/results/gas-grid.json.
import { startLocalNode } from "../src/devnet/localNode";
import { benchChain, freshConnections } from "./lib/driver";
import { runCell, type CellConfig } from "./lib/chainCell";
import { sampleMemory } from "./lib/chainMemory";
import { envelope, nodeDescription, progress, quickMode, readJson, resultPath, writeJson } from "./lib/chainReport";
import { recordGridCell } from "./lib/chainGrid";
import { benchClient, clientResultName } from "./lib/results";

const CLIENT = benchClient();
const NAME = clientResultName("scale", CLIENT);
const say = progress(NAME);

async function main(): Promise<void> {
  const quick = quickMode();
  const started = Date.now();
  freshConnections();
  const budgetMs = Number(process.env.SCALE_BUDGET_MIN ?? 90) * 60_000;
  const targets: CellConfig[] = quick
    ? [{ d: 1_000, n: 20, g: 4, dropouts: 0, concurrency: 20 }]
    : [
        { d: 100_000, n: 100, g: 4, dropouts: 0, concurrency: 25 },
        { d: 1_000_000, n: 100, g: 4, dropouts: 0, concurrency: 25 },
      ];
  const command = process.env.BENCH_COMMAND ?? `npx ts-node --transpile-only bench/scale.ts${quick ? " --quick" : ""} --chain ${CLIENT}`;
  const method =
    `${nodeDescription(CLIENT)} on 127.0.0.1 started by the script; ` +
    "the in-process driver (bench/lib/driver.ts, " +
    "bench/lib/chainCell.ts) calls the real src/chain actions (commitSeeds, submitMasked, revealSeeds, aggregateRound) over JSON-RPC, " +
    "25 data owners at a time (all 100 at once exhausted this shared machine's memory in a first attempt); g = 4, median rule, no dropouts. Memory: VmRSS, VmHWM and live memory (VmRSS minus LazyFree: " +
    "pages the EVM's allocator freed with MADV_FREE stay in VmRSS until the kernel needs them) of the driver process and of the node's " +
    "process tree, read from /proc every second. Gas = receipts' gasUsed.";
  const previous = quick ? undefined : readJson<{ runs: Record<string, unknown>[]; wallSeconds: number }>(resultPath(NAME, false));
  const runs: Record<string, unknown>[] = (previous?.runs ?? []).filter((r) => r.status === "done");
  const earlierSeconds = runs.length > 0 ? (previous?.wallSeconds ?? 0) : 0;
  const save = (): void =>
    writeJson(resultPath(NAME, quick), {
      ...envelope(NAME, command, "synthetic updates seeded by member index", { targets, budgetMinutes: budgetMs / 60_000 }, method),
      chain: CLIENT,
      wallSeconds: earlierSeconds + Math.round((Date.now() - started) / 1000),
      runs,
    });
  let gasPerSecond: number | undefined;
  let perParamPerDo: number | undefined;
  for (const target of targets) {
    const key = `d${target.d}-n${target.n}`;
    const done = runs.find((r) => r.key === key);
    if (done) {
      gasPerSecond = Number(done.roundGas) / (done.wallSeconds as { round: number }).round;
      perParamPerDo = done.gasPerParamPerDataOwner as number;
      say(`${key}: done already, kept`);
      continue;
    }
    if (gasPerSecond !== undefined && perParamPerDo !== undefined) {
      const estimate = (perParamPerDo * target.d * target.n) / gasPerSecond;
      const left = (budgetMs - (Date.now() - started)) / 1000;
      if (estimate > left) {
        runs.push({
          key,
          status: "not-run",
          config: target,
          reason: `estimated round wall time ${Math.round(estimate)} s exceeds the ${Math.round(left)} s left of the budget`,
          estimatedWallSeconds: Math.round(estimate),
          estimateBasis: `estimate, not a measurement: ${perParamPerDo.toFixed(1)} gas/param/DO (measured at the previous target) × d × n at the previous target's measured ${(gasPerSecond / 1e6).toFixed(2)} Mgas/s`,
          limits: `node execution time on ${CLIENT} (the round's gas is ~d·n·600)`,
        });
        say(`${key}: not run (estimated ${Math.round(estimate)} s)`);
        save();
        continue;
      }
    }
    // Automine, as bench/chain-time.ts: the driver times send → mined and caches reads between its own writes.
    const node = await startLocalNode({ client: CLIENT, automine: true });
    const memory = sampleMemory(node.pid);
    say(`${key}: on ${node.url} (node pid ${node.pid})`);
    try {
      const cell = await runCell(benchChain(node.provider, CLIENT), target, say);
      const peaks = memory.stop();
      runs.push({ key, ...cell, memory: peaks });
      if (cell.status === "done") {
        const wall = cell.wallSeconds as { round: number };
        gasPerSecond = Number(cell.roundGas) / wall.round;
        perParamPerDo = cell.gasPerParamPerDataOwner as number;
        say(
          `${key}: round ${wall.round} s, ${cell.roundGas} gas, node peak ${peaks.nodeHwmMiB} MiB resident (${peaks.nodeLiveMiB} MiB live), driver peak ${peaks.driverHwmMiB} MiB`,
        );
        if (!quick && CLIENT === "hardhat") recordGridCell({ key, ...cell, executedBy: "bench/scale.ts (hardhat node on 127.0.0.1)" });
      }
      save();
    } finally {
      memory.stop();
      await node.stop();
    }
  }
  save();
  say(`written to ${resultPath(NAME, quick)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
