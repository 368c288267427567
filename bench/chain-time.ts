// Chain time of one round on a real local node (anvil or a `hardhat node`, `--chain`; 127.0.0.1, started and stopped here): wall time from the
// first submission to the finalized aggregate, split into submit / reveal / aggregate / finalize, at the
// OmniLytics scale (the public part of the product's MNIST CNN, 10 data owners, g = 3 as the demo uses)
// and at 100,000 and 1,000,000 public parameters (12 data owners, g = 4 as the gas grid: the median's 3
// groups). Data owners send concurrently, as independent parties would; one aggregator sends the chunks one
// after another.
// Usage: npx ts-node --transpile-only bench/chain-time.ts [--quick] [--chain anvil|hardhat]   (quick: the MNIST scale only)
// Full results: bench/results/chain-time.json on a hardhat node, chain-time-anvil.json on anvil; quick ones
// under bench/results/quick/. The hardhat node's 1M run is also recorded as cell d1000000-n12 of
// bench/results/gas-grid.json (same code, same gas; on a node).
import { buildModel, DEFAULT_MODEL_CONFIG, publicSize } from "../src/ml";
import { startLocalNode } from "../src/devnet/localNode";
import { benchChain, freshConnections } from "./lib/driver";
import { runCell, type CellConfig, type CellResult } from "./lib/chainCell";
import { envelope, nodeDescription, progress, quickMode, resultPath, writeJson } from "./lib/chainReport";
import { benchClient, clientResultName } from "./lib/results";
import { recordGridCell } from "./lib/chainGrid";

const CLIENT = benchClient();
const NAME = clientResultName("chain-time", CLIENT);
const say = progress(NAME);
/** What the OmniLytics paper reports for its MNIST CNN (not measured here). */
const OMNILYTICS_REPORTED_MS = 500;

/** One configuration's times, in seconds, from the cell's wall-clock marks. */
function roundTimes(cell: CellResult): Record<string, number> {
  const w = cell.wallSeconds as Record<string, number>;
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    firstSubmissionToFinalized: r(w.submit + w.reveal + w.aggregate + w.finalize),
    submit: w.submit,
    reveal: w.reveal,
    aggregate: w.aggregate,
    finalize: w.finalize,
    commitBeforeFirstSubmission: w.commit,
  };
}

/** Seconds the node spent on the round's transactions from the first submission on (send → mined, summed). */
function nodeTimes(cell: CellResult): Record<string, number> {
  const s = cell.nodeSecondsByPhase as Record<string, number>;
  const total = Math.round((s.submit + s.reveal + s.aggregate + s.finalize) * 1000) / 1000;
  return { submitToFinalizedSummed: total, submit: s.submit, reveal: s.reveal, aggregate: s.aggregate, finalize: s.finalize };
}

async function main(): Promise<void> {
  const quick = quickMode();
  const started = Date.now();
  freshConnections();
  const mnist = publicSize(buildModel(DEFAULT_MODEL_CONFIG));
  const mnistConfig = { d: mnist, n: 10, g: 3, dropouts: 0 as const, concurrency: 10 };
  // The small configuration runs three times (once in quick mode): its wall time moves with the machine's load.
  const configs: (CellConfig & { label: string })[] = [
    ...Array.from({ length: quick ? 1 : 3 }, (_, i) => ({ label: i === 0 ? "omnilytics-scale" : `omnilytics-scale#${i + 1}`, ...mnistConfig })),
    ...(quick
      ? []
      : [
          { label: "100k", d: 100_000, n: 12, g: 4, dropouts: 0 as const, concurrency: 12 },
          { label: "1M", d: 1_000_000, n: 12, g: 4, dropouts: 0 as const, concurrency: 12 },
        ]),
  ];
  // Automine: a transaction's send → mined time is its execution (no wait for the next block), and the driver's
  // read cache (bench/lib/chainProvider.ts) holds only while blocks come from its own writes.
  const node = await startLocalNode({ client: CLIENT, automine: true });
  const runs: Record<string, unknown>[] = [];
  const command = process.env.BENCH_COMMAND ?? `npx ts-node --transpile-only bench/chain-time.ts${quick ? " --quick" : ""} --chain ${CLIENT}`;
  const method =
    `${nodeDescription(CLIENT)} on 127.0.0.1 started by the script; ` +
    "the driver (bench/lib/driver.ts) calls the src/chain " +
    "actions over JSON-RPC. Times are wall clock on the driver: submit = first data owner starts masking and posting → last submission " +
    "mined; reveal = data owners check for required reveals (none: no dropouts) ; aggregate = aggregator reads the submissions back from " +
    "calldata and posts every chunk, one after another → last chunk mined; finalize = finalizeRound sent → mined. Data owners act " +
    "concurrently (all of a configuration's data owners at once). nodeSeconds / nodeSecondsByPhase sum each transaction's send→return time (concurrent sends overlap).";
  const save = (): void =>
    writeJson(resultPath(NAME, quick), {
      ...envelope(NAME, command, "synthetic updates seeded by member index", configs, method),
      chain: CLIENT,
      wallSeconds: Math.round((Date.now() - started) / 1000),
      omnilytics: { reportedBlockchainProcessingMs: OMNILYTICS_REPORTED_MS, note: "as reported in the OmniLytics paper for its MNIST CNN; not measured here" },
      runs,
    });
  try {
    for (const { label, ...config } of configs) {
      say(`${label}: d=${config.d}, n=${config.n}, g=${config.g} on ${node.url}`);
      const cell = await runCell(benchChain(node.provider, CLIENT), config, say);
      if (cell.status !== "done") {
        runs.push({ label, ...cell });
        save();
        continue;
      }
      const times = roundTimes(cell);
      runs.push({
        label,
        d: config.d,
        n: config.n,
        g: config.g,
        dataOwnerTransactions: "concurrent (all data owners at once); aggregation chunks one after another",
        seconds: times,
        nodeSeconds: nodeTimes(cell),
        ...(label.startsWith("omnilytics-scale")
          ? { versusOmnilyticsReported: `${Math.round(times.firstSubmissionToFinalized * 1000)} ms measured vs ${OMNILYTICS_REPORTED_MS} ms reported` }
          : {}),
        cell,
      });
      say(`${label}: first submission → finalized ${times.firstSubmissionToFinalized} s (aggregate ${times.aggregate} s)`);
      if (!quick && CLIENT === "hardhat" && label === "1M")
        recordGridCell({ key: "d1000000-n12", ...cell, executedBy: "bench/chain-time.ts (hardhat node on 127.0.0.1)" });
      save();
    }
  } finally {
    await node.stop();
  }
  save();
  say(`written to ${resultPath(NAME, quick)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
